"""SRT and WebVTT in and out (the `srt` and `webvtt-py` libraries).

Out: `to_vtt` / `to_srt` from segments (speaker as a WebVTT voice tag / an SRT "名：" prefix).
In: `parse_subtitles` reads files made in 剪映, Aegisub or Subtitle Edit: any common
encoding, BOM, styling tags, multi-line cues, cues out of order.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import srt
import webvtt
from webvtt.errors import MalformedFileError

from ..errors import InputError, ProblemCollector
from ..records.transcript import Segment, Transcript, TranscriptMeta

SUBTITLE_SUFFIXES = (".srt", ".vtt")


def _vtt_time(seconds: float) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    # Cue text is markup in WebVTT; a blank line would end the cue.
    text = re.sub(r"\n\s*\n", "\n", text.strip())
    return html.escape(text, quote=False).replace("-->", "→")


def to_vtt(segments: list[Segment]) -> str:
    captions = []
    for segment in segments:
        text = _cue_text(segment.text)
        if segment.speaker:
            text = f"<v {html.escape(segment.speaker, quote=False)}>{text}"
        captions.append(webvtt.Caption(start=_vtt_time(segment.start),
                                       end=_vtt_time(max(segment.end, segment.start + 0.001)),
                                       text=text, identifier=str(segment.id)))
    return webvtt.WebVTT(captions=captions).content


def to_srt(segments: list[Segment]) -> str:
    subtitles = []
    for index, segment in enumerate(segments, start=1):
        text = re.sub(r"\n\s*\n", "\n", segment.text.strip()) or " "
        if segment.speaker:
            text = f"{segment.speaker}：{text}"
        subtitles.append(srt.Subtitle(index, timedelta(seconds=segment.start),
                                      timedelta(seconds=max(segment.end, segment.start + 0.001)), text))
    return srt.compose(subtitles, reindex=False)


# --- reading -----------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")          # <i>, <font color=…>, <c.yellow>, <00:00:01.000>
_ASS = re.compile(r"\{\\[^}]*\}")      # Aegisub override blocks {\an8}
_SPEAKER_PREFIX = re.compile(r"^([^\s：:]{1,12})[：:]\s*(.+)$", re.S)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        loose = data.decode("utf-8", "replace")
        if exc.reason == "unexpected end of data" or len(_CJK.findall(loose)) >= 4 * loose.count("\ufffd"):
            # A UTF-8 file cut off mid-character or with a few foreign bytes: any other
            # encoding would read it as plausible-looking wrong characters (浣 for 你).
            raise InputError.at(path, f"UTF-8 字幕中有损坏的字节 0x{data[exc.start]:02x}（文件被截断或混入其他编码） "
                                "(broken UTF-8 byte: the file is cut off or mixes encodings)",
                                line=data[:exc.start].count(b"\n") + 1, hint="save it again as UTF-8") from None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError.at(path, "无法识别文字编码 (cannot tell the text encoding)",
                            hint="save it as UTF-8")
    return str(best)


def _join_lines(lines: list[str]) -> str:
    """Join a cue's lines: no space between Chinese, one space between Latin words."""
    out = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if out and not (_CJK.match(line[0]) or _CJK.match(out[-1])):
            out += " "
        out += line
    return out


def _clean(raw: str, vtt: bool = False) -> str:
    # WebVTT escapes & < > as entities (braces are plain text there); SRT has no entities,
    # but Aegisub's {\an8} overrides and \N line breaks.
    text = raw if vtt else _ASS.sub("", raw.replace("\\N", "\n").replace("\\n", "\n"))
    text = _join_lines(_TAG.sub("", text).splitlines())
    return html.unescape(text) if vtt else text


def _line_of(text: str, char_index: int) -> int:
    return text.count("\n", 0, max(0, char_index)) + 1


def _parse_srt(path: Path, text: str) -> list[tuple[float, float, str, str, int]]:
    cues = []
    try:
        for sub in srt.parse(text, ignore_errors=False):
            content = sub.content
            speaker = ""
            line = _line_of(text, text.find(f"{sub.index}\n")) if sub.index is not None else None
            # The speaker prefix ('名：') can only open the cue's first line: lines are
            # joined without spaces, so '执\n：执' must not read as the speaker '执'.
            first, _, rest = content.partition("\n")
            match = _SPEAKER_PREFIX.match(_clean(first))
            if match and len(match.group(1)) <= 8:
                speaker = match.group(1)
                cleaned = _clean(match.group(2) + ("\n" + rest if rest else ""))
            else:
                cleaned = _clean(content)
            cues.append((sub.start.total_seconds(), sub.end.total_seconds(), cleaned, speaker, line or 0))
    except srt.SRTParseError as exc:
        line = _line_of(text, exc.expected_start)
        snippet = exc.unmatched_content.strip().splitlines()[0][:40] if exc.unmatched_content.strip() else ""
        raise InputError.at(path, f"不是有效的 SRT 字幕 (not valid SRT): unexpected '{snippet}'", line=line,
                            hint="each cue needs a number, a line 'HH:MM:SS,mmm --> HH:MM:SS,mmm' and text") from None
    return cues


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for part in parts:
        value = value * 60 + float(part)
    return value


def _parse_vtt(path: Path, text: str) -> list[tuple[float, float, str, str, int]]:
    try:
        document = webvtt.from_string(text)
    except MalformedFileError as exc:
        raise InputError.at(path, f"不是有效的 WebVTT 字幕 (not valid WebVTT): {exc}",
                            hint="the file must start with 'WEBVTT' and each cue needs 'start --> end'") from None
    lines = text.splitlines()
    cues = []
    search_from = 0
    for caption in document.captions:
        # Locate the cue's timing line so errors can name it.
        line_no = 0
        for index in range(search_from, len(lines)):
            if "-->" in lines[index] and lines[index].strip().startswith(caption.start[:5]):
                line_no, search_from = index + 1, index + 1
                break
        cues.append((_seconds(caption.start), _seconds(caption.end), _clean(caption.raw_text, vtt=True),
                     caption.voice or "", line_no))
    return cues


def parse_subtitles(path: str | Path) -> list[Segment]:
    """Segments from an SRT or WebVTT file, in time order, ids 0…n-1."""
    path = Path(path)
    if not path.exists():
        raise InputError.at(path, "文件不存在 (file not found)")
    suffix = path.suffix.lower()
    if suffix not in SUBTITLE_SUFFIXES:
        raise InputError.at(path, f"不支持的字幕格式“{suffix or '无扩展名'}” (unsupported subtitle format "
                                  f"'{suffix or 'no extension'}')", hint="use .srt or .vtt")
    text = _decode(path).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError.at(path, "字幕文件为空 (subtitle file is empty)")
    cues = _parse_vtt(path, text) if suffix == ".vtt" or text.lstrip().startswith("WEBVTT") \
        else _parse_srt(path, text)
    problems = ProblemCollector()
    for start, end, _, _, line in cues:
        if end < start:
            problems.add(path, f"结束时间早于开始时间 (end {end:.3f} s is before start {start:.3f} s)",
                         line=line or None, field="time")
    problems.raise_if_any()
    cues = [cue for cue in cues if cue[2]]
    if not cues:
        raise InputError.at(path, "没有字幕内容 (no subtitle text)")
    cues.sort(key=lambda cue: (cue[0], cue[1]))
    from .textnorm import to_simplified

    return [Segment(id=index, start=round(start, 3), end=round(end, 3), text=to_simplified(text), speaker=speaker)
            for index, (start, end, text, speaker, _) in enumerate(cues)]


# --- commands ------------------------------------------------------------------------------

@dataclass
class ImportResult:
    folder: Path
    segments: int
    flags: int
    duration: float

    def summary(self) -> str:
        return (f"{self.folder}: {self.segments} 段字幕 (segments), {self.duration:.1f} s, "
                f"{self.flags} 处疑似个人信息待审核 (possible personal data flagged for review)")


def import_subtitles(file: Path, into: Path, id: str, force: bool = False) -> ImportResult:
    """An edited SRT/WebVTT → `into/<id>/` (transcript.json, meta.yaml, .vtt, .srt)."""
    from .pii import flag_transcript
    from .store import check_id, write_transcript_dir

    check_id(id)
    segments = parse_subtitles(file)
    transcript = Transcript(language="zh", model=f"imported:{Path(file).name}", segments=segments,
                            duration=segments[-1].end if segments else 0.0)
    transcript.flags = flag_transcript(transcript.segments)
    from .known_names import add_name_flags, private_names, project_root_for
    add_name_flags(transcript, private_names(project_root_for(Path(into))))   # the parties the imports named
    meta = TranscriptMeta(id=id, kind="livestream", title=Path(file).stem, duration=transcript.duration)
    folder = write_transcript_dir(Path(into), id, transcript, meta, force=force)
    return ImportResult(folder, len(segments), len(transcript.flags), transcript.duration or 0.0)


def export_subtitles(transcript_dir: Path, redacted: bool = True) -> list[Path]:
    """Write `<id>.vtt` / `<id>.srt` (redacted) or `<id>.unredacted.*` (staff only)."""
    from ..fsutil import atomic_write_text
    from ..records.transcript import load_annotations, load_transcript
    from .redact import display_speaker, published_segments
    from .store import subtitle_paths

    folder = Path(transcript_dir)
    transcript = load_transcript(folder / "transcript.json")
    annotations = load_annotations(folder / "annotations.json")
    if redacted:
        segments = published_segments(transcript, annotations)
    else:
        segments = [Segment(s.id, s.start, s.end, s.text, display_speaker(s.speaker, annotations))
                    for s in transcript.segments]
    vtt, srt_path = subtitle_paths(folder, folder.resolve().name, redacted)
    atomic_write_text(vtt, to_vtt(segments))
    atomic_write_text(srt_path, to_srt(segments))
    return [vtt, srt_path]
