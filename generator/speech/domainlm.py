"""What the bureau's own texts know about its language: a character n-gram model and a lexicon.

Whisper base writes homophones of domain words (机架器 for 计价器, 聚在 for 拒载). Which of
two same-sounding texts is meant is decided by context, and the bureau already holds a
lot of context in writing: the law texts, the discretion list, the cases, the episodes,
the lessons and the glossary. From those (never from any recording's transcript) we build

- `CharLM`: a character 4-gram model with stupid backoff, plus general Chinese from
  jieba's dictionary as background so ordinary words are not "corrected" into legal ones;
- `domain_lexicon`: the words of those texts (jieba-segmented, said at least twice), the
  candidates the pinyin corrector may restore.

The corrector proposes pinyin-similar replacements; the model accepts one only where it
makes the sentence clearly more likely (see `glossary.Corrector`).

`exclude` drops every text line that shares a long stretch with a given text: the bench
uses it for leave-one-out (a clip's own script must not leak into the model that corrects it).
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
PACKAGE_DATA = Path(__file__).resolve().parent.parent.parent / "data"
BUNDLED_LAWS = Path(__file__).resolve().parent.parent / "data" / "laws"     # generator/data/laws
BACKGROUND_MIN_FREQ = 50      # jieba words at least this common form the general background
DOMAIN_WEIGHT = 3             # a domain text line counts this many times a background word
LEXICON_MIN_COUNT = 2
# Enough text to know the bureau's language; a project with 10 000 cases would otherwise
# make a model of hundreds of MB and a first build of minutes.
MAX_DOMAIN_CHARS = 3_000_000


def _text_files(root: Path) -> list[Path]:
    files: list[Path] = []
    laws = root / "data" / "laws"
    own = sorted(laws.glob("*.md")) if laws.is_dir() else []
    # The law texts pufa ships (package data) are every bureau's too; a project's own
    # file of the same name overrides its shipped text.
    files += own + sorted(p for p in BUNDLED_LAWS.glob("*.md")
                          if p.name not in {o.name for o in own} and p.name not in ("SOURCES.md", "README.md"))
    for name in ("discretion.yaml", "episodes.yaml", "lessons.yaml", "glossary.yaml"):
        if (root / "data" / name).is_file():
            files.append(root / "data" / name)
    cases = root / "cases_public"
    if cases.is_dir():
        files += sorted(cases.glob("*.yaml"))
    return files


def domain_lines(project_root: Path | None = None,
                 exclude: Callable[[str], bool] | None = None) -> list[str]:
    """Lines of Chinese text from the package's data and the project's records."""
    roots = [PACKAGE_DATA.parent]
    if project_root is not None and project_root.resolve() != PACKAGE_DATA.parent:
        roots.append(project_root)
    seen: set[Path] = set()
    lines: list[str] = []
    budget = MAX_DOMAIN_CHARS
    for root in roots:
        for path in _text_files(root):
            if budget <= 0:
                break
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue   # a broken record is the build's to report, not transcription's
            for line in text.splitlines():
                if _CJK_RUN.search(line) and (exclude is None or not exclude(line)):
                    lines.append(line)
                    budget -= len(line)
    return lines


def shares_stretch_with(text: str, length: int = 10) -> Callable[[str], bool]:
    """A predicate: does a line share `length` consecutive Chinese characters with `text`?"""
    grams = {run[k:k + length] for run in _CJK_RUN.findall(text) for k in range(len(run) - length + 1)}

    def test(line: str) -> bool:
        return any(run[k:k + length] in grams for run in _CJK_RUN.findall(line)
                   for k in range(len(run) - length + 1))

    return test


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@dataclass
class CharLM:
    """Character n-gram counts with stupid backoff (Brants et al. 2007): cheap and robust."""

    counts: Counter
    total: int
    order: int = 4
    backoff: float = 0.4

    @classmethod
    def build(cls, runs: Iterable[tuple[str, int]], order: int = 4) -> "CharLM":
        counts: Counter = Counter()
        total = 0
        for run, weight in runs:
            text = "^" + run + "$"
            for n in range(1, order + 1):
                for k in range(len(text) - n + 1):
                    counts[text[k:k + n]] += weight
            total += weight * len(text)
        return cls(counts, total, order)

    def _logprob(self, context: str, char: str) -> float:
        factor = 0.0
        for start in range(max(0, len(context) - self.order + 1), len(context) + 1):
            ctx = context[start:]
            if not ctx:
                break
            joint = self.counts.get(ctx + char, 0)
            if joint:
                return factor + math.log10(joint / self.counts[ctx])
            factor += math.log10(self.backoff)
        unigram = self.counts.get(char, 0)
        return factor + math.log10((unigram + 0.5) / (self.total + 10000))

    def score(self, text: str, bos: bool = True, eos: bool = True) -> float:
        """log10 probability of a run of Chinese characters."""
        text = ("^" if bos else "") + text + ("$" if eos else "")
        first = 1 if bos else 0
        return sum(self._logprob(text[max(0, k - self.order + 1):k], text[k]) for k in range(first, len(text)))


@dataclass
class DomainModel:
    lm: CharLM
    lexicon: dict[str, int]        # domain words → how often they are said in the texts


def build_domain_model(project_root: Path | None = None,
                       exclude: Callable[[str], bool] | None = None) -> DomainModel:
    jieba = _jieba()
    runs: list[tuple[str, int]] = []
    lexicon: Counter = Counter()
    for line in domain_lines(project_root, exclude):
        for run in _CJK_RUN.findall(line):
            runs.append((run, DOMAIN_WEIGHT))
            for word in jieba.cut(run, HMM=False):
                if 2 <= len(word) <= 8:
                    lexicon[word] += 1
    for word, freq in jieba.dt.FREQ.items():
        if freq >= BACKGROUND_MIN_FREQ and _CJK_RUN.fullmatch(word):
            runs.append((word, 1))
    words = {w: n for w, n in lexicon.items() if n >= LEXICON_MIN_COUNT}
    return DomainModel(CharLM.build(runs), words)


MODEL_VERSION = 1   # bump when the way the model is built changes: old cached copies are ignored


def _fingerprint(project_root: Path | None) -> str:
    import hashlib

    import jieba

    digest = hashlib.sha256(f"{MODEL_VERSION}|{jieba.__version__}|{BACKGROUND_MIN_FREQ}|{DOMAIN_WEIGHT}".encode())
    roots = [PACKAGE_DATA.parent] + ([project_root] if project_root is not None else [])
    for root in roots:
        for path in _text_files(root):
            try:
                stat = path.stat()   # size and time, not content: 10 000 case files stay quick
            except OSError:
                continue
            digest.update(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:16]


def load_domain_model(project_root: Path | None = None) -> DomainModel:
    """`build_domain_model`, kept in `$PUFA_CACHE_DIR/domainlm/` until the texts change.

    Building takes a few seconds (jieba over ~100 000 characters); a 15-second clip should
    not pay that every time. The cache is keyed by the texts' content, so an edited case or
    a new law is picked up on the next run.
    """
    import os
    import pickle
    import tempfile

    from .model import cache_dir

    folder = cache_dir() / "domainlm"
    path = folder / f"{_fingerprint(project_root)}.pickle"
    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)
        if isinstance(model, DomainModel):
            _jieba()   # the corrector's real-word guard needs jieba's dictionary loaded
            return model
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    model = build_domain_model(project_root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass   # a read-only cache only costs time
    return model
