"""THULAC's person tag as an extra name source: speed of the numpy decoder against
thulac's own, and the real-prose person recall / place and organisation keep rates
(bench/privacy_ner.py, even half tuned on, odd half held out) without and with it, in
the same run.

    python bench/thulac_names.py [--bio PATH] [--chars 20000] [--no-original] [--import-rows 10000]

--import-rows N also runs bench/import_scale.py (csv) with THULAC on, then off.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from privacy_ner import measure, read_bio  # noqa: E402

from generator.privacy import anonymise, thulac_names  # noqa: E402
from generator.privacy.thulac_fast import FastThulac  # noqa: E402


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def speed(texts: list[str], original: bool) -> None:
    n = sum(map(len, texts))
    started = time.perf_counter()
    fast = FastThulac()
    print(f"numpy decoder: load {time.perf_counter() - started:.2f} s, peak RSS {_rss_mb()} MB")
    fast.cut(texts[0])
    started = time.perf_counter()
    one = [fast.cut(t)[0] for t in texts]
    dt = time.perf_counter() - started
    print(f"  sentence by sentence: {n} chars in {dt:.2f} s = {n / dt:,.0f} chars/s")
    started = time.perf_counter()
    batch = fast.cut("\n".join(texts))
    dt = time.perf_counter() - started
    print(f"  one call, all lines:  {n} chars in {dt:.2f} s = {n / dt:,.0f} chars/s (peak RSS {_rss_mb()} MB)")
    if not original:
        return
    import thulac
    started = time.perf_counter()
    slow = thulac.thulac(seg_only=False)
    print(f"thulac 0.2.2 own decoder: load {time.perf_counter() - started:.2f} s, peak RSS {_rss_mb()} MB")
    started = time.perf_counter()
    want = [[(w, t) for w, t in slow.cut(x)] for x in texts]
    dt = time.perf_counter() - started
    print(f"  {n} chars in {dt:.2f} s = {n / dt:,.0f} chars/s")
    same = sum(a == b == c for a, b, c in zip(want, one, batch))
    print(f"  same words and tags: {same}/{len(texts)} sentences")


def recall(sentences) -> None:
    real, real_prefetch = thulac_names.np_names, anonymise.prefetch_np
    for label, source, fetch in (("jieba only (before)", lambda text: [], lambda texts: None),
                                 ("jieba + thulac np (after)", real, real_prefetch)):
        thulac_names.np_names, anonymise.prefetch_np = source, fetch
        started = time.perf_counter()
        for half, part in (("even (tuned on)", sentences[0::2]), ("odd (held out)", sentences[1::2])):
            result = measure(part)
            cells = ", ".join(f"{cat} {h}/{n} = {h / max(1, n):.1%}" for cat, (h, n) in result.items())
            print(f"  {label:26} {half:16} {cells}")
        print(f"  ({time.perf_counter() - started:.1f} s)")
    thulac_names.np_names, anonymise.prefetch_np = real, real_prefetch


def import_one(rows: int, on: bool) -> None:
    import runpy

    if not on:           # forked workers inherit the switch
        thulac_names.np_names, anonymise.prefetch_np = (lambda text: []), (lambda texts: None)
    sys.argv = ["import_scale.py", "--rows", str(rows), "--formats", "csv"]
    print(f"import, {'with thulac np' if on else 'jieba only'}: ", end="", flush=True)
    runpy.run_path(str(HERE / "import_scale.py"), run_name="__main__")


def import_both(rows: int) -> None:
    """Each in a fresh process (no tagger cache carried from one to the other)."""
    import subprocess

    for mode in ("on", "off"):
        subprocess.run([sys.executable, __file__, "--import-one", mode, "--import-rows", str(rows)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bio", type=Path, default=HERE.parent.parent / "shared" / "corpora" / "peoples-daily-ner-dev.bio")
    parser.add_argument("--chars", type=int, default=20000)
    parser.add_argument("--no-original", action="store_true", help="skip thulac's own decoder (1.3 GB, slow)")
    parser.add_argument("--no-recall", action="store_true")
    parser.add_argument("--import-rows", type=int, default=0)
    parser.add_argument("--import-one", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_one:
        import_one(args.import_rows, args.import_one == "on")
        return
    sentences = read_bio(args.bio)
    texts, n = [], 0
    for s in sentences:
        texts.append(s.text)
        n += len(s.text)
        if n >= args.chars:
            break
    speed(texts, not args.no_original)
    if not args.no_recall:
        print(f"\nreal prose: {args.bio.name}, {len(sentences)} sentences")
        recall(sentences)
    if args.import_rows:
        import_both(args.import_rows)


if __name__ == "__main__":
    main()
