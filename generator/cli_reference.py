"""docs/cli.md, generated from the parser itself so the reference cannot drift.

Regenerate with `python -m generator.cli_reference > docs/cli.md`; a test fails when the
file and `--help` disagree.
"""
from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from typing import Iterator

from .cli import build_parser


@contextmanager
def _fixed_width(columns: int = 100) -> Iterator[None]:
    # argparse wraps help at the terminal width: pin it so the output is stable.
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((name, sub))
    return found


def render_reference() -> str:
    with _fixed_width():
        parser = build_parser()
        parts = ["# 命令参考 · Command reference", "",
                 "Generated from `pufa --help` by `python -m generator.cli_reference`; do not edit by hand.", "",
                 "```text", parser.format_help().rstrip(), "```", ""]

        def walk(prefix: str, p: argparse.ArgumentParser) -> None:
            for name, sub in _subparsers(p):
                full = f"{prefix} {name}"
                parts.extend([f"## `{full}`", "", "```text", sub.format_help().rstrip(), "```", ""])
                walk(full, sub)

        walk("pufa", parser)
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_reference(), end="")
