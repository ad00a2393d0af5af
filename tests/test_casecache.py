"""The parsed-case cache of `pufa build`: what it returns is always what parsing every
file returns; after a one-case edit only its small journal is rewritten."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.records.case import load_cases
from generator.site import casecache
from generator.site.casecache import load_cases_cached
from generator.site.pagememo import case_digest

MINI = Path(__file__).parent / "data" / "mini-project" / "cases_public"


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cases_public"
    shutil.copytree(MINI, folder)
    return folder


def assert_as_parsed(folder: Path, cache: Path) -> None:
    cases, digests, _parsed = load_cases_cached(folder, cache)
    expected = load_cases(folder)
    assert cases == expected
    assert digests == {case.id: case_digest(case) for case in expected}


def stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def test_one_edit_rewrites_the_journal_only(cases_dir, tmp_path):
    cache = tmp_path / "cache"
    assert_as_parsed(cases_dir, cache)
    base = stamp(cache / "cases.pickle")
    assert not (cache / "cases.journal.pickle").exists()

    first = sorted(cases_dir.glob("*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("title: ", "title: 新", 1), encoding="utf-8")
    assert load_cases_cached(cases_dir, cache)[2] == {load_cases(cases_dir)[0].id}
    assert stamp(cache / "cases.pickle") == base
    assert (cache / "cases.journal.pickle").is_file()
    cases, _digests, parsed = load_cases_cached(cases_dir, cache)
    assert any(case.title.startswith("新") for case in cases)
    assert parsed == set()                  # the journal has it now

    sorted(cases_dir.glob("*.yaml"))[-1].unlink()            # removed: gone from the next load too
    assert_as_parsed(cases_dir, cache)
    assert stamp(cache / "cases.pickle") == base

    first.write_text(text, encoding="utf-8")                 # edited back
    assert_as_parsed(cases_dir, cache)


def test_many_changes_rewrite_the_full_cache(cases_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(casecache, "JOURNAL_LIMIT", 1)
    cache = tmp_path / "cache"
    assert_as_parsed(cases_dir, cache)
    base = stamp(cache / "cases.pickle")
    for path in sorted(cases_dir.glob("*.yaml"))[:3]:
        path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 改", 1), encoding="utf-8")
    assert_as_parsed(cases_dir, cache)
    assert stamp(cache / "cases.pickle") != base
    assert not (cache / "cases.journal.pickle").exists()


@pytest.mark.parametrize("damaged", ["cases.pickle", "cases.journal.pickle"])
def test_a_damaged_cache_file_is_parsed_around(cases_dir, tmp_path, damaged):
    cache = tmp_path / "cache"
    assert_as_parsed(cases_dir, cache)
    first = sorted(cases_dir.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    assert_as_parsed(cases_dir, cache)
    (cache / damaged).write_bytes(b"\x80\x05 not a pickle")
    assert_as_parsed(cases_dir, cache)
    first.write_text(first.read_text(encoding="utf-8").replace("title: 新", "title: 再", 1), encoding="utf-8")
    assert_as_parsed(cases_dir, cache)
