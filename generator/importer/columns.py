"""The columns of an office export: Chinese headers, English aliases, which are personal.

The contract is the "Raw case exports" table of records.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str          # the Chinese header
    key: str             # the English alias, also our internal name
    required: bool
    personal: str = ""   # '' (public), 'drop' (never published), 'text' (anonymised)


COLUMNS = (
    Column("案件编号", "case_no", True),
    Column("案件名称", "title", True, "text"),
    Column("类别", "category", True),
    Column("当事人", "party", False, "drop"),
    Column("身份证号", "id_number", False, "drop"),
    Column("联系电话", "phone", False, "drop"),
    Column("车牌号", "plate", False, "drop"),
    Column("违法时间", "date", True),
    Column("违法地点", "place", True, "text"),
    Column("案由", "cause", True, "text"),
    Column("违法事实", "facts", True, "text"),
    Column("调查经过", "investigation", False, "text"),
    Column("处罚依据", "legal_basis", True),
    Column("处罚决定", "decision", True, "text"),
    Column("裁量情形", "discretion", True),
    Column("办案方式", "handling", True),
    Column("执法人员说法", "explanation", True, "text"),
    # Publication lifecycle (docs/lifecycle.md).
    Column("处罚决定日期", "decision_date", False),
    Column("当事人类型", "party_kind", False),
    Column("统一社会信用代码", "credit_code", False, "drop"),   # kept only for a 法人/其他组织
    Column("出生日期", "birth_date", False, "drop"),          # read for the minors' check only
    Column("年龄", "age", False, "drop"),                     # read for the minors' check only
)
BY_KEY = {c.key: c for c in COLUMNS}
# Every spelling a header may take, normalised → column key.
_LOOKUP = {**{c.header: c.key for c in COLUMNS}, **{c.key: c.key for c in COLUMNS}}
_SPACES = re.compile(r"[\s\u3000]+")


def normalise_header(value: object) -> str:
    """'  案件 编号* ' → '案件编号'; 'Case_No' → 'case_no'."""
    text = _SPACES.sub("", str(value or ""))
    text = text.strip("*＊:：").lower()
    return text


def column_key(value: object) -> str | None:
    return _LOOKUP.get(normalise_header(value))


def label(key: str) -> str:
    """How a column is named in messages: '违法时间 (date)'."""
    column = BY_KEY.get(key)
    return f"{column.header} ({column.key})" if column else key


def header_score(cells: list[object]) -> int:
    """How many known headers a row holds (the header row has the most)."""
    return len({column_key(c) for c in cells} - {None})
