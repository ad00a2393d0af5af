"""`pufa transcribe`: media files → `transcripts/<id>/`, resumable, with a progress bar.

Per media: probe (every file first, so a bad one stops the run before any work), extract
16 kHz mono WAV into a work folder `DIR/.<id>.partial/`, transcribe window by window,
appending each finished window to `segments.jsonl` there, then flag spoken personal data
and write the transcript folder in one swap. An interrupted run (Ctrl-C, power cut) finds
the work folder and resumes after the last finished window, provided the media, model
and options are the same; otherwise it starts over.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import InputError, MediaError
from ..fsutil import atomic_write_json
from ..records.transcript import ReviewMark, Segment, Transcript, TranscriptMeta, Word
from .glossary import Corrector, load_glossary
from .media import extract_audio, media_error, probe
from .known_names import add_name_flags, private_names, project_root_for
from .pii import flag_transcript
from .place import place_media
from .store import check_id, slugify, write_transcript_dir
from .guards import sane_times
from .waveform import write_waveform
from .transcribe import SAMPLE_RATE, TranscribeOptions, transcribe_window, windows

CHECKPOINT_VERSION = 2
# An empty or music-only stream gives an empty transcript that says why: never invented text.
NO_SPEECH_NOTE = "没有识别到语音（静音或只有音乐），字幕稿为空 (no speech found: silent or music only; the transcript is empty)"


@dataclass
class TranscribeResult:
    folder: Path
    id: str
    duration: float
    segments: int
    flags: int
    seconds: float          # wall time of this run
    resumed_at: float       # seconds of audio already done by an earlier run
    model: str
    loops: int = 0          # stretches marked for review because a loop was collapsed
    empty: bool = False

    @property
    def note(self) -> str:
        out = ""
        if self.loops:
            out += f"; {self.loops} 处重复已合并，待复听 (loops collapsed, marked for review)"
        if self.empty:
            out += "; 没有识别到语音：字幕稿为空 (no speech: empty transcript)"
        return out

    @property
    def rtf(self) -> float:
        done = self.duration - self.resumed_at
        return self.seconds / done if done > 0 else 0.0

    def summary(self) -> str:
        resumed = f", 从 {self.resumed_at:.0f} s 处续转 (resumed at {self.resumed_at:.0f} s)" if self.resumed_at else ""
        return (f"{self.folder}: {self.segments} 段 (segments), {self.duration:.1f} s, "
                f"{self.flags} 处疑似个人信息已标记，发布时默认隐去 (personal data flagged, hidden by default), "
                f"用时 {self.seconds:.1f} s (RTF {self.rtf:.2f}, {self.model}){resumed}{self.note}")


def _media_field(media: Path, root: Path) -> str:
    media = media.resolve()
    try:
        return media.relative_to(root).as_posix()
    except ValueError:
        return str(media)


def _plan_ids(media: list[Path], id: str | None) -> list[str]:
    if id is not None:
        if len(media) != 1:
            raise InputError.at("--id", f"--id names one transcript but {len(media)} media files were given",
                                hint="leave --id out: each file gets a slug of its name")
        return [check_id(id)]
    ids: list[str] = []
    for path in media:
        base = slugify(path.stem)
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


class _Progress:
    """A tqdm bar over audio seconds: elapsed and remaining come from real progress."""

    def __init__(self, label: str, total: float, done: float, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="s", desc=label,
                            file=sys.stderr, dynamic_ncols=True, leave=True,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s "
                                       "[已用 {elapsed}，剩余 {remaining}]")
        self.position = done
        self.total = total

    def to(self, seconds: float) -> None:
        seconds = min(seconds, self.total)
        if self.bar is not None and seconds > self.position:
            self.bar.update(seconds - self.position)
        self.position = max(self.position, seconds)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _segment_from_json(raw: dict) -> Segment:
    words = [Word(**w) for w in raw.get("words") or []]
    return Segment(raw["id"], raw["start"], raw["end"], raw["text"], raw.get("speaker", ""), words)


def _load_checkpoint(work: Path, job: dict) -> tuple[float, list[Segment], list[ReviewMark]]:
    """(seconds done, segments so far, review marks) from an earlier run of the same job, else (0, [], [])."""
    try:
        if json.loads((work / "job.json").read_text(encoding="utf-8")) != job:
            return 0.0, [], []
    except (OSError, ValueError):
        return 0.0, [], []
    done, segments, review = 0.0, [], []
    try:
        lines = (work / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0.0, [], []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            break   # a line cut off by the interruption: redo that window
        segments.extend(_segment_from_json(s) for s in record["segments"])
        review.extend(ReviewMark(**m) for m in record.get("review") or [])
        done = float(record["end"])
    return done, segments, review


def _append_checkpoint(work: Path, end: float, segments: list[Segment],
                       review: list[ReviewMark] | None = None) -> None:
    line = json.dumps({"end": end, "segments": [asdict(s) for s in segments],
                       "review": [asdict(m) for m in review or []]}, ensure_ascii=False)
    with (work / "segments.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _wav_ready(work: Path) -> bool:
    return (work / "audio.wav").exists() and (work / "audio.done").exists()


def transcribe_one(media: Path, into: Path, transcript_id: str, loaded, corrector: Corrector,
                   options: TranscribeOptions, progress: bool, root: Path,
                   project_copy: Path | None = None) -> TranscribeResult:
    started = time.monotonic()
    info = probe(media)
    if not info.has_audio:
        raise media_error(media, "没有音轨，无法转写", "no audio track: nothing to transcribe")
    work = into / f".{transcript_id}.partial"
    stat = media.stat()
    job = {"version": CHECKPOINT_VERSION, "media": str(media.resolve()), "size": stat.st_size,
           "mtime_ns": stat.st_mtime_ns, "model": loaded.label, "options": options.fingerprint()}
    done, segments, review = _load_checkpoint(work, job)
    if done == 0.0:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        atomic_write_json(work / "job.json", job)
    if not _wav_ready(work):
        try:
            extract_audio(media, work / "audio.wav", SAMPLE_RATE)
        except MediaError:
            shutil.rmtree(work, ignore_errors=True)   # nothing worth resuming
            raise
        (work / "audio.done").write_text("ok\n")
    resumed_at = done
    from .fusion import fusion_pipeline

    pipeline = fusion_pipeline(loaded.whisper, corrector, options.fusion_weight)
    with wave.open(str(work / "audio.wav")) as wav:
        total_frames = wav.getnframes()
        duration = total_frames / SAMPLE_RATE
        bar = _Progress(transcript_id, duration, done, progress)
        try:
            for offset, samples in windows(total_frames, done, options, wav):
                end = offset + len(samples) / SAMPLE_RATE
                marks: list[ReviewMark] = []
                next_id = segments[-1].id + 1 if segments else 0
                found = transcribe_window(pipeline, samples, offset, options, corrector,
                                          next_id=next_id, on_progress=bar.to, review=marks)
                _append_checkpoint(work, end, found, marks)
                segments.extend(found)
                review.extend(marks)
                bar.to(end)
        finally:
            bar.close()
    notes = [] if segments else [NO_SPEECH_NOTE]
    renumber = {segment.id: index for index, segment in enumerate(segments)}
    for index, segment in enumerate(segments):
        segment.id = index
    for mark in review:
        mark.segment_id = renumber.get(mark.segment_id, mark.segment_id)
    sane_times(segments, duration)
    transcript = Transcript(language=options.language, model=loaded.label, segments=segments,
                            duration=round(duration, 3), review=review, notes=notes)
    transcript.flags = flag_transcript(segments)
    add_name_flags(transcript, private_names(root))        # the parties the imports named
    meta = TranscriptMeta(id=transcript_id, kind="livestream", title=media.stem,
                          media=_media_field(project_copy or media, root), duration=round(duration, 1))
    folder = write_transcript_dir(into, transcript_id, transcript, meta)
    # The annotation tool's waveform overview, from the WAV already at hand (seconds, once).
    write_waveform(folder, work / "audio.wav")
    shutil.rmtree(work, ignore_errors=True)
    return TranscribeResult(folder, transcript_id, duration, len(segments), len(transcript.flags),
                            time.monotonic() - started, resumed_at, loaded.label,
                            loops=len(review), empty=not segments)


def transcribe_files(media: list[Path], into: Path, id: str | None = None, model: str | None = None,
                     device: str = "auto", progress: bool = True, options: TranscribeOptions | None = None,
                     loaded=None, link: bool = False) -> list[TranscribeResult]:
    """Transcribe every file; all are checked before the model loads or anything is written."""
    media = [Path(m) for m in media]
    into = Path(into)
    ids = _plan_ids(media, id)
    problems: list[str] = []
    for path in media:
        try:
            info = probe(path)
            if not info.has_audio:
                raise media_error(path, "没有音轨，无法转写", "no audio track: nothing to transcribe")
        except MediaError as exc:
            problems.append(str(exc))
    for path, transcript_id in zip(media, ids):
        if (into / transcript_id / "transcript.json").exists():
            from ..errors import ConflictError

            raise ConflictError(f"{into / transcript_id / 'transcript.json'}: 已存在，未覆盖 (already exists; "
                                f"not overwritten: choose another --id or remove the folder first)")
    if problems:
        raise MediaError("\n".join(problems))
    placed = [place_media(path, project_root_for(into), into, link) for path in media]   # before the slow part
    root = project_root_for(into)
    glossary = load_glossary(root)
    from .domainlm import load_domain_model

    corrector = Corrector(glossary, load_domain_model(root))
    if loaded is None:
        from .model import load_model

        loaded = load_model(model, device)
    if options is None:
        # A GPU decodes many VAD pieces at once; on CPU small batches keep memory low.
        options = TranscribeOptions(initial_prompt=glossary.prompt(),
                                    batch_size=16 if loaded.device == "cuda" else 4)
    return [transcribe_one(path, into, transcript_id, loaded, corrector, options, progress, root, project_copy)
            for path, transcript_id, project_copy in zip(media, ids, placed)]
