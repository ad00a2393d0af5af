"""Faults: `pufa build` killed (SIGKILL) during mkdocs, during the Pagefind index, during the
leak gate and the swap leaves site/ either the complete old or the complete new site, and
the next build succeeds and removes the dead build's temporary tree; the swap itself is
atomic under SIGKILL; a full disk (a real small tmpfs, and RLIMIT_FSIZE) is reported with
the file being written, and site/ and cases_public/ stay as they were."""
from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_hardening_project import RAW, ROOT, pufa, tree_digest
from generator.review.approvals import approve_all

MINI = ROOT / "tests" / "data" / "mini-project"
CASE = "cases_public/2024-0002.yaml"
OLD_FACTS = "当场停止营运并承诺办理驾驶员证。"
NEW_FACTS = "当场停止营运并承诺尽快办理驾驶员证。"
# Pagefind names filter chunks by a hash of an unordered map and the sitemap carries the
# build date: the only files two builds of the same input may differ in.
UNSTABLE = re.compile(r"^pagefind/(filter/|pagefind-entry\.json$|pagefind\.[\w-]+\.pf_meta$)|^sitemap\.xml")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def stable(digest: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in digest.items() if not UNSTABLE.match(k)}


def set_facts(project: Path, old: str, new: str) -> None:
    path = project / CASE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    approve_all(project / "cases_public", "测试")      # the edited case is published once approved


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The mini project built (the old site), and the same project with one case edited,
    built in another folder (what the new site must look like)."""
    base = tmp_path_factory.mktemp("kill")
    old = base / "old"
    shutil.copytree(MINI, old)
    assert pufa("build", "--project", str(old), "--quiet").returncode == 0
    new = base / "new"
    shutil.copytree(MINI, new)
    set_facts(new, OLD_FACTS, NEW_FACTS)
    assert pufa("build", "--project", str(new), "--quiet").returncode == 0
    return old, tree_digest(old / "site"), tree_digest(new / "site")


def assert_complete(site: Path, old: dict[str, str], new: dict[str, str]) -> str:
    """site/ is exactly the old site, or a whole new one; which of the two."""
    now = tree_digest(site)
    if now == old:
        return "old"
    assert stable(now) == stable(new), "site/ is neither the old nor the new site: a mixed or partial tree"
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        assert (site / "pagefind" / f"pagefind.{language['hash']}.pf_meta").is_file()
    assert len([k for k in now if k.startswith("pagefind/filter/")]) == \
        len([k for k in new if k.startswith("pagefind/filter/")])
    return "new"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def kill_build(project: Path, moment: str, delay: float) -> list[str]:
    """Start `pufa build`, SIGKILL it at `moment` (+ delay); the progress lines it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--project", str(project)],
                            cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen: list[str] = []
    orphans: list[int] = []
    try:
        if moment == "pagefind":
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                indexers = [c for c in _children(proc.pid) if "pagefind" in _cmdline(c)]
                if indexers:
                    orphans = indexers
                    break
                time.sleep(0.002)
            assert orphans, "Pagefind was never seen running"
        else:
            step = {"mkdocs": "pufa build: mkdocs…", "leak gate": "pufa build: leak gate…"}[moment]
            for line in proc.stdout:
                seen.append(line.rstrip("\n"))
                if line.startswith(step):
                    break
            assert seen and seen[-1].startswith(step), seen
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen += proc.stdout.read().splitlines()       # what it printed before it died
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in orphans:          # the killed build's indexer, orphaned: stop it too
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("moment, delay, state", [
    ("mkdocs", 0.05, "kept"), ("mkdocs", 0.4, "kept"), ("mkdocs", 0.2, "dropped"), ("mkdocs", 0.5, "dropped"),
    ("pagefind", 0.0, "kept"), ("pagefind", 0.2, "kept"),
    ("leak gate", 0.0, "kept"), ("leak gate", 0.25, "kept"), ("leak gate", 0.5, "kept"),
])
def test_sigkill_during_the_build_leaves_the_old_or_the_new_site_complete(sites, tmp_path, moment, delay, state):
    old_project, _, new = sites
    project = tmp_path / "p"
    shutil.copytree(old_project, project, ignore=shutil.ignore_patterns("site", ".pufa-cache"))
    # Built here, so that site/ and the incremental build state share files as they do
    # for a user (a copied tree would not).
    assert pufa("build", "--project", str(project), "--quiet").returncode == 0
    old = tree_digest(project / "site")
    set_facts(project, OLD_FACTS, NEW_FACTS)
    if state == "dropped":
        # No build state: mkdocs renders every page, so the kill lands in the middle of it
        # and leaves a half-written state for the next build to cope with.
        shutil.rmtree(project / ".pufa-cache")
    printed = kill_build(project, moment, delay)
    outcome = assert_complete(project / "site", old, new)
    if not any(line.startswith("pufa build: leak gate…") for line in printed):
        assert outcome == "old", "nothing may reach site/ before the leak gate passed"
    # The user runs the build again: it succeeds and removes the dead build's tree.
    again = pufa("build", "--project", str(project), "--quiet")
    assert again.returncode == 0, again.stderr
    assert assert_complete(project / "site", {}, new) == "new"
    assert not list((project / ".pufa-cache").glob("build-*")), "the killed build's temporary tree is left"


SWAPPER = r"""
import shutil, sys
from pathlib import Path
from generator.fsutil import swap_directory
root = Path(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    source = root / ("a" if n % 2 else "b")
    staged = root / f"next-{n}"
    shutil.copytree(source, staged)
    swap_directory(staged, root / "site")
    print("swapped", flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_the_swap_never_leaves_a_mixed_site(sites, tmp_path):
    """A loop that swaps two different complete sites into site/ is killed at 25 moments:
    site/ is whole, one or the other, every time."""
    old_project, old, new = sites
    a = tmp_path / "a"
    shutil.copytree(old_project / "site", a)
    b = tmp_path / "b"
    shutil.copytree(a, b)
    (b / "index.html").write_text("另一版本", encoding="utf-8")
    shutil.rmtree(b / "cases")               # the versions differ in many files, not one
    versions = [tree_digest(a), tree_digest(b)]
    shutil.copytree(a, tmp_path / "site")
    outcomes = set()
    delays = random.Random(20261125)
    for i in range(25):
        proc = subprocess.Popen([sys.executable, "-c", SWAPPER, str(tmp_path)], cwd=ROOT, env=ENV,
                                stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        # Let 0, 1 or 2 swaps finish (so both versions are seen whatever the machine's
        # speed), then kill at a moment inside the copy or the swap that follows.
        for _ in range(i % 3):
            assert proc.stdout.readline().strip() == b"swapped"
        time.sleep(delays.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = tree_digest(tmp_path / "site")
        assert now in versions, f"kill {i}: site/ is a mix or a part of the two versions"
        outcomes.add(versions.index(now))
        for leftover in tmp_path.glob("next-*"):
            shutil.rmtree(leftover)
    assert outcomes == {0, 1}, "the kills never landed between two swaps"


# ── a full disk ───────────────────────────────────────────────────────────────

def _limit_file_size(limit: int):
    def preexec() -> None:
        # Python ignores SIGXFSZ, so writes past the limit fail with EFBIG, like a full disk.
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_build_with_a_file_size_limit_reports_the_file_and_keeps_the_site(sites, tmp_path):
    old_project, old, new = sites
    project = tmp_path / "p"
    shutil.copytree(old_project, project)
    set_facts(project, OLD_FACTS, NEW_FACTS)
    result = pufa("build", "--project", str(project), "--quiet", preexec_fn=_limit_file_size(200_000))
    assert result.returncode == 1
    assert re.fullmatch(r"pufa build: error: \S+ → " + re.escape(str(project / ".pufa-cache")) +
                        r"/\S+: 文件超过大小上限 / file too large for this disk or limit "
                        r"\(File too large\): free some space and run the command again\n", result.stderr), result.stderr
    assert tree_digest(project / "site") == old
    assert not list((project / ".pufa-cache").glob("build-*"))
    # The failed build's half-written cache does not poison the next one.
    again = pufa("build", "--project", str(project), "--quiet")
    assert again.returncode == 0, again.stderr
    assert stable(tree_digest(project / "site")) == stable(new)


def test_import_with_a_file_size_limit_reports_the_record_and_keeps_the_records(tmp_path):
    project = tmp_path / "proj"
    into = project / "cases_public"
    assert pufa("import-cases", str(RAW / "cases-utf8.csv"), "--into", str(into)).returncode == 0
    changed = tmp_path / "v2.csv"
    changed.write_text((RAW / "cases-utf8.csv").read_text(encoding="utf-8").replace("罚款", "处罚款"),
                       encoding="utf-8")
    before = tree_digest(project)
    result = pufa("import-cases", str(changed), "--into", str(into), preexec_fn=_limit_file_size(900))
    assert result.returncode == 1
    assert re.fullmatch(r"pufa import-cases: error: " + re.escape(str(project)) + r"/\S+: "
                        r"文件超过大小上限 / file too large for this disk or limit \(File too large\): "
                        r"free some space and run the command again\n", result.stderr), result.stderr
    assert tree_digest(project) == before, "no record, manifest, deny list or report changed"


def test_a_record_that_cannot_be_written_takes_its_report_with_it(tmp_path, monkeypatch):
    """The disk fills up between the review report and the records: no record changes
    and no report of changes that did not happen is left."""
    import errno

    from generator.importer import run as importer_run
    project = tmp_path / "proj"
    into = project / "cases_public"
    importer_run.import_cases([RAW / "cases-utf8.csv"], into=into)
    changed = tmp_path / "v2.csv"
    changed.write_text((RAW / "cases-utf8.csv").read_text(encoding="utf-8").replace("罚款", "处罚款"),
                       encoding="utf-8")
    before = tree_digest(project)
    real = importer_run._write_temp

    def write_temp(temp: Path, data: bytes) -> None:
        if "2024-1003" in temp.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(temp, data)
    monkeypatch.setattr(importer_run, "_write_temp", write_temp)
    with pytest.raises(OSError) as info:
        importer_run.import_cases([changed], into=into)
    assert info.value.errno == errno.ENOSPC
    assert tree_digest(project) == before


@pytest.fixture
def small_disk(tmp_path):
    """A real 16 MB tmpfs: the disk that fills up. Skipped where mounting is refused."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip() or 'not permitted'}); "
                    "the RLIMIT_FSIZE tests cover a full disk instead")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill the disk up to `leave` bytes free."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as out:
        out.truncate(0)
        out.write(b"\0" * max(0, free - leave))
    return filler


def test_a_full_disk_stops_the_build_names_the_file_and_keeps_the_site(small_disk, sites):
    old_project, old, new = sites
    project = small_disk / "p"
    shutil.copytree(old_project, project, ignore=shutil.ignore_patterns(".pufa-cache"))  # a clean build
    set_facts(project, OLD_FACTS, NEW_FACTS)
    filler = _fill(small_disk, leave=1_500_000)
    result = pufa("build", "--project", str(project), "--quiet")
    assert result.returncode == 1
    assert result.stderr.startswith("pufa build: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert str(project / ".pufa-cache") in result.stderr, "the message names the file being written"
    assert "磁盘已满 / disk full (No space left on device): free some space and run the command again" in result.stderr
    assert tree_digest(project / "site") == old
    assert not list((project / ".pufa-cache").glob("build-*"))
    filler.unlink()
    again = pufa("build", "--project", str(project), "--quiet")
    assert again.returncode == 0, again.stderr
    # Pagefind's chunk names depend on the order a file system lists pages (tmpfs here), so
    # the index is compared by its shape; every page is compared byte for byte.
    now = tree_digest(project / "site")
    pages = lambda d: {k: v for k, v in d.items() if not k.startswith("pagefind/") and not UNSTABLE.match(k)}
    assert pages(now) == pages(new)
    shape = lambda d: sorted(k.rsplit("/", 1)[0] for k in d if k.startswith("pagefind/"))
    assert shape(now) == shape(new)


def test_a_full_disk_stops_the_import_and_keeps_the_records(small_disk, tmp_path):
    project = small_disk / "proj"
    into = project / "cases_public"
    assert pufa("import-cases", str(RAW / "cases-utf8.csv"), "--into", str(into)).returncode == 0
    changed = tmp_path / "v2.csv"
    changed.write_text((RAW / "cases-utf8.csv").read_text(encoding="utf-8").replace("罚款", "处罚款"),
                       encoding="utf-8")
    before = tree_digest(project)
    _fill(small_disk, leave=0)
    result = pufa("import-cases", str(changed), "--into", str(into))
    assert result.returncode == 1
    assert "磁盘已满 / disk full (No space left on device)" in result.stderr and str(project) in result.stderr, result.stderr
    assert tree_digest(project) == before


def test_a_full_disk_during_an_annotation_save_is_reported_and_the_file_kept(small_disk):
    from starlette.testclient import TestClient

    from generator.annotate.sample import make_project
    from generator.annotate.server import create_app
    from generator.config import load_config
    root = small_disk / "proj"
    folder = make_project(root, transcript_id="demo-live", media=ROOT / "tests" / "data" / "video" / "demo-livestream.mp4")
    client = TestClient(create_app(load_config(root), port=8765, token="t"), base_url="http://127.0.0.1:8765")
    auth = {"X-Pufa-Token": "t"}
    doc = client.get("/api/transcripts/demo-live", headers=auth).json()
    before = tree_digest(folder)
    _fill(small_disk, leave=0)
    chapters = [{"id": f"c{i}", "title": "章节" * 200, "start": i} for i in range(10)]
    response = client.put("/api/transcripts/demo-live", headers=auth, json={
        "base_version": doc["version"], "base_hash": doc["transcript_hash"], "annotations": {"chapters": chapters}})
    assert response.status_code == 507
    message = response.json()["error"]
    assert message.startswith("保存失败：磁盘已满或无法写入 / could not save: ") and str(folder) in message, message
    assert message.endswith("No space left on device")
    assert tree_digest(folder) == before, "annotations.json and transcript.json as they were"
