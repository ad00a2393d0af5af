"""Bad content input stops the build with file, line and field, exit 2, and leaves the
previous site untouched."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "data" / "content-project"


@pytest.fixture
def project(tmp_path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(PROJECT, dest)
    shutil.copytree(ROOT / "data" / "laws", dest / "data" / "laws")
    (dest / "media").mkdir()
    shutil.copyfile(ROOT / "tests" / "data" / "video" / "demo-livestream.mp4", dest / "media" / "demo.mp4")
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build(project: Path, capsys) -> tuple[int, list[str]]:
    code = main(["build", "--project", str(project), "--quiet"])
    return code, capsys.readouterr().err.splitlines()


def test_episode_pointing_to_a_missing_media_file(project, capsys):
    edit(project / "data/episodes.yaml", "media: media/demo.mp4", "media: media/missing.mp4")
    code, errors = build(project, capsys)
    assert code == 2
    assert errors == [f"pufa build: error: {project}/data/episodes.yaml:19: episodes[1].media: media file "
                      "'media/missing.mp4' does not exist (put the video in the project or remove 'media:')"]


def test_episode_media_given_as_an_outside_url(project, capsys):
    edit(project / "data/episodes.yaml", "media: media/demo.mp4", "media: https://v.qq.com/x/abc.mp4")
    code, errors = build(project, capsys)
    assert code == 2
    assert errors == [f"pufa build: error: {project}/data/episodes.yaml:19: episodes[1].media: media "
                      "'https://v.qq.com/x/abc.mp4' is a URL: videos must be files in the project (self-hosted) "
                      "(download it into media/ and give its path)"]


def test_episode_media_that_cannot_be_decoded(project, capsys):
    shutil.copyfile(ROOT / "tests/data/video/truncated.mp4", project / "media/demo.mp4")
    code, errors = build(project, capsys)
    assert code == 2
    assert len(errors) == 1
    assert errors[0].startswith(f"pufa build: error: {project}/data/episodes.yaml:19: episodes[1].media: ")
    assert "demo.mp4" in errors[0]
    assert not (project / "site").exists()


def test_lesson_citing_a_case_that_does_not_exist(project, capsys):
    edit(project / "data/lessons.yaml", "cases: [2024-0001]", "cases: [2024-0001, 2024-9999]")
    code, errors = build(project, capsys)
    assert code == 2
    assert errors == [f"pufa build: error: {project}/data/lessons.yaml:13: lessons[0].cases[1]: unknown case id "
                      "'2024-9999' (an id of a file in cases_public/)"]


def test_lesson_citing_unknown_episode_and_item_reports_both(project, capsys):
    edit(project / "data/lessons.yaml", "episodes: [qxh-t03]", "episodes: [qxh-t99]")
    edit(project / "data/lessons.yaml", "discretion_items: [czcf-01]", "discretion_items: [czcf-77]")
    code, errors = build(project, capsys)
    assert code == 2
    assert errors == [
        f"pufa build: error: {project}/data/lessons.yaml:23: lessons[1].episodes[0]: unknown episode id 'qxh-t99' "
        "(an id of data/episodes.yaml)",
        f"pufa build: error: {project}/data/lessons.yaml:25: lessons[1].discretion_items[0]: unknown discretion "
        "item id 'czcf-77' (an id of data/discretion.yaml)"]


def test_discretion_item_without_legal_basis(project, capsys):
    edit(project / "data/discretion.yaml",
         "    legal_basis:\n      - {law: 《中华人民共和国行政处罚法》, article: 第三十三条}\n    outcome: 不予行政处罚",
         "    outcome: 不予行政处罚")
    code, errors = build(project, capsys)
    assert code == 2
    # The list does not load, so cases citing its items are reported too; this comes first.
    assert errors[0] == (f"pufa build: error: {project}/data/discretion.yaml:3: items[0].legal_basis: required "
                         "field is missing or empty (add e.g. legal_basis: [{law: 《中华人民共和国道路运输条例》, "
                         "article: 第六十三条}])")


def test_episode_transcript_folder_missing(project, capsys):
    shutil.rmtree(project / "transcripts/qxh-t02")
    code, errors = build(project, capsys)
    assert code == 2
    assert errors == [f"pufa build: error: {project}/data/episodes.yaml:20: episodes[1].transcript: no transcript "
                      "folder transcripts/qxh-t02/"]


def test_a_failed_build_leaves_the_previous_site_as_it_was(project, capsys):
    assert build(project, capsys)[0] == 0
    before = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    edit(project / "data/episodes.yaml", "media: media/demo.mp4", "media: media/missing.mp4")
    assert build(project, capsys)[0] == 2
    after = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before
