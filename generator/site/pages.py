"""What a section produces: pages (Markdown files whose body is one raw-HTML block) and
assets (files copied into the site as they are)."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path, PurePath
from typing import Any, Callable


@dataclass
class Page:
    """One page of the site.

    `path` is docs-relative (`cases/2024-1001.md`); `title` and `description` are plain
    text (the writer escapes them); `body` is HTML that is already safe, i.e. produced by
    `render()` whose Jinja environment autoescapes every record value.
    `in_nav`: listed in the site navigation (keep that to a handful of pages: mkdocs is
    O(n²) in the nav size). `search`: indexed by Pagefind. `filters`: Pagefind filters
    (name → values) for search results. `meta`: extra front matter (e.g. `hide`).
    """

    path: str
    title: str
    body: str
    description: str = ""
    in_nav: bool = False
    search: bool = True
    filters: dict[str, list[str]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return page_url(self.path)


@dataclass(frozen=True)
class ViewPage:
    """A page rendered from a view, and only when its view changed since the last build.

    `view` is a frozen dataclass holding exactly what the page shows (plain data:
    records, strings, numbers, tuples; never the model). `render(view) -> Page` is a
    module-level function that reads nothing but the view, its templates and pufa's
    code. The page's cache key is a digest of (pufa's code and templates, `render`'s
    name, the view) (`ViewKeys`), so whatever the page shows is in its key by
    construction: to show something more, put it in the view.

    `title`, `in_nav` and `search` are the rendered Page's own (known without
    rendering it; the build checks they agree)."""

    path: str
    view: object
    render: Callable[[Any], "Page"]
    title: str
    in_nav: bool = False
    search: bool = True

    def __post_init__(self) -> None:
        if not (is_dataclass(self.view) and not isinstance(self.view, type)
                and self.view.__dataclass_params__.frozen):           # type: ignore[attr-defined]
            raise TypeError(f"{self.path}: a view must be a frozen dataclass, not {type(self.view).__name__}")
        fn = self.render
        if getattr(fn, "__closure__", None) or getattr(fn, "__defaults__", None) or \
                getattr(fn, "__name__", "<lambda>") == "<lambda>" or "<locals>" in getattr(fn, "__qualname__", ""):
            # A closure could read the model behind the key's back.
            raise TypeError(f"{self.path}: render must be a module-level function of the view alone")

    def make(self) -> "Page":
        return self.render(self.view)


@dataclass(frozen=True)
class ViewAsset:
    """A generated file (e.g. a CSV) made from a view, only when the view changed:
    `render(view) -> bytes`, under the same rules as ViewPage."""

    path: str
    view: object
    render: Callable[[Any], bytes]

    def __post_init__(self) -> None:
        ViewPage.__post_init__(self)            # type: ignore[arg-type]

    def make(self) -> bytes:
        return self.render(self.view)


class ViewKeys:
    """Cache keys of views: blake2b of a canonical encoding of the view, with `context`
    (pufa's code and templates) in front. One instance per build: it remembers the
    digests of the records it met (a case shown on 11 pages is encoded once), keeping
    them alive so that an id is never reused within the build.

    Only plain data can be encoded: a value of any other type (the model, a lazily read
    transcript folder, a function) is a TypeError, so a view cannot hide an input."""

    def __init__(self, context: str, known: dict[int, tuple[object, str]] | None = None):
        """`known`: id → (value, encoding) of values whose encoding is known by content
        (SiteModel.known_values: a case is the digest of its file)."""
        self.context = context
        self._memo: dict[int, tuple[object, str]] = dict(known or {})

    def key(self, page: ViewPage) -> str:
        fn = page.render
        text = f"{self.context}\0{fn.__module__}.{fn.__qualname__}\0{self.encode(page.view)}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def encode(self, value: object) -> str:
        kind = type(value)
        if value is None or kind is bool or kind is int or kind is float or kind is str:
            return repr(value)
        if isinstance(value, str):                  # Markup and other str types: the type matters
            return f"{kind.__name__}({value!r})"
        if kind is tuple:                           # shared tuples (a listing's filter bar) once
            known = self._memo.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            text = "(" + ",".join([self.encode(v) for v in value]) + ")"
            if len(text) > 64:
                text = "#" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            self._memo[id(value)] = (value, text)
            return text
        if kind is list:
            return "[" + ",".join([self.encode(v) for v in value]) + "]"
        if kind is dict:                            # order kept: a template shows it in this order
            return "{" + ",".join(f"{self.encode(k)}:{self.encode(v)}" for k, v in value.items()) + "}"
        if kind is frozenset or kind is set:
            return "set[" + ",".join(sorted(self.encode(v) for v in value)) + "]"
        if kind is dt.date or kind is dt.datetime:
            return f"{kind.__name__}({value.isoformat()})"
        if isinstance(value, PurePath):
            return f"path({value.as_posix()!r})"
        if is_dataclass(value) and not isinstance(value, type):
            known = self._memo.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            body = ",".join([f"{name}={self.encode(getattr(value, name))}" for name in _field_names(kind)])
            text = f"{kind.__module__}.{kind.__qualname__}({body})"
            digest = "#" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            self._memo[id(value)] = (value, digest)
            return digest
        raise TypeError(f"a view holds plain data; {kind.__module__}.{kind.__qualname__} is not "
                        f"(put the values the page shows into the view instead)")


@dataclass
class Asset:
    """A file copied into the site at `path` (docs-relative): from `source` or `data`."""

    path: str
    source: Path | None = None
    data: bytes | None = None

    def __post_init__(self) -> None:
        if (self.source is None) == (self.data is None):
            raise ValueError(f"asset {self.path}: give exactly one of source or data")


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
    return names


def page_url(path: str) -> str:
    """Docs path → site-root-relative URL, as mkdocs writes it with directory URLs:
    'index.md' → '', 'cases/index.md' → 'cases/', 'cases/2024-1001.md' → 'cases/2024-1001/'."""
    stem = path[:-3] if path.endswith(".md") else path
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def root_prefix(path: str) -> str:
    """Relative prefix from a page (docs path) back to the site root: '../../' etc."""
    return "../" * page_url(path).count("/")
