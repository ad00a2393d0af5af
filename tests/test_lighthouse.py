"""Lighthouse as a test (issue 19): Lighthouse 12 (installed by `make test` into .lighthouse/)
audits the demo site in Debian's headless Chromium, phone form factor, default simulated
throttling (slow 4G, 4x CPU), served by `pufa serve`'s own server (gzip), one run per page
(three, judged by their median, for a page whose first run misses the performance target).

Targets: accessibility >= 95 and performance >= 90 on the home, a case and a recap page;
the home page moves <= 200 KB (what Lighthouse counts as transferred, i.e. compressed);
and no request leaves the machine (the site must work offline).

Scores are printed (`pytest -s` shows them); a miss fails with the audits that cost points."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import CHROMIUM, serve_built_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"

PAGES = {
    "home": "",
    "case": "cases/2024-1001/",
    "recap": "livestreams/demo-livestream/",
}
MIN_ACCESSIBILITY = 95
MIN_PERFORMANCE = 90
MAX_HOME_BYTES = 200 * 1000


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    if not LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is not installed: run 'make lighthouse' (make test does it)")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run 'make test' (it installs it)")
    yield from serve_built_demo(tmp_path_factory.mktemp("lighthouse"))


def run_lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run (mobile is Lighthouse's default form factor and throttling)."""
    command = [str(LIGHTHOUSE), url, "--only-categories=performance,accessibility",
               "--form-factor=mobile", "--output=json", f"--output-path={out}", "--quiet",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0 and out.exists(), f"lighthouse failed:\n{result.stderr[-3000:]}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert not report.get("runtimeError"), report["runtimeError"]
    return report


def score(report: dict, category: str) -> int:
    return round(100 * (report["categories"][category]["score"] or 0))


def costly_audits(report: dict, category: str) -> list[str]:
    """The audits of `category` that did not score fully, most weighty first."""
    lost = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            lost.append((ref["weight"] * (1 - audit["score"]),
                         f"{ref['id']} score {audit['score']:.2f} {audit.get('displayValue', '')}".strip()))
    return [text for _, text in sorted(lost, reverse=True)]


@pytest.fixture(scope="module")
def reports(demo_url, tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("lighthouse-reports")
    found = {}
    for name, path in PAGES.items():
        report = run_lighthouse(demo_url + path, folder / f"{name}.json")
        if score(report, "performance") < MIN_PERFORMANCE:
            # Simulated throttling scales the CPU time this (shared) machine observed, so one
            # run can be unlucky: on a miss, the page is judged by the median of three runs,
            # as Lighthouse's documentation advises for variance.
            runs = [report] + [run_lighthouse(demo_url + path, folder / f"{name}-{i}.json") for i in (2, 3)]
            print(f"\nlighthouse {name}: performance of three runs: {[score(r, 'performance') for r in runs]}")
            report = sorted(runs, key=lambda r: score(r, "performance"))[1]
        found[name] = report
        timings = {key: report["audits"][key].get("displayValue", "") for key in
                   ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                    "cumulative-layout-shift", "speed-index")}
        print(f"\nlighthouse {name}: performance {score(report, 'performance')}, "
              f"accessibility {score(report, 'accessibility')}, "
              f"moved {report['audits']['total-byte-weight']['numericValue'] / 1000:.1f} KB; "
              + ", ".join(f"{k} {v}" for k, v in timings.items()))
    return found


@pytest.mark.parametrize("name", PAGES)
def test_scores_meet_the_targets(reports, name):
    report = reports[name]
    accessibility, performance = score(report, "accessibility"), score(report, "performance")
    assert accessibility >= MIN_ACCESSIBILITY, (
        f"{name}: accessibility {accessibility} < {MIN_ACCESSIBILITY}: {costly_audits(report, 'accessibility')}")
    assert performance >= MIN_PERFORMANCE, (
        f"{name}: performance {performance} < {MIN_PERFORMANCE}: {costly_audits(report, 'performance')[:6]}")


def test_home_page_moves_at_most_200_kb(reports):
    report = reports["home"]
    moved = report["audits"]["total-byte-weight"]["numericValue"]
    items = report["audits"]["network-requests"]["details"]["items"]
    encoded = [i["url"] for i in items if i.get("resourceType") in ("Document", "Stylesheet", "Script")
               and i["url"].startswith("http") and i.get("transferSize", 0) >= i.get("resourceSize", 0) > 2000]
    assert not encoded, f"text sent uncompressed: {encoded}"
    assert moved <= MAX_HOME_BYTES, (
        f"home page moves {moved / 1000:.1f} KB > {MAX_HOME_BYTES / 1000:.0f} KB: "
        + ", ".join(f"{i['url'].rsplit('/', 1)[-1]} {i.get('transferSize', 0)}"
                    for i in sorted(items, key=lambda i: -i.get('transferSize', 0))[:8]))


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_loaded_from_outside(reports, name):
    items = reports[name]["audits"]["network-requests"]["details"]["items"]
    outside = [i["url"] for i in items if not i["url"].startswith(("http://127.0.0.1", "data:", "blob:"))]
    assert items and not outside, f"{name}: requests leave the machine: {outside}"
