"""Parsed case records kept between builds: `pufa build` reads 10,000 YAML files in ~2 s,
and after a one-case edit all but one of them are the same files as last time.

`load_cases_cached` is `records.case.load_cases` with one difference: a file whose size
and mtime match the last build's is not parsed again; its Case comes from
`<cache_dir>/cases.pickle` (and the journal beside it), with its `case_digest` (what the
page memo keys on). The cache also records a digest of the record code, so a pufa
upgrade that changes what a Case holds parses everything again. Problems are found
and reported exactly as `load_cases` reports them (a file with a problem is never cached).
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from ..records import case as case_module
from ..records.case import Case, load_case, load_cases
from .pagememo import case_digest

VERSION = 2


def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(case_module.__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    h.update(str(VERSION).encode())
    return h.hexdigest()


JOURNAL_LIMIT = 256        # changed files kept beside the full cache before it is rewritten

Entry = tuple  # (size, mtime_ns, Case, case_digest)


def load_cases_cached(directory: Path, cache_dir: Path) -> tuple[list[Case], dict[str, str], set[str]]:
    """The cases, case id → case_digest, and the ids of the cases parsed again (their
    file changed since the last build, or there was no cache).

    The cache is a full pickle plus a small journal of the files changed since it was
    written: after a one-case edit only the journal is rewritten (writing 10,000 cases
    again took 0.1 s of a one-case rebuild)."""
    cache_file = cache_dir / "cases.pickle"
    journal_file = cache_dir / "cases.journal.pickle"
    key = {"code": _code_digest(), "directory": str(directory.resolve())}
    base, base_stamp = _read(cache_file, key)
    old = dict(base)
    journal, journal_stamp = _read(journal_file, key)
    if journal and journal.get("base") == base_stamp:
        old.update(journal["changed"])
        for name in journal["removed"]:
            old.pop(name, None)
    fresh: dict[str, Entry] = {}
    parsed: set[str] = set()

    def load_or_reuse(path: Path) -> Case:
        st = os.stat(path)
        hit = old.get(path.name)
        if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            fresh[path.name] = hit
            return hit[2]
        case = load_case(path)
        fresh[path.name] = (st.st_size, st.st_mtime_ns, case, case_digest(case))
        parsed.add(case.id)
        return case

    cases = load_cases(directory, load=load_or_reuse)
    changed = {name: entry for name, entry in fresh.items() if base.get(name) is not entry}
    removed = [name for name in base if name not in fresh]
    if changed or removed or journal_stamp is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            if not base or len(changed) + len(removed) > JOURNAL_LIMIT:
                _write(cache_file, {**key, "cases": fresh})
                journal_file.unlink(missing_ok=True)
            elif any(old.get(name) is not entry for name, entry in fresh.items()) or len(old) != len(fresh):
                _write(journal_file, {**key, "base": base_stamp, "changed": changed, "removed": removed})
        except OSError:
            pass            # a cache that cannot be written only costs time
    return cases, {entry[2].id: entry[3] for entry in fresh.values()}, parsed


def _read(path: Path, key: dict) -> tuple[dict, tuple | None]:
    """What a cache file holds for this directory and record code ({} when it is
    missing, unreadable or for another), and its stamp (inode, size, mtime)."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            stored = pickle.load(handle)
        if all(stored.get(k) == v for k, v in key.items()):
            return (stored["cases"] if "cases" in stored else stored), (st.st_ino, st.st_size, st.st_mtime_ns)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
            ValueError):
        pass
    return {}, None


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
