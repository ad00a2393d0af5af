"""Parsed case records kept between builds: `pufa build` reads 10,000 YAML files in ~2 s,
and after a one-case edit all but one of them are the same files as last time.

`load_cases_cached` is `records.case.load_cases` with one difference: a file whose size
and mtime match the last build's is not parsed again; its Case comes from
`<cache_dir>/cases.pickle`, with its `case_digest` (what the page memo keys on). The pickle also records a digest of the record code, so a
pufa upgrade that changes what a Case holds parses everything again. Problems are found
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


def load_cases_cached(directory: Path, cache_dir: Path) -> tuple[list[Case], dict[str, str]]:
    """The cases, and case id → case_digest."""
    cache_file = cache_dir / "cases.pickle"
    code = _code_digest()
    old: dict[str, tuple[int, int, Case, str]] = {}
    try:
        with open(cache_file, "rb") as handle:
            stored = pickle.load(handle)
        if stored.get("code") == code and stored.get("directory") == str(directory.resolve()):
            old = stored["cases"]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError):
        old = {}
    fresh: dict[str, tuple[int, int, Case, str]] = {}

    def load_or_reuse(path: Path) -> Case:
        st = os.stat(path)
        hit = old.get(path.name)
        if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            case, digest = hit[2], hit[3]
        else:
            case = load_case(path)
            digest = case_digest(case)
        fresh[path.name] = (st.st_size, st.st_mtime_ns, case, digest)
        return case

    cases = load_cases(directory, load=load_or_reuse)
    if fresh != old:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                pickle.dump({"code": code, "directory": str(directory.resolve()), "cases": fresh}, handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache_file)
        except OSError:
            pass            # a cache that cannot be written only costs time
    return cases, {entry[2].id: entry[3] for entry in fresh.values()}
