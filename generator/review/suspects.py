"""What the anonymiser left in a record that may still be personal, for the reviewer to
judge (never changed automatically: each was judged not certain enough to remove).

- `number`: a run of 7 or more digits (spaced, dashed or full-width too) that is not a
  date or an amount: an ID, phone or account the detectors did not recognise;
- `name`: a known surname with one or two characters after it, next to a word that
  introduces or follows a person (称, 驾驶, 先生, 女士, 、 …), not already in 王某 form;
- `unknown_column`: a value of a column the import ignored that stands in the text;
- whatever the anonymiser itself flagged and left as written (its `suspects`, e.g. an
  employer and a job title that point to one person), where that text still stands.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..privacy.detect import normalise
from ..privacy.surnames import ALL_SURNAMES

TEXT_FIELDS = ("title", "place", "cause", "facts", "investigation", "decision", "explanation")


@dataclass(frozen=True)
class Suspect:
    field: str
    kind: str          # number / name / unknown_column
    start: int
    end: int
    text: str
    why: str


_NUMBER = re.compile(r"(?<![0-9])[0-9](?:[ \-\u00a0]?[0-9]){6,}(?:[Xx])?(?![0-9])")
_AMOUNT_AFTER = re.compile(r"^\s*(?:元|万元|余元|块)")
_SURNAMES = "|".join(ALL_SURNAMES)
# A person next to a word that goes with people: the name is the surname and the one or
# two characters before the cue.
_NAME = re.compile(rf"(?:{_SURNAMES})[\u4e00-\u9fff]{{1,2}}?(?=称|说|驾驶|表示|承认|先生|女士|师傅|同志|证实|陈述|供述|等人|、)")
_ALIAS = re.compile("某(?:某|[甲乙丙丁戊己庚辛壬癸])?$")
# Words a surname character starts that are no one's name (a cue after them is common).
_NOT_NAMES = ("车主", "司机", "乘客", "当事", "执法", "经营", "驾驶", "管理", "工作", "有关", "相关", "其他", "其余",
              "对方", "双方", "本人", "他人", "家人", "向其", "经查", "该车", "该司", "该公", "公司", "同时", "以上",
              "上述", "何时", "时间", "高速", "平台", "路政", "交通", "运输", "全部", "任何", "明确", "安全", "文明",
              "方便", "关于", "包括", "成为", "连续", "计算", "单位", "常年", "应当", "于是", "万元")


def find_suspects(fields: dict[str, str], unknown_values: dict[str, str] | None = None,
                  flagged: list[tuple[str, str, str]] = ()) -> list[Suspect]:
    out: list[Suspect] = []
    for name, kind, value in flagged:
        text = fields.get(name) or ""
        start = text.find(value) if value and name in TEXT_FIELDS else -1
        while start != -1:
            out.append(Suspect(name, kind, start, start + len(value), value, f"匿名化时标记 / flagged by the anonymiser ({kind})"))
            start = text.find(value, start + len(value))
    for name in TEXT_FIELDS:
        text = fields.get(name) or ""
        if not text:
            continue
        norm = normalise(text)
        for match in _NUMBER.finditer(norm):
            if _AMOUNT_AFTER.match(norm[match.end():]) or "〔" in norm[max(0, match.start() - 6):match.start()]:
                continue
            out.append(Suspect(name, "number", match.start(), match.end(), text[match.start():match.end()],
                               "7 位以上的数字 / a long number"))
        for match in _NAME.finditer(text):
            found = match.group()
            if _ALIAS.search(found) or found.startswith(_NOT_NAMES) or "某" in found:
                continue
            out.append(Suspect(name, "name", match.start(), match.end(), found,
                               "可能是人名 / may be a person's name"))
        for header, value in (unknown_values or {}).items():
            value = value.strip()
            if len(value) < 2:
                continue
            start = text.find(value)
            while start != -1:
                out.append(Suspect(name, "unknown_column", start, start + len(value), value,
                                   f"未识别的列“{header}”的值 / value of the unknown column {header}"))
                start = text.find(value, start + len(value))
    out.sort(key=lambda s: (TEXT_FIELDS.index(s.field), s.start, -s.end))
    kept: list[Suspect] = []
    for suspect in out:          # overlapping finds: the first (longest at a place) stays
        if kept and kept[-1].field == suspect.field and suspect.start < kept[-1].end:
            continue
        kept.append(suspect)
    return kept
