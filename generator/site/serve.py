"""`pufa serve`: the built site on 127.0.0.1, rebuilt when an input changes.

Python's http.server ignores Range requests, so Chromium could not seek in a video;
`RangeRequestHandler` answers `Range: bytes=…` with 206 Partial Content (one range per
request, which is what browsers send for media).
"""
from __future__ import annotations

import os
import re
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..config import ProjectConfig, load_config
from ..errors import PufaError

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".mjs": "text/javascript", ".wasm": "application/wasm", ".vtt": "text/vtt",
                      ".srt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
                      ".json": "application/json", ".svg": "image/svg+xml", ".mp4": "video/mp4",
                      ".webp": "image/webp", ".csv": "text/csv; charset=utf-8"}
    quiet = True
    _remaining: int | None = None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if not self.quiet:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self):
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not header or not path.is_file():
            self._remaining = None
            return super().send_head()
        match = _RANGE.match(header.strip())
        if not match or match.group(1) == match.group(2) == "":
            self._remaining = None       # several ranges or nonsense: the whole file, as RFC 9110 allows
            return super().send_head()
        size = path.stat().st_size
        first, last = match.group(1), match.group(2)
        if first == "":                  # 'bytes=-500': the last 500 bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        handle = open(path, "rb")
        handle.seek(start)
        self._remaining = end - start + 1
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(self._remaining))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return handle

    def copyfile(self, source, outputfile) -> None:
        if self._remaining is None:
            return super().copyfile(source, outputfile)
        remaining = self._remaining
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


def make_server(directory: str | Path, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A threaded static server for `directory` (port 0 = any free port)."""
    handler = partial(RangeRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


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
