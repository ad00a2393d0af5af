"""Guards for long recordings: loops collapsed and marked, times kept in order and in the media.

Whisper base on an hour of Mandarin has known failure modes. Inside a piece it can loop on
a phrase (handled by `transcribe.collapse_repeats`); across pieces, after music or a long
silence, it can write the same line again and again, each a segment of its own. A human
must hear such a stretch (something was said there, perhaps not that), so the repeats are
collapsed to the first and the span is marked for review rather than silently dropped.
"""
from __future__ import annotations

from ..records.transcript import ReviewMark, Segment

LOOP_MIN_REPEATS = 3     # the same line this many times in a row is a loop, not emphasis


def _key(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def collapse_repeated_segments(segments: list[Segment]) -> tuple[list[Segment], list[ReviewMark]]:
    """Runs of ≥ 3 consecutive segments with the same words → the first, stretched over the run."""
    out: list[Segment] = []
    marks: list[ReviewMark] = []
    index = 0
    while index < len(segments):
        first = segments[index]
        run_end = index + 1
        while run_end < len(segments) and _key(segments[run_end].text) == _key(first.text) and _key(first.text):
            run_end += 1
        if run_end - index >= LOOP_MIN_REPEATS:
            last = segments[run_end - 1]
            marks.append(ReviewMark(first.id, first.start, last.end, "loop",
                                    f"同一句重复 {run_end - index} 次，已合并为一句，请听一遍 "
                                    f"(the same line {run_end - index} times in a row: kept once; listen to check)"))
            first.end = max(first.end, last.end)
            out.append(first)
        else:
            out.extend(segments[index:run_end])
        index = run_end
    return out, marks


def loop_mark(segment: Segment, removed: int) -> ReviewMark:
    return ReviewMark(segment.id, segment.start, segment.end, "loop",
                      f"重复的词句已合并（删去 {removed} 字），请听一遍 "
                      f"(a repeated phrase was collapsed, {removed} characters removed; listen to check)")


def sane_times(segments: list[Segment], duration: float) -> None:
    """Every time inside [0, duration], starts never running backwards, end ≥ start (in place)."""
    previous = 0.0
    for segment in segments:
        segment.start = round(min(max(segment.start, previous, 0.0), duration), 3)
        segment.end = round(min(max(segment.end, segment.start), duration), 3)
        for word in segment.words:
            word.start = round(min(max(word.start, segment.start), segment.end), 3)
            word.end = round(min(max(word.end, word.start), segment.end), 3)
        previous = segment.start
