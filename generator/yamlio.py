"""YAML in and out, keeping the line of every field so errors can name it.

Dates stay strings here (PyYAML would turn 2024-02-30 into a crash with no line): the
record validators parse them and report file:line:field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


# Drop the timestamp resolver: dates are validated (with their line) by the records.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _BaseLoader.yaml_implicit_resolvers.copy().items()
}


@dataclass
class LineMap:
    """Line numbers (1-based) of each field path: 'title', 'legal_basis[0].law', …"""

    lines: dict[str, int] = field(default_factory=dict)
    default: int | None = None

    def __call__(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            # fall back to the enclosing field
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.default


def _walk(node: yaml.Node, prefix: str, out: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            out[name] = key_node.start_mark.line + 1
            _walk(value_node, name, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            name = f"{prefix}[{index}]"
            out[name] = item.start_mark.line + 1
            _walk(item, name, out)


def _refuse_anchors(text: str, file: str | Path) -> None:
    """Anchors and aliases (`&a`, `*a`) are refused before anything is composed: nested
    aliases ("billion laughs") expand exponentially in any walk of the document, and no
    pufa record needs them. Only text holding `&` or `*` is scanned token by token."""
    if "&" not in text and "*" not in text:
        return
    loader = _Loader(text)
    try:
        while True:
            token = loader.get_token()
            if token is None or isinstance(token, yaml.StreamEndToken):
                return
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise InputError.at(file, f"YAML 锚点和别名不受支持 / YAML anchors and aliases are not allowed "
                                    f"('{'&' if isinstance(token, yaml.AnchorToken) else '*'}{token.value}')",
                                    line=token.start_mark.line + 1, hint="write the value out in full")
    except yaml.YAMLError:
        return    # a syntax error: the parse below reports it with its line
    finally:
        loader.dispose()


def parse_yaml(text: str, file: str | Path) -> tuple[Any, LineMap]:
    """Parse one YAML document; syntax errors become InputError with the line."""
    _refuse_anchors(text, file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap(default=1)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError.at(file, f"YAML syntax error: {exc.problem or exc}", line=line,
                            hint="fix the YAML syntax at that line") from None
    except yaml.YAMLError as exc:
        raise InputError.at(file, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _walk(node, "", lines)
    return data, LineMap(lines, default=node.start_mark.line + 1)


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.at(path, f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.at(path, "file is not UTF-8", line=line, hint="save it as UTF-8") from None
    return parse_yaml(text, path)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    """Human-reviewable YAML: keys in record order, Chinese unescaped, long text as blocks."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
