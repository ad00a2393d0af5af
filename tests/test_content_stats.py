"""Open-data statistics: pandas aggregations, static SVG charts and the CSV download."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import jinja2
import pytest

from generator.records.case import Case
from generator.records.law import LegalBasis
from generator.site.stats import chart_svg, compute_stats, stats_csv

TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("generator.site", "templates"), autoescape=True)


def make_case(n: int, category: str, discretion: str, handling: str, fine: float | None, year: int = 2024) -> Case:
    return Case(id=f"{year}-{n:04d}", title="王某未取得许可从事经营案", category=category,
                date=dt.date(year, 1 + n % 12, 1 + n % 28), place="济南西站", cause="未取得许可", facts="……",
                legal_basis=(LegalBasis("中华人民共和国道路运输条例", "第六十三条"),), decision="罚款",
                discretion=discretion, handling=handling, explanation="……", fine_yuan=fine)


@pytest.fixture
def cases() -> list[Case]:
    return [
        make_case(1, "网约车", "不予处罚", "首违不罚", 0),
        make_case(2, "网约车", "一般处罚", "普通程序", 10000),
        make_case(3, "网约车", "从轻处罚", "教育纠正", None),
        make_case(4, "超限超载", "从重处罚", "普通程序", 30000, year=2023),
        make_case(5, "出租车", "从轻处罚", "简易程序", 200),
        make_case(6, "非法营运<script>", "减轻处罚", "说理式执法", 5000.5, year=2025),
    ]


def test_counts_add_up_to_the_number_of_cases(cases):
    stats = compute_stats(cases)
    assert stats.figures.cases == 6
    for key in ("by-category", "by-year", "by-discretion", "by-handling", "lenient-share"):
        assert stats.table(key).total == 6, key


def test_lenient_share_is_first_violation_waivers_plus_education(cases):
    stats = compute_stats(cases)
    assert stats.figures.lenient == 2
    assert stats.figures.lenient_share == pytest.approx(2 / 6)
    assert stats.table("lenient-share").rows[0].note == "33.3%"
    assert stats.figures.not_punished == 1


def test_fines_by_category_sum_only_fined_cases(cases):
    table = compute_stats(cases).table("fines-by-category")
    assert [(r.label, r.value, r.note) for r in table.rows] == [
        ("超限超载", 30000.0, "1 件"), ("网约车", 10000.0, "1 件"),
        ("非法营运<script>", 5000.5, "1 件"), ("出租车", 200.0, "1 件")]
    assert compute_stats(cases).figures.fines_total == pytest.approx(45200.5)


def test_years_in_calendar_order_and_every_discretion_listed(cases):
    stats = compute_stats(cases)
    assert [r.label for r in stats.table("by-year").rows] == ["2023", "2024", "2025"]
    assert [r.label for r in stats.table("by-discretion").rows] == ["不予处罚", "从轻处罚", "减轻处罚", "一般处罚", "从重处罚"]


def test_no_cases_gives_empty_tables_not_an_error():
    stats = compute_stats([])
    assert stats.figures.cases == 0 and stats.figures.lenient_share == 0
    svg = chart_svg(stats.table("by-category"), TEMPLATES)
    assert "暂无数据" in svg


def test_chart_is_valid_svg_with_bars_proportional_to_values(cases):
    table = compute_stats(cases).table("by-category")
    svg = chart_svg(table, TEMPLATES)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    bars = root.findall(".//s:rect", ns)
    assert [b.get("data-label") for b in bars] == [r.label for r in table.rows]
    widths = [float(b.get("width")) for b in bars]
    values = [r.value for r in table.rows]
    assert widths[0] == max(widths)
    for w, v in zip(widths, values):
        assert w / widths[0] == pytest.approx(v / values[0], rel=0.01)
    # Labels are escaped text, never markup; nothing outside is referenced.
    assert "非法营运&lt;script&gt;" in svg
    assert not re.search(r"(href|src)=", svg)


def test_csv_lists_every_number_and_reads_back(cases):
    stats = compute_stats(cases)
    text = stats_csv(stats)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == sum(len(t.rows) for t in stats.tables)
    fines = {r["项目"]: r["数值"] for r in rows if r["table"] == "fines-by-category"}
    assert fines == {"超限超载": "30000", "网约车": "10000", "非法营运<script>": "5000.5", "出租车": "200"}


def test_same_input_gives_byte_identical_output(cases):
    first = compute_stats(cases)
    second = compute_stats(list(reversed(cases)))
    assert stats_csv(first) == stats_csv(second)
    assert chart_svg(first.table("by-category"), TEMPLATES) == chart_svg(second.table("by-category"), TEMPLATES)
