"""The parsed-case cache of `pufa build`: what it returns is always what parsing every
file returns; a file is known by its bytes (never by size and mtime); the cache is plain
JSON and a file that is not one is ignored with one warning."""
from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from generator.records.case import load_cases
from generator.site import casecache
from generator.site.casecache import load_cases_cached

MINI = Path(__file__).parent / "data" / "mini-project" / "cases_public"


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cases_public"
    shutil.copytree(MINI, folder)
    return folder


def assert_as_parsed(folder: Path, cache: Path) -> list[str]:
    warnings: list[str] = []
    cases = load_cases_cached(folder, cache, warnings)
    expected = load_cases(folder)
    assert cases == expected
    assert [repr(c) for c in cases] == [repr(c) for c in expected]      # int stays int, tuple stays tuple
    return warnings


def test_cached_cases_are_the_parsed_cases(cases_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    assert assert_as_parsed(cases_dir, cache) == []
    assert (cache / "cases.json").is_file()
    parsed: list[Path] = []
    real = casecache.load_case
    monkeypatch.setattr(casecache, "load_case", lambda path: parsed.append(path) or real(path))
    assert assert_as_parsed(cases_dir, cache) == []
    assert parsed == []                         # every case came from the cache


def test_an_edit_that_keeps_size_and_mtime_is_parsed_again(cases_dir, tmp_path):
    """`cp -p` or `rsync -t` deliver a fix with the old size and mtime."""
    cache = tmp_path / "cache"
    assert_as_parsed(cases_dir, cache)
    path = cases_dir / "2024-0001.yaml"
    text = path.read_text(encoding="utf-8")
    st = path.stat()
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    fixed = title[:-1] + ("甲" if title[-1] != "甲" else "乙")            # same length in bytes
    path.write_text(text.replace(title, fixed), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    cases = load_cases_cached(cases_dir, cache)
    assert next(c for c in cases if c.id == "2024-0001").title == fixed.removeprefix("title: ")
    assert_as_parsed(cases_dir, cache)


class _Planted:
    """Unpickling this creates a file: what a planted cache would do."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("content", ["garbage", "pickle", "foreign-json", "bad-entries"])
def test_a_damaged_or_planted_cache_is_ignored_with_one_warning(cases_dir, tmp_path, content):
    cache = tmp_path / "cache"
    cache.mkdir()
    marker = tmp_path / "ran"
    data = {"garbage": b"\x00\xffnot json",
            "pickle": pickle.dumps(_Planted(str(marker))),
            "foreign-json": b'["a", "list"]',
            "bad-entries": json.dumps({"version": casecache.VERSION, "code": casecache._code_digest(),
                                       "directory": str(cases_dir.resolve()),
                                       "cases": {"2024-0001.yaml": [0, {"id": 5}]}}).encode()}[content]
    (cache / "cases.json").write_bytes(data)
    (cache / "cases.pickle").write_bytes(pickle.dumps(_Planted(str(marker))))     # older pufa's name
    warnings = assert_as_parsed(cases_dir, cache)
    assert not marker.exists()
    if content == "bad-entries":
        assert warnings == []               # a well-formed cache whose entry does not fit: parsed again
    else:
        assert len(warnings) == 1
        assert warnings[0].startswith(f"ignored {cache / 'cases.json'} (")
        assert warnings[0].endswith("): reading every case again")
    assert assert_as_parsed(cases_dir, cache) == []          # rewritten as a good cache


def test_other_record_code_parses_everything_again(cases_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    assert_as_parsed(cases_dir, cache)
    monkeypatch.setattr(casecache, "_code_digest", lambda: "other code")
    parsed: list[Path] = []
    real = casecache.load_case
    monkeypatch.setattr(casecache, "load_case", lambda path: parsed.append(path) or real(path))
    assert assert_as_parsed(cases_dir, cache) == []
    assert len(parsed) == len(list(cases_dir.glob("*.yaml")))
