"""A short fuzz run of the importers: whatever the bytes, an import either succeeds with
valid records or fails with our InputError (file, row, column) — never a traceback, and
never a half-written folder."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import InputError
from generator.importer.run import import_cases
from generator.records.case import load_cases

RAW = Path(__file__).resolve().parent / "data" / "raw"
ROWS = list(csv.reader(io.StringIO((RAW / "cases-utf8.csv").read_text(encoding="utf-8"))))
FUZZ = settings(max_examples=int(os.environ.get("PUFA_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def attempt(tmp_path: Path, name: str, data: bytes) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    source = folder / name
    source.write_bytes(data)
    into = folder / "proj" / "cases_public"
    try:
        result = import_cases([source], into=into)
    except InputError as exc:
        assert exc.problems and all(str(source) in str(p) for p in exc.problems)
        assert not into.exists()
        return
    assert len(load_cases(into)) == len(result.written) + len(result.unchanged)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_csv(tmp_path, data):
    attempt(tmp_path, "x.csv", data)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_xlsx_and_json(tmp_path, data):
    attempt(tmp_path, "x.xlsx", data)
    attempt(tmp_path, "x.json", data)


cell_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@FUZZ
@given(st.lists(st.tuples(st.integers(1, len(ROWS) - 1), st.integers(0, len(ROWS[1]) - 1), cell_text),
                min_size=1, max_size=6),
       st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))
def test_mutated_cells_of_a_good_export(tmp_path, edits, encoding):
    rows = [list(r) for r in ROWS]
    for row, column, value in edits:
        rows[row][column] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return
    attempt(tmp_path, "x.csv", data)


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | cell_text,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(cell_text, inner, max_size=4),
                    max_leaves=12))
def test_random_json_documents(tmp_path, document):
    attempt(tmp_path, "x.json", json.dumps({"cases": [document, document]}, ensure_ascii=False).encode("utf-8"))
