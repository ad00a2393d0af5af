"""One raw row → one anonymised, validated public case record.

The id rule: the year and serial of the decision number, '济交执罚〔2024〕1001号' →
'2024-1001' (brackets 〔〕[]()【】 of either width; digits as written, leading zeros kept).
A case number without that shape falls back to its digit groups joined by '-'
('JN-TX-2024-77' → '2024-77'); one with no digit at all is an error.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import InputError, Problem
from ..privacy.anonymise import CaseAnonymiser, anonymise_fields
from ..privacy.detect import normalise
from ..privacy.forms import clean_cell
from ..records.case import Case, case_from_mapping
from ..records.law import chinese_number, parse_citation
from ..yamlio import LineMap
from .columns import BY_KEY, label
from .readers import RawRow

_CASE_NO = re.compile(r"[〔\[(【]\s*(\d{4})\s*[〕\])】]\s*第?\s*(\d+)\s*号?")
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_FINE = re.compile(r"罚款(?:人民币)?\s*([0-9][0-9,，.]*|[零〇一二两三四五六七八九十百千]+)\s*(万)?\s*元")
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
        value = float(number) if number[0].isdigit() else float(chinese_number(number.replace("两", "二")))
    except ValueError:
        return None
    return value * 10000 if match.group(2) else value


@dataclass
class ConvertedRow:
    row: int
    case: Case
    case_no: str
    anonymiser: CaseAnonymiser
    data: bytes = b""            # the record as written (YAML), filled in by the importer


def convert_row(file: str, row: RawRow, names: tuple[str, ...] = ()) -> ConvertedRow:
    """Validate, anonymise and build one case; InputError lists every problem of the row.
    `names`: person names other records of the import revealed (replaced here too)."""
    # Control and invisible characters are removed before anything reads a cell.
    cells = {key: clean_cell(value) if isinstance(value, str) else value for key, value in row.cells.items()}
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
    legal_basis: list[dict[str, str]] | str = cells.get("legal_basis", "")
    if legal_basis:
        try:
            legal_basis = [{"law": f"《{b.law}》", "article": b.article} for b in parse_citation(legal_basis)]
        except ValueError as exc:
            problem("legal_basis", str(exc))
    texts = {key: cells.get(key, "") for key in TEXT_FIELDS}
    known = [(key, cells.get(key, "")) for key in PERSONAL_KNOWN]
    published, anonymiser = anonymise_fields(texts, party=cells.get("party", ""), known=known, names=names)
    mapping = {
        "id": slug or "x", "case_no": case_no, "title": published["title"], "category": cells.get("category", ""),
        "date": date.isoformat() if date else "", "place": published["place"], "cause": published["cause"],
        "facts": published["facts"], "investigation": published["investigation"], "legal_basis": legal_basis,
        "decision": published["decision"], "fine_yuan": fine_from_decision(cells.get("decision", "")),
        "discretion": cells.get("discretion", ""), "handling": cells.get("handling", ""),
        "explanation": published["explanation"],
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
    return ConvertedRow(row.number, case, case_no, anonymiser)


def _plain(message: str, key: str) -> str:
    """The record validator speaks of fields; in a sheet they are columns' values."""
    return message.replace("required field is missing or empty", "required value is empty") \
                  .replace("required date is missing", "required value is empty")
