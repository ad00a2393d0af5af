"""SRT/WebVTT out and in, subtitle import/export commands, and the redaction rule."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator.errors import ConflictError, InputError
from generator.records.transcript import (Annotations, PiiFlag, Redaction, Segment, Transcript, load_meta,
                                          load_transcript)
from generator.speech.redact import HIDDEN, published_segments, redacted_ranges, unreviewed_flags
from generator.speech.subtitles import export_subtitles, import_subtitles, parse_subtitles, to_srt, to_vtt

SEGMENTS = [
    Segment(0, 0.0, 2.5, "大家好，这里是泉小慧普法课堂。", speaker="S1"),
    Segment(1, 2.5, 6.04, "乘坐巡游出租汽车时，请留意计价器 & 发票。"),
    Segment(2, 3661.2, 3663.999, "驾驶员不得拒载、议价或者故意绕道行驶。", speaker="S2"),
]


def _pufa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True)


@pytest.mark.parametrize("suffix,render", [(".vtt", to_vtt), (".srt", to_srt)])
def test_round_trip_keeps_times_text_and_speaker(tmp_path, suffix, render):
    path = tmp_path / f"t{suffix}"
    path.write_text(render(SEGMENTS), encoding="utf-8")
    back = parse_subtitles(path)
    assert [(s.id, s.start, s.end, s.text, s.speaker) for s in back] == \
        [(s.id, s.start, s.end, s.text, s.speaker) for s in SEGMENTS]


def test_vtt_output_is_valid_webvtt_with_hour_timestamps():
    text = to_vtt(SEGMENTS)
    assert text.startswith("WEBVTT\n")
    assert "01:01:01.200 --> 01:01:03.999" in text
    assert "计价器 &amp; 发票" in text and "<v S1>大家好" in text


def test_srt_output_numbers_cues_from_one():
    text = to_srt(SEGMENTS)
    assert text.startswith("1\n00:00:00,000 --> 00:00:02,500\nS1：大家好")
    assert "\n3\n01:01:01,200 --> 01:01:03,999\n" in text


def test_import_reads_jianying_style_srt_gbk_tags_and_disorder(tmp_path):
    path = tmp_path / "剪映导出.srt"
    content = ("2\r\n00:00:03,000 --> 00:00:04,500\r\n<font color=\"#ffffff\">{\\an8}車輛</font>\r\n應當年檢\r\n\r\n"
               "1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>各位网友</i>\r\n\r\n")
    path.write_bytes(content.encode("gb18030"))
    segments = parse_subtitles(path)
    assert [(s.id, s.start, s.end, s.text) for s in segments] == [
        (0, 1.0, 2.0, "各位网友"), (1, 3.0, 4.5, "车辆应当年检")]


def test_bad_srt_names_file_and_line(tmp_path):
    path = tmp_path / "bad.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n好\n\n2\n00:00:03 -> 00:00:04\n坏\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_subtitles(path)
    assert str(err.value).startswith(f"{path}:5: 不是有效的 SRT 字幕 (not valid SRT)")


def test_end_before_start_is_reported_with_line(tmp_path):
    path = tmp_path / "bad.vtt"
    path.write_text("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\n倒了\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_subtitles(path)
    assert str(err.value) == f"{path}:3: time: 结束时间早于开始时间 (end 4.000 s is before start 5.000 s)"


def test_unsupported_subtitle_suffix(tmp_path):
    path = tmp_path / "a.ass"
    path.write_text("[Script Info]", encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_subtitles(path)
    assert str(err.value) == f"{path}: 不支持的字幕格式“.ass” (unsupported subtitle format '.ass') (use .srt or .vtt)"


def test_cli_subtitles_import_writes_transcript_folder_and_flags_numbers(tmp_path):
    src = tmp_path / "live.srt"
    src.write_text("1\n00:00:01,000 --> 00:00:04,000\n我的电话是幺三八六五四三二一零九\n\n"
                   "2\n00:00:04,000 --> 00:00:06,000\n请拨打12328热线\n", encoding="utf-8")
    into = tmp_path / "transcripts"
    run = _pufa("subtitles", "import", str(src), "--into", str(into), "--id", "live-1")
    assert run.returncode == 0, run.stderr
    folder = into / "live-1"
    assert sorted(p.name for p in folder.iterdir()) == ["live-1.srt", "live-1.vtt", "meta.yaml", "transcript.json"]
    transcript = load_transcript(folder / "transcript.json")
    assert [f.kind for f in transcript.flags] == ["phone"]
    assert transcript.flags[0].start <= 1.0 and transcript.flags[0].end >= 4.0
    assert load_meta(folder / "meta.yaml").id == "live-1"
    vtt = (folder / "live-1.vtt").read_text(encoding="utf-8")
    assert "幺三八" not in vtt and HIDDEN in vtt and "12328" in vtt
    again = _pufa("subtitles", "import", str(src), "--into", str(into), "--id", "live-1")
    assert again.returncode == 4 and "already exists" in again.stderr


def test_forced_import_keeps_meta_and_annotations(tmp_path):
    src = tmp_path / "a.vtt"
    src.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n你好\n", encoding="utf-8")
    into = tmp_path / "t"
    import_subtitles(src, into=into, id="a")
    (into / "a" / "meta.yaml").write_text("id: a\nkind: episode\ntitle: 人工标题\n", encoding="utf-8")
    (into / "a" / "annotations.json").write_text('{"version": 3}', encoding="utf-8")
    with pytest.raises(ConflictError):
        import_subtitles(src, into=into, id="a")
    import_subtitles(src, into=into, id="a", force=True)
    assert load_meta(into / "a" / "meta.yaml").title == "人工标题"
    assert json.loads((into / "a" / "annotations.json").read_text())["version"] == 3
    assert not [p for p in into.iterdir() if p.name.startswith(".")]


def test_bad_id_is_refused_before_writing(tmp_path):
    src = tmp_path / "a.vtt"
    src.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n你好\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_subtitles(src, into=tmp_path / "t", id="Bad Id")
    assert "'Bad Id' is not a valid id" in str(err.value)
    assert not (tmp_path / "t").exists()


def _transcript() -> Transcript:
    segments = [Segment(0, 0.0, 5.0, "我叫张伟，电话13805311234。", speaker="S1"),
                Segment(1, 5.0, 9.0, "车牌鲁A12345已登记。")]
    flags = [PiiFlag("0:2-4", 0, 2, 4, "name", 0.0, 1.5, "张伟"),
             PiiFlag("0:7-18", 0, 7, 18, "phone", 1.5, 4.0, "13805311234"),
             PiiFlag("1:2-9", 1, 2, 9, "plate", 5.2, 6.8, "鲁A12345")]
    return Transcript("zh", "base", segments, flags, 9.0)


def test_unreviewed_flags_are_hidden_by_default_and_speakers_renamed():
    transcript = _transcript()
    annotations = Annotations(speakers={"S1": "执法人员"})
    out = published_segments(transcript, annotations)
    # a name is written as the cases write it (张伟 → 张某); numbers and plates are [已隐去]
    assert [s.text for s in out] == [f"我叫张某，电话{HIDDEN}。", f"车牌{HIDDEN}已登记。"]
    assert out[0].speaker == "执法人员" and out[0].words == []
    assert redacted_ranges(transcript, annotations) == [(0.0, 4.0), (5.2, 6.8)]
    assert transcript.segments[0].text.startswith("我叫张伟")  # input untouched


def test_released_shows_kept_and_proposed_hide():
    transcript = _transcript()
    annotations = Annotations(redactions=[
        Redaction("r1", 0, 2, 4, 0.0, 1.5, state="released", kind="name", flag_id="0:2-4"),
        Redaction("r2", 1, 2, 9, 5.2, 6.8, state="proposed", kind="plate", flag_id="1:2-9"),
        Redaction("r3", 1, 9, 12, 6.8, 8.0, state="kept"),
    ])
    out = published_segments(transcript, annotations)
    assert out[0].text == f"我叫张伟，电话{HIDDEN}。"
    assert out[1].text == f"车牌{HIDDEN}。"
    assert [f.id for f in unreviewed_flags(transcript, annotations)] == ["0:7-18"]
    assert redacted_ranges(transcript, annotations) == [(1.5, 4.0), (5.2, 8.0)]


def test_export_writes_redacted_and_staff_only_unredacted(tmp_path):
    folder = tmp_path / "x1"
    folder.mkdir()
    (folder / "transcript.json").write_text(json.dumps(_transcript().to_json(), ensure_ascii=False),
                                            encoding="utf-8")
    paths = export_subtitles(folder)
    assert [p.name for p in paths] == ["x1.vtt", "x1.srt"]
    assert "13805311234" not in paths[0].read_text(encoding="utf-8")
    staff = export_subtitles(folder, redacted=False)
    assert [p.name for p in staff] == ["x1.unredacted.vtt", "x1.unredacted.srt"]
    assert "13805311234" in staff[1].read_text(encoding="utf-8")
