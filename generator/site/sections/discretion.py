"""裁量清单 (discretion list): one page, grouped by the four kinds and by category, each
item an anchor (`discretion/#<id>`) listing the typical cases decided under it; and the
block every case page shows for the item that applied (`discretion_block`)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable

from ...records.case import Case
from ...records.content import DISCRETION_KINDS, DiscretionItem
from ..content import KIND_SLUGS, content_index, root_of
from ..pages import Asset, Page
from ..render import case_url, discretion_url, render

PATH = "discretion/index.md"
KIND_EXPLAIN = {
    "不予处罚": "违法行为轻微并及时改正、没有造成危害后果的，或者初次违法且危害后果轻微并及时改正的，依法不予行政处罚，以批评教育、责令改正为主。",
    "从轻处罚": "在法定处罚种类和幅度内，选择较轻的处罚种类或者较低的罚款数额。",
    "减轻处罚": "在法定处罚种类或者幅度最低限以下给予处罚。",
    "从重处罚": "在法定处罚种类和幅度内，选择较重的处罚种类或者较高的罚款数额。",
}


@dataclass(frozen=True)
class KindGroup:
    kind: str
    slug: str
    explain: str
    categories: tuple[tuple[str, tuple[DiscretionItem, ...]], ...]

    @property
    def count(self) -> int:
        return sum(len(items) for _, items in self.categories)


def group_items(items: Iterable[DiscretionItem]) -> list[KindGroup]:
    """The four kinds in their legal order; categories in first-seen order of the file."""
    groups: list[KindGroup] = []
    items = list(items)
    for kind in DISCRETION_KINDS:
        by_category: dict[str, list[DiscretionItem]] = {}
        for item in items:
            if item.kind == kind:
                by_category.setdefault(item.category, []).append(item)
        if by_category:
            groups.append(KindGroup(kind, KIND_SLUGS[kind], KIND_EXPLAIN[kind],
                                    tuple((c, tuple(v)) for c, v in by_category.items())))
    return groups


def pages(model: Any) -> Iterable[Page | Asset]:
    index = content_index(model)
    groups = group_items(model.discretion)
    body = render("discretion/index.html", groups=groups, total=len(model.discretion),
                  cases_by_item=index.cases_by_item, root=root_of(discretion_url()))
    counts = "、".join(f"{g.kind}{g.count}项" for g in groups)
    yield Page(PATH, "不予处罚、从轻处罚、减轻处罚、从重处罚事项清单", body,
               description=f"济南交通运输执法裁量清单：{counts}，每项写明违法行为、适用条件、法律依据、处理结果和典型案例。",
               in_nav=True, filters={"type": ["裁量清单"]})


def discretion_block(model: Any, case: Case) -> str:
    """HTML for a case page: the discretion item that applied, why, and where it is listed.
    Empty when the case names no item."""
    if not case.discretion_item:
        return ""
    item = content_index(model).items.get(case.discretion_item)
    if item is None:
        return ""
    return render("discretion/block.html", item=item, others=discretion_others(model, case),
                  root=root_of(case_url(case.id)))


def discretion_others(model: Any, case: Case) -> tuple[Case, ...]:
    """The other cases decided under the case's discretion item (newest first, 5): a case
    page links them by title."""
    members = content_index(model).cases_by_item.get(case.discretion_item, [])
    return tuple(islice((c for c in members if c.id != case.id), 5))     # not a copy of 2,000 members per case
