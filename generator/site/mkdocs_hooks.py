"""MkDocs hooks for pufa's generated pages (loaded through `hooks:` in the derived config).

A generated page is front matter + one block of finished, escaped HTML (meta `pufa: true`).
Python-Markdown would re-parse every tag of it with HTMLParser, which is most of the build
time at 10,000 pages and could only do harm, so the body skips Markdown: the hook hands
mkdocs no Markdown to render and puts the HTML back as the page content.

At 10,000 pages the theme's templates are the rest of mkdocs' time, and nearly all of a
generated page's HTML is chrome that is the same on every page of a folder (the site
nav, the JSON config, the script and style tags, the header, the footer). Two levels of
reuse, both keyed by what the chrome depends on (`block_key`):

* **Page shells.** For each key the full template is rendered once more with marker
  values in place of the page's own values (title, description, content, canonical and
  edit URLs): the result, cut at the markers, is the shell of every page with that key.
  A shell is trusted only after it reproduced two fully rendered pages byte for byte and
  every marker came out untouched (no filter escaped, stripped, encoded or cut it); from
  then on the key's pages are the shell filled in (`overrides/main.html` extends
  `pufa-shell.html` for them), without running Material's templates.
* **Blocks.** Until then, `overrides/main.html` renders the nav, config, scripts, styles
  and footer blocks once per key and reuses their HTML.

Set PUFA_NO_BLOCK_CACHE=1 to render every page in full (the tests compare both).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from mkdocs.structure.toc import get_toc

from generator.site.session import HookState, active

# The hooks' state for one mkdocs run is a HookState on the current Build (session.py),
# made new by on_config: nothing is kept in this module. `_state()` is that object; a
# mkdocs run outside `pufa build` gets one of its own, kept by the config object.


def _state() -> HookState:
    build = active()
    if build is not None:
        return build.hooks
    state = _LOOSE.get("state")
    if state is None:
        raise RuntimeError("pufa's mkdocs hooks ran without on_config")
    return state


_LOOSE: dict[str, HookState] = {}       # only for a run outside `pufa build`; replaced by on_config


def on_config(config):
    build = active()
    if build is not None:
        _finish_writes(raise_errors=False)  # a run that failed before on_post_build
        build.hooks = HookState()
    else:
        _LOOSE["state"] = HookState()
    return config


def on_nav(nav, config, files):
    state = _state()
    state.nav_urls.clear()
    state.nav_urls.update(page.url for page in nav.pages)
    return nav


def on_env(env, config, files):
    state = _state()
    env.globals["pufa_block_key"] = _block_key_unless_marking
    env.globals["pufa_block_get"] = state.blocks.get
    env.globals["pufa_block_put"] = _put
    env.globals["pufa_parent"] = _parent_template
    env.globals["pufa_fill"] = _fill_shell
    state.render["env"] = env
    return env


def on_page_read_source(page, config):
    """A generated page's front matter is one JSON value a line (build.page_markdown):
    read here with json instead of PyYAML's pure-Python parser (~0.25 ms a page, 3 s at
    13,000 pages). mkdocs then sees the body alone; on_page_markdown puts the meta back."""
    try:
        source = page.file.content_string
    except (OSError, ValueError):
        return None                     # mkdocs reads it again and reports the problem itself
    parsed = split_generated(source)
    if parsed is None:
        return source
    _state().meta[page.file.src_uri] = parsed[1]
    return parsed[0]


def split_generated(source: str) -> tuple[str, dict] | None:
    """(body, meta) of a page pufa generated, as mkdocs' meta.get_data gives them; None
    for any other Markdown (or anything that would not read the same both ways)."""
    import json
    if not source.startswith("---\n") or "\r" in source:
        return None
    end = source.find("\n---\n", 3)
    if end < 0:
        return None
    meta = {}
    for line in source[4:end].split("\n"):
        key, sep, value = line.partition(": ")
        if not sep or not key.isidentifier():
            return None
        try:
            meta[key] = json.loads(value)
        except ValueError:
            return None
    body = source[end + 5:].lstrip("\n")
    if meta.get("pufa") is not True or not body.startswith("<"):
        return None                     # MultiMarkdown-style meta would be read from a body's first line
    return body, meta


def on_page_markdown(markdown, page, config, files):
    meta = _state().meta.pop(page.file.src_uri, None)
    if meta is not None:
        page.meta = meta
    if page.meta.get("pufa"):
        _state().bodies[page.file.src_uri] = markdown
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
    body = _state().bodies.pop(page.file.src_uri, None)
    return html if body is None else body


def on_page_context(context, page, config, nav):
    _state().render["context"] = context
    return context


def on_post_page(output, page, config):
    _learn_shell(output, page)
    if page.meta.get("pufa") and output.strip():
        # Written by a second thread while mkdocs renders the next page (creating 13,000
        # folders and files is seconds of kernel work on a disk here). An empty output
        # is mkdocs' own "write nothing"; on_post_build waits for the writes.
        render = _state().render
        writer = render.get("writer")
        if writer is None:
            from concurrent.futures import ThreadPoolExecutor
            writer = render["writer"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-writer")
            render["writes"] = []
        data = output.encode("utf-8", errors="xmlcharrefreplace")
        render["writes"].append(writer.submit(_write_page, page.file.abs_dest_path, data))
        return ""
    return output


def _write_page(path: str, data: bytes) -> None:
    """As mkdocs.utils.write_file."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def on_post_build(config):
    _finish_writes()


def on_build_error(error):
    _finish_writes(raise_errors=False)


def _finish_writes(raise_errors: bool = True) -> None:
    build = active()
    render = build.hooks.render if build is not None else (_LOOSE["state"].render if "state" in _LOOSE else {})
    writer, writes = render.pop("writer", None), render.pop("writes", [])
    if writer is None:
        return
    writer.shutdown(wait=True)
    for done in writes:
        if raise_errors:
            done.result()           # a failed write (a full disk) fails the build


def _learn_shell(output, page) -> None:
    """Learn a page shell from pages rendered in full (see the module's docstring)."""
    key = shell_key(page)
    if key is None:
        return
    shells = _state().shells
    shell = shells.get(key, _UNSEEN)
    if shell is None or shell is not _UNSEEN and shell.ready:
        return
    if shell is _UNSEEN:
        shell = _marked_shell(page)
        if shell is None or shell.fill(page) != output:
            shells[key] = None
            return
        shells[key] = shell
        shell.first_url = page.url
    elif page.url != shell.first_url:
        # A second page in the same key proves that nothing else of the page (its URL)
        # shows in the chrome.
        if shell.fill(page) == output:
            shell.ready = True
        else:
            shells[key] = None


# Marker values: private-use characters and characters every escaping filter changes, so a
# marker that came out escaped, stripped, URL- or JSON-encoded or cut is noticed.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARKS = {slot: f"{_MARK_OPEN}{slot}<&\"'>{_MARK_CLOSE}" for slot in ("title", "description", "content",
                                                                      "canonical_url", "edit_url")}
# Material prints the page title as an <h1> unless the content has one: the content
# marker carries one when the page's content does (and the key says which).
_CONTENT_MARKS = {False: _MARKS["content"], True: _MARKS["content"][:-1] + "<h1>" + _MARK_CLOSE}
_MARK_TRACES = (_MARK_OPEN, _MARK_CLOSE, "%EE%80%8", "\\ue000", "\\ue001", "&#57344;", "&#57345;")


_UNSEEN = object()


@dataclass
class _Shell:
    parts: list[str]          # the chrome between the page's own values
    slots: list[str]          # which value goes after each part but the last
    first_url: str = ""
    ready: bool = False

    def fill(self, page) -> str:
        values = _page_values(page)
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:]):
            out.append(values[slot])
            out.append(part)
        return "".join(out)


def _page_values(page) -> dict[str, str]:
    return {"title": page.meta.get("title"), "description": page.meta.get("description"),
            "content": page.content, "canonical_url": page.canonical_url, "edit_url": page.edit_url}


def _marked_shell(page) -> _Shell | None:
    """Render the current page again with markers for its own values; cut at them."""
    render = _state().render
    env, context = render.get("env"), render.get("context")
    if env is None or context is None or context.get("page") is not page:
        return None
    saved = (page.meta, page.content, page.canonical_url, page.edit_url)
    marked = {slot: value is not None for slot, value in _page_values(page).items()}
    meta = dict(page.meta)
    for slot in ("title", "description"):
        if marked[slot]:
            meta[slot] = _MARKS[slot]
    marks = {**_MARKS, "content": _CONTENT_MARKS[_has_h1(page)]}
    render["marking"] = True
    try:
        page.meta = meta
        page.content = marks["content"]
        page.canonical_url = _MARKS["canonical_url"] if marked["canonical_url"] else None
        page.edit_url = _MARKS["edit_url"] if marked["edit_url"] else None
        html = env.get_template(page.meta.get("template", "main.html")).render(context)
    finally:
        page.meta, page.content, page.canonical_url, page.edit_url = saved
        render["marking"] = False
    parts, slots, rest = [], [], html
    while True:
        at, slot = min(((rest.find(mark), name) for name, mark in marks.items()),
                       key=lambda found: (found[0] < 0, found[0]))
        if at < 0:
            break
        parts.append(rest[:at])
        slots.append(slot)
        rest = rest[at + len(marks[slot]):]
    parts.append(rest)
    if any(trace in part for part in parts for trace in _MARK_TRACES):
        return None                                  # a marker went through a filter
    if any(not marked[slot] for slot in slots):
        return None
    return _Shell(parts, slots)


def _parent_template(page) -> str:
    key = shell_key(page)
    shell = _state().shells.get(key) if key is not None else None
    return "pufa-shell.html" if shell is not None and shell.ready else "base.html"


def _fill_shell(page) -> str:
    from markupsafe import Markup
    return Markup(_state().shells[shell_key(page)].fill(page))


def shell_key(page) -> tuple | None:
    """Pages with one key share their whole chrome: the block key and everything else of
    the page that the theme reads (its meta besides title/description, which values it
    has at all)."""
    if _state().render.get("marking"):
        return None
    key = block_key("page", page)
    if key is None or len(page.toc) or page.is_homepage:
        return None
    meta = tuple(sorted((name, repr(value)) for name, value in page.meta.items()
                        if name not in ("title", "description")))
    present = tuple(value is not None for value in _page_values(page).values())
    return key + (meta, present, _has_h1(page))


def _has_h1(page) -> bool:
    return "<h1" in (page.content or "")


def _block_key_unless_marking(name: str, page) -> tuple | None:
    # The marker render must neither read nor fill the block cache with marker values.
    return None if _state().render.get("marking") else block_key(name, page)


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
    nav_urls = _state().nav_urls
    if url and (url.startswith("assets/") or any(t != url and t.startswith(url) for t in nav_urls)):
        return None
    parent = url.rstrip("/").rsplit("/", 1)[0] if "/" in url.rstrip("/") else ""
    hide = tuple(page.meta.get("hide") or ())
    neighbours = (getattr(page.previous_page, "url", None), getattr(page.next_page, "url", None))
    return (name, parent, url.count("/"), hide, url if url in nav_urls else None, neighbours)


def _put(key: tuple | None, html: str) -> str:
    if key is not None:
        _state().blocks[key] = html
    return html


def portable_shells() -> dict[tuple, tuple[list[str], list[str]]]:
    """The proven shells of pages that are neither in the nav nor next to a nav page, by
    a key computed from the page's Markdown alone (replay.portable_key): a later build
    can write such pages without mkdocs (replay.py)."""
    out = {}
    for key, shell in _state().shells.items():
        if shell is None or not shell.ready:
            continue
        (_name, parent, depth, _hide, nav_url, neighbours), rest = key[:6], key[6:]
        if nav_url is None and neighbours == (None, None):
            out[(parent, depth, *rest)] = (list(shell.parts), list(shell.slots))
    return out
