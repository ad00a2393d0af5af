"""The leak check: the detectors plus the project's private deny list.

Every personal datum an import ever removed is kept, never published, in
`<project>/.pufa-private/denylist.txt` (one `kind<TAB>value` a line). `find_leaks` finds
those exact values again wherever they reappear (a person pasting the original text back
into a record, a transcript naming a party), on top of everything `scan_text` detects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from ..fsutil import atomic_write_text
from .detect import Finding, digits_of, resolve_overlaps, scan_text

PRIVATE_DIR = ".pufa-private"
DENYLIST_FILE = "denylist.txt"
# Shorter values would match ordinary words; a 2-character name is the shortest datum kept.
MIN_LENGTH = 2
_BARE_STREET_NO = re.compile(r"^[0-9０-９]+(?:-[0-9０-９]+)?号(?:附[0-9]+号)?$")


def denylist_path(project_root: Path) -> Path:
    return Path(project_root) / PRIVATE_DIR / DENYLIST_FILE


@dataclass
class Denylist:
    """Exact personal values (value → kind) that must never appear in published output."""

    entries: dict[str, str] = field(default_factory=dict)   # value → kind
    _automaton: object | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, kind: str, value: str) -> bool:
        """Add a value (and its bare-digit form for numbers); True when it was new.

        A bare street number ('88号', '12-3号') is not kept: it also ends every case number
        and article list, so the gate would cry wolf; the detectors still find it beside
        its road."""
        if kind == "house_number" and _BARE_STREET_NO.match(value.strip()):
            return False
        new = False
        for form in _forms(kind, value):
            if len(form) >= MIN_LENGTH and form not in self.entries:
                self.entries[form] = kind
                new = True
        if new:
            self._automaton = None
        return new

    def _matcher(self):
        # Aho-Corasick: one pass over the text finds every entry, however many thousand
        # the list holds (a regex alternation of 100,000 values takes seconds to compile).
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for value, kind in self.entries.items():
                automaton.add_word(value, (value, kind))
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def find(self, text: str) -> list[Finding]:
        """Every occurrence of an entry; overlapping ones are resolved by the caller."""
        if not self.entries or not text:
            return []
        return [Finding(kind, end + 1 - len(value), end + 1, value)
                for end, (value, kind) in self._matcher().iter(text)]

    def to_text(self) -> str:
        lines = sorted(f"{kind}\t{value}" for value, kind in self.entries.items())
        return "".join(line + "\n" for line in lines)


def _forms(kind: str, value: str) -> list[str]:
    value = value.strip()
    if kind not in ("id_number", "phone", "bank_card", "plate", "vin"):
        return [value] if value else []         # names, house numbers: as written
    forms = [value]
    if kind in ("id_number", "phone", "bank_card"):
        bare = digits_of(value)
        if len(bare) >= 7:
            forms.append(bare)
    elif kind in ("plate", "vin"):
        compact = re.sub(r"[\s·•・.\-]", "", value).upper()
        forms.append(compact)
    return list(dict.fromkeys(f for f in forms if f))


def load_denylist(project_root: Path) -> Denylist:
    """The project's deny list; empty when the file is absent."""
    path = denylist_path(project_root)
    denylist = Denylist()
    if not path.exists():
        return denylist
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, sep, value = line.partition("\t")
        if not sep:
            kind, value = "denylist", line
        value = value.strip()
        if len(value) >= MIN_LENGTH:
            denylist.entries.setdefault(value, kind.strip() or "denylist")
    return denylist


def save_denylist(project_root: Path, denylist: Denylist) -> Path:
    """Write the deny list atomically (sorted, so its diff stays small)."""
    path = denylist_path(project_root)
    atomic_write_text(path, denylist.to_text())
    return path


# Invisible characters a search index or a copy-paste puts between words (Pagefind
# writes 孙\u200b丽娜): a datum split by them is still the datum.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def find_leaks(text: str, denylist: Denylist | None) -> list[Finding]:
    """scan_text plus exact matches of the deny list, sorted and non-overlapping.

    Invisible separators are ignored; offsets and texts refer to `text` as given."""
    visible = _INVISIBLE.sub("", text)
    if len(visible) != len(text):
        # Every Pagefind fragment takes this path: the offset map (a Python loop over each
        # character) is built only for a text that has a finding.
        found = find_leaks(visible, denylist)
        if not found:
            return found
        kept = [i for i, ch in enumerate(text) if not _INVISIBLE.match(ch)]
        kept.append(len(text))
        return [Finding(f.kind, kept[f.start], kept[f.end - 1] + 1, text[kept[f.start]:kept[f.end - 1] + 1])
                for f in found]
    found = scan_text(text)
    if denylist:
        found = resolve_overlaps(found + denylist.find(text))
    return found
