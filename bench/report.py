"""Every scale target of issue 8 in one table, measured on this machine.

    .venv/bin/python bench/report.py            # 10,000 cases, 200 three-hour transcripts (~20 min on 2 cores)
    .venv/bin/python bench/report.py --quick    # 1,000 cases, 20 transcripts
    .venv/bin/python bench/report.py --skip-others   # without the anonymise/transcribe/annotate benches

What it runs, all in one go so the ratios compare runs on the same (noisy) machine:

1. a raw export of N cases (planted personal data in every form) → `pufa import-cases`
   → `pufa build`, as subprocesses, with the peak memory of the whole process tree;
2. the same N cases written as plain Markdown and built by mkdocs-material with its own
   search plugin, pages kept out of the nav (the baseline of the target), and "naively"
   with every case in the nav at 1,000 / 2,000 / N (capped by a timeout);
3. one case changed → `pufa build` again (incremental);
4. the built site in Chromium: home page bytes, and the first search (bytes and time);
5. N/4 and N three-hour synthetic transcripts (3,600 segments each) → `pufa build`;
6. the other benches (bench/anonymise.py, transcribe.py, annotate.py), their key lines.
"""
from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil  # noqa: E402
import yaml  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
PUFA = str(ROOT / ".venv" / "bin" / "pufa")
MKDOCS = str(ROOT / ".venv" / "bin" / "mkdocs")
MB = 1e6


# ------------------------------------------------------------------ measuring

@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    output: str = ""
    timed_out: bool = False
    peak_rss_mb: float = 0.0       # the same, summing RSS (counts shared pages once per process)


def run(argv: list[str], cwd: Path | None = None, timeout: float | None = None, env: dict | None = None) -> Run:
    """Run a command; wall time and the peak of the summed RSS of its whole process tree
    (PSS, sampled every 100 ms: mkdocs, Pagefind and the leak-gate workers included)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = psutil.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        peak = peak_rss = 0
        timed_out = False
        while proc.poll() is None:
            try:
                tree = [proc] + proc.children(recursive=True)
                total = rss = 0
                for p in tree:
                    try:
                        info = p.memory_full_info()          # PSS: pages shared by forked workers count once
                        total += getattr(info, "pss", info.rss)
                        rss += info.rss
                    except psutil.Error:
                        pass
                peak = max(peak, total)
                peak_rss = max(peak_rss, rss)
            except psutil.Error:
                pass
            if timeout is not None and time.perf_counter() - started > timeout:
                for p in [proc] + proc.children(recursive=True):
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                timed_out = True
                proc.wait()
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return Run(seconds, peak / MB, proc.returncode, text, timed_out, peak_rss / MB)


def checked(result: Run, what: str) -> Run:
    if result.returncode != 0 and not result.timed_out:
        print(result.output[-3000:], file=sys.stderr)
        raise SystemExit(f"bench: {what} failed ({result.returncode})")
    return result


def site_stats(site: Path) -> dict:
    total, files, largest, largest_name = 0, 0, 0, ""
    for folder, _dirs, names in os.walk(site):
        for name in names:
            size = os.path.getsize(os.path.join(folder, name))
            total += size
            files += 1
            if size > largest:
                largest, largest_name = size, os.path.relpath(os.path.join(folder, name), site)
    return {"bytes": total, "files": files, "largest": largest, "largest_name": largest_name}


# ------------------------------------------------------------------ inputs

def make_project(target: Path) -> Path:
    """An empty project with the repository's law texts (the mini project's settings)."""
    shutil.copytree(ROOT / "tests" / "data" / "mini-project", target,
                    ignore=shutil.ignore_patterns("cases_public", "site", "transcripts"))
    shutil.rmtree(target / "data" / "laws")
    shutil.copytree(ROOT / "data" / "laws", target / "data" / "laws")
    return target


def make_export(path: Path, count: int) -> None:
    import import_scale
    rng = random.Random(7)
    import_scale.write_csv(path, [import_scale.make_row(rng, n) for n in range(1, count + 1)])


def make_plain_site(target: Path, project: Path, limit: int, in_nav: bool) -> Path:
    """The same case pages as plain mkdocs-material would build them: pufa's generated
    Markdown of each case page (front matter + the page's HTML, which Python-Markdown
    parses as a raw HTML block), no hooks, no overrides, Material's built-in search."""
    docs = target / "docs"
    (docs / "cases").mkdir(parents=True)
    (docs / "index.md").write_text("# 以案释法\n\n典型案例。\n", encoding="utf-8")
    nav: list = ["index.md"]
    generated = project / ".pufa-cache" / "state" / "docs" / "cases"
    pages = sorted(p for p in generated.glob("*.md") if p.name != "index.md")[:limit]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        (docs / "cases" / page.name).write_text(text, encoding="utf-8")
        if in_nav:
            title = yaml.safe_load(text.split("---", 2)[1])["title"]
            nav.append({title: f"cases/{page.name}"})
    config = {"site_name": "以案释法", "theme": {"name": "material", "language": "zh", "font": False},
              "plugins": ["search"], "nav": nav}
    if not in_nav:
        config["not_in_nav"] = "cases/*"
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return target


def edit_one_case(cases_dir: Path, nth: int = 0) -> Path:
    """What a member of staff does: reword one sentence of one case (near the middle of the list)."""
    paths = sorted(cases_dir.glob("*.yaml"))
    path = paths[len(paths) // 2 + 7 * nth]
    text = path.read_text(encoding="utf-8")
    assert "热线投诉" in text, path
    path.write_text(text.replace("热线投诉", "热线投诉或咨询", 1), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the browser

def browser_numbers(site: Path, term: str) -> dict:
    """Home page bytes on first load; the first search from the search page: bytes moved
    (its page load included) and time from Enter to the first results on screen."""
    from playwright.sync_api import sync_playwright

    from generator.site.serve import make_server
    server = make_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    numbers: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

            def fresh():
                context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
                page = context.new_page()
                moved = []
                page.on("requestfinished", lambda r: moved.append(r))
                return context, page, moved

            def total(moved) -> tuple[int, int]:
                """(bytes as pufa serve sends them, bytes with the gzip every web server
                applies to text: HTML, CSS, JS, JSON, SVG; Pagefind's files are gzip already)."""
                raw = packed = 0
                for r in moved:
                    s = r.sizes()
                    head = s["responseHeadersSize"]
                    response = r.response()
                    body = response.body() if response else b""
                    kind = (response.headers.get("content-type", "") if response else "")
                    raw += head + len(body)
                    textual = any(t in kind for t in ("text/", "javascript", "json", "svg", "xml"))
                    packed += head + (len(gzip.compress(body, 6)) if textual else len(body))
                return raw, packed

            context, page, moved = fresh()
            page.goto(base, wait_until="networkidle")
            numbers["home_raw"], numbers["home_bytes"] = total(moved)
            numbers["home_nav_links"] = page.locator(".md-nav--primary .md-nav__link").count()
            context.close()

            context, page, moved = fresh()
            page.goto(base + "search/", wait_until="networkidle")
            page.evaluate("""() => {
                window.__pufaAt = null;
                const list = document.querySelector('.pufa-search__results');
                new MutationObserver(() => { if (window.__pufaAt === null && list.children.length)
                    window.__pufaAt = performance.now(); }).observe(list, {childList: true});
            }""")
            page.fill("input[name=q]", term)
            start = page.evaluate("performance.now()")
            page.press("input[name=q]", "Enter")
            page.wait_for_selector(".pufa-search__results li", timeout=30000)
            numbers["search_ms"] = page.evaluate("window.__pufaAt") - start
            page.wait_for_load_state("networkidle")
            numbers["search_raw"], numbers["search_bytes"] = total(moved)
            numbers["search_results"] = page.locator(".pufa-search__status").inner_text()
            context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return numbers


# ------------------------------------------------------------------ the table

@dataclass
class Table:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, target: str, goal: str, measured: str, ok: bool | None) -> None:
        self.rows.append((target, goal, measured, "—" if ok is None else ("yes" if ok else "NO")))
        print(f"  {target}: {measured}", flush=True)

    def markdown(self) -> str:
        lines = ["| target | goal | measured | met |", "| --- | --- | --- | --- |"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def cases_part(table: Table, work: Path, count: int, naive_sizes: list[int], naive_timeout: float) -> Path:
    export = work / "export.csv"
    make_export(export, count)
    project = make_project(work / "project")
    step(f"pufa import-cases: {count} rows")
    imported = checked(run([PUFA, "import-cases", str(export), "--into", str(project / "cases_public")]), "import")
    # staff approve the imported cases (not timed: a person's step); only approved ones are published
    checked(run([PUFA, "review", "--project", str(project), "--approve-all", "--by", "bench"]), "approve")
    step("pufa build (clean)")
    built = checked(run([PUFA, "build", "--project", str(project), "--quiet"]), "build")
    ours = imported.seconds + built.seconds
    stats = site_stats(project / "site")

    step(f"baseline: mkdocs-material, {count} pages out of the nav, built-in search")
    plain = make_plain_site(work / "plain", project, count, in_nav=False)
    baseline = checked(run([MKDOCS, "build", "-q", "-f", str(plain / "mkdocs.yml")]), "baseline mkdocs build")
    plain_stats = site_stats(plain / "site")
    search_index = plain / "site" / "search" / "search_index.json"
    naive: list[tuple[int, Run]] = []
    for size in naive_sizes:
        step(f"naive: mkdocs-material, {size} pages all in the nav, built-in search (timeout {naive_timeout:.0f} s)")
        folder = make_plain_site(work / f"naive-{size}", project, size, in_nav=True)
        naive.append((size, checked(run([MKDOCS, "build", "-q", "-f", str(folder / "mkdocs.yml")],
                                        timeout=naive_timeout), "naive mkdocs build")))
        shutil.rmtree(folder, ignore_errors=True)

    # Right after a clean build the tree the swap retired is stale (or missing), so the
    # first rebuild relinks every file; from the second on, only what changed.
    step("one case changed → pufa build (incremental), twice")
    rebuilds = []
    for nth in range(2):
        edit_one_case(project / "cases_public", nth)
        checked(run([PUFA, "review", "--project", str(project), "--approve-all", "--by", "bench"]), "approve")
        rebuilds.append(checked(run([PUFA, "build", "--project", str(project), "--quiet"]), "incremental build"))
    first, again = rebuilds

    step("Chromium: home page and first search")
    web = browser_numbers(project / "site", "网约车")

    ratio = ours / baseline.seconds
    table.add(f"{count:,} cases: import + build", "≤ 60 % of baseline, ≤ 120 s",
              f"{imported.seconds:.1f} s + {built.seconds:.1f} s = {ours:.1f} s; baseline {baseline.seconds:.1f} s "
              f"(index {search_index.stat().st_size / MB:.0f} MB) → **{ratio:.0%}**",
              ratio <= 0.60 and ours <= 120)
    peak = max(imported.peak_mb, built.peak_mb)
    table.add("peak memory (whole process tree, PSS)", "≤ 2 GB",
              f"import {imported.peak_mb:.0f} MB, build {built.peak_mb:.0f} MB (RSS sum {built.peak_rss_mb:.0f} MB; "
              f"baseline {baseline.peak_mb:.0f} MB)",
              peak <= 2000)
    table.add("largest output file", "≤ 5 MB", f"{stats['largest'] / MB:.2f} MB ({stats['largest_name']})",
              stats["largest"] <= 5 * MB)
    table.add("whole site", "≤ 600 MB", f"{stats['bytes'] / MB:.0f} MB in {stats['files']:,} files "
              f"(baseline {plain_stats['bytes'] / MB:.0f} MB)", stats["bytes"] <= 600 * MB)
    table.add("rebuild after changing one case", "≤ 10 % of a full build",
              f"{again.seconds:.1f} s = **{again.seconds / built.seconds:.0%}** of {built.seconds:.1f} s "
              f"(first rebuild after the clean build: {first.seconds:.1f} s = {first.seconds / built.seconds:.0%})",
              again.seconds <= 0.10 * built.seconds)
    table.add("first search: bytes moved (page load included)", "≤ 1 MB",
              f"{web['search_bytes'] / MB:.2f} MB gzip ({web['search_raw'] / MB:.2f} MB raw; {web['search_results']})",
              web["search_bytes"] <= MB)
    table.add("first search: results on screen", "≤ 0.5 s", f"{web['search_ms'] / 1000:.2f} s after Enter",
              web["search_ms"] <= 500)
    table.add("home page, first load", "≤ 200 KB", f"{web['home_bytes'] / 1e3:.0f} KB gzip "
              f"({web['home_raw'] / 1e3:.0f} KB raw: Material's CSS + JS are 250 KB of it)",
              web["home_bytes"] <= 200e3)
    listing = max((p.stat().st_size for p in (project / "site" / "cases").glob("**/page/*/index.html")), default=0)
    table.add("listings paginated, small nav", "20 cases a page; nav ≪ pages",
              f"largest listing page {listing / 1e3:.0f} KB; {web['home_nav_links']} nav links per page", None)
    for size, result in naive:
        shown = f"> {result.seconds:.0f} s (stopped)" if result.timed_out else f"{result.seconds:.1f} s"
        table.add(f"naive build, {size:,} pages in the nav", "comparison",
                  f"{shown}, peak {result.peak_mb:.0f} MB", None)
    return project


def transcripts_part(table: Table, work: Path, counts: list[int]) -> None:
    import recaps_scale
    per: list[tuple[int, float, int]] = []
    for count in counts:
        root = work / f"streams-{count}"
        root.mkdir()
        recaps_scale.make(root, count)
        step(f"pufa build: {count} three-hour transcripts")
        result = checked(run([PUFA, "build", "--project", str(root), "--quiet"]), "transcripts build")
        stats = site_stats(root / "site")
        recap = max(p.stat().st_size for p in (root / "site" / "livestreams").rglob("index.html"))
        per.append((count, result.seconds, stats["bytes"]))
        table.add(f"{count} × 3 h transcripts: build", "linear in count",
                  f"{result.seconds:.1f} s ({result.seconds / count:.2f} s each), site {stats['bytes'] / MB:.0f} MB, "
                  f"peak {result.peak_mb:.0f} MB", None)
        table.add(f"{count} × 3 h transcripts: largest recap page", "≤ 300 KB HTML", f"{recap / 1e3:.0f} KB",
                  recap <= 300e3)
        shutil.rmtree(root, ignore_errors=True)
    if len(per) >= 2:
        (n0, s0, b0), (n1, s1, b1) = per[0], per[-1]
        growth = (s1 / n1) / (s0 / n0)
        table.add("transcripts: time per stream, large vs small run", "≈ 1 (linear)",
                  f"{growth:.2f} (size per stream {(b1 / n1) / (b0 / n0):.2f})", growth <= 1.3)


def other_benches(table: Table) -> None:
    wanted = [
        ("anonymise", [PY, str(ROOT / "bench" / "anonymise.py"), "--cases", "1000"], r"^(all|protected terms|anonymiser speed)"),
        ("transcribe", [PY, str(ROOT / "bench" / "transcribe.py")], r"^(pooled|CPU-time RTF|model)"),
        ("annotate", [PY, str(ROOT / "bench" / "annotate.py"), "--repeat", "3"], r"median"),
    ]
    for name, argv, pattern in wanted:
        step(f"bench/{name}.py")
        result = run(argv, timeout=420)
        lines = [re.sub(r"\s+", " ", line).strip() for line in result.output.splitlines() if re.search(pattern, line.strip())]
        if result.returncode != 0 or not lines:
            table.add(f"bench/{name}.py", "see its docstring",
                      "did not finish" if result.timed_out else f"failed ({result.returncode})", None)
            continue
        table.add(f"bench/{name}.py", "see its docstring", "<br>".join(lines[:4]), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 cases and 20 transcripts")
    parser.add_argument("--skip-others", action="store_true", help="without anonymise/transcribe/annotate")
    parser.add_argument("--skip-transcripts", action="store_true")
    parser.add_argument("--skip-cases", action="store_true", help="without the 10,000-case rows")
    parser.add_argument("--naive-timeout", type=float, default=None, help="seconds; default 150 (quick: 60)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--naive", metavar="N,N", help="naive build sizes (default 1000,2000,N; quick: 1000; '' for none)")
    parser.add_argument("--cases", type=int, help="number of cases (default 10,000; quick: 1,000)")
    args = parser.parse_args()
    count, streams = (1000, [5, 20]) if args.quick else (10_000, [50, 200])
    count = args.cases or count
    naive_sizes = [1000] if args.quick else [1000, 2000, count]
    if args.naive is not None:
        naive_sizes = [int(n) for n in args.naive.split(",") if n.strip()]
    naive_timeout = args.naive_timeout or (60 if args.quick else 150)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pufa-report-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    table = Table()
    started = time.perf_counter()
    try:
        if not args.skip_cases:
            cases_part(table, work, count, naive_sizes, naive_timeout)
        if not args.skip_transcripts:
            transcripts_part(table, work, streams)
        if not args.skip_others:
            other_benches(table)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    cpu = psutil.cpu_freq()
    print()
    print(f"pufa bench report — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores"
          f"{f' @ {cpu.max / 1000:.1f} GHz' if cpu and cpu.max else ''}, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, load average at the end "
          f"{os.getloadavg()[0]:.1f}; report took {(time.perf_counter() - started) / 60:.1f} min"
          f"{' (--quick)' if args.quick else ''}")
    print()
    print(table.markdown())


if __name__ == "__main__":
    main()
