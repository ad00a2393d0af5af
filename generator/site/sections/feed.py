"""feed.xml: an Atom feed of newly published cases and of withdrawals, for people who
follow the bureau. Atom needs absolute links, so it is written only when mkdocs.yml
sets `site_url`; every date comes from the records and publication.json, so two builds
of the same inputs write the same bytes. (mkdocs writes sitemap.xml from the same set
of pages, with `site_url`'s absolute URLs: a case without a page is not in it.)"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator
from xml.sax.saxutils import escape

from ..model import SiteModel
from ..pages import ViewAsset
from ..render import case_url

PATH = "feed.xml"
ENTRIES = 50


def _entries(model: SiteModel, base: str) -> list[tuple[str, str, str, str, str]]:
    """(date, id, title, url, summary) of each entry, newest first."""
    out = []
    for case in model.cases:
        if case.status == "公示中":
            # Without a rule table there is no publication state: the decision's date.
            date = case.published or case.decision_date or case.date
            out.append((date.isoformat(), f"{base}{case_url(case.id)}", case.title,
                        f"{base}{case_url(case.id)}", f"新公开案例：{case.cause}"))
    for notice in getattr(model.lifecycle, "withdrawals", None) or ():
        url = f"{base}withdrawn/{notice.id}/"
        out.append((notice.date.isoformat(), url, f"撤回说明：{notice.case_no or notice.id}", url,
                    f"撤回原因：{notice.reason}"))
    out.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return out[:ENTRIES]


@dataclass(frozen=True)
class FeedView:
    """Everything feed.xml holds."""

    base: str
    site_name: str
    entries: tuple[tuple[str, str, str, str, str], ...]


def atom(view: FeedView) -> bytes:
    base, entries = view.base, view.entries
    updated = (entries[0][0] if entries else "1970-01-01") + "T00:00:00+08:00"
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{escape(view.site_name)}</title>",
             f'<link rel="alternate" type="text/html" href="{escape(base)}"/>',
             f'<link rel="self" type="application/atom+xml" href="{escape(base + PATH)}"/>',
             f"<id>{escape(base + PATH)}</id>", f"<updated>{updated}</updated>",
             f"<author><name>{escape(view.site_name)}</name></author>"]
    for date, entry_id, title, url, summary in entries:
        parts += ["<entry>", f"<title>{escape(title)}</title>", f'<link href="{escape(url)}"/>',
                  f"<id>{escape(entry_id)}</id>", f"<updated>{date}T00:00:00+08:00</updated>",
                  f"<summary>{escape(summary)}</summary>", "</entry>"]
    parts.append("</feed>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def pages(model: SiteModel) -> Iterator[ViewAsset]:
    if not model.settings.site_url:
        return
    base = model.settings.site_url.rstrip("/") + "/"
    yield ViewAsset(PATH, FeedView(base, model.settings.site_name, tuple(_entries(model, base))), atom)
