"""Transcript records: `transcripts/<id>/transcript.json`, `meta.yaml`, `annotations.json`.

Times are seconds (float). Text is Simplified Chinese. Character offsets (`start_char`,
`end_char`) index a segment's `text` as Python str indices (code points), end exclusive.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, ProblemCollector
from ..fsutil import atomic_write_json
from ..yamlio import LineMap, load_yaml
from .validate import FieldReader

KINDS = ("livestream", "episode")
AUDIENCES = ("public", "小学", "初中", "高中", "drivers", "firms")
REDACTION_STATES = ("proposed", "kept", "released")
PII_KINDS = ("phone", "id_number", "plate", "name", "bank_card", "address", "other")


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    speaker: str = ""
    words: list[Word] = field(default_factory=list)


@dataclass
class PiiFlag:
    """Personal data spotted in speech: redacted on publication unless staff release it."""

    id: str              # stable: f"{segment_id}:{start_char}-{end_char}"
    segment_id: int
    start_char: int
    end_char: int
    kind: str            # one of PII_KINDS
    start: float         # time range to silence, already widened
    end: float
    text: str = ""       # the flagged text (never published)


@dataclass
class ReviewMark:
    """A stretch the recogniser was unsure of, for staff to listen to (a collapsed loop)."""

    segment_id: int
    start: float
    end: float
    kind: str            # "loop": a repeated line or phrase was collapsed to one
    note: str = ""


@dataclass
class Transcript:
    language: str
    model: str
    segments: list[Segment]
    flags: list[PiiFlag] = field(default_factory=list)
    duration: float | None = None
    review: list[ReviewMark] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # e.g. why a transcript is empty

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _transcript_from_json(data: Any, file: str) -> Transcript:
    problems = ProblemCollector()
    if not isinstance(data, dict):
        raise InputError.at(file, "expected a JSON object with 'segments'")
    segments: list[Segment] = []
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list):
        raise InputError.at(file, "missing list", field="segments")
    from ..bounded import MAX_SEGMENTS
    if len(raw_segments) > MAX_SEGMENTS:    # bounded work for the build and the annotation tool
        raise InputError.at(file, f"{len(raw_segments)} segments; a transcript may have at most {MAX_SEGMENTS}",
                            field="segments", hint="split the recording into parts and transcribe each")
    last_start = -1.0
    seen_ids: set[int] = set()
    for index, raw in enumerate(raw_segments):
        where = f"segments[{index}]"
        try:
            words = [Word(float(w["start"]), float(w["end"]), str(w["word"]), float(w.get("probability", 1.0)))
                     for w in raw.get("words") or []]
            if not isinstance(raw["text"], str) or not isinstance(raw.get("speaker") or "", str):
                bad = "text" if not isinstance(raw["text"], str) else "speaker"
                problems.add(file, f"expected text, got {type(raw[bad]).__name__}", field=f"{where}.{bad}")
                continue
            segment = Segment(int(raw["id"]), float(raw["start"]), float(raw["end"]), raw["text"],
                              raw.get("speaker") or "", words)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.add(file, f"bad segment ({exc.__class__.__name__}: {exc})", field=where,
                         hint="each segment needs id, start, end, text")
            continue
        if segment.end < segment.start:
            problems.add(file, f"end {segment.end} is before start {segment.start}", field=f"{where}.end")
        if segment.start < last_start:
            problems.add(file, "segments must be in time order", field=f"{where}.start")
        if segment.id in seen_ids:
            problems.add(file, f"duplicate segment id {segment.id}", field=f"{where}.id")
        seen_ids.add(segment.id)
        last_start = segment.start
        segments.append(segment)
    flags: list[PiiFlag] = []
    for index, raw in enumerate(data.get("flags") or []):
        try:
            flags.append(PiiFlag(**{k: raw[k] for k in PiiFlag.__dataclass_fields__ if k in raw}))
        except TypeError as exc:
            problems.add(file, f"bad flag: {exc}", field=f"flags[{index}]")
    review: list[ReviewMark] = []
    for index, raw in enumerate(data.get("review") or []):
        try:
            review.append(ReviewMark(**{k: raw[k] for k in ReviewMark.__dataclass_fields__ if k in raw}))
        except TypeError as exc:
            problems.add(file, f"bad review mark: {exc}", field=f"review[{index}]")
    notes = [str(n) for n in data.get("notes") or [] if isinstance(n, str)]
    problems.raise_if_any()
    return Transcript(str(data.get("language") or "zh"), str(data.get("model") or ""), segments, flags,
                      data.get("duration"), review, notes)


def load_transcript(path: str | Path) -> Transcript:
    path = Path(path)
    try:
        data = _read_json(path)
    except FileNotFoundError:
        raise InputError.at(path, "file not found") from None
    return _transcript_from_json(data, str(path))


def _read_json(path: Path) -> Any:
    """JSON of a UTF-8 file; a syntax error or a broken byte (a file cut off mid-character
    by a crash or a copy) is an InputError with its line, never a traceback."""
    from ..bounded import MAX_ANNOTATIONS_BYTES, MAX_TRANSCRIPT_BYTES, check_size, loads
    # sizes and depth bounded before parsing: a planted file must not exhaust the machine
    check_size(path, MAX_ANNOTATIONS_BYTES if path.name == "annotations.json" else MAX_TRANSCRIPT_BYTES,
               "split the recording into parts and transcribe each")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(path, f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}; cut off or saved in "
                            "another encoding)", line=raw[:exc.start].count(b"\n") + 1,
                            hint="save it as UTF-8") from None
    return loads(text, path)


def save_transcript(path: str | Path, transcript: Transcript) -> None:
    atomic_write_json(path, transcript.to_json())


@dataclass
class TranscriptMeta:
    id: str
    kind: str                    # livestream | episode
    title: str
    date: str = ""               # YYYY-MM-DD
    series: str = ""             # e.g. 泉小慧
    episode: int | None = None
    media: str = ""              # path relative to the project (or to this folder), or URL
    duration: float | None = None
    topics: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    place: str = ""
    summary: str = ""
    figures: dict[str, int] = field(default_factory=dict)   # e.g. {检查车辆: 120, 发现违法: 9, 教育纠正: 5}
    laws: list[str] = field(default_factory=list)           # citations '《…》第…条' it explains
    cases: list[str] = field(default_factory=list)          # case ids it explains

    def to_mapping(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None, [], {})}


META_FIELDS = set(TranscriptMeta.__dataclass_fields__)


def meta_from_mapping(data: Any, file: str | Path, lines: LineMap | None = None) -> TranscriptMeta:
    lines = lines or LineMap()
    problems = ProblemCollector()
    r = FieldReader(data, file, lines, problems)
    if not isinstance(data, dict):
        problems.raise_if_any()
    r.unknown_fields(META_FIELDS)
    date = r.date("date", required=False)
    figures = data.get("figures") or {}
    if not isinstance(figures, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in figures.values()):
        r.problem("figures", "expected a mapping of label → whole number")
        figures = {}
    audience = r.text_list("audience")
    for value in audience:
        if value not in AUDIENCES:
            r.problem("audience", f"'{value}' is not one of: {' / '.join(AUDIENCES)}")
    meta = TranscriptMeta(
        id=r.slug("id"), kind=r.choice("kind", KINDS), title=r.text("title"),
        date=date.isoformat() if date else "", series=r.text("series", required=False),
        episode=r.integer("episode"), media=r.text("media", required=False),
        duration=r.number("duration"), topics=r.text_list("topics"), audience=audience,
        place=r.text("place", required=False), summary=r.text("summary", required=False),
        figures={str(k): v for k, v in figures.items()}, laws=r.text_list("laws"), cases=r.text_list("cases"),
    )
    problems.raise_if_any()
    return meta


def load_meta(path: str | Path) -> TranscriptMeta:
    data, lines = load_yaml(path)
    return meta_from_mapping(data, path, lines)


@dataclass
class Chapter:
    id: str
    title: str
    start: float


@dataclass
class Highlight:
    """A legal-explanation moment: the segments it spans and the law it cites."""

    id: str
    start: float
    end: float
    title: str
    law: str = ""          # title without 《》
    article: str = ""      # 第…条
    note: str = ""
    segment_ids: list[int] = field(default_factory=list)


@dataclass
class Redaction:
    """A span hidden in every published output; its time range is silenced in media.

    `flag_id` links it to a transcription PII flag; `state` proposed → kept | released.
    """

    id: str
    segment_id: int
    start_char: int
    end_char: int
    start: float
    end: float
    state: str = "kept"
    kind: str = "other"
    flag_id: str = ""
    text: str = ""          # the hidden text, for the reviewer (never published)
    reason: str = ""        # why a flagged phone, ID or plate was released (asked for, logged)


@dataclass
class Annotations:
    version: int = 0
    chapters: list[Chapter] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    redactions: list[Redaction] = field(default_factory=list)
    speakers: dict[str, str] = field(default_factory=dict)    # label in segments → display name

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def annotations_from_json(data: Any, file: str) -> Annotations:
    problems = ProblemCollector()
    if not isinstance(data, dict):
        raise InputError.at(file, "expected a JSON object")

    def build(kind: type, name: str) -> list[Any]:
        out = []
        for index, raw in enumerate(data.get(name) or []):
            try:
                out.append(kind(**raw))
            except TypeError as exc:
                problems.add(file, f"bad entry: {exc}", field=f"{name}[{index}]")
        return out

    redactions = build(Redaction, "redactions")
    for index, redaction in enumerate(redactions):
        if redaction.state not in REDACTION_STATES:
            problems.add(file, f"state '{redaction.state}' is not one of {REDACTION_STATES}",
                         field=f"redactions[{index}].state")
    speakers = data.get("speakers") or {}
    if not isinstance(speakers, dict):
        problems.add(file, "expected a mapping of label → name", field="speakers")
        speakers = {}
    version = data.get("version", 0)
    if not isinstance(version, int):
        problems.add(file, "expected a whole number", field="version")
        version = 0
    for label_, name in speakers.items():
        if not isinstance(name, str):
            problems.add(file, f"expected text, got {type(name).__name__}", field=f"speakers.{label_}")
    result = Annotations(version, build(Chapter, "chapters"), build(Highlight, "highlights"), redactions,
                         {str(k): str(v) for k, v in speakers.items()})
    problems.raise_if_any()
    return result


def load_annotations(path: str | Path) -> Annotations:
    path = Path(path)
    if not path.exists():
        return Annotations()
    data = _read_json(path)
    return annotations_from_json(data, str(path))
