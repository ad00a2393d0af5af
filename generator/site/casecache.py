"""Parsed case records kept between builds: `pufa build` reads 10,000 YAML files in ~2 s,
and after a one-case edit all but one of them are the same files as last time.

`load_cases_cached` is `records.case.load_cases` with one difference: a file whose size
and mtime match the last build's is not parsed again; its Case comes from
`<cache_dir>/cases.pickle`. The pickle also records a digest of the record code, so a
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

VERSION = 1


def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(case_module.__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    h.update(str(VERSION).encode())
    return h.hexdigest()


def load_cases_cached(directory: Path, cache_dir: Path) -> list[Case]:
    cache_file = cache_dir / "cases.pickle"
    code = _code_digest()
    old: dict[str, tuple[int, int, Case]] = {}
    try:
        with open(cache_file, "rb") as handle:
            stored = pickle.load(handle)
        if stored.get("code") == code and stored.get("directory") == str(directory.resolve()):
            old = stored["cases"]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError):
        old = {}
    fresh: dict[str, tuple[int, int, Case]] = {}

    def load_or_reuse(path: Path) -> Case:
        st = os.stat(path)
        hit = old.get(path.name)
        if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            case = hit[2]
        else:
            case = load_case(path)
        fresh[path.name] = (st.st_size, st.st_mtime_ns, case)
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
    return cases
