"""更正记录: every correction of a published case, newest first (市场监督管理行政处罚
信息公示规定 第十二条). Each case page shows its own; this page lists them all. It
names the corrected fields and the date, never the old text (it may have held
personal data)."""
from __future__ import annotations

from typing import Iterator

from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render

PATH = "corrections/index.md"


def pages(model: SiteModel) -> Iterator[Page]:
    corrections = list(getattr(model.lifecycle, "corrections", None) or ())
    if not corrections:
        return
    yield Page(PATH, "更正记录", render("lifecycle/corrections.html", root=root_prefix(PATH), corrections=corrections),
               description=f"已公开案例的更正记录，共 {len(corrections)} 条。", search=False, meta={"hide": ["toc"]})
