"""Small field checkers that collect problems with file, line and field."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..errors import ProblemCollector
from ..yamlio import LineMap

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class FieldReader:
    """Reads fields of one mapping, recording a located problem for each bad one."""

    def __init__(self, data: Any, file: str | Path, lines: LineMap, problems: ProblemCollector,
                 prefix: str = ""):
        self.data = data if isinstance(data, dict) else {}
        self.file = str(file)
        self.lines = lines
        self.problems = problems
        self.prefix = prefix
        if not isinstance(data, dict):
            problems.add(file, "expected a mapping of fields", line=lines(prefix or ""), field=prefix or None)

    def path(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def problem(self, name: str, message: str, hint: str | None = None) -> None:
        self.problems.add(self.file, message, line=self.lines(self.path(name)), field=self.path(name), hint=hint)

    def has(self, name: str) -> bool:
        return self.data.get(name) not in (None, "")

    def text(self, name: str, required: bool = True, default: str = "") -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.problem(name, "required field is missing or empty", hint=f"add '{name}: …'")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(name, f"expected text, got {type(value).__name__}")
            return default
        return str(value).strip()

    def choice(self, name: str, allowed: tuple[str, ...], required: bool = True, default: str = "") -> str:
        value = self.text(name, required=required, default=default)
        if value and value not in allowed:
            self.problem(name, f"'{value}' is not one of: {' / '.join(allowed)}")
            return default
        return value

    def date(self, name: str, required: bool = True) -> dt.date | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.problem(name, "required date is missing", hint="write YYYY-MM-DD")
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(name, f"'{value}' is not a real date in YYYY-MM-DD form")
            return None

    def number(self, name: str, required: bool = False, minimum: float | None = 0) -> float | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.problem(name, "required number is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(str(value).replace(",", ""))
            except ValueError:
                self.problem(name, f"expected a number, got '{value}'")
                return None
        if minimum is not None and value < minimum:
            self.problem(name, f"must be ≥ {minimum}, got {value}")
            return None
        return value

    def integer(self, name: str, required: bool = False, minimum: int | None = 0) -> int | None:
        value = self.number(name, required=required, minimum=minimum)
        if value is None:
            return None
        if int(value) != value:
            self.problem(name, f"expected a whole number, got {value}")
            return None
        return int(value)

    def slug(self, name: str, required: bool = True) -> str:
        value = self.text(name, required=required)
        if value and not SLUG_RE.match(value):
            self.problem(name, f"'{value}' is not a valid id", hint="use lower-case letters, digits and '-'")
        return value

    def text_list(self, name: str, required: bool = False) -> list[str]:
        value = self.data.get(name)
        if value is None or value == "" or value == []:
            if required:
                self.problem(name, "required list is missing or empty")
            return []
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return [str(value).strip()]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            self.problem(name, "expected a list of texts")
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    def items(self, name: str, required: bool = False) -> list[tuple[str, Any]]:
        """(path, item) for each element of a list field."""
        value = self.data.get(name)
        if value is None or value == []:
            if required:
                self.problem(name, "required list is missing or empty")
            return []
        if not isinstance(value, list):
            self.problem(name, "expected a list")
            return []
        return [(f"{self.path(name)}[{i}]", item) for i, item in enumerate(value)]

    def unknown_fields(self, known: set[str]) -> None:
        for key in self.data:
            if key not in known:
                self.problem(str(key), f"unknown field '{key}'", hint=f"known fields: {', '.join(sorted(known))}")
