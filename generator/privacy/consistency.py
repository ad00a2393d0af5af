"""One person, one treatment across an import: a name found in one record is replaced in
every other record of the same import that writes it, even where nothing there marks it
as a name ('王海燕' introduced as 乘客 in one case, written bare in the next).

`shared_names` collects what the records' anonymisers learnt; `records_to_redo` says which
records' published text still holds one of those names (one Aho-Corasick pass over all of
them), so the importer anonymises only those again with the names handed in.
"""
from __future__ import annotations

from typing import Iterable

import ahocorasick

from .detect import NOT_NAMES

# A two-character name learnt from prose ('高峰') is also an everyday word: only names
# of three or more characters, and the parties' own names, are carried to other records.
MIN_SHARED = 3


def shared_names(learnt: Iterable[tuple[dict[str, str], Iterable[str]]]) -> set[str]:
    """Names worth carrying over, from each record's (removed value → kind, party names)."""
    names: set[str] = set()
    for removed, parties in learnt:
        names.update(v for v, kind in removed.items() if kind == "name" and len(v) >= MIN_SHARED and "某" not in v)
        names.update(p for p in parties if len(p) >= 2 and p not in NOT_NAMES)
    return names


def records_to_redo(names: set[str], published: list[Iterable[str]]) -> dict[int, list[str]]:
    """{index of a record: the shared names its published texts still hold}."""
    if not names:
        return {}
    automaton = ahocorasick.Automaton()
    for name in names:
        automaton.add_word(name, name)
    automaton.make_automaton()
    out: dict[int, list[str]] = {}
    for index, texts in enumerate(published):
        hits = {name for text in texts if text for _, name in automaton.iter(text)}
        if hits:
            out[index] = sorted(hits)
    return out
