"""Does each hiding redaction's time range cover the words it hides?

A redaction hides characters of a segment's text and silences a time range of the media.
If the range is empty, or somewhere else in the recording, the page shows `[已隐去]` while
the voice still says the name: the text check passes and the audio leaks. The build and
the annotation tool both refuse that (issue 17): the range must not be empty and must lie
within its segment (a second of slack: the tool pads new redactions); where the segment
has word timings, it must cover the time the hidden characters are spoken, by the rule the
tool uses to place a new redaction (`timeAtChar` in static/edit.js). Without word timings
(imported subtitles) where in the segment a word falls is not known, so only the segment
is checked.
"""
from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path
from typing import Any, Iterator

from ..records.transcript import Annotations, Segment, Transcript
from .media import media_error
from .redact import HIDING_STATES

TOLERANCE = 0.05     # seconds; the tool widens a new redaction by 0.3 s on each side
SEGMENT_SLACK = 1.0  # a redaction may reach this far past its segment (the tool's padding)


def _word_spans(segment: Segment) -> list[tuple[int, int, Any]]:
    spans, cursor = [], 0
    for word in segment.words:
        token = str(word.word or "").strip()
        if not token:
            continue
        at = segment.text.find(token, cursor)
        if at < 0 or at - cursor > 8:
            continue
        spans.append((at, at + len(token), word))
        cursor = at + len(token)
    return spans


def time_at_char(segment: Segment, index: int) -> float:
    """When character `index` of the segment's text is spoken (seconds)."""
    spans = _word_spans(segment)
    if spans:
        previous = None
        for start, end, word in spans:
            if index < start:
                return previous.end if previous is not None else max(segment.start, word.start)
            if index < end:
                return word.start + (word.end - word.start) * (index - start) / (end - start)
            previous = word
        return min(segment.end, previous.end)
    length = len(segment.text) or 1
    return segment.start + (segment.end - segment.start) * index / length


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def annotation_time_problems(transcript: Transcript, annotations: Annotations,
                             duration: float | None = None) -> Iterator[tuple[str, str, str | None]]:
    """(field, message, hint) for times that are not finite numbers, and for hiding
    redactions whose time range is empty, outside their segment, or misses their text.
    A range outside the media (`duration`) is left to the check that says so."""
    for group in ("chapters", "highlights", "redactions"):
        for index, item in enumerate(getattr(annotations, group)):
            for name in ("start", "end"):
                value = getattr(item, name, 0.0)
                if _number(value) and not math.isfinite(value):
                    yield f"{group}[{index}].{name}", f"{value!r} is not a finite time in seconds", None
    segments = {s.id: s for s in transcript.segments}
    for index, redaction in enumerate(annotations.redactions):
        where = f"redactions[{index}]"
        times = (redaction.start, redaction.end)
        chars = (redaction.start_char, redaction.end_char)
        if redaction.state not in HIDING_STATES or not all(_number(t) and math.isfinite(t) for t in times) \
                or not all(isinstance(c, int) and not isinstance(c, bool) for c in chars):
            continue
        segment = segments.get(redaction.segment_id) if isinstance(redaction.segment_id, int) else None
        if segment is None or not 0 <= redaction.start_char < redaction.end_char <= len(segment.text):
            continue          # reported by the structural checks
        if redaction.end < redaction.start or redaction.start < 0 or \
                (duration is not None and redaction.end > duration + 0.05):
            continue          # reported as 'end is before start' / 'outside the media'
        hint = "select the hidden text again in pufa annotate, so the voice is silenced where it is spoken"
        if redaction.end == redaction.start:
            yield (f"{where}.end", f"empty time range ({redaction.start:.2f} s): the text is hidden but the "
                   f"voice would stay audible", hint)
            continue
        if redaction.start > segment.end + SEGMENT_SLACK or redaction.end < segment.start - SEGMENT_SLACK:
            yield (f"{where}.start", f"time range {redaction.start:.2f}–{redaction.end:.2f} s lies outside its "
                   f"segment {segment.id} ({segment.start:.2f}–{segment.end:.2f} s)", hint)
            continue
        if not _word_spans(segment):
            continue          # no word timings: where in the segment the words fall is unknown
        spoken = (time_at_char(segment, redaction.start_char), time_at_char(segment, redaction.end_char))
        if redaction.start > spoken[0] + TOLERANCE or redaction.end < spoken[1] - TOLERANCE:
            yield (f"{where}.start" if redaction.start > spoken[0] + TOLERANCE else f"{where}.end",
                   f"time range {redaction.start:.2f}–{redaction.end:.2f} s does not cover its text, spoken "
                   f"{spoken[0]:.2f}–{spoken[1]:.2f} s: the voice would stay audible", hint)


SILENT_DB = -60.0     # digital silence measures about -91 dB; speech -30 to -10 dB
_MAX_VOLUME = re.compile(r"max_volume:\s*(-?[\d.]+|-inf) dB")


def loudest_in(path: str | Path, start: float, end: float) -> float | None:
    """Peak level (dB) of `path`'s audio between `start` and `end` s, by ffmpeg's
    volumedetect; None when there is no audio there. The edges are left out (a tenth of a
    second, less for short ranges): a compressed frame straddling the edge mixes both."""
    from .media import ffmpeg_exe
    edge = min(0.1, (end - start) / 4)
    start, end = start + edge, end - edge
    if end <= start:
        return None
    done = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-ss", f"{start:.3f}", "-i", str(path),
                           "-t", f"{end - start:.3f}", "-map", "0:a:0?", "-af", "volumedetect", "-f", "null", "-"],
                          capture_output=True, text=True, errors="replace", timeout=120)
    found = _MAX_VOLUME.findall(done.stderr)
    if not found:
        return None
    return float("-inf") if found[-1] == "-inf" else float(found[-1])


def check_silent(path: str | Path, ranges: list[tuple[float, float]]) -> None:
    """MediaError naming the first range where `path` is not silent: the published media
    must be measured silent over every hidden range, not assumed so."""
    for start, end in ranges:
        level = loudest_in(path, start, end)
        if level is not None and level > SILENT_DB:
            raise media_error(path, f"发布的音频在 {start:.2f}–{end:.2f} 秒不是静音（峰值 {level:.1f} dB）",
                              f"the published audio is not silent over the redaction at {start:.2f}–{end:.2f} s "
                              f"(peak {level:.1f} dB, expected below {SILENT_DB:.0f} dB)")
