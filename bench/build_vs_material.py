"""pufa's build against a plain mkdocs-material build, in one run (these machines are noisy:
only numbers measured side by side compare).

    .venv/bin/python bench/build_vs_material.py N [--keep DIR]

Prints, for N synthetic cases (bench/build_scale.py's generator):
  * clean `pufa build` (new process, empty cache) vs `mkdocs build` of N Markdown pages
    of the same text, out of the nav, with Material's built-in search (target ≤ 1.0×);
  * a one-case rebuild as % of the clean build (target ≤ 10 %);
  * peak memory of the build and of its largest child, Pagefind (target ≤ 2 GB);
  * the largest file of the site (target ≤ 5 MB).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from build_scale import make_project  # noqa: E402
from generator.review.approvals import approve_all  # noqa: E402

PEAK = ("import atexit, resource, runpy, sys\n"
        "def peak():\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    cpu = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)\n"
        "              for f in ('ru_utime', 'ru_stime'))\n"
        "    print(f'PEAK {own} {kids} {cpu}', file=sys.stderr, flush=True)\n"
        "atexit.register(peak)\n"          # pufa's CLI leaves through os._exit after atexit handlers
        "sys.argv = sys.argv[1:]\n"
        "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n")


def timed(args: list[str], cwd: Path) -> tuple[float, int, int, float]:
    """Run `python -m …` in a new process: wall seconds, peak RSS of it and of its largest
    child (KB), CPU seconds (its own and its children's: on a shared machine the steadier
    figure)."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    line = next(l for l in run.stderr.splitlines() if l.startswith("PEAK "))
    own, kids, cpu = line.split()[1:]
    return seconds, int(own), int(kids), float(cpu)


def material_project(target: Path, cases: Path) -> Path:
    """N Markdown pages with the cases' text, out of the nav, Material with its search."""
    docs = target / "docs" / "cases"
    docs.mkdir(parents=True)
    (target / "docs" / "index.md").write_text("# 案例\n\n典型案例。\n", encoding="utf-8")
    for path in sorted(cases.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        basis = "\n".join(f"- {b['law']}{b['article']}" for b in case["legal_basis"])
        (docs / f"{case['id']}.md").write_text(
            f"# {case['title']}\n\n**违法时间** {case['date']} · **地点** {case['place']} · **类别** {case['category']}\n\n"
            f"## 基本案情\n\n案由：{case['cause']}\n\n{case['facts']}\n\n## 处罚依据\n\n{basis}\n\n"
            f"## 处罚决定\n\n{case['decision']}（{case['discretion']}，{case['handling']}）\n\n"
            f"## 执法人员说法\n\n{case['explanation']}\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(
        "site_name: 对照站\nnav:\n  - 首页: index.md\nnot_in_nav: '*'\n"
        "theme:\n  name: material\n  language: zh\n  font: false\nplugins:\n  - search\n", encoding="utf-8")
    return target


def largest(site: Path) -> tuple[str, int]:
    best = ("", 0)
    for folder, _dirs, files in os.walk(site):
        for name in files:
            size = os.path.getsize(os.path.join(folder, name))
            if size > best[1]:
                best = (os.path.relpath(os.path.join(folder, name), site), size)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=2000)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pufa-vs-material-"))
    try:
        shutil.rmtree(work / "pufa", ignore_errors=True)
        shutil.rmtree(work / "material", ignore_errors=True)
        project = make_project(work / "pufa", args.count)
        material = material_project(work / "material", project / "cases_public")
        print(f"{args.count} synthetic cases, {os.cpu_count()} cores")

        plain, plain_peak, _, plain_cpu = timed(["mkdocs", "build", "-q", "-f", str(material / "mkdocs.yml")], material)
        clean, peak, child, clean_cpu = timed(["generator", "build", "--project", str(project), "--quiet"], ROOT)

        one = sorted((project / "cases_public").glob("*.yaml"))[len(list((project / "cases_public").glob("*.yaml"))) // 2]
        text = one.read_text(encoding="utf-8")
        one.write_text(text.replace("facts: ", "facts: 经复核，", 1), encoding="utf-8")
        # Staff approve the edit (pufa review): an edited case is pending until then, and
        # a pending case leaves the site, which changes every listing and figure.
        approve_all(project / "cases_public", "bench")
        rebuild, rebuild_peak, _, rebuild_cpu = timed(["generator", "build", "--project", str(project), "--quiet"], ROOT)

        name, size = largest(project / "site")
        material_search = material / "site" / "search" / "search_index.json"
        print(f"plain mkdocs-material ({args.count} pages out of the nav, built-in search): {plain:.1f} s "
              f"(CPU {plain_cpu:.1f} s), peak {plain_peak / 1024:.0f} MB, "
              f"search index {material_search.stat().st_size / 1e6:.1f} MB")
        print(f"pufa clean build:   {clean:.1f} s (CPU {clean_cpu:.1f} s) = {clean / plain:.2f}x wall, "
              f"{clean_cpu / plain_cpu:.2f}x CPU of plain mkdocs-material (target <= 1.0x)")
        print(f"pufa one-case rebuild: {rebuild:.1f} s (CPU {rebuild_cpu:.1f} s) = {100 * rebuild / clean:.0f} % wall, "
              f"{100 * rebuild_cpu / clean_cpu:.0f} % CPU of the clean build (target <= 10 %)")
        print(f"peak memory: {peak / 1024:.0f} MB build, {child / 1024:.0f} MB largest child (Pagefind); "
              f"rebuild {rebuild_peak / 1024:.0f} MB (target <= 2048 MB)")
        print(f"largest file: {name} ({size / 1e6:.2f} MB; target <= 5 MB)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
