"""Homophones whisper doubts, settled by the domain LM (speech/fusion.py).

Generalisation first: the model is built *without* a set of cases, and sentences of those
cases are given the kind of doubt whisper has (it wrote a homophone, the right character
its runner-up; or it wrote the right one, a homophone its runner-up), with homophones found
by pypinyin among whisper's one-character tokens, independently of the fusion code. Then
the real decoder on a fixture clip, with a model that never saw that clip's script.
"""
from __future__ import annotations

import json
import random
import re
import wave
from pathlib import Path

import pytest

from generator.speech.cer import cer_counts
from generator.speech.domainlm import build_domain_model, shares_stretch_with
from generator.speech.fusion import Choice, TokenTable, choose
from generator.speech.glossary import Corrector, load_glossary
from generator.speech.model import bundled_base_model

ROOT = Path(__file__).resolve().parent.parent
AUDIO = Path(__file__).parent / "data" / "audio"
HELD_OUT = sorted((ROOT / "cases_public").glob("2025-10*.yaml"))[6:12]   # test_speech_domainlm holds out [:6]


def _sentences() -> list[str]:
    out = []
    for path in HELD_OUT:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("facts:", "explanation:", "cause:")):
                out += [s for s in re.split(r"[。；，、：“”（）\s]+", line.split(":", 1)[1])
                        if 8 <= len(s) <= 30 and re.fullmatch(r"[\u4e00-\u9fff]+", s)]
    return out


@pytest.fixture(scope="module")
def table() -> TokenTable:
    from tokenizers import Tokenizer

    return TokenTable.build(Tokenizer.from_file(str(bundled_base_model() / "tokenizer.json")), 50257)


def _homophones(table: TokenTable) -> dict[str, list[str]]:
    from pypinyin import Style, lazy_pinyin

    by_reading: dict[str, list[str]] = {}
    for char in sorted(set(table.char_of.values())):
        by_reading.setdefault(lazy_pinyin(char, style=Style.NORMAL)[0], []).append(char)
    return {c: [o for o in group if o != c] for group in by_reading.values() for c in group if len(group) > 1}


def test_table_knows_whisper_one_character_tokens(table):
    assert len(table.char_of) > 800
    assert {"在", "再", "时", "使"} <= set(table.char_of.values())
    assert all(len(c) == 1 for c in table.char_of.values())


def test_fusion_learnt_without_a_text_settles_that_text_s_doubts(table):
    held = {line for path in HELD_OUT for line in path.read_text(encoding="utf-8").splitlines()}
    model = build_domain_model(ROOT, exclude=lambda line: line in held)
    corrector = Corrector(load_glossary(None), model)
    id_of = {c: i for i, c in table.char_of.items()}
    sounds = _homophones(table)
    rng = random.Random(20)
    before = after = total = 0
    sentences = _sentences()
    assert len(sentences) >= 30
    for sentence in sentences:
        positions = [k for k, c in enumerate(sentence) if c in sounds and c in id_of]
        if len(positions) < 2:
            continue
        heard, choices = list(sentence), []
        for j, k in enumerate(sorted(rng.sample(positions, min(4, len(positions))))):
            other = rng.choice(sounds[sentence[k]])
            if j % 2 == 0:   # whisper wrote the homophone; the right character came second
                heard[k] = other
                choices.append(Choice(k, k, ((id_of[sentence[k]], sentence[k], -1.0),)))
            else:            # whisper was right; a homophone came second
                choices.append(Choice(k, k, ((id_of[other], other, -1.0),)))
        heard_text = "".join(heard)
        picked = choose(heard_text, choices, model.lm, corrector=corrector)
        fused = list(heard_text)
        for choice in choices:
            if choice.step in picked:
                fused[choice.char] = picked[choice.step][1]
        e0, n = cer_counts(sentence, heard_text)
        e1, _ = cer_counts(sentence, "".join(fused))
        before, after, total = before + e0, after + e1, total + n
    print(f"held-out doubts: CER {before / total:.3f} → fused {after / total:.3f}")
    assert after < before * 0.4, (before, after, total)


def test_only_homophones_are_ever_chosen(table):
    lm = build_domain_model(ROOT).lm
    id_of = {c: i for i, c in table.char_of.items()}
    # 你 for 您 and 聊 for 来 are close to whisper, but do not sound the same: never taken.
    text = "请您留意车内的计价器"
    choices = [Choice(1, 1, ((id_of["你"], "你", -0.1),)), Choice(3, 3, ((id_of["义"], "义", -0.1),))]
    assert choose(text, choices, lm) == {}


def test_spoken_digits_are_never_changed_nor_made(table):
    """幺三八一二…: a digit turned into a homophone would hide a phone number from the flags,
    so 一 stays even where the model would rather read 依法 (the corrector may still fix a
    whole word), and 依 never becomes 一 (统依 → 统一 is left to the corrector too)."""
    lm = build_domain_model(ROOT).lm
    id_of = {c: i for i, c in table.char_of.items()}
    assert choose("对车辆一法处理", [Choice(3, 3, ((1, "依", -0.5),))], lm) == {}
    assert choose("全省统依规划", [Choice(3, 3, ((id_of["一"], "一", -0.5),))], lm) == {}


@pytest.mark.whisper
def test_real_decoder_with_a_held_out_model_is_not_worse_and_words_follow_the_text():
    from faster_whisper import BatchedInferencePipeline

    from generator.speech.fusion import fusion_pipeline
    from generator.speech.media import extract_audio
    from generator.speech.model import load_model
    from generator.speech.transcribe import TranscribeOptions, decode_window, read_samples, segments_from_pieces

    script = json.loads((AUDIO / "scripts.json").read_text(encoding="utf-8"))["demo02"]
    glossary = load_glossary(ROOT)
    held_out = Corrector(glossary, build_domain_model(ROOT, shares_stretch_with(script, 10)))
    loaded = load_model("base", "cpu")
    options = TranscribeOptions(initial_prompt=glossary.prompt())
    wav_path = Path(__import__("tempfile").mkdtemp()) / "demo02.wav"
    extract_audio(AUDIO / "demo02.ogg", wav_path)
    with wave.open(str(wav_path)) as wav:
        samples = read_samples(wav, 0, wav.getnframes())
    record: list = []
    texts = {}
    cjk = re.compile(r"[^\u4e00-\u9fff]")
    for name, pipeline in (("plain", BatchedInferencePipeline(loaded.whisper)),
                           ("fused", fusion_pipeline(loaded.whisper, held_out, options.fusion_weight, record))):
        pieces = list(decode_window(pipeline, samples, options))
        for piece in pieces:   # word stamps are aligned on the fused tokens, so words spell the text
            assert cjk.sub("", "".join(w.word for w in piece.words)) == cjk.sub("", piece.text)
        texts[name] = "".join(s.text for s in segments_from_pieces(pieces, 0.0, options, held_out, 0))
    assert record and any(choices for _, choices in record)   # whisper had doubts to settle
    assert cer_counts(script, texts["fused"])[0] <= cer_counts(script, texts["plain"])[0], texts
