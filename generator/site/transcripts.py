"""Shared transcript machinery of the site: what of a transcript folder may be published,
the media derivatives that go with it, the checks a folder must pass before any page is
written, and the split of long transcripts into pages.

Used by the livestream recaps (`sections/recaps.py`) and usable by 泉小慧 episodes. Never
reads or writes `site/`; derived media (muted copies, poster frames, probe results) live
under `<cache_dir>/media/`, keyed by a content fingerprint of the source and what was
asked, so a rebuild (or a fresh checkout, whose files have new mtimes) does no ffmpeg work.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError, MediaError, ProblemCollector
from ..fsutil import atomic_write_json
from ..records.law import parse_citation
from ..records.transcript import Annotations, PiiFlag, Segment, Transcript, TranscriptMeta
from ..speech.media import MediaInfo, extract_frame, merge_ranges, probe, silence_ranges
from ..speech.redact import published_segments, redacted_ranges, unreviewed_flags
from ..yamlio import LineMap, load_yaml

FINGERPRINT_CHUNK = 1 << 20        # bytes read from each end of a media file for its fingerprint
POSTER_WIDTH = 480                 # phone-sized frames (≈ 15–30 KB JPEG)


def clock(seconds: float) -> str:
    """75 → '01:15'; 3725 → '1:02:05'."""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def is_url(text: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I)) or text.startswith("//")


# ---- media ------------------------------------------------------------------------------

def fingerprint(source: Path) -> str:
    """A content fingerprint: size plus the first and last MiB (a full hash of a 3-hour
    video would cost seconds per build). Survives a fresh clone, unlike an mtime key."""
    size = source.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with source.open("rb") as handle:
        digest.update(handle.read(FINGERPRINT_CHUNK))
        if size > 2 * FINGERPRINT_CHUNK:
            handle.seek(size - FINGERPRINT_CHUNK)
            digest.update(handle.read(FINGERPRINT_CHUNK))
    return digest.hexdigest()


def resolve_media(root: Path, folder: Path, media: str) -> Path | None:
    """meta.yaml `media`: a path relative to the project root, or to the transcript folder;
    None when it is not a file inside the project."""
    if not media or is_url(media):
        return None
    root = root.resolve()
    for base in (root, folder):
        candidate = (base / media).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            return candidate
    return None


WEB_SUFFIXES = (".mp4", ".m4v", ".m4a", ".webm", ".mp3", ".ogg", ".oga", ".opus", ".wav")
AUDIO_ONLY_SUFFIXES = (".m4a", ".mp3", ".ogg", ".oga", ".opus", ".wav", ".aac", ".flac", ".amr", ".wma")


def published_suffix(source: Path) -> str:
    """The container of the published copy: the source's where browsers play it, else
    MP4 (M4A for sound only)."""
    suffix = source.suffix.lower()
    if suffix in WEB_SUFFIXES:
        return suffix
    return ".m4a" if suffix in AUDIO_ONLY_SUFFIXES else ".mp4"


class MediaCache:
    """Probe results, muted copies and poster frames under `<cache_dir>/media/`."""

    def __init__(self, cache_dir: Path):
        self.dir = cache_dir / "media"
        self._prints: dict[Path, str] = {}

    def key(self, source: Path, *extra: object) -> str:
        if source not in self._prints:
            self._prints[source] = fingerprint(source)
        text = json.dumps([self._prints[source], *map(str, extra)])
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def probe(self, source: Path) -> MediaInfo:
        cached = self.dir / f"probe-{self.key(source)}.json"
        if cached.exists():
            try:
                return MediaInfo(**json.loads(cached.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                pass
        info = probe(source)
        atomic_write_json(cached, info.__dict__)
        return info

    def muted(self, source: Path, ranges: list[tuple[float, float]], name: str, web: bool = False) -> Path:
        """The published copy of `source`: itself when nothing is hidden and a browser can
        play it, else a copy with the ranges silenced (the original never reaches the site
        when a range exists). Containers browsers cannot play (FLV from streaming
        software, MKV, TS, AVI) become MP4 with `web=True`, video stream copied."""
        suffix = published_suffix(source) if web else source.suffix.lower()
        if not ranges and suffix == source.suffix.lower():
            return source
        rounded = [(round(a, 3), round(b, 3)) for a, b in ranges]
        target = self.dir / f"{name}-muted-{self.key(source, rounded)}{suffix}"
        if not target.exists():
            silence_ranges(source, target, ranges)
            try:        # measured, not assumed: the copy is silent over every hidden range
                from ..speech.coverage import check_silent
                check_silent(target, merge_ranges(ranges))
            except BaseException:
                target.unlink(missing_ok=True)
                raise
        return target

    def frame(self, source: Path, at: float, name: str, width: int = POSTER_WIDTH) -> Path:
        target = self.dir / f"{name}-{self.key(source, round(at, 2), width)}.jpg"
        if not target.exists():
            extract_frame(source, at, target, width=width)
        return target


# ---- what may be published ------------------------------------------------------------

@dataclass
class Published:
    """A transcript as it may be published, and the media ranges to silence."""

    segments: list[Segment]
    ranges: list[tuple[float, float]]
    unreviewed: list[PiiFlag]


def publish(transcript: Transcript, annotations: Annotations) -> Published:
    return Published(published_segments(transcript, annotations), redacted_ranges(transcript, annotations),
                     unreviewed_flags(transcript, annotations))


def unreviewed_lines(folder: Any) -> list[str]:
    """One line per transcription flag of a folder that no staff member has decided on
    (hidden by default); never the flagged text itself. Remembered on the folder, so the
    section that renders it computes it once while the transcript is in memory."""
    cached = folder.__dict__.get("_pufa_unreviewed")
    if cached is not None:
        return cached
    if not folder.has_transcript:
        return []
    loaded = "transcript" in folder.__dict__
    try:
        flags = unreviewed_flags(folder.transcript, folder.annotations)
    except InputError:
        return []                 # reported as an error by the section that renders it
    lines = [f"{folder.path / 'transcript.json'}: flag {flag.id} ({flag.kind}, {clock(flag.start)}) is unreviewed "
             f"and hidden by default / 未审核的个人信息标记，已默认隐去; run 'pufa annotate' to keep or release it"
             for flag in flags]
    folder.__dict__["_pufa_unreviewed"] = lines
    if not loaded:
        release(folder)
    return lines


def unreviewed_report(folders: Iterable[Any]) -> list[str]:
    """What `pufa build` reports: every unreviewed flag of every transcript."""
    return [line for folder in folders for line in unreviewed_lines(folder)]


def release(folder: Any) -> None:
    """Drop a folder's parsed transcript once its pages are made: 200 three-hour
    transcripts must not all sit in memory at once (the folder re-reads it on demand)."""
    folder.__dict__.pop("transcript", None)


# ---- checks -------------------------------------------------------------------------

def _json_lines(path: Path) -> "JsonLines":
    return JsonLines(path.read_text(encoding="utf-8") if path.exists() else "")


class JsonLines:
    """Approximate line numbers in a JSON file for `name[index]` paths: the line where the
    index-th object of the list `name` starts. Good enough to point a person at it."""

    def __init__(self, text: str):
        self.text = text
        self._cache: dict[str, list[int]] = {}

    def __call__(self, path: str) -> int | None:
        match = re.match(r"^(\w+)\[(\d+)\]", path)
        if not match or not self.text:
            return None
        name, index = match.group(1), int(match.group(2))
        if name not in self._cache:
            self._cache[name] = self._starts(name)
        starts = self._cache[name]
        return starts[index] if index < len(starts) else None

    def _starts(self, name: str) -> list[int]:
        found = re.search(r'"%s"\s*:\s*\[' % re.escape(name), self.text)
        if not found:
            return []
        depth, starts, in_string, escape = 0, [], False, False
        for pos in range(found.end(), len(self.text)):
            char = self.text[pos]
            if in_string:
                escape = (char == "\\") and not escape
                if char == '"' and not escape:
                    in_string = False
                continue
            if char == '"':
                in_string = True
            elif char in "[{":
                if depth == 0 and char == "{":
                    starts.append(self.text.count("\n", 0, pos) + 1)
                depth += 1
            elif char in "]}":
                if depth == 0:
                    break
                depth -= 1
        return starts


def check_folder(folder: Any, root: Path, media: MediaCache, problems: ProblemCollector,
                 laws: Any = None) -> tuple[Path | None, MediaInfo | None]:
    """Every check a transcript folder must pass before its pages are written; problems
    name the file, line and field. Returns the resolved media and its probe result."""
    meta: TranscriptMeta = folder.meta
    meta_file = folder.path / "meta.yaml"
    meta_lines: LineMap | None = None

    def meta_problem(name: str, message: str, hint: str | None = None) -> None:
        nonlocal meta_lines
        if meta_lines is None:
            meta_lines = load_yaml(meta_file)[1]
        problems.add(meta_file, message, line=meta_lines(name), field=name, hint=hint)

    source, info = None, None
    if not meta.media:
        meta_problem("media", "a transcript to publish needs its media file / 缺少媒体文件",
                     "give the path of the video or audio in the project, e.g. media/<id>.mp4")
    elif is_url(meta.media):
        meta_problem("media", f"media '{meta.media}' is a URL: published media must be a file in the project "
                     "(self-hosted)", "download it into media/ and give its path")
    else:
        source = resolve_media(root, folder.path, meta.media)
        if source is None:
            meta_problem("media", f"media file '{meta.media}' does not exist in the project",
                         "give a path relative to the project (or to this folder)")
        else:
            try:
                info = media.probe(source)
            except MediaError as exc:
                meta_problem("media", str(exc))
                source = None

    for index, text in enumerate(meta.laws):
        try:
            citations = parse_citation(text)
        except ValueError as exc:
            meta_problem(f"laws[{index}]", str(exc))
            continue
        for basis in citations:
            if laws is not None and laws.find(basis.law) is None:
                meta_problem(f"laws[{index}]", f"unknown law 《{basis.law}》", "a title from data/laws/catalog.yaml")

    transcript_file = folder.path / "transcript.json"
    if not folder.has_transcript:
        problems.add(transcript_file, "file not found", hint="run 'pufa transcribe' or 'pufa subtitles import'")
        return source, info
    try:
        transcript = folder.transcript
        annotations = folder.annotations
    except InputError as exc:
        problems.extend(exc)
        return source, info
    check_annotations(folder.path / "annotations.json", transcript, annotations,
                      info.duration if info else None, problems, laws)
    return source, info


def check_episode_folder(folder: Any, root: Path, media: MediaCache, problems: ProblemCollector,
                         laws: Any = None) -> None:
    """The annotation checks for an episode's transcript (its media is checked by the
    episodes section, from data/episodes.yaml): the duration comes from meta.yaml's media
    when that file exists."""
    if not folder.has_transcript:
        return
    try:
        transcript, annotations = folder.transcript, folder.annotations
    except InputError as exc:
        problems.extend(exc)
        return
    duration = None
    source = resolve_media(root, folder.path, folder.meta.media) if folder.meta.media else None
    if source is not None:
        try:
            duration = media.probe(source).duration
        except MediaError:
            duration = None       # reported by the episodes section
    check_annotations(folder.path / "annotations.json", transcript, annotations, duration, problems, laws)


def check_annotations(file: Path, transcript: Transcript, annotations: Annotations, duration: float | None,
                      problems: ProblemCollector, laws: Any = None, publication: bool = True) -> None:
    """Annotations must refer to segments that exist, chapters must not overlap, and
    redactions must lie inside the media; highlights must cite a known law.
    `publication`: also what publishing would refuse (a number left unhidden). The
    annotation tool saves work in progress without it and flags those instead."""
    lines = _json_lines(file)
    segments = {s.id: s for s in transcript.segments}

    def add(path: str, message: str, hint: str | None = None) -> None:
        problems.add(file, message, line=lines(path), field=path, hint=hint)

    seen: set[str] = set()
    previous: tuple[int, float] | None = None
    for index, chapter in enumerate(annotations.chapters):
        where = f"chapters[{index}]"
        if not str(chapter.id).strip():
            add(f"{where}.id", "empty chapter id")
        elif chapter.id in seen:
            add(f"{where}.id", f"duplicate chapter id '{chapter.id}'")
        seen.add(chapter.id)
        if not isinstance(chapter.title, str):
            add(f"{where}.title", f"expected text, got {type(chapter.title).__name__}")
        elif not chapter.title.strip():
            add(f"{where}.title", "empty chapter title")
        if not isinstance(chapter.start, (int, float)) or chapter.start < 0:
            add(f"{where}.start", f"start {chapter.start!r} is not a time in seconds")
            continue
        if duration is not None and chapter.start >= duration:
            add(f"{where}.start", f"chapter starts at {chapter.start:.1f} s, after the media ends ({duration:.1f} s)")
        if previous is not None and chapter.start <= previous[1]:
            add(f"{where}.start", f"chapter overlaps chapters[{previous[0]}] (starts at {chapter.start:.1f} s, "
                f"not after {previous[1]:.1f} s)", "chapters must be in time order, each starting after the last")
        previous = (index, float(chapter.start))

    def times_ok(where: str, item: Any) -> bool:
        for name in ("start", "end"):
            value = getattr(item, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                add(f"{where}.{name}", f"{value!r} is not a time in seconds")
                return False
        return True

    seen = set()
    for index, highlight in enumerate(annotations.highlights):
        where = f"highlights[{index}]"
        if not times_ok(where, highlight):
            continue
        wrong = [name for name in ("title", "law", "article", "note") if not isinstance(getattr(highlight, name), str)]
        for name in wrong:
            add(f"{where}.{name}", f"expected text, got {type(getattr(highlight, name)).__name__}")
        if wrong:
            continue
        if highlight.id in seen:
            add(f"{where}.id", f"duplicate highlight id '{highlight.id}'")
        seen.add(highlight.id)
        if highlight.end < highlight.start:
            add(f"{where}.end", f"end {highlight.end} is before start {highlight.start}")
        if duration is not None and highlight.end > duration + 0.5:
            add(f"{where}.end", f"ends at {highlight.end:.1f} s, after the media ends ({duration:.1f} s)")
        for j, segment_id in enumerate(highlight.segment_ids if isinstance(highlight.segment_ids, list) else []):
            if segment_id not in segments:
                add(f"{where}.segment_ids[{j}]", f"segment {segment_id} does not exist in transcript.json",
                    "the transcript was edited since: fix the highlight in pufa annotate")
        if highlight.law and laws is not None:
            law = laws.find(highlight.law)
            if law is None:
                add(f"{where}.law", f"unknown law 《{highlight.law}》", "a title from data/laws/catalog.yaml")
            elif highlight.article:
                from ..records.law import article_key
                key = article_key(highlight.article)
                if key is None:
                    add(f"{where}.article", f"'{highlight.article}' is not an article reference like 第三十四条")
                elif law.text is not None and key not in law.text.articles:
                    add(f"{where}.article", f"《{law.title}》 has no {highlight.article}")
        elif highlight.article and not highlight.law:
            add(f"{where}.law", "an article without its law", "give the law's title (without 《》)")

    for index, redaction in enumerate(annotations.redactions):
        where = f"redactions[{index}]"
        if not times_ok(where, redaction):
            continue
        segment = segments.get(redaction.segment_id) if isinstance(redaction.segment_id, int) else None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (redaction.start_char, redaction.end_char)):
            add(f"{where}.start_char", "start_char and end_char must be whole numbers (character offsets)")
        elif segment is None:
            add(f"{where}.segment_id", f"segment {redaction.segment_id} does not exist in transcript.json",
                "the transcript was edited since: fix the redaction in pufa annotate")
        elif not (0 <= redaction.start_char <= redaction.end_char <= len(segment.text)):
            add(f"{where}.end_char", f"characters {redaction.start_char}–{redaction.end_char} are outside "
                f"segment {segment.id} ({len(segment.text)} characters)")
        if redaction.end < redaction.start:
            add(f"{where}.end", f"end {redaction.end} is before start {redaction.start}")
        if redaction.start < 0 or (duration is not None and redaction.end > duration + 0.05):
            add(f"{where}.end" if redaction.start >= 0 else f"{where}.start",
                f"time range {redaction.start:.2f}–{redaction.end:.2f} s is outside the media "
                f"(0–{duration if duration is not None else 0:.2f} s)",
                "the wrong media file, or a redaction from another transcript")
    # NaN/infinite times, and hiding redactions whose time range misses their text (issue 17)
    from ..speech.coverage import annotation_time_problems
    for path, message, hint in annotation_time_problems(transcript, annotations, duration):
        add(path, message, hint)
    if publication:
        _publication_problems(file, transcript, annotations, problems)   # issue 20


def _publication_problems(file: Path, transcript: Transcript, annotations: Annotations,
                          problems: ProblemCollector) -> None:
    """Numbers released without a reason, or published unhidden: named by transcript,
    segment and redaction (generator/speech/publishcheck.py)."""
    from ..speech.publishcheck import publication_problems

    if any(problem.file in (str(file), str(file.parent / "transcript.json")) for problem in problems.problems):
        return   # fix the annotations first: what would be published follows from them
    try:
        found = publication_problems(transcript, annotations)
    except (IndexError, TypeError, ValueError):
        return   # malformed redactions: reported above
    for name, path, message, hint in found:
        target = file.parent / name
        problems.add(target, message, line=_json_lines(target)(path), field=path, hint=hint)



# ---- paging -------------------------------------------------------------------------

@dataclass
class Part:
    """One page's share of a long transcript (number 1 is on the recap page itself)."""

    number: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.segments[0].start if self.segments else 0.0

    @property
    def end(self) -> float:
        return self.segments[-1].end if self.segments else 0.0


def split_parts(segments: list[Segment], budget: int, overhead: int = 160) -> list[Part]:
    """Greedy split into parts of at most ~`budget` bytes of HTML (UTF-8 text plus a fixed
    markup overhead per line), so every page stays small on a phone."""
    parts = [Part(1)]
    size = 0
    for segment in segments:
        cost = len(segment.text.encode("utf-8")) + len(segment.speaker.encode("utf-8")) + overhead
        if parts[-1].segments and size + cost > budget:
            parts.append(Part(len(parts) + 1))
            size = 0
        parts[-1].segments.append(segment)
        size += cost
    return parts
