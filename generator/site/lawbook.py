"""The laws a project knows: texts in `data/laws/*.md` plus titles in
`data/laws/catalog.yaml` (rules whose text is not in the project yet).

A citation of a law in neither is an input error; a law is found by its full title, its
title without 中华人民共和国, or an alias from the catalog.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, ProblemCollector
from ..records.law import LawText, parse_law_markdown
from ..records.validate import FieldReader
from ..yamlio import load_yaml
from .render import law_slug

CATALOG = "catalog.yaml"
_CN_PREFIX = "中华人民共和国"
_NOT_LAWS = {"SOURCES.md", "README.md"}


@dataclass
class Law:
    title: str                       # full title without 《》
    kind: str = ""                   # 法律 / 行政法规 / 地方性法规 / 部门规章 …
    issuer: str = ""                 # 制定机关
    text: LawText | None = None      # None: cited by title only (no text file yet)
    aliases: tuple[str, ...] = ()
    source_file: str = ""            # where the text or catalog entry lives

    @property
    def slug(self) -> str:
        return law_slug(self.title)

    @property
    def short_title(self) -> str:
        return self.title.removeprefix(_CN_PREFIX)


@dataclass
class LawBook:
    laws: dict[str, Law] = field(default_factory=dict)      # slug → law
    _names: dict[str, str] = field(default_factory=dict)    # any accepted name → slug
    _spelled: dict[str, str] = field(default_factory=dict)  # a name exactly as written → slug

    def add(self, law: Law) -> None:
        self.laws.setdefault(law.slug, law)
        for name in (law.title, law.short_title, *law.aliases):
            self._names.setdefault(_key(name), law.slug)
            # Citations spell a title as written ('《…》'): found without normalising
            # (10,000 cases cite 50,000 times a build), to what normalising finds.
            for spelling in (name, f"《{name}》"):
                self._spelled[spelling] = self._names[_key(spelling)]

    def find(self, title: str) -> Law | None:
        slug = self._spelled.get(title) or self._names.get(_key(title))
        return self.laws.get(slug) if slug else None

    def sorted(self) -> list[Law]:
        return sorted(self.laws.values(), key=lambda law: law.slug)


def _key(title: str) -> str:
    return "".join(title.strip().strip("《》").split()).removeprefix(_CN_PREFIX)


def load_lawbook(laws_dir: Path) -> LawBook:
    """Every law text and every catalog entry; all catalog problems in one error."""
    book = LawBook()
    texts: dict[str, LawText] = {}
    if laws_dir.is_dir():
        for path in sorted(laws_dir.glob("*.md")):
            if path.name in _NOT_LAWS:
                continue
            text = parse_law_markdown(path)
            if not text.title:
                raise InputError.at(path, "law text has no '# title' line", line=1,
                                    hint="start the file with '# 法律全称'")
            texts[path.name] = text
    catalog = laws_dir / CATALOG
    used_files: set[str] = set()
    if catalog.exists():
        data, lines = load_yaml(catalog)
        if not isinstance(data, dict) or not isinstance(data.get("laws"), list):
            raise InputError.at(catalog, "expected a top-level 'laws:' list", line=1, field="laws")
        problems = ProblemCollector()
        for index, raw in enumerate(data["laws"]):
            r = FieldReader(raw, catalog, lines, problems, prefix=f"laws[{index}]")
            r.unknown_fields({"title", "file", "kind", "issuer", "aliases", "note"})
            title = r.text("title").strip("《》")
            file = r.text("file", required=False)
            text = None
            if file:
                text = texts.get(file)
                if text is None:
                    r.problem("file", f"no law text '{file}' in {laws_dir}", hint="add the file or remove 'file:'")
                used_files.add(file)
            if title:
                book.add(Law(title, r.text("kind", required=False), r.text("issuer", required=False), text,
                             tuple(a.strip("《》") for a in r.text_list("aliases")), str(catalog)))
        problems.raise_if_any()
    for name, text in texts.items():
        if name not in used_files:
            existing = book.find(text.title)
            if existing is not None and existing.text is None:
                existing.text = text
            elif existing is None:
                book.add(Law(text.title, text=text, source_file=str(laws_dir / name)))
    return book
