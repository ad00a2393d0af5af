"""`pufa serve` and the test server honour Range requests (Chromium seeks media with them)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from generator.site.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT / "tests" / "data" / "video" / "demo-livestream.mp4"


@pytest.fixture
def served(tmp_path):
    (tmp_path / "media").mkdir()
    shutil.copyfile(VIDEO, tmp_path / "media" / "demo.mp4")
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    server = make_server(tmp_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", VIDEO.read_bytes()
    server.shutdown()
    server.server_close()


def test_range_request_gets_206_with_exactly_those_bytes(served):
    base, data = served
    response = httpx.get(f"{base}/media/demo.mp4", headers={"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert response.headers["content-length"] == "1000"
    assert response.headers["content-type"] == "video/mp4"
    assert response.content == data[100:1100]


def test_open_ended_and_suffix_ranges(served):
    base, data = served
    tail = httpx.get(f"{base}/media/demo.mp4", headers={"Range": f"bytes={len(data) - 10}-"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    suffix = httpx.get(f"{base}/media/demo.mp4", headers={"Range": "bytes=-500"})
    assert suffix.status_code == 206 and suffix.content == data[-500:]
    assert suffix.headers["content-range"] == f"bytes {len(data) - 500}-{len(data) - 1}/{len(data)}"


def test_range_past_the_end_is_416(served):
    base, data = served
    response = httpx.get(f"{base}/media/demo.mp4", headers={"Range": f"bytes={len(data)}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(data)}"


def test_plain_request_gets_the_whole_file_and_advertises_ranges(served):
    base, data = served
    response = httpx.get(f"{base}/media/demo.mp4")
    assert response.status_code == 200 and response.content == data
    assert response.headers["accept-ranges"] == "bytes"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_pufa_serve_command_serves_the_site_with_range(tmp_path):
    """The real command, in its own process: serve an existing site/ without building."""
    project = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "data" / "mini-project", project)
    site = project / "site"
    (site / "media").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>预览</title>", encoding="utf-8")
    shutil.copyfile(VIDEO, site / "media" / "demo.mp4")
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--project", str(project),
                                "--port", str(port), "--no-build"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/media/demo.mp4", headers={"Range": "bytes=0-99"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 206
        assert response.content == VIDEO.read_bytes()[:100]
        assert httpx.get(f"http://127.0.0.1:{port}/").text == "<!doctype html><title>预览</title>"
    finally:
        process.terminate()
        process.wait(timeout=10)
