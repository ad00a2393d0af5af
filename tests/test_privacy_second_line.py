"""Issue 14, item 5: the leak gate's second line finds what the first line (the importer's
detectors) misses — names not in X某 form where a person stands, unexplained runs of 7+
digits — passes published content, and every finding, one in a Pagefind fragment too,
names its page and the record and field it came from."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from generator.privacy.detect import scan_text
from generator.privacy.second_line import scan
from generator.site.leakgate import check_site


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text)]


@pytest.mark.parametrize("text, expected", [
    ("当事人王小明驾驶车辆", [("name?", "王小明")]),
    ("证人张伟作为见证人在场", [("name?", "张伟")]),
    ("阿依古丽·买买提到场", [("name?", "阿依古丽·买买提到场")]),
    ("编号7312345678", [("digits?", "7312345678")]),
    ("号码138 1234 5678", [("digits?", "138 1234 5678")]),
    ("号码138\u200b1234\u200b5678", [("digits?", "138\u200b1234\u200b5678")]),
    ("号码１３８１２３４５６７８", [("digits?", "１３８１２３４５６７８")]),
    ("我的电话是幺三八幺二三四五六七八", [("digits?", "幺三八幺二三四五六七八")]),
    ("诸葛某的哥哥诸葛明也在车上", [("name?", "诸葛明")]),       # kin word; 明 after a two-character surname
    ("其妻子沈丽娟到场", [("name?", "沈丽娟")]),
    ("乘客王女士投诉，驾驶员李师傅称", []),                        # surname + form of address: the convention
])
def test_the_second_line_finds_names_and_long_numbers(text, expected):
    assert found(text) == expected


def test_a_number_in_a_csv_row_without_a_unit_after_it_is_still_found():
    assert found("a,b,13812345678,c") == [("digits?", "13812345678")]


def test_the_second_line_finds_what_the_first_line_misses():
    text = "编号7312345678"
    assert scan_text(text) == [] and found(text) == [("digits?", "7312345678")]


@pytest.mark.parametrize("text", [
    "济交执罚〔2024〕1001号，2024-03-05，罚款2000元，拨打12328或0531-12328，第三十四条",
    "当事人王某驾驶，乘客李某某称，证人张某甲在场，当事人于当日到案，驾驶员高速行驶",
    "《中华人民共和国道路运输条例》，车主刘家庄路，当事人陈述、申辩",
    "坐标36.6512345，金额12345.67元，运距1234567公里，/cases/2024-1001/，2023 2024 2025",
    "鲁ICP备12345678号 网站标识码：3701000012 鲁公网安备 37010202000123号",   # the site's own footer
    "fines-by-category,按类别统计罚款金额,超限超载,2069000,元,330 件",          # open-data CSV: unit in the next column
    " | ‹ 上一页 |  | 1 |  | … |  | 98 |  | 99 |  | 100 | ",                    # a listing's pager (list items)
])
def test_published_content_passes_the_second_line(text):
    assert found(text) == []


def test_a_finding_only_in_a_search_fragment_names_its_page_record_and_field(tmp_path):
    root = tmp_path / "proj"
    site = root / "site"
    (site / "pagefind" / "fragment").mkdir(parents=True)
    (site / "index.html").write_text("<html><body><p>首页</p></body></html>", encoding="utf-8")
    fragment = {"url": "/cases/2024-1001/", "content": "当事人王某驾驶车辆，编号7312345678。", "meta": {"title": "案例"}}
    (site / "pagefind" / "fragment" / "zh_1.pf_fragment").write_bytes(
        gzip.compress(json.dumps(fragment, ensure_ascii=False).encode("utf-8")))
    (root / "cases_public").mkdir()
    (root / "cases_public" / "2024-1001.yaml").write_text(
        "id: 2024-1001\nfacts: 当事人王某驾驶车辆，编号7312345678。\n", encoding="utf-8")
    report = check_site(site, project_root=root, workers=1)
    assert [str(f) for f in report.findings] == [
        "pagefind/fragment/zh_1.pf_fragment:1: digits?: 73******** "
        "(page /cases/2024-1001/; record cases_public/2024-1001.yaml: facts)"]
