"""The `Build` object: everything one build remembers while it runs, and nothing after.

`build_site` opens one `Build` (`with Build.open(): …`); while it is open, `current()`
returns it to the code that keeps a memo (slugs and case cards in render.py) and to the
mkdocs hooks (their per-build state, `HookState`). When the build ends the object is
dropped: no memo, index or hook state of one build is seen by the next (`pufa serve`
builds many times in one process; tests build clean and incremental sites side by side).

Outside a build (a test calling `slugify` directly), `current()` gives a fresh, unkept
`Build`: the memos then simply do not remember.

What stays at module level elsewhere in generator/site is constant or a pure function's
memo keyed by the content it is computed from (tests/test_build_session.py lists them).
This module imports nothing of pufa: everything may import it (the import graph stays
acyclic).
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import Iterator


@dataclass
class HookState:
    """What the mkdocs hooks (mkdocs_hooks.py) keep during one mkdocs run."""

    bodies: dict[str, str] = field(default_factory=dict)        # page → its HTML body (skips Markdown)
    meta: dict[str, dict] = field(default_factory=dict)         # page → front matter read with json
    blocks: dict[tuple, str] = field(default_factory=dict)      # block key → rendered chrome block
    nav_urls: set[str] = field(default_factory=set)
    shells: dict[tuple, object] = field(default_factory=dict)   # shell key → proven shell, or None
    render: dict[str, object] = field(default_factory=dict)     # jinja env, current page context, marking flag, writer


@dataclass
class Build:
    """One build's memos and hook state."""

    slugs: dict[str, str] = field(default_factory=dict)         # text → slug (render.slugify)
    cards: dict[object, str] = field(default_factory=dict)      # frozen Case → its card's HTML
    hooks: HookState = field(default_factory=HookState)

    @staticmethod
    @contextlib.contextmanager
    def open() -> Iterator["Build"]:
        """Make a new Build current for the duration of the `with` block."""
        build = Build()
        token = _CURRENT.set(build)
        try:
            yield build
        finally:
            _CURRENT.reset(token)


_CURRENT: contextvars.ContextVar[Build | None] = contextvars.ContextVar("pufa_build", default=None)


def current() -> Build:
    """The open Build, or a fresh one that nobody keeps (outside a build)."""
    build = _CURRENT.get()
    return build if build is not None else Build()


def active() -> Build | None:
    return _CURRENT.get()
