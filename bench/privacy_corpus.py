"""A generated corpus of every personal-data form issue 14 lists, written from the issue's
list and from how such data is made (ID check digits, code structures), not from the
detectors: nothing here imports generator.privacy.

Each `Sample` is one 违法事实 text with the personal strings planted in it (which must not
be published) and the public strings (which must stay), under the name of its form.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

# Surnames: common, compound and rare ones (some on no detector list: 禚, 逄, 仉, 笪 …).
COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万钱严赖覃洪武莫孔"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "端木", "西门", "南宫"]
RARE = "禚逄仉笪亢郇訾厍琚酆逯隗萨蔺冼佴缑郦羿睢璩栾淳"
# Characters people give their children (a broad pool; not the detectors' list).
GIVEN = ("建国志强秀英桂兰海燕文华振宇晓东丽娟春梅金凤玉霞俊杰子涵雨萱梓轩欣怡浩然思远嘉琪佳怡一鸣明轩"
         "雅琴德胜永福立新红梅淑珍宏伟小燕国庆卫东宇航雪莹诗涵博文天佑晨曦若曦紫萱芷若安琪墨涵")
MINORITY = ["阿依古丽·买买提", "买买提·吐尔逊", "热依拉·艾合买提", "古丽娜尔·托合提", "扎西·多吉", "巴特尔·额尔敦", "努尔兰·哈力木"]
MINORITY_BARE = ["阿依古丽买买提", "买买提吐尔逊", "扎西多吉", "巴特尔", "乌兰其其格", "次仁卓玛"]
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

PUBLIC = ["济交执罚〔2024〕1001号", "《中华人民共和国道路运输条例》第六十三条", "罚款2000元", "2024年3月5日", "2024-03-05",
          "12328", "济南西站", "石家庄路", "王舍人庄", "张家庄", "刘家庄路", "泉城路街道", "济南通达运输有限公司",
          "统一社会信用代码91370102MA3C5R7N2X", "0531-12328", "第三十四条"]


@dataclass
class Sample:
    form: str
    text: str
    personal: list[str]
    public: list[str] = field(default_factory=list)
    flag: bool = False            # expected to be flagged for review, not replaced


def person(rng: random.Random, kind: str = "common") -> str:
    if kind == "compound":
        return rng.choice(COMPOUND) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
    if kind == "rare":
        return rng.choice(RARE) + "".join(rng.sample(GIVEN, 2))
    if kind == "double":                      # 4 characters, two surnames (陈林美玲)
        a, b = rng.sample(COMMON, 2)
        return a + b + "".join(rng.sample(GIVEN, 2))
    return rng.choice(COMMON) + "".join(rng.sample(GIVEN, rng.choice((1, 2, 2, 2))))


def id18(rng: random.Random) -> str:
    body = f"{rng.choice(['370102', '370112', '110105', '440305', '510104'])}{rng.randint(1960, 2002)}" \
           f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def id15(rng: random.Random) -> str:
    return f"370102{rng.randint(50, 89)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"


def mobile(rng: random.Random) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99999999):08d}"


def plate(rng: random.Random) -> tuple[str, str]:
    p, letter = rng.choice(PROVINCES), rng.choice(LETTERS)
    # GA 36: five characters after the city letter, at most two of them letters.
    body = [str(rng.randint(0, 9)) for _ in range(5)]
    for i in rng.sample(range(5), rng.choice((0, 1, 2))):
        body[i] = rng.choice(LETTERS)
    body = "".join(body)
    return p, letter + body


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def split(number: str, sep: str) -> str:
    return sep.join([number[:3], number[3:7], number[7:]])


def samples(rng: random.Random, per_form: int = 20) -> list[Sample]:
    out: list[Sample] = []
    pub = lambda: rng.sample(PUBLIC, 3)          # noqa: E731

    def add(form: str, make) -> None:
        for _ in range(per_form):
            text, personal, *rest = make()
            public = pub()
            out.append(Sample(form, f"{public[0]}，{text}，{public[1]}，{public[2]}。", personal, public,
                              bool(rest and rest[0])))

    # --- names (item 2) ---
    cues = [("{n}作为见证人在场", ""), ("{n}先生称", ""), ("{n}女士表示", ""), ("经查，{n}系车主", ""),
            ("执法人员发现{n}正在揽客", ""), ("乘客与{n}发生争执", ""), ("当事人联系了{n}", ""), ("车主为{n}", ""),
            ("当事人向{n}借车", ""), ("其表哥{n}到场", ""), ("同事{n}证实", ""), ("老板{n}承认", ""), ("{n}称其不知情", ""),
            ("{n}系该车驾驶员", "")]
    for kind in ("common", "compound", "rare", "double"):
        def make(kind=kind):
            name = person(rng, kind)
            cue = rng.choice(cues)[0]
            return cue.format(n=name), [name]
        add(f"name: {kind}", make)
    add("name: minority with ·", lambda: (rng.choice(cues)[0].format(n=(n := rng.choice(MINORITY))), [n]))
    add("name: minority without ·", lambda: (f"当事人{(n := rng.choice(MINORITY_BARE))}驾驶车辆", [n]))
    add("name: bare, repeated", lambda: (f"{(n := person(rng))}驾驶车辆载客，执法人员询问{n}", [n]))

    # --- other forms (item 3) ---
    add("QQ", lambda: (f"其QQ号{(v := str(rng.randint(10000, 9999999999)))}", [v]))
    add("微信号", lambda: (f"添加微信号{(v := rng.choice(['wx_', 'zhang', 'li', 'jn']) + str(rng.randint(1000, 99999)) + rng.choice(['ab', 'x', '']))}联系", [v]))
    add("e-mail", lambda: (f"邮箱{(v := rng.choice(['zhangsan', 'li.ming', 'driver', 'jn']) + str(rng.randint(1, 9999)) + '@' + rng.choice(['163.com', 'qq.com', 'sina.cn']))}", [v]))
    add("landline 8 digits", lambda: (f"联系电话{(v := str(rng.randint(80000000, 89999999)))}", [v]))
    add("400/800 private", lambda: (f"当事人留下其个人号码{(v := rng.choice(['400', '800']) + str(rng.randint(1000000, 9999999)))}", [v]))
    add("ID 15 after 证号", lambda: (f"驾驶证号{(v := id15(rng))}", [v]))
    add("ID 18", lambda: (f"身份证{(v := id18(rng))}", [v]))
    for word in ("从业资格证号", "道路运输证号", "网约车驾驶员证号", "服务监督卡号"):
        add(word, lambda word=word: (f"{word}{(v := rng.choice(['', 'JN', '37']) + str(rng.randint(10000000, 999999999)))}", [v]))
    add("个体工商户 USCC", lambda: (f"个体工商户，统一社会信用代码{(v := '92370102' + ''.join(rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY') for _ in range(10)))}", [v]))
    add("个体工商户 注册号", lambda: (f"该个体户注册号{(v := '370102' + str(rng.randint(600000000, 699999999)))}", [v]))
    add("engine number", lambda: (f"发动机号{(v := rng.choice(['L4F', 'G4FC', 'JL']) + str(rng.randint(100000, 9999999)))}", [v]))
    add("date of birth", lambda: (f"{rng.choice(['王某', '李某'])}（男，{(v := f'{rng.randint(1960, 2000)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日')}出生）", [v]))
    add("age", lambda: (f"{rng.choice(['王某', '李某'])}，男，{(v := f'{rng.randint(18, 70)}岁')}，", [v]))
    add("rural address", lambda: (f"住{rng.choice(['历城区', '章丘区'])}{rng.choice(['大官', '小李', '东坞'])}村{(v := f'{rng.randint(1, 9)}组{rng.randint(1, 80)}号')}", [v]))
    add("estate code", lambda: (f"住{rng.choice(['阳光100城', '鲁能领秀城', '绿地国际花都', '万科金域苑', '中海天悦谷'])}{(v := f'{rng.randint(1, 30)}-{rng.randint(1, 6)}-{rng.randint(101, 2802)}')}", [v]))
    add("digits: line breaks", lambda: (f"电话{split(v := mobile(rng), chr(10))}", [v]))
    add("digits: dots", lambda: (f"电话{split(v := mobile(rng), '.')}", [v]))
    add("digits: minus", lambda: (f"电话{split(v := mobile(rng), '-')}", [v]))
    add("digits: NBSP", lambda: (f"电话{split(v := mobile(rng), chr(0xA0))}", [v]))
    add("digits: zero-width", lambda: (f"电话{chr(0x200B).join(v := mobile(rng))}", [v]))
    add("digits: full-width", lambda: (f"电话{(v := mobile(rng)).translate(FULLWIDTH)}", [v]))
    add("digits: Arabic-Indic", lambda: (f"电话{(v := mobile(rng)).translate(ARABIC_INDIC)}", [v]))
    add("digits: NUL/control", lambda: (f"身份证号{chr(0).join([(v := id18(rng))[:6], v[6:14], v[14:]])}", [v]))
    add("plate: spaces and middle dot", lambda: (f"驾驶{(p := plate(rng))[0]} {p[1][0]} · {p[1][1:5]}挂号车辆", [p[0] + p[1][:5]]))
    add("plate: spaces", lambda: (f"驾驶{(p := plate(rng))[0]} {p[1][0]} {p[1][1:]}号车辆", [p[0] + p[1]]))
    add("employer + job title", lambda: (f"{rng.choice(['济南恒通', '泉城顺达', '历城宏远'])}汽车租赁公司总经理到场", [], True))
    return out
