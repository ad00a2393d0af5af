"""`pufa transcribe` of a recording outside the project: copied (or hard-linked) into the
project's media folder by content, written into meta.yaml as a project path; a copy that
cannot finish names the file, says what to do and leaves nothing behind.

These tests stop before whisper runs (placement happens before the model loads); the
whole path with whisper is in tests/test_onboarding_tutorial.py."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.speech.media import ffmpeg_exe
from generator.speech.place import HASH_CHARS, place_media

REPO = Path(__file__).resolve().parent.parent


def clip(path: Path, seconds: float, freq: int = 440) -> Path:
    """A real WAV recording made by ffmpeg (lavfi sine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"sine=frequency={freq}:duration={seconds}",
                    "-ac", "1", "-ar", "16000", str(path)], check=True)
    return path


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "bureau"
    assert main(["init", str(root)]) == 0
    return root


def media_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "media").iterdir() if p.name != ".gitkeep")


def test_recording_outside_the_project_is_copied_once_by_content(project, tmp_path):
    usb = clip(tmp_path / "usb" / "直播 2024-05-01.wav", 1.0)
    placed = place_media(usb, project, project / "transcripts")
    digest = hashlib.sha256(usb.read_bytes()).hexdigest()[:HASH_CHARS]
    assert placed == project / "media" / f"{digest}.wav"
    assert placed.read_bytes() == usb.read_bytes() and usb.exists()
    # The same recording from another folder, under another name: stored once.
    again = tmp_path / "Downloads" / "stream.WAV"
    again.parent.mkdir()
    again.write_bytes(usb.read_bytes())
    assert place_media(again, project, project / "transcripts") == placed
    # A different recording is a second file.
    other = place_media(clip(tmp_path / "usb" / "b.wav", 1.0, freq=880), project, project / "transcripts")
    assert other != placed
    assert media_files(project) == sorted([placed.name, other.name]), "no temporary file left behind"


def test_a_recording_already_in_media_under_its_own_name_is_not_stored_again(project, tmp_path):
    kept = clip(project / "media" / "西站直播.wav", 1.0)
    usb = tmp_path / "usb" / "copy.wav"
    usb.parent.mkdir()
    usb.write_bytes(kept.read_bytes())
    assert place_media(usb, project, project / "transcripts") == kept
    assert place_media(usb, project, project / "transcripts", link=True) == kept
    assert media_files(project) == ["西站直播.wav"]


def test_link_hard_links_instead_of_copying(project, tmp_path):
    usb = clip(tmp_path / "usb" / "a.wav", 1.0)
    placed = place_media(usb, project, project / "transcripts", link=True)
    assert placed.parent == project / "media"
    assert placed.stat().st_ino == usb.stat().st_ino and usb.stat().st_nlink == 2
    assert media_files(project) == [placed.name]


def test_media_already_inside_the_project_stays_where_it_is(project):
    inside = clip(project / "recordings" / "a.wav", 1.0)
    assert place_media(inside, project, project / "transcripts") == inside
    assert media_files(project) == []


def test_transcripts_outside_any_project_copy_nothing(project, tmp_path):
    usb = clip(tmp_path / "usb" / "a.wav", 1.0)
    assert place_media(usb, project, tmp_path / "elsewhere" / "transcripts") == usb
    assert media_files(project) == []


def test_full_disk_names_the_file_and_leaves_nothing_half_copied(project, tmp_path):
    """A real write failure: the process may write files of at most 1 MB (RLIMIT_FSIZE),
    so copying a 3.2 MB recording fails part-way as on a full disk."""
    big = clip(tmp_path / "usb" / "long.wav", 100.0)
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20)); "
            "from generator.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "transcribe", str(big), "--into", str(project / "transcripts")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    folder = project / "media"
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"pufa transcribe: error: {big}: 无法复制到项目的媒体文件夹 / cannot copy the recording into {folder} "
        f"(nothing was left there): 磁盘空间不足 / not enough space in {folder} for 3 MB: free some space and "
        "run again, or use --link when the recording is on the project's disk\n")
    assert sorted(p.name for p in folder.iterdir()) == [".gitkeep"]
    assert sorted(p.name for p in (project / "transcripts").iterdir()) == [".gitkeep"]


@pytest.mark.skipif(os.stat("/dev/shm").st_dev == os.stat(Path.cwd()).st_dev if os.path.isdir("/dev/shm") else True,
                    reason="needs a second filesystem (/dev/shm)")
def test_link_across_disks_says_to_copy_instead(project, capsys):
    import tempfile
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other_disk:
        if os.stat(other_disk).st_dev == os.stat(project).st_dev:
            pytest.skip("/dev/shm is on the project's filesystem here")
        usb = clip(Path(other_disk) / "a.wav", 1.0)
        code = main(["transcribe", str(usb), "--into", str(project / "transcripts"), "--link"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (f"pufa transcribe: error: {usb}: 无法硬链接到项目的媒体文件夹 / cannot link the recording into "
                   f"{project / 'media'} (nothing was left there): 硬链接只能在同一块磁盘上 / a hard link works only "
                   "on the same disk: run again without --link to copy the recording\n")
    assert media_files(project) == []
