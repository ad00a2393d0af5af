"""Combined filters at scale: `python bench/filters_scale.py [N] [--keep DIR] [--rate 4]`.

Generates N synthetic cases (bench/build_scale.py's generator, default 10,000), builds the
site, serves it with `pufa serve`'s server (gzip, as a host would), and in Chromium with
CPU throttling (4x: a mid-range phone) walks the case listing the way a reader does:
chooses a category, a year, the next page, a discretion, a handling, another year; then
opens a shared filtered address cold. For each step it prints the bytes moved (as sent,
compressed, headers included) and the time from the click to the results in the page.
With --keep DIR an existing build in DIR/project is reused (no rebuild). With --mobile-network
the page also gets Lighthouse's mobile network (150 ms round trip, 1.6 Mbit/s down), over
this server's HTTP/1.1 (at most 6 requests at a time; a host with HTTP/2 does better).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from build_scale import make_project  # noqa: E402
from generator.site.build import build_site  # noqa: E402
from generator.site.serve import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

# Clicks in the page, then waits for the results: resolves to [ms to the first results
# (count, chips and the first cards drawn), ms to the whole page of 20].
STEP = """async (selector) => {
    const el = document.querySelector(selector);
    if (!el) return 'missing: ' + selector;
    const listing = document.querySelector('[data-pufa-listing]');
    const before = listing.getAttribute('data-pufa-drawn');
    const t0 = performance.now();
    let first = null;
    el.click();
    await new Promise(r => setTimeout(r, 0));
    while (listing.hasAttribute('aria-busy')
           || !document.querySelector('.pufa-count').textContent.includes('同时筛选')) {
        if (first === null && listing.getAttribute('data-pufa-drawn') !== before) first = performance.now() - t0;
        if (performance.now() - t0 > 30000) return 'timeout: ' + document.querySelector('.pufa-count').textContent;
        await new Promise(r => setTimeout(r, 2));
    }
    const all = performance.now() - t0;
    return [first === null ? all : first, all];
}"""

STEPS = [
    ("类别 网约车", "a.pufa-chip[data-facet=category][data-slug=wang-yue-che]"),
    ("+ 年份 2024", "a.pufa-chip[data-facet=year][data-slug='2024']"),
    ("下一页", ".pufa-filter-pages a[rel=next]"),
    ("+ 裁量 从轻处罚", "a.pufa-chip[data-facet=discretion][data-slug=cong-qing-chu-fa]"),
    ("+ 办案方式 简易程序", "a.pufa-chip[data-facet=handling][data-slug=jian-yi-cheng-xu]"),
    ("年份 2024 取消", "a.pufa-chip[data-facet=year][data-slug='2024']"),
    ("+ 年份 2021", "a.pufa-chip[data-facet=year][data-slug='2021']"),
    ("类别 网约车 取消", "a.pufa-chip[data-facet=category][data-slug=wang-yue-che]"),
    ("下一页", ".pufa-filter-pages a[rel=next]"),
]


def throttle(context, page, rate: float, network: bool) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    if network:
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150,
                                                       "downloadThroughput": 1_638_400 / 8,
                                                       "uploadThroughput": 675_000 / 8})


def measure(url: str, rate: float, network: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      locale="zh-CN")
        page = context.new_page()
        moved: list[tuple[str, int]] = []

        def finished(request) -> None:
            sizes = request.sizes()
            moved.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

        page.on("requestfinished", finished)
        throttle(context, page, rate, network)
        page.goto(url + "cases/", wait_until="load")
        print(f"{'step':<22} {'moved':>9} {'requests':>8} {'first':>7} {'all 20':>7}  result")
        firsts, times, sizes = [], [], []
        for label, selector in STEPS:
            moved.clear()
            result = page.evaluate(STEP, selector)
            if isinstance(result, str) and result.startswith("missing"):
                print(f"{label:<22} (no such link at this size: skipped)")
                continue
            if not isinstance(result, list):
                raise SystemExit(f"{label}: {result}")
            first, elapsed = result
            page.wait_for_timeout(50)                         # let the last response report its size
            total = sum(n for _, n in moved)
            other = [u.rsplit("/", 2)[-1] for u, _ in moved if not u.endswith(".json")]
            if other:                                         # not the filters' own: say what it was
                print(f"  (also moved in this step: {', '.join(other)})")
            firsts.append(first)
            times.append(elapsed)
            sizes.append(total)
            print(f"{label:<22} {total / 1000:>7.1f}KB {len(moved):>8} {first:>5.0f}ms {elapsed:>5.0f}ms  "
                  f"{page.locator('.pufa-count').inner_text()}")
        print(f"filter changes: {len(sizes)}; moved max {max(sizes) / 1000:.1f} KB (first, index included: "
              f"{sizes[0] / 1000:.1f} KB; later max {max(sizes[1:]) / 1000:.1f} KB); first results: first change "
              f"{firsts[0]:.0f} ms, later median {statistics.median(firsts[1:]):.0f} ms, max {max(firsts[1:]):.0f} ms; "
              f"all 20 cards: first change {times[0]:.0f} ms, later median {statistics.median(times[1:]):.0f} ms, "
              f"max {max(times[1:]):.0f} ms (CPU throttled {rate:g}x{', mobile network' if network else ''})")
        # A shared filtered address opened cold: the page, then the index and the shards.
        shared = url + "cases/?category=chao-xian-chao-zai&year=2023&discretion=bu-yu-chu-fa"
        fresh = context.new_page()
        moved_cold: list[int] = []
        fresh.on("requestfinished", lambda r: moved_cold.append(
            r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]) if "/cases/" in r.url else None)
        throttle(context, fresh, rate, network)
        started = time.perf_counter()
        fresh.goto(shared)
        fresh.wait_for_function("document.querySelector('.pufa-count').textContent.includes('同时筛选')"
                                " && !document.querySelector('[data-pufa-listing][aria-busy]')", timeout=30_000)
        print(f"shared address opened cold: results in {(time.perf_counter() - started) * 1000:.0f} ms "
              f"(navigation included), listing page + index + shards {sum(moved_cold) / 1000:.1f} KB; "
              f"{fresh.locator('.pufa-count').inner_text()}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it; reuse a build already there")
    parser.add_argument("--rate", type=float, default=4.0, help="CPU throttling rate (default 4)")
    parser.add_argument("--mobile-network", action="store_true", help="also 150 ms RTT, 1.6 Mbit/s (Lighthouse mobile)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pufa-filters-"))
    project = work / "project"
    try:
        if not (project / "site" / "cases" / "filters.json").exists():
            if project.exists():
                shutil.rmtree(project)
            started = time.perf_counter()
            make_project(project, args.count)
            build_site(project, progress=False)
            print(f"built {args.count} cases in {time.perf_counter() - started:.0f} s")
        site = project / "site"
        index = (site / "cases" / "filters.json").stat().st_size
        shards = list((site / "cases" / "cards").glob("*.json"))
        print(f"cases/filters.json: {index / 1000:.1f} KB; {len(shards)} card shards, "
              f"{sum(p.stat().st_size for p in shards) / len(shards) / 1000:.1f} KB each on average (uncompressed)")
        server = make_server(site)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            measure(f"http://127.0.0.1:{server.server_address[1]}/", args.rate, args.mobile_network)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
