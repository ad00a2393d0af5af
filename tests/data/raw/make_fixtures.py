"""Writes the raw export fixtures in this folder (run it again after changing the rows).

    .venv/bin/python tests/data/raw/make_fixtures.py

Every file holds the same three cases (invented people: every name, ID, phone, plate, card,
VIN and address below is fictitious but well-formed: IDs carry a valid GB 11643 check
digit, cards a valid Luhn digit), so each reader is checked against one expected result.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
HEADERS = ["案件编号", "案件名称", "类别", "当事人", "身份证号", "联系电话", "车牌号", "违法时间", "违法地点",
           "案由", "违法事实", "调查经过", "处罚依据", "处罚决定", "裁量情形", "办案方式", "执法人员说法"]
ALIASES = ["case_no", "title", "category", "party", "id_number", "phone", "plate", "date", "place", "cause",
           "facts", "investigation", "legal_basis", "decision", "discretion", "handling", "explanation"]

ROWS = [
    ["济交执罚〔2024〕1001号", "张三丰未取得网约车驾驶员证从事网约车经营案", "网约车", "张三丰",
     "370102199001011231", "138 1234 5678", "鲁A·D12345", "2024-03-05", "济南西站南广场",
     "未取得网络预约出租汽车驾驶员证从事网约车经营",
     "2024年3月5日，当事人张三丰驾驶鲁A·D12345号小型轿车在济南西站南广场通过平台接单，"
     "搭载乘客李四前往历下区经十路88号3号楼2单元501室，收取车费45元。其身份证号３７０１０２１９９００１０１１２３１，"
     "联系电话一三八一二三四五六七八。",
     "执法人员现场检查，乘客李四证实其通过手机下单，证人王芳（女，1992年生）在场。张三丰称其不知道需要办理驾驶员证。",
     "《网络预约出租汽车经营服务管理暂行办法》第三十四条", "不予处罚，责令改正", "不予处罚", "首违不罚",
     "张三丰系首次被发现，且危害后果轻微并及时改正，依法不予处罚。网约车司机要先取得驾驶员证再上岗。"],
    ["济交执罚〔2024〕1002号", "济南通达运输有限公司超限运输案", "超限超载", "济南通达运输有限公司",
     "", "0531-8888 6666", "鲁A12345挂", "2024/04/12", "G220国道章丘区段",
     "车辆超限运输",
     "济南通达运输有限公司的鲁A12345挂号半挂车由驾驶员刘洋驾驶，车架号LSVAU2180N2183294，超限12%。"
     "刘洋联系电话+86 139-1234-5678，工资卡号6222021234567890128。",
     "经调查，车主济南通达运输有限公司承认超限事实。",
     "《公路安全保护条例》第六十四条", "罚款1万元", "一般处罚", "普通程序",
     "超限运输既损坏公路又危及安全。企业应当落实源头管理责任。"],
    ["济交执罚〔2024〕1003号", "王五巡游出租车拒载案", "出租车", "王五",
     "11010519491231002X", "13698765432", "鲁 A 5T678", "2024年5月20日", "历下区泉城路",
     "巡游出租汽车驾驶员拒载",
     "当事人王五驾驶鲁 A 5T678号巡游出租车在泉城路拒绝载客，乘客王小明投诉。王五家住市中区某某小区5-2-301。",
     "执法人员调取车载视频，王五承认拒载。",
     "《巡游出租汽车经营服务管理规定》第四十二条", "罚款二千元", "从轻处罚", "说理式执法",
     "拒载损害乘客权益。拨打12328可投诉。王五主动改正，依法从轻处罚。"],
]


def write_xlsx(path: Path, rows: list[list[str]], extra_sheet: bool = False) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "典型案例"
    # The office's export: a merged title row, then the header row, then the cases.
    sheet.append(["2024年度以案释法典型案例汇总表"] + [None] * (len(HEADERS) - 1))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f" {h} " if i % 3 == 0 else h for i, h in enumerate(HEADERS)])  # stray spaces, as exported
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("说明").append(["本表由法制科导出"])
    book.save(path)


def csv_text(headers: list[str], rows: list[list[str]], title: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if title:
        writer.writerow(["2024年度以案释法典型案例汇总表"])
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def main() -> None:
    write_xlsx(HERE / "cases.xlsx", ROWS)
    write_xlsx(HERE / "two-sheets.xlsx", ROWS, extra_sheet=True)
    text = csv_text(HEADERS, ROWS)
    (HERE / "cases-utf8.csv").write_bytes(text.encode("utf-8"))
    (HERE / "cases-utf8-bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (HERE / "cases-gbk.csv").write_bytes(text.encode("gbk"))
    # A character outside GBK (the rare surname 䶮) makes it a real GB18030 file.
    gb_rows = [list(r) for r in ROWS]
    gb_rows[2][10] = gb_rows[2][10].replace("乘客王小明", "乘客王䶮")
    (HERE / "cases-gb18030.csv").write_bytes(csv_text(HEADERS, gb_rows).encode("gb18030"))
    (HERE / "cases-utf16.csv").write_bytes(text.encode("utf-16"))   # Excel's "Unicode text"
    tabbed = io.StringIO()
    csv.writer(tabbed, delimiter="\t", lineterminator="\r\n").writerows(csv.reader(io.StringIO(text)))
    (HERE / "cases-tab.csv").write_bytes(tabbed.getvalue().encode("utf-8"))
    (HERE / "cases-aliases.csv").write_bytes(csv_text(ALIASES, ROWS, title=False).encode("utf-8"))
    (HERE / "cases.json").write_text(
        json.dumps({"cases": [dict(zip(HEADERS, r)) for r in ROWS]}, ensure_ascii=False, indent=1), encoding="utf-8")

    # Broken ones: each with exactly one fault.
    gbk = bytearray(text.encode("gbk"))
    marker = "历下区泉城路".encode("gbk")
    at = gbk.index(marker)
    gbk[at:at + 2] = b"\x81\x20"          # 0x81 must be followed by a trail byte ≥ 0x40
    (HERE / "bad-encoding.csv").write_bytes(bytes(gbk))
    utf8 = bytearray(text.encode("utf-8"))
    at = utf8.index("历下区泉城路".encode("utf-8"))
    utf8[at] = 0xFF                          # one damaged byte in an otherwise UTF-8 file
    (HERE / "bad-utf8-byte.csv").write_bytes(bytes(utf8))
    no_date = [h for h in HEADERS if h != "违法时间"]
    (HERE / "missing-column.csv").write_text(
        csv_text(no_date, [[v for h, v in zip(HEADERS, r) if h != "违法时间"] for r in ROWS]), encoding="utf-8")
    dup = [ROWS[0], ROWS[1], list(ROWS[0])]
    dup[2][1] = "另一个案件"
    (HERE / "duplicate-case-no.csv").write_text(csv_text(HEADERS, dup), encoding="utf-8")
    empty = [ROWS[0], [""] * len(HEADERS), ROWS[1]]
    (HERE / "empty-row.csv").write_text(csv_text(HEADERS, empty), encoding="utf-8")
    bad_date = [list(r) for r in ROWS]
    bad_date[1][7] = "2024-02-30"
    (HERE / "bad-date.csv").write_text(csv_text(HEADERS, bad_date), encoding="utf-8")


if __name__ == "__main__":
    main()
