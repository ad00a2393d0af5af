"""Long-audio guards and number writing (no whisper run needed)."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.records.transcript import Segment, Word
from generator.speech.guards import collapse_repeated_segments, sane_times
from generator.speech.numbers import chinese_to_int, write_numbers


def _seg(i: int, start: float, end: float, text: str) -> Segment:
    return Segment(i, start, end, text, words=[Word(start, end, text, 0.9)])


def test_a_line_repeated_across_segments_is_collapsed_and_marked_for_review():
    segments = [_seg(0, 0, 2, "大家好。")] + [_seg(i, 2 * i, 2 * i + 2, "谢谢大家，") for i in range(1, 6)] \
        + [_seg(6, 12, 14, "下面说拒载。")]
    out, marks = collapse_repeated_segments(segments)
    assert [s.text for s in out] == ["大家好。", "谢谢大家，", "下面说拒载。"]
    assert out[1].start == 2 and out[1].end == 12
    assert len(marks) == 1 and marks[0].kind == "loop" and (marks[0].start, marks[0].end) == (2, 12)
    assert marks[0].segment_id == 1 and "重复 5 次" in marks[0].note


def test_a_line_said_twice_is_not_a_loop():
    segments = [_seg(0, 0, 2, "请系好安全带。"), _seg(1, 2, 4, "请系好安全带。")]
    out, marks = collapse_repeated_segments(segments)
    assert len(out) == 2 and marks == []


def test_times_are_kept_in_order_and_inside_the_media():
    segments = [_seg(0, -0.2, 3, "甲。"), _seg(1, 2.5, 2.0, "乙。"), _seg(2, 1.0, 4.0, "丙。"), _seg(3, 9.5, 11.0, "丁。")]
    sane_times(segments, duration=10.0)
    starts = [s.start for s in segments]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert all(0 <= s.start <= s.end <= 10.0 for s in segments)
    assert all(s.start <= w.start <= w.end <= s.end for s in segments for w in s.words)


@pytest.mark.parametrize("text,expected", [
    ("依照公路法第34条规定", "依照公路法第三十四条规定"),       # citations: Chinese numerals
    ("依据第八十二条第2款", "依据第八十二条第二款"),
    ("车货总重五十五吨", "车货总重55吨"),                      # measurements: digits
    ("罚款两百元", "罚款200元"),
    ("罚款一万五千元", "罚款15000元"),
    ("超过四十九吨的货车", "超过49吨的货车"),
    ("拨打一二三二八投诉", "拨打一二三二八投诉"),              # read digit by digit: not a quantity
    ("一米线外等候", "一米线外等候"),                          # a lone 一 stays
    ("幺三八六五四三二一零九", "幺三八六五四三二一零九"),
])
def test_numbers_are_written_the_way_the_text_type_wants(text, expected):
    assert write_numbers(text) == expected


def test_chinese_quantities_parse():
    assert [chinese_to_int(t) for t in ("十二", "一百零五", "两千", "三万二千", "一二三")] == [12, 105, 2000, 32000, None]


def test_silero_vad_ships_in_the_package_and_loads_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import faster_whisper
    from faster_whisper.vad import get_speech_timestamps, VadOptions
    import numpy as np

    assert (Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx").is_file()
    silence = np.zeros(16000 * 3, dtype=np.float32)
    assert get_speech_timestamps(silence, VadOptions()) == []


def _piece(start: float, text: str):
    from types import SimpleNamespace

    step = 0.25
    words = [SimpleNamespace(start=start + k * step, end=start + (k + 1) * step, word=ch, probability=0.9)
             for k, ch in enumerate(text)]
    return SimpleNamespace(start=start, end=start + len(text) * step, text=text, words=words,
                           no_speech_prob=0.05, avg_logprob=-0.3)


def test_whisper_pieces_with_loops_give_one_line_each_and_review_marks():
    from generator.speech.transcribe import TranscribeOptions, segments_from_pieces

    pieces = [_piece(0.0, "请大家注意安全。"),
              _piece(10.0, "超限运输超限运输超限运输超限运输超限运输"),
              *[_piece(20.0 + 3 * k, "请系好安全带。") for k in range(4)],
              _piece(40.0, "下面说拒载。")]
    review: list = []
    segments = segments_from_pieces(pieces, 100.0, TranscribeOptions(), None, next_id=7, review=review)
    assert [s.text for s in segments] == ["请大家注意安全。", "超限运输。", "请系好安全带。", "下面说拒载。"]
    assert [s.id for s in segments] == [7, 8, 9, 10]
    assert [(m.segment_id, m.kind) for m in review] == [(8, "loop"), (9, "loop")]
    assert review[1].start == 120.0 and review[1].end == segments[2].end == 130.75   # over the whole run
