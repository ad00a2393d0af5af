"""MkDocs hooks for pufa's generated pages (loaded through `hooks:` in the derived config).

A generated page is front matter + one block of finished, escaped HTML (meta `pufa: true`).
Python-Markdown would re-parse every tag of it with HTMLParser, which is most of the build
time at 10,000 pages and could only do harm, so the body skips Markdown: the hook hands
mkdocs no Markdown to render and puts the HTML back as the page content.

At 10,000 pages the theme's templates are the rest of mkdocs' time, and most of that is
chrome that is the same on every page of a folder (the site nav, the JSON config, the
script and style tags, the footer). `overrides/main.html` renders those blocks once per
cache key (`block_key`) and reuses the HTML. Set PUFA_NO_BLOCK_CACHE=1 to render every
block every time (the tests compare both).
"""
from __future__ import annotations

import os

from mkdocs.structure.toc import get_toc

_BODIES: dict[str, str] = {}
_BLOCKS: dict[tuple, str] = {}
_NAV_URLS: set[str] = set()


def on_config(config):
    _BODIES.clear()
    _BLOCKS.clear()
    return config


def on_nav(nav, config, files):
    _NAV_URLS.clear()
    _NAV_URLS.update(page.url for page in nav.pages)
    return nav


def on_env(env, config, files):
    env.globals["pufa_block_key"] = block_key
    env.globals["pufa_block_get"] = _BLOCKS.get
    env.globals["pufa_block_put"] = _put
    return env


def on_page_markdown(markdown, page, config, files):
    if page.meta.get("pufa"):
        _BODIES[page.file.src_uri] = markdown
        # What Markdown would make of an empty document, without building a Markdown
        # instance (and its extensions) for each of 13,000 pages.
        page.render = lambda config, files, page=page: _rendered_empty(page)
        return ""
    return markdown


def _rendered_empty(page) -> None:
    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


def on_page_content(html, page, config, files):
    body = _BODIES.pop(page.file.src_uri, None)
    return html if body is None else body


def block_key(name: str, page) -> tuple | None:
    """The things a chrome block's HTML depends on, or None when it must be rendered.

    The blocks hold the nav, asset and neighbour links, written relative to the page.
    A relative link from `a/b/` to a target outside `a/b/` is the same for every page in
    `a/`, so pages of one folder share the key, unless a target lies inside the page's
    own folder (then it is rendered)."""
    if os.environ.get("PUFA_NO_BLOCK_CACHE") or page is None or not page.meta.get("pufa"):
        return None
    if name == "site_nav" and len(page.toc):
        return None
    url = page.url
    if url and (url.startswith("assets/") or any(t != url and t.startswith(url) for t in _NAV_URLS)):
        return None
    parent = url.rstrip("/").rsplit("/", 1)[0] if "/" in url.rstrip("/") else ""
    hide = tuple(page.meta.get("hide") or ())
    neighbours = (getattr(page.previous_page, "url", None), getattr(page.next_page, "url", None))
    return (name, parent, url.count("/"), hide, url if url in _NAV_URLS else None, neighbours)


def _put(key: tuple | None, html: str) -> str:
    if key is not None:
        _BLOCKS[key] = html
    return html
