"""Issue 17, `pufa serve`: a site/ folder with planted links, folders without an index,
foreign Host headers, and what a static host should do (404 page, gzip, Range)."""
from __future__ import annotations

import gzip
import socket
import threading
from pathlib import Path

import httpx
import pytest

from generator.errors import PufaError
from generator.site.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT / "tests" / "data" / "video" / "demo-livestream.mp4"
INDEX = "<!doctype html><title>首页</title>" + "<p>普法</p>" * 200
NOT_FOUND = "<!doctype html><title>页面不存在</title>"


@pytest.fixture
def outside(tmp_path) -> Path:
    place = tmp_path / "outside"
    place.mkdir()
    (place / "secret.txt").write_text("root:x:0:0:secret", encoding="utf-8")
    return place


@pytest.fixture
def served(tmp_path, outside):
    site = tmp_path / "site"
    (site / "media").mkdir(parents=True)
    (site / "cases").mkdir()
    (site / "index.html").write_text(INDEX, encoding="utf-8")
    (site / "404.html").write_text(NOT_FOUND, encoding="utf-8")
    (site / "cases" / "index.html").write_text("<title>案例</title>", encoding="utf-8")
    (site / "media" / "demo.mp4").write_bytes(VIDEO.read_bytes())
    (site / "passwd").symlink_to(outside / "secret.txt")
    (site / "elsewhere").symlink_to(outside, target_is_directory=True)
    (site / "inside-link.html").symlink_to(site / "cases" / "index.html")
    server = make_server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        yield client, port
    server.shutdown()
    server.server_close()


def raw_get(port: int, target: str, host: str | None = None) -> tuple[int, bytes]:
    """A request exactly as written (httpx would normalise '..' away)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


def test_a_link_leading_out_of_site_is_not_followed(served):
    client, port = served
    for url in ("/passwd", "/elsewhere/secret.txt"):
        response = client.get(url)
        assert response.status_code == 404
        assert "secret" not in response.text and response.text == NOT_FOUND


def test_a_link_inside_site_is_served(served):
    client, _ = served
    assert client.get("/inside-link.html").text == "<title>案例</title>"


@pytest.mark.parametrize("target", ["/../outside/secret.txt", "/%2e%2e/outside/secret.txt",
                                    "/media/..%2f..%2foutside/secret.txt", "/..\\outside\\secret.txt"])
def test_paths_cannot_climb_out_of_site(served, target):
    _, port = served
    status, data = raw_get(port, target)
    assert status in (400, 404) and b"secret" not in data


def test_a_folder_without_index_is_never_listed(served):
    client, _ = served
    response = client.get("/media/")
    assert response.status_code == 404
    assert "demo.mp4" not in response.text and response.text == NOT_FOUND


def test_a_folder_with_index_is_served_and_a_missing_slash_redirects(served):
    client, _ = served
    assert client.get("/cases/").text == "<title>案例</title>"
    redirect = client.get("/cases")
    assert redirect.status_code == 301 and redirect.headers["location"] == "/cases/"


def test_a_missing_page_answers_the_sites_404_page_with_status_404(served):
    client, _ = served
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response.text == NOT_FOUND and response.headers["content-type"] == "text/html; charset=utf-8"


def test_text_is_gzipped_for_clients_that_accept_it_and_media_is_not(served):
    client, _ = served
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(INDEX.encode("utf-8")) / 5
    assert response.text == INDEX                        # httpx decompressed it
    plain = client.get("/", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == INDEX
    media = client.get("/media/demo.mp4", headers={"accept-encoding": "gzip", "range": "bytes=0-99"})
    assert media.status_code == 206 and "content-encoding" not in media.headers
    assert media.content == VIDEO.read_bytes()[:100]


def test_a_foreign_host_is_refused(served):
    _, port = served
    status, data = raw_get(port, "/", host=f"evil.example:{port}")
    assert status == 403
    assert f"refused: Host 'evil.example:{port}' is not this server's address".encode() in data
    assert raw_get(port, "/", host=f"localhost:{port}")[0] == 200


def test_only_get_and_head(served):
    client, _ = served
    assert client.post("/", content=b"x").status_code == 405
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_it_listens_on_the_loopback_interface_only(tmp_path, host):
    with pytest.raises(PufaError) as caught:
        make_server(tmp_path, host=host)
    assert str(caught.value) == f"{host}: pufa serve listens on this computer only (127.0.0.1) / 只在本机监听"


def test_the_default_server_is_bound_to_127_0_0_1(tmp_path):
    server = make_server(tmp_path)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_gzip_compressed_pages_decompress_to_the_file(served):
    _, port = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n"
                     "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    body = data.split(b"\r\n\r\n", 1)[1]
    assert gzip.decompress(body).decode("utf-8") == INDEX
