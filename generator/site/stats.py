"""Open-data statistics (数据公开): pandas aggregations of the public case records,
computed at build time, plus static SVG bar charts and a CSV of every number.

Everything here is a pure function of the case list, so two builds of the same input
give byte-identical charts and CSV. No chart script reaches the browser: the SVG is
drawn by our own small Jinja template (`templates/stats/bar.svg`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import jinja2

from ..records.case import DISCRETIONS, HANDLINGS, Case

LENIENT_HANDLINGS = ("首违不罚", "教育纠正")


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    note: str = ""          # a second figure shown beside the bar (e.g. "12 件")


@dataclass(frozen=True)
class Table:
    """One aggregation: what a chart draws, a table shows and the CSV lists."""

    key: str                # stable id, used in the CSV and as the chart's element id
    title: str              # 中文标题
    label_header: str       # header of the label column (类别 / 年份 …)
    value_header: str       # header of the value column (案件数 / 罚款（元）…)
    rows: tuple[Row, ...]
    unit: str = "件"

    @property
    def total(self) -> float:
        return sum(row.value for row in self.rows)


@dataclass(frozen=True)
class KeyFigures:
    cases: int
    lenient: int            # 首违不罚 + 教育纠正
    lenient_share: float    # 0..1
    not_punished: int       # 裁量情形 = 不予处罚
    fines_total: float      # 元
    categories: int
    first_date: str = ""
    last_date: str = ""


@dataclass(frozen=True)
class CaseStats:
    figures: KeyFigures
    tables: tuple[Table, ...] = field(default_factory=tuple)

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def case_frame(cases: Iterable[Case]) -> "pd.DataFrame":
    """One row per case, only the public fields the statistics need."""
    import pandas as pd         # here: a rebuild whose figures did not change never needs it
    rows = [{
        "id": c.id, "category": c.category, "year": c.date.year, "date": c.date.isoformat(),
        "discretion": c.discretion, "handling": c.handling,
        "fine": float(c.fine_yuan or 0.0),
    } for c in cases]
    columns = ["id", "category", "year", "date", "discretion", "handling", "fine"]
    return pd.DataFrame(rows, columns=columns)


def _count_rows(series: "pd.Series", order: Sequence | None = None) -> tuple[Row, ...]:
    counts = series.value_counts()
    if order is None:
        # Largest first; ties by label so the order is stable between builds.
        items = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    else:
        known = [(k, counts.get(k, 0)) for k in order]
        extra = sorted((k, v) for k, v in counts.items() if k not in order)
        items = known + extra
    return tuple(Row(str(k), float(v)) for k, v in items)


def compute_stats(cases: Iterable[Case]) -> CaseStats:
    df = case_frame(cases)
    total = len(df)
    lenient = int(df["handling"].isin(LENIENT_HANDLINGS).sum()) if total else 0
    tables: list[Table] = [
        Table("by-category", "按类别统计案件数", "类别", "案件数", _count_rows(df["category"])),
        Table("by-year", "按年份统计案件数", "年份", "案件数",
              _count_rows(df["year"], order=sorted(df["year"].unique().tolist()))),
        Table("by-discretion", "按裁量情形统计", "裁量情形", "案件数", _count_rows(df["discretion"], DISCRETIONS)),
        Table("by-handling", "按办案方式统计", "办案方式", "案件数", _count_rows(df["handling"], HANDLINGS)),
        Table("lenient-share", "首违不罚与教育纠正所占比例", "办案方式", "案件数",
              (Row("首违不罚 + 教育纠正", float(lenient), _percent(lenient, total)),
               Row("其他方式", float(total - lenient), _percent(total - lenient, total)))),
    ]
    fined = df[df["fine"] > 0]
    if len(fined):
        grouped = fined.groupby("category")["fine"].agg(["sum", "count"]).reset_index()
        grouped = grouped.sort_values(["sum", "category"], ascending=[False, True])
        fine_rows = tuple(Row(str(r.category), float(r.sum), f"{int(r.count)} 件")
                          for r in grouped.itertuples(index=False))
    else:
        fine_rows = ()
    tables.append(Table("fines-by-category", "按类别统计罚款金额", "类别", "罚款（元）", fine_rows, unit="元"))
    figures = KeyFigures(
        cases=total, lenient=lenient, lenient_share=(lenient / total) if total else 0.0,
        not_punished=int((df["discretion"] == "不予处罚").sum()),
        fines_total=float(df["fine"].sum()), categories=int(df["category"].nunique()),
        first_date=str(df["date"].min()) if total else "", last_date=str(df["date"].max()) if total else "",
    )
    return CaseStats(figures, tuple(tables))


def _percent(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "0.0%"


def format_number(value: float) -> str:
    """12000 → '12,000'; 0.5 → '0.5'. Amounts are shown without a trailing .0."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def stats_csv(stats: CaseStats) -> str:
    """Every number of every table, long format: 表格,项目,数值,说明 (UTF-8 with BOM so
    Excel on a bureau PC opens the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["table", "表格", "项目", "数值", "单位", "说明"])
    for table in stats.tables:
        for row in table.rows:
            value = int(row.value) if float(row.value).is_integer() else round(row.value, 2)
            writer.writerow([table.key, table.title, row.label, value, table.unit, row.note])
    return "\ufeff" + buffer.getvalue()


# ---- charts ---------------------------------------------------------------------------

# Geometry of the horizontal bar chart, in SVG user units. About one unit per CSS pixel
# on a phone (content.css caps the width, so it never scales up into huge type); labels
# sit above each bar so long Chinese category names never get cut.
CHART_WIDTH = 400
VALUE_ROOM = 150
BAR_HEIGHT = 22
ROW_GAP = 18
LABEL_HEIGHT = 20
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float          # top of the label line
    bar_y: float
    width: float      # bar length in user units (≥ 1 when value > 0 so it stays visible)


def _bars(table: Table) -> tuple[list[Bar], float]:
    maximum = max((row.value for row in table.rows), default=0) or 1
    usable = CHART_WIDTH - VALUE_ROOM   # room for the value text right of the longest bar
    bars: list[Bar] = []
    y = TOP
    for row in table.rows:
        width = usable * row.value / maximum
        if row.value > 0:
            width = max(width, 2)
        text = f"{format_number(row.value)} {table.unit}" + (f"（{row.note}）" if row.note else "")
        bars.append(Bar(row.label, text, y, y + LABEL_HEIGHT, round(width, 2)))
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return bars, y


def chart_svg(table: Table, env: jinja2.Environment) -> str:
    """A static, self-contained SVG bar chart of one table (inline in the page)."""
    bars, height = _bars(table)
    return env.get_template("stats/bar.svg").render(
        table=table, bars=bars, width=CHART_WIDTH, height=max(height, 40), bar_height=BAR_HEIGHT,
    ).strip()


__all__ = ["Row", "Table", "KeyFigures", "CaseStats", "case_frame", "compute_stats", "stats_csv",
           "chart_svg", "format_number", "LENIENT_HANDLINGS"]
