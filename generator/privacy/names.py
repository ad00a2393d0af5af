"""Person names that no role word introduces: a segmenter's person-name tag, checked
against what a Chinese name looks like.

jieba's part-of-speech model (its dictionary and HMM ship in its wheel: nothing is
downloaded) tags names it has never seen as `nr`; alone it also tags weather words
(小雨, 多云), places (石家庄, 莫斯科) and plain words (文明, 明白) that way. A tagged word is
kept as a name only when it reads as one: a known surname (single or compound) and a
given name of 1–2 characters, or a minority name with its middle dot; not a word that
ends like a place or an organisation (…庄, …县, …部), and, for two-character words that
are also everyday words (jieba's own dictionary frequency says so), only beside a cue
(先生, 称, 作为见证人 …).

Measured on 110,000 characters of news prose (bench/privacy.py): jieba ~17,000
characters/s. THULAC's `np` words are a second source (thulac_names.py: thulac's model,
decoded with numpy by thulac_fast.py). `model_names(text)` is what the importer adds to the
rule-based detectors (detect.py); the leak gate's second line (second_line.py) does not
use it, so a miss here is not repeated there.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

from .detect import NOT_IN_GIVEN_NAME, NOT_NAMES, is_territory
from .detect import _GIVEN_NAME_CHARS as GIVEN_NAME_CHARS
from .surnames import COMPOUND_SURNAMES, KIN_WORDS, SINGLE_SURNAMES

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# A minority name written with its middle dot: 阿依古丽·买买提, 买买提·吐尔逊. Each part is
# cut at a role word before it and at a cue or function word after it (_dot_names).
MINORITY_NAME = re.compile(rf"[{_HAN}]{{1,8}}[·•・][{_HAN}]{{1,10}}")
_DOT = re.compile(rf"(?<=[{_HAN}])[·•・](?=[{_HAN}])")
# Also the last characters of adverbs of time and sequence (随后, 当时, 此后) and 也/又/都.
_ROLE_TAIL = re.compile("(?:人|员|主|客|机|者|长|为|是|叫|与|和|向|及|、|后|时|即|也|又|再|才|就|均|都|曾)")
_STOP_AFTER = re.compile("(?:驾驶|称|说|表示|系|在|于|的|因|被|向|与|和|及|等|作为|先生|女士|同志|师傅|承认|证实|陈述|未|已|将|到|从|乘坐|联系|报警|投诉"
                         "|也|又|再|才|就|均|都|曾|随后|当时)")
# Last characters of places and organisations (石家庄, 称多县, 宣传部, 清凉寺 …).
# Not 江/山/峰/海 …: they end given names as often as places (阴衍江, 李凤岭).
_PLACE_OR_ORG_END = frozenset("庄村县区镇乡市省州路街巷寺宫站厂店局院馆队社团会委处科组司部屯寨堡坊")
# Words that, right after a name-shaped word, make it part of a place or an organisation.
PLACE_OR_ORG_WORDS = ("公司", "集团", "大学", "学院", "中学", "小学", "银行", "医院", "酒店", "宾馆", "饭店", "小区", "花园",
                      "大道", "大街", "广场", "车站", "机场", "国道", "省道", "高速", "立交", "桥", "汽车", "基金", "研究",
                      "协会", "商行", "超市", "市场", "物流", "运输", "客运", "货运", "出租", "驾校", "路口", "大桥", "新区",
                      "开发区", "工业园", "体育", "文化", "报", "通讯社", "政府", "议会", "方面",
                      # an enterprise's trade and form (企业名称登记管理规定: 字号 + 行业 + 组织形式)
                      "有限", "股份", "控股", "实业", "科技", "电器", "电子", "制药", "航空", "电视", "电台", "日报",
                      "晚报", "杂志", "出版", "委员会", "组织", "联盟", "俱乐部", "乐团", "剧团", "商会", "工会", "学会",
                      "联合会", "足球", "篮球", "事务所", "研究所", "代表团")
# Characters of transliterated foreign places (伊拉克, 吉隆坡, 南斯拉夫, 哈萨克斯坦): a word
# with one of them after its "surname" is a place, not a Chinese name.
_TRANSLITERATION = frozenset("克坡斯夫坦尔顿纳萨瓦迪亚隆")
# Words that follow a name ('王芳女士', '李明称', '张伟作为见证人') or come just before one.
CUE_AFTER = ("先生", "女士", "同志", "师傅", "老师", "作为", "称", "说", "表示", "介绍", "系", "驾驶", "承认", "证实",
             "陈述", "辩称", "供述", "反映", "报警", "投诉", "联系", "在场", "的车", "等人", "等")
CUE_BEFORE = ("经查", "发现", "与", "和", "联系了", "车主为", "向", "找到", "询问", "告知", "表哥", "表姐", "表弟", "表妹",
              "堂哥", "同事", "老板", "朋友", "邻居", "司机", "乘客", "当事人", "驾驶员", "车主", "记者", "名叫", "叫",
              "我是", "是", "由", "对", "给", "让", "被", "把", "请")
# A two-character word jieba knows this well is an everyday word first (文明, 高潮, 明白).
# Not raised: between 100 and 1000 jieba's `nr` words hold famous people (李白, 胡适) but
# also 441 everyday words that read as surname + given name (查明, 张贴, 关怀, 荣获).
_COMMON_WORD_FREQ = 100

_WEAK_SURNAMES = frozenset("阿")
# Transliterated foreign names, written wholly in the characters of the standard
# transliteration table (新华社译名): 克林顿, 穆巴拉克, 阿尔维斯.
_FOREIGN = re.compile("[阿埃艾安昂奥巴拜班邦保鲍贝本比彼边宾波伯博布查彻达戴丹道德登迪蒂丁东杜顿多厄恩尔法范菲费芬丰弗福盖甘冈戈格根古瓜圭哈海汉豪赫亨洪胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎拉莱赖兰朗劳勒雷里利列林琳卢鲁伦罗洛马玛迈麦曼芒毛梅门蒙米敏莫默姆穆纳奈南内尼涅宁纽努诺欧帕潘佩彭皮珀普齐奇契恰乔切钦琼丘萨塞桑瑟森沙莎舍申圣施什史舒斯松苏素索塔泰坦汤唐特滕提图托瓦万旺威韦维温翁沃乌伍西希谢辛休雅亚延扬耶伊因英尤约赞泽扎詹兹佐娃思夫茨翰若]{3,6}")
_FOREIGN_ANY_LENGTH = re.compile(_FOREIGN.pattern.replace("{3,6}", "+"))
# Titles of a person: right before a foreign name the dictionary knows well ('美国总统|克林顿'),
# they make it a person's, not a place's.
_FOREIGN_TITLES = ("总统", "总理", "首相", "外长", "外交大臣", "国务卿", "议长", "大使", "国王", "女王", "亲王", "王子",
                   "总书记", "先生", "女士", "夫人", "教练", "选手", "博士")
# After a word of the transliteration table, only a person does these ('克林顿说', '琼斯堪称',
# '武村正义一行'): verbs of speaking and forms of address. Not 表示/宣布/决定: countries do them too
# (伊拉克表示), and not 总统/总理: a country stands before them as often (南斯拉夫总统).
_PERSON_AFTER = ("说", "指出", "坦率", "回答", "堪称", "先生", "女士", "夫人", "小姐", "院士", "教授", "博士", "一行",
                 "抵达", "抵", "会见", "会晤", "致电", "致函", "本人", "自忖")
# Titles that follow a person's name and never a place or an organisation's ('李鹏委员长',
# '周恩来总理', '恽代英烈士'): a name the dictionary knows (jieba's nr, or 周恩来/t) before one of
# them is a person. Not 主席/部长/书记: '政协主席', '农林部长' end organisations.
_TITLES_AFTER_KNOWN_NAME = ("委员长", "总理", "烈士", "同志", "先生", "女士", "老师", "教授", "院士", "将军", "元帅", "总统",
                            "首相", "主席", "书记", "夫人", "老人")
# A dictionary word of two characters whose second one almost never stands in a given name
# (荣获 0.014, 凌辱, 杜绝): an everyday word, even after a role word ('当事人荣获表彰').
_NEVER_GIVEN_SHARE = 0.02
# '梅先生' is the tagger's name for 仉琪梅先生's tail: a surname and a form of address.
_FORMS_OF_ADDRESS = frozenset(("先生", "女士", "同志", "师傅", "老师", "小姐", "大爷", "大娘", "阿姨", "师父"))
# Tags of a one-character piece the tagger cut off a name ('李铁|辰/ng').
_NAME_PIECE = frozenset({"ng", "nr", "nrt", "nz", "g"})

# Tags of the two-character word a surname the tagger tagged `nr` is cut off from
# ('朱|力行/n', '吕|建业/v', '赵|黄河/ns'): given names read as other words.
_GIVEN_NAME_WORD_TAGS = frozenset({"n", "v", "a", "nz", "vn", "nr", "nrt", "ns"})
# Function characters that never sit in a given name (的, 了, 在 …): narrower than
# detect.NOT_IN_GIVEN_NAME, which also lists the enforcement vocabulary (行, 才, 天 …
# are given-name characters in 力行, 天才).
_FUNCTION_WORD_CHARS = frozenset("某的了在是于向对从被把将和与及等称说述请当应未已无有不没为因由所其之以而并但或也都均即就又再还"
                                 "曾各每该此这那他她它们你我您")

# Verbs of going somewhere: what follows them is a place ('驶往|章丘', '途经|石家庄').
_TOWARDS = ("驶往", "前往", "开往", "去往", "飞往", "运往", "发往", "通往", "驶向", "驶入", "驶离", "途经", "抵达", "到达",
            "来自", "位于", "返回", "迁往", "前来")
# Prepositions of place: a two-character word the dictionary knows right after one is where something
# happened ('在|章丘|被查'), not who; a name the tagger made up there ('在|张晓岚|家') still counts.
_PLACE_PREPOSITIONS = frozenset(("在", "从", "于", "至", "经", "自"))
# A surname the tagger read as another word (郑/ns, 高/a) followed by two characters that
# both stand in given names at least this often (_given_name_share: 全 0.10, 军 0.33;
# not 力行: 行 0.04), is a name. A surname character the tagger read as a verb, a
# preposition or another function word (查/v|清楚, 向/p, 于/p) is not one there.
_GIVEN_NAME_SHARE = 0.1
_NOT_A_SURNAME_TAGS = frozenset({"p", "c", "d", "r", "u", "uj", "x", "m", "q", "v", "vn", "f"})
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _tagger():
    """jieba's tagger, loaded once per process (~1 s: its dictionary)."""
    import logging

    import jieba
    import jieba.posseg
    jieba.setLogLevel(logging.WARNING)
    with _LOCK:
        jieba.initialize()
    return jieba.posseg, jieba.get_FREQ


@lru_cache(maxsize=1)
def _given_name_share() -> dict[str, float]:
    """For each character, the share of jieba's dictionary words holding it that are
    three-character person names (`nr`, a known surname first) holding it as a given-name
    character: 毅 0.6, 鹏 0.7, 的 0. Derived from the dictionary at load time (~0.5 s)."""
    from collections import Counter
    posseg, _ = _tagger()
    in_names, in_words = Counter(), Counter()
    for word, flag in posseg.dt.word_tag_tab.items():
        in_words.update(set(word))
        if flag == "nr" and len(word) == 3 and word[0] in SINGLE_SURNAMES:
            in_names.update(set(word[1:]))
    return {char: in_names[char] / (in_words[char] + 5) for char in in_names}


# Parts of speech that a surname + given name is not: verbs, adverbs, prepositions …
_PROCEDURE_TAGS = frozenset({"v", "vd", "vn", "d", "p", "c", "u", "f", "r"})


@lru_cache(maxsize=1)
def _law_pairs() -> frozenset[str]:
    """Every two-character sequence of the law texts pufa ships: laws name no person, so
    a word they use (陈述, 申辩, 告知, 送达, 出示) is procedure, not a name."""
    from pathlib import Path
    laws = Path(__file__).resolve().parent.parent / "data" / "laws"
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(laws.glob("*-*.md")))
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def procedural_word(word: str) -> bool:
    """A two-character word of enforcement procedure rather than a name: used by the laws
    pufa ships, or a common verb or adverb in jieba's dictionary (宣读, 出示). '向当事人宣读
    权利' must not become '向当事人宣某利'."""
    if len(word) != 2:
        return False
    if word in _law_pairs():
        return True
    posseg, freq = _tagger()
    if (freq(word) or 0) < _COMMON_WORD_FREQ:
        return False
    # 荣获, 凌辱, 杜绝: the dictionary's `nr` on an everyday word whose second character
    # almost never stands in a given name.
    return posseg.dt.word_tag_tab.get(word, "") in _PROCEDURE_TAGS or _given_name_share().get(word[1], 0) < _NEVER_GIVEN_SHARE


def everyday_word(word: str) -> bool:
    """Whether jieba's dictionary knows `word` well as anything but a rare name: 建国, 国庆,
    平安 are given names and everyday words; 俊平, 欣嘉 are names only."""
    posseg, freq = _tagger()
    return (freq(word) or 0) >= _COMMON_WORD_FREQ or procedural_word(word)


def warm() -> None:
    """Load the tagger, the given-name table and the laws' vocabulary now (~1.5 s), e.g.
    before forking workers that all use them."""
    from .thulac_names import tagger

    _tagger()
    _given_name_share()
    _law_pairs()
    tagger()


# Clauses are tagged one at a time and remembered: an export repeats its set phrases.
_CLAUSE = re.compile(r"[^，,。；;！？!?\n]+[，,。；;！？!?\n]?")


def _surname(word: str) -> str:
    if word[:2] in COMPOUND_SURNAMES:
        return word[:2]
    if word[:1] in SINGLE_SURNAMES:
        return word[:1]
    return ""


def _cued(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 3):start], text[end:end + 4]
    return after.startswith(CUE_AFTER) or before.endswith(CUE_BEFORE)


def looks_like_name(word: str) -> bool:
    """Whether a tagged word has the shape of a Chinese person's name."""
    if MINORITY_NAME.fullmatch(word):
        return True
    surname = _surname(word)
    if not surname or "某" in word or word[-1] in _PLACE_OR_ORG_END or word[len(surname):] in _FORMS_OF_ADDRESS:
        return False
    if len(word) >= 3 and any(c in _TRANSLITERATION for c in word[len(surname):]):
        return False
    given = len(word) - len(surname)
    if given in (1, 2):
        return True
    # 4-character double-surname names (陈林美玲): two surnames, then a given name of two.
    return len(word) == 4 and word[1] in SINGLE_SURNAMES and surname == word[0]


def _place_or_org_follows(words: list[tuple[str, str]], i: int) -> bool:
    """Whether the word at i makes the words before it part of a place or an organisation
    (章丘|区, 罗威|汽车公司)."""
    word = words[i][0] if i < len(words) else ""
    return word[:1] in _PLACE_OR_ORG_END or word.startswith(PLACE_OR_ORG_WORDS)


def _verb_of_a_cue(word: str) -> bool:
    """A word that follows a name rather than ends one ('小李|证实', '老张|表示'): a cue after
    a name, or a common verb of the dictionary."""
    posseg, freq = _tagger()
    return word.startswith(CUE_AFTER + _CUE_AFTER_STRONG) or (
        posseg.dt.word_tag_tab.get(word, "").startswith("v") and (freq(word) or 0) >= _COMMON_WORD_FREQ)


def _in_organisation_name(words: list[tuple[str, str]], i: int) -> bool:
    """Whether the words after i, up to the next verb, end like an organisation or a place
    ('佩诺—里加|集团'): a made-up name there is the organisation's own name. After a verb
    such a word is where the person went ('和梓萱|到|车站')."""
    for k in range(i + 1, min(i + 7, len(words))):
        if words[k][1].startswith("v"):
            return False
        if _place_or_org_follows(words, k) or words[k][0] in "—-－·・":
            return True
    return False


def _after_towards(words: list[tuple[str, str]], i: int) -> bool:
    return i > 0 and words[i - 1][0].endswith(_TOWARDS)


def _after_title(words: list[tuple[str, str]], i: int) -> bool:
    """Whether a person's title stands right before the word at i ('总统|克林顿'). Not a
    title after it: a country comes before one just as often ('南斯拉夫|总统')."""
    return i > 0 and words[i - 1][0].endswith(_TITLES + _FOREIGN_TITLES)


@lru_cache(maxsize=65536)
def _clause_names(clause: str) -> tuple[tuple[int, int, bool], ...]:
    """(start, end, needs a cue) of each name-shaped `nr` word in a clause.

    The tagger sometimes cuts a name short ('李铁|辰', '翟|启运'): a surname or a
    two-character name followed by a short piece that can be a given name is joined."""
    posseg, freq = _tagger()
    words = [(pair.word, pair.flag) for pair in posseg.cut(clause)]
    out = []
    at = 0
    joined = -1                  # the last word already read as part of a name before it
    for i, (word, flag) in enumerate(words):
        start = at
        at += len(word)
        if i <= joined or word in _ALL_TITLES:
            continue                                              # '陈毅|元帅': a title is no name
        nxt, nxt_flag = words[i + 1] if i + 1 < len(words) else ("", "")
        if flag == "nr" and len(word) == 1 and word in SINGLE_SURNAMES and len(nxt) == 2 and nxt_flag in _GIVEN_NAME_WORD_TAGS \
                and not any(c in _FUNCTION_WORD_CHARS for c in nxt) and nxt not in _FORMS_OF_ADDRESS and not _verb_of_a_cue(nxt) \
                and nxt[-1] not in _PLACE_OR_ORG_END and not _place_or_org_follows(words, i + 2):
            out.append((start, at + 2, False))                    # '朱|力行': the tagger's own surname
            joined = i + 1
            continue
        if flag not in _NOT_A_SURNAME_TAGS and len(word) == 1 and word in SINGLE_SURNAMES and len(nxt) == 2 \
                and min(_given_name_share().get(c, 0) for c in nxt) >= _GIVEN_NAME_SHARE \
                and not any(c in _FUNCTION_WORD_CHARS for c in nxt) and nxt not in _FORMS_OF_ADDRESS and not _verb_of_a_cue(nxt) \
                and not _place_or_org_follows(words, i + 2):
            out.append((start, at + 2, False))                    # '郑/ns|全军': both typical given-name characters
            joined = i + 1
            continue
        after_word = nxt + (words[i + 2][0] if i + 2 < len(words) else "")
        if 2 <= len(word) <= 3 and flag in ("nr", "nrfg", "t") and looks_like_name(word) and not procedural_word(word) \
                and after_word.startswith(_TITLES_AFTER_KNOWN_NAME) and not _after_towards(words, i):
            out.append((start, at, False))                        # '李鹏|委员长', '周恩来/t|总理'
            continue
        if not flag.startswith("nr"):
            # A known person the tagger read into a longer word or another tag
            # ('邓小平理论', '周恩来/t'): the dictionary's own name entry, three characters.
            head = word[:3]
            if len(word) >= 3 and posseg.dt.word_tag_tab.get(head, "").startswith("nr") and looks_like_name(head):
                out.append((start, start + 3, False))
            continue
        if i > 0 and (words[i - 1][0].endswith(_TOWARDS)
                      or (words[i - 1][0] in _PLACE_PREPOSITIONS and len(word) == 2 and word in posseg.dt.word_tag_tab)):
            continue                                              # '驶往|章丘', '在|章丘': a place
        if _place_or_org_follows(words, i + 1):
            continue                                              # 章丘|区, 罗威|汽车公司
        plain = nxt and not any(c in NOT_IN_GIVEN_NAME for c in nxt)
        if len(word) == 1 and word in SINGLE_SURNAMES and plain and len(nxt) <= 2 and nxt not in _FORMS_OF_ADDRESS \
                and not _time_or_function_word(nxt):
            out.append((start, at + len(nxt), True))             # '翟|启运': beside a cue only
            continue
        after_next = words[i + 2][0][:1] if i + 2 < len(words) else ""
        if len(word) == 2 and looks_like_name(word) and plain and len(nxt) == 1 and nxt_flag in _NAME_PIECE \
                and ((freq(word) or 0) < _COMMON_WORD_FREQ or nxt_flag == "ng") and after_next != "某" and not (after_next and after_next.isascii()):
            out.append((start, at + 1, False))                    # '李铁|辰'
            continue
        if len(word) > 3 and not looks_like_name(word) and looks_like_name(word[:3]) \
                and posseg.dt.word_tag_tab.get(word[:3], "").startswith("nr"):
            out.append((start, start + 3, False))                 # '邓小平|理论' read as one word
            continue
        if flag.startswith("nr") and _FOREIGN.fullmatch(word) and nxt[:1] not in _PLACE_OR_ORG_END \
                and not nxt.startswith(PLACE_OR_ORG_WORDS) and ((freq(word) or 0) < _COMMON_WORD_FREQ or _after_title(words, i)
                                                                or after_word.startswith(_PERSON_AFTER)):
            out.append((start, at, False))                        # 克林顿, 穆巴拉克: a foreign name
            continue
        if flag == "nrt" and len(word) == 2 and _FOREIGN_ANY_LENGTH.fullmatch(word) \
                and (_after_title(words, i) or after_word.startswith(_PERSON_AFTER)) \
                and not _place_or_org_follows(words, i + 1):
            out.append((start, at, False))                        # 'nrt' (jieba's transliterated name): 库克, 努里
            continue
        if flag == "nr" and 2 <= len(word) <= 4 and word not in posseg.dt.word_tag_tab and not _surname(word) \
                and not any(c in NOT_IN_GIVEN_NAME or c in _FUNCTION_WORD_CHARS for c in word) \
                and word[-1] not in _PLACE_OR_ORG_END and not _after_towards(words, i) \
                and (nxt_flag.startswith("v") or nxt in ("的", "和", "与", "及", "、")) \
                and not _in_organisation_name(words, i):
            out.append((start, at, False))                        # a name the tagger's model made up: 亦秋/nr
            continue
        if looks_like_name(word) and not procedural_word(word):   # '告知陈述申辩': even beside a cue
            common = len(word) == 2 and (freq(word) or 0) >= _COMMON_WORD_FREQ and word[-1] not in GIVEN_NAME_CHARS
            # 阿 opens foreign places as often as minority names (阿根廷, 阿富汗).
            common = common or word[0] in _WEAK_SURNAMES
            out.append((start, at, common))
    return tuple(out)


def model_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of every person name the tagger finds in `text`, minority names with
    a middle dot included."""
    from .thulac_names import np_names       # here: thulac_names imports this module
    found: list[tuple[int, int]] = []
    for clause in _CLAUSE.finditer(text):
        base = clause.start()
        for start, end, common in _clause_names(clause.group()):
            if common and not _cued(text, base + start, base + end):
                continue
            found.append((base + start, base + end))
    found.extend(dot_names(text))
    found.extend(role_runs(text))
    found.extend(foreign_runs(text))
    found.extend(familiar_names(text))
    found.extend(np_names(text))
    # A cue's guess gives way to the tagger's reading of the same stretch ('表哥李明来了':
    # the tagger's 李明, not 李明来).
    taken = [span for span in found]
    for start, end in cue_names(text):
        if all(end <= s or start >= e for s, e in taken):
            found.append((start, end))
            taken.append((start, end))
    found += _listed_names(text, found)
    # The tagger cuts a compound surname off its given name ('欧阳|海燕'): join them.
    found = [(start - 2, end) if start >= 2 and text[start - 2:start] in COMPOUND_SURNAMES
             and text[start - 2:end] not in NOT_NAMES else (start, end) for start, end in found]
    # An anonymised name (王某, 李某某) is never a name to replace again; a country's name
    # (伊拉克表示…, 巴西称…) is not a person's.
    return [(start, end) for start, end in found if "某" not in text[start:end] and not is_territory(text[start:end])]


_LIST_MARK = "、和及与"
_LIST_END = re.compile(r"[、，,。；;：:）)\s“”\"]|和|及|与|等|报道|在|的|说|称|$")


def _listed_names(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names listed beside a found one ('王霞光、李长云报道', '陶汉明、吕钦'): surname +
    one or two characters between list marks, on both sides, one after another."""
    out: list[tuple[int, int]] = []
    todo = list(found)
    seen = set(found)
    while todo:
        start, end = todo.pop()
        candidates = []
        if end < len(text) and text[end] in _LIST_MARK:
            for size in (3, 2):
                candidates.append((end + 1, end + 1 + size))
        if start > 1 and text[start - 1] in _LIST_MARK:
            for size in (3, 2):
                candidates.append((start - 1 - size, start - 1))
        for s, e in candidates:
            word = text[max(0, s):e]
            if s < 0 or len(word) != e - s or (s, e) in seen:
                continue
            surname = _surname(word)
            if not surname or len(word) - len(surname) < 1 or "某" in word or word[:2] in NOT_NAMES:
                continue
            if not re.fullmatch(f"[{_HAN}]+", word) or word[-1] in _PLACE_OR_ORG_END:
                continue
            if not _LIST_END.match(text, e) or (s > 0 and re.match(f"[{_HAN}]", text[s - 1]) and text[s - 1] not in _LIST_MARK
                                                and not text[:s].endswith(CUE_BEFORE + ("为",))):
                continue
            seen.add((s, e))
            out.append((s, e))
            todo.append((s, e))
            break
    return out


# A name with no surname we know (扎西多吉, 买买提吐尔逊) right after a role word and
# right before what the person did: 3–6 characters, none of them a function character.
_ROLES = ("当事人", "驾驶员", "驾驶人", "乘客", "证人", "见证人", "车主", "司机", "经营者", "被处罚人", "报案人", "投诉人")
_ROLE_RUN_CUES = ("驾驶", "称", "表示", "承认", "证实", "系", "在场", "作为", "供述", "陈述")
_ROLE_RUN = re.compile("(?:" + "|".join(_ROLES) + rf")([{_HAN}]{{3,6}}?)(?=" + "|".join(_ROLE_RUN_CUES) + ")")


def role_runs(text: str) -> list[tuple[int, int]]:
    # A run holding a cue itself is no name: '当事人|系同事关|系' is 当事人系同事关系.
    return [m.span(1) for m in _ROLE_RUN.finditer(text)
            if not any(c in _FUNCTION_CHARS for c in m.group(1)) and m.group(1)[:2] not in NOT_NAMES
            and not any(cue in m.group(1) for cue in _ROLE_RUN_CUES)]


_FUNCTION_CHARS = frozenset("的了在是于向对从被把将和与及等称说也都就又未已不没为因由所其之以而并但或该此这那他她它们你我您"
                            "车辆驾驶乘坐营运载客经擅自无证未取得")


def dot_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name written with a middle dot (阿依古丽·买买提): at most 6
    characters on each side, cut after a role word before it and before a verb or a
    function word after it."""
    out = []
    for dot in _DOT.finditer(text):
        left = re.search(rf"[{_HAN}]{{1,6}}$", text[max(0, dot.start() - 6):dot.start()]).group()
        cuts = list(_ROLE_TAIL.finditer(left))
        if cuts and cuts[-1].end() < len(left):
            left = left[cuts[-1].end():]
        right = re.match(rf"[{_HAN}·•・]{{1,12}}", text[dot.end():]).group()
        stop = _STOP_AFTER.search(right)
        if stop and stop.start() > 0:
            right = right[:stop.start()]
        # The name also ends where a word of the case begins ('买买提·艾力超限运输案'
        # must keep 超限运输案): a word the shipped laws use, two characters in at least.
        for at in range(2, len(right) - 1):
            if procedural_word(right[at:at + 2]):
                right = right[:at]
                break
        out.append((dot.start() - len(left), dot.end() + len(right)))
    return out


# --- cue words: names the tagger does not tag ------------------------------------------

# After a name: a verb of saying or a word that only follows a person.
_CUE_AFTER_STRONG = ("作为见证人", "作为证人", "先生", "女士", "同志", "师傅", "老师", "大娘", "大爷", "大妈", "阿姨",
                     "认为", "指出", "表示", "介绍", "说", "称", "坦言", "告诉", "承认", "证实", "陈述", "辩称",
                     "在场", "报警", "报案", "投诉", "等人", "报道")
# Titles after a name ('叶笃正院士', '，李振成局长'): an organisation ends before them just
# as often ('农林部长', '政协主席'), so the name must start a clause or follow a cue.
_TITLES = ("院士", "教授", "局长", "处长", "科长", "院长", "校长", "部长", "省长", "市长", "县长", "区长", "镇长",
           "村长", "书记", "主任", "经理", "总裁", "董事长", "主席", "委员长", "总理", "队长", "站长", "所长",
           "厂长", "会长", "律师", "医生", "大夫", "警官")
# Before a name: a relation or a phrase that introduces one person.
_CUE_BEFORE_STRONG = ("表哥", "表姐", "表弟", "表妹", "堂哥", "堂弟", "同事", "老板", "朋友", "邻居", "记者", "车主为",
                      *KIN_WORDS,
                      "联系了", "名叫", "叫作", "我是", "判处",
                      # titles: '副书记赵世居', '区长李凤岭', '经理张强'
                      "书记", "主任", "局长", "处长", "科长", "院长", "校长", "部长", "省长", "市长", "县长", "区长", "镇长",
                      "乡长", "村长", "经理", "总裁", "董事长", "主席", "委员", "教授", "博士", "队长", "站长", "所长",
                      "厂长", "会长", "秘书长", "军长", "司令", "主编", "代表", "负责人", "店主", "法人")
# Weaker: also followed by places and organisations ('与欧洲', '向市政府'); the name must
# end at a clear boundary.
_CUE_BEFORE_WEAK = ("经查", "发现", "找到", "询问", "告知", "与", "向")
_WEAK_END = re.compile(r"[、，,。；;：:）)\s“”\"]|等|说|称|系|表示|交谈|联系|借|发生|到场|正在|在|驾驶|的|$")
# '，夏侯晨安系该车驾驶员': 系 (is) after a name that opens its clause.
_CUE_NEEDS_OPEN = frozenset(_TITLES + ("系",))
_CUE_AFTER_RE = re.compile("|".join(sorted(_CUE_AFTER_STRONG + tuple(_CUE_NEEDS_OPEN), key=len, reverse=True)))
_CUE_BEFORE_RE = re.compile("(?:" + "|".join(sorted(_CUE_BEFORE_STRONG + _CUE_BEFORE_WEAK, key=len, reverse=True))
                            + ")[，,]?(?=[" + _HAN + "])")


def _known_place(word: str) -> bool:
    """A word jieba's dictionary knows well as a place or an organisation (巴基斯坦, 联合国)."""
    posseg, freq = _tagger()
    return posseg.dt.word_tag_tab.get(word, "") in ("ns", "nt") and (freq(word) or 0) >= _COMMON_WORD_FREQ


def _time_or_function_word(chars: str) -> bool:
    """A would-be given name that is a time or function word ('…郎|今天|表示', '…李|随后|称')."""
    posseg, _ = _tagger()
    return len(chars) == 2 and posseg.dt.word_tag_tab.get(chars, "") in ("t", "d", "r", "p", "c", "f", "m", "u")


def _given_ok(chars: str) -> bool:
    return bool(chars) and not any(c in NOT_IN_GIVEN_NAME for c in chars)


def cue_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of names found by a cue word: '吴高盛认为', '表哥李明', '王芳女士'.
    A name read backwards from a cue after it is three characters (surname + two), or
    two after a clause mark; one read forwards after a cue is surname + one or two."""
    out = []
    for cue in _CUE_AFTER_RE.finditer(text):
        at = cue.start()
        for size in (4, 3, 2):
            start = at - size
            if start < 0:
                continue
            word = text[start:at]
            surname = _surname(word)
            double = size == 4 and word[0] in SINGLE_SURNAMES and word[1] in SINGLE_SURNAMES
            if not surname or not _given_ok(word[len(surname):]) or (len(word) - len(surname) not in (1, 2) and not double):
                continue
            if size == 4 and len(surname) != 2 and not (word[0] in SINGLE_SURNAMES and word[1] in SINGLE_SURNAMES):
                continue                           # 4 characters: 欧阳娜娜, or two surnames (曾赖建轩)
            opens = start == 0 or not re.match(f"[{_HAN}]", text[start - 1]) or text[:start].endswith(CUE_BEFORE)
            if (size == 2 or cue.group() in _CUE_NEEDS_OPEN) and not opens:
                continue                           # '…李明称' inside a longer word: too weak
            if word in NOT_NAMES or word[:2] in NOT_NAMES or word[-1] in _PLACE_OR_ORG_END \
                    or word[len(surname):] in _FORMS_OF_ADDRESS or _known_place(word) or word in _ALL_TITLES \
                    or _time_or_function_word(word[len(surname):]):
                continue
            out.append((start, at))
            break
    for cue in _CUE_BEFORE_RE.finditer(text):
        start = cue.end()
        window = text[start:start + 4]
        surname = _surname(window)
        if not surname:
            continue
        given = ""
        for char in window[len(surname):]:
            if char in NOT_IN_GIVEN_NAME or not re.match(f"[{_HAN}]", char) or len(given) == 2:
                break
            given += char
        candidates = [surname + given[:n] for n in range(len(given), 0, -1)]
        # Two surnames and a given name of two (周段国明), ending where the clause goes on.
        double = text[start:start + 4]
        if len(double) == 4 and double[0] in SINGLE_SURNAMES and double[1] in SINGLE_SURNAMES and _given_ok(double[1:]):
            candidates.insert(0, double)
        weak = cue.group() in _CUE_BEFORE_WEAK and len(surname) == 1
        for word in candidates:
            ends = _WEAK_END.match(text, start + len(word))
            # Four characters with a one-character surname are two surnames and a given
            # name (周段国明) only where the clause clearly goes on; 欧阳德明 is plain.
            if (weak or (len(word) == 4 and len(surname) == 1)) and not ends:
                continue                           # '向毛金|借车': the name ends before 借
            if word not in NOT_NAMES and word[:2] not in NOT_NAMES and word[-1] not in _PLACE_OR_ORG_END:
                out.append((start, start + len(word)))
            break
    return out


# --- transliterated names beside a person's title ----------------------------------------

# Titles that stand before a person's name ('教练扎加洛', '参议员亚罗约', '主席尤尔科夫'): the
# tagger splits a foreign name it does not know into pieces (尤尔/nr 科夫/nrt) or reads it
# as a place (扎加洛/ns); after one of these titles, the run of transliteration characters
# up to the first character outside the table is the name.
_TITLES_BEFORE_FOREIGN = ("总统", "副总统", "总理", "首相", "主席", "委员长", "议长", "参议员", "众议员", "议员", "外长",
                          "部长", "大臣", "国务卿", "大使", "行长", "总裁", "董事长", "秘书长", "总干事", "教练", "主教练",
                          "球员", "选手", "前锋", "后卫", "门将", "院士", "教授", "博士", "记者", "作家", "诗人", "导演",
                          "歌手", "演员", "国王", "女王", "亲王", "王子", "公主", "先生", "女士", "夫人", "小姐", "少女")
# After the name, a form of address or a title only a person has ('拉埃女士', '伯奇费尔院士').
_TITLES_AFTER_FOREIGN = ("先生", "女士", "夫人", "小姐", "院士", "教授", "博士")
_FOREIGN_CLASS = _FOREIGN.pattern[:_FOREIGN.pattern.index("]") + 1]
_FOREIGN_AFTER_TITLE = re.compile("(?:" + "|".join(sorted(_TITLES_BEFORE_FOREIGN, key=len, reverse=True)) + ")"
                                  + f"({_FOREIGN_CLASS}{{2,6}})(?!{_FOREIGN_CLASS})")
_FOREIGN_BEFORE_TITLE = re.compile(f"(?<!{_FOREIGN_CLASS})({_FOREIGN_CLASS}{{2,6}})(?="
                                   + "|".join(_TITLES_AFTER_FOREIGN) + ")")


def foreign_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of transliterated names beside a person's title: '教练扎加洛今天',
    '拉埃女士'. A run the dictionary knows as a place or an organisation (伊拉克, 南斯拉夫)
    stays."""
    posseg, freq = _tagger()
    out = []
    for pattern in (_FOREIGN_AFTER_TITLE, _FOREIGN_BEFORE_TITLE):
        for match in pattern.finditer(text):
            run = match.group(1)
            if posseg.dt.word_tag_tab.get(run, "") in ("ns", "nt") and (freq(run) or 0) >= _COMMON_WORD_FREQ:
                continue
            out.append(match.span(1))
    return out


# Titles are never names themselves ('陈毅|元帅': 元帅 is jieba's nr too).
_ALL_TITLES = frozenset(_TITLES + _TITLES_AFTER_KNOWN_NAME + _FOREIGN_TITLES + ("元帅", "将军", "司令", "大帅"))


# --- 老王, 小李: a surname with the familiar prefix ----------------------------------------

# '驾驶员老王称', '乘客小李证实', '老张的车': 老/小 + a single surname, where a name stands: at
# the start of a clause or after a cue before it, and before a cue, a verb or a mark after
# it. Written as the cases write a person (王某); not '小王庄', '老李家' (places).
_FAMILIAR_AFTER = re.compile("|".join(sorted(set(CUE_AFTER + _CUE_AFTER_STRONG + (
    "的", "和", "与", "在", "也", "又", "就", "都", "便", "则", "驾驶", "开车", "收取", "要求", "同意", "拒绝", "离开", "回家",
    "打电话", "一家")), key=len, reverse=True)) + rf"|[^{_HAN}]|$")


# jieba's dictionary holds 老王 (190), 老李 (298), 老张 (256) too; 老师, 小时, 老乡, 老实 far more often.
_FAMILIAR_WORD_FREQ = 300


def familiar_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each 老王 / 小李 that stands where a name does."""
    out = []
    for at in range(len(text) - 1):
        if text[at] not in "老小" or text[at + 1] not in SINGLE_SURNAMES or text[at + 1] in _WEAK_SURNAMES:
            continue
        posseg, freq = _tagger()
        if (freq(text[at:at + 2]) or 0) >= _FAMILIAR_WORD_FREQ:
            continue                               # 老师, 小姐, 小时, 老实: words, not people
        before = text[:at]
        opens = not before or not re.match(f"[{_HAN}]", before[-1]) or before.endswith(CUE_BEFORE + _ROLES)
        if opens and _FAMILIAR_AFTER.match(text, at + 2):
            out.append((at, at + 2))
    return out
