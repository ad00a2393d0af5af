"""The few exceptions pufa raises on purpose.

Stages raise these; only the CLI turns them into one message per line and an exit code,
so a user's mistake never shows a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PufaError(Exception):
    """Base class: anything the user can act on. `exit_code` is what the CLI returns."""

    exit_code = 1


@dataclass
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(PufaError):
    """Bad input: one or more problems, all reported together."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: str | Path, message: str, line: int | None = None,
           field: str | None = None, hint: str | None = None) -> "InputError":
        return cls(Problem(str(file), message, line, field, hint))


class LeakError(PufaError):
    """The leak gate found personal data or an outside reference in output."""

    exit_code = 3


class ConflictError(PufaError):
    """A write would overwrite someone else's newer edit."""

    exit_code = 4


class MediaError(PufaError):
    """Media that cannot be read or has no usable audio."""

    exit_code = 5


class BuildError(PufaError):
    """mkdocs or Pagefind failed on generated input (a bug or a broken install)."""

    exit_code = 1


class ProblemCollector:
    """Collects problems across many files so one run reports all of them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str | Path, message: str, line: int | None = None,
            field: str | None = None, hint: str | None = None) -> None:
        self.problems.append(Problem(str(file), message, line, field, hint))

    def extend(self, error: InputError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
