"""Small pure parts of the site build: URLs, slugs, pagination, the leak gate's readers."""
from __future__ import annotations

import gzip

import pytest

from generator.site.leakgate import mask, outside_references, read_text, readable_html
from generator.site.pages import page_url, root_prefix
from generator.site.render import facet_url, law_slug, law_url, paragraphs, slugify
from generator.site.sections.cases import page_window


@pytest.mark.parametrize("path, url, root", [
    ("index.md", "", ""), ("cases/index.md", "cases/", "../"), ("cases/2024-1001.md", "cases/2024-1001/", "../../"),
    ("cases/category/wang-yue-che/page/2/index.md", "cases/category/wang-yue-che/page/2/", "../../../../../"),
])
def test_page_url_and_root_prefix_match_mkdocs_directory_urls(path, url, root):
    assert page_url(path) == url
    assert root_prefix(path) == root


def test_slugs_are_stable_ascii_and_law_titles_share_one_slug():
    assert slugify("网约车") == "wang-yue-che"
    assert slugify("超限超载") == "chao-xian-chao-zai"
    assert slugify("2024") == "2024"
    assert law_slug("《中华人民共和国道路运输条例》") == law_slug("道路运输条例") == "dao-lu-yun-shu-tiao-li"
    assert law_url("中华人民共和国行政处罚法", "33") == "laws/xing-zheng-chu-fa-fa/#a33"
    assert facet_url("category", "网约车", 3) == "cases/category/wang-yue-che/page/3/"
    assert facet_url("") == "cases/"


def test_paragraphs_escape_every_line():
    assert str(paragraphs("a<b>\n\n  c&d ")) == "<p>a&lt;b&gt;</p><p>c&amp;d</p>"


def test_page_window_keeps_first_last_and_neighbours():
    assert page_window(1, 1) == [1]
    assert page_window(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_window(2, 4) == [1, 2, 3, 4]


def test_mask_never_shows_the_whole_datum():
    assert mask("13812345678") == "13*********"
    assert mask("王小明") == "王**"
    assert mask("370102199003071232") == "370***************"


def test_outside_references_find_loads_and_links_but_not_text():
    html = ('<p>见 https://www.gov.cn 说明</p><img src="https://cdn.example.com/a.png">'
            '<a href="//evil.example.org/x">x</a><a href="http://127.0.0.1:8000/">local</a>'
            '<script>// a comment with //double slashes\nfetch("https://api.example.io/t")</script>'
            '<style>@import "https://fonts.googleapis.com/css"; b{background:url(http://img.example.com/b.png)}</style>'
            '<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    found = [(how, url) for _, how, url in outside_references(html)]
    assert found == [
        ("html-attribute", "https://cdn.example.com/a.png"),
        ("html-attribute", "//evil.example.org/x"),
        ("script-load", "https://api.example.io/t"),
        ("css-import", "https://fonts.googleapis.com/css"),
        ("css-url", "http://img.example.com/b.png"),
    ]
    assert outside_references('<img src="https://pufa.example.gov.cn/a.png">', ["pufa.example.gov.cn"]) == []


def test_readable_html_keeps_text_and_lines_but_not_drawings():
    html = ('<html>\n<svg viewBox="0 0 24 24"><path d="M13 81234 5678 0 3 1.4"/></svg>\n'
            '<table><tr><td>6222</td><td>0210</td><td>0011</td><td>2233</td></tr></table>\n'
            '<p>电话138<b>1234</b>5678</p>\n<img alt="王小明的照片" src="x.png">\n</html>')
    lines = readable_html(html).split("\n")
    assert len(lines) == 6
    assert "M13" not in lines[1]
    assert "6222021000112233" not in lines[2].replace(" ", ""), "table cells are not one bank card number"
    assert "电话13812345678" in lines[3]
    assert "王小明的照片" in lines[4]


def test_read_text_decompresses_pagefind_chunks(tmp_path):
    chunk = tmp_path / "en_abc.pf_fragment"
    chunk.write_bytes(gzip.compress(b'pagefind_dcd{"content":"\xe7\x94\xb5\xe8\xaf\x9d 13812345678"}'))
    assert "电话 13812345678" in read_text(chunk)
    assert read_text(tmp_path / "x.png") is None


def test_serve_notices_a_changed_record(tmp_path):
    import shutil
    from pathlib import Path

    from generator.config import load_config
    from generator.site.serve import _inputs_signature

    project = tmp_path / "p"
    shutil.copytree(Path(__file__).parent / "data" / "mini-project", project)
    config = load_config(project)
    before = _inputs_signature(config)
    assert before == _inputs_signature(config)
    case = project / "cases_public" / "2024-0001.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _inputs_signature(config) != before


def test_settings_read_mkdocs_yml_with_mkdocs_only_tags(tmp_path):
    from generator.config import load_config
    from generator.site.model import _settings

    (tmp_path / "mkdocs.yml").write_text(
        "site_name: 测试站\nsite_url: https://pufa.example.gov.cn/\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "extra:\n  token: !ENV [PUFA_TOKEN, '']\n", encoding="utf-8")
    settings = _settings(load_config(tmp_path))
    assert (settings.site_name, settings.site_url) == ("测试站", "https://pufa.example.gov.cn/")


def test_build_refuses_a_transcript_whose_annotation_save_was_interrupted(tmp_path):
    from generator.errors import ProblemCollector
    from generator.site.model import load_transcripts

    folder = tmp_path / "transcripts" / "live-1"
    folder.mkdir(parents=True)
    (folder / "meta.yaml").write_text("id: live-1\nkind: livestream\ntitle: 直播\n", encoding="utf-8")
    problems = ProblemCollector()
    assert [f.id for f in load_transcripts(tmp_path / "transcripts", problems)] == ["live-1"]
    (folder / ".pending-save.json").write_text("{}", encoding="utf-8")
    problems = ProblemCollector()
    assert load_transcripts(tmp_path / "transcripts", problems) == []
    assert [str(p) for p in problems.problems] == [
        f"{folder / '.pending-save.json'}: an annotation save was interrupted and is not finished "
        "(open 'pufa annotate' once (it completes or discards the save), then build again)"]


def test_the_filter_index_holds_one_letter_a_case_and_two_past_52_values():
    """cases/filters.json: per facet, each case's value number as letters (never digits, so
    the leak gate cannot read a column as a number), decoded here as pufa-filters.js does."""
    import datetime as dt
    import json
    from types import SimpleNamespace

    from generator.site.sections.cases import (COLUMN_ALPHABET, FacetBar, FacetOption, filter_index_view,
                                               render_filter_index)

    cases = [SimpleNamespace(category=f"类别{n % 60}", year=2020 + n % 3, discretion="从轻处罚", handling="简易程序",
                             date=dt.date(2024, 1, 1)) for n in range(130)]
    bar = tuple(FacetBar(name, name, tuple(FacetOption(v, 0) for v in values)) for name, values in (
        ("category", [f"类别{n}" for n in range(60)]), ("year", ["2022", "2021", "2020"]),
        ("discretion", ["从轻处罚"]), ("handling", ["简易程序"])))
    data = json.loads(render_filter_index(filter_index_view(cases, bar)))
    assert data["total"] == 130 and data["widths"] == {"category": 2, "year": 1, "discretion": 1, "handling": 1}
    assert not any(ch.isdigit() for column in data["columns"].values() for ch in column)
    size = len(COLUMN_ALPHABET)

    def decode(name):
        column, width = data["columns"][name], data["widths"][name]
        numbers = [COLUMN_ALPHABET.index(column[i * width + k]) for i in range(data["total"]) for k in range(width)]
        return [numbers[i] * size + numbers[i + 1] for i in range(0, len(numbers), 2)] if width == 2 else numbers

    assert [data["values"]["category"][n][0] for n in decode("category")] == [c.category for c in cases]
    assert [data["values"]["year"][n][0] for n in decode("year")] == [str(c.year) for c in cases]
