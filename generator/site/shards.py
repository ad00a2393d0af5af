"""The search index: Pagefind bundles, one per shard of the searchable pages.

Pagefind reads only what a page marks for search (`data-pagefind-body`), so it is fed a
small page made from the generated Markdown (the same HTML block mkdocs puts into the
theme) instead of mkdocs' output. That way indexing does not wait for mkdocs: the
shards are indexed in the background, on the other cores, while mkdocs renders
(`ShardJob.start` … `ShardJob.wait`). tests/test_incremental.py checks that Pagefind
run over the published pages writes the same index.

Pages are split into shards by a hash of their URL, so that changing one case
re-indexes one shard; a shard is known by the digests of its pages' Markdown.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape

from ..errors import BuildError
from .pages import page_url

SHARD_PAGES = 2000          # searchable pages per Pagefind shard (rounded up to a power of two)
SHARD_BYTES = 12_000_000    # Markdown per shard at most (Pagefind takes ~15x the text it indexes in memory)
MAX_SHARDS = 64
# Files only the primary bundle needs: merged shards are read through the primary's
# pagefind.js and WebAssembly (Pagefind loads the wasm once, for the primary index).
SHARD_ONLY = ("pagefind-entry.json",)
SHARDS_FILE = "pufa-shards.json"


def shard_count(searchable: int) -> int:
    """1 up to SHARD_PAGES pages, then the power of two that keeps shards near that size."""
    count = 1
    while count * SHARD_PAGES < searchable and count < MAX_SHARDS:
        count *= 2
    return count


def shard_of(url: str, count: int) -> int:
    return zlib.crc32(url.encode("utf-8")) % count if count > 1 else 0


def shard_dir_name(shard: int) -> str:
    """Where a shard lands in the site: shard 0 is Pagefind's usual pagefind/."""
    return "pagefind" if shard == 0 else f"pagefind/shard-{shard}"


def output_path(docs_path: str) -> str:
    """Where mkdocs writes a docs file (directory URLs): pages → …/index.html."""
    if docs_path.endswith(".md"):
        return page_url(docs_path) + "index.html"
    return docs_path


@dataclass
class ShardPlan:
    count: int
    members: dict[int, list[str]]            # shard → docs paths of its pages
    signatures: dict[str, str]               # shard → digest of its pages' Markdown
    todo: list[int]                          # shards to (re)index


def plan_shards(pages: list[tuple[str, bool]], digests: dict[str, str], sizes: dict[str, int],
                built: dict[str, str], pagefind_dir: Path) -> ShardPlan:
    """Which page goes into which shard, and which shards changed since `built`.
    `pages`: (docs path, searchable); `digests`/`sizes`: of each page's Markdown."""
    searchable = sorted(path for path, search in pages if search)
    if not searchable:
        # No page marked for search: Pagefind indexes whole pages then (as it does alone).
        searchable = sorted(path for path, _search in pages)
    count = shard_count(len(searchable))
    # Pagefind's memory grows with the text it indexes: three-hour transcripts are big
    # pages, so shards are also cut by bytes.
    total = sum(sizes[path] for path in searchable)
    while count < MAX_SHARDS and total > count * SHARD_BYTES:
        count *= 2
    while True:
        members: dict[int, list[str]] = {k: [] for k in range(count)}
        for path in searchable:
            members[shard_of(output_path(path), count)].append(path)
        if count == 1 or all(members.values()):
            break
        count //= 2             # Pagefind refuses an empty folder: fewer, fuller shards
    signatures: dict[str, str] = {}
    todo: list[int] = []
    for shard, paths in members.items():
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{count}".encode())
        for path in paths:
            h.update(f"{path}\0{digests[path]}\n".encode())
        signatures[str(shard)] = sig = h.hexdigest()
        if built.get(str(shard)) != sig or not (pagefind_dir / str(shard)).is_dir():
            todo.append(shard)
    return ShardPlan(count, members, signatures, todo)


def search_page(markdown: str, site_name: str) -> str:
    """The page Pagefind indexes for a generated page: what the theme would put around
    the page's HTML block that Pagefind reads (the language, the title, and Material's
    <h1> for a page whose content has none)."""
    _, head, body = markdown.split("---\n", 2)
    meta = {}
    for line in head.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            meta[key] = json.loads(value)
    title = meta.get("title", "")          # stored escaped (build.page_markdown)
    heading = "" if "<h1" in body else f"<h1>{title}</h1>"
    return (f'<!doctype html>\n<html lang="zh"><head><meta charset="utf-8">'
            f"<title>{title} - {escape(site_name)}</title></head><body>{heading}{body}</body></html>\n")


@dataclass
class ShardJob:
    """Indexes the planned shards in the background (one Pagefind process per core)."""

    plan: ShardPlan
    docs_dir: Path
    pagefind_dir: Path
    site_name: str
    pagefind: str
    scratch: Path
    futures: list[tuple[int, Future]] = field(default_factory=list)
    pool: ThreadPoolExecutor | None = None
    written: dict[int, threading.Event] = field(default_factory=dict)   # shard → its pages are written

    def start(self, workers: int | None = None) -> "ShardJob":
        self.pagefind_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.pagefind_dir.iterdir():
            if stale.is_dir() and (not stale.name.isdigit() or int(stale.name) >= self.plan.count):
                shutil.rmtree(stale, ignore_errors=True)
        if self.plan.todo:
            workers = workers or max(1, min(len(self.plan.todo), os.cpu_count() or 1))
            self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pagefind")
            self.written = {shard: threading.Event() for shard in self.plan.todo}
            self.futures = [(shard, self.pool.submit(self._index, shard)) for shard in self.plan.todo]
        return self

    def wait_written(self) -> None:
        """Wait until the pages for Pagefind are written (Python work, which holds the
        GIL): a caller with little to do meanwhile lets it finish alone, and Pagefind then
        runs on one core while the caller's own work runs on the other."""
        for shard, future in self.futures:
            while not self.written[shard].wait(0.05):
                if future.done():
                    break

    def wait(self, progress: bool = False) -> dict[str, str]:
        """Wait for every shard; returns the signatures of the shards now built. Raises
        the first shard's error."""
        bar = progress_bar(len(self.futures), "search shards", progress)
        try:
            for _shard, future in self.futures:
                future.result()
                bar.update(1)
        finally:
            bar.close()
            self.close()
        shards_json = self.pagefind_dir / SHARDS_FILE
        shards_json.write_text(json.dumps([shard_dir_name(k) + "/" for k in range(1, self.plan.count)]),
                               encoding="utf-8")
        return dict(self.plan.signatures)

    def close(self) -> None:
        """Stop: pending shards are dropped, running ones finish (a build that failed)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _index(self, shard: int) -> None:
        source = Path(tempfile.mkdtemp(prefix=f"shard-{shard}-", dir=self.scratch))
        try:
            try:
                for path in self.plan.members[shard]:
                    target = source / output_path(path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    data = (self.docs_dir / path).read_bytes()
                    target.write_text(search_page(data.decode("utf-8"), self.site_name), encoding="utf-8")
            finally:
                self.written[shard].set()
            out = self.pagefind_dir / str(shard)
            if out.is_dir():
                # Re-indexing: Pagefind writes to memory and only the files that differ
                # reach the disk. Creating a shard's ~1,300 files there cost ~0.8 s, and
                # after a one-case edit all but a handful are the same bytes again.
                fresh = source.with_name(source.name + "-out")
                try:
                    run_pagefind(self.pagefind, source, fresh)
                    _trim_bundle(fresh, shard)
                    sync_tree(fresh, out)
                finally:
                    shutil.rmtree(fresh, ignore_errors=True)
            else:
                run_pagefind(self.pagefind, source, out)
                _trim_bundle(out, shard)
        finally:
            shutil.rmtree(source, ignore_errors=True)


def _trim_bundle(bundle: Path, shard: int) -> None:
    """A merged shard needs only its index; the primary bundle (shard 0) keeps Pagefind's
    script and WebAssembly, which load the others."""
    if shard != 0:
        for path in bundle.iterdir():
            if path.is_file() and not path.name.endswith(".pf_meta") and path.name not in SHARD_ONLY:
                path.unlink()


def sync_tree(source: Path, target: Path) -> int:
    """Make `target` hold what `source` holds: a file with the same bytes is kept (its
    inode too, which the published site and the leak gate's verdicts share); any other is
    unlinked and written anew, never rewritten in place. Returns the files written."""
    wanted: set[str] = set()
    written = 0
    for folder, _dirs, files in os.walk(source):
        rel_folder = os.path.relpath(folder, source)
        out_folder = target / rel_folder if rel_folder != "." else target
        out_folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            new, old = os.path.join(folder, name), out_folder / name
            wanted.add(os.path.normpath(os.path.join(rel_folder, name)))
            if _same_bytes(new, old):
                continue
            try:
                old.unlink()
            except FileNotFoundError:
                pass
            shutil.copyfile(new, old)
            written += 1
    for folder, _dirs, files in os.walk(target, topdown=False):
        rel_folder = os.path.relpath(folder, target)
        for name in files:
            if os.path.normpath(os.path.join(rel_folder, name)) not in wanted:
                os.unlink(os.path.join(folder, name))
        if folder != str(target) and not os.listdir(folder):
            os.rmdir(folder)
    return written


def _same_bytes(a: str, b: Path) -> bool:
    try:
        if os.stat(a).st_size != b.stat().st_size:
            return False
        with open(a, "rb") as left, open(b, "rb") as right:
            return left.read() == right.read()
    except FileNotFoundError:
        return False


def scratch_dir(fallback: Path) -> Path:
    """Where the pages for Pagefind are written and deleted again: memory (/dev/shm) where
    there is one, since 13,000 folders made and removed on a disk cost seconds."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm
    return fallback


def run_pagefind(pagefind: str, source: Path, out: Path) -> None:
    result = subprocess.run([pagefind, "--site", str(source), "--output-path", str(out), "--silent",
                             "--force-language", "zh"],
                            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if result.returncode != 0:
        raise BuildError(f"Pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()[:500]}")


def progress_bar(total: int, label: str, progress: bool):
    """A tqdm bar when asked for and worth it; otherwise a no-op with the same methods."""
    if progress and total > 1:
        from tqdm import tqdm
        return tqdm(total=total, desc=f"pufa build: {label}", unit="", leave=False)

    class _Quiet:
        def update(self, n: int = 1) -> None:
            pass

        def close(self) -> None:
            pass
    return _Quiet()
