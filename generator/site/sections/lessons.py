"""普法“四进” material: lessons for schools (by grade and topic), firms, worksites and
vehicles, each assembled from episodes, cases and discretion items with a teacher's
outline and discussion questions; the firm and worksite training packs; the index.

Lesson pages carry a projector toggle and a print button; print.css turns them into
clean A4 handouts. The in-vehicle playlist itself is a video page (`videos/playlist/`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ...records.case import Case
from ...records.content import GRADES, DiscretionItem, Episode, Lesson
from ..content import SETTING_SLUGS, content_index, duration_text, root_of
from ..pages import Asset, Page
from markupsafe import Markup

from ..render import case_url, episode_url, lesson_url, render
from .episodes import poster_url, video_type, video_url

GRADE_SLUGS = {"小学": "xiaoxue", "初中": "chuzhong", "高中": "gaozhong"}
# What counts as freight / worksite material (工地: 货运、超限超载、渣土运输 …).
WORKSITE_MARKERS = ("超限", "超载", "货运", "货物", "渣土", "危险货物", "工地")
FIRM_AUDIENCES = ("firms", "drivers")
PACK_CASES = 6
PACK_EPISODES = 4


@dataclass(frozen=True)
class PackSection:
    slug: str
    title: str
    explain: str
    items: tuple[DiscretionItem, ...]


def _players(model: Any) -> dict[str, dict[str, str]]:
    """URLs the lesson templates need to embed an episode's self-hosted video."""
    src = {e.id: video_url(e) for e in model.episodes}
    kind = {e.id: video_type(e) if e.media else "" for e in model.episodes}
    poster = {e.id: poster_url(e) for e in model.episodes}
    return {"e_src": src, "e_type": kind, "e_poster": poster}


def _site(model: Any) -> dict[str, str]:
    settings = getattr(model, "settings", None)
    return {"site_name": getattr(settings, "site_name", model.config.site_name),
            "hotline": getattr(settings, "hotline", model.config.hotline)}


def qr_codes(model: Any, targets: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """QR codes (inline SVG made here by segno, nothing fetched) to the pages a printed
    handout cites: (label, site-root-relative URL) → label, absolute URL, SVG. Only when
    mkdocs.yml has `site_url`: a code for an address no phone can open would mislead."""
    settings = getattr(model, "settings", None)
    base = (getattr(settings, "site_url", "") or "").strip()
    if not base:
        return []
    import segno
    base = base.rstrip("/") + "/"
    out, seen = [], set()
    for label, url in targets:
        absolute = base + url
        if absolute in seen:
            continue
        seen.add(absolute)
        svg = segno.make(absolute, error="m").svg_inline(scale=3, border=2, omitsize=True, svgclass="pufa-qr__code")
        out.append({"label": label, "url": absolute,
                    "svg": Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))})
    return out


def _handout_targets(page_url: str, title: str, episodes: Iterable[Episode], cases: Iterable[Case]) -> list[tuple[str, str]]:
    return ([(f"本页：{title}", page_url)]
            + [(f"视频：泉小慧第{e.number}集 · {e.title}", episode_url(e.id)) for e in episodes]
            + [(f"案例：{c.title}", case_url(c.id)) for c in cases])


def is_worksite(text: str) -> bool:
    return any(marker in text for marker in WORKSITE_MARKERS)


def lesson_page(model: Any, lesson: Lesson, players: dict[str, dict[str, str]]) -> Page:
    index = content_index(model)
    episodes = [index.episodes[i] for i in lesson.episodes if i in index.episodes]
    cases = [index.cases[i] for i in lesson.cases if i in index.cases]
    items = [index.items[i] for i in lesson.discretion_items if i in index.items]
    body = render("lessons/lesson.html", lesson=lesson, episodes=episodes, cases=cases, items=items,
                  cases_by_item=index.cases_by_item, root=root_of(lesson_url(lesson.id)), duration=duration_text,
                  qr=qr_codes(model, _handout_targets(lesson_url(lesson.id), lesson.title, episodes, cases)),
                  **players, **_site(model))
    where = f"{lesson.setting}{' · ' + lesson.grade if lesson.grade else ''}"
    filters = {"type": ["课程"], "setting": [lesson.setting], "category": [lesson.topic]}
    if lesson.grade:
        filters["grade"] = [lesson.grade]
    return Page(f"{lesson_url(lesson.id).rstrip('/')}.md", lesson.title, body,
                description=f"普法“四进”课程（{where} · {lesson.topic} · {lesson.minutes}分钟）："
                            + "；".join(lesson.goals)[:100],
                filters=filters)


def _school_groups(lessons: list[Lesson]) -> list[tuple[str, list[tuple[str, list[Lesson]]]]]:
    out = []
    for grade in GRADES:
        by_topic: dict[str, list[Lesson]] = {}
        for lesson in lessons:
            if lesson.setting == "校园" and lesson.grade == grade:
                by_topic.setdefault(lesson.topic, []).append(lesson)
        out.append((grade, sorted(by_topic.items())))
    return out


def index_page(model: Any) -> Page:
    lessons = sorted(model.lessons, key=lambda lesson: (lesson.topic, lesson.title, lesson.id))
    counts = {setting: sum(1 for lesson in lessons if lesson.setting == setting) for setting in SETTING_SLUGS}
    others = [(setting, SETTING_SLUGS[setting], [lesson for lesson in lessons if lesson.setting == setting])
              for setting in ("企业", "工地", "车辆")]
    body = render("lessons/index.html", school=_school_groups(lessons), others=others, counts=counts,
                  grade_slugs=GRADE_SLUGS, root=root_of("lessons/"))
    return Page("lessons/index.md", "普法“四进”课程与培训材料", body,
                description=f"进校园、进企业、进工地、进车辆：共{len(lessons)}节课，含教师提纲、讨论题、视频和典型案例，可打印、可投影。",
                in_nav=True, filters={"type": ["课程"]})


def _recent(cases: Iterable[Case], limit: int) -> list[Case]:
    return sorted(cases, key=lambda c: (c.date, c.id), reverse=True)[:limit]


def _shortest(episodes: Iterable[Episode], limit: int) -> list[Episode]:
    return sorted(episodes, key=lambda e: (e.duration, e.number))[:limit]


def firms_page(model: Any, players: dict[str, dict[str, str]]) -> Page:
    """运输企业合规培训包: what earns a first-violation waiver, what is punished heavily."""
    items = [i for i in model.discretion if not is_worksite(i.category)]
    sections = [
        PackSection("waiver", "首次违法、及时改正：可以不予处罚的情形",
                    "企业和驾驶员首次违法、危害后果轻微并及时改正的，依法可以不予处罚。了解这些条件，发现问题立即整改。",
                    tuple(i for i in items if i.kind == "不予处罚")),
        PackSection("lenient", "可以从轻、减轻处罚的情形", "主动消除或者减轻违法行为危害后果、配合调查的，依法从轻或者减轻处罚。",
                    tuple(i for i in items if i.kind in ("从轻处罚", "减轻处罚"))),
        PackSection("heavy", "从重处罚的情形：企业务必避免",
                    "屡查屡犯、拒不改正、造成严重后果或者暴力抗法的，依法从重处罚。",
                    tuple(i for i in items if i.kind == "从重处罚")),
    ]
    cases = _recent((c for c in model.cases if not is_worksite(c.category) and c.discretion == "从重处罚"), PACK_CASES)
    cases += _recent((c for c in model.cases if not is_worksite(c.category) and c.handling == "首违不罚"), PACK_CASES)
    episodes = _shortest((e for e in model.episodes if any(a in FIRM_AUDIENCES for a in e.audience)), PACK_EPISODES)
    lessons = [lesson for lesson in model.lessons if lesson.setting == "企业"]
    return _pack("lessons/firms.md", "运输企业合规培训包", model, players, sections, cases, episodes, lessons,
                 "面向道路运输、出租汽车、网约车平台和驾驶员的合规培训材料：哪些情形首次违法可以不罚，哪些情形会被从重处罚，配合典型案例和短视频使用。")


def worksites_page(model: Any, players: dict[str, dict[str, str]]) -> Page:
    """进工地: freight and overloading (货运、超限超载) for site managers and truck drivers."""
    items = [i for i in model.discretion if is_worksite(i.category) or is_worksite(i.violation)]
    sections = [
        PackSection("lenient", "可以不予处罚、从轻或减轻处罚的情形", "首次违法、及时卸载改正、主动配合的，依法从宽处理。",
                    tuple(i for i in items if i.kind != "从重处罚")),
        PackSection("heavy", "从重处罚的情形", "多次超限、拒不卸载、故意绕行逃避检测的，依法从重处罚。",
                    tuple(i for i in items if i.kind == "从重处罚")),
    ]
    cases = _recent((c for c in model.cases if is_worksite(c.category) or is_worksite(c.cause)), PACK_CASES)
    episodes = _shortest((e for e in model.episodes if is_worksite(e.topic) or is_worksite(e.title)), PACK_EPISODES)
    lessons = [lesson for lesson in model.lessons if lesson.setting == "工地"]
    return _pack("lessons/worksites.md", "工地货运与超限超载培训包", model, players, sections, cases, episodes, lessons,
                 "面向工地负责人、货运企业和货车驾驶员：车辆超限超载的危害、法律责任和从宽从严的情形。")


def _pack(path: str, title: str, model: Any, players: dict[str, dict[str, str]], sections: list[PackSection],
          cases: list[Case], episodes: list[Episode], lessons: list[Lesson], intro: str) -> Page:
    body = render("lessons/pack.html", intro=intro, sections=sections, cases=cases, episodes=episodes,
                  lessons=lessons, cases_by_item=content_index(model).cases_by_item,
                  root=root_of(path[:-3] + "/"), duration=duration_text,
                  qr=qr_codes(model, _handout_targets(path[:-3] + "/", title, episodes, cases)),
                  **players, **_site(model))
    return Page(path, title, body, description=intro, filters={"type": ["课程"]})


def pages(model: Any) -> Iterable[Page | Asset]:
    players = _players(model)
    yield index_page(model)
    yield firms_page(model, players)
    yield worksites_page(model, players)
    for lesson in sorted(model.lessons, key=lambda lesson: lesson.id):
        yield lesson_page(model, lesson, players)
