"""Annotation tool timings on a 3-hour, 4,000-segment livestream transcript.

Prints numbers (no pass/fail): opening and saving through the HTTP API, and in Chromium
the page's first render, a save from the page, and a jump to a far segment.
Goal (issue 6): open and save under a second each for 4,000 segments.

    .venv/bin/python bench/annotate.py [--segments 4000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.annotate.sample import make_project  # noqa: E402
from generator.annotate.server import _bind, create_app  # noqa: E402
from generator.config import load_config  # noqa: E402

TID = "long-live"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def report(name: str, values: list[float], unit: str = "ms") -> None:
    print(f"{name:<44} median {statistics.median(values):8.1f} {unit}   max {max(values):8.1f} {unit}"
          f"   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=4000)
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        folder = make_project(root, transcript_id=TID, count=args.segments, seconds=args.hours * 3600,
                              media=ROOT / "tests" / "data" / "video" / "demo-livestream.mp4")
        size = (folder / "transcript.json").stat().st_size
        print(f"transcript: {args.segments} segments, {args.hours:g} h, transcript.json {size / 1e6:.1f} MB")

        sock = _bind(0)
        port = sock.getsockname()[1]
        app = create_app(load_config(root), port=port)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers={"X-Pufa-Token": app.token}, timeout=30) as client:
                opens, saves, one_saves, ann_saves, opens_after = [], [], [], [], []
                doc: dict = {}

                def do_open() -> None:
                    doc.update(client.get(f"/api/transcripts/{TID}").raise_for_status().json())

                for _ in range(args.repeat):
                    opens.append(timed(do_open))
                report("API open (GET, parse JSON)", opens)

                def do_save(text: str) -> None:
                    ann = dict(doc["annotations"])
                    ann.pop("version", None)
                    ann["chapters"] = [{"id": "c1", "title": f"开场 {time.time()}", "start": 0}]
                    body = {"base_version": doc["version"], "base_hash": doc["transcript_hash"], "annotations": ann}
                    segments = doc["transcript"]["segments"]
                    if text == "all":       # e.g. a replace-all that touched every segment
                        body["segments"] = segments
                    elif text == "one":     # the usual autosave: one segment corrected
                        body["segments"] = [{"id": s["id"], "same": True} for s in segments]
                        body["segments"][1234] = dict(segments[1234], text=segments[1234]["text"] + "。")
                    result = client.put(f"/api/transcripts/{TID}", content=json.dumps(body, ensure_ascii=False),
                                        headers={"Content-Type": "application/json"}).raise_for_status().json()
                    doc["version"], doc["transcript_hash"] = result["version"], result["transcript_hash"]

                for _ in range(args.repeat):
                    saves.append(timed(lambda: do_save("all")))
                    one_saves.append(timed(lambda: do_save("one")))
                    ann_saves.append(timed(lambda: do_save("none")))
                    opens_after.append(timed(do_open))
                report("API save, every segment sent (PUT)", saves)
                report("API save, one segment changed (PUT)", one_saves)
                report("API save, annotations only (PUT)", ann_saves)
                report("API open after a save (one line/segment)", opens_after)
                size = (folder / "transcript.json").stat().st_size
                print(f"transcript.json after saving: {size / 1e6:.1f} MB")

            if not args.no_browser:
                browser_numbers(f"{base}/#/t/{TID}", args.repeat)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def browser_numbers(url: str, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        # bypass_csp: the page forbids eval, which Playwright's wait_for_function needs
        page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        first, fetch, rows, wall, page_saves, jumps = [], [], [], [], [], []
        for _ in range(repeat):
            page.goto("about:blank")
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(".seg")
            page.wait_for_function("window.pufaAnnotate.state.timings.openMs !== undefined")
            wall.append((time.perf_counter() - start) * 1000)
            timings = page.evaluate("window.pufaAnnotate.state.timings")
            first.append(timings["openMs"])
            fetch.append(timings["fetchMs"])
            rows.append(page.locator(".seg").count())
            # an edit and a save from the page (Ctrl+S), text included
            page.locator("#segments").focus()
            page.keyboard.press("Enter")
            page.keyboard.press("End")
            page.keyboard.type("。")
            page.keyboard.press("Enter")
            page.keyboard.press("Control+s")
            page.wait_for_function("!window.pufaAnnotate.dirty() && window.pufaAnnotate.state.timings.saveMs")
            page_saves.append(page.evaluate("window.pufaAnnotate.state.timings.saveMs"))
            # jump to the far end with the find bar and measure until the row is painted
            start = time.perf_counter()
            page.keyboard.press("Control+f")
            page.keyboard.type("电话是")
            page.evaluate("window.pufaAnnotate.state.cur = window.pufaAnnotate.state.segs.length - 60")
            page.keyboard.press("Enter")
            page.wait_for_selector(".seg.cur")
            jumps.append((time.perf_counter() - start) * 1000)
        browser.close()
    report("page: fetch + parse transcript", fetch)
    report("page: open to first painted rows", first)
    report("page: navigation to rows visible (wall)", wall)
    report("page: save after an edit (Ctrl+S)", page_saves)
    report("page: find + jump to the far end (wall)", jumps)
    print(f"{'rows in the DOM after opening':<44} {max(rows):8d}        (of the transcript's segments)")


if __name__ == "__main__":
    main()
