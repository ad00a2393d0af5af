"""Import throughput: a generated export of 10,000 cases (with planted personal data in
every form) imported into a fresh folder, as .csv and as .xlsx; prints rows/s.

    .venv/bin/python bench/import_scale.py [--rows 10000] [--formats csv,xlsx] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from generator.importer.run import import_cases  # noqa: E402
from generator.privacy import planted  # noqa: E402

HEADERS = ["案件编号", "案件名称", "类别", "当事人", "身份证号", "联系电话", "车牌号", "违法时间", "违法地点",
           "案由", "违法事实", "调查经过", "处罚依据", "处罚决定", "裁量情形", "办案方式", "执法人员说法"]
CATEGORIES = [("网约车", "未取得网络预约出租汽车驾驶员证从事网约车经营", "《网络预约出租汽车经营服务管理暂行办法》第三十四条"),
              ("出租车", "巡游出租汽车驾驶员拒载", "《巡游出租汽车经营服务管理规定》第四十二条"),
              ("非法营运", "未取得道路运输经营许可擅自从事道路客运经营", "《中华人民共和国道路运输条例》第六十三条"),
              ("超限超载", "车辆超限运输", "《公路安全保护条例》第六十四条")]
PLACES = ["济南西站南广场", "济南站北广场", "历下区经十路", "槐荫区二环西路", "章丘区G220国道", "济南遥墙国际机场"]


def make_row(rng: random.Random, n: int) -> list[str]:
    party = planted.name(rng)
    category, cause, basis = rng.choice(CATEGORIES)
    ident, mobile, plate = planted.id_number(rng), planted.mobile(rng), planted.plate(rng)
    passenger = planted.name(rng)
    facts = (f"{2024}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日，当事人{party}驾驶{planted.plate_form(rng, plate)}号车辆"
             f"在{rng.choice(PLACES)}从事经营，搭载乘客{passenger}前往经十路{planted.house_number(rng)}，收取车费"
             f"{rng.randint(20, 300)}元。经查，{party}联系电话{planted.phone_form(rng, mobile)}，"
             f"身份证号{planted.id_form(rng, ident)}，车架号{planted.vin(rng)}，收款卡号{planted.bank_card(rng)}。")
    investigation = (f"执法人员现场制作询问笔录，乘客{passenger}证实通过平台下单，"
                     f"证人{planted.name(rng)}称其在场。{party}对违法事实无异议。")
    explanation = (f"{party}的行为违反了{basis}的规定。依据{basis}，结合裁量基准作出处理。"
                   "乘客应选择合法运营车辆，如遇问题可拨打12328热线投诉。")
    fine = rng.choice(["罚款1万元", "罚款5000元", "罚款二千元", "不予处罚，责令改正"])
    return [f"济交执罚〔2024〕{n:05d}号", f"{party}{cause}案", category, party, ident, mobile, plate,
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.choice(PLACES), cause, facts,
            investigation, basis, fine, "一般处罚" if fine.startswith("罚款") else "不予处罚",
            "普通程序" if fine.startswith("罚款") else "首违不罚", explanation]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["典型案例导出"])
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("典型案例")
    sheet.append(["典型案例导出"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    rows = [make_row(rng, n) for n in range(1, args.rows + 1)]
    with tempfile.TemporaryDirectory(prefix="pufa-import-bench-") as tmp:
        for fmt in args.formats.split(","):
            source = Path(tmp) / f"export.{fmt}"
            (write_csv if fmt == "csv" else write_xlsx)(source, rows)
            into = Path(tmp) / fmt / "cases_public"
            profiler = cProfile.Profile() if args.profile else None
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            result = import_cases([source], into=into)
            if profiler:
                profiler.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            # CPU time too: on a shared 2-core machine the wall time mostly measures the neighbours.
            print(f"{fmt}: {result.rows} rows in {elapsed:.1f} s = {result.rows / elapsed:,.0f} rows/s "
                  f"(CPU {cpu:.1f} s = {result.rows / cpu:,.0f} rows/s per core) "
                  f"({source.stat().st_size / 1e6:.1f} MB export, {len(result.written)} records written, "
                  f"{sum(result.counts.values())} replacements)")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
