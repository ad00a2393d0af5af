"""The project's layout, loaded once: where inputs live and where the site goes.

A project is a folder with `mkdocs.yml`, `cases_public/`, `transcripts/`, `data/` and an
optional `pufa.yml` that can move any of these folders or set site-wide facts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .yamlio import load_yaml

CONFIG_FILE = "pufa.yml"


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    cases_dir: Path
    transcripts_dir: Path
    data_dir: Path
    media_dir: Path
    site_dir: Path
    cache_dir: Path
    reports_dir: Path
    mkdocs_file: Path
    site_name: str = "济南交通运输执法 · 以案释法"
    hotline: str = "12328"
    extra: dict = field(default_factory=dict)

    @property
    def laws_dir(self) -> Path:
        return self.data_dir / "laws"


_PATH_KEYS = {
    "cases_dir": "cases_public", "transcripts_dir": "transcripts", "data_dir": "data",
    "media_dir": "media", "site_dir": "site", "cache_dir": ".pufa-cache", "reports_dir": "reports",
}


def load_config(project: str | Path = ".") -> ProjectConfig:
    """Read `pufa.yml` if present; every path is resolved against the project root."""
    root = Path(project).resolve()
    if not root.is_dir():
        raise InputError.at(root, "project folder does not exist", hint="run 'pufa init DIR' first")
    mkdocs_file = root / "mkdocs.yml"
    if not mkdocs_file.exists():
        raise InputError.at(mkdocs_file, "not a pufa project: mkdocs.yml is missing",
                            hint="run inside a project, pass --project DIR, or create one with 'pufa init DIR'")
    settings: dict = {}
    config_path = root / CONFIG_FILE
    if config_path.exists():
        data, lines = load_yaml(config_path)
        if data is not None and not isinstance(data, dict):
            raise InputError.at(config_path, "expected a mapping of settings", line=1)
        settings = dict(data or {})
        known = set(_PATH_KEYS) | {"site_name", "hotline"}
        for key in settings:
            if key not in known and not str(key).startswith("x_"):
                raise InputError.at(config_path, f"unknown setting '{key}'", line=lines(str(key)), field=str(key),
                                    hint=f"known settings: {', '.join(sorted(known))}")
    paths = {key: (root / str(settings.get(key, default))).resolve() for key, default in _PATH_KEYS.items()}
    return ProjectConfig(
        root=root, mkdocs_file=mkdocs_file,
        site_name=str(settings.get("site_name", ProjectConfig.site_name)),
        hotline=str(settings.get("hotline", ProjectConfig.hotline)),
        extra={k: v for k, v in settings.items() if str(k).startswith("x_")},
        **paths,
    )
