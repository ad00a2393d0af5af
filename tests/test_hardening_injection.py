"""Markup planted in every field a person can write — case fields, the discretion list,
episodes, lessons, a livestream's transcript lines, speaker names, chapter titles,
highlight notes and meta — is text on every built page and in search results (Pagefind
excerpts rendered by search.js), in Debian's Chromium: nothing runs, no element or
javascript: link is made from it."""
from __future__ import annotations

import json
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.site.serve import make_server
from generator.review.approvals import approve_all
from test_hardening_project import make_full_project
from test_recaps_project import LIVE_ID

MARK = "注入测试"
PAYLOAD = (f"{MARK}<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"
           "\"><svg onload=window.__pwned=3>'><a href=\"javascript:window.__pwned=4\">链接</a>"
           "[点我](javascript:window.__pwned=5) **粗体** {{ 7*191 }} {% raw %} </div><!-- "
           "\n---\ntitle: 伪造\n---\n# 伪标题\n<style>body{display:none}</style>")
# As a reader must see it: the markup as characters (whitespace may be folded).
SHOWN = f"{MARK}<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>"


def _yaml_edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _json_edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def plant(project: Path) -> None:
    def case(data):
        for name in ("title", "place", "cause", "facts", "investigation", "decision", "explanation"):
            data[name] = f"{name}：{PAYLOAD}"
        data["tags"] = [PAYLOAD]
    _yaml_edit(project / "cases_public" / "2024-0001.yaml", case)

    def discretion(data):
        item = data["items"][0]
        item.update(violation=PAYLOAD, outcome=PAYLOAD, note=PAYLOAD, conditions=[PAYLOAD, "初次违法"])
    _yaml_edit(project / "data" / "discretion.yaml", discretion)

    def episodes(data):
        data["episodes"][1].update(title=f"泉小慧{PAYLOAD}", summary=PAYLOAD)
    _yaml_edit(project / "data" / "episodes.yaml", episodes)

    def lessons(data):
        data["lessons"][0].update(title=f"课程{PAYLOAD}", goals=[PAYLOAD], outline=[PAYLOAD], questions=[PAYLOAD])
    _yaml_edit(project / "data" / "lessons.yaml", lessons)

    live = project / "transcripts" / LIVE_ID

    def meta(data):
        data.update(title=f"直播{PAYLOAD}", summary=PAYLOAD, place=PAYLOAD, topics=[PAYLOAD])
    _yaml_edit(live / "meta.yaml", meta)

    def transcript(data):
        data["segments"][0]["text"] = PAYLOAD
    _json_edit(live / "transcript.json", transcript)
    _json_edit(project / "transcripts" / "qxh-t02" / "transcript.json", transcript)

    def annotations(data):
        data["chapters"][0]["title"] = PAYLOAD
        data["highlights"][0].update(title=PAYLOAD, note=PAYLOAD)
        data["speakers"]["S3"] = PAYLOAD
    _json_edit(live / "annotations.json", annotations)


class _Markup(HTMLParser):
    """Every element and attribute the browser would make from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "__pwned" in value:
                self.bad.append(f"<{tag} {name}=…>")
            if value.startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value[:30]}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.bad.append("<img src=x>")
        if tag == "svg" and any(n == "onload" for n, _ in attrs):
            self.bad.append("<svg onload>")

    def handle_data(self, data):
        if self._in_script and "__pwned" in data:
            self.bad.append("<script>…__pwned…</script>")

    def handle_endtag(self, tag):
        self._in_script = False


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    project = make_full_project(tmp_path_factory.mktemp("inject") / "project")
    plant(project)
    approve_all(project / "cases_public", "测试")      # the planted case is published once approved
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    return project


INJECTED_PAGES = ["cases/2024-0001/", "cases/", "discretion/", "videos/qxh-t02/", "lessons/cz-wyc-anquan/",
                  f"livestreams/{LIVE_ID}/", "videos/", "lessons/"]


def test_no_page_of_the_site_turns_planted_markup_into_elements(planted):
    site = planted / "site"
    found = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Markup()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.bad:
            found[path.relative_to(site).as_posix()] = parser.bad
    assert found == {}


def test_planted_markup_is_shown_escaped_on_every_page_that_carries_it(planted):
    site = planted / "site"
    escaped = f"{MARK}&lt;img src=x onerror=window.__pwned=1&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;"
    for url in INJECTED_PAGES:
        html = (site / url / "index.html").read_text(encoding="utf-8")
        assert escaped in html, url
        assert "{{ 7*191 }}" in html and "1337" not in html, f"{url}: record text went through a template"
        assert "<strong>粗体</strong>" not in html, f"{url}: record text became Markdown"


def _serve(site: Path):
    server = make_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def served(planted):
    server, url = _serve(planted / "site")
    yield url
    server.shutdown()
    server.server_close()


def _watch(page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def _not_run(page, dialogs) -> None:
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.locator("img[src='x'], svg[onload], a[href^='javascript:']").count() == 0
    assert page.outside_requests == [], page.outside_requests


@pytest.mark.browser
def test_pages_show_planted_markup_as_text_and_never_run_it(phone_page, served):
    dialogs = _watch(phone_page)
    for url in INJECTED_PAGES:
        phone_page.goto(served + url)
        text = " ".join(phone_page.locator("article").all_inner_texts())
        assert SHOWN in text, url
        _not_run(phone_page, dialogs)


@pytest.mark.browser
@pytest.mark.parametrize("where", ["search/", ""])
def test_search_results_show_planted_markup_as_text_and_never_run_it(phone_page, served, where):
    """Titles and excerpts come from Pagefind's index and are put in the page by
    search.js: the search page and the home page's live search."""
    dialogs = _watch(phone_page)
    phone_page.goto(served + where)
    phone_page.fill("input[name=q]", MARK)
    phone_page.wait_for_selector(".pufa-search__results li", timeout=15000)
    phone_page.wait_for_timeout(300)
    results = phone_page.locator(".pufa-search__results")
    shown = results.inner_text()
    assert "<img src=x onerror=window.__pwned=1>" in shown
    titles = phone_page.locator(".pufa-result__title").all_inner_texts()
    assert any(t.startswith(f"title：{MARK}<img src=x") for t in titles), titles
    assert results.locator("img, script, svg, strong").count() == 0
    hrefs = [results.locator("a").nth(i).get_attribute("href") for i in range(results.locator("a").count())]
    assert hrefs and not any(h.strip().lower().startswith("javascript:") for h in hrefs), hrefs
    _not_run(phone_page, dialogs)


# ── the annotation tool ───────────────────────────────────────────────────────
# Segments, chapter titles and speaker names are tested in test_annotate_browser.py; here
# the highlight fields, redaction texts and the transcript's meta (the list page).

from test_annotate_browser import TID, desk, open_doc, tool  # noqa: E402,F401  (fixtures)


@pytest.mark.browser
def test_the_annotation_tool_shows_planted_highlights_redactions_and_meta_as_text(tool, desk):
    (tool.folder / "annotations.json").write_text(json.dumps({
        "version": 0,
        "highlights": [{"id": "h1", "start": 0.0, "end": 2.0, "title": PAYLOAD, "law": PAYLOAD,
                        "article": PAYLOAD, "note": PAYLOAD, "segment_ids": [0]}],
        "redactions": [{"id": "r1", "segment_id": 0, "start_char": 0, "end_char": 2, "start": 0.0, "end": 1.0,
                        "state": "proposed", "kind": "name", "text": PAYLOAD}],
    }, ensure_ascii=False), encoding="utf-8")
    meta = tool.folder / "meta.yaml"
    _yaml_edit(meta, lambda data: data.update(title=PAYLOAD))
    page = desk(bypass_csp=True)          # only the tool's own text handling stands in the way
    dialogs = _watch(page)
    page.goto(tool.url)
    page.wait_for_selector("#list-view a, #list-view button", timeout=10_000)
    assert SHOWN in page.locator("#list-view").inner_text()
    open_doc(page, tool)
    page.get_by_role("tab", name="释法重点").click()
    side = page.locator("#highlight-list")
    values = [side.locator("input, textarea").nth(i).input_value() for i in range(side.locator("input, textarea").count())]
    assert PAYLOAD.replace("\n", "") in values, values    # a one-line field drops the line breaks only
    page.get_by_role("tab", name="隐去").click()
    assert MARK in page.locator("#redaction-list").inner_text()
    assert page.locator("#side img, #side script, #side svg, #segments img, #list-view img").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs
    assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
    assert page.outside_requests == []
