"""The columns of an office export: Chinese headers, English aliases, which are personal.

The contract is the "Raw case exports" table of records.md, widened to the headers other
offices use for the same data (当事人姓名, 被处罚人, 驾驶员, 手机号, 证件号码, 号牌号码 …).
To add a column: one `Column(...)` line below (its header, other headers offices use for
it, and, for personal data, the `kind` that says how its value is removed from the text).

A person's data (`personal="drop"`) is never published; its value is removed from every
text field (a natural person's name becomes 王某, see privacy/anonymise.py). A column the
table does not know is ignored and listed, unless its values look personal: then the import
stops and asks for a columns file (`--columns map.yaml`, `load_column_map`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem


@dataclass(frozen=True)
class Column:
    header: str          # the Chinese header
    key: str             # the English alias, also our internal name
    required: bool
    personal: str = ""   # '' (public), 'drop' (never published), 'text' (anonymised)
    aliases: tuple[str, ...] = ()   # other headers offices use for this column
    # For 'drop' columns, what the value is, i.e. how it leaves the text: 'name' (a
    # person: 王某, a company stays), 'age' (N岁), 'birth_date' (the date in its
    # usual spellings), anything else removed verbatim ([已隐去]; 'plate' masked).
    kind: str = ""


COLUMNS = (
    Column("案件编号", "case_no", True),
    Column("案件名称", "title", True, "text"),
    Column("类别", "category", True),
    Column("当事人", "party", False, "drop", ("当事人姓名", "当事人名称", "被处罚人", "被处罚人姓名", "姓名"), "name"),
    Column("身份证号", "id_number", False, "drop", ("身份证号码", "证件号码", "证件号", "公民身份号码"), "id_number"),
    Column("联系电话", "phone", False, "drop", ("手机号", "手机号码", "手机", "电话", "电话号码"), "phone"),
    Column("车牌号", "plate", False, "drop", ("车牌号码", "号牌号码", "车辆号牌", "车牌"), "plate"),
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
    # Other people and personal data offices export (never published; removed from the text).
    Column("驾驶员", "driver", False, "drop", ("驾驶员姓名", "驾驶人", "驾驶人姓名", "司机"), "name"),
    Column("车主", "owner", False, "drop", ("车主姓名", "所有人", "机动车所有人"), "name"),
    Column("法定代表人", "legal_representative", False, "drop", ("法人代表", "法定代表人姓名"), "name"),
    Column("负责人", "person_in_charge", False, "drop", ("负责人姓名",), "name"),
    Column("经营者", "operator", False, "drop", ("经营者姓名", "业户"), "name"),
    Column("联系方式", "contact", False, "drop", (), "phone"),
    Column("固定电话", "landline", False, "drop", ("座机",), "phone"),
    Column("住址", "address", False, "drop", ("地址", "家庭住址", "联系地址", "住所"), "address"),
    Column("户籍地", "registered_residence", False, "drop", ("户籍地址", "户籍所在地"), "address"),
    Column("经常居住地", "habitual_residence", False, "drop", ("现住址", "居住地"), "address"),
    Column("出生日期", "birth_date", False, "drop", ("出生年月", "出生年月日"), "birth_date"),
    Column("年龄", "age", False, "drop", (), "age"),
    Column("从业资格证号", "qualification_no", False, "drop", ("从业资格证号码", "从业资格证"), "certificate"),
    Column("道路运输证号", "transport_permit_no", False, "drop", ("道路运输证号码", "道路运输证"), "certificate"),
    Column("统一社会信用代码", "credit_code", False, "drop", ("社会信用代码", "信用代码"), "credit_code"),
    Column("注册号", "registration_no", False, "drop", ("工商注册号", "营业执照号"), "credit_code"),
    # Publication lifecycle (docs/lifecycle.md): read, and published only as the record's own fields.
    Column("处罚决定日期", "decision_date", False),
    Column("当事人类型", "party_kind", False),
)
BY_KEY = {c.key: c for c in COLUMNS}
_SPACES = re.compile(r"[\s\u3000]+")


_NOTE = re.compile(r"^(.+?)[（(][^（()）]*[)）]$")


def normalise_header(value: object) -> str:
    """'  案件 编号* ' → '案件编号'; 'Case_No' → 'case_no'; a note in brackets after the
    name is not part of it: '联系电话（手机）' → '联系电话'."""
    text = _SPACES.sub("", str(value or ""))
    text = text.strip("*＊:：").lower()
    note = _NOTE.match(text)
    return note.group(1).strip("*＊:：") if note else text


# Every spelling a header may take, normalised → column key.
_LOOKUP = {normalise_header(spelling): c.key for c in COLUMNS for spelling in (c.header, c.key, *c.aliases)}
# Personal columns whose values leave the text; in the order the anonymiser gets them.
DROPPED = tuple(c.key for c in COLUMNS if c.personal == "drop")
IGNORE, PERSONAL = "ignore", "personal"


@dataclass(frozen=True)
class ColumnMap:
    """A columns file (`--columns map.yaml`): export header → known column key, or
    IGNORE (dropped without a word) or PERSONAL (never published; its value removed from
    the text)."""

    targets: dict[str, str] = field(default_factory=dict)   # normalised header → key / IGNORE / PERSONAL
    file: str = ""


def column_key(value: object, columns: ColumnMap | None = None) -> str | None:
    header = normalise_header(value)
    if columns is not None and header in columns.targets:
        return columns.targets[header]
    return _LOOKUP.get(header)


def label(key: str) -> str:
    """How a column is named in messages: '违法时间 (date)'."""
    column = BY_KEY.get(key)
    return f"{column.header} ({column.key})" if column else key


def header_score(cells: list[object], columns: ColumnMap | None = None) -> int:
    """How many known headers a row holds (the header row has the most)."""
    return len({column_key(c, columns) for c in cells} - {None, IGNORE, PERSONAL})


def load_column_map(path: Path) -> ColumnMap:
    """Read a columns file: one `header: target` a line, target a known column (Chinese
    header or English key), `ignore` or `personal`."""
    from ..yamlio import load_yaml

    data, lines = load_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError.at(path, "expected one 'export header: column' a line",
                            hint="e.g. 车主姓名: 当事人, 备注: ignore, 乘客: personal")
    problems: list[Problem] = []
    targets: dict[str, str] = {}
    for header, target in data.items():
        name = normalise_header(header)
        wanted = normalise_header(target)
        if wanted in (IGNORE, PERSONAL):
            targets[name] = wanted
        elif wanted in _LOOKUP:
            targets[name] = _LOOKUP[wanted]
        else:
            problems.append(Problem(str(path), f"unknown column '{target}'", lines(str(header)), str(header),
                                    "write a known column (e.g. 当事人, 联系电话, 违法地点 or its English name), "
                                    "ignore or personal; see docs/import.md"))
    if problems:
        raise InputError(problems)
    return ColumnMap(targets, str(path))


# --- unknown columns: do their values look personal? ----------------------------------

_HAN_NAME = re.compile("^[\u3400-\u9fff]{2,4}$")
_DOT_NAME = re.compile("^[\u3400-\u9fff]{1,6}[·•][\u3400-\u9fff]{1,8}$")
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9][0-9 \-]{5,}[0-9Xx](?![0-9])")
_ADDRESS = re.compile(r"(?:省|市|区|县|镇|乡|村|路|街|巷|弄|小区|花园|公寓|大厦)[^，。；,;]{0,12}?"
                      r"[0-9０-９一二三四五六七八九十]+(?:号|栋|幢|单元|室|组|楼|户)")
_DATE_LIKE = re.compile(r"^\s*(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|(?:19|20)\d{2}(?:0[1-9]|1[0-2])"
                        r"(?:0[1-9]|[12]\d|3[01]))(?:[ T][0-9:]+)?\s*$")
_PART_SPLIT = re.compile(r"[、，,；;/\s]+")
# Header words that say a column holds a person or their data, whatever its values.
_PERSONAL_HEADER = re.compile("姓名|名字|身份|证件|电话|手机|联系|住址|地址|住所|户籍|居住|出生|年龄|车牌|号牌|"
                              "微信|QQ|qq|邮箱|银行|卡号|账号|车架|发动机|驾驶证|资格证|人$")


def _name_like(text: str) -> bool:
    """A person's name written out: a known surname and one or two more characters (two
    after a compound surname), or a minority name with its middle dot (阿依古丽·买买提)."""
    from ..privacy.detect import is_person_name
    from ..privacy.surnames import ALL_SURNAMES

    if "·" in text or "•" in text:
        return _DOT_NAME.match(text) is not None
    if not _HAN_NAME.match(text) or "某" in text:
        return False
    surname = next((s for s in ALL_SURNAMES if text.startswith(s)), None)
    return surname is not None and len(text) <= len(surname) + 2 and is_person_name(text)


def personal_look(header: str, values: list[tuple[int, str]]) -> tuple[int, str] | None:
    """(row, what) for the first value of an unknown column that looks personal ('a long
    number', 'an address', 'a name'); None when none does. A name must be the column's
    usual content (most values), or the header must say it is about a person: a column of
    short words (小型轿车, 已结案) is not a column of names."""
    names: list[int] = []
    filled = 0
    for row, value in values:
        text = value.strip()
        if not text:
            continue
        filled += 1
        if _DATE_LIKE.match(text):
            continue
        if _LONG_NUMBER.search(text) and sum(ch.isdigit() for ch in text) >= 7:
            return row, "a long number"
        if _ADDRESS.search(text):
            return row, "an address"
        parts = [p for p in _PART_SPLIT.split(text) if p]
        if parts and len(parts) <= 5 and all(_name_like(p) for p in parts):
            names.append(row)
    if names and (2 * len(names) >= filled or _PERSONAL_HEADER.search(header)):
        return names[0], "a name"
    return None
