"""MkDocs hooks for pufa's generated pages (loaded through `hooks:` in the derived config).

A generated page is front matter + one block of finished, escaped HTML (meta `pufa: true`).
Python-Markdown would re-parse every tag of it with HTMLParser, which is most of the build
time at 10,000 pages and could only do harm, so the body skips Markdown: the hook hands
mkdocs an empty document and puts the HTML back as the page content.
"""
from __future__ import annotations

_BODIES: dict[str, str] = {}


def on_page_markdown(markdown, page, config, files):
    if page.meta.get("pufa"):
        _BODIES[page.file.src_uri] = markdown
        return ""
    return markdown


def on_page_content(html, page, config, files):
    body = _BODIES.pop(page.file.src_uri, None)
    return html if body is None else body
