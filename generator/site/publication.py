"""`pufa cases withdraw` and `pufa cases status`: the staff side of the publication
lifecycle (lifecycle.py decides; this module reads the project and writes the one file
a withdrawal changes, `data/withdrawals.yaml`, atomically)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..errors import InputError
from ..fsutil import atomic_write_text
from ..records.case import Case, load_cases
from ..yamlio import dump_yaml
from .lifecycle import (STATE_FILE, STOPPED, WITHDRAW_DEADLINE_DAYS, WITHDRAWALS_FILE, WITHDRAWN, end_action,
                        load_state, load_withdrawals, outcome_for, today)

WITHDRAWALS_HEADER = """\
# 撤回记录 / withdrawals: written by `pufa cases withdraw ID --reason TEXT [--date YYYY-MM-DD]`.
# The next `pufa build` removes each case below from the site and publishes a 撤回说明 page
# with the case number, the date and the reason only (行政处罚法 第四十八条). See docs/lifecycle.md.
"""


def _cases(project: Path) -> tuple[object, list[Case]]:
    config = load_config(project)
    cases = load_cases(config.cases_dir) if config.cases_dir.is_dir() else []
    return config, cases


def withdraw_case(project: Path, case_id: str, reason: str, date: dt.date | None = None) -> str:
    """Record a withdrawal; returns what to tell the user. Nothing is published until
    the next build."""
    config, cases = _cases(project)
    case = {c.id: c for c in cases}.get(case_id)
    path = config.data_dir / WITHDRAWALS_FILE
    existing = load_withdrawals(path)
    if case is None:
        raise InputError.at(config.cases_dir, f"no case with id '{case_id}'", field="ID",
                            hint="the id of a record in cases_public/, e.g. 2024-1001 ('pufa cases status' lists them)")
    if any(w.id == case_id for w in existing):
        raise InputError.at(path, f"case '{case_id}' is already withdrawn", field="ID")
    reason = " ".join(reason.split())
    if not reason:
        raise InputError.at(path, "a withdrawal needs its reason", field="--reason",
                            hint="e.g. --reason '经行政复议，原处罚决定被撤销'")
    date = date or today()
    if date > today():
        raise InputError.at(path, f"date {date} is in the future", field="--date",
                            hint="the date the decision was changed or revoked")
    if case.decision_date is not None and date < case.decision_date:
        raise InputError.at(path, f"date {date} is before the decision date {case.decision_date}", field="--date")
    items = [{"id": w.id, "case_no": w.case_no, "date": w.date.isoformat(), "reason": w.reason} for w in existing]
    items.append({"id": case.id, "case_no": case.case_no, "date": date.isoformat(), "reason": reason})
    atomic_write_text(path, WITHDRAWALS_HEADER + dump_yaml({"withdrawals": items}))
    return (f"recorded: {case.id} ({case.case_no or '无编号'}) withdrawn as of {date}: {reason}\n"
            f"the next 'pufa build' removes the case and publishes its 撤回说明 (withdrawn/{case.id}/)")


@dataclass
class StatusReport:
    as_of: dt.date
    within: int
    counts: dict[str, int] = field(default_factory=dict)
    expiring: list[str] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items()) or "no cases"
        lines = [f"as of {self.as_of}: {counts}"]
        lines.append(f"awaiting withdrawal ({len(self.awaiting)}):" if self.awaiting else "awaiting withdrawal: none")
        lines += [f"  {line}" for line in self.awaiting]
        lines.append(f"publicity ends within {self.within} days ({len(self.expiring)}):" if self.expiring
                     else f"publicity ends within {self.within} days: none")
        lines += [f"  {line}" for line in self.expiring]
        if self.problems:
            lines.append("the next build would stop on:")
            lines += [f"  {line}" for line in self.problems]
        return "\n".join(lines)


def cases_status(project: Path, within: int = 30, as_of: dt.date | None = None) -> StatusReport:
    config, cases = _cases(project)
    as_of = as_of or today()
    outcome = outcome_for(config.root, config.data_dir, cases, as_of, strict=False)
    report = StatusReport(as_of, within)
    for status in outcome.statuses.values():
        report.counts[status] = report.counts.get(status, 0) + 1
    last = load_state(config.root / STATE_FILE)
    for w in outcome.withdrawals:
        before = last.cases.get(w.id)
        if before is not None and before.status != WITHDRAWN:
            report.awaiting.append(f"{w.id} ({w.case_no}): withdrawal recorded for {w.date}, still on the site until "
                                   f"the next build (deadline {w.date + dt.timedelta(days=WITHDRAW_DEADLINE_DAYS)})")
    withdrawn = {w.id for w in outcome.withdrawals}
    for case in sorted(cases, key=lambda c: c.id):
        if case.revoked is not None and case.id not in withdrawn:
            report.awaiting.append(f"{case.id} ({case.case_no}): revoked on {case.revoked}, withdraw by "
                                   f"{case.revoked + dt.timedelta(days=WITHDRAW_DEADLINE_DAYS)} "
                                   f"(pufa cases withdraw {case.id} --reason '…')")
    horizon = as_of + dt.timedelta(days=within)
    for case in sorted(outcome.cases, key=lambda c: (c.publicity_until or dt.date.max, c.id)):
        if case.status != STOPPED and case.publicity_until is not None and case.publicity_until <= horizon:
            action = end_action(outcome.rules, case.kind)
            report.expiring.append(f"{case.id} ({case.kind}): 公示截止期 {case.publicity_until}, then {action}")
    report.problems = [str(p) for p in outcome.problems.problems]
    return report
