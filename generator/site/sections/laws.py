"""A page per known law: the articles our cases cite (with their real text where the
project has it) and the cases citing each; plus an index of all laws."""
from __future__ import annotations

from itertools import groupby
from typing import Iterator

from ..lawbook import Law
from ..model import SiteModel
from ..pages import Page, root_prefix
from ..render import render
from .recaps import law_moments_html

CASES_PER_ARTICLE = 10     # the rest are one click away in the law's case listing


def _label(key: str) -> str:
    """'34' → 第三十四条, '10-1' → 第十条之一."""
    main, _, sub = key.partition("-")
    label = f"第{_cn(int(main))}条" if main.isdigit() else key
    return label + (f"之{_cn(int(sub))}" if sub.isdigit() else "")


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else ("一" + _cn(rest) if rest < 20 else _cn(rest)))
    return digits[n // 100] + "百" + tail


def _key_order(key: str) -> tuple[int, int]:
    main, _, sub = key.partition("-")
    return (int(main) if main.isdigit() else 10**6, int(sub) if sub.isdigit() else 0)


def law_page(model: SiteModel, law: Law) -> Page:
    path = f"laws/{law.slug}.md"
    citations = model.citations.get(law.slug, {})
    cited = []
    for key in sorted((k for k in citations if k), key=_key_order):
        cases = citations[key]
        article = law.text.articles.get(key) if law.text else None
        cited.append({"key": key, "label": article.label if article else _label(key),
                      "cases": cases[:CASES_PER_ARTICLE], "cases_total": len(cases)})
    total = len({c.id for cases in citations.values() for c in cases})
    chapters = []
    if law.text:
        chapters = [(chapter, list(group)) for chapter, group in
                    groupby(law.text.articles.values(), key=lambda a: a.chapter)]
    body = render("law.html", root=root_prefix(path), law=law, cited=cited,
                  cited_by_key={e["key"]: e for e in cited}, chapters=chapters, total_cases=total)
    body += law_moments_html(model, law, root_prefix(path))     # livestream moments, episodes
    description = f"《{law.title}》条文及本站引用该法的典型案例（{total} 件）。"
    return Page(path, f"《{law.title}》", body, description=description, search=True,
                filters={"type": ["法律法规"]}, meta={"hide": ["toc"]})


def pages(model: SiteModel) -> Iterator[Page]:
    entries = []
    for law in model.laws.sorted():
        citations = model.citations.get(law.slug, {})
        entries.append({"law": law, "cases": len({c.id for cs in citations.values() for c in cs})})
        yield law_page(model, law)
    entries.sort(key=lambda e: (-e["cases"], e["law"].slug))
    path = "laws/index.md"
    yield Page(path, "法律法规", render("law_index.html", root=root_prefix(path), laws=entries),
               description="本站典型案例引用的法律、法规和规章及其条文。", in_nav=True, search=False)

