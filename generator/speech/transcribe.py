"""Speech → segments: whisper (faster-whisper) over 16 kHz WAV, in windows, as a stream.

How it stays sane on a 3-hour livestream:
- The audio is read one window (2 minutes, cut at the quietest moment near the end) at
  a time, so memory does not grow with length, and each finished window is a checkpoint.
- Inside a window, faster-whisper's batched pipeline cuts speech with Silero VAD into
  pieces of at most 30 s and decodes each piece once: silence is never decoded (no
  hallucinated lines over silence), nothing is conditioned on earlier text (no run-away
  loops), and the domain prompt applies to every piece, not just the first 30 s.
- What still slips through is filtered here: repeated phrases collapsed, isolated
  stock hallucinations (字幕/作词/谢谢观看) and near-silent low-confidence pieces dropped.
Characters whisper doubted between homophones are settled with the bureau's language model
inside the pipeline (`fusion.fusion_pipeline`, built by the caller). Each piece is then
split at sentence marks and pauses into subtitle-sized segments, converted to Simplified,
corrected with the glossary and punctuated.
"""
from __future__ import annotations

import re
import wave
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ..records.transcript import ReviewMark, Segment, Word
from .fusion import WEIGHT as FUSION_WEIGHT
from .glossary import Corrector
from .guards import collapse_repeated_segments, loop_mark
from .numbers import write_numbers
from .textnorm import punctuate, to_simplified

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class TranscribeOptions:
    """Everything that shapes decoding; its fingerprint guards a resumed job."""

    language: str = "zh"
    beam_size: int = 5
    batch_size: int = 4
    initial_prompt: str | None = None
    window_seconds: float = 120.0        # checkpoint granularity and memory bound (VAD memory grows with it)
    cut_search_seconds: float = 20.0     # where to look for a quiet cut before a window ends
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 300
    vad_speech_pad_ms: int = 200
    max_segment_chars: int = 30          # subtitle-sized segments
    max_segment_seconds: float = 10.0
    pause_split_seconds: float = 0.7
    no_speech_drop: float = 0.6
    logprob_drop: float = -1.0
    fusion_weight: float = FUSION_WEIGHT  # domain LM weight for homophones whisper doubts (0: off; fusion.py)

    def fingerprint(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def read_samples(wav: wave.Wave_read, start_frame: int, frames: int) -> np.ndarray:
    wav.setpos(start_frame)
    data = wav.readframes(frames)
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def quiet_cut(samples: np.ndarray, search_from: int) -> int:
    """Index of the quietest 100 ms after `search_from` (a pause to cut a window at)."""
    hop = SAMPLE_RATE // 10
    tail = samples[search_from:]
    if len(tail) < 2 * hop:
        return len(samples)
    usable = len(tail) // hop * hop
    energy = (tail[:usable].reshape(-1, hop) ** 2).mean(axis=1)
    return search_from + int(np.argmin(energy)) * hop + hop // 2


def windows(total_frames: int, start_at: float, options: TranscribeOptions,
            wav: wave.Wave_read) -> Iterator[tuple[float, np.ndarray]]:
    """(offset seconds, samples) windows from `start_at` to the end, cut at pauses."""
    position = int(round(start_at * SAMPLE_RATE))
    window = int(options.window_seconds * SAMPLE_RATE)
    search = int(options.cut_search_seconds * SAMPLE_RATE)
    while position < total_frames:
        frames = min(window, total_frames - position)
        samples = read_samples(wav, position, frames)
        if position + frames < total_frames:
            cut = quiet_cut(samples, max(0, frames - search))
            samples = samples[:cut]
            frames = cut
        yield position / SAMPLE_RATE, samples
        position += frames


# Lines whisper invents over silence or music in Chinese broadcasts.
_STOCK = re.compile(r"^(字幕|字幕制作|作词|作曲|作词作曲|谢谢观看|谢谢收看|谢谢大家|请不吝点赞|订阅|明镜与点点栏目|"
                    r"中文字幕|小编|优优独播剧场|YoYo Television Series Exclusive)")


_LOOP = re.compile(r"(.{2,12}?)\1{2,}|([^\d零〇一二两三四五六七八九幺])\2{4,}")
_SPOKEN_DIGIT = set("0123456789零〇一二两三四五六七八九幺")


def collapse_repeats(text: str) -> str:
    """'出租车、出租车、出租车、…' → '出租车、': a phrase repeated back to back is a decoding loop.

    Digit runs are left alone (鲁A88888, 幺幺零 are real), and so are short doublings.
    """
    def once(match: re.Match[str]) -> str:
        unit = match.group(1) or match.group(2)
        if set(unit) <= _SPOKEN_DIGIT:
            return match.group(0)
        return unit

    return _LOOP.sub(once, text)


def _keep(raw, options: TranscribeOptions) -> bool:
    text = raw.text.strip()
    if not text:
        return False
    if raw.no_speech_prob > options.no_speech_drop and raw.avg_logprob < options.logprob_drop:
        return False
    duration = max(0.01, raw.end - raw.start)
    if _STOCK.match(to_simplified(text)) and (duration < 3.0 or len(text) < 8):
        return False
    return True


_SENTENCE_MARKS = ("。", "？", "！", "?", "!", "…")
_CLAUSE_MARKS = ("，", ",", "、", "；", ";", "：")


def _best_split(group: list) -> int:
    """Where to split an over-long group: after its last clause mark, else at its longest pause."""
    for index in range(len(group) - 2, 0, -1):
        if group[index].word.strip().endswith(_CLAUSE_MARKS + _SENTENCE_MARKS):
            return index + 1
    gaps = [(group[i + 1].start - group[i].end, i + 1) for i in range(len(group) - 1)]
    return max(gaps)[1] if gaps else len(group)


def _groups(words: list, options: TranscribeOptions) -> list[list]:
    """Split a piece's words into subtitle-sized groups: at sentence marks, at pauses, and
    where a group grows too long, after its last clause mark (never inside a word)."""
    groups: list[list] = []
    current: list = []
    for word in words:
        if current and word.start - current[-1].end >= options.pause_split_seconds:
            groups.append(current)
            current = []
        current.append(word)
        text = "".join(w.word.strip() for w in current)
        if word.word.strip().endswith(_SENTENCE_MARKS) and len(text) >= 6:
            groups.append(current)
            current = []
        elif len(text) > options.max_segment_chars or current[-1].end - current[0].start > options.max_segment_seconds:
            cut = _best_split(current)
            groups.append(current[:cut])
            current = current[cut:]
    if current:
        groups.append(current)
    return [g for g in groups if g]


def finish_text(raw_text: str, corrector: Corrector | None) -> str:
    text = collapse_repeats(to_simplified(raw_text.strip()))
    if corrector is not None:
        # Again after correction: a project's glossary or cases may be written in Traditional.
        text = to_simplified(corrector.correct(text))
    return punctuate(write_numbers(text))


LOOP_MARK_CHARS = 4     # a collapse that removes this many characters is a loop worth a listen


def segments_from_piece(raw, offset: float, options: TranscribeOptions, corrector: Corrector | None,
                        next_id: int, review: list[ReviewMark] | None = None) -> list[Segment]:
    out = _segments_from_piece(raw, offset, options, corrector, next_id)
    simplified = to_simplified(raw.text.strip())
    removed = len(simplified) - len(collapse_repeats(simplified))
    if review is not None and out and removed >= LOOP_MARK_CHARS:
        mark = loop_mark(out[0], removed)
        mark.end = out[-1].end
        review.append(mark)
    return out


def _segments_from_piece(raw, offset: float, options: TranscribeOptions, corrector: Corrector | None,
                         next_id: int) -> list[Segment]:
    words = [w for w in (raw.words or []) if w.word.strip()]
    out: list[Segment] = []
    if not words:
        text = finish_text(raw.text, corrector)
        if text:
            out.append(Segment(next_id, round(offset + raw.start, 3), round(offset + raw.end, 3), text))
        return out
    for group in _groups(words, options):
        text = finish_text("".join(w.word for w in group), corrector)
        if not text.strip("，。？！、 "):
            continue
        seg_words = [Word(round(offset + w.start, 3), round(offset + max(w.end, w.start), 3),
                          to_simplified(w.word.strip()), round(float(w.probability), 3)) for w in group]
        out.append(Segment(next_id + len(out), seg_words[0].start, max(seg_words[-1].end, seg_words[0].start),
                           text, words=seg_words))
    return out


def decode_window(pipeline, samples: np.ndarray, options: TranscribeOptions):
    """Whisper's pieces for one window (a lazy generator: decoding happens as it is read)."""
    from faster_whisper.vad import VadOptions

    vad = VadOptions(threshold=options.vad_threshold, min_silence_duration_ms=options.vad_min_silence_ms,
                     speech_pad_ms=options.vad_speech_pad_ms)
    pieces, _ = pipeline.transcribe(
        samples, language=options.language, beam_size=options.beam_size, batch_size=options.batch_size,
        initial_prompt=options.initial_prompt, word_timestamps=True, vad_filter=True, vad_parameters=vad,
        condition_on_previous_text=False, without_timestamps=True, log_progress=False)
    return pieces


def transcribe_window(pipeline, samples: np.ndarray, offset: float, options: TranscribeOptions,
                      corrector: Corrector | None, next_id: int,
                      on_progress: Callable[[float], None] | None = None,
                      review: list[ReviewMark] | None = None) -> list[Segment]:
    """Segments of one window, with absolute times, ids from `next_id`; loops collapsed
    and, where `review` is given, marked there for staff to listen to."""
    return segments_from_pieces(decode_window(pipeline, samples, options), offset, options, corrector,
                                next_id, on_progress, review)


def segments_from_pieces(pieces, offset: float, options: TranscribeOptions, corrector: Corrector | None,
                         next_id: int, on_progress: Callable[[float], None] | None = None,
                         review: list[ReviewMark] | None = None) -> list[Segment]:
    """Whisper's pieces → filtered, corrected, subtitle-sized segments (the bench reuses one
    decoding with several correctors through this)."""
    out: list[Segment] = []
    marks: list[ReviewMark] = []
    last_end = 0.0
    for raw in pieces:
        if raw.end > last_end and on_progress is not None:
            on_progress(offset + raw.end)
            last_end = raw.end
        if not _keep(raw, options):
            continue
        out.extend(segments_from_piece(raw, offset, options, corrector, next_id + len(out), marks))
    out, repeated = collapse_repeated_segments(out)
    marks += repeated
    renumber = {segment.id: next_id + index for index, segment in enumerate(out)}
    for index, segment in enumerate(out):
        segment.id = next_id + index
    for mark in marks:
        mark.segment_id = renumber.get(mark.segment_id, mark.segment_id)
    if review is not None:
        review.extend(sorted(marks, key=lambda m: m.start))
    # Times must never run backwards, even where word stamps of two pieces overlap.
    for previous, segment in zip(out, out[1:]):
        if segment.start < previous.start:
            segment.start = previous.start
        segment.end = max(segment.end, segment.start)
    return out
