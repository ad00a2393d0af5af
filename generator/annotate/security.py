"""The guard in front of the annotation tool: a local server is reachable from any web page.

A page on another site can make the person's browser send requests to 127.0.0.1. It must
not be able to read or change anything, so every request passes these checks first:

- `Host` must be the tool's own address (stops DNS rebinding: evil.example resolving to
  127.0.0.1 would otherwise be "same origin" with us);
- `Origin`, when sent, must be the tool's own origin; `Sec-Fetch-Site` must not say the
  request comes from another site (Chromium sends it even on simple GETs and `<video src>`);
- every API call, every media request and every write carries the per-run token, which
  only the tool's own page knows (it is in the page, which other origins cannot read);
- request bodies larger than `max_body` are refused with 413 before the app reads them.
"""
from __future__ import annotations

import json
import secrets
from typing import Awaitable, Callable
from urllib.parse import parse_qs

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

TOKEN_HEADER = "x-pufa-token"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Paths anyone on this machine's own tool page may load without the token: the page itself,
# its static files and the built public site (its law pages are linked from highlights).
OPEN_PREFIXES = ("/static/", "/site/")


async def _reply(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: Host/Origin/Sec-Fetch-Site checks, the token, and the size limit."""

    def __init__(self, app, *, hosts: set[str], token: str, max_body: int):
        self.app = app
        self.hosts = {h.lower() for h in hosts}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here: closing without accepting refuses them
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method, path = scope["method"], scope["path"]
        problem = self._problem(headers, method, path, scope.get("query_string", b""))
        if problem:
            await _reply(send, problem[0], problem[1])
            return
        if method in WRITE_METHODS or "content-length" in headers or "transfer-encoding" in headers:
            await self._with_body_limit(scope, receive, send, headers)
            return
        await self.app(scope, receive, send)

    def _problem(self, headers: dict[str, str], method: str, path: str, query: bytes) -> tuple[int, str] | None:
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            return 403, (f"拒绝：Host '{host}' 不是本工具的地址 / refused: Host '{host}' is not this tool's address "
                         f"(expected {' or '.join(sorted(self.hosts))})")
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return 403, f"拒绝：来自其他网页的请求 / refused: request from another origin '{origin}'"
        site = headers.get("sec-fetch-site", "")
        navigating = method == "GET" and headers.get("sec-fetch-mode") == "navigate"
        if site in ("cross-site", "same-site") and not navigating:
            return 403, f"拒绝：来自其他网页的请求 / refused: {site} request from another page"
        needs_token = method in WRITE_METHODS or path.startswith(("/api/", "/media/"))
        if needs_token and not self._token_ok(headers, path, query):
            return 403, "拒绝：缺少或错误的工具口令 / refused: missing or wrong tool token (reload the tool's page)"
        if method not in ("GET", "HEAD", "PUT", "POST"):
            return 405, f"method {method} not allowed"
        return None

    def _token_ok(self, headers: dict[str, str], path: str, query: bytes) -> bool:
        given = headers.get(TOKEN_HEADER, "")
        if not given and path.startswith("/media/"):
            # <video src> cannot send headers: the media URL carries the token instead.
            given = (parse_qs(query.decode("latin-1")).get("t") or [""])[0]
        return bool(given) and secrets.compare_digest(given.encode(), self.token.encode())

    async def _with_body_limit(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        declared = headers.get("content-length")
        too_big = (f"请求过大（上限 {self.max_body // (1024 * 1024)} MB）/ request body too large "
                   f"(limit {self.max_body} bytes)")
        if declared is not None:
            try:
                if int(declared) > self.max_body:
                    await _reply(send, 413, too_big)
                    return
            except ValueError:
                await _reply(send, 400, "bad Content-Length")
                return
        # Read the whole body first (it is bounded), then hand it to the app in one piece:
        # a chunked upload cannot slip past the limit.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _reply(send, 413, too_big)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, delivered = b"".join(chunks), False

        async def replay() -> dict:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
