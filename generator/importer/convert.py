"""One raw row → one anonymised, validated public case record.

The id rule: the year and serial of the decision number, '济交执罚〔2024〕1001号' →
'2024-1001' (brackets 〔〕[]()【】 of either width; digits as written, leading zeros kept).
A case number without that shape falls back to its digit groups joined by '-'
('JN-TX-2024-77' → '2024-77'); one with no digit at all is an error.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from ..errors import InputError, Problem
from ..privacy.anonymise import CaseAnonymiser, anonymise_fields
from ..privacy.detect import normalise
from ..privacy.forms import clean_cell
from ..records.case import ORGANISATION_KINDS, PARTY_KINDS, Case, case_from_mapping
from ..records.law import chinese_number, parse_citation
from ..yamlio import LineMap
from .columns import BY_KEY, DROPPED, label
from .lifecycle import minor_reason, party_kind
from .readers import RawRow

_CASE_NO = re.compile(r"[〔\[(【]\s*(\d{4})\s*[〕\])】]\s*第?\s*(\d+)\s*号?")
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_FINE = re.compile(r"罚款(?:人民币)?\s*([0-9][0-9,，.]*|[零〇一二两三四五六七八九十百千壹贰貳叁參肆伍陆陸柒捌玖拾佰仟]+)\s*(万|萬)?\s*元")
# Formal numerals (大写, as on receipts and many decisions: 罚款贰佰元) read as plain ones.
_FORMAL = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟两", "一二二三三四五六六七八九十百千二")
# Text columns scanned and rewritten; the others are published as written.
TEXT_FIELDS = tuple(key for key, column in BY_KEY.items() if column.personal == "text")
PERSONAL_KNOWN = ("id_number", "phone", "plate")


def case_id(case_no: str) -> str | None:
    text = normalise(case_no)
    match = _CASE_NO.search(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    groups = _DIGITS.findall(text)
    return "-".join(groups) if groups else None


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: str) -> dt.date | None:
    """YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 (a time after it is ignored), or an
    Excel day number (45356 = 2024-03-05) from a date cell formatted as a number."""
    text = normalise(value).strip()
    if text.isdigit() and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def fine_from_decision(decision: str) -> float | None:
    """'罚款1万元' → 10000, '罚款5,000元' → 5000, '罚款二千元' → 2000; None when not fined."""
    match = _FINE.search(normalise(decision))
    if not match:
        return None
    number = match.group(1).replace(",", "").replace("，", "")
    try:
        value = float(number) if number[0].isdigit() else float(chinese_number(number.translate(_FORMAL)))
    except ValueError:
        return None
    return value * 10000 if match.group(2) else value


# A value shorter than this, in a column of numbers or addresses, is a placeholder (无, /,
# 不详) or too common to remove wherever it occurs.
_MIN_KNOWN = 4
_NAME_PARTS = re.compile(r"[、，,；;/\s]+")


def personal_values(row: RawRow) -> tuple[str, list[tuple[str, str]]]:
    """(the people of a row, joined for the anonymiser, [(kind, value)] to remove wherever
    they occur) from every personal column: the party and the other people's columns
    (驾驶员, 车主, 法定代表人 …), numbers, addresses, dates of birth, ages, and the columns a
    columns file maps to 'personal'."""
    from ..privacy.detect import is_person_name

    people: list[str] = []
    known: list[tuple[str, str]] = []
    for key in DROPPED:
        value = row.cells.get(key, "").strip()
        if not value:
            continue
        kind = BY_KEY[key].kind
        if kind == "name":
            people.append(value)
        elif kind == "age":
            number = normalise(value).rstrip("岁周 ")
            if number.isdigit():
                known += [("age", f"{number}周岁"), ("age", f"{number}岁")]
        elif kind == "birth_date":
            born = parse_date(value)
            forms = [value] + ([born.isoformat(), f"{born.year}年{born.month}月{born.day}日",
                                f"{born.year}年{born.month:02d}月{born.day:02d}日", f"{born.year}.{born.month:02d}.{born.day:02d}",
                                f"{born.year}/{born.month}/{born.day}"] if born else [])
            known += [("birth_date", form) for form in dict.fromkeys(forms) if len(form) >= _MIN_KNOWN]
        elif len(value) >= _MIN_KNOWN:
            known.append((kind, value))
    for value in row.personal.values():
        parts = [part for part in _NAME_PARTS.split(value) if part]
        if parts and all(is_person_name(part) for part in parts):
            people.append(value)
        elif len(value.strip()) >= _MIN_KNOWN:
            known.append(("personal", value.strip()))
    return "、".join(people), known


@dataclass
class ConvertedRow:
    row: int
    case: Case
    case_no: str
    anonymiser: CaseAnonymiser
    data: bytes = b""            # the record as written (YAML), filled in by the importer
    withheld: str = ""           # why it must never be published (a minor), '' when it may be


def convert_row(file: str, row: RawRow, names: tuple[str, ...] = ()) -> ConvertedRow:
    """Validate, anonymise and build one case; InputError lists every problem of the row.
    `names`: person names other records of the import revealed (replaced here too)."""
    # Control and invisible characters are removed before anything reads a cell.
    def clean(values: dict[str, str]) -> dict[str, str]:
        return {key: clean_cell(value) if isinstance(value, str) else value for key, value in values.items()}
    row = dataclasses.replace(row, cells=clean(row.cells), personal=clean(row.personal))
    cells = row.cells
    problems: list[Problem] = []

    def problem(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(file, message, row.number, label(key), hint))

    case_no = cells.get("case_no", "")
    slug = None
    if not case_no:
        problem("case_no", "required value is empty", "every case needs its decision number")
    else:
        slug = case_id(case_no)
        if not slug:
            problem("case_no", f"'{case_no}' has no number to make an id from", "e.g. 济交执罚〔2024〕1001号")
    date = None
    if cells.get("date"):
        date = parse_date(cells["date"])
        if date is None:
            problem("date", f"'{cells['date']}' is not a date", "write YYYY-MM-DD, e.g. 2024-03-05")
    decision_date, kind, withheld = _lifecycle_cells(cells, date, problem)
    declared = bool(cells.get("party_kind"))
    legal_basis: list[dict[str, str]] | str = cells.get("legal_basis", "")
    if legal_basis:
        try:
            legal_basis = [{"law": f"《{b.law}》", "article": b.article} for b in parse_citation(legal_basis)]
        except ValueError as exc:
            problem("legal_basis", str(exc))
    texts = {key: cells.get(key, "") for key in TEXT_FIELDS}
    party, known = personal_values(row)
    published, anonymiser = anonymise_fields(texts, party=party, known=known, names=names)
    mapping = {
        "id": slug or "x", "case_no": case_no, "title": published["title"], "category": cells.get("category", ""),
        "date": date.isoformat() if date else "", "place": published["place"], "cause": published["cause"],
        "facts": published["facts"], "investigation": published["investigation"], "legal_basis": legal_basis,
        "decision": published["decision"], "fine_yuan": fine_from_decision(cells.get("decision", "")),
        "discretion": cells.get("discretion", ""), "handling": cells.get("handling", ""),
        "explanation": published["explanation"],
        "decision_date": decision_date.isoformat() if decision_date else "",
        # Kind, name and code are written only when the export's 当事人类型 says so: an
        # inferred kind is used for the minors' check, but never publishes a name.
        "party_kind": kind if declared else "",
        "party_name": cells.get("party", "").strip() if declared and kind in ORGANISATION_KINDS else "",
        "credit_code": cells.get("credit_code", "").strip() if declared and kind in ORGANISATION_KINDS else "",
    }
    try:
        case = case_from_mapping(mapping, file, LineMap(default=row.number))
    except InputError as exc:
        reported = {p.field for p in problems}
        for p in exc.problems:
            key = p.field or ""
            if label(key) in reported:
                continue
            problems.append(Problem(file, _plain(p.message, key), row.number, label(key) if key else None, p.hint
                                    if not (p.hint or "").startswith("add '") else "fill in this column"))
    if problems:
        raise InputError(problems)
    return ConvertedRow(row.number, case, case_no, anonymiser, withheld=withheld)


def _lifecycle_cells(cells: dict[str, str], date: dt.date | None, problem) -> tuple[dt.date | None, str, str]:
    """处罚决定日期, 当事人类型 (declared or inferred) and the minors' check (lifecycle.py)."""
    decision_date = None
    if cells.get("decision_date"):
        decision_date = parse_date(cells["decision_date"])
        if decision_date is None:
            problem("decision_date", f"'{cells['decision_date']}' is not a date", "write YYYY-MM-DD, e.g. 2024-03-05")
    if cells.get("birth_date") and parse_date(cells["birth_date"]) is None:
        problem("birth_date", f"'{cells['birth_date']}' is not a date", "write YYYY-MM-DD (read for the minors' check)")
    kind = party_kind(cells.get("party_kind", ""), cells.get("party", ""))
    if kind is None:
        problem("party_kind", f"'{cells['party_kind']}' is not a party kind", f"one of: {' / '.join(PARTY_KINDS)}")
        kind = ""
    withheld = minor_reason(cells, date, parse_date) if kind in ("自然人", "") else None
    return decision_date, kind, withheld or ""


def _plain(message: str, key: str) -> str:
    """The record validator speaks of fields; in a sheet they are columns' values."""
    return message.replace("required field is missing or empty", "required value is empty") \
                  .replace("required date is missing", "required value is empty")
