"""`pufa doctor`: the installation and the project, one line per check with what to do,
exit 1 only when something stops pufa from working."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent

CASE = """id: 2024-0101
title: 甲某未取得从业资格证从事道路货物运输案
category: 道路运输
date: '2024-03-10'
place: 历城区某路段
cause: 未取得从业资格证从事道路货物运输
facts: 当事人甲某驾驶货车从事道路货物运输，未取得从业资格证。
legal_basis:
- law: 《巡游出租汽车经营服务管理规定》
  article: 第四十八条
- law: 《某市货运管理办法》
  article: 第九条
decision: 罚款二百元
fine_yuan: 200
discretion: 一般处罚
handling: 简易程序
explanation: 依法处理。
"""


def doctor(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "doctor", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=300)


def lines(done: subprocess.CompletedProcess, status: str) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith(f"[{status:>4}]")]


@pytest.fixture()
def project(tmp_path) -> Path:
    root = tmp_path / "bureau"
    assert main(["init", str(root)]) == 0
    return root


def test_a_new_project_is_ready_but_its_settings_are_to_fill(project):
    done = doctor("--project", str(project))
    assert done.returncode == 0, done.stdout + done.stderr
    names = [line.split("]", 1)[1].split(":", 1)[0].strip() for line in lines(done, "ok")]
    assert names[:5] == ["Python", "ffmpeg", "whisper model", "Pagefind", "disk space"]
    assert lines(done, "todo") == [
        f"[todo] settings: {project / 'mkdocs.yml'}: not filled in: 网站名称 site_name, 网站正式地址 site_url, "
        "主办单位 extra.pufa_organizer, 投诉电话 extra.pufa_hotlines, ICP 备案号 extra.pufa_icp, 网站标识码 "
        "extra.pufa_site_code → fill them in mkdocs.yml before publishing (each is explained there in Chinese)"]
    assert done.stdout.splitlines()[-1] == "ready: nothing stops pufa from working; 1 thing(s) to do before publishing"


def test_filled_settings_and_laws_cited_without_text(project):
    mkdocs = project / "mkdocs.yml"
    text = mkdocs.read_text(encoding="utf-8")
    for old, new in (("site_name: 交通运输执法 · 以案释法", "site_name: 某市交通运输执法 · 以案释法"),
                     ('site_url: ""', "site_url: https://jtys.moushi.gov.cn/pufa/"),
                     ('pufa_organizer: ""', "pufa_organizer: 某市交通运输执法支队"),
                     ('name: ""', "name: 投诉电话"), ('number: ""', "number: 0531-12328"),
                     ('pufa_icp: ""', "pufa_icp: 鲁ICP备12345678号"), ('pufa_site_code: ""', "pufa_site_code: '3701000001'")):
        assert old in text
        text = text.replace(old, new)
    mkdocs.write_text(text, encoding="utf-8")
    case = project / "cases_public" / "2024-0101.yaml"
    case.write_text(CASE, encoding="utf-8")
    done = doctor(cwd=project)              # the current folder is the project
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"[  ok] settings: {mkdocs}: site name, address, ICP, 标识码, hotlines set" in done.stdout
    todo = [line for line in lines(done, "todo") if line.startswith("[todo] laws:")]
    assert todo[0].startswith(f"[todo] laws: {case}:11: legal_basis[1].law: unknown law 《某市货运管理办法》: "
                              "published as a citation, its text is not included")
    assert todo[1:] == [
        "[todo] laws: 《某市货运管理办法》 第九条 (1 件案例) (add its text as data/laws/<name>.md and 'file:' in "
        "data/laws/catalog.yaml)",
        "[todo] laws: 《巡游出租汽车经营服务管理规定》 第四十八条 (1 件案例) (add its text as data/laws/<name>.md "
        "and 'file:' in data/laws/catalog.yaml; official text: https://xxgk.mot.gov.cn/)"]


def test_a_broken_record_fails_with_its_file_and_line(project):
    (project / "cases_public" / "2024-0101.yaml").write_text(CASE.replace("date: '2024-03-10'", "date: '2024-02-30'"),
                                                             encoding="utf-8")
    done = doctor("--project", str(project))
    assert done.returncode == 1
    assert lines(done, "FAIL") == [
        f"[FAIL] records: 1 problem(s), the first: {project / 'cases_public' / '2024-0101.yaml'}:4: date: "
        f"'2024-02-30' is not a real date in YYYY-MM-DD form → run 'pufa build --project {project}' to see all, "
        "and fix each file:line"]
    assert done.stdout.splitlines()[-1].startswith("1 problem(s) to fix first")


def test_a_broken_ffmpeg_is_named_with_what_to_do(project, tmp_path):
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    done = doctor("--project", str(project), env={"IMAGEIO_FFMPEG_EXE": str(broken)})
    assert done.returncode == 1
    assert lines(done, "FAIL") == [
        f"[FAIL] ffmpeg: {broken} does not run → reinstall imageio-ffmpeg (pip install imageio-ffmpeg)"]


def test_outside_a_project_says_how_to_make_one(tmp_path):
    done = doctor(cwd=tmp_path)
    assert done.returncode == 0
    assert lines(done, "todo") == [f"[todo] project: {tmp_path} is not a pufa project (no mkdocs.yml) → run "
                                   "'pufa init DIR' to create one, or pass --project DIR"]


def test_cases_waiting_for_review_are_listed_where_pufa_has_review(project):
    """Only where this pufa has the review step (generator.review); elsewhere the line is left out."""
    (project / "cases_public" / "2024-0101.yaml").write_text(CASE, encoding="utf-8")
    done = doctor("--project", str(project))
    review = [line for line in done.stdout.splitlines() if "] review:" in line]
    try:
        import generator.review.approvals  # noqa: F401
    except ImportError:
        assert review == []
        return
    assert review == [f"[todo] review: 1 case(s) wait for review and will not be published (2024-0101) → run "
                      f"'pufa review --project {project}' (or add --approve-all --by NAME)"]
    assert main(["review", "--project", str(project), "--approve-all", "--by", "张三"]) == 0
    done = doctor("--project", str(project))
    assert "[  ok] review: every case is approved" in done.stdout
