"""docs/start.md, followed literally: every ```sh block of the page runs, in order, in a
shell whose HOME is a temporary folder (so `~/pufa-site` is a fresh project, never this
repository) and whose `pufa` is this checkout. Commands that keep running (serve,
annotate, the review page) are started, asked for their page, and stopped with Ctrl+C as
a person would. Then the copy on the "web server" must hold the cases, law pages showing
the cited articles' text, and a livestream recap whose video file is there and plays.

Whisper runs once (the transcribe step, ~20 s of audio)."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.records.case import load_case
from generator.site.lawbook import load_lawbook
from generator.site.render import law_slug
from generator.speech.media import probe

pytestmark = [pytest.mark.whisper, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
TUTORIAL = REPO / "docs" / "start.md"
WEB_ROOT = "/var/www/pufa"                   # the tutorial's example web-server folder
LONG_RUNNING = {"serve", "annotate", "review"}


def tutorial_steps() -> list[str]:
    """The command lines of every ```sh block, in the page's order."""
    text = TUTORIAL.read_text(encoding="utf-8")
    steps = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        steps += [line.strip() for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return steps


def test_tutorial_steps_cover_the_whole_way():
    commands = [shlex.split(step)[1] if step.startswith("pufa ") else shlex.split(step)[0] for step in tutorial_steps()]
    assert commands == ["init", "doctor", "import-cases", "review", "review", "transcribe", "annotate", "build",
                        "serve", "mkdir"]


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """A HOME of its own and a `pufa` on PATH that runs this checkout."""
    home = tmp_path_factory.mktemp("home")
    bin_dir = home / "bin"
    bin_dir.mkdir()
    (bin_dir / "pufa").write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m generator "$@"\n')
    (bin_dir / "pufa").chmod(0o755)
    env = {**os.environ, "HOME": str(home), "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(REPO),
           # the model assembled once per machine, not once per HOME
           "PUFA_CACHE_DIR": os.environ.get("PUFA_CACHE_DIR") or str(Path.home() / ".cache" / "pufa"),
           "PYTHONUNBUFFERED": "1"}
    return home, env


def has_command(env: dict, name: str) -> bool:
    done = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, env=env)
    return re.search(rf"^\s+{re.escape(name)}\s", done.stdout, re.M) is not None    # its line in the list


def run_step(step: str, home: Path, env: dict) -> None:
    step = step.replace(WEB_ROOT, str(home / "www" / "pufa"))
    words = shlex.split(step)
    if words[0] == "pufa" and words[1] in LONG_RUNNING and "--approve-all" not in words:
        return run_server(step, env)
    done = subprocess.run(["bash", "-c", step], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"


def run_server(step: str, env: dict) -> None:
    """Start it on a free port, load its page, stop it with Ctrl+C."""
    extra = " --port 0" + ("" if " serve " in f" {step} " else " --no-browser")
    server = subprocess.Popen(["bash", "-c", f"exec {step}{extra}"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 300
        url = None
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            url = found.group(0) if found else None
        assert url, f"{step} did not say where it listens:\n{''.join(seen)}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            assert answer.status == 200 and answer.read(), step
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def followed(shell):
    home, env = shell
    review = has_command(env, "review")
    for step in tutorial_steps():
        if step.startswith("pufa review") and not review:
            continue            # a pufa without the review step publishes every imported case
        run_step(step, home, env)
    return home / "pufa-site", home / "www" / "pufa"


def test_the_published_copy_has_every_imported_case(followed):
    project, www = followed
    ids = sorted(p.stem for p in (project / "cases_public").glob("*.yaml"))
    assert len(ids) >= 5
    for case_id in ids:
        html = (www / "cases" / case_id / "index.html").read_text(encoding="utf-8")
        assert load_case(project / "cases_public" / f"{case_id}.yaml").title in html


def test_law_pages_show_the_text_of_every_cited_article(followed):
    project, www = followed
    book = load_lawbook(project / "data" / "laws")
    shown = 0
    for path in (project / "cases_public").glob("*.yaml"):
        for basis in load_case(path).legal_basis:
            law = book.find(basis.law)
            assert law is not None and law.text is not None, f"{path}: {basis} has no text in a new project"
            article = law.text.articles[basis.article_key]
            html = (www / "laws" / law_slug(law.title) / "index.html").read_text(encoding="utf-8")
            block = re.search(rf'id="a{basis.article_key}">(.*?)</section>', html, re.S).group(1)
            assert article.text.splitlines()[0][:20] in block, (law.title, basis.article)
            shown += 1
    assert shown >= 5


def test_the_recap_plays_from_the_copied_recording(followed):
    project, www = followed
    [folder] = [p for p in (project / "transcripts").iterdir() if p.is_dir()]
    meta = (folder / "meta.yaml").read_text(encoding="utf-8")
    media = re.search(r"^media: (media/[0-9a-f]{16}\.mp4)$", meta, re.M).group(1)
    assert (project / media).is_file(), "the recording was copied into the project"
    assert (REPO / "demo" / "recordings" / "执法直播-济南西站.mp4").is_file(), "the original stays where it was"
    page = www / "livestreams" / folder.name / "index.html"
    html = page.read_text(encoding="utf-8")
    video = re.search(r"<video\b[^>]*>(.*?)</video>", html, re.S)
    assert video and "autoplay" not in video.group(0)
    source = re.search(r'<source src="([^"]+)" type="video/mp4">', video.group(1)).group(1)
    played = (page.parent / source).resolve()
    assert played.is_file() and played.is_relative_to(www.resolve())
    info = probe(played)
    assert info.has_audio and 15 < info.duration < 20
    assert "大家好" in html or "出租" in html, "the transcript is on the page"
