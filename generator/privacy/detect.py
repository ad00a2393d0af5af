"""Personal-data detectors: one per kind, each a compiled regex plus a validator.

`scan_text(text)` returns every finding in a text, non-overlapping and sorted; the
importer (anonymise.py), the leak gate (leaks.py) and the transcription PII flags all rely
on it, so it must stay quiet on normal published content: law texts, amounts, dates,
case numbers (济交执罚〔2024〕1001号), the hotlines 12328/12345, article numbers, masked
plates (鲁A*****) and anonymised names (王某, 王某某).

Why no `\\b`: it does not fire between a Chinese character and a digit (卡号6222…), so
every number pattern is anchored with digit lookarounds instead. All offsets are str
indexes into the text as given: normalisation (full-width → ASCII) maps one character to
one character, so offsets never shift.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from stdnum import luhn
from stdnum.cn import ric

from .surnames import ALL_SURNAMES, COMPOUND_SURNAMES, SINGLE_SURNAMES

KINDS = ("id_number", "phone", "bank_card", "vin", "plate", "house_number", "business_id", "certificate",
         "engine_number", "email", "qq", "wechat", "birth_date", "age", "name")
# When two findings overlap the stronger (earlier here) wins.
_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Finding:
    kind: str        # one of KINDS
    start: int       # str index into the scanned text, end exclusive
    end: int
    text: str


# --- fast scanning ---------------------------------------------------------------------
# Several detector patterns start with a lookbehind or a repeat, which `re` cannot skip
# ahead to: it enters them at every character (the leak gate scans ~30 MB of page text).
# Those detectors first find, with a pattern `re` can skip through at C speed, every
# position where their pattern could start, and try the pattern there only.


def _matches_at(pattern: re.Pattern, norm: str, starts: Iterable[int]) -> Iterator[re.Match]:
    """The matches `pattern.finditer(norm)` gives, for a pattern that never matches empty
    text, when `starts` (increasing) holds every position where a match can begin:
    leftmost first, each search going on after the previous match. `match(norm, i)`
    sees the text before i (lookbehinds) exactly as a search reaching i would."""
    end = 0
    for start in starts:
        if start >= end:
            match = pattern.match(norm, start)
            if match:
                yield match
                end = match.end()


# --- normalisation ---------------------------------------------------------------------

# Full-width ASCII (！…～) and the ideographic space map to their ASCII twins, 1:1.
_FULLWIDTH = str.maketrans({**{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}, "\u3000": " "})
_CN_DIGITS = str.maketrans({"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4",
                            "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})


# str.translate looks every character up in the table (~50 ns each): on the leak gate's
# 30 MB of page text that was a second. Only the runs that need it are translated.
_FULLWIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


def _fullwidth_run(match: re.Match) -> str:
    return match.group().translate(_FULLWIDTH)


# Digits of other scripts (Arabic-Indic ٣, Devanagari ३, mathematical 𝟑, circled ③ …).
_OTHER_DIGITS: dict[int, str] = {}
_OTHER_DIGIT_RUN: re.Pattern | None = None


def _other_digits() -> re.Pattern:
    global _OTHER_DIGIT_RUN  # built once: a constant table, not state
    if _OTHER_DIGIT_RUN is None:
        from .forms import other_digit_table
        _OTHER_DIGITS.update(other_digit_table())
        # Written as ranges (٠-٩, ०-९ …): `re` tests a class of 250 single characters one
        # by one (~130 ns a character of text), a class of 23 ranges ten times faster.
        ranges: list[list[int]] = []
        for code in sorted(_OTHER_DIGITS):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
        _OTHER_DIGIT_RUN = re.compile("[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                                    for a, b in ranges) + "]+")
    return _OTHER_DIGIT_RUN


def normalise(text: str) -> str:
    """Full-width letters/digits/space and other scripts' digits → ASCII, one character
    for one (offsets stay valid)."""
    text = _FULLWIDTH_RUN.sub(_fullwidth_run, text)
    if text.isascii():
        return text
    return _other_digits().sub(lambda m: m.group().translate(_OTHER_DIGITS), text)


_NOT_DIGIT_OR_X = re.compile("[^0-9Xx]+")


def digits_of(text: str) -> str:
    """'一三八 1234-5678' → '13812345678' (and a trailing x → X)."""
    out = normalise(text).translate(_CN_DIGITS)
    if out.isascii():
        # In ASCII text str.isdigit() is exactly 0-9: one C-speed pass instead of a loop.
        return _NOT_DIGIT_OR_X.sub("", out).upper()
    return "".join(ch for ch in out if ch.isdigit() or ch in "Xx").upper()


# --- numbers: IDs, phones, bank cards --------------------------------------------------

_D = "[0-9零〇一幺二三四五六七八九]"
# Separators seen inside numbers: spaces (also no-break), dashes, tildes and dots
# ('138.1234.5678'). A line break inside a number is made a space by forms.clean_cell
# before an import reads the cell (lines of a page are scanned apart).
_SEP = r"[ \-\u2010-\u2015~.\u00a0]"
# A run of at least 7 digits (Arabic or Chinese numerals), single separators allowed
# between them, an optional +86 in front ('+', one space) and an optional X at the end
# (ID check digit). `re` cannot skip ahead to a pattern that opens with an optional
# '+', so the run is searched without it (_RUN_DIGITS) and `_runs` adds the '+'.
_RUN_DIGITS = re.compile(rf"{_D}(?:{_SEP}?{_D}){{6,}}(?:{_SEP}?[Xx](?![A-Za-z]))?")
_SPACE = re.compile(r"\s")
_GROUP = re.compile(rf"{_D}+(?:[Xx](?![A-Za-z]))?")
_LANDLINE_PAREN = re.compile(r"[(（]\s?0\d{2,3}\s?[)）]\s?\d{3,4}[ \-]?\d{3,4}(?!\d)")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")
_CTX_ID = re.compile(r"(身份证|证件号|公民身份号码|证号)")
_CTX_CARD = re.compile(r"(卡号|银行卡|账号|帐号|账户|帐户|卡)")
_CTX_PHONE = re.compile(r"(电话|手机|联系方式|号码|致电|拨打|来电|微信|座机|手机号)")
_MAX_GROUPS = 10
# Numbers that are public whatever the context: 0531-12328 / 0531-12345 (service
# hotlines behind an area code) and 400/800 company numbers.
_PUBLIC_NUMBER = re.compile(r"0\d{2,3}(?:1\d{4}|9\d{4})|[48]00\d{7}")


def valid_id_number(digits: str) -> bool:
    """GB 11643: 17 digits, a real birth date, and the check digit (stdnum computes it).

    The birth place is not checked (stdnum's table would reject IDs whose county code
    was reassigned after the holder's birth year: they are still personal data)."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    try:
        ric.get_birth_date(digits)
    except Exception:  # stdnum's InvalidComponent: not a real date
        return False
    return ric.calc_check_digit(digits) == digits[-1]


def _classify(digits: str, before: str) -> str | None:
    """Kind of a digit string, or None; `before` is the text just in front (context)."""
    n = len(digits)
    if "X" in digits[:-1]:
        return None
    if digits.endswith("X"):
        if n == 18 and valid_id_number(digits):
            return "id_number"
        if n in (15, 18) and _CTX_ID.search(before):
            return "id_number"
        return None
    if n == 18 and valid_id_number(digits):
        return "id_number"
    if _MOBILE.fullmatch(digits) or (digits.startswith("86") and _MOBILE.fullmatch(digits[2:])) \
            or (digits.startswith("0086") and _MOBILE.fullmatch(digits[4:])):
        return "phone"
    if _LANDLINE.fullmatch(digits):
        return "phone"
    if 16 <= n <= 19 and luhn.is_valid(digits):
        return "bank_card"
    if n in (15, 18) and _CTX_ID.search(before):
        return "id_number"
    if 12 <= n <= 19 and _CTX_CARD.search(before):
        return "bank_card"
    if 7 <= n <= 12 and _CTX_PHONE.search(before) and not _PUBLIC_NUMBER.fullmatch(digits):
        return "phone"
    return None


# A context word counts only within its own clause: in '联系电话[已隐去]，2024-03-05' the
# date is not a phone number.
_CLAUSE_END = re.compile(r"[，,。；;！？!?、\]】\n]")


def _clause_context(before: str) -> str:
    cut = None
    for cut in _CLAUSE_END.finditer(before):
        pass
    return before[cut.end():] if cut else before


def _runs(norm: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of digits, as a search for the whole run pattern finds
    them: a '+' (and one space) in front belongs to the run when it is not part of the
    previous one."""
    end = 0
    for match in _RUN_DIGITS.finditer(norm):
        start = match.start()
        if start - 2 >= end and norm[start - 2] == "+" and _SPACE.match(norm, start - 1):
            start -= 2
        elif start - 1 >= end and norm[start - 1] == "+":
            start -= 1
        end = match.end()
        yield start, end


def _numbers(text: str, norm: str) -> list[Finding]:
    out: list[Finding] = []
    for start, end in _runs(norm):
        before = _clause_context(norm[max(0, start - 8):start])
        digits = digits_of(norm[start:end])
        kind = _classify(digits, before)
        if kind:
            out.append(Finding(kind, start, end, text[start:end]))
            continue
        if _PUBLIC_NUMBER.fullmatch(digits):
            continue
        # Two items side by side ('13812345678 2024'): try runs of whole groups, longest first.
        groups = [g.span() for g in _GROUP.finditer(norm, start, end)]
        if len(groups) < 2:
            continue
        # Digits in groups[:k]: every character of a group is one digit (or the X), the
        # separators between groups none. Fewer than 7 digits are never classified (a
        # date, '2024-03-05', skips its five sub-runs without a call).
        counted = [0]
        for s, e in groups:
            counted.append(counted[-1] + e - s)
        i = 0
        while i < len(groups):
            for j in range(min(len(groups), i + _MAX_GROUPS), i, -1):
                s, e = groups[i][0], groups[j - 1][1]
                if (s, e) == (start, end):
                    continue
                if counted[j] - counted[i] < 7:
                    break               # shorter still for smaller j
                kind = _classify(digits_of(norm[s:e]), norm[max(0, s - 8):s])
                if kind:
                    out.append(Finding(kind, s, e, text[s:e]))
                    i = j - 1
                    break
            i += 1
    for match in _LANDLINE_PAREN.finditer(norm):
        out.append(Finding("phone", match.start(), match.end(), text[match.start():match.end()]))
    # '尾号3456': the last digits of a phone (or a card) said to tell a person apart; with
    # the rest of the record they narrow the person down, so they go too.
    if "尾号" in norm:
        for match in _TAIL_DIGITS.finditer(norm):
            out.append(Finding("phone", match.start(1), match.end(1), text[match.start(1):match.end(1)]))
    return out


_TAIL_DIGITS = re.compile(r"尾号(?:是|为)?[：:]?\s?([0-9](?:[ \-]?[0-9]){2,5})(?![0-9])")


# --- vehicles: VINs and plates ---------------------------------------------------------

# 17 VIN characters with no letter or digit on either side. The "nothing before" test sits
# after the first character ((?<![A-Za-z0-9].)) so that the pattern starts with a plain
# character class, which `re` skips through at C speed; it matches the same spans.
_VIN = re.compile(r"[A-HJ-NPR-Za-hj-npr-z0-9](?<![A-Za-z0-9].)[A-HJ-NPR-Za-hj-npr-z0-9]{16}(?![A-Za-z0-9])")
_CTX_VIN = re.compile(r"(车架号|车辆识别代号|识别代码|VIN|vin)")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# '鲁A·12345', '鲁 A · 1234挂': a dot or dash, with a space on either side.
_PLATE_SEP = r"(?:\s?[·•・.\-]?\s?)"
_PLATE = re.compile(
    rf"([{_PROVINCES}]){_PLATE_SEP}([A-Za-z]){_PLATE_SEP}([A-Za-z0-9]{{4,6}})([挂学警港澳])?(?![A-Za-z0-9])")


def _vins(text: str, norm: str) -> list[Finding]:
    out = []
    for match in _VIN.finditer(norm):
        value = match.group()
        has_letter = any(c.isalpha() for c in value)
        structured = has_letter and value[-4:].isdigit()
        if structured or (has_letter and _CTX_VIN.search(norm[max(0, match.start() - 8):match.start()])):
            out.append(Finding("vin", match.start(), match.end(), text[match.start():match.end()]))
    return out


def _plates(text: str, norm: str) -> list[Finding]:
    out = []
    for match in _PLATE.finditer(norm):
        body, suffix = match.group(3), match.group(4)
        if not any(c.isdigit() for c in body):
            continue
        if len(body) == 4 and not suffix:
            continue
        out.append(Finding("plate", match.start(), match.end(), text[match.start():match.end()]))
    return out


def plate_prefix(plate: str) -> str:
    """'鲁 a·12345' → '鲁A' (province + city letter, what a published plate keeps)."""
    match = _PLATE.search(normalise(plate))
    if not match:
        return ""
    return match.group(1) + match.group(2).upper()


# --- house numbers ---------------------------------------------------------------------

_N = "[0-9]+"
_CN = "[0-9一二三四五六七八九十零〇]+"
_BUILDING = rf"{_CN}(?:号楼|栋|幢|号院)"
_UNIT = rf"{_CN}单元"
_FLOOR = rf"{_N}(?:层|楼)(?![梯道])"
_ROOM = rf"{_N}(?:-{_N})?(?:室|户|房间)"
_STREET_NO = rf"(?<=[路街巷道弄里村屯庄同])(?:{_N}(?:-{_N})?号)(?:附{_N}号)?"
_ESTATE_NO = rf"(?:(?<=小区)|(?<=花园)|(?<=家园)|(?<=公寓)|(?<=大厦)|(?<=社区)|(?<=[苑庭府]))" \
             rf"{_N}-{_N}(?:-{_N})?(?![0-9])"
_HOUSE = re.compile(
    rf"(?:{_STREET_NO}(?:{_BUILDING})?(?:{_UNIT})?(?:{_FLOOR})?(?:{_ROOM})?"
    rf"|{_ESTATE_NO}(?:{_ROOM})?"
    rf"|{_BUILDING}(?:{_UNIT})?(?:{_FLOOR})?(?:{_ROOM})?"
    rf"|{_UNIT}(?:{_FLOOR})?(?:{_ROOM})?"
    rf"|(?<![0-9]){_N}(?:-{_N})?室)")


# Each of _HOUSE's forms starts inside a run of digits/Chinese numerals (the whole rest of
# the run belongs to it) followed by 号, 栋, 幢, 室, 单元 or '-digit'. Such runs, found by
# their first character ((?<![…].) turns the others away at once), hold every place a
# house number can start; _HOUSE itself is slow to search (five forms, lookbehinds).
_HOUSE_RUN = re.compile(r"[0-9一二三四五六七八九十零〇](?<![0-9一二三四五六七八九十零〇].)[0-9一二三四五六七八九十零〇]*"
                        r"(?=[号栋幢室]|单元|-[0-9])")


def _houses(text: str, norm: str) -> list[Finding]:
    starts = (i for run in _HOUSE_RUN.finditer(norm) for i in range(run.start(), run.end()))
    return [Finding("house_number", m.start(), m.end(), text[m.start():m.end()])
            for m in _matches_at(_HOUSE, norm, starts)]


# --- names -----------------------------------------------------------------------------

# Words that introduce a person in enforcement text; the name follows directly.
ROLE_WORDS = (
    "车辆所有人", "委托代理人", "法定代表人", "同乘人员", "被检查人", "被处罚人", "押运人员",
    "驾驶员", "驾驶人", "当事人", "经营者", "乘车人", "报案人", "举报人", "投诉人", "所有人",
    "负责人", "代理人", "押运员", "见证人", "联系人", "经办人", "车主", "乘客", "证人", "司机",
    "货主", "户主", "业户", "姓名", "名叫", "叫做", "家属", "师傅",
    "违法行为人", "工作人员", "执法人员", "管理员", "安全员", "调度员", "业务员", "乘务员", "售票员", "受害人",
    "报警人", "申请人", "行为人", "经理", "老板", "店主", "站长", "队长", "亲属", "妻子", "丈夫", "父亲", "母亲",
    "儿子", "女儿", "朋友", "同事", "员工", "职工",
)
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]"
# The window is a lookahead so that it does not swallow the next role word
# ('当事人李某称当事人高某…').
_ROLE_NAME = re.compile(rf"(?:{'|'.join(ROLE_WORDS)})[：:]?\s?(?=({_HAN}{{2,4}}))")
# '张三丰（男，1985年…' / '张三丰，女，' : a name introduced by its sex.
# '张三丰（男，1985年…', '张三丰，女，', '张三丰（身份证号…', '张三丰，联系电话…': a name
# introduced by its sex or by its own personal data.
_SEX_NAME = re.compile(rf"({_HAN}{{2,5}})[（(，,]\s?(?:[男女][，,）)、]|身份证|公民身份|联系电话|手机|电话)")
# The clue alone (a fast search: it starts with a character class): a _SEX_NAME match
# starts 2–5 characters before one.
_SEX_CLUE = re.compile(r"[（(，,](?=\s?(?:[男女][，,）)、]|身份证|公民身份|联系电话|手机|电话))")
_ACTOR_VERB = re.compile("驾驶|称|承认|表示|陈述|证实|供述|介绍|辩称|声称|坦言|自述")
_ACTOR_AHEAD = rf"(?=({_HAN}{{2,4}}(?:驾驶|称|承认|表示|陈述|证实|供述|介绍|辩称|声称|坦言|自述)))"
# A name that opens the text or follows a clause mark. The mark is matched (not looked
# behind at) so that `re` can skip to the marks at C speed; the name is group 1 either way.
_ACTOR_AT_START = re.compile(_ACTOR_AHEAD)
_ACTOR_NAME = re.compile(rf"[,.;:!?，。；：、\s“\"]{_ACTOR_AHEAD}")


def _sex_name_matches(norm: str) -> Iterator[re.Match]:
    """_SEX_NAME.finditer(norm), tried only 2–5 characters before each clue."""
    def starts() -> Iterator[int]:
        tried = 0
        for clue in _SEX_CLUE.finditer(norm):
            at = clue.start()
            yield from range(max(tried, at - 5), at - 1)
            tried = max(tried, at - 1)
    return _matches_at(_SEX_NAME, norm, starts())


def _actor_matches(norm: str) -> list[re.Match]:
    """Where a name opens a clause ('^' or a clause mark before it), name in group 1."""
    at_start = _ACTOR_AT_START.match(norm)
    return ([at_start] if at_start else []) + list(_ACTOR_NAME.finditer(norm))


_ANONYMISED = re.compile("某(?:某|[甲乙丙丁戊己庚辛壬癸])?")
_HAN_WINDOW = re.compile(rf"{_HAN}{{2,4}}")
_LIST_JOINERS = "、和及与"
_PERSONAL_FIELDS_NAME = re.compile(rf"^({_HAN}{{2,4}})$")

# Characters that (almost) never appear in a given name but often follow one in case text:
# the name stops before them. '某' keeps 王某 / 李某某 untouched (already anonymised).
NOT_IN_GIVEN_NAME = frozenset(
    "某的了在是于向对从被把将和与及等称说述辩请当应未已无有不没为因由所其之以而并但或也都均即就才又"
    "再还曾各每该此这那他她它们你我您车驾驶乘坐客司机上下内外前后时日年号元次人名位辆处地点场"
    "站路街区市省县镇村证照件码电话手款罚营运输载限违法规条例办案查询问记录签字确认承受支付扫拒"
    "绝逃离开走到出入回去过给让叫要求需可须得表示提供反映投诉举报警现交管理部门执行系经使用予"
    "供陈女男士师傅同氏速驶称述道里拨打联系电向益围费队店厂局院"
)
# Two-character words that start with a surname but are not names ('当事人陈述', '乘客安全').
NOT_NAMES = frozenset("""
陈述 申辩 申请 应当 应该 安全 于是 向其 常住 常年 全部 全程 全体 全额 任何 任意 经营 经过 经查 时间
明确 明知 国家 文明 平台 高速 成功 成立 程序 宁可 金额 司法 公安 公路 公司 公共 公开 公众 公民
石家 方面 方向 方式 关于 包括 车辆 单位 单独 单程 连续 连同 计费 计价 江苏 黄河 华山 龙洞 章丘
历下 历城 市中 槐荫 天桥 长清 莱芜 钢城 平阴 济阳 商河 高新 东站 西站 南站 北站 李庄 万达
权益 权利 利益 满意 信息 信用 相关 符合 严重 明显 牟利 居住 范围 方便 宣传 齐全 司乘 安装 安排 计算
管辖 冷静 祝福 华山 乐意 时常 常常 时刻 宁愿 成为 成年 高度 高峰 单独 路线 路程 路段 路上 路边 车费
车速 车门 车内 车窗 车上 车身 车型 车主 包车 包裹 包括 关系 关注 关门 景区 边上 边缘 苏醒 金钱 钱款
郑州 杭州 温州 常州 徐州 苏州 宁波 连云 邢台 柳州 贺州 梅州 惠州 江门 金华 台州 黄山 池州 宿州
安阳 焦作 许昌 洛阳 商丘 周口 信阳 南阳 平顶 濮阳 武汉 成都 南京 兰州 海口 沈阳 吉林 齐齐 乌鲁 银川
潍坊 聊城 临沂 威海 烟台 青岛 淄博 菏泽 日照 枣庄 东营 德州 滨州 泰安 济宁 高铁 高架 段店 燕山 姚家
王舍 张庄 刘长 丁家 修建 红灯 黄灯 白天 黄色 红色 白色 金色 蓝色 黑色 凌晨 夏季 夏天 秋季 秋天 车站 车库 车场 路口 钱财 车票 票款 严格 严厉 严肃 柳树 容易 查阅 查看 查明 查验 查获 解释 解决 解除 温馨 强调 强制 强行 麻烦 项目 许可 许多 尚未 尚且 曾经 孔子 余额 余下 余款 原因 原来 原告 原先 原则
""".split())
# Surnames that are everyday words right after a role word ('当事人于当日', '驾驶员高速行驶'):
# accepted only when the name is followed by a clear boundary.
_AMBIGUOUS_SURNAMES = frozenset("于向应常经时全任明安文国平成高单连计公方关包石江宁查容解强温麻车司路")
_BOUNDARY = re.compile(r"^(?:$|[，,。；;：:、（(\s）)“”\"]|称|驾驶|乘坐|证实|陈述|表示|说|因|未|于|在|的|等|系)")


def split_name(window: str) -> tuple[str, str] | None:
    """(surname, given) read from the start of `window`, or None when it is not a name."""
    if window[:2] in COMPOUND_SURNAMES:
        surname = window[:2]
    elif window[:1] in SINGLE_SURNAMES:
        surname = window[:1]
    else:
        return None
    given = ""
    for char in window[len(surname):]:
        if char in NOT_IN_GIVEN_NAME or len(given) == 2:
            break
        given += char
    if not given or "某" in given:
        return None
    if (surname + given)[:2] in NOT_NAMES:
        return None
    return surname, given


def _person_at(norm: str, pos: int) -> tuple[int, str, bool] | None:
    """(length, surname, is a real name) of the person written at `pos`; 王某 / 王某某 /
    王某甲 count as persons (already anonymised) so that a list goes on past them."""
    window = _HAN_WINDOW.match(norm, pos)
    if not window:
        return None
    text = window.group()
    if text[:2] in COMPOUND_SURNAMES:
        surname = text[:2]
    elif text[:1] in SINGLE_SURNAMES:
        surname = text[:1]
    else:
        return None
    anonymised = _ANONYMISED.match(text, len(surname))
    if anonymised:
        return len(surname) + len(anonymised.group()), surname, False
    parts = split_name(text)
    if parts:
        return len(parts[0]) + len(parts[1]), surname, True
    return None


def _role_names(text: str, norm: str) -> list[Finding]:
    out = []
    for match in _ROLE_NAME.finditer(norm):
        pos, first = match.start(1), True
        # One role word may introduce a list: '乘客王海燕、王某某和李明证实'.
        while True:
            person = _person_at(norm, pos)
            if not person:
                break
            length, surname, real = person
            end = pos + length
            if real and first:
                from .names import procedural_word      # jieba: loaded only where a role word is
                if procedural_word(norm[pos:pos + 2]):
                    break                 # '向当事人宣读权利', '当事人陈述': a verb, not a name
            if real:
                if first and surname in _AMBIGUOUS_SURNAMES and not _BOUNDARY.match(norm[end:end + 2]):
                    break
                out.append(Finding("name", pos, end, text[pos:end]))
            first = False
            if end < len(norm) and norm[end] in _LIST_JOINERS:
                pos = end + 1
                continue
            break
    for match in _sex_name_matches(norm):
        window = match.group(1)
        # The name is the tail of the window: try 3, 4 (compound surname), then 2 characters.
        for size in (3, 4, 2):
            if size > len(window):
                continue
            tail = window[-size:]
            parts = split_name(tail)
            if tail[-1] in _PLACE_ENDS:
                continue                # '张家庄，电话…': a place before its phone number
            if parts and len(parts[0]) + len(parts[1]) == size and (size != 4 or parts[0] in COMPOUND_SURNAMES):
                start = match.end(1) - size
                out.append(Finding("name", start, match.end(1), text[start:match.end(1)]))
                break
    for match in _actor_matches(norm):
        # '，李明驾驶…', '。王芳称…': a clause that starts with a name and a reporting or
        # driving verb. Surnames that are everyday words are not trusted here at all.
        window = match.group(1)
        for size in (3, 2, 4):
            if size > len(window):
                continue
            head = window[:size]
            parts = split_name(head)
            if not parts or len(parts[0]) + len(parts[1]) != size or parts[0] in _AMBIGUOUS_SURNAMES:
                continue
            if head in ROLE_WORDS or not _ACTOR_VERB.match(norm, match.start(1) + size):
                continue
            if is_territory(head):
                break                   # '，伊拉克表示…', '，巴西称…': a country speaks too
            start = match.start(1)
            out.append(Finding("name", start, start + size, text[start:start + size]))
            break
    return out


def is_territory(word: str) -> bool:
    """A country or territory's name in Chinese (伊拉克, 巴西, 日本), from the Unicode CLDR
    names that Babel ships (a dependency of mkdocs-material): never a person's name."""
    return word in _territories()


@functools.lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    from babel import Locale

    return frozenset(Locale("zh").territories.values())


# Last characters of places (张家庄, 李村, 王舍人庄): never the end of a name.
_PLACE_ENDS = frozenset("庄村屯寨镇乡县区市省路街巷")
_ORGANISATION = re.compile("公司|车队|中心|集团|协会|合作社|商行|个体|经营部|门市|[厂店站部社所局院馆场行]$")


# Characters common in given names and rare in other words: a surname followed by two of
# them ('唐旭燕', '王林杰') reads as a full name even with no role word or verb around it.
_GIVEN_NAME_CHARS = frozenset(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞刚桂兰志鹏建华飞鑫波宇浩凯健俊帆帅旭龙林玉萍红娥玲芬燕彬婷"
    "雪琳晶颖慧巧美倩琴云莲环凤洁梅莉荣爱妹香莺媛瑞凡佳嘉琼勤珍贞娣璐娅琦妍茜珊莎锦黛姣婉娴瑾露瑶怡"
    "婵雁蓓仪荷丹蓉眉君蕊薇菁梦岚婕馨瑗琰韵咏卿聪澜毓悦昭冰爽琬茗羽欣滢馥筠柔霭凝晓欢霄枫芸菲伊亚宜"
    "姬舒荔妮宝贝罡恒鸿桦骅剑娇睿烁雯萱彦雨曼紫逸贤蝶菡翠毅峰辉永义兴良仁贵福祥胜昌康星光达岩茂坚彪"
    "博诚敬震振壮群豪邦乐绍功松善厚庆亮谦亨奇翰朗伯宏鸣朋斌栋维启伦翔泽晨辰钧冠腾楠榕航弘"
) - NOT_IN_GIVEN_NAME
# 南/东/西/北 end place names (济南鑫达…), so they are not trusted as bare surnames.
_BARE_SURNAMES = "".join(sorted(SINGLE_SURNAMES - _AMBIGUOUS_SURNAMES - set("南东西北")))
_BARE_NAME = re.compile(f"[{_BARE_SURNAMES}][{''.join(sorted(_GIVEN_NAME_CHARS))}]{{2}}")
_COMPANY_AHEAD = re.compile(rf"{_HAN}{{0,10}}(?:公司|服务部|经营部|车队|集团|商行|门市|中心|[厂店])")


def _bare_names(text: str, norm: str) -> list[Finding]:
    out = []
    for match in _BARE_NAME.finditer(norm):
        start, end = match.span()
        if norm[start:start + 2] in NOT_NAMES or _COMPANY_AHEAD.match(norm, end):
            continue
        out.append(Finding("name", start, end, text[start:end]))
    return out


def is_person_name(value: str) -> bool:
    """Whether a 当事人 value reads as a natural person's name (not a company).

    Any 2–4 Chinese characters that are not an organisation count, even with a surname
    missing from our list: in the party column a miss would publish the name."""
    value = value.strip()
    if not _PERSONAL_FIELDS_NAME.match(value) or "某" in value or value in ROLE_WORDS:
        return False
    if _ORGANISATION.search(value):
        return False
    return value.startswith(ALL_SURNAMES) or not value.endswith(("员", "人", "者"))


# --- the scan --------------------------------------------------------------------------

def _forms(text: str, norm: str) -> list[Finding]:
    from .forms import detect_forms     # forms.py builds on this module's Finding
    return detect_forms(text, norm)


_DETECTORS = (_numbers, _vins, _plates, _houses, _role_names, _bare_names, _forms)


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per stretch of text: the longer, then the stronger kind, wins."""
    if len(findings) < 2:
        return list(findings)       # most texts: nothing to rank (one finding is sorted)
    ranked = sorted(findings, key=lambda f: (-(f.end - f.start), _PRIORITY.get(f.kind, 99), f.start))
    taken: list[Finding] = []
    for finding in ranked:
        if all(finding.end <= t.start or finding.start >= t.end for t in taken):
            taken.append(finding)
    return sorted(taken, key=lambda f: (f.start, f.end))


def scan_text(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, sorted and non-overlapping."""
    if not text:
        return []
    norm = normalise(text)
    found: list[Finding] = []
    for detector in _DETECTORS:
        found.extend(detector(text, norm))
    return resolve_overlaps(found)
