"""Issue 17, the annotation tool: planted markers and links, oversized files, and saves the
build would mishandle. Each test replays one attack from the issue against the real app."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.annotate.sample import make_project
from generator.annotate.server import create_app
from generator.config import load_config

REPO = Path(__file__).resolve().parent.parent
VIDEO = REPO / "tests" / "data" / "video" / "demo-livestream.mp4"
PORT = 8765
TOKEN = "t-17"
TID = "demo-live"
AUTH = {"X-Pufa-Token": TOKEN}


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    make_project(root, transcript_id=TID, media=VIDEO)
    shutil.copytree(REPO / "data" / "laws", root / "data" / "laws")
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    place = tmp_path / "outside"
    place.mkdir()
    return place


def client_for(root: Path) -> TestClient:
    app = create_app(load_config(root), port=PORT, token=TOKEN)
    return TestClient(app, base_url=f"http://127.0.0.1:{PORT}")


def folder(project: Path) -> Path:
    return project / "transcripts" / TID


def open_doc(client: TestClient):
    return client.get(f"/api/transcripts/{TID}", headers=AUTH)


def put(client: TestClient, doc: dict, annotations: dict, **extra):
    ann = {k: v for k, v in annotations.items() if k != "version"}
    body = {"base_version": doc["version"], "base_hash": doc["transcript_hash"], "annotations": ann, **extra}
    return client.put(f"/api/transcripts/{TID}", headers=AUTH, json=body)


# -- 1. markers and links ------------------------------------------------------------

def test_a_planted_pending_marker_never_writes_outside_the_project(project, outside):
    victim = outside / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    relative = os.path.relpath(victim, folder(project))
    (folder(project) / ".pending-save.json").write_text(json.dumps([["meta.yaml", relative]]), encoding="utf-8")
    response = open_doc(client_for(project))
    assert response.status_code == 200
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert (folder(project) / "meta.yaml").is_file()          # not moved away either
    assert not (folder(project) / ".pending-save.json").exists()


def test_a_marker_naming_files_outside_the_fixed_set_is_ignored(project):
    (folder(project) / ".pending-save.json").write_text(json.dumps([["meta.yaml", "transcript.json"]]),
                                                        encoding="utf-8")
    before = (folder(project) / "transcript.json").read_bytes()
    assert open_doc(client_for(project)).status_code == 200
    assert (folder(project) / "transcript.json").read_bytes() == before


@pytest.mark.parametrize("content", ["{not json", "", '"text"', "[[1, 2]]", '{"a": 1}'])
def test_a_marker_that_does_not_parse_is_reported_and_ignored_never_a_500(project, content, capsys):
    (folder(project) / ".pending-save.json").write_text(content, encoding="utf-8")
    client = client_for(project)
    response = open_doc(client)
    assert response.status_code == 200
    assert client.get("/api/transcripts", headers=AUTH).status_code == 200
    err = capsys.readouterr().err
    assert f"{folder(project) / '.pending-save.json'}: 未完成保存的标记无效，已忽略 / " \
           "invalid marker of an interrupted save, ignored" in err


def test_a_transcript_linked_from_outside_is_not_served(project, outside):
    secret = outside / "secret.json"
    shutil.copyfile(folder(project) / "transcript.json", secret)
    (folder(project) / "transcript.json").unlink()
    (folder(project) / "transcript.json").symlink_to(secret)
    response = open_doc(client_for(project))
    assert response.status_code == 422
    assert response.json()["error"] == (
        f"{folder(project) / 'transcript.json'}: 链接指向项目之外，拒绝使用 / refused: a link leading outside the "
        "project (replace the link with the file itself)")


def test_a_redaction_log_linked_outside_is_never_appended_to(project, outside):
    victim = outside / "victim.log"
    victim.write_text("untouched\n", encoding="utf-8")
    (folder(project) / "redaction-log.jsonl").symlink_to(victim)
    client = client_for(project)
    doc = open_doc(client).json()
    redaction = {"id": "r1", "segment_id": 1, "start_char": 0, "end_char": 3, "start": 0.0, "end": 0.5,
                 "state": "kept", "kind": "name", "text": "大家好"}
    response = put(client, doc, {**doc["annotations"], "redactions": [redaction]})
    assert response.status_code == 422, response.text
    assert response.json()["error"] == (
        f"{folder(project) / 'redaction-log.jsonl'}: 链接指向项目之外，拒绝使用 / refused: a link leading outside "
        "the project (replace the link with the file itself)")
    assert victim.read_text(encoding="utf-8") == "untouched\n"


def test_annotations_linked_outside_are_not_read_or_replaced(project, outside):
    victim = outside / "annotations.json"
    victim.write_text('{"version": 0}', encoding="utf-8")
    (folder(project) / "annotations.json").symlink_to(victim)
    response = open_doc(client_for(project))
    assert response.status_code == 422
    assert "annotations.json: 链接指向项目之外" in response.json()["error"]
    assert victim.read_text(encoding="utf-8") == '{"version": 0}'


# -- 3. bounded inputs -----------------------------------------------------------------

BILLION_LAUGHS = ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                  "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                  "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                  "title: x\n")


def test_a_meta_yaml_with_aliases_costs_the_list_nothing(project):
    (folder(project) / "meta.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    client = client_for(project)
    started = time.monotonic()
    response = client.get("/api/transcripts", headers=AUTH)
    assert response.status_code == 200
    assert time.monotonic() - started < 1.0
    opened = open_doc(client)
    assert opened.status_code == 422
    assert opened.json()["error"] == (
        f"{folder(project) / 'meta.yaml'}:1: YAML 锚点和别名不受支持 / YAML anchors and aliases are not allowed "
        "('&a') (write the value out in full)")


def _sparse_transcript(path: Path, size: int) -> None:
    """A transcript.json of `size` bytes in no time: a valid head, then a hole of spaces."""
    head = b'{"language": "zh", "segments": ['
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(size - 2)
        handle.seek(size - 2)
        handle.write(b"]}")


def test_a_500_mb_transcript_is_listed_in_under_a_second_and_refused_on_open(project):
    big = project / "transcripts" / "huge"
    big.mkdir()
    (big / "meta.yaml").write_text("id: huge\ntitle: 大文件\n", encoding="utf-8")
    _sparse_transcript(big / "transcript.json", 500 * 1024 * 1024)
    client = client_for(project)
    for _ in range(3):
        started = time.monotonic()
        response = client.get("/api/transcripts", headers=AUTH)
        assert time.monotonic() - started < 1.0
        assert response.status_code == 200
    listed = {item["id"]: item for item in response.json()["transcripts"]}
    assert listed["huge"]["segments"] == 0 and listed[TID]["segments"] == 12
    opened = client.get("/api/transcripts/huge", headers=AUTH)
    assert opened.status_code == 422
    assert opened.json()["error"] == (
        f"{big / 'transcript.json'}: 文件过大（500 MB，上限 64 MB）/ file too large (500 MB; the limit is 64 MB) "
        "(split the recording into parts and transcribe each)")


def test_a_deeply_nested_transcript_is_refused_with_a_message(project):
    (folder(project) / "transcript.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    response = open_doc(client_for(project))
    assert response.status_code == 422
    assert response.json()["error"] == (
        f"{folder(project) / 'transcript.json'}:1: JSON 嵌套过深（上限 64 层）/ nested deeper than 64 levels "
        "(pufa never writes JSON this deep)")


def test_a_deeply_nested_save_is_refused_with_422(project):
    client = client_for(project)
    doc = open_doc(client).json()
    deep: object = "x"
    for _ in range(200):
        deep = [deep]
    response = put(client, doc, {**doc["annotations"], "chapters": [{"id": "c1", "title": deep, "start": 0}]})
    assert response.status_code == 422
    assert response.json()["error"] == ("request:1: JSON 嵌套过深（上限 64 层）/ nested deeper than 64 levels "
                                        "(pufa never writes JSON this deep)")
    raw = '{"base_version": 0, "annotations": {"chapters": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    response = client.put(f"/api/transcripts/{TID}", headers={**AUTH, "content-type": "application/json"},
                          content=raw.encode())
    assert response.status_code == 422
    assert response.json()["error"].startswith("request:1: JSON 嵌套过深（上限 64 层）")
    assert not (folder(project) / "annotations.json").exists()


# -- 4. every save validated like a build input -----------------------------------------

def _redaction(**changes) -> dict:
    # segment 2 of the sample: "今天我们在检测站…", 检测站 (chars 5–8) spoken 1.77–1.98 s
    return {"id": "r1", "segment_id": 2, "start_char": 5, "end_char": 8, "start": 1.6, "end": 2.3,
            "state": "kept", "kind": "name", "text": "检测站", **changes}


NAN, INF = float("nan"), float("inf")
BAD_SAVES = {
    "segment-start-nan": ({}, {0: {"start": NAN}}, "segments[0].start", "nan is not a finite time in seconds"),
    "segment-start-infinite": ({}, {0: {"end": INF}}, "segments[0].end", "inf is not a finite time in seconds"),
    "segment-start-text": ({}, {0: {"start": "八秒"}}, "segments[0]", "bad segment"),
    "segment-past-the-media": ({}, {11: {"end": 99.0}}, "segments[11].end", "after the media ends (17.80 s)"),
    "chapters-overlap": ({"chapters": [{"id": "a", "title": "一", "start": 5.0}, {"id": "b", "title": "二", "start": 2.0}]},
                         {}, "chapters[1].start", "chapter overlaps chapters[0]"),
    "chapter-title-object": ({"chapters": [{"id": "a", "title": {"x": 1}, "start": 1.0}]}, {},
                             "chapters[0].title", "expected text, got dict"),
    "chapter-start-negative": ({"chapters": [{"id": "a", "title": "一", "start": -3}]}, {},
                               "chapters[0].start", "start -3 is not a time in seconds"),
    "redaction-zero-length": ({"redactions": [_redaction(start=1.8, end=1.8)]}, {}, "redactions[0].end",
                              "empty time range (1.80 s): the text is hidden but the voice would stay audible"),
    "redaction-nan": ({"redactions": [_redaction(start=NAN)]}, {}, "redactions[0].start",
                      "nan is not a finite time in seconds"),
    "redaction-infinite": ({"redactions": [_redaction(end=INF)]}, {}, "redactions[0].end",
                           "inf is not a finite time in seconds"),
    "redaction-past-the-media": ({"redactions": [_redaction(start=30.0, end=31.0)]}, {}, "redactions[0].end",
                                 "time range 30.00–31.00 s is outside the media (0–17.80 s)"),
    "redaction-misses-its-text": ({"redactions": [_redaction(start=2.2, end=2.6)]}, {}, "redactions[0].start",
                                  "time range 2.20–2.60 s does not cover its text, spoken 1.77–1.98 s"),
    "redaction-in-another-segment": ({"redactions": [_redaction(start=10.0, end=11.0)]}, {}, "redactions[0].start",
                                     "lies outside its segment 2"),
    "highlight-unknown-law": ({"highlights": [{"id": "h", "start": 1.0, "end": 2.0, "title": "t", "law": "不存在的法",
                                               "segment_ids": [1]}]}, {}, "highlights[0].law",
                              "unknown law 《不存在的法》"),
    "highlight-unknown-article": ({"highlights": [{"id": "h", "start": 1.0, "end": 2.0, "title": "t",
                                                   "law": "中华人民共和国行政处罚法", "article": "第九百条",
                                                   "segment_ids": [1]}]}, {}, "highlights[0].article", "has no 第九百条"),
    "highlight-unknown-segment": ({"highlights": [{"id": "h", "start": 1.0, "end": 2.0, "title": "t",
                                                   "segment_ids": [77]}]}, {}, "highlights[0].segment_ids[0]",
                                  "segment 77 does not exist in transcript.json"),
}


@pytest.mark.parametrize("name", BAD_SAVES)
def test_a_save_the_build_would_refuse_is_refused_with_422_naming_the_field(project, name):
    annotations, segment_changes, field, message = BAD_SAVES[name]
    client = client_for(project)
    doc = open_doc(client).json()
    body: dict = {"base_version": doc["version"], "base_hash": doc["transcript_hash"],
                  "annotations": {"chapters": [], "highlights": [], "redactions": [], "speakers": {}, **annotations}}
    if segment_changes:
        segments = [{"id": s["id"], "same": True} for s in doc["transcript"]["segments"]]
        for index, change in segment_changes.items():
            segments[index] = {**doc["transcript"]["segments"][index], **change}
        body["segments"] = segments
    before = {p.name: p.read_bytes() for p in folder(project).iterdir()}
    response = client.put(f"/api/transcripts/{TID}", headers={**AUTH, "content-type": "application/json"},
                          content=json.dumps(body, ensure_ascii=False).encode())   # NaN as JSON's bare NaN
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert f": {field}: " in error and message in error, error
    assert {p.name: p.read_bytes() for p in folder(project).iterdir()} == before


def test_a_covering_redaction_is_saved(project):
    client = client_for(project)
    doc = open_doc(client).json()
    response = put(client, doc, {**doc["annotations"], "redactions": [_redaction()]})
    assert response.status_code == 200, response.text
