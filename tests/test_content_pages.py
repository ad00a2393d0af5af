"""Content pages, built for real (mkdocs, ffmpeg, Pagefind, leak gate) from the small
test project in tests/data/content-project: discretion list, 泉小慧 episodes, lessons and
training packs, open data, home page."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from generator.config import load_config
from generator.site.build import build_site
from generator.site.model import load_model
from generator.site.sections.discretion import discretion_block
from generator.speech.media import ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "data" / "content-project"
PHONE = "13912345678"     # spoken in the fixture transcript; must never reach the site


def make_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest)
    shutil.copytree(ROOT / "data" / "laws", dest / "data" / "laws")
    (dest / "media").mkdir()
    shutil.copyfile(ROOT / "tests" / "data" / "video" / "demo-livestream.mp4", dest / "media" / "demo.mp4")
    return dest


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("content") / "project")
    build_site(project, progress=False)
    return project


@pytest.fixture(scope="module")
def site(project) -> Path:
    return project / "site"


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


class Links(HTMLParser):
    """Every href/src of a page, resolved against the page's own URL."""

    def __init__(self, base: str):
        super().__init__()
        self.base, self.urls = base, []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "poster") and value:
                self.urls.append((tag, name, urljoin(self.base, value)))


def links(site: Path, url: str) -> list[tuple[str, str, str]]:
    parser = Links(f"http://site/{url}")
    parser.feed(page(site, url))
    return parser.urls


def resolves(site: Path, absolute: str) -> bool:
    path = urlsplit(absolute).path.lstrip("/")
    target = site / path
    return (target / "index.html").is_file() if path.endswith("/") or not path else target.is_file()


def content_body(html: str) -> str:
    """The generated part of a page: from our body block to Material's footer."""
    match = re.search(r'<div class="pufa-page".*?(?=<footer class="md-footer">|</body>)', html, re.S)
    assert match, "page body not found"
    return match.group(0)


# ---- discretion list ------------------------------------------------------------------

def test_discretion_list_is_grouped_by_the_four_kinds_in_legal_order(site):
    html = page(site, "discretion/")
    ids = re.findall(r'<h2 id="([a-z-]+)">', html)
    assert ids == ["bu-yu-chu-fa", "cong-qing-chu-fa", "jian-qing-chu-fa", "cong-zhong-chu-fa"]
    assert re.findall(r'<h3 id="([a-z-]+)">', html) == [
        "bu-yu-chu-fa-wang-yue-che", "cong-qing-chu-fa-wang-yue-che", "jian-qing-chu-fa-chao-xian-chao-zai",
        "cong-zhong-chu-fa-chao-xian-chao-zai"]


def test_each_discretion_item_shows_basis_outcome_and_links_its_cases(site):
    html = page(site, "discretion/")
    item = re.search(r'<article class="pufa-tile pufa-discretion-item" id="bycf-01".*?</article>', html, re.S).group(0)
    assert "未取得网络预约出租汽车驾驶员证从事网约车经营" in item
    assert "初次违法" in item and "不予行政处罚，责令改正，进行教育" in item
    assert 'href="../laws/xing-zheng-chu-fa-fa/#a33"' in item
    assert 'href="../cases/2024-0001/"' in item
    empty = re.search(r'id="cqcf-01".*?</article>', html, re.S).group(0)
    assert "暂无公开的典型案例" in empty


def test_case_page_links_the_discretion_item_that_applied(site):
    html = page(site, "cases/2024-0001/")
    assert 'href="../../discretion/#bycf-01"' in html


def test_discretion_block_explains_why_a_case_was_not_punished(project):
    model = load_model(load_config(project))
    case = model.cases_by_id["2024-0001"]
    block = discretion_block(model, case)
    assert "为什么这样处理" in block
    assert "不予处罚" in block and "初次违法" in block and "不予行政处罚，责令改正，进行教育" in block
    assert 'href="../../discretion/#bycf-01"' in block
    assert discretion_block(model, model.cases_by_id["2023-0003"]) == ""


# ---- 泉小慧 episodes ----------------------------------------------------------------------

def test_episode_page_plays_a_self_hosted_file_with_poster_and_subtitles(site):
    html = page(site, "videos/qxh-t02/")
    video = re.search(r"<video.*?</video>", html, re.S).group(0)
    assert 'poster="../../videos/posters/qxh-t02.jpg"' in video
    assert '<source src="../../videos/media/qxh-t02.mp4" type="video/mp4">' in video
    assert '<track kind="subtitles" srclang="zh" label="中文字幕" src="../../videos/subtitles/qxh-t02.vtt" default>' in video
    assert (site / "videos/posters/qxh-t02.jpg").read_bytes()[:3] == b"\xff\xd8\xff"   # a JPEG frame
    assert (site / "videos/subtitles/qxh-t02.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    for _, _, url in links(site, "videos/qxh-t02/"):
        if url.startswith("tel:"):
            continue                                        # the footer's hotline: a call, not a request
        assert urlsplit(url).netloc == "site", url          # nothing outside the site


def test_episode_transcript_and_subtitles_hide_spoken_personal_data(site):
    html = page(site, "videos/qxh-t02/")
    assert "有问题请打电话[已隐去]咨询。" in html
    assert "<strong>泉小慧：</strong>" in html                 # speaker label → display name
    for path in ("videos/subtitles/qxh-t02.vtt", "videos/subtitles/qxh-t02.srt"):
        text = (site / path).read_text(encoding="utf-8")
        assert PHONE not in text and "[已隐去]" in text
    assert not [p for p in site.rglob("*") if p.is_file() and PHONE.encode() in p.read_bytes()]


def _max_volume(path: Path, start: float, seconds: float) -> float:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-ss", str(start), "-t", str(seconds), "-i", str(path),
                             "-vn", "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True)
    return float(re.search(r"max_volume: (-?[\d.]+) dB", result.stderr).group(1))


def test_published_video_is_muted_where_personal_data_is_spoken(site, project):
    published = site / "videos/media/qxh-t02.mp4"
    original = project / "media/demo.mp4"
    assert _max_volume(original, 6.8, 2.4) > -40           # the fixture speaks there …
    assert _max_volume(published, 6.8, 2.4) < -80          # … the site's copy is silent there
    assert _max_volume(published, 1.0, 4.0) > -40          # and only there


def test_episode_without_video_shows_the_default_poster(site):
    html = page(site, "videos/qxh-t01/")
    assert "<video" not in content_body(html)
    assert 'src="../../assets/pufa/img/episode-poster.svg"' in html
    assert (site / "assets/pufa/img/episode-poster.svg").is_file()


def test_episode_page_lists_laws_cases_and_lessons_it_explains(site):
    body = content_body(page(site, "videos/qxh-t02/"))
    assert 'href="../../laws/xing-zheng-chu-fa-fa/#a33"' in body
    assert 'href="../../cases/2024-0001/"' in body
    assert 'href="../../lessons/cz-wyc-anquan/"' in body


def test_episodes_can_be_browsed_by_topic_and_by_audience(site):
    topics = content_body(page(site, "videos/topics/"))
    section = re.search(r'<h2 id="wang-yue-che">网约车</h2>(.*?)(<h2|$)', topics, re.S).group(1)
    assert "qxh-t02" in section and "qxh-t01" not in section
    audiences = page(site, "videos/audiences/")
    assert re.findall(r'<h2 id="([a-z]+)">', audiences) == ["public", "xiaoxue", "chuzhong", "gaozhong", "drivers",
                                                            "firms"]
    chuzhong = re.search(r'<h2 id="chuzhong">.*?(?=<h2)', audiences, re.S).group(0)
    assert "qxh-t02" in chuzhong and "qxh-t03" not in chuzhong


def test_vehicle_playlist_loops_only_short_episodes_that_have_video(site):
    html = page(site, "videos/playlist/")
    stage = re.search(r'data-pufa-playlist="([^"]*)"', html).group(1)
    import html as html_lib
    import json
    items = json.loads(html_lib.unescape(stage))
    assert [i["id"] for i in items] == ["qxh-t02"]
    assert items[0]["src"] == "../../videos/media/qxh-t02.mp4"
    assert re.search(r"<video muted autoplay playsinline", html)
    assert "controls" not in re.search(r"<video[^>]*>", html).group(0)


# ---- lessons -----------------------------------------------------------------------------

def test_lesson_page_assembles_outline_video_cases_items_and_questions(site):
    body = content_body(page(site, "lessons/cz-wyc-anquan/"))
    for heading in ("教学目标", "教学提纲", "观看视频", "以案释法", "相关裁量清单事项", "讨论题"):
        assert f">{heading}</h2>" in body, heading
    assert '<source src="../../videos/media/qxh-t02.mp4"' in body
    assert "为什么这个案件没有罚款？" in body
    assert 'href="../../cases/2024-0001/"' in body


def test_every_link_of_every_lesson_page_resolves(site):
    urls = ["lessons/", "lessons/firms/", "lessons/worksites/", "lessons/cz-wyc-anquan/", "lessons/gd-chaoxian/"]
    for url in urls:
        for tag, attr, absolute in links(site, url):
            if urlsplit(absolute).scheme in ("tel", "mailto") or urlsplit(absolute).path.endswith("/search/"):
                continue
            assert resolves(site, absolute), f"{url}: {tag}[{attr}] → {absolute}"


def test_lessons_index_groups_school_lessons_by_grade_and_links_the_packs(site):
    html = page(site, "lessons/")
    chuzhong = re.search(r'<h3 id="chuzhong">.*?(?=<h3)', html, re.S).group(0)
    assert "安全乘坐网约车" in chuzhong
    for target in ("lessons/firms/", "lessons/worksites/", "videos/playlist/"):
        assert f'href="../{target}"' in html


def test_firm_pack_separates_first_violation_waivers_from_heavy_punishment(site):
    html = content_body(page(site, "lessons/firms/"))
    waiver = re.search(r'<h2 id="waiver">.*?(?=<h2)', html, re.S).group(0)
    heavy = re.search(r'<h2 id="heavy">.*?(?=<h2|$)', html, re.S).group(0)
    assert "未取得网络预约出租汽车驾驶员证从事网约车经营" in waiver
    assert "货车一年内多次超限运输" not in heavy        # freight belongs to the worksite pack
    worksite = page(site, "lessons/worksites/")
    assert "货车一年内多次超限运输" in worksite and "超限运输的法律责任" in worksite


# ---- open data ---------------------------------------------------------------------------

def test_open_data_page_has_a_chart_and_a_table_per_statistic_and_a_csv(site):
    html = page(site, "open-data/")
    keys = ["by-category", "by-year", "by-discretion", "by-handling", "lenient-share", "fines-by-category"]
    for key in keys:
        assert f'<svg class="pufa-chart" id="chart-{key}"' in html
        assert f'<table class="pufa-stats-table" id="table-{key}">' in html
    assert "33.3%" in html                                # 1 of 3 cases: 首违不罚
    rows = list(csv.DictReader(io.StringIO((site / "open-data/pufa-case-statistics.csv")
                                           .read_text(encoding="utf-8-sig"))))
    fines = {r["项目"]: r["数值"] for r in rows if r["table"] == "fines-by-category"}
    assert fines == {"超限超载": "30000", "出租车": "200"}
    assert 'href="../open-data/pufa-case-statistics.csv" download' in html


# ---- home page and sharing ---------------------------------------------------------------

def test_home_page_shows_pillars_figures_episodes_and_the_hotline(site):
    html = page(site, "")
    for pillar in ("执法", "普法", "监督", "公开"):
        assert f"<strong>{pillar}</strong>" in html
    assert 'href="tel:12328"' in html
    assert 'href="videos/qxh-t02/"' in html               # the episode with video is featured
    assert 'href="open-data/"' in html and 'href="discretion/"' in html


@pytest.mark.parametrize("url", ["discretion/", "videos/", "videos/qxh-t02/", "lessons/", "lessons/cz-wyc-anquan/",
                                 "lessons/firms/", "open-data/", ""])
def test_every_content_page_has_share_title_description_and_image(site, url):
    html = page(site, url)
    title = re.search(r'<meta property="og:title" content="([^"]+)"', html).group(1)
    description = re.search(r'<meta property="og:description" content="([^"]+)"', html).group(1)
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert title and len(description) > 10
    assert resolves(site, urljoin(f"http://site/{url}", image)), image


def test_rebuild_gives_byte_identical_content_pages(tmp_path, site):
    again = make_project(tmp_path / "again")
    build_site(again, progress=False)
    for url in ("discretion/", "videos/qxh-t02/", "lessons/cz-wyc-anquan/", "open-data/", ""):
        assert page(again / "site", url) == page(site, url), url
    for path in ("open-data/pufa-case-statistics.csv", "videos/subtitles/qxh-t02.vtt", "videos/posters/qxh-t02.jpg"):
        assert (again / "site" / path).read_bytes() == (site / path).read_bytes(), path


def test_poster_is_given_image_else_video_frame_else_default():
    import datetime as dt

    from generator.records.content import Episode
    from generator.site.sections.episodes import DEFAULT_POSTER, poster_url

    def episode(**kw) -> Episode:
        return Episode("qxh-9", 9, "标题", dt.date(2024, 1, 1), "网约车", ("public",), 60, "简介", **kw)

    assert poster_url(episode(poster="media/p.PNG", media="media/a.mp4")) == "videos/posters/qxh-9.png"
    assert poster_url(episode(media="media/a.mp4")) == "videos/posters/qxh-9.jpg"
    assert poster_url(episode(media="media/a.m4a")) == DEFAULT_POSTER       # sound only: no frame to take
    assert poster_url(episode()) == DEFAULT_POSTER
