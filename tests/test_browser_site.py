"""The built site in Debian's Chromium at 390 px: find, read and search cases with
nothing loaded from outside 127.0.0.1 and no console error."""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import copy_demo
from generator.cli import main
from generator.site.serve import make_server
from generator.review.approvals import approve_all

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini-project"


def _serve(site: Path):
    server = make_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The repository's demo project, copied and built (a real `pufa build`)."""
    project = tmp_path_factory.mktemp("demo") / "demo"
    copy_demo(project)
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    server, url = _serve(project / "site")
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    project = tmp_path_factory.mktemp("inj") / "mini"
    shutil.copytree(MINI, project)
    case = project / "cases_public" / "2024-0002.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace(
        "facts: 李某初次接单2单即被发现，当场停止营运并承诺办理驾驶员证。",
        "facts: '<script>alert(1)</script><img src=x onerror=alert(2)>[点我](javascript:alert(3))'"), encoding="utf-8")
    approve_all(project / "cases_public", "测试")      # the edited case is published once approved
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    server, url = _serve(project / "site")
    yield url
    server.shutdown()
    server.server_close()


def _clean(page) -> None:
    assert page.console_errors == [], page.console_errors
    assert page.outside_requests == [], page.outside_requests
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_home_search_for_wangyueche_lists_matching_cases(phone_page, demo):
    phone_page.goto(demo)
    phone_page.fill("input[name=q]", "网约车")
    phone_page.wait_for_selector(".pufa-search__results li", timeout=15000)
    results = phone_page.locator(".pufa-result")
    titles = results.locator(".pufa-result__title").all_inner_texts()
    hrefs = [results.nth(i).locator("a").get_attribute("href") for i in range(results.count())]
    case_links = [h for h in hrefs if "/cases/" in h]
    assert len(case_links) >= 3, titles
    # exact phrase first: every result ranked above a non-matching one contains 网约车
    texts = results.all_inner_texts()
    matching = [("网约车" in t) for t in texts]
    assert matching[0] and matching == sorted(matching, reverse=True), texts
    assert phone_page.locator(".pufa-search__status").inner_text().startswith("找到")
    _clean(phone_page)


def test_case_page_reads_on_a_phone_and_links_to_its_law(phone_page, demo):
    phone_page.goto(demo + "cases/")
    phone_page.locator(".pufa-card__title").first.click()
    phone_page.wait_for_load_state()
    for heading in ("基本案情", "处罚依据", "处罚决定", "执法人员说法", "相关案例"):
        assert phone_page.locator("h2", has_text=heading).is_visible(), heading
    link = phone_page.locator("#basis a").first
    law_text = link.inner_text()
    link.click()
    phone_page.wait_for_load_state()
    assert "/laws/" in phone_page.url
    match = re.search(r"#(a[\d-]+)$", phone_page.url)
    assert match, phone_page.url
    assert phone_page.locator(f"[id='{match.group(1)}']").is_visible()
    assert law_text.split("》")[0].lstrip("《") in phone_page.locator("h1").inner_text()
    _clean(phone_page)


def test_category_facet_narrows_the_listing(phone_page, demo):
    phone_page.goto(demo + "cases/")
    chip = phone_page.locator(".pufa-facets a.pufa-chip", has_text="网约车").first
    # without scripts the chip is a link to the one-facet listing; with them it filters in place
    assert chip.get_attribute("data-static").endswith("cases/category/wang-yue-che/")
    chip.click()
    assert phone_page.url == demo + "cases/?category=wang-yue-che"
    phone_page.wait_for_function("document.querySelector('.pufa-count').textContent.includes('同时筛选')"
                                 " && !document.querySelector('[data-pufa-listing][aria-busy]')")
    cards = phone_page.locator(".pufa-card")
    assert cards.count() >= 1
    for i in range(cards.count()):
        assert cards.nth(i).locator(".pufa-card__meta .pufa-chip").first.inner_text() == "网约车"
    _clean(phone_page)


def test_search_page_filters_by_category(phone_page, demo):
    phone_page.goto(demo + "search/?q=罚款&category=超限超载")
    phone_page.wait_for_selector(".pufa-search__results li", timeout=15000)
    assert phone_page.locator("select[name=category]").input_value() == "超限超载"
    metas = phone_page.locator(".pufa-result__meta").all_inner_texts()
    assert metas and all(m.startswith("超限超载") for m in metas), metas
    _clean(phone_page)


def test_markup_in_facts_is_shown_as_text_and_never_runs(phone_page, injected):
    dialogs = []
    phone_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    phone_page.goto(injected + "cases/2024-0002/")
    facts = phone_page.locator("#facts .pufa-text").inner_text()
    assert "<script>alert(1)</script><img src=x onerror=alert(2)>[点我](javascript:alert(3))" in facts
    assert phone_page.locator("#facts a").count() == 0
    phone_page.wait_for_timeout(300)
    assert dialogs == []
    _clean(phone_page)
