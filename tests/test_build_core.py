"""The build core's promise: an incremental `pufa build` publishes exactly the site a
clean build of the same inputs publishes, byte for byte, whatever was edited and however
the edit arrived, and no cache file can change that (or run code).

The clean reference build always runs in a separate process with an empty cache, so
nothing this process remembers can make the two agree by accident.

Project: tests/data/build-project (cases sharing discretion items without being related,
a livestream whose moments show on case pages, episodes, lessons) plus the repository's
law texts and a short audio file.

The random walk (`test_random_edits_keep_the_incremental_site_equal_to_a_clean_one`)
takes PUFA_WALK_STEPS steps (default 4) from PUFA_WALK_SEED (default 15); run it longer
in development, e.g. PUFA_WALK_STEPS=40 PUFA_WALK_SEED=$RANDOM.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.review.approvals import approve_all
from generator.site.build import build_site as _build_site


def build_site(project: Path, **options):
    """A build after staff approved every record (pufa review): what is tested here is
    the build, so every edit a step makes is approved as the edit's author would."""
    approve_all(Path(project) / "cases_public", "测试")
    return _build_site(project, **options)

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "data" / "build-project"
GOLDEN = ROOT / "tests" / "data" / "build-project.golden.json"
AUDIO = ROOT / "tests" / "data" / "audio" / "demo01.ogg"


def make_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest)
    # The project's own copy of one shipped law (it overrides pufa's by title), so that
    # edits of a law text are edits of the project's files.
    laws = dest / "data" / "laws"
    laws.mkdir(parents=True)
    shutil.copyfile(ROOT / "generator" / "data" / "laws" / "xingzheng-chufa-fa-2021.md", laws / "xingzheng-chufa-fa-2021.md")
    (laws / "catalog.yaml").write_text("laws:\n  - title: 中华人民共和国行政处罚法\n    file: xingzheng-chufa-fa-2021.md\n"
                                       "    kind: 法律\n", encoding="utf-8")
    (dest / "media").mkdir()
    shutil.copyfile(AUDIO, dest / "media" / "live-b1.ogg")
    return dest


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _unordered(path: str) -> bool:
    """Pagefind writes its filter and meta files (and the entry file naming them) from
    hash maps in no fixed order; chunks and fragments, named by content, are stable."""
    name = path.rsplit("/", 1)[-1]
    return path.startswith("pagefind/") and (
        "/filter/" in path or name.endswith(".pf_meta") or name == "pagefind-entry.json")


def stable(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree(root).items() if not _unordered(k)}


def assert_same_site(incremental: Path, clean: Path) -> None:
    a, b = stable(incremental), stable(clean)
    assert sorted(set(a) ^ set(b)) == []
    assert [path for path in a if a[path] != b[path]] == []
    count = lambda t: sorted(k.rsplit("/", 1)[0] + ("/filter" if "/filter/" in k else "")
                             for k in t if _unordered(k))
    assert count(tree(incremental)) == count(tree(clean))


def clean_build_elsewhere(project: Path, dest: Path) -> Path:
    """The same inputs, built by `pufa build` in a new process with no cache."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("site", ".pufa-cache"), copy_function=shutil.copy2)
    run = subprocess.run([sys.executable, "-m", "generator", "build", "--project", str(dest), "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stdout + run.stderr
    return dest / "site"


def page(project: Path, url: str) -> str:
    return (project / "site" / url / "index.html").read_text(encoding="utf-8")


def replace_in(path: Path, old: str, new: str, keep_stat: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    st = path.stat()
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if keep_stat:
        assert len(old.encode()) == len(new.encode())
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One built project, for the tests that only read it."""
    project = make_project(tmp_path_factory.mktemp("core") / "project")
    build_site(project, progress=False)
    return project


@pytest.fixture
def project(tmp_path) -> Path:
    """A built project to edit. Built in place (not copied from another build: a case
    record's path is part of it, so a copied project is rendered again in full)."""
    project = make_project(tmp_path / "p")
    first = build_site(project, progress=False)
    assert first.rendered == first.pages + first.assets
    return project


def test_a_sibling_title_edit_reaches_every_case_page_listing_it(project, tmp_path):
    """2024-0002 lists 2024-0005 under their shared discretion item (czcf-01) by title,
    although the two are not related cases (other article, other category)."""
    assert "某运输公司货车一年内三次超限从重处罚案" in page(project, "cases/2024-0002")
    assert 'href="../../cases/2024-0005/"' not in page(project, "cases/2024-0002").split('id="related"')[1]
    replace_in(project / "cases_public" / "2024-0005.yaml", "title: 某运输公司货车一年内三次超限从重处罚案",
               "title: 某运输公司货车年内三次超限运输从重处罚案")
    again = build_site(project, progress=False)
    # incremental, not everything (with six cases, every listing and filter index shows the title)
    assert 2 <= again.rendered < again.pages * 2 // 3, again.rendered
    html = page(project, "cases/2024-0002")
    assert "某运输公司货车年内三次超限运输从重处罚案" in html
    assert "某运输公司货车一年内三次超限从重处罚案" not in html
    assert_same_site(project / "site", clean_build_elsewhere(project, tmp_path / "clean"))


def test_edits_that_keep_size_and_mtime_are_published(project, tmp_path):
    """As `cp -p` or `rsync -t` deliver a privacy fix: same size, same mtime."""
    replace_in(project / "cases_public" / "2024-0001.yaml", "通过平台接单3单", "通过平台接单5单", keep_stat=True)
    replace_in(project / "data" / "laws" / "xingzheng-chufa-fa-2021.md", "当事人有证据足以证明", "当事人有证据足够证明",
               keep_stat=True)
    replace_in(project / "data" / "discretion.yaml", "outcome: 在法定幅度内从重处罚", "outcome: 在法定幅度内从严处罚",
               keep_stat=True)
    audio = project / "media" / "live-b1.ogg"
    st = audio.stat()
    data = bytearray(audio.read_bytes())
    data[-100] ^= 0xFF                              # a changed media file (same size, same mtime)
    audio.write_bytes(bytes(data))
    os.utime(audio, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = build_site(project, progress=False)
    assert again.rendered < again.pages // 2, again.rendered
    assert "通过平台接单5单" in page(project, "cases/2024-0001")
    assert "当事人有证据足够证明" in page(project, "cases/2024-0001")
    assert "在法定幅度内从严处罚" in page(project, "cases/2024-0002")
    assert_same_site(project / "site", clean_build_elsewhere(project, tmp_path / "clean"))


class _Planted:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_planted_and_damaged_cache_files_are_ignored_with_one_warning_each(project, tmp_path):
    cache = project / ".pufa-cache"
    marker = tmp_path / "ran"
    bomb = pickle.dumps(_Planted(str(marker)))
    for name in ("cases.pickle", "cases.journal.pickle", "state/shells.pickle"):    # what older pufa read
        (cache / name).write_bytes(bomb)
    (cache / "cases.json").write_bytes(bomb)
    (cache / "state" / "manifest.json").write_text('{"version": 7, "docs": "not a mapping"', encoding="utf-8")
    (cache / "state" / "shells.json").write_text("{", encoding="utf-8")
    (cache / "slugs.json").write_bytes(bomb)
    replace_in(project / "cases_public" / "2024-0004.yaml", "title: 赵某", "title: 赵某某")
    report = build_site(project, progress=False)
    assert not marker.exists()
    ignored = [w for w in report.warnings if w.startswith("ignored ")]
    assert [w.split(" (")[0] for w in ignored] == [f"ignored {cache / 'cases.json'}",
                                                  f"ignored {cache / 'state' / 'manifest.json'}"]
    assert all("\n" not in w for w in ignored)
    assert report.rendered == report.pages + report.assets          # everything built again
    assert "赵某某" in page(project, "cases/2024-0004")
    assert_same_site(project / "site", clean_build_elsewhere(project, tmp_path / "clean"))
    again = build_site(project, progress=False)
    assert [w for w in again.warnings if w.startswith("ignored ")] == []
    assert again.rendered == 0


# ---------------------------------------------------------------- golden output

def golden_tree(site: Path) -> dict[str, str]:
    """What the small project publishes, by file; the sitemap carries the build date."""
    return {k: v for k, v in stable(site).items() if not k.startswith("sitemap.xml")}


def test_the_small_project_publishes_the_golden_tree(built):
    """A change to any published byte shows here. After an intended change (a template,
    the theme), regenerate: PUFA_UPDATE_GOLDEN=1 pytest tests/test_build_core.py -k golden"""
    got = golden_tree(built / "site")
    if os.environ.get("PUFA_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(set(got) ^ set(want)) == []
    assert [path for path in sorted(got) if got[path] != want[path]] == []


# ---------------------------------------------------------------- search

def test_pagefind_over_the_published_html_finds_what_the_shards_index(built, tmp_path):
    """The index is built from small pages made from the generated Markdown (shards.py),
    not from the published HTML; Pagefind run over the published HTML must index the same
    pages with the same words."""
    from generator.site.build import pagefind_executable
    site = built / "site"
    out = tmp_path / "direct"
    subprocess.run([pagefind_executable(), "--site", str(site), "--output-path", str(out), "--silent",
                    "--force-language", "zh"], check=True, capture_output=True)
    ours = fragments(site / "pagefind")
    direct = fragments(out)
    assert len(ours) > 15
    assert sorted(ours) == sorted(direct)
    differ = [url for url in ours if ours[url] != direct[url]]
    assert differ == []


def fragments(bundle: Path) -> dict[str, tuple]:
    """url → (text, filters, meta) of every page in a Pagefind bundle and its shards."""
    import gzip
    out = {}
    for path in bundle.rglob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        out[data["url"]] = (data["content"], json.dumps(data["filters"], sort_keys=True),
                            json.dumps(data["meta"], sort_keys=True, ensure_ascii=False))
    return out


# ---------------------------------------------------------------- the random walk

CASE_IDS_KEPT = {"2024-0001", "2024-0002", "2024-0003"}          # lessons, episodes and the livestream name them
ITEMS = ["bycf-01", "cqcf-01", "jqcf-01", "czcf-01", None]
SUFFIX = "甲乙丙丁戊己庚辛壬癸"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SUFFIX) for _ in range(rng.randint(1, 3)))


def _cases(project: Path) -> list[Path]:
    return sorted((project / "cases_public").glob("*.yaml"))


def _edit_line(path: Path, key: str, change, keep_stat: bool = False) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^(\s*{key}: )(.*)$", text, re.M)
    assert match, (path, key)
    new = change(match.group(2))
    replace_in(path, match.group(0), match.group(1) + new, keep_stat=keep_stat)
    return f"{path.name}: {key} → {new}"


def edit_case_title(project: Path, rng: random.Random) -> str:
    return _edit_line(rng.choice(_cases(project)), "title", lambda v: v + _word(rng))


def edit_case_facts_same_size(project: Path, rng: random.Random) -> str:
    path = rng.choice(_cases(project))

    def change(value: str) -> str:
        spots = [i for i, ch in enumerate(value) if "\u4e00" <= ch <= "\u9fff"]
        i = rng.choice(spots)
        return value[:i] + rng.choice([c for c in SUFFIX if c != value[i]]) + value[i + 1:]
    return _edit_line(path, "facts", change, keep_stat=True)


def edit_case_discretion_item(project: Path, rng: random.Random) -> str:
    path = rng.choice(_cases(project))
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^discretion_item: .*\n", "", text, flags=re.M)
    item = rng.choice(ITEMS)
    if item:
        text = text.replace("\nexplanation: ", f"\ndiscretion_item: {item}\nexplanation: ", 1)
    path.write_text(text, encoding="utf-8")
    return f"{path.name}: discretion_item → {item}"


def add_case(project: Path, rng: random.Random) -> str:
    source = rng.choice(_cases(project))
    existing = {p.stem for p in _cases(project)}
    new_id = next(f"2024-{n:04d}" for n in range(100, 1000) if f"2024-{n:04d}" not in existing)
    text = source.read_text(encoding="utf-8").replace(f"id: {source.stem}", f"id: {new_id}", 1)
    text = re.sub(r"^date: .*$", f"date: '2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}'", text, flags=re.M)
    text = re.sub(r"^(title: .*)$", lambda m: m.group(1) + _word(rng), text, flags=re.M)
    text = re.sub(r"^related_episodes: .*\n", "", text, flags=re.M)
    (project / "cases_public" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return f"added {new_id} (from {source.stem})"


def remove_case(project: Path, rng: random.Random) -> str:
    removable = [p for p in _cases(project) if p.stem not in CASE_IDS_KEPT]
    if not removable:
        return add_case(project, rng)
    path = rng.choice(removable)
    path.unlink()
    return f"removed {path.stem}"


def edit_law(project: Path, rng: random.Random) -> str:
    law = project / "data" / "laws" / "xingzheng-chufa-fa-2021.md"
    text = law.read_text(encoding="utf-8")
    match = re.search(r"^(第三十[二三]条 )(.*)$", text[rng.randrange(len(text) // 2):] + text, re.M)
    new = match.group(2) + "（" + _word(rng) + "）"
    replace_in(law, match.group(0), match.group(1) + new)
    return f"law {match.group(1).strip()} edited"


def edit_discretion_list(project: Path, rng: random.Random) -> str:
    path = project / "data" / "discretion.yaml"
    key = rng.choice(["violation", "outcome"])
    text = path.read_text(encoding="utf-8")
    lines = [m.group(0) for m in re.finditer(rf"^    {key}: .*$", text, re.M)]
    line = rng.choice(lines)
    replace_in(path, line, line + _word(rng), keep_stat=False)
    return f"discretion {key} edited"


def edit_episode(project: Path, rng: random.Random) -> str:
    return _edit_line(project / "data" / "episodes.yaml", rng.choice(["    title", "    summary"]),
                      lambda v: v + _word(rng))


def edit_lesson(project: Path, rng: random.Random) -> str:
    return _edit_line(project / "data" / "lessons.yaml", "    title", lambda v: v + _word(rng))


def edit_transcript(project: Path, rng: random.Random) -> str:
    path = project / "transcripts" / "live-b1" / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    segment = rng.choice(data["segments"])
    segment["text"] = segment["text"].rstrip("。") + _word(rng) + "。"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return f"transcript segment {segment['id']} edited"


def edit_annotations(project: Path, rng: random.Random) -> str:
    path = project / "transcripts" / "live-b1" / "annotations.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    target = rng.choice(data["highlights"] + data["chapters"])
    target["title"] += _word(rng)
    if "article" in target and rng.random() < 0.5:
        target["article"] = "第三十二条" if target["article"] == "第三十三条" else "第三十三条"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return f"annotation {target['id']} edited"


def edit_mkdocs(project: Path, rng: random.Random) -> str:
    return _edit_line(project / "mkdocs.yml", rng.choice(["site_name", "site_description"]), lambda v: v + _word(rng))


EDITS = [edit_case_title, edit_case_facts_same_size, edit_case_discretion_item, add_case, remove_case, edit_law,
         edit_discretion_list, edit_episode, edit_lesson, edit_transcript, edit_annotations, edit_mkdocs]


def test_random_edits_keep_the_incremental_site_equal_to_a_clean_one(project, tmp_path):
    steps = int(os.environ.get("PUFA_WALK_STEPS", "4"))
    seed = int(os.environ.get("PUFA_WALK_SEED", "15"))
    rng = random.Random(seed)
    done: list[str] = []
    for step in range(steps):
        for _ in range(rng.randint(1, 3)):                 # one to three edits a step
            done.append(rng.choice(EDITS)(project, rng))
        build_site(project, progress=False)
        try:
            assert_same_site(project / "site", clean_build_elsewhere(project, tmp_path / "clean"))
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, step {step}, after: {done}\n{exc}") from None


# ---------------------------------------------------------------- views by construction

def _render_plain(view):
    from generator.site.pages import Page
    return Page(view.path, "t", "<p>x</p>")


def test_a_view_page_refuses_what_could_hide_an_input():
    """A closure could read the model behind the key's back; a view holding the model (or
    any value that is not plain data) cannot be keyed."""
    from dataclasses import dataclass

    from generator.site.pages import ViewKeys, ViewPage

    @dataclass(frozen=True)
    class View:
        path: str
        thing: object

    @dataclass
    class Mutable:
        path: str

    model = object()
    with pytest.raises(TypeError, match="x.md: render must be a module-level function of the view alone"):
        ViewPage("x.md", View("x.md", 1), lambda view: _render_plain(view), "t")
    with pytest.raises(TypeError, match="x.md: render must be a module-level function of the view alone"):
        ViewPage("x.md", View("x.md", 1), lambda view, model=model: _render_plain(view), "t")
    with pytest.raises(TypeError, match="x.md: a view must be a frozen dataclass, not Mutable"):
        ViewPage("x.md", Mutable("x.md"), _render_plain, "t")
    with pytest.raises(TypeError, match="a view holds plain data; builtins.object is not"):
        ViewKeys("ctx").key(ViewPage("x.md", View("x.md", model), _render_plain, "t"))
    keys = ViewKeys("ctx")
    one = keys.key(ViewPage("x.md", View("x.md", ("甲", 1, None)), _render_plain, "t"))
    assert one == ViewKeys("ctx").key(ViewPage("x.md", View("x.md", ("甲", 1, None)), _render_plain, "t"))
    assert one != keys.key(ViewPage("x.md", View("x.md", ("乙", 1, None)), _render_plain, "t"))
    assert one != ViewKeys("other code").key(ViewPage("x.md", View("x.md", ("甲", 1, None)), _render_plain, "t"))
