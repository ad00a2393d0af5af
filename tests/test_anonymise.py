"""The detectors and the replacement policy: every written form is found, published
content is left alone, a case's people get consistent aliases."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.privacy.anonymise import anonymise_fields, anonymise_text
from generator.privacy.detect import scan_text, valid_id_number
from generator.privacy.leaks import Denylist, find_leaks, load_denylist, save_denylist

ROOT = Path(__file__).resolve().parent.parent


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan_text(text)]


@pytest.mark.parametrize("text, found", [
    ("身份证号370102199001011231，", "370102199001011231"),
    ("身份证号 370102 19900101 1231。", "370102 19900101 1231"),
    ("证件：３７０１０２１９９００１０１１２３１", "３７０１０２１９９００１０１１２３１"),
    ("号码11010519491231002x，", "11010519491231002x"),
    ("号码11010519491231002X，", "11010519491231002X"),
])
def test_id_numbers_are_found_in_every_written_form(text, found):
    assert kinds(text) == [("id_number", found)]


def test_an_18_digit_number_with_a_wrong_check_digit_is_not_an_id():
    assert not valid_id_number("370102199001011232")
    assert all(kind != "id_number" for kind, _ in kinds("编号370102199001011232"))


@pytest.mark.parametrize("text, found", [
    ("联系电话13812345678。", "13812345678"),
    ("电话138 1234 5678，", "138 1234 5678"),
    ("电话138-1234-5678，", "138-1234-5678"),
    ("手机+86 139-1234-5678。", "+86 139-1234-5678"),
    ("手机+8613912345678。", "+8613912345678"),
    ("手机１３８１２３４５６７８。", "１３８１２３４５６７８"),
    ("他说号码是一三八一二三四五六七八。", "一三八一二三四五六七八"),
    ("号码幺三八幺二三四五六七八。", "幺三八幺二三四五六七八"),
    ("座机0531-88886666。", "0531-88886666"),
    ("座机（0531）8888 6666。", "（0531）8888 6666"),
    ("座机(0531)88886666。", "(0531)88886666"),
])
def test_phones_are_found_in_every_written_form(text, found):
    assert kinds(text) == [("phone", found)]


@pytest.mark.parametrize("text, found", [
    ("卡号6222021234567890128。", "6222021234567890128"),
    ("工资卡6222 0212 3456 7890 128，", "6222 0212 3456 7890 128"),
    ("转入6222021234567890128，", "6222021234567890128"),
    ("卡号6212261202001234568，", "6212261202001234568"),
])
def test_bank_cards_are_found_by_luhn_or_by_the_card_word(text, found):
    assert kinds(text) == [("bank_card", found)]


def test_a_long_number_failing_luhn_without_a_card_word_is_left():
    from stdnum import luhn
    assert not luhn.is_valid("6212261202001234568")
    assert kinds("流水号6212261202001234568，") == []


def test_vins_are_found_in_upper_and_lower_case():
    assert kinds("车架号LSVAU2180N2183294，") == [("vin", "LSVAU2180N2183294")]
    assert kinds("识别代号lsvau2180n2183294。") == [("vin", "lsvau2180n2183294")]


@pytest.mark.parametrize("plate", ["鲁A12345", "鲁A·12345", "鲁 A 12345", "鲁A-12345", "鲁A1234挂", "鲁AD12345",
                                   "鲁AF12345", "鲁A12345D", "鲁a·5t678", "京B•12345"])
def test_plates_are_found_in_every_written_form(plate):
    assert kinds(f"驾驶{plate}号车") == [("plate", plate)]


@pytest.mark.parametrize("text, found", [
    ("住历下区经十路88号3号楼2单元501室。", "88号3号楼2单元501室"),
    ("住某小区5-2-301。", "5-2-301"),
    ("住二环东路12-3号，", "12-3号"),
    ("家住7栋1203室。", "7栋1203室"),
    ("住在3单元502室，", "3单元502室"),
])
def test_house_numbers_are_found_but_roads_and_districts_stay(text, found):
    assert kinds(text) == [("house_number", found)]


@pytest.mark.parametrize("text, names", [
    ("乘客张三丰称", ["张三丰"]),
    ("驾驶员刘洋驾驶车辆", ["刘洋"]),
    ("证人欧阳娜娜证实", ["欧阳娜娜"]),
    ("当事人：李四，", ["李四"]),
    ("经查，赵六（男，1985年生）", ["赵六"]),
    ("当事人李某称当事人高桂飞驾驶", ["高桂飞"]),
])
def test_role_introduced_names_are_found(text, names):
    assert [t for k, t in kinds(text) if k == "name"] == names


PUBLISHED = [
    "济交执罚〔2024〕1001号", "拨打12328或12345热线", "罚款1万元", "罚款5000元", "2024年3月5日", "2024-03-05",
    "《网络预约出租汽车经营服务管理暂行办法》第三十四条第一款", "鲁A*****", "乘客王某", "证人李某某证实", "当事人王某甲",
    "济南西站", "经十路", "历下区", "济南通达运输有限公司", "当事人陈述、申辩", "当事人于2024年3月5日", "当事人于当日",
    "乘客安全", "拒载损害乘客权益", "驾驶员高速行驶", "当事人明知", "乘客满意度", "当事人符合条件",
    "7座以下客车", "第3号令", "交通运输部令2019年第46号", "G220国道K35+300处", "超限12%", "49吨", "8时30分",
]


@pytest.mark.parametrize("text", PUBLISHED)
def test_published_content_has_no_finding(text):
    assert scan_text(text) == []


def test_law_texts_have_no_finding():
    laws = sorted((ROOT / "generator" / "data" / "laws").glob("*-*.md"))  # the law texts pufa ships
    assert laws
    for path in laws:
        text = path.read_text(encoding="utf-8")
        assert scan_text(text) == [], path.name


def test_a_party_becomes_surname_and_mou_in_every_field_including_the_title():
    out, anonymiser = anonymise_fields({
        "title": "张三丰非法营运案",
        "facts": "当事人张三丰驾驶鲁A·D12345号车，乘客张小明称车费45元。张三丰家住经十路88号。",
        "explanation": "张三丰系首次违法。",
    }, party="张三丰")
    assert out == {
        "title": "张某非法营运案",
        "facts": "当事人张某驾驶鲁A*****号车，乘客张某某称车费45元。张某家住经十路[已隐去]。",
        "explanation": "张某系首次违法。",
    }
    assert anonymiser.removed["张三丰"] == "name"
    assert anonymiser.removed["张小明"] == "name"


def test_third_and_fourth_people_with_one_surname_get_jia_and_yi():
    out = anonymise_text("乘客王一称，证人王二称，驾驶员王三称，车主王四称", party="王五")
    assert out == "乘客王某某称，证人王某甲称，驾驶员王某乙称，车主王某丙称"


def test_already_anonymised_names_and_companies_are_untouched():
    text = "证人李某某证实，车主济南通达运输有限公司承认，乘客王某称"
    assert anonymise_text(text, party="济南通达运输有限公司") == text


def test_find_leaks_adds_exact_denylist_matches(tmp_path):
    assert len(load_denylist(tmp_path)) == 0
    denylist = Denylist()
    denylist.add("name", "张三丰")
    denylist.add("phone", "138 1234 5678")
    save_denylist(tmp_path, denylist)
    loaded = load_denylist(tmp_path)
    found = find_leaks("张三丰的号码13812345678，另有138 1234 5678", loaded)
    assert [(f.kind, f.text) for f in found] == [("name", "张三丰"), ("phone", "13812345678"),
                                                  ("phone", "138 1234 5678")]
    assert find_leaks("乘客张某称", loaded) == []
    assert (tmp_path / ".pufa-private" / "denylist.txt").read_text(encoding="utf-8").splitlines() == [
        "name\t张三丰", "phone\t138 1234 5678", "phone\t13812345678"]


def test_the_projects_public_records_and_data_have_no_finding():
    paths = sorted((ROOT / "cases_public").glob("*.yaml")) + sorted((ROOT / "data").glob("*.yaml"))
    assert paths
    for path in paths:
        assert scan_text(path.read_text(encoding="utf-8")) == [], path.name


def test_role_words_before_ordinary_verbs_are_not_names():
    for text in ["司机朋友容易超载", "执法人员查阅了档案", "执法人员解释了规定", "执法人员温馨提示", "执法人员强调",
                 "执法人员严格执法", "乘客王某、王某某证实"]:
        assert scan_text(text) == [], text


@pytest.mark.parametrize("text, names", [
    ("分别收取乘客王海燕、王晓东车费", ["王海燕", "王晓东"]),
    ("乘客王某、王晓东称", ["王晓东"]),
    ("证人李某某、欧阳娜娜和张三证实", ["欧阳娜娜", "张三"]),
    ("经查，张三丰（身份证号370102199001011231）", ["张三丰"]),
    ("刘建华，联系电话13812345678", ["刘建华"]),
])
def test_names_in_lists_and_before_their_own_data_are_found(text, names):
    assert [t for k, t in kinds(text) if k == "name"] == names


def test_the_deny_list_skips_bare_street_numbers_that_end_every_case_number():
    denylist = Denylist()
    assert not denylist.add("house_number", "88号")
    assert denylist.add("house_number", "88号3号楼2单元501室")
    assert find_leaks("济交执罚〔2024〕1088号", denylist) == []


def test_find_leaks_reads_past_the_zero_width_spaces_of_a_search_index():
    denylist = Denylist()
    denylist.add("name", "孙丽娜")
    text = "典型\u200b案例\u200b孙\u200b丽娜\u200b，电话138\u200b1234\u200b5678"
    found = find_leaks(text, denylist)
    assert [(f.kind, f.text) for f in found] == [("name", "孙\u200b丽娜"), ("phone", "138\u200b1234\u200b5678")]
    assert all(text[f.start:f.end] == f.text for f in found)


@pytest.mark.parametrize("party, names", [
    ("张三（驾驶员）", ["张三"]), ("张三、李四", ["张三", "李四"]), ("王和平", ["王和平"]), ("钭明华", ["钭明华"]),
    ("济南通达运输有限公司", []), ("泉城出租车队", []), ("王某", []), ("驾驶员", []),
])
def test_the_party_column_yields_its_natural_persons(party, names):
    from generator.privacy.anonymise import party_names
    assert party_names(party) == names


def test_a_party_with_a_surname_missing_from_the_list_is_still_anonymised():
    assert anonymise_text("钭明华驾驶车辆，钭明华称", party="钭明华") == "钭某驾驶车辆，钭某称"


@pytest.mark.parametrize("text", ["司机郑州人", "乘客杭州来的", "驾驶员段店附近", "当事人王舍人街道", "乘客高铁站",
                                  "车主可通过12328查询", "当事人向执法人员出示", "司机师傅们"])
def test_places_and_verbs_after_role_words_are_not_names(text):
    assert scan_text(text) == []


@pytest.mark.parametrize("text", ["拨打0531-12328投诉", "市民热线0531-12345", "客服电话400-123-4567", "电话800-820-8820"])
def test_public_service_numbers_are_not_phones(text):
    assert scan_text(text) == []


@pytest.mark.parametrize("text, names", [
    ("经查，李明驾驶鲁A*****", ["李明"]), ("。王芳称其不知情", ["王芳"]), ("，欧阳娜娜承认", ["欧阳娜娜"]),
    ("，车主称", []), ("，公司表示", []), ("，经常驾驶", []), ("。李某某称", []), ("红灯表示禁止通行", []),
    ("，凌晨驾驶", []),
])
def test_a_clause_opening_with_a_name_and_a_verb_names_a_person(text, names):
    assert [t for k, t in kinds(text) if k == "name"] == names


@pytest.mark.parametrize("text, names", [
    ("搭载唐旭燕前往济南西站", ["唐旭燕"]), ("济南鑫达搬家服务部", []), ("禁止修建建筑物", []),
    ("济南恒达建材有限公司", []), ("张伟峰的车辆", ["张伟峰"]),
])
def test_a_surname_with_two_given_name_characters_is_a_name_even_alone(text, names):
    assert [t for k, t in kinds(text) if k == "name"] == names


def test_vehicle_words_opening_a_clause_are_not_names():
    assert scan_text("# 车牌简称（车牌 kind）") == []
    assert scan_text("，车辆所有人称") == []


def test_a_context_word_reaches_only_its_own_clause():
    """'联系电话…，2024-03-05': the date after the phone is not a phone (found by hypothesis)."""
    from generator.privacy.anonymise import anonymise_fields
    from generator.privacy.detect import scan_text

    out, _ = anonymise_fields({"facts": "联系电话13812345678，2024-03-05到站接受调查。"})
    assert out["facts"] == "联系电话[已隐去]，2024-03-05到站接受调查。"
    assert scan_text(out["facts"]) == []
    assert [f.kind for f in scan_text("联系方式：8888666")] == ["phone"]
