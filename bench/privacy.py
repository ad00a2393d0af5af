"""Privacy recall: what an import still publishes.

1. A generated corpus of every form issue 14 lists (bench/privacy_corpus.py, written from
   the issue, not from the detectors) goes through the real importer (a CSV export →
   `import_cases`); per form: how many samples had a personal string published, how many
   lost a public string, how many of the review-only forms were flagged.
2. Real prose (a BIO-tagged NER corpus, default ../shared/corpora/peoples-daily-ner-dev.bio):
   each sentence anonymised as a 违法事实; person names removed (full Chinese names and
   all), places and organisations kept; on each half (even / odd sentences) separately.

    .venv/bin/python bench/privacy.py [--per-form 20] [--bio PATH] [--skip-bio]
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from privacy_corpus import Sample, samples  # noqa: E402
from privacy_ner import measure, read_bio  # noqa: E402

from generator.importer.run import import_cases  # noqa: E402

HEADERS = ["案件编号", "案件名称", "类别", "当事人", "违法时间", "违法地点", "案由", "违法事实", "调查经过", "处罚依据",
           "处罚决定", "裁量情形", "办案方式", "执法人员说法"]
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_SEPARATORS = re.compile(r"[\s.\-·•・\u00a0]")


def _plain(text: str) -> str:
    """What a reader sees: NFKC (full-width and other scripts' digits → ASCII), no hidden
    characters, separators inside numbers gone."""
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)
    return _SEPARATORS.sub("", _HIDDEN.sub("", unicodedata.normalize("NFKC", text)))


def _row(n: int, sample: Sample) -> list[str]:
    return [f"济交执罚〔2030〕{n:05d}号", "未取得道路运输经营许可擅自从事道路客运经营案", "非法营运", "济南某某运输有限公司",
            "2024-05-06", "济南西站", "非法营运", sample.text, "执法人员现场制作询问笔录。",
            "《中华人民共和国道路运输条例》第六十三条", "罚款5000元", "一般处罚", "普通程序", "请乘客选择合法车辆。"]


def corpus_recall(per_form: int) -> tuple[dict[str, Counter], float]:
    corpus = samples(random.Random(14), per_form)
    with tempfile.TemporaryDirectory(prefix="pufa-privacy-bench-") as tmp:
        source = Path(tmp) / "export.csv"
        # Excel's "Unicode text" (UTF-16): the UTF-8 reader takes U+0100–U+07FF (Arabic-Indic
        # digits among them) for GBK mojibake and stops the import, rightly for real files.
        with source.open("w", encoding="utf-16", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(_row(n, s) for n, s in enumerate(corpus, 1))
        into = Path(tmp) / "proj" / "cases_public"
        started = time.perf_counter()
        result = import_cases([source], into=into, report_dir=Path(tmp) / "reports")
        elapsed = time.perf_counter() - started
        assert result.rows == len(corpus), result.summary()
        per_form: dict[str, Counter] = {}
        for n, sample in enumerate(corpus, 1):
            published = (into / f"2030-{n:05d}.yaml").read_text(encoding="utf-8")
            plain = _plain(published)
            stats = per_form.setdefault(sample.form, Counter())
            stats["samples"] += 1
            leaked = [v for v in sample.personal if v in published or _plain(v) in plain]
            stats["personal"] += len(sample.personal)
            stats["published"] += len(leaked)
            stats["public lost"] += sum(1 for p in sample.public if p not in published)
            if sample.flag:
                stats["to flag"] += 1
        # Flags: the review report lists them (suspects); count them from the anonymiser.
        from generator.privacy.anonymise import anonymise_fields
        for sample in corpus:
            if sample.flag:
                _, anonymiser = anonymise_fields({"facts": sample.text})
                per_form[sample.form]["flagged"] += bool(anonymiser.suspects)
    return per_form, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-form", type=int, default=20)
    parser.add_argument("--bio", type=Path, default=HERE.parent.parent / "shared" / "corpora" / "peoples-daily-ner-dev.bio")
    parser.add_argument("--skip-bio", action="store_true")
    args = parser.parse_args()

    per_form, elapsed = corpus_recall(args.per_form)
    print(f"generated corpus: {sum(c['samples'] for c in per_form.values())} cases, {len(per_form)} forms, "
          f"imported in {elapsed:.1f} s")
    print(f"{'form':34} {'recall':>7} {'published':>9} {'public lost':>11}")
    total = Counter()
    for form, stats in per_form.items():
        total.update(stats)
        if stats["to flag"]:
            print(f"{form:34} {'flagged':>7} {stats['flagged']}/{stats['to flag']:<7} {stats['public lost']:>11}")
            continue
        recall = 1 - stats["published"] / max(1, stats["personal"])
        print(f"{form:34} {recall:7.1%} {stats['published']:>9} {stats['public lost']:>11}")
    print(f"{'ALL':34} {1 - total['published'] / max(1, total['personal']):7.1%} {total['published']:>9} "
          f"{total['public lost']:>11}   (target: 0 published)")

    if args.skip_bio or not args.bio.exists():
        return
    sentences = read_bio(args.bio)
    started = time.perf_counter()
    print(f"\nreal prose: {args.bio.name}, {len(sentences)} sentences")
    for half, part in (("even (tuned on)", sentences[0::2]), ("odd (held out)", sentences[1::2])):
        result = measure(part)
        cells = ", ".join(f"{cat} {h}/{n} = {h / max(1, n):.1%}" for cat, (h, n) in result.items())
        print(f"  {half:16} {cells}")
    print(f"  (PER: removed; LOC/ORG: kept. Targets: PER-full ≥ 99 %, PER-all ≥ 95 %, LOC/ORG ≥ 95 %; "
          f"{time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
