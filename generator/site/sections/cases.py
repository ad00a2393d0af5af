"""Case pages, the paginated case listing and its facet listings (category, year,
discretion, handling, law), and the filter index and card shards that let every listing
combine facets in the page (cases/filters.json, cases/cards/<n>.json).

Every case page is out of the nav and costs O(1): related cases come from neighbours in
precomputed buckets, never from a scan of all cases.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from markupsafe import Markup

from ...records.case import DISCRETIONS, HANDLINGS, Case
from ..model import SiteModel, StreamRef
from ...records.content import DiscretionItem, Episode
from ...records.law import Article, LegalBasis
from ..pages import Page, ViewAsset, ViewPage, root_prefix
from ..render import facet_url, render, slugify, truncate_text
from .discretion import discretion_others
from .recaps import Moment, case_moments, clock

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


@dataclass(frozen=True)
class FacetOption:
    value: str
    count: int


@dataclass(frozen=True)
class FacetBar:
    name: str
    label: str
    options: tuple[FacetOption, ...]


@dataclass(frozen=True)
class ListingView:
    """Everything one page of a case listing shows."""

    path: str
    title: str
    heading: str
    facets: tuple[FacetBar, ...]
    facet: str
    value: str | None
    cases: tuple[Case, ...]
    total: int
    total_all: int
    page: int
    pages: int
    window: tuple[int | None, ...]
    in_nav: bool


def render_listing(view: ListingView) -> Page:
    body = render("case_list.html", root=root_prefix(view.path), heading=view.heading, facets=view.facets,
                  facet=view.facet, value=view.value, cases=view.cases, total=view.total,
                  total_all=view.total_all, page=view.page, pages=view.pages, window=view.window)
    return Page(view.path, view.title, body,
                description=f"{view.heading}，共 {view.total} 件典型案例（以案释法）。",
                in_nav=view.in_nav, search=False, meta={"hide": ["toc"]})


def listing_pages(model: SiteModel) -> Iterator[ViewPage]:
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
        bar.append(FacetBar(f.name, f.label, tuple(FacetOption(v, n) for v, n in options)))
    _check_slug_collisions(groups)
    total_all = len(model.cases)
    yield from _paginate(model.cases, "", None, "全部案例", tuple(bar), total_all, in_nav=True)
    for f in facets:
        for value, cases in sorted(groups[f.name].items()):
            heading = f"{f.label}：{value}" if f.name != "law" else f"引用《{value}》的案例"
            yield from _paginate(cases, f.name, value, heading, tuple(bar), total_all)
    yield ViewAsset(FILTER_INDEX, filter_index_view(model.cases, tuple(bar)), render_filter_index)
    for number, start in enumerate(range(0, len(model.cases), CARD_SHARD)):
        shard = tuple(card_row(case) for case in model.cases[start:start + CARD_SHARD])
        yield ViewAsset(card_shard_path(number), CardShardView(shard), render_card_shard)


# The combined filters of every case listing (category × year × discretion × handling) run in
# the page from one small index of all cases, fetched once: per case only the number of its
# value in each facet, as columns. What a result card shows (title, date, cause, decision)
# lives in fixed shards of CARD_SHARD cases by position (newest first), fetched only for the
# 20 results on the page shown: a filter change moves the index once, then a few shards.
FILTER_INDEX = "cases/filters.json"
CARD_SHARD = 25
INDEX_FACETS = ("category", "year", "discretion", "handling")
# A column is a string of letters, one (or, past 52 values, two) a case: the value's number
# in this alphabet. ~1 byte a case and facet, decoded with a table lookup; letters only, so
# that no run of a column can read as a number (the leak gate looks for phone and ID numbers).
COLUMN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def card_shard_path(number: int) -> str:
    return f"cases/cards/{number}.json"


def _facet_value(case: Case, name: str) -> str:
    return str(case.year) if name == "year" else getattr(case, name)


@dataclass(frozen=True)
class FilterIndexView:
    """The filter index: each facet's values (as the filter bar orders them) and, per
    facet, the value number of every case in listing order (newest first)."""

    values: tuple[tuple[str, tuple[str, ...]], ...]
    columns: tuple[tuple[str, tuple[int, ...]], ...]
    shard: int


def filter_index_view(cases: Iterable[Case], bar: tuple[FacetBar, ...]) -> FilterIndexView:
    cases = tuple(cases)
    values = {group.name: tuple(option.value for option in group.options) for group in bar}
    out_values, columns = [], []
    for name in INDEX_FACETS:
        known = list(values.get(name, ()))
        position = {v: i for i, v in enumerate(known)}
        column = []
        for case in cases:
            value = _facet_value(case, name)
            if value not in position:               # never for a bar made from the same cases
                position[value] = len(known)
                known.append(value)
            column.append(position[value])
        out_values.append((name, tuple(known)))
        columns.append((name, tuple(column)))
    return FilterIndexView(tuple(out_values), tuple(columns), CARD_SHARD)


def render_filter_index(view: FilterIndexView) -> bytes:
    """`cases/filters.json`, read by pufa-filters.js. 10,000 cases: ~40 KB, ~20 KB gzip."""
    import json
    base = len(COLUMN_ALPHABET)
    columns: dict[str, str] = {}
    widths: dict[str, int] = {}
    for name, column in view.columns:
        count = len(dict(view.values)[name])
        width = widths[name] = 1 if count <= base else 2
        if count > base * base:
            from ...errors import InputError
            raise InputError.at("cases_public", f"{count} different values; the filter index holds at most {base * base}",
                                field=name, hint="use fewer, broader values")
        columns[name] = "".join(COLUMN_ALPHABET[n] if width == 1 else COLUMN_ALPHABET[n // base] + COLUMN_ALPHABET[n % base]
                                for n in column)
    data = {"fields": list(INDEX_FACETS), "total": len(view.columns[0][1]) if view.columns else 0,
            "shard": view.shard, "alphabet": COLUMN_ALPHABET, "widths": widths,
            "values": {name: [[v, slugify(v)] for v in vs] for name, vs in view.values},
            "columns": columns}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def card_row(case: Case) -> tuple[str, str, str, str, str]:
    """What a result card shows beyond the facets, as the server-rendered card shows it."""
    return (case.id, case.title, case.date.isoformat(), truncate_text(case.cause, 60),
            truncate_text(case.decision, 40))


@dataclass(frozen=True)
class CardShardView:
    rows: tuple[tuple[str, str, str, str, str], ...]


def render_card_shard(view: CardShardView) -> bytes:
    import json
    return json.dumps([list(row) for row in view.rows], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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


def _paginate(cases: list[Case], facet: str, value: str | None, heading: str, bar: tuple[FacetBar, ...],
              total_all: int, in_nav: bool = False) -> Iterator[ViewPage]:
    pages = max(1, -(-len(cases) // PAGE_SIZE))
    for number in range(1, pages + 1):
        path = _listing_path(facet, value, number)
        title = heading if number == 1 else f"{heading}（第{number}页）"
        title = title if facet else "案例"
        view = ListingView(path, title, heading, bar, facet, value,
                           tuple(cases[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]), len(cases), total_all,
                           number, pages, tuple(page_window(number, pages)), in_nav and number == 1)
        yield ViewPage(path, view, render_listing, title, in_nav=view.in_nav, search=False)


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


@dataclass(frozen=True)
class LawRef:
    title: str


@dataclass(frozen=True)
class BasisView:
    """One cited article as the case page shows it: the link and the article's text."""

    citation: LegalBasis
    law: LawRef
    key: str | None
    article: Article | None


@dataclass(frozen=True)
class CaseView:
    """Everything a case page shows. To show something more on the page, add it here and
    to `case.html`: the page's cache key is this value, so nothing else can go stale."""

    path: str
    case: Case
    basis: tuple[BasisView, ...]
    related: tuple[Case, ...]                   # the cards under 相关案例
    ditem: DiscretionItem | None                # the discretion item applied
    discretion_others: tuple[Case, ...]         # other cases under that item (linked by title)
    episodes: tuple[Episode, ...]
    livestreams: tuple[StreamRef, ...]
    moments: tuple[Moment, ...]                 # livestream moments on the articles the case applies
    moment_streams: tuple[StreamRef, ...]       # livestreams naming the case, not listed above


def case_view(model: SiteModel, case: Case, related: list[Case]) -> CaseView:
    basis = []
    for citation in case.legal_basis:
        law = model.law_of(citation)
        key = citation.article_key
        article = law.text.articles.get(key) if law is not None and law.text is not None and key else None
        basis.append(BasisView(citation, LawRef(law.title if law is not None else citation.law), key, article))
    ditem = model.discretion_by_id.get(case.discretion_item) if case.discretion_item else None
    others = discretion_others(model, case) if ditem is not None else ()
    moments, streams = case_moments(model, case)
    return CaseView(
        f"cases/{case.id}.md", case, tuple(basis), tuple(related), ditem, others,
        tuple(model.episodes_by_id[e] for e in case.related_episodes if e in model.episodes_by_id),
        tuple(StreamRef(t, model.transcripts_by_id[t].meta) for t in case.related_livestreams
              if t in model.transcripts_by_id),
        tuple(moments), tuple(StreamRef(f.id, f.meta) for f in streams))


def render_case(view: CaseView) -> Page:
    case, root = view.case, root_prefix(view.path)
    discretion_html = render("discretion/block.html", item=view.ditem, others=view.discretion_others,
                             root=root) if view.ditem is not None else ""
    body = render("case.html", root=root, case=case, basis=view.basis, related=view.related, ditem=view.ditem,
                  episodes=view.episodes, livestreams=view.livestreams,
                  discretion_html=Markup(discretion_html))    # why this outcome: the list item that applied
    if view.moments or view.moment_streams:                  # livestream moments on the same articles
        body += render("recaps/case_links.html", moments=view.moments, streams=view.moment_streams, root=root,
                       clock=clock)
    return Page(view.path, case.title, body,
                description=truncate_text(f"{case.cause}。处罚决定：{case.decision}", 110),
                search=True, filters={"type": ["案例"], "category": [case.category], "year": [str(case.year)],
                                      "discretion": [case.discretion], "handling": [case.handling]},
                meta={"hide": ["toc"]})


def case_page(model: SiteModel, case: Case, related: list[Case]) -> Page:
    return render_case(case_view(model, case, related))


def pages(model: SiteModel) -> Iterator[Page | ViewPage]:
    yield from listing_pages(model)
    related = RelatedIndex(model)
    for case in model.cases:
        yield ViewPage(f"cases/{case.id}.md", case_view(model, case, related.related(case)), render_case,
                       case.title)
