"""Where each personal-data finding of the leak gate came from, so staff can fix it: the
page it is on (for a Pagefind search-index fragment, the page the fragment indexes) and
the public record and field that hold the datum.

Runs after the scan, on the few files that have findings: each is read again, the
finding's datum found again by its line, kind and masked sample, and looked up in the
project's records (cases_public/, transcripts/, data/)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..privacy.second_line import RecordIndex, combine, page_of


MAX_LOCATED = 200


def with_sources(report, site_dir: Path, project_root: Path, detect: Callable) -> object:
    """The report with ' (page …; record …: field)' added to each personal finding."""
    from .leakgate import _line_at, mask, read_text, readable_html
    # The first findings are the ones printed; a build with thousands of them has a
    # broken import to fix first, not thousands of fields to look up one by one.
    personal = [f for f in report.findings if not f.kind.startswith("outside:")][:MAX_LOCATED]
    if not personal:
        return report
    records = None
    detect = combine(detect)
    by_file: dict[str, list] = {}
    for finding in personal:
        by_file.setdefault(finding.file, []).append(finding)
    where: dict[int, str] = {}
    for shown, findings in by_file.items():
        path = site_dir / shown if not Path(shown).is_absolute() else Path(shown)
        if not path.is_file():
            path = project_root / shown
        text = read_text(path) if path.is_file() else None
        page = page_of(shown, text) if text is not None else ""
        raw: dict[tuple[int, str, str], str] = {}
        if text is not None:
            scanned = readable_html(text) if shown.endswith((".html", ".htm")) else text
            for found in detect(scanned):
                raw.setdefault((_line_at(scanned, found.start), found.kind, mask(found.text)), found.text)
        for finding in findings:
            datum = raw.get((finding.line, finding.kind, finding.sample))
            source = ""
            if datum:
                if records is None:
                    records = RecordIndex([project_root / "cases_public", project_root / "transcripts",
                                           project_root / "data"], project_root)
                source = records.source(datum)
            parts = ([f"page {page}"] if page else []) + ([f"record {source}"] if source else [])
            where[id(finding)] = f" ({'; '.join(parts)})" if parts else ""
    report.findings = [replace(f, sample=f.sample + where[id(f)]) if where.get(id(f)) else f
                       for f in report.findings]
    return report
