"""The detectors' and the leak gate's fast paths find exactly what the plain code found.

Each fast path (a cheap search for the places a slow pattern can start, a lookbehind
moved after the first character, work skipped when a text has no finding, set
operations over a page's lines) is compared here with the plain code it replaced, kept
as the reference, on generated text made of the characters that matter to it: the
anonymiser's recall and the leak gate's verdict must not change by a single finding.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.privacy import detect as D
from generator.privacy.leaks import _INVISIBLE, Denylist, find_leaks
from generator.privacy.planted import PLANTERS, plant
from generator.site import leakgate as G

# --- the plain code, as it was --------------------------------------------------------

REF_VIN = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Za-hj-npr-z0-9]{17}(?![A-Za-z0-9])")
REF_RUN = re.compile(rf"(?:\+\s?)?{D._D}(?:{D._SEP}?{D._D}){{6,}}(?:{D._SEP}?[Xx](?![A-Za-z]))?")
REF_ACTOR = re.compile(rf"(?:^|(?<=[,.;:!?，。；：、\s“\"]))(?=({D._HAN}{{2,4}}"
                       r"(?:驾驶|称|承认|表示|陈述|证实|供述|介绍|辩称|声称|坦言|自述)))")
REF_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
REF_BLOCK_TAG = re.compile(r"</?(?:p|div|td|th|tr|li|dt|dd|h[1-6]|br|hr|section|article|table|thead|tbody|ul|ol|dl|"
                           r"nav|header|footer|label|option|select|button|form|main|aside|figure|figcaption|"
                           r"blockquote|details|summary|caption|meta|title|link|script|input|img)\b[^>\n]*>", re.I)


def ref_normalise(text: str) -> str:
    return text.translate(D._FULLWIDTH)


def ref_digits_of(text: str) -> str:
    out = ref_normalise(text).translate(D._CN_DIGITS)
    return "".join(ch for ch in out if ch.isdigit() or ch in "Xx").upper()


def ref_numbers(text: str, norm: str) -> list[D.Finding]:
    out = []
    for match in REF_RUN.finditer(norm):
        start, end = match.span()
        before = D._clause_context(norm[max(0, start - 8):start])
        digits = ref_digits_of(match.group())
        kind = D._classify(digits, before)
        if kind:
            out.append(D.Finding(kind, start, end, text[start:end]))
            continue
        if D._PUBLIC_NUMBER.fullmatch(digits):
            continue
        groups = [g.span() for g in D._GROUP.finditer(norm, start, end)]
        if len(groups) < 2:
            continue
        i = 0
        while i < len(groups):
            for j in range(min(len(groups), i + D._MAX_GROUPS), i, -1):
                s, e = groups[i][0], groups[j - 1][1]
                if (s, e) == (start, end):
                    continue
                kind = D._classify(ref_digits_of(norm[s:e]), norm[max(0, s - 8):s])
                if kind:
                    out.append(D.Finding(kind, s, e, text[s:e]))
                    i = j - 1
                    break
            i += 1
    for match in D._LANDLINE_PAREN.finditer(norm):
        out.append(D.Finding("phone", match.start(), match.end(), text[match.start():match.end()]))
    return out


def ref_find_leaks(text: str, denylist: Denylist | None) -> list[D.Finding]:
    if _INVISIBLE.search(text):
        kept = [i for i, ch in enumerate(text) if not _INVISIBLE.match(ch)]
        visible = "".join(text[i] for i in kept)
        kept.append(len(text))
        return [D.Finding(f.kind, kept[f.start], kept[f.end - 1] + 1, text[kept[f.start]:kept[f.end - 1] + 1])
                for f in ref_find_leaks(visible, denylist)]
    found = D.scan_text(text)
    if denylist:
        found = D.resolve_overlaps(found + denylist.find(text))
    return found


def ref_lift(text: str) -> str:
    out, last = [], 0
    for match in G._ATTR_VALUE.finditer(text):
        before = text[max(0, match.start() - 40):match.start()].split()
        key = before[-1].lower() if before else ""
        if key in G._READABLE_NAMES or key.startswith("data-pagefind-"):
            out.append(text[last:match.start()])
            out.append('=">' + match.group(1) + '<"')
            last = match.end()
    out.append(text[last:])
    return "".join(out)


class RefLines:
    """The leak gate's line scan as it was: every line stripped and looked up."""

    def __init__(self, detect):
        self.detect, self.cache = detect, {}

    def scan(self, shown: str, text: str) -> list[G.LeakFinding]:
        lines = [line.strip() for line in REF_SPACES.sub(" ", text).split("\n")]
        found = []
        todo = [i for i, line in enumerate(lines) if line and line not in self.cache]
        if todo:
            joined = "\n".join(lines[i] for i in todo)
            starts, offset = [], 0
            for i in todo:
                starts.append(offset)
                offset += len(lines[i]) + 1
            per_line = {i: [] for i in todo}
            for finding in self.detect(joined):
                k = bisect.bisect_right(starts, finding.start) - 1
                per_line[todo[k]].append((finding.kind, G.mask(finding.text)))
            for i in todo:
                self.cache[lines[i]] = per_line[i]
                found.extend(G.LeakFinding(shown, i + 1, kind, sample) for kind, sample in per_line[i])
        fresh = set(todo)
        for i, line in enumerate(lines):
            if line and i not in fresh:
                found.extend(G.LeakFinding(shown, i + 1, kind, sample) for kind, sample in self.cache.get(line, ()))
        found.sort(key=lambda f: f.line)
        return found


# --- generated text -------------------------------------------------------------------

def text_of(*pieces: str, max_size: int = 60):
    """Text made of the given pieces (characters or words), plus any character now and then."""
    piece = st.sampled_from(pieces)
    return st.lists(st.one_of(piece, piece, piece, st.characters()), max_size=max_size).map("".join)


def runs_of(alphabet: str, low: int, high: int):
    return st.text(alphabet=alphabet, min_size=low, max_size=high)


def joined(*parts):
    """The parts one after another, each drawn from its strategy (or taken as written)."""
    return st.tuples(*(st.just(p) if isinstance(p, str) else p for p in parts)).map("".join)


def planted_text():
    """Personal data in its written forms, among the characters around it."""
    item = st.builds(lambda rng, kind: "".join(plant(rng, kind)[1:][::-1]),
                     st.randoms(use_true_random=False), st.sampled_from(sorted(PLANTERS)))
    glue = st.sampled_from(["，", "。", "称", "驾驶", "（男，", " ", "\n", "\u200b", "、", "乘客", "号", "路"])
    return st.lists(item | glue, max_size=12).map("".join)


def mixed(*shapes):
    """Several of the shapes (and loose characters) in a row."""
    return st.lists(st.one_of(*shapes, st.characters()), max_size=8).map("".join)


CN_NUMBERS = "0123456789一二三四五六七八九十零〇"
HAN = "张王李欧阳司马某三丰明华伟芳于高车路号室"
HOUSE = mixed(
    joined(st.sampled_from(["", "路", "街", "同", "A", "小区", "花园", "苑", "府", "经十", "，"]),
           runs_of(CN_NUMBERS, 1, 5), st.sampled_from(["", "-", "-1", "-12"]),
           st.sampled_from(["号", "号楼", "号院", "栋", "幢", "单元", "层", "楼", "楼梯", "室", "户", "房间", "附3号", "-", ""]),
           runs_of(CN_NUMBERS + "-号楼栋单元层室", 0, 6)),
    text_of(*CN_NUMBERS, "-", "号", "栋", "单元", "室", "路", "小区"))
NAMES = mixed(
    joined(runs_of(HAN, 1, 7), st.sampled_from(["（", "(", "，", ","]), st.sampled_from(["", " ", "\t"]),
           st.sampled_from(["男，", "女）", "女、", "身份证", "公民身份", "联系电话", "手机", "电话", "男", "X"])),
    joined(st.sampled_from([",", ".", ";", ":", "!", "?", "，", "。", "；", "：", "、", " ", "\n", "“", '"', "", "x"]),
           runs_of(HAN + "\U00020001", 1, 5),
           st.sampled_from(["驾驶", "称", "承认", "表示", "陈述", "证实", "供述", "介绍", "辩称", "声称", "坦言", "自述", "说"])),
    text_of(*HAN, "当事人", "乘客", "，", "、", "称"))
VIN = mixed(
    joined(st.sampled_from(["", " ", "中", "a", "1", "_", "I", "车架号"]), runs_of("ABCDEFGHJKLMNPRSTUVWXYZabcxyz0123456789", 15, 19),
           st.sampled_from(["", " ", "中", "a", "1", "_", "O", "q"])))
DIGITS = mixed(
    joined(st.sampled_from(["", "电话", "手机", "卡号", "身份证", "号码：", "，", "a", "+", "+ ", "+\n", "++", "0086"]),
           st.lists(runs_of("0123456789零〇一幺二三四五六七八九", 1, 11), min_size=1, max_size=5).flatmap(
               lambda groups: st.tuples(*(st.sampled_from(["", " ", "-", "‐", "~", "  ", "\t"]) for _ in groups))
               .map(lambda seps: "".join(g + sep for g, sep in zip(groups, seps)))),
           st.sampled_from(["", "X", " x", "Xa", "年", "号"])),
    st.sampled_from(["13812345678", "6222021234567890123", "110105199003071234", "0531-12328", "(0531)8888 6666"]))
ATTRS = mixed(
    joined(st.sampled_from([" ", "\n", "<a ", "x", "", "<img\t"]),
           st.sampled_from(["alt", "ALT", "Title", "title", "content", "aria-label", "label", "placeholder", "value",
                            "data-pagefind-meta", "DATA-PAGEFIND-x", "data-pagefind-" + "y" * 24, "data-pagefind-" + "y" * 26,
                            "data-pagefind-" + "y" * 30, "class", "href",
                            "tİtle", "ſrc", "x" * 38 + "alt", ""]),
           st.sampled_from(["", " ", "  " * 20]), st.sampled_from(['="', "=", '"', "='"]),
           runs_of('ab "=<>', 0, 6), st.sampled_from(['"', "", '">'])),
    text_of('="', '"', "=", " ", "alt", "title"))
EXAMPLES = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the detectors --------------------------------------------------------------------

@EXAMPLES
@given(st.one_of(HOUSE, planted_text()))
def test_house_numbers_are_found_where_the_plain_search_finds_them(text):
    norm = D.normalise(text)
    assert [(f.start, f.end) for f in D._houses(text, norm)] == [m.span() for m in D._HOUSE.finditer(norm)]


@EXAMPLES
@given(st.one_of(NAMES, planted_text()))
@example("王小明称他不知道")            # a name that opens the text
@example("，欧阳小明辩称。李四驾驶")
@example("张三丰（男，1985年")
@example("上官小明，联系电话")
def test_name_patterns_match_where_the_plain_search_matches(text):
    norm = D.normalise(text)
    sex = [(m.span(), m.group(1)) for m in D._sex_name_matches(norm)]
    assert sex == [(m.span(), m.group(1)) for m in D._SEX_NAME.finditer(norm)]
    actors = [(m.start(1), m.group(1)) for m in D._actor_matches(norm)]
    assert actors == [(m.start(1), m.group(1)) for m in REF_ACTOR.finditer(norm)]


@EXAMPLES
@given(st.one_of(VIN, planted_text()))
@example("xLSVAU2A37N2183171 ")          # 18 characters: no VIN, nor one inside
@example("车架号LSVAU2A37N2183171，")
def test_vins_match_where_the_lookbehind_first_pattern_matches(text):
    assert [m.span() for m in D._VIN.finditer(text)] == [m.span() for m in REF_VIN.finditer(text)]


@EXAMPLES
@given(st.one_of(DIGITS, planted_text()))
def test_number_runs_and_their_kinds_are_the_plain_ones(text):
    norm = D.normalise(text)
    assert list(D._runs(norm)) == [m.span() for m in REF_RUN.finditer(norm)]
    assert D._numbers(text, norm) == ref_numbers(text, norm)


@EXAMPLES
@given(st.one_of(st.text(), DIGITS, text_of(*"０１２３４５６７８９ＡＢＸｘ！～\u3000（）一二")))
def test_normalise_and_digits_of_are_the_plain_translations(text):
    assert D.normalise(text) == ref_normalise(text)
    assert D.digits_of(text) == ref_digits_of(text)


_DENYLIST = Denylist({"王小明": "name", "13812345678": "phone", "鲁A12345": "plate", "经十路88号": "house_number"})


@EXAMPLES
@given(st.one_of(planted_text(), text_of("王小明", "138", "12345678", "鲁A", "12345", "经十路", "88号", "\u200b", "\xad",
                                         "\ufeff", "\u2060", "，", "当事人", "电话")))
def test_find_leaks_maps_offsets_through_invisible_characters_as_before(text):
    assert find_leaks(text, _DENYLIST) == ref_find_leaks(text, _DENYLIST)
    assert find_leaks(text, None) == ref_find_leaks(text, None)


# --- the leak gate --------------------------------------------------------------------

@EXAMPLES
@given(ATTRS)
@example('<b data-pagefind-' + "y" * 25 + '="v">')     # a 39-character key: the 40-character window holds it
@example('<b data-pagefind-' + "y" * 26 + '="v">')
@example('<b data-pagefind-' + "y" * 27 + '="v">')
@example('<i title="a"alt="b" TITLE ="c">')
def test_readable_attributes_are_lifted_exactly_where_the_plain_loop_lifted_them(text):
    assert G._lift_readable_attributes(text) == ref_lift(text)


TAG_NAMES = (re.search(r"\(\?:(.*?)\)", REF_BLOCK_TAG.pattern).group(1).replace("h[1-6]", "h1").split("|")
             + ["h6", "h7", "a", "span", "pre", "thea", "tables", "lin", "ſcript", "İnput", "lınk", "\u212aey", ""])
TAGS = mixed(
    joined(st.sampled_from(["<", "</", "<<", "x"]),
           st.sampled_from(TAG_NAMES).flatmap(
               lambda name: st.tuples(*(st.sampled_from([c, c.upper()]) for c in name)).map("".join)),
           st.sampled_from(["", ">", " class='x'>", "-x>", "中>", "\n>", "1>", "_>"])),
    text_of("<", ">", "/", "p", "div", "\n"))


@EXAMPLES
@given(TAGS)
def test_block_tags_are_the_plain_alternation(text):
    assert G._BLOCK_TAG.sub(" | ", text) == REF_BLOCK_TAG.sub(" | ", text)


def test_block_tags_are_the_plain_alternation_for_every_name():
    for name in TAG_NAMES:
        for spelled in {name, name.upper(), name.title()}:
            text = "".join(f"{open_}{spelled}{end}" for open_ in ("<", "</") for end in (">", " a>", "x>", "\n>", "-", "中>"))
            assert G._BLOCK_TAG.sub(" | ", text) == REF_BLOCK_TAG.sub(" | ", text), text


def test_attribute_lifting_on_real_markup():
    html = ('<meta name="description" content="王小明的电话"><img alt="照片" src="a.png" title = "题">'
            '<div data-pagefind-meta="title:张三" data-x="no"><input value="v" placeholder="p">'
            '<a aria-label="标签" href="x">x</a><p>a="not an attribute"</p><i TITLE="大写"></i>'
            '<b data-pagefind-filter-with-a-name-longer-than-forty-characters="x" class="c"></b>')
    assert G._lift_readable_attributes(html) == ref_lift(html)
    assert 'content=">王小明的电话<"' in G._lift_readable_attributes(html)


def test_attribute_lifting_stays_linear_on_a_long_chain_of_values():
    text = 'alt="' * 20000
    assert G._lift_readable_attributes(text) == ref_lift(text)


@pytest.fixture(scope="module")
def scanner(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "site").mkdir()
    return G._Scanner(root / "site", root, ())


# Lines that recur, lines whose findings depend on the line before ('当事人' then
# '王小明走了'; a '+' then '13812345678'), and every kind of space.
LINES = st.lists(st.one_of(
    planted_text(), st.sampled_from(["", " ", "\t", "  迷你普法站  ", "案例", "| |", "\u3000\u3000", "当事人", "乘客：",
                                     "王小明走了", "+", "13812345678", "x", "电话 138  1234\t5678", "当事人\xa0王小明称",
                                     "\u2003x\u2003", "a\u3000 \tb", "电话\u3000\u300013812345678"])),
    max_size=25).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(LINES, min_size=1, max_size=6))
def test_line_scan_reports_what_the_per_line_scan_reported(scanner, pages):
    # A fresh cache on both sides, the same pages in the same order: lines seen on an
    # earlier page report what they reported then, as they always did.
    scanner.cache, scanner.flagged = {}, set()
    reference = RefLines(scanner.detect_page)      # pages: both lines of the gate
    for n, page in enumerate(pages + pages[:1]):
        assert scanner._scan_lines(f"p{n}.html", page) == reference.scan(f"p{n}.html", page)


@pytest.mark.parametrize("site", ["/srv/project/site", "site", "/", ".", "/srv/project/site/"])
@pytest.mark.parametrize("path", ["a/b.html", "x", "../sitex/a", "/elsewhere/a.html", "a//b.html"])
def test_shown_paths_are_pathlib_relative_paths(site, path):
    scanner = G._Scanner.__new__(G._Scanner)
    scanner.site_dir, scanner.prefix = Path(site), str(Path(site)) + "/"
    full = Path(site) / path if not path.startswith("/") else Path(path)
    expected = full.relative_to(Path(site)).as_posix() if full.is_relative_to(Path(site)) else str(full)
    assert scanner.shown(full) == expected
