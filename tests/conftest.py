"""Shared fixtures: paths of the test data, and a real headless Chromium (Debian's)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples on every run (a red CI always means a change broke
# something); a developer's run explores new ones and saves what it finds.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
AUDIO = TEST_DATA / "audio"
VIDEO = TEST_DATA / "video"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session; each test opens its own context."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run 'make test' (it installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def phone_page(browser):
    """A 390-px-wide phone page that records console errors and every outside request."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.outside_requests = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))

    def _route(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")):
            route.continue_()
        else:
            page.outside_requests.append(url)
            route.abort()

    context.route("**/*", _route)
    yield page
    context.close()


@pytest.fixture
def copy_tree(tmp_path):
    """Copy a folder into tmp_path (tests never write into the repository)."""
    def _copy(src: Path, name: str | None = None) -> Path:
        dest = tmp_path / (name or src.name)
        shutil.copytree(src, dest)
        return dest
    return _copy


# The parts of this repository that are its demo project (everything else is pufa itself).
DEMO_PARTS = ("mkdocs.yml", "pufa.yml", "cases_public", "data", "transcripts", "media")


def copy_demo(project: Path) -> Path:
    """The repository's demo project copied to `project` (tests never build in the repo)."""
    project.mkdir(parents=True, exist_ok=True)
    for name in DEMO_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.exists():
            shutil.copyfile(source, project / name)
    return project


def serve_built_demo(folder: Path):
    """The demo project copied into `folder`, built with `pufa build`, and served as
    `pufa serve` serves it (gzip, Range) on a free loopback port: a generator that yields
    the site's URL and stops the server when closed (use it as a fixture's body)."""
    import threading

    from generator.cli import main
    from generator.site.serve import make_server

    project = copy_demo(folder / "demo")
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    server = make_server(project / "site")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def start_annotation_tool(root: Path):
    """The real annotation tool (uvicorn) on a free loopback port, in a thread:
    (server, thread, port, token)."""
    import threading
    import time

    import uvicorn

    from generator.annotate.server import _bind, create_app
    from generator.config import load_config

    sock = _bind(0)
    port = sock.getsockname()[1]
    app = create_app(load_config(root), port=port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        assert time.time() < deadline, "the tool did not start"
        time.sleep(0.02)
    return server, thread, port, app.token
