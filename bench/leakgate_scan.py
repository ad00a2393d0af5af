"""How fast the leak gate scans a built site: `check_site` in one process and with the
default worker pool, as files/s, MB/s and seconds.

    .venv/bin/python bench/leakgate_scan.py PROJECT/site [--project-root PROJECT] [--repeat N]
                                            [--only single|pool]

The deny list is read from PROJECT/.pufa-private/ (default: the site folder's parent), as
`pufa build` does. Findings are counted too: a faster scan that finds something different
is a bug, not a speed-up (tests/test_leakgate_speed_equivalence.py checks that).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.site.leakgate import check_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--project-root", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; the fastest is printed")
    parser.add_argument("--only", choices=("single", "pool"), default=None)
    args = parser.parse_args()
    files = sorted(p for p in args.site.rglob("*") if p.is_file())
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    print(f"site: {args.site} ({len(files)} files, {megabytes:.1f} MB on disk, {os.cpu_count()} cores)")
    modes = [("single", 1), ("pool", None)]
    for name, workers in modes:
        if args.only and args.only != name:
            continue
        best = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = check_site(args.site, project_root=args.project_root, workers=workers)
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
        assert best is not None
        label = f"workers={workers or os.cpu_count()}"
        print(f"{name:6} {label:10} {best:7.2f} s  {report.files / best:8.0f} files/s  "
              f"{megabytes / best:6.1f} MB/s  findings={len(report.findings)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
