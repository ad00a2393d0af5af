"""`pufa import-cases`: office exports → anonymised public case records + a review report.

Reads and checks every row of every file first; any problem anywhere means nothing is
written (all-or-nothing). Records a person edited since the last import (hash differs from
the manifest) are skipped and named, unless --force. The new records and manifest are
staged in a folder beside them, a journal naming them is written (the commit point), then
they are renamed into place: a run killed at any instant is completed (past the journal)
or rolled back (before it) by the next run, never taken for a person's edit.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, ProblemCollector
from ..fsutil import atomic_write_json, dump_json, fsync_dir
from ..privacy.leaks import load_denylist, save_denylist
from ..yamlio import dump_yaml, load_yaml
from ..review.notes import notes_for, save_notes
from .columns import DROPPED, label, load_column_map
from .convert import ConvertedRow, convert_row
from .lifecycle import withhold_minors
from .readers import RawTable, read_table
from .report import KIND_LABELS, CaseChanges, write_report

MANIFEST = ".import-manifest.json"
JOURNAL = ".import-journal.json"          # the commit point of an import (see _commit)
STAGING_PREFIX = ".import-staging-"
_STAGING_RE = re.compile(r"^\.import-staging-\d{1,10}$")
_RECORD_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.yaml$")
# Test hook: SIGKILL this process after N renames of the commit (tests/test_hardening_import.py).
_KILL_AFTER_RENAMES = "PUFA_TEST_KILL_AFTER_RENAMES"


@dataclass
class ImportResult:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    written: list[str] = field(default_factory=list)      # new or updated records
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # edited by a person, kept
    forced: list[str] = field(default_factory=list)       # edited, overwritten by --force
    counts: Counter = field(default_factory=Counter)
    report_html: Path | None = None
    report_csv: Path | None = None
    denylist_added: int = 0
    transcript_flags: int = 0     # names of the deny list newly flagged in the project's transcripts
    ignored: list[tuple[str, str, str]] = field(default_factory=list)   # (file, header, sample value)
    pending: int = 0                                                    # records waiting for review
    withheld: list[str] = field(default_factory=list)     # minors: never published (importer/lifecycle.py)
    notes: list[str] = field(default_factory=list)        # hidden rows/sheets skipped, a finished import

    def summary(self) -> str:
        lines = [f"read {self.rows} cases from {len(self.files)} file(s): {len(self.written)} written, "
                 f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
                 + (f", {len(self.forced)} edited records overwritten (--force)" if self.forced else "")]
        if self.skipped:
            lines.append("skipped (edited by a person; re-run with --force to overwrite): " + ", ".join(self.skipped))
        if self.counts:
            lines.append("anonymised: " + ", ".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(self.counts.items())))
        for file, header, sample in self.ignored:
            lines.append(f"{file}: ignored column {header} (e.g. '{sample}'): not published; "
                         f"map it with --columns map.yaml if it holds case data")
        if self.transcript_flags:
            lines.append(f"{self.transcript_flags} name(s) of these cases flagged in the transcripts (hidden until "
                         f"reviewed in 'pufa annotate')")
        if self.pending:
            lines.append(f"{self.pending} case(s) wait for review: they are published once approved with 'pufa review'")
        lines += [f"withheld: {line}" for line in self.withheld]
        if self.report_html:
            lines.append(f"review report (internal, never publish): {self.report_html} and {self.report_csv}")
        lines += self.notes
        return "\n".join(lines)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_manifest(into: Path) -> dict[str, dict]:
    path = into / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError.at(path, f"import manifest is unreadable: {exc}",
                            hint="delete it; every existing record will then count as edited") from None
    records = data.get("records") if isinstance(data, dict) else None
    return records if isinstance(records, dict) else {}


def _check_report_dir(report_dir: Path, into: Path) -> None:
    report_dir = report_dir.resolve()
    forbidden = [into.resolve(), into.resolve().parent / "site"]
    for place in forbidden:
        if report_dir == place or place in report_dir.parents:
            raise InputError.at(report_dir, f"the review report holds personal data and must not be written under {place}",
                                field="--report-dir", hint="use a private folder such as reports/")


def _read_all(files: list[Path], sheet: str | None, columns=None, include_hidden: bool = False,
              notes: list[str] | None = None) -> tuple[list[tuple[RawTable, ConvertedRow]], ProblemCollector, int]:
    problems = ProblemCollector()
    converted: list[tuple[RawTable, ConvertedRow]] = []
    rows = 0
    for path in files:
        try:
            table = read_table(path, sheet, columns, include_hidden)
        except InputError as exc:
            problems.extend(exc)
            continue
        if notes is not None:
            notes.extend(table.skipped)
        unit = "record" if table.kind == "json" else "row"
        outcomes = iter(_convert_rows(str(path), [row for row in table.rows if row.cells]))
        for row in table.rows:
            rows += 1
            if not row.cells:
                problems.add(path, f"empty {unit}", line=row.number,
                             hint=f"delete the empty {unit} or fill it in")
                continue
            ok, outcome = next(outcomes)
            if ok:
                converted.append((table, outcome))
            else:
                problems.extend(InputError(outcome))
    return converted, problems, rows


PARALLEL_ROWS = 2000      # below this, starting worker processes costs more than it saves
_CHUNK = 500


def _convert_chunk(file: str, rows: list, names: tuple[str, ...] = ()) -> list[tuple[bool, object]]:
    """(True, ConvertedRow) or (False, [Problem, …]) per row: problems travel back from a
    worker as data (an InputError does not survive pickling). The record's YAML is made
    here too, on the workers (a second of a 10,000-row import in one process)."""
    out: list[tuple[bool, object]] = []
    for row in rows:
        try:
            item = convert_row(file, row, names)
        except InputError as exc:
            out.append((False, exc.problems))
            continue
        item.data = dump_yaml(item.case.to_mapping()).encode("utf-8")
        out.append((True, item))
    return out


def _convert_rows(file: str, rows: list) -> list[tuple[bool, object]]:
    """Anonymise rows on every core: detection and the YAML are pure Python, ~1 ms a
    row, so a 10,000-row export spends most of its import here. Results keep the rows'
    order."""
    workers = min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(rows) < PARALLEL_ROWS:
        return _convert_chunk(file, rows)
    from concurrent.futures import ProcessPoolExecutor
    chunks = [rows[i:i + _CHUNK] for i in range(0, len(rows), _CHUNK)]
    from ..privacy.names import warm
    warm()                  # the name tagger's dictionary, loaded once before the fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=_fork_context()) as pool:
        results = pool.map(_convert_chunk, [file] * len(chunks), chunks)
        out: list[tuple[bool, object]] = []
        for chunk in results:
            out.extend(chunk)
            _progress(file, len(out), len(rows))
        return out


def _progress(file: str, done: int, total: int) -> None:
    """A progress line on a terminal (a 10,000-row import anonymises for a minute or two)."""
    import sys
    if sys.stderr.isatty():
        width = 30
        bar = "#" * (width * done // total)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\ranonymising {Path(file).name}: [{bar:<{width}}] {done}/{total} rows{end}")
        sys.stderr.flush()


def _share_names(converted: list[tuple[RawTable, ConvertedRow]]) -> None:
    """A name found in one record is replaced in every other record of this import that
    still writes it: those records are converted again with the names handed in."""
    from ..privacy.consistency import records_to_redo, shared_names
    names = shared_names((item.anonymiser.removed, item.anonymiser.party_names) for _, item in converted)
    published = [[item.case.title, item.case.facts, item.case.investigation, item.case.decision,
                  item.case.explanation, item.case.place, item.case.cause] for _, item in converted]
    for index, hits in records_to_redo(names, published).items():
        table, item = converted[index]
        row = next(r for r in table.rows if r.number == item.row)
        redone = _convert_chunk(str(table.file), [row], tuple(hits))[0]
        if redone[0]:
            converted[index] = (table, redone[1])


def _check_links(into: Path, report_dir: Path | None, ids: list[str], problems: ProblemCollector) -> None:
    """A record or the report folder that is a link leading out of the project is refused
    (a synced or unzipped folder must not make the import read or write elsewhere; the
    report holds personal data)."""
    from ..fsutil import inside_project
    project = into.resolve().parent
    for path in [*([report_dir] if report_dir else []), *(into / f"{case_id}.yaml" for case_id in ids), into / MANIFEST]:
        if path.is_symlink() or path.exists():
            try:
                inside_project(path, project)
            except InputError as exc:
                problems.extend(exc)


def _check_unique(converted: list[tuple[RawTable, ConvertedRow]], into: Path, problems: ProblemCollector) -> None:
    by_number: dict[str, str] = {}
    by_id: dict[str, tuple[str, str]] = {}
    for table, item in converted:
        where = f"{table.file}:{item.row}"
        number = "".join(item.case_no.split())
        if number in by_number:
            problems.add(table.file, f"duplicate case number {item.case_no} (also at {by_number[number]})",
                         line=item.row, field=label("case_no"), hint="each case number may appear once")
            continue
        by_number[number] = where
        if item.case.id in by_id:
            other_no, other_where = by_id[item.case.id]
            problems.add(table.file, f"case numbers {item.case_no} and {other_no} ({other_where}) both give id "
                         f"'{item.case.id}'", line=item.row, field=label("case_no"),
                         hint="the id is year-serial of the case number; the two must differ")
            continue
        by_id[item.case.id] = (item.case_no, where)
        existing = into / f"{item.case.id}.yaml"
        if existing.exists():
            try:
                data, _ = load_yaml(existing)
            except InputError:
                continue  # a broken file: the edit check below keeps it unless --force
            other = str((data or {}).get("case_no", "")) if isinstance(data, dict) else ""
            if other and "".join(other.split()) != number:
                problems.add(table.file, f"case number {item.case_no} gives id '{item.case.id}', which "
                             f"{existing} already uses for {other}", line=item.row, field=label("case_no"),
                             hint="rename one of the two records' id by hand")


def _write_temp(temp: Path, data: bytes) -> None:
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.filename is None:      # a full disk: write() names no file
            raise OSError(exc.errno, exc.strerror, str(temp)) from exc
        raise


def _stage(into: Path, plans: list[tuple[Path, bytes]]) -> Path:
    """Write each new record (and the manifest, last in `plans`) into a staging folder
    beside the records, fsynced; nothing in `into` changes yet. On failure the staging
    folder is removed.

    The fsyncs run in a thread pool (they release the GIL and the file system commits
    them together): one after another, a 10,000-case import waited on the disk 10,000
    times; os.sync() instead would wait for every other writer on the machine too."""
    staging = into / f"{STAGING_PREFIX}{os.getpid()}"
    _remove_tree(staging)
    staging.mkdir()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(_write_temp, [staging / path.name for path, _ in plans], [d for _, d in plans]))
        fsync_dir(staging)
    except BaseException:
        _remove_tree(staging)
        raise
    return staging


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _finish(into: Path, staging: Path, names: list[str]) -> None:
    """Rename the staged files into place, then drop the journal (JOURNAL, the commit
    point written before: a run that dies here is finished by the next one,
    `finish_interrupted_import`) and the staging folder."""
    kill_after = os.environ.get(_KILL_AFTER_RENAMES)
    for done, name in enumerate(names):
        if kill_after is not None and done == int(kill_after):
            os.kill(os.getpid(), signal.SIGKILL)
        source = staging / name
        if source.is_file() and not source.is_symlink():
            os.replace(source, into / name)
    fsync_dir(into)
    (into / JOURNAL).unlink(missing_ok=True)
    _remove_tree(staging)
    fsync_dir(into)


def _journal(into: Path) -> tuple[Path, list[str]] | None:
    """(staging folder, file names) of a journal this program wrote; None (reported) for
    anything else: a journal names only record files and the manifest, never a path."""
    path = into / JOURNAL
    try:
        if path.is_symlink() or path.stat().st_size > 16 * 1024 * 1024:
            raise ValueError("not a journal file")
        data = json.loads(path.read_text(encoding="utf-8"))
        staging, names = data.get("staging"), data.get("files")
        if not (isinstance(staging, str) and _STAGING_RE.match(staging) and isinstance(names, list)
                and all(isinstance(n, str) and (n == MANIFEST or _RECORD_RE.match(n)) for n in names)):
            raise ValueError("unexpected content")
        return into / staging, names
    except (OSError, ValueError, AttributeError) as exc:
        print(f"{path}: 导入日志无效，已忽略 / invalid import journal, ignored ({exc})", file=sys.stderr, flush=True)
        return None


def finish_interrupted_import(into: Path) -> str:
    """Complete an import killed after its commit point, and remove what one killed
    before it left (its staging folder, temp files of older versions). A note for the
    summary ('' when there was nothing to do)."""
    note = ""
    if (into / JOURNAL).exists() or (into / JOURNAL).is_symlink():
        found = _journal(into)
        if found is not None:
            _finish(into, *found)
            note = f"{into}: completed an interrupted import ({len(found[1])} files) / 已完成上次中断的导入"
        else:
            (into / JOURNAL).unlink()
    leftovers = [p for p in into.iterdir() if p.name.startswith(STAGING_PREFIX)
                 or (p.name.startswith(".") and p.name.endswith(".tmp"))]
    for leftover in leftovers:
        _remove_tree(leftover)
    if leftovers:
        fsync_dir(into)
        if not note:
            note = f"{into}: removed {len(leftovers)} leftover(s) of an interrupted import / 已清理中断导入的临时文件"
    return note


class _Report:
    """The review report of an import, written before any record changes.

    For a large import a forked child process renders and writes it (~2 s of CPU for
    10,000 cases) while this process writes the records' temp files (waits on the disk;
    threads would fight the renderer for the GIL); the records are renamed into place
    only once `wait()` says the report is there. Elsewhere (no fork, a small import) the
    report is written at once, as before."""

    def __init__(self, directory: Path, stem: str, cases: list[CaseChanges], sources: list[str],
                 skipped: list[str]):
        self.paths = (directory / f"{stem}.html", directory / f"{stem}.csv")
        self._process = None
        args = (directory, stem, cases, sources, skipped)
        context = _fork_context() if len(cases) >= PARALLEL_ROWS else None
        if context is None:
            write_report(*args)
            return
        self._receive, send = context.Pipe(duplex=False)
        # Forked: the child has the cases without pickling them.
        self._process = context.Process(target=_write_report_in_child, args=(send, *args))
        self._process.start()
        send.close()

    def wait(self) -> tuple[Path, Path]:
        """The report's (html, csv) paths once written; the child's error if it failed."""
        if self._process is not None:
            process, self._process = self._process, None
            try:
                ok, error = self._receive.recv()
            except EOFError:            # the process died before it could say
                ok, error = False, None
            finally:
                process.join()
                self._receive.close()
            if not ok:
                raise error or OSError(f"the review report was not written (its process ended, exit code "
                                       f"{process.exitcode})")
        return self.paths

    def discard(self) -> None:
        """Remove the report: it describes an import that did not happen."""
        try:
            self.wait()
        except BaseException:
            pass
        for path in self.paths:
            path.unlink(missing_ok=True)


def _write_report_in_child(send, *args) -> None:
    try:
        write_report(*args)
        message: tuple[bool, BaseException | None] = (True, None)
    except BaseException as exc:       # raised again in the parent, as if raised there
        message = (False, exc)
    try:
        send.send(message)
    except Exception:                  # an error that does not pickle
        send.send((False, OSError(str(message[1]))))
    send.close()


def _fork_context():
    import multiprocessing
    try:
        return multiprocessing.get_context("fork")     # workers start with everything imported
    except ValueError:
        return None


def import_cases(files: list[Path], into: Path, sheet: str | None = None, force: bool = False,
                 report_dir: Path | None = None, columns: Path | None = None,
                 include_hidden: bool = False) -> ImportResult:
    into = Path(into)
    project = into.resolve().parent
    report_given = report_dir is not None
    report_dir = Path(report_dir) if report_dir else project / "reports"
    _check_report_dir(report_dir, into)
    if into.exists() and not into.is_dir():
        raise InputError.at(into, "--into must be a folder")
    # First, the last import's leftovers: its records must be whole before they are compared.
    notes = [finish_interrupted_import(into)] if into.is_dir() else []

    column_map = load_column_map(Path(columns)) if columns else None
    converted, problems, rows = _read_all([Path(f) for f in files], sheet, column_map, include_hidden, notes)
    # the default report folder must stay in the project; one named with --report-dir is the user's choice
    _check_links(into, None if report_given else report_dir, [item.case.id for _, item in converted], problems)
    _share_names(converted)
    _check_unique(converted, into, problems)
    problems.raise_if_any()
    converted, withheld = withhold_minors(converted, into)      # never published, named

    # Decide every record's fate before the first write.
    manifest = _load_manifest(into)
    result = ImportResult(files=[str(f) for f in files], rows=rows, withheld=withheld,
                          notes=[n for n in notes if n])
    for table in {id(table): table for table, _ in converted}.values():
        result.ignored += [(str(table.file), header, sample) for header, sample in table.ignored]
    plans: list[tuple[Path, bytes]] = []
    report_cases: list[CaseChanges] = []
    for table, item in converted:
        name = f"{item.case.id}.yaml"
        path = into / name
        data = item.data
        status = "written"
        if path.exists():
            current = path.read_bytes()
            recorded = manifest.get(name, {}).get("sha256")
            if current == data:
                status = "unchanged"
            elif recorded != _sha256(current):
                status = "overwritten (--force)" if force else "skipped: edited by a person"
        if status == "written":
            result.written.append(item.case.id)
            plans.append((path, data))
        elif status == "unchanged":
            result.unchanged.append(item.case.id)
        elif status.startswith("overwritten"):
            result.forced.append(item.case.id)
            result.written.append(item.case.id)
            plans.append((path, data))
        else:
            result.skipped.append(item.case.id)
        if not status.startswith("skipped"):
            manifest[name] = {"sha256": _sha256(data), "case_no": item.case_no}
        dropped = [table.headers[k] for k in DROPPED if table.headers.get(k) is not None]
        changes = item.anonymiser.changes
        result.counts.update(change.kind for change in changes)
        report_cases.append(CaseChanges(item.case.id, item.case_no, f"{table.file}:{item.row}", status,
                                        list(changes), dropped))

    into.mkdir(parents=True, exist_ok=True)
    # The private, additive parts first (deny list, review report): if the disk fills up
    # there, no record has changed yet; records never change without their report.
    denylist = load_denylist(project)
    for _, item in converted:
        for value, kind in item.anonymiser.removed.items():
            if kind != "age" and denylist.add(kind, value):   # '35岁' is no one's in particular
                result.denylist_added += 1
    if result.denylist_added:
        save_denylist(project, denylist)
        # A party named in a case is hidden in the livestreams too (additive, like the list).
        from ..speech.known_names import reflag_transcripts
        result.transcript_flags = reflag_transcripts(_transcripts_dir(project), sorted(
            value for value, kind in denylist.entries.items() if kind == "name" and "某" not in value))

    stamp = stem = dt.datetime.now(dt.timezone.utc).strftime("import-%Y%m%d-%H%M%S")
    serial = 1
    while (report_dir / f"{stem}.html").exists() or (report_dir / f"{stem}.csv").exists():
        serial += 1                 # two imports in one second: never overwrite the first report
        stem = f"{stamp}-{serial}"
    report = _Report(report_dir, stem, report_cases, result.files, result.skipped)
    written = set(result.written)
    result.pending = len(written)
    review_notes = None
    manifest_data = dump_json({"version": 1, "records": dict(sorted(manifest.items()))}).encode("utf-8")
    plans.append((into / MANIFEST, manifest_data))
    names = [path.name for path, _ in plans]
    try:
        # What the review page shows of each new or changed record (private, like the report).
        review_notes = save_notes(project, stem, notes_for(converted, written))
        staging = _stage(into, plans)
        try:
            result.report_html, result.report_csv = report.wait()
            # the commit point: from here on the import happens, even if this process dies
            atomic_write_json(into / JOURNAL, {"version": 1, "staging": staging.name, "files": names})
        except BaseException:
            _remove_tree(staging)
            raise
    except BaseException:
        report.discard()
        if review_notes is not None:
            review_notes.unlink(missing_ok=True)
        raise
    _finish(into, staging, names)
    return result


def _transcripts_dir(project: Path) -> Path:
    """The project's transcripts folder (pufa.yml's transcripts_dir), or transcripts/."""
    from ..config import load_config
    try:
        return load_config(project).transcripts_dir
    except InputError:
        return project / "transcripts"
