"""The demo content the bureau is shown: cases, discretion list, episodes, lessons.

Guards what the content promises: it loads, it covers every category / discretion / handling
mode, its cross references resolve, every article it cites exists in the law text we ship,
and no text field looks like personal data.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from generator.privacy.detect import scan_text
from generator.records.case import DISCRETIONS, HANDLINGS, Case, load_cases
from generator.records.content import (DISCRETION_KINDS, DiscretionItem, Episode, Lesson, load_discretion,
                                       load_episodes, load_lessons)
from generator.records.law import LegalBasis, parse_law_markdown

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("网约车", "出租车", "非法营运", "超限超载", "道路运输")


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(ROOT / "cases_public")


@pytest.fixture(scope="module")
def items() -> list[DiscretionItem]:
    return load_discretion(ROOT / "data" / "discretion.yaml")


@pytest.fixture(scope="module")
def episodes() -> list[Episode]:
    return load_episodes(ROOT / "data" / "episodes.yaml")


@pytest.fixture(scope="module")
def lessons() -> list[Lesson]:
    return load_lessons(ROOT / "data" / "lessons.yaml")


def test_cases_cover_every_category_discretion_and_handling(cases):
    assert len(cases) >= 44
    for counter, values in ((Counter(c.category for c in cases), CATEGORIES),
                            (Counter(c.discretion for c in cases), DISCRETIONS),
                            (Counter(c.handling for c in cases), HANDLINGS)):
        assert {v: counter[v] for v in values if counter[v] < 3} == {}
    assert {c.year for c in cases} == {2023, 2024, 2025}


def test_case_file_name_is_its_id_and_case_no_matches(cases):
    for case in cases:
        assert Path(case.source_file).stem == case.id
        year, number = case.id.split("-")
        assert case.case_no == f"济交执罚〔{year}〕{number}号"


def test_handling_and_discretion_are_plausible_together(cases, items):
    by_id = {item.id: item for item in items}
    for case in cases:
        if case.handling in ("首违不罚", "教育纠正"):
            assert (case.discretion, case.fine_yuan) == ("不予处罚", 0), case.id
        if case.discretion == "不予处罚":
            assert not case.fine_yuan, case.id
        if case.handling == "简易程序":   # 行政处罚法第五十一条: at most 200 (person) / 3000 (firm)
            assert (case.fine_yuan or 0) <= 3000, case.id
        if case.discretion_item:
            assert by_id[case.discretion_item].kind == case.discretion, case.id


def test_discretion_list_has_several_items_of_each_kind(items):
    assert len(items) >= 24
    kinds = Counter(item.kind for item in items)
    assert {k: kinds[k] for k in DISCRETION_KINDS if kinds[k] < 4} == {}


def test_episodes_are_numbered_in_order_and_media_files_exist(episodes):
    assert [e.number for e in episodes] == list(range(1, len(episodes) + 1))
    assert len(episodes) >= 32
    assert [e.id for e in episodes] == [f"qxh-{e.number:03d}" for e in episodes]
    first = episodes[0]
    assert (first.media, first.transcript) == ("media/demo-livestream.mp4", "qxh-001")
    assert (ROOT / first.media).is_file()
    # The demo video is shared by the episodes that play on the site; every media file exists.
    assert all((ROOT / e.media).is_file() for e in episodes if e.media)
    assert [e.id for e in episodes if e.media] == ["qxh-001", "qxh-002"]
    assert all(e.date >= episodes[i - 1].date for i, e in enumerate(episodes) if i)


def test_lessons_cover_every_setting_and_grade(lessons):
    assert len(lessons) >= 10
    assert {lesson.setting for lesson in lessons} == {"校园", "企业", "工地", "车辆"}
    assert {lesson.grade for lesson in lessons if lesson.setting == "校园"} == {"小学", "初中", "高中"}
    assert any(lesson.grade == "初中" and lesson.topic == "网约车" and "网约车" in lesson.title for lesson in lessons)
    assert all(6 <= len(lesson.outline) <= 10 for lesson in lessons if lesson.setting in ("校园", "企业"))


def test_every_cross_reference_resolves(cases, items, episodes, lessons):
    case_ids, item_ids, episode_ids = {c.id for c in cases}, {i.id for i in items}, {e.id for e in episodes}
    dangling = [(c.id, c.discretion_item) for c in cases if c.discretion_item and c.discretion_item not in item_ids]
    dangling += [(c.id, e) for c in cases for e in c.related_episodes if e not in episode_ids]
    dangling += [(e.id, c) for e in episodes for c in e.cases if c not in case_ids]
    for lesson in lessons:
        dangling += [(lesson.id, e) for e in lesson.episodes if e not in episode_ids]
        dangling += [(lesson.id, c) for c in lesson.cases if c not in case_ids]
        dangling += [(lesson.id, i) for i in lesson.discretion_items if i not in item_ids]
    assert dangling == []


def test_every_cited_article_exists_in_the_law_text_we_ship(cases, items, episodes):
    laws = {law.title: law for law in map(parse_law_markdown, sorted((ROOT / "generator" / "data" / "laws").glob("*-*.md")))}  # the law texts pufa ships
    citations: list[tuple[str, LegalBasis]] = [(c.id, b) for c in cases for b in c.legal_basis]
    citations += [(i.id, b) for i in items for b in i.legal_basis]
    citations += [(e.id, b) for e in episodes for b in e.laws]
    missing = [(where, str(b)) for where, b in citations
               if b.law in laws and b.article_key not in laws[b.law].articles]
    assert missing == []
    # The core laws of the cases are cited with their text, not only departmental rules.
    assert {"中华人民共和国行政处罚法", "中华人民共和国道路运输条例", "公路安全保护条例"} <= {b.law for _, b in citations}


def _texts(value, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts(item, f"{where}[{index}]")


def _record_texts(cases, items, episodes, lessons) -> Iterator[tuple[str, str]]:
    for record in [*cases, *items, *episodes, *lessons]:
        for name, value in vars(record).items():
            if name not in ("source_file", "legal_basis", "laws", "date", "line"):
                yield from _texts(value, f"{record.id}.{name}")


def test_no_text_field_looks_like_personal_data(cases, items, episodes, lessons):
    findings = [(where, f.kind, f.text) for where, text in _record_texts(cases, items, episodes, lessons)
                for f in scan_text(text)]
    assert findings == []


def test_plates_keep_only_province_and_city_letter(cases):
    for case in cases:
        for text in (case.title, case.facts, case.investigation, case.explanation):
            assert text.count("鲁A") == text.count("鲁A*****"), case.id
