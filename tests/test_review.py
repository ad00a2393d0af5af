"""The review staff sign: an import leaves records pending, approvals sign their content,
the build publishes approved content only, and the review page (real HTTP through the
guard) shows changes and suspects, saves edits and records approvals."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.cli import main
from generator.config import load_config
from generator.records.case import load_cases
from generator.review.approvals import approvals_path, approved
from generator.review.server import create_app

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo" / "raw" / "典型案例导出-2024.xlsx"
MINI = REPO / "tests" / "data" / "mini-project"
PORT = 8766
TOKEN = "review-token-123"
AUTH = {"X-Pufa-Token": TOKEN}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def imported(tmp_path, capsys) -> Path:
    project = tmp_path / "proj"
    assert main(["init", str(project)]) == 0
    assert main(["import-cases", str(DEMO), "--into", str(project / "cases_public")]) == 0
    capsys.readouterr()
    return project


def split(project: Path) -> tuple[list[str], list[str]]:
    cases_dir = project / "cases_public"
    published, pending = approved(load_cases(cases_dir), cases_dir)
    return [c.id for c in published], [c.id for c in pending]


def test_an_import_leaves_every_new_record_pending_and_says_so(tmp_path, capsys):
    project = tmp_path / "proj"
    main(["init", str(project)])
    code, out, err = run(capsys, "import-cases", str(DEMO), "--into", str(project / "cases_public"))
    assert code == 0, err
    assert "6 case(s) wait for review: they are published once approved with 'pufa review'" in out.splitlines()
    assert split(project) == ([], ["2024-2101", "2024-2102", "2024-2103", "2024-2104", "2024-2105", "2024-2106"])


def test_approve_all_signs_every_pending_record_and_records_who_and_how(imported, capsys):
    code, out, err = run(capsys, "review", "--project", str(imported), "--approve-all", "--by", "李审核")
    assert code == 0, err
    assert out.startswith("approved 6 pending case(s) as 李审核 (approve-all); 0 were approved already")
    lines = [json.loads(line) for line in approvals_path(imported / "cases_public").read_text().splitlines()]
    assert [(a["id"], a["by"], a["via"]) for a in lines][:2] == [("2024-2101", "李审核", "approve-all"),
                                                                ("2024-2102", "李审核", "approve-all")]
    assert all(a["digest"].startswith("sha256:") and a["at"].endswith("+00:00") for a in lines)
    assert split(imported)[1] == []
    code, out, _ = run(capsys, "review", "--project", str(imported), "--approve-all", "--by", "李审核")
    assert out.startswith("approved 0 pending case(s) as 李审核 (approve-all); 6 were approved already")


def test_approve_all_without_a_name_is_refused(imported, capsys):
    code, out, err = run(capsys, "review", "--project", str(imported), "--approve-all")
    assert code == 2
    assert err.strip() == (f"pufa review: error: {imported.resolve()}: --by: --approve-all needs the reviewer's name "
                           "(pass --by NAME; the approvals record it)")
    assert not approvals_path(imported / "cases_public").exists()


def test_a_later_edit_makes_an_approved_record_pending_again_but_reformatting_does_not(imported, capsys):
    main(["review", "--project", str(imported), "--approve-all", "--by", "李审核"])
    path = imported / "cases_public" / "2024-2102.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("# 复核过\n" + text.replace("category: ", "category:   "), encoding="utf-8")
    assert split(imported)[1] == []                     # same content, other spelling
    path.write_text(text.replace("罚款1万元", "罚款2万元", 1), encoding="utf-8")
    assert split(imported)[1] == ["2024-2102"]


def test_a_reimport_that_changes_a_record_makes_it_pending_and_an_identical_one_stays_approved(imported, tmp_path,
                                                                                              capsys):
    main(["review", "--project", str(imported), "--approve-all", "--by", "李审核"])
    code, out, _ = run(capsys, "import-cases", str(DEMO), "--into", str(imported / "cases_public"))
    assert "0 written, 6 unchanged" in out and "wait for review" not in out
    assert split(imported)[1] == []


def test_a_broken_approvals_line_is_named_and_publishes_nothing_silently(imported, capsys):
    path = approvals_path(imported / "cases_public")
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "2024-2101", "digest": "sha256:00"}\nnot json\n', encoding="utf-8")
    code, out, err = run(capsys, "review", "--project", str(imported), "--approve-all", "--by", "李审核")
    assert code == 2
    assert err.strip() == (f"pufa review: error: {path}:2: not an approval (expected {{\"id\", \"digest\", \"by\", "
                           "\"at\", \"via\"}) (restore the file from git; pufa review writes it)")


@pytest.mark.slow
def test_the_build_publishes_approved_records_only_and_says_how_many_wait(tmp_path, capsys):
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    shutil.copytree(REPO / "data" / "laws", project / "data" / "laws", dirs_exist_ok=True)
    edited = project / "cases_public" / "2024-0002.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("\nfacts: ", "\nfacts: 复核后补充。", 1)
                      if "\nfacts: " in edited.read_text(encoding="utf-8") else
                      edited.read_text(encoding="utf-8") + "tags: [复核]\n", encoding="utf-8")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    assert ("warning: 1 case(s) wait for review and were not published (2024-0002): run 'pufa review' "
            "(or 'pufa review --approve-all --by NAME')") in out.splitlines()
    assert not (project / "site" / "cases" / "2024-0002").exists()
    assert (project / "site" / "cases" / "2024-0001" / "index.html").exists()
    main(["review", "--project", str(project), "--approve-all", "--by", "王审核"])
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    assert "wait for review" not in out
    assert (project / "site" / "cases" / "2024-0002" / "index.html").exists()


# --- the review page, over real HTTP through the guard -------------------------------

def client_for(project: Path, **kwargs) -> TestClient:
    app = create_app(load_config(project), port=PORT, token=TOKEN, **kwargs)
    return TestClient(app, base_url=f"http://127.0.0.1:{PORT}")


def test_the_page_refuses_requests_without_the_token_from_other_hosts_and_other_origins(imported):
    client = client_for(imported)
    assert client.get("/api/records").status_code == 403
    assert client.get("/api/records", headers={**AUTH, "Host": "evil.example:8766"}).status_code == 403
    assert client.post("/api/records/2024-2101/approve", headers={**AUTH, "Origin": "http://evil.example"},
                       json={"digest": "x", "by": "x"}).status_code == 403
    page = client.get("/")
    assert page.status_code == 200 and TOKEN in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")      # nothing loaded from elsewhere


def test_the_page_lists_pending_records_with_their_changes_and_suspects(imported):
    client = client_for(imported, reviewer="李审核")
    summary = client.get("/api/records", headers=AUTH).json()
    assert summary["approved"] == 0 and summary["reviewer"] == "李审核"
    assert [row["id"] for row in summary["pending"]][:2] == ["2024-2101", "2024-2102"]
    view = client.get("/api/records/2024-2101", headers=AUTH).json()
    assert view["has_note"] and view["source"].endswith("典型案例导出-2024.xlsx:3")
    names = [c for c in view["changes"] if c["kind"] == "name"]
    assert names and all(view["fields"][c["field"]][c["start"]:c["end"]] == c["after"] for c in names)
    assert "当事人" in view["personal_columns"]


def test_a_suspect_left_in_the_text_is_shown_and_hiding_it_then_approving_signs_the_new_content(imported):
    path = imported / "cases_public" / "2024-2103.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nfacts: ", "\nfacts: 另查，车内登记号码5302 1987 4411。", 1), encoding="utf-8")
    client = client_for(imported)
    view = client.get("/api/records/2024-2103", headers=AUTH).json()
    numbers = [s for s in view["suspects"] if s["kind"] == "number"]
    assert [s["text"] for s in numbers] == ["5302 1987 4411"]
    facts = view["fields"]["facts"]
    s = numbers[0]
    fields = {"facts": facts[:s["start"]] + "[已隐去]" + facts[s["end"]:]}
    stale = client.put("/api/records/2024-2103", headers=AUTH, json={"digest": "sha256:old", "fields": fields})
    assert stale.status_code == 409
    saved = client.put("/api/records/2024-2103", headers=AUTH, json={"digest": view["digest"], "fields": fields})
    assert saved.status_code == 200, saved.text
    assert "5302 1987 4411" not in path.read_text(encoding="utf-8")
    assert "另查，车内登记号码[已隐去]。" in path.read_text(encoding="utf-8")
    new = saved.json()
    assert [s for s in new["suspects"] if s["kind"] == "number"] == []
    refused = client.post("/api/records/2024-2103/approve", headers=AUTH, json={"digest": view["digest"], "by": "李审核"})
    assert refused.status_code == 409                     # the old content is not what is there now
    nameless = client.post("/api/records/2024-2103/approve", headers=AUTH, json={"digest": new["digest"], "by": " "})
    assert nameless.status_code == 422
    done = client.post("/api/records/2024-2103/approve", headers=AUTH, json={"digest": new["digest"], "by": "李审核"})
    assert done.status_code == 200 and done.json()["approved"][0]["via"] == "review page"
    assert split(imported)[1] == ["2024-2101", "2024-2102", "2024-2104", "2024-2105", "2024-2106"]


def test_an_edit_that_breaks_the_record_is_refused_and_the_file_is_unchanged(imported):
    path = imported / "cases_public" / "2024-2101.yaml"
    before = path.read_bytes()
    client = client_for(imported)
    view = client.get("/api/records/2024-2101", headers=AUTH).json()
    bad = client.put("/api/records/2024-2101", headers=AUTH, json={"digest": view["digest"], "fields": {"facts": ""}})
    assert bad.status_code == 422 and "facts" in bad.json()["error"]
    other = client.put("/api/records/2024-2101", headers=AUTH, json={"digest": view["digest"], "fields": {"id": "x"}})
    assert other.status_code == 422
    assert path.read_bytes() == before
    assert client.get("/api/records/..%2Fmkdocs", headers=AUTH).status_code == 404


def test_an_approval_cut_short_by_a_crash_is_ignored_and_dropped_by_the_next_approval(imported, capsys):
    path = approvals_path(imported / "cases_public")
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "2024-2101", "digest": "sha2', encoding="utf-8")
    assert split(imported)[0] == []
    assert main(["review", "--project", str(imported), "--approve-all", "--by", "李审核"]) == 0
    assert len(split(imported)[0]) == 6
    assert [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()][:1] == ["2024-2101"]


def test_suspects_are_long_numbers_names_next_to_a_cue_and_values_of_ignored_columns():
    from generator.review.suspects import find_suspects
    fields = {"facts": "经查，当事人王某与刘洋、陈某某同行，登记号码５３０２-1987-4411，车费45元。备注：已缴纳罚款。",
              "decision": "罚款12345678元", "title": "济交执罚〔2024〕1234567号王某案"}
    found = [(s.field, s.kind, s.text) for s in find_suspects(fields, {"备注": "已缴纳罚款"},
                                                              [("decision", "employer_title", "罚款")])]
    # not: the case number, the amounts (45元, 12345678元), names already written 王某 / 陈某某
    assert found == [("facts", "name", "刘洋"), ("facts", "number", "５３０２-1987-4411"),
                     ("facts", "unknown_column", "已缴纳罚款"), ("decision", "employer_title", "罚款")]


@pytest.mark.slow
def test_another_offices_export_goes_through_import_review_and_build_with_nothing_personal_published(tmp_path,
                                                                                                     capsys):
    from test_import_columns import BASE, row_for, write_csv
    project = tmp_path / "proj"
    assert main(["init", str(project)]) == 0
    shutil.copytree(REPO / "data" / "laws", project / "data" / "laws", dirs_exist_ok=True)
    personal = ["欧阳振华", "13912345678", "鲁A·D12345", "历城区王舍人街道东城逸家12-3-1101"]
    rows = [row_for("欧阳振华", "其住址为历城区王舍人街道东城逸家12-3-1101，手机13912345678，车辆鲁A·D12345。")
            + personal + ["已缴纳"]]
    source = write_csv(tmp_path / "export.csv", BASE + ["当事人姓名", "手机号", "号牌号码", "住址", "备注"], rows)
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(project / "cases_public"))
    assert code == 0, err
    assert f"{source}: ignored column 备注 (e.g. '已缴纳'): not published; map it with --columns map.yaml if it holds case data" in out
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    assert not (project / "site" / "cases" / "2024-2001").exists()
    client = client_for(project)
    view = client.get("/api/records/2024-2001", headers=AUTH).json()
    approve = client.post("/api/records/2024-2001/approve", headers=AUTH, json={"digest": view["digest"], "by": "李审核"})
    assert approve.status_code == 200
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    assert code == 0, err
    page = (project / "site" / "cases" / "2024-2001" / "index.html").read_text(encoding="utf-8")
    assert "欧阳某未取得道路运输证经营案" in page
    for path in (project / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".xml", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [value for value in personal if value in text], path
