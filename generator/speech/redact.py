"""What of a transcript may be published: redacted text, display names, muted time ranges.

The rule (docs/transcribe.md): a redaction in state `kept` or `proposed` hides its span,
`released` shows it; a transcription PII flag that no redaction reviews (no redaction's
`flag_id` equals the flag's id) is hidden too, so unreviewed personal data never leaks.
"""
from __future__ import annotations

from dataclasses import replace

from ..records.transcript import Annotations, PiiFlag, Segment, Transcript
from .media import merge_ranges

HIDDEN = "[已隐去]"
HIDING_STATES = ("kept", "proposed")


def unreviewed_flags(transcript: Transcript, annotations: Annotations) -> list[PiiFlag]:
    """Flags no redaction has decided on yet (hidden by default)."""
    reviewed = {r.flag_id for r in annotations.redactions if r.flag_id}
    return [flag for flag in transcript.flags if flag.id not in reviewed]


def _hidden_spans(transcript: Transcript, annotations: Annotations) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for r in annotations.redactions:
        if r.state in HIDING_STATES:
            spans.setdefault(r.segment_id, []).append((r.start_char, r.end_char))
    for flag in unreviewed_flags(transcript, annotations):
        spans.setdefault(flag.segment_id, []).append((flag.start_char, flag.end_char))
    return spans


def _merge_chars(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted((max(0, a), min(length, b)) for a, b in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def redact_text(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with every (merged) character span replaced by one HIDDEN marker."""
    out, cursor = [], 0
    for start, end in _merge_chars(spans, len(text)):
        out.append(text[cursor:start])
        out.append(HIDDEN)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def display_speaker(label: str, annotations: Annotations) -> str:
    return annotations.speakers.get(label, label) if label else ""


def published_segments(transcript: Transcript, annotations: Annotations) -> list[Segment]:
    """Segments safe to publish: hidden spans replaced, display names, no word timings."""
    spans = _hidden_spans(transcript, annotations)
    return [replace(segment, text=redact_text(segment.text, spans.get(segment.id, [])),
                    speaker=display_speaker(segment.speaker, annotations), words=[])
            for segment in transcript.segments]


def redacted_ranges(transcript: Transcript, annotations: Annotations) -> list[tuple[float, float]]:
    """Merged time ranges (seconds) to silence in published media."""
    ranges = [(r.start, r.end) for r in annotations.redactions if r.state in HIDING_STATES]
    ranges += [(f.start, f.end) for f in unreviewed_flags(transcript, annotations)]
    return merge_ranges(ranges)
