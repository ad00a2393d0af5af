"""`pufa review`: the local page where staff approve imported cases before publication.

Same security as the annotation tool (annotate/security.Guard: 127.0.0.1 only, the
per-run token on every API call and write, Host/Origin/Sec-Fetch-Site checks, a body
limit) and the same strict Content-Security-Policy: nothing is loaded from elsewhere.

The page lists the pending cases; for one case it shows every change the import made
and, highlighted, every suspect left unchanged (suspects.py). The reviewer accepts, edits
or hides each item (or all at once), saves, and approves: an approval signs the case's
content as it is then (approvals.py). `--approve-all --by NAME` does the last step for
every pending case from the command line.
"""
from __future__ import annotations

import getpass
import json
import re
import secrets
import threading
import webbrowser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..annotate.security import Guard
from ..annotate.server import SECURITY_HEADERS, _bind
from ..config import ProjectConfig, load_config
from ..errors import InputError, PufaError
from ..fsutil import atomic_write_text
from ..records.case import Case, case_from_mapping, load_case, load_cases
from ..yamlio import dump_yaml, load_yaml
from .approvals import VIA_PAGE, approved, content_digest, load_approvals, record_approvals
from .approvals import approve_all as approve_every
from .notes import changes as note_changes
from .notes import flagged, load_notes
from .suspects import TEXT_FIELDS, find_suspects

STATIC_DIR = Path(__file__).parent / "static"
TOKEN_PLACEHOLDER = "__PUFA_TOKEN__"
MAX_BODY = 4 * 1024 * 1024          # one case's text fields
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"cache-control": "no-store"})


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, headers={"cache-control": "no-store"})


def _change_spans(text: str, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where each change's replacement stands in the text: the anonymiser rewrote the
    field left to right, so each `after` is found after the previous one. A change whose
    text was edited since is listed without a place."""
    out, pos = [], 0
    for change in changes:
        found = text.find(change["after"], pos) if change.get("after") else -1
        item = dict(change)
        if found >= 0:
            item["start"], item["end"] = found, found + len(change["after"])
            pos = item["end"]
        out.append(item)
    return out


class Desk:
    """The project's cases, approvals and import notes, read fresh for each request that
    needs them (staff may edit files beside the page)."""

    def __init__(self, config: ProjectConfig):
        self.config = config
        self.paths: dict[str, Path] = {}

    def cases(self) -> list[Case]:
        cases = load_cases(self.config.cases_dir) if self.config.cases_dir.is_dir() else []
        self.paths = {case.id: Path(case.source_file) for case in cases}
        return cases

    def summary(self) -> dict[str, Any]:
        cases = self.cases()
        published, pending = approved(cases, self.config.cases_dir)
        notes = load_notes(self.config.root)
        rows = []
        for case in pending:
            note = notes.get(case.id) or {}
            rows.append({"id": case.id, "title": case.title, "source": note.get("source", ""),
                         "changes": len(note_changes(note)),
                         "suspects": len(find_suspects(_fields(case), note.get("unknown_columns"), flagged(note)))})
        return {"pending": rows, "approved": len(published), "project": self.config.root.name}

    def path_of(self, case_id: str) -> Path:
        if not _ID.match(case_id):
            raise FileNotFoundError(case_id)
        if case_id not in self.paths:
            self.cases()
        if case_id not in self.paths:
            raise FileNotFoundError(case_id)
        return self.paths[case_id]

    def view(self, case_id: str) -> dict[str, Any]:
        case = load_case(self.path_of(case_id))
        note = load_notes(self.config.root).get(case.id)
        fields = _fields(case)
        changes: list[dict[str, Any]] = []
        for name in TEXT_FIELDS:
            changes += _change_spans(fields[name], [c for c in note_changes(note or {}) if c["field"] == name])
        digest = content_digest(case)
        signed = [a for a in load_approvals(self.config.cases_dir).get(case.id, []) if a.digest == digest]
        return {
            "id": case.id, "case_no": case.case_no, "digest": digest, "fields": fields,
            "labels": FIELD_LABELS, "changes": changes, "has_note": note is not None,
            "source": (note or {}).get("source", ""),
            "personal_columns": sorted((note or {}).get("personal_columns") or {}),
            "suspects": [asdict(s) for s in find_suspects(fields, (note or {}).get("unknown_columns"),
                                                          flagged(note or {}))],
            "approved": [{"by": a.by, "at": a.at, "via": a.via} for a in signed],
        }

    def save(self, case_id: str, digest: str, fields: dict[str, str]) -> dict[str, Any]:
        path = self.path_of(case_id)
        case = load_case(path)
        if content_digest(case) != digest:
            raise _Stale()
        data, _ = load_yaml(path)
        for name, text in fields.items():
            if name not in TEXT_FIELDS or not isinstance(text, str):
                raise InputError.at(path, f"'{name}' is not a text field of a case", field=name)
            data[name] = text
        edited = case_from_mapping(data, path)       # the same validation as the build's
        atomic_write_text(path, dump_yaml(edited.to_mapping()))
        return self.view(case_id)

    def approve(self, case_id: str, digest: str, by: str) -> dict[str, Any]:
        case = load_case(self.path_of(case_id))
        if content_digest(case) != digest:
            raise _Stale()
        record_approvals(self.config.cases_dir, [case], by, VIA_PAGE)
        return self.view(case_id)


class _Stale(Exception):
    pass


FIELD_LABELS = {"title": "案件名称", "place": "违法地点", "cause": "案由", "facts": "违法事实",
                "investigation": "调查经过", "decision": "处罚决定", "explanation": "执法人员说法"}


def _fields(case: Case) -> dict[str, str]:
    return {name: getattr(case, name) or "" for name in TEXT_FIELDS}


STALE = ("这条案例在别处被修改过，请重新打开 / the case changed since this page read it: "
         "open it again to see the current text")


def create_app(config: ProjectConfig, *, port: int, token: str | None = None, reviewer: str = "",
               extra_hosts: tuple[str, ...] = ()) -> Starlette:
    token = token or secrets.token_urlsafe(32)
    desk = Desk(config)
    index_html = (STATIC_DIR / "index.html").read_text(encoding="utf-8").replace(TOKEN_PLACEHOLDER, token)

    async def index(request: Request) -> Response:
        return HTMLResponse(index_html, headers=SECURITY_HEADERS)

    async def guarded(call, *args) -> Response:
        try:
            return _json(await run_in_threadpool(call, *args))
        except FileNotFoundError:
            return _error(404, f"没有这条案例 / no case '{args[0] if args else ''}'")
        except _Stale:
            return _error(409, STALE)
        except InputError as exc:
            return _error(422, str(exc))
        except OSError as exc:
            return _error(507, f"保存失败 / could not save: {exc.filename or ''}: {exc.strerror or exc}")

    async def summary(request: Request) -> Response:
        response = await guarded(desk.summary)
        if response.status_code == 200:
            data = json.loads(response.body)
            data["reviewer"] = reviewer
            return _json(data)
        return response

    async def record(request: Request) -> Response:
        return await guarded(desk.view, request.path_params["id"])

    async def body_of(request: Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return None
        return body if isinstance(body, dict) and isinstance(body.get("digest"), str) else None

    async def save(request: Request) -> Response:
        body = await body_of(request)
        if body is None or not isinstance(body.get("fields"), dict):
            return _error(400, "需要 digest 和 fields / expected digest and fields")
        return await guarded(desk.save, request.path_params["id"], body["digest"], body["fields"])

    async def approve(request: Request) -> Response:
        body = await body_of(request)
        if body is None:
            return _error(400, "需要 digest / expected digest")
        by = " ".join(str(body.get("by") or "").split())[:64]
        if not by:
            return _error(422, "请填写审核人姓名 / the reviewer's name is required")
        return await guarded(desk.approve, request.path_params["id"], body["digest"], by)

    routes = [
        Route("/", index),
        Route("/api/records", summary),
        Route("/api/records/{id}", record, methods=["GET"]),
        Route("/api/records/{id}", save, methods=["PUT"]),
        Route("/api/records/{id}/approve", approve, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes)
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}", *extra_hosts}
    guard = Guard(app, hosts=hosts, token=token, max_body=MAX_BODY)
    guard.token = token  # type: ignore[attr-defined]  # tests and the launcher read it
    return guard  # type: ignore[return-value]


def review_command(project: Path, port: int = 8766, approve_all: bool = False, by: str | None = None,
                   open_browser: bool = True) -> int:
    """`pufa review`: the page, or with --approve-all every pending case approved at once."""
    config = load_config(project)
    if approve_all:
        if not (by or "").strip():
            raise InputError.at(config.root, "--approve-all needs the reviewer's name", field="--by",
                                hint="pass --by NAME; the approvals record it")
        made, already = approve_every(config.cases_dir, by)
        print(f"approved {len(made)} pending case(s) as {' '.join(by.split())} (approve-all); "
              f"{already} were approved already; recorded in {config.cases_dir / '.review' / 'approvals.jsonl'}")
        return 0
    if not 0 <= port <= 65535:
        raise PufaError(f"--port {port}: not a port number")
    import uvicorn

    sock = _bind(port)
    port = sock.getsockname()[1]
    app = create_app(config, port=port, reviewer=by or _os_user())
    url = f"http://127.0.0.1:{port}/"
    print(f"pufa review: {config.root} → {url}  (Ctrl+C 退出 / to stop)", flush=True)
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
    return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return ""
