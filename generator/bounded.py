"""Limits on what pufa reads: a project folder may come from someone else's zip or sync.

JSON written by pufa is shallow (a transcript is 4 levels deep) and a 3-hour transcript
with word timings is about 5 MB; anything far beyond either was not written by pufa and is
refused before it can exhaust the machine (docs/hardening.md, issue 17). The same limits
apply to the build, the CLI and the annotation tool's API.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import InputError

MAX_JSON_DEPTH = 64
MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024     # a 3-hour livestream with word timings: ~5 MB
MAX_ANNOTATIONS_BYTES = 16 * 1024 * 1024    # thousands of chapters/highlights: well under 1 MB
MAX_SEGMENTS = 20_000                       # a 3-hour livestream has ~4,000; 10 hours ~13,000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_MB = 1024 * 1024


def too_large(path: str | Path, size: int, limit: int, hint: str) -> InputError:
    return InputError.at(path, f"文件过大（{size / _MB:.0f} MB，上限 {limit // _MB} MB）/ file too large "
                         f"({size / _MB:.0f} MB; the limit is {limit // _MB} MB)", hint=hint)


def check_size(path: Path, limit: int, hint: str) -> int:
    """The size of `path`; InputError when it is over `limit` (checked before reading)."""
    size = path.stat().st_size
    if size > limit:
        raise too_large(path, size, limit, hint)
    return size


def _too_deep(file: str | Path, line: int | None) -> InputError:
    return InputError.at(file, f"JSON 嵌套过深（上限 {MAX_JSON_DEPTH} 层）/ nested deeper than {MAX_JSON_DEPTH} levels",
                         line=line, hint="pufa never writes JSON this deep")


def _line_of_excess(text: str) -> int:
    """Line where nesting first exceeds the limit (only called on the error path)."""
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return line
        elif ch in "]}":
            depth -= 1
    return line


def _nesting_over_limit(text: str) -> bool:
    """True when valid JSON `text` nests deeper than MAX_JSON_DEPTH. Strings are removed
    (linear on valid JSON), then innermost bracket pairs are peeled a layer per pass, in C."""
    brackets = "".join(re.findall(r"[\[\]{}]", _STRING.sub("", text)))
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return False
        brackets = brackets.replace("[]", "").replace("{}", "")
    return bool(brackets)


def loads(text: str, file: str | Path) -> Any:
    """json.loads with the depth limit; InputError (with the line) for bad or deep JSON."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise _too_deep(file, _line_of_excess(text)) from None
    except json.JSONDecodeError as exc:
        raise InputError.at(file, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if isinstance(data, (list, dict)) and _nesting_over_limit(text):
        raise _too_deep(file, _line_of_excess(text))
    return data


def check_depth(value: Any, file: str | Path, field: str | None = None) -> None:
    """The depth limit for data already parsed (a request body): iterative, never recursing."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InputError.at(file, f"JSON 嵌套过深（上限 {MAX_JSON_DEPTH} 层）/ nested deeper than "
                                f"{MAX_JSON_DEPTH} levels", field=field)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
