"""`pufa build` on the mini project: a real mkdocs build, real Pagefind, the real leak gate.

Bad input must stop the build with file:line: field: message, exit non-zero and leave the
previous site/ byte-identical.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.site.render import law_slug
from generator.review.approvals import approve_all

MINI = Path(__file__).parent / "data" / "mini-project"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The mini project, built once for the read-only tests of this module."""
    project = tmp_path_factory.mktemp("built") / "mini"
    shutil.copytree(MINI, project)
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    return project


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh, already built copy of the mini project that a test may break."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    assert main(["build", "--project", str(dest), "--quiet"]) == 0
    return dest


def page(project: Path, url: str) -> str:
    return (project / "site" / url / "index.html").read_text(encoding="utf-8")


# ── what a good build produces ───────────────────────────────────────────────


def test_build_writes_home_listing_case_law_and_search_pages(built):
    site = built / "site"
    for url in ("", "cases/", "cases/2024-0001/", "laws/", f"laws/{law_slug('网络预约出租汽车经营服务管理暂行办法')}/",
                "search/", "cases/category/wang-yue-che/", "cases/year/2023/", "cases/discretion/bu-yu-chu-fa/",
                "cases/handling/shou-wei-bu-fa/"):
        assert (site / url / "index.html").is_file(), url
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert list((site / "pagefind").glob("fragment/*.pf_fragment"))
    assert not (site / "search" / "search_index.json").exists(), "Material's search plugin must stay off"


def test_case_page_has_every_section_and_links_its_law_article(built):
    html = page(built, "cases/2024-0002")
    for heading in ("基本案情", "处罚依据", "处罚决定", "执法人员说法", "相关案例"):
        assert f"<h2>{heading}</h2>" in html
    # 第三十三条 of the 行政处罚法 links to its anchor on the law page, with the article's real text
    assert f'href="../../laws/{law_slug("中华人民共和国行政处罚法")}/#a33"' in html
    assert "初次违法且危害后果轻微并及时改正的，可以不予行政处罚" in html
    assert 'href="../../cases/2024-0001/"' in html, "the other 网约车 case is related"


def test_law_page_shows_cited_article_text_and_citing_cases(built):
    html = page(built, f"laws/{law_slug('中华人民共和国道路运输条例')}")
    block = re.search(r'<section class="pufa-article-block pufa-article-block--cited" id="a63">(.*?)</section>', html, re.S)
    assert block, "第六十三条 is cited and marked"
    assert "未取得道路运输经营许可，擅自从事道路客运经营" in block.group(1)
    assert 'href="../../cases/2023-0004/"' in block.group(1)


def test_law_known_by_title_only_gets_a_page_with_its_citations(built):
    html = page(built, f"laws/{law_slug('网络预约出租汽车经营服务管理暂行办法')}")
    assert "本站暂未收录该规章全文" in html
    assert 'id="a34"' in html and 'href="../../cases/2024-0001/"' in html


def test_case_pages_stay_out_of_the_nav(built):
    home = page(built, "")
    assert "cases/2024-0001/" not in home.split('<div class="pufa-page"')[0], "a case page leaked into the nav"


def test_listing_facets_narrow_the_cases(built):
    html = page(built, "cases/category/wang-yue-che")
    listed = re.findall(r'class="pufa-card__title" href="../../../([^"]+)"', html)
    assert listed == ["cases/2024-0002/", "cases/2024-0001/"], "newest first, only 网约车"
    assert "共 2 件" in html


def test_every_page_carries_title_description_and_a_self_hosted_share_image(built):
    for html_path in sorted((built / "site").rglob("*.html")):
        html = html_path.read_text(encoding="utf-8")
        if html_path.name == "404.html":
            continue
        assert "<title>" in html, html_path
        assert re.search(r'<meta name="description" content="[^"]+"', html), html_path
        image = re.search(r'<meta property="og:image" content="([^"]+)"', html)
        assert image and image.group(1).endswith("assets/pufa/img/share.png"), html_path
        target = (html_path.parent / image.group(1)).resolve()
        assert target.is_file(), f"{html_path}: share image {image.group(1)} does not exist"


def test_no_page_references_an_outside_host(built, capsys):
    code, out, err = run(capsys, "check", str(built / "site"))
    assert code == 0, err
    assert "no personal data, no outside references" in out


def test_two_builds_of_the_same_input_are_byte_identical(built, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(MINI, again)
    assert main(["build", "--project", str(again), "--quiet"]) == 0
    first, second = tree_digest(built / "site"), tree_digest(again / "site")
    # Pagefind names its filter chunks by a hash of an unordered map, and the sitemap
    # carries the build date: the only parts we cannot make deterministic.
    unstable = re.compile(r"^pagefind/(filter/|pagefind-entry\.json$|pagefind\.[\w-]+\.pf_meta$)|^sitemap\.xml")
    assert {k: v for k, v in first.items() if not unstable.match(k)} == \
           {k: v for k, v in second.items() if not unstable.match(k)}


def test_listing_is_paginated_twenty_cases_a_page(tmp_path, capsys):
    project = tmp_path / "many"
    shutil.copytree(MINI, project)
    template = (project / "cases_public" / "2024-0001.yaml").read_text(encoding="utf-8")
    for n in range(45):
        text = template.replace("id: 2024-0001", f"id: 2022-{n:04d}").replace("'2024-03-05'", f"'2022-01-{n % 28 + 1:02d}'")
        (project / "cases_public" / f"2022-{n:04d}.yaml").write_text(text, encoding="utf-8")
    approve_all(project / "cases_public", "测试")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    site = project / "site"
    assert (site / "cases/page/3/index.html").is_file() and not (site / "cases/page/4").exists()  # 49 cases
    first = (site / "cases/index.html").read_text(encoding="utf-8")
    assert first.count('class="pufa-card__title"') == 20
    assert 'rel="next" href="../cases/page/2/"' in first or 'href="../cases/page/2/"' in first
    assert (site / "cases/category/wang-yue-che/page/3/index.html").is_file()  # 47 网约车 cases


# ── record text is escaped ────────────────────────────────────────────────────

INJECTION = '<script>alert(1)</script> <img src=x onerror=alert(2)> [点我](javascript:alert(3)) **粗体**'


def test_markup_in_a_record_shows_as_text(tmp_path, capsys):
    project = tmp_path / "inj"
    shutil.copytree(MINI, project)
    case = project / "cases_public" / "2024-0002.yaml"
    text = case.read_text(encoding="utf-8").replace(
        "facts: 李某初次接单2单即被发现，当场停止营运并承诺办理驾驶员证。",
        f"facts: '{INJECTION}'").replace("title: 李某首次无证从事网约车经营不予处罚案", "title: '李某<b>案</b>\"引号'")
    case.write_text(text, encoding="utf-8")
    approve_all(project / "cases_public", "测试")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    html = page(project, "cases/2024-0002")
    assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html
    assert "javascript:alert(3)" not in re.sub(r">[^<]*<", "><", html), "no javascript: URL in any attribute"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; [点我](javascript:alert(3)) **粗体**" in html
    assert "<strong>粗体</strong>" not in html, "record text never becomes Markdown"
    assert "<title>李某&lt;b&gt;案&lt;/b&gt;&#34;引号 - 迷你普法站</title>" in html
    assert '<b>案</b>' not in html


# ── bad input: exact message, exit code 2, previous site untouched ──────────

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_INPUTS = {
    "malformed-yaml": (
        "2024-0002.yaml", "title: 李某首次无证从事网约车经营不予处罚案", "title: [李某首次无证",
        "{f}:3: YAML syntax error: did not find expected ',' or ']' (fix the YAML syntax at that line)"),
    "missing-field": (
        "2024-0002.yaml", "place: 槐荫区济南西站\n", "",
        "{f}:1: place: required field is missing or empty (add 'place: …')"),
    "wrong-type": (
        "2024-0002.yaml", "fine_yuan: 0", "fine_yuan: 很多",
        "{f}:14: fine_yuan: expected a number, got '很多'"),
    "impossible-date": (
        "2024-0002.yaml", "date: '2024-05-12'", "date: '2023-02-29'",
        "{f}:4: date: '2023-02-29' is not a real date in YYYY-MM-DD form"),
    "law-without-brackets": (
        "2024-0002.yaml", "law: 《中华人民共和国行政处罚法》", "law: 中华人民共和国行政处罚法",
        "{f}:9: legal_basis[0].law: law '中华人民共和国行政处罚法' must be a title in 《》 (e.g. 《中华人民共和国道路运输条例》)"),
    # An unknown law is a warning now (published as a citation): tests/test_laws_unknown.py
    "article-not-in-law": (
        "2024-0002.yaml", "article: 第三十三条", "article: 第九百条",
        "{f}:10: legal_basis[0].article: 《中华人民共和国行政处罚法》 has no 第九百条 "
        "(the text in xingzheng-chufa-fa-2021.md has 86 articles)"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_stops_the_build_with_file_line_field(project, capsys, name):
    file, old, new, expected = BAD_INPUTS[name]
    before = tree_digest(project / "site")
    path = project / "cases_public" / file
    _edit(path, old, new)
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 2
    assert err == f"pufa build: error: {expected.format(f=path)}\n"
    assert tree_digest(project / "site") == before, "site/ must keep the last good build"
    assert not list((project / ".pufa-cache").glob("build-*")), "no half-built tree left behind"


def test_duplicate_case_id_names_both_files(project, capsys):
    dup = project / "cases_public" / "2025-dup.yaml"
    shutil.copyfile(project / "cases_public" / "2024-0001.yaml", dup)
    before = tree_digest(project / "site")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 2
    first = project / "cases_public" / "2024-0001.yaml"
    assert err == (f"pufa build: error: {dup}:1: id: duplicate case id '2024-0001' (also in {first}) "
                   f"(give each case its own id)\n")
    assert tree_digest(project / "site") == before


def test_every_bad_file_is_reported_in_one_run(project, capsys):
    _edit(project / "cases_public" / "2024-0002.yaml", "date: '2024-05-12'", "date: '2024-13-01'")
    _edit(project / "cases_public" / "2023-0004.yaml", "discretion: 减轻处罚", "discretion: 特别处罚")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 2
    assert len(err.splitlines()) == 2
    assert "2023-0004.yaml:14: discretion: '特别处罚' is not one of: 不予处罚 / 从轻处罚 / 减轻处罚 / 一般处罚 / 从重处罚" in err
    assert "2024-0002.yaml:4: date: '2024-13-01' is not a real date" in err


def test_unknown_discretion_item_and_episode_are_cross_reference_errors(project, capsys):
    path = project / "cases_public" / "2024-0002.yaml"
    _edit(path, "discretion: 不予处罚\n", "discretion: 不予处罚\ndiscretion_item: bycf-99\nrelated_episodes: [qxh-404]\n")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 2
    assert err.splitlines() == [
        f"pufa build: error: {path}:16: discretion_item: no discretion item 'bycf-99' in data/discretion.yaml "
        f"(use an id from data/discretion.yaml or remove the field)",
        f"pufa build: error: {path}:17: related_episodes[0]: no episode 'qxh-404' in data/episodes.yaml",
    ]


# ── the leak gate ─────────────────────────────────────────────────────────────

def test_a_planted_phone_number_fails_the_build_and_keeps_the_last_site(project, capsys):
    before = tree_digest(project / "site")
    _edit(project / "cases_public" / "2024-0001.yaml", "经查，该车未取得", "乘客电话13812345678。经查，该车未取得")
    approve_all(project / "cases_public", "测试")      # a reviewer missed it: the leak gate is the second line
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 3
    assert "pufa build: error: cases/2024-0001/index.html:" in err
    assert re.search(r"cases/2024-0001/index\.html:\d+: phone: 13\*{9}", err)
    assert re.search(r"pagefind/fragment/[\w-]+\.pf_fragment:\d+: phone: ", err), "the search index is scanned too"
    assert "13812345678" not in err, "the datum itself is never printed"
    assert tree_digest(project / "site") == before


def test_check_fails_on_a_page_that_loads_from_an_outside_host(built, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(built / "site", site)
    index = site / "index.html"
    html = index.read_text(encoding="utf-8")
    # an outside address as plain text is fine; as a resource or a link it is not
    html = html.replace("</body>", '<p>见 https://www.gov.cn 的说明</p>\n<img src="https://cdn.example.com/x.png">\n'
                                    '<a href="//evil.example.org/p">x</a>\n</body>')
    index.write_text(html, encoding="utf-8")
    (site / "assets" / "pufa" / "css" / "extra.css").write_text(
        '@import "https://fonts.googleapis.com/css?family=Noto";\nbody{background:url(https://img.example.com/a.png)}\n')
    code, out, err = run(capsys, "check", str(site))
    assert code == 3
    lines = out.splitlines()
    line_img = html[:html.index('<img src="https://cdn')].count("\n") + 1
    assert f"index.html:{line_img}: outside:html-attribute: https://cdn.example.com/…" in lines
    assert f"index.html:{line_img + 1}: outside:html-attribute: //evil.example.org/…" in lines
    assert "assets/pufa/css/extra.css:1: outside:css-import: https://fonts.googleapis.com/…" in lines
    assert "assets/pufa/css/extra.css:2: outside:css-url: https://img.example.com/…" in lines
    assert not any("www.gov.cn" in line for line in lines)
    assert lines[-1].startswith("leak gate: 4 finding(s)")


def test_check_reads_public_case_records_too(built, tmp_path, capsys):
    cases = tmp_path / "cases"
    shutil.copytree(MINI / "cases_public", cases)
    _edit(cases / "2023-0004.yaml", "赵某驾驶私家车", "赵某（身份证号370102199003071232）驾驶私家车")
    code, out, err = run(capsys, "check", str(built / "site"), "--cases", str(cases))
    assert code == 3
    assert re.search(r"2023-0004\.yaml:\d+: id_number: 370\*+", out)
    assert "370102199003071232" not in out


# ── init ──────────────────────────────────────────────────────────────────────

def test_init_makes_a_project_that_builds(tmp_path, capsys):
    target = tmp_path / "new"
    code, out, err = run(capsys, "init", str(target))
    assert code == 0 and out == f"created a new pufa project in {target}\n"
    for name in ("mkdocs.yml", "cases_public", "transcripts", "data/laws/catalog.yaml"):
        assert (target / name).exists(), name
    code, out, err = run(capsys, "build", "--project", str(target), "--quiet")
    assert code == 0, err
    assert (target / "site" / "index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    code, out, err = run(capsys, "init", str(tmp_path / "x"))
    assert code == 2
    assert err == f"pufa init: error: {tmp_path / 'x'}: folder exists and is not empty (choose a new folder name)\n"
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"
