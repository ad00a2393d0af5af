"""Who approved which content of which case, and the build's filter on it.

`<cases_dir>/.review/approvals.jsonl`, one JSON object a line, appended, never rewritten:
`{"id", "digest", "by", "at", "via"}`. The digest is a SHA-256 of the record's published
content (its fields in canonical JSON), so re-saving the YAML with other spacing keeps the
approval, and any change of content (a re-import, an edit by hand) makes the record
pending again. The file holds no personal data: it is committed with the cases.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from ..records.case import CASE_FIELDS, Case

REVIEW_DIR = ".review"
# Filled in by the build's lifecycle step, not by anyone editing the record (lifecycle.py).
_SET_BY_THE_BUILD = frozenset({"published", "status", "corrections"})
APPROVALS_FILE = "approvals.jsonl"
VIA_PAGE = "review page"
VIA_ALL = "approve-all"


def approvals_path(cases_dir: Path) -> Path:
    return Path(cases_dir) / REVIEW_DIR / APPROVALS_FILE


def content_digest(case: Case) -> str:
    """What an approval signs: the record's fields (every one that is published), in a
    canonical form: the names and values of the fields that are set, as one JSON list
    (the build computes this for every case, so it avoids building a mapping per case)."""
    values: list[object] = []
    for name in CASE_FIELDS:
        if name in _SET_BY_THE_BUILD:
            continue
        value = getattr(case, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif name == "legal_basis":
            value = [[basis.law, basis.article] for basis in value]
        elif name == "fine_yuan" and value is not None:
            value = float(value)
        if value in ("", (), [], None):
            continue            # a field added to records later leaves existing approvals valid
        values += (name, value)
    text = json.dumps(values, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Approval:
    id: str
    digest: str
    by: str
    at: str
    via: str
    line: int = 0


def load_approvals(cases_dir: Path) -> dict[str, list[Approval]]:
    """Case id → its approvals, oldest first. A broken line is an error naming it (a
    hand-edited file must not silently publish, or hide, anything)."""
    path = approvals_path(cases_dir)
    out: dict[str, list[Approval]] = {}
    if not path.is_file():
        return out
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.at(path, f"cannot read the approvals: {exc}",
                            hint="restore the file from git; pufa review writes it") from None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            approval = Approval(str(data["id"]), str(data["digest"]), str(data.get("by", "")),
                                str(data.get("at", "")), str(data.get("via", "")), number)
        except (ValueError, KeyError, TypeError):
            if number == len(lines) and not text.endswith("\n"):
                continue        # an append cut short (the machine stopped): that approval never happened
            raise InputError.at(path, "not an approval (expected {\"id\", \"digest\", \"by\", \"at\", \"via\"})",
                                line=number, hint="restore the file from git; pufa review writes it") from None
        out.setdefault(approval.id, []).append(approval)
    return out


def approved(cases: list[Case], cases_dir: Path) -> tuple[list[Case], list[Case]]:
    """(published, pending): a case is published when an approval signs exactly its
    current content; every other case (new, re-imported with changes, edited since its
    approval) waits for review. Order is kept."""
    signed = {(a.id, a.digest) for approvals in load_approvals(cases_dir).values() for a in approvals}
    published: list[Case] = []
    pending: list[Case] = []
    if not signed:
        return published, list(cases)
    for case in cases:
        (published if (case.id, content_digest(case)) in signed else pending).append(case)
    return published, pending


def pending_line(pending: list[Case]) -> str:
    """The build's word on what it left out."""
    some = ", ".join(case.id for case in pending[:5]) + (" …" if len(pending) > 5 else "")
    return (f"{len(pending)} case(s) wait for review and were not published ({some}): "
            f"run 'pufa review' (or 'pufa review --approve-all --by NAME')")


def record_approvals(cases_dir: Path, cases: Iterable[Case], by: str, via: str) -> list[Approval]:
    """Append one approval per case (its current content); flushed to disk before return."""
    by = " ".join(str(by).split())
    if not by:
        raise InputError.at(approvals_path(cases_dir), "an approval needs the reviewer's name", field="--by",
                            hint="pass --by NAME")
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    made = [Approval(case.id, content_digest(case), by, at, via) for case in cases]
    if not made:
        return made
    path = approvals_path(cases_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps({"id": a.id, "digest": a.digest, "by": a.by, "at": a.at, "via": a.via},
                               ensure_ascii=False) + "\n" for a in made)
    # Appending whole lines with one write keeps the file valid line by line even if the
    # machine stops right after; a torn last line would be named by load_approvals.
    with open(path, "ab+") as handle:
        size = handle.tell()
        if size:
            handle.seek(0)
            kept = handle.read().rfind(b"\n") + 1
            if kept != size:
                handle.truncate(kept)       # an append cut short by a crash: it never happened
        handle.write(lines.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    return made


def approve_all(cases_dir: Path, by: str) -> tuple[list[Approval], int]:
    """`pufa review --approve-all --by NAME`: approve every pending case as it is now;
    (the approvals made, how many cases were approved already)."""
    from ..records.case import load_cases

    cases = load_cases(cases_dir) if Path(cases_dir).is_dir() else []
    _, pending = approved(cases, cases_dir)
    return record_approvals(cases_dir, pending, by, VIA_ALL), len(cases) - len(pending)
