"""Site sections. Each module has `pages(model: SiteModel) -> Iterable[Page | ViewPage | Asset | ViewAsset]`.

To add a section, add one line to SECTIONS; the order here is the order of the nav.
"""
from __future__ import annotations

from . import cases, corrections, discretion, episodes, feed, home, laws, lessons, recaps, search, stats, withdrawals

SECTIONS = [
    home,
    cases,
    laws,
    discretion,
    episodes,
    recaps,
    lessons,
    stats,
    search,
    withdrawals,
    corrections,
    feed,
]
