"""The importer's fast paths write what the plain ones wrote.

A large import renders its review report in a forked child while the records' temp files
are written: the report must be byte for byte the one written in-process, a failing or
vanished child must leave nothing changed, and the small shortcuts (deny-list forms,
overlap resolution, anonymisers pickled without their scan cache) must not change a
single value.
"""
from __future__ import annotations

import errno
import os
import pickle
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.importer import run as importer
from generator.privacy import detect as D
from generator.privacy import leaks
from generator.privacy.anonymise import anonymise_fields

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import import_scale  # noqa: E402

ROWS = importer.PARALLEL_ROWS + 50


@pytest.fixture(scope="module")
def large_export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "export.csv"
    rng = random.Random(5)
    import_scale.write_csv(path, [import_scale.make_row(rng, n) for n in range(1, ROWS + 1)])
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def in_process(monkeypatch) -> None:
    """The report written at once, in this process (as before the child existed)."""
    monkeypatch.setattr(importer, "_fork_context", lambda: None)


def test_the_forked_report_is_the_in_process_report(large_export, tmp_path, monkeypatch):
    forked = importer.import_cases([large_export], into=tmp_path / "a" / "cases_public")
    in_process(monkeypatch)
    plain = importer.import_cases([large_export], into=tmp_path / "b" / "cases_public")
    stem_a, stem_b = forked.report_html.stem, plain.report_html.stem
    assert forked.report_html.read_text(encoding="utf-8").replace(stem_a, "STEM") == \
        plain.report_html.read_text(encoding="utf-8").replace(stem_b, "STEM")
    assert forked.report_csv.read_bytes() == plain.report_csv.read_bytes()
    assert tree(tmp_path / "a" / "cases_public") == tree(tmp_path / "b" / "cases_public")


def test_a_report_that_fails_in_its_process_changes_nothing(large_export, tmp_path, monkeypatch):
    into = tmp_path / "p" / "cases_public"

    def full_disk(directory, stem, *args):
        (directory / f"{stem}.csv").parent.mkdir(parents=True, exist_ok=True)
        (directory / f"{stem}.csv").write_text("half a report")
        raise OSError(errno.ENOSPC, "No space left on device", str(directory / f"{stem}.html"))
    monkeypatch.setattr(importer, "write_report", full_disk)
    with pytest.raises(OSError) as info:
        importer.import_cases([large_export], into=into)
    assert info.value.errno == errno.ENOSPC and info.value.filename.endswith(".html")
    assert tree(into) == {}, "no record, no temp file"
    assert tree(tmp_path / "p" / "reports") == {}, "no half report"


def test_a_report_process_that_vanishes_is_an_error_and_changes_nothing(large_export, tmp_path, monkeypatch):
    into = tmp_path / "p" / "cases_public"
    monkeypatch.setattr(importer, "write_report", lambda *args: os._exit(3))
    with pytest.raises(OSError, match=r"the review report was not written \(its process ended, exit code 3\)"):
        importer.import_cases([large_export], into=into)
    assert tree(into) == {}


def test_a_record_that_fails_takes_the_forked_report_with_it(large_export, tmp_path, monkeypatch):
    into = tmp_path / "p" / "cases_public"
    real = importer._write_temp

    def write_temp(temp: Path, data: bytes) -> None:
        if "2024-00007" in temp.name:
            raise OSError(errno.ENOSPC, "No space left on device", str(temp))
        real(temp, data)
    monkeypatch.setattr(importer, "_write_temp", write_temp)
    with pytest.raises(OSError):
        importer.import_cases([large_export], into=into)
    assert tree(into) == {}
    assert tree(tmp_path / "p" / "reports") == {}


# --- the small shortcuts --------------------------------------------------------------

def ref_forms(kind: str, value: str) -> list[str]:
    value = value.strip()
    forms = [value]
    if kind in ("id_number", "phone", "bank_card"):
        bare = D.digits_of(value)
        if len(bare) >= 7:
            forms.append(bare)
    elif kind in ("plate", "vin"):
        forms.append(re.sub(r"[\s·•・.\-]", "", value).upper())
    return list(dict.fromkeys(f for f in forms if f))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(D.KINDS + ("denylist", "")), st.text(alphabet=" \t王小明138-·.鲁A1x\u3000", max_size=12))
def test_denylist_forms_are_the_plain_forms(kind, value):
    assert leaks._forms(kind, value) == ref_forms(kind, value)


def ref_resolve(findings: list[D.Finding]) -> list[D.Finding]:
    ranked = sorted(findings, key=lambda f: (-(f.end - f.start), D._PRIORITY.get(f.kind, 99), f.start))
    taken: list[D.Finding] = []
    for finding in ranked:
        if all(finding.end <= t.start or finding.start >= t.end for t in taken):
            taken.append(finding)
    return sorted(taken, key=lambda f: (f.start, f.end))


finding = st.builds(lambda kind, start, size: D.Finding(kind, start, start + size, "x" * size),
                    st.sampled_from(D.KINDS), st.integers(0, 20), st.integers(1, 6))


@settings(max_examples=300, deadline=None)
@given(st.lists(finding, max_size=4))
def test_overlaps_are_resolved_as_before(findings):
    assert D.resolve_overlaps(findings) == ref_resolve(findings)


def test_an_anonymiser_sent_between_processes_anonymises_as_before():
    fields = {"facts": "当事人王小明驾驶鲁A12345号车辆，联系电话13812345678。", "title": "王小明非法营运案"}
    _, anonymiser = anonymise_fields(fields, party="王小明")
    copy = pickle.loads(pickle.dumps(anonymiser))
    assert copy._scans == {} and copy.changes == anonymiser.changes and copy.removed == anonymiser.removed
    assert [copy.field(k, v) for k, v in fields.items()] == [anonymiser.field(k, v) for k, v in fields.items()]
