"""A name an import found is hidden in the project's transcripts too (issue 14, item 2):
it becomes a transcription flag of kind `name` (a suggested redaction in the annotation
tool, hidden until staff decide) and is written as the cases write it (X某) on the recap."""
from __future__ import annotations

from pathlib import Path

from generator.importer.run import import_cases
from generator.privacy.leaks import Denylist, denylist_path, load_denylist
from generator.records.transcript import Annotations, Redaction, Segment, Transcript, TranscriptMeta, load_transcript
from generator.speech.known_names import add_name_flags, name_spans
from generator.speech.redact import HIDDEN, published_segments
from generator.speech.store import write_transcript_dir
from generator.speech.subtitles import import_subtitles

RAW = Path(__file__).resolve().parent / "data" / "raw"


def _livestream(project: Path, text: str) -> Path:
    transcript = Transcript("zh", "base", [Segment(0, 0.0, 4.0, text), Segment(1, 4.0, 8.0, "请大家文明出行。")],
                            duration=8.0)
    return write_transcript_dir(project / "transcripts", "live-1", transcript,
                                TranscriptMeta(id="live-1", kind="livestream", title="直播"))


def test_a_party_an_import_names_is_flagged_in_an_existing_transcript_and_written_x_mou(tmp_path):
    project = tmp_path / "proj"
    folder = _livestream(project, "今天说说张三丰那起非法营运案。")
    result = import_cases([RAW / "cases-utf8.csv"], into=project / "cases_public")
    assert load_denylist(project).entries.get("张三丰") == "name"
    assert result.transcript_flags == 1
    transcript = load_transcript(folder / "transcript.json")
    flags = [f for f in transcript.flags if f.kind == "name"]
    assert [(f.segment_id, f.text) for f in flags] == [(0, "张三丰")]
    published = published_segments(transcript, Annotations())
    assert published[0].text == "今天说说张某那起非法营运案。"
    vtt = (folder / "live-1.vtt").read_text(encoding="utf-8")
    assert "张三丰" not in vtt and "张某" in vtt
    # Importing again adds nothing: the flag is there already, a staff decision on it stays.
    assert import_cases([RAW / "cases-utf8.csv"], into=project / "cases_public", force=True).transcript_flags == 0


def test_released_name_shows_and_other_kinds_stay_hidden_marker():
    transcript = Transcript("zh", "base", [Segment(0, 0.0, 4.0, "车主李四电话13812345678")], duration=4.0)
    assert add_name_flags(transcript, ["李四"]) == 1
    assert published_segments(transcript, Annotations())[0].text == "车主李某电话13812345678"
    flag = transcript.flags[0]
    released = Annotations(redactions=[Redaction("r1", 0, flag.start_char, flag.end_char, 0.0, 4.0, state="released",
                                                 kind="name", flag_id=flag.id)])
    assert published_segments(transcript, released)[0].text == "车主李四电话13812345678"
    # A kept redaction of another kind is [已隐去], never an alias.
    kept = Annotations(redactions=[Redaction("r2", 0, 6, 17, 0.0, 4.0, state="kept", kind="phone")])
    assert published_segments(transcript, kept)[0].text == f"车主李某电话{HIDDEN}"


def test_two_people_of_one_surname_get_the_cases_convention():
    transcript = Transcript("zh", "base", [Segment(0, 0.0, 4.0, "王海燕和王建军都在场")], duration=4.0)
    add_name_flags(transcript, ["王海燕", "王建军"])
    assert published_segments(transcript, Annotations())[0].text == "王某和王某某都在场"


def test_the_longest_name_wins_where_two_overlap():
    assert name_spans("张三丰说张三", ["张三", "张三丰"]) == [(0, 3), (4, 6)]


def test_imported_subtitles_flag_the_names_of_the_deny_list(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    denylist = Denylist()
    denylist.add("name", "赵铁柱")
    denylist_path(project).parent.mkdir(parents=True)
    denylist_path(project).write_text(denylist.to_text(), encoding="utf-8")
    srt = tmp_path / "live.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:03,000\n赵铁柱的车被查了\n\n", encoding="utf-8")
    import_subtitles(srt, into=project / "transcripts", id="live-2")
    transcript = load_transcript(project / "transcripts" / "live-2" / "transcript.json")
    assert [(f.kind, f.text) for f in transcript.flags] == [("name", "赵铁柱")]
    assert "赵铁柱" not in (project / "transcripts" / "live-2" / "live-2.vtt").read_text(encoding="utf-8")
