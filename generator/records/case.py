"""The public case record: one YAML file per case in `cases_public/`."""
from __future__ import annotations

import datetime as dt
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, ProblemCollector
from ..yamlio import LineMap, load_yaml
from .law import LegalBasis, parse_citation
from .validate import FieldReader

DISCRETIONS = ("不予处罚", "从轻处罚", "减轻处罚", "一般处罚", "从重处罚")
HANDLINGS = ("首违不罚", "教育纠正", "说理式执法", "简易程序", "普通程序")
# Order in which fields are written, so a re-import diff is reviewable.
CASE_FIELDS = (
    "id", "case_no", "title", "category", "date", "place", "cause", "facts", "investigation",
    "legal_basis", "decision", "fine_yuan", "discretion", "handling", "discretion_item",
    "explanation", "tags", "related_episodes", "related_livestreams",
    # Publication lifecycle (docs/lifecycle.md): dates and the party's kind, all optional.
    "decision_date", "party_kind", "party_name", "credit_code", "publicity_rule", "publicity_until", "revoked",
)
PARTY_KINDS = ("自然人", "法人", "个体工商户", "其他组织")
ORGANISATION_KINDS = ("法人", "其他组织")     # the kinds whose name may be published
STATUSES = ("公示中", "已撤回", "停止公示")


@dataclass(frozen=True)
class Correction:
    """A dated 更正记录: which fields of a published case changed (never their old text)."""

    date: dt.date
    fields: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(FIELD_LABELS.get(name, name) for name in self.fields)


# How fields are named on a 更正记录 (what was corrected, never the old text).
FIELD_LABELS = {
    "title": "案件名称", "case_no": "案件编号", "category": "类别", "date": "违法时间", "place": "违法地点",
    "cause": "案由", "facts": "违法事实", "investigation": "调查经过", "legal_basis": "处罚依据",
    "decision": "处罚决定", "fine_yuan": "罚款金额", "discretion": "裁量情形", "handling": "办案方式",
    "discretion_item": "适用裁量清单", "explanation": "执法人员说法", "tags": "标签",
    "related_episodes": "相关视频", "related_livestreams": "相关直播", "decision_date": "处罚决定日期",
    "party_kind": "当事人类型", "party_name": "当事人名称", "credit_code": "统一社会信用代码",
    "publicity_rule": "公示规则", "publicity_until": "公示截止期", "revoked": "撤销日期",
}


@dataclass(frozen=True)
class Case:
    id: str                      # stable slug, e.g. '2024-1001'; the page is cases/<id>/
    title: str                   # 案件名称 (anonymised)
    category: str                # 类别: 网约车 / 出租车 / 非法营运 / 超限超载 / 道路运输 / …
    date: dt.date                # 违法时间
    place: str                   # 违法地点
    cause: str                   # 案由
    facts: str                   # 违法事实 (anonymised)
    legal_basis: tuple[LegalBasis, ...]   # 处罚依据
    decision: str                # 处罚决定
    discretion: str              # 裁量情形
    handling: str                # 办案方式
    explanation: str             # 执法人员说法
    case_no: str = ""            # 案件编号 (decision number; public)
    investigation: str = ""      # 调查经过 (anonymised)
    fine_yuan: float | None = None   # 罚款金额（元）
    discretion_item: str = ""    # id of the 裁量清单 item applied, if any
    tags: tuple[str, ...] = ()
    related_episodes: tuple[str, ...] = ()
    related_livestreams: tuple[str, ...] = ()
    source_file: str = ""        # where it was loaded from (for error messages; not published)
    # Publication lifecycle: read from the record …
    decision_date: dt.date | None = None   # 处罚决定日期
    party_kind: str = ""         # 当事人类型: one of PARTY_KINDS; '' = 自然人
    party_name: str = ""         # 当事人名称, only for a 法人/其他组织 (a person's name is never kept)
    credit_code: str = ""        # 统一社会信用代码 of that organisation
    publicity_rule: str = ""     # id of a rule in data/publicity.yaml, overriding the computed one
    publicity_until: dt.date | None = None  # 公示截止期 override; otherwise computed by the build
    revoked: dt.date | None = None          # the decision was changed/revoked on this date (to be withdrawn)
    # … and set by the build (lifecycle.py), never written in a record file.
    published: dt.date | None = None        # first publication (from publication.yaml)
    status: str = ""             # one of STATUSES
    corrections: tuple[Correction, ...] = ()

    @property
    def kind(self) -> str:
        """The party kind; a record that does not say is a person's (anonymised) case."""
        return self.party_kind or "自然人"

    @property
    def year(self) -> int:
        return self.date.year

    def to_mapping(self) -> dict[str, Any]:
        """The YAML shape, in CASE_FIELDS order, empty optional fields left out."""
        out: dict[str, Any] = {}
        for name in CASE_FIELDS:
            value = getattr(self, name)
            if name in ("date", "decision_date", "publicity_until", "revoked") and value is not None:
                value = value.isoformat()
            elif name == "legal_basis":
                value = [{"law": f"《{b.law}》", "article": b.article} for b in value]
            elif isinstance(value, tuple):
                value = list(value)
            if name == "fine_yuan" and value is not None and float(value).is_integer():
                value = int(value)
            if value in ("", [], None) and name not in ("fine_yuan",):
                continue
            out[name] = value
        return out


def legal_basis_field(reader: FieldReader, name: str = "legal_basis", required: bool = True) -> tuple[LegalBasis, ...]:
    """A list of citations ({law: 《…》, article: 第…条} or '《…》第…条' strings) in field `name`."""
    raw = reader.data.get(name)
    if raw in (None, "", []):
        if required:
            reader.problem(name, "required field is missing or empty",
                           hint=f"add e.g. {name}: [{{law: 《中华人民共和国道路运输条例》, article: 第六十三条}}]")
        return ()
    if isinstance(raw, str):
        try:
            return tuple(parse_citation(raw))
        except ValueError as exc:
            reader.problem(name, str(exc))
            return ()
    if not isinstance(raw, list):
        reader.problem(name, "expected a list of {law, article}")
        return ()
    result: list[LegalBasis] = []
    for index, item in enumerate(raw):
        where = f"{name}[{index}]"
        if isinstance(item, str):
            try:
                result.extend(parse_citation(item))
            except ValueError as exc:
                reader.problem(where, str(exc))
            continue
        if not isinstance(item, dict):
            reader.problem(where, "expected {law: 《…》, article: 第…条}")
            continue
        law = str(item.get("law") or "").strip()
        article = str(item.get("article") or "").strip()
        if not (law.startswith("《") and law.endswith("》") and len(law) > 2):
            reader.problem(f"{where}.law", f"law '{law}' must be a title in 《》",
                           hint="e.g. 《中华人民共和国道路运输条例》")
            continue
        if not article.startswith("第") or "条" not in article:
            reader.problem(f"{where}.article", f"article '{article}' must read like 第三十四条")
            continue
        result.append(LegalBasis(law[1:-1].strip(), article))
    return tuple(result)


def case_from_mapping(data: Any, file: str | Path, lines: LineMap | None = None) -> Case:
    """Validate one case mapping; raises InputError listing every problem in it."""
    lines = lines or LineMap()
    problems = ProblemCollector()
    r = FieldReader(data, file, lines, problems)
    if not isinstance(data, dict):
        problems.raise_if_any()
    r.unknown_fields(set(CASE_FIELDS))
    fine = r.number("fine_yuan", required=False)
    case = dict(
        id=r.slug("id"),
        case_no=r.text("case_no", required=False),
        title=r.text("title"),
        category=r.text("category"),
        date=r.date("date"),
        place=r.text("place"),
        cause=r.text("cause"),
        facts=r.text("facts"),
        investigation=r.text("investigation", required=False),
        legal_basis=legal_basis_field(r),
        decision=r.text("decision"),
        fine_yuan=fine,
        discretion=r.choice("discretion", DISCRETIONS),
        handling=r.choice("handling", HANDLINGS),
        discretion_item=r.text("discretion_item", required=False),
        explanation=r.text("explanation"),
        tags=tuple(r.text_list("tags")),
        related_episodes=tuple(r.text_list("related_episodes")),
        related_livestreams=tuple(r.text_list("related_livestreams")),
        source_file=str(file),
    )
    case.update(_lifecycle_fields(r, case["date"]))
    problems.raise_if_any()
    return Case(**case)  # type: ignore[arg-type]


def _lifecycle_fields(r: FieldReader, date: Any) -> dict[str, Any]:
    """The optional publication-lifecycle fields, with the checks that need no build date."""
    out: dict[str, Any] = dict(
        decision_date=r.date("decision_date", required=False),
        party_kind=r.choice("party_kind", PARTY_KINDS, required=False),
        party_name=r.text("party_name", required=False),
        credit_code=r.text("credit_code", required=False),
        publicity_rule=r.text("publicity_rule", required=False),
        publicity_until=r.date("publicity_until", required=False),
        revoked=r.date("revoked", required=False),
    )
    decided = out["decision_date"]
    if decided is not None and isinstance(date, dt.date) and decided < date:
        r.problem("decision_date", f"decision date {decided} is earlier than the violation date {date}",
                  hint="a decision follows the violation: check both dates")
    kind = out["party_kind"] or "自然人"
    if (out["party_name"] or out["credit_code"]) and kind not in ORGANISATION_KINDS:
        name = "party_name" if out["party_name"] else "credit_code"
        r.problem(name, f"only a 法人 or 其他组织 is named in a public record, not a {kind}",
                  hint="for an organisation set party_kind: 法人 or 其他组织; "
                       "a person's or 个体工商户's name and code are never published")
    return out


def load_case(path: str | Path) -> Case:
    data, lines = load_yaml(path)
    return case_from_mapping(data, path, lines)


@dataclass
class CaseSet:
    cases: list[Case] = field(default_factory=list)

    def by_id(self) -> dict[str, Case]:
        return {case.id: case for case in self.cases}


def load_cases(directory: str | Path, load: Callable[[Path], Case] = load_case) -> list[Case]:
    """Every `*.yaml` under `directory`, sorted by file name; all problems in one error.

    Duplicate ids are reported with both files. `load` reads one file (the build passes
    one that reuses the previous build's parse of unchanged files).
    """
    directory = Path(directory)
    problems = ProblemCollector()
    cases: list[Case] = []
    seen: dict[str, str] = {}
    # Names sorted as strings: 10,000 Path comparisons were a visible part of a rebuild.
    names = sorted(entry.name for entry in os.scandir(directory)
                   if fnmatch.fnmatchcase(entry.name, "*.y*ml"))
    for path in (directory / name for name in names):
        try:
            case = load(path)
        except FileNotFoundError:
            continue          # removed while we read the folder
        except InputError as exc:
            problems.extend(exc)
            continue
        if case.id in seen:
            data, lines = load_yaml(path)
            problems.add(path, f"duplicate case id '{case.id}' (also in {seen[case.id]})",
                         line=lines("id"), field="id", hint="give each case its own id")
            continue
        seen[case.id] = str(path)
        cases.append(case)
    problems.raise_if_any()
    return cases
