"""What of a transcript may be published: redacted text, display names, muted time ranges.

The rule (docs/transcribe.md): a redaction in state `kept` or `proposed` hides its span,
`released` shows it; a transcription PII flag that no redaction reviews (no redaction's
`flag_id` equals the flag's id) is hidden too, so unreviewed personal data never leaks.
A hidden span of kind `name` that reads as a person's name is written as the cases write it
(王海燕 → 王某, a second 王 in the same transcript 王某某); every other span is [已隐去].
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


def _hidden_spans(transcript: Transcript, annotations: Annotations) -> dict[int, list[tuple[int, int, str]]]:
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for r in annotations.redactions:
        if r.state in HIDING_STATES:
            spans.setdefault(r.segment_id, []).append((r.start_char, r.end_char, r.kind))
    for flag in unreviewed_flags(transcript, annotations):
        spans.setdefault(flag.segment_id, []).append((flag.start_char, flag.end_char, flag.kind))
    return spans


def _name_aliases(transcript: Transcript, spans: dict[int, list[tuple[int, int, str]]]) -> dict[str, str]:
    """Person names hidden by a span of kind `name` → their published form (王某, 王某某 …),
    in order of appearance; a span that does not read as a name is not listed."""
    from ..privacy.anonymise import Pseudonyms
    from ..privacy.detect import is_person_name
    from ..privacy.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES
    pseudonyms = Pseudonyms()
    for segment in transcript.segments:
        for start, end, kind in sorted(spans.get(segment.id, [])):
            text = segment.text[max(0, start):end]
            known_surname = text[:2] in COMPOUND_SURNAMES or text[:1] in SINGLE_SURNAMES
            if kind == "name" and known_surname and "某" not in text and is_person_name(text):
                pseudonyms.alias(text)
    return pseudonyms.aliases


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


def redact_text(text: str, spans: list[tuple[int, ...]], aliases: dict[str, str] | None = None) -> str:
    """`text` with every (merged) character span replaced by one HIDDEN marker, or, where
    the merged span is exactly a name listed in `aliases`, by its alias."""
    out, cursor = [], 0
    for start, end in _merge_chars([span[:2] for span in spans], len(text)):
        out.append(text[cursor:start])
        out.append((aliases or {}).get(text[start:end], HIDDEN))
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def display_speaker(label: str, annotations: Annotations) -> str:
    return annotations.speakers.get(label, label) if label else ""


def published_segments(transcript: Transcript, annotations: Annotations) -> list[Segment]:
    """Segments safe to publish: hidden spans replaced, display names, no word timings."""
    spans = _hidden_spans(transcript, annotations)
    aliases = _name_aliases(transcript, spans)
    return [replace(segment, text=redact_text(segment.text, spans.get(segment.id, []), aliases),
                    speaker=display_speaker(segment.speaker, annotations), words=[])
            for segment in transcript.segments]


def redacted_ranges(transcript: Transcript, annotations: Annotations) -> list[tuple[float, float]]:
    """Merged time ranges (seconds) to silence in published media."""
    ranges = [(r.start, r.end) for r in annotations.redactions if r.state in HIDING_STATES]
    ranges += [(f.start, f.end) for f in unreviewed_flags(transcript, annotations)]
    return merge_ranges(ranges)
