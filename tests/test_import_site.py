"""From an office export to a built site: not one personal datum in any file of the
site, the search index included (its gzip files are opened and read)."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "raw" / "典型案例导出-2024.xlsx"
PERSONAL = ["孙丽娜", "赵明亮", "马建国", "王海燕", "王晓东", "欧阳国庆", "刘建华", "周涛", "李秀英", "张伟", "吴敏",
            "陈志强", "于海洋", "370102198803152322", "13905310001", "6217001234567890122", "LZZ1CLVB7KA123458",
            "D52718", "7K391", "63255", "T8803", "F09876", "117号5号楼", "3-1-402", "经七路88号"]


def site_texts(site: Path):
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        # Pagefind separates words with zero-width spaces (孙\u200b丽娜): read past them.
        yield path, data.decode("utf-8", "replace").replace("\u200b", "")


@pytest.mark.slow
def test_an_imported_export_builds_a_site_without_personal_data(tmp_path, capsys):
    project = tmp_path / "proj"
    assert main(["init", str(project)]) == 0
    shutil.copytree(ROOT / "data" / "laws", project / "data" / "laws", dirs_exist_ok=True)
    assert main(["import-cases", str(DEMO), "--into", str(project / "cases_public")]) == 0
    assert main(["review", "--project", str(project), "--approve-all", "--by", "测试"]) == 0
    assert main(["build", "--project", str(project), "--quiet"]) == 0, capsys.readouterr().err
    site = project / "site"
    assert (site / "cases" / "2024-2101" / "index.html").exists()
    pages = 0
    for path, text in site_texts(site):
        pages += path.suffix == ".html"
        leaked = [value for value in PERSONAL if value in text]
        assert leaked == [], path.relative_to(site)
    assert pages > 6
    index = "".join(text for path, text in site_texts(site / "pagefind") if "fragment" in path.parts)
    assert "孙某未取得网约车驾驶员证" in index   # the search index holds the published text
    assert not any((site / name).exists() for name in ("reports", ".pufa-private"))
