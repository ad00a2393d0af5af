"""The leak gate's second line: checks that work differently from the importer's
detectors, so that what the first line misses is not missed twice.

* Person names, read the other way round. The first line looks for names; this pass
  knows what published text may hold where a person stands (after 当事人, 乘客, 证人 …,
  before 先生/女士/作为见证人, beside a relation word, around a middle dot) — an
  anonymised `X某` form or an ordinary word — and reports anything else that starts with
  a surname there. Law titles (inside 《》), places and organisations (a window that ends
  in 路/庄/村/公司 …) are public.
* Structure. Any run of 7 or more digits, in any written form (spaces, dots, dashes,
  line breaks, no-break spaces, invisible characters, full-width or other scripts'
  digits between them), is reported unless it is a date, a case number, an article, an
  amount or a listed public number. No context word is needed: a number nobody can
  explain is not published.

`scan(text) -> list[Finding]` (kinds `name?` and `digits?`) is the whole API; the leak
gate calls it through `combine(first_line)`. `locate()` tells, for a finding in a built
file, the page it is on and the record and field it came from.
"""
from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from pathlib import Path
from typing import Callable, Iterable

from .detect import Finding, normalise, resolve_overlaps
from .surnames import COMPOUND_SURNAMES, KIN_WORDS, SINGLE_SURNAMES

NAME_KIND = "name?"
DIGITS_KIND = "digits?"
# Numbers that are public wherever they appear: the transport hotline, the government
# service line and the other national service numbers, with or without an area code.
PUBLIC_NUMBERS = ("12328", "12345", "12315", "12319", "12348", "12369", "12389", "110", "120", "122", "119")

# --- preparing the text ----------------------------------------------------------------

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\ufeff]")


def _kept(text: str) -> list[int]:
    """Where each visible character of `text` is (built only for a text with findings:
    a Python loop over every character, and every search fragment has invisible ones)."""
    return [i for i, ch in enumerate(text) if not _INVISIBLE.match(ch)]


# --- structure: long digit runs ----------------------------------------------------------

_RUN = re.compile(r"[0-9](?:[ .\-\u2010-\u2015/\u00a0]?[0-9])*")
_GROUP = re.compile(r"[0-9]+")
_DIGITS = tuple("0123456789")
_CASE_ID = re.compile(r"^(?:19|20)[0-9]{2}-[0-9]{1,6}$")      # 2024-1001: a case's id (year-serial)
# A unit after the number, also in the next column of a CSV row ('2069000,元': the open-data
# table of fines, where a bureau's yearly total passes 7 digits).
_AMOUNT_AFTER = re.compile(r"\s?,?(?:元|万|亿|吨|千克|公斤|克|公里|千米|米|厘米|毫米|km|kg|t\b|%|％|人|辆|次|件|个|条|款|项|页|字|"
                           r"平方|立方|升|小时|分钟|秒|天|日|年|月|倍|台|部|家|户|名|起|宗)")
_ARTICLE_BEFORE = re.compile(r"第\s?$")
_CASE_NO_AROUND = re.compile(r"[〕\]】)）]\s?$")
# The site's own registration numbers in the footer (工信部 ICP 备案号, 公安备案号 and the
# 网站标识码 every government site carries): public by definition.
_SITE_ID_BEFORE = re.compile(r"(?:ICP备|ICP证|公网安备|网站标识码[:：]?)\s?$", re.I)


def _is_date(groups: list[str]) -> bool:
    """'2024','03','05' / '20240305' / '2024','3' …: a date (or a date and a time)."""
    digits = "".join(groups)
    first = groups[0]
    if len(first) == 8 and first[:2] in ("19", "20"):
        return _valid(first[:4], first[4:6], first[6:8]) and all(len(g) <= 6 for g in groups[1:])
    if len(first) == 4 and first[:2] in ("19", "20") and len(groups) >= 2:
        if len(groups) >= 3 and _valid(first, groups[1], groups[2]):
            return all(len(g) <= 2 for g in groups[3:]) or len(digits) <= 14
        return len(groups) == 2 and len(groups[1]) <= 2
    return False


def _valid(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
        return True
    except ValueError:
        return False


def _public(digits: str) -> bool:
    if digits in PUBLIC_NUMBERS:
        return True
    # An area code in front of a public number: 0531-12328.
    return digits.startswith("0") and any(digits.endswith(n) and 3 <= len(digits) - len(n) <= 4
                                          for n in PUBLIC_NUMBERS)


def _explained_pieces(value: str) -> bool:
    """'12328 0531-12328', '2024-03-05 12328': items side by side, split by spaces, where
    the dates and public numbers leave no unexplained stretch of 7 digits."""
    pieces = value.split()
    if len(pieces) < 2:
        return False
    stretch = 0
    for piece in pieces:
        groups = _GROUP.findall(piece)
        digits = "".join(groups)
        if _public(digits) or _is_date(groups) or (len(digits) == 4 and digits[:2] in ("19", "20")):
            stretch = 0
            continue
        stretch += len(digits)
        if stretch >= 7:
            return False
    return True


def digit_runs(norm: str) -> list[tuple[int, int]]:
    """(start, end) of each unexplained run of 7 or more digits in normalised text."""
    out: list[tuple[int, int]] = []
    if not _has(norm, _DIGITS):
        return out      # every run starts with a digit
    for match in _RUN.finditer(norm):
        start, end = match.span()
        if end - start < 7:
            continue          # fewer than 7 characters hold fewer than 7 digits (most runs: dates, amounts)
        value = match.group()
        before, after = norm[max(0, start - 2):start], norm[end:end + 3]
        if before[-1:].isascii() and (before[-1:].isalpha() or before[-1:] in "_#.%+-$") and before[-1:] \
                or after[:1].isascii() and (after[:1].isalpha() or after[:1] == "_") and after[:1]:
            continue          # part of an identifier, a hash, a colour, a decimal number
        groups = _GROUP.findall(value)
        digits = "".join(groups)
        if len(digits) < 7:
            continue
        if value.count(".") == 1 and not set(value) - set("0123456789."):
            continue          # a decimal number: 36.6512345
        if _is_date(groups) or _public(digits) or _explained_pieces(value) or _CASE_ID.match(value):
            continue
        if _ARTICLE_BEFORE.search(before) or _AMOUNT_AFTER.match(after):
            continue
        if _SITE_ID_BEFORE.search(norm[max(0, start - 8):start]):
            continue          # 鲁ICP备12345678号, 网站标识码：3701000000
        if after.startswith("号") and _CASE_NO_AROUND.search(norm[max(0, start - 2):start]):
            continue          # 济交执罚〔2024〕10012345号
        out.append((start, end))
    return out


# --- person names ------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_SURNAME = "(?:" + "|".join(sorted(COMPOUND_SURNAMES, key=len, reverse=True)) + "|[" + "".join(sorted(SINGLE_SURNAMES)) + "])"
# Where a person stands: after a role or relation word, …
_PERSON_BEFORE = ("当事人", "驾驶员", "驾驶人", "乘客", "证人", "见证人", "车主", "司机", "报案人", "举报人", "投诉人",
                  "经营者", "负责人", "法定代表人", "被处罚人", "行为人", "业户", "户主", "联系人", "姓名", "名叫",
                  "表哥", "表姐", "表弟", "表妹", "同事", "老板", "朋友", "邻居", "我是", "叫做",
                  *KIN_WORDS)
# … or before a word only a person takes.
_PERSON_AFTER = ("先生", "女士", "师傅", "同志", "作为见证人", "作为证人", "等人", "（男", "（女", "，男，", "，女，",
                 "(男", "(女")
_AFTER_ROLE = re.compile("(?:" + "|".join(sorted(_PERSON_BEFORE, key=len, reverse=True)) + rf")[：:]?\s?({_SURNAME}[{_HAN}]{{1,3}})")
_BEFORE_SUFFIX = re.compile(rf"({_SURNAME}[{_HAN}]{{1,2}})(?=" + "|".join(map(re.escape, _PERSON_AFTER)) + ")")
_DOTS = ("·", "•", "・")
_DOTTED = re.compile(rf"[{_HAN}]{{2,}}[{''.join(_DOTS)}][{_HAN}]{{2,}}")


def _has(text: str, cues: Iterable[str]) -> bool:
    """Whether `text` holds one of `cues`, literals every match of a pattern contains: a
    text without any is not searched (same findings, at str.find speed)."""
    return any(cue in text for cue in cues)
# What may follow a surname there and still be published: the anonymised forms, and
# characters that begin ordinary words after a role word ('当事人于当日', '驾驶员高速').
_ANONYMISED = re.compile("^(?:某|某某|某[甲乙丙丁戊己庚辛壬癸]|[*＊])")
_ORDINARY_NEXT = frozenset("在于对向从被把将和与及等称说因由所其之以而并但或也都均即就才又再还曾已未不没无有为是的了"
                           "速度架铁峰空级效额价新快档端温强度全部体面期常年时间明确知安全平台成功立程序方向式法律规"
                           "当今昨次该此本现后前上下内外中")
# Characters that end a name read after a role word ('证人张伟作为…', '王小明驾驶').
_NAME_STOP = frozenset("在于对向从被把将和与及等称说因由所其之以而并但或也都均即就才又再还曾已未不没无有为是的了驾作系经")
_PUBLIC_END = frozenset("路街巷道庄村屯镇乡区县市省站场厂店局院馆队社所部司楼桥湖河山园城苑府")
_ADDRESS_FORMS = ("女士", "先生", "师傅", "同志", "老师", "大爷", "大娘", "阿姨")
_LAW_TITLE = re.compile(r"《[^》\n]{0,80}》")


# Surnames that are function words first ('乘客都应当', '当事人但…', '经营者向…'): not
# read as a surname here at all.
_FUNCTION_SURNAMES = frozenset("都但向于时经应全常从由以与将把被对曾")       # 乘客曾要求…


_EVERYDAY_FREQ = 200


def warm() -> None:
    """Load the dictionary now (~1 s), e.g. before forking workers that all use it."""
    _dictionary_word("预热")


def _dictionary_word(word: str) -> bool:
    """Whether jieba's dictionary knows `word` as something other than a person's name
    (陈述, 车辆, 时长, 容易): the dictionary ships in its wheel, loaded on first use."""
    from .names import _tagger
    posseg, freq = _tagger()
    tag = posseg.dt.word_tag_tab.get(word)
    # Some everyday words carry the name tag too (陈述/nr): their frequency gives them away.
    return tag is not None and (not tag.startswith("nr") or (freq(word) or 0) >= _EVERYDAY_FREQ)


def _not_person(word: str, after: str) -> bool:
    """Public or ordinary: an anonymised form, a place or organisation, a plain word."""
    surname = word[:2] if word[:2] in COMPOUND_SURNAMES else word[:1]
    rest = word[len(surname):]
    # An ordinary next character ('当事人明知') cannot follow a two-character surname
    # ('诸葛明'): those surnames are not words that open a clause.
    ordinary = rest[:1] in _ORDINARY_NEXT and len(surname) == 1
    if not rest or "某" in word or _ANONYMISED.match(rest) or ordinary or surname in _FUNCTION_SURNAMES:
        return True
    if _dictionary_word(word[:2]) or (len(word) >= 3 and _dictionary_word(word[:3])):
        return True
    return word[-1] in _PUBLIC_END or after[:1] in _PUBLIC_END or after.startswith(("公司", "集团", "家庄", "中心"))


def person_names(norm: str) -> list[tuple[int, int]]:
    """(start, end) of each person's name that is not written in an anonymised form."""
    if not (_has(norm, _PERSON_BEFORE) or _has(norm, _PERSON_AFTER) or _has(norm, _DOTS)):
        return []       # no role word, no person-only word, no middle dot: no pattern below can match
    titles = [m.span() for m in _LAW_TITLE.finditer(norm)] if "《" in norm else []
    title_starts = [s for s, _ in titles]

    def in_title(at: int) -> bool:
        k = bisect.bisect_right(title_starts, at) - 1
        return k >= 0 and at < titles[k][1]

    out = []
    for match in _AFTER_ROLE.finditer(norm) if _has(norm, _PERSON_BEFORE) else ():
        start, end = match.span(1)
        word = match.group(1)
        # Keep the name to the surname and two characters, and stop at an ordinary character.
        surname = 2 if word[:2] in COMPOUND_SURNAMES else 1
        cut = surname
        while cut < len(word) and cut < surname + 2 and word[cut] not in _NAME_STOP and word[cut] != "某" \
                and (cut > surname or surname == 2 or word[cut] not in _ORDINARY_NEXT):
            cut += 1
        if _not_person(word[:max(cut, surname + 1)], norm[start + cut:start + cut + 2]) or in_title(start):
            continue
        if norm.startswith(_ADDRESS_FORMS, start + surname):
            continue            # '乘客王女士': a surname and a form of address is the published convention

        out.append((start, start + cut))
    for match in _BEFORE_SUFFIX.finditer(norm) if _has(norm, _PERSON_AFTER) else ():
        start, end = match.span(1)
        if not _not_person(match.group(1), "") and not in_title(start):
            out.append((start, end))
    for match in _DOTTED.finditer(norm) if _has(norm, _DOTS) else ():
        if not in_title(match.start()):
            out.append(match.span())
    return out


_SPOKEN_DIGITS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
_HAS_SPOKEN = re.compile("[零〇一二三四五六七八九幺]{7}")


# --- the pass ----------------------------------------------------------------------------

def scan(text: str) -> list[Finding]:
    """Both passes over one text: findings of kind `name?` and `digits?`, offsets into
    `text` as given."""
    if not text:
        return []
    visible = _INVISIBLE.sub("", text)
    norm = normalise(visible)
    # Spoken digits in transcripts and recaps (一三八…, 幺): digits for the structural pass.
    digits_norm = norm.translate(_SPOKEN_DIGITS) if _HAS_SPOKEN.search(norm) else norm
    spans = [(NAME_KIND, s, e) for s, e in person_names(norm)] + [(DIGITS_KIND, s, e) for s, e in digit_runs(digits_norm)]
    out = []
    kept = _kept(text) if spans and len(visible) != len(text) else None
    for kind, start, end in spans:
        if kept is not None:
            start, end = kept[start], kept[end - 1] + 1
        out.append(Finding(kind, start, end, text[start:end]))
    return resolve_overlaps(out)


def combine(first_line: Callable[[str], list[Finding]]) -> Callable[[str], list[Finding]]:
    """The first line's detector plus this pass; where both find the same stretch the
    first line's finding (its kind is more precise) is the one reported."""
    def detect(text: str) -> list[Finding]:
        first = first_line(text)
        second = [f for f in scan(text) if all(f.end <= g.start or f.start >= g.end for g in first)]
        return resolve_overlaps(first + second) if second else first
    return detect


# --- where a finding came from -----------------------------------------------------------

def page_of(shown: str, text: str | None) -> str:
    """The page a finding in the built file `shown` is on: the file itself for a page,
    the `url` a Pagefind fragment records for a search-index file."""
    if shown.endswith((".html", ".htm")):
        return "/" + (shown[:-len("index.html")] if shown.endswith("index.html") else shown)
    if text and shown.endswith(".pf_fragment"):
        try:
            return str(json.loads(text).get("url") or shown)
        except (ValueError, AttributeError):
            match = re.search(r'"url"\s*:\s*"([^"]+)"', text)
            return match.group(1) if match else shown
    return ""


class RecordIndex:
    """The public records' text, field by field, to tell which one a datum came from."""

    def __init__(self, folders: Iterable[Path], root: Path | None = None):
        self.fields: list[tuple[str, str, str]] = []       # (record path, field, text)
        self.root = root
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*.y*ml")):
                self._add(path)

    def _add(self, path: Path) -> None:
        from ..yamlio import load_yaml
        try:
            data, _ = load_yaml(path)
        except Exception:        # noqa: BLE001 - an unreadable record is reported elsewhere
            return
        shown = path.relative_to(self.root).as_posix() if self.root and path.is_relative_to(self.root) else str(path)
        for key, value in _leaves(data, ""):
            self.fields.append((shown, key, value))

    def source(self, datum: str) -> str:
        """'cases_public/2024-1001.yaml: facts' for the first field holding `datum`."""
        # A search fragment splits words with zero-width spaces (曾\u200b要求): read past them.
        datum = _INVISIBLE.sub("", datum)
        squeezed = re.sub(r"\s+", "", datum)
        for path, key, value in self.fields:
            if datum in value or (squeezed and squeezed in re.sub(r"\s+", "", value)):
                return f"{path}: {key}"
        return ""


def _leaves(data, prefix: str):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, f"{prefix}[{i}]")
    elif isinstance(data, str):
        yield prefix, data
