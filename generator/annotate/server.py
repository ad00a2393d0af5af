"""`pufa annotate`: the local annotation tool (Starlette app + our own static page).

Bound to 127.0.0.1 only, behind `security.Guard`. The page loads one transcript as JSON,
edits it in the browser (keyboard-first, undo/redo) and autosaves the whole document with
the version it was based on; `store.Store.save` refuses a stale save with 409.
"""
from __future__ import annotations

import getpass
import json
import mimetypes
import re
import secrets
import socket
import threading
import webbrowser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..bounded import loads
from ..config import ProjectConfig, load_config
from ..errors import ConflictError, InputError, PufaError
from ..records.law import article_key
from ..yamlio import load_yaml
from .security import Guard
from .store import Store

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024 * 1024        # a 3-hour transcript with word timings is ~5 MB
TOKEN_PLACEHOLDER = "__PUFA_TOKEN__"
SECURITY_HEADERS = {
    # No inline script, nothing from elsewhere: even if some text slipped into HTML it
    # could not run, and the page cannot be framed by another site (clickjacking).
    "content-security-policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
                                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


from .waveform_api import waveform_route  # noqa: E402


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"cache-control": "no-store"})


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, headers={"cache-control": "no-store"})


class _Laws:
    """The laws a highlight may cite, checked as `pufa build` checks them (the site's law
    book: texts in data/laws/ plus catalog.yaml), and links to their pages on the site."""

    def __init__(self, laws_dir: Path):
        self.laws_dir = laws_dir
        self.book: Any = None
        try:
            from ..site.lawbook import load_lawbook
            self.book = load_lawbook(laws_dir)
        except (ImportError, InputError):
            self.book = None   # no site package, or a broken catalog the build will name

    def titles(self) -> list[str]:
        if self.book is not None:
            return sorted(law.title for law in self.book.laws.values())
        titles = []
        for path in sorted(self.laws_dir.glob("*.md")) if self.laws_dir.is_dir() else []:
            first = path.read_text(encoding="utf-8").split("\n", 1)[0]
            if first.startswith("# "):
                titles.append(first[2:].strip())
        return titles

    def check(self, law: str, article: str) -> tuple[str, str]:
        """(link under /site/, problem) for a citation; the problem is what the build would say."""
        title = law.strip().strip("《》")
        if not title:
            return "", ("条文缺少法律名称 / an article without its law" if article.strip() else "")
        key = article_key(article) if article.strip() else None
        if article.strip() and key is None:
            return "", f"'{article}' 不是“第…条”这样的条文 / is not an article reference like 第三十四条"
        if self.book is None:
            return "", ""
        found = self.book.find(title)
        if found is None:
            return "", f"未知的法律《{title}》/ unknown law: use a title from data/laws/catalog.yaml"
        if key and found.text is not None and key not in found.text.articles:
            return "", f"《{found.title}》没有{article} / has no {article}"
        from ..site.render import law_url
        return "/site/" + law_url(found.title, key).lstrip("/"), ""


def _glossary(data_dir: Path) -> list[dict[str, Any]]:
    """`data/glossary.yaml` terms, to highlight in the text; a broken file only loses highlights."""
    path = data_dir / "glossary.yaml"
    if not path.is_file():
        return []
    try:
        data, _ = load_yaml(path)
    except InputError:
        return []
    terms = []
    for item in (data or {}).get("terms") or [] if isinstance(data, dict) else []:
        if isinstance(item, str):
            terms.append({"term": item, "aliases": []})
        elif isinstance(item, dict) and item.get("term"):
            aliases = [str(a) for a in item.get("aliases") or [] if a]
            terms.append({"term": str(item["term"]), "aliases": aliases})
    return terms


def create_app(config: ProjectConfig, *, port: int, token: str | None = None,
               max_body: int = MAX_BODY, extra_hosts: tuple[str, ...] = ()) -> Starlette:
    """The tool for one project, answering only to 127.0.0.1:`port` / localhost:`port`."""
    token = token or secrets.token_urlsafe(32)
    store = Store(config.root, config.transcripts_dir)
    laws = _Laws(config.laws_dir)
    store.laws = laws.book     # a save citing an unknown law or article is refused as the build would
    index_html = (STATIC_DIR / "index.html").read_text(encoding="utf-8").replace(TOKEN_PLACEHOLDER, token)

    async def index(request: Request) -> Response:
        return HTMLResponse(index_html, headers=SECURITY_HEADERS)

    def list_transcripts(request: Request) -> Response:
        return _json({"transcripts": [asdict(s) for s in store.list()], "project": config.root.name})

    def open_transcript(request: Request) -> Response:
        tid = request.path_params["id"]
        try:
            doc = store.open(tid, records=False)
        except FileNotFoundError:
            return _error(404, f"没有这个转写稿 / no transcript '{tid}'")
        except InputError as exc:
            return _error(422, str(exc))
        meta = doc.meta.to_mapping() if doc.meta else {"id": tid, "title": tid}
        head = json.dumps({
            "id": tid, "meta": meta, "version": doc.annotations.version,
            "transcript_hash": doc.transcript_hash,
            "annotations": doc.annotations.to_json(),
            "media": f"/media/{tid}" if doc.media else None,
            "media_problem": doc.media_problem,
            # read at every open: a term added to the glossary shows without a restart
            "glossary": _glossary(config.data_dir), "laws": laws.titles(), "os_user": _os_user(),
        }, ensure_ascii=False).encode("utf-8")
        # transcript.json goes out as read (it was just validated): re-encoding a 3-hour
        # transcript would cost more than everything else in opening it.
        body = head[:-1] + b', "transcript": ' + doc.raw + b"}"
        return Response(body, media_type="application/json", headers={"cache-control": "no-store"})

    async def save_transcript(request: Request) -> Response:
        tid = request.path_params["id"]
        raw = await request.body()
        try:
            # parsed off the event loop: a 10 MB body must not stall the player's range requests;
            # with the depth limit of every JSON file pufa reads
            body = await run_in_threadpool(loads, raw.decode("utf-8"), "request")
        except InputError as exc:
            if "JSON 嵌套过深" in str(exc):
                return _error(422, str(exc))
            return _error(400, "请求不是 JSON / the request body is not JSON")
        except ValueError:
            return _error(400, "请求不是 JSON / the request body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("base_version"), int) \
                or not isinstance(body.get("annotations"), dict):
            return _error(400, "需要 base_version 和 annotations / expected base_version and annotations")
        user = str(body.get("user") or "").strip()[:64]
        try:
            result = await run_in_threadpool(
                store.save, tid, base_version=body["base_version"], base_hash=body.get("base_hash"),
                annotations=body["annotations"], segments=body.get("segments"), flags=body.get("flags"),
                user=user)
        except FileNotFoundError:
            return _error(404, f"没有这个转写稿 / no transcript '{tid}'")
        except ConflictError as exc:
            return _error(409, str(exc))
        except InputError as exc:
            return _error(422, str(exc))
        except OSError as exc:
            # A full disk is shown in the page's banner (the edit stays there), never a bare 500.
            return _error(507, f"保存失败：磁盘已满或无法写入 / could not save: "
                               f"{exc.filename or tid}: {exc.strerror or exc}")
        return _json({"version": result.version, "transcript_hash": result.transcript_hash,
                      "logged": result.log_entries})

    def export(request: Request) -> Response:
        tid, fmt = request.path_params["id"], request.path_params["fmt"]
        if fmt not in ("vtt", "srt"):
            return _error(404, "export formats: vtt, srt")
        try:
            doc = store.open(tid)
        except FileNotFoundError:
            return _error(404, f"没有这个转写稿 / no transcript '{tid}'")
        except InputError as exc:
            return _error(422, str(exc))
        from ..speech.redact import published_segments
        from ..speech.subtitles import to_srt, to_vtt
        segments = published_segments(doc.transcript, doc.annotations)
        text = to_vtt(segments) if fmt == "vtt" else to_srt(segments)
        media_type = "text/vtt" if fmt == "vtt" else "application/x-subrip"
        return Response(text, media_type=f"{media_type}; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="{tid}.{fmt}"', "cache-control": "no-store"})

    def law_link(request: Request) -> Response:
        url, problem = laws.check(request.query_params.get("law", ""), request.query_params.get("article", ""))
        return _json({"url": url, "problem": problem})

    def media(request: Request) -> Response:
        tid = request.path_params["id"]
        try:
            path, problem = store.media(tid)
        except FileNotFoundError:
            return _error(404, f"没有这个转写稿 / no transcript '{tid}'")
        except InputError as exc:
            return _error(422, str(exc))
        if path is None:
            return _error(404, problem)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        # FileResponse answers Range requests (206), which the player needs to seek.
        return FileResponse(path, media_type=media_type, headers={"cache-control": "no-store"})

    routes = [
        Route("/", index),
        Route("/api/transcripts", list_transcripts),
        Route("/api/transcripts/{id}", open_transcript, methods=["GET"]),
        Route("/api/transcripts/{id}", save_transcript, methods=["PUT"]),
        Route("/api/transcripts/{id}/export.{fmt}", export),
        Route("/api/law-url", law_link),
        waveform_route(store),   # issue 20: waveform overview (generator/annotate/waveform_api.py)
        Route("/media/{id}", media),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    if config.site_dir.is_relative_to(config.root):   # never serve a folder outside the project
        routes.append(Mount("/site", StaticFiles(directory=config.site_dir, html=True, check_dir=False), name="site"))
    app = Starlette(routes=routes)
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}", *extra_hosts}
    guarded = Guard(app, hosts=hosts, token=token, max_body=max_body)
    guarded.token = token  # type: ignore[attr-defined]  # tests and the launcher read it
    return guarded  # type: ignore[return-value]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return ""


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise PufaError(f"127.0.0.1:{port}: 端口无法使用 / cannot listen on this port ({exc.strerror}); "
                        f"pass another with --port N") from None
    sock.listen(64)
    return sock


def run_annotation_tool(project: Path, port: int = 8765, open_browser: bool = True) -> None:
    """Serve the tool on 127.0.0.1:`port` until Ctrl+C."""
    import uvicorn

    config = load_config(project)
    if not re.match(r"^\d+$", str(port)) or not 0 <= port <= 65535:
        raise PufaError(f"--port {port}: not a port number")
    sock = _bind(port)
    port = sock.getsockname()[1]
    app = create_app(config, port=port)
    url = f"http://127.0.0.1:{port}/"
    print(f"pufa annotate: {config.root} → {url}  (Ctrl+C 退出 / to stop)", flush=True)
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
