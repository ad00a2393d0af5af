"""The home page: a search box that answers as you type, categories, latest cases."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render

LATEST = 8


def pages(model: SiteModel) -> Iterator[Page]:
    path = "index.md"
    counts = Counter(case.category for case in model.cases)
    categories = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    body = render("home.html", root=root_prefix(path), site_name=model.settings.site_name,
                  categories=categories, latest=model.cases[:LATEST], total=len(model.cases),
                  hotline=model.settings.hotline)
    description = model.settings.description or "济南市交通运输执法典型案例（以案释法）：案情、处罚依据、处罚决定和执法人员说法。"
    yield Page(path, "首页", body, description=description, in_nav=True, search=False,
               meta={"hide": ["toc", "navigation"]})
