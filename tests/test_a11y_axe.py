"""Accessibility as a test: axe-core (installed by `make test` into .axe/) runs in Debian's
Chromium over every page type of the demo site, at phone and desktop width and in the
大字 / 高对比度 modes, and any serious or critical violation fails the test with the
rule, the impact and the first offending elements."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import serve_built_demo

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"

# One page of each type the site has (the demo has every type).
PAGE_TYPES = {
    "home": "",
    "case listing": "cases/",
    "category listing": "cases/category/wang-yue-che/",
    "filtered case listing": "cases/?category=wang-yue-che&year=2024",
    "case": "cases/2024-1001/",
    "discretion list": "discretion/",
    "video index": "videos/",
    "video by audience": "videos/audiences/",
    "episode (playable)": "videos/qxh-001/",
    "episode (no file)": "videos/qxh-006/",
    "lesson index": "lessons/",
    "lesson": "lessons/xx-chuzuche-anquan/",
    "lesson pack": "lessons/firms/",
    "livestream index": "livestreams/",
    "livestream recap": "livestreams/demo-livestream/",
    "law index": "laws/",
    "law": "laws/wang-luo-yu-yue-chu-zu-qi-che-jing-ying-fu-wu-guan-li-zan-xing-ban-fa/",
    "open data": "open-data/",
    "search results": "search/?q=网约车",
}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run 'make axe' (make test does it)")
    yield from serve_built_demo(tmp_path_factory.mktemp("a11y"))


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'],
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(0, 2).join(' '))}));
    }""")
    return [f"{v['impact']} {v['id']} ({v['help']}): " + json.dumps(v["nodes"], ensure_ascii=False) for v in result]


def _open(browser, url: str, width: int, size: str = "", contrast: bool = False):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 768},
                                  locale="zh-CN", is_mobile=width < 500, has_touch=width < 500)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())
    if size or contrast:
        context.add_init_script(f"localStorage.setItem('pufa-size', '{size or 'standard'}');"
                                f"localStorage.setItem('pufa-contrast', '{'high' if contrast else 'normal'}');")
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_serious_or_critical_axe_violation_on_a_phone(browser, demo_url, kind):
    context, page = _open(browser, demo_url + PAGE_TYPES[kind], 390)
    try:
        if kind == "search results":
            page.wait_for_selector(".pufa-result", timeout=15_000)
        if kind == "filtered case listing":                 # the cards and counts drawn by the filters
            page.wait_for_function("document.querySelector('.pufa-count').textContent.includes('同时筛选')")
        assert serious_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["home", "case", "discretion list", "livestream recap", "law", "open data"])
def test_no_serious_or_critical_axe_violation_on_a_desktop(browser, demo_url, kind):
    context, page = _open(browser, demo_url + PAGE_TYPES[kind], 1366)
    try:
        assert serious_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["home", "case", "video index", "livestream recap", "filtered case listing"])
def test_no_serious_or_critical_axe_violation_in_large_type_and_high_contrast(browser, demo_url, kind):
    context, page = _open(browser, demo_url + PAGE_TYPES[kind], 390, size="xlarge", contrast=True)
    try:
        assert page.evaluate("document.documentElement.getAttribute('data-pufa-contrast')") == "high"
        assert serious_violations(page) == []
    finally:
        context.close()
