"""Issue 14, item 2: person names that no role word introduces are found (a tagger's
person-name tag checked against name shape, cue words, lists), replaced by the published
convention, and one name found once is replaced in every record of the same import."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from generator.importer.run import import_cases
from generator.privacy.anonymise import anonymise_fields, anonymise_text


@pytest.mark.parametrize("text, published", [
    ("张伟作为见证人在场。", "张某作为见证人在场。"),
    ("经查，司马小永系车主。", "经查，司马某系车主。"),
    ("其表哥隗秀涵到场。", "其表哥隗某到场。"),              # a rare surname
    ("曾赖建轩先生称不知情。", "曾某先生称不知情。"),          # two surnames, four characters
    ("阿依古丽·买买提驾驶车辆。", "阿某驾驶车辆。"),           # minority name: first character + 某
    ("当事人扎西多吉驾驶车辆。", "当事人扎某驾驶车辆。"),       # minority name without a dot
    ("研究室吴高盛认为，", "研究室吴某认为，"),
    ("记者王霞光、李长云报道：", "记者王某、李某报道："),      # a list beside a found name
    ("乘客张丽华与李建国发生争执，张丽华报警。", "乘客张某与李某发生争执，张某报警。"),
    ("当事人向毛金借车。", "当事人向毛某借车。"),                 # the name ends before 借
    ("执法人员发现周段国明正在揽客。", "执法人员发现周某正在揽客。"),
    ("仉琪梅先生称不知情。", "仉某先生称不知情。"),               # not 梅先生
    ("随后穆巴拉克表示同意。", "随后穆某表示同意。"),            # a transliterated foreign name
    ("其哥哥欧阳德明也在车上。", "其哥哥欧阳某也在车上。"),        # a kin word before the name
    ("当事人的妻子秦淑芬到场。", "当事人的妻子秦某到场。"),
    ("买买提·艾力超限运输案", "买某超限运输案"),                 # the name ends where the case's words begin
])
def test_names_without_a_role_word_are_replaced_by_the_convention(text, published):
    assert anonymise_text(text) == published


@pytest.mark.parametrize("text", [
    "在石家庄路与王舍人庄交叉口，沿刘家庄路行驶至泉城路街道。",
    "《中华人民共和国道路运输条例》第六十三条",
    "济南章丘区、历城区的道路运输企业",
    "马来西亚首都吉隆坡举行，伊拉克、阿根廷派员参加。",
    "济南通达运输有限公司的车辆在济南西站被查获。",
    "会上，伊拉克表示支持，巴西称将派员参加。",            # a country speaks: not a person
])
def test_public_names_stay(text):
    assert anonymise_text(text) == text


def _export(path: Path, facts: list[str]) -> None:
    headers = ["案件编号", "案件名称", "类别", "当事人", "违法时间", "违法地点", "案由", "违法事实", "处罚依据", "处罚决定",
               "裁量情形", "办案方式", "执法人员说法"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for n, text in enumerate(facts, 1):
            writer.writerow([f"济交执罚〔2024〕{n:04d}号", "非法营运案", "非法营运", "济南通达运输有限公司", "2024-03-05",
                             "济南西站", "非法营运", text, "《中华人民共和国道路运输条例》第六十三条", "罚款5000元",
                             "一般处罚", "普通程序", "请选择合法车辆。"])


def test_a_name_found_in_one_record_is_replaced_in_every_record_of_the_import(tmp_path):
    source = tmp_path / "export.csv"
    # Row 2 writes the name where nothing marks it as one: row 1 revealed it.
    _export(source, ["乘客钱多多证实当事人收取车费。", "车辆登记在钱多多名下。"])
    assert anonymise_text("车辆登记在钱多多名下。") == "车辆登记在钱多多名下。"     # alone: not found
    into = tmp_path / "proj" / "cases_public"
    import_cases([source], into=into, report_dir=tmp_path / "reports")
    first = (into / "2024-0001.yaml").read_text(encoding="utf-8")
    second = (into / "2024-0002.yaml").read_text(encoding="utf-8")
    assert "钱多多" not in first + second
    assert "乘客钱某证实" in first and "车辆登记在钱某名下" in second


def test_a_word_before_an_anonymised_name_or_a_masked_plate_is_left_alone():
    # The tagger reads '陈述|李' and '陈述|鲁' as a cut-off name: 陈述 is an everyday word.
    text = "当事人如实陈述李某某，当事人如实陈述鲁A*****。"
    assert anonymise_text(text) == text


@pytest.mark.parametrize("text, published", [
    ("那天，潘志行已经回家。", "那天，潘某已经回家。"),        # 潘/nr | 志行/n
    ("傍晚，吕建业才赶到。", "傍晚，吕某才赶到。"),            # 吕/nr | 建业/v
    ("随后，赵黄河已经到场。", "随后，赵某已经到场。"),        # 赵/nr | 黄河/ns: a given name that is also a river
    ("随后，郑长城已经离开现场。", "随后，郑某已经离开现场。"),  # 郑/ns | 长城/ns: 长 and 城 are given-name characters
])
def test_a_surname_the_tagger_cut_off_its_given_name_is_joined_without_a_cue(text, published):
    assert anonymise_text(text) == published


@pytest.mark.parametrize("text, published", [
    ("英国首相丘吉尔发表讲话。", "英国首相丘某发表讲话。"),    # known to the dictionary (frequent): a title before it
    ("德国总理科尔今天抵达。", "德国总理科某今天抵达。"),      # two characters, jieba's transliterated-name tag
])
def test_a_foreign_name_after_a_title_is_replaced(text, published):
    assert anonymise_text(text) == published


@pytest.mark.parametrize("text", [
    "南斯拉夫总统发表讲话。",              # a country before a title is no name
    "代表团在拉萨召开会议。",              # jieba tags 拉萨 as a transliterated name
    "经查明，当事人在站前张贴小广告。",    # everyday words jieba also lists as names (查明, 张贴)
    "车站工作人员表示关怀。",
    "车辆从历城区驶往章丘。",              # after a verb of going: a place jieba tags as a name
    "经查清楚，当事人承认违法事实。",      # 查/v | 清楚: a surname character read as a verb
])
def test_places_and_everyday_words_the_tagger_lists_as_names_stay(text):
    assert anonymise_text(text) == text


@pytest.mark.parametrize("text", [
    "执法人员向当事人宣读权利，并告知其依法享有陈述、申辩的权利。",
    "当事人陈述申辩，执法人员向当事人出示执法证件并送达处罚决定书。",
])
def test_words_of_enforcement_procedure_after_a_role_word_are_not_names(text):
    """Words the shipped laws use (陈述, 申辩, 送达) and common verbs (宣读, 出示) follow
    当事人 in every record: they are not a person's name (a name there still is)."""
    out, _ = anonymise_fields({"facts": text}, party="", known=[])
    assert out["facts"] == text
    named, _ = anonymise_fields({"facts": "当事人陈明称不知情，执法人员向当事人宣读权利。"}, party="", known=[])
    assert named["facts"] == "当事人陈某称不知情，执法人员向当事人宣读权利。"


# --- round 3: rules from the conventions of names and titles (not from any corpus) ---------

@pytest.mark.parametrize("text, published", [
    ("球员塔瓦雷斯今天到场。", "球员塔某今天到场。"),          # a title before: the run of transliteration characters
    ("索菲亚女士介绍了情况。", "索某女士介绍了情况。"),        # a form of address after it
    ("随后丘吉尔说，会议开始。", "随后丘某说，会议开始。"),    # a word the dictionary knows, before a verb of saying
])
def test_transliterated_names_beside_a_title_or_a_verb_only_a_person_does(text, published):
    assert anonymise_text(text) == published


@pytest.mark.parametrize("text, published", [
    ("朱德委员长的题词。", "朱某委员长的题词。"),      # a name jieba's dictionary holds, before a title
    ("陈毅元帅的故居在此。", "陈某元帅的故居在此。"),  # the title itself (元帅 is jieba's nr too) stays
])
def test_names_the_dictionary_knows_are_replaced_before_a_person_title(text, published):
    assert anonymise_text(text) == published


@pytest.mark.parametrize("text, published", [
    ("那天，子轩说他不知情。", "那天，子某说他不知情。"),          # no known surname: the tagger's own guess
    ("后来，芷涵和同事到了车站。", "后来，芷某和同事到了车站。"),  # a place after a verb is where she went
])
def test_a_name_the_tagger_made_up_is_replaced_before_a_verb_or_a_list_mark(text, published):
    assert anonymise_text(text) == published


def test_a_given_name_alone_is_the_person_named_in_full_earlier_in_the_case():
    out, _ = anonymise_fields({"facts": "乘客刘俊豪称不知情。", "process": "执法人员告知俊豪相关规定。"})
    assert out == {"facts": "乘客刘某称不知情。", "process": "执法人员告知刘某相关规定。"}
    # A given name that is an everyday word (建国) stays where it is that word.
    assert anonymise_text("王建国驾驶车辆沿建国路行驶。") == "王某驾驶车辆沿建国路行驶。"


@pytest.mark.parametrize("text", [
    "当事人荣获表彰。",                       # jieba's nr on a verb: 获 almost never stands in a given name
    "拨打12328服务监督电话投诉。",
    "沿张家庄路行驶至李家庄村。",
    "伊拉克总统发表讲话。",                   # a country before a title
    "主席团会议在大使馆举行。",                # titles followed by no name
    "济南王家运输有限公司的车辆在章丘被查。",
    "依据《山东省道路运输条例》第四十条",
    "晓峰有限公司的车辆停在站外。",           # a tagged name before an enterprise's form
])
def test_public_names_and_everyday_words_stay_round_3(text):
    assert anonymise_text(text) == text


@pytest.mark.parametrize("text, published", [
    ("驾驶员老王称车是借来的。", "驾驶员王某称车是借来的。"),    # 老/小 + surname: written as the cases write a person
    ("乘客小李证实付了车费。", "乘客李某证实付了车费。"),        # the verb after it stays (not 李证实 → 李某)
    ("老刘和小陈都在场。", "刘某和陈某都在场。"),
    ("车上乘客为程雪、余飞二人。", "车上乘客为程某、余某二人。"),  # a list after 为
])
def test_familiar_forms_and_lists(text, published):
    assert anonymise_text(text) == published


@pytest.mark.parametrize("text", ["老师说要遵守规则。", "老实说，我不知道。", "车辆驶入小王庄。", "在老李家门口发现该车。",
                                  "小心驾驶。"])
def test_words_and_places_that_start_like_a_familiar_name_stay(text):
    assert anonymise_text(text) == text


def test_a_run_after_a_role_word_that_holds_a_cue_is_no_name():
    text = "另查明，乘客与当事人系同事关系。"
    assert anonymise_text(text) == text


def test_a_dotted_name_stops_at_an_adverb_on_either_side():
    out = anonymise_text("随后史蒂夫·琼斯也到了现场。")
    assert out.startswith("随后") and out.endswith("也到了现场。") and "琼斯" not in out


def test_a_time_word_after_a_surname_character_is_no_given_name():
    # 郎 (the tagger's nr) + 今天 before 表示: 今天 is a time word, not a given name.
    text = "日本首相小泉纯一郎今天表示。"
    assert "今天表示" in anonymise_text(text)
    assert anonymise_text("张三今天表示不知情。") == "张某今天表示不知情。"
