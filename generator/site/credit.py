"""`pufa export credit`: the 双公示 (administrative penalty) columns for the credit
platform, from the public records as of a date.

Only a 法人 or 其他组织 is exported: a natural person's or 个体工商户's name and code
are never kept in the public records, so their rows could not be filled in; the command
says how many cases it left out and why. Only cases in publicity on that date are
exported (an expired or withdrawn one is not to be shown any more)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..errors import InputError
from ..fsutil import atomic_write_bytes
from ..records.case import ORGANISATION_KINDS, Case, load_cases
from .lifecycle import PENALTY_WORDS, PUBLISHED, Authority, outcome_for, penalties_of

COLUMNS = ("行政相对人名称", "行政相对人类别", "统一社会信用代码", "处罚决定书文号", "违法行为类型", "违法事实", "处罚依据",
           "处罚类别", "处罚内容", "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号",
           "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源",
           "数据来源单位统一社会信用代码", "备注")


@dataclass
class CreditExport:
    out: Path
    rows: int = 0
    left_out: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        lines = [f"wrote {self.rows} case(s) to {self.out}"]
        if self.left_out:
            lines.append(f"left out {sum(self.left_out.values())}: "
                         + "; ".join(f"{n} {why}" for why, n in sorted(self.left_out.items())))
        return "\n".join(lines)


def _wan(yuan: float | None) -> str:
    if yuan is None:
        return ""
    return f"{yuan / 10000:.6f}".rstrip("0").rstrip(".")


def credit_row(case: Case, authority: Authority) -> list[str]:
    penalties = penalties_of(case.decision)
    basis = "、".join(f"《{b.law}》{b.article}" for b in case.legal_basis)
    until = case.publicity_until.isoformat() if case.publicity_until else ""
    return [case.party_name, "法人及非法人组织", case.credit_code, case.case_no, case.cause, case.facts, basis,
            "、".join(PENALTY_WORDS[p] for p in PENALTY_WORDS if p in penalties), case.decision, _wan(case.fine_yuan),
            "", "", case.decision_date.isoformat() if case.decision_date else "", until, until,
            authority.name, authority.credit_code, authority.source or authority.name,
            authority.source_code or authority.credit_code, ""]


def export_credit(project: Path, out: Path, as_of: dt.date | None = None) -> CreditExport:
    config = load_config(project)
    if out.resolve().is_relative_to(config.site_dir.resolve()):
        raise InputError.at(out, "the export is for the credit platform, not for the public site",
                            field="--out", hint="write it outside site/")
    cases = load_cases(config.cases_dir) if config.cases_dir.is_dir() else []
    outcome = outcome_for(config.root, config.data_dir, cases, as_of)
    authority = outcome.rules.authority if outcome.rules is not None else Authority()
    shown = {case.id: case for case in outcome.cases}
    result = CreditExport(out)
    rows = []
    for case in sorted(cases, key=lambda c: (c.decision_date or c.date, c.id)):
        kind = case.kind
        page = shown.get(case.id)
        if kind not in ORGANISATION_KINDS:
            result.left_out[f"{kind} (their name and code are not kept in public records)"] += 1
        elif page is None or page.status != PUBLISHED:
            result.left_out["not in publicity on this date (expired or withdrawn)"] += 1
        elif not case.party_name:
            result.left_out["法人/其他组织 without party_name in the record"] += 1
        else:
            rows.append(credit_row(page, authority))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    atomic_write_bytes(out, buffer.getvalue().encode("utf-8-sig"))     # with BOM: Excel opens it as UTF-8
    result.rows = len(rows)
    return result
