"""What the import reads for the publication lifecycle (docs/lifecycle.md): the party's
kind, the decision date, and whether the party was a minor.

A case whose party was under 18 at the violation date is never published (courts'
publishing rules, 法释〔2016〕19号, and provincial disclosure rules exclude them). The age
is read from 出生日期, from 年龄, or from the birth date inside an 18- or 15-digit ID
number, before the number itself is dropped; none of them is ever written anywhere.
"""
from __future__ import annotations

import datetime as dt
import re

from ..privacy.detect import normalise

ADULT_AGE = 18
# 个体工商户 names end in a shop's words; 其他组织 are associations, co-operatives,
# branches; a 法人 is a company. A name that is none of these is a person's.
_SOLE_TRADER = re.compile(r"(个体|经营部|商行|门市|[店铺馆坊摊])$|个体工商户")
_OTHER_ORG = re.compile(r"(协会|商会|合作社|基金会|中心|分公司|车队|站|所|事务所|委员会|合伙企业)$")
_COMPANY = re.compile(r"(公司|集团|厂|企业)$")
_KINDS = {"自然人": "自然人", "个人": "自然人", "公民": "自然人", "法人": "法人", "单位": "法人", "企业": "法人",
          "法人及非法人组织": "法人", "个体工商户": "个体工商户", "个体": "个体工商户", "其他组织": "其他组织",
          "非法人组织": "其他组织"}
_ID18 = re.compile(r"(?<!\d)\d{6}((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
_ID15 = re.compile(r"(?<!\d)\d{6}(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}(?!\d)")


def party_kind(declared: str, party: str) -> str | None:
    """The kind from the 当事人类型 column (its usual spellings), or inferred from the
    party's name; None when the column holds something unknown."""
    declared = "".join(normalise(declared).split())
    if declared:
        return _KINDS.get(declared)
    name = "".join(normalise(party).split())
    if not name:
        return "自然人"
    if _SOLE_TRADER.search(name):
        return "个体工商户"
    if _OTHER_ORG.search(name):
        return "其他组织"
    if _COMPANY.search(name):
        return "法人"
    return "自然人"


def birth_from_id(id_number: str) -> dt.date | None:
    text = normalise(id_number).replace(" ", "")
    match = _ID18.search(text)
    year = None
    if match:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        match = _ID15.search(text)
        if match:
            year, month, day = 1900 + int(match.group(1)), int(match.group(2)), int(match.group(3))
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def minor_reason(cells: dict[str, str], violation: dt.date | None, parse_date) -> str | None:
    """Why this row's party was under 18 at the violation date, or None.

    Only a natural person can be a minor: an organisation's row is not checked. An
    unreadable birth date or age is treated as unknown, not as adult: the caller
    reports it."""
    if violation is None:
        return None
    if cells.get("birth_date"):
        birth = parse_date(cells["birth_date"])
        if birth is not None and age_on(birth, violation) < ADULT_AGE:
            return f"under {ADULT_AGE} at the violation date (出生日期)"
    if cells.get("age"):
        digits = re.sub(r"[^\d]", "", normalise(cells["age"]))
        if digits and int(digits) < ADULT_AGE:
            return f"under {ADULT_AGE} at the violation date (年龄 {int(digits)})"
    if cells.get("id_number"):
        birth = birth_from_id(cells["id_number"])
        if birth is not None and age_on(birth, violation) < ADULT_AGE:
            return f"under {ADULT_AGE} at the violation date (birth date in the ID number)"
    return None


def withhold_minors(converted: list, into) -> tuple[list, list[str]]:
    """The rows that may be published, and one line naming each withheld one. A record
    an earlier import wrote for a withheld case is removed from `into` (cases_public/)."""
    kept, named = [], []
    for table, item in converted:
        if not item.withheld:
            kept.append((table, item))
            continue
        path = into / f"{item.case.id}.yaml"
        note = ""
        if path.exists():
            path.unlink()
            note = f"; its earlier record {path} was removed"
        named.append(f"{table.file}:{item.row}: {item.case.id} ({item.case_no}): party {item.withheld}: "
                     f"never published{note}")
    return kept, named
