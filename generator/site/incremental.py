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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from .pages import Asset, Page, ViewAsset, ViewKeys, ViewPage
from .shards import SHARDS_FILE, output_path, shard_dir_name

STATE_VERSION = 7
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
    pages: dict[str, list] = field(default_factory=dict)  # docs path → [view key, Markdown size] of view pages
    # What site/ and each pagefind/<k>/ held after the last build (path → inode), so that
    # a rebuild lists only what it changed: listing 13,000 folders cost ~0.3 s of CPU
    # that Pagefind needs. None: not known (list the folder).
    site_inventory: dict[str, int] | None = None
    search_inventory: dict[str, dict[str, int]] = field(default_factory=dict)   # shard → path → inode
    shard_members: dict[str, list[str]] = field(default_factory=dict)   # shard → docs paths (the last plan)
    sources: dict[str, list] = field(default_factory=dict)   # copied file → [ino, size, mtime_ns, ctime_ns, digest]
    warning: str = ""                                        # why the last build's state was not used
    new_sources: dict[str, list] = field(default_factory=dict)

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
        data, warning = None, ""
        if incremental and manifest.exists():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                    raise ValueError(f"not a pufa build state of version {STATE_VERSION}")
                state = cls(root, data["key"], data["docs"], data["shards"], data["leaks"], data["leak_key"],
                            data["pages"], data["site_inventory"], data["search_inventory"],
                            data["shard_members"], data["sources"])
                _check_types(state)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                data = None
                warning = f"ignored {manifest} ({str(exc)[:120] or type(exc).__name__}): building everything again"
        if data is None:
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True, exist_ok=True)
            return cls(root, warning=warning)
        # From here on the folders change: until a build succeeds there is no manifest.
        manifest.unlink()
        return state

    def save(self) -> None:
        from ..fsutil import atomic_write_text
        atomic_write_text(self.root / "manifest.json", json.dumps(
            {"version": STATE_VERSION, "key": self.key, "docs": self.docs, "shards": self.shards,
             "leaks": self.leaks, "leak_key": self.leak_key, "pages": self.pages,
             "site_inventory": self.site_inventory, "search_inventory": self.search_inventory,
             "shard_members": self.shard_members, "sources": self.sources},
            ensure_ascii=False, separators=(",", ":")))


def _check_types(state: BuildState) -> None:
    """A manifest that parses but holds other shapes is refused as a whole."""
    if not (isinstance(state.key, str) and isinstance(state.leak_key, str)
            and all(isinstance(v, dict) for v in (state.docs, state.shards, state.leaks, state.pages,
                                                  state.search_inventory, state.shard_members, state.sources))
            and (state.site_inventory is None or isinstance(state.site_inventory, dict))):
        raise TypeError("unexpected field types")
    for name, value in state.pages.items():
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                and isinstance(value[1], int)):
            raise TypeError(f"bad page entry {name!r}")


class PageRef(NamedTuple):
    path: str
    search: bool
    size: int                         # bytes of its Markdown


@dataclass
class DocsChange:
    nav: list[dict[str, str]]
    changed: set[str]                 # docs paths written this build
    removed: set[str]                 # docs paths gone since the last build
    added: set[str]                   # docs paths new since the last build
    pages: list[PageRef]              # every page (not its body: 13,000 bodies need not stay in memory)


def sync_docs(items: Iterable[Page | ViewPage | Asset | ViewAsset], state: BuildState, markdown, keys: ViewKeys) -> DocsChange:
    """Write each page/asset into state/docs only if its bytes differ from last time. A
    ViewPage whose key (its view, with pufa's code and templates) is the last build's
    is not even rendered: its Markdown is the one already there."""
    from markupsafe import escape
    docs = state.docs_dir
    new: dict[str, str] = {}
    nav: list[dict[str, str]] = []
    changed: set[str] = set()
    pages: list[PageRef] = []
    view_keys: dict[str, list] = {}
    docs_prefix = str(docs) + os.sep
    exists = os.path.exists          # not Path(...).exists(): 13,000 Paths cost ~0.1 s

    # Files are written by a second thread while this one renders: creating 13,000
    # files is seconds of kernel work on a disk here, and it needs no GIL.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docs-writer")
    writes: list = []
    try:
        for item in items:
            data: bytes | None = None
            if isinstance(item, (Page, ViewPage)):
                if item.in_nav:
                    nav.append({str(escape(item.title)): item.path})
            if isinstance(item, (ViewPage, ViewAsset)):
                key = keys.key(item)
                known = state.pages.get(item.path)
                if known is not None and known[0] == key and item.path in state.docs \
                        and exists(docs_prefix + item.path):
                    view_keys[item.path] = known
                    new[item.path] = state.docs[item.path]
                    if isinstance(item, ViewPage):
                        pages.append(PageRef(item.path, item.search, known[1]))
                    continue
                data = _render_one(item, markdown) if isinstance(item, ViewPage) else item.make()
                view_keys[item.path] = [key, len(data)]
                if isinstance(item, ViewPage):
                    pages.append(PageRef(item.path, item.search, len(data)))
                sig = digest(data)
            elif isinstance(item, Page):
                data = markdown(item).encode("utf-8")
                pages.append(PageRef(item.path, item.search, len(data)))
                sig = digest(data)
            elif item.source is not None:
                sig = "src:" + source_digest(item.source, state)
            else:
                data = item.data or b""
                sig = digest(data)
            new[item.path] = sig
            target = docs / item.path
            if state.docs.get(item.path) == sig and target.exists():
                continue
            writes.append(writer.submit(_write_doc, target, data, getattr(item, "source", None)))
            changed.add(item.path)
    finally:
        writer.shutdown(wait=True)
    for done in writes:
        done.result()                   # a failed write (a full disk) fails the build here
    removed = set(state.docs) - set(new)
    for path in removed:
        try:
            (docs / path).unlink()
        except FileNotFoundError:
            pass
    added = set(new) - set(state.docs)
    state.docs = new
    state.pages = view_keys
    state.sources, state.new_sources = state.new_sources, {}
    return DocsChange(nav, changed, removed, added, pages)


def source_digest(path: Path, state: BuildState) -> str:
    """A copied file (media can be gigabytes) by content: its bytes' digest, read again
    only when its stat changed. The stat includes the inode and ctime, which `cp -p` and
    `rsync -t` cannot set, so an edit that keeps size and mtime is still seen."""
    st = os.stat(path)
    stamp = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    known = state.sources.get(str(path))
    if isinstance(known, list) and known[:4] == stamp and isinstance(known[-1], str):
        state.new_sources[str(path)] = known
        return known[-1]
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    state.new_sources[str(path)] = [*stamp, h.hexdigest()]
    return h.hexdigest()


def code_digest(settings: object = None) -> str:
    """pufa's own code and templates (and the mkdocs settings pages may read): the part
    of every view page's key that is not the view."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(settings).encode("utf-8"))
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".yaml", ".yml", ".txt", ".json") and path.is_file():
            h.update(path.relative_to(_PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


_PACKAGE = Path(__file__).resolve().parent.parent        # generator/


def _write_doc(target: Path, data: bytes | None, source: Path | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.unlink()                 # never rewrite in place (docs may be hard-linked by mkdocs' copies)
    except FileNotFoundError:
        pass
    if data is None:
        shutil.copyfile(source, target)
    else:
        target.write_bytes(data)


def _render_one(item: ViewPage, markdown) -> bytes:
    page = item.make()
    if (page.path, page.title, page.in_nav, page.search) != (item.path, item.title, item.in_nav, item.search):
        raise ValueError(f"{item.path}: the rendered page does not match its ViewPage")
    return markdown(page).encode("utf-8")


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


def site_files(state: BuildState, written: Iterable[str] | None = None) -> dict[str, tuple[str, int]]:
    """mkdocs' output in the state: site path → (file, inode). `written`: when this build
    changed site/ only by (re)writing these site paths (mkdocs did not run), the last
    build's inventory is updated with them instead of listing the folder."""
    files: dict[str, tuple[str, int]] = {}
    site = str(state.site_dir)
    if written is not None and state.site_inventory is not None:
        join = os.path.join
        files = {rel: (join(site, rel), ino) for rel, ino in state.site_inventory.items()}
        for rel in written:
            try:
                files[rel] = (join(site, rel), os.lstat(join(site, rel)).st_ino)
            except FileNotFoundError:
                files.pop(rel, None)
    else:
        _scan_tree(site, "", files)
    state.site_inventory = {rel: ino for rel, (_path, ino) in files.items()}
    return files


def wanted_files(state: BuildState, site: dict[str, tuple[str, int]] | None = None,
                 indexed: Iterable[int] | None = None) -> dict[str, tuple[str, int]]:
    """Site path → (the state file it is a hard link to, its inode). `site`: mkdocs'
    part, as `site_files` found it (not listed again). `indexed`: the shards this build
    wrote; the others are taken from the last build's inventory (None: list them all)."""
    wanted: dict[str, tuple[str, int]] = dict(site) if site is not None else {}
    if site is None:
        _scan_tree(str(state.site_dir), "", wanted)
    fresh = None if indexed is None else {str(k) for k in indexed}
    inventory: dict[str, dict[str, int]] = {}
    if state.pagefind_dir.is_dir():
        for bundle in sorted(state.pagefind_dir.iterdir()):
            if bundle.is_dir() and bundle.name.isdigit():
                prefix = shard_dir_name(int(bundle.name)) + "/"
                known = state.search_inventory.get(bundle.name)
                if fresh is None or bundle.name in fresh or known is None:
                    files: dict[str, tuple[str, int]] = {}
                    _scan_tree(str(bundle), prefix, files)
                    known = {rel: ino for rel, (_path, ino) in files.items()}
                    wanted.update(files)
                else:
                    base = str(bundle) + "/"
                    cut = len(prefix)
                    wanted.update((rel, (base + rel[cut:], ino)) for rel, ino in known.items())
                inventory[bundle.name] = known
        shards = state.pagefind_dir / SHARDS_FILE
        wanted[f"pagefind/{SHARDS_FILE}"] = (str(shards), os.stat(shards).st_ino)
    state.search_inventory = inventory
    return wanted


def assemble(state: BuildState, target: Path, reuse: Path | None = None,
             wanted: dict[str, tuple[str, int]] | None = None, keep: str | None = None,
             have: dict[str, tuple[str, int]] | None = None) -> dict[str, tuple[str, int]]:
    """The publishable tree in `target`: hard links to mkdocs' output and the shards'
    bundles. With `reuse` (the tree this build's last swap retired, i.e. the previous
    site), only links whose inode differs are redone: O(changes) links instead of
    23,000 unlinks and 23,000 links. Returns what `target` holds now (site path →
    (file, inode)).

    `wanted` (default: everything) and `keep` (a path prefix left alone, e.g. the
    search index) assemble a part first (mkdocs' output, while Pagefind still runs); a
    second call completes the tree that is already in `target`; `have` is what `target` holds, when the caller knows
    (it is updated to what it holds afterwards)."""
    wanted = wanted_files(state) if wanted is None else wanted
    if have is None:
        have = {}
        if reuse is not None and reuse.is_dir():
            os.replace(reuse, target)
        if target.is_dir():
            _scan_tree(str(target), "", have)
    emptied: set[str] = set()
    for rel, (path, _ino) in list(have.items()):
        if rel not in wanted and not (keep and rel.startswith(keep)):
            os.unlink(path)
            emptied.add(os.path.dirname(path))
            del have[rel]
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
        have[rel] = (out, ino)
    return have


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


def leak_todo(state: BuildState, site: Path, wanted: dict[str, tuple[str, int]],
              written: Callable[[str], bool] | None = None) -> tuple[list[Path], dict[str, list[int]]]:
    """Files the leak gate must read: those not scanned clean before, and each file's
    stamp [inode, size, mtime_ns].

    `written(rel)` tells which files this build may have written (None: any). A file it
    did not write is the same file when its inode is the one it passed with: nothing in
    the state is rewritten in place, and a file still linked keeps its inode. A written
    file is compared by size and mtime too, because a new file can be given the inode
    number of one just unlinked (when nothing else linked it, e.g. site/ was deleted)."""
    todo: list[Path] = []
    stamps: dict[str, list[int]] = {}
    for rel, (source, ino) in wanted.items():
        old = state.leaks.get(rel)
        if old is not None and old[0] == ino and written is not None and not written(rel):
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
