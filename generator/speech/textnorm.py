"""Text a reader can use: Simplified characters and Chinese sentence punctuation.

Whisper mixes Traditional characters into Mandarin output (OpenCC `t2s` fixes that) and
often emits long runs without punctuation or with ASCII commas and spaces between
clauses; `punctuate` turns those into Chinese punctuation and ends every segment with a
sentence mark, so subtitles and the published transcript read as sentences.
"""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


_CJK = r"\u3400-\u9fff"
_ASCII_TO_FULL = {",": "，", "?": "？", "!": "！", ";": "；", ":": "：", "(": "（", ")": "）"}
_SENTENCE_END = "。！？…"
_CLAUSE = "，、；：。！？…）」』”"
# Particles and words that end a question when they close a clause.
_QUESTION_END = re.compile(r"(吗|呢|么|是不是|对不对|好不好|行不行|可以吗|有没有|是吧)$")
_QUESTION_WORD = re.compile(r"(什么|怎么|为什么|哪里|哪儿|哪个|多少|几点|谁)")


def _full_width(text: str) -> str:
    # ASCII punctuation next to Chinese becomes full-width; in numbers (1,000 / 12:30) it stays.
    def swap(match: re.Match[str]) -> str:
        return _ASCII_TO_FULL[match.group(0)]

    text = re.sub(rf"(?<=[{_CJK}])[,?!;:]|[,?!;:](?=[{_CJK}])", swap, text)
    text = re.sub(rf"(?<=[{_CJK}])\.(?!\d)", "。", text)
    return text


def _clause_end(clause: str) -> str:
    """The mark that ends a sentence-final clause: ？ for questions, otherwise 。."""
    if _QUESTION_END.search(clause) or (_QUESTION_WORD.search(clause) and clause.endswith(("呢", "啊"))):
        return "？"
    return "。"


def punctuate(text: str) -> str:
    """Chinese punctuation for one segment: spaces between clauses become '，', a final mark."""
    text = _full_width(text.strip())
    # Whisper separates clauses by a space when it drops punctuation.
    text = re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "，", text)
    text = re.sub(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])", "", text)
    text = re.sub(r"，{2,}", "，", text)
    text = re.sub(rf"([，、；：])(?=[{_SENTENCE_END}])", "", text)
    # A clause that reads as a question gets ？ instead of ，/。
    parts = re.split(r"([，。！？])", text)
    for index in range(0, len(parts) - 1, 2):
        if parts[index + 1] in "，。" and _QUESTION_END.search(parts[index]):
            parts[index + 1] = "？"
    text = "".join(parts)
    if text and text[-1] not in _SENTENCE_END + "”」』）":
        text = text.rstrip("，、；：") + _clause_end(text.rstrip("，、；："))
    return text


def normalize_segment_text(text: str) -> str:
    return punctuate(to_simplified(text))
