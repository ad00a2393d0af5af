"""Incremental builds: the work of the last build, kept in `<cache_dir>/state/`, so that
changing one case re-renders a handful of pages instead of 13,000.

    state/
      manifest.json     what the folders below hold (written last, after a good build)
      docs/             generated Markdown + assets; a file is rewritten only when its bytes
                        changed, so its mtime tells mkdocs (dirty mode) what to rebuild
      site/             mkdocs' output (no search index)
      pagefind/<k>/     one Pagefind bundle per search shard (pages split by URL hash)
      mkdocs.yml, overrides/

Every page is still generated from the records on every build (that is cheap and it is
the only way to know what changed); what is skipped is mkdocs for unchanged pages,
Pagefind for unchanged shards and the leak gate for unchanged files.

The published tree is assembled from hard links to these files, so it costs no copy.
Nothing here is ever written in place once published: a page mkdocs must rewrite is
unlinked first, a shard is rebuilt into a fresh folder. A build that fails part-way
leaves no manifest, and the next build starts from nothing (a full build).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple

from .pages import Asset, Page, page_url

STATE_VERSION = 4
SHARD_PAGES = 2000          # searchable pages per Pagefind shard (rounded up to a power of two)
SHARD_BYTES = 24_000_000    # HTML per shard at most (Pagefind takes 9-15x that in memory; two run at once)
MAX_SHARDS = 64
# Files only the primary bundle needs: merged shards are read through the primary's
# pagefind.js and WebAssembly (Pagefind loads the wasm once, for the primary index).
SHARD_ONLY = ("pagefind-entry.json",)
SHARDS_FILE = "pufa-shards.json"
ALWAYS_REWRITTEN = ("404.html", "sitemap.xml", "sitemap.xml.gz")   # mkdocs writes these every build


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class BuildState:
    root: Path
    key: str = ""                                       # mkdocs inputs besides the pages
    docs: dict[str, str] = field(default_factory=dict)  # docs path → content digest
    shards: dict[str, str] = field(default_factory=dict)  # shard number → inputs digest
    leaks: dict[str, list[int]] = field(default_factory=dict)  # site path → [ino, size, mtime_ns] scanned clean
    leak_key: str = ""                                  # deny list + detector code the leaks were checked with

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def pagefind_dir(self) -> Path:
        return self.root / "pagefind"

    @classmethod
    def open(cls, cache_dir: Path, incremental: bool = True) -> "BuildState":
        """The last good build's state, or an empty one (the folder is wiped) when there is
        none, it is from another pufa version, or `incremental` is off."""
        root = cache_dir / "state"
        manifest = root / "manifest.json"
        data = None
        if incremental:
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True, exist_ok=True)
            return cls(root)
        # From here on the folders change: until a build succeeds there is no manifest.
        manifest.unlink()
        return cls(root, data.get("key", ""), data.get("docs", {}), data.get("shards", {}), data.get("leaks", {}),
                   data.get("leak_key", ""))

    def save(self) -> None:
        from ..fsutil import atomic_write_text
        atomic_write_text(self.root / "manifest.json", json.dumps(
            {"version": STATE_VERSION, "key": self.key, "docs": self.docs, "shards": self.shards,
             "leaks": self.leaks, "leak_key": self.leak_key}, ensure_ascii=False, separators=(",", ":")))


class PageRef(NamedTuple):
    path: str
    search: bool


@dataclass
class DocsChange:
    nav: list[dict[str, str]]
    changed: set[str]                 # docs paths written this build
    removed: set[str]                 # docs paths gone since the last build
    pages: list[PageRef]              # every page (not its body: 13,000 bodies need not stay in memory)


def sync_docs(items: Iterable[Page | Asset], state: BuildState, markdown) -> DocsChange:
    """Write each page/asset into state/docs only if its bytes differ from last time."""
    from markupsafe import escape
    docs = state.docs_dir
    new: dict[str, str] = {}
    nav: list[dict[str, str]] = []
    changed: set[str] = set()
    pages: list[PageRef] = []
    made: set[Path] = set()
    for item in items:
        if isinstance(item, Page):
            data = markdown(item).encode("utf-8")
            pages.append(PageRef(item.path, item.search))
            if item.in_nav:
                nav.append({str(escape(item.title)): item.path})
            sig = digest(data)
        elif item.source is not None:
            # Media can be large: a source file is known by its size and mtime.
            st = item.source.stat()
            data, sig = None, f"src:{item.source}:{st.st_size}:{st.st_mtime_ns}"
        else:
            data = item.data or b""
            sig = digest(data)
        new[item.path] = sig
        target = docs / item.path
        if state.docs.get(item.path) == sig and target.exists():
            continue
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if target.exists():
            target.unlink()             # never rewrite in place (docs may be hard-linked by mkdocs' copies)
        if data is None:
            shutil.copyfile(item.source, target)
        else:
            target.write_bytes(data)
        changed.add(item.path)
    removed = set(state.docs) - set(new)
    for path in removed:
        try:
            (docs / path).unlink()
        except FileNotFoundError:
            pass
    state.docs = new
    return DocsChange(nav, changed, removed, pages)


def output_path(docs_path: str) -> str:
    """Where mkdocs writes a docs file (directory URLs): pages → …/index.html."""
    if docs_path.endswith(".md"):
        return page_url(docs_path) + "index.html"
    return docs_path


def mkdocs_key(derived_config: Path, extra: Iterable[Path]) -> str:
    """Everything besides the pages that shapes mkdocs' output: the derived config (nav,
    CSS/JS lists, the user's mkdocs.yml by content), the theme overrides and hooks, and
    the versions of mkdocs and Material."""
    import material
    import mkdocs
    h = hashlib.blake2b(digest_size=16)
    h.update(derived_config.read_bytes())
    for path in sorted(extra):
        h.update(path.as_posix().encode())
        h.update(path.read_bytes() if path.is_file() else b"")
    h.update(f"{mkdocs.__version__}/{material.__version__}".encode())
    return h.hexdigest()


def prepare_dirty(state: BuildState, change: DocsChange) -> None:
    """Unlink what mkdocs will rewrite: it writes files in place, and the published site
    shares these files' inodes."""
    site = state.site_dir
    for path in change.changed | change.removed:
        try:
            (site / output_path(path)).unlink()
        except FileNotFoundError:
            pass
    for name in ALWAYS_REWRITTEN:
        try:
            (site / name).unlink()
        except FileNotFoundError:
            pass
    for path in change.removed:           # empty folders of removed pages
        folder = (site / output_path(path)).parent
        while folder != site and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


# ---------------------------------------------------------------- search shards

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


def build_shards(state: BuildState, pages: list[PageRef], work: Path, pagefind: str,
                 progress: bool = False) -> int:
    """(Re)build the Pagefind bundle of every shard whose pages changed. Returns how many
    shards were rebuilt."""
    searchable = sorted(output_path(p.path) for p in pages if p.search)
    if not searchable:
        # No page marked for search: Pagefind indexes whole pages then (as it does alone).
        searchable = sorted(output_path(p.path) for p in pages)
    sizes = {rel: (state.site_dir / rel).stat() for rel in searchable}
    count = shard_count(len(searchable))
    # Pagefind's memory grows with the text it indexes (~7x the HTML): three-hour
    # transcripts are big pages, so shards are also cut by bytes.
    total = sum(st.st_size for st in sizes.values())
    while count < MAX_SHARDS and total > count * SHARD_BYTES:
        count *= 2
    while True:
        members: dict[int, list[str]] = {k: [] for k in range(count)}
        for rel in searchable:
            members[shard_of(rel, count)].append(rel)
        if count == 1 or all(members.values()):
            break
        count //= 2             # Pagefind refuses an empty folder: fewer, fuller shards
    todo: list[tuple[int, str]] = []
    signatures: dict[str, str] = {}
    for shard, files in members.items():
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{count}".encode())
        for rel in files:
            st = sizes[rel]
            h.update(f"{rel}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        signatures[str(shard)] = sig = h.hexdigest()
        if state.shards.get(str(shard)) != sig or not (state.pagefind_dir / str(shard)).is_dir():
            todo.append((shard, sig))
    for stale in state.pagefind_dir.glob("*") if state.pagefind_dir.is_dir() else ():
        if not stale.name.isdigit() or int(stale.name) >= count:
            shutil.rmtree(stale, ignore_errors=True)

    def one(shard: int) -> None:
        source = work / f"shard-{shard}"
        for rel in members[shard]:
            target = source / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(state.site_dir / rel, target)
        out = state.pagefind_dir / str(shard)
        shutil.rmtree(out, ignore_errors=True)
        run_pagefind(source, out)
        shutil.rmtree(source, ignore_errors=True)
        if shard != 0:
            for path in out.iterdir():
                if path.is_file() and not path.name.endswith(".pf_meta") and path.name not in SHARD_ONLY:
                    path.unlink()

    state.shards = {k: v for k, v in state.shards.items() if int(k) < count and k not in dict(todo)}
    bar = _bar(len(todo), "search shards", progress)
    # Pagefind is one process per shard; as many at a time as there are cores.
    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        for (shard, sig), _ in zip(todo, pool.map(one, [s for s, _ in todo])):
            state.shards[str(shard)] = sig
            bar.update(1)
    bar.close()
    state.pagefind_dir.mkdir(parents=True, exist_ok=True)
    shards_json = state.pagefind_dir / SHARDS_FILE
    shards_json.write_text(json.dumps([shard_dir_name(k) + "/" for k in range(1, count)]), encoding="utf-8")
    return len(todo)


def run_pagefind(source: Path, out: Path) -> None:
    from .build import BuildError, pagefind_executable
    result = subprocess.run([pagefind_executable(), "--site", str(source), "--output-path", str(out), "--silent",
                             "--force-language", "zh"],
                            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if result.returncode != 0:
        raise BuildError(f"Pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()[:500]}")


# ---------------------------------------------------------------- assembly

def _scan_tree(root: str, prefix: str, out: dict[str, tuple[str, int]]) -> None:
    """Every file under `root` as site path → (full path, inode). os.scandir gives the
    inode without a stat call: 23,000 stats were a visible part of a one-case rebuild."""
    stack = [(root, prefix)]
    while stack:
        folder, base = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{base}{entry.name}/"))
                else:
                    out[base + entry.name] = (entry.path, entry.inode())


def wanted_files(state: BuildState) -> dict[str, tuple[str, int]]:
    """Site path → (the state file it is a hard link to, its inode)."""
    wanted: dict[str, tuple[str, int]] = {}
    _scan_tree(str(state.site_dir), "", wanted)
    if state.pagefind_dir.is_dir():
        for bundle in sorted(state.pagefind_dir.iterdir()):
            if bundle.is_dir() and bundle.name.isdigit():
                _scan_tree(str(bundle), shard_dir_name(int(bundle.name)) + "/", wanted)
        shards = state.pagefind_dir / SHARDS_FILE
        wanted[f"pagefind/{SHARDS_FILE}"] = (str(shards), os.stat(shards).st_ino)
    return wanted


def assemble(state: BuildState, target: Path, reuse: Path | None = None) -> dict[str, tuple[str, int]]:
    """The publishable tree in `target`: hard links to mkdocs' output and the shards'
    bundles. With `reuse` (the tree this build's last swap retired, i.e. the previous
    site), only links whose inode differs are redone: O(changes) links instead of
    23,000 unlinks and 23,000 links. Returns what `wanted_files` returns."""
    wanted = wanted_files(state)
    have: dict[str, tuple[str, int]] = {}
    if reuse is not None and reuse.is_dir():
        os.replace(reuse, target)
        _scan_tree(str(target), "", have)
        emptied: set[str] = set()
        for rel, (path, _ino) in have.items():
            if rel not in wanted:
                os.unlink(path)
                emptied.add(os.path.dirname(path))
        for folder in sorted(emptied, key=len, reverse=True):      # deepest first
            while folder != str(target):
                try:
                    os.rmdir(folder)
                except OSError:
                    break
                folder = os.path.dirname(folder)
    target.mkdir(parents=True, exist_ok=True)
    made: set[str] = set()
    for rel, (source, ino) in wanted.items():
        old = have.get(rel)
        if old is not None:
            if old[1] == ino:
                continue
            os.unlink(old[0])
        out = os.path.join(target, rel)
        if old is None:
            folder = os.path.dirname(out)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
        os.link(source, out)
    return wanted


# ---------------------------------------------------------------- leak gate cache

def leak_key(project_root: Path, hosts: tuple[str, ...]) -> str:
    """What a clean verdict depends on besides the file: the private deny list, the
    detectors' and the gate's code, the allowed hosts."""
    from .. import privacy
    h = hashlib.blake2b(digest_size=16)
    denylist = project_root / ".pufa-private" / "denylist.txt"
    h.update(denylist.read_bytes() if denylist.is_file() else b"")
    for path in sorted(Path(privacy.__file__).parent.glob("*.py")) + [Path(__file__).parent / "leakgate.py"]:
        h.update(path.read_bytes())
    h.update(repr(hosts).encode())
    return h.hexdigest()


_CONTENT_NAMED = re.compile(r"^pagefind/(?:shard-\d+/)?(?:fragment|index|filter)/[\w-]+\.pf_\w+$")


def leak_todo(state: BuildState, site: Path, wanted: dict[str, tuple[str, int]]
              ) -> tuple[list[Path], dict[str, list[int]]]:
    """Files the leak gate must read: those not scanned clean before, and each file's
    stamp [inode, size, mtime_ns]. A file with the inode it had when it passed is the same
    file (nothing in the state is rewritten in place; a rewritten page is a new inode)."""
    todo: list[Path] = []
    stamps: dict[str, list[int]] = {}
    for rel, (source, ino) in wanted.items():
        old = state.leaks.get(rel)
        if old is not None and old[0] == ino:
            stamps[rel] = old
            continue
        st = os.stat(source)
        if _CONTENT_NAMED.match(rel):
            # Pagefind names these by a hash of their content: a re-indexed shard
            # writes new files, but the same name and size is the same content.
            stamp = [ino, st.st_size, -1]
            clean = old is not None and old[2] == -1 and old[1] == st.st_size
        else:
            stamp = [ino, st.st_size, st.st_mtime_ns]
            clean = old == stamp
        stamps[rel] = stamp
        if not clean:
            todo.append(site / rel)
    todo.sort()
    return todo, stamps


def _bar(total: int, label: str, progress: bool):
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
