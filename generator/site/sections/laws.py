"""A page per law of the project: the articles our cases cite (with their real text where
the project has it, else a note and the official source's address) and the cases citing
each; plus an index of all laws. A law pufa ships gets a page only when a record cites it
(a new bureau's site lists its own laws, not every regulation pufa knows)."""
from __future__ import annotations

from itertools import groupby
from typing import Iterator

from ..lawbook import Law
from ..model import SiteModel
from ...errors import InputError, Problem
from ...records.law import parse_citation
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


def cited_slugs(model: SiteModel) -> set[str]:
    """Slugs of the laws some record cites: cases, discretion items, episodes, lessons,
    transcripts (their meta.yaml and highlights)."""
    from .recaps import recap_index
    slugs = set(model.citations)
    titles = [b.law for item in model.discretion for b in item.legal_basis]
    titles += [b.law for episode in model.episodes for b in episode.laws]
    for text in [t for lesson in model.lessons for t in getattr(lesson, "laws", ())] + \
            [t for folder in model.transcripts for t in folder.meta.laws]:
        try:
            titles += [b.law for b in parse_citation(text)]
        except ValueError:
            continue        # reported by the content checks
    slugs |= {law.slug for law in map(model.laws.find, titles) if law is not None}
    slugs |= set(recap_index(model).by_law)
    return slugs


def published_laws(model: SiteModel) -> list[Law]:
    cited = cited_slugs(model)
    return [law for law in model.laws.sorted() if not law.bundled or law.slug in cited]


STRICT_PROBLEM = Problem("--strict", "warnings are errors with --strict: the site was NOT built",
                         hint="fix the warnings above, or build without --strict")


def law_warnings(model: SiteModel, strict: bool = False) -> list[str]:
    """The build's warnings about citations (unknown laws); with `strict` they stop it."""
    if strict and model.laws.warnings:
        raise InputError(model.laws.warnings + [STRICT_PROBLEM])
    return [str(problem) for problem in model.laws.warnings]


def cited_without_text(model: SiteModel) -> list[str]:
    """One line per law whose cited articles the site cannot show, so staff can add the
    text: '《…》 第四十八条 (3 件案例), … : no text in the project (…)'."""
    lines = []
    for law in model.laws.sorted():
        citations = model.citations.get(law.slug, {})
        if law.text is not None or not any(citations):
            continue
        articles = ", ".join(f"{_label(key)} ({len(citations[key])} 件案例)"
                             for key in sorted((k for k in citations if k), key=_key_order))
        where = f"; official text: {law.source_url}" if law.source_url else ""
        lines.append(f"cited without text: 《{law.title}》 {articles} (add its text as data/laws/<name>.md "
                     f"and 'file:' in data/laws/catalog.yaml{where})")
    return lines


def pages(model: SiteModel) -> Iterator[Page]:
    entries = []
    for law in published_laws(model):
        citations = model.citations.get(law.slug, {})
        entries.append({"law": law, "cases": len({c.id for cs in citations.values() for c in cs})})
        yield law_page(model, law)
    entries.sort(key=lambda e: (-e["cases"], e["law"].slug))
    path = "laws/index.md"
    yield Page(path, "法律法规", render("law_index.html", root=root_prefix(path), laws=entries),
               description="本站典型案例引用的法律、法规和规章及其条文。", in_nav=True, search=False)

