"""The build refuses numbers released without a reason or published unhidden, naming the
transcript, the segment and the redaction (not the built file)."""
from __future__ import annotations

from pathlib import Path

from generator.errors import ProblemCollector
from generator.records.transcript import Annotations, Redaction, Segment, Transcript, save_transcript
from generator.site.transcripts import check_annotations
from generator.speech.pii import flag_transcript


def _transcript() -> Transcript:
    segments = [Segment(0, 0.0, 3.0, "大家好，欢迎来到直播间。"),
                Segment(1, 3.0, 8.0, "我的电话是幺三八一二三四五六七八，有事联系。"),
                Segment(2, 200.0, 204.0, "车牌号路A一二三四五的车主请挪车。")]
    transcript = Transcript("zh", "test", segments, duration=300.0)
    transcript.flags = flag_transcript(segments)
    return transcript


def _release(transcript: Transcript, reason: str) -> Annotations:
    reds = [Redaction(f"r{k}", f.segment_id, f.start_char, f.end_char, f.start, f.end, "released", f.kind, f.id,
                      f.text, reason) for k, f in enumerate(transcript.flags)]
    return Annotations(redactions=reds)


def _problems(tmp_path: Path, transcript: Transcript, annotations: Annotations) -> list[str]:
    save_transcript(tmp_path / "transcript.json", transcript)
    problems = ProblemCollector()
    check_annotations(tmp_path / "annotations.json", transcript, annotations, 300.0, problems)
    return [str(p) for p in problems.problems]


def test_flags_left_at_their_defaults_publish_nothing_and_build(tmp_path):
    transcript = _transcript()
    assert [f.kind for f in transcript.flags] == ["phone", "plate"]
    assert _problems(tmp_path, transcript, Annotations()) == []


def test_releasing_a_number_without_a_reason_is_refused_naming_the_redaction(tmp_path):
    transcript = _transcript()
    found = _problems(tmp_path, transcript, _release(transcript, ""))
    assert found == [
        f"{tmp_path / 'annotations.json'}: redactions[0]: redaction r0 (segment 1, 00:00:03) releases a phone "
        "without a reason / 公开电话号码没有填写理由 (give the reason in 'pufa annotate' (隐去 → 公开), or hide it again)",
        f"{tmp_path / 'annotations.json'}: redactions[1]: redaction r1 (segment 2, 00:03:20) releases a plate "
        "without a reason / 公开车牌没有填写理由 (give the reason in 'pufa annotate' (隐去 → 公开), or hide it again)",
    ]
    assert _problems(tmp_path, transcript, _release(transcript, "单位公开电话")) == []


def test_a_number_added_after_flagging_is_refused_naming_the_segment(tmp_path):
    transcript = _transcript()
    transcript.segments[0].text = "大家好，请拨打一三九，一二三四，五六七八咨询。"   # typed in; no flag for it
    found = _problems(tmp_path, transcript, Annotations())
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'transcript.json'}:")
    assert found[0].endswith("segments[0]: segment 0 (00:00:00) would publish a phone that no redaction hides / "
                             "将发布未隐去的电话号码 (select it in 'pufa annotate' and press R to hide it "
                             "(or release it with a reason))")
    assert "一三九" not in found[0]
