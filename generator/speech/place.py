"""Recordings into the project: `pufa transcribe` of a file on a USB disk or in Downloads
copies it (or, with --link, hard-links it) into the project's media folder, so the
transcript's meta.yaml names a file the build can publish.

Content-addressed: the copy is named by the SHA-256 of its bytes, so the same recording
transcribed twice (or under two names) is stored once. A copy goes to a temporary file
beside its final name, is fsynced and renamed: a full disk or a refused write leaves
nothing half-copied.
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import PufaError
from ..fsutil import fsync_dir

CHUNK = 4 << 20
HASH_CHARS = 16                 # 64 bits of SHA-256: no two recordings of a bureau collide


class PlaceError(PufaError):
    """The recording could not be copied into the project."""

    exit_code = 1


def inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def media_folder(root: Path, into: Path) -> Path | None:
    """The project's media folder (pufa.yml may move it); None when the transcripts go
    to no project's folder (then nothing is copied: there is no project to build)."""
    if not (root / "mkdocs.yml").exists() or not inside(into, root):
        return None
    from ..config import load_config
    return load_config(root).media_dir


def place_media(media: Path, root: Path, into: Path, link: bool = False) -> Path:
    """Where the project keeps this recording: media already inside the project (or no
    project at all) stays where it is; media outside is copied or hard-linked into the
    project's media folder as <sha256>.<ext>, once. `root` is the project that the
    transcripts folder `into` belongs to."""
    folder = media_folder(root, into)
    if folder is None or inside(media, root):
        return media
    suffix = media.suffix.lower()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if link:
            digest = _digest(media)
            target = _stored(folder, digest, media.stat().st_size) or folder / f"{digest}{suffix}"
            if not target.exists():
                _link(media, target)
            return target
        size = media.stat().st_size
        free = shutil.disk_usage(folder).free
        if size > free:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
        return _copy(media, folder, suffix)
    except OSError as exc:
        raise PlaceError(_explain(media, folder, exc, link)) from None


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()[:HASH_CHARS]


def _stored(folder: Path, digest: str, size: int) -> Path | None:
    """A file in the media folder with this content already: by its hash name, or (put
    there by hand, e.g. media/demo.mp4) by its size and then its hash."""
    named = sorted(folder.glob(f"{digest}.*"))
    if named:
        return named[0]
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.stat().st_size == size \
                and _digest(path) == digest:
            return path
    return None


def _copy(media: Path, folder: Path, suffix: str) -> Path:
    """Copy while hashing (the recording is read once), then rename to its hash name."""
    fd, tmp = tempfile.mkstemp(prefix=".copy-", suffix=".partial", dir=folder)
    try:
        sha = hashlib.sha256()
        with media.open("rb") as source, os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                sha.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        digest = sha.hexdigest()[:HASH_CHARS]
        target = _stored(folder, digest, os.stat(tmp).st_size) or folder / f"{digest}{suffix}"
        if target.exists():
            os.unlink(tmp)          # stored before: keep the one copy
        else:
            os.replace(tmp, target)
            fsync_dir(folder)
        return target
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _link(media: Path, target: Path) -> None:
    tmp = target.with_name(f".link-{os.getpid()}-{target.name}")
    try:
        os.link(media, tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _explain(media: Path, folder: Path, exc: OSError, link: bool) -> str:
    """One line: which file, why, and what to do."""
    what = "硬链接" if link else "复制"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        size = media.stat().st_size / 1e6 if media.exists() else 0
        hint = (f"磁盘空间不足 / not enough space in {folder} for {size:.0f} MB: free some space and run "
                "again" + ("" if link else ", or use --link when the recording is on the project's disk"))
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = (f"没有写入权限 / no permission to write in {folder}: check the folder's owner and "
                "permissions, or run as a user who may write there")
        if link and exc.errno == errno.EPERM:
            hint = "this disk does not allow hard links: run again without --link to copy the recording"
    elif exc.errno == errno.EXDEV:
        hint = ("硬链接只能在同一块磁盘上 / a hard link works only on the same disk: run again without "
                "--link to copy the recording")
    else:
        hint = f"{exc.strerror or exc}: check {folder} and run again"
    return (f"{media}: 无法{what}到项目的媒体文件夹 / cannot {'link' if link else 'copy'} the recording into "
            f"{folder} (nothing was left there): {hint}")
