"""The annotation tool's server: who may talk to it, what it serves, how it saves."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.annotate.sample import make_project
from generator.annotate.server import create_app
from generator.annotate.store import Store
from generator.cli import main
from generator.config import load_config
from generator.errors import ConflictError
from generator.records.transcript import load_annotations, load_transcript

REPO = Path(__file__).resolve().parent.parent
VIDEO = REPO / "tests" / "data" / "video"
PORT = 8765
TOKEN = "test-token-123"
TID = "demo-live"
AUTH = {"X-Pufa-Token": TOKEN}


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    make_project(root, transcript_id=TID, media=VIDEO / "demo-livestream.mp4")
    shutil.copytree(REPO / "data" / "laws", root / "data" / "laws")   # the real law texts + catalog
    return root


def client_for(root: Path, **kwargs) -> TestClient:
    app = create_app(load_config(root), port=PORT, token=TOKEN, **kwargs)
    return TestClient(app, base_url=f"http://127.0.0.1:{PORT}")


@pytest.fixture
def client(project) -> TestClient:
    return client_for(project)


def open_doc(client: TestClient) -> dict:
    response = client.get(f"/api/transcripts/{TID}", headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def save(client: TestClient, doc: dict, annotations: dict | None = None, **extra):
    ann = dict(annotations if annotations is not None else doc["annotations"])
    ann.pop("version", None)
    body = {"base_version": doc["version"], "base_hash": doc["transcript_hash"], "annotations": ann, **extra}
    return client.put(f"/api/transcripts/{TID}", headers=AUTH, json=body)


# -- who may talk to the tool --------------------------------------------------------

def test_foreign_host_is_refused_dns_rebinding(client):
    response = client.get("/api/transcripts", headers={**AUTH, "Host": "evil.example:8765"})
    assert response.status_code == 403
    assert response.json()["error"] == ("拒绝：Host 'evil.example:8765' 不是本工具的地址 / refused: Host "
                                         "'evil.example:8765' is not this tool's address "
                                         "(expected 127.0.0.1:8765 or localhost:8765)")


def test_host_with_another_port_is_refused(client):
    assert client.get("/", headers={"Host": "127.0.0.1:9999"}).status_code == 403


def test_foreign_origin_is_refused_even_with_token(client, project):
    doc = open_doc(client)
    ann = dict(doc["annotations"], chapters=[{"id": "c1", "title": "x", "start": 0}])
    ann.pop("version")
    response = client.put(f"/api/transcripts/{TID}", json={"base_version": 0, "annotations": ann},
                          headers={**AUTH, "Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"] == ("拒绝：来自其他网页的请求 / refused: request from another origin "
                                         "'https://evil.example'")
    assert not (project / "transcripts" / TID / "annotations.json").exists()


def test_own_origin_is_accepted(client):
    response = client.get("/api/transcripts", headers={**AUTH, "Origin": f"http://127.0.0.1:{PORT}"})
    assert response.status_code == 200


def test_cross_site_fetch_is_refused_but_navigation_to_the_page_is_not(client):
    media = client.get(f"/media/{TID}?t={TOKEN}", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
    assert media.status_code == 403
    assert media.json()["error"] == "拒绝：来自其他网页的请求 / refused: cross-site request from another page"
    page = client.get("/", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
    assert page.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"X-Pufa-Token": "wrong"}])
def test_write_without_the_run_token_is_refused(client, project, headers):
    response = client.put(f"/api/transcripts/{TID}", headers=headers,
                          json={"base_version": 0, "annotations": {"chapters": []}})
    assert response.status_code == 403
    assert response.json()["error"] == ("拒绝：缺少或错误的工具口令 / refused: missing or wrong tool token "
                                         "(reload the tool's page)")
    assert not (project / "transcripts" / TID / "annotations.json").exists()


def test_reads_need_the_token_too(client):
    assert client.get("/api/transcripts").status_code == 403
    assert client.get(f"/api/transcripts/{TID}").status_code == 403
    assert client.get(f"/media/{TID}").status_code == 403
    assert client.get(f"/media/{TID}?t=wrong").status_code == 403


def test_the_page_carries_the_token_and_a_strict_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert f'<meta name="pufa-token" content="{TOKEN}">' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"


def test_each_run_gets_a_new_token(project):
    first = create_app(load_config(project), port=PORT)
    second = create_app(load_config(project), port=PORT)
    assert first.token != second.token and len(first.token) >= 32


# -- never a file outside the project ------------------------------------------------

@pytest.mark.parametrize("path", [
    "/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fserver.py", "/site/../mkdocs.yml",
    "/static/../../../../etc/passwd",
])
def test_static_paths_cannot_escape(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"root:" not in response.content and b"create_app" not in response.content


@pytest.mark.parametrize("tid", ["..", "..%2F..%2Fetc", "%2e%2e", "Demo", "a b", "x%00"])
def test_transcript_ids_cannot_escape(client, tid):
    response = client.get(f"/api/transcripts/{tid}", headers=AUTH)
    assert response.status_code in (404, 422)
    assert b"root:" not in response.content


@pytest.mark.parametrize("media", ["../../../../etc/passwd", "/etc/passwd", "transcripts/../../outside.mp4"])
def test_media_outside_the_project_is_not_served(project, tmp_path, media):
    (tmp_path / "outside.mp4").write_bytes(b"secret")
    meta = project / "transcripts" / TID / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("media/demo-livestream.mp4", media), encoding="utf-8")
    client = client_for(project)
    response = client.get(f"/media/{TID}?t={TOKEN}")
    assert response.status_code == 404
    assert response.json()["error"] == "媒体路径在项目之外 / media path is outside the project"
    assert open_doc(client)["media"] is None


def test_media_symlink_leading_outside_is_not_served(project, tmp_path):
    (tmp_path / "secret.mp4").write_bytes(b"secret")
    (project / "media" / "demo-livestream.mp4").unlink()
    (project / "media" / "demo-livestream.mp4").symlink_to(tmp_path / "secret.mp4")
    response = client_for(project).get(f"/media/{TID}?t={TOKEN}")
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_site_symlink_leading_outside_is_not_served(project, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    (project / "site").mkdir()
    (project / "site" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    response = client_for(project).get("/site/leak.txt")
    assert response.status_code == 404


# -- media with HTTP Range (the player cannot seek without it) ------------------------

def test_media_is_served_with_range_requests(client):
    full = (VIDEO / "demo-livestream.mp4").read_bytes()
    response = client.get(f"/media/{TID}?t={TOKEN}", headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 1000-1999/{len(full)}"
    assert response.content == full[1000:2000]
    assert response.headers["content-type"] == "video/mp4"
    tail = client.get(f"/media/{TID}?t={TOKEN}", headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == full[-100:]
    whole = client.get(f"/media/{TID}?t={TOKEN}")
    assert whole.status_code == 200 and whole.content == full
    assert whole.headers["accept-ranges"] == "bytes"


# -- request size ----------------------------------------------------------------------

def test_oversized_request_is_refused_by_declared_length(client):
    response = client.put(f"/api/transcripts/{TID}", headers={**AUTH, "Content-Length": str(10**9)},
                          content=b"{}")
    assert response.status_code == 413
    assert response.json()["error"].startswith("请求过大（上限 64 MB）/ request body too large")


def test_oversized_chunked_request_is_refused(project):
    client = client_for(project, max_body=10_000)

    def chunks():
        for _ in range(50):
            yield b"x" * 1000

    response = client.put(f"/api/transcripts/{TID}", headers=AUTH, content=chunks())
    assert response.status_code == 413
    assert not (project / "transcripts" / TID / "annotations.json").exists()


# -- opening and saving -----------------------------------------------------------------

def test_list_and_open(client):
    listing = client.get("/api/transcripts", headers=AUTH).json()["transcripts"]
    assert listing == [{"id": TID, "title": "网约车执法直播", "kind": "livestream", "date": "2024-05-01",
                        "segments": 12, "duration": 17.0, "has_media": True}]
    doc = open_doc(client)
    assert doc["version"] == 0 and doc["media"] == f"/media/{TID}"
    assert len(doc["transcript"]["segments"]) == 12 and doc["transcript"]["flags"][0]["kind"] == "phone"


def test_save_bumps_version_and_writes_corrected_text(client, project):
    doc = open_doc(client)
    segments = doc["transcript"]["segments"]
    segments[0]["text"] = "大家好，欢迎来到直播间。"
    response = save(client, doc, segments=segments, flags=doc["transcript"]["flags"])
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1
    folder = project / "transcripts" / TID
    assert load_annotations(folder / "annotations.json").version == 1
    assert load_transcript(folder / "transcript.json").segments[0].text == "大家好，欢迎来到直播间。"
    again = open_doc(client)
    assert again["version"] == 1 and again["transcript_hash"] == response.json()["transcript_hash"]


def test_stale_save_is_refused_with_a_clear_message(client, project):
    doc = open_doc(client)
    assert save(client, doc, dict(doc["annotations"], chapters=[{"id": "c1", "title": "开场", "start": 0}])).status_code == 200
    stale = save(client, doc, dict(doc["annotations"], chapters=[{"id": "c2", "title": "覆盖", "start": 1}]))
    assert stale.status_code == 409
    path = project / "transcripts" / TID / "annotations.json"
    assert stale.json()["error"] == (
        f"{path}: 保存被拒绝：文件在你打开之后已被其他窗口或他人修改（当前版本 1，你的修改基于版本 0）。请重新打开后再改。"
        " / save refused: the file changed since you opened it (another window or person; now version 1, "
        "your edit was based on version 0). Reload to continue.")
    assert [c.title for c in load_annotations(path).chapters] == ["开场"]


def test_transcript_changed_outside_the_tool_refuses_the_save(client, project):
    doc = open_doc(client)
    path = project / "transcripts" / TID / "transcript.json"
    path.write_text(path.read_text(encoding="utf-8").replace("大家好", "各位好"), encoding="utf-8")
    response = save(client, doc)
    assert response.status_code == 409
    assert "transcript.json: 保存被拒绝" in response.json()["error"]


def test_concurrent_saves_exactly_one_wins(project):
    store = Store(project, project / "transcripts")
    barrier = threading.Barrier(8)
    results: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            store.save(TID, base_version=0, base_hash=None,
                       annotations={"chapters": [{"id": f"c{n}", "title": f"窗口{n}", "start": n}]})
            results.append("ok")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 7 + ["ok"]
    saved = load_annotations(project / "transcripts" / TID / "annotations.json")
    assert saved.version == 1 and len(saved.chapters) == 1


def test_concurrent_saves_over_http_one_gets_409(project):
    client = client_for(project)
    doc = open_doc(client)
    codes: list[int] = []

    def attempt(n: int) -> None:
        codes.append(save(client, doc, dict(doc["annotations"], chapters=[
            {"id": f"c{n}", "title": f"窗口{n}", "start": n}])).status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]


def test_bad_edit_is_refused_naming_the_field(client, project):
    doc = open_doc(client)
    ann = dict(doc["annotations"], redactions=[{"id": "r1", "segment_id": 1, "start_char": 5, "end_char": 99,
                                                "start": 0, "end": 1, "state": "kept"}])
    response = save(client, doc, ann)
    assert response.status_code == 422
    path = project / "transcripts" / TID / "annotations.json"
    assert response.json()["error"] == (f"{path}: redactions[0].start_char: characters 5-99 are outside the "
                                        f"segment (length 20)")
    bad_state = dict(doc["annotations"], redactions=[{"id": "r1", "segment_id": 1, "start_char": 0, "end_char": 2,
                                                      "start": 0, "end": 1, "state": "hidden"}])
    response = save(client, doc, bad_state)
    assert response.status_code == 422
    assert response.json()["error"] == (f"{path} (edit): redactions[0].state: state 'hidden' is not one of "
                                        f"('proposed', 'kept', 'released')")
    segments = doc["transcript"]["segments"]
    segments[3]["start"] = 0.0
    response = save(client, doc, segments=segments)
    assert response.status_code == 422
    assert response.json()["error"].endswith("transcript.json (edit): segments[3].start: segments must be in time order")
    assert not path.exists()


def test_non_json_body_is_a_400(client):
    response = client.put(f"/api/transcripts/{TID}", headers={**AUTH, "Content-Type": "application/json"},
                          content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"] == "请求不是 JSON / the request body is not JSON"


# -- redaction decisions are logged ------------------------------------------------------

def test_redaction_decisions_are_logged_with_who_and_what(client, project):
    doc = open_doc(client)
    flag = doc["transcript"]["flags"][0]
    red = {"id": "r1", "segment_id": flag["segment_id"], "start_char": flag["start_char"],
           "end_char": flag["end_char"], "start": flag["start"], "end": flag["end"], "state": "kept",
           "kind": "phone", "flag_id": flag["id"], "text": flag["text"]}
    assert save(client, doc, dict(doc["annotations"], redactions=[red]), user="张三").status_code == 200
    doc = open_doc(client)
    assert save(client, doc, dict(doc["annotations"], redactions=[dict(red, state="released")])).status_code == 200
    doc = open_doc(client)
    assert save(client, doc, dict(doc["annotations"], redactions=[])).status_code == 200
    lines = (project / "transcripts" / TID / "redaction-log.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    assert [(e["action"], e["state"], e.get("previous_state")) for e in entries] == [
        ("created", "kept", None), ("state", "released", "kept"), ("deleted", "released", "released")]
    assert entries[0]["user"] == "张三" and entries[0]["text"] == "13812345678" and entries[0]["flag_id"] == flag["id"]
    import getpass
    assert entries[1]["user"] == getpass.getuser()
    assert all(e["time"].endswith("+00:00") for e in entries)


# -- export -----------------------------------------------------------------------------

def test_export_applies_corrections_redactions_and_speaker_names(client):
    doc = open_doc(client)
    segments = doc["transcript"]["segments"]
    segments[0]["text"] = "大家好，这里是执法直播。"
    ann = dict(doc["annotations"], speakers={"SPEAKER_00": "执法人员", "SPEAKER_01": "主持人"},
               redactions=[{"id": "r1", "segment_id": 2, "start_char": 5, "end_char": 8, "start": 1.7,
                            "end": 2.3, "state": "kept", "kind": "other", "text": "检测站"}])
    assert save(client, doc, ann, segments=segments, flags=doc["transcript"]["flags"]).status_code == 200
    vtt = client.get(f"/api/transcripts/{TID}/export.vtt", headers=AUTH)
    assert vtt.status_code == 200 and vtt.headers["content-disposition"] == f'attachment; filename="{TID}.vtt"'
    srt = client.get(f"/api/transcripts/{TID}/export.srt", headers=AUTH)
    for text in (vtt.text, srt.text):
        assert "大家好，这里是执法直播。" in text
        assert "今天我们在[已隐去]现场检查" in text
        assert "13812345678" not in text          # the unreviewed flag is hidden too
        assert "执法人员" in text and "SPEAKER_00" not in text
    assert vtt.text.startswith("WEBVTT")
    assert client.get(f"/api/transcripts/{TID}/export.txt", headers=AUTH).status_code == 404


def test_law_links_point_into_the_built_site_and_bad_citations_are_named(client):
    from generator.site.render import law_url

    def check(law: str, article: str) -> dict:
        response = client.get("/api/law-url", params={"law": law, "article": article}, headers=AUTH)
        assert response.status_code == 200
        return response.json()

    assert check("中华人民共和国行政处罚法", "第三十三条") == {"url": "/site/" + law_url("中华人民共和国行政处罚法", "33"),
                                                  "problem": ""}
    assert check("行政处罚法", "")["url"] == "/site/" + law_url("中华人民共和国行政处罚法")
    assert check("中华人民共和国治安管理处罚法", "第一条") == {
        "url": "", "problem": "未知的法律《中华人民共和国治安管理处罚法》/ unknown law: use a title from data/laws/catalog.yaml"}
    assert check("中华人民共和国行政处罚法", "第九百条") == {
        "url": "", "problem": "《中华人民共和国行政处罚法》没有第九百条 / has no 第九百条"}
    assert check("中华人民共和国行政处罚法", "三十三")["problem"] == (
        "'三十三' 不是“第…条”这样的条文 / is not an article reference like 第三十四条")
    assert check("", "第三条")["problem"] == "条文缺少法律名称 / an article without its law"


# -- crashes ----------------------------------------------------------------------------

KILLER = r"""
import sys
from pathlib import Path
from generator.annotate.store import Store
root = Path(sys.argv[1])
store = Store(root, root / "transcripts")
version = 0
print("ready", flush=True)
while True:
    chapters = [{"id": f"c{k}", "title": "章节" * 50, "start": k / 125} for k in range(2000)]
    store.save("demo-live", base_version=version, base_hash=None, annotations={"chapters": chapters})
    version += 1
"""


def test_killed_during_save_leaves_a_valid_annotations_file(project):
    """SIGKILL at arbitrary moments of a save loop: the file on disk always parses whole."""
    path = project / "transcripts" / TID / "annotations.json"
    for delay in (0.3, 0.45, 0.6, 0.8):
        path.write_text(json.dumps({"version": 0}), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(project)], stdout=subprocess.PIPE,
                                cwd=Path(__file__).resolve().parent.parent)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        saved = load_annotations(path)   # raises InputError on a half-written file
        assert saved.version >= 1 and len(saved.chapters) == 2000
        # the next save (another run of the tool) carries on from there
        Store(project, project / "transcripts").save(TID, base_version=saved.version, base_hash=None,
                                                     annotations={"chapters": []})
        assert load_annotations(path).version == saved.version + 1


KILLER_PAIRED = r"""
import json, sys
from pathlib import Path
from generator.annotate.store import Store
root = Path(sys.argv[1])
store = Store(root, root / "transcripts")
doc = store.open("demo-live", records=False)
version, digest = doc.annotations.version, doc.transcript_hash
ids = [s.id for s in store.open("demo-live").transcript.segments]
print("ready", flush=True)
n = 0
while True:
    n += 1
    segments = [{"id": i, "same": True} for i in ids]
    segments[0] = {"id": ids[0], "start": 0.0, "end": 1.3, "text": f"第{n}版", "speaker": "", "words": []}
    result = store.save("demo-live", base_version=version, base_hash=digest, segments=segments,
                        annotations={"chapters": [{"id": "c", "title": f"v{n}", "start": 0}]})
    version, digest = result.version, result.transcript_hash
"""


def test_killed_during_a_text_save_never_pairs_new_text_with_old_annotations(project):
    """transcript.json and annotations.json change together or not at all: after SIGKILL at
    any moment, the next open finds the text and the annotations of the same save."""
    folder = project / "transcripts" / TID
    store = Store(project, project / "transcripts")
    for delay in (0.4, 0.55, 0.7, 0.85, 1.0):
        proc = subprocess.Popen([sys.executable, "-c", KILLER_PAIRED, str(project)], stdout=subprocess.PIPE,
                                cwd=REPO)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        doc = store.open(TID)                      # finishes or discards an interrupted save
        text = doc.transcript.segments[0].text
        assert doc.annotations.chapters, "no save landed"
        assert text == f"第{doc.annotations.chapters[0].title[1:]}版"
        assert not (folder / ".pending-save.json").exists()
        assert not list(folder.glob(".*.staged"))


def test_an_interrupted_save_is_finished_or_discarded_on_the_next_open(project):
    from generator.annotate.store import PENDING_FILE
    folder = project / "transcripts" / TID
    before = (folder / "transcript.json").read_bytes()
    # crashed before its commit point: staged files only → discarded
    (folder / ".transcript.json.staged").write_bytes(b"half")
    Store(project, project / "transcripts").open(TID)
    assert (folder / "transcript.json").read_bytes() == before
    assert not (folder / ".transcript.json.staged").exists()
    # crashed after it, one of two renames done → the other is completed
    (folder / ".annotations.json.staged").write_text('{"version": 7}', encoding="utf-8")
    (folder / PENDING_FILE).write_text(json.dumps([[".transcript.json.staged", "transcript.json"],
                                                   [".annotations.json.staged", "annotations.json"]]))
    doc = Store(project, project / "transcripts").open(TID)
    assert doc.annotations.version == 7
    assert not (folder / PENDING_FILE).exists()


# -- the command ------------------------------------------------------------------------

def test_cli_reports_a_busy_port(project, capsys):
    import socket
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        code = main(["annotate", "--project", str(project), "--port", str(port), "--no-browser"])
    finally:
        busy.close()
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pufa annotate: error: 127.0.0.1:{port}: 端口无法使用 / cannot listen on this port")


def test_cli_outside_a_project_says_so(tmp_path, capsys):
    code = main(["annotate", "--project", str(tmp_path), "--no-browser"])
    assert code == 2
    assert "not a pufa project: mkdocs.yml is missing" in capsys.readouterr().err


def test_unchanged_segments_are_sent_by_id_and_the_file_keeps_one_segment_per_line(client, project):
    doc = open_doc(client)
    segments = [{"id": s["id"], "same": True} for s in doc["transcript"]["segments"]]
    segments[2] = dict(doc["transcript"]["segments"][2], text="请问您有驾驶员证吗？")
    response = save(client, doc, segments=segments)
    assert response.status_code == 200, response.text
    path = project / "transcripts" / TID / "transcript.json"
    saved = load_transcript(path)
    assert [s.text for s in saved.segments][1:4] == ["今天我们在检测站现场检查网约车和货车。", "请问您有驾驶员证吗？",
                                                     "这位驾驶员是首次被发现，危害后果轻微。"]
    assert saved.segments[0].words == load_transcript(path).segments[0].words and len(saved.segments[0].words) == 20
    assert saved.flags[0].id == "6:5-16"          # flags kept when the page sends none
    lines = path.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith('    {"id": ') for line in lines) == 12 + 1   # 12 segments + 1 flag
    doc = open_doc(client)
    bad = [{"id": 999, "same": True}]
    response = save(client, doc, segments=bad)
    assert response.status_code == 422
    assert response.json()["error"] == (f"{path} (edit): segments[0].id: segment 999 is marked unchanged but does "
                                        "not exist")


def test_fast_segment_serialiser_matches_the_record():
    """_segment_data must stay asdict(Segment): a field added to the record must not be lost."""
    from dataclasses import asdict

    from generator.annotate.store import _segment_data
    from generator.records.transcript import Segment, Word
    segment = Segment(3, 1.0, 2.5, "你好", "SPEAKER_00", [Word(1.0, 1.5, "你", 0.4), Word(1.5, 2.5, "好", 0.9)])
    assert _segment_data(segment) == asdict(segment)


def test_cli_serves_on_loopback_and_stops_on_ctrl_c(project):
    import re
    import urllib.request
    pufa = Path(sys.executable).parent / "pufa"
    proc = subprocess.Popen([str(pufa), "annotate", "--project", str(project), "--port", "0", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"→ (http://127\.0\.0\.1:(\d+)/)", line)
        assert match, line
        url = match.group(1)
        page = ""
        for _ in range(50):
            try:
                page = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        assert '<meta name="pufa-token" content="' in page
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=15)
    # uvicorn shuts down gracefully, then the CLI reports the interrupt like any command
    assert code == 130
    assert proc.stderr.read().strip().endswith("pufa annotate: interrupted")
