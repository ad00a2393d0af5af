"""Readers for office exports: .xlsx (pandas + openpyxl), .csv (UTF-8, UTF-8-BOM, GBK,
GB18030), .json. Each returns a RawTable: the header row found below any title rows, and
one RawRow of text cells per data row, numbered as a person sees it in the sheet.

Encodings are decided, never guessed silently wrong: UTF-8 first (with or without BOM);
a file that is mostly valid UTF-8 with a few broken bytes is a damaged UTF-8 file, not a
GBK one; otherwise GB18030 (a superset of GBK). A byte no candidate can decode is an
error naming row and column.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .columns import COLUMNS, IGNORE, PERSONAL, ColumnMap, column_key, header_score, label, personal_look

HEADER_SEARCH_ROWS = 20
_MIN_HEADER_SCORE = 3
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".json")
# The whole file is read into memory (and an .xlsx is unpacked): 64 MB is some 20,000
# cases of long text; a bigger file is refused before it is read (docs/import.md).
MAX_FILE_BYTES = 64_000_000
# An .xlsx is a zip: 2 MB can unpack to gigabytes. Its declared unpacked size and its
# sheet's rows and columns are checked before openpyxl reads it (docs/import.md). An
# export of 20,000 long cases unpacks to ~150 MB, with ~20 columns.
XLSX_MAX_UNPACKED = 256_000_000
XLSX_MAX_ROWS = 50_000
XLSX_MAX_COLUMNS = 200
# Every format: rows per file. 50,000 is more than twice the 20,000 long cases 64 MB holds;
# a small file of hundreds of thousands of tiny rows is refused before any row is checked.
MAX_ROWS = XLSX_MAX_ROWS


def too_many_rows(path: Path, unit: str = "rows") -> InputError:
    return InputError.at(path, f"more than {MAX_ROWS} {unit}; an export may have at most {MAX_ROWS}",
                         hint="split the export into several files, e.g. one per year, and import them together")


@dataclass
class RawRow:
    number: int                  # 1-based row in the sheet / line in the CSV / record in JSON
    cells: dict[str, str]        # column key → stripped text
    personal: dict[str, str] = field(default_factory=dict)   # header mapped 'personal' → text
    extra: dict[str, str] = field(default_factory=dict)      # unknown (ignored) header → text


@dataclass
class RawTable:
    file: Path
    kind: str                    # 'xlsx' | 'csv' | 'json'
    encoding: str = ""           # for CSV/JSON: UTF-8 / UTF-8-BOM / GBK / GB18030
    sheet: str | None = None
    header_row: int = 0
    headers: dict[str, str] = field(default_factory=dict)   # key → header as written
    ignored: list[tuple[str, str]] = field(default_factory=list)   # (header we do not know, sample value)
    rows: list[RawRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)        # hidden rows/sheets not imported, for the summary


# Control characters (NUL, C0 except tab/newline, DEL, C1): invisible in a spreadsheet, they
# split a name ('孙丽\0娜') so that no detector sees it. Removed before anything reads the cell.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text)


def cell_text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole floats without '.0', blanks as '',
    control characters removed."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = strip_control(str(value))
    return "" if text in ("nan", "NaT") else text.strip()


def table_from_grid(table: RawTable, grid: list[tuple[int, list[Any]]], unit: str = "row",
                    columns: ColumnMap | None = None) -> RawTable:
    """Find the header row (the one naming most known columns, among the first rows), map
    its cells to column keys, and read every row below it. An unknown column whose values
    look personal stops the import (it must be mapped with --columns); the others are
    listed in `table.ignored` with a sample value."""
    best: tuple[int, int] | None = None   # (score, index in grid)
    for index, (_, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        score = header_score(cells, columns)
        if score >= _MIN_HEADER_SCORE and (best is None or score > best[0]):
            best = (score, index)
    if best is None:
        raise InputError.at(table.file, f"no header row found in the first {HEADER_SEARCH_ROWS} {unit}s",
                            hint="the header row names the columns: 案件编号, 案件名称, 类别, 违法时间 …")
    header_index = best[1]
    table.header_row, header_cells = grid[header_index]
    positions: dict[str, int] = {}
    personal: dict[str, int] = {}      # header → position, mapped 'personal'
    unknown: dict[str, int] = {}       # header → position, not known and not mapped
    problems: list[Problem] = []
    for position, cell in enumerate(header_cells):
        key = column_key(cell, columns)
        text = cell_text(cell)
        if key == IGNORE:
            continue
        if key == PERSONAL:
            personal[text] = position
            continue
        if key is None:
            if text:
                unknown[text] = position
            continue
        if key in positions:
            problems.append(Problem(str(table.file), f"column {label(key)} appears twice", table.header_row or None,
                                    text, "keep one of the two columns"))
            continue
        positions[key] = position
        table.headers[key] = text
    missing = [c for c in COLUMNS if c.required and c.key not in positions]
    for column in missing:
        problems.append(Problem(str(table.file), f"missing required column {label(column.key)}",
                                table.header_row or None, None, "add the column to the header row"))
    if problems:
        raise InputError(problems)
    everything = {**{table.headers[k]: p for k, p in positions.items()}, **personal, **unknown}
    for number, cells in grid[header_index + 1:]:
        has_any = any(cell_text(c) for c in cells)
        if not has_any:
            table.rows.append(RawRow(number, {}))
            continue
        for header, pos in everything.items():
            if pos < len(cells):
                bad = _unreadable(cells[pos])
                if bad:
                    problems.append(Problem(str(table.file), bad[0], number, f"column {pos + 1} ({header})", bad[1]))
        values = {key: cell_text(cells[pos]) if pos < len(cells) else "" for key, pos in positions.items()}
        row = RawRow(number, values)
        row.personal = {h: cell_text(cells[p]) for h, p in personal.items() if p < len(cells) and cell_text(cells[p])}
        row.extra = {h: cell_text(cells[p]) for h, p in unknown.items() if p < len(cells) and cell_text(cells[p])}
        table.rows.append(row)
    # Blank rows at the very end are the spreadsheet's, not the office's: drop them.
    while table.rows and not table.rows[-1].cells:
        table.rows.pop()
    for header, position in unknown.items():
        values = [(row.number, row.extra.get(header, "")) for row in table.rows if row.cells]
        looks = personal_look(header, values)
        if looks:
            problems.append(Problem(
                str(table.file), f"unknown column whose values look personal (row {looks[0]} holds {looks[1]})",
                looks[0], f"column {position + 1} ({header})",
                f"it would be neither published nor removed from the text: map it in a columns file and run again "
                f"with --columns map.yaml, a line '{header}: personal' (never published, removed from the text), "
                f"'{header}: 当事人' (or another known column) or '{header}: ignore'; see docs/import.md"))
            continue
        sample = next((value for _, value in values if value), "")
        table.ignored.append((header, sample if len(sample) <= 20 else sample[:20] + "…"))
    if problems:
        raise InputError(problems)
    return table


# Excel writes these into a cell whose formula failed: the value itself is lost.
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
# Chinese read through a Western code page (GBK bytes shown as cp1252/latin-1: 王二 → Íõ¶þ).
_LATIN1_MOJIBAKE = re.compile("[\u00c0-\u00ff\u00a1-\u00bf]{2,}")


def _unreadable(value: Any) -> tuple[str, str] | None:
    """(message, hint) when a cell cannot be read as what the office wrote."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in _EXCEL_ERRORS:
        return f"the cell holds the Excel error {text}, not a value", "fix the formula or type the value in the export"
    if "\ufffd" in text:
        return ("the cell holds '\ufffd' (characters lost when the file was converted between encodings)",
                "type the text again in the export, or export it again as UTF-8")
    for match in _LATIN1_MOJIBAKE.finditer(text):
        if not set(match.group()) <= _PINYIN:
            return (f"'{match.group()}' looks like Chinese read in a Western encoding (garbled text)",
                    "export the file again from the case system, or retype the cell")
    return None


# --- xlsx ------------------------------------------------------------------------------

def check_xlsx_unpacked(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than XLSX_MAX_UNPACKED, before any is
    unpacked (zipfile never reads past a part's declared size, so the sum bounds the work)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError.at(path, f"cannot read the Excel file: {exc}",
                            hint="open it in Excel/WPS and save it again as .xlsx") from None
    if total > XLSX_MAX_UNPACKED:
        raise InputError.at(path, f"the workbook unpacks to {total / 1e6:.0f} MB ({path.stat().st_size / 1e6:.1f} MB "
                            f"packed); an export may unpack to at most {XLSX_MAX_UNPACKED / 1e6:.0f} MB",
                            hint="split the export into several files, e.g. one per year, and import them together")


def _too_big(path: Path, sheet: str, what: str) -> InputError:
    return InputError.at(path, f"sheet '{sheet}' {what}; an export may have "
                         f"at most {XLSX_MAX_ROWS} rows and {XLSX_MAX_COLUMNS} columns",
                         hint="delete the empty rows/columns or split the export, then import the parts together")


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')


def hidden_rows(book: Any, worksheet: Any) -> set[int]:
    """Row numbers marked hidden in a sheet's XML (read-only openpyxl does not say):
    one streaming pass over the part, bounded by its checked unpacked size."""
    hidden: set[int] = set()
    number, tail = 0, b""
    with book._archive.open(worksheet._worksheet_path) as part:
        while True:
            chunk = part.read(1 << 20)
            data = tail + chunk
            # tags wholly before the last '<' are complete; the rest waits for the next chunk
            cut = max(data.rfind(b"<"), 0) if chunk else len(data)
            for tag in _ROW_TAG.finditer(data, 0, cut):
                found = _ROW_NUMBER.search(tag.group())
                number = int(found.group(1)) if found else number + 1
                if _HIDDEN.search(tag.group()):
                    hidden.add(number)
            if not chunk:
                return hidden
            tail = data[cut:]


def read_xlsx(path: Path, sheet: str | None, columns: ColumnMap | None = None,
              include_hidden: bool = False) -> RawTable:
    import openpyxl  # pandas' engine; used directly to keep true sheet row numbers

    check_xlsx_unpacked(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException alike
        raise InputError.at(path, f"cannot read the Excel file: {exc}",
                            hint="open it in Excel/WPS and save it again as .xlsx") from None
    skipped: list[str] = []
    try:
        names = book.sheetnames
        hidden_sheets = [name for name in names if book[name].sheet_state != "visible"]
        visible = names if include_hidden else [name for name in names if name not in hidden_sheets]
        if sheet is not None:
            if sheet not in visible:
                hint = (f"'{sheet}' is a hidden sheet: add --include-hidden to read it" if sheet in hidden_sheets
                        else f"sheets in this file: {', '.join(visible)}")
                raise InputError.at(path, f"no sheet named '{sheet}'", field="--sheet", hint=hint)
            chosen = sheet
        elif len(visible) == 1:
            chosen = visible[0]
        elif not visible:
            raise InputError.at(path, "every sheet of the workbook is hidden",
                                hint="add --include-hidden to read hidden sheets")
        else:
            raise InputError.at(path, f"the workbook has {len(visible)} sheets: {', '.join(visible)}",
                                field="--sheet", hint="choose one with --sheet NAME")
        if not include_hidden:
            skipped += [f"{path}: hidden sheet '{name}' not read (--include-hidden reads it)"
                        for name in hidden_sheets]
        worksheet = book[chosen]
        rows, width = worksheet.max_row, worksheet.max_column    # the sheet's declared dimension
        if (rows or 0) > XLSX_MAX_ROWS or (width or 0) > XLSX_MAX_COLUMNS:
            raise _too_big(path, chosen, f"declares {rows} rows and {width} columns")
        hidden = set() if include_hidden else hidden_rows(book, worksheet)
        grid = []
        # max_col: a cell far to the right must not make every row 16,384 cells long
        cells = worksheet.iter_rows(values_only=True, max_col=min(width or XLSX_MAX_COLUMNS, XLSX_MAX_COLUMNS))
        for index, values in enumerate(cells, start=1):
            if index > XLSX_MAX_ROWS:     # no dimension, or a wrong one: counted as read
                raise _too_big(path, chosen, f"has more than {XLSX_MAX_ROWS} rows")
            if index in hidden:
                continue
            row = list(values)
            while row and row[-1] is None:
                row.pop()
            grid.append((index, row))
    finally:
        book.close()
    table = table_from_grid(RawTable(path, "xlsx", sheet=chosen), grid, columns=columns)
    rows = sorted(n for n in hidden if n > table.header_row)
    if rows:
        table.skipped.append(f"{path}: hidden rows of sheet '{chosen}' not imported: "
                             f"{', '.join(map(str, rows))} (--include-hidden imports them)")
    table.skipped[:0] = skipped
    return table


# --- csv -------------------------------------------------------------------------------

def _bad_byte(path: Path, raw: bytes, position: int, encoding: str, decoded_prefix: str) -> InputError:
    line = raw.count(b"\n", 0, position) + 1
    line_start = raw.rfind(b"\n", 0, position) + 1
    column_index = raw.count(b",", line_start, position)
    column = f"column {column_index + 1}"
    # Name the column by its header when the header row lies above the bad byte.
    try:
        rows = list(csv.reader(io.StringIO(decoded_prefix, newline="")))
    except csv.Error:
        rows = []
    scored = [(header_score(r), r) for r in rows[:HEADER_SEARCH_ROWS]]
    if scored:
        score, header = max(scored, key=lambda item: item[0])
        if score >= _MIN_HEADER_SCORE and column_index < len(header):
            column = f"column {column_index + 1} ({header[column_index].strip()})"
    return InputError.at(path, f"byte 0x{raw[position]:02x} cannot be decoded as {encoding}", line=line,
                         field=column, hint="save the file again as UTF-8 (Excel: CSV UTF-8) or GBK")


def decode_bytes(path: Path, raw: bytes) -> tuple[str, str]:
    """(text, encoding name) of a CSV/JSON file; InputError at the first undecodable byte."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": UTF-16 with a BOM.
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise _bad_byte(path, raw, exc.start, "UTF-16", "") from None
    if raw.count(b"\x00") > len(raw) // 10:
        raise InputError.at(path, "the file looks like UTF-16 without a byte-order mark",
                            hint="save it again as CSV UTF-8 or GBK")
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return _no_gbk_inside(path, raw, raw[3:].decode("utf-8"), 3), "UTF-8-BOM"
        except UnicodeDecodeError as exc:
            raise _bad_byte(path, raw, exc.start + 3, "UTF-8",
                            raw[3:exc.start + 3].decode("utf-8", "replace")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        return _no_gbk_inside(path, raw, text, 0), "UTF-8"
    mixed = _mixed_encodings(path, raw)
    if mixed is not None:
        # GB18030 decodes most UTF-8 Chinese without an error, as mojibake
        # (济南东站 → 娴庡崡涓滅珯): a row saved in the other encoding must be named.
        raise mixed
    loose = raw.decode("utf-8", "replace")
    broken = loose.count("\ufffd")
    chinese = sum(1 for ch in loose if "\u4e00" <= ch <= "\u9fff")
    if chinese >= 4 * broken:
        # Mostly good UTF-8 Chinese: a damaged UTF-8 file. Decoding it as GBK would
        # silently turn the whole file into mojibake.
        pos = utf8_error.start
        raise _bad_byte(path, raw, pos, "UTF-8", raw[:pos].decode("utf-8", "replace"))
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _bad_byte(path, raw, exc.start, "GBK/GB18030", raw[:exc.start].decode("gb18030", "replace")) from None
    try:
        raw.decode("gbk")
        return text, "GBK"
    except UnicodeDecodeError:
        return text, "GB18030"


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
# A whole run of non-ASCII bytes shaped like UTF-8: rare in a GBK file, so a pure GBK
# file is cleared by one regex pass instead of decoding every run.
_UTF8_SHAPED_RUN = re.compile(rb"(?<![\x80-\xff])(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                              rb"|[\xf0-\xf4][\x80-\xbf]{3})+(?![\x80-\xff])")


def _is_utf8_chinese(chunk: bytes) -> bool:
    """Valid UTF-8 with two or more Chinese characters: a short GBK run can be valid
    UTF-8 by chance (联通)."""
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Ideographs, CJK punctuation （。、） and full-width forms all mark Chinese text.
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
               or "\uff00" <= ch <= "\uffef") >= 2


# GBK characters with a lead byte C4–DF and a trail byte 80–BF are also valid two-byte
# UTF-8 (取 → ȡ): a few of them pasted into a UTF-8 file decode without any error, as
# Latin-Extended/Greek/Cyrillic/Arabic letters no Chinese case export holds. Pinyin tone
# letters (ā ǎ ǚ …) may be meant and are let through.
_GBK_AS_UTF8 = re.compile("[\u0100-\u07ff]")
_PINYIN = set("āēīōūǖáéíóúǘǎěǐǒǔǚàèìòùǜüĀĒĪŌŪÁÉÍÓÚǍĚǏǑǓÀÈÌÒÙ")


def _no_gbk_inside(path: Path, raw: bytes, text: str, offset: int) -> str:
    for match in _GBK_AS_UTF8.finditer(text):
        if match.group() in _PINYIN:
            continue
        position = offset + len(text[:match.start()].encode("utf-8"))
        line_start = raw.rfind(b"\n", 0, position) + 1
        problem = _bad_byte(path, raw, position, "UTF-8", raw[:line_start].decode("utf-8", "replace")).problems[0]
        problem.message = (f"'{match.group()}' (U+{ord(match.group()):04X}) looks like GBK text inside a UTF-8 "
                           "file (mixed encodings: it would be read as garbled characters)")
        raise InputError(problem)
    return text


def _mixed_encodings(path: Path, raw: bytes) -> InputError | None:
    """Text in both UTF-8 and GBK in one file (rows pasted from another export): the first
    run of bytes in the minority encoding, named by line and column; None otherwise."""
    if not any(_is_utf8_chinese(m.group()) for m in _UTF8_SHAPED_RUN.finditer(raw)):
        return None
    runs: dict[str, list[re.Match]] = {"UTF-8": [], "GBK/GB18030": []}
    for match in _NON_ASCII_RUN.finditer(raw):
        chunk = match.group()
        if _is_utf8_chinese(chunk):
            runs["UTF-8"].append(match)
            continue
        try:
            chunk.decode("utf-8")
            continue                         # short or non-Chinese UTF-8: no evidence either way
        except UnicodeDecodeError:
            pass
        try:
            chunk.decode("gb18030")
        except UnicodeDecodeError:
            continue                         # neither: reported as a bad byte later
        runs["GBK/GB18030"].append(match)
    if not runs["UTF-8"] or not runs["GBK/GB18030"]:
        return None
    size = {name: sum(len(m.group()) for m in found) for name, found in runs.items()}
    minority, majority = sorted(runs, key=lambda name: size[name])
    position = runs[minority][0].start()
    line_start = raw.rfind(b"\n", 0, position) + 1
    decoded_above = raw[:line_start].decode("utf-8" if majority == "UTF-8" else "gb18030", "replace")
    problem = _bad_byte(path, raw, position, majority, decoded_above).problems[0]
    problem.message = (f"this text is {minority} but the rest of the file is {majority} "
                       "(mixed encodings: it would be read as garbled characters)")
    return InputError(problem)


def _csv_grid(path: Path, text: str, delimiter: str) -> list[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[tuple[int, list[Any]]] = []
    try:
        line = 1
        for row in reader:
            grid.append((line, row))
            line = reader.line_num + 1
            if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise too_many_rows(path)
    except csv.Error as exc:
        raise InputError.at(path, f"CSV syntax error: {exc}", line=reader.line_num) from None
    return grid


def read_csv(path: Path, columns: ColumnMap | None = None) -> RawTable:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError.at(path, "the file is empty")
    text, encoding = decode_bytes(path, raw)
    # Comma first; WPS and some case systems write tabs or semicolons into a '.csv'.
    first_error: InputError | None = None
    for delimiter in (",", "\t", ";"):
        try:
            return table_from_grid(RawTable(path, "csv", encoding=encoding), _csv_grid(path, text, delimiter),
                                   columns=columns)
        except InputError as exc:
            if "no header row found" not in str(exc):
                raise
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


# --- json ------------------------------------------------------------------------------

def read_json(path: Path, columns: ColumnMap | None = None) -> RawTable:
    text, encoding = decode_bytes(path, path.read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.at(path, f"JSON syntax error: {exc.msg}", line=exc.lineno) from None
    except RecursionError:       # thousands of nested brackets: refused with its line, never a traceback
        from ..bounded import loads
        loads(text, path)
        raise
    if isinstance(data, dict):
        data = data.get("cases", data.get("rows"))
    if not isinstance(data, list):
        raise InputError.at(path, "expected a list of cases (or {\"cases\": [...]})")
    if len(data) > MAX_ROWS:
        raise too_many_rows(path, "records")
    headers: list[str] = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {index} is not an object of fields", line=index)
        for key in item:
            if key not in headers:
                headers.append(key)
    grid: list[tuple[int, list[Any]]] = [(0, list(headers))]
    grid += [(index, [item.get(h) for h in headers]) for index, item in enumerate(data, start=1)]
    return table_from_grid(RawTable(path, "json", encoding=encoding), grid, unit="record", columns=columns)


def read_table(path: Path, sheet: str | None = None, columns: ColumnMap | None = None,
               include_hidden: bool = False) -> RawTable:
    """Read one export by its suffix."""
    if not path.exists():
        raise InputError.at(path, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise InputError.at(path, "the file is empty", hint="export the cases again")
    if size > MAX_FILE_BYTES:
        raise InputError.at(path, f"the file is {size / 1e6:.0f} MB; one export may be at most "
                            f"{MAX_FILE_BYTES / 1e6:.0f} MB",
                            hint="split the export into several files, e.g. one per year, and import them together")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet, columns, include_hidden)
    if suffix == ".csv":
        return read_csv(path, columns)
    if suffix == ".json":
        return read_json(path, columns)
    raise InputError.at(path, f"unsupported file type '{path.suffix}'",
                        hint="export the cases as .xlsx, .csv or .json")
