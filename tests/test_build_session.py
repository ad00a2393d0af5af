"""One Build object owns a build's memos and hook state; nothing at module level in
generator/site survives a build except constants and pure memos keyed by what they are
computed from (listed here, each with the reason it is safe)."""
from __future__ import annotations

import copy
import functools
import importlib
import pkgutil
import shutil
from pathlib import Path

import generator.site as site_package
from generator.site import session
from generator.site.build import build_site

MINI = Path(__file__).parent / "data" / "mini-project"

# Module-level containers a build may add to, and why that is not state.
PURE_MEMOS = {
    "generator.site.casecache._DECODERS": "type hint → its decoder: a function of the type alone",
    "generator.site.pages._FIELDS": "view type → its field names: a function of the type alone",
    "generator.site.leakgate._DETECTORS": "deny list (path, content digest) → its automaton: a function of the "
                                          "file's bytes (kept so `pufa serve` does not rebuild it every time)",
    "generator.site.leakgate.vendor_digests": "digests of the theme's and pufa's shipped assets: installed files",
    "generator.site.render.template_env": "the Jinja environment of the shipped templates and pure helpers",
    "generator.site.mkdocs_hooks._LOOSE": "hook state of a mkdocs run outside `pufa build` only (unused by it)",
}


def _modules() -> list:
    names = ["generator.site." + m.name for m in pkgutil.iter_modules(site_package.__path__)]
    sections = importlib.import_module("generator.site.sections")
    names += ["generator.site.sections." + m.name for m in pkgutil.iter_modules(sections.__path__)]
    return [importlib.import_module(name) for name in sorted(names)]


def _module_state() -> dict[str, object]:
    """Every module-level dict, list, set and lru_cache of generator/site, by name."""
    out = {}
    for module in _modules():
        for attr, value in vars(module).items():
            if attr.startswith("__"):
                continue
            if isinstance(value, functools._lru_cache_wrapper):
                if value.__module__ == module.__name__:
                    out[f"{module.__name__}.{attr}"] = value
            elif isinstance(value, (dict, list, set, bytearray)):
                out[f"{module.__name__}.{attr}"] = value
    return out


def test_nothing_at_module_level_keeps_a_builds_values(tmp_path):
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    before = {name: copy.copy(value) for name, value in _module_state().items()
              if not isinstance(value, functools._lru_cache_wrapper) and name not in PURE_MEMOS}
    build_site(project, progress=False)
    after = _module_state()
    for name, value in after.items():
        if name in PURE_MEMOS:
            continue
        assert not isinstance(value, functools._lru_cache_wrapper), f"{name}: an lru_cache not listed as pure"
        assert name in before, f"{name}: new module-level state"
        assert value == before[name], f"{name} changed during a build: it holds build state"
    # The pure memos are keyed by types and content digests, never by a record's values.
    from generator.site import casecache, pages
    assert all(isinstance(key, type) for key in pages._FIELDS)
    assert all(not isinstance(key, str) for key in casecache._DECODERS)
    assert session.active() is None                  # the build's Build object is gone


def test_a_build_gets_its_own_build_object_and_memos():
    seen = []
    with session.Build.open() as first:
        from generator.site.render import slugify
        slugify("网约车")
        seen.append(dict(first.slugs))
        assert session.current() is first
    assert session.active() is None
    with session.Build.open() as second:
        assert second is not first and second.slugs == {} and second.cards == {}
    assert seen == [{"网约车": "wang-yue-che"}]
    # Outside a build nothing is remembered.
    slugify("出租车")
    assert session.current().slugs == {}
