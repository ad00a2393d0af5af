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

import pickle
import re
from pathlib import Path
from urllib.parse import urljoin

from .pages import page_url
from .shards import output_path

SHELLS_FILE = "shells.pickle"
_LASTMOD = re.compile(r"<lastmod>([^<]*)</lastmod>")


def save_shells(root: Path, key: str, site_url: str | None, shells: dict, merge: bool) -> None:
    """Keep the shells of an mkdocs run (merged into the saved ones after a dirty run,
    which renders only the changed pages)."""
    from ..fsutil import atomic_write_bytes
    saved = load_shells(root, key, site_url) if merge else {}
    saved.update(shells)
    atomic_write_bytes(root / SHELLS_FILE, pickle.dumps((key, site_url, saved), protocol=5))


def load_shells(root: Path, key: str, site_url: str | None) -> dict:
    try:
        saved_key, saved_url, shells = pickle.loads((root / SHELLS_FILE).read_bytes())
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, TypeError):
        return {}
    return shells if (saved_key, saved_url) == (key, site_url) else {}


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
        shell = shells.get(portable_key(url, meta, content, site_url))
        if shell is None:
            return False
        values = {"title": meta.get("title"), "description": meta.get("description"), "content": content,
                  "canonical_url": canonical_url(site_url, url), "edit_url": None}
        parts, slots = shell
        out = [parts[0]]
        for slot, part in zip(slots, parts[1:]):
            if values[slot] is None:
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
