"""Templates and URLs.

Every record value reaches a page through this Jinja environment, whose autoescape is
always on: `<script>` or `[x](javascript:…)` in a field becomes text, never markup. Page
bodies are raw HTML inside a Markdown file, so Python-Markdown does not touch record text
either.

URL helpers return site-root-relative URLs ('cases/2024-1001/'); templates put the
page's `root` prefix ('../../') in front, so the site works from any folder or sub-path.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .session import current

TEMPLATES = Path(__file__).parent / "templates"
_CN_PREFIX = "中华人民共和国"


def slugify(text: str) -> str:
    """Stable ASCII slug of Chinese text: 网约车 → 'wang-yue-che'; ASCII kept as is."""
    text = str(text)
    slugs = current().slugs             # this build's memo (session.py)
    slug = slugs.get(text)
    if slug is None:
        slug = slugs[text] = _pinyin_slug(text)
    return slug


def _pinyin_slug(text: str) -> str:
    from pypinyin import Style, lazy_pinyin      # 0.17 s to import: only for a text not seen before
    parts: list[str] = []
    for piece in lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: [s]):
        piece = re.sub(r"[^a-z0-9]+", "-", piece.lower()).strip("-")
        if piece:
            parts.append(piece)
    return re.sub(r"-{2,}", "-", "-".join(parts)).strip("-") or "x"


class SlugMemo:
    """The slugs earlier builds computed, kept in the project's cache, so that a rebuild
    does not import pypinyin at all. Keyed by pypinyin's version and this module's slug
    code: either changing computes every slug again. Loaded into (and saved from) the
    current Build's memo; pages are cached, so which texts a build slugs is not known:
    the file keeps them all."""

    def __init__(self, path: Path):
        self.path = path
        self.key = _slug_code_key()
        self.loaded: dict[str, str] = {}
        self.slugs = current().slugs

    def __enter__(self) -> "SlugMemo":
        import json
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("key") == self.key and isinstance(data.get("slugs"), dict):
                self.loaded = data["slugs"]
        except (OSError, ValueError):
            pass
        for text, slug in self.loaded.items():
            self.slugs.setdefault(text, slug)
        return self

    def __exit__(self, *exc) -> None:
        from ..fsutil import atomic_write_json
        if self.slugs.keys() - self.loaded.keys():
            try:
                atomic_write_json(self.path, {"key": self.key, "slugs": {**self.loaded, **self.slugs}})
            except OSError:
                pass                # a memo that cannot be written only costs time


def _slug_code_key() -> str:
    import hashlib
    from importlib.metadata import version
    return hashlib.blake2b(version("pypinyin").encode() + b"\0" + _code_bytes(_pinyin_slug.__code__),
                           digest_size=16).hexdigest()


def _code_bytes(code) -> bytes:
    """A function's code as bytes that are the same in every process (not repr, which
    holds addresses; not marshal, whose output depends on reference counts)."""
    parts = [code.co_code, repr(code.co_names).encode()]
    for const in code.co_consts:
        parts.append(_code_bytes(const) if hasattr(const, "co_code") else repr(const).encode())
    return b"\0".join(parts)


def law_slug(title: str) -> str:
    """A law's URL slug, from its title alone (so it is stable and needs no lookup):
    《中华人民共和国道路运输条例》 and 《道路运输条例》 both → 'dao-lu-yun-shu-tiao-li'."""
    title = title.strip().strip("《》").strip()
    return slugify(title.removeprefix(_CN_PREFIX))


def case_url(case_id: str) -> str:
    return f"cases/{case_id}/"


def law_url(title: str, article_key: str | None = None) -> str:
    url = f"laws/{law_slug(title)}/"
    return f"{url}#a{article_key}" if article_key else url


def facet_url(facet: str, value: str | int | None = None, page: int = 1) -> str:
    """Case listing narrowed by one facet: facet_url('category', '网约车') → 'cases/category/wang-yue-che/'.
    facet '' (or value None) is the full listing."""
    base = "cases/" if not facet or value is None else f"cases/{facet}/{slugify(str(value))}/"
    return base if page <= 1 else f"{base}page/{page}/"


def episode_url(episode_id: str) -> str:
    return f"videos/{episode_id}/"


def lesson_url(lesson_id: str) -> str:
    return f"lessons/{lesson_id}/"


def livestream_url(transcript_id: str) -> str:
    return f"livestreams/{transcript_id}/"


def discretion_url(item_id: str | None = None) -> str:
    return f"discretion/#{item_id}" if item_id else "discretion/"


def search_url(query: str = "") -> str:
    from urllib.parse import quote
    return f"search/?q={quote(query)}" if query else "search/"


def paragraphs(text: str) -> Markup:
    """Plain text → escaped <p> paragraphs (one per non-empty line)."""
    lines = [line.strip() for line in str(text or "").splitlines()]
    return Markup("".join(f"<p>{escape(line)}</p>" for line in lines if line))


def yuan(value: float | int | None) -> str:
    """12000 → '12,000 元'; None → ''."""
    if value is None:
        return ""
    number = int(value) if float(value).is_integer() else value
    return f"{number:,} 元"


def truncate_text(text: str, length: int = 80) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


URL_HELPERS = {
    "case_url": case_url, "law_url": law_url, "facet_url": facet_url, "episode_url": episode_url,
    "lesson_url": lesson_url, "livestream_url": livestream_url, "discretion_url": discretion_url,
    "search_url": search_url, "law_slug": law_slug, "slugify": slugify,
}


@lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    """The one Jinja environment for page bodies: autoescape on, undefined is an error.

    Cached for the process: a constant (the shipped templates, read once, auto_reload off,
    and pure helpers; it holds no build's values: memos live on the Build). No bytecode cache
    on disk: Jinja's is marshal data, which runs as code when loaded."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,          # templates do not change during a build: no stat per include
    )
    env.globals.update(URL_HELPERS)
    env.globals["case_card"] = case_card
    env.filters["paras"] = paragraphs
    env.filters["yuan"] = yuan
    env.filters["truncate_text"] = truncate_text
    return env


_ROOT_MARK = "\ue000pufa-root\ue000"       # private-use characters: never in escaped record text


def case_card(case, root: str) -> Markup:
    """A case's card in listings, related cases and the home page. A case appears on ~7
    listing pages (at 3 folder depths) and as 5 neighbours' related case: rendered once,
    with the root prefix put in afterwards, it is ~10x cheaper at 10,000 cases."""
    return Markup(_case_card(case).replace(_ROOT_MARK, root))


def _case_card(case) -> str:
    # Keyed by the frozen Case's value, so an edited case never gets its old card; the
    # memo is the current Build's (session.py), gone when the build ends.
    cards = current().cards
    card = cards.get(case)
    if card is None:
        card = render("_case_card.html", case=case, root=_ROOT_MARK)
        if len(cards) < 50_000:
            cards[case] = card
    return card


def render(name: str, **context) -> str:
    """Render `templates/<name>`; the result is safe HTML for a Page body."""
    return template_env().get_template(name).render(**context)
