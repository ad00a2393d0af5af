"""Issue 17, `pufa import-cases`: exports that unpack to gigabytes, hidden rows and
sheets, control characters splitting a name, spreadsheet formulas in the review report,
and an import killed half-way through its renames."""
from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from generator.cli import main
from test_hardening_bounds import BUDGET_RSS_MB, BUDGET_S, measured_pufa
from test_hardening_project import RAW, ROOT, tree_digest

CSV = RAW / "cases-utf8.csv"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export_rows() -> tuple[list[str], list[list[str]]]:
    """Header and data rows of the fixture export (its first line is a title row)."""
    rows = list(csv.reader(io.StringIO(CSV.read_text(encoding="utf-8"))))
    start = next(i for i, row in enumerate(rows) if "案件编号" in row)
    return rows[start], [r for r in rows[start + 1:] if r]


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]], hidden_sheets=(), hidden_rows=()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden_sheets:
            sheet.sheet_state = "hidden"
        for number in hidden_rows if name == next(iter(sheets)) else ():
            sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path


def records_text(into: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(into.glob("*.yaml")))


# -- 3. bounded .xlsx and control characters ---------------------------------------------

def _inflating_xlsx(path: Path, unpacked: int) -> Path:
    """A valid small workbook whose sheet XML is padded with `unpacked` bytes of blanks
    inside the worksheet element: a few hundred KB packed."""
    header, rows = export_rows()
    small = write_xlsx(path.with_name("small.xlsx"), {"案件": [header, *rows]})
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.rsplit(b"</worksheet>", 1)
                with target.open(info.filename, "w", force_zip64=True) as part:
                    part.write(head)
                    block = b" " * (1 << 20)
                    for _ in range(unpacked >> 20):
                        part.write(block)
                    part.write(b"</worksheet>" + tail)
            else:
                target.writestr(info, data)
    return path


def test_an_xlsx_that_unpacks_far_beyond_its_size_is_refused_with_the_numbers_within_budget(tmp_path):
    bomb = _inflating_xlsx(tmp_path / "bomb.xlsx", 600 * 1024 ** 2)
    packed = bomb.stat().st_size
    with zipfile.ZipFile(bomb) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert packed < 10_000_000 and unpacked > 600 * 1024 ** 2
    into = tmp_path / "proj" / "cases_public"
    code, err, seconds, peak = measured_pufa("import-cases", str(bomb), "--into", str(into))
    assert code == 2, err
    assert err == (f"pufa import-cases: error: {bomb}: the workbook unpacks to {unpacked / 1e6:.0f} MB ({packed / 1e6:.1f} MB "
                   "packed); an export may unpack to at most 256 MB (split the export into several files, e.g. "
                   "one per year, and import them together)\n")
    assert seconds < BUDGET_S and peak < BUDGET_RSS_MB, (seconds, peak)
    assert not into.exists()


def _with_sheet_xml(path: Path, change) -> Path:
    """Rewrite the sheet XML of a workbook (as a broken or hostile producer would)."""
    out = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def test_a_sheet_declaring_a_million_rows_is_refused_before_it_is_read(tmp_path, capsys):
    header, rows = export_rows()
    book = write_xlsx(tmp_path / "x.xlsx", {"案件": [header, *rows]})
    huge = _with_sheet_xml(book, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))
    code, _, err = run(capsys, "import-cases", str(huge), "--into", str(tmp_path / "cases_public"))
    assert code == 2
    assert err == (f"pufa import-cases: error: {huge}: sheet '案件' declares 1048576 rows and 16384 columns; an "
                   "export may have at most 50000 rows and 200 columns (delete the empty rows/columns or split "
                   "the export, then import the parts together)\n")


def test_a_sheet_whose_rows_run_past_the_limit_without_saying_so_is_refused(tmp_path, capsys):
    header, rows = export_rows()
    book = write_xlsx(tmp_path / "x.xlsx", {"案件": [header, *rows]})

    def far_row(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return xml.replace(b"</sheetData>", b'<row r="900000"><c r="A900000" t="inlineStr"><is><t>x</t></is></c>'
                                            b"</row></sheetData>")
    far = _with_sheet_xml(book, far_row)
    code, _, err = run(capsys, "import-cases", str(far), "--into", str(tmp_path / "cases_public"))
    assert code == 2
    assert err.startswith(f"pufa import-cases: error: {far}: sheet '案件' has more than 50000 rows; ")


@pytest.mark.parametrize("control", ["\0", "\x01", "\x1b", "\x7f", "\x85"])
def test_a_control_character_inside_a_name_is_removed_before_detection(tmp_path, capsys, control):
    text = CSV.read_text(encoding="utf-8").replace("张三丰", f"孙丽{control}娜")
    export = tmp_path / "nul.csv"
    export.write_text(text, encoding="utf-8")
    into = tmp_path / "proj" / "cases_public"
    code, _, err = run(capsys, "import-cases", str(export), "--into", str(into))
    assert code == 0, err
    published = records_text(into)
    # before: '孙丽' was caught as a name and '\\0娜' published after it ('孙某\\0娜')
    assert "娜" not in published and "孙丽" not in published and "孙某" in published
    values = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in into.glob("*.yaml")]
    assert not [v for record in values for v in record.values() if isinstance(v, str) and control in v]


# -- 6. hidden rows and sheets; formulas in the report ----------------------------------

def test_hidden_rows_and_sheets_are_reported_and_skipped_unless_asked(tmp_path, capsys):
    header, rows = export_rows()
    book = write_xlsx(tmp_path / "hidden.xlsx", {"案件": [header, *rows], "旧表": [header, rows[0]]},
                      hidden_sheets=("旧表",), hidden_rows=(3,))
    into = tmp_path / "proj" / "cases_public"
    code, out, err = run(capsys, "import-cases", str(book), "--into", str(into))
    assert code == 0, err
    assert f"{book}: hidden sheet '旧表' not read (--include-hidden reads it)" in out.splitlines()
    assert f"{book}: hidden rows of sheet '案件' not imported: 3 (--include-hidden imports them)" in out.splitlines()
    hidden_case = rows[1][0]           # sheet row 3 = the second case
    assert hidden_case not in records_text(into)
    assert len(list(into.glob("*.yaml"))) == len(rows) - 1

    code, out, err = run(capsys, "import-cases", str(book), "--into", str(into), "--sheet", "案件",
                         "--include-hidden")
    assert code == 0, err
    assert hidden_case in records_text(into)
    assert "not imported" not in out and "not read" not in out


def test_a_hidden_sheet_is_not_chosen_by_name_without_include_hidden(tmp_path, capsys):
    header, rows = export_rows()
    book = write_xlsx(tmp_path / "h.xlsx", {"案件": [header, *rows], "旧表": [header, rows[0]]},
                      hidden_sheets=("旧表",))
    code, _, err = run(capsys, "import-cases", str(book), "--into", str(tmp_path / "c"), "--sheet", "旧表")
    assert code == 2
    assert err == (f"pufa import-cases: error: {book}: --sheet: no sheet named '旧表' ('旧表' is a hidden sheet: "
                   "add --include-hidden to read it)\n")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_report_cells_a_spreadsheet_would_execute_are_neutralised(start):
    from generator.importer.report import CaseChanges, to_csv
    from generator.privacy.anonymise import Change
    payload = f"{start}HYPERLINK(\"http://evil.example\",\"x\")"
    case = CaseChanges(f"{start}id", f"{start}no", f"{start}src", "written",
                       [Change(f"{start}f", "name", payload, payload, payload)])
    rows = list(csv.reader(io.StringIO(to_csv([case]), newline="")))
    assert rows[1] == [f"'{start}id", f"'{start}no", f"'{start}src", "written", f"'{start}f", "name",
                       "'" + payload, "'" + payload, "'" + payload]


def test_the_written_report_of_an_import_neutralises_formulas(tmp_path, capsys):
    text = CSV.read_text(encoding="utf-8").replace("张三丰", "=张三丰")
    export = tmp_path / "f.csv"
    export.write_text(text, encoding="utf-8")
    project = tmp_path / "proj"
    code, _, err = run(capsys, "import-cases", str(export), "--into", str(project / "cases_public"))
    assert code == 0, err
    report = next((project / "reports").glob("*.csv")).read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(report)) for cell in row]
    assert cells and not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


# -- 5. all or nothing across records ---------------------------------------------------

def _pufa_env(**extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _import(export: Path, into: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "import-cases", str(export), "--into", str(into)],
                          capture_output=True, text=True, cwd=ROOT, env=_pufa_env(**env), timeout=120)


@pytest.fixture
def imported(tmp_path) -> tuple[Path, Path, Path]:
    """A project imported from the fixture export, and a second export changing every case."""
    into = tmp_path / "proj" / "cases_public"
    assert _import(CSV, into).returncode == 0
    changed = tmp_path / "v2.csv"
    changed.write_text(CSV.read_text(encoding="utf-8").replace("济南", "济南市"), encoding="utf-8")
    return into, changed, tmp_path


@pytest.mark.parametrize("renames", [0, 1, 2])
def test_an_import_killed_during_its_renames_is_completed_by_the_next_run(imported, renames):
    into, changed, tmp_path = imported
    clean = tmp_path / "clean" / "cases_public"
    assert _import(CSV, clean).returncode == 0 and _import(changed, clean).returncode == 0
    killed = _import(changed, into, PUFA_TEST_KILL_AFTER_RENAMES=str(renames))
    assert killed.returncode == -signal.SIGKILL
    again = _import(changed, into)
    assert again.returncode == 0, again.stderr
    assert "skipped" not in again.stdout.split("\n", 1)[1] and ", 0 skipped" in again.stdout
    assert f"{into}: completed an interrupted import" in again.stdout
    digest = {k: v for k, v in tree_digest(into).items()}
    assert digest == tree_digest(clean), "the same records and manifest as an uninterrupted import"
    assert not [p.name for p in into.iterdir() if p.name.startswith(".") and p.name != ".import-manifest.json"]


def test_an_import_killed_before_its_commit_point_leaves_the_old_records_and_no_leftovers(imported):
    into, changed, tmp_path = imported
    before = tree_digest(into)
    # what a run killed while writing leaves: a staging folder and old-style temp files
    (into / ".import-staging-4242").mkdir()
    (into / ".import-staging-4242" / "2024-1001.yaml").write_text("half", encoding="utf-8")
    (into / ".2024-1001.yaml.4242.tmp").write_text("half", encoding="utf-8")
    again = _import(changed, into)
    assert again.returncode == 0, again.stderr
    assert f"{into}: removed 2 leftover(s) of an interrupted import" in again.stdout
    assert ", 0 skipped" in again.stdout
    assert tree_digest(into) != before
    assert not [p.name for p in into.iterdir() if p.name.startswith(".") and p.name != ".import-manifest.json"]


def test_a_planted_journal_never_moves_files_from_outside(imported):
    into, changed, tmp_path = imported
    victim = tmp_path / "victim.yaml"
    victim.write_text("outside", encoding="utf-8")
    (into / ".import-journal.json").write_text(
        '{"version": 1, "staging": "../..", "files": ["victim.yaml"]}', encoding="utf-8")
    again = _import(changed, into)
    assert again.returncode == 0, again.stderr
    assert victim.read_text(encoding="utf-8") == "outside"
    assert f"{into / '.import-journal.json'}: 导入日志无效，已忽略 / invalid import journal, ignored" in again.stderr
    assert not (into / ".import-journal.json").exists()


def test_a_deeply_nested_json_export_is_refused_with_exit_2_not_a_traceback(tmp_path):
    export = tmp_path / "deep.json"
    export.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, err, seconds, peak = measured_pufa("import-cases", str(export), "--into", str(tmp_path / "p" / "c"))
    assert code == 2, err
    assert err == (f"pufa import-cases: error: {export}:1: JSON 嵌套过深（上限 64 层）/ nested deeper than 64 "
                   "levels (pufa never writes JSON this deep)\n")
    assert seconds < BUDGET_S and peak < BUDGET_RSS_MB


def test_records_and_reports_linked_out_of_the_project_are_refused(imported):
    into, changed, tmp_path = imported
    victim = tmp_path / "victim.yaml"
    victim.write_text("outside: true\n", encoding="utf-8")
    record = next(into.glob("*.yaml"))
    record.unlink()
    record.symlink_to(victim)
    code = _import(changed, into)
    assert code.returncode == 2
    assert code.stderr == (f"pufa import-cases: error: {record}: 链接指向项目之外，拒绝使用 / refused: a link leading "
                           "outside the project (replace the link with the file itself)\n")
    assert victim.read_text(encoding="utf-8") == "outside: true\n"
    record.unlink()
    outside_reports = tmp_path / "elsewhere"
    outside_reports.mkdir()
    reports = into.parent / "reports"
    import shutil
    shutil.rmtree(reports)
    reports.symlink_to(outside_reports, target_is_directory=True)
    code = _import(changed, into)
    assert code.returncode == 2
    assert code.stderr.startswith(f"pufa import-cases: error: {reports}: 链接指向项目之外")
    assert list(outside_reports.iterdir()) == []


def test_the_build_refuses_to_publish_a_half_done_import(tmp_path):
    from test_recaps_project import make_project
    project = make_project(tmp_path / "project")
    into = project / "cases_public"
    assert _import(CSV, into).returncode == 0
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--project", str(project), "--quiet"],
                           capture_output=True, text=True, cwd=ROOT, env=_pufa_env(), timeout=300)
    assert built.returncode == 0, built.stderr
    site = tree_digest(project / "site")
    changed = tmp_path / "v2.csv"
    changed.write_text(CSV.read_text(encoding="utf-8").replace("济南", "济南市"), encoding="utf-8")
    assert _import(changed, into, PUFA_TEST_KILL_AFTER_RENAMES="1").returncode == -signal.SIGKILL
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--project", str(project), "--quiet"],
                           capture_output=True, text=True, cwd=ROOT, env=_pufa_env(), timeout=300)
    assert built.returncode == 2
    assert built.stderr == (f"pufa build: error: {into / '.import-journal.json'}: 导入被中断，案例记录新旧混杂 / an "
                            "import was interrupted: the records are half old, half new (run 'pufa import-cases' "
                            "again to finish it)\n")
    assert tree_digest(project / "site") == site
    assert _import(changed, into).returncode == 0
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--project", str(project), "--quiet"],
                           capture_output=True, text=True, cwd=ROOT, env=_pufa_env(), timeout=300)
    assert built.returncode == 0, built.stderr


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_a_small_export_of_180_000_tiny_rows_is_refused_within_budget(tmp_path, kind):
    header, _ = export_rows()
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(1, 180_001):
            writer.writerow([f"济交执罚〔2024〕{n}号"] + [""] * (len(header) - 1))
        text = out.getvalue()
    else:
        text = "[" + ",".join('{"案件编号": "济交执罚〔2024〕%d号"}' % n for n in range(1, 180_001)) + "]"
    export = tmp_path / f"many.{kind}"
    export.write_text(text, encoding="utf-8")
    assert export.stat().st_size < 10_000_000
    code, err, seconds, peak = measured_pufa("import-cases", str(export), "--into", str(tmp_path / "p" / "c"))
    assert code == 2, err
    unit = "rows" if kind == "csv" else "records"
    assert err == (f"pufa import-cases: error: {export}: more than 50000 {unit}; an export may have at most 50000 "
                   "(split the export into several files, e.g. one per year, and import them together)\n")
    assert seconds < BUDGET_S and peak < BUDGET_RSS_MB, (seconds, peak)
