"""Spoken personal data in transcripts: generated the way people say it and whisper writes it.

The generator draws numbers and names at random and writes them as speech comes out of
whisper: Chinese digits with 幺 for one, groups split by commas, spaces or dashes, a
plate's province abbreviation replaced by another character read the same way (found
with pypinyin among the characters of a law text, independently of speech/pii.py).
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from generator.records.transcript import Segment, Transcript
from generator.speech.pii import find_spoken_pii, flag_transcript
from generator.speech.redact import published_segments

ROOT = Path(__file__).resolve().parent.parent
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SPOKEN = {"0": "零", "1": "幺", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六", "7": "七", "8": "八", "9": "九"}


def _sound_alikes() -> dict[str, list[str]]:
    from pypinyin import Style, lazy_pinyin

    text = (ROOT / "generator" / "data" / "laws" / "daolu-jiaotong-anquan-fa-2021.md").read_text(encoding="utf-8")
    chars = sorted(set(re.findall(r"[\u4e00-\u9fff]", text)) | set("路卤炉撸露陆录"))
    out: dict[str, list[str]] = {}
    for province in PROVINCES:
        reading = lazy_pinyin(province, style=Style.NORMAL)[0]
        out[province] = [c for c in chars if c != province and lazy_pinyin(c, style=Style.NORMAL)[0] == reading]
    return out


def _say(digits: str, rng: random.Random) -> str:
    """Digits as whisper writes speech: Chinese or Arabic, in groups with a separator."""
    chinese = rng.random() < 0.6
    chars = [SPOKEN[d] if chinese else d for d in digits]
    if chinese and rng.random() < 0.3:
        chars = ["一" if c == "幺" else c for c in chars]
    sep = rng.choice(["", " ", "，", "-", "、"])
    groups, k = [], 0
    for size in (3, 4, 4, 4, 4):
        if k < len(chars):
            groups.append("".join(chars[k:k + size]))
            k += size
    return sep.join(groups)


def _cases(seed: int = 20, n: int = 60) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    alikes = _sound_alikes()
    cases = []
    for _ in range(n):
        kind = rng.choice(["phone", "plate", "plate", "id_number", "tail", "name"])
        if kind == "phone":
            number = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
            said = _say(number, rng)
            text = rng.choice(["我的电话是{}，有事联系", "您打这个号码{}就行", "手机{}"]).format(said)
        elif kind == "id_number":
            number = "370102" + str(rng.randint(1960, 2005)) + f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
                + "".join(rng.choice("0123456789") for _ in range(4))
            said = _say(number, rng)
            text = f"身份证号{said}，您核对一下"
        elif kind == "plate":
            province = rng.choice(PROVINCES)
            prefix = rng.choice(alikes[province] or [province]) if rng.random() < 0.7 else province
            number = "".join(rng.choice("0123456789") for _ in range(5))
            body = "".join(SPOKEN[d] for d in number) if rng.random() < 0.5 else number
            said = prefix + rng.choice("ABCDEFGHJK") + rng.choice(["", "-", " ", "，"]) + body
            text = rng.choice(["车牌号{}的车主请注意", "车牌号是{}，停在路边", "那辆{}的出租车"]).format(said)
        elif kind == "tail":
            said = "".join(rng.choice("0123456789") for _ in range(4))
            if rng.random() < 0.5:
                said = "".join(SPOKEN[d] for d in said)
            text = f"手机尾号{said}的乘客请到服务台"
        else:
            said = rng.choice("王李张刘陈杨赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾") + \
                rng.choice(["建国", "秀英", "志强", "丽", "伟", "海燕", "明", "晓东"])
            text = rng.choice(["我叫{}，是开出租的", "我表哥叫{}", "我是{}，今天来咨询",
                               "我是执法队员{}，请出示证件", "乘客{}说车没打表"]).format(said)
        cases.append((kind, said, text))
    return cases


def test_generated_spoken_personal_data_is_all_flagged():
    missed = []
    for kind, said, text in _cases():
        spans = [text[a:b] for _, a, b in find_spoken_pii(text)]
        if not any(said in span or span in said and len(span) >= len(said) - 1 for span in spans):
            missed.append((kind, text, spans))
    assert missed == []


def test_nothing_spoken_is_published_with_default_flags():
    cases = _cases(seed=7)
    segments = [Segment(i, i * 5.0, i * 5.0 + 4, text) for i, (_, _, text) in enumerate(cases)]
    transcript = Transcript("zh", "test", segments)
    transcript.flags = flag_transcript(segments)
    from generator.records.transcript import Annotations

    published = published_segments(transcript, Annotations())
    for (kind, said, _), segment in zip(cases, published):
        digits = re.sub(r"\D", "", said)
        assert said not in segment.text, segment.text
        assert not (len(digits) >= 4 and digits in re.sub(r"\D", "", segment.text)), segment.text


@pytest.mark.parametrize("text", [
    "路上车很多，请减速慢行", "我是出租车司机", "我是高新区的执法人员", "请拨打12328热线", "依照第三十四条",
    "罚款200元", "车货总重55吨", "他叫马某", "露天停车场", "在G3高速上", "京台高速济南段",
    "乘客可以通过平台叫车服务", "她是马老师的学生", "他叫王师傅", "我是白天来的",
    "我是执法队员，请出示驾驶证", "乘客都要系好安全带", "驾驶员王师傅您好", "执法人员正在检查",
])
def test_ordinary_speech_is_not_flagged(text):
    assert find_spoken_pii(text) == []


@pytest.fixture(scope="module")
def pufa_corrector():
    """The corrector `pufa transcribe` uses (glossary + the bureau's domain model)."""
    from generator.speech.domainlm import load_domain_model
    from generator.speech.glossary import Corrector, load_glossary

    return Corrector(load_glossary(ROOT), load_domain_model(ROOT))


@pytest.mark.parametrize("province", list(PROVINCES))
def test_a_plate_after_chepaihao_with_a_misheard_province_and_grouped_digits_is_never_published(
        province, pufa_corrector):
    """Whisper's text for '车牌号是鲁A12345' read out in groups, with the province character
    replaced by one read the same way, goes through the whole text path (glossary and
    domain-model corrections, numbers, punctuation), is flagged as a plate, and with the
    flags at their defaults none of its digits reach the published (recap) text."""
    from generator.records.transcript import Annotations
    from generator.speech.transcribe import finish_text

    alikes = _sound_alikes()[province] or [province]
    for index, prefix in enumerate(alikes[:4]):
        body = ["123-45", "12-345", "1 23 45", "一二三-四五"][index % 4]
        raw = f"车牌号是{prefix}A-{body}，请车主挪车"
        text = finish_text(raw, pufa_corrector)
        spans = [(kind, text[a:b]) for kind, a, b in find_spoken_pii(text)]
        assert any(kind == "plate" and "A" in span and span.endswith(body[-1]) for kind, span in spans), (raw, text, spans)
        segment = Segment(0, 0.0, 4.0, text)
        transcript = Transcript("zh", "test", [segment])
        transcript.flags = flag_transcript([segment])
        published = published_segments(transcript, Annotations())[0].text
        assert not re.search(r"A[\s\-]*[0-9一二三四五]", published), (raw, published)
        assert "车牌号" in published   # the rest of the sentence is still there


def test_the_corrector_keeps_a_plate_prefix_out_of_the_word_before_it(pufa_corrector):
    """是炉A → 是鲁A (the bureau's own plate prefix), never 十路A (经十路 is a road name)."""
    from generator.speech.transcribe import finish_text

    assert finish_text("车牌号是炉A-123-45", pufa_corrector).startswith("车牌号是鲁A-123-45")
    assert finish_text("车牌号卤A 12 345", pufa_corrector).startswith("车牌号鲁A 12 345")
