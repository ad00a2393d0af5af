"""Records of the legal-education content: the discretion list (裁量清单), the 泉小慧
episodes and the 普法“四进” lessons. Formats: docs/formats.md."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..errors import InputError, ProblemCollector
from ..yamlio import LineMap, load_yaml
from .case import legal_basis_field
from .law import LegalBasis
from .transcript import AUDIENCES
from .validate import FieldReader

DISCRETION_KINDS = ("不予处罚", "从轻处罚", "减轻处罚", "从重处罚")
SETTINGS = ("校园", "企业", "工地", "车辆")
GRADES = ("小学", "初中", "高中")


@dataclass(frozen=True)
class DiscretionItem:
    id: str
    kind: str                       # 类型
    category: str                   # 类别
    violation: str                  # 违法行为
    conditions: tuple[str, ...]     # 适用条件
    legal_basis: tuple[LegalBasis, ...]  # 法律依据
    outcome: str                    # 处理结果
    note: str = ""                  # 说明
    line: int | None = None         # where it is defined, for cross-reference errors


@dataclass(frozen=True)
class Episode:
    id: str
    number: int
    title: str
    date: dt.date
    topic: str
    audience: tuple[str, ...]
    duration: int                   # seconds
    summary: str
    media: str = ""
    poster: str = ""
    transcript: str = ""
    laws: tuple[LegalBasis, ...] = ()
    cases: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    setting: str                    # 校园 / 企业 / 工地 / 车辆
    topic: str
    minutes: int
    goals: tuple[str, ...]
    outline: tuple[str, ...]
    questions: tuple[str, ...]
    grade: str = ""                 # 小学 / 初中 / 高中 (校园 only)
    episodes: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    discretion_items: tuple[str, ...] = ()
    line: int | None = None


T = TypeVar("T")


def _load_list(path: Path, key: str, build: Callable[[FieldReader], T]) -> list[T]:
    """Load `key:` list of `path`; a missing file is an empty list; all problems together."""
    if not path.exists():
        return []
    data, lines = load_yaml(path)
    problems = ProblemCollector()
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise InputError.at(path, f"expected a top-level '{key}:' list", line=1, field=key)
    out: list[T] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(data[key]):
        reader = FieldReader(raw, path, lines, problems, prefix=f"{key}[{index}]")
        before = len(problems.problems)
        item = build(reader)
        if len(problems.problems) > before:
            continue
        ident = getattr(item, "id")
        if ident in seen:
            reader.problem("id", f"duplicate id '{ident}' (first at line {seen[ident]})")
            continue
        seen[ident] = reader.lines(reader.path("id"))
        out.append(item)
    problems.raise_if_any()
    return out


def _discretion(r: FieldReader) -> DiscretionItem:
    return DiscretionItem(
        id=r.slug("id"), kind=r.choice("kind", DISCRETION_KINDS), category=r.text("category"),
        violation=r.text("violation"), conditions=tuple(r.text_list("conditions", required=True)),
        legal_basis=legal_basis_field(r), outcome=r.text("outcome"),
        note=r.text("note", required=False), line=r.lines(r.path("id")),
    )


def _audience(r: FieldReader) -> tuple[str, ...]:
    values = r.text_list("audience", required=True)
    for value in values:
        if value not in AUDIENCES:
            r.problem("audience", f"'{value}' is not one of: {' / '.join(AUDIENCES)}")
    return tuple(values)


def _episode(r: FieldReader) -> Episode:
    date = r.date("date")
    return Episode(
        id=r.slug("id"), number=r.integer("number", required=True, minimum=1) or 0, title=r.text("title"),
        date=date or dt.date(1970, 1, 1), topic=r.text("topic"), audience=_audience(r),
        duration=r.integer("duration", required=True, minimum=1) or 0, summary=r.text("summary"),
        media=r.text("media", required=False), poster=r.text("poster", required=False),
        transcript=r.text("transcript", required=False), laws=legal_basis_field(r, "laws", required=False),
        cases=tuple(r.text_list("cases")), line=r.lines(r.path("id")),
    )


def _lesson(r: FieldReader) -> Lesson:
    setting = r.choice("setting", SETTINGS)
    grade = r.choice("grade", GRADES, required=(setting == "校园"))
    return Lesson(
        id=r.slug("id"), title=r.text("title"), setting=setting, topic=r.text("topic"),
        minutes=r.integer("minutes", required=True, minimum=1) or 0,
        goals=tuple(r.text_list("goals", required=True)), outline=tuple(r.text_list("outline", required=True)),
        questions=tuple(r.text_list("questions", required=True)), grade=grade,
        episodes=tuple(r.text_list("episodes")), cases=tuple(r.text_list("cases")),
        discretion_items=tuple(r.text_list("discretion_items")), line=r.lines(r.path("id")),
    )


def load_discretion(path: str | Path) -> list[DiscretionItem]:
    return _load_list(Path(path), "items", _discretion)


def load_episodes(path: str | Path) -> list[Episode]:
    return _load_list(Path(path), "episodes", _episode)


def load_lessons(path: str | Path) -> list[Lesson]:
    return _load_list(Path(path), "lessons", _lesson)


def line_of(item: Any) -> int | None:
    return getattr(item, "line", None)


__all__ = ["DiscretionItem", "Episode", "Lesson", "load_discretion", "load_episodes", "load_lessons",
           "DISCRETION_KINDS", "SETTINGS", "GRADES", "LineMap", "line_of"]
