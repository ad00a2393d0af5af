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


def load_cases_cached(directory: Path, cache_dir: Path, warnings: list[str] | None = None,
                      digests: dict[str, str] | None = None) -> list[Case]:
    """The cases of `directory`, as `load_cases` returns them. `warnings` gets one line
    when the cache file was there but could not be used. `digests` gets each case's
    content digest (case id → digest of its file's bytes): with the record code, that
    is what the Case holds."""
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
                if digests is not None:
                    digests[case.id] = digest
                return case
            except (TypeError, ValueError, KeyError):
                pass                    # parse it
        case = load_case(path)
        if digests is not None:
            digests[case.id] = digest
        try:
            fresh[path.name] = [digest, encode(case)]
        except TypeError:
            pass                        # a field this cache cannot hold: parsed every time
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


def decode(kind: object, data: object) -> object:
    """JSON data back into the type `kind` (a dataclass or a field's type hint); a
    TypeError/ValueError/KeyError for anything that does not fit exactly."""
    return _decoder(kind)(data)


_DECODERS: dict[object, object] = {}        # type hint → its decoder (pure; built once)


def _decoder(kind: object):
    """A function reading JSON data as `kind`, made once per type: 10,000 cases are
    decoded on every build."""
    known = _DECODERS.get(kind)
    if known is not None:
        return known
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [_decoder(o) for o in typing.get_args(kind) if o is not type(None)]
        nullable = type(None) in typing.get_args(kind)

        def read(data, options=options, nullable=nullable):
            if data is None and nullable:
                return None
            for option in options:
                try:
                    return option(data)
                except (TypeError, ValueError, KeyError):
                    pass
            raise TypeError(f"no type of {kind} fits")
    elif origin is tuple:
        args = typing.get_args(kind)
        if not (len(args) == 2 and args[1] is Ellipsis):
            raise TypeError(f"cannot cache {kind}")
        item = _decoder(args[0])

        def read(data, item=item):
            if type(data) is not list:
                raise TypeError("expected a list")
            return tuple([item(v) for v in data])
    elif isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        readers = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(kind) if f.init}
        names = set(readers)

        def read(data, kind=kind, readers=readers, names=names):
            if type(data) is not dict or data.keys() != names:
                raise TypeError("fields differ")
            return kind(**{name: reader(data[name]) for name, reader in readers.items()})
    elif kind is dt.date:
        def read(data):
            if type(data) is not str:
                raise TypeError("expected a date")
            return dt.date.fromisoformat(data)
    elif kind is float:
        def read(data):
            if type(data) is int or type(data) is float:
                return data             # YAML gave an int or a float; kept as the parser gave it
            raise TypeError("expected a number")
    elif kind in (str, int, bool):
        def read(data, kind=kind):
            if type(data) is not kind:
                raise TypeError(f"expected {kind.__name__}")
            return data
    else:
        raise TypeError(f"cannot cache {kind}")
    _DECODERS[kind] = read
    return read
