"""The publication lifecycle: which cases the site shows on a given date, and why.

A stage of its own between "load + validate" and "model" (docs/lifecycle.md):

    decide(cases, rules, as_of, state, withdrawals) -> Outcome

is a pure function: the same records, rule table (`data/publicity.yaml`), withdrawals
(`data/withdrawals.yaml`), publication state (`publication.json`) and date always give
the same outcome. The outcome holds the cases that keep a page (with their status,
first publication, 公示截止期 and 更正记录 filled in), the 撤回说明 notices, every
correction, the state changes since the last build, the new state, and the problems
that stop the build.

Where a date comes from: 行政处罚法 第四十八条 (withdraw within three days, publish the
reason); 市场监督管理行政处罚信息公示规定 第十二–十四条 (corrections; three months for
通报批评 and lower fines, three years otherwise). The numbers are the bureau's to edit,
in `data/publicity.yaml`; the defaults written by `pufa init` are the national ones.

The state file lives at the project root, not in `data/`: every file in `data/` is part
of every page's inputs (the build's code and data key), and the state changes with each
publication, which would render every page again.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, ProblemCollector
from ..fsutil import atomic_write_text
from ..records.case import FIELD_LABELS, ORGANISATION_KINDS, PARTY_KINDS, Case, Correction
from ..yamlio import LineMap, load_yaml

RULES_FILE = "publicity.yaml"              # in data/
WITHDRAWALS_FILE = "withdrawals.yaml"      # in data/
STATE_FILE = "publication.json"            # at the project root, written by the build
WITHDRAW_DEADLINE_DAYS = 3                 # 行政处罚法 第四十八条

PUBLISHED, WITHDRAWN, STOPPED = "公示中", "已撤回", "停止公示"
AT_END = ("keep", "anonymise", "take_down")
CONDITIONS = ("penalties_only", "fine_below", "penalties_any", "no_penalty")
STARTS = ("decision_date", "published")
# Kinds of administrative penalty (行政处罚法 第九条), as a decision's text names them.
PENALTY_WORDS = {
    "警告": "警告", "通报批评": "通报批评", "罚款": "罚款", "没收": "没收违法所得、没收非法财物",
    "暂扣": "暂扣许可证件", "吊销": "吊销许可证件", "降低资质等级": "降低资质等级",
    "限制开展生产经营活动": "限制开展生产经营活动", "责令停产停业": "责令停产停业", "责令关闭": "责令关闭",
    "限制从业": "限制从业", "行政拘留": "行政拘留",
}
_NOT_PUNISHED = re.compile(r"不予(?:行政)?处罚")
# Fields whose change is not a correction of the published content (links between pages).
_NOT_CONTENT = {"id", "related_episodes", "related_livestreams", "tags", "publicity_rule", "publicity_until", "revoked"}


# ── the rule table ───────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str                      # 'days' | 'months' | 'years'; amount 0 = no end

    def end(self, start: dt.date) -> dt.date | None:
        """The last day of publicity (inclusive), or None when it has no end.

        As 民法典 第二百零一、二百零三条 count a period: the first day is not counted; a
        period of months or years ends on the same day of the last month, or on that
        month's last day where it has no such day."""
        if self.amount == 0:
            return None
        if self.unit == "days":
            return start + dt.timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == "years" else 1)
        year, month = divmod(start.month - 1 + months, 12)
        year += start.year
        return dt.date(year, month + 1, min(start.day, _days_in_month(year, month + 1)))

    def __str__(self) -> str:
        if self.amount == 0:
            return "不设期限"
        return f"{self.amount} {'天' if self.unit == 'days' else '个月' if self.unit == 'months' else '年'}"


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


_PERIOD = re.compile(r"^\s*(\d+)\s*(days?|months?|years?|天|个月|月|年)\s*$")


def parse_period(value: object) -> Period | None:
    text = str(value).strip().lower()
    if text in ("none", "无", "不设期限", "0"):
        return Period(0, "days")
    match = _PERIOD.match(text)
    if not match or int(match.group(1)) <= 0:
        return None
    unit = match.group(2)
    unit = "days" if unit.startswith("day") or unit == "天" else "years" if unit.startswith("year") or unit == "年" \
        else "months"
    return Period(int(match.group(1)), unit)


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    period: Period
    penalties_only: tuple[str, ...] = ()        # every penalty of the decision is one of these
    penalties_any: tuple[str, ...] = ()         # the decision has one of these
    fine_below: dict[str, float] | None = None  # party kind → amount (元): only fines/warnings, below it
    no_penalty: bool = False                    # 不予处罚: no penalty was imposed

    def matches(self, case: Case, penalties: frozenset[str]) -> bool:
        if self.no_penalty and penalties:
            return False
        if self.penalties_only and not (penalties and penalties <= set(self.penalties_only)):
            return False
        if self.penalties_any and not penalties & set(self.penalties_any):
            return False
        if self.fine_below is not None:
            if not penalties <= {"警告", "通报批评", "罚款"} or "罚款" not in penalties:
                return False
            limit = self.fine_below.get(case.kind)
            if limit is None or case.fine_yuan is None or case.fine_yuan >= limit:
                return False
        return True


@dataclass(frozen=True)
class Authority:
    """Who decides and who sends the data (the 双公示 export's last columns)."""

    name: str = ""
    credit_code: str = ""
    source: str = ""
    source_code: str = ""


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    start: str = "decision_date"                 # what the period counts from
    at_end: dict[str, str] = field(default_factory=dict)   # party kind → keep / anonymise / take_down
    authority: Authority = Authority()
    file: str = ""
    lines: LineMap = field(default_factory=LineMap)

    @property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def rule_for(self, case: Case) -> Rule | None:
        if case.publicity_rule:
            return self.by_id.get(case.publicity_rule)
        penalties = penalties_of(case.decision)
        for rule in self.rules:
            if rule.matches(case, penalties):
                return rule
        return None


def penalties_of(decision: str) -> frozenset[str]:
    """The kinds of penalty a decision's text imposes ('不予处罚' imposes none)."""
    if _NOT_PUNISHED.search(decision) and "罚款" not in decision.replace("不予处罚", ""):
        return frozenset()
    return frozenset(word for word in PENALTY_WORDS if word in decision)


def load_rules(path: Path) -> Rules | None:
    """`data/publicity.yaml`, checked field by field; None when the project has none."""
    if not path.exists():
        return None
    data, lines = load_yaml(path)
    problems = ProblemCollector()

    def bad(where: str, message: str, hint: str | None = None) -> None:
        problems.add(path, message, line=lines(where), field=where, hint=hint)

    if not isinstance(data, dict):
        raise InputError.at(path, "expected a mapping with 'rules:'", line=1, hint="see docs/lifecycle.md")
    known = {"rules", "start", "at_end", "authority"}
    for key in data:
        if key not in known:
            bad(str(key), f"unknown setting '{key}'", f"known: {', '.join(sorted(known))}")
    start = str(data.get("start") or "decision_date")
    if start not in STARTS:
        bad("start", f"'{start}' is not one of: {' / '.join(STARTS)}")
    rules: list[Rule] = []
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        bad("rules", "expected a list of rules", "see docs/lifecycle.md")
        raw_rules = []
    for index, item in enumerate(raw_rules):
        where = f"rules[{index}]"
        if not isinstance(item, dict):
            bad(where, "expected {id, period, …}")
            continue
        for key in item:
            if key not in ("id", "label", "period", *CONDITIONS):
                bad(f"{where}.{key}", f"unknown rule field '{key}'",
                    f"known: id, label, period, {', '.join(CONDITIONS)}")
        rule_id = str(item.get("id") or "")
        if not rule_id:
            bad(f"{where}.id", "every rule needs an id")
        elif rule_id in {r.id for r in rules}:
            bad(f"{where}.id", f"duplicate rule id '{rule_id}'")
        period = parse_period(item.get("period", ""))
        if period is None:
            bad(f"{where}.period", f"'{item.get('period', '')}' is not a period", "write e.g. '3 months', '3 years' or 'none'")
        only = _penalties(item.get("penalties_only"), f"{where}.penalties_only", bad)
        any_ = _penalties(item.get("penalties_any"), f"{where}.penalties_any", bad)
        fine_below = None
        if "fine_below" in item:
            raw = item["fine_below"]
            if not isinstance(raw, dict):
                bad(f"{where}.fine_below", "expected party kind → amount in 元, e.g. {自然人: 5000, 法人: 50000}")
            else:
                fine_below = {}
                for kind, amount in raw.items():
                    if kind not in PARTY_KINDS:
                        bad(f"{where}.fine_below.{kind}", f"unknown party kind '{kind}'",
                            f"one of: {' / '.join(PARTY_KINDS)}")
                    elif isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
                        bad(f"{where}.fine_below.{kind}", f"'{amount}' is not an amount in 元")
                    else:
                        fine_below[kind] = float(amount)
        if period is not None and rule_id:
            rules.append(Rule(rule_id, str(item.get("label") or rule_id), period, only, any_, fine_below,
                              bool(item.get("no_penalty"))))
    at_end: dict[str, str] = {}
    raw_end = data.get("at_end") or {}
    if not isinstance(raw_end, dict):
        bad("at_end", "expected party kind → keep / anonymise / take_down")
        raw_end = {}
    for kind, action in raw_end.items():
        if kind not in PARTY_KINDS:
            bad(f"at_end.{kind}", f"unknown party kind '{kind}'", f"one of: {' / '.join(PARTY_KINDS)}")
        elif action not in AT_END:
            bad(f"at_end.{kind}", f"'{action}' is not one of: {' / '.join(AT_END)}")
        else:
            at_end[str(kind)] = str(action)
    authority = data.get("authority") or {}
    if not isinstance(authority, dict):
        bad("authority", "expected {name, credit_code, source, source_code}")
        authority = {}
    problems.raise_if_any()
    return Rules(tuple(rules), start, at_end,
                 Authority(*(str(authority.get(k) or "") for k in ("name", "credit_code", "source", "source_code"))),
                 str(path), lines)


def _penalties(value: Any, where: str, bad: Callable[..., None]) -> tuple[str, ...]:
    if value in (None, "", []):
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        bad(where, "expected a list of penalty kinds")
        return ()
    for index, word in enumerate(values):
        if word not in PENALTY_WORDS:
            bad(f"{where}[{index}]", f"unknown penalty kind '{word}'", f"one of: {' / '.join(PENALTY_WORDS)}")
    return tuple(str(w) for w in values if w in PENALTY_WORDS)


def end_action(rules: Rules | None, kind: str) -> str:
    """What happens when publicity ends: the table's choice, else the national default
    (an organisation's named case is taken down; an anonymised person's case stays)."""
    if rules is not None and kind in rules.at_end:
        return rules.at_end[kind]
    return "take_down" if kind in ORGANISATION_KINDS else "keep"


# ── withdrawals ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Withdrawal:
    """A 撤回说明: the case number, the date the decision was changed or revoked, and why.
    Nothing else of the case is ever shown with it."""

    id: str
    case_no: str
    date: dt.date
    reason: str


def load_withdrawals(path: Path) -> list[Withdrawal]:
    if not path.exists():
        return []
    data, lines = load_yaml(path)
    problems = ProblemCollector()
    items = data.get("withdrawals") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError.at(path, "expected 'withdrawals:' with a list", line=1,
                            hint="write it with 'pufa cases withdraw ID --reason TEXT'")
    out: list[Withdrawal] = []
    for index, item in enumerate(items):
        where = f"withdrawals[{index}]"
        if not isinstance(item, dict):
            problems.add(path, "expected {id, case_no, date, reason}", line=lines(where), field=where)
            continue
        values = {}
        for key in ("id", "date", "reason"):
            values[key] = str(item.get(key) or "").strip()
            if not values[key]:
                problems.add(path, "required field is missing or empty", line=lines(f"{where}.{key}"),
                             field=f"{where}.{key}")
        try:
            date = dt.date.fromisoformat(values["date"]) if values["date"] else None
        except ValueError:
            problems.add(path, f"'{values['date']}' is not a real date in YYYY-MM-DD form",
                         line=lines(f"{where}.date"), field=f"{where}.date")
            date = None
        if date is not None and values["id"] and values["reason"]:
            out.append(Withdrawal(values["id"], str(item.get("case_no") or "").strip(), date, values["reason"]))
    problems.raise_if_any()
    return out


# ── the publication state (publication.json) ─────────────────────────────────


_CONTENT_FIELDS = tuple(name for name in FIELD_LABELS if name not in _NOT_CONTENT)
_WIDTH = 6                 # hex digits of each field's digest
_EMPTY = "0" * _WIDTH


@dataclass(slots=True)
class Entry:
    published: dt.date
    status: str
    fields: str                                  # field digests at the last build, _CONTENT_FIELDS order
    corrections: list[Correction] = field(default_factory=list)
    digest: str = ""                             # the whole record's digest (a shortcut past `fields`)


@dataclass
class State:
    cases: dict[str, Entry] = field(default_factory=dict)

    def dumps(self) -> str:
        """One case a line, sorted: a reviewable diff when committed. Each line is
        [first published, status, record digest, field digests, corrections]; the
        header names the fields the digests are of, in order."""
        lines = []
        for case_id in sorted(self.cases):
            e = self.cases[case_id]
            value = [e.published.isoformat(), e.status, e.digest, e.fields,
                     [[c.date.isoformat(), *c.fields] for c in e.corrections]]
            lines.append(f"{json.dumps(case_id)}: {json.dumps(value, ensure_ascii=False)}")
        body = ",\n".join(lines)
        head = json.dumps({"version": 2, "fields": list(_CONTENT_FIELDS)}, ensure_ascii=False)[:-1]
        return head + ', "cases": {\n' + body + ("\n" if body else "") + "}}\n"


def load_state(path: Path) -> State:
    if not path.exists():
        return State()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = data["fields"]
        same = names == list(_CONTENT_FIELDS)
        state = State()
        fromiso = dt.date.fromisoformat
        for case_id, (published, status, digest, fields, corrections) in data["cases"].items():
            if not same:        # written by another pufa: the digests re-ordered to ours
                old = {name: fields[i * _WIDTH:(i + 1) * _WIDTH] for i, name in enumerate(names)}
                fields, digest = "".join(old.get(name, _EMPTY) for name in _CONTENT_FIELDS), ""
            state.cases[case_id] = Entry(
                fromiso(published), status, fields,
                [Correction(fromiso(c[0]), tuple(c[1:])) for c in corrections] if corrections else [], digest)
        return state
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise InputError.at(path, f"the publication state is unreadable ({exc})",
                            hint="restore it from version control (git checkout -- publication.json)") from None


def field_digests(case: Case) -> str:
    """A short digest of each content field (what a 更正记录 names), in one string."""
    out = []
    for name in _CONTENT_FIELDS:
        value = getattr(case, name)
        if value is None or value == "" or value == ():
            out.append(_EMPTY)
        else:
            out.append(hashlib.blake2b(repr(value).encode(), digest_size=_WIDTH // 2).hexdigest())
    return "".join(out)


def changed_fields(old: str, new: str) -> tuple[str, ...]:
    return tuple(name for i, name in enumerate(_CONTENT_FIELDS)
                 if old[i * _WIDTH:(i + 1) * _WIDTH] != new[i * _WIDTH:(i + 1) * _WIDTH])


# ── the decision ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Change:
    id: str
    old: str            # '' = new
    new: str
    why: str

    def __str__(self) -> str:
        if self.old == self.new:
            return f"{self.id}: {self.new} ({self.why})"
        return f"{self.id}: {self.old or '新'} → {self.new} ({self.why})"


@dataclass
class Outcome:
    cases: list[Case]                       # the cases with a page, lifecycle fields filled in
    all_cases: list[Case]                   # every case record (the statistics count them all)
    withdrawals: list[Withdrawal]           # 撤回说明 notices, newest first
    corrections: list[tuple[Case, Correction]]   # of cases with a page, newest first
    changes: list[Change]
    state: State
    warnings: list[str] = field(default_factory=list)
    problems: ProblemCollector = field(default_factory=ProblemCollector)
    rules: Rules | None = None
    as_of: dt.date | None = None
    state_changed: bool = True                  # the new state differs from the one read
    statuses: dict[str, str] = field(default_factory=dict)   # case id → status as of the date


def decide(cases: list[Case], rules: Rules | None, as_of: dt.date, state: State,
           withdrawals: list[Withdrawal] = (), digest_of: Callable[[Case], str] | None = None,
           lines: Callable[[Case, str], int | None] = lambda case, path: None) -> Outcome:
    """Apply the rule table, withdrawals and corrections to every case as of `as_of`.

    Pure: nothing is read or written; `state` is not changed (the new one is returned).
    `digest_of` (a fast digest of a whole case) lets unchanged cases skip field hashing.
    `lines(case, field)` locates a problem in the case's file."""
    problems = ProblemCollector()
    withdrawn = {w.id: w for w in withdrawals}
    new_state = State()
    shown: list[Case] = []
    changes: list[Change] = []
    warnings: list[str] = []
    corrections: list[tuple[Case, Correction]] = []
    by_id = {case.id: case for case in cases}
    # 10,000 cases share a few hundred decisions and dates: each rule is found once.
    rule_memo: dict[tuple, Rule | None] = {}
    dirty = False
    statuses: dict[str, str] = {}
    # The lifecycle keeps its state (first publication, corrections) only in a project
    # that has a rule table: data/publicity.yaml is where a bureau opts in.
    tracking = rules is not None
    until_memo: dict[tuple, dt.date | None] = {}

    def problem(case: Case, name: str, message: str, hint: str | None = None) -> None:
        problems.add(case.source_file, message, line=lines(case, name), field=name, hint=hint)

    for case in cases:
        old = state.cases.get(case.id)
        if case.decision_date is not None and case.decision_date > as_of:
            problem(case, "decision_date", f"decision date {case.decision_date} is later than the build date {as_of}",
                    "check the date, or build with --as-of a later date")
            continue
        rule = None
        if rules is not None:
            key = (case.publicity_rule, case.decision, case.party_kind, case.fine_yuan)
            rule = rule_memo[key] if key in rule_memo else rule_memo.setdefault(key, rules.rule_for(case))
            if rule is None and case.publicity_rule:
                problem(case, "publicity_rule", f"no rule '{case.publicity_rule}' in {rules.file}",
                        f"one of: {', '.join(rules.by_id)}")
                continue
        # First publication is history: a build --as-of another date never rewrites it.
        published = old.published if old is not None else as_of if tracking else None
        until = case.publicity_until
        if until is None and rule is not None and rule.period.amount:
            start = case.decision_date if rules.start == "decision_date" else published
            if start is None:
                problem(case, "decision_date", f"a decision date is needed to compute the publicity period "
                        f"(rule '{rule.id}', {rules.start})", "add 'decision_date: YYYY-MM-DD' (处罚决定日期)")
                continue
            key = (rule.id, start)
            until = until_memo[key] if key in until_memo else until_memo.setdefault(key, rule.period.end(start))
        kind = case.kind
        withdrawal = withdrawn.get(case.id)
        page: Case | None = case
        action = ""
        if withdrawal is not None:
            status, page = WITHDRAWN, None
        elif until is not None and as_of > until:
            status = STOPPED
            action = end_action(rules, kind)
            if action == "take_down":
                page = None
            elif action == "anonymise" and case.party_name:
                page = anonymise_party(case)
        else:
            status = PUBLISHED
        statuses[case.id] = status
        if case.revoked is not None and withdrawal is None:
            late = (as_of - case.revoked).days
            if late > WITHDRAW_DEADLINE_DAYS:
                problem(case, "revoked", f"the decision was revoked on {case.revoked}, {late} days ago, and the case "
                        f"is still published (the law allows {WITHDRAW_DEADLINE_DAYS} days)",
                        f"pufa cases withdraw {case.id} --reason '…' --date {case.revoked}")
                continue
            warnings.append(f"{case.id}: the decision was revoked on {case.revoked}; withdraw it by "
                            f"{case.revoked + dt.timedelta(days=WITHDRAW_DEADLINE_DAYS)} "
                            f"(pufa cases withdraw {case.id} --reason '…')")
        if not tracking:            # no rule table: no state, so no corrections and no changes
            if page is not None:
                shown.append(_with(page, published=published, status=status, publicity_until=until))
            continue
        # Corrections: the content changed since the last build that published it.
        entry_corrections = old.corrections if old is not None else []
        digest = digest_of(case) if digest_of is not None else ""
        if old is not None and digest and digest == old.digest:
            fields = old.fields
        else:
            fields = field_digests(case)
            if old is not None and old.status != WITHDRAWN and fields != old.fields:
                changed = changed_fields(old.fields, fields)
                if changed:
                    correction = Correction(as_of, changed)
                    entry_corrections = [*entry_corrections, correction]
                    changes.append(Change(case.id, status, status, f"更正：{'、'.join(correction.labels)}"))
        if old is not None and old.published == published and old.status == status and old.digest == digest \
                and old.fields == fields and old.corrections is entry_corrections:
            new_state.cases[case.id] = old          # the usual case on a rebuild: nothing to say
        else:
            new_state.cases[case.id] = Entry(published, status, fields, entry_corrections, digest)
            dirty = True
        if old is None or old.status != status:
            changes.append(Change(case.id, old.status if old else "", status,
                                  _why(status, until, action, withdrawal)))
        if page is not None:
            page = _with(page, published=published, status=status, publicity_until=until,
                         corrections=tuple(entry_corrections))
            shown.append(page)
            for correction in entry_corrections:
                corrections.append((page, correction))
    notices = []
    for w in withdrawals:
        case = by_id.get(w.id)
        notices.append(dataclasses.replace(w, case_no=w.case_no or (case.case_no if case else "")))
        if case is None and w.id in state.cases:         # the record is gone; its notice stays
            new_state.cases[w.id] = dataclasses.replace(state.cases[w.id], status=WITHDRAWN)
            dirty = dirty or state.cases[w.id].status != WITHDRAWN
    # Cases whose file was removed: they leave the state (and say so).
    for case_id, entry in state.cases.items():
        if case_id not in by_id and case_id not in withdrawn and entry.status != "":
            changes.append(Change(case_id, entry.status, "已删除", "案例文件已删除"))
    notices.sort(key=lambda w: (w.date, w.id), reverse=True)
    corrections.sort(key=lambda item: (item[1].date, item[0].id), reverse=True)
    changes.sort(key=lambda c: c.id)
    dirty = dirty or len(new_state.cases) != len(state.cases)
    if not tracking:
        new_state, dirty, changes = state, False, []
    return Outcome(shown, list(cases), notices, corrections, changes, new_state, warnings, problems, rules, as_of,
                   state_changed=dirty, statuses=statuses)


def _why(status: str, until: dt.date | None, action: str, withdrawal: Withdrawal | None) -> str:
    if status == WITHDRAWN and withdrawal is not None:
        return f"撤回：{withdrawal.reason}"
    if status == STOPPED:
        return f"公示期满 {until}，" + {"keep": "作为以案释法案例保留", "anonymise": "隐去名称后保留",
                                       "take_down": "撤下"}[action]
    return f"公示至 {until}" if until else "公示（不设期限）"


def _with(case: Case, **values: Any) -> Case:
    """dataclasses.replace without re-running __init__ for 30 fields: a tenth of the
    time, which counts for 10,000 cases on every rebuild. Only lifecycle fields, whose
    values decide() has checked, are set this way."""
    new = object.__new__(Case)
    new.__dict__.update(case.__dict__)
    new.__dict__.update(values)
    return new


# The 组织形式 that end a firm's name, longest first, and the trades worth keeping in
# '某运输有限公司' (they say what kind of firm it was without saying which one).
_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "合伙企业", "专业合作社", "合作社", "集团", "公司", "协会",
          "中心", "车队", "经营部", "商行", "厂", "站")
_TRADES = ("汽车租赁", "出租汽车", "汽车运输", "道路运输", "客运", "货运", "物流", "运输", "公交", "驾驶员培训",
           "驾驶培训", "机动车维修", "汽车维修", "汽车服务", "交通", "运业", "租赁", "科技", "贸易", "工程", "建设")


def anonymous_name(name: str) -> str:
    """'济南顺达运输有限公司' → '某运输有限公司'; an unknown shape → '某单位'."""
    for form in _FORMS:
        if name.endswith(form):
            rest = name[: -len(form)]
            trade = next((t for t in _TRADES if rest.endswith(t)), "")
            return f"某{trade}{form}"
    return "某单位"


def anonymise_party(case: Case) -> Case:
    """The case with its organisation's name replaced everywhere it appears, and no code."""
    name, anon = case.party_name, anonymous_name(case.party_name)
    texts = {f: getattr(case, f).replace(name, anon) for f in
             ("title", "place", "cause", "facts", "investigation", "decision", "explanation")}
    return dataclasses.replace(case, party_name=anon, credit_code="", **texts)


# ── reading the project (the impure edge) ─────────────────────────────────────


def today() -> dt.date:
    return dt.date.today()


def _case_lines() -> Callable[[Case, str], int | None]:
    cache: dict[str, LineMap] = {}

    def lines(case: Case, path: str) -> int | None:
        if case.source_file not in cache:
            try:
                cache[case.source_file] = load_yaml(case.source_file)[1]
            except (InputError, OSError):
                cache[case.source_file] = LineMap()
        return cache[case.source_file](path)
    return lines


def outcome_for(root: Path, data_dir: Path, cases: list[Case], as_of: dt.date | None = None,
                digest_of: Callable[[Case], str] | None = None, strict: bool = True) -> Outcome:
    """Read the rule table, withdrawals and state of a project and decide; raises the
    InputError that lists every problem."""
    problems = ProblemCollector()
    rules = withdrawals = None
    try:
        rules = load_rules(data_dir / RULES_FILE)
    except InputError as exc:
        problems.extend(exc)
    try:
        withdrawals = load_withdrawals(data_dir / WITHDRAWALS_FILE)
    except InputError as exc:
        problems.extend(exc)
    state = load_state(root / STATE_FILE)
    problems.raise_if_any()
    outcome = decide(cases, rules, as_of or today(), state, withdrawals or [], digest_of, _case_lines())
    if strict:
        outcome.problems.raise_if_any()
    return outcome


@dataclass
class Applied:
    """What the build keeps of the lifecycle: the notes it prints and the state it
    writes once the new site is live."""

    outcome: Outcome
    state_file: Path
    notes: list[str]

    def commit(self) -> None:
        if self.outcome.rules is None or (not self.outcome.state_changed and self.state_file.exists()):
            return
        text = self.outcome.state.dumps()
        try:
            if self.state_file.read_text(encoding="utf-8") == text:
                return
        except OSError:
            pass
        atomic_write_text(self.state_file, text)


MAX_CHANGES_SHOWN = 20


def change_notes(outcome: Outcome) -> list[str]:
    """What the build prints: first publications counted in one line (a first build
    publishes every case), every other change named, up to MAX_CHANGES_SHOWN."""
    first = [c for c in outcome.changes if not c.old and c.new == PUBLISHED]
    others = [c for c in outcome.changes if c.old or c.new != PUBLISHED]
    if not outcome.changes:
        return []
    notes = [f"publication as of {outcome.as_of}: {len(outcome.changes)} state change(s) since the last build"]
    if first:
        notes.append(f"{len(first)} case(s) published for the first time")
    notes += [str(change) for change in others[:MAX_CHANGES_SHOWN]]
    if len(others) > MAX_CHANGES_SHOWN:
        notes.append(f"… and {len(others) - MAX_CHANGES_SHOWN} more (pufa cases status)")
    return notes


def apply_to_model(model: Any, as_of: dt.date | None = None) -> tuple[Any, Applied]:
    """The build's lifecycle step: a new SiteModel holding only the cases that keep a
    page (lifecycle fields filled in), every case for the statistics, and the outcome
    for the notices, corrections and feed sections. A case the lifecycle changed is a
    new object, so its pages' keys are computed from its fields (pages.ViewKeys), never
    taken from the record as loaded."""
    config = model.config
    outcome = outcome_for(config.root, config.data_dir, model.cases, as_of)
    new = dataclasses.replace(model, cases=outcome.cases, all_cases=outcome.all_cases, lifecycle=outcome)
    notes = change_notes(outcome)
    notes += [f"warning: {w}" for w in outcome.warnings]
    return new, Applied(outcome, config.root / STATE_FILE, notes)