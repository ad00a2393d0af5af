"""Content pages at scale: 10,000 cases, 195 episodes, 60 lessons, 60 discretion items.
Times the open-data statistics and each content section's page generation (templates
only: no mkdocs, no ffmpeg: the episodes have no media here). Prints seconds and sizes.

    .venv/bin/python bench/content_pages.py [--cases 10000] [--episodes 195]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.config import ProjectConfig  # noqa: E402
from generator.records.case import DISCRETIONS, HANDLINGS, Case  # noqa: E402
from generator.records.content import DISCRETION_KINDS, GRADES, DiscretionItem, Episode, Lesson  # noqa: E402
from generator.records.law import LegalBasis  # noqa: E402
from generator.site.lawbook import LawBook  # noqa: E402
from generator.site.model import SiteModel, SiteSettings  # noqa: E402
from generator.site.pages import Page  # noqa: E402
from generator.site.sections import discretion, episodes, home, lessons, stats  # noqa: E402
from generator.site.stats import compute_stats, stats_csv  # noqa: E402

CATEGORIES = ("网约车", "出租车", "非法营运", "超限超载", "道路运输")
AUDIENCES = ("public", "小学", "初中", "高中", "drivers", "firms")
BASIS = (LegalBasis("中华人民共和国行政处罚法", "第三十三条"),)


def synthetic(n_cases: int, n_episodes: int, n_items: int, n_lessons: int, root: Path) -> SiteModel:
    rng = random.Random(1)
    items = [DiscretionItem(f"item-{i:03d}", DISCRETION_KINDS[i % 4], CATEGORIES[i % 5], f"违法行为{i}",
                            ("初次违法", "及时改正"), BASIS, "不予行政处罚，责令改正") for i in range(n_items)]
    cases = [Case(id=f"{2020 + i % 6}-{i:05d}", title=f"王某违法经营案{i}", category=rng.choice(CATEGORIES),
                  date=dt.date(2020 + i % 6, 1 + i % 12, 1 + i % 28), place="济南西站", cause="未取得许可从事经营",
                  facts="……" * 40, legal_basis=BASIS, decision="罚款1万元", discretion=rng.choice(DISCRETIONS),
                  handling=rng.choice(HANDLINGS), explanation="……" * 40, fine_yuan=rng.choice((0, 200, 10000, 30000)),
                  discretion_item=rng.choice(items).id if rng.random() < 0.6 else "")
             for i in range(n_cases)]
    eps = [Episode(f"qxh-{i:03d}", i, f"第{i}集", dt.date(2020, 1, 1) + dt.timedelta(days=7 * i),
                   rng.choice(CATEGORIES), tuple(rng.sample(AUDIENCES, 2)), 60 + i, "简介" * 30,
                   cases=tuple(c.id for c in rng.sample(cases, 3))) for i in range(1, n_episodes + 1)]
    lessons_ = [Lesson(f"lesson-{i:03d}", f"课程{i}", "校园", rng.choice(CATEGORIES), 40, ("目标",), ("提纲",) * 8,
                       ("讨论题",) * 4, grade=GRADES[i % 3], episodes=(rng.choice(eps).id,),
                       cases=tuple(c.id for c in rng.sample(cases, 3)), discretion_items=(rng.choice(items).id,))
                for i in range(n_lessons)]
    config = ProjectConfig(root=root, cases_dir=root / "cases_public", transcripts_dir=root / "transcripts",
                           data_dir=root / "data", media_dir=root / "media", site_dir=root / "site",
                           cache_dir=root / ".pufa-cache", reports_dir=root / "reports", mkdocs_file=root / "mkdocs.yml")
    cases.sort(key=lambda c: (-c.date.toordinal(), c.id))
    return SiteModel(config, cases, LawBook(), items, eps, lessons_, [], SiteSettings("bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--episodes", type=int, default=195)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--lessons", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = synthetic(args.cases, args.episodes, args.items, args.lessons, Path(tmp))
        start = time.perf_counter()
        result = compute_stats(model.cases)
        csv_text = stats_csv(result)
        print(f"statistics of {args.cases} cases: {time.perf_counter() - start:.3f} s "
              f"({len(result.tables)} tables, CSV {len(csv_text.encode()) / 1e3:.1f} KB)")
        for section in (discretion, episodes, lessons, stats, home):
            start = time.perf_counter()
            produced = list(section.pages(model))
            seconds = time.perf_counter() - start
            pages = [p for p in produced if isinstance(p, Page)]
            largest = max((len(p.body.encode()) for p in pages), default=0)
            print(f"{section.__name__.rsplit('.', 1)[-1]:>10}: {len(pages):4d} pages in {seconds:.3f} s, "
                  f"largest body {largest / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
