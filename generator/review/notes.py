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

from ..fsutil import atomic_write_json
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
        "changes": [{"field": c.field, "kind": c.kind, "before": c.before, "after": c.after, "context": c.context}
                    for c in item.anonymiser.changes],
        "personal_columns": {header: row.cells.get(key, "") for key, header in table.headers.items()
                             if row is not None and row.cells.get(key) and _dropped(key)},
        "unknown_columns": dict(row.extra) if row is not None else {},
    }


def _dropped(key: str) -> bool:
    from ..importer.columns import BY_KEY
    column = BY_KEY.get(key)
    return column is not None and column.personal == "drop"


def save_notes(project: Path, stem: str, notes: list[dict[str, Any]]) -> Path | None:
    if not notes:
        return None
    path = notes_dir(project) / f"{stem}.json"
    atomic_write_json(path, {"version": 1, "import": stem, "records": {note["id"]: note for note in notes}})
    return path


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
