"""Shared helpers of the content pages (裁量清单, 泉小慧 videos, lessons, open data, home):
display labels, the reverse indexes the pages need (cases under a discretion item, lessons
using an episode …) and the cross-reference checks of the content data files.

The checks run before any page is written (`check_content(model, problems)`, called by
`load_model`) and name the data file, line and field of each bad reference.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ProblemCollector
from ..records.case import Case
from ..records.content import DiscretionItem, Episode, Lesson
from ..yamlio import LineMap, load_yaml

AUDIENCE_LABELS = {
    "public": "社会公众", "小学": "小学", "初中": "初中", "高中": "高中", "drivers": "驾驶员", "firms": "运输企业",
}
AUDIENCE_SLUGS = {
    "public": "public", "小学": "xiaoxue", "初中": "chuzhong", "高中": "gaozhong", "drivers": "drivers", "firms": "firms",
}
KIND_SLUGS = {"不予处罚": "bu-yu-chu-fa", "从轻处罚": "cong-qing-chu-fa", "减轻处罚": "jian-qing-chu-fa",
              "从重处罚": "cong-zhong-chu-fa"}
SETTING_SLUGS = {"校园": "xiaoyuan", "企业": "qiye", "工地": "gongdi", "车辆": "cheliang"}
# Episodes at most this long play on taxi and bus screens.
SHORT_EPISODE_SECONDS = 300


def duration_text(seconds: float | int | None) -> str:
    """95 → '1分35秒'; 3725 → '1小时2分5秒'."""
    if not seconds:
        return ""
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = f"{hours}小时" if hours else ""
    if minutes or hours:
        out += f"{minutes}分"
    return out + f"{secs}秒"


def root_of(url: str) -> str:
    """Relative prefix from a site-root-relative page URL ('cases/2024-1001/') to the root."""
    return "../" * url.count("/")


@dataclass
class ContentIndex:
    """Lookups and reverse links over the whole model, built once per build."""

    cases: dict[str, Case] = field(default_factory=dict)
    items: dict[str, DiscretionItem] = field(default_factory=dict)
    episodes: dict[str, Episode] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    cases_by_item: dict[str, list[Case]] = field(default_factory=dict)
    cases_by_episode: dict[str, list[Case]] = field(default_factory=dict)
    lessons_by_item: dict[str, list[Lesson]] = field(default_factory=dict)
    lessons_by_episode: dict[str, list[Lesson]] = field(default_factory=dict)
    episodes_by_case: dict[str, list[Episode]] = field(default_factory=dict)


def content_index(model: Any) -> ContentIndex:
    """Cached on the model object: several sections need the same reverse links."""
    cached = getattr(model, "_pufa_content_index", None)
    if cached is not None:
        return cached
    index = ContentIndex(
        cases={c.id: c for c in model.cases}, items={i.id: i for i in model.discretion},
        episodes={e.id: e for e in model.episodes}, lessons={lesson.id: lesson for lesson in model.lessons},
    )
    by_item, by_episode = defaultdict(list), defaultdict(list)
    lessons_by_item, lessons_by_episode, episodes_by_case = defaultdict(list), defaultdict(list), defaultdict(list)
    for case in sorted(model.cases, key=lambda c: (c.date, c.id), reverse=True):
        if case.discretion_item:
            by_item[case.discretion_item].append(case)
        for episode_id in case.related_episodes:
            by_episode[episode_id].append(case)
    for episode in model.episodes:
        for case_id in episode.cases:
            if case_id in index.cases and index.cases[case_id] not in by_episode[episode.id]:
                by_episode[episode.id].append(index.cases[case_id])
            episodes_by_case[case_id].append(episode)
    for case in model.cases:
        for episode_id in case.related_episodes:
            episode = index.episodes.get(episode_id)
            if episode is not None and episode not in episodes_by_case[case.id]:
                episodes_by_case[case.id].append(episode)
    for lesson in model.lessons:
        for item_id in lesson.discretion_items:
            lessons_by_item[item_id].append(lesson)
        for episode_id in lesson.episodes:
            lessons_by_episode[episode_id].append(lesson)
    index.cases_by_item, index.cases_by_episode = dict(by_item), dict(by_episode)
    index.lessons_by_item, index.lessons_by_episode = dict(lessons_by_item), dict(lessons_by_episode)
    index.episodes_by_case = dict(episodes_by_case)
    try:
        object.__setattr__(model, "_pufa_content_index", index)
    except (AttributeError, TypeError):
        pass
    return index


# ---- cross-reference checks --------------------------------------------------------------

def _lines(path: Path) -> LineMap:
    if not path.exists():
        return LineMap()
    return load_yaml(path)[1]


def check_content(model: Any, problems: ProblemCollector) -> None:
    """References of the content files that `model.check_references` does not cover:
    episode media / poster files and transcript folders, episode case ids, and every id a
    lesson cites. Law citations and the case files' own references are checked there."""
    config = model.config
    case_ids = {c.id for c in model.cases}
    item_ids = {i.id for i in model.discretion}
    episode_ids = {e.id for e in model.episodes}
    transcript_ids = {t.id for t in model.transcripts}

    episodes_file = config.data_dir / "episodes.yaml"
    lines = _lines(episodes_file) if model.episodes else LineMap()
    for index, episode in enumerate(model.episodes):
        where = f"episodes[{index}]"
        if _is_url(episode.media):
            problems.add(episodes_file, f"media '{episode.media}' is a URL: videos must be files in the project "
                         "(self-hosted)", line=lines(f"{where}.media"), field=f"{where}.media",
                         hint="download it into media/ and give its path")
        elif episode.media and not (config.root / episode.media).is_file():
            problems.add(episodes_file, f"media file '{episode.media}' does not exist", line=lines(f"{where}.media"),
                         field=f"{where}.media", hint="put the video in the project or remove 'media:'")
        if episode.poster and (_is_url(episode.poster) or not (config.root / episode.poster).is_file()):
            problems.add(episodes_file, f"poster file '{episode.poster}' does not exist",
                         line=lines(f"{where}.poster"), field=f"{where}.poster",
                         hint="give an image in the project, or leave 'poster:' out to take one from the video")
        if episode.transcript and episode.transcript not in transcript_ids:
            problems.add(episodes_file, f"no transcript folder transcripts/{episode.transcript}/",
                         line=lines(f"{where}.transcript"), field=f"{where}.transcript")
        for j, case_id in enumerate(episode.cases):
            if case_id not in case_ids:
                problems.add(episodes_file, f"unknown case id '{case_id}'", line=lines(f"{where}.cases[{j}]"),
                             field=f"{where}.cases[{j}]", hint="an id of a file in cases_public/")

    lessons_file = config.data_dir / "lessons.yaml"
    lines = _lines(lessons_file) if model.lessons else LineMap()
    for index, lesson in enumerate(model.lessons):
        where = f"lessons[{index}]"
        for name, ids, known, what, source in (
                ("cases", lesson.cases, case_ids, "case", "a file in cases_public/"),
                ("episodes", lesson.episodes, episode_ids, "episode", "data/episodes.yaml"),
                ("discretion_items", lesson.discretion_items, item_ids, "discretion item", "data/discretion.yaml")):
            for j, ref in enumerate(ids):
                if ref not in known:
                    problems.add(lessons_file, f"unknown {what} id '{ref}'", line=lines(f"{where}.{name}[{j}]"),
                                 field=f"{where}.{name}[{j}]", hint=f"an id of {source}")


def _is_url(text: str) -> bool:
    return "://" in text or text.startswith("//")
