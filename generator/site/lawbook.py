"""The laws a project knows: the laws pufa ships (package data, `generator/data/laws/`)
plus the project's own `data/laws/*.md` texts and `data/laws/catalog.yaml` entries,
which add laws or override a shipped one of the same title.

A law is found by its full title, its title without 中华人民共和国, or an alias from a
catalog. A citation of a law in neither place is not an error: `cite()` records it as a
law known by its citations only, whose page says the text is not included, and the build
warns (model.py) with the closest known titles.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError, Problem, ProblemCollector
from ..records.law import LawText, parse_law_markdown
from ..records.validate import FieldReader
from ..yamlio import load_yaml
from .render import law_slug

CATALOG = "catalog.yaml"
BUNDLED_LAWS = Path(__file__).resolve().parent.parent / "data" / "laws"
_CN_PREFIX = "中华人民共和国"
_NOT_LAWS = {"SOURCES.md", "README.md"}
_FIELDS = {"title", "file", "kind", "issuer", "aliases", "note", "version", "region", "source", "source_url"}


@dataclass
class Law:
    title: str                       # full title without 《》
    kind: str = ""                   # 法律 / 行政法规 / 地方性法规 / 部门规章 …
    issuer: str = ""                 # 制定机关
    text: LawText | None = None      # None: cited by title only (no text file yet)
    aliases: tuple[str, ...] = ()
    source_file: str = ""            # where the text or catalog entry lives
    version: str = ""                # date of the version the text holds
    region: str = ""                 # a local regulation's region ('' = national)
    source: str = ""                 # name of the official source (国家法律法规数据库)
    source_url: str = ""             # official address of the full text (a gov.cn host)
    bundled: bool = False            # shipped with pufa, not in the project's data/laws/
    cited_only: bool = False         # in no catalog: known from a record's citation alone

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
    edition: str = ""                                       # of the laws pufa ships
    warnings: list[Problem] = field(default_factory=list)   # citations of unknown laws (model.check_references)

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

    def cite(self, title: str) -> Law:
        """The law of this title; one the book does not know becomes a law known by its
        citations only (published as citations, without text)."""
        law = self.find(title)
        if law is None:
            law = Law(title.strip().strip("《》"), cited_only=True)
            self.add(law)
        return law

    def closest(self, title: str, n: int = 3) -> list[str]:
        """Known full titles nearest to a title (for 'did you mean')."""
        known = {_key(law.title): law.title for law in self.laws.values() if not law.cited_only}
        for name, slug in self._names.items():      # aliases and short forms point at their law
            if slug in self.laws and not self.laws[slug].cited_only:
                known.setdefault(name, self.laws[slug].title)
        found: list[str] = []
        for name in difflib.get_close_matches(_key(title), list(known), n=n * 2, cutoff=0.4):
            if known[name] not in found:
                found.append(known[name])
        return found[:n]

    def sorted(self) -> list[Law]:
        return sorted(self.laws.values(), key=lambda law: law.slug)


def _key(title: str) -> str:
    return "".join(title.strip().strip("《》").split()).removeprefix(_CN_PREFIX)


def _read_texts(laws_dir: Path) -> dict[str, LawText]:
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
    return texts


def _read_dir(laws_dir: Path, bundled: bool, fallback: dict[str, LawText]) -> tuple[list[Law], str]:
    """The laws of one folder (texts + catalog), in catalog order, then uncatalogued
    texts; and the catalog's edition. `fallback` texts are found by a `file:` the folder
    lacks (a project catalog written when the texts were copied into every project)."""
    texts = _read_texts(laws_dir)
    laws: list[Law] = []
    edition = ""
    catalog = laws_dir / CATALOG
    used_files: set[str] = set()
    if catalog.exists():
        data, lines = load_yaml(catalog)
        if isinstance(data, dict) and "laws" in data and data["laws"] is None:
            data = {**data, "laws": []}     # 'laws:' with every entry removed: nothing to add
        if not isinstance(data, dict) or not isinstance(data.get("laws"), list):
            raise InputError.at(catalog, "expected a top-level 'laws:' list", line=1, field="laws")
        edition = str(data.get("edition") or "")
        problems = ProblemCollector()
        for index, raw in enumerate(data["laws"]):
            r = FieldReader(raw, catalog, lines, problems, prefix=f"laws[{index}]")
            r.unknown_fields(_FIELDS)
            title = r.text("title").strip("《》")
            file = r.text("file", required=False)
            text = None
            if file:
                text = texts.get(file) or fallback.get(file)
                if text is None:
                    r.problem("file", f"no law text '{file}' in {laws_dir}", hint="add the file or remove 'file:'")
                used_files.add(file)
            source_url = r.text("source_url", required=False)
            host = urlsplit(source_url).hostname or "" if source_url else ""
            if source_url and (urlsplit(source_url).scheme not in ("http", "https") or
                               not (host == "gov.cn" or host.endswith(".gov.cn"))):
                r.problem("source_url", f"'{source_url}' is not an official address",
                          hint="give the http(s) address of the text on a gov.cn site, or leave source_url out")
                source_url = ""
            if title:
                laws.append(Law(title, r.text("kind", required=False), r.text("issuer", required=False), text,
                                tuple(a.strip("《》") for a in r.text_list("aliases")), str(catalog),
                                version=r.text("version", required=False), region=r.text("region", required=False),
                                source=r.text("source", required=False), source_url=source_url, bundled=bundled))
        problems.raise_if_any()
    for name, text in texts.items():
        if name in used_files:
            continue
        existing = next((law for law in laws if _key(law.title) == _key(text.title)), None)
        if existing is not None and existing.text is None:
            existing.text = text
        elif existing is None:
            laws.append(Law(text.title, text=text, source_file=str(laws_dir / name), bundled=bundled))
    return laws, edition


def load_lawbook(laws_dir: Path, bundled: Path | None = BUNDLED_LAWS) -> LawBook:
    """The project's laws first (they win), then the laws pufa ships that the project
    does not override; all catalog problems of a folder in one error."""
    shipped, edition = _read_dir(bundled, True, {}) if bundled is not None else ([], "")
    shipped_texts = {Path(law.text.slug).name + ".md": law.text for law in shipped if law.text}
    own, _ = _read_dir(Path(laws_dir), False, shipped_texts) if laws_dir != bundled else ([], "")
    book = LawBook(edition=edition)
    for law in own:
        book.add(law)
    for law in shipped:
        mine = book.find(law.title) or next((book.find(a) for a in law.aliases if book.find(a)), None)
        if mine is None:
            book.add(law)
            continue
        # A project entry without a text, kind or source keeps what pufa knows of the law.
        mine.text = mine.text or law.text
        mine.kind, mine.issuer = mine.kind or law.kind, mine.issuer or law.issuer
        mine.version, mine.region = mine.version or law.version, mine.region or law.region
        if not mine.source_url:
            mine.source, mine.source_url = law.source, law.source_url
        for alias in law.aliases:
            mine.aliases += (alias,) if alias not in mine.aliases else ()
            book._names.setdefault(_key(alias), mine.slug)
            book._spelled.setdefault(alias, mine.slug)
            book._spelled.setdefault(f"《{alias}》", mine.slug)
    return book


def law_text_paths(laws_dir: Path) -> list[Path]:
    """Every law text a project has: its own data/laws/*.md, then those pufa ships under
    another file name (for readers of the raw texts, e.g. a transcription glossary)."""
    own = sorted(p for p in Path(laws_dir).glob("*.md") if p.name not in _NOT_LAWS) if Path(laws_dir).is_dir() else []
    names = {p.name for p in own}
    return own + sorted(p for p in BUNDLED_LAWS.glob("*.md") if p.name not in _NOT_LAWS and p.name not in names)
