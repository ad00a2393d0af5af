"""`pufa init DIR`: a new, empty project that builds as it is."""
from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import InputError
from ..fsutil import atomic_write_text

PROJECT_TEMPLATE = Path(__file__).parent / "templates" / "project"


def init_project(directory: Path) -> None:
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError.at(directory, "folder exists and is not empty", hint="choose a new folder name")
    directory.mkdir(parents=True, exist_ok=True)
    for source in sorted(PROJECT_TEMPLATE.rglob("*")):
        target = directory / source.relative_to(PROJECT_TEMPLATE)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for folder in ("cases_public", "transcripts", "media"):
        (directory / folder).mkdir(exist_ok=True)
        atomic_write_text(directory / folder / ".gitkeep", "")
