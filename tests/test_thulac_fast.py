"""thulac_fast decodes thulac's model_c exactly like thulac's own (pure Python) decoder."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import thulac

from generator.privacy.thulac_fast import FastThulac

LAWS = Path(__file__).resolve().parent.parent / "generator" / "data" / "laws"

# ordinary sentences of the domain, written for this test (names, places, units, dates)
OWN = [
    "2024年3月5日，执法人员王建国在济南市历下区经十路检查时发现张某驾驶鲁A12345号小型客车从事非法营运。",
    "当事人李秀英称，她受山东某某物流有限公司委托，于当日14时30分自青岛运送货物至烟台。",
    "经查，驾驶员赵小明未取得道路运输从业资格证，违反了《道路运输条例》第二十二条的规定。",
    "乘客刘芳、陈志强证实，每人支付车费50元，由司机欧阳明收取。",
    "执法队员孙丽和周伟出示执法证件后，依法对车辆予以暂扣，并制作了询问笔录。",
    "A road test: ABC-123 used 3.5 t; 《中华人民共和国行政处罚法》第三十二条（从轻处罚）。",
    "单字",
    "我",
    "“你好！”他说。",
]


def _law_lines(limit: int) -> list[str]:
    lines, n = [], 0
    for path in sorted(LAWS.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"^#+\s*", "", line).strip()
            if not line or line.startswith("<!--"):
                continue
            lines.append(line)
            n += len(line)
            if n >= limit:
                return lines
    return lines


@pytest.fixture(scope="module")
def both():
    return thulac.thulac(seg_only=False), FastThulac()


def test_same_tags_as_thulac(both):
    slow, fast = both
    lines = OWN + _law_lines(4000)
    assert sum(map(len, lines)) > 4000
    want = [[(w, t) for w, t in slow.cut(line)] for line in lines]
    got_one = [fast.cut(line)[0] for line in lines]            # line by line
    got_all = fast.cut("\n".join(lines))                       # one padded batch
    assert got_one == want
    assert got_all == want
    # the comparison is not vacuous: the text has person names and many tags
    tags = {t for words in want for _, t in words}
    assert "np" in tags and "ns" in tags and len(tags) > 15


def test_empty_and_blank_lines(both):
    slow, fast = both
    assert fast.cut("") == [[]]
    assert fast.cut("张三\n\n李四") == [[("张三", "np")], [], [("李四", "np")]]


# --- THULAC's np words as names in the anonymiser (thulac_names.py) -------------------------

from generator.privacy.anonymise import anonymise_fields  # noqa: E402
from generator.privacy.thulac_names import np_names  # noqa: E402


def _published(text: str) -> str:
    return anonymise_fields({"facts": text})[0]["facts"]


@pytest.mark.parametrize("text, name", [
    ("执法人员检查时，驾驶员山田太郎未出示证件。", "山田太郎"),    # a Japanese name: no Chinese surname
    ("执法人员检查时，驾驶员佐藤英机未出示证件。", "佐藤英机"),
    ("乘客凯文表示不知情。", "凯文"),                               # a given name alone
])
def test_a_name_only_thulac_tags_is_removed(text, name):
    assert name in [text[s:e] for s, e in np_names(text)]
    published = _published(text)
    assert name not in published and name[0] + "某" in published


@pytest.mark.parametrize("text", [
    "当事人如实陈述鲁A*****。",                  # a masked plate's head, tagged np: not a name
    "车辆驶往章丘。",                             # where someone goes
    "我们在罗威汽车公司门口发现该车。",           # an enterprise's trade name
    "依据《中华人民共和国道路运输条例》第六十三条，责令停止经营。",
])
def test_thulac_guards_keep_public_words(text):
    assert np_names(text) == []
    assert _published(text) == text
