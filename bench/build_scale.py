"""Build time at scale: `python bench/build_scale.py N [--keep DIR]`.

Generates N synthetic (already anonymised) cases into a temporary project that uses the
repository's law texts, runs `pufa build` (no import step: records → site) and prints
build time per stage, site size, largest file, pages/s and peak memory.
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.fsutil import atomic_write_text  # noqa: E402
from generator.site.build import build_site  # noqa: E402
from generator.review.approvals import approve_all  # noqa: E402
from generator.yamlio import dump_yaml  # noqa: E402

CATEGORIES = {
    "网约车": [("《网络预约出租汽车经营服务管理暂行办法》", "第三十四条"), ("《网络预约出租汽车经营服务管理暂行办法》", "第三十五条")],
    "出租车": [("《巡游出租汽车经营服务管理规定》", "第四十八条"), ("《巡游出租汽车经营服务管理规定》", "第四十六条")],
    "非法营运": [("《中华人民共和国道路运输条例》", "第六十三条"), ("《山东省道路运输条例》", "第六十二条")],
    "超限超载": [("《公路安全保护条例》", "第六十四条"), ("《中华人民共和国公路法》", "第七十六条")],
    "道路运输": [("《中华人民共和国道路运输条例》", "第六十六条"), ("《道路运输从业人员管理规定》", "第四十六条")],
}
EXTRA = [("《中华人民共和国行政处罚法》", "第三十二条"), ("《中华人民共和国行政处罚法》", "第三十三条")]
DISCRETIONS = ["不予处罚", "从轻处罚", "减轻处罚", "一般处罚", "从重处罚"]
HANDLINGS = ["首违不罚", "教育纠正", "说理式执法", "简易程序", "普通程序"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
PLACES = ["槐荫区济南西站北广场", "历下区泉城广场", "天桥区济南火车站南广场", "章丘区超限检测站", "历城区遥墙机场到达层",
          "市中区经十路", "长清区大学城", "莱芜区汶源大街"]
PHRASES = ["执法人员在例行检查中发现", "当事人驾驶小型轿车通过平台接单载客", "经调取平台订单记录核实", "当事人对违法事实供认不讳",
           "车辆未取得相应许可", "执法人员当场制作询问笔录", "当事人主动配合调查并当场改正", "经称重检测车货总质量超过限定标准",
           "乘客反映驾驶员存在议价行为", "经查询执法系统无同类违法记录", "执法人员向当事人讲解了相关法律规定", "当事人签署守法承诺书"]


def synthetic_case(n: int, rng: random.Random) -> dict:
    category = rng.choice(list(CATEGORIES))
    law, article = rng.choice(CATEGORIES[category])
    basis = [{"law": law, "article": article}]
    discretion = rng.choice(DISCRETIONS)
    if discretion in ("不予处罚", "从轻处罚", "减轻处罚"):
        basis.append(dict(zip(("law", "article"), EXTRA[0 if discretion != "不予处罚" else 1])))
    year = rng.randint(2019, 2025)
    person = rng.choice(SURNAMES) + "某"
    fine = 0 if discretion == "不予处罚" else rng.choice([500, 1000, 2000, 3000, 5000, 10000, 20000])
    facts = "，".join(rng.sample(PHRASES, 6)) + "。" + "，".join(rng.sample(PHRASES, 5)) + "。"
    return {
        "id": f"s{year}-{n:05d}",
        "case_no": f"济交执罚〔{year}〕{n + 1000}号",
        "title": f"{person}{category}违法{discretion}案（第{n}号）",
        "category": category,
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "place": rng.choice(PLACES),
        "cause": f"{category}领域违法行为",
        "facts": f"{person}" + facts,
        "legal_basis": basis,
        "decision": "不予行政处罚，责令改正" if fine == 0 else f"罚款{fine}元",
        "fine_yuan": fine,
        "discretion": discretion,
        "handling": rng.choice(HANDLINGS),
        "explanation": "，".join(rng.sample(PHRASES, 4)) + "。守法经营，安全出行。",
        "tags": [category, discretion],
    }


def make_project(target: Path, count: int, seed: int = 1) -> Path:
    shutil.copytree(ROOT / "tests" / "data" / "mini-project", target, ignore=shutil.ignore_patterns("cases_public", "site"))
    shutil.rmtree(target / "data" / "laws")
    shutil.copytree(ROOT / "data" / "laws", target / "data" / "laws")
    cases = target / "cases_public"
    cases.mkdir()
    rng = random.Random(seed)
    for n in range(count):
        record = synthetic_case(n, rng)
        atomic_write_text(cases / f"{record['id']}.yaml", dump_yaml(record))
    approve_all(cases, "bench")           # only approved cases are published
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pufa-bench-"))
    try:
        project = work / "project"
        if project.exists():
            shutil.rmtree(project)
        started = time.perf_counter()
        make_project(project, args.count)
        print(f"generated {args.count} synthetic cases in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        report = build_site(project, progress=False)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        home = (project / "site" / "index.html").stat().st_size
        print(f"cases: {args.count}")
        print(f"build time (records → site, no import): {seconds:.1f} s")
        print("stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items()))
        print(f"pages: {report.pages}  ({report.pages / seconds:.0f} pages/s)")
        print(f"site size: {report.bytes / 1e6:.1f} MB in {report.files} files")
        print(f"largest file: {report.largest[0]} ({report.largest[1] / 1e6:.2f} MB)")
        print(f"home page: {home / 1e3:.0f} KB")
        print(f"peak memory: {peak:.0f} MB (python), {children:.0f} MB (largest child: Pagefind / leak-gate worker)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
