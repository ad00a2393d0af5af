"""Helpers (no tests) for the hardening tests: one project with every kind of input a
build reads — cases, discretion list, 泉小慧 episodes with video and transcript, lessons,
an annotated livestream — plus tree digests and a way to run `pufa` as a child process."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_content_pages import make_project as make_content_project
from test_recaps_project import LIVE_ID
from test_recaps_project import make_project as make_recap_project

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "tests" / "data" / "raw"
VIDEO = ROOT / "tests" / "data" / "video"


def make_full_project(dest: Path) -> Path:
    """tests/data/content-project + the recap tests' livestream (real demo video)."""
    make_content_project(dest)
    live = make_recap_project(dest.parent / f"{dest.name}-live")
    shutil.copytree(live / "transcripts" / LIVE_ID, dest / "transcripts" / LIVE_ID)
    shutil.copyfile(live / "media" / "demo-livestream.mp4", dest / "media" / "demo-livestream.mp4")
    shutil.rmtree(live)
    return dest


def tree_digest(root: Path) -> dict[str, str]:
    """relative path → sha256 of every file under root ({} when root is absent)."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def pufa(*args: str, preexec_fn=None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`pufa ARGS` in a child process (what a user runs), from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, preexec_fn=preexec_fn, timeout=timeout)
