"""Person names in real prose: recall of removed person names and over-removal of
places and organisations, over a BIO-tagged corpus (one `char TAG` a line, blank line
between sentences), each sentence put into a case's 违法事实 and anonymised.

Used by bench/privacy.py; the sentences are split into two halves (even / odd) so that
anything tuned on one half can be checked on the other.
"""
from __future__ import annotations

import re
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


# The published convention keeps a surname: 王某, 王某某, 王某甲. A name written so is
# removed; what is left of the text after these aliases is what still names someone.
_ALIAS = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]{1,2}某+[甲乙丙丁戊己庚辛壬癸]?")


def measure(sentences: list[Sentence]) -> dict[str, tuple[int, int]]:
    """{category: (hits, total)}: PER-full / PER-all removed, LOC / ORG kept.

    A person name counts as removed when it is gone from the published text once the
    X某 aliases are set aside: a lone surname ('李先生' → '李某先生', '老于' → '于某') is
    written as the convention says. PER-all-strict counts any trace of the name's
    characters (the surname of an alias included), as rounds before 2026-12 measured."""
    hits, totals = Counter(), Counter()
    for sentence in sentences:
        published = anonymise_fields({"facts": sentence.text})[0]["facts"]
        without_aliases = _ALIAS.sub("\u25a1", published)
        for kind, text in sentence.entities:
            if kind == "PER":
                totals["PER-all-strict"] += 1
                hits["PER-all-strict"] += text not in published
            present = (text in without_aliases) if kind == "PER" else (text in published)
            if kind == "PER":
                cats = ["PER-all"] + (["PER-full"] if is_full_chinese_name(text) else [])
                for cat in cats:
                    totals[cat] += 1
                    hits[cat] += not present
            elif kind in ("LOC", "ORG"):
                totals[kind] += 1
                hits[kind] += present
    return {cat: (hits[cat], totals[cat]) for cat in ("PER-full", "PER-all", "PER-all-strict", "LOC", "ORG")}
