"""Broken input for every command: each gets one line per problem naming file, line or row
and field, a non-zero exit, and no partial output — the last good site/ and cases_public/
stay byte-identical, no temporary tree or transcript folder is left behind."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.annotate.store import Store
from generator.cli import main
from generator.errors import InputError
from generator.importer.readers import MAX_FILE_BYTES
from test_hardening_project import RAW, ROOT, VIDEO, make_full_project, pufa, tree_digest
from test_recaps_project import LIVE_ID

L = f"transcripts/{LIVE_ID}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def cut_after(path: Path, marker: str, extra: int = 0) -> None:
    """Cut the file off `extra` bytes after the start of `marker` (a crash or a bad copy)."""
    raw = path.read_bytes()
    path.write_bytes(raw[:raw.index(marker.encode("utf-8")) + extra])


# ── pufa build ────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def built_full(tmp_path_factory) -> Path:
    project = make_full_project(tmp_path_factory.mktemp("full") / "project")
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    return project


@pytest.fixture
def full(built_full, tmp_path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(built_full, dest)
    return dest


# name → (how to break the project, the first error line; {p} is the project folder)
BUILD_BREAKS = {
    "case-cut-mid-character": (
        lambda p: cut_after(p / "cases_public/2024-0001.yaml", "不予行政处罚", 1),
        "{p}/cases_public/2024-0001.yaml:11: file is not UTF-8 (save it as UTF-8)"),
    "case-cut-mid-mapping": (
        lambda p: cut_after(p / "cases_public/2024-0001.yaml", ", article"),
        "{p}/cases_public/2024-0001.yaml:11: YAML syntax error: did not find expected ',' or '}' "
        "(fix the YAML syntax at that line)"),
    "transcript-cut-mid-character": (
        lambda p: cut_after(p / L / "transcript.json", "网约车驾驶员", 2),
        "{p}/%s/transcript.json:25: file is not UTF-8 (byte 0xe7; cut off or saved in another encoding) "
        "(save it as UTF-8)" % L),
    "transcript-cut-between-fields": (
        lambda p: cut_after(p / L / "transcript.json", '"flags"'),
        "{p}/%s/transcript.json:35: invalid JSON: Expecting property name enclosed in double quotes" % L),
    "annotations-cut-mid-character": (
        lambda p: cut_after(p / L / "annotations.json", "直播开场", 4),
        "{p}/%s/annotations.json:6: file is not UTF-8 (byte 0xe6; cut off or saved in another encoding) "
        "(save it as UTF-8)" % L),
    "meta-cut-before-media": (
        lambda p: cut_after(p / L / "meta.yaml", "media:"),
        "{p}/%s/meta.yaml:1: media: a transcript to publish needs its media file / 缺少媒体文件 "
        "(give the path of the video or audio in the project, e.g. media/<id>.mp4)" % L),
    "lessons-cut": (
        lambda p: cut_after(p / "data/lessons.yaml", "goals: [知道", 4),
        "{p}/data/lessons.yaml:10: YAML syntax error: could not find expected ':' (fix the YAML syntax at that line)"),
    "discretion-cut": (
        lambda p: cut_after(p / "data/discretion.yaml", "legal_basis:\n      - {law"),
        "{p}/data/discretion.yaml:3: items[0].legal_basis: required field is missing or empty "
        "(add e.g. legal_basis: [{law: 《中华人民共和国道路运输条例》, article: 第六十三条}])"),
    "law-text-cut-mid-character": (
        lambda p: (shutil.copyfile(ROOT / "generator/data/laws/gonglu-fa-2017.md", p / "data/laws/gonglu-fa-2017.md"),
                   cut_after(p / "data/laws/gonglu-fa-2017.md", "第一条", 1)),    # the project's own copy of a law
        "{p}/data/laws/gonglu-fa-2017.md:19: file is not UTF-8 (save it as UTF-8)"),
    "mkdocs-yml-in-gbk": (
        lambda p: (p / "mkdocs.yml").write_bytes("site_name: 测试站\n".encode("gbk")),
        "{p}/mkdocs.yml: file is not UTF-8 (save it as UTF-8)"),
    "segment-time-wrong-type": (
        lambda p: edit(p / L / "transcript.json", '"start": 8.0', '"start": "八秒"'),
        "{p}/%s/transcript.json: segments[2]: bad segment (ValueError: could not convert string to float: '八秒') "
        "(each segment needs id, start, end, text)" % L),
    "segment-text-wrong-type": (
        lambda p: edit(p / L / "transcript.json", '"text": "各位网友', '"text": ["各位网友"], "x": "'),
        "{p}/%s/transcript.json: segments[0].text: expected text, got list" % L),
    "chapter-title-wrong-type": (
        lambda p: edit(p / L / "annotations.json", '"title": "直播开场"', '"title": {"a": 1}'),
        "{p}/%s/annotations.json:4: chapters[0].title: expected text, got dict" % L),
    "highlight-note-wrong-type": (
        lambda p: edit(p / L / "annotations.json", '"note": "执法人员讲解网约车“双证”要求。"', '"note": 12'),
        "{p}/%s/annotations.json:16: highlights[0].note: expected text, got int" % L),
    "speaker-name-wrong-type": (
        lambda p: edit(p / L / "annotations.json", '"S1": "执法人员"', '"S1": ["执法人员"]'),
        "{p}/%s/annotations.json: speakers.S1: expected text, got list" % L),
    "lesson-minutes-wrong-type": (
        lambda p: edit(p / "data/lessons.yaml", "minutes: 40", "minutes: 四十分钟"),
        "{p}/data/lessons.yaml:8: lessons[0].minutes: expected a number, got '四十分钟'"),
    "episode-number-wrong-type": (
        lambda p: edit(p / "data/episodes.yaml", "number: 2", "number: [2]"),
        "{p}/data/episodes.yaml:12: episodes[1].number: expected a number, got '[2]'"),
    "case-legal-basis-wrong-type": (
        lambda p: edit(p / "cases_public/2024-0001.yaml",
                       "legal_basis:\n  - {law: 《中华人民共和国行政处罚法》, article: 第三十三条}", "legal_basis: 第三十三条"),
        "{p}/cases_public/2024-0001.yaml:9: legal_basis: a law must be written with its title in 《》, "
        "e.g. 《中华人民共和国道路运输条例》第六十三条"),
    "duplicate-episode-id": (
        lambda p: edit(p / "data/episodes.yaml", "id: qxh-t03", "id: qxh-t01"),
        "{p}/data/episodes.yaml:23: episodes[2].id: duplicate id 'qxh-t01' (first at line 3)"),
    "duplicate-lesson-id": (
        lambda p: edit(p / "data/lessons.yaml", "id: gd-chaoxian", "id: cz-wyc-anquan"),
        "{p}/data/lessons.yaml:15: lessons[1].id: duplicate id 'cz-wyc-anquan' (first at line 3)"),
    "duplicate-discretion-id": (
        lambda p: edit(p / "data/discretion.yaml", "id: cqcf-01", "id: bycf-01"),
        "{p}/data/discretion.yaml:14: items[1].id: duplicate id 'bycf-01' (first at line 3)"),
    "duplicate-segment-id": (
        lambda p: edit(p / L / "transcript.json", '"id": 1,', '"id": 0,'),
        "{p}/%s/transcript.json: segments[1].id: duplicate segment id 0" % L),
    "transcript-id-not-its-folder": (
        lambda p: edit(p / "transcripts/qxh-t02/meta.yaml", "id: qxh-t02", f"id: {LIVE_ID}"),
        "{p}/transcripts/qxh-t02/meta.yaml:1: id: id 'live-test' differs from the folder name 'qxh-t02' "
        "(rename the folder or fix the id)"),
    # An unknown law in a discretion item is a warning now: tests/test_laws_unknown.py
    "unknown-law-in-highlight": (
        lambda p: edit(p / L / "annotations.json", '"law": "网络预约出租汽车经营服务管理暂行办法"', '"law": "不存在的办法"'),
        "{p}/%s/annotations.json:16: highlights[0].law: unknown law 《不存在的办法》 (a title from data/laws/catalog.yaml)" % L),
    "missing-livestream-media": (
        lambda p: (p / "media/demo-livestream.mp4").unlink(),
        "{p}/%s/meta.yaml:6: media: media file 'media/demo-livestream.mp4' does not exist in the project "
        "(give a path relative to the project (or to this folder))" % L),
    "missing-episode-media": (
        lambda p: (p / "media/demo.mp4").unlink(),
        "{p}/data/episodes.yaml:19: episodes[1].media: media file 'media/demo.mp4' does not exist "
        "(put the video in the project or remove 'media:')"),
    "truncated-livestream-media": (
        lambda p: shutil.copyfile(VIDEO / "truncated.mp4", p / "media/demo-livestream.mp4"),
        "{p}/%s/meta.yaml:6: media: {p}/media/demo-livestream.mp4: 文件不完整（被截断），请重新导出或重新复制 "
        "(truncated file: the data ends before the length its header announces; export or copy it again)" % L),
    "truncated-episode-media": (
        lambda p: shutil.copyfile(VIDEO / "truncated.mp4", p / "media/demo.mp4"),
        "{p}/data/episodes.yaml:19: episodes[1].media: cannot mute the redacted parts: {p}/media/demo.mp4: "
        "文件不完整（被截断），请重新导出或重新复制 (truncated file: the data ends before the length its header "
        "announces; export or copy it again)"),
    "no-audio-video-for-a-livestream": (
        lambda p: shutil.copyfile(VIDEO / "no-audio.mp4", p / "media/demo-livestream.mp4"),
        "{p}/%s/annotations.json:9: chapters[1].start: chapter starts at 8.0 s, after the media ends (3.0 s)" % L),
    "text-file-as-livestream-media": (
        lambda p: (p / "media/demo-livestream.mp4").write_bytes(b"not a video\n" * 100),
        "{p}/%s/meta.yaml:6: media: {p}/media/demo-livestream.mp4: 无法读取：文件损坏或不是音视频文件 "
        "(cannot read: corrupt file or not a media file)" % L),
}

EMPTY_FILES = {
    "cases_public/2024-0001.yaml": "{p}/cases_public/2024-0001.yaml:1: expected a mapping of fields",
    "data/episodes.yaml": "{p}/data/episodes.yaml:1: episodes: expected a top-level 'episodes:' list",
    "data/lessons.yaml": "{p}/data/lessons.yaml:1: lessons: expected a top-level 'lessons:' list",
    "data/discretion.yaml": "{p}/data/discretion.yaml:1: items: expected a top-level 'items:' list",
    "data/laws/catalog.yaml": "{p}/data/laws/catalog.yaml:1: laws: expected a top-level 'laws:' list",
    "data/laws/gonglu-fa-2017.md": "{p}/data/laws/gonglu-fa-2017.md:1: law text has no '# title' line "
                                   "(start the file with '# 法律全称')",
    f"{L}/meta.yaml": "{p}/%s/meta.yaml:1: expected a mapping of fields" % L,
    f"{L}/transcript.json": "{p}/%s/transcript.json:1: invalid JSON: Expecting value" % L,
    f"{L}/annotations.json": "{p}/%s/annotations.json:1: invalid JSON: Expecting value" % L,
    "media/demo-livestream.mp4": "{p}/%s/meta.yaml:6: media: {p}/media/demo-livestream.mp4: 文件为空 (file is empty)" % L,
    "media/demo.mp4": "{p}/data/episodes.yaml:19: episodes[1].media: cannot mute the redacted parts: "
                      "{p}/media/demo.mp4: 文件为空 (file is empty)",
}


def _assert_build_refused(capsys, project: Path, expected_first: str) -> None:
    site, cases = tree_digest(project / "site"), tree_digest(project / "cases_public")
    code, out, err = run(capsys, "build", "--project", str(project), "--quiet")
    lines = err.splitlines()
    assert code == 2, err
    assert lines[0] == "pufa build: error: " + expected_first.replace("{p}", str(project))
    assert all(line.startswith(f"pufa build: error: {project}/") for line in lines), "every problem names its file"
    assert "Traceback" not in err
    assert tree_digest(project / "site") == site, "site/ must keep the last good build"
    assert tree_digest(project / "cases_public") == cases
    assert not list((project / ".pufa-cache").glob("build-*")), "no half-built tree left behind"


@pytest.mark.parametrize("name", sorted(BUILD_BREAKS))
def test_broken_project_input_stops_the_build_naming_file_line_and_field(full, capsys, name):
    breaker, expected = BUILD_BREAKS[name]
    breaker(full)
    _assert_build_refused(capsys, full, expected)


@pytest.mark.parametrize("rel", sorted(EMPTY_FILES))
def test_a_zero_byte_project_file_stops_the_build(full, capsys, rel):
    (full / rel).write_bytes(b"")
    _assert_build_refused(capsys, full, EMPTY_FILES[rel])


# ── pufa import-cases ─────────────────────────────────────────────────────────

@pytest.fixture
def imported(tmp_path) -> Path:
    """A project whose cases_public/ holds a good import (the last good state)."""
    project = tmp_path / "proj"
    assert main(["import-cases", str(RAW / "cases.xlsx"), "--into", str(project / "cases_public")]) == 0
    return project


def _csv_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO((RAW / "cases-utf8.csv").read_text(encoding="utf-8"))))


def _encode_rows(rows: list[list[str]], encoding_of) -> bytes:
    """CSV bytes where each cell is encoded by encoding_of(row, column)."""
    out = b""
    for r, row in enumerate(rows):
        out += b",".join(cell.encode(encoding_of(r, c)) for c, cell in enumerate(row)) + b"\n"
    return out


MIXED = {
    # most of the file GBK, one place name pasted in as UTF-8: GB18030 reads it without
    # error as 娴庡崡涓滅珯, so only a check of both encodings catches it
    "one-utf8-cell-in-gbk": (lambda r, c: "utf-8" if (r, c) == (3, 8) else "gb18030",
                             "{f}:4: column 9 (违法地点): this text is UTF-8 but the rest of the file is GBK/GB18030"),
    "one-utf8-row-in-gbk": (lambda r, c: "utf-8" if r == 3 else "gb18030",
                            "{f}:4: column 1 (案件编号): this text is UTF-8 but the rest of the file is GBK/GB18030"),
    "one-gbk-row-in-utf8": (lambda r, c: "gb18030" if r == 3 else "utf-8",
                            "{f}:4: column 1 (案件编号): this text is GBK/GB18030 but the rest of the file is UTF-8"),
    "one-gbk-cell-in-utf8": (lambda r, c: "gb18030" if (r, c) == (2, 10) else "utf-8",
                             "{f}:3: column 11 (违法事实): this text is GBK/GB18030 but the rest of the file is UTF-8"),
}


@pytest.mark.parametrize("name", sorted(MIXED))
def test_a_csv_mixing_utf8_and_gbk_names_the_row_and_column_never_mojibake(imported, tmp_path, capsys, name):
    encoding_of, expected = MIXED[name]
    rows = _csv_rows()
    rows[3][8] = "济南东站"          # decodes as GB18030 without an error when written in UTF-8
    path = tmp_path / f"{name}.csv"
    path.write_bytes(_encode_rows(rows, encoding_of))
    before = tree_digest(imported / "cases_public")
    code, out, err = run(capsys, "import-cases", str(path), "--into", str(imported / "cases_public"))
    assert code == 2 and out == ""
    assert err == ("pufa import-cases: error: " + expected.format(f=path) +
                   " (mixed encodings: it would be read as garbled characters) "
                   "(save the file again as UTF-8 (Excel: CSV UTF-8) or GBK)\n")
    assert tree_digest(imported / "cases_public") == before


def test_a_gbk_character_that_is_also_valid_utf8_is_caught_in_a_utf8_file(imported, tmp_path, capsys):
    """GBK 取 (C8 A1) is valid UTF-8 for ȡ: without a check the file imports without error."""
    rows = _csv_rows()
    rows[3][2] = "取"
    path = tmp_path / "one-gbk-char.csv"
    path.write_bytes(_encode_rows(rows, lambda r, c: "gbk" if (r, c) == (3, 2) else "utf-8"))
    before = tree_digest(imported)
    code, out, err = run(capsys, "import-cases", str(path), "--into", str(imported / "cases_public"))
    assert code == 2 and out == ""
    assert err == (f"pufa import-cases: error: {path}:4: column 3 (类别): 'ȡ' (U+0221) looks like GBK text inside a "
                   "UTF-8 file (mixed encodings: it would be read as garbled characters) "
                   "(save the file again as UTF-8 (Excel: CSV UTF-8) or GBK)\n")
    assert tree_digest(imported) == before


def test_pinyin_with_tone_marks_in_a_utf8_file_is_imported(tmp_path):
    rows = _csv_rows()
    rows[2][16] = rows[2][16] + "（首违不罚 shǒu wéi bù fá）"
    path = tmp_path / "pinyin.csv"
    path.write_bytes(_encode_rows(rows, lambda r, c: "utf-8"))
    into = tmp_path / "p" / "cases_public"
    assert main(["import-cases", str(path), "--into", str(into)]) == 0
    assert "shǒu wéi bù fá" in (into / "2024-1001.yaml").read_text(encoding="utf-8")


def test_a_whole_gbk_or_utf8_file_with_the_same_text_still_imports(tmp_path):
    rows = _csv_rows()
    rows[3][8] = "济南东站"
    for encoding in ("gb18030", "utf-8"):
        path = tmp_path / f"whole-{encoding}.csv"
        path.write_bytes(_encode_rows(rows, lambda r, c: encoding))
        into = tmp_path / encoding / "cases_public"
        assert main(["import-cases", str(path), "--into", str(into)]) == 0
        assert "place: 济南东站" in (into / "2024-1002.yaml").read_text(encoding="utf-8")


EMPTY_EXPORTS = {
    "x.csv": "{f}: the file is empty (export the cases again)",
    "x.xlsx": "{f}: the file is empty (export the cases again)",
    "x.json": "{f}: the file is empty (export the cases again)",
}

BAD_EXPORTS = {  # fixtures of tests/data/raw: the last good cases_public/ must stay as it was
    "missing-column.csv": "{raw}/missing-column.csv:2: missing required column 违法时间 (date) "
                          "(add the column to the header row)",
    "duplicate-case-no.csv": "{raw}/duplicate-case-no.csv:5: 案件编号 (case_no): duplicate case number "
                             "济交执罚〔2024〕1001号 (also at {raw}/duplicate-case-no.csv:3) (each case number may appear once)",
    "bad-encoding.csv": "{raw}/bad-encoding.csv:5: column 9 (违法地点): byte 0x81 cannot be decoded as GBK/GB18030 "
                        "(save the file again as UTF-8 (Excel: CSV UTF-8) or GBK)",
    "bad-date.csv": "{raw}/bad-date.csv:4: 违法时间 (date): '2024-02-30' is not a date (write YYYY-MM-DD, e.g. 2024-03-05)",
}


@pytest.mark.parametrize("name", sorted(EMPTY_EXPORTS))
def test_a_zero_byte_export_is_refused_and_the_records_stay(imported, tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(b"")
    before = tree_digest(imported)
    code, out, err = run(capsys, "import-cases", str(path), "--into", str(imported / "cases_public"))
    assert code == 2 and out == ""
    assert err == "pufa import-cases: error: " + EMPTY_EXPORTS[name].format(f=path) + "\n"
    assert tree_digest(imported) == before, "records, manifest, deny list and reports untouched"


@pytest.mark.parametrize("name", sorted(BAD_EXPORTS))
def test_a_bad_export_leaves_the_last_good_records_untouched(imported, capsys, name):
    before = tree_digest(imported)
    code, out, err = run(capsys, "import-cases", str(RAW / name),
                         "--into", str(imported / "cases_public"), "--force")
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "pufa import-cases: error: " + BAD_EXPORTS[name].format(raw=RAW)
    assert tree_digest(imported) == before


@pytest.mark.slow
def test_a_200_mb_export_is_refused_quickly_within_little_memory(imported, tmp_path):
    """Generated here, streaming; the importer reads whole files, so one over the documented
    limit (MAX_FILE_BYTES) is refused before it is read: peak memory stays that of a start."""
    rows = _csv_rows()
    header = ("\n".join(",".join(r) for r in rows[:2]) + "\n").encode("utf-8")
    template = ",".join(rows[2]).replace("1001号", "{n}号") + "\n"
    big = tmp_path / "big.csv"
    with open(big, "wb") as out:
        out.write(header)
        n, chunk = 0, []
        while out.tell() < 200_000_000:
            chunk = "".join(template.replace("{n}", str(10_000 + n + i)) for i in range(2000)).encode("utf-8")
            out.write(chunk)
            n += 2000
    size = big.stat().st_size
    assert size >= 200_000_000 > MAX_FILE_BYTES
    before = tree_digest(imported)
    started = time.perf_counter()
    # The child reports its own VmHWM at exit: ru_maxrss would also count the pages it
    # shared with this (large, late-in-the-suite) pytest process before exec.
    hwm_file = tmp_path / "hwm"
    measure = ("import atexit, runpy, sys\n"
               "def hwm():\n"
               "    kb = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
               f"    open({str(hwm_file)!r}, 'w').write(kb)\n"
               "atexit.register(hwm)\n"
               "sys.argv = ['pufa'] + sys.argv[1:]\n"
               "runpy.run_module('generator', run_name='__main__')\n")
    proc = subprocess.Popen([sys.executable, "-c", measure, "import-cases", str(big), "--into",
                             str(imported / "cases_public")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    proc.wait()
    seconds = time.perf_counter() - started
    peak_mb = int(hwm_file.read_text()) / 1024
    print(f"200 MB export: exit {proc.returncode} in {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    assert proc.returncode == 2, stderr
    assert stderr.decode("utf-8") == (
        f"pufa import-cases: error: {big}: the file is {size / 1e6:.0f} MB; one export may be at most 64 MB "
        "(split the export into several files, e.g. one per year, and import them together)\n")
    assert stdout == b""
    assert peak_mb < 250, f"peak memory {peak_mb:.0f} MB: the file was read before it was refused"
    assert tree_digest(imported) == before


# ── pufa transcribe ───────────────────────────────────────────────────────────

def _media(tmp_path: Path, name: str) -> Path:
    made = {
        "empty.mp4": lambda p: p.write_bytes(b""),
        "empty.wav": lambda p: p.write_bytes(b""),
        "talk.docx": lambda p: p.write_bytes(b"PK\x03\x04 not media"),
        "folder.mp4": lambda p: p.mkdir(),
        "notes.mp4": lambda p: p.write_bytes(b"this is not a video at all\n" * 50),
    }
    if name in made:
        path = tmp_path / name
        made[name](path)
        return path
    return VIDEO / name if name != "missing.mp4" else tmp_path / "missing.mp4"


BROKEN_MEDIA = {
    "empty.mp4": "文件为空 (file is empty)",
    "empty.wav": "文件为空 (file is empty)",
    "talk.docx": "不支持的文件类型“.docx”，支持 .mp4 .flv .mkv .m4a .mp3 .wav .ogg .mov .webm "
                 "(unsupported file type '.docx'; supported: .mp4 .flv .mkv .m4a .mp3 .wav .ogg .mov .webm)",
    "folder.mp4": "不是文件 (not a file)",
    "notes.mp4": "无法读取：文件损坏或不是音视频文件 (cannot read: corrupt file or not a media file)",
    "missing.mp4": "文件不存在 (file not found)",
    "truncated.mp4": "文件不完整（被截断），请重新导出或重新复制 (truncated file: the data ends before the length its "
                     "header announces; export or copy it again)",
    "no-audio.mp4": "没有音轨，无法转写 (no audio track: nothing to transcribe)",
}


@pytest.mark.parametrize("name", sorted(BROKEN_MEDIA))
def test_transcribe_refuses_broken_media_in_chinese_and_english_leaving_no_folder(tmp_path, name):
    media = _media(tmp_path, name)
    into = tmp_path / "transcripts"
    result = pufa("transcribe", str(media), "--into", str(into), "--id", "x", "--quiet")
    assert result.returncode == 5, result.stderr
    assert result.stderr == f"pufa transcribe: error: {media}: {BROKEN_MEDIA[name]}\n"
    assert not (into / "x").exists(), "no transcripts/<id>/ left behind"


# ── pufa subtitles import ─────────────────────────────────────────────────────

BROKEN_SUBTITLES = {
    "empty.srt": (b"", "{f}: 字幕文件为空 (subtitle file is empty)"),
    "empty.vtt": (b"", "{f}: 字幕文件为空 (subtitle file is empty)"),
    "garbage.srt": (b"\x00\x01garbage\xff\xfe", "{f}: 无法识别文字编码 (cannot tell the text encoding) (save it as UTF-8)"),
    "cut.vtt": ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n你".encode("utf-8")[:-1],
                "{f}:4: UTF-8 字幕中有损坏的字节 0xe4（文件被截断或混入其他编码） (broken UTF-8 byte: the file is cut off "
                "or mixes encodings) (save it again as UTF-8)"),
    "cue-without-text.srt": (b"1\n00:00:01,000 --> 00:00:02,000\n", "{f}: 没有字幕内容 (no subtitle text)"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_SUBTITLES))
def test_subtitles_import_refuses_broken_files_and_writes_nothing(tmp_path, capsys, name):
    data, expected = BROKEN_SUBTITLES[name]
    path = tmp_path / name
    path.write_bytes(data)
    into = tmp_path / "transcripts"
    code, out, err = run(capsys, "subtitles", "import", str(path), "--into", str(into), "--id", "s")
    assert code == 2 and out == ""
    assert err == "pufa subtitles: error: " + expected.format(f=path) + "\n"
    assert not (into / "s").exists()


# ── pufa annotate (opening what the tool will edit) ──────────────────────────

@pytest.mark.parametrize("name, data, expected", [
    ("transcript.json", b"", "{f}:1: invalid JSON: Expecting value"),
    ("annotations.json", b"", "{f}:1: invalid JSON: Expecting value"),
    ("annotations.json", '{"version": 1, "chapters": [{"title": "开'.encode("utf-8")[:-1],
     "{f}:1: file is not UTF-8 (byte 0xe5; cut off or saved in another encoding) (save it as UTF-8)"),
    ("transcript.json", "{\"segments\": [{\"id\": 0, \"text\": \"开".encode("gbk"),
     "{f}: file is not UTF-8 (save it as UTF-8)"),
])
def test_the_annotation_tool_names_a_broken_file_instead_of_opening_it(full, name, data, expected):
    folder = full / L
    (folder / name).write_bytes(data)
    before = tree_digest(folder)
    with pytest.raises(InputError) as info:
        Store(full, full / "transcripts").open(LIVE_ID)
    assert str(info.value) == expected.format(f=folder / name)
    assert tree_digest(folder) == before, "a broken file is reported, never rewritten"


# ── pufa check, subtitles export, init ────────────────────────────────────────

@pytest.mark.parametrize("make, expected", [
    (lambda d: None, "{d}: no built site here (run 'pufa build' first or pass SITE_DIR)"),
    (lambda d: d.write_bytes(b""), "{d}: no built site here (run 'pufa build' first or pass SITE_DIR)"),
    (lambda d: d.mkdir(), "{d}: no built site here (no index.html) (run 'pufa build' first or pass SITE_DIR)"),
])
def test_check_refuses_what_is_not_a_built_site_instead_of_calling_it_clean(tmp_path, capsys, make, expected):
    target = tmp_path / "site"
    make(target)
    code, out, err = run(capsys, "check", str(target))
    assert code == 2 and out == ""
    assert err == "pufa check: error: " + expected.format(d=target) + "\n"


@pytest.mark.parametrize("data, expected", [
    (b"", "{f}:1: invalid JSON: Expecting value"),
    ('{"segments": [{"id": 0, "start": 0, "end": 1, "text": "你'.encode("utf-8")[:-1],
     "{f}:1: file is not UTF-8 (byte 0xe4; cut off or saved in another encoding) (save it as UTF-8)"),
    (b'{"segments": "none"}', "{f}: segments: missing list"),
])
def test_subtitles_export_refuses_a_broken_transcript_and_writes_nothing(tmp_path, capsys, data, expected):
    folder = tmp_path / "t1"
    folder.mkdir()
    (folder / "transcript.json").write_bytes(data)
    code, out, err = run(capsys, "subtitles", "export", str(folder))
    assert code == 2 and out == ""
    assert err == "pufa subtitles: error: " + expected.format(f=folder / "transcript.json") + "\n"
    assert [p.name for p in folder.iterdir()] == ["transcript.json"]


# ── never silent mojibake (property) ─────────────────────────────────────────

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.importer.readers import decode_bytes  # noqa: E402

HANZI = "王李张刘陈杨赵黄周吴济南西站东站历下区槐荫区天桥泉城路网约车出租车罚款驾驶员证未取得经营许可从事当事人执法人员调查"
CELL = st.text(alphabet=st.sampled_from(list(HANZI) + list("0123456789-·（）")), min_size=1, max_size=12).filter(
    lambda t: sum(1 for ch in t if ch in HANZI) >= 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(CELL, st.booleans()), min_size=1, max_size=5), min_size=1, max_size=6),
       st.booleans())
def test_a_file_mixing_encodings_is_never_decoded_into_wrong_characters(rows, majority_gbk):
    """An export (Chinese header row) whose cells — each with two or more Chinese
    characters — are partly in the other encoding is refused with an InputError; one in a
    single encoding gives back exactly its text. Never wrong characters."""
    # An export starts with its Chinese header row, written in the file's main encoding.
    header = "案件编号,案件名称,违法地点,违法事实,执法人员说法"
    main_, other_ = ("gbk", "utf-8") if majority_gbk else ("utf-8", "gbk")
    data = header.encode(main_) + b"\n" + b"\n".join(
        b",".join(cell.encode(other_ if other else main_) for cell, other in row) for row in rows) + b"\n"
    expected = header + "\n" + "\n".join(",".join(cell for cell, _ in row) for row in rows) + "\n"
    try:
        text, _ = decode_bytes(Path("x.csv"), data)
    except InputError as exc:
        assert any(other for row in rows for _, other in row), f"one encoding only, refused: {exc}"
        return
    assert text == expected


def test_utf8_cell_of_an_ideograph_and_full_width_punctuation_in_a_gbk_export_is_refused():
    """Found by the property above: '下（' in UTF-8 inside a GBK file decoded as 涓嬶紙."""
    data = "案件编号,案件名称,违法地点\n".encode("gbk") + "下（".encode("utf-8") + b"\n"
    with pytest.raises(InputError):
        decode_bytes(Path("x.csv"), data)
