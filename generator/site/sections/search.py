"""The search page: Pagefind's index through our own small script (assets/js/search.js),
which ranks exact phrase matches first and offers category/year filters."""
from __future__ import annotations

from typing import Iterator

from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render


def pages(model: SiteModel) -> Iterator[Page]:
    path = "search.md"
    yield Page(path, "搜索", render("search.html", root=root_prefix(path)),
               description="搜索典型案例和法律条文。", in_nav=True, search=False, meta={"hide": ["toc"]})
