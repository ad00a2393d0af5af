"""Numbers written the way the text type wants them.

Legal citations write article numbers in Chinese (《公路法》第三十四条, as the law texts and
the cases do); measurements and amounts write Arabic digits with the unit (55吨, 200元, as
penalty decisions do). Whisper writes either at random. Digit strings read one by one
(幺三八…, 12328) are neither and are left alone: they are handled as possible personal data.
"""
from __future__ import annotations

import re

from .cer import _cardinal

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
# Units of measure and money, longest first (公里 before 里 is not listed at all).
_MEASURES = ("万元", "千元", "公斤", "千克", "公里", "千米", "厘米", "毫米", "小时", "分钟", "块钱", "周岁",
             "吨", "元", "米", "轴", "座", "秒")
_CITATION = re.compile(r"第([0-9]+)(条|款|项|章|节|编)")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+")


def chinese_to_int(text: str) -> int | None:
    """一百二十六 → 126, 五十五 → 55, 两千 → 2000, 十二 → 12; None when not a counted number."""
    if not text or not any(c in "十百千万" for c in text) and len(text) > 1:
        return None   # 一二三二八 is read digit by digit: not a quantity
    total = section = 0
    digit: int | None = None
    for char in text:
        if char in "零〇" and section:
            continue   # 一百零五: the zero only marks a gap
        if char in _CN_DIGIT:
            if digit is not None:
                return None   # two digits in a row: not a quantity
            digit = _CN_DIGIT[char]
        elif char in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[char]
            digit = None
        elif char == "万":
            total = (total + section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def write_numbers(text: str) -> str:
    """第34条 → 第三十四条; 五十五吨 → 55吨, 两百元 → 200元 (never a lone 一: 一米 stays)."""
    text = _CITATION.sub(lambda m: f"第{_cardinal(int(m.group(1)))}{m.group(2)}", text)

    def measure(match: re.Match[str]) -> str:
        number, rest = match.group(), text[match.end():]
        unit = next((u for u in _MEASURES if rest.startswith(u)), None)
        if unit is None or number in ("一", "两", "二") or match.start() > 0 and text[match.start() - 1] == "第":
            return number
        value = chinese_to_int(number)
        return str(value) if value is not None else number

    return _CN_NUMBER.sub(measure, text)
