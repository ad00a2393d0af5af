"""The annotation tool's documents on disk: open, validate, and save with a version check.

One document = a transcript folder: `transcript.json` (corrected text), `annotations.json`
(chapters, highlights, redactions, speaker names, `version`) and `redaction-log.jsonl`
(who decided what about each redaction; staff only, never published).

Saving is compare-and-swap: the caller says which version (and which transcript.json
bytes, by hash) its edit was based on; if either changed meanwhile the save is refused
with ConflictError. The check and the writes run under an exclusive lock on the folder,
so two windows (or two tool processes) saving at once cannot both win.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import math
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from ..errors import ConflictError, InputError, ProblemCollector
from ..bounded import MAX_TRANSCRIPT_BYTES, check_size, loads
from ..fsutil import atomic_write_json, dump_json, fsync_dir, inside_project
from ..records.transcript import (
    Annotations, Segment, Transcript, TranscriptMeta, Word, _transcript_from_json, annotations_from_json,
    load_annotations, load_meta,
)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
TRANSCRIPT_FILE = "transcript.json"
ANNOTATIONS_FILE = "annotations.json"
META_FILE = "meta.yaml"
LOG_FILE = "redaction-log.jsonl"
PENDING_FILE = ".pending-save.json"    # the commit point of a two-file save (see _commit_together)
# The only renames a pending-save marker may ask for: a marker is a file in a folder that
# may come from elsewhere, so it names nothing but these (never a path).
STAGED = {f".{TRANSCRIPT_FILE}.staged": TRANSCRIPT_FILE, f".{ANNOTATIONS_FILE}.staged": ANNOTATIONS_FILE}


@dataclass
class Summary:
    """One line of the tool's list of transcripts."""

    id: str
    title: str
    kind: str
    date: str
    segments: int
    duration: float | None
    has_media: bool


@dataclass
class Document:
    id: str
    meta: TranscriptMeta | None
    transcript: Transcript
    annotations: Annotations
    transcript_hash: str
    media: Path | None            # resolved, inside the project, existing; None otherwise
    media_problem: str = ""       # why there is no playable media
    raw: bytes = b""              # transcript.json as read (validated), served without re-encoding


@dataclass
class SaveResult:
    version: int
    transcript_hash: str
    log_entries: int


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


class Store:
    """All file access of the tool goes through here; nothing outside `root` is ever read."""

    def __init__(self, root: Path, transcripts_dir: Path):
        self.root = root.resolve()
        self.transcripts_dir = transcripts_dir.resolve()
        # transcript id → (sha256, parsed JSON) of the last content validated or written
        self._known: dict[str, tuple[str, dict]] = {}
        # transcript id → {id(segment dict): (segment dict, its JSON line)} for those dicts
        self._lines: dict[str, dict[int, tuple[dict, str]]] = {}
        # transcript.json → ((size, mtime_ns), (segments, duration)) for the list page
        self._counts: dict[Path, tuple[tuple[int, int], tuple[int, float | None]]] = {}
        self._durations: dict[tuple[str, int, int], float | None] = {}
        self.laws: Any = None     # the site's law book (set by the server): highlights cite known laws

    # -- finding things -------------------------------------------------------------

    def folder(self, transcript_id: str) -> Path:
        """The folder of one transcript; InputError for any id that is not a plain slug."""
        if not ID_RE.match(transcript_id or ""):
            raise InputError.at(self.transcripts_dir, f"'{transcript_id}' is not a transcript id",
                                hint="ids are lower-case letters, digits, '-' and '_'")
        folder = self.transcripts_dir / transcript_id
        if not (folder / TRANSCRIPT_FILE).is_file() or not _inside(folder.resolve(), self.transcripts_dir):
            raise FileNotFoundError(transcript_id)
        return folder

    def checked(self, folder: Path, *names: str) -> None:
        """InputError naming the first of these files that is a link leading out of the project."""
        for name in names:
            if (folder / name).is_symlink() or (folder / name).exists():
                inside_project(folder / name, self.root)

    def list(self) -> list[Summary]:
        out: list[Summary] = []
        if not self.transcripts_dir.is_dir():
            return out
        for folder in sorted(self.transcripts_dir.iterdir()):
            if not ID_RE.match(folder.name) or not (folder / TRANSCRIPT_FILE).is_file():
                continue
            meta = self._meta_or_none(folder)
            count, duration = self._count(folder / TRANSCRIPT_FILE)
            media, _ = self._media(folder, meta)
            out.append(Summary(folder.name, meta.title if meta else folder.name, meta.kind if meta else "",
                               meta.date if meta else "", count, (meta.duration if meta else None) or duration,
                               media is not None))
        return out

    def _count(self, path: Path) -> tuple[int, float | None]:
        """Segments and end time for the list, parsed once per file version (size, mtime):
        the list is asked for often and a transcript can be large. A file over the limit,
        or linked from outside the project, is listed without being read (opening names it)."""
        try:
            inside_project(path, self.root)
            stat = path.stat()
        except (InputError, OSError):
            return 0, None
        key = (stat.st_size, stat.st_mtime_ns)
        known = self._counts.get(path)
        if known is not None and known[0] == key:
            return known[1]
        counted = (0, None) if stat.st_size > MAX_TRANSCRIPT_BYTES else _count_segments(path)
        self._counts[path] = (key, counted)
        return counted

    def _meta_or_none(self, folder: Path) -> TranscriptMeta | None:
        try:
            if not (folder / META_FILE).is_file():
                return None
            inside_project(folder / META_FILE, self.root)
            return load_meta(folder / META_FILE)
        except InputError:
            return None

    def media(self, transcript_id: str) -> tuple[Path | None, str]:
        """The playable media file of a transcript (the player asks for it many times)."""
        folder = self.folder(transcript_id)
        self.checked(folder, META_FILE)
        return self._media(folder, load_meta(folder / META_FILE) if (folder / META_FILE).is_file() else None)

    def _media(self, folder: Path, meta: TranscriptMeta | None) -> tuple[Path | None, str]:
        """meta.yaml `media`, relative to the project root (or to the folder); must stay inside."""
        if meta is None or not meta.media:
            return None, "meta.yaml 没有 media 字段 / meta.yaml has no media"
        if re.match(r"^[a-z][a-z0-9+.-]*://", meta.media, re.I):
            return None, "媒体是网址，工具只播放项目内的文件 / media is a URL; the tool plays project files only"
        for base in (self.root, folder):
            candidate = (base / meta.media).resolve()
            if not _inside(candidate, self.root):
                return None, "媒体路径在项目之外 / media path is outside the project"
            if candidate.is_file():
                return candidate, ""
        return None, f"找不到媒体文件 / media file not found: {meta.media}"

    # -- opening --------------------------------------------------------------------

    def open(self, transcript_id: str, records: bool = True) -> Document:
        """Read one transcript folder. `records=False` skips building typed segments when the
        caller only needs the validated bytes (the page parses them itself)."""
        folder = self.folder(transcript_id)
        if (folder / PENDING_FILE).exists() or any(folder.glob(".*.staged")):
            with _folder_lock(folder):
                finish_interrupted_save(folder)
        self.checked(folder, TRANSCRIPT_FILE, ANNOTATIONS_FILE, META_FILE)
        check_size(folder / TRANSCRIPT_FILE, MAX_TRANSCRIPT_BYTES, "split the recording into parts and transcribe each")
        raw = (folder / TRANSCRIPT_FILE).read_bytes()
        digest = _hash(raw)
        data = self._validated(transcript_id, folder / TRANSCRIPT_FILE, raw, digest)
        transcript = _transcript_from_json(data, str(folder / TRANSCRIPT_FILE)) if records else None
        annotations = load_annotations(folder / ANNOTATIONS_FILE)
        meta = load_meta(folder / META_FILE) if (folder / META_FILE).is_file() else None
        media, problem = self._media(folder, meta)
        return Document(transcript_id, meta, transcript, annotations, digest, media, problem, raw)  # type: ignore[arg-type]

    def _validated(self, transcript_id: str, path: Path, raw: bytes, digest: str) -> dict:
        """transcript.json parsed and validated, once per content: validating 80,000 word
        timings takes longer than everything else in opening a 3-hour transcript, and the
        same bytes (same hash) cannot become invalid."""
        known = self._known.get(transcript_id)
        if known is not None and known[0] == digest:
            return known[1]
        try:
            data = loads(raw.decode("utf-8-sig"), path)
        except UnicodeDecodeError:
            raise InputError.at(path, "file is not UTF-8", hint="save it as UTF-8") from None
        _transcript_from_json(data, str(path))
        self._known[transcript_id] = (digest, data)
        return data

    # -- saving ---------------------------------------------------------------------

    def save(self, transcript_id: str, *, base_version: int, base_hash: str | None,
             annotations: Any, segments: Any = None, flags: Any = None, user: str = "") -> SaveResult:
        """Write the edit if nobody else saved since `base_version`/`base_hash`.

        `segments`/`flags` None = the text is unchanged (only annotations are written).
        """
        folder = self.folder(transcript_id)
        transcript_path, annotations_path = folder / TRANSCRIPT_FILE, folder / ANNOTATIONS_FILE
        with _folder_lock(folder):
            finish_interrupted_save(folder)
            self.checked(folder, TRANSCRIPT_FILE, ANNOTATIONS_FILE, LOG_FILE)
            check_size(transcript_path, MAX_TRANSCRIPT_BYTES, "split the recording into parts and transcribe each")
            raw = transcript_path.read_bytes()
            current_hash = _hash(raw)
            current = load_annotations(annotations_path)
            if current.version != base_version or (base_hash is not None and base_hash != current_hash):
                changed = "annotations.json" if current.version != base_version else "transcript.json"
                raise ConflictError(
                    f"{folder / changed}: 保存被拒绝：文件在你打开之后已被其他窗口或他人修改"
                    f"（当前版本 {current.version}，你的修改基于版本 {base_version}）。请重新打开后再改。"
                    f" / save refused: the file changed since you opened it (another window or person; "
                    f"now version {current.version}, your edit was based on version {base_version}). "
                    f"Reload to continue.")
            old = self._validated(transcript_id, transcript_path, raw, current_hash)
            new_data: dict | None = None
            if segments is not None:
                new_data = _edited(old, segments, flags, f"{transcript_path} (edit)")
            if not isinstance(annotations, dict):
                raise InputError.at(annotations_path, "expected a JSON object", field="annotations")
            new_annotations = annotations_from_json({**annotations, "version": current.version + 1},
                                                    f"{annotations_path} (edit)")
            result = new_data or old
            lengths = {int(seg["id"]): len(str(seg["text"])) for seg in result.get("segments") or []}
            check_consistency(lengths, result.get("flags") or [], new_annotations, str(annotations_path))
            self._check_like_the_build(folder, result, new_annotations, Path(f"{annotations_path} (edit)"))
            entries = redaction_decisions(current, new_annotations, transcript_id, user or _os_user())
            # The log line goes first: a crash after it and before the save leaves a record
            # of a decision that did not land, never a decision with no record.
            _append_log(folder / LOG_FILE, entries)
            if new_data is None:
                atomic_write_json(annotations_path, new_annotations.to_json())
            else:
                lines = self._lines.get(transcript_id, {})
                text = transcript_text(new_data, lines).encode("utf-8")
                self._lines[transcript_id] = lines
                # Both files or neither: redaction offsets only mean something against the
                # text they were made for, so a crash must not pair new text with old
                # annotations (a shifted span could uncover what it was hiding).
                _commit_together(folder, [(TRANSCRIPT_FILE, text),
                                          (ANNOTATIONS_FILE, dump_json(new_annotations.to_json()).encode("utf-8"))])
                current_hash = _hash(text)
                self._known[transcript_id] = (current_hash, new_data)
            return SaveResult(new_annotations.version, current_hash, len(entries))


    def _check_like_the_build(self, folder: Path, data: dict, annotations: Annotations, file: Path) -> None:
        """The checks `pufa build` makes (site/transcripts.check_annotations): what the tool
        accepts, the build publishes. Refused here with the field, before anything is written."""
        from ..site.transcripts import check_annotations
        problems = ProblemCollector()
        hiding = {r.segment_id for r in annotations.redactions}
        segments = []
        for index, seg in enumerate(data.get("segments") or []):
            for name in ("start", "end"):
                if not math.isfinite(float(seg[name])):
                    problems.add(f"{folder / TRANSCRIPT_FILE} (edit)", f"{seg[name]!r} is not a finite time in "
                                 "seconds", field=f"segments[{index}].{name}")
            words = [Word(float(w["start"]), float(w["end"]), str(w["word"])) for w in seg.get("words") or []] \
                if seg["id"] in hiding else []
            segments.append(Segment(int(seg["id"]), float(seg["start"]), float(seg["end"]), str(seg["text"]),
                                    str(seg.get("speaker") or ""), words))
        problems.raise_if_any()
        duration = self._duration(folder)
        for index, seg in enumerate(segments):
            if duration is not None and seg.end > duration + 0.5:
                problems.add(f"{folder / TRANSCRIPT_FILE} (edit)", f"ends at {seg.end:.2f} s, after the media "
                             f"ends ({duration:.2f} s)", field=f"segments[{index}].end")
        # Work in progress may still show a number to hide: the page flags it, the build refuses it.
        check_annotations(file, Transcript("zh", "", segments), annotations, duration, problems, self.laws,
                          publication=False)
        problems.raise_if_any()

    def _duration(self, folder: Path) -> float | None:
        """The media's length (ffprobe), once per media file version."""
        try:
            meta = load_meta(folder / META_FILE) if (folder / META_FILE).is_file() else None
        except InputError:
            return None
        path, _ = self._media(folder, meta)
        if path is None:
            return None
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in self._durations:
            from ..errors import MediaError
            from ..speech.media import probe
            try:
                self._durations[key] = probe(path).duration
            except MediaError:
                self._durations[key] = None
        return self._durations[key]


def _edited(old: dict, segments: Any, flags: Any, file: str) -> dict:
    """The transcript as the page edited it, validated, as plain JSON data.

    The page sends `{"id": n, "same": true}` for a segment it did not change since the
    version it is based on (the hash check guarantees the server holds that version), so a
    one-word fix does not upload a 3-hour transcript; those segments are taken from the
    validated file as they are and only the changed ones are validated word by word.
    """
    if not isinstance(segments, list):
        raise InputError.at(file, "expected a list", field="segments")
    by_id = {seg["id"]: seg for seg in old.get("segments") or []}
    merged: list[Any] = []
    light: list[Any] = []       # what is validated: unchanged segments without their words
    changed: list[int] = []
    for index, seg in enumerate(segments):
        if isinstance(seg, dict) and seg.get("same") is True:
            if seg.get("id") not in by_id:
                raise InputError.at(file, f"segment {seg.get('id')} is marked unchanged but does not exist",
                                    field=f"segments[{index}].id")
            merged.append(by_id[seg["id"]])
            light.append({**by_id[seg["id"]], "words": []})
        else:
            merged.append(seg)
            light.append(seg)
            changed.append(index)
    data = {"language": old.get("language"), "model": old.get("model"), "duration": old.get("duration"),
            "segments": light, "flags": (old.get("flags") or []) if flags is None else flags}
    for key in ("review", "notes"):   # loops marked for a listen, why a transcript is empty (issue 20)
        if old.get(key):
            data[key] = old[key]
    transcript = _transcript_from_json(data, file)
    for index in changed:   # the records' normal form (ids as int, speaker "", words list)
        merged[index] = _segment_data(transcript.segments[index])
    return {**data, "segments": merged, "flags": [asdict(flag) for flag in transcript.flags]}


def _segment_data(seg: Any) -> dict:
    """asdict() for a Segment, several times faster (it deep-copies field by field)."""
    return {"id": seg.id, "start": seg.start, "end": seg.end, "text": seg.text, "speaker": seg.speaker,
            "words": [{"start": w.start, "end": w.end, "word": w.word, "probability": w.probability}
                      for w in seg.words]}


def transcript_text(data: dict, lines: dict[int, tuple[dict, str]] | None = None) -> str:
    """transcript.json with one segment per line: a diff shows which segments changed, and
    the C JSON encoder writes it (indent=2 takes seconds for 4,000 segments).

    `lines` caches the line of each segment dict between saves (unchanged segments are
    the very same dict objects) and is pruned to the segments written."""
    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    cache = lines if lines is not None else {}
    fresh: dict[int, tuple[dict, str]] = {}
    for seg in data.get("segments") or []:
        known = cache.get(id(seg))
        fresh[id(seg)] = known if known is not None and known[0] is seg else (seg, one(seg))
    cache.clear()
    cache.update(fresh)

    head = (f'{{\n  "language": {one(data.get("language"))},\n  "model": {one(data.get("model"))},\n'
            f'  "duration": {one(data.get("duration"))},\n')
    segments = ",\n".join("    " + fresh[id(seg)][1] for seg in data.get("segments") or [])
    flags = ",\n".join("    " + one(flag) for flag in data.get("flags") or [])
    extra = "".join(f',\n  "{key}": {one(data[key])}' for key in ("review", "notes") if data.get(key))
    return (head + '  "segments": [\n' + segments + ('\n' if segments else '') + '  ],\n'
            + '  "flags": [\n' + flags + ('\n' if flags else '') + '  ]' + extra + '\n}\n')


def check_consistency(lengths: dict[int, int], flags: list[dict], annotations: Annotations, file: str) -> None:
    """Every redaction/flag/highlight must point into a segment that exists."""
    problems = ProblemCollector()
    for index, redaction in enumerate(annotations.redactions):
        where = f"redactions[{index}]"
        if redaction.segment_id not in lengths:
            problems.add(file, f"segment {redaction.segment_id} does not exist", field=f"{where}.segment_id")
        elif not 0 <= redaction.start_char < redaction.end_char <= lengths[redaction.segment_id]:
            problems.add(file, f"characters {redaction.start_char}-{redaction.end_char} are outside the segment "
                               f"(length {lengths[redaction.segment_id]})", field=f"{where}.start_char")
        if redaction.end < redaction.start:
            problems.add(file, "end is before start", field=f"{where}.end")
    for index, flag in enumerate(flags):
        if not isinstance(flag, dict):
            continue
        sid, a, b = flag.get("segment_id"), flag.get("start_char"), flag.get("end_char")
        if sid in lengths and not (isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= lengths[sid]):
            problems.add(file, f"flag characters {a}-{b} are outside segment {sid}", field=f"flags[{index}]")
    for index, highlight in enumerate(annotations.highlights):
        if highlight.end < highlight.start:
            problems.add(file, "end is before start", field=f"highlights[{index}].end")
    ids = [item.id for group in (annotations.chapters, annotations.highlights, annotations.redactions)
           for item in group]
    if len(ids) != len(set(ids)):
        problems.add(file, "two chapters, highlights or redactions share an id", field="id")
    problems.raise_if_any()


def redaction_decisions(old: Annotations, new: Annotations, transcript_id: str, user: str) -> list[dict]:
    """One log entry per redaction created, changed state, moved, or removed."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    before = {r.id: r for r in old.redactions}
    after = {r.id: r for r in new.redactions}
    entries: list[dict] = []

    def entry(action: str, redaction: Any, previous: str | None = None) -> None:
        item = {"time": now, "user": user, "transcript": transcript_id, "action": action,
                "redaction": redaction.id, "state": redaction.state, "kind": redaction.kind,
                "flag_id": redaction.flag_id, "segment_id": redaction.segment_id,
                "start_char": redaction.start_char, "end_char": redaction.end_char,
                "start": redaction.start, "end": redaction.end, "text": redaction.text}
        if previous is not None:
            item["previous_state"] = previous
        if getattr(redaction, "reason", ""):
            item["reason"] = redaction.reason   # why a flagged number was released
        entries.append(item)

    for rid, redaction in after.items():
        if rid not in before:
            entry("created", redaction)
        elif before[rid].state != redaction.state:
            entry("state", redaction, before[rid].state)
        elif (before[rid].segment_id, before[rid].start_char, before[rid].end_char) != \
                (redaction.segment_id, redaction.start_char, redaction.end_char):
            entry("moved", redaction)
    for rid, redaction in before.items():
        if rid not in after:
            entry("deleted", redaction, redaction.state)
    return entries


def _commit_together(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Replace several files of `folder` as one change, surviving a crash at any instant.

    Each new file is written in full (fsync) beside its target; then the marker naming them
    is written atomically — the commit point —; then each is renamed over its target and
    the marker removed. `finish_interrupted_save` completes the renames after a crash past
    the commit point and discards the staged files of a crash before it.
    """
    staged = []
    for name, data in files:
        path = folder / f".{name}.staged"
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        staged.append([path.name, name])
    atomic_write_json(folder / PENDING_FILE, staged)
    finish_interrupted_save(folder)


def _marker_renames(marker: Path) -> list[tuple[str, str]] | None:
    """The renames a pending-save marker asks for, if it is one pufa wrote: a list of
    [staged, final] pairs from STAGED. Anything else is reported and ignored (None)."""
    try:
        if marker.is_symlink() or marker.stat().st_size > 4096:
            raise ValueError("not a small regular file")
        pairs = json.loads(marker.read_text(encoding="utf-8"))
        if not isinstance(pairs, list) or not pairs:
            raise ValueError("not a list of renames")
        renames = []
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
                    and STAGED.get(pair[0]) == pair[1]):
                raise ValueError(f"{pair!r} is not a rename pufa makes")
            renames.append((pair[0], pair[1]))
        return renames
    except (OSError, ValueError) as exc:
        print(f"{marker}: 未完成保存的标记无效，已忽略 / invalid marker of an interrupted save, ignored "
              f"({exc})", file=sys.stderr, flush=True)
        return None


def finish_interrupted_save(folder: Path) -> None:
    """Roll a two-file save forward if it reached its commit point, else drop its leftovers.
    Call with the folder lock held."""
    marker = folder / PENDING_FILE
    if marker.is_symlink() or marker.exists():
        for staged, final in _marker_renames(marker) or []:
            # only a regular file pufa staged here may replace a file of the transcript
            if (folder / staged).is_file() and not (folder / staged).is_symlink():
                os.replace(folder / staged, folder / final)
        fsync_dir(folder)
        marker.unlink()
    for leftover in folder.glob(".*.staged"):
        leftover.unlink()
    fsync_dir(folder)


def _append_log(path: Path, entries: list[dict]) -> None:
    if not entries:
        return
    data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8")
    # O_NOFOLLOW: a link planted since the check is not followed either
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system: say so, do not fail the save
        return "unknown"


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Exclusive lock for one transcript folder, across threads and tool processes.

    POSIX: flock on the folder itself (no lock file left behind). Windows (staff PCs):
    msvcrt on a small lock file in the folder.
    """
    if fcntl is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    import msvcrt  # pragma: no cover - Windows only
    with open(folder / ".annotate.lock", "a+b") as handle:
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                break
            except OSError:
                continue
        try:
            yield
        finally:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def _count_segments(path: Path) -> tuple[int, float | None]:
    """Segment count and end time for the list page, without building records."""
    try:
        data = json.loads(path.read_bytes())
        segments = data.get("segments") or []
        end = float(segments[-1]["end"]) if segments else None
        return len(segments), data.get("duration") or end
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return 0, None
