"""Issue 4's “done when”, on the repository's demo project in Debian's Chromium, with every
request leaving 127.0.0.1 blocked and recorded:

- a teacher finds a lesson for 初中 on 网约车 safety, prints it, and plays its episode
  from the site;
- a member of the public sees why a case was not punished and which item applied.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import serve_built_demo

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    yield from serve_built_demo(tmp_path_factory.mktemp("content-demo"))


def test_teacher_finds_prints_and_plays_a_junior_high_lesson_on_ride_hailing(phone_page, demo):
    page = phone_page
    page.goto(demo)
    page.click("a.pufa-pillar:has-text('普法')")
    lesson = page.locator("h3#chuzhong ~ ul a", has_text="网约车").first
    title = lesson.inner_text()
    lesson.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == title
    assert "初中" in page.locator(".pufa-page").inner_text()

    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    page.emulate_media(media="screen")

    video = page.locator(".pufa-lesson-episode video").first
    assert video.count() == 1, "the lesson has no episode that plays on the site"
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('.pufa-lesson-episode video').currentTime > 0.5",
                           timeout=15000)
    assert video.evaluate("v => v.currentSrc").startswith(demo)
    assert page.outside_requests == []
    assert page.console_errors == []


def test_public_sees_why_a_case_was_not_punished_and_which_item_applied(phone_page, demo):
    page = phone_page
    page.goto(demo + "discretion/")
    first = page.locator("#bu-yu-chu-fa ~ .pufa-grid .pufa-item-cases a").first
    case_title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == case_title
    text = page.locator(".pufa-page").inner_text()
    assert "不予处罚" in text and "执法人员说法" in text
    item_link = page.locator("a[href*='discretion/#']").first
    item_id = item_link.get_attribute("href").split("#")[1]
    item_link.click()
    page.wait_for_load_state()
    item = page.locator(f"article#{item_id}")
    assert item.is_visible()
    assert "适用条件" in item.inner_text() and "法律依据" in item.inner_text()
    assert page.outside_requests == []
    assert page.console_errors == []
