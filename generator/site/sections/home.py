"""The home page: the four pillars (执法、普法、监督、公开), key figures from the open-data
statistics, latest cases, featured episodes and livestreams, how to complain (12328)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from ...records.case import Case
from ...records.content import Episode
from ..content import AUDIENCE_LABELS, duration_text
from ..model import SiteModel, StreamRef
from ..pages import Page, ViewPage, root_prefix
from ..render import render
from ..stats import compute_stats, format_number
from .episodes import poster_url
from .stats import StatsView, share_text, stats_view

LATEST = 8
TITLE = "首页"
FEATURED_EPISODES = 3
LIVESTREAMS = 5


def featured_episodes(model: SiteModel) -> list:
    """Episodes that play on the site first, then the newest."""
    return sorted(model.episodes, key=lambda e: (not e.media, -e.date.toordinal(), e.number))[:FEATURED_EPISODES]


@dataclass(frozen=True)
class Category:
    value: str
    count: int


@dataclass(frozen=True)
class HomeView:
    """Everything the home page shows."""

    site_name: str
    description: str
    hotline: str
    stats: StatsView                       # the key figures
    categories: tuple[Category, ...]
    latest: tuple[Case, ...]
    total: int
    featured: tuple[Episode, ...]
    posters: tuple[tuple[str, str], ...]   # episode id → poster URL
    livestreams: tuple[StreamRef, ...]
    episodes_total: int
    lessons_total: int
    items_total: int


def render_home(view: HomeView) -> Page:
    path = "index.md"
    stats = compute_stats(view.stats.cases)
    body = render("home/index.html", root=root_prefix(path), site_name=view.site_name,
                  categories=view.categories, latest=view.latest, total=view.total,
                  hotline=view.hotline, figures=stats.figures, share=share_text(stats),
                  fmt=format_number, featured=view.featured, posters=dict(view.posters),
                  livestreams=view.livestreams, episodes_total=view.episodes_total,
                  lessons_total=view.lessons_total, items_total=view.items_total,
                  audience_labels=AUDIENCE_LABELS, duration=duration_text)
    description = view.description or "济南市交通运输执法典型案例（以案释法）：案情、处罚依据、处罚决定和执法人员说法。"
    return Page(path, TITLE, body, description=description, in_nav=True, search=False,
                meta={"hide": ["toc", "navigation"]})


def pages(model: SiteModel) -> Iterator[ViewPage]:
    counts = Counter(case.category for case in model.cases)
    featured = featured_episodes(model)
    livestreams = sorted((t for t in model.transcripts if t.meta.kind == "livestream"),
                         key=lambda t: (t.meta.date, t.id), reverse=True)[:LIVESTREAMS]
    view = HomeView(
        model.settings.site_name, model.settings.description, model.settings.hotline, stats_view(model),
        tuple(Category(v, n) for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        tuple(model.cases[:LATEST]), len(model.cases), tuple(featured),
        tuple((e.id, poster_url(e)) for e in featured), tuple(StreamRef(t.id, t.meta) for t in livestreams),
        len(model.episodes), len(model.lessons), len(model.discretion))
    yield ViewPage("index.md", view, render_home, TITLE, in_nav=True, search=False)
