"""`pufa init`: a project that builds with no warning, whose data lists validate, and whose
mkdocs.yml explains in Chinese every setting a bureau fills in."""
from __future__ import annotations

import re

import yaml

from generator.cli import main
from generator.records.content import load_discretion, load_episodes, load_lessons
from generator.site.leakgate import outside_references

SETTINGS = ["site_name", "site_description", "site_url", "pufa_organizer", "pufa_hotlines", "pufa_icp",
            "pufa_site_code"]


def test_init_settings_are_each_explained_in_chinese(tmp_path):
    root = tmp_path / "bureau"
    assert main(["init", str(root)]) == 0
    lines = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    for key in SETTINGS:
        [at] = [i for i, line in enumerate(lines) if re.match(rf"\s*{key}:", line)]
        comment = lines[at - 1].strip()
        assert comment.startswith("#") and re.search(r"[\u4e00-\u9fff]{4}", comment), (key, comment)
    data = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    assert data["site_url"] == "" and data["extra"]["pufa_icp"] == "" and data["extra"]["pufa_site_code"] == ""
    assert "ICP 备案号" in "\n".join(lines) and "网站标识码" in "\n".join(lines)


def test_init_lists_validate_and_the_project_builds_strict(tmp_path, capsys):
    root = tmp_path / "bureau"
    assert main(["init", str(root)]) == 0
    assert load_discretion(root / "data" / "discretion.yaml") == []
    assert load_episodes(root / "data" / "episodes.yaml") == []
    assert load_lessons(root / "data" / "lessons.yaml") == []
    capsys.readouterr()
    assert main(["build", "--project", str(root), "--quiet", "--strict"]) == 0
    out = capsys.readouterr().out
    assert "warning:" not in out and "note:" not in out
    assert (root / "site" / "laws" / "index.html").is_file()


def test_leak_gate_lets_through_only_plain_links_to_government_sites():
    assert outside_references('<a href="https://flk.npc.gov.cn/">库</a>') == []
    assert outside_references('<a class="x" href="https://xxgk.mot.gov.cn/a.html" rel="external">部</a>') == []
    assert [how for _, how, _ in outside_references('<link rel="stylesheet" href="https://www.gov.cn/a.css">')] == \
        ["html-attribute"]
    assert [how for _, how, _ in outside_references('<img src="https://www.gov.cn/a.png">')] == ["html-attribute"]
    assert [how for _, how, _ in outside_references('<a href="https://gov.cn.example.com/">x</a>')] == \
        ["html-attribute"]
    assert [how for _, how, _ in outside_references('<script src="https://flk.npc.gov.cn/x.js"></script>')] == \
        ["html-attribute"]
