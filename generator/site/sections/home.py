"""The home page: the four pillars (执法、普法、监督、公开), key figures from the open-data
statistics, latest cases, featured episodes and livestreams, how to complain (12328)."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render
from ..content import AUDIENCE_LABELS, duration_text
from ..stats import format_number
from .episodes import poster_url
from .stats import model_stats, share_text

LATEST = 8
TITLE = "首页"
FEATURED_EPISODES = 3
LIVESTREAMS = 5


def featured_episodes(model: SiteModel) -> list:
    """Episodes that play on the site first, then the newest."""
    return sorted(model.episodes, key=lambda e: (not e.media, -e.date.toordinal(), e.number))[:FEATURED_EPISODES]


def pages(model: SiteModel) -> Iterator[Page]:
    path = "index.md"
    counts = Counter(case.category for case in model.cases)
    categories = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    featured = featured_episodes(model)
    livestreams = sorted((t for t in model.transcripts if t.meta.kind == "livestream"),
                         key=lambda t: (t.meta.date, t.id), reverse=True)[:LIVESTREAMS]

    stats = model_stats(model)
    body = render("home/index.html", root=root_prefix(path), site_name=model.settings.site_name,
                  categories=categories, latest=model.cases[:LATEST], total=len(model.cases),
                  hotline=model.settings.hotline, figures=stats.figures, share=share_text(stats),
                  fmt=format_number, featured=featured, posters={e.id: poster_url(e) for e in featured},
                  livestreams=livestreams, episodes_total=len(model.episodes),
                  lessons_total=len(model.lessons), items_total=len(model.discretion),
                  audience_labels=AUDIENCE_LABELS, duration=duration_text)
    description = model.settings.description or "济南市交通运输执法典型案例（以案释法）：案情、处罚依据、处罚决定和执法人员说法。"
    yield Page(path, TITLE, body, description=description, in_nav=True, search=False,
               meta={"hide": ["toc", "navigation"]})
