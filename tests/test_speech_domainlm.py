"""Corrections that generalise: a model built from the bureau's texts, tested on texts it never saw.

The generator here garbles held-out case texts the way whisper does (a character replaced
by another with the same toneless pinyin) using pypinyin and the characters of the law
texts; it does not use the corrector's lexicon or matching rules.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from generator.speech.cer import cer_counts
from generator.speech.domainlm import CharLM, build_domain_model, load_domain_model, shares_stretch_with
from generator.speech.glossary import Corrector, load_glossary

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = sorted((ROOT / "cases_public").glob("2025-10*.yaml"))[:6]


def _held_out_sentences() -> list[str]:
    out = []
    for path in HELD_OUT:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("facts:", "explanation:", "cause:")):
                out += [s for s in re.split(r"[。；，、：“”（）\s]+", line.split(":", 1)[1]) if 8 <= len(s) <= 30
                        and re.fullmatch(r"[\u4e00-\u9fff]+", s)]
    return out


@pytest.fixture(scope="module")
def held_out_model():
    held = {line for path in HELD_OUT for line in path.read_text(encoding="utf-8").splitlines()}
    return build_domain_model(ROOT, exclude=lambda line: line in held)


@pytest.fixture(scope="module")
def lm_corrector(held_out_model):
    return Corrector(load_glossary(None), held_out_model)


def _homophones() -> dict[str, list[str]]:
    from pypinyin import Style, lazy_pinyin

    chars = sorted(set(re.sub(r"[^\u4e00-\u9fff]", "", (ROOT / "generator" / "data" / "laws" / "gonglu-fa-2017.md")
                               .read_text(encoding="utf-8"))))
    by_reading: dict[str, list[str]] = {}
    for char in chars:
        by_reading.setdefault(lazy_pinyin(char, style=Style.NORMAL)[0], []).append(char)
    return by_reading


def _garble(sentence: str, rng: random.Random, by_reading: dict[str, list[str]]) -> str:
    """Replace two characters by others that sound the same (tone ignored), as whisper does."""
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(sentence, style=Style.NORMAL)
    positions = [k for k, r in enumerate(readings) if len([c for c in by_reading.get(r, []) if c != sentence[k]]) >= 1]
    chars = list(sentence)
    for k in rng.sample(positions, min(2, len(positions))):
        chars[k] = rng.choice([c for c in by_reading[readings[k]] if c != sentence[k]])
    return "".join(chars)


def test_corrections_learnt_without_a_text_improve_that_text(lm_corrector):
    """Leave-one-out: cases held out of the model, garbled by homophones, come back closer."""
    rng = random.Random(20)
    by_reading = _homophones()
    sentences = _held_out_sentences()
    assert len(sentences) >= 30
    before = after = total = 0
    for sentence in sentences:
        heard = _garble(sentence, rng, by_reading)
        e0, n = cer_counts(sentence, heard)
        e1, _ = cer_counts(sentence, lm_corrector.correct(heard))
        before, after, total = before + e0, after + e1, total + n
    # Homophone garbling of arbitrary characters, common words included (实施, 方式), which
    # the corrector deliberately never offers as replacements: a good share is recovered.
    print(f"held-out garbled CER {before / total:.3f} → corrected {after / total:.3f}")
    assert after < before * 0.7, (before, after, total)


def test_correct_held_out_sentences_are_left_alone(lm_corrector):
    sentences = _held_out_sentences()
    changed = [(s, lm_corrector.correct(s)) for s in sentences if lm_corrector.correct(s) != s]
    assert len(changed) <= len(sentences) // 20, changed


@pytest.mark.parametrize("heard,meant", [
    ("今天来聊一聊成做出租车的注意事项", "今天来聊一聊乘坐出租车的注意事项"),   # not 聊城 / 作出
    ("出租车驾驶员不得聚在", "出租车驾驶员不得拒载"),                          # 聚在 is a word, but not here
    ("不按规定使用机架器", "不按规定使用计价器"),
    ("依照行政处发法第三十三条", "依照行政处罚法第三十三条"),
])
def test_domain_model_picks_the_likely_homophone(lm_corrector, heard, meant):
    assert lm_corrector.correct(heard) == meant


@pytest.mark.parametrize("text", [
    "作为法律工作者要依法办事", "人情世故也要讲", "请核对平台显示的信息", "车辆在运输中发生故障",
    "由驾驶员郑某驾驶", "今天天气很好我们去公园散步", "我觉得这个问题很有意思", "他在学校里学习很认真",
])
def test_domain_model_leaves_ordinary_speech_alone(lm_corrector, text):
    assert lm_corrector.find(text) == []


def test_stupid_backoff_prefers_seen_text():
    lm = CharLM.build([("交通运输执法", 3), ("天气", 1)])
    assert lm.score("交通运输") > lm.score("交通运书")
    assert lm.score("运输") > lm.score("输运")


def test_leave_one_out_filter_drops_lines_sharing_a_long_stretch():
    test = shares_stretch_with("驾驶员不得拒载、议价或者故意绕道行驶。", length=10)
    assert test("摘要：议价或者故意绕道行驶的，责令改正")
    assert not test("驾驶员不得拒载")


def test_domain_model_is_cached_and_rebuilt_when_texts_change(tmp_path, monkeypatch):
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "glossary.yaml").write_text("terms:\n  - {term: 泉城广场}\n", encoding="utf-8")
    first = load_domain_model(project)
    assert len(list((tmp_path / "cache" / "domainlm").glob("*.pickle"))) == 1
    assert load_domain_model(project).lexicon == first.lexicon
    (project / "data" / "glossary.yaml").write_text("terms:\n  - {term: 泉城广场}\n  - {term: 黑虎泉}\n",
                                                    encoding="utf-8")
    load_domain_model(project)
    assert len(list((tmp_path / "cache" / "domainlm").glob("*.pickle"))) == 2


PROSE = ROOT.parent / "shared" / "corpora" / "peoples-daily-ner-dev.bio"


@pytest.mark.skipif(not PROSE.exists(), reason="the shared prose corpus is not on this machine")
def test_ordinary_prose_is_left_almost_untouched():
    """News prose is not enforcement speech: the domain model must not pull it towards the
    bureau's words (measured: 6 changes in 14 000 characters; without the guards, 22)."""
    sentences, current = [], []
    for line in PROSE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            current.append(line.split()[0])
        elif current:
            sentences.append("".join(current))
            current = []
    sentences = sentences[:300]
    corrector = Corrector(load_glossary(ROOT), load_domain_model(ROOT))
    changes = [(c.found, c.term) for s in sentences for c in corrector.find(s)]
    chars = sum(map(len, sentences))
    assert len(changes) <= chars / 2000, changes
