"""The annotation tool in real Chromium: open, seek, edit with the keyboard, save, export."""
from __future__ import annotations

import time

import json
import shutil
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from conftest import start_annotation_tool
from generator.annotate.sample import make_project
from generator.annotate.store import Store
from generator.records.transcript import load_annotations, load_transcript

pytestmark = pytest.mark.browser

VIDEO = Path(__file__).parent / "data" / "video"
TID = "demo-live"


def serve(root: Path):
    return start_annotation_tool(root)


@pytest.fixture
def tool(tmp_path):
    root = tmp_path / "proj"
    folder = make_project(root, transcript_id=TID, media=VIDEO / "demo-livestream.mp4")
    shutil.copytree(VIDEO.parent.parent.parent / "data" / "laws", root / "data" / "laws")
    server, thread, port, token = serve(root)
    yield SimpleNamespace(root=root, folder=folder, url=f"http://127.0.0.1:{port}/", token=token)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def desk(browser):
    """A desktop page (staff PCs) that records console errors and blocks outside requests."""
    def make(**options):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                      accept_downloads=True, **options)
        page = context.new_page()
        page.console_errors = []
        page.outside_requests = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))

        def route(r):
            if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                r.continue_()
            else:
                page.outside_requests.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        contexts.append(context)
        return page

    contexts: list = []
    yield make
    for context in contexts:
        context.close()


def open_doc(page, tool):
    page.goto(tool.url + "#/t/" + TID)
    expect(page.locator(".seg")).to_have_count(12)
    return page


def saved_version(page, version: int | None = None) -> None:
    """Wait until autosave has written everything (and, when given, reached `version`)."""
    text = f"已保存 · 版本 {version}" if version is not None else re.compile(r"^已保存 · 版本 \d+$")
    expect(page.locator("#save-state")).to_have_text(text, timeout=10_000)


def test_list_then_open_with_media_and_no_outside_requests(tool, desk):
    page = desk()
    page.goto(tool.url)
    link = page.get_by_role("link", name="网约车执法直播")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator(".seg")).to_have_count(12)
    expect(page.locator("#doc-title")).to_have_text("网约车执法直播")
    expect(page.locator("#keys")).to_contain_text("在光标处拆分")   # shortcuts are on the page
    expect(page.locator("#player")).to_have_js_property("readyState", 4, timeout=10_000)
    assert page.console_errors == [] and page.outside_requests == []


def test_click_a_segment_seeks_the_player(tool, desk):
    page = open_doc(desk(), tool)
    expect(page.locator("#player")).to_have_js_property("readyState", 4, timeout=10_000)
    segments = json.loads((tool.folder / "transcript.json").read_text(encoding="utf-8"))["segments"]
    page.locator(".seg").nth(7).locator(".text").click()
    expect(page.locator("#player")).to_have_js_property("currentTime", segments[7]["start"])
    expect(page.locator(".seg").nth(7)).to_have_class("seg cur playing")
    # keyboard: next segment seeks too, forward 3 s
    page.keyboard.press("ArrowDown")
    expect(page.locator("#player")).to_have_js_property("currentTime", segments[8]["start"])
    page.keyboard.press("ArrowRight")
    expect(page.locator("#player")).to_have_js_property("currentTime", segments[8]["start"] + 3)


def test_edit_save_reload_shows_the_edit(tool, desk):
    page = open_doc(desk(), tool)
    page.locator("#segments").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    editor = page.locator("textarea.edit")
    expect(editor).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type("（已校对）")
    page.keyboard.press("Enter")
    saved_version(page, 1)
    assert load_transcript(tool.folder / "transcript.json").segments[1].text == "今天我们在检测站现场检查网约车和货车。（已校对）"
    page.reload()
    expect(page.locator(".seg").nth(1).locator(".text")).to_have_text("今天我们在检测站现场检查网约车和货车。（已校对）")
    expect(page.locator("#save-state")).to_have_text("已保存 · 版本 1")


def test_stale_save_is_refused_and_shown(tool, desk):
    page = open_doc(desk(), tool)
    # another window saves first
    Store(tool.root, tool.root / "transcripts").save(
        TID, base_version=0, base_hash=None, annotations={"chapters": [{"id": "c1", "title": "另一个窗口", "start": 0}]})
    page.locator("#segments").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("改")
    page.keyboard.press("Escape")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("保存被拒绝：文件在你打开之后已被其他窗口或他人修改（当前版本 1，你的修改基于版本 0）",
                                   timeout=10_000)
    expect(page.locator("#save-state")).to_have_text("未保存：有冲突")
    with page.expect_download() as info:       # nothing is lost: the work can be taken along
        page.get_by_role("button", name="下载未保存的修改").click()
    unsaved = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert unsaved["based_on_version"] == 0
    assert [s["text"] for s in unsaved["changed_segments"]] == ["大家好，欢迎来到济南交通运输执法直播间。改"]
    saved = load_annotations(tool.folder / "annotations.json")
    assert saved.version == 1 and [c.title for c in saved.chapters] == ["另一个窗口"]
    assert load_transcript(tool.folder / "transcript.json").segments[0].text == "大家好，欢迎来到济南交通运输执法直播间。"


def test_redaction_by_keyboard_is_applied_to_the_export(tool, desk):
    page = open_doc(desk(), tool)
    page.locator("#segments").focus()
    page.keyboard.press("ArrowDown")          # 今天我们在检测站现场检查网约车和货车。
    page.keyboard.press("Enter")
    page.keyboard.press("Home")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Alt+r")
    expect(page.locator(".seg").nth(1).locator(".red-kept")).to_have_text("检测站")
    # the transcription flag: accept it as a redaction
    page.get_by_role("button", name="接受：隐去").click()
    saved_version(page)
    with page.expect_download() as info:
        page.locator("#btn-vtt").click()
    vtt = Path(info.value.path()).read_text(encoding="utf-8")
    cues = vtt.split("\n\n")
    assert cues[2].endswith("今天我们在[已隐去]现场检查网约车和货车。")     # segment 2 redacted …
    assert cues[10].endswith("今天我们在检测站现场检查网约车和货车。")      # … segment 10 (same words) not
    assert "13812345678" not in vtt and "我的电话是[已隐去]" in vtt
    redactions = load_annotations(tool.folder / "annotations.json").redactions
    assert [(r.segment_id, r.start_char, r.end_char, r.state, r.text) for r in redactions] == [
        (2, 5, 8, "kept", "检测站"), (6, 5, 16, "kept", "13812345678")]
    assert redactions[0].start < redactions[0].end
    log = (tool.folder / "redaction-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["action"] for line in log] == ["created", "created"]


def test_split_at_cursor_divides_time_by_word_timings_and_merge_undoes_it(tool, desk):
    page = open_doc(desk(), tool)
    before = load_transcript(tool.folder / "transcript.json").segments[0]
    page.locator("#segments").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".seg")).to_have_count(13)
    page.keyboard.press("Escape")
    saved_version(page, 1)
    segments = load_transcript(tool.folder / "transcript.json").segments
    assert [s.text for s in segments[:2]] == ["大家好，", "欢迎来到济南交通运输执法直播间。"]
    assert segments[0].end == segments[1].start == before.words[4].start
    assert [w.word for w in segments[1].words][:2] == ["欢", "迎"]
    assert all(a.start <= b.start for a, b in zip(segments, segments[1:]))
    assert len({s.id for s in segments}) == 13
    page.keyboard.press("ArrowUp")
    page.keyboard.press("m")
    expect(page.locator(".seg")).to_have_count(12)
    saved_version(page, 2)
    merged = load_transcript(tool.folder / "transcript.json").segments[0]
    assert (merged.text, merged.start, merged.end) == (before.text, before.start, before.end)
    page.keyboard.press("Control+z")           # undo the merge
    expect(page.locator(".seg")).to_have_count(13)
    page.keyboard.press("Control+y")
    expect(page.locator(".seg")).to_have_count(12)


def test_speakers_chapters_and_highlights_by_keyboard(tool, desk):
    page = open_doc(desk(), tool)
    page.locator("#segments").focus()
    page.get_by_label("说话人 SPEAKER_01 的名字", exact=True).fill("主持人")
    page.get_by_label("说话人 SPEAKER_01 的名字", exact=True).press("Enter")
    page.locator("#segments").focus()
    page.keyboard.press("c")
    title = page.get_by_label("章节标题", exact=True)
    expect(title).to_be_focused()
    page.keyboard.type("开场")
    page.keyboard.press("Enter")
    expect(page.locator(".seg .chap").first).to_have_text("开场")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")          # 根据行政处罚法第三十三条…
    page.keyboard.press("h")
    page.get_by_label("标题", exact=True).fill("首违不罚")
    page.get_by_label("法律名称（如 中华人民共和国行政处罚法）", exact=True).fill("中华人民共和国行政处罚法")
    page.get_by_label("条文（如 第三十三条）", exact=True).fill("第三十三条")
    page.get_by_label("条文（如 第三十三条）", exact=True).press("Tab")
    from generator.site.render import law_url
    expect(page.locator("#highlight-list a")).to_have_attribute(
        "href", "/site/" + law_url("中华人民共和国行政处罚法", "33"))
    page.locator("#segments").focus()
    page.keyboard.press("1")                  # current segment → first speaker
    expect(page.locator(".seg").nth(4).locator(".spk")).to_have_text("主持人")
    saved_version(page)
    ann = load_annotations(tool.folder / "annotations.json")
    assert ann.speakers == {"SPEAKER_01": "主持人"}
    assert [(c.title, c.start) for c in ann.chapters] == [("开场", 0)]
    assert [(h.title, h.law, h.article, h.segment_ids) for h in ann.highlights] == [
        ("首违不罚", "中华人民共和国行政处罚法", "第三十三条", [5])]
    assert load_transcript(tool.folder / "transcript.json").segments[4].speaker == "SPEAKER_01"
    with page.expect_download() as info:
        page.locator("#btn-srt").click()
    srt = Path(info.value.path()).read_text(encoding="utf-8")
    assert "主持人" in srt and "SPEAKER_01" not in srt


def test_find_and_replace_across_the_transcript(tool, desk):
    page = open_doc(desk(), tool)
    page.locator("#segments").focus()
    page.keyboard.press("Control+f")
    expect(page.locator("#find-text")).to_be_focused()
    page.keyboard.type("货车")
    expect(page.locator("#find-count")).to_have_text("3 段含有")
    expect(page.locator(".match").first).to_have_text("货车")
    page.locator("#replace-text").fill("载货汽车")
    page.locator("#btn-replace-all").click()
    expect(page.locator("#find-count")).to_have_text("替换了 3 处")
    saved_version(page, 1)
    texts = [s.text for s in load_transcript(tool.folder / "transcript.json").segments]
    assert sum("载货汽车" in t for t in texts) == 3 and not any("货车" in t.replace("载货汽车", "") for t in texts)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    saved_version(page, 2)
    texts = [s.text for s in load_transcript(tool.folder / "transcript.json").segments]
    assert not any("载货汽车" in t for t in texts)


INJECTIONS = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>"]


def test_html_in_segments_chapters_and_speakers_stays_text(tool, desk):
    path = tool.folder / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["segments"][0]["text"] = INJECTIONS[0]
    data["segments"][0]["words"] = []
    data["segments"][1]["text"] = INJECTIONS[1]
    data["segments"][1]["words"] = []
    data["segments"][2]["speaker"] = INJECTIONS[0]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tool.folder / "annotations.json").write_text(json.dumps({
        "version": 0, "chapters": [{"id": "c1", "title": INJECTIONS[0], "start": 0}],
        "speakers": {INJECTIONS[0]: INJECTIONS[1]},
    }), encoding="utf-8")
    # CSP off: only our own text handling stands between the data and the DOM
    page = open_doc(desk(bypass_csp=True), tool)
    expect(page.locator(".seg").nth(0).locator(".text")).to_have_text(INJECTIONS[0])
    expect(page.locator(".seg").nth(1).locator(".text")).to_have_text(INJECTIONS[1])
    expect(page.locator(".seg .chap").first).to_have_text(INJECTIONS[0])
    expect(page.locator(".seg").nth(2).locator(".spk")).to_have_text(INJECTIONS[1])
    page.get_by_role("tab", name="章节").click()
    expect(page.locator("#chapter-list input")).to_have_value(INJECTIONS[0])
    assert page.locator("#segments img, #segments script, #side img, #side script").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.outside_requests == []


def test_long_transcript_renders_only_what_is_visible(tmp_path, desk):
    root = tmp_path / "long"
    make_project(root, transcript_id="long", count=4000, seconds=3 * 3600, media=VIDEO / "demo-livestream.mp4")
    server, thread, port, _ = serve(root)
    try:
        page = desk()
        page.goto(f"http://127.0.0.1:{port}/#/t/long")
        # generous: the machine running the suite may be busy; bench/annotate.py measures speed
        expect(page.locator(".seg").first).to_be_visible(timeout=30_000)
        assert page.locator(".seg").count() <= 300
        page.locator("#segments").focus()
        page.keyboard.press("Control+f")
        page.keyboard.type("电话是")
        expect(page.locator("#find-count")).to_have_text("42 段含有", timeout=15_000)
        for _ in range(31):                     # Enter = next match: the 31st is far down
            page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        cur = page.locator(".seg.cur")
        expect(cur).to_have_attribute("data-i", str(5 + 97 * 30), timeout=15_000)
        expect(cur).to_be_in_viewport()
        # Rows passed over by the jump are emptied by the IntersectionObserver's next
        # callbacks, which a busy machine may deliver late: wait for the DOM to settle.
        # Polled from here: the tool's CSP (script-src 'self') forbids the eval that
        # Playwright's in-page wait_for_function polling uses once a first check fails.
        deadline = time.monotonic() + 15
        while page.evaluate("document.querySelectorAll('.seg').length") > 300 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert page.evaluate("document.querySelectorAll('.seg').length") <= 300
        assert page.console_errors == []
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_redactions_follow_text_edits_and_never_shrink(tool, desk):
    """The page's edit logic, in Chromium: a span moves with its text, grows over a change
    that touches it, and disappears only when its text is deleted."""
    page = open_doc(desk(), tool)
    result = page.evaluate("""() => {
        const E = window.PufaEdit;
        const seg = {id: 1, start: 0, end: 10, text: "我的电话是13812345678，有事联系我。", words: []};
        const red = [{id: "r", segment_id: 1, start_char: 5, end_char: 16, text: "13812345678"}];
        const show = (r) => r.spans.map((s) => [s.start_char, s.end_char, s.text]);
        return {
          before: show(E.setText(seg, "喂，我的电话是13812345678，有事联系我。", red)),
          inside: show(E.setText(seg, "我的电话是138123456789，有事联系我。", red)),
          overlap: show(E.setText(seg, "我的手机号13812345678，有事联系我。", red)),
          after: show(E.setText(seg, "我的电话是13812345678。", red)),
          deleted: show(E.setText(seg, "我的电话是，有事联系我。", red)),
          pair: show(E.setText({id: 1, text: "𠀀138"}, "𠀁138", [{id: "r", segment_id: 1, start_char: 1, end_char: 4}])),
          astral: show(E.setText({id: 1, text: "𠀀电话13812345678"}, "𠀀𠀀电话13812345678",
                                 [{id: "r", segment_id: 1, start_char: 3, end_char: 14}])),
        };
    }""")
    assert result["before"] == [[7, 18, "13812345678"]]
    assert result["inside"] == [[5, 17, "138123456789"]]
    assert result["overlap"] == [[5, 16, "13812345678"]]
    assert result["after"] == [[5, 16, "13812345678"]]
    assert result["deleted"] == []
    assert result["astral"] == [[4, 15, "13812345678"]]   # code points, as Python counts them
    assert result["pair"] == [[1, 4, "138"]]


def test_current_segment_follows_playback(tool, desk):
    page = open_doc(desk(), tool)
    expect(page.locator("#player")).to_have_js_property("readyState", 4, timeout=10_000)
    page.locator("#segments").focus()
    page.keyboard.press("Space")                # play
    expect(page.locator("#player")).to_have_js_property("paused", False)
    expect(page.locator(".seg.cur")).to_have_attribute("data-i", "2", timeout=10_000)   # 2.83 s …
    expect(page.locator(".seg.playing")).to_have_attribute("data-i", "2")
    page.keyboard.press("Space")                # pause
    expect(page.locator("#player")).to_have_js_property("paused", True)
    page.keyboard.press("]")
    expect(page.locator("#rate")).to_have_text("1.1")
    assert page.evaluate("document.querySelector('#player').playbackRate") == 1.1


def test_glossary_terms_mishearings_and_unsure_words_are_marked(tool, desk):
    (tool.root / "data").mkdir(exist_ok=True)
    (tool.root / "data" / "glossary.yaml").write_text(
        "terms:\n  - term: 网约车\n    aliases: [往约车]\n  - term: 检测站\n", encoding="utf-8")
    path = tool.folder / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["segments"][1]["text"] = "今天我们在检测站现场检查往约车和货车。"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    page = open_doc(desk(), tool)
    row = page.locator(".seg").nth(1)
    expect(row.locator(".gloss")).to_have_text("检测站")
    expect(row.locator(".alias")).to_have_text("往约车")
    expect(row.locator(".alias")).to_have_attribute("title", "可能应为：网约车")
    # synthetic words: every 23rd character has probability 0.35
    low = [(i, k) for i, s in enumerate(data["segments"][:12]) for k, w in enumerate(s["words"])
           if w["probability"] < 0.5 and s["text"][k] == w["word"]]
    assert page.locator(".seg .low").count() == len(low) > 0
    expect(page.locator(".seg .low").first).to_have_attribute("title", "识别把握不大 35%")


def test_what_the_build_would_refuse_is_flagged_while_annotating(tool, desk):
    page = open_doc(desk(), tool)
    page.locator("#segments").focus()
    page.keyboard.press("c")
    expect(page.locator("#chapter-list .warn")).to_have_text("请填写标题（空标题发布时会报错）")
    page.locator("#segments").focus()
    page.keyboard.press("c")                  # same time again: no second chapter
    expect(page.locator("#chapter-list li")).to_have_count(1)
    expect(page.get_by_label("章节标题", exact=True)).to_be_focused()
    page.keyboard.type("开场")
    page.keyboard.press("Enter")
    expect(page.locator("#chapter-list .warn")).to_have_count(0)
    page.locator("#segments").focus()
    page.keyboard.press("h")
    law = page.get_by_label("法律名称（如 中华人民共和国行政处罚法）", exact=True)
    law.fill("中华人民共和国治安管理处罚法")
    law.press("Tab")
    expect(page.locator("#highlight-list .warn")).to_have_text(
        "发布时会报错：未知的法律《中华人民共和国治安管理处罚法》/ unknown law: use a title from data/laws/catalog.yaml")
    law.fill("公路安全保护条例")
    law.press("Tab")
    expect(page.locator("#highlight-list a")).to_have_text("《公路安全保护条例》")
    saved_version(page)
    ann = load_annotations(tool.folder / "annotations.json")
    assert [c.title for c in ann.chapters] == ["开场"] and ann.highlights[0].law == "公路安全保护条例"
