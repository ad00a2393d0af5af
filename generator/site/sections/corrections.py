"""更正记录: every correction of a published case, newest first (市场监督管理行政处罚
信息公示规定 第十二条). Each case page shows its own; this page lists them all. It
names the corrected fields and the date, never the old text (it may have held
personal data)."""
from __future__ import annotations

from typing import Iterator

from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render

# Beside the case pages: the same page shell, so a correction re-renders it without mkdocs (replay.py).
PATH = "cases/corrections.md"


def pages(model: SiteModel) -> Iterator[Page]:
    # Always written, even empty: a first correction then changes a page instead of
    # adding one (a set of pages that changes means a full mkdocs run, incremental.py).
    corrections = list(getattr(model.lifecycle, "corrections", None) or ())
    yield Page(PATH, "更正记录", render("lifecycle/corrections.html", root=root_prefix(PATH), corrections=corrections,
                                      withdrawals=bool(getattr(model.lifecycle, "withdrawals", None))),
               description=f"已公开案例的更正记录，共 {len(corrections)} 条。" if corrections else "已公开案例的更正记录。", search=False, meta={"hide": ["toc"]})
