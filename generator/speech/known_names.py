"""Names the imports found, hidden in the transcripts too (issue 14, item 2).

A party named in a case file is often named again in a livestream ('王海燕那起案子'). The
importer keeps every name it removed in the project's private deny list
(generator/privacy/leaks.py); here each occurrence of such a name in a transcript becomes
a transcription flag of kind `name`: a suggested redaction the annotation tool lists, hidden
by default until staff decide, and written on the recap in the published form of the cases
(王海燕 → 王某; generator/speech/redact.py).

Flags are added, never removed or changed: their ids are stable (segment:start-end), so a
decision staff already took on one is kept. Run when a transcript is made (its flags) and
after each import (every transcript of the project, with the names the import added).
"""
from __future__ import annotations

from pathlib import Path

from ..privacy.leaks import load_denylist
from ..records.transcript import PiiFlag, Segment, Transcript, load_transcript, save_transcript

NAME = "name"


def project_root_for(into: Path) -> Path:
    """The project a transcripts folder belongs to: its parent when that holds mkdocs.yml."""
    into = into.resolve()
    if (into.parent / "mkdocs.yml").exists():
        return into.parent
    return Path.cwd().resolve()


def private_names(project_root: Path) -> list[str]:
    """The person names of the project's deny list (never an anonymised X某 form)."""
    denylist = load_denylist(Path(project_root))
    return sorted(value for value, kind in denylist.entries.items() if kind == NAME and "某" not in value)


def name_spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of a name in `text`, longest name first where two
    overlap (张三丰 before the 张三 it holds)."""
    spans: list[tuple[int, int]] = []
    for name in sorted(names, key=len, reverse=True):
        at = text.find(name)
        while at != -1:
            end = at + len(name)
            if all(end <= s or at >= e for s, e in spans):
                spans.append((at, end))
            at = text.find(name, end)
    return sorted(spans)


def name_flags(segments: list[Segment], names: list[str], existing: list[PiiFlag] = ()) -> list[PiiFlag]:
    """New flags for the names in `segments` that no existing flag already covers."""
    from .pii import _char_to_word, flag_time_range
    if not names:
        return []
    taken: dict[int, list[tuple[int, int]]] = {}
    for flag in existing:
        taken.setdefault(flag.segment_id, []).append((flag.start_char, flag.end_char))
    out = []
    for segment in segments:
        spans = [(a, b) for a, b in name_spans(segment.text, names)
                 if all(b <= s or a >= e for s, e in taken.get(segment.id, []))]
        if not spans:
            continue
        mapping = _char_to_word(segment) if segment.words else None
        for a, b in spans:
            start, end = flag_time_range(segment, a, b, mapping=mapping)
            out.append(PiiFlag(id=f"{segment.id}:{a}-{b}", segment_id=segment.id, start_char=a, end_char=b,
                               kind=NAME, start=start, end=end, text=segment.text[a:b]))
    return out


def add_name_flags(transcript: Transcript, names: list[str]) -> int:
    """Add the flags of `names` to a transcript in memory; how many were new."""
    new = name_flags(transcript.segments, names, transcript.flags)
    if new:
        transcript.flags = sorted(transcript.flags + new, key=lambda f: (f.segment_id, f.start_char))
    return len(new)


def reflag_transcripts(transcripts_dir: Path, names: list[str]) -> int:
    """Flag the names in every transcript of a project (transcripts/<id>/transcript.json)
    and write its redacted subtitles again; how many flags were added in all."""
    from .subtitles import export_subtitles
    root = Path(transcripts_dir)
    if not names or not root.is_dir():
        return 0
    import ahocorasick
    automaton = ahocorasick.Automaton()
    for name in names:
        automaton.add_word(name, name)
    automaton.make_automaton()
    added = 0
    for path in sorted(root.glob("*/transcript.json")):
        # A 3-hour transcript is megabytes of word timings: parse only one that says a name
        # (the file is UTF-8 JSON written with its characters as they are).
        raw = path.read_bytes().decode("utf-8", errors="replace")
        if next(automaton.iter(raw), None) is None:
            continue
        transcript = load_transcript(path)
        new = add_name_flags(transcript, names)
        if new:
            save_transcript(path, transcript)
            export_subtitles(path.parent)
            added += new
    return added
