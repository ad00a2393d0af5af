"""Writes that never leave a half-written file or a half-swapped directory behind."""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            # write()/fsync() on a full disk name no file; the user needs to know which.
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dump_json(value: Any) -> str:
    """The one JSON style pufa writes: UTF-8 Chinese, stable key order, trailing newline."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def atomic_write_json(path: str | Path, value: Any) -> None:
    atomic_write_text(path, dump_json(value))


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return result == 0


def swap_directory(new: str | Path, target: str | Path, keep_old: str | Path | None = None) -> None:
    """Put the complete directory `new` in place of `target`.

    Readers (and a crash at any instant) see either the whole old tree or the whole new
    one: on Linux the two are exchanged in one renameat2 call; elsewhere the old tree is
    moved aside first, so at worst `target` is briefly missing, never mixed.
    `keep_old`: move the old tree there (same filesystem) instead of deleting it.
    """
    new, target = Path(new), Path(target)

    def retire(old: Path) -> None:
        if keep_old is None:
            shutil.rmtree(old)
            return
        shutil.rmtree(keep_old, ignore_errors=True)
        os.replace(old, keep_old)

    if target.exists():
        if _exchange(new, target):
            retire(new)  # `new` now holds the old tree
            fsync_dir(target.parent)
            return
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
        os.replace(new, target)
        retire(old)
    else:
        os.replace(new, target)
    fsync_dir(target.parent)


def inside_project(path: str | Path, root: str | Path) -> Path:
    """`path` resolved, when it (following any link on the way) stays inside `root`;
    otherwise an InputError naming `path`. A project folder may be synced or unzipped from
    someone else's files: a link in it must not make a tool read or write elsewhere."""
    from .errors import InputError

    path = Path(path)
    resolved = path.resolve()
    if not resolved.is_relative_to(Path(root).resolve()):
        raise InputError.at(path, "链接指向项目之外，拒绝使用 / refused: a link leading outside the project",
                            hint="replace the link with the file itself")
    return resolved


def links_leading_out(root: str | Path, *folders: str | Path) -> list[Path]:
    """Every link under `folders` (not followed) whose target lies outside `root`, sorted.
    Directory entries say whether they are links without a system call, so 10,000 case
    files cost one listing."""
    base = Path(root).resolve()
    found: list[Path] = []
    pending = [Path(folder) for folder in folders]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (NotADirectoryError, FileNotFoundError):
            continue
        for entry in entries:
            if entry.is_symlink():
                if not Path(entry.path).resolve().is_relative_to(base):
                    found.append(Path(entry.path))
            elif entry.is_dir():
                pending.append(Path(entry.path))
    return sorted(found)
