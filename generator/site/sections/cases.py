"""Case pages, the paginated case listing and its facet listings (category, year,
discretion, handling, law).

Every case page is out of the nav and costs O(1): related cases come from neighbours in
precomputed buckets, never from a scan of all cases.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from markupsafe import Markup

from ...records.case import DISCRETIONS, HANDLINGS, Case
from ..model import SiteModel
from ..pages import LazyAsset, LazyPage, Page, root_prefix
from ..pagememo import inputs_digest
from ..render import facet_url, render, slugify, truncate_text
from .discretion import discretion_block
from .recaps import case_moments_html

PAGE_SIZE = 20
RELATED = 5


@dataclass(frozen=True)
class Facet:
    name: str                                   # URL part: cases/<name>/<slug>/
    label: str                                  # 类别 …
    values: Callable[[Case], Iterable[str]]     # a case's values for this facet
    order: Callable[[tuple[str, int]], object]  # sort key of (value, count)
    in_bar: bool = True                         # shown in the filter bar of listings


def _fixed_order(order: tuple[str, ...]) -> Callable[[tuple[str, int]], object]:
    return lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0])


def facets_for(model: SiteModel) -> list[Facet]:
    def laws_of(case: Case) -> list[str]:
        names = []
        for basis in case.legal_basis:
            law = model.law_of(basis)
            if law is not None and law.short_title not in names:
                names.append(law.short_title)
        return names

    return [
        Facet("category", "类别", lambda c: [c.category], lambda kv: (-kv[1], kv[0])),
        Facet("year", "年份", lambda c: [str(c.year)], _year_desc),
        Facet("discretion", "裁量", lambda c: [c.discretion], _fixed_order(DISCRETIONS)),
        Facet("handling", "办案方式", lambda c: [c.handling], _fixed_order(HANDLINGS)),
        Facet("law", "法律", laws_of, lambda kv: (-kv[1], kv[0]), in_bar=False),
    ]


def _year_desc(kv: tuple[str, int]) -> object:
    return (-int(kv[0]) if kv[0].isdigit() else 0, kv[0])


def page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: first, last and `width` pages either side; None is a gap."""
    shown = sorted({1, pages, *range(max(1, page - width), min(pages, page + width) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def _listing_path(facet: str, value: str | None, page: int) -> str:
    url = facet_url(facet, value, page)
    return url + "index.md"


def listing_pages(model: SiteModel, digests: dict[str, str]) -> Iterator[LazyPage]:
    """`digests`: case id → case_digest (what a listing shows of a case)."""
    facets = facets_for(model)
    groups: dict[str, dict[str, list[Case]]] = {f.name: defaultdict(list) for f in facets}
    for case in model.cases:                                  # newest first already
        for f in facets:
            for value in f.values(case):
                groups[f.name][value].append(case)
    bar = []
    for f in facets:
        if not f.in_bar:
            continue
        options = sorted(((v, len(cs)) for v, cs in groups[f.name].items()), key=f.order)
        bar.append({"name": f.name, "label": f.label,
                    "options": [{"value": v, "count": n} for v, n in options]})
    _check_slug_collisions(groups)
    total_all = len(model.cases)
    bar_key = inputs_digest(bar)           # once, not for each of 3,000 listing pages
    yield from _paginate(model.cases, "", None, "全部案例", bar, bar_key, total_all, digests, in_nav=True)
    for f in facets:
        for value, cases in sorted(groups[f.name].items()):
            heading = f"{f.label}：{value}" if f.name != "law" else f"引用《{value}》的案例"
            yield from _paginate(cases, f.name, value, heading, bar, bar_key, total_all, digests)
            if f.in_bar:
                yield _facet_index(f.name, value, cases, bar, bar_key, digests)


FACET_INDEX = "facets.json"
# What a card shows is the title, date, category and discretion: the index holds those and
# the four facet values (as numbers into `values`) of each case, nothing else.
INDEX_FACETS = ("category", "year", "discretion", "handling")


def facet_index_json(cases: list[Case], bar: list) -> bytes:
    """The compact index of one facet listing (e.g. every 网约车 case), loaded once by
    pufa-filters.js to combine the other facets (year × discretion × handling) in the page,
    with counts for the current selection, without another request per filter change.
    ~70 bytes a case before compression."""
    import json
    values = {group["name"]: [option["value"] for option in group["options"]] for group in bar}
    position = {name: {v: i for i, v in enumerate(vs)} for name, vs in values.items()}
    rows = []
    for case in cases:
        own = {"category": case.category, "year": str(case.year), "discretion": case.discretion,
               "handling": case.handling}
        rows.append([case.id, case.title, case.date.isoformat(),
                     *(position[name].get(own[name], -1) for name in INDEX_FACETS)])
    data = {"fields": list(INDEX_FACETS),
            "values": {name: [[v, slugify(v)] for v in values.get(name, [])] for name in INDEX_FACETS},
            "cases": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _facet_index(facet: str, value: str, cases: list[Case], bar: list, bar_key: str,
                 digests: dict[str, str]) -> LazyAsset:
    path = facet_url(facet, value) + FACET_INDEX
    inputs = inputs_digest("facet-index", bar_key, facet, value, *(digests[case.id] for case in cases))
    return LazyAsset(path, inputs, lambda: facet_index_json(cases, bar))


def _check_slug_collisions(groups: dict[str, dict[str, list[Case]]]) -> None:
    """Two values with one slug would write one listing twice: refuse (never merge silently)."""
    from ...errors import InputError
    for name, values in groups.items():
        seen: dict[str, str] = {}
        for value in values:
            slug = slugify(value)
            if slug in seen and seen[slug] != value:
                raise InputError.at("cases_public", f"'{value}' and '{seen[slug]}' share the URL slug '{slug}'",
                                    field=name, hint="use one spelling for the same value")
            seen[slug] = value


def _paginate(cases: list[Case], facet: str, value: str | None, heading: str, bar: list, bar_key: str,
              total_all: int, digests: dict[str, str], in_nav: bool = False) -> Iterator[LazyPage]:
    pages = max(1, -(-len(cases) // PAGE_SIZE))
    for number in range(1, pages + 1):
        path = _listing_path(facet, value, number)
        chunk = cases[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
        title = heading if number == 1 else f"{heading}（第{number}页）"
        title = title if facet else "案例"

        def make(path=path, chunk=chunk, number=number, title=title) -> Page:
            body = render("case_list.html", root=root_prefix(path), heading=heading, facets=bar, facet=facet,
                          value=value, cases=chunk, total=len(cases), total_all=total_all, page=number,
                          pages=pages, window=page_window(number, pages))
            return Page(path, title, body, description=f"{heading}，共 {len(cases)} 件典型案例（以案释法）。",
                        in_nav=in_nav and number == 1, search=False, meta={"hide": ["toc"]})
        inputs = inputs_digest(heading, bar_key, facet, value, number, pages, len(cases), total_all,
                               *(digests[case.id] for case in chunk))
        yield LazyPage(path, inputs, make, title, in_nav=in_nav and number == 1, search=False)


class RelatedIndex:
    """Related cases = nearest neighbours (by date) sharing the first cited article, then
    sharing the category. O(1) per case after one pass over all cases."""

    def __init__(self, model: SiteModel):
        self.buckets: dict[tuple, list[Case]] = defaultdict(list)
        self.case_keys: dict[str, list[tuple]] = {}
        for case in model.cases:
            self.case_keys[case.id] = keys = self.keys(model, case)
            for key in keys:
                self.buckets[key].append(case)
        self.position = {key: {c.id: i for i, c in enumerate(cs)} for key, cs in self.buckets.items()}
        self.model = model

    @staticmethod
    def keys(model: SiteModel, case: Case) -> list[tuple]:
        keys: list[tuple] = []
        if case.legal_basis:
            law = model.law_of(case.legal_basis[0])
            if law is not None:
                keys.append(("article", law.slug, case.legal_basis[0].article_key or ""))
        keys.append(("category", case.category))
        return keys

    def related(self, case: Case) -> list[Case]:
        out: list[Case] = []
        for key in self.case_keys[case.id]:
            bucket, index = self.buckets[key], self.position[key][case.id]
            for step in range(1, RELATED + 1):
                for j in (index - step, index + step):
                    if 0 <= j < len(bucket) and bucket[j] is not case and all(bucket[j] is not o for o in out):
                        out.append(bucket[j])
                if len(out) >= RELATED:
                    return out[:RELATED]
        return out


def case_page(model: SiteModel, case: Case, related: list[Case]) -> Page:
    path = f"cases/{case.id}.md"
    basis = []
    for citation in case.legal_basis:
        law = model.law_of(citation)
        key = citation.article_key
        article = law.text.articles.get(key) if law is not None and law.text is not None and key else None
        basis.append({"citation": citation, "law": law, "key": key, "article": article})
    body = render(
        "case.html", root=root_prefix(path), case=case, basis=basis, related=related,
        ditem=model.discretion_by_id.get(case.discretion_item) if case.discretion_item else None,
        episodes=[model.episodes_by_id[e] for e in case.related_episodes if e in model.episodes_by_id],
        livestreams=[model.transcripts_by_id[t] for t in case.related_livestreams if t in model.transcripts_by_id],
        discretion_html=Markup(discretion_block(model, case)),   # why this outcome: the list item that applied
    )
    body += case_moments_html(model, case, root_prefix(path))   # livestream moments on the same articles
    return Page(path, case.title, body,
                description=truncate_text(f"{case.cause}。处罚决定：{case.decision}", 110),
                search=True, filters={"type": ["案例"], "category": [case.category], "year": [str(case.year)],
                                      "discretion": [case.discretion], "handling": [case.handling]},
                meta={"hide": ["toc"]})


def pages(model: SiteModel) -> Iterator[Page | LazyPage]:
    digests = {case.id: model.case_digest(case) for case in model.cases}
    yield from listing_pages(model, digests)
    related = RelatedIndex(model)
    for case in model.cases:
        neighbours = related.related(case)
        # A case page shows the case, its related cases' cards and the shared context.
        inputs = inputs_digest(digests[case.id], *(digests[other.id] for other in neighbours))
        yield LazyPage(f"cases/{case.id}.md", inputs,
                       lambda case=case, neighbours=neighbours: case_page(model, case, neighbours), case.title)
