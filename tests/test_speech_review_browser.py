"""Reviewing a long stream in the annotation tool (real Chromium, real server, real ffmpeg):
bulk decisions on suggested redactions, reasons for releasing numbers, segment times by
keyboard, the waveform overview, personal data typed while correcting."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from conftest import start_annotation_tool
from generator.annotate.sample import make_project
from generator.records.transcript import load_annotations, load_transcript

pytestmark = pytest.mark.browser

VIDEO = Path(__file__).parent / "data" / "video"
TID = "long-live"


def _serve(root: Path):
    server, thread, port, _ = start_annotation_tool(root)
    return server, thread, port


@pytest.fixture
def tool(tmp_path):
    root = tmp_path / "proj"
    # 300 segments: a phone number is said in segments 6, 103, 200 and 297 (4 suggestions)
    folder = make_project(root, transcript_id=TID, count=300, seconds=17.0, media=VIDEO / "demo-livestream.mp4")
    server, thread, port = _serve(root)
    yield SimpleNamespace(root=root, folder=folder, url=f"http://127.0.0.1:{port}/")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def _open(page, tool):
    page.goto(tool.url + "#/t/" + TID)
    expect(page.locator("#doc-title")).to_have_text("网约车执法直播")
    expect(page.locator(".seg").first).to_be_visible()


def _saved(page):
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^已保存 · 版本 \d+$"), timeout=10_000)


def test_all_suggestions_of_a_kind_are_accepted_in_one_click(tool, page):
    _open(page, tool)
    page.get_by_role("tab", name="隐去").click()
    expect(page.locator("#bulk-count")).to_have_text("待定 4 处")
    page.locator("#bulk-kind").select_option("phone")
    page.get_by_role("button", name="列出的全部：隐去").click()
    expect(page.locator("#bulk-count")).to_have_text("待定 0 处")
    _saved(page)
    redactions = load_annotations(tool.folder / "annotations.json").redactions
    assert sorted((r.segment_id, r.state, r.text) for r in redactions) == [
        (6, "kept", "13812345678"), (103, "kept", "13812345678"), (200, "kept", "13812345678"),
        (297, "kept", "13812345678")]
    assert page.errors == []


def test_releasing_phone_numbers_asks_for_a_reason_and_logs_it(tool, page):
    _open(page, tool)
    page.get_by_role("tab", name="隐去").click()
    page.once("dialog", lambda d: d.dismiss())          # no reason given: nothing is released
    page.get_by_role("button", name="列出的全部：公开…").click()
    expect(page.locator("#bulk-count")).to_have_text("待定 4 处")
    page.once("dialog", lambda d: d.accept("本人要求公开的单位热线"))
    page.get_by_role("button", name="列出的全部：公开…").click()
    expect(page.locator("#bulk-count")).to_have_text("待定 0 处")
    _saved(page)
    redactions = load_annotations(tool.folder / "annotations.json").redactions
    assert {(r.state, r.reason) for r in redactions} == {("released", "本人要求公开的单位热线")}
    log = [json.loads(line) for line in (tool.folder / "redaction-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(log) == 4 and {e["reason"] for e in log} == {"本人要求公开的单位热线"}


def test_suggestions_can_be_narrowed_to_a_chapter_before_deciding(tool, page):
    _open(page, tool)
    page.locator("#segments").focus()
    page.keyboard.press("c")      # a chapter at 0 s
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="隐去").click()
    page.locator("#bulk-chapter").select_option("0")
    expect(page.locator("#bulk-count")).to_have_text("待定 4 处")   # one chapter covers everything


def test_segment_start_and_end_move_by_keyboard_and_stay_in_order(tool, page):
    _open(page, tool)
    before = load_transcript(tool.folder / "transcript.json").segments
    page.locator("#segments").focus()
    page.keyboard.press("ArrowDown")                  # segment 2 (segments are 0.057 s apart here)
    page.keyboard.press("Alt+4")
    page.keyboard.press("Alt+4")
    _saved(page)
    after = load_transcript(tool.folder / "transcript.json").segments
    assert after[1].end == pytest.approx(before[1].end + 0.2, abs=1e-3)
    for _ in range(3):                                # never before the previous segment's start
        page.keyboard.press("Alt+1")
    _saved(page)
    after = load_transcript(tool.folder / "transcript.json").segments
    assert after[1].start == pytest.approx(after[0].start, abs=1e-3)
    page.keyboard.press("Alt+2")                      # +0.1 s, still before the next segment
    _saved(page)
    after = load_transcript(tool.folder / "transcript.json").segments
    assert after[1].start == pytest.approx(after[0].start + 0.1, abs=1e-3)
    assert [s.start for s in after] == sorted(s.start for s in after)


def test_waveform_is_computed_once_beside_the_transcript_and_drawn(tool, page):
    _open(page, tool)
    expect(page.locator("#wave-box")).to_be_visible()
    wave = json.loads((tool.folder / "waveform.json").read_text(encoding="utf-8"))
    assert wave["seconds_per_peak"] == 0.2 and 15.0 < wave["duration"] < 17.0   # the media: 15.8 s
    assert len(wave["peaks"]) == pytest.approx(wave["duration"] / 0.2, abs=2)
    assert (tool.folder / "waveform.json").stat().st_size < 2000
    assert max(wave["peaks"]) > 50                    # the demo stream has speech
    box = page.locator("#wave-overview").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    assert abs(page.evaluate("document.querySelector('#player').currentTime") - wave["duration"] / 2) < 1.0


def test_a_phone_number_typed_while_correcting_is_flagged(tool, page):
    _open(page, tool)
    page.locator("#segments").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.insert_text("电话幺三九一二三四五六七八")
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="隐去").click()
    expect(page.locator("#bulk-count")).to_have_text("待定 5 处")
    _saved(page)
    flags = load_transcript(tool.folder / "transcript.json").flags
    typed = [f for f in flags if f.segment_id == 1]
    assert [(f.kind, f.text) for f in typed] == [("phone", "幺三九一二三四五六七八")]


def test_loops_collapsed_by_transcription_are_marked_for_a_listen(tool, page):
    data = json.loads((tool.folder / "transcript.json").read_text(encoding="utf-8"))
    data["review"] = [{"segment_id": 3, "start": 0.1, "end": 0.2, "kind": "loop",
                       "note": "同一句重复 5 次，已合并为一句，请听一遍"}]
    (tool.folder / "transcript.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _open(page, tool)
    marked = page.locator(".seg .review")
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("title", "同一句重复 5 次，已合并为一句，请听一遍")
    assert page.locator(".seg").nth(2).locator(".review").count() == 1
    page.locator("#segments").focus()
    page.keyboard.press("Alt+4")                      # any edit: the marks survive the save
    _saved(page)
    saved = load_transcript(tool.folder / "transcript.json")
    assert [(m.segment_id, m.kind) for m in saved.review] == [(3, "loop")]
