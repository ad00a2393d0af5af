"""What an import tells the reviewer about each record it wrote: every change the
anonymiser made (the text before and after, with its context), the personal columns not
published, and the values of the unknown columns it ignored (a value of one that still
stands in the text is a suspect).

Private: the notes hold the personal data that was removed. One file per import,
`<project>/.pufa-private/review/<import stamp>.json` (gitignored, never published); the
review page reads them all, the latest import's note of a record winning.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..fsutil import atomic_write_text
from ..importer.columns import DROPPED
from ..privacy.leaks import PRIVATE_DIR

NOTES_DIR = "review"


def notes_dir(project: Path) -> Path:
    return Path(project) / PRIVATE_DIR / NOTES_DIR


def notes_for(converted: list, ids: set[str]) -> list[dict[str, Any]]:
    """The notes of the converted rows (RawTable, importer.convert.ConvertedRow) whose
    record is in `ids` (the ones the import writes)."""
    rows: dict[int, dict[int, Any]] = {}
    notes = []
    for table, item in converted:
        if item.case.id not in ids:
            continue
        if id(table) not in rows:
            rows[id(table)] = {row.number: row for row in table.rows}
        notes.append(note_for(table, item, rows[id(table)].get(item.row)))
    return notes


def note_for(table, item, row) -> dict[str, Any]:
    """The note of one converted row, from its raw row (importer.readers.RawRow)."""
    return {
        "id": item.case.id,
        "case_no": item.case_no,
        "source": f"{table.file}:{item.row}",
        # [field, kind, before, after, context] each: lists, as a 10,000-case import writes
        # some 150,000 of them (`changes()` reads them back)
        "changes": [[c.field, c.kind, c.before, c.after, c.context] for c in item.anonymiser.changes],
        # what the anonymiser left as written but flagged (an employer + job title …), if it flags any
        "flagged": [[c.field, c.kind, c.before] for c in getattr(item.anonymiser, "suspects", None) or ()],
        "personal_columns": {header: row.cells[key] for key, header in table.headers.items()
                             if key in DROPPED and row is not None and row.cells.get(key)},
        "unknown_columns": dict(row.extra) if row is not None else {},
    }


def save_notes(project: Path, stem: str, notes: list[dict[str, Any]]) -> Path | None:
    if not notes:
        return None
    path = notes_dir(project) / f"{stem}.json"
    # Compact: json's C encoder (an indented dump is pure Python, seconds at 10,000 cases).
    data = {"version": 2, "import": stem, "records": {note["id"]: note for note in notes}}
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return path


_CHANGE_KEYS = ("field", "kind", "before", "after", "context")


def changes(note: dict[str, Any]) -> list[dict[str, str]]:
    """A note's changes as {field, kind, before, after, context} mappings."""
    return [dict(zip(_CHANGE_KEYS, change)) for change in note.get("changes") or [] if isinstance(change, list)]


def load_notes(project: Path) -> dict[str, dict[str, Any]]:
    """Case id → the latest import's note; unreadable note files are skipped (the page
    then shows the record without the list of changes, and says so)."""
    out: dict[str, dict[str, Any]] = {}
    folder = notes_dir(project)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("import-*.json")):      # stamps sort by time
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            out.update(data.get("records") or {})
        except (OSError, ValueError, AttributeError):
            continue
    return out


def flagged(note: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A note's flagged stretches as (field, kind, text)."""
    return [tuple(item) for item in note.get("flagged") or [] if isinstance(item, list) and len(item) == 3]
