"""Parsed case records kept between builds: `pufa build` reads 10,000 YAML files in ~2 s,
and after a one-case edit all but one of them are the same files as last time.

`load_cases_cached` is `records.case.load_cases` with one difference: a file whose bytes
are those of the last build (by content digest, never by size and mtime: `cp -p` and
`rsync -t` keep both) is not parsed again; its Case is rebuilt from
`<cache_dir>/cases.json`. The cache is plain JSON (nothing in it can run code) with a
schema version and a digest of the record code, so a pufa upgrade parses everything
again; a file that does not read as such a cache is ignored with one warning line.
Problems are found and reported exactly as `load_cases` reports them (a file with a
problem is never cached).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import types
import typing
from pathlib import Path

from ..fsutil import atomic_write_text
from ..records import case as case_module
from ..records.case import Case, load_case, load_cases

VERSION = 3
CACHE_FILE = "cases.json"


def _code_digest() -> str:
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(case_module.__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def load_cases_cached(directory: Path, cache_dir: Path, warnings: list[str] | None = None) -> list[Case]:
    """The cases of `directory`, as `load_cases` returns them. `warnings` gets one line
    when the cache file was there but could not be used."""
    cache_file = cache_dir / CACHE_FILE
    key = {"version": VERSION, "code": _code_digest(), "directory": str(directory.resolve())}
    old = _read(cache_file, key, warnings)
    fresh: dict[str, list] = {}

    def load_or_reuse(path: Path) -> Case:
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        hit = old.get(path.name)
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == digest:
            try:
                case = decode(Case, hit[1])
                fresh[path.name] = hit
                return case
            except (TypeError, ValueError, KeyError):
                pass                    # parse it
        case = load_case(path)
        fresh[path.name] = [digest, encode(case)]
        return case

    cases = load_cases(directory, load=load_or_reuse)
    if fresh != old:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(cache_file, json.dumps({**key, "cases": fresh}, ensure_ascii=False,
                                                     separators=(",", ":")))
        except OSError:
            pass            # a cache that cannot be written only costs time
    return cases


def _read(path: Path, key: dict, warnings: list[str] | None) -> dict:
    """The cached entries (file name → [content digest, encoded case]); {} when there is
    no cache or it is for another directory or record code, with a warning when the file
    is not a cache at all."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        _warn(warnings, path, exc)
        return {}
    try:
        stored = json.loads(text)
        if not isinstance(stored, dict) or not isinstance(stored.get("cases"), dict):
            raise ValueError("not a pufa case cache")
    except ValueError as exc:
        _warn(warnings, path, exc)
        return {}
    if any(stored.get(k) != v for k, v in key.items()):
        return {}                       # another version, record code or folder: parse everything
    return stored["cases"]


def _warn(warnings: list[str] | None, path: Path, exc: Exception) -> None:
    if warnings is not None:
        warnings.append(f"ignored {path} ({str(exc)[:100] or type(exc).__name__}): reading every case again")


# ---------------------------------------------------------------- records as JSON

def encode(value: object) -> object:
    """A record (frozen dataclass of plain values) as JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


_HINTS: dict[type, dict[str, object]] = {}


def decode(kind: object, data: object) -> object:
    """JSON data back into the type `kind` (a dataclass or a field's type hint); a
    TypeError/ValueError/KeyError for anything that does not fit exactly."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return decode(option, data)
            except (TypeError, ValueError, KeyError) as exc:
                errors.append(exc)
        raise TypeError(f"no type of {kind} fits: {errors}")
    if origin is tuple:
        if not isinstance(data, list):
            raise TypeError("expected a list")
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        if len(args) != len(data):
            raise TypeError("tuple length")
        return tuple(decode(a, v) for a, v in zip(args, data))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise TypeError("expected an object")
        hints = _HINTS.get(kind)
        if hints is None:
            hints = _HINTS[kind] = typing.get_type_hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        if set(data) != names:
            raise KeyError("fields differ")
        return kind(**{name: decode(hints[name], data[name]) for name in names})
    if kind is dt.date:
        if not isinstance(data, str):
            raise TypeError("expected a date")
        return dt.date.fromisoformat(data)
    if kind is float and type(data) is int:
        return data                     # YAML gave an int; keep it as the parser did
    if kind in (str, int, float, bool) and type(data) is kind:
        return data
    raise TypeError(f"cannot read {type(data).__name__} as {kind}")
