"""The review report of one import: every change made, by case and field, with the text
before and after, plus counts per kind. For the reviewer only: it holds the personal data
that was removed, so it is written to `reports/` (gitignored), never under `site/`.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..fsutil import atomic_write_text
from ..privacy.anonymise import Change
from ..privacy.detect import KINDS

KIND_LABELS = {
    "name": "姓名 name", "id_number": "身份证号 ID number", "phone": "电话 phone",
    "bank_card": "银行卡号 bank card", "vin": "车架号 VIN", "plate": "车牌 plate",
    "house_number": "门牌号 house number",
    # issue 14: the other forms (generator/privacy/forms.py)
    "email": "邮箱 e-mail", "qq": "QQ号 QQ", "wechat": "微信号 WeChat ID", "certificate": "证件号 certificate",
    "business_id": "个体工商户代码 sole trader's code", "engine_number": "发动机号 engine number",
    "birth_date": "出生日期 date of birth", "age": "年龄 age",
}


@dataclass
class CaseChanges:
    case_id: str
    case_no: str
    source: str                  # file:row
    status: str                  # written / unchanged / skipped (edited) / …
    changes: list[Change] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)   # personal columns not published


def counts(cases: list[CaseChanges]) -> Counter:
    total: Counter = Counter()
    for case in cases:
        total.update(change.kind for change in case.changes)
    return total


# A cell starting with one of these is a formula to Excel/WPS/LibreOffice (=1+1, +86…,
# -2+3, @SUM(…), and tab/CR before any of them): the export's text must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """`value` as a cell a spreadsheet shows and never executes: a leading apostrophe
    (hidden by Excel, the OWASP advice) before any text it would read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(cases: list[CaseChanges]) -> str:
    out = io.StringIO()
    # CRLF (RFC 4180, what Excel writes): the csv module quotes a field holding any
    # character of the line terminator, so a CR inside a cell cannot start a new row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["case_id", "case_no", "source", "status", "field", "kind", "before", "after", "context"])
    for case in cases:
        for change in case.changes:
            writer.writerow([spreadsheet_safe(v) for v in (
                case.case_id, case.case_no, case.source, case.status, change.field, change.kind,
                change.before, change.after, change.context)])
    return out.getvalue()


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("generator.importer", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def to_html(cases: list[CaseChanges], title: str, sources: list[str], skipped: list[str]) -> str:
    total = counts(cases)
    rows = [(KIND_LABELS.get(kind, kind), total.get(kind, 0)) for kind in KINDS]
    return _environment().get_template("report.html.j2").render(
        title=title, cases=cases, counts=rows, total=sum(total.values()), sources=sources, skipped=skipped)


def write_report(directory: Path, stem: str, cases: list[CaseChanges], sources: list[str],
                 skipped: list[str]) -> tuple[Path, Path]:
    html_path = directory / f"{stem}.html"
    csv_path = directory / f"{stem}.csv"
    # UTF-8 with BOM so that Excel opens the CSV with the Chinese intact.
    atomic_write_text(csv_path, "\ufeff" + to_csv(cases))
    atomic_write_text(html_path, to_html(cases, stem, sources, skipped))
    return html_path, csv_path
