"""Real ffmpeg (from imageio-ffmpeg) on the video and audio fixtures."""
from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import pytest

from generator.errors import MediaError
from generator.speech.media import (MediaInfo, extract_audio, extract_frame, ffmpeg_exe, merge_ranges,
                                    probe, silence_ranges)

DATA = Path(__file__).parent / "data"
VIDEO = DATA / "video" / "demo-livestream.mp4"


def _mean_volume(path: Path, start: float, end: float) -> float:
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-ss", str(start), "-t", str(end - start),
                          "-i", str(path), "-vn", "-af", "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    match = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", out)
    assert match, out
    return float(match.group(1))


def test_probe_reads_duration_and_streams_of_demo_video():
    info = probe(VIDEO)
    assert info == MediaInfo(duration=17.8, has_audio=True, has_video=True, width=320, height=180)


def test_probe_audio_only_file_has_no_video():
    info = probe(DATA / "audio" / "demo01.ogg")
    assert info.has_audio and not info.has_video
    assert 15 < info.duration < 17


def test_probe_missing_file_names_file_and_reason(tmp_path):
    with pytest.raises(MediaError) as err:
        probe(tmp_path / "gone.mp4")
    assert str(err.value) == f"{tmp_path / 'gone.mp4'}: 文件不存在 (file not found)"
    assert err.value.exit_code == 5


def test_probe_truncated_mp4_is_rejected_although_header_has_duration():
    with pytest.raises(MediaError) as err:
        probe(DATA / "video" / "truncated.mp4")
    assert str(err.value).startswith(f"{DATA / 'video' / 'truncated.mp4'}: 文件不完整（被截断）")
    assert "truncated file" in str(err.value)


def test_probe_corrupt_file_is_rejected(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_bytes(b"this is not a video at all\n" * 50)
    with pytest.raises(MediaError) as err:
        probe(bad)
    assert str(err.value) == (f"{bad}: 无法读取：文件损坏或不是音视频文件 "
                              "(cannot read: corrupt file or not a media file)")


def test_probe_unsupported_suffix_is_rejected(tmp_path):
    doc = tmp_path / "talk.docx"
    doc.write_bytes(b"PK\x03\x04")
    with pytest.raises(MediaError) as err:
        probe(doc)
    assert "不支持的文件类型“.docx”" in str(err.value) and "unsupported file type '.docx'" in str(err.value)


def test_extract_audio_writes_16k_mono_wav_of_full_length(tmp_path):
    out = tmp_path / "a.wav"
    extract_audio(VIDEO, out)
    with wave.open(str(out)) as wav:
        assert wav.getframerate() == 16000 and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        # The fixture's audio track stops before its video (15.8 s of 17.8 s).
        assert 15.5 < wav.getnframes() / 16000 <= 17.8


def test_extract_audio_from_video_without_audio_fails_and_leaves_nothing(tmp_path):
    with pytest.raises(MediaError) as err:
        extract_audio(DATA / "video" / "no-audio.mp4", tmp_path / "a.wav")
    assert str(err.value) == f"{DATA / 'video' / 'no-audio.mp4'}: 没有音轨，无法转写 (no audio track: nothing to transcribe)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix,magic", [(".jpg", b"\xff\xd8"), (".webp", b"RIFF")])
def test_extract_frame_writes_small_poster(tmp_path, suffix, magic):
    out = extract_frame(VIDEO, 5.0, tmp_path / f"poster{suffix}", width=240)
    data = out.read_bytes()
    assert data.startswith(magic) and 500 < len(data) < 60_000
    assert probe_image_width(out) == 240
    assert [p.name for p in tmp_path.iterdir()] == [f"poster{suffix}"]


def probe_image_width(path: Path) -> int:
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    return int(re.search(r", (\d+)x\d+", out).group(1))


def test_extract_frame_past_the_end_clamps_to_last_frame(tmp_path):
    out = extract_frame(VIDEO, 999, tmp_path / "p.jpg")
    assert out.stat().st_size > 500


def test_silence_ranges_mutes_only_the_ranges_and_keeps_video(tmp_path):
    out = silence_ranges(VIDEO, tmp_path / "muted.mp4", [(2.0, 4.0), (3.5, 5.0)])
    info = probe(out)
    assert info.has_video and info.has_audio and abs(info.duration - 17.8) < 0.2
    assert _mean_volume(out, 2.5, 4.5) < -80
    original = _mean_volume(VIDEO, 7.0, 9.0)
    assert original > -60
    assert abs(_mean_volume(out, 7.0, 9.0) - original) < 3


def test_merge_ranges_joins_overlaps_and_drops_empty():
    assert merge_ranges([(5, 6), (1, 2), (1.5, 3), (4, 4)]) == [(1.0, 3.0), (5.0, 6.0)]
    assert merge_ranges([(1, 2), (2.2, 3)], gap=0.5) == [(1.0, 3.0)]


@pytest.mark.parametrize("suffix,args", [
    (".mkv", ["-c", "copy"]),
    (".flv", ["-c:v", "copy", "-c:a", "aac"]),
    (".m4a", ["-vn", "-c:a", "copy"]),
    (".mp3", ["-vn", "-c:a", "libmp3lame", "-q:a", "6"]),
    (".wav", ["-vn", "-c:a", "pcm_s16le"]),
])
def test_every_accepted_container_yields_16k_audio(tmp_path, suffix, args):
    media = tmp_path / f"clip{suffix}"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(VIDEO), *args, str(media)], check=True)
    info = probe(media)
    assert info.has_audio and info.has_video == (suffix in (".mkv", ".flv"))
    out = tmp_path / "a.wav"
    extract_audio(media, out)
    with wave.open(str(out)) as wav:
        assert wav.getframerate() == 16000 and 15.5 < wav.getnframes() / 16000 < 16.2


@pytest.mark.parametrize("suffix,codec", [(".mkv", ["-c", "copy"]), (".mp3", ["-vn", "-c:a", "libmp3lame"])])
def test_cut_off_mkv_and_mp3_are_reported_as_truncated(tmp_path, suffix, codec):
    full = tmp_path / f"full{suffix}"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(VIDEO), *codec, str(full)], check=True)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    with pytest.raises(MediaError) as err:
        extract_audio(cut, tmp_path / "out" / "a.wav")
    assert str(err.value).startswith(f"{cut}: 文件不完整（被截断）")
    assert "truncated file" in str(err.value)
    assert list((tmp_path / "out").iterdir()) == []
