"""`pufa build`: one function that reads top to bottom.

    load + validate every input (model) → generate every page (sections) → write the
    changed ones as Markdown → mkdocs (changed pages only) → Pagefind (changed shards
    only) → leak gate (files not passed before) → swap the finished site into
    `<project>/site/`.

What the last build did is kept in `<cache_dir>/state/` (incremental.py); a clean build
and an incremental one publish the same site. Nothing is written to `site/` until every
step passed; on any failure the previous site stays byte-identical and the temporary
folder is removed.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from markupsafe import escape

try:
    import fcntl
except ImportError:                     # Windows: stale trees then go by age alone
    fcntl = None  # type: ignore[assignment]

from ..config import ProjectConfig, load_config
from ..errors import BuildError, InputError, LeakError
from ..fsutil import swap_directory
from ..review.approvals import approved, pending_line
from .incremental import (BuildState, assemble, code_digest, leak_key, leak_todo, mkdocs_key, prepare_dirty,
                          site_files, sync_docs, wanted_files)
from .leakgate import check_site
from .lifecycle import apply_to_model
from .model import SiteModel, load_model
from .pages import Asset, Page, ViewKeys, ViewPage, page_url
from .render import SlugMemo
from .replay import replay, save_shells
from .session import Build
from .shards import SHARDS_FILE, ShardJob, output_path, plan_shards, scratch_dir, shard_dir_name
from .transcripts import unreviewed_report

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
OVERRIDES = HERE / "overrides"
ASSET_PREFIX = "assets/pufa"          # where our CSS/JS/images land in the site
SHARE_IMAGE = f"{ASSET_PREFIX}/img/share.png"


__all__ = ["BuildError", "BuildReport", "build_site"]     # BuildError lives in generator/errors.py


@dataclass
class BuildReport:
    site_dir: Path
    pages: int = 0
    assets: int = 0
    files: int = 0
    bytes: int = 0
    largest: tuple[str, int] = ("", 0)
    rendered: int = 0           # pages and assets whose output changed (all of them in a clean build)
    shards_rebuilt: int = 0     # search shards re-indexed
    scanned: int = 0            # files the leak gate read (the others were scanned clean before)
    mkdocs_skipped: bool = False  # the changed pages were written from page shells (replay.py)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # printed as they are: lifecycle state changes, 'note: …' for staff

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())

    def summary(self) -> str:
        steps = ", ".join(f"{name} {sec:.1f}s" for name, sec in self.timings.items())
        lines = [f"built {self.pages} pages into {self.site_dir} in {self.seconds:.1f}s ({steps})",
                 f"{self.files} files, {self.bytes / 1e6:.1f} MB; largest {self.largest[0]} "
                 f"({self.largest[1] / 1e3:.0f} KB); leak gate: clean",
                 f"changed: {self.rendered} pages/assets, {self.shards_rebuilt} search shard(s) re-indexed, "
                 f"{self.scanned} files scanned by the leak gate"
                 + ("; pages written from their theme shells (mkdocs not needed)" if self.mkdocs_skipped else "")]
        lines += [f"warning: {w}" for w in self.warnings]
        lines += self.notes
        return "\n".join(lines)


class _Timer:
    def __init__(self, report: BuildReport, progress: bool):
        self.report, self.progress = report, progress

    def step(self, name: str):
        timer = self

        class _Step:
            def __enter__(self):
                if timer.progress:
                    print(f"pufa build: {name}…", flush=True)
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.report.timings[name] = time.perf_counter() - self.start
        return _Step()


def build_site(project: Path, progress: bool = True, incremental: bool = True, strict: bool = False,
               as_of=None) -> BuildReport:
    """Build the site. With `incremental` (the default) the last build's work in
    `<cache_dir>/state/` is reused: only pages whose Markdown changed go through mkdocs,
    only search shards holding a changed page are re-indexed, and only files not scanned
    clean before go through the leak gate. The result is the same site a clean build
    makes (tests/test_incremental.py)."""
    config = load_config(project)
    # One Build object holds this build's memos and the mkdocs hooks' state; it is
    # dropped when the build ends, so nothing of it stays in the process (session.py).
    with Build.open(), SlugMemo(config.cache_dir / "slugs.json"):
        return _build(config, project, progress, incremental, strict, as_of)


def _build(config: ProjectConfig, project: Path, progress: bool, incremental: bool,
           strict: bool = False, as_of=None) -> BuildReport:
    report = BuildReport(config.site_dir)
    timer = _Timer(report, progress)
    with timer.step("load"):
        model = load_model(config)
        # Only cases whose current content staff approved are published (pufa review),
        # then only those the publicity rules still allow (lifecycle.py).
        published, pending = approved(model.cases, config.cases_dir)
        model = dataclasses.replace(model, cases=published) if pending else model
        report.warnings += [pending_line(pending)] if pending else []
        model, lifecycle = apply_to_model(model, as_of)     # publicity, withdrawals, corrections
    report.notes += lifecycle.notes
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_work(config.cache_dir, "build-*")
    # Same filesystem as site/, so the final swap is one rename.
    work = Path(tempfile.mkdtemp(prefix="build-", dir=config.cache_dir))
    lock: int | None = None
    scratch: Path | None = None
    scratch_lock: int | None = None
    state_lock: int | None = None
    search: ShardJob | None = None
    try:
        lock = _hold(work)
        # Pages for Pagefind go to memory where there is some (/dev/shm); a killed
        # build's leftovers there are found by their lock like those in the cache.
        scratch_root = scratch_dir(fallback=work)
        if scratch_root != work:
            _remove_stale_work(scratch_root, f"{SCRATCH_PREFIX}*")
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_root))
        scratch_lock = _hold(scratch)
        state_lock = _hold_file(config.cache_dir / "state.lock")     # one build at a time uses the state
        state = BuildState.open(config.cache_dir, incremental)
        report.warnings += model.warnings + ([state.warning] if state.warning else [])
        retired = state.root / "retired-site"        # the site before the last swap
        with timer.step("pages"):
            from .sections.laws import cited_without_text, law_warnings
            report.warnings += law_warnings(model, strict)      # unknown laws; --strict stops here
            report.notes += [f"note: {n}" for n in cited_without_text(model)]
            items = collect(model)
            report.warnings += unreviewed_report(model.transcripts)   # flags hidden until staff decide
            change = sync_docs(items, state, page_markdown, ViewKeys(code_digest(model.settings), model.known_values))
            report.pages = len(change.pages)
            report.assets = len(items) - report.pages
            report.rendered = len(change.changed)
            del items                   # the pages' bodies are on disk now
            # Pagefind indexes the generated pages on the other cores while mkdocs renders.
            plan = plan_shards([(p.path, p.search) for p in change.pages], state.docs,
                               {p.path: p.size for p in change.pages}, state.shards, state.pagefind_dir)
            state.shards = {k: v for k, v in state.shards.items() if k in plan.signatures and int(k) not in plan.todo}
            state.shard_members = {str(k): paths for k, paths in plan.members.items()}
            search = ShardJob(plan, state.docs_dir, state.pagefind_dir, model.settings.site_name,
                              pagefind_executable(), scratch).start()
        with timer.step("mkdocs"):
            derived = write_mkdocs_config(config, model, state.root, change.nav)
            key = mkdocs_key(derived, [config.mkdocs_file, HERE / "mkdocs_hooks.py",
                                       *(p for p in OVERRIDES.rglob("*") if p.is_file())])
            dirty = key == state.key and state.site_dir.is_dir()
            site_url = model.settings.site_url or None
            nav_urls = {page_url(path) for entry in change.nav for path in entry.values()}
            if dirty and not change.removed and not change.added and \
                    replay(state, change.changed, nav_urls, key, site_url):
                report.mkdocs_skipped = True
                search.wait_written()       # nothing else ran beside it; see ShardJob.wait_written
            else:
                if dirty:
                    prepare_dirty(state, change)
                shells = run_mkdocs(derived, report, dirty=dirty)
                save_shells(state.root, key, site_url, shells, merge=dirty)
            state.key = key
        hosts = _own_hosts(model)
        verdict_key = leak_key(config.root, hosts)
        if verdict_key != state.leak_key:
            state.leaks, state.leak_key = {}, verdict_key
        with timer.step("leak gate (pages)"):
            # mkdocs' output is checked while Pagefind is still indexing (the same files,
            # hard-linked, become the site), and linked into the new tree meanwhile
            # (disk work beside the gate's reading and scanning).
            written = None
            if report.mkdocs_skipped:       # only the replayed pages changed in site/
                written = [output_path(path) for path in change.changed]
            pages = site_files(state, written)
            replayed = set(written or ())
            wrote = (lambda rel: rel in replayed) if written is not None else (lambda rel: True)
            pages_todo, _ = leak_todo(state, state.site_dir, pages, wrote)
            with ThreadPoolExecutor(max_workers=1) as linker:
                linked = linker.submit(assemble, state, work / "site", retired if incremental else None, pages, "pagefind/")
                first = check_site(state.site_dir, project_root=config.root, allowed_hosts=hosts, files=pages_todo)
                tree = linked.result()
        with timer.step("search"):          # what is left of it by now
            state.shards = search.wait(progress)
            report.shards_rebuilt = len(plan.todo)
        with timer.step("leak gate"):
            wanted = wanted_files(state, pages, indexed=plan.todo)
            assemble(state, work / "site", wanted=wanted, have=tree)
            refused = {f.file for f in first.findings}
            checked = {path.relative_to(state.site_dir).as_posix() for path in pages_todo}
            indexed = reindexed(plan.todo)
            todo, stamps = leak_todo(state, work / "site", wanted,
                                     lambda rel: indexed(rel) if rel.startswith("pagefind/") else wrote(rel))
            todo = [path for path in todo if path.relative_to(work / "site").as_posix() not in checked]
            report.scanned = len(pages_todo) + len(todo)
            leaks = check_site(work / "site", project_root=config.root, allowed_hosts=hosts, files=todo)
            leaks.findings[:0] = first.findings
            leaks.files += first.files
            refused |= {f.file for f in leaks.findings}
            state.leaks = {rel: stamp for rel, stamp in stamps.items() if rel not in refused}
            state.save()            # the state is good even when the gate refuses the site
            if not leaks.ok:
                raise LeakError("the built site was NOT published (site/ is unchanged):\n" + leaks.summary())
        _measure(stamps, report)
        if strict and report.warnings:
            raise BuildError("the built site was NOT published (site/ is unchanged): --strict makes these "
                             "warnings errors:\n" + "\n".join(report.warnings))
        # The old site is kept (not deleted) for the next build to update in place.
        swap_directory(work / "site", config.site_dir, keep_old=retired)
        lifecycle.commit()              # publication.json follows the site that is live
    except OSError as exc:
        if exc.filename is None:
            # A write inside mkdocs or a library (a full disk) names no file: name the tree.
            raise OSError(exc.errno, exc.strerror, str(work)) from exc
        raise
    finally:
        if search is not None:
            search.close()
        shutil.rmtree(work, ignore_errors=True)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        for fd in (lock, scratch_lock, state_lock):
            if fd is not None:
                os.close(fd)
    return report


def reindexed(shards: list[int]) -> Callable[[str], bool]:
    """Whether a site path is in one of these (re-indexed) shards' bundles, or the shard list."""
    others = tuple(shard_dir_name(k) + "/" for k in shards if k != 0)
    primary = 0 in shards

    def written(rel: str) -> bool:
        if rel.startswith(others) or rel == f"pagefind/{SHARDS_FILE}":
            return True
        return primary and rel.startswith("pagefind/") and not rel.startswith("pagefind/shard-")
    return written


def _hold_file(path: Path) -> int:
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


SCRATCH_PREFIX = f"pufa-search-{os.getuid() if hasattr(os, 'getuid') else 0}-"
STALE_AFTER_S = 6 * 3600
UNLOCKED_AFTER_S = 600
LOCK_NAME = ".building"


def _hold(work: Path) -> int:
    """Lock the work folder for as long as this process lives: the kernel drops the lock
    when the build ends, however it ends (SIGKILL included), so the next build can tell
    a dead build's tree from a running one's."""
    fd = os.open(work / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _remove_stale_work(folder: Path, pattern: str) -> None:
    """Temporary trees of builds that were killed (a finished build removes its own).
    A tree whose lock nobody holds is dead; one without a lock file is either just being
    made or from an older pufa, so only an old one goes."""
    now = time.time()
    for old in folder.glob(pattern):
        try:
            fd = os.open(old / LOCK_NAME, os.O_RDWR)
        except FileNotFoundError:
            try:
                if now - old.stat().st_mtime > UNLOCKED_AFTER_S:
                    shutil.rmtree(old, ignore_errors=True)
            except FileNotFoundError:
                pass
            continue
        try:
            if fcntl is None:
                dead = now - os.fstat(fd).st_mtime > STALE_AFTER_S
            else:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    dead = True
                except BlockingIOError:
                    dead = False            # a build running beside this one
            if dead:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            os.close(fd)


def collect(model: SiteModel) -> list[Page | ViewPage | Asset]:
    """Every page and asset of every section; a path produced twice is a bug we refuse."""
    from .sections import SECTIONS
    items: list[Page | ViewPage | Asset] = []
    seen: dict[str, str] = {}
    for section in SECTIONS:
        name = section.__name__.rsplit(".", 1)[-1]
        for item in section.pages(model):
            if item.path in seen:
                raise BuildError(f"two writers for {item.path}: sections '{seen[item.path]}' and '{name}'")
            seen[item.path] = name
            items.append(item)
    for folder in ("css", "js", "img"):
        for path in sorted((ASSETS / folder).glob("*")):
            if path.is_file():
                target = f"{ASSET_PREFIX}/{folder}/{path.name}"
                if target in seen:
                    raise BuildError(f"two writers for {target}")
                seen[target] = "assets"
                items.append(Asset(target, source=path))
    return items


def page_markdown(page: Page) -> str:
    """Front matter + one raw-HTML block. Titles/descriptions are stored HTML-escaped
    because Material prints page.meta values without escaping; our override prints them
    as they are."""
    meta = {"title": str(escape(page.title)), "description": str(escape(page.description)), "pufa": True,
            **page.meta}
    head = "\n".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items())
    attrs = ' data-pagefind-body' if page.search else ''
    filters = "".join(
        f'<span data-pagefind-filter="{escape(name)}:{escape(value)}"></span>'
        for name, values in sorted(page.filters.items()) for value in values
        if "," not in value) if page.search else ""
    # The body bypasses Markdown (mkdocs_hooks.py); blank lines are dropped anyway so the
    # file is still one raw-HTML block if it is ever rendered without the hook.
    body = "\n".join(line for line in page.body.splitlines() if line.strip())
    return f"---\n{head}\n---\n\n<div class=\"pufa-page\"{attrs}>{filters}\n{body}\n</div>\n"


def write_mkdocs_config(config: ProjectConfig, model: SiteModel, work: Path, nav: list) -> Path:
    """The user's mkdocs.yml stays thin; this derived file inherits it (mkdocs INHERIT)
    and fills in what the build decides."""
    overrides = work / "overrides"
    shutil.rmtree(overrides, ignore_errors=True)
    shutil.copytree(OVERRIDES, overrides)
    docs = work / "docs"
    css = sorted(p.relative_to(docs).as_posix() for p in (docs / ASSET_PREFIX / "css").glob("*.css"))
    # print.css is linked with media="print" by the theme override (main.html): a screen
    # does not wait for it before the first paint (Lighthouse: render-blocking resources).
    print_css = f"{ASSET_PREFIX}/css/print.css"
    screen_css = [path for path in css if path != print_css]
    js = sorted(p.relative_to(docs).as_posix() for p in (docs / ASSET_PREFIX / "js").glob("*.js"))
    derived = {
        "INHERIT": str(config.mkdocs_file),
        "site_name": model.settings.site_name,
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": True,
        "nav": nav,
        "not_in_nav": "*",
        "theme": {"name": "material", "custom_dir": "overrides", "font": False,
                  "language": "zh", "favicon": f"{ASSET_PREFIX}/img/favicon.png"},
        "plugins": [],                      # Material's search is replaced by Pagefind
        "hooks": [str(HERE / "mkdocs_hooks.py")],
        "extra_css": screen_css,
        "extra_javascript": js,
        "extra": {"generator": False, "pufa_share_image": SHARE_IMAGE,
                  "pufa_print_css": print_css if print_css in css else None},
        "validation": {"nav": {"omitted_files": "ignore", "not_found": "warn", "absolute_links": "ignore"},
                       "links": {"not_found": "ignore", "absolute_links": "ignore",
                                 "unrecognized_links": "ignore", "anchors": "ignore"}},
    }
    path = work / "mkdocs.yml"
    path.write_text(json.dumps(derived, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config_file: Path, report: BuildReport, dirty: bool = False) -> dict:
    """Run mkdocs; returns the page shells it proved (mkdocs_hooks.portable_shells)."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs_config

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False            # mkdocs' own chatter stays out of our output
    try:
        try:
            cfg = load_mkdocs_config(config_file=str(config_file))
        except exceptions.ConfigurationError as exc:
            raise InputError.at("mkdocs.yml", f"invalid mkdocs configuration: {exc}") from None
        try:
            build(cfg, dirty=dirty)
        except exceptions.MkDocsException as exc:
            raise BuildError(f"mkdocs build failed: {exc}") from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
    # mkdocs warns that a dirty build may get the nav wrong: ours only rebuilds pages when
    # nothing but their own Markdown changed (the nav is part of the state's key).
    report.warnings.extend(m for m in handler.messages if "'dirty' build" not in m)
    shells: dict = {}
    for name, hooks in cfg.hooks.items():
        if hasattr(hooks, "portable_shells"):
            shells.update(hooks.portable_shells())
        sys.modules.pop(name, None)         # mkdocs loads the hooks afresh for each build
    return shells


def pagefind_executable() -> str:
    """The extended Pagefind binary (it segments Chinese text)."""
    from pagefind_bin_extended import get_executable
    return str(get_executable())


def _own_hosts(model: SiteModel) -> tuple[str, ...]:
    from urllib.parse import urlsplit
    host = urlsplit(model.settings.site_url).hostname if model.settings.site_url else None
    return (host,) if host else ()


def _measure(stamps: dict[str, list[int]], report: BuildReport) -> None:
    """Files, bytes and the largest file, from the leak gate's stamps [inode, size, …]."""
    for rel, stamp in stamps.items():
        report.files += 1
        report.bytes += stamp[1]
        if stamp[1] > report.largest[1]:
            report.largest = (rel, stamp[1])
