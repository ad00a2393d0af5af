"""What a page depends on, as digests, so that a rebuild renders only pages whose inputs
changed (pages.LazyPage).

A page's key is the build's shared context (`context_digest`: pufa's own code and
templates, every input file besides the case records, the settings) plus the page's own
inputs (`inputs_digest` of e.g. the case and its related cases). Anything shared
changing renders every page again, as a clean build would; one case changing renders
its page, the pages that show its card, and the listings it is on.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from ..config import ProjectConfig

_PACKAGE = Path(__file__).resolve().parent.parent        # generator/


def inputs_digest(*parts: object) -> str:
    # One string, one update: 13,000 pages × a dozen parts is on every rebuild's path.
    text = "\0".join(part if type(part) is str else repr(part) for part in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def case_digest(case) -> str:
    """The case record's value: an edited case is a new key."""
    return hashlib.blake2b(pickle.dumps(case, protocol=5), digest_size=16).hexdigest()


def context_digest(config: ProjectConfig, settings: object) -> str:
    """pufa's code and templates, and every input file the pages may show besides the
    case records (laws, lists, transcripts, media, mkdocs.yml), by path, size and mtime."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((config, settings)).encode("utf-8"))
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".yaml", ".yml", ".txt", ".json") and path.is_file():
            h.update(path.relative_to(_PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    for root in (config.data_dir, config.transcripts_dir, config.media_dir):
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    if config.mkdocs_file.is_file():
        h.update(config.mkdocs_file.read_bytes())
    return h.hexdigest()
