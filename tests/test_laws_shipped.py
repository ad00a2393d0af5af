"""The laws pufa ships as package data: a new project cites them with nothing copied; a
project's own data/laws/ adds laws or overrides a shipped one; a law file that does not
parse names the file and what to do; law pages link an official source for articles
whose text the project lacks, and the build lists those articles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from generator.site.lawbook import BUNDLED_LAWS, load_lawbook
from generator.site.render import law_slug

CASE = """id: {id}
title: {title}
category: 道路运输
date: '2024-0{month}-10'
place: 历城区某路段
cause: 测试用案由
facts: 当事人某某驾驶车辆从事运输，经查证属实。
legal_basis:
{basis}
decision: 罚款一万元
fine_yuan: 10000
discretion: 一般处罚
handling: 简易程序
explanation: 依法处理。
"""


def approve(root) -> None:
    """Where this pufa has the review step, staff approve the cases a test wrote (only
    approved cases are published there); elsewhere every case is published anyway."""
    try:
        import generator.review.approvals  # noqa: F401
    except ImportError:
        return
    assert main(["review", "--project", str(root), "--approve-all", "--by", "测试"]) == 0



def write_case(root: Path, case_id: str, month: int, *citations: tuple[str, str]) -> Path:
    basis = "\n".join(f"- law: {law}\n  article: {article}" for law, article in citations)
    path = root / "cases_public" / f"{case_id}.yaml"
    path.write_text(CASE.format(id=case_id, title=f"{'甲乙丙丁'[month - 1]}某违规运输案", month=month, basis=basis), encoding="utf-8")
    return path


def page(root: Path, url: str) -> str:
    return (root / "site" / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    """A new project citing shipped laws, one overridden by the project, one the project
    adds, and a shipped rule without text; built once."""
    root = tmp_path_factory.mktemp("laws") / "bureau"
    assert main(["init", str(root)]) == 0
    write_case(root, "2024-0101", 1, ("《中华人民共和国道路运输条例》", "第六十三条"),
               ("《行政处罚法》", "第三十二条"))                       # the short form of a shipped title
    write_case(root, "2024-0102", 2, ("《巡游出租汽车经营服务管理规定》", "第四十八条"),
               ("《某市客运出租汽车管理条例》", "第二条"))
    laws = root / "data" / "laws"
    shipped = (BUNDLED_LAWS / "gonglu-fa-2017.md").read_text(encoding="utf-8")
    assert "第一条 为了加强公路的建设和管理" in shipped
    (laws / "gonglu-fa-2017.md").write_text(shipped.replace("第一条 为了加强公路的建设和管理",
                                                            "第一条 本项目自己的版本：为了加强公路的建设和管理"),
                                            encoding="utf-8")
    (laws / "moushi-chuzu-2020.md").write_text(
        "# 某市客运出租汽车管理条例\n\n2020年1月1日 某市人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n"
        "## 第一章　总则\n\n第一条　为了规范客运出租汽车经营。\n\n第二条　本条例适用于本市行政区域。\n",
        encoding="utf-8")
    (laws / "catalog.yaml").write_text(
        "laws:\n  - title: 某市客运出租汽车管理条例\n    file: moushi-chuzu-2020.md\n    kind: 地方性法规\n"
        "    issuer: 某市人民代表大会常务委员会\n    source_url: https://www.moushi.gov.cn/fg/1.html\n",
        encoding="utf-8")
    approve(root)
    assert main(["build", "--project", str(root), "--quiet"]) == 0
    return root


def test_a_new_project_shows_the_text_of_shipped_laws(bureau):
    html = page(bureau, f"laws/{law_slug('中华人民共和国道路运输条例')}")
    block = re.search(r'id="a63">(.*?)</section>', html, re.S).group(1)
    assert "第六十三条" in block and "违反本条例的规定，有下列情形之一的" in block
    assert "本站收录文本：2023-07-20 版，来源：国家法律法规数据库" in html
    case = page(bureau, "cases/2024-0101")
    assert f'href="../../laws/{law_slug("中华人民共和国行政处罚法")}/#a32"' in case, "the short form is the same law"


def test_a_project_text_overrides_the_shipped_one(bureau):
    assert (bureau / "site" / "laws" / law_slug("中华人民共和国公路法")).is_dir(), "the project's own laws always get a page"
    html = page(bureau, f"laws/{law_slug('中华人民共和国公路法')}")
    assert "本项目自己的版本：为了加强公路的建设和管理" in html


def test_a_project_adds_its_own_local_regulation(bureau):
    html = page(bureau, f"laws/{law_slug('某市客运出租汽车管理条例')}")
    assert "本条例适用于本市行政区域。" in html


def test_shipped_laws_nobody_cites_get_no_page(bureau):
    published = {p.name for p in (bureau / "site" / "laws").iterdir() if p.is_dir()}
    assert law_slug("中华人民共和国行政强制法") not in published
    assert law_slug("济南市城市公共交通条例") not in published
    assert law_slug("中华人民共和国道路运输条例") in published


def test_article_without_text_says_so_and_links_the_official_source(bureau):
    html = page(bureau, f"laws/{law_slug('巡游出租汽车经营服务管理规定')}")
    block = re.search(r'id="a48">(.*?)</section>', html, re.S).group(1)
    assert ('本站未收录该条文原文，请到<a href="https://xxgk.mot.gov.cn/" rel="external noopener">'
            '交通运输部政府信息公开</a>查阅。') in block
    assert "<script" not in block and "src=" not in block, "a plain link: nothing loaded from outside"


def test_build_lists_cited_articles_without_text(tmp_path, capsys):
    root = tmp_path / "b"
    assert main(["init", str(root)]) == 0
    write_case(root, "2024-0101", 1, ("《巡游出租汽车经营服务管理规定》", "第四十八条"))
    write_case(root, "2024-0102", 2, ("《巡游出租汽车经营服务管理规定》", "第四十八条"),
               ("《超限运输车辆行驶公路管理规定》", "第四十三条"))
    approve(root)
    capsys.readouterr()
    assert main(["build", "--project", str(root), "--quiet"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: cited without text: 《超限运输车辆行驶公路管理规定》 第四十三条 (1 件案例) (add its text as "
        "data/laws/<name>.md and 'file:' in data/laws/catalog.yaml; official text: https://xxgk.mot.gov.cn/)",
        "note: cited without text: 《巡游出租汽车经营服务管理规定》 第四十八条 (2 件案例) (add its text as "
        "data/laws/<name>.md and 'file:' in data/laws/catalog.yaml; official text: https://xxgk.mot.gov.cn/)"]


def test_every_shipped_law_parses_and_the_catalog_names_its_version():
    book = load_lawbook(Path("/nonexistent"))
    assert book.edition
    with_text = [law for law in book.laws.values() if law.text]
    assert len(with_text) == 10
    for law in with_text:
        assert law.version and law.source_url.startswith("https://") and len(law.text.articles) > 10, law.title
        assert law.text.slug.endswith(law.version[:4]), "the file name carries the version's year"


# ── bad law files ────────────────────────────────────────────────────────────

def _refused(tmp_path, capsys, name: str, text: str, catalog: str | None = None) -> list[str]:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    (root / "data" / "laws" / name).write_text(text, encoding="utf-8")
    if catalog is not None:
        (root / "data" / "laws" / "catalog.yaml").write_text(catalog, encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--project", str(root), "--quiet"]) == 2
    assert not (root / "site").exists()
    return [line.replace(str(root), "{p}") for line in capsys.readouterr().err.splitlines()]


def test_law_file_with_a_repeated_article_names_file_and_line(tmp_path, capsys):
    text = "# 某条例\n\n通过\n\n<!-- INFO END -->\n\n第一条　甲。\n\n第二条　乙。\n\n第二条　丙。\n"
    assert _refused(tmp_path, capsys, "x.md", text) == [
        "pufa build: error: {p}/data/laws/x.md:11: 第二条 appears twice (first at line 9) (remove the repeated "
        "article; each line starting with 第X条 begins an article)"]


def test_law_file_without_the_info_end_line_says_what_to_add(tmp_path, capsys):
    text = "# 某条例\n\n通过\n\n第一条　甲。\n"
    assert _refused(tmp_path, capsys, "x.md", text) == [
        "pufa build: error: {p}/data/laws/x.md:5: no articles found: the law text does not follow the law file "
        "format (put '<!-- INFO END -->' on the line after the adoption history; format: docs/site.md, 法律全文)"]


def test_catalog_source_must_be_an_official_address(tmp_path, capsys):
    text = "# 某条例\n\n通过\n\n<!-- INFO END -->\n\n第一条　甲。\n"
    catalog = "laws:\n  - title: 某条例\n    file: x.md\n    source_url: https://example.com/law\n"
    assert _refused(tmp_path, capsys, "x.md", text, catalog) == [
        "pufa build: error: {p}/data/laws/catalog.yaml:4: laws[0].source_url: 'https://example.com/law' is not an "
        "official address (give the http(s) address of the text on a gov.cn site, or leave source_url out)"]
