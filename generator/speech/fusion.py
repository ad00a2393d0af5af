"""Whisper's own doubts, settled by the bureau's language: per-character LM fusion.

Many of whisper base's errors on this speech are characters that sound exactly alike
(在/再, 时/使, 到/道): at that step the decoder is unsure, and its second choice, a fraction
of a nat behind, is often the right one. Whisper cannot know which of two homophones the
bureau's texts would use; the domain character model (`domainlm.CharLM`, built from the
laws, the discretion list, cases, episodes and glossary, never from any recording) can.

After faster-whisper's beam search has decoded a piece, one more greedy pass is teacher-
forced along the chosen tokens (CTranslate2 returns per-step scores for greedy search
only; one pass, no beam: about a third more decoding CPU time). At every step that wrote
one Chinese character as one token, the other one-character tokens that are *homophones*
of it (a pypinyin reading in common) and that the decoder rated within `MAX_GAP` nats are
candidates. One replaces the written character when

    (ln p_whisper(candidate) − ln p_whisper(written))
        + WEIGHT · ln 10 · (log10 p_LM(context, candidate) − log10 p_LM(context, written))  >  0

i.e. the product of the two models' probabilities with the LM weighted (log-linear). Both
contexts (±4 characters) are first corrected by the glossary corrector, so a character is
judged as it will finally read (程座 becomes 乘坐 later, so 城座 must not win on 聊城).
The replacement goes back into the token sequence: word timestamps are aligned on it.

Measured (bench/transcribe.py, leave-one-out): only homophones, because letting the LM
pick any close character (来→聊, 您→你) or a weight above ~1 with a wide gap made the
fixtures worse: the character model knows the bureau's words, not general Chinese grammar.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .textnorm import to_simplified

if TYPE_CHECKING:
    from .domainlm import CharLM
    from .glossary import Corrector

MAX_GAP = 4.0          # nats: a candidate the decoder found ~50× less likely is no candidate
MAX_CANDIDATES = 8     # the best one-character tokens per step (homophones are fewer)
WEIGHT = 0.5           # LM weight against whisper (log-linear), chosen on held-out clips (bench)
CONTEXT = 4            # characters of context either side that the LM compares
_CJK = re.compile(r"[\u3400-\u9fff]")
# Digits read aloud are never changed nor made: a phone number with 一 turned into 医 would
# no longer be seen as a number by the personal-data flags (pii.py).
_SPOKEN_DIGITS = set("零〇一二两三四五六七八九十百千万幺")


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte ↔ printable-character table, inverted (whisper's tokens are byte-level BPE)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes)}


@dataclass
class TokenTable:
    """Per tokenizer: every token's bytes, and which tokens are one whole Chinese character."""

    token_bytes: list[bytes]
    char_ids: np.ndarray          # ids of the one-character tokens
    char_of: dict[int, str]       # id → that character, Simplified

    @classmethod
    def build(cls, hf_tokenizer, eot: int) -> "TokenTable":
        decoder = _byte_decoder()
        token_bytes: list[bytes] = []
        char_of: dict[int, str] = {}
        for token_id in range(eot):
            piece = hf_tokenizer.id_to_token(token_id) or ""
            raw = bytes(decoder.get(c, 0) for c in piece)
            token_bytes.append(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(text) == 1 and _CJK.fullmatch(text):
                char_of[token_id] = to_simplified(text)
        return cls(token_bytes, np.array(sorted(char_of), dtype=np.int64), char_of)


@dataclass(frozen=True)
class Choice:
    """One step where whisper wrote one Chinese character and had others in mind."""

    step: int                         # index into the token sequence
    char: int                         # index of that character in the decoded text
    candidates: tuple[tuple[int, str, float], ...]   # (token id, character, log p − log p(written))


def doubtful_steps(tokens: list[int], logprobs: list[np.ndarray], table: TokenTable) -> tuple[str, list[Choice]]:
    """The decoded text (Simplified) and, per one-character step, the close alternatives."""
    raw = b""
    choices: list[Choice] = []
    for step, token in enumerate(tokens):
        if token >= len(table.token_bytes):
            continue   # a special token (end of text, timestamps)
        if token in table.char_of and step < len(logprobs):
            char_index = len(raw.decode("utf-8", errors="replace"))
            scores = np.asarray(logprobs[step], dtype=np.float32)
            # A forced greedy pass hands back raw logits: normalise to log-probabilities.
            scores = scores - np.logaddexp.reduce(scores)
            written = float(scores[token])
            sub = scores[table.char_ids]
            best = np.argsort(-sub)[:MAX_CANDIDATES + 1]
            own = table.char_of[token]
            candidates = tuple((int(table.char_ids[k]), table.char_of[int(table.char_ids[k])],
                                float(sub[k]) - written) for k in best
                               if int(table.char_ids[k]) != token and sub[k] - written > -MAX_GAP
                               and table.char_of[int(table.char_ids[k])] != own)
            if candidates:
                choices.append(Choice(step, char_index, candidates))
        raw += table.token_bytes[token]
    return to_simplified(raw.decode("utf-8", errors="replace")), choices


@lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def _same_sound(a: str, b: str) -> bool:
    """Toneless homophones: 在/再 (zai), 时/使 (shi); 您/你 (nin/ni) are not."""
    return bool(_readings(a) & _readings(b))


def _run_bounds(text: str, index: int) -> tuple[int, int]:
    start = index
    while start > 0 and _CJK.match(text[start - 1]):
        start -= 1
    end = index + 1
    while end < len(text) and _CJK.match(text[end]):
        end += 1
    return start, end


def choose(text: str, choices: list[Choice], lm: "CharLM", weight: float = WEIGHT,
           corrector: "Corrector | None" = None) -> dict[int, tuple[int, str]]:
    """step → (token id, character) for every doubtful step where whisper × LM prefers a homophone."""
    chars = list(text)
    picked: dict[int, tuple[int, str]] = {}
    for choice in choices:
        if choice.char >= len(chars):
            continue
        run_start, run_end = _run_bounds("".join(chars), choice.char)
        left = max(run_start, choice.char - CONTEXT)
        right = min(run_end, choice.char + 1 + CONTEXT)
        bos, eos = left == run_start, right == run_end

        def lm_score(char: str) -> float:
            window = "".join(chars[left:choice.char]) + char + "".join(chars[choice.char + 1:right])
            if corrector is not None:
                fixed = corrector.correct(window)
                window = fixed if len(fixed) == len(window) else window
            return lm.score(window, bos, eos)

        if chars[choice.char] in _SPOKEN_DIGITS:
            continue
        homophones = [c for c in choice.candidates
                      if _same_sound(c[1], chars[choice.char]) and c[1] not in _SPOKEN_DIGITS]
        if not homophones:
            continue
        written = lm_score(chars[choice.char])
        best_gain, best = 0.0, None
        for token_id, char, acoustic in homophones:
            gain = acoustic + weight * math.log(10) * (lm_score(char) - written)
            if gain > best_gain:
                best_gain, best = gain, (token_id, char)
        if best is not None:
            picked[choice.step] = best
            chars[choice.char] = best[1]
    return picked


def _numpy(view) -> np.ndarray:
    """A CTranslate2 StorageView as a NumPy vector (copied to the CPU first where on a GPU)."""
    if str(getattr(view, "device", "cpu")) not in ("cpu", "Device.cpu"):
        view = view.to_device(__import__("ctranslate2").Device.cpu)
    return np.array(view, dtype=np.float32)


def forced_logprobs(model, encoder_output, prompts: list[list[int]], sequences: list[list[int]]) -> list[list]:
    """The decoder's distribution at every step of each given token sequence (teacher-forced:
    the sequence is passed as prefix to a greedy pass, which CTranslate2 answers with the
    per-step log-probabilities; one cheap pass, no beam)."""
    results = model.model.generate(encoder_output, [p + s for p, s in zip(prompts, sequences)], beam_size=1,
                                   max_length=model.max_length, return_logits_vocab=True,
                                   suppress_blank=False)
    return [result.logits[0][:len(sequence)] for result, sequence in zip(results, sequences)]


def fusion_pipeline(whisper_model, corrector: "Corrector | None", weight: float = WEIGHT,
                    record: list | None = None):
    """faster-whisper's batched pipeline, each piece's homophones settled with the domain LM.

    Plain faster-whisper where there is no domain model or the weight is 0. `record`, when
    given, receives (text as decoded, choices) per piece, in order (the bench re-decides
    those with a model built without the clip: leave-one-out)."""
    from faster_whisper import BatchedInferencePipeline

    if corrector is None or corrector.lm is None or weight <= 0:
        return BatchedInferencePipeline(whisper_model)
    lm = corrector.lm

    class FusionPipeline(BatchedInferencePipeline):
        table: TokenTable | None = None

        def generate_segment_batched(self, features, tokenizer, options):
            encoder_output, outputs = super().generate_segment_batched(features, tokenizer, options)
            if self.table is None:   # once per pipeline: reads 50 000 tokens (~0.3 s)
                self.table = TokenTable.build(tokenizer.tokenizer, tokenizer.eot)
            prompt = self.model.get_prompt(
                tokenizer, previous_tokens=tokenizer.encode(options.initial_prompt) if options.initial_prompt else [],
                without_timestamps=options.without_timestamps, hotwords=options.hotwords)
            sequences = [[t for t in out["tokens"] if t < tokenizer.eot] for out in outputs]
            if any(len(prompt) + len(s) + 2 >= self.model.max_length for s in sequences):
                return encoder_output, outputs   # too long to force (never for ≤30 s pieces)
            try:
                logits = [[_numpy(s) for s in steps] for steps in
                          forced_logprobs(self.model, encoder_output, [prompt] * len(sequences), sequences)]
            except (RuntimeError, ValueError, TypeError):
                # An older CTranslate2 or a device that cannot hand the scores back: the
                # beam-search text stands, as without fusion.
                return encoder_output, outputs
            for out, sequence, steps in zip(outputs, sequences, logits):
                text, choices = doubtful_steps(sequence, steps, self.table)
                if record is not None:
                    record.append((text, choices))
                picked = choose(text, choices, lm, weight, corrector)
                if picked:
                    out["tokens"] = [picked[k][0] if k in picked else t for k, t in enumerate(sequence)]
            return encoder_output, outputs

    return FusionPipeline(whisper_model)
