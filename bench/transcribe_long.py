"""Long media: memory, speed and silence behaviour of `pufa transcribe` on a built recording.

    .venv/bin/python bench/transcribe_long.py [--minutes 60] [--window 120]

Builds a recording from the audio fixtures separated by 20 s of silence, 10 s of low
noise and 15 s of music-like tones (where whisper likes to invent lines), repeated to
the requested length (an hour by default), transcribes it through `transcribe_files`
(windows of --window seconds, so several checkpoints happen), and prints: RTF including
the model load, peak memory (RSS), segments inside the gaps (should be 0), loops left in
the text (should be 0) and loops collapsed and marked for review, and whether the
timestamps run in order inside the media.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(out: Path, minutes: float) -> list[tuple[float, float]]:
    """Write the recording; return the (start, end) of its speech parts."""
    from generator.speech.media import extract_audio, ffmpeg_exe
    import wave

    clips = sorted((ROOT / "tests" / "data" / "audio").glob("demo0*.ogg"))
    parts, speech, t = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        lengths = []
        for clip in clips:
            wav = Path(tmp) / f"{clip.stem}.wav"
            extract_audio(clip, wav)
            with wave.open(str(wav)) as w:
                lengths.append((wav, w.getnframes() / 16000))
        silence = Path(tmp) / "gap.wav"
        music = ("aevalsrc='0.25*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)*(0.5+0.5*sin(2*PI*2*t))"
                 "+0.1*sin(2*PI*110*t)*gt(mod(t,0.5),0.25)':s=16000")
        subprocess.run([ffmpeg_exe(), "-v", "error", "-t", "20", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
                        "-t", "10", "-f", "lavfi", "-i", "anoisesrc=r=16000:a=0.003:c=pink",
                        "-t", "15", "-f", "lavfi", "-i", music,
                        "-filter_complex", "[0][1][2]concat=n=3:v=0:a=1", "-ac", "1", "-ar", "16000",
                        "-c:a", "pcm_s16le", str(silence)], check=True)
        with wave.open(str(silence)) as w:
            gap = w.getnframes() / 16000
        while t < minutes * 60:
            for wav, seconds in lengths:
                parts.append(f"file '{wav}'")
                speech.append((t, t + seconds))
                t += seconds
                parts.append("silence")
                t += gap
        listing = Path(tmp) / "list.txt"
        listing.write_text("\n".join(p if p != "silence" else f"file '{silence}'" for p in parts) + "\n")
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                        "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(out)], check=True)
    return speech


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--window", type=float, default=120.0)
    args = parser.parse_args()

    from generator.speech.glossary import load_glossary
    from generator.speech.model import load_model
    from generator.speech.run import transcribe_files
    from generator.speech.transcribe import TranscribeOptions

    with tempfile.TemporaryDirectory() as tmp:
        media = Path(tmp) / "long.wav"
        speech = build(media, args.minutes)
        started, cpu0 = time.monotonic(), time.process_time()
        loaded = load_model("base", "cpu")
        load = time.monotonic() - started
        options = TranscribeOptions(window_seconds=args.window, initial_prompt=load_glossary(ROOT).prompt())
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        [result] = transcribe_files([media], into=Path(tmp) / "t", loaded=loaded, progress=False, options=options)
        wall = time.monotonic() - started
        cpu = time.process_time() - cpu0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        from generator.records.transcript import load_transcript

        transcript = load_transcript(result.folder / "transcript.json")
        in_gaps = [s for s in transcript.segments
                   if not any(a - 1.0 <= (s.start + s.end) / 2 <= b + 1.0 for a, b in speech)]
        loops = [s for s in transcript.segments if re.search(r"(.{2,12}?)\1{2,}", s.text)]
        print(f"audio {result.duration / 60:.1f} min, {len(transcript.segments)} segments, wall {wall:.1f} s "
              f"(model load {load:.1f} s), RTF incl. load {wall / result.duration:.3f}, CPU-time RTF incl. load "
              f"{cpu / (os.cpu_count() or 1) / result.duration:.3f} (load average {os.getloadavg()[0]:.1f})")
        print(f"peak RSS {peak / 1024:.0f} MiB (after model load {before / 1024:.0f} MiB)")
        print(f"segments inside silence/noise gaps: {len(in_gaps)} {[s.text for s in in_gaps][:5]}")
        missed = [(a, b) for a, b in speech
                  if not any(a - 1.0 <= (s.start + s.end) / 2 <= b + 1.0 for s in transcript.segments)]
        text = "".join(s.text for s in transcript.segments)
        print(f"speech parts with no segment: {len(missed)} of {len(speech)} {missed[:5]}; "
              f"{len(text)} characters transcribed")
        print(f"repeated-phrase loops left in the text: {len(loops)} {[s.text for s in loops][:5]}")
        print(f"loops collapsed and marked for review: {len(transcript.review)}")
        starts = [s.start for s in transcript.segments]
        inside = all(0 <= s.start <= s.end <= result.duration for s in transcript.segments)
        print(f"timestamps: in order {starts == sorted(starts)}, inside the media {inside}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
