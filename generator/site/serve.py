"""`pufa serve`: the built site on 127.0.0.1, rebuilt when an input changes.

Served by the stack the annotation tool uses (Starlette on uvicorn), with the care a
folder that may come from someone else's files needs (issue 17):

- only files under `site/`: a link leading out of it is not followed (404), `..` never;
- no directory listings: a folder answers with its `index.html` or not at all;
- a missing page answers `site/404.html` with status 404 (mkdocs-material writes one);
- `Range: bytes=…` answered with 206 (Starlette's FileResponse), so a player can seek;
- text types gzip-compressed for clients that accept it (never a range, never media);
- the `Host` must be this server's own address (DNS rebinding), and it listens on the
  loopback interface only.
"""
from __future__ import annotations

import gzip
import ipaddress
import os
import socket
import sys
import threading
from pathlib import Path

from ..config import ProjectConfig, load_config
from ..errors import PufaError

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript",
    ".mjs": "text/javascript", ".wasm": "application/wasm", ".vtt": "text/vtt",
    ".srt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
    ".json": "application/json", ".svg": "image/svg+xml", ".mp4": "video/mp4", ".webp": "image/webp",
    ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2", ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".webm": "video/webm", ".wav": "audio/wav", ".pdf": "application/pdf",
}
_COMPRESSIBLE = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".vtt", ".srt", ".csv", ".txt", ".xml",
                 ".webmanifest")
_GZIP_MAX = 16 * 1024 * 1024          # bigger text files go out as they are
_HEADERS = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}


def _content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def site_app(directory: str | Path, hosts: set[str]):
    """The ASGI app serving `directory` (resolved per request: a rebuild swaps it)."""
    from starlette.requests import Request
    from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

    root = Path(directory)
    allowed = {h.lower() for h in hosts}
    compressed: dict[tuple[str, int, int], bytes] = {}

    def find(url_path: str) -> tuple[Path | None, bool]:
        """(the file to serve, whether the URL names a folder without its trailing slash)."""
        parts = [p for p in url_path.split("/") if p not in ("", ".")]
        if any(p == ".." or "\\" in p or "\0" in p for p in parts):
            return None, False
        base = root.resolve()
        candidate = root.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):        # a link loop
            return None, False
        if not resolved.is_relative_to(base):  # a link leading out of site/
            return None, False
        if resolved.is_dir():
            if not url_path.endswith("/"):
                return resolved, True
            index = (candidate / "index.html").resolve()
            if index.is_file() and index.is_relative_to(base):
                return index, False
            return None, False                 # no listing of a folder
        return (resolved, False) if resolved.is_file() else (None, False)

    def file_response(request: Request, path: Path, status: int = 200) -> Response:
        stat = path.stat()
        headers = dict(_HEADERS)
        wants_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
        if (wants_gzip and path.suffix.lower() in _COMPRESSIBLE and "range" not in request.headers
                and stat.st_size <= _GZIP_MAX):
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            body = compressed.get(key)
            if body is None:
                body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
                if len(compressed) > 512:
                    compressed.clear()
                compressed[key] = body
            headers.update({"content-encoding": "gzip", "vary": "Accept-Encoding"})
            return Response(b"" if request.method == "HEAD" else body, status_code=status,
                            media_type=_content_type(path), headers={**headers, "content-length": str(len(body))})
        headers["vary"] = "Accept-Encoding" if path.suffix.lower() in _COMPRESSIBLE else "Range"
        return FileResponse(path, status_code=status, media_type=_content_type(path), headers=headers,
                            stat_result=stat)

    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return               # no websockets, no lifespan work
        request = Request(scope, receive)
        host = request.headers.get("host", "").lower()
        if host not in allowed:
            response: Response = PlainTextResponse(
                f"拒绝：Host '{host}' 不是本服务器的地址 / refused: Host '{host}' is not this server's address",
                status_code=403)
        elif request.method not in ("GET", "HEAD"):
            response = PlainTextResponse("method not allowed", status_code=405, headers={"allow": "GET, HEAD"})
        else:
            path, add_slash = find(scope["path"])
            if add_slash:
                query = scope.get("query_string", b"").decode("latin-1")
                response = RedirectResponse(scope["path"] + "/" + (f"?{query}" if query else ""), status_code=301)
            elif path is not None:
                response = file_response(request, path)
            else:
                missing, _ = find("/404.html")
                response = (file_response(request, missing, status=404) if missing is not None
                            else PlainTextResponse("404 Not Found", status_code=404, headers=_HEADERS))
        await response(scope, receive, send)

    return app


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class SiteServer:
    """`directory` on http://127.0.0.1:port (port 0 = any free port), until `shutdown()`.

    Bound before it is started, so `server_address` is known at once; `serve_forever()`
    blocks (run it in a thread to serve in the background), like http.server's servers."""

    def __init__(self, directory: str | Path, port: int = 0, host: str = "127.0.0.1"):
        import uvicorn

        if not _loopback(host):
            raise PufaError(f"{host}: pufa serve listens on this computer only (127.0.0.1) / 只在本机监听")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as exc:
            self.socket.close()
            raise PufaError(f"{host}:{port}: 端口无法使用 / cannot listen on this port ({exc.strerror}); "
                            f"pass another with --port N") from None
        self.socket.listen(128)
        self.server_address = self.socket.getsockname()[:2]
        bound = self.server_address[1]
        hosts = {f"127.0.0.1:{bound}", f"localhost:{bound}", f"[::1]:{bound}"}
        self._server = uvicorn.Server(uvicorn.Config(site_app(directory, hosts), log_level="warning",
                                                     access_log=False, lifespan="off"))
        self._done = threading.Event()

    def serve_forever(self) -> None:
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._done.set()

    def shutdown(self) -> None:
        self._server.should_exit = True
        self._done.wait(timeout=10)

    def server_close(self) -> None:
        self.socket.close()


def make_server(directory: str | Path, port: int = 0, host: str = "127.0.0.1") -> SiteServer:
    """The static server of `pufa serve` for `directory` (port 0 = any free port)."""
    return SiteServer(directory, port=port, host=host)


def _inputs_signature(config: ProjectConfig) -> tuple:
    """(path, mtime, size) of every input file: cheap to poll once a second."""
    entries = []
    roots = [config.cases_dir, config.data_dir, config.transcripts_dir]
    # the approvals (a hidden folder, skipped below): an approval publishes a case
    files = [config.mkdocs_file, config.root / "pufa.yml", config.cases_dir / ".review" / "approvals.jsonl"]
    for root in roots:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                files.extend(Path(dirpath) / name for name in sorted(filenames) if not name.startswith("."))
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def _rebuild(project: Path) -> bool:
    from .build import build_site
    try:
        report = build_site(project, progress=False)
    except PufaError as exc:
        for line in str(exc).splitlines():
            print(f"pufa serve: error: {line}", file=sys.stderr)
        print("pufa serve: still serving the last good build", file=sys.stderr)
        return False
    print(report.summary(), flush=True)
    return True


def _watch(project: Path, config: ProjectConfig, stop: threading.Event, interval: float = 1.0) -> None:
    last = _inputs_signature(config)
    while not stop.wait(interval):
        current = _inputs_signature(config)
        if current != last:
            last = current
            print("pufa serve: inputs changed, rebuilding…", flush=True)
            _rebuild(project)
            last = _inputs_signature(config)


def serve(project: Path, port: int = 8000, build_first: bool = True) -> None:
    """Build (unless asked not to), serve site/ on 127.0.0.1:port, rebuild on change."""
    config = load_config(project)
    if build_first:
        from .build import build_site
        if config.site_dir.exists():
            _rebuild(project)
        else:
            print(build_site(project, progress=True).summary(), flush=True)
    if not config.site_dir.is_dir():
        from ..errors import InputError
        raise InputError.at(config.site_dir, "no built site to serve", hint="run 'pufa build' first")
    # Serve the project's site folder by path each request: a rebuild swaps it in place.
    server = make_server(config.site_dir, port=port)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(project, config, stop), daemon=True)
    watcher.start()
    print(f"pufa serve: http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()
