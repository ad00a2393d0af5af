"""撤回说明: one page per withdrawn decision (case number, date, reason: nothing of the
case's content, 行政处罚法 第四十八条) and an index of them. Written only when there is
a withdrawal, so a project without one has no such pages."""
from __future__ import annotations

from typing import Iterator

from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render

INDEX = "withdrawn/index.md"


def notice_path(case_id: str) -> str:
    return f"withdrawn/{case_id}.md"


def pages(model: SiteModel) -> Iterator[Page]:
    outcome = model.lifecycle
    notices = list(getattr(outcome, "withdrawals", None) or ())
    if not notices:
        return
    for notice in notices:
        path = notice_path(notice.id)
        label = notice.case_no or notice.id
        yield Page(path, f"撤回说明：{label}", render("lifecycle/withdrawal.html", root=root_prefix(path), notice=notice),
                   description=f"{label} 行政处罚决定已于 {notice.date} 变更或撤销，原公开信息已撤回。",
                   search=False, meta={"hide": ["toc"]})
    yield Page(INDEX, "撤回说明", render("lifecycle/withdrawals.html", root=root_prefix(INDEX), notices=notices),
               description="已撤回公开的行政处罚决定及撤回原因。", search=False, meta={"hide": ["toc"]})
