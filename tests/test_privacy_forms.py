"""Issue 14, item 3: every other form of personal data found in real exports is found,
cells are cleaned of control and invisible characters, and public content stays."""
from __future__ import annotations

import pytest

from generator.privacy.anonymise import anonymise_fields, anonymise_text
from generator.privacy.detect import scan_text
from generator.privacy.forms import clean_cell


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan_text(text)]


@pytest.mark.parametrize("text, found", [
    ("其QQ号：1234567890，", ("qq", "1234567890")),
    ("乘客（手机尾号8642）投诉", ("phone", "8642")),
    ("扣扣 987654321。", ("qq", "987654321")),
    ("微信号wx_zhang2024联系", ("wechat", "wx_zhang2024")),
    ("邮箱li.ming88@163.com。", ("email", "li.ming88@163.com")),
    ("联系电话86754321，", ("phone", "86754321")),
    ("当事人留下其个人号码4001234567，", ("phone", "4001234567")),
    ("驾驶证号370102740728201，", ("id_number", "370102740728201")),
    ("从业资格证号3701001234567，", ("certificate", "3701001234567")),
    ("道路运输证号鲁交运管济字370100123456号", ("certificate", "370100123456")),
    ("网约车驾驶员证号JN20240001，", ("certificate", "JN20240001")),
    ("服务监督卡号：JN12345。", ("certificate", "JN12345")),
    ("统一社会信用代码92370102MA3C1234X5，", ("business_id", "92370102MA3C1234X5")),
    ("该个体户注册号370102600123456，", ("business_id", "370102600123456")),
    ("发动机号L4F1234567，", ("engine_number", "L4F1234567")),
    ("王某（男，1985年3月12日出生）", ("birth_date", "1985年3月12日")),
    ("王某，男，35岁，", ("age", "35岁")),
    ("一名45岁的司机", ("age", "45岁")),
    ("住历城区大官村3组12号，", ("house_number", "3组12号")),
    ("住阳光100城12-3-1101。", ("house_number", "12-3-1101")),
    ("电话138.1234.5678，", ("phone", "138.1234.5678")),
    ("电话١٣٨١٢٣٤٥٦٧٨，", ("phone", "١٣٨١٢٣٤٥٦٧٨")),
    ("驾驶鲁 A · 1234挂车辆", ("plate", "鲁 A · 1234挂")),
])
def test_every_listed_form_is_found(text, found):
    assert kinds(text) == [found]


@pytest.mark.parametrize("text", [
    "统一社会信用代码91370102MA3C5R7N2X",          # a company's code is public
    "拨打400-123-4567咨询",                          # a company's service line
    "监督电话0531-12328，济交执罚〔2024〕1001号，罚款2000元，2024-03-05",
    "年满七十周岁的驾驶人",                           # a law's age limit is no person's age
    "投诉邮箱jtj@jinan.gov.cn",                      # a public body's address
    "石家庄路与王舍人庄交叉口，张家庄，刘家庄路",
])
def test_public_content_is_not_taken_for_personal_data(text):
    assert scan_text(text) == []


def test_control_and_invisible_characters_are_removed_before_detection_and_never_published():
    cell = "身份证号370102\x00199001011231，电话138\u200b1234\u200b5678，\x07备注"
    assert clean_cell(cell) == "身份证号370102199001011231，电话13812345678，备注"
    published, _ = anonymise_fields({"facts": cell})
    assert published["facts"] == "身份证号[已隐去]，电话[已隐去]，备注"


def test_a_number_wrapped_over_lines_in_a_cell_is_one_number():
    assert anonymise_text("联系电话138\n1234\n5678。\n次日到案") == "联系电话[已隐去]。\n次日到案"


def test_an_employer_and_job_title_is_flagged_for_review_not_replaced():
    published, anonymiser = anonymise_fields({"facts": "济南恒通汽车租赁公司总经理到场说明情况"})
    assert published["facts"] == "济南恒通汽车租赁公司总经理到场说明情况"
    assert [(s.field, s.kind, s.before) for s in anonymiser.suspects] == \
        [("facts", "employer_title", "济南恒通汽车租赁公司总经理")]
