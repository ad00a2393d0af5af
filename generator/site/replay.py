"""Writing changed pages without mkdocs, from the page shells of the last mkdocs run.

mkdocs_hooks.py proves, per kind of page, that the theme's output is a fixed shell with
the page's own values filled in (title, description, content, canonical URL). When a
rebuild changed only such pages' Markdown, and nothing else mkdocs reads (the nav, the
config, the theme: `BuildState.key`), nor the set of pages (so the sitemap and the nav
are the same), the new pages are those shells filled in again. mkdocs itself would
first list, stat and map all 13,000 pages (~1.5 s). tests/test_incremental.py compares
such rebuilds with clean builds file by file.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

from .pages import page_url
from .shards import output_path

SHELLS_FILE = "shells.json"
SHELLS_VERSION = 1
_LASTMOD = re.compile(r"<lastmod>([^<]*)</lastmod>")


def save_shells(root: Path, key: str, site_url: str | None, shells: dict, merge: bool) -> None:
    """Keep the shells of an mkdocs run (merged into the saved ones after a dirty run,
    which renders only the changed pages). Plain JSON: a shell is text, nothing runs."""
    from ..fsutil import atomic_write_text
    saved = load_shells(root, key, site_url) if merge else {}
    saved.update({_json_key(k): [list(parts), list(slots)] for k, (parts, slots) in shells.items()})
    atomic_write_text(root / SHELLS_FILE, json.dumps(
        {"version": SHELLS_VERSION, "key": key, "site_url": site_url, "shells": saved}, ensure_ascii=False))


def _json_key(key: tuple) -> str:
    return json.dumps(key, ensure_ascii=False)


def load_shells(root: Path, key: str, site_url: str | None) -> dict[str, list]:
    """The saved shells (JSON key → [parts, slots]); {} when none fit this build. A file
    that is not what save_shells writes only means mkdocs runs."""
    try:
        data = json.loads((root / SHELLS_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != SHELLS_VERSION \
                or (data.get("key"), data.get("site_url")) != (key, site_url):
            return {}
        shells = data["shells"]
        for parts, slots in shells.values():
            if not (all(isinstance(p, str) for p in parts) and all(isinstance(s, str) for s in slots)
                    and len(parts) == len(slots) + 1):
                return {}
        return shells
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def replay(state, changed: set[str], nav_urls: set[str], key: str, site_url: str | None) -> bool:
    """Write every changed page from a shell, or nothing and False when any cannot be."""
    from mkdocs.utils import get_build_date

    from .mkdocs_hooks import split_generated        # the front matter as mkdocs reads it there
    if not changed:
        return True
    sitemap = state.site_dir / "sitemap.xml"
    try:
        dates = set(_LASTMOD.findall(sitemap.read_text(encoding="utf-8")))
    except OSError:
        return False
    if dates - {get_build_date()}:
        return False                  # another day: mkdocs rewrites every page's lastmod
    shells = load_shells(state.root, key, site_url)
    pages: list[tuple[Path, bytes]] = []
    for path in sorted(changed):
        if not path.endswith(".md"):
            return False
        url = page_url(path)
        if not url or any(nav.startswith(url) for nav in nav_urls):
            return False
        parsed = split_generated((state.docs_dir / path).read_text(encoding="utf-8-sig"))
        if parsed is None:
            return False
        content, meta = parsed
        shell = shells.get(_json_key(portable_key(url, meta, content, site_url)))
        if shell is None:
            return False
        values = {"title": meta.get("title"), "description": meta.get("description"), "content": content,
                  "canonical_url": canonical_url(site_url, url), "edit_url": None}
        parts, slots = shell
        out = [parts[0]]
        for slot, part in zip(slots, parts[1:]):
            if values.get(slot) is None:
                return False
            out.append(values[slot])
            out.append(part)
        pages.append((state.site_dir / output_path(path), "".join(out).encode("utf-8", errors="xmlcharrefreplace")))
    for target, data in pages:
        # The published site shares this file's inode: a new file, never a rewrite.
        try:
            target.unlink()
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)      # like mkdocs: no manifest is saved before the build succeeds
    return True


def portable_key(url: str, meta: dict, content: str, site_url: str | None) -> tuple:
    """mkdocs_hooks.shell_key without the parts that need mkdocs' page objects (those
    pages are excluded: in the nav, next to it, or with neighbours)."""
    parent = url.rstrip("/").rsplit("/", 1)[0] if "/" in url.rstrip("/") else ""
    rest = tuple(sorted((name, repr(value)) for name, value in meta.items() if name not in ("title", "description")))
    present = (meta.get("title") is not None, meta.get("description") is not None, True,
               canonical_url(site_url, url) is not None, False)
    return (parent, url.count("/"), rest, present, "<h1" in content)


def canonical_url(site_url: str | None, url: str) -> str | None:
    """As mkdocs' Page._set_canonical_url."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, url)
