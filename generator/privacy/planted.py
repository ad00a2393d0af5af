"""Fictitious but well-formed personal data in every written form, for measuring and
testing the detectors (bench/anonymise.py, the property tests). Never used at run time.

IDs carry a valid GB 11643 check digit, bank cards a valid Luhn digit, VINs a valid
ISO 3779 check digit, so the validators are exercised, not bypassed.
"""
from __future__ import annotations

import random

from stdnum import luhn
from stdnum.cn import ric

_FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
_CN = str.maketrans("0123456789", "零一二三四五六七八九")
REGIONS = ("370102", "370103", "370104", "370105", "370112", "370181", "110105", "320106", "440305", "410102")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "林",
            "何", "高", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "于", "董", "曹", "欧阳", "司马", "诸葛", "上官")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志鹏建华飞鑫波宇浩凯健俊帆帅旭宁龙林玉萍红娥玲芬燕彬"
PROVINCES = "鲁京津沪冀豫苏浙粤川"
_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))),
               **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def id_number(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = rng.choice(REGIONS) + birth + f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def landline(rng: random.Random) -> str:
    return "0531" + rng.choice("2345678") + "".join(rng.choice("0123456789") for _ in range(7))


def bank_card(rng: random.Random) -> str:
    length = rng.choice((16, 19))
    body = "62" + "".join(rng.choice("0123456789") for _ in range(length - 3))
    return body + luhn.calc_check_digit(body)


def vin(rng: random.Random) -> str:
    chars = [*rng.choice(("LSV", "LFV", "LGB", "LHG", "LVS", "LBV", "LZW"))]
    chars += [rng.choice(_VIN_CHARS) for _ in range(5)] + ["0"]
    chars += [rng.choice("ABCDEFGHJKLMNPRSTVWXY123456789"), rng.choice(_VIN_CHARS)]
    chars += [rng.choice("0123456789") for _ in range(6)]
    total = sum(_VIN_VALUES[c] * w for c, w in zip(chars, _VIN_WEIGHTS))
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(chars)


def plate(rng: random.Random) -> str:
    province, city = rng.choice(PROVINCES), rng.choice("ABCDEFGHJKLMNPQRS")
    kind = rng.random()
    if kind < 0.2:   # new energy: D/F + 5 digits
        body = rng.choice("DF") + "".join(rng.choice("0123456789") for _ in range(5))
    elif kind < 0.3:  # trailer
        return province + city + "".join(rng.choice("0123456789") for _ in range(4)) + "挂"
    else:
        body = "".join(rng.choice("0123456789") for _ in range(4))
        spot = rng.randint(0, 4)
        body = body[:spot] + rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") + body[spot:]
    return province + city + body


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def house_number(rng: random.Random) -> str:
    n = rng.randint(1, 300)
    return rng.choice((
        f"{n}号{rng.randint(1, 20)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
        f"{n}号",
        f"{n}-{rng.randint(1, 9)}号",
        f"{rng.randint(1, 20)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 2804)}室",
        f"{rng.randint(1, 30)}栋{rng.randint(101, 2804)}室",
    ))


# --- written forms ---------------------------------------------------------------------

def spaced(digits: str, groups: tuple[int, ...], sep: str) -> str:
    out, at = [], 0
    for size in groups:
        out.append(digits[at:at + size])
        at += size
    if at < len(digits):
        out.append(digits[at:])
    return sep.join(p for p in out if p)


def id_form(rng: random.Random, value: str) -> str:
    form = rng.randrange(5)
    if form == 1:
        value = spaced(value, (6, 8, 4), " ")
    elif form == 2:
        value = value.translate(_FULL)
    elif form == 3:
        value = value.lower()
    elif form == 4:
        value = spaced(value, (6, 4, 4, 4), " ")
    return value


def phone_form(rng: random.Random, value: str) -> str:
    if value.startswith("0"):
        return rng.choice((value, value[:4] + "-" + value[4:], f"({value[:4]}){value[4:]}",
                           f"（{value[:4]}）{value[4:8]} {value[8:]}", value[:4] + " " + value[4:8] + " " + value[8:]))
    form = rng.randrange(7)
    if form == 1:
        return spaced(value, (3, 4, 4), " ")
    if form == 2:
        return spaced(value, (3, 4, 4), "-")
    if form == 3:
        return "+86 " + spaced(value, (3, 4, 4), rng.choice(("", " ", "-")))
    if form == 4:
        return value.translate(_FULL)
    if form == 5:
        spoken = value.translate(_CN)
        return spoken.replace("一", "幺") if rng.random() < 0.3 else spoken
    return value


def card_form(rng: random.Random, value: str) -> str:
    form = rng.randrange(3)
    if form == 1:
        return spaced(value, (4, 4, 4, 4), " ")
    if form == 2:
        return value.translate(_FULL)
    return value


def plate_form(rng: random.Random, value: str) -> str:
    head, body = value[:2], value[2:]
    sep = rng.choice(("", "·", " ", "-", "•"))
    if sep == " " and rng.random() < 0.5:
        return f"{head[0]} {head[1]} {body}"
    return head + sep + body


def vin_form(rng: random.Random, value: str) -> str:
    return value.lower() if rng.random() < 0.2 else value


PLANTERS = {
    "id_number": (id_number, id_form, ("身份证号", "公民身份号码", "身份证", "")),
    "phone": (lambda r: mobile(r) if r.random() < 0.75 else landline(r), phone_form,
              ("联系电话", "手机", "电话", "手机号码", "")),
    "bank_card": (bank_card, card_form, ("银行卡号", "卡号", "收款账号", "")),
    "vin": (vin, vin_form, ("车架号", "车辆识别代号", "VIN码", "")),
    "plate": (plate, plate_form, ("驾驶", "车牌号", "号牌为", "")),
    "house_number": (house_number, lambda r, v: v, ("经十路", "泉城路", "二环东路", "花园路", "工业南路")),
    "name": (name, lambda r, v: v, ("乘客", "证人", "驾驶员", "当事人", "车主", "经营者", "司机", "驾驶人")),
}


def plant(rng: random.Random, kind: str) -> tuple[str, str, str]:
    """(value, written form, context word in front) for one planted item."""
    make, form, contexts = PLANTERS[kind]
    value = make(rng)
    return value, form(rng, value), rng.choice(contexts)


# Published terms that must survive anonymisation untouched.
PROTECTED = (
    "济交执罚〔2024〕1001号", "济交执罚〔2023〕0457号", "济南通达运输有限公司", "山东顺风物流有限公司", "泉城出租车队",
    "《中华人民共和国道路运输条例》第六十三条", "《网络预约出租汽车经营服务管理暂行办法》第三十四条",
    "《巡游出租汽车经营服务管理规定》第四十二条", "《中华人民共和国行政处罚法》第三十三条",
    "罚款1万元", "罚款2000元", "罚款5,000元", "罚款二千元", "2024年3月5日", "2024-03-05", "2023年12月31日",
    "济南西站", "济南站", "济南东站", "济南遥墙国际机场", "经十路", "泉城路", "二环东路", "历下区", "市中区",
    "槐荫区", "章丘区", "12328", "12345", "鲁A*****", "王某", "李某某", "第三十四条第一款", "G220国道",
    "8时30分", "45元", "12%", "49吨",
)
FILLER = ("执法人员依法检查", "经调查核实", "现场制作询问笔录", "当事人如实陈述", "车辆停放在", "前往",
          "通过网约车平台接单", "收取车费", "责令改正", "依法作出处理", "情节轻微", "及时纠正", "。", "，", "；")
