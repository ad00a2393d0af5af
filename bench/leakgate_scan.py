"""How fast the leak gate scans a built site: `check_site` in one process and with the
default worker pool, as files/s, MB/s and seconds (wall, and CPU: on a shared machine
the steadier figure; MB/s is per CPU second, the aim being 100 MB/s on one core).

    .venv/bin/python bench/leakgate_scan.py PROJECT/site [--project-root PROJECT] [--repeat N]
                                            [--only single|pool]

The deny list is read from PROJECT/.pufa-private/ (default: the site folder's parent), as
`pufa build` does. Findings are counted too: a faster scan that finds something different
is a bug, not a speed-up (tests/test_leakgate_speed_equivalence.py checks that).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.site.leakgate import check_site  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the pool's workers)."""
    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for field in ("ru_utime", "ru_stime"))


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
        best = cpu_best = None
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), _cpu()
            report = check_site(args.site, project_root=args.project_root, workers=workers)
            seconds, cpu = time.perf_counter() - started, _cpu() - cpu
            best = seconds if best is None else min(best, seconds)
            cpu_best = cpu if cpu_best is None else min(cpu_best, cpu)
        assert best is not None and cpu_best is not None
        label = f"workers={workers or os.cpu_count()}"
        print(f"{name:6} {label:10} {best:7.2f} s wall {cpu_best:7.2f} s CPU  {report.files / cpu_best:8.0f} files/CPU-s  "
              f"{megabytes / cpu_best:6.1f} MB/CPU-s  findings={len(report.findings)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
