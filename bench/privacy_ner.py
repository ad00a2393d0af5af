"""Person names in real prose: recall of removed person names and over-removal of
places and organisations, over a BIO-tagged corpus (one `char TAG` a line, blank line
between sentences), each sentence put into a case's 违法事实 and anonymised.

Used by bench/privacy.py; the sentences are split into two halves (even / odd) so that
anything tuned on one half can be checked on the other.
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.privacy.anonymise import anonymise_fields  # noqa: E402
from generator.privacy.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES  # noqa: E402


@dataclass
class Sentence:
    text: str
    entities: list[tuple[str, str]]      # (type, text)


def read_bio(path: Path) -> list[Sentence]:
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []

    def close() -> None:
        if chars:
            sentences.append(Sentence("".join(chars), _entities(chars, tags)))
        chars.clear()
        tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            close()
            continue
        chars.append(parts[0] if len(parts) > 1 else line[0])
        tags.append(parts[-1])
    close()
    return sentences


def _entities(chars: list[str], tags: list[str]) -> list[tuple[str, str]]:
    out, start, kind = [], None, None
    for i, tag in enumerate(tags + ["O"]):
        inside = tag.startswith("I-") and tag[2:] == kind
        if start is not None and not inside:
            out.append((kind, "".join(chars[start:i])))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and not inside):
            start, kind = i, tag[2:]
    return out


# Characters of the standard transliteration table (新华社译名) that Chinese given names
# hardly use: 马克思, 穆巴拉克, 罗斯 are foreign names, counted in PER-all only.
_TRANSLITERATION = frozenset("克斯尔德特拉夫基维奇娃娜诺耶乌普布瓦萨塔卡加哈巴莫洛索伯纳顿森逊默勒姆")


def is_full_chinese_name(name: str) -> bool:
    """Surname + a given name of one or two characters (by the surname table, not the
    corpus), not a transliterated foreign name."""
    if name[:2] in COMPOUND_SURNAMES:
        given = name[2:]
    elif name[:1] in SINGLE_SURNAMES:
        given = name[1:]
    else:
        return False
    return 1 <= len(given) <= 2 and not any(c in _TRANSLITERATION for c in given)


def measure(sentences: list[Sentence]) -> dict[str, tuple[int, int]]:
    """{category: (hits, total)}: PER-full / PER-all removed, LOC / ORG kept."""
    hits, totals = Counter(), Counter()
    for sentence in sentences:
        published = anonymise_fields({"facts": sentence.text})[0]["facts"]
        for kind, text in sentence.entities:
            present = text in published
            if kind == "PER":
                cats = ["PER-all"] + (["PER-full"] if is_full_chinese_name(text) else [])
                for cat in cats:
                    totals[cat] += 1
                    hits[cat] += not present
            elif kind in ("LOC", "ORG"):
                totals[kind] += 1
                hits[kind] += present
    return {cat: (hits[cat], totals[cat]) for cat in ("PER-full", "PER-all", "LOC", "ORG")}
