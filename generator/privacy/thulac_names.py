"""Person names from THULAC's person tag (`np`), a second opinion beside jieba's `nr`.

THULAC's joint segmentation + POS model finds person names jieba's misses (measured on
news prose: `np` alone 91 %, jieba and thulac together 96 %). thulac's own decoder is too
slow for an import (~3,000 characters/s); thulac_fast decodes the same model with numpy.

A word tagged `np` is kept under the same public-name guards as jieba's `nr` words in
names.py: a name's shape (looks_like_name, or a foreign name of the transliteration
table beside a title or a verb of speaking), not a law's or the procedure's word, not the
head of a place or an organisation (…家庄, …路, 罗威|汽车公司), not where someone goes.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

from . import names

# Sentences are tagged one at a time and remembered (an export repeats its set phrases);
# the features reach two characters each way, so cutting at a sentence end changes
# nothing the tagger sees inside one.
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_LOCK = threading.Lock()
_CHINESE = re.compile(rf"[{names._HAN}][{names._HAN}·•・]*")
_CACHE_SIZE = 65536


@lru_cache(maxsize=1)
def tagger():
    """The model, loaded once per process (memory-mapped: ~0.2 s). Call before forking."""
    from .thulac_fast import FastThulac

    with _LOCK:
        return FastThulac()


class _Memo:
    """Sentence -> np spans, bounded (oldest first out), filled in batches."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple[tuple[int, int, bool], ...]] = {}
        self.lock = threading.Lock()

    def get(self, sentences: list[str]) -> list[tuple[tuple[int, int, bool], ...]]:
        with self.lock:
            known = {s: self.spans[s] for s in sentences if s in self.spans}
        todo = list(dict.fromkeys(s for s in sentences if s not in known))
        if todo:
            fresh = {s: _np_spans(s, w) for s, w in zip(todo, tagger().cut("\n".join(todo)))}
            with self.lock:
                while self.spans and len(self.spans) + len(fresh) > _CACHE_SIZE:
                    self.spans.pop(next(iter(self.spans)))
                self.spans.update(fresh)
            known.update(fresh)
        return [known[s] for s in sentences]


_MEMO = _Memo()


def _word_starts(sentence: str) -> set[int]:
    """Where a word of two or more characters of jieba's dictionary segmentation starts
    (no HMM: its dictionary words only)."""
    import jieba

    names._tagger()
    out, at = set(), 0
    for word in jieba.cut(sentence, HMM=False):
        if len(word) > 1:
            out.add(at)
        at += len(word)
    return out


def _np_spans(sentence: str, pairs: list[tuple[str, str]]) -> tuple[tuple[int, int, bool], ...]:
    """(start, end, needs a cue) of each `np` word that passes the guards."""
    if "".join(w for w, _ in pairs) != sentence:
        return ()                  # thulac folded a run of spaces: offsets would not match
    out = []
    at = 0
    starts: set[int] | None = None
    for i, (word, tag) in enumerate(pairs):
        start = at
        at += len(word)
        if tag != "np" or word in names._ALL_TITLES or not _CHINESE.fullmatch(word):
            continue                                              # '鲁A' (a plate's head): not a name
        if starts is None:
            starts = _word_starts(sentence)
        if len(word) >= 3 and at - 1 in starts:
            continue                                              # '王五巡|游': its last character opens 巡游
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        after = nxt + (pairs[i + 2][0] if i + 2 < len(pairs) else "")
        if names._after_towards(pairs, i) or names._place_or_org_follows(pairs, i + 1):
            continue                                              # '驶往|章丘', '罗威|汽车公司'
        if names.looks_like_name(word):
            if names.procedural_word(word):
                continue                                          # '告知陈述申辩'
            common = len(word) == 2 and names.everyday_word(word) and word[-1] not in names.GIVEN_NAME_CHARS
            out.append((start, at, common or word[0] in names._WEAK_SURNAMES))
        elif names._FOREIGN.fullmatch(word) and (names._after_title(pairs, i) or after.startswith(names._PERSON_AFTER)):
            out.append((start, at, False))                        # '总统|克林顿', '穆巴拉克|说'
        elif 2 <= len(word) <= 5 and word[-1] not in names._PLACE_OR_ORG_END \
                and not any(c in names._FUNCTION_WORD_CHARS for c in word) \
                and not names.procedural_word(word) and not names.everyday_word(word) \
                and not names._in_organisation_name(pairs, i):
            out.append((start, at, False))                        # '桥本龙太郎', '欣嘉': no known surname, no everyday word
    return tuple(out)


def prefetch(texts: list[str]) -> None:
    """Tag the sentences of many texts (a record's fields) in one batch: the decoder's
    cost is mostly per character position, shared by all lines decoded together."""
    _MEMO.get([m.group() for text in texts for m in _SENTENCE.finditer(text)])


def np_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of the person names THULAC tags in `text`, guarded as above."""
    matches = list(_SENTENCE.finditer(text))
    found = []
    for m, spans in zip(matches, _MEMO.get([m.group() for m in matches])):
        for start, end, common in spans:
            s, e = m.start() + start, m.start() + end
            if common and not names._cued(text, s, e):
                continue
            found.append((s, e))
    return found
