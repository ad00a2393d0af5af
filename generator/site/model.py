"""Everything a build needs, loaded and cross-checked once, before any page is written.

`load_model(config)` reads every input, checks every cross-reference that involves cases
and laws, and raises a single InputError listing all problems (file:line: field: …).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from ..config import ProjectConfig
from ..errors import InputError, ProblemCollector
from ..records.case import Case
from ..records.content import DiscretionItem, Episode, Lesson, load_discretion, load_episodes, load_lessons
from ..records.law import LegalBasis
from ..records.transcript import (Annotations, Transcript, TranscriptMeta, load_annotations, load_meta,
                                  load_transcript)
from ..yamlio import LineMap, load_yaml
from .casecache import load_cases_cached
from .content import check_content
from .lawbook import Law, LawBook, load_lawbook


@dataclass
class TranscriptFolder:
    """One `transcripts/<id>/` folder. The metadata is read (and validated) at load; the
    transcript and annotations are read on first use, so 200 three-hour transcripts do
    not sit in memory when no page needs them."""

    id: str
    path: Path
    meta: TranscriptMeta

    @cached_property
    def transcript(self) -> Transcript:
        return load_transcript(self.path / "transcript.json")

    @cached_property
    def annotations(self) -> Annotations:
        return load_annotations(self.path / "annotations.json")

    @property
    def has_transcript(self) -> bool:
        return (self.path / "transcript.json").exists()


@dataclass(frozen=True)
class StreamRef:
    """A transcript folder as other pages link to it: its id and metadata, never its
    transcript (a view holds this, not the folder)."""

    id: str
    meta: TranscriptMeta


@dataclass
class SiteSettings:
    """What the pages need from mkdocs.yml / pufa.yml."""

    site_name: str
    site_url: str = ""          # absolute base URL when published (for share images); '' = relative
    description: str = ""
    hotline: str = "12328"


@dataclass
class SiteModel:
    config: ProjectConfig
    cases: list[Case]                    # newest first, then by id
    laws: LawBook
    discretion: list[DiscretionItem] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    transcripts: list[TranscriptFolder] = field(default_factory=list)
    settings: SiteSettings = field(default_factory=lambda: SiteSettings("pufa"))
    warnings: list[str] = field(default_factory=list)     # e.g. a cache file that was ignored
    # Encodings of the case records as loaded, known by content (pages.ViewKeys): a case
    # is the bytes of its file (and its path) read by pufa's record code, which every key
    # holds already, so it need not be encoded field by field (160,000 calls at 10,000
    # cases). Keyed by the object: a case changed after loading is encoded as usual.
    known_values: dict[int, tuple[object, str]] = field(default_factory=dict)
    all_cases: list[Case] | None = None  # every record, published or not (statistics); None = `cases`
    lifecycle: object = None             # lifecycle.Outcome: notices, corrections, feed (None = not applied)

    @cached_property
    def cases_by_id(self) -> dict[str, Case]:
        return {case.id: case for case in self.cases}

    @cached_property
    def citations(self) -> dict[str, dict[str, list[Case]]]:
        """law slug → article key ('' when none) → citing cases, newest first."""
        index: dict[str, dict[str, list[Case]]] = defaultdict(lambda: defaultdict(list))
        for case in self.cases:
            seen: set[tuple[str, str]] = set()
            for basis in case.legal_basis:
                law = self.law_of(basis)
                if law is None:
                    continue
                key = (law.slug, basis.article_key or "")
                if key not in seen:
                    seen.add(key)
                    index[key[0]][key[1]].append(case)
        return {slug: dict(articles) for slug, articles in index.items()}

    def law_of(self, basis: LegalBasis) -> Law | None:
        return self.laws.find(basis.law)

    @cached_property
    def discretion_by_id(self) -> dict[str, DiscretionItem]:
        return {item.id: item for item in self.discretion}

    @cached_property
    def episodes_by_id(self) -> dict[str, Episode]:
        return {episode.id: episode for episode in self.episodes}

    @cached_property
    def transcripts_by_id(self) -> dict[str, TranscriptFolder]:
        return {folder.id: folder for folder in self.transcripts}


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for a few plain keys; mkdocs' own tags (!ENV, !!python/name:…)
    become None here (mkdocs itself resolves them during the build)."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _settings(config: ProjectConfig) -> SiteSettings:
    """site_name / site_url / site_description from mkdocs.yml."""
    data = {}
    if config.mkdocs_file.exists():
        try:
            data = yaml.load(config.mkdocs_file.read_text(encoding="utf-8-sig"), Loader=_LenientLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise InputError.at(config.mkdocs_file, f"YAML syntax error: {exc.problem or exc}",
                                line=mark.line + 1 if mark else None) from None
        except UnicodeDecodeError:
            raise InputError.at(config.mkdocs_file, "file is not UTF-8", hint="save it as UTF-8") from None
    data = data if isinstance(data, dict) else {}
    return SiteSettings(
        site_name=str(data.get("site_name") or config.site_name),
        site_url=str(data.get("site_url") or ""),
        description=str(data.get("site_description") or ""),
        hotline=config.hotline,
    )


PENDING_SAVE_FILE = ".pending-save.json"   # written by the annotation tool's two-file save


def load_transcripts(directory: Path, problems: ProblemCollector) -> list[TranscriptFolder]:
    folders: list[TranscriptFolder] = []
    if not directory.is_dir():
        return folders
    for meta_path in sorted(directory.glob("*/meta.yaml")):
        try:
            meta = load_meta(meta_path)
        except InputError as exc:
            problems.extend(exc)
            continue
        if meta.id != meta_path.parent.name:
            data, lines = load_yaml(meta_path)
            problems.add(meta_path, f"id '{meta.id}' differs from the folder name '{meta_path.parent.name}'",
                         line=lines("id"), field="id", hint="rename the folder or fix the id")
            continue
        pending = meta_path.parent / PENDING_SAVE_FILE
        if pending.exists():
            # The annotation tool was stopped between writing transcript.json and
            # annotations.json: publishing now could pair text with stale redaction offsets.
            problems.add(pending, "an annotation save was interrupted and is not finished",
                         hint="open 'pufa annotate' once (it completes or discards the save), then build again")
            continue
        folders.append(TranscriptFolder(meta.id, meta_path.parent, meta))
    return folders


class _CaseLines:
    """Line numbers of a case file's fields, read only when a problem needs them."""

    def __init__(self) -> None:
        self._cache: dict[str, LineMap] = {}

    def __call__(self, case: Case, path: str) -> int | None:
        if case.source_file not in self._cache:
            try:
                self._cache[case.source_file] = load_yaml(case.source_file)[1]
            except InputError:
                self._cache[case.source_file] = LineMap()
        return self._cache[case.source_file](path)


def _check_basis(basis: tuple[LegalBasis, ...], laws: LawBook, report, prefix: str, warn=None) -> None:
    """Each cited article must exist where we have the law's text. A law no catalog knows
    is published as a citation without text (LawBook.cite), with a warning."""
    for index, citation in enumerate(basis):
        law = laws.find(citation.law)
        where = f"{prefix}[{index}]"
        if law is None or law.cited_only:
            closest = laws.closest(citation.law)
            laws.cite(citation.law)
            (warn or report)(f"{where}.law", f"unknown law 《{citation.law}》: published as a citation, "
                             "its text is not included"
                             + (f"; closest known: {'、'.join(f'《{t}》' for t in closest)}" if closest else ""),
                             "check the title, or add the law to data/laws/catalog.yaml (its text to data/laws/)")
        elif law.text is not None and citation.article_key and citation.article_key not in law.text.articles:
            report(f"{where}.article", f"《{law.title}》 has no {citation.article}",
                   f"the text in {Path(law.text.slug).name}.md has {len(law.text.articles)} articles")


def check_references(model: SiteModel, problems: ProblemCollector) -> None:
    """Cross-references of cases (and other records' law citations)."""
    lines = _CaseLines()
    known_episodes = set(model.episodes_by_id)
    known_transcripts = set(model.transcripts_by_id)
    known_items = set(model.discretion_by_id)
    warnings = ProblemCollector()
    for case in model.cases:
        def report(path: str, message: str, hint: str | None = None, case: Case = case) -> None:
            problems.add(case.source_file, message, line=lines(case, path), field=path, hint=hint)

        def warn(path: str, message: str, hint: str | None = None, case: Case = case) -> None:
            warnings.add(case.source_file, message, line=lines(case, path), field=path, hint=hint)

        _check_basis(case.legal_basis, model.laws, report, "legal_basis", warn)
        if case.discretion_item and case.discretion_item not in known_items:
            report("discretion_item", f"no discretion item '{case.discretion_item}' in data/discretion.yaml",
                   "use an id from data/discretion.yaml or remove the field")
        for index, episode in enumerate(case.related_episodes):
            if episode not in known_episodes:
                report(f"related_episodes[{index}]", f"no episode '{episode}' in data/episodes.yaml")
        for index, transcript in enumerate(case.related_livestreams):
            if transcript not in known_transcripts:
                report(f"related_livestreams[{index}]", f"no transcript folder transcripts/{transcript}/")
    data_dir = model.config.data_dir
    for items, file, key in ((model.discretion, data_dir / "discretion.yaml", "items"),
                             (model.episodes, data_dir / "episodes.yaml", "episodes")):
        for index, item in enumerate(items):
            basis = getattr(item, "legal_basis", None) or getattr(item, "laws", ())
            name = "legal_basis" if hasattr(item, "legal_basis") else "laws"

            def report(path: str, message: str, hint: str | None = None, file=file, item=item, index=index,
                       key=key, to=problems) -> None:
                to.add(file, message, line=item.line, field=f"{key}[{index}].{path}", hint=hint)

            def warn(path: str, message: str, hint: str | None = None, file=file, item=item, index=index,
                     key=key) -> None:
                report(path, message, hint, file, item, index, key, warnings)

            _check_basis(basis, model.laws, report, name, warn)
    model.laws.warnings.extend(warnings.problems)


def load_model(config: ProjectConfig) -> SiteModel:
    """Load and cross-validate every input; one InputError with every problem."""
    problems = ProblemCollector()

    def attempt(load, default):
        try:
            return load()
        except InputError as exc:
            problems.extend(exc)
            return default

    # An import killed during its renames leaves its journal (importer/run.py, JOURNAL):
    # the records are half old, half new until the next import finishes it. Never publish that.
    if (config.cases_dir / ".import-journal.json").exists():
        problems.add(config.cases_dir / ".import-journal.json", "导入被中断，案例记录新旧混杂 / an import was "
                     "interrupted: the records are half old, half new", hint="run 'pufa import-cases' again to finish it")
    # A project folder may be synced or unzipped from elsewhere: a link leading out of it
    # would publish whatever it points at.
    from ..fsutil import links_leading_out
    for link in links_leading_out(config.root, config.cases_dir, config.data_dir, config.transcripts_dir):
        problems.add(link, "链接指向项目之外，拒绝使用 / refused: a link leading outside the project",
                     hint="replace the link with the file itself")
    warnings: list[str] = []
    digests: dict[str, str] = {}
    cases = attempt(lambda: load_cases_cached(config.cases_dir, config.cache_dir, warnings, digests),
                    []) if config.cases_dir.is_dir() else []
    laws = attempt(lambda: load_lawbook(config.laws_dir), LawBook())
    discretion = attempt(lambda: load_discretion(config.data_dir / "discretion.yaml"), [])
    episodes = attempt(lambda: load_episodes(config.data_dir / "episodes.yaml"), [])
    lessons = attempt(lambda: load_lessons(config.data_dir / "lessons.yaml"), [])
    transcripts = load_transcripts(config.transcripts_dir, problems)
    settings = attempt(lambda: _settings(config), SiteSettings(config.site_name))
    cases.sort(key=lambda case: (-case.date.toordinal(), case.id))
    known = {id(case): (case, f"case:{case.source_file}:{digests[case.id]}") for case in cases if case.id in digests}
    model = SiteModel(config, cases, laws, discretion, episodes, lessons, transcripts, settings, warnings, known)
    check_references(model, problems)
    check_content(model, problems)        # episodes' media/transcripts, lessons' ids
    problems.raise_if_any()
    return model


