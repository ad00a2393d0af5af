"""`pufa transcribe` with the real bundled whisper base model, real ffmpeg, real fixtures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from generator.errors import InputError, MediaError
from generator.records.transcript import load_meta, load_transcript
from generator.speech import transcribe as transcribe_module
from generator.speech.cer import cer_counts
from generator.speech.media import ffmpeg_exe
from generator.speech.model import BASE_SHA256, BASE_SIZE, bundled_base_model
from generator.speech.run import TranscribeOptions, transcribe_files
from generator.speech.textnorm import to_simplified

pytestmark = pytest.mark.whisper

DATA = Path(__file__).parent / "data"
AUDIO = DATA / "audio"
VIDEO = DATA / "video"


@pytest.fixture(scope="session")
def base_model():
    from generator.speech.model import load_model

    return load_model("base", "cpu")


def _pufa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})


@pytest.fixture(scope="module")
def fixture_transcripts(tmp_path_factory, base_model):
    into = tmp_path_factory.mktemp("transcripts")
    clips = sorted(AUDIO.glob("demo0*.ogg"))
    results = transcribe_files(clips, into=into, loaded=base_model, progress=False)
    return into, results


def test_fixture_clips_transcribe_with_low_error_in_simplified(fixture_transcripts):
    into, results = fixture_transcripts
    scripts = json.loads((AUDIO / "scripts.json").read_text(encoding="utf-8"))
    errors = chars = 0
    for result in results:
        transcript = load_transcript(result.folder / "transcript.json")
        text = "".join(s.text for s in transcript.segments)
        e, c = cer_counts(scripts[result.id], text)
        errors, chars = errors + e, chars + c
        assert e / c < 0.25, (result.id, text)
        assert to_simplified(text) == text            # no Traditional characters
        assert "。" in text or "，" in text            # Chinese punctuation
    # Loose bound: a broken pipeline (no prompt, no t2s, wrong audio) scores far above it.
    assert errors / chars < 0.12


def test_transcript_folder_has_all_outputs_and_sane_times(fixture_transcripts):
    into, results = fixture_transcripts
    assert [r.id for r in results] == ["demo01", "demo02", "demo03"]
    for result in results:
        folder = into / result.id
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["transcript.json", "meta.yaml", f"{result.id}.vtt", f"{result.id}.srt", "waveform.json"])
        wave = json.loads((folder / "waveform.json").read_text(encoding="utf-8"))
        assert len(wave["peaks"]) == round(result.duration / wave["seconds_per_peak"] + 0.49)
        assert max(wave["peaks"]) > 50 and min(wave["peaks"]) < max(wave["peaks"])
        transcript = load_transcript(folder / "transcript.json")
        assert transcript.model.startswith("whisper-base (bundled) cpu/int8")
        assert [s.id for s in transcript.segments] == list(range(len(transcript.segments)))
        starts = [s.start for s in transcript.segments]
        assert starts == sorted(starts)
        for segment in transcript.segments:
            assert 0 <= segment.start <= segment.end <= transcript.duration + 0.5
            assert len(segment.text) <= 45
            assert segment.words and all(segment.start <= w.start <= w.end <= segment.end + 0.01
                                         for w in segment.words)
        meta = load_meta(folder / "meta.yaml")
        assert (meta.id, meta.kind) == (result.id, "livestream")
        assert (folder / f"{result.id}.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert not [p for p in into.iterdir() if p.name.startswith(".")]   # no work folders left


def test_cli_transcribes_demo_video_with_progress_bar(tmp_path):
    run = _pufa("transcribe", str(VIDEO / "demo-livestream.mp4"), "--into", str(tmp_path / "t"))
    assert run.returncode == 0, run.stderr
    assert "剩余" in run.stderr and "100%" in run.stderr
    folder = tmp_path / "t" / "demo-livestream"
    assert run.stdout.startswith(f"{folder}: ")
    transcript = load_transcript(folder / "transcript.json")
    assert "网约车" in "".join(s.text for s in transcript.segments) or len(transcript.segments) >= 3
    again = _pufa("transcribe", str(VIDEO / "demo-livestream.mp4"), "--into", str(tmp_path / "t"))
    assert again.returncode == 4 and "already exists" in again.stderr


@pytest.mark.parametrize("name,message", [
    ("truncated.mp4", "文件不完整（被截断），请重新导出或重新复制 (truncated file"),
    ("no-audio.mp4", "没有音轨，无法转写 (no audio track: nothing to transcribe)"),
    ("missing.mp4", "文件不存在 (file not found)"),
])
def test_cli_broken_media_fails_clearly_and_writes_nothing(tmp_path, name, message):
    into = tmp_path / "t"
    run = _pufa("transcribe", str(VIDEO / name), "--into", str(into))
    assert run.returncode == 5
    assert f"{VIDEO / name}: {message}" in run.stderr
    assert "Traceback" not in run.stderr
    assert not into.exists() or list(into.iterdir()) == []


def test_cli_unsupported_file_type(tmp_path):
    doc = tmp_path / "notes.txt"
    doc.write_text("不是音频", encoding="utf-8")
    run = _pufa("transcribe", str(doc), "--into", str(tmp_path / "t"))
    assert run.returncode == 5 and "不支持的文件类型“.txt”" in run.stderr


def test_one_bad_file_stops_the_run_before_any_work(tmp_path, base_model):
    with pytest.raises(MediaError) as err:
        transcribe_files([AUDIO / "demo01.ogg", VIDEO / "no-audio.mp4"], into=tmp_path / "t", loaded=base_model,
                         progress=False)
    assert "no-audio.mp4: 没有音轨" in str(err.value)
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("source", ["anullsrc=r=16000:cl=mono",
                                    # music-like: a chord of steady tones with a beat, no voice
                                    "aevalsrc='0.3*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)"
                                    "*(0.5+0.5*sin(2*PI*2*t))':s=16000"])
def test_silence_or_music_only_gives_an_empty_transcript_with_a_note(tmp_path, base_model, source):
    quiet = tmp_path / "quiet.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", source, "-t", "8", str(quiet)], check=True)
    into = tmp_path / "t"
    [result] = transcribe_files([quiet], into=into, loaded=base_model, progress=False)
    transcript = load_transcript(into / "quiet" / "transcript.json")
    assert transcript.segments == [] and transcript.flags == []
    assert transcript.notes == ["没有识别到语音（静音或只有音乐），字幕稿为空 (no speech found: silent or music only; "
                                "the transcript is empty)"]
    assert result.summary().endswith("; 没有识别到语音：字幕稿为空 (no speech: empty transcript)")
    assert sorted(p.name for p in into.iterdir()) == ["quiet"]   # no work folder left behind


def test_id_with_several_media_is_refused(tmp_path):
    with pytest.raises(InputError) as err:
        transcribe_files([AUDIO / "demo01.ogg", AUDIO / "demo02.ogg"], into=tmp_path, id="x")
    assert "--id names one transcript but 2 media files were given" in str(err.value)


def test_interrupted_job_resumes_after_last_finished_window(tmp_path, base_model, monkeypatch):
    """Windows of 6 s: the run is interrupted in the second; the rerun starts from 6 s on."""
    clip = AUDIO / "demo02.ogg"
    options = TranscribeOptions(window_seconds=6.0, cut_search_seconds=2.0)
    real = transcribe_module.transcribe_window
    calls = []

    def interrupt_second(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    import generator.speech.run as run_module

    monkeypatch.setattr(run_module, "transcribe_window", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        transcribe_files([clip], into=tmp_path, loaded=base_model, progress=False, options=options)
    work = tmp_path / ".demo02.partial"
    assert (work / "segments.jsonl").exists() and not (tmp_path / "demo02").exists()
    monkeypatch.setattr(run_module, "transcribe_window", real)
    [result] = transcribe_files([clip], into=tmp_path, loaded=base_model, progress=False, options=options)
    assert 4.0 <= result.resumed_at <= 6.0
    transcript = load_transcript(tmp_path / "demo02" / "transcript.json")
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts) and transcript.segments[-1].end > 12
    assert not work.exists()


def test_bundled_model_is_assembled_once_even_by_parallel_processes(tmp_path):
    code = ("import os; from generator.speech.model import bundled_base_model; print(bundled_base_model())")
    env = {**os.environ, "PUFA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [p.communicate()[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    folder = tmp_path / "models" / "whisper-base"
    assert set(outputs) == {str(folder)}
    assert (folder / "model.bin").stat().st_size == BASE_SIZE
    assert (folder / ".verified").read_text().strip() == BASE_SHA256
    assert sorted(p.name for p in folder.parent.iterdir()) == [".whisper-base.lock", "whisper-base"]


def test_damaged_cached_model_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path))
    folder = bundled_base_model()
    with (folder / "model.bin").open("r+b") as handle:
        handle.truncate(1000)
    assert bundled_base_model() == folder
    assert (folder / "model.bin").stat().st_size == BASE_SIZE


def test_named_model_absent_offline_is_a_clear_error(monkeypatch):
    from generator.speech.model import ModelError, load_model

    monkeypatch.delenv("PUFA_ALLOW_DOWNLOAD", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", "/nonexistent-pufa-hf")
    with pytest.raises(ModelError) as err:
        load_model("large-v3", "cpu")
    assert "model 'large-v3' is not on this machine" in str(err.value)


def test_wav_extracted_for_transcription_is_16k_mono(tmp_path):
    from generator.speech.media import extract_audio

    out = tmp_path / "a.wav"
    extract_audio(AUDIO / "demo03.ogg", out)
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (16000, 1)


def test_truncated_file_found_while_decoding_leaves_no_work_folder(tmp_path, base_model):
    full = tmp_path / "full.mkv"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(VIDEO / "demo-livestream.mp4"), "-c", "copy", str(full)],
                   check=True)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    into = tmp_path / "t"
    with pytest.raises(MediaError) as err:
        transcribe_files([cut], into=into, loaded=base_model, progress=False)
    assert "truncated file" in str(err.value)
    assert list(into.iterdir()) == []
