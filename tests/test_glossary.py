"""Glossary correction by pinyin, spoken PII flags, text normalisation, CER (no model needed)."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import InputError
from generator.records.transcript import Segment, Word
from generator.speech.cer import cer, normalise
from generator.speech.glossary import Corrector, Glossary, Term, load_glossary, load_glossary_file, project_terms
from generator.speech.pii import find_spoken_pii, flag_segment, spoken_digits
from generator.speech.textnorm import punctuate, to_simplified

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return Corrector(load_glossary(ROOT))


# Homophones and near-homophones of glossary terms, in sentences unlike the audio fixtures.
@pytest.mark.parametrize("heard,meant", [
    ("他没有取得从业资格正就上路了", "他没有取得从业资格证就上路了"),      # same syllables, other character
    ("请到济南西占北广场乘车", "请到济南西站北广场乘车"),                 # zhan = zhan
    ("这辆黑车属于非法营云", "这辆黑车属于非法营运"),                     # yun = yun
    ("依照行政处发法第三十三条", "依照行政处罚法第三十三条"),
    ("不按规定使用机架器", "不按规定使用计价器"),
    ("在历城区旅游路设卡检查", "在历城区旅游路设卡检查"),                 # already right: untouched
    ("驾驶员必须持有道路运输证", "驾驶员必须持有道路运输证"),
    ("在超线检测站称重", "在超限检测站称重"),                           # xian = xian inside a long term
    ("网络欲约出租汽车", "网络预约出租汽车"),                           # yu = yu, tone ignored
])
def test_pinyin_match_restores_glossary_terms(corrector, heard, meant):
    assert corrector.correct(heard) == meant


# Correct speech that merely sounds like a glossary term must stay as it is.
@pytest.mark.parametrize("text", [
    "作为法律工作者要依法办事",       # 为法 ~ 违法, but 作为 and 法律 are words
    "人情世故也要讲",                 # 世故 ~ 事故 is a real word
    "请核对平台显示的信息",           # 平台显 ~ 平阴县
    "车辆在运输中发生故障",           # 运输中 ~ 运输证
    "平安地到达目的地",
    "当事人在济南长途汽车总站候车",    # 济南长 ~ 济南站 cuts 长途汽车总站
    "由驾驶员郑某驾驶",                # 郑某 is an anonymised person
    "个人信息保护负责人",
])
def test_correct_common_words_are_not_rewritten(corrector, text):
    assert corrector.find(text) == []


def test_law_texts_are_left_almost_untouched(corrector):
    """Invariant: on 100k+ characters of correct legal text the corrector changes next to nothing."""
    fixes = []
    chars = 0
    for path in sorted((ROOT / "generator" / "data" / "laws").glob("*-*.md")):
        text = path.read_text(encoding="utf-8")
        chars += len(text)
        fixes += corrector.find(text)
    assert chars > 50_000
    assert len(fixes) <= 3, fixes


def test_aliases_replace_exact_texts():
    corrector = Corrector(Glossary([Term("12328", aliases=["幺二三二八"])]))
    assert corrector.correct("请拨打幺二三二八热线") == "请拨打12328热线"


def test_project_terms_include_law_titles_and_short_forms():
    terms = {t.term for t in project_terms(ROOT)}
    assert {"中华人民共和国行政处罚法", "行政处罚法", "道路运输条例"} <= terms


def test_bad_glossary_names_file_line_and_field(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text("terms:\n  - term: 拒载\n  - {term: 议价, aliases: 一价}\n  - 42\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_glossary_file(path)
    assert str(err.value).splitlines() == [
        f"{path}:3: terms[1].aliases: expected a list of texts",
        f"{path}:4: terms[2]: expected a mapping with a non-empty 'term'",
    ]


def test_staff_glossary_in_project_is_merged(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "glossary.yaml").write_text("terms:\n  - term: 泉城快巴\n", encoding="utf-8")
    corrector = Corrector(load_glossary(tmp_path))
    assert corrector.correct("乘坐泉成快巴") == "乘坐泉城快巴"


def test_prompt_is_short_and_names_domain_terms():
    prompt = load_glossary(ROOT).prompt()
    assert len(prompt) <= 60 and "驾驶员" in prompt and "网约车" in prompt


# --- text ------------------------------------------------------------------------------------

def test_traditional_becomes_simplified():
    assert to_simplified("網約車駕駛員應當取得運輸證") == "网约车驾驶员应当取得运输证"


@pytest.mark.parametrize("raw,expected", [
    ("大家好 这里是普法课堂 今天聊聊网约车", "大家好，这里是普法课堂，今天聊聊网约车。"),
    ("驾驶员不得拒载, 议价", "驾驶员不得拒载，议价。"),
    ("你知道吗 这是违法的", "你知道吗？这是违法的。"),
    ("罚款1,000元.", "罚款1,000元。"),
    ("已经说完了。", "已经说完了。"),
])
def test_punctuate_gives_chinese_sentence_punctuation(raw, expected):
    assert punctuate(raw) == expected


def test_cer_normalises_script_and_numbers():
    assert normalise("2024年罚款126元，拨打12328！") == "二零二四年罚款一百二十六元拨打一二三二八"
    assert cer("網約車，駕駛員", "网约车驾驶员") == 0.0
    assert cer("拒载", "聚在") == 1.0


# --- spoken personal data ------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,flagged", [
    ("我的电话是幺三八 六五四三 二一零九，有事联系", "phone", "幺三八 六五四三 二一零九"),
    ("手机号一五九，零五三一，二二八八，七", "phone", "一五九，零五三一，二二八八，七"),
    ("身份证号三七零一零二一九八五零三一二四五六叉", "id_number", "三七零一零二一九八五零三一二四五六叉"),
    ("车牌号鲁A一二三四五的司机", "plate", "鲁A一二三四五"),
    ("号码是13805311234", "phone", "13805311234"),
    ("我叫张伟，是驾驶员", "name", "张伟"),
])
def test_spoken_personal_data_is_flagged(text, kind, flagged):
    found = find_spoken_pii(text)
    assert [(k, text[a:b]) for k, a, b in found] == [(kind, flagged)]


@pytest.mark.parametrize("text", [
    "请拨打12328热线", "罚款两千元", "济交执罚〔2024〕1001号", "依据第三十三条第二款",
    "2024年3月15日", "一二三四五六", "当事人王某某", "车货总重四十九吨",
])
def test_published_kind_of_numbers_are_not_flagged(text):
    assert find_spoken_pii(text) == []


def test_spoken_digits_keep_a_map_to_the_original():
    norm = spoken_digits("电话幺三八六五四三二一零九")
    assert norm.text == "电话13865432109"
    assert norm.span(2, 13) == (2, 13)


def test_flag_time_range_reaches_neighbouring_words_and_is_widened():
    # Whisper gave the digits no duration of their own (a zero-length stamp at 11.0).
    segment = Segment(3, 10.0, 16.0, "我的电话是幺三八六五四三二一零九好的", words=[
        Word(10.0, 10.5, "我的"), Word(10.5, 11.0, "电话是"), Word(11.0, 11.0, "幺三八六五四三二一零九"),
        Word(14.0, 15.0, "好的")])
    [flag] = flag_segment(segment)
    assert (flag.id, flag.kind, flag.text) == ("3:5-16", "phone", "幺三八六五四三二一零九")
    assert flag.start <= 10.5 - 0.5 and flag.end >= 14.0 + 0.5   # covers the gap where it was said
    assert 9.0 <= flag.start and flag.end <= 16.6


def test_flags_without_word_timings_cover_the_whole_segment():
    [flag] = flag_segment(Segment(0, 5.0, 9.0, "电话13805311234"))
    assert flag.start <= 5.0 and flag.end >= 9.0


@pytest.mark.parametrize("heard,meant", [
    ("车牌号卤A一二三四五的车", "车牌号鲁A一二三四五的车"),
    ("一辆路B12345货车", "一辆鲁B12345货车"),
    ("经十路A座三楼", "经十路A座三楼"),       # a letter without a plate after it
])
def test_plate_prefix_homophones_become_lu(corrector, heard, meant):
    assert corrector.correct(heard) == meant


@pytest.mark.parametrize("raw,expected", [
    ("拒车、出租车、出租车、出租车、出租车、", "拒车、出租车、"),   # a decoding loop
    ("鲁A88888", "鲁A88888"),                                   # digits are never collapsed
    ("幺幺零幺幺零幺幺零", "幺幺零幺幺零幺幺零"),
    ("谢谢谢谢大家", "谢谢谢谢大家"),
])
def test_repeated_phrase_loops_are_collapsed_but_numbers_kept(raw, expected):
    from generator.speech.transcribe import collapse_repeats

    assert collapse_repeats(raw) == expected


def test_output_is_simplified_even_where_a_project_glossary_is_traditional():
    from generator.speech.transcribe import finish_text

    corrector = Corrector(Glossary([Term("計價器")]))   # a term typed in Traditional by staff
    assert finish_text("請您留意車內的機架器", corrector) == "请您留意车内的计价器。"
