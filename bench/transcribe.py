"""Character error rate and real-time factor of `pufa transcribe` on the audio fixtures.

    .venv/bin/python bench/transcribe.py [--model base] [--beam 5] [--threads 2] [--plain]

Prints, per clip and pooled, the CER against tests/data/audio/scripts.json (both sides
normalised: Simplified, punctuation removed, digits read as spoken) and the RTF (wall
time of decoding / audio length; the model load is reported separately). --plain turns
off the prompt and the glossary correction, to show what they are worth.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.speech.cer import cer_counts  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--plain", action="store_true", help="no prompt, no glossary correction")
    parser.add_argument("--prompt", help="decode with this prompt instead of the glossary's")
    parser.add_argument("--audio", default=str(ROOT / "tests" / "data" / "audio"))
    args = parser.parse_args()

    import wave

    from faster_whisper import BatchedInferencePipeline

    from generator.speech.glossary import Corrector, load_glossary
    from generator.speech.media import extract_audio
    from generator.speech.model import load_model
    from generator.speech.transcribe import SAMPLE_RATE, TranscribeOptions, read_samples, transcribe_window

    audio_dir = Path(args.audio)
    scripts = json.loads((audio_dir / "scripts.json").read_text(encoding="utf-8"))
    started = time.monotonic()
    loaded = load_model(args.model, "cpu", cpu_threads=args.threads)
    print(f"model: {loaded.label}, {args.threads} threads, load {time.monotonic() - started:.1f} s")
    glossary = load_glossary(ROOT)
    corrector = None if args.plain else Corrector(glossary)
    options = TranscribeOptions(beam_size=args.beam, batch_size=args.batch,
                                initial_prompt=None if args.plain else (args.prompt or glossary.prompt()))
    print(f"prompt: {options.initial_prompt}")
    pipeline = BatchedInferencePipeline(loaded.whisper)
    total_errors = total_chars = 0
    total_audio = total_wall = total_cpu = 0.0
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for clip, reference in sorted(scripts.items()):
            source = next(audio_dir.glob(f"{clip}.*"))
            wav_path = Path(tmp) / f"{clip}.wav"
            extract_audio(source, wav_path)
            with wave.open(str(wav_path)) as wav:
                samples = read_samples(wav, 0, wav.getnframes())
            seconds = len(samples) / SAMPLE_RATE
            t0, c0 = time.monotonic(), time.process_time()
            segments = transcribe_window(pipeline, samples, 0.0, options, corrector, 0)
            wall, cpu = time.monotonic() - t0, time.process_time() - c0
            hypothesis = "".join(s.text for s in segments)
            errors, chars = cer_counts(reference, hypothesis)
            total_errors += errors
            total_chars += chars
            total_audio += seconds
            total_wall += wall
            total_cpu += cpu
            print(f"{clip}: CER {errors / chars:.3f} ({errors}/{chars})  RTF {wall / seconds:.3f}  {hypothesis}")
    print(f"pooled: CER {total_errors / total_chars:.3f} ({total_errors}/{total_chars})  "
          f"RTF {total_wall / total_audio:.3f} ({total_wall:.1f} s for {total_audio:.1f} s of audio)")
    # On a shared machine wall time includes waiting for other processes; CPU time spread
    # over the threads used estimates the RTF the same work gets on idle cores.
    load = os.getloadavg()[0]
    print(f"CPU-time RTF {total_cpu / args.threads / total_audio:.3f} "
          f"({total_cpu:.1f} CPU-s over {args.threads} threads; load average {load:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
