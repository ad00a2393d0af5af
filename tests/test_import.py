"""`pufa import-cases`: every reader gives the same anonymised records; bad input is
named by file, row and column, exits 2 and writes nothing; re-import never overwrites a
person's edit without --force; no personal datum reaches cases_public/."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.importer.convert import case_id, fine_from_decision, parse_date
from generator.importer.run import MANIFEST, import_cases
from generator.privacy.leaks import find_leaks, load_denylist
from generator.records.case import load_cases

RAW = Path(__file__).resolve().parent / "data" / "raw"
EXPECTED = RAW / "expected"
# Every personal value planted in the fixtures, in the form it was written there.
PLANTED = ["张三丰", "李四", "王芳", "刘洋", "王五", "王小明", "370102199001011231", "３７０１０２１９９００１０１１２３１",
           "11010519491231002X", "138 1234 5678", "13812345678", "一三八一二三四五六七八", "0531-8888 6666",
           "139-1234-5678", "13698765432", "6222021234567890128", "LSVAU2180N2183294", "D12345", "A12345挂",
           "5T678", "88号3号楼2单元501室", "5-2-301"]
GOOD = ["cases.xlsx", "cases-utf8.csv", "cases-utf8-bom.csv", "cases-gbk.csv", "cases-gb18030.csv",
        "cases-aliases.csv", "cases-utf16.csv", "cases-tab.csv", "cases.json"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["import-cases", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path) -> Path:
    return tmp_path / "proj"


@pytest.mark.parametrize("name", GOOD)
def test_every_reader_gives_the_expected_anonymised_records(name, project):
    into = project / "cases_public"
    result = import_cases([RAW / name], into=into)
    assert result.rows == 3 and sorted(result.written) == ["2024-1001", "2024-1002", "2024-1003"]
    for expected in sorted(EXPECTED.glob("*.yaml")):
        assert (into / expected.name).read_text(encoding="utf-8") == expected.read_text(encoding="utf-8"), name
    assert [c.id for c in load_cases(into)] == ["2024-1001", "2024-1002", "2024-1003"]


def test_no_planted_personal_datum_reaches_the_public_records(project):
    into = project / "cases_public"
    import_cases([RAW / "cases.xlsx"], into=into)
    denylist = load_denylist(project)
    for path in sorted(into.iterdir()):
        text = path.read_text(encoding="utf-8")
        for value in PLANTED:
            assert value not in text, (path.name, value)
        assert find_leaks(text, denylist) == [], path.name


def test_the_deny_list_keeps_every_removed_datum_outside_the_records(project):
    import_cases([RAW / "cases.xlsx"], into=project / "cases_public")
    lines = (project / ".pufa-private" / "denylist.txt").read_text(encoding="utf-8").splitlines()
    values = {line.split("\t", 1)[1] for line in lines}
    assert {"张三丰", "王小明", "370102199001011231", "13812345678", "鲁A·D12345", "LSVAU2180N2183294"} <= values
    assert "济南通达运输有限公司" not in values   # a company may be published


def test_the_review_report_lists_every_change_and_is_written_beside_the_records(project):
    result = import_cases([RAW / "cases.xlsx"], into=project / "cases_public")
    assert result.report_html.parent == project / "reports"
    csv_text = result.report_csv.read_text(encoding="utf-8-sig")
    assert "2024-1001,济交执罚〔2024〕1001号" in csv_text
    assert ",facts,phone,一三八一二三四五六七八,[已隐去]" in csv_text
    assert ",title,name,张三丰,张某,【张三丰】未取得网约车驾驶员证从事\n" in csv_text
    html = result.report_html.read_text(encoding="utf-8")
    assert "张三丰" in html and "切勿公开发布" in html
    assert dict(result.counts) == {"name": 15, "plate": 3, "house_number": 2, "id_number": 1, "phone": 2,
                                   "vin": 1, "bank_card": 1, "birth_date": 1}


def test_the_report_escapes_html_in_the_export(project, tmp_path):
    data = json.loads((RAW / "cases.json").read_text(encoding="utf-8"))
    data["cases"][0]["违法事实"] = "当事人张三丰<script>alert(1)</script>驾驶"
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = import_cases([path], into=project / "cases_public")
    html = result.report_html.read_text(encoding="utf-8")
    assert "<script>" not in html


def test_the_report_may_not_go_under_the_site(capsys, project):
    code, out, err = run_cli(capsys, str(RAW / "cases-utf8.csv"),
                             "--into", str(project / "cases_public"), "--report-dir", str(project / "site" / "r"))
    assert code == 2
    assert err == (f"pufa import-cases: error: {(project / 'site' / 'r').resolve()}: --report-dir: the review report "
                   f"holds personal data and must not be written under {(project / 'site').resolve()} "
                   "(use a private folder such as reports/)\n")
    assert not project.exists()


BAD = {
    "bad-date.csv": "bad-date.csv:4: 违法时间 (date): '2024-02-30' is not a date (write YYYY-MM-DD, e.g. 2024-03-05)",
    "bad-encoding.csv": "bad-encoding.csv:5: column 9 (违法地点): byte 0x81 cannot be decoded as GBK/GB18030 "
                        "(save the file again as UTF-8 (Excel: CSV UTF-8) or GBK)",
    "bad-utf8-byte.csv": "bad-utf8-byte.csv:5: column 9 (违法地点): byte 0xff cannot be decoded as UTF-8 "
                         "(save the file again as UTF-8 (Excel: CSV UTF-8) or GBK)",
    "missing-column.csv": "missing-column.csv:2: missing required column 违法时间 (date) (add the column to the header row)",
    "duplicate-case-no.csv": "duplicate-case-no.csv:5: 案件编号 (case_no): duplicate case number 济交执罚〔2024〕1001号 "
                             "(also at {raw}/duplicate-case-no.csv:3) (each case number may appear once)",
    "empty-row.csv": "empty-row.csv:4: empty row (delete the empty row or fill it in)",
    "two-sheets.xlsx": "two-sheets.xlsx: --sheet: the workbook has 2 sheets: 典型案例, 说明 (choose one with --sheet NAME)",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_names_file_row_and_column_exits_2_and_writes_nothing(capsys, project, name):
    code, out, err = run_cli(capsys, str(RAW / name), "--into", str(project / "cases_public"))
    assert code == 2
    assert err == f"pufa import-cases: error: {RAW}/" + BAD[name].format(raw=RAW) + "\n"
    assert out == ""
    assert not project.exists()


def test_a_good_file_is_not_written_when_another_file_of_the_import_is_bad(capsys, project):
    code, _, err = run_cli(capsys, str(RAW / "cases.xlsx"), str(RAW / "bad-date.csv"),
                           "--into", str(project / "cases_public"))
    assert code == 2 and "bad-date.csv:4" in err
    assert not project.exists()


def test_the_same_case_number_in_two_files_is_a_duplicate(capsys, project):
    code, _, err = run_cli(capsys, str(RAW / "cases.xlsx"), str(RAW / "cases-utf8.csv"),
                           "--into", str(project / "cases_public"))
    assert code == 2
    assert err.splitlines()[0] == (f"pufa import-cases: error: {RAW}/cases-utf8.csv:3: 案件编号 (case_no): duplicate case "
                                   f"number 济交执罚〔2024〕1001号 (also at {RAW}/cases.xlsx:3) (each case number may appear once)")


def test_a_sheet_is_chosen_by_name(capsys, project):
    code, out, err = run_cli(capsys, str(RAW / "two-sheets.xlsx"), "--sheet", "典型案例",
                             "--into", str(project / "cases_public"))
    assert code == 0, err
    assert out.startswith("read 3 cases from 1 file(s): 3 written, 0 unchanged, 0 skipped\n")
    code, _, err = run_cli(capsys, str(RAW / "two-sheets.xlsx"), "--sheet", "汇总",
                           "--into", str(project / "cases_public"))
    assert code == 2
    assert err == (f"pufa import-cases: error: {RAW}/two-sheets.xlsx: --sheet: no sheet named '汇总' "
                   "(sheets in this file: 典型案例, 说明)\n")


def test_two_case_numbers_giving_one_id_are_an_error(capsys, project, tmp_path):
    text = (RAW / "cases-utf8.csv").read_text(encoding="utf-8").replace("济交执罚〔2024〕1002号", "济交运罚〔2024〕1001号")
    path = tmp_path / "collide.csv"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, str(path), "--into", str(project / "cases_public"))
    assert code == 2
    assert err == (f"pufa import-cases: error: {path}:4: 案件编号 (case_no): case numbers 济交运罚〔2024〕1001号 and "
                   f"济交执罚〔2024〕1001号 ({path}:3) both give id '2024-1001' (the id is year-serial of the case "
                   "number; the two must differ)\n")


def test_reimport_keeps_a_persons_edit_unless_forced(capsys, project):
    into = project / "cases_public"
    assert run_cli(capsys, str(RAW / "cases.xlsx"), "--into", str(into))[0] == 0
    code, out, _ = run_cli(capsys, str(RAW / "cases.xlsx"), "--into", str(into))
    assert code == 0 and out.startswith("read 3 cases from 1 file(s): 0 written, 3 unchanged, 0 skipped\n")

    edited = into / "2024-1002.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("企业应当", "运输企业应当"), encoding="utf-8")
    before = edited.read_bytes()
    code, out, _ = run_cli(capsys, str(RAW / "cases.xlsx"), "--into", str(into))
    assert code == 0
    assert out.splitlines()[:2] == [
        "read 3 cases from 1 file(s): 0 written, 2 unchanged, 1 skipped",
        "skipped (edited by a person; re-run with --force to overwrite): 2024-1002"]
    assert edited.read_bytes() == before

    code, out, _ = run_cli(capsys, str(RAW / "cases.xlsx"), "--into", str(into), "--force")
    assert code == 0 and out.startswith(
        "read 3 cases from 1 file(s): 1 written, 2 unchanged, 0 skipped, 1 edited records overwritten (--force)\n")
    assert edited.read_text(encoding="utf-8") == (EXPECTED / "2024-1002.yaml").read_text(encoding="utf-8")


def test_a_record_written_by_hand_counts_as_edited(project):
    into = project / "cases_public"
    into.mkdir(parents=True)
    (into / "2024-1001.yaml").write_text("id: 2024-1001\ncase_no: 济交执罚〔2024〕1001号\n", encoding="utf-8")
    result = import_cases([RAW / "cases.xlsx"], into=into)
    assert result.skipped == ["2024-1001"]
    manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["records"]) == ["2024-1002.yaml", "2024-1003.yaml"]


def test_an_updated_export_replaces_an_unedited_record(project, tmp_path):
    into = project / "cases_public"
    import_cases([RAW / "cases-utf8.csv"], into=into)
    changed = tmp_path / "v2.csv"
    changed.write_text((RAW / "cases-utf8.csv").read_text(encoding="utf-8").replace("罚款1万元", "罚款2万元"),
                       encoding="utf-8")
    result = import_cases([changed], into=into)
    assert result.written == ["2024-1002"] and result.skipped == []
    assert "fine_yuan: 20000" in (into / "2024-1002.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("case_no, slug", [
    ("济交执罚〔2024〕1001号", "2024-1001"), ("济交执罚[2024]0012号", "2024-0012"), ("济交执罚（２０２３）７７号", "2023-77"),
    ("JN-TX-2024-77", "2024-77"), ("无编号", None),
])
def test_case_ids_come_from_year_and_serial(case_no, slug):
    assert case_id(case_no) == slug


@pytest.mark.parametrize("text, value", [
    ("2024-03-05", "2024-03-05"), ("2024/3/5", "2024-03-05"), ("2024.03.05", "2024-03-05"),
    ("2024年3月5日", "2024-03-05"), ("2024-03-05 08:30:00", "2024-03-05"), ("45356", "2024-03-05"),
    ("２０２４－０３－０５", "2024-03-05"), ("2024-02-30", None), ("3月5日", None), ("20240305", None),
])
def test_dates_are_read_in_the_office_forms(text, value):
    parsed = parse_date(text)
    assert (parsed.isoformat() if parsed else None) == value


@pytest.mark.parametrize("decision, fine", [
    ("罚款1万元", 10000), ("罚款5,000元", 5000), ("罚款二千元", 2000), ("罚款贰佰元", 200), ("罚款人民币叁仟伍佰元", 3500), ("罚款壹万元", 10000), ("罚款1.5万元", 15000),
    ("不予处罚，责令改正", None), ("处罚款人民币3000元", 3000),
])
def test_the_fine_is_read_from_the_decision(decision, fine):
    assert fine_from_decision(decision) == fine


DEMO = RAW.parent.parent.parent / "demo" / "raw"
DEMO_PEOPLE = ["孙丽娜", "赵明亮", "马建国", "王海燕", "王晓东", "欧阳国庆", "刘建华", "周涛", "李秀英", "张伟", "吴敏",
               "陈志强", "刘洋", "于海洋"]


def test_the_demo_export_imports_without_a_single_personal_datum(project):
    into = project / "cases_public"
    result = import_cases([DEMO / "典型案例导出-2024.xlsx"], into=into)
    assert len(result.written) == 6
    denylist = load_denylist(project)
    assert set(DEMO_PEOPLE) <= set(denylist.entries)
    for path in sorted(into.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert [p for p in DEMO_PEOPLE if p in text] == [], path.name
        assert find_leaks(text, denylist) == [], path.name
    again = project.parent / "gbk" / "cases_public"
    import_cases([DEMO / "典型案例导出-2024-gbk.csv"], into=again)
    for path in sorted(into.glob("*.yaml")):
        assert (again / path.name).read_bytes() == path.read_bytes()
