"""What a section produces: pages (Markdown files whose body is one raw-HTML block) and
assets (files copied into the site as they are)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


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


@dataclass
class LazyPage:
    """A page that is only rendered when its inputs changed since the last build.

    `inputs` is a digest of what the page shows besides the build's shared context
    (laws, lists, settings, templates: anything of those changing renders every page
    again): e.g. the case and its related cases. `make` renders the Page. `title`,
    `in_nav` and `search` are the Page's own (known without rendering it)."""

    path: str
    inputs: str
    make: Callable[[], Page]
    title: str
    in_nav: bool = False
    search: bool = True


@dataclass
class LazyAsset:
    """A generated file (e.g. a CSV) only made when its inputs changed (see LazyPage)."""

    path: str
    inputs: str
    make: Callable[[], bytes]


@dataclass
class Asset:
    """A file copied into the site at `path` (docs-relative): from `source` or `data`."""

    path: str
    source: Path | None = None
    data: bytes | None = None

    def __post_init__(self) -> None:
        if (self.source is None) == (self.data is None):
            raise ValueError(f"asset {self.path}: give exactly one of source or data")


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
