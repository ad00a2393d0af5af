"""A waveform overview for the annotation tool: computed once, stored beside the transcript.

`waveform.json` holds one loudness value (0–100, from -60 dB to 0 dB RMS) per 0.2 s:
about 54 000 small numbers for a 3-hour stream (~150 kB), enough to see where speech,
silence and music are and to drag a segment's edges, without the page decoding hours of
audio. Computed from the 16 kHz WAV the transcription already extracts, or from the media
with ffmpeg for transcripts made before this existed.
"""
from __future__ import annotations

import math
import tempfile
import wave
from pathlib import Path

import numpy as np

import json

from ..fsutil import atomic_write_text

WAVEFORM_FILE = "waveform.json"
SECONDS_PER_PEAK = 0.2
FLOOR_DB = -60.0


def peaks_from_wav(wav_path: Path, seconds_per_peak: float = SECONDS_PER_PEAK) -> dict:
    with wave.open(str(wav_path)) as wav:
        rate = wav.getframerate()
        hop = max(1, int(round(rate * seconds_per_peak)))
        total = wav.getnframes()
        peaks: list[int] = []
        chunk_hops = 3000   # read ~10 minutes at a time: memory stays flat
        while wav.tell() < total:
            data = np.frombuffer(wav.readframes(hop * chunk_hops), dtype="<i2").astype(np.float32) / 32768.0
            if data.size == 0:
                break
            usable = data.size // hop * hop
            blocks = [data[:usable].reshape(-1, hop)] if usable else []
            rms = [np.sqrt((b ** 2).mean(axis=1)) for b in blocks]
            if data.size > usable:
                rms.append(np.array([math.sqrt(float((data[usable:] ** 2).mean()))]))
            for value in np.concatenate(rms) if rms else []:
                db = 20 * math.log10(max(float(value), 1e-6))
                peaks.append(int(round(max(0.0, min(1.0, (db - FLOOR_DB) / -FLOOR_DB)) * 100)))
    return {"version": 1, "seconds_per_peak": seconds_per_peak, "duration": round(total / rate, 3),
            "floor_db": FLOOR_DB, "peaks": peaks}


def write_waveform(folder: Path, wav_path: Path) -> Path:
    target = folder / WAVEFORM_FILE
    atomic_write_text(target, json.dumps(peaks_from_wav(wav_path), separators=(",", ":")))
    return target


def waveform_for_media(folder: Path, media: Path) -> Path:
    """waveform.json for a transcript folder, computed from its media with ffmpeg if missing."""
    target = folder / WAVEFORM_FILE
    if target.is_file():
        return target
    from .media import extract_audio

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "audio.wav"
        extract_audio(media, wav, 8000)
        return write_waveform(folder, wav)
