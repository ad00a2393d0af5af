"""Personal data in the other forms real exports hold: accounts (QQ, 微信号, e-mail),
certificate and engine numbers, a 个体工商户's registration codes, dates of birth and
ages beside a person, rural addresses and estate codes, and 400/800 numbers that a
private person gives as their own.

Each detector reads the domain's own markers, not examples:
* a 统一社会信用代码 (GB 32100) holds its registering authority and the kind of holder in
  its first two characters: '92' is a 个体工商户 (a person trading under their own name),
  '91' a company, whose code is public and stays;
* certificates are named by the documents transport law issues to people and vehicles
  (从业资格证, 道路运输证, 网约车驾驶员证, 服务监督卡, 驾驶证, 行驶证); a company's
  经营许可证 stays;
* an age or a birth date counts next to a person marker (男/女, 现年, 出生, 生于, 岁的司机).

`detect_forms(text)` returns `detect.Finding`s; `detect.scan_text` includes them, so the
importer, the leak gate and the speech PII flags (generator/speech/pii.py) all get them
through the one call `scan_text(text) -> list[Finding]`.

`clean_cell(text)` is what the importer applies to a cell before detection: control and
invisible characters go (never published), odd spaces become plain ones.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from .detect import Finding

FORM_KINDS = ("email", "qq", "wechat", "certificate", "business_id", "engine_number", "birth_date", "age",
              "house_number", "phone")

# --- cleaning a cell ------------------------------------------------------------------

# C0/C1 controls (not \n, \t), zero-width and other invisible format characters.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
_WRAPPED_NUMBER = re.compile("(?<=[0-9\uff10-\uff19])[ \t]*\r?\n[ \t]*(?=[0-9\uff10-\uff19])")
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f]")


def clean_cell(text: str) -> str:
    """The text without control or invisible characters, odd spaces made plain ones:
    '138\\u200b1234\\x005678' → '13812345678'. Nothing else changes."""
    if not text or text.isascii() and text.isprintable():
        return text
    text = _ODD_SPACE.sub(" ", _INVISIBLE.sub("", text))
    # A line break between two digits: a number wrapped in its cell ('138\n1234').
    return _WRAPPED_NUMBER.sub(" ", text) if "\n" in text else text


# Decimal digits of other scripts (Arabic-Indic, Devanagari, Thai, mathematical …) read
# as ASCII digits by the detectors; one character for one, so offsets stay.
def other_digit_table() -> dict[int, str]:
    table = {}
    for start in (0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
                  0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
                  0x1D7F6):
        for i in range(10):
            ch = chr(start + i)
            if unicodedata.decimal(ch, None) == i:
                table[start + i] = str(i)
    for i in range(9):                               # ①…⑨, ⑴…⑼ read as digits in numbers
        table[0x2460 + i] = str(i + 1)
        table[0x2474 + i] = str(i + 1)
    table[0x24EA] = "0"
    return table


# --- accounts -------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A public body's address (….gov.cn) is not personal.
_PUBLIC_MAIL = re.compile(r"\.gov\.cn$|\.gov$", re.I)
_QQ = re.compile(r"(?:QQ|qq|Qq|扣扣)\s?(?:号码|号|账号|帐号)?\s?(?:[：:是为]|\s)?\s?([1-9][0-9]{4,11})(?![0-9])")
_WECHAT = re.compile(r"(?:微信|VX|vx|wx|WX|weixin)\s?(?:号码|号|账号|帐号|ID|id)?\s?(?:[：:是为]|\s)?\s?"
                     r"([A-Za-z][-_A-Za-z0-9]{5,19}|[0-9]{5,11})(?![-_A-Za-z0-9])")


def _has(text: str, cues: tuple[str, ...]) -> bool:
    """Whether `text` holds one of `cues`: a literal every match of a pattern contains, so
    a text without any is skipped without running the pattern (the same findings, at
    str.find speed: most text the leak gate reads holds none)."""
    return any(cue in text for cue in cues)


# Literals each pattern's every match contains (see _has).
_QQ_CUES = ("QQ", "qq", "Qq", "扣扣")
_WECHAT_CUES = ("微信", "VX", "vx", "wx", "WX", "weixin")
_CERT_CUES = ("证", "卡", "执照")
_CODE_CUES = ("代码", "注册号", "营业执照")
_ENGINE_CUES = ("发动机", "引擎号", "电机号")


def _accounts(text: str) -> Iterator[Finding]:
    if not (_has(text, ("@",)) or _has(text, _QQ_CUES) or _has(text, _WECHAT_CUES)):
        return
    for match in _EMAIL.finditer(text):
        if not _PUBLIC_MAIL.search(match.group()):
            yield Finding("email", match.start(), match.end(), match.group())
    for pattern, kind in ((_QQ, "qq"), (_WECHAT, "wechat")):
        for match in pattern.finditer(text):
            yield Finding(kind, match.start(1), match.end(1), match.group(1))


# --- certificates, registration codes, engine numbers ----------------------------------

_CERT_WORDS = ("从业资格证", "资格证", "道路运输证", "运输证", "网约车驾驶员证", "驾驶员证", "网络预约出租汽车驾驶员证",
               "服务监督卡", "监督卡", "驾驶证", "驾驶执照", "行驶证", "上岗证", "服务资格证", "营运证", "准驾证")
_CERT = re.compile(rf"(?<!经营许可)(?:{'|'.join(sorted(_CERT_WORDS, key=len, reverse=True))})\s?(?:号码|编号|证号|号|卡号|No\.?)?"
                   r"\s?(?:[：:是为]|\s)?\s?(?:[\u4e00-\u9fff]{1,8}?)?([A-Za-z0-9][A-Za-z0-9\-]{5,24})(?![A-Za-z0-9])")
_CODE_WORD = re.compile(r"(?:统一社会信用代码|社会信用代码|信用代码|注册号|营业执照号码?|工商注册号)\s?(?:[：:是为]|\s)?\s?"
                        r"([0-9A-Za-z]{15,18})(?![0-9A-Za-z])")
# Any 18-character code shaped as a 统一社会信用代码 whose holder kind is 个体工商户 ('92').
_USCC_92 = re.compile(r"(?<![0-9A-Za-z])92[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
_SOLE_TRADER = re.compile("个体工商户|个体户|个体经营|个体业户|个人独资|经营者")
assert all(_has(word, _CERT_CUES) for word in _CERT_WORDS), "a certificate word without a cue"
_ENGINE = re.compile(r"(?:发动机号码|发动机号|发动机编号|引擎号|电机号码|电机号)\s?(?:[：:是为]|\s)?\s?"
                     r"([A-Za-z0-9][A-Za-z0-9\-*]{4,24})(?![A-Za-z0-9])")


def _numbers(text: str) -> Iterator[Finding]:
    if not (_has(text, _CERT_CUES) or _has(text, _CODE_CUES) or _has(text, ("92",)) or _has(text, _ENGINE_CUES)):
        return
    for match in _CERT.finditer(text):
        if any(c.isdigit() for c in match.group(1)):
            yield Finding("certificate", match.start(1), match.end(1), match.group(1))
    for match in _CODE_WORD.finditer(text):
        code = match.group(1).upper()
        if len(code) == 18:
            personal = code.startswith("92")      # the code says its holder's kind itself
        else:
            personal = bool(_SOLE_TRADER.search(text[max(0, match.start() - 20):match.start()]))
        if personal:
            yield Finding("business_id", match.start(1), match.end(1), match.group(1))
    for match in _USCC_92.finditer(text):
        yield Finding("business_id", match.start(), match.end(), match.group())
    for match in _ENGINE.finditer(text):
        if any(c.isdigit() for c in match.group(1)):
            yield Finding("engine_number", match.start(1), match.end(1), match.group(1))


# --- birth dates and ages -------------------------------------------------------------

_DATE = r"[12][0-9]{3}\s?(?:年|[.\-/])\s?(?:[01]?[0-9]\s?(?:月|[.\-/])\s?(?:[0-3]?[0-9]\s?日?)?)?"
_BIRTH = re.compile(rf"(?:(?:出生日期|出生年月日?|生日|出生于|生于|出生)\s?[：:为是]?\s?({_DATE}))"
                    rf"|(?:({_DATE})\s?(?:出生|生人|生(?![产效活态病意日]))(?!日期))")
_AGE = re.compile(r"(?:(?<=[男女])[，,、\s]\s?|现年|年龄[：:为是]?\s?|今年|年仅|时年)([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s?(?:周)?岁"
                  # '，35岁，' / '（35岁）': an age as an item of its own is a person's
                  r"|(?<=[，,（(、])\s?([0-9]{1,3})\s?周?岁(?=[，,）)、。；;])"
                  r"|([0-9]{1,3}|[一二三四五六七八九十]{2,3})\s?岁(?=的?(?:男子|女子|男性|女性|司机|驾驶员|乘客|当事人|男孩|女孩|老人|村民|妇女))")


def _birth_and_age(text: str) -> Iterator[Finding]:
    # Every birth cue holds 生, every age 岁 (see _has).
    for match in _BIRTH.finditer(text) if _has(text, ("生",)) else ():
        group = 1 if match.group(1) else 2
        value = match.group(group).rstrip()
        start = match.start(group)
        yield Finding("birth_date", start, start + len(value), value)
    for match in _AGE.finditer(text) if _has(text, ("岁",)) else ():
        group = next(g for g in (1, 2, 3) if match.group(g))
        end = match.end()
        yield Finding("age", match.start(group), end, text[match.start(group):end])


# --- rural addresses, estate codes ------------------------------------------------------

_CN_NUM = "[0-9一二三四五六七八九十]+"
# …村3组12号, …村三组, …屯2社5号, 1组12号.
_RURAL = re.compile(rf"(?<=[村屯庄寨])({_CN_NUM}(?:组|队|社)(?:[0-9]+号)?)|(?<![0-9])([0-9]+(?:组|队)[0-9]+号)")
# 12-3-1101 after a place name (…城/都/苑/谷/园/湾 …): building-unit-room.
_ESTATE = re.compile(r"(?<=[\u4e00-\u9fff])([0-9]{1,3}\s?[-－—]\s?[0-9]{1,2}\s?[-－—]\s?[0-9]{3,4})(?![0-9\-])")


def _addresses(text: str) -> Iterator[Finding]:
    for match in _RURAL.finditer(text) if _has(text, ("组", "队", "社")) else ():
        group = 1 if match.group(1) else 2
        yield Finding("house_number", match.start(group), match.end(group), match.group(group))
    for match in _ESTATE.finditer(text) if _has(text, ("-", "－", "—")) else ():
        yield Finding("house_number", match.start(1), match.end(1), match.group(1))


# --- 400/800 numbers a private person gives as their own ---------------------------------

_SERVICE_NUMBER = re.compile(r"(?<![0-9])[48]00[ \-]?[0-9]{3}[ \-]?[0-9]{4}(?![0-9])")
_PRIVATE_OWNER = re.compile("个人|本人|私人|自己|他的|她的|其|当事人|司机|驾驶员|车主|联系人|手机|微信")


def _private_service_numbers(text: str) -> Iterator[Finding]:
    if not _has(text, ("00",)):
        return
    for match in _SERVICE_NUMBER.finditer(text):
        before = text[max(0, match.start() - 12):match.start()]
        if _PRIVATE_OWNER.search(before):
            yield Finding("phone", match.start(), match.end(), match.group())


def detect_forms(text: str, norm: str | None = None) -> list[Finding]:
    """Every finding of this module in `text` (offsets into `text`; `norm` is its
    1:1 normalised form when the caller has it)."""
    norm = text if norm is None else norm
    found: list[Finding] = []
    for detector in (_accounts, _numbers, _birth_and_age, _addresses, _private_service_numbers):
        for f in detector(norm):
            found.append(Finding(f.kind, f.start, f.end, text[f.start:f.end]))
    return found


# --- suspects: left as written, shown to the reviewer -----------------------------------

_EMPLOYER_TITLE = re.compile(r"[\u4e00-\u9fff]{2,20}(?:公司|集团|车队|驾校|医院|学校|酒店|商行|门市|经营部|服务部|站|店|厂)"
                             r"(?:的)?(?:总经理|副总经理|董事长|经理|法定代表人|负责人|店主|老板|站长|厂长|队长|会计|出纳|调度|主管)")


def suspects(text: str) -> list[Finding]:
    """Stretches that may point to one person without naming them (an employer and a
    job title: '济南某某汽车租赁公司总经理'): not replaced, flagged for review."""
    return [Finding("employer_title", m.start(), m.end(), m.group()) for m in _EMPLOYER_TITLE.finditer(text)]
