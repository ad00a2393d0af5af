"""A large export is anonymised on every core (importer.run._convert_rows): the records,
the deny list and the problems (in row order) must be exactly what one process makes."""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.importer import run as importer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import import_scale  # noqa: E402

ROWS = importer.PARALLEL_ROWS + 100


def export(path: Path, broken: dict[int, str] | None = None) -> Path:
    rng = random.Random(3)
    rows = [import_scale.make_row(rng, n) for n in range(1, ROWS + 1)]
    for index, date in (broken or {}).items():
        rows[index][7] = date          # 违法时间
    import_scale.write_csv(path, rows)
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_import_writes_what_one_process_writes(tmp_path, monkeypatch):
    source = export(tmp_path / "export.csv")
    importer.import_cases([source], into=tmp_path / "a" / "cases_public")
    monkeypatch.setattr(importer, "PARALLEL_ROWS", 10**9)
    importer.import_cases([source], into=tmp_path / "b" / "cases_public")
    assert tree(tmp_path / "a" / "cases_public") == tree(tmp_path / "b" / "cases_public")
    private = {side: tree(tmp_path / side / ".pufa-private") for side in "ab"}
    # the review notes are named after the time of their import: compare what they hold
    notes = {side: [json.loads(v)["records"] for k, v in private[side].items() if k.startswith("review/")]
             for side in "ab"}
    assert notes["a"] == notes["b"] and len(notes["a"]) == 1
    assert {k: v for k, v in private["a"].items() if not k.startswith("review/")} == \
        {k: v for k, v in private["b"].items() if not k.startswith("review/")}


def test_parallel_import_reports_bad_rows_in_row_order(tmp_path, monkeypatch):
    source = export(tmp_path / "export.csv", {5: "昨天", ROWS - 3: "2024-13-45"})
    with pytest.raises(InputError) as parallel:
        importer.import_cases([source], into=tmp_path / "a" / "cases_public")
    monkeypatch.setattr(importer, "PARALLEL_ROWS", 10**9)
    with pytest.raises(InputError) as single:
        importer.import_cases([source], into=tmp_path / "b" / "cases_public")
    assert str(parallel.value) == str(single.value)
    lines = str(parallel.value).splitlines()
    assert len(lines) == 2 and ":8:" in lines[0] and f":{ROWS}:" in lines[1], lines
    assert not (tmp_path / "a" / "cases_public").exists()
