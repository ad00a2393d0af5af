"""Spoken personal data in a transcript: phone and ID numbers read digit by digit, plates, names.

People read numbers aloud as 幺三八 六五四三 二一零九 and whisper writes them in Chinese
numerals, Arabic digits or a mix, with spaces and commas between the groups. `spoken_digits`
rewrites such runs into plain digits and keeps a map from every normalised character back
to the original text, so the written detectors (`generator.privacy.detect.scan_text`)
and the patterns here find them, and each flag points at the original characters.

Whisper often gives digits no reliable word timing, so a flag's time range reaches from
the word before the span to the word after it, widened, rather than trusting the digits'
own stamps: silencing a little too much is better than publishing a number.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from ..privacy.detect import scan_text, split_name
from ..records.transcript import PII_KINDS, PiiFlag, Segment

_DIGIT = {"零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "么": "1", "二": "2", "两": "2", "三": "3",
          "四": "4", "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "勾": "9"}
for _d in "0123456789":
    _DIGIT[_d] = _d
    _DIGIT[chr(ord("０") + int(_d))] = _d
# Only these count as digits when a run is counted; 洞/拐/勾/么 are radio-style readings
# that only make sense between other digits.
_STRONG = set("零〇一幺二两三四五六七八九0123456789０１２３４５６７８９")
_SEPARATORS = set(" \u3000-—–·・.,，、")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

MIN_SPOKEN_RUN = 7          # a digit run this long is someone's number, not an amount
PAD_SECONDS = 0.6           # widening of every flag's time range


@dataclass
class Normalised:
    text: str
    origin: list[int]       # origin[i] = index in the original text of normalised char i

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of runs of digit characters joined by at most one separator."""
    runs = []
    index = 0
    while index < len(text):
        if text[index] not in _DIGIT:
            index += 1
            continue
        start = end = index
        cursor = index
        while cursor < len(text):
            char = text[cursor]
            if char in _DIGIT:
                end = cursor + 1
                cursor += 1
            elif char in _SEPARATORS and cursor + 1 < len(text) and text[cursor + 1] in _DIGIT and cursor > start:
                cursor += 1
            else:
                break
        runs.append((start, end))
        index = max(end, index + 1)
    return runs


def _plate_prefix(text: str, start: int) -> bool:
    """A province abbreviation (or a character that sounds like one: 路A for 鲁A) and a
    letter just before `start` (鲁A一二三四五, 路A-12345)."""
    before = "".join(c for c in text[max(0, start - 4):start] if c not in _SEPARATORS)
    return (len(before) >= 2 and _is_province_like(before[-2])
            and before[-1].isascii() and before[-1].isalpha())


@lru_cache(maxsize=1)
def _province_readings() -> frozenset[str]:
    """Toneless readings of the 31 province abbreviations, every reading pypinyin knows
    (闽 min, 陕 shan, 鲁 lu…), plus the flat-tongue / n-l forms speakers and whisper mix up."""
    from pypinyin import Style, pinyin

    readings: set[str] = set()
    for char in _PROVINCES:
        for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
            readings.add(reading)
            for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("l", "n")):
                if reading.startswith(a):
                    readings.add(b + reading[len(a):])
    return frozenset(readings)


@lru_cache(maxsize=4096)
def _is_province_like(char: str) -> bool:
    """鲁 itself, or a character read like a province abbreviation (路 卤 炉 撸 for 鲁)."""
    if char in _PROVINCES:
        return True
    if not ("\u4e00" <= char <= "\u9fff"):
        return False
    from pypinyin import Style, pinyin

    return any(r in _province_readings() for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def _after_tail_cue(text: str, start: int) -> bool:
    """尾号幺二三四: the last digits of a phone or plate, said after 尾号."""
    return text[max(0, start - 4):start].rstrip(" 是为：:").endswith("尾号")


def spoken_digits(text: str) -> Normalised:
    """Digit runs read aloud → digits; everything else unchanged; with a map back."""
    out: list[str] = []
    origin: list[int] = []
    cursor = 0
    for start, end in _digit_runs(text):
        chunk = text[start:end]
        strong = sum(1 for c in chunk if c in _STRONG)
        long_enough = (strong >= MIN_SPOKEN_RUN or (strong >= 4 and _plate_prefix(text, start))
                       or (strong >= 3 and _after_tail_cue(text, start)))
        if not long_enough:
            continue
        for index in range(cursor, start):
            out.append(text[index])
            origin.append(index)
        for index in range(start, end):
            char = text[index]
            if char in _DIGIT:
                out.append(_DIGIT[char])
                origin.append(index)
        # An ID number's last character is read as 叉 or X.
        if end < len(text) and text[end] in "叉Xx" and sum(1 for c in chunk if c in _DIGIT) == 17:
            out.append("X")
            origin.append(end)
            end += 1
        cursor = end
    for index in range(cursor, len(text)):
        out.append(text[index])
        origin.append(index)
    return Normalised("".join(out), origin)


_OWN_PATTERNS = [
    ("id_number", re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")),
    ("phone", re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")),
    ("phone", re.compile(r"(?<!\d)0531\d{7,8}(?!\d)")),           # Jinan landline with area code
    ("bank_card", re.compile(r"(?<!\d)\d{16,19}(?!\d)")),
    ("phone", re.compile(r"(?<!\d)1\d{9,11}(?!\d)")),             # a mobile number misheard by a digit
    ("other", re.compile(rf"(?<!\d)\d{{{MIN_SPOKEN_RUN},}}(?!\d)")),
    ("plate", re.compile(rf"[{_PROVINCES}]\s*[A-Za-z]\s*[·・]?\s*[A-Za-z0-9]{{4,5}}[A-Za-z0-9]?(?![A-Za-z0-9])")),
]

# Full names said aloud after an introduction (我叫张三, 我表哥叫李四, 我是王五);
# 当事人王某某 is already anonymised.
# A lookahead, so that one cue's window does not hide the next cue ('我是|执法队员李四').
_NAME_CUE = re.compile(r"(?=(?:(我的名字叫|名字叫|名字是|姓名是|姓名叫|姓名|叫做|我叫|他叫|她叫|"
                       r"(?:表哥|表姐|表弟|表妹|哥哥|姐姐|弟弟|妹妹|老公|老婆|爱人|媳妇|丈夫|妻子|儿子|女儿|"
                       r"同事|朋友|师傅|"
                       # a role said before a name (我是执法队员李四, 乘客张三): staff on duty too,
                       # hidden by default like every flag; the reviewer releases what is public
                       r"执法队员|执法人员|执法员|队员|工作人员|民警|交警|驾驶员|驾驶人|司机|乘客|车主|当事人|证人)"
                       r"(?:叫|是)?)|(我是|他是|她是|叫))\s*([\u4e00-\u9fff]{2,4}))")
# After a weak cue (我是, 叫) many words follow (我是白天来的, 叫车服务): only the most common
# surnames count there, and the rest of the name must not be an ordinary word.
_COMMON_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
                    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
                    "万钱严覃武戴莫孔向汤")
_NOT_A_NAME = re.compile(r"某|先生|女士|师傅|同志|警官|队长")
# A plate after 车牌/车牌号/牌照: whatever character whisper wrote for the province.
_PLATE_CUE = re.compile(r"(?:车牌号码|车牌号|车牌|牌照号|牌照)(?:是|为|：|:)?\s*([\u4e00-\u9fff])\s*([A-Za-z])\s*[·・\-—–，,、]?\s*"
                        r"([A-Za-z0-9*＊]{4,6})(?![A-Za-z0-9])")
_ANY_PLATE = re.compile(r"([\u4e00-\u9fff])\s*([A-Za-z])\s*[·・\-—–，,、]?\s*([A-Za-z0-9]{4,6})(?![A-Za-z0-9])")
_TAIL_NUMBER = re.compile(r"尾号(?:是|为)?\s*(\d{3,4})(?!\d)")


_TITLES = ("老师", "师傅", "先生", "女士", "同志", "警官", "队长", "经理", "主任", "大哥", "大姐", "总")


def _word_count(text: str) -> int:
    from .glossary import _word_freq

    return _word_freq().get(text, 0)


def _common_word(text: str) -> bool:
    return _word_count(text) >= 200


def _spoken_name(window: str) -> str | None:
    """The name at the start of `window` (张三丰说 → 张三丰), or None (我是出租车司机, 我是高新区的)."""
    parts = split_name(window)
    if parts is None:
        return None
    name = "".join(parts)
    # A common word at the start is not a name said aloud (高速, 方面, 白天, 江北…).
    if _common_word(name[:2]) or _common_word(name) or _NOT_A_NAME.search(name):
        return None
    return name


def _own_findings(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for match in _PLATE_CUE.finditer(text):
        span = (match.start(1), match.end(3))
        taken.append(span)
        found.append(("plate", *span))
    for match in _ANY_PLATE.finditer(text):
        letters = match.group(3)
        if _is_province_like(match.group(1)) and sum(c.isdigit() for c in letters) >= 3:
            span = (match.start(1), match.end(3))
            if not any(a < span[1] and span[0] < b for a, b in taken):
                taken.append(span)
                found.append(("plate", *span))
    for kind, pattern in _OWN_PATTERNS:
        for match in pattern.finditer(text):
            span = (match.start(), match.end())
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            found.append((kind, *span))
    for match in _TAIL_NUMBER.finditer(text):
        span = (match.start(1), match.end(1))
        if not any(a < span[1] and span[0] < b for a, b in taken):
            found.append(("other", *span))
    for match in _NAME_CUE.finditer(text):
        name = _spoken_name(match.group(3))
        if name is None:
            continue
        if match.group(2) and (name[0] not in _COMMON_SURNAMES or len(name) > 2 and _word_count(name[1:]) >= 5000):
            continue   # 叫车服务: 服务 is no given name (建国, 3 083, is one)
        if text.startswith(_TITLES, match.start(3) + 1):
            continue   # 马老师, 王师傅: a surname and a title, said in every livestream
        span = (match.start(3), match.start(3) + len(name))
        if ("name", *span) not in found:
            found.append(("name", *span))
    return found


def find_spoken_pii(text: str) -> list[tuple[str, int, int]]:
    """(kind, start_char, end_char) in `text` for every piece of spoken personal data."""
    norm = spoken_digits(text)
    spans: list[tuple[str, int, int]] = []
    for finding in scan_text(norm.text):
        spans.append((finding.kind, finding.start, finding.end))
    spans += _own_findings(norm.text)
    out: dict[tuple[int, int], str] = {}
    for kind, start, end in sorted(spans, key=lambda s: (s[1], -(s[2] - s[1]))):
        if end <= start:
            continue
        a, b = norm.span(start, end)
        # Keep the first (widest) finding for overlapping spans.
        if any(x < b and a < y for (x, y) in out):
            continue
        out[(a, b)] = kind if kind in PII_KINDS else "other"
    return [(kind, a, b) for (a, b), kind in sorted(out.items())]


def _char_to_word(segment: Segment) -> list[int | None]:
    """For each character of the segment text, the index of the word that said it."""
    joined, owner = "", []
    for index, word in enumerate(segment.words):
        joined += word.word
        owner += [index] * len(word.word)
    mapping: list[int | None] = [None] * len(segment.text)
    matcher = difflib.SequenceMatcher(None, joined, segment.text, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(b1 - b0):
                mapping[b0 + k] = owner[a0 + k]
        elif tag == "replace" and a1 > a0:
            for k in range(b1 - b0):
                mapping[b0 + k] = owner[min(a1 - 1, a0 + k * (a1 - a0) // (b1 - b0))]
    return mapping


def flag_time_range(segment: Segment, start_char: int, end_char: int, pad: float = PAD_SECONDS,
                    mapping: list[int | None] | None = None) -> tuple[float, float]:
    """Seconds to silence for a span: from the word before it to the word after it, widened."""
    words = segment.words
    if not words:
        # No word timings (imported subtitles): the whole cue, widened.
        return max(0.0, segment.start - pad), segment.end + pad
    mapping = mapping if mapping is not None else _char_to_word(segment)
    inside = [w for w in mapping[start_char:end_char] if w is not None]
    before = [w for w in mapping[:start_char] if w is not None]
    after = [w for w in mapping[end_char:] if w is not None]
    first = min(inside) if inside else (before[-1] if before else 0)
    last = max(inside) if inside else (after[0] if after else len(words) - 1)
    # Neighbours: the word before the first and after the last, since digit stamps drift.
    first = max(0, first - 1) if before or inside else first
    last = min(len(words) - 1, last + 1) if after or inside else last
    start = min(words[first].start, words[first].end)
    end = max(words[last].end, words[last].start)
    start = max(segment.start - pad, start - pad, 0.0)
    end = min(segment.end + pad, end + pad)
    return round(start, 3), round(max(end, start), 3)


def flag_segment(segment: Segment) -> list[PiiFlag]:
    found = find_spoken_pii(segment.text)
    if not found:
        return []
    mapping = _char_to_word(segment) if segment.words else None
    flags = []
    for kind, a, b in found:
        start, end = flag_time_range(segment, a, b, mapping=mapping)
        flags.append(PiiFlag(id=f"{segment.id}:{a}-{b}", segment_id=segment.id, start_char=a, end_char=b,
                             kind=kind, start=start, end=end, text=segment.text[a:b]))
    return flags


def flag_transcript(segments: list[Segment]) -> list[PiiFlag]:
    return [flag for segment in segments for flag in flag_segment(segment)]
