"""Property tests of the subtitle writers and parsers: any transcript text — CJK, emoji,
'-->', '<', '&', blank lines — survives SRT and WebVTT out and back in (times to the
millisecond, speakers, the words); any bytes given as a subtitle file are either read or
refused with an InputError naming the file, never a crash."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.errors import InputError
from generator.records.transcript import Segment
from generator.speech.subtitles import parse_subtitles, to_srt, to_vtt

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Simplified characters only: the parser turns traditional into simplified on purpose.
CJK = "执法人员网约车乘客驾驶证运输条例第三十四条罚款元我你他的了是不在有这个大家好请注意"
PIECE = st.sampled_from(list(CJK) + list("abcXYZ0123456789 ,.!?-<>&;\"'/=：，。？！") +
                       ["-->", "\n", "\n\n", "😀", "🚕", "→", " --> ", "&amp;", "<b>", "</i>", "{\\an8}"])
TEXT = st.lists(PIECE, min_size=1, max_size=30).map("".join).filter(lambda t: t.strip())
SPEAKER = st.one_of(st.just(""), st.text(alphabet=st.sampled_from(list(CJK) + list("ABCS0123456789")),
                                         min_size=1, max_size=8))


@st.composite
def segments(draw) -> list[Segment]:
    count = draw(st.integers(1, 6))
    out, start = [], 0.0
    for index in range(count):
        start += draw(st.integers(0, 400_000)) / 1000           # up to ~7 minutes apart, ms steps
        length = draw(st.integers(1, 30_000)) / 1000
        out.append(Segment(index, round(start, 3), round(start + length, 3), draw(TEXT), speaker=draw(SPEAKER)))
    return out


def words(text: str) -> str:
    """The text as a reader sees it: line breaks and runs of spaces carry no meaning in a cue."""
    return "".join(text.split())


def round_trip(render, suffix: str, segs: list[Segment]) -> list[Segment]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t{suffix}"
        path.write_text(render(segs), encoding="utf-8")
        return parse_subtitles(path)


def check(back: list[Segment], segs: list[Segment], text_of) -> None:
    assert len(back) == len(segs)
    for got, want in zip(back, sorted(segs, key=lambda s: (s.start, s.end))):
        assert (got.start, got.end) == (want.start, want.end)
        assert got.speaker == want.speaker
        assert words(got.text) == words(text_of(want.text))


@SETTINGS
@given(segments())
@example([Segment(0, 0.0, 1.0, "a --> b\n\n第二段 <i>不是标签</i> & 😀", speaker="执法人员")])
def test_webvtt_round_trip_keeps_times_speakers_and_text(segs):
    # '-->' ends a cue's timing in WebVTT: the writer escapes '>' so it never appears raw.
    check(round_trip(to_vtt, ".vtt", segs), segs, lambda t: t)


# SRT has no escaping: players (and our importer, for 剪映/Aegisub files) read <i>…</i> and
# {\\an8} as styling, and a first line 'up to 8 characters + colon' as the speaker's name
# (docs/hardening.md). Transcript text with neither survives exactly.
SRT_MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}|^\s*[^\s：:]{1,12}[：:]")


def srt_plain(segs: list[Segment]) -> bool:
    return not any(SRT_MARKUP.search(s.text.strip()) for s in segs)


@SETTINGS
@given(segments().filter(srt_plain))
@example([Segment(0, 0.0, 1.0, "a --> b\n\n第二段 不是标签 & 😀 车速<60 {不是样式}", speaker="S1")])
@example([Segment(0, 0.0, 0.001, "执\n：执")])   # a colon opening a later line is not a speaker
def test_srt_round_trip_keeps_times_speakers_and_text(segs):
    check(round_trip(to_srt, ".srt", segs), segs, lambda t: t)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        path.write_bytes(data)
        try:
            segs = parse_subtitles(path)
        except InputError as exc:
            assert all(p.file == str(path) for p in exc.problems), str(exc)
            return
        assert segs and all(s.end >= s.start >= 0 and s.text for s in segs)
        assert [s.id for s in segs] == list(range(len(segs)))


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".srt", ".vtt"]))
def test_any_bytes_are_read_or_refused_with_an_input_error(data, suffix):
    read_or_refuse(data, suffix)


CUE_PIECES = st.sampled_from(["1\n", "2\n", "WEBVTT\n", "\n", "00:00:01,000 --> 00:00:02,000\n",
                              "00:00:01.000 --> 00:00:02.000\n", "99:99:99,999 --> 00:00:00,000\n",
                              "00:00:05.000 --> 00:00:04.000\n", "-->\n", "<v 执法人员>", "文字\n", "NOTE x\n",
                              "STYLE\n", "::cue { color: red }\n", "\ufeff", "\x00", "名：内容\n", "{\\an8}"])


@FUZZ
@given(st.lists(CUE_PIECES, max_size=14).map("".join), st.sampled_from([".srt", ".vtt"]),
       st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_almost_valid_subtitle_files_are_read_or_refused_with_an_input_error(text, suffix, encoding):
    read_or_refuse(text.encode(encoding), suffix)
