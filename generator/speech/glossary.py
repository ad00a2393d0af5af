"""The bureau's vocabulary: biases decoding (a prompt) and corrects homophones (by pinyin).

Whisper's mistakes on this speech are mostly homophones and near-homophones of domain
words (驾驶员 → 价势原, 拒载 → 聚在). A text-only replace list can never enumerate those,
so `Corrector` compares the *pinyin* of every stretch of the transcript with the pinyin of
every glossary term, tone-insensitive, with the usual Mandarin near-confusions
(z/zh, c/ch, s/sh, n/l, f/h, r/l; an/ang, en/eng, in/ing, ian/iang, uan/uang) costing half
a syllable and, for long terms, one wholly wrong syllable allowed.

Guards keep it from rewriting correct speech: a stretch that is itself a real word (jieba's
dictionary) is left alone; a two-character match that cuts through a real word beside it
(作为法律 is not 作违法律) is left alone; only Chinese characters are compared.

Given a `domainlm.DomainModel` (what `pufa transcribe` uses), the words of the bureau's
texts become candidates too and the model of those texts decides: a replacement must make
the sentence clearly likelier, which also lets real-word homophones be fixed (聚在 → 拒载)
where the context asks for it; the likeliest of overlapping candidates wins.

The glossary is `data/glossary.yaml` in the package (general to the bureau's work), plus
`<project>/data/glossary.yaml` where staff add their own, plus terms the project already
holds: law titles (and their short forms), case categories, places, discretion items.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..errors import InputError
from ..yamlio import load_yaml

if TYPE_CHECKING:
    from .domainlm import DomainModel

PACKAGE_GLOSSARY = Path(__file__).resolve().parent.parent.parent / "data" / "glossary.yaml"

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w")
_FUZZY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "l": "n", "h": "f", "r": "n"}
_FUZZY_FINAL = {"ang": "an", "eng": "en", "ing": "in", "iang": "ian", "uang": "uan", "ong": "on"}
REAL_WORD_FREQ = 30          # jieba frequency from which a stretch counts as a real word
NEIGHBOUR_WORD_FREQ = 100    # a word this common beside a 2-char match means the match cuts it
LM_MARGIN = 1.5              # a replacement must make the text ~30× likelier to the domain model…
LM_MARGIN_REAL_WORD = 3.0    # …and more where the heard text is itself a word (聚在 → 拒载)
LM_CONTEXT = 4               # characters of context either side that the model compares
LEXICON_PAIR_MAX_FREQ = 100  # a 2-character domain word more common than this in jieba is no candidate


@dataclass
class Term:
    term: str
    aliases: list[str] = field(default_factory=list)
    kind: str = ""
    prompt: bool = False       # put in the decoding prompt (the most useful ~60 terms)


@dataclass
class Glossary:
    terms: list[Term]

    def prompt(self, limit_chars: int = 60) -> str:
        """A short initial prompt in the register of the speech, naming a few key terms.

        Measured on whisper base: a short prompt of general domain words helps; a long
        list of terms (or one separated by 、 or ，) makes it copy the list's punctuation
        and garble the speech.
        """
        head = "以下是普通话的句子，内容是交通运输执法普法："
        words: list[str] = []
        used = len(head)
        for term in self.terms:
            if term.prompt and term.term not in words and used + len(term.term) + 1 <= limit_chars:
                words.append(term.term)
                used += len(term.term) + 1
        return head + "、".join(words) + "。"

    def merged(self, more: Iterable[Term]) -> "Glossary":
        seen = {t.term for t in self.terms}
        out = list(self.terms)
        for term in more:
            if term.term not in seen and len(term.term) >= 2:
                seen.add(term.term)
                out.append(term)
        return Glossary(out)


def load_glossary_file(path: Path) -> Glossary:
    data, lines = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise InputError.at(path, "expected 'terms:' with a list of {term, aliases?}", line=1, field="terms")
    problems = []
    terms = []
    for index, raw in enumerate(data["terms"]):
        where = f"terms[{index}]"
        if isinstance(raw, str):
            raw = {"term": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("term"), str) or not raw["term"].strip():
            problems.append((where, "expected a mapping with a non-empty 'term'"))
            continue
        aliases = raw.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append((f"{where}.aliases", "expected a list of texts"))
            aliases = []
        unknown = set(raw) - {"term", "aliases", "kind", "prompt"}
        if unknown:
            problems.append((f"{where}.{sorted(unknown)[0]}", "unknown field (known: term, aliases, kind, prompt)"))
        terms.append(Term(raw["term"].strip(), [a.strip() for a in aliases if a.strip()],
                          str(raw.get("kind") or ""), bool(raw.get("prompt", False))))
    if problems:
        from ..errors import Problem

        raise InputError([Problem(str(path), message, lines(where), where)
                          for where, message in problems])
    return Glossary(terms)


def _short_law_titles(title: str) -> list[str]:
    title = title.strip("《》 ")
    out = [title]
    if title.startswith("中华人民共和国"):
        out.append(title[len("中华人民共和国"):])
    for prefix in ("山东省", "济南市"):
        if title.startswith(prefix):
            out.append(title[len(prefix):])
    return out


def project_terms(project_root: Path | None) -> list[Term]:
    """Terms the project's own records hold: law titles, categories, places, discretion items."""
    if project_root is None:
        return []
    terms: list[Term] = []

    def add(text: object, kind: str) -> None:
        if isinstance(text, str):
            for piece in re.split(r"[，,、；;（）()\s]+", text):
                if 2 <= len(piece) <= 16 and _CJK_RUN.fullmatch(piece):
                    terms.append(Term(piece, kind=kind))

    def read(path: Path) -> object:
        try:
            return load_yaml(path)[0]
        except (InputError, OSError):
            return None   # the build reports broken records; transcription need not stop

    # The laws pufa ships (generator/data/laws) and the project's own catalog.
    for catalog_path in (Path(__file__).resolve().parent.parent / "data" / "laws" / "catalog.yaml",
                         project_root / "data" / "laws" / "catalog.yaml"):
        catalog = read(catalog_path)
        for law in (catalog or {}).get("laws", []) if isinstance(catalog, dict) else []:
            if isinstance(law, dict) and isinstance(law.get("title"), str):
                for title in _short_law_titles(law["title"]):
                    add(title, "法规")
    discretion = read(project_root / "data" / "discretion.yaml")
    for item in (discretion or {}).get("items", []) if isinstance(discretion, dict) else []:
        if isinstance(item, dict):
            add(item.get("category"), "类别")
            add(item.get("kind"), "裁量")
    cases_dir = project_root / "cases_public"
    if cases_dir.is_dir():
        for path in sorted(cases_dir.glob("*.yaml")):
            case = read(path)
            if isinstance(case, dict):
                add(case.get("category"), "类别")
                add(case.get("handling"), "处理方式")
                for tag in case.get("tags") or []:
                    add(tag, "标签")
                for basis in case.get("legal_basis") or []:
                    if isinstance(basis, dict) and isinstance(basis.get("law"), str):
                        for title in _short_law_titles(basis["law"]):
                            add(title, "法规")
    return terms


def load_glossary(project_root: Path | None = None) -> Glossary:
    glossary = load_glossary_file(PACKAGE_GLOSSARY)
    if project_root is not None:
        own = project_root / "data" / "glossary.yaml"
        if own.exists() and own.resolve() != PACKAGE_GLOSSARY:
            glossary = load_glossary_file(own).merged(glossary.terms)
    return glossary.merged(project_terms(project_root))


# --- pinyin matching ------------------------------------------------------------------------

def _split(syllable: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial):]
    return "", syllable


def _fuzzy(syllable: str) -> str:
    initial, final = _split(syllable)
    return _FUZZY_INITIAL.get(initial, initial) + _FUZZY_FINAL.get(final, final)


@lru_cache(maxsize=65536)
def _common_reading(char: str) -> str:
    from pypinyin import Style, pinyin

    return pinyin(char, style=Style.NORMAL)[0][0]


def _run_readings(run: str) -> list[tuple[str, ...]]:
    """Each character's usual reading and its reading in context (行驶 xing, 银行 hang).

    Rare readings (台 yi) are left out: they would make unrelated words sound alike.
    """
    from pypinyin import Style, lazy_pinyin

    context = lazy_pinyin(run, style=Style.NORMAL)
    if len(context) != len(run):
        context = [_common_reading(c) for c in run]
    return [tuple(dict.fromkeys((_common_reading(c), r))) for c, r in zip(run, context)]


def _term_pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(text, style=Style.NORMAL))


def _near(a: str, b: str) -> bool:
    """Same initial (allowing the usual confusions) and finals one letter apart: xuan/xun, yi/yu."""
    ia, fa = _split(a)
    ib, fb = _split(b)
    if ia != ib:   # a confused initial *and* a different final is too far (保护法 ≠ 保护和)
        return False
    if len(fa) == len(fb):
        return sum(x != y for x, y in zip(fa, fb)) <= 1
    short, long_ = sorted((fa, fb), key=len)
    return len(long_) - len(short) == 1 and any(long_[:k] + long_[k + 1:] == short for k in range(len(long_)))


EXACT, FUZZY, NEAR, WRONG = 0, 1, 2, 3
_COST = {EXACT: 0.0, FUZZY: 0.5, NEAR: 0.5, WRONG: 1.0}


def _syllable_match(term_syllable: str, readings: tuple[str, ...]) -> int:
    if term_syllable in readings:
        return EXACT
    fuzzy = _fuzzy(term_syllable)
    if any(_fuzzy(r) == fuzzy for r in readings):
        return FUZZY
    if any(_near(term_syllable, r) for r in readings):
        return NEAR
    return WRONG


def _allowed_cost(length: int) -> float:
    """Two characters must sound the same; longer terms may be half a syllable off; five
    and more a whole syllable (a long term matched that closely is not a coincidence)."""
    if length <= 2:
        return 0.0
    if length <= 4:
        return 0.5
    return 1.0


def _edge_ok(match: int, length: int) -> bool:
    # At the first or last character a loose match usually means the window has run into
    # a neighbouring word (运输中 is not 运输证): only the standard confusions there.
    if match in (EXACT, FUZZY):
        return True
    return match == NEAR and length >= 5


@lru_cache(maxsize=1)
def _word_freq() -> dict[str, int]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


# A Chinese character, a capital letter, then plate characters (digits, spoken digits, *),
# which may come in groups (路A-123-45, 卤A 12 345) as whisper writes them when they are read out.
_PLATE_CHAR = "[0-9A-Z*＊零一二三四五六七八九幺两]"
_PLATE = re.compile(rf"([\u3400-\u9fff])(\s?[A-HJ-NP-Z]\s?[·・\-—–]?\s?(?:{_PLATE_CHAR}[\s\-—–]?){{3,5}}{_PLATE_CHAR})")


@dataclass(frozen=True)
class Correction:
    start: int
    end: int
    found: str
    term: str
    cost: float
    gain: float = 0.0


class Corrector:
    """Rewrites homophones of glossary terms; build once per glossary, use on many texts."""

    def __init__(self, glossary: Glossary, domain: "DomainModel | None" = None):
        self.lm = domain.lm if domain is not None else None
        if domain is not None:
            # The words of the bureau's texts are candidates too, the language model decides;
            # but a two-character word that is common in any Chinese (终止, 方式, 机关) would
            # be "restored" all over ordinary speech: only rare, domain-specific ones.
            glossary = glossary.merged(Term(word, kind="领域") for word in domain.lexicon
                                       if len(word) >= 3 or _word_freq().get(word, 0) <= LEXICON_PAIR_MAX_FREQ)
        self.aliases: dict[str, str] = {}
        self.by_key: dict[tuple[int, str], list[tuple[str, tuple[str, ...]]]] = {}
        self.terms: set[str] = set()
        # Plate prefixes (kind 车牌: 鲁): whisper writes a homophone (卤A、路A) before the letter.
        self.plate_prefixes = {_term_pinyin(t.term)[0]: t.term for t in glossary.terms
                               if t.kind == "车牌" and len(t.term) == 1}
        for term in glossary.terms:
            if term.kind == "车牌":
                continue
            if not _CJK_RUN.fullmatch(term.term) or len(term.term) < 2:
                for alias in term.aliases:
                    self.aliases[alias] = term.term
                continue
            self.terms.add(term.term)
            syllables = _term_pinyin(term.term)
            if len(syllables) != len(term.term):
                continue
            entry = (term.term, syllables)
            # Indexed by each of the first two syllables (fuzzy), so a long term is still
            # found when one of them is wholly misheard.
            for position in range(min(2, len(syllables))):
                self.by_key.setdefault((len(syllables), f"{position}:{_fuzzy(syllables[position])}"), []).append(entry)
            for alias in term.aliases:
                self.aliases[alias] = term.term
        self.lengths = sorted({length for length, _ in self.by_key}, reverse=True)
        self._alias_re = re.compile("|".join(map(re.escape, sorted(self.aliases, key=len, reverse=True)))) \
            if self.aliases else None

    def _is_real_word(self, text: str) -> bool:
        return _word_freq().get(text, 0) >= REAL_WORD_FREQ

    def _holds_other_word(self, window: str, term: str) -> bool:
        """An approximate match whose window holds a common word the term lacks (平台显 ≠ 平阴县)."""
        freq = _word_freq()
        for k in range(len(window) - 1):
            pair = window[k:k + 2]
            if pair != term[k:k + 2] and freq.get(pair, 0) >= NEIGHBOUR_WORD_FREQ:
                return True
        return False

    def _cuts_a_word(self, run: str, start: int, end: int, protected: list[bool]) -> bool:
        freq = _word_freq()
        # A neighbour that belongs to a term already written right cannot form a word
        # with the window's edge (成做|出租车: 做出 is a word, but 出 is taken).
        left = run[start - 1:start + 1] if start > 0 and not protected[start - 1] else ""
        right = run[end - 1:end + 1] if end < len(run) and not protected[end] else ""
        if end < len(run) and run[end] == "某":
            return True   # 驾驶员郑某: a surname of an anonymised person, not a homophone
        return any(freq.get(w, 0) >= NEIGHBOUR_WORD_FREQ for w in (left, right) if w)

    def _protected(self, run: str) -> list[bool]:
        """Characters inside a glossary term that is already written right (长清区 in 济南长清区)."""
        marks = [False] * len(run)
        for length in self.lengths:
            for start in range(len(run) - length + 1):
                if run[start:start + length] in self.terms:
                    marks[start:start + length] = [True] * length
        return marks

    def _best_at(self, run: str, readings: list[tuple[str, ...]], start: int,
                 protected: list[bool]) -> Correction | None:
        best: Correction | None = None
        for length in self.lengths:
            end = start + length
            if end > len(run):
                continue
            window = run[start:end]
            if window in self.terms:
                if best is not None:
                    return best   # a longer replacement the model preferred
                return Correction(start, end, window, window, 0.0)   # already right: keep it
            candidates: dict[str, tuple[str, ...]] = {}
            for position in range(min(2, length)):
                for reading in readings[start + position]:
                    for term, syllables in self.by_key.get((length, f"{position}:{_fuzzy(reading)}"), []):
                        candidates[term] = syllables
            for term, syllables in candidates.items():
                cost = 0.0
                allowed = _allowed_cost(length)
                for k, syllable in enumerate(syllables):
                    match = _syllable_match(syllable, readings[start + k])
                    if k in (0, length - 1) and not _edge_ok(match, length):
                        cost = allowed + 1
                        break
                    cost += _COST[match]
                    if cost > allowed:
                        break
                if cost > allowed:
                    continue
                # Characters of a term already written right may be kept, never changed.
                if any(protected[start + k] and window[k] != term[k] for k in range(length)):
                    continue
                if self.lm is not None:
                    # The rule guards hold with the model too: measured on 14 000 characters of
                    # news text, without them the model "restores" 3× more domain words.
                    if self._holds_other_word(window, term) or self._cuts_a_word(run, start, end, protected):
                        continue
                    gain = self._lm_gain(run, start, end, term)
                    needed = LM_MARGIN_REAL_WORD if self._is_real_word(window) else LM_MARGIN
                    if gain >= needed and (best is None or gain > best.gain):
                        best = Correction(start, end, window, term, cost, gain)
                    continue
                if self._is_real_word(window):
                    continue
                if self._holds_other_word(window, term):
                    continue
                if self._cuts_a_word(run, start, end, protected):
                    continue
                if best is None or (length, -cost) > (best.end - best.start, -best.cost):
                    best = Correction(start, end, window, term, cost)
            if best is not None and self.lm is None:
                return best   # the longest length that matched wins
        return best

    def _lm_gain(self, run: str, start: int, end: int, term: str) -> float:
        """How much likelier (log10) the domain model finds the sentence with `term` in it."""
        left = max(0, start - LM_CONTEXT)
        right = min(len(run), end + LM_CONTEXT)
        before = run[left:right]
        after = run[left:start] + term + run[end:right]
        bos, eos = left == 0, right == len(run)
        return self.lm.score(after, bos, eos) - self.lm.score(before, bos, eos)

    def find(self, text: str) -> list[Correction]:
        corrections: list[Correction] = []
        for match in _CJK_RUN.finditer(text):
            run = match.group()
            readings = _run_readings(run)
            protected = self._protected(run)
            if self.lm is not None:
                corrections += [Correction(match.start() + c.start, match.start() + c.end, c.found, c.term,
                                           c.cost, c.gain) for c in self._by_gain(run, readings, protected)]
                continue
            position = 0
            while position < len(run):
                found = self._best_at(run, readings, position, protected)
                if found is None:
                    position += 1
                    continue
                if found.term != found.found:
                    corrections.append(Correction(match.start() + found.start, match.start() + found.end,
                                                  found.found, found.term, found.cost))
                position = found.end
        return corrections

    def _by_gain(self, run: str, readings: list[tuple[str, ...]], protected: list[bool]) -> list[Correction]:
        """The best replacement at every position, then the likeliest first among overlapping
        ones: 成做出租车 is 乘坐 出租车, not 聊城 or 作出 (each a word too, each less likely)."""
        found = [c for c in (self._best_at(run, readings, k, protected) for k in range(len(run)))
                 if c is not None and c.term != c.found]
        chosen: list[Correction] = []
        for candidate in sorted(found, key=lambda c: -c.gain):
            if all(candidate.end <= c.start or c.end <= candidate.start for c in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda c: c.start)

    def _plates(self, text: str) -> str:
        if not self.plate_prefixes:
            return text

        def fix(match: re.Match[str]) -> str:
            char = match.group(1)
            for reading in (_common_reading(char),):
                if reading in self.plate_prefixes:
                    return self.plate_prefixes[reading] + match.group(2)
            return match.group(0)

        return _PLATE.sub(fix, text)

    def correct(self, text: str) -> str:
        if self._alias_re is not None:
            text = self._alias_re.sub(lambda m: self.aliases[m.group()], text)
        text = self._plates(text)
        # A plate's province character (鲁A12345, or whatever whisper wrote for it) is never
        # merged into a word before it: 是鲁A → 十路A (经十路) would undo the plate fix above.
        plates = [m.start(1) for m in _PLATE.finditer(text)]
        out, cursor = [], 0
        for fix in self.find(text):
            if any(fix.start <= p < fix.end for p in plates):
                continue
            out.append(text[cursor:fix.start])
            out.append(fix.term)
            cursor = fix.end
        out.append(text[cursor:])
        return "".join(out)
