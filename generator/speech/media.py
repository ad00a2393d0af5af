"""Media through ffmpeg: probe, extract 16 kHz mono audio, poster frames, muted copies.

The ffmpeg binary comes from imageio-ffmpeg (a wheel, so nothing to install by hand and
nothing to download at run time). imageio-ffmpeg ships no ffprobe, so `probe` reads the
stream summary that `ffmpeg -i` prints; graphs that produce files are built with
ffmpeg-python and run with that binary.

Every failure is a `MediaError` naming the file with a Chinese and an English reason.
"""
from __future__ import annotations

import os
import re
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ffmpeg

from ..errors import MediaError

SUPPORTED_SUFFIXES = (".mp4", ".flv", ".mkv", ".m4a", ".mp3", ".wav", ".ogg", ".mov", ".webm")
_ISO_BMFF = (".mp4", ".m4a", ".mov")


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    has_audio: bool
    has_video: bool
    width: int | None = None
    height: int | None = None


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The ffmpeg binary bundled with imageio-ffmpeg (or IMAGEIO_FFMPEG_EXE where set)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def media_error(path: str | Path, zh: str, en: str) -> MediaError:
    return MediaError(f"{path}: {zh} ({en})")


_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\d+:\d+.*?: (Audio|Video): (.*)")
_SIZE = re.compile(r"(?<![0-9x])(\d{2,5})x(\d{2,5})(?![0-9x])")
_BITRATE = re.compile(r"(\d+) kb/s")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise media_error(path, "文件不存在", "file not found")
    if not path.is_file():
        raise media_error(path, "不是文件", "not a file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise media_error(path, f"不支持的文件类型“{path.suffix or '无扩展名'}”，支持 "
                          + " ".join(SUPPORTED_SUFFIXES),
                          f"unsupported file type '{path.suffix or 'no extension'}'; supported: "
                          + " ".join(SUPPORTED_SUFFIXES))
    if path.stat().st_size == 0:
        raise media_error(path, "文件为空", "file is empty")


def _iso_bmff_truncated(path: Path) -> bool:
    """True when a top-level MP4 box claims more bytes than the file holds (a cut-off copy).

    A header can announce 17.8 s while the data stops after two; ffmpeg still reports the
    header's duration, so this walk over box sizes is the cheap, exact check.
    """
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as handle:
        while offset < size:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                return True
            box_size = struct.unpack(">I", header[:4])[0]
            if box_size == 1:
                if len(header) < 16:
                    return True
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:  # box runs to end of file
                return False
            if box_size < 8:
                return True
            offset += box_size
    return offset > size


def probe(path: str | Path) -> MediaInfo:
    """Duration and streams of a media file; MediaError for missing, corrupt or truncated."""
    path = Path(path)
    _check_file(path)
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True, errors="replace")
    out = proc.stderr
    duration_match = _DURATION.search(out)
    streams = _STREAM.findall(out)
    if not streams:
        raise media_error(path, "无法读取：文件损坏或不是音视频文件", "cannot read: corrupt file or not a media file")
    has_audio = any(kind == "Audio" for kind, _ in streams)
    has_video = False
    width = height = None
    for kind, rest in streams:
        # Cover art in .mp3/.m4a shows up as a one-picture video stream: not a video.
        if kind == "Video" and "attached pic" not in rest:
            has_video = True
            size = _SIZE.search(rest)
            if size and width is None:
                width, height = int(size.group(1)), int(size.group(2))
    duration = 0.0
    if duration_match:
        h, m, s = duration_match.groups()
        duration = int(h) * 3600 + int(m) * 60 + float(s)
    if path.suffix.lower() in _ISO_BMFF and _iso_bmff_truncated(path):
        raise media_error(path, "文件不完整（被截断），请重新导出或重新复制",
                          "truncated file: the data ends before the length its header announces; export or copy it again")
    if duration <= 0:
        raise media_error(path, "无法确定时长：文件损坏或不完整", "cannot determine duration: corrupt or incomplete file")
    return MediaInfo(duration=duration, has_audio=has_audio, has_video=has_video, width=width, height=height)


def _run(stream: "ffmpeg.nodes.OutputStream", path: Path, what_zh: str, what_en: str) -> None:
    try:
        stream.global_args("-nostdin", "-hide_banner", "-v", "error").run(
            cmd=ffmpeg_exe(), capture_stdout=True, capture_stderr=True, overwrite_output=True)
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        last = detail[-1] if detail else "ffmpeg failed"
        raise media_error(path, f"{what_zh}失败：文件损坏或不完整", f"{what_en} failed: {last}") from None


# Decoder messages that mean the file is damaged even though ffmpeg exits 0.
_DAMAGE = ("partial file", "Invalid data found", "error while decoding", "corrupt", "Truncat")


def extract_audio(path: str | Path, out_wav: str | Path, sample_rate: int = 16000) -> MediaInfo:
    """Decode the first audio stream to mono 16-bit PCM WAV at `sample_rate` (atomic)."""
    path, out_wav = Path(path), Path(out_wav)
    info = probe(path)
    if not info.has_audio:
        raise media_error(path, "没有音轨，无法转写", "no audio track: nothing to transcribe")
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_wav.stem}.", suffix=".wav", dir=out_wav.parent)
    os.close(fd)
    try:
        stream = ffmpeg.input(str(path)).output(tmp, vn=None, ac=1, ar=sample_rate, acodec="pcm_s16le",
                                                 format="wav", map="0:a:0")
        try:
            _, err = stream.global_args("-nostdin", "-hide_banner", "-v", "error").run(
                cmd=ffmpeg_exe(), capture_stdout=True, capture_stderr=True, overwrite_output=True)
        except ffmpeg.Error as exc:
            err = exc.stderr or b"ffmpeg failed"
            text = err.decode("utf-8", "replace").strip().splitlines()
            raise media_error(path, "提取音频失败：文件损坏或不完整",
                              f"audio extraction failed: {text[-1] if text else 'ffmpeg failed'}") from None
        text = err.decode("utf-8", "replace")
        if any(marker.lower() in text.lower() for marker in _DAMAGE):
            raise media_error(path, "文件损坏或不完整，音频无法完整解码",
                              "damaged or incomplete file: the audio does not decode to the end")
        decoded = _wav_seconds(Path(tmp), sample_rate)
        # A cut-off .mkv/.mp3 decodes without complaint but ends early. (The audio of a
        # sound video may be a little shorter than its picture, hence the margin.)
        if decoded < 0.75 * info.duration and info.duration - decoded > 3.0:
            raise media_error(path, f"文件不完整（被截断）：只能解码 {decoded:.1f} 秒，文件头标明 {info.duration:.1f} 秒",
                              f"truncated file: only {decoded:.1f} s of audio decode, the header announces "
                              f"{info.duration:.1f} s")
        _publish(tmp, out_wav)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return info


def _wav_seconds(path: Path, sample_rate: int) -> float:
    import wave

    with wave.open(str(path)) as wav:
        return wav.getnframes() / float(wav.getframerate() or sample_rate)


def extract_frame(path: str | Path, at_seconds: float, out_path: str | Path, width: int = 480) -> Path:
    """A small poster image (JPEG, or WebP by suffix) of the frame at `at_seconds` (atomic)."""
    path, out_path = Path(path), Path(out_path)
    info = probe(path)
    if not info.has_video:
        raise media_error(path, "没有视频画面，无法截取封面", "no video stream: cannot take a poster frame")
    at = max(0.0, min(float(at_seconds), max(0.0, info.duration - 0.5)))
    suffix = out_path.suffix.lower()
    codec = {".webp": "libwebp", ".png": "png"}.get(suffix, "mjpeg")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=suffix or ".jpg", dir=out_path.parent)
    os.close(fd)
    try:
        options = {"vframes": 1, "vcodec": codec, "format": "image2"}
        if codec == "mjpeg":
            options["q:v"] = 5
        stream = (ffmpeg.input(str(path), ss=at)
                  .filter("scale", width, -2)
                  .output(tmp, **options))
        _run(stream, path, "截取封面", "poster frame")
        if os.path.getsize(tmp) == 0:
            raise media_error(path, f"第 {at:.1f} 秒没有可用画面", f"no frame at {at:.1f} s")
        _publish(tmp, out_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out_path


def _publish(tmp: str, target: Path) -> None:
    # mkstemp creates 0600 files; site assets must be readable by a web server.
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def merge_ranges(ranges: list[tuple[float, float]], gap: float = 0.0) -> list[tuple[float, float]]:
    """Sorted, non-overlapping ranges; ranges closer than `gap` are joined."""
    merged: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in ranges if b > a):
        if merged and start <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def silence_ranges(src: str | Path, out: str | Path, ranges: list[tuple[float, float]]) -> Path:
    """Copy `src` to `out` with the audio muted over `ranges`; the video stream is copied.

    Only the audio is re-encoded (AAC in MP4/M4A/MOV, the container's usual codec
    otherwise), so a 3-hour livestream is processed at audio speed.
    """
    src, out = Path(src), Path(out)
    info = probe(src)
    merged = merge_ranges(ranges)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower() or src.suffix.lower()
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=suffix, dir=out.parent)
    os.close(fd)
    try:
        source = ffmpeg.input(str(src))
        streams = []
        options: dict[str, object] = {}
        if info.has_video:
            streams.append(source.video)
            options["vcodec"] = "copy"
        if info.has_audio:
            audio = source.audio
            if merged:
                expr = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in merged)
                audio = audio.filter("volume", volume=0, enable=expr)
            streams.append(audio)
            acodec = {".ogg": "libopus", ".mp3": "libmp3lame", ".wav": "pcm_s16le",
                      ".mkv": "aac", ".webm": "libopus", ".flv": "aac"}.get(suffix, "aac")
            options["acodec"] = acodec
        if suffix in (".mp4", ".m4a", ".mov"):
            options["movflags"] = "+faststart"
        stream = ffmpeg.output(*streams, tmp, **options)
        _run(stream, src, "静音处理", "muting")
        _publish(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out
