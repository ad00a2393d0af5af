"""Export columns from other offices: every header for a person or their data is known and
its value leaves the text; an unknown column that looks personal stops the import until it
is mapped (--columns map.yaml); other unknown columns are listed once per file."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from generator.cli import main

BASE = ["案件编号", "案件名称", "类别", "违法时间", "违法地点", "案由", "违法事实", "处罚依据", "处罚决定", "裁量情形",
        "办案方式", "执法人员说法"]


def row_for(name: str, extra_text: str = "") -> list[str]:
    """A case whose title, facts, decision and explanation name the person `name`."""
    return ["济交执罚〔2024〕2001号", f"{name}未取得道路运输证经营案", "道路运输", "2024-04-02", "济南市历城区",
            "未取得道路运输经营许可从事经营",
            f"经查，{name}驾驶小型客车在高速路口揽客。{extra_text}",
            "《中华人民共和国道路运输条例》第六十三条", f"对{name}罚款1万元", "一般处罚", "普通程序",
            f"{name}未取得许可从事经营，依法处罚。"]


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


PERSON_HEADERS = ["当事人", "当事人姓名", "被处罚人", "驾驶员", "车主", "姓名", "法定代表人", "负责人", "经营者"]


@pytest.mark.parametrize("header", PERSON_HEADERS)
def test_a_person_under_any_office_header_becomes_surname_mou_in_every_field(tmp_path, capsys, header):
    source = write_csv(tmp_path / "x.csv", BASE + [header], [row_for("欧阳振华") + ["欧阳振华"]])
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(into))
    assert code == 0, err
    record = (into / "2024-2001.yaml").read_text(encoding="utf-8")
    assert "欧阳振华" not in record
    assert "title: 欧阳某未取得道路运输证经营案" in record
    assert record.count("欧阳某") == 4        # title, facts, decision, explanation
    assert "ignored column" not in out


PERSONAL_DATA = [
    ("联系电话", "13912345678"), ("手机号", "139 1234 5678"), ("联系方式", "0531-88886666"),
    ("固定电话", "88886666"), ("身份证号", "370102199001011231"), ("证件号码", "370102199001011231"),
    ("公民身份号码", "370102199001011231"), ("车牌号", "鲁A·D12345"), ("号牌号码", "鲁AD12345"),
    ("车辆号牌", "鲁A12345"), ("住址", "历城区王舍人街道东城逸家12-3-1101"), ("地址", "章丘区绣惠街道东关村3组8号"),
    ("户籍地", "山东省平阴县孝直镇前寨村"), ("经常居住地", "济南市槐荫区段店北路时代花园5号楼"),
    ("从业资格证号", "370102199001011231-01"), ("道路运输证号", "鲁交运管济字370100012345号"),
    ("统一社会信用代码", "92370112MA3C4D5E6F"), ("注册号", "370112600123456"),
]


@pytest.mark.parametrize("header,value", PERSONAL_DATA)
def test_a_personal_value_under_any_office_header_is_removed_from_the_text(tmp_path, capsys, header, value):
    source = write_csv(tmp_path / "x.csv", BASE + ["当事人", header],
                       [row_for("孙丽娜", f"其登记信息为{value}，现场核实。") + ["孙丽娜", value]])
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(into))
    assert code == 0, err
    record = (into / "2024-2001.yaml").read_text(encoding="utf-8")
    assert value not in record
    assert "其登记信息为[已隐去]，现场核实" in record or "其登记信息为鲁A*****，现场核实" in record
    assert "ignored column" not in out


def test_age_and_date_of_birth_are_never_published(tmp_path, capsys):
    source = write_csv(tmp_path / "x.csv", BASE + ["当事人", "出生日期", "年龄"],
                       [row_for("孙丽娜", "孙丽娜（1990年5月1日出生，34岁）承认。罚款1万元。") + ["孙丽娜", "1990-05-01", "34"]])
    into = tmp_path / "proj" / "cases_public"
    assert run(capsys, "import-cases", str(source), "--into", str(into))[0] == 0
    record = (into / "2024-2001.yaml").read_text(encoding="utf-8")
    assert "1990" not in record and "34岁" not in record
    assert "孙某（[已隐去]出生，[已隐去]）承认" in record
    denylist = (tmp_path / "proj" / ".pufa-private" / "denylist.txt").read_text(encoding="utf-8")
    assert "34岁" not in denylist           # an age alone is no one's: the gate would flag every '34岁'


@pytest.mark.parametrize("values,what", [
    (["王建国", "李秀英"], "a name"),
    (["6222021234567890123", ""], "a long number"),
    (["", "历下区解放路12号3单元502室"], "an address"),
])
def test_an_unknown_column_that_looks_personal_stops_the_import_and_says_how_to_map_it(tmp_path, capsys, values, what):
    rows = [row_for("孙丽娜") + ["孙丽娜", values[0]], row_for("周杰") + ["周杰", values[1]]]
    rows[1][0] = "济交执罚〔2024〕2002号"
    source = write_csv(tmp_path / "x.csv", BASE + ["当事人", "乘客信息"], rows)
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(into))
    assert code == 2
    row = 2 if values[0] else 3
    assert err.strip() == (
        f"pufa import-cases: error: {source}:{row}: column 14 (乘客信息): unknown column whose values look personal "
        f"(row {row} holds {what}) (it would be neither published nor removed from the text: map it in a columns "
        "file and run again with --columns map.yaml, a line '乘客信息: personal' (never published, removed from "
        "the text), '乘客信息: 当事人' (or another known column) or '乘客信息: ignore'; see docs/import.md)")
    assert not into.exists() and not (tmp_path / "proj" / "reports").exists()


def test_a_columns_file_maps_headers_to_known_columns_personal_or_ignore(tmp_path, capsys):
    source = write_csv(tmp_path / "x.csv", BASE + ["涉事人员", "乘客信息", "备注人"],
                       [row_for("孙丽娜", "乘客周杰华作证，车内另有13912345678。") + ["孙丽娜", "13912345678", "赵钱孙"]])
    columns = tmp_path / "map.yaml"
    columns.write_text("# 本局导出的列\n涉事人员: 当事人\n乘客信息: personal\n备注人: ignore\n", encoding="utf-8")
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(into), "--columns", str(columns))
    assert code == 0, err
    record = (into / "2024-2001.yaml").read_text(encoding="utf-8")
    assert "孙丽娜" not in record and "13912345678" not in record and "赵钱孙" not in record
    assert "title: 孙某未取得道路运输证经营案" in record
    assert "ignored column" not in out


def test_a_columns_file_with_an_unknown_target_names_its_line(tmp_path, capsys):
    source = write_csv(tmp_path / "x.csv", BASE, [row_for("孙丽娜")])
    columns = tmp_path / "map.yaml"
    columns.write_text("涉事人员: 当事人\n乘客信息: 乘客\n", encoding="utf-8")
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(tmp_path / "p" / "cases_public"),
                         "--columns", str(columns))
    assert code == 2
    assert err.strip() == (f"pufa import-cases: error: {columns}:2: 乘客信息: unknown column '乘客' (write a known "
                           "column (e.g. 当事人, 联系电话, 违法地点 or its English name), ignore or personal; "
                           "see docs/import.md)")


def test_other_unknown_columns_are_listed_once_per_file_with_a_sample_and_not_published(tmp_path, capsys):
    rows = [row_for("孙丽娜") + ["孙丽娜", "已缴纳罚款", "小型轿车"], row_for("周杰") + ["周杰", "", "大型客车"]]
    rows[1][0] = "济交执罚〔2024〕2002号"
    first = write_csv(tmp_path / "a.csv", BASE + ["当事人", "备注", "车辆类型"], rows)
    second = write_csv(tmp_path / "b.csv", BASE + ["当事人", "备注"],
                       [[*row_for("郑爽")[:1], *row_for("郑爽")[1:]] + ["郑爽", "待复核"]])
    second.write_text(second.read_text(encoding="utf-8").replace("2001号", "2003号"), encoding="utf-8")
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(first), str(second), "--into", str(into))
    assert code == 0, err
    listed = [line for line in out.splitlines() if "ignored column" in line]
    assert listed == [
        f"{first}: ignored column 备注 (e.g. '已缴纳罚款'): not published; map it with --columns map.yaml if it holds case data",
        f"{first}: ignored column 车辆类型 (e.g. '小型轿车'): not published; map it with --columns map.yaml if it holds case data",
        f"{second}: ignored column 备注 (e.g. '待复核'): not published; map it with --columns map.yaml if it holds case data",
    ]
    assert "已缴纳罚款" not in "".join(p.read_text(encoding="utf-8") for p in into.glob("*.yaml"))


def _xlsx(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("cell,message", [
    ("#REF!", "the cell holds the Excel error #REF!, not a value (fix the formula or type the value in the export)"),
    ("济南\ufffd\ufffd站", "the cell holds '\ufffd' (characters lost when the file was converted between encodings) "
                         "(type the text again in the export, or export it again as UTF-8)"),
    ("¼ÃÄÏÎ÷Õ¾", "'¼ÃÄÏÎ÷Õ¾' looks like Chinese read in a Western encoding (garbled text) "
                 "(export the file again from the case system, or retype the cell)"),
])
def test_an_unreadable_or_mis_encoded_cell_names_file_row_and_column_and_nothing_is_written(tmp_path, capsys,
                                                                                            cell, message):
    good = row_for("孙丽娜")
    bad = row_for("周杰")
    bad[0], bad[4] = "济交执罚〔2024〕2002号", cell
    source = _xlsx(tmp_path / "x.xlsx", BASE, [good, bad])
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(into))
    assert code == 2
    assert err.strip() == f"pufa import-cases: error: {source}:3: column 5 (违法地点): {message}"
    assert not into.exists()


def test_a_note_in_brackets_after_a_header_is_not_part_of_it(tmp_path, capsys):
    headers = [h if h != "违法地点" else "违法地点（区县）" for h in BASE] + ["联系电话(手机)", "当事人（姓名）"]
    source = write_csv(tmp_path / "x.csv", headers, [row_for("孙丽娜", "电话13912345678。") + ["13912345678", "孙丽娜"]])
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(source), "--into", str(into))
    assert code == 0, err
    record = (into / "2024-2001.yaml").read_text(encoding="utf-8")
    assert "孙丽娜" not in record and "13912345678" not in record and "place: 济南市历城区" in record


@pytest.mark.parametrize("values", [["20240305", "2024-03-06 10:30"], ["小型轿车", "网约车"], ["10000", "5,000.00"],
                                    ["张伟", "已结案", "已缴纳罚款"]])
def test_dates_amounts_words_and_a_stray_name_do_not_make_a_column_personal(values):
    from generator.importer.columns import personal_look
    assert personal_look("备注", list(enumerate(values, start=2))) is None


def test_a_single_name_is_personal_when_the_header_speaks_of_a_person():
    from generator.importer.columns import personal_look
    assert personal_look("承办人", [(2, ""), (3, "张伟"), (4, "已结案"), (5, "同上")]) == (3, "a name")
