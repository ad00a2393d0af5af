"""Writing one `transcripts/<id>/` folder whole: built beside it, then swapped in.

Shared by `pufa transcribe` and `pufa subtitles import`, so both leave either the old
folder or the complete new one, never a half-written transcript directory.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from ..errors import ConflictError, InputError
from ..fsutil import atomic_write_text, swap_directory
from ..records.transcript import Annotations, Transcript, TranscriptMeta, load_annotations, save_transcript
from ..records.validate import SLUG_RE
from ..yamlio import dump_yaml
from .redact import published_segments
from .subtitles import to_srt, to_vtt

# Files a person edits in a transcript folder; a forced rewrite carries them over.
PERSONAL_FILES = ("meta.yaml", "annotations.json", "redaction-log.jsonl")


def slugify(name: str) -> str:
    """An id from a file name: Chinese by pinyin, lower-case ASCII letters, digits and '-'."""
    from pypinyin import lazy_pinyin

    text = "-".join(lazy_pinyin(unicodedata.normalize("NFKC", name)))
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    return text or "transcript"


def check_id(value: str, where: str = "--id") -> str:
    if not SLUG_RE.match(value or ""):
        raise InputError.at(where, f"'{value}' is not a valid id", hint="use lower-case letters, digits and '-'")
    return value


def subtitle_paths(folder: Path, transcript_id: str, redacted: bool = True) -> tuple[Path, Path]:
    stem = transcript_id if redacted else f"{transcript_id}.unredacted"
    return folder / f"{stem}.vtt", folder / f"{stem}.srt"


def write_transcript_dir(into: Path, transcript_id: str, transcript: Transcript, meta: TranscriptMeta,
                         force: bool = False) -> Path:
    """Write transcript.json, meta.yaml (unless one exists) and redacted .vtt/.srt.

    An existing transcript is a person's work: without `force` it is refused; with it,
    meta.yaml, annotations.json and the redaction log are kept.
    """
    target = into / transcript_id
    if (target / "transcript.json").exists() and not force:
        raise ConflictError(f"{target / 'transcript.json'}: 已存在，未覆盖 (already exists; not overwritten: "
                            f"choose another --id or remove the folder first)")
    into.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{transcript_id}.", suffix=".new", dir=into))
    try:
        if target.is_dir():
            for name in PERSONAL_FILES:
                if (target / name).exists():
                    shutil.copy2(target / name, work / name)
        save_transcript(work / "transcript.json", transcript)
        if not (work / "meta.yaml").exists():
            atomic_write_text(work / "meta.yaml", dump_yaml(meta.to_mapping()))
        annotations = load_annotations(work / "annotations.json") if (work / "annotations.json").exists() \
            else Annotations()
        segments = published_segments(transcript, annotations)
        vtt, srt_path = subtitle_paths(work, transcript_id)
        atomic_write_text(vtt, to_vtt(segments))
        atomic_write_text(srt_path, to_srt(segments))
        work.chmod(0o755)
        swap_directory(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target
