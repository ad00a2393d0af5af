"""Livestream recap pages, built for real (mkdocs, ffmpeg, Pagefind, leak gate) from a
small project with the real demo video: page content, redactions in every published
output including the muted audio, cross-links, the unreviewed-flag report, caching."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import zlib
from pathlib import Path

import pytest

from generator.site.build import build_site
from generator.speech.media import ffmpeg_exe
from test_recaps_project import (LIVE_ID, PHONE, PHONE_SPAN, PLATE, PLATE_SPAN, TRANSCRIPT, VIDEO,
                                 make_project)

LAW_SLUG = "wang-luo-yu-yue-chu-zu-qi-che-jing-ying-fu-wu-guan-li-zan-xing-ban-fa"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("recaps") / "project")
    # The staff-only decision log sits beside the annotations; it must never be published.
    (project / "transcripts" / LIVE_ID / "redaction-log.jsonl").write_text(
        json.dumps({"who": "张三", "when": "2025-03-16T09:00:00", "redaction": "r1", "state": "kept",
                    "text": PHONE}, ensure_ascii=False) + "\n", encoding="utf-8")
    report = build_site(project, progress=False)
    return project, report


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[0] / "site"


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def body(html: str) -> str:
    match = re.search(r'<div class="pufa-page".*?(?=<footer class="md-footer">|</body>)', html, re.S)
    assert match, "page body not found"
    return match.group(0)


def published_text(path: Path) -> str:
    """A published file as text: gzip (Pagefind) decompressed; binary files as latin-1."""
    raw = path.read_bytes()
    try:
        raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        pass
    return raw.decode("utf-8", errors="replace")


def level(media: Path, start: float, end: float) -> float:
    """max_volume (dB) of the audio between start and end, measured by ffmpeg."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-ss", f"{start}", "-t", f"{end - start}",
                             "-i", str(media), "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"],
                            capture_output=True, text=True, check=True)
    match = re.search(r"max_volume: (-?[\d.]+|-inf) dB", result.stderr)
    assert match, result.stderr[-500:]
    return float("-inf") if match.group(1) == "-inf" else float(match.group(1))


def test_recap_page_shows_figures_player_chapters_highlights_and_transcript(site):
    html = body(page(site, f"livestreams/{LIVE_ID}"))
    assert "2025-03-15" in html and "济南西站" in html
    for value, label in (("120", "检查车辆"), ("9", "发现违法"), ("5", "教育纠正")):
        assert f"<strong>{value}</strong><span>{label}</span>" in html
    assert f'<source src="../../livestreams/media/{LIVE_ID}.mp4" type="video/mp4">' in html
    assert (f'<track kind="subtitles" srclang="zh" label="中文字幕" src="../../livestreams/subtitles/{LIVE_ID}.vtt" '
            'default>') in html
    assert f'poster="../../livestreams/posters/{LIVE_ID}.jpg"' in html
    # Chapters seek, and lead to their heading in the transcript.
    assert f'<a href="../../livestreams/{LIVE_ID}/#c-wyc" data-start="8.00">' in html
    assert '<h3 id="c-wyc" class="pufa-recap-chapter-head" data-start="8.00">' in html
    # The highlight card: law and article linked to the law page, the case citing it.
    assert f'<a href="../../laws/{LAW_SLUG}/#a34">《网络预约出租汽车经营服务管理暂行办法》第三十四条</a>' in html
    assert '<a href="../../cases/2025-0101/">未取得网约车经营许可从事网约车经营案</a>' in html
    # The transcript by speaker (display names), every line with its start.
    lines = re.findall(r'<p id="s(\d+)" class="pufa-recap-line" data-start="([\d.]+)"><time>[^<]*</time><b>([^<]*)：</b>',
                       html)
    assert [(int(i), float(s), who) for i, s, who in lines] == [
        (0, 0.0, "主持人"), (1, 4.0, "当事人"), (2, 8.0, "执法人员"), (3, 13.0, "执法人员")]
    assert "[已隐去]" in html


def test_every_recap_asset_is_small_and_self_hosted(site):
    poster = site / "livestreams" / "posters" / f"{LIVE_ID}.jpg"
    chapter = site / "livestreams" / "posters" / f"{LIVE_ID}-c1.jpg"
    for image in (poster, chapter):
        data = image.read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and len(data) < 60_000
    html = page(site, f"livestreams/{LIVE_ID}")
    assert not re.search(r'(?:src|href|poster)="(?:https?:)?//', html)


def test_redacted_and_unreviewed_personal_data_is_in_no_published_file(site):
    checked = 0
    for path in site.rglob("*"):
        if path.is_file():
            text = published_text(path)
            assert PHONE not in text, path
            assert PLATE not in text, path
            assert "张三" not in text, path
            checked += 1
    assert checked > 50
    assert not list(site.rglob("redaction-log.jsonl"))
    vtt = (site / "livestreams" / "subtitles" / f"{LIVE_ID}.vtt").read_text(encoding="utf-8")
    assert "<v 当事人>我的电话是[已隐去]，车是[已隐去]，我就是帮朋友拉个人。" in vtt


def test_transcript_is_in_the_search_index_with_redactions_applied(site):
    fragments = [published_text(p) for p in (site / "pagefind" / "fragment").glob("*.pf_fragment")]
    recap = [f for f in fragments if f"livestreams/{LIVE_ID}/" in f]
    assert recap, "the recap page is not in the search index"
    assert any("网络预约出租汽车运输证" in f for f in recap)
    assert any("我的电话是[已隐去]" in f for f in recap)


def test_published_audio_is_silent_over_redacted_spans_and_not_elsewhere(site):
    published = site / "livestreams" / "media" / f"{LIVE_ID}.mp4"
    for start, end in (PHONE_SPAN, PLATE_SPAN):
        inner = (start + 0.15, end - 0.15)          # AAC frames blur the edges by a few ms
        assert level(VIDEO, *inner) > -30, "the fixture must speak here, or the test proves nothing"
        assert level(published, *inner) < -80
    assert level(published, 13.0, 16.0) > -30


def test_original_media_is_never_copied_into_the_site(site):
    original = hashlib.sha256(VIDEO.read_bytes()).hexdigest()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix.lower() in (".mp4", ".m4a", ".mov", ".webm", ".mkv"):
            assert hashlib.sha256(path.read_bytes()).hexdigest() != original, path


def test_law_page_lists_the_moment_and_case_page_links_it(site):
    law = body(page(site, f"laws/{LAW_SLUG}"))
    assert (f'<a href="../../livestreams/{LIVE_ID}/#h-wyc-34">未取得许可从事网约车经营怎么罚</a>') in law
    case = body(page(site, "cases/2025-0101"))
    assert '<section class="pufa-section pufa-recap-links" id="livestream-moments">' in case
    assert f'<a href="../../livestreams/{LIVE_ID}/#h-wyc-34">未取得许可从事网约车经营怎么罚</a>' in case


def test_build_reports_each_unreviewed_flag_without_its_text(built):
    _, report = built
    flag_id = TRANSCRIPT["flags"][0]["id"]
    lines = [w for w in report.warnings if "unreviewed" in w]
    assert len(lines) == 1
    assert f"transcripts/{LIVE_ID}/transcript.json: flag {flag_id} (plate, 00:09) is unreviewed" in lines[0]
    assert PLATE not in report.summary()


def test_index_lists_the_livestream(site):
    html = body(page(site, "livestreams"))
    assert f'<a href="../livestreams/{LIVE_ID}/">' in html and "网约车执法直播（测试）" in html


def test_rebuild_reuses_cached_media_derivatives(built):
    project, _ = built
    cache = project / ".pufa-cache" / "media"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert any("-muted-" in name for name in before) and any(name.endswith(".jpg") for name in before)
    build_site(project, progress=False)
    after = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert after == before


def test_chapters_of_a_long_transcript_are_linked_to_the_part_that_holds_them():
    from generator.records.transcript import Chapter, Segment
    from generator.site.sections.recaps import _chapter_parts, transcript_items
    from generator.site.transcripts import split_parts
    segments = [Segment(i, i * 10.0, i * 10.0 + 9, "说明" * 40, "执法人员") for i in range(300)]
    chapters = [Chapter("a", "开场", 0.0), Chapter("b", "中段", 1234.0), Chapter("c", "尾声", 2900.0)]
    parts = split_parts(segments, budget=20_000)
    assert len(parts) > 3 and [s.id for p in parts for s in p.segments] == list(range(300))
    where = _chapter_parts(chapters, parts)
    headings = {}
    for part in parts:
        for item in transcript_items(part.segments, [c for c in chapters if where[c.id] == part.number]):
            if item.kind == "chapter":
                headings[item.chapter.id] = (part.number, item)
    assert set(headings) == {"a", "b", "c"}
    for chapter in chapters:
        number, item = headings[chapter.id]
        assert number == where[chapter.id]
        first_after = next(s for s in segments if s.start >= chapter.start)
        assert first_after in parts[number - 1].segments     # the heading sits right before it
    assert where["a"] == 1 and where["c"] == parts[-1].number


def test_record_text_in_a_transcript_is_escaped():
    from generator.records.transcript import Chapter, Segment
    from generator.site.render import render
    from generator.site.sections.recaps import transcript_items
    from generator.site.transcripts import clock
    segments = [Segment(0, 0.0, 2.0, '<img src=x onerror="alert(1)">', "<b>S1</b>")]
    html = render("recaps/_transcript.html", items=transcript_items(segments, [Chapter("x", "<script>", 0.0)]),
                  clock=clock)
    assert "<script>" not in html and "<img" not in html and "<b>S1" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html and "&lt;script&gt;" in html


def test_law_named_in_meta_laws_links_the_whole_stream(tmp_path):
    from generator.config import load_config
    from generator.site.model import load_model
    from generator.site.sections.recaps import law_moments_html
    from test_recaps_project import META
    project = make_project(tmp_path / "p", meta=META + "laws:\n  - 《中华人民共和国道路运输条例》第六十三条\n"
                                                     "  - 《网络预约出租汽车经营服务管理暂行办法》第三十四条\n")
    model = load_model(load_config(project))
    road = model.laws.find("中华人民共和国道路运输条例")
    html = law_moments_html(model, road, "../../")
    assert f'<a href="../../livestreams/{LIVE_ID}/">网约车执法直播（测试）</a>' in html
    assert "《中华人民共和国道路运输条例》第六十三条" in html
    # Where a highlight explains the law already, the card is listed, not the stream again.
    wyc = law_moments_html(model, model.laws.find("网络预约出租汽车经营服务管理暂行办法"), "../../")
    assert wyc.count("<li>") == 1 and f"livestreams/{LIVE_ID}/#h-wyc-34" in wyc


def test_flv_from_streaming_software_is_published_as_playable_mp4(tmp_path):
    from test_recaps_project import META
    project = make_project(tmp_path / "p", meta=META.replace("media/demo-livestream.mp4", "media/live.flv"))
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(VIDEO), "-c", "copy",
                    str(project / "media" / "live.flv")], check=True)
    build_site(project, progress=False)
    site = project / "site"
    assert [p.name for p in (site / "livestreams" / "media").iterdir()] == [f"{LIVE_ID}.mp4"]
    assert f'<source src="../../livestreams/media/{LIVE_ID}.mp4" type="video/mp4">' in page(site, f"livestreams/{LIVE_ID}")
    assert level(site / "livestreams" / "media" / f"{LIVE_ID}.mp4", PHONE_SPAN[0] + 0.15, PHONE_SPAN[1] - 0.15) < -80
