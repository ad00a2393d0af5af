"""数据公开 (open data): key figures, one static SVG chart + table per aggregation, and the
CSV of every number, all computed from the public case records at build time."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup

from ..content import root_of
from ..pages import Asset, Page
from ..render import template_env
from ..stats import CaseStats, Table, chart_svg, compute_stats, format_number, stats_csv

PATH = "open-data/index.md"
TITLE = "数据公开：以案释法案件统计"
URL = "open-data/"
CSV_NAME = "pufa-case-statistics.csv"


@dataclass(frozen=True)
class Chart:
    table: Table
    svg: Markup        # rendered by our autoescaping template: safe to inline


def model_stats(model: Any) -> CaseStats:
    """Computed once per build (the home page shows the same figures)."""
    cached = getattr(model, "_pufa_stats", None)
    if cached is None:
        cached = compute_stats(model.cases)
        try:
            object.__setattr__(model, "_pufa_stats", cached)
        except (AttributeError, TypeError):
            pass
    return cached


def share_text(stats: CaseStats) -> str:
    return f"{stats.figures.lenient_share:.1%}"


def pages(model: Any) -> Iterable[Page | Asset]:
    csv_url = URL + CSV_NAME
    stats = model_stats(model)
    yield Asset(csv_url, data=stats_csv(stats).encode("utf-8"))
    env = template_env()
    charts = [Chart(table, Markup(chart_svg(table, env))) for table in stats.tables]
    body = env.get_template("stats/index.html").render(
        figures=stats.figures, share=share_text(stats), charts=charts, fmt=format_number,
        csv_url=csv_url, csv_name=CSV_NAME, root=root_of(URL))
    f = stats.figures
    yield Page(PATH, TITLE, body,
               description=(f"公开案例{f.cases}件，首违不罚与教育纠正占{share_text(stats)}，"
                            f"依法不予处罚{f.not_punished}件；按类别、年份、裁量情形和办案方式统计，附 CSV 下载。"),
               in_nav=True, filters={"type": ["数据公开"]})
