"""数据公开 (open data): key figures, one static SVG chart + table per aggregation, and the
CSV of every number, all computed from the public case records at build time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup

from ..content import root_of
from ..pages import Page, ViewAsset, ViewPage
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


@dataclass(frozen=True)
class StatCase:
    """What the statistics read of a case (a text edit does not change the figures)."""

    id: str
    category: str
    date: dt.date
    discretion: str
    handling: str
    fine_yuan: float | int | None


@dataclass(frozen=True)
class StatsView:
    cases: tuple[StatCase, ...]


def stats_view(model: Any) -> StatsView:
    return StatsView(tuple(StatCase(c.id, c.category, c.date, c.discretion, c.handling, c.fine_yuan)
                           for c in counted_cases(model)))


def model_stats(model: Any) -> CaseStats:
    return compute_stats(stats_view(model).cases)


def share_text(stats: CaseStats) -> str:
    return f"{stats.figures.lenient_share:.1%}"


def counted_cases(model: Any) -> list:
    """Every case record: one no longer published (expired, withdrawn) still happened."""
    counted = getattr(model, "all_cases", None)
    return model.cases if counted is None else counted


def render_csv(view: StatsView) -> bytes:
    return stats_csv(compute_stats(view.cases)).encode("utf-8")


def render_stats(view: StatsView) -> Page:
    stats = compute_stats(view.cases)
    env = template_env()
    charts = [Chart(table, Markup(chart_svg(table, env))) for table in stats.tables]
    body = env.get_template("stats/index.html").render(
        figures=stats.figures, share=share_text(stats), charts=charts, fmt=format_number,
        csv_url=URL + CSV_NAME, csv_name=CSV_NAME, root=root_of(URL))
    f = stats.figures
    return Page(PATH, TITLE, body,
                description=(f"公开案例{f.cases}件，首违不罚与教育纠正占{share_text(stats)}，"
                             f"依法不予处罚{f.not_punished}件；按类别、年份、裁量情形和办案方式统计，附 CSV 下载。"),
                in_nav=True, filters={"type": ["数据公开"]})


def pages(model: Any) -> Iterable[ViewPage | ViewAsset]:
    view = stats_view(model)            # the figures need pandas: computed only when they change
    yield ViewAsset(URL + CSV_NAME, view, render_csv)
    yield ViewPage(PATH, view, render_stats, TITLE, in_nav=True)
