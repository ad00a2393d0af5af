"""Character error rate, the way the bench and the tests measure recognition.

Both texts are normalised first: Simplified characters, punctuation and spaces removed,
digits written as they are read (2024年 → 二零二四年, 126 → 一百二十六, 12328 → 一二三二八), so
a transcript is not penalised for writing a number the other way.
"""
from __future__ import annotations

import re
import unicodedata

from .textnorm import to_simplified

_DIGITS = "零一二三四五六七八九"


def _cardinal(number: int) -> str:
    if number == 0:
        return "零"
    if number >= 10000:
        high, low = divmod(number, 10000)
        rest = _cardinal(low) if low else ""
        return _cardinal(high) + "万" + ("零" if 0 < low < 1000 else "") + rest
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, number = divmod(number, value)
        if digit:
            if zero:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    if out.startswith("一十"):
        out = out[1:]
    return out


def spoken_numbers(text: str) -> str:
    def read(match: re.Match[str]) -> str:
        digits, after = match.group(1), text[match.end():match.end() + 1]
        if len(digits) >= 5 or digits.startswith("0") or after == "年":
            return "".join(_DIGITS[int(d)] for d in digits)
        return _cardinal(int(digits))

    text = re.sub(r"(\d+)\.(\d+)", lambda m: f"{m.group(1)}点{''.join(_DIGITS[int(d)] for d in m.group(2))}", text)
    return re.sub(r"(\d+)", read, text)


def normalise(text: str) -> str:
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text = spoken_numbers(text)
    return "".join(c for c in text if not (unicodedata.category(c)[0] in "PZS" or c.isspace())).lower()


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer_counts(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edits, reference length) after normalising both."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return edit_distance(ref, hyp), max(1, len(ref))


def cer(reference: str, hypothesis: str) -> float:
    errors, chars = cer_counts(reference, hypothesis)
    return errors / chars
