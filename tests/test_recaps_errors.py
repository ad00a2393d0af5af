"""Bad livestream input stops `pufa build` naming file, line and field, exit 2, and the
previous site stays as it was; long transcripts are paged so every page stays small."""
from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.site.build import build_site
from test_recaps_project import ANNOTATIONS, LIVE_ID, META, TRANSCRIPT, make_project

ROOT = Path(__file__).resolve().parent.parent


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("good") / "project")
    build_site(project, progress=False)
    return project


def problems_of(project: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        build_site(project, progress=False)
    return [str(p).replace(str(project) + "/", "") for p in info.value.problems]


def annotations_with(**changes) -> dict:
    data = copy.deepcopy(ANNOTATIONS)
    data.update(changes)
    return data


def test_transcript_without_media_names_meta_field(tmp_path):
    project = make_project(tmp_path / "p", meta=META.replace("media: media/demo-livestream.mp4\n", ""))
    assert problems_of(project) == [
        f"transcripts/{LIVE_ID}/meta.yaml:1: media: a transcript to publish needs its media file / 缺少媒体文件 "
        "(give the path of the video or audio in the project, e.g. media/<id>.mp4)"]


def test_missing_media_file_names_meta_line(tmp_path):
    project = make_project(tmp_path / "p", meta=META.replace("media/demo-livestream.mp4", "media/gone.mp4"))
    assert problems_of(project) == [
        f"transcripts/{LIVE_ID}/meta.yaml:6: media: media file 'media/gone.mp4' does not exist in the project "
        "(give a path relative to the project (or to this folder))"]


def test_media_url_is_refused(tmp_path):
    project = make_project(tmp_path / "p", meta=META.replace("media/demo-livestream.mp4", "https://example.com/a.mp4"))
    assert problems_of(project)[0].startswith(
        f"transcripts/{LIVE_ID}/meta.yaml:6: media: media 'https://example.com/a.mp4' is a URL")


def test_annotations_referring_to_missing_segments(tmp_path):
    highlight = dict(ANNOTATIONS["highlights"][0], segment_ids=[2, 9])
    redaction = dict(ANNOTATIONS["redactions"][0], segment_id=7)
    project = make_project(tmp_path / "p", annotations=annotations_with(highlights=[highlight], redactions=[redaction]))
    found = problems_of(project)
    file = f"transcripts/{LIVE_ID}/annotations.json"
    assert found == [
        f"{file}:16: highlights[0].segment_ids[1]: segment 9 does not exist in transcript.json "
        "(the transcript was edited since: fix the highlight in pufa annotate)",
        f"{file}:31: redactions[0].segment_id: segment 7 does not exist in transcript.json "
        "(the transcript was edited since: fix the redaction in pufa annotate)"]


def test_overlapping_chapters(tmp_path):
    chapters = [{"id": "a", "title": "开场", "start": 0.0}, {"id": "b", "title": "网约车", "start": 8.0},
                {"id": "c", "title": "又一章", "start": 6.0}]
    project = make_project(tmp_path / "p", annotations=annotations_with(chapters=chapters))
    assert problems_of(project) == [
        f"transcripts/{LIVE_ID}/annotations.json:14: chapters[2].start: chapter overlaps chapters[1] "
        "(starts at 6.0 s, not after 8.0 s) (chapters must be in time order, each starting after the last)"]


def test_redaction_outside_the_media_duration(tmp_path):
    redaction = dict(ANNOTATIONS["redactions"][0], start=30.0, end=32.0)
    project = make_project(tmp_path / "p", annotations=annotations_with(redactions=[redaction]))
    assert problems_of(project) == [
        f"transcripts/{LIVE_ID}/annotations.json:31: redactions[0].end: time range 30.00–32.00 s is outside "
        "the media (0–17.80 s) (the wrong media file, or a redaction from another transcript)"]


def test_highlight_citing_an_unknown_law(tmp_path):
    highlight = dict(ANNOTATIONS["highlights"][0], law="不存在的办法")
    project = make_project(tmp_path / "p", annotations=annotations_with(highlights=[highlight]))
    assert problems_of(project) == [
        f"transcripts/{LIVE_ID}/annotations.json:16: highlights[0].law: unknown law 《不存在的办法》 "
        "(a title from data/laws/catalog.yaml)"]


def test_bad_input_exits_2_and_leaves_the_site_untouched(good):
    before = tree_hash(good / "site")
    file = good / "transcripts" / LIVE_ID / "annotations.json"
    original = file.read_text(encoding="utf-8")
    try:
        broken = annotations_with(chapters=[{"id": "a", "title": "开场", "start": 5.0},
                                            {"id": "b", "title": "重叠", "start": 5.0}])
        file.write_text(json.dumps(broken, ensure_ascii=False, indent=1), encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "generator", "build", "--project", str(good), "--quiet"],
                                capture_output=True, text=True, cwd=ROOT)
    finally:
        file.write_text(original, encoding="utf-8")
    assert result.returncode == 2
    assert "annotations.json:9: chapters[1].start: chapter overlaps chapters[0]" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert tree_hash(good / "site") == before


def test_long_transcript_is_paged_and_every_page_stays_small(tmp_path):
    """A synthetic three-hour transcript: the recap page and each part page ≤ 300 KB, every
    segment on exactly one page, in order."""
    segments, t = [], 0.0
    text = "执法人员向驾驶员说明网约车需要取得网络预约出租汽车运输证和驾驶员证，否则属于非法营运，依法予以处罚。"
    for i in range(3600):
        segments.append({"id": i, "start": round(t, 2), "end": round(t + 2.9, 2), "speaker": "S1" if i % 3 else "S2",
                         "text": f"{text}第{i}句。"})
        t += 3.0
    transcript = dict(TRANSCRIPT, segments=segments, flags=[], duration=t)
    annotations = annotations_with(redactions=[], highlights=[],
                                   chapters=[{"id": "open", "title": "开场", "start": 0.0},
                                             {"id": "late", "title": "后段", "start": 15.0}])
    project = make_project(tmp_path / "p", transcript=transcript, annotations=annotations)
    build_site(project, progress=False)
    folder = project / "site" / "livestreams" / LIVE_ID
    pages = [folder / "index.html"] + sorted(folder.glob("part-*/index.html"),
                                             key=lambda p: int(p.parent.name.split("-")[1]))
    assert len(pages) >= 3
    seen: list[int] = []
    for index_html in pages:
        html = index_html.read_text(encoding="utf-8")
        assert len(html.encode("utf-8")) <= 300_000, index_html
        assert "data-pufa-player" in html
        seen += [int(n) for n in __import__("re").findall(r'<p id="s(\d+)" class="pufa-recap-line"', html)]
    assert seen == list(range(3600))
    # Minute headings with ids: Pagefind sub-results (search hits) lead to the moment.
    assert '<h4 id="m59" class="pufa-recap-mark" data-start="3540.00">59:00</h4>' in (
        "".join(p.read_text(encoding="utf-8") for p in pages))


def test_times_that_are_not_numbers_are_reported_not_crashed_on(tmp_path):
    redaction = dict(ANNOTATIONS["redactions"][0], start="5s")
    chapters = [{"id": "a", "title": "开场", "start": "0:00"}]
    project = make_project(tmp_path / "p", annotations=annotations_with(redactions=[redaction], chapters=chapters))
    assert problems_of(project) == [
        f"transcripts/{LIVE_ID}/annotations.json:4: chapters[0].start: start '0:00' is not a time in seconds",
        f"transcripts/{LIVE_ID}/annotations.json:26: redactions[0].start: '5s' is not a time in seconds"]


def test_episode_transcripts_pass_the_same_annotation_checks(tmp_path):
    from test_content_pages import make_project as make_content_project
    project = make_content_project(tmp_path / "content")
    file = project / "transcripts" / "qxh-t02" / "annotations.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    data["redactions"] = [{"id": "r1", "segment_id": 9, "start_char": 0, "end_char": 2, "start": 1.0, "end": 2.0,
                           "state": "kept"}]
    file.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    assert problems_of(project) == [
        "transcripts/qxh-t02/annotations.json:6: redactions[0].segment_id: segment 9 does not exist in "
        "transcript.json (the transcript was edited since: fix the redaction in pufa annotate)"]


def test_meta_laws_must_be_known(tmp_path):
    meta = META + "laws:\n  - 《网络预约出租汽车经营服务管理暂行办法》第三十四条\n  - 《不存在的规定》第一条\n  - 没有书名号\n"
    project = make_project(tmp_path / "p", meta=meta)
    found = problems_of(project)
    assert found[0] == (f"transcripts/{LIVE_ID}/meta.yaml:13: laws[1]: unknown law 《不存在的规定》 "
                        "(a title from data/laws/catalog.yaml)")
    assert found[1].startswith(f"transcripts/{LIVE_ID}/meta.yaml:14: laws[2]: a law must be written with its title in 《》")
    assert len(found) == 2
