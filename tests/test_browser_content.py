"""Content pages in a real Chromium (Debian's), on a phone-sized page that blocks and
records every request leaving 127.0.0.1: charts render, print hides navigation and shows
link URLs, lesson links resolve, the episode video plays the self-hosted file, the
projector view enlarges type, the vehicle playlist plays by itself."""
from __future__ import annotations

import threading

import pytest

from generator.site.build import build_site
from generator.site.serve import make_server

from test_content_pages import make_project

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("browser") / "project")
    build_site(project, progress=False)
    server = make_server(project / "site")      # pufa serve's server: Range requests, like a real host
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def clean(page) -> None:
    assert page.outside_requests == []
    assert page.console_errors == []


def test_open_data_charts_render_as_visible_bars_on_a_phone(phone_page, base_url):
    phone_page.goto(base_url + "open-data/")
    charts = phone_page.locator("svg.pufa-chart")
    assert charts.count() == 6
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and 250 < box["width"] <= 400, box      # fits a 390-px screen, not wider
    widths = phone_page.eval_on_selector_all("#chart-by-category rect", "rs => rs.map(r => r.getBBox().width)")
    assert len(widths) == 3 and all(w > 0 for w in widths) and widths[0] == max(widths)
    assert phone_page.locator("#table-by-category tbody tr").count() == 3
    csv = phone_page.request.get(base_url + "open-data/pufa-case-statistics.csv")
    assert csv.status == 200 and "by-category" in csv.text()
    clean(phone_page)


def test_print_stylesheet_hides_navigation_and_shows_link_urls(phone_page, base_url):
    phone_page.goto(base_url + "lessons/cz-wyc-anquan/")
    assert phone_page.locator(".md-header").is_visible()
    phone_page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".pufa-projector-toggle"):
        assert not phone_page.locator(selector).first.is_visible(), selector
    after = phone_page.eval_on_selector(".pufa-lesson-case h3 a",
                                        "a => getComputedStyle(a, '::after').content")
    assert after == f'" ({base_url}cases/2024-0001/)"'        # absolute, so a handout says where
    assert phone_page.locator("h2#questions").is_visible()
    clean(phone_page)


def test_print_hides_the_search_box_of_the_home_page(phone_page, base_url):
    phone_page.goto(base_url)
    assert phone_page.locator(".pufa-search").first.is_visible()
    phone_page.emulate_media(media="print")
    assert not phone_page.locator(".pufa-search").first.is_visible()
    assert phone_page.locator("#complain").is_visible()          # the hotline stays on paper
    clean(phone_page)


def test_every_link_of_a_lesson_resolves(phone_page, base_url):
    phone_page.goto(base_url + "lessons/cz-wyc-anquan/")
    urls = phone_page.eval_on_selector_all(
        ".pufa-page a[href], .pufa-page [src], .pufa-page video[poster]",
        "els => els.map(e => e.href || e.src || e.poster)")
    urls = sorted({u.split("#")[0] for u in urls if u.startswith("http")})
    assert len(urls) >= 6
    for url in urls:
        assert phone_page.request.get(url).status == 200, url
    clean(phone_page)


def test_episode_video_plays_the_self_hosted_file(phone_page, base_url):
    phone_page.goto(base_url + "videos/qxh-t02/")
    video = phone_page.locator(".pufa-video video")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    phone_page.wait_for_function("() => document.querySelector('.pufa-video video').currentTime > 0.5",
                                 timeout=15000)
    src = video.evaluate("v => v.currentSrc")
    assert src == base_url + "videos/media/qxh-t02.mp4"
    tracks = video.evaluate("v => Array.from(v.textTracks).map(t => t.language)")
    assert tracks == ["zh"]
    clean(phone_page)


def test_projector_view_enlarges_type_and_hides_navigation(phone_page, base_url):
    phone_page.set_viewport_size({"width": 1280, "height": 800})
    phone_page.goto(base_url + "lessons/cz-wyc-anquan/")
    normal = phone_page.eval_on_selector("h2#outline + ol li", "e => parseFloat(getComputedStyle(e).fontSize)")
    phone_page.click("button.pufa-projector-toggle")
    assert "pufa-projector" in phone_page.eval_on_selector("html", "e => e.className")
    big = phone_page.eval_on_selector("h2#outline + ol li", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert big >= 1.8 * normal
    phone_page.goto(base_url + "lessons/cz-wyc-anquan/?projector")
    assert "pufa-projector" in phone_page.eval_on_selector("html", "e => e.className")
    assert not phone_page.locator(".md-sidebar--primary").is_visible()
    clean(phone_page)


def test_vehicle_playlist_fills_the_screen_and_plays_by_itself(phone_page, base_url):
    phone_page.goto(base_url + "videos/playlist/")
    phone_page.wait_for_function(
        "() => { const v = document.querySelector('[data-pufa-playlist] video'); return v && v.currentTime > 0.5; }",
        timeout=15000)
    box = phone_page.locator("[data-pufa-playlist]").bounding_box()
    assert box["width"] == 390 and box["height"] == 844
    state = phone_page.eval_on_selector("[data-pufa-playlist] video",
                                        "v => ({muted: v.muted, controls: v.controls, loop: v.loop, src: v.currentSrc})")
    assert state["muted"] and not state["controls"] and state["loop"]      # one item: it loops itself
    assert state["src"].endswith("/videos/media/qxh-t02.mp4")
    clean(phone_page)
