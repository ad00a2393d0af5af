"""执法直播回放: a recap page per annotated livestream transcript, and the index of them.

A recap page has the figures of the operation (from meta.yaml), the self-hosted player
(the published copy, with every redacted range muted), chapters that seek, the legal
explanations as cards linked to the law and the cases citing it, and the transcript by
speaker where a click on a line seeks the player (`data-start`). Long transcripts go on
part pages (`livestreams/<id>/part-N/`) so that no page passes ~300 KB. Each chapter and
each minute of transcript is a heading with an id, so a Pagefind hit leads to the moment.

Only redacted text reaches pages, subtitles and the search index; the original media is
never copied when anything is hidden. Bad input stops the build (one InputError naming
file, line and field for every problem) before anything is written.

Also here: the reverse links other sections show (`law_moments_html`,
`case_moments_html`), from an index over the annotations cached on the model.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ...errors import InputError, MediaError, ProblemCollector
from ...records.law import article_key, parse_citation
from ...records.transcript import Chapter, Highlight, Segment
from ...speech.subtitles import to_srt, to_vtt
from ..pages import Asset, Page, root_prefix
from ..render import law_url, livestream_url, render, slugify
from ..transcripts import (MediaCache, Part, check_episode_folder, check_folder, clock, publish, release, split_parts,
                           unreviewed_lines)

HERE = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = HERE / "templates" / "recaps"
JS_ASSET = "assets/pufa/js/recaps.js"       # under the build's js folder: loaded on every page
CSS_ASSET = "assets/pufa/css/recaps.css"

PART_BUDGET = 110_000        # bytes of transcript HTML per page (the page itself stays ≤ 300 KB)
MARK_SECONDS = 60            # a heading (search anchor) every minute of transcript
CASES_PER_CARD = 3
POSTER_OFFSET = 2.0          # seconds after a chapter start: past the cut


@dataclass(frozen=True)
class Moment:
    """A legal explanation in a livestream, as other pages link to it."""

    transcript_id: str
    stream_title: str
    date: str
    title: str
    start: float
    url: str                 # site-root-relative, with the card's anchor
    citation: str            # 《law》第…条


@dataclass
class RecapIndex:
    by_article: dict[tuple[str, str], list[Moment]] = field(default_factory=dict)   # (law slug, key)
    by_law: dict[str, list[Moment]] = field(default_factory=dict)
    streams_by_case: dict[str, list[Any]] = field(default_factory=dict)            # explicit meta.cases


def livestreams(model: Any) -> list[Any]:
    """Livestream transcript folders, newest first."""
    return sorted((t for t in model.transcripts if t.meta.kind == "livestream"),
                  key=lambda t: (t.meta.date or "", t.id), reverse=True)


def recap_index(model: Any) -> RecapIndex:
    """Reverse links from laws and cases to livestream moments; reads annotations only
    (small), never the transcripts. Cached on the model: several sections ask."""
    cached = getattr(model, "_pufa_recap_index", None)
    if cached is not None:
        return cached
    index = RecapIndex()
    for folder in livestreams(model):
        try:
            highlights = folder.annotations.highlights
        except InputError:
            highlights = []        # the recap section reports it
        # Bad times are reported by the recap section; here they are only skipped.
        timed = [h for h in highlights if isinstance(h.start, (int, float)) and not isinstance(h.start, bool)]
        for highlight in sorted(timed, key=lambda h: h.start):
            law = model.laws.find(highlight.law) if highlight.law else None
            if law is None:
                continue
            key = article_key(highlight.article) if highlight.article else None
            moment = Moment(folder.id, folder.meta.title, folder.meta.date, highlight.title, highlight.start,
                            f"{livestream_url(folder.id)}#h-{slugify(highlight.id)}",
                            f"《{law.title}》{highlight.article}")
            index.by_law.setdefault(law.slug, []).append(moment)
            if key:
                index.by_article.setdefault((law.slug, key), []).append(moment)
        # meta.yaml `laws`: the stream as a whole explains these (listed unless a card does).
        for text in folder.meta.laws:
            try:
                citations = parse_citation(text)
            except ValueError:
                continue           # reported by check_folder
            for basis in citations:
                law = model.laws.find(basis.law)
                if law is None or any(m.transcript_id == folder.id for m in index.by_law.get(law.slug, [])):
                    continue
                index.by_law.setdefault(law.slug, []).append(Moment(
                    folder.id, folder.meta.title, folder.meta.date, folder.meta.title, 0.0,
                    livestream_url(folder.id), str(basis)))
        for case_id in folder.meta.cases:
            index.streams_by_case.setdefault(case_id, []).append(folder)
    try:
        object.__setattr__(model, "_pufa_recap_index", index)
    except (AttributeError, TypeError):
        pass
    return index


def law_moments_html(model: Any, law: Any, root: str) -> str:
    """For a law page: the livestream moments and the 泉小慧 episodes that explain it."""
    moments = recap_index(model).by_law.get(law.slug, [])
    episodes = [e for e in model.episodes if any(model.laws.find(b.law) is law for b in e.laws)]
    if not moments and not episodes:
        return ""
    return render("recaps/law_links.html", moments=moments, episodes=episodes, root=root, clock=clock)


def case_moments(model: Any, case: Any) -> tuple[list[Moment], list[Any]]:
    """For a case page: livestream moments explaining the articles the case applies (10),
    and livestreams naming the case that the page does not list already."""
    index = recap_index(model)
    moments: list[Moment] = []
    for basis in case.legal_basis:
        law = model.law_of(basis)
        key = basis.article_key
        if law is None or not key:
            continue
        for moment in index.by_article.get((law.slug, key), []):
            if moment not in moments:
                moments.append(moment)
    explicit = [f for f in index.streams_by_case.get(case.id, [])
                if f.id not in case.related_livestreams]       # those the case page lists already
    return moments[:10], explicit


def case_moments_html(model: Any, case: Any, root: str) -> str:
    moments, explicit = case_moments(model, case)
    if not moments and not explicit:
        return ""
    return render("recaps/case_links.html", moments=moments, streams=explicit, root=root, clock=clock)


# ---- the recap pages -------------------------------------------------------------------

def part_url(transcript_id: str, number: int) -> str:
    base = livestream_url(transcript_id)
    return base if number <= 1 else f"{base}part-{number}/"


def part_path(transcript_id: str, number: int) -> str:
    return f"livestreams/{transcript_id}.md" if number <= 1 else f"livestreams/{transcript_id}/part-{number}.md"


@dataclass
class Line:
    """One item of the rendered transcript: a chapter heading, a minute mark or a line."""

    kind: str                       # chapter | mark | line
    start: float
    segment: Segment | None = None
    chapter: Chapter | None = None
    anchor: str = ""


def transcript_items(segments: list[Segment], chapters: list[Chapter]) -> list[Line]:
    """Segments with a heading at each chapter start and each new minute (search anchors)."""
    items: list[Line] = []
    pending = sorted(chapters, key=lambda c: c.start)
    at = 0
    last_mark = -1
    for segment in segments:
        while at < len(pending) and pending[at].start <= segment.start + 0.05:
            chapter = pending[at]
            items.append(Line("chapter", chapter.start, chapter=chapter, anchor=f"c-{slugify(chapter.id)}"))
            last_mark = int(segment.start // MARK_SECONDS)
            at += 1
        mark = int(segment.start // MARK_SECONDS)
        if mark != last_mark:
            items.append(Line("mark", mark * MARK_SECONDS, anchor=f"m{mark}"))
            last_mark = mark
        items.append(Line("line", segment.start, segment=segment, anchor=f"s{segment.id}"))
    return items


def _chapter_parts(chapters: list[Chapter], parts: list[Part]) -> dict[str, int]:
    """Which part page holds each chapter's heading."""
    out = {}
    for chapter in chapters:
        number = parts[-1].number
        for part in parts:
            if part.segments and part.segments[-1].start + 0.05 >= chapter.start:
                number = part.number
                break
        out[chapter.id] = number
    return out


def _card(model: Any, highlight: Highlight, by_id: dict[int, Segment]) -> dict[str, Any]:
    law = model.laws.find(highlight.law) if highlight.law else None
    key = article_key(highlight.article) if highlight.article else None
    cases = model.citations.get(law.slug, {}).get(key or "", []) if law is not None else []
    quote = [by_id[i] for i in highlight.segment_ids if i in by_id]
    return {"h": highlight, "anchor": f"h-{slugify(highlight.id)}", "law": law, "key": key,
            "law_href": law_url(law.title, key) if law is not None else "", "quote": quote,
            "cases": cases[:CASES_PER_CARD], "cases_total": len(cases)}


@dataclass
class Recap:
    """Everything one livestream's pages need, worked out once."""

    folder: Any
    media_src: str
    media_type: str
    has_video: bool
    poster: str
    vtt: str
    srt: str
    duration: float
    segments: list[Segment]
    parts: list[Part]
    chapters: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    assets: list[Asset]


def _recap(model: Any, folder: Any, source: Path, info: Any, media: MediaCache) -> Recap:
    transcript, annotations = folder.transcript, folder.annotations
    published = publish(transcript, annotations)
    tid = folder.id
    try:
        copy = media.muted(source, published.ranges, tid, web=True)
    except MediaError as exc:
        raise InputError.at(folder.path / "meta.yaml", f"cannot mute the redacted parts: {exc}", field="media") from None
    media_src = f"livestreams/media/{tid}{copy.suffix.lower()}"
    assets = [Asset(media_src, source=copy)]
    chapters_sorted = sorted(annotations.chapters, key=lambda c: c.start)
    poster = f"livestreams/posters/{tid}.jpg"
    if info.has_video:
        first = chapters_sorted[0].start if chapters_sorted else 0.0
        try:
            assets.append(Asset(poster, source=media.frame(source, first + POSTER_OFFSET, f"{tid}-poster")))
            chapter_frames = [media.frame(source, c.start + POSTER_OFFSET, f"{tid}-c{i}")
                              for i, c in enumerate(chapters_sorted)]
        except MediaError as exc:
            raise InputError.at(folder.path / "meta.yaml", f"cannot take a poster frame: {exc}",
                                field="media") from None
    else:
        poster, chapter_frames = "", []
    vtt, srt = f"livestreams/subtitles/{tid}.vtt", f"livestreams/subtitles/{tid}.srt"
    assets += [Asset(vtt, data=to_vtt(published.segments).encode("utf-8")),
               Asset(srt, data=to_srt(published.segments).encode("utf-8"))]
    parts = split_parts(published.segments, PART_BUDGET)
    where = _chapter_parts(chapters_sorted, parts)
    chapters = []
    for i, chapter in enumerate(chapters_sorted):
        image = ""
        if chapter_frames:
            image = f"livestreams/posters/{tid}-c{i}.jpg"
            assets.append(Asset(image, source=chapter_frames[i]))
        chapters.append({"c": chapter, "anchor": f"c-{slugify(chapter.id)}", "part": where[chapter.id],
                         "image": image})
    by_id = {s.id: s for s in published.segments}
    cards = [_card(model, h, by_id) for h in sorted(annotations.highlights, key=lambda h: h.start)]
    media_type = mimetypes.guess_type(copy.name)[0] or ("video/mp4" if info.has_video else "audio/mp4")
    return Recap(folder, media_src, media_type, info.has_video, poster, vtt, srt, info.duration,
                 published.segments, parts, chapters, cards, assets)


def _recap_pages(recap: Recap) -> Iterable[Page]:
    folder, meta = recap.folder, recap.folder.meta
    total = len(recap.parts)
    for part in recap.parts:
        path = part_path(folder.id, part.number)
        root = root_prefix(path)
        chapters = [c["c"] for c in recap.chapters if c["part"] == part.number]
        context = dict(recap=recap, meta=meta, part=part, parts=recap.parts, total=total, root=root, clock=clock,
                       items=transcript_items(part.segments, chapters), part_url=part_url,
                       figures=list(meta.figures.items()))
        if part.number == 1:
            body = render("recaps/recap.html", **context)
            title = meta.title
            description = meta.summary or f"{meta.date} {meta.place} {meta.title}：执法直播回放、章节、释法要点和文字稿。"
        else:
            body = render("recaps/part.html", **context)
            title = f"{meta.title}（文字稿 {part.number}/{total}）"
            description = f"{meta.title} 文字稿第 {part.number} 部分（{clock(part.start)}–{clock(part.end)}）。"
        yield Page(path, title, body, description=" ".join(description.split())[:110],
                   filters={"type": ["直播"], **({"category": list(meta.topics)} if meta.topics else {})},
                   meta={"image": recap.poster} if recap.poster else {})


def pages(model: Any) -> Iterable[Page | Asset]:
    # The seek script serves any page with a player and data-start lines (episodes too).
    out: list[Page | Asset] = [Asset(JS_ASSET, source=TEMPLATE_DIR / "recaps.js"),
                               Asset(CSS_ASSET, source=TEMPLATE_DIR / "recaps.css")]
    config = model.config
    media = MediaCache(config.cache_dir)
    problems = ProblemCollector()
    # Episode transcripts (泉小慧) pass the same annotation checks; the episodes section
    # renders them.
    for folder in model.transcripts:
        if folder.meta.kind == "episode":
            check_episode_folder(folder, config.root, media, problems, model.laws)
    streams = livestreams(model)
    if not streams:
        problems.raise_if_any()
        return out
    entries = []
    # One pass, one transcript in memory at a time; a folder with a problem is not
    # rendered, and every problem of every folder is reported before anything is written.
    for folder in streams:
        before = len(problems.problems)
        source, info = check_folder(folder, config.root, media, problems, model.laws)
        if len(problems.problems) > before or source is None or info is None:
            release(folder)
            continue
        try:
            recap = _recap(model, folder, source, info, media)
        except InputError as exc:
            problems.extend(exc)
            release(folder)
            continue
        unreviewed_lines(folder)          # for the build report, while the transcript is loaded
        out += recap.assets
        out += list(_recap_pages(recap))
        recap.segments, recap.parts = [], []      # rendered: keep memory flat over 200 streams
        entries.append(recap)
        release(folder)
    problems.raise_if_any()
    path = "livestreams/index.md"
    out.append(Page(path, "执法直播回放", render("recaps/index.html", recaps=entries, root=root_prefix(path),
                                               clock=clock),
                    description=f"济南交通运输执法直播回放，共 {len(entries)} 场：章节、释法要点和文字稿。",
                    in_nav=True, search=False))
    return out
