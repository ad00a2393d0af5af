"""A citation of a law no catalog knows is published as a citation (its page says the
text is not included) with a warning naming file, line and the closest known titles;
the short form without 中华人民共和国 and aliases are the same law; `--strict` turns the
warnings into errors for CI, leaving site/ as it was."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.site.lawbook import load_lawbook
from generator.site.render import law_slug

MINI = Path(__file__).parent / "data" / "mini-project"


def approve(root) -> None:
    """Where this pufa has the review step, staff approve the cases a test wrote (only
    approved cases are published there); elsewhere every case is published anyway."""
    try:
        import generator.review.approvals  # noqa: F401
    except ImportError:
        return
    assert main(["review", "--project", str(root), "--approve-all", "--by", "测试"]) == 0


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


WARNING = ("{f}:9: legal_basis[0].law: unknown law 《济南市客运出租汽车管理条例》: published as a citation, its text is "
           "not included; closest known: {closest} (check the title, or add the law to data/laws/catalog.yaml (its "
           "text to data/laws/))")


def test_unknown_law_is_published_as_a_citation_with_a_warning(project, capsys):
    case = project / "cases_public" / "2024-0002.yaml"
    edit(case, "law: 《中华人民共和国行政处罚法》", "law: 《济南市客运出租汽车管理条例》")
    approve(project)
    capsys.readouterr()
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    closest = load_lawbook(project / "data" / "laws").closest("济南市客运出租汽车管理条例")
    assert {"济南市城市公共交通条例", "巡游出租汽车经营服务管理规定"} <= set(closest)
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: " + WARNING.format(f=case, closest="、".join(f"《{t}》" for t in closest))]
    slug = law_slug("济南市客运出租汽车管理条例")
    html = (project / "site" / "cases" / "2024-0002" / "index.html").read_text(encoding="utf-8")
    assert f'href="../../laws/{slug}/#a33"' in html
    law = (project / "site" / "laws" / slug / "index.html").read_text(encoding="utf-8")
    assert "本站暂未收录该法律法规全文" in law and "本站未收录该条文原文。" in law
    assert "第三十三条" in law


def test_strict_makes_the_warning_an_error_and_keeps_the_site(project, capsys):
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    before = tree_digest(project / "site")
    case = project / "cases_public" / "2024-0002.yaml"
    edit(case, "law: 《中华人民共和国行政处罚法》", "law: 《济南市客运出租汽车管理条例》")
    approve(project)
    capsys.readouterr()
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet", "--strict")
    closest = load_lawbook(project / "data" / "laws").closest("济南市客运出租汽车管理条例")
    assert code == 2
    assert err.splitlines() == [
        "pufa build: error: " + WARNING.format(f=case, closest="、".join(f"《{t}》" for t in closest)),
        "pufa build: error: --strict: warnings are errors with --strict: the site was NOT built "
        "(fix the warnings above, or build without --strict)"]
    assert tree_digest(project / "site") == before


def test_short_form_and_alias_are_the_same_law_without_warning(project, capsys):
    case = project / "cases_public" / "2024-0002.yaml"
    edit(case, "law: 《中华人民共和国行政处罚法》", "law: 《道路运输条例》")
    edit(case, "article: 第三十三条", "article: 第六十三条")
    edit(case, "law: 《网络预约出租汽车经营服务管理暂行办法》", "law: 《网约车管理暂行办法》")
    approve(project)
    capsys.readouterr()
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet", "--strict")
    assert code == 0, err
    assert "warning:" not in out
    html = (project / "site" / "cases" / "2024-0002" / "index.html").read_text(encoding="utf-8")
    assert f'href="../../laws/{law_slug("中华人民共和国道路运输条例")}/#a63"' in html
    assert f'href="../../laws/{law_slug("网络预约出租汽车经营服务管理暂行办法")}/#a34"' in html
