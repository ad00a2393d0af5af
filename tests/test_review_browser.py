"""The review page in real Chromium: open a pending case with the keyboard, hide a suspect,
approve, and the approval lands in the project's approvals file."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect

from generator.annotate.server import _bind
from generator.cli import main
from generator.config import load_config
from generator.review.approvals import approvals_path
from generator.review.server import create_app

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parent.parent / "demo" / "raw" / "典型案例导出-2024.xlsx"


@pytest.fixture
def review_tool(tmp_path, capsys):
    project = tmp_path / "proj"
    main(["init", str(project)])
    main(["import-cases", str(DEMO), "--into", str(project / "cases_public")])
    capsys.readouterr()
    path = project / "cases_public" / "2024-2103.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nfacts: ", "\nfacts: 另查，登记号码5302 1987 4411。", 1),
                    encoding="utf-8")
    sock = _bind(0)
    port = sock.getsockname()[1]
    app = create_app(load_config(project), port=port, reviewer="")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        assert time.time() < deadline, "the review page did not start"
        time.sleep(0.02)
    yield project, f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_reviewer_hides_a_suspect_and_approves_a_case_with_the_keyboard(browser, review_tool):
    project, url = review_tool
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:"))
                  else (outside.append(r.request.url), r.abort()))
    try:
        page.goto(url)
        expect(page.locator("#counts")).to_have_text("待审核 6 条 · 已批准 0 条")
        page.fill("#reviewer", "李审核")
        page.locator("#records button", has_text="2024-2103").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#record-title")).to_contain_text("2024-2103")
        suspect = page.locator("#items li", has_text="5302 1987 4411")
        expect(suspect).to_contain_text("未处理")
        suspect.focus()
        page.keyboard.press("h")                       # hide this suspect
        expect(suspect).to_contain_text("隐去")
        expect(page.locator("#fields")).not_to_contain_text("5302 1987 4411")
        page.click("#accept-all")                      # the rest: accepted as they are
        page.locator(".field", has_text="执法人员说法").get_by_role("button", name="编辑全文").click()
        area = page.locator('textarea[data-field="explanation"]')
        expect(area).to_be_focused()
        page.keyboard.press("End")
        page.keyboard.type("（已复核）")
        page.keyboard.press("Control+Enter")           # save and approve
        expect(page.locator("#counts")).to_have_text("待审核 5 条 · 已批准 1 条")
        expect(page.locator("#records")).not_to_contain_text("2024-2103")
    finally:
        context.close()
    record = (project / "cases_public" / "2024-2103.yaml").read_text(encoding="utf-8")
    assert "另查，登记号码[已隐去]。" in record
    assert "（已复核）" in record.split("explanation:", 1)[1]
    approvals = [json.loads(line) for line in approvals_path(project / "cases_public").read_text().splitlines()]
    assert [(a["id"], a["by"], a["via"]) for a in approvals] == [("2024-2103", "李审核", "review page")]
    assert errors == [] and outside == []
