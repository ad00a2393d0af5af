"""Incremental `pufa build`: the second build reuses the first one's work (pages, mkdocs
output, search shards, leak-gate verdicts) and must publish exactly the site a clean build
of the same inputs publishes, byte for byte.

Shards are made small here (SHARD_PAGES) so that the mini project's index is split like a
10,000-case site's is.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator.errors import LeakError
from generator.site import shards
from generator.site.build import build_site
from generator.site.serve import make_server
from generator.errors import InputError
from generator.review.approvals import approve_all

MINI = Path(__file__).parent / "data" / "mini-project"


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _unordered(path: str) -> bool:
    """Pagefind's filter and meta files (and the entry file naming them) differ between
    two runs over the same pages: it writes hash maps in no fixed order. Index chunks and
    fragments, named by their content, are stable."""
    name = path.rsplit("/", 1)[-1]
    return path.startswith("pagefind/") and (
        "/filter/" in path or name.endswith(".pf_meta") or name == "pagefind-entry.json")


def assert_same_site(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    stable_a = {k: v for k, v in ta.items() if not _unordered(k)}
    stable_b = {k: v for k, v in tb.items() if not _unordered(k)}
    assert sorted(set(stable_a) ^ set(stable_b)) == []
    differ = [path for path in stable_a if stable_a[path] != stable_b[path]]
    assert differ == []
    # the unordered files exist in the same number per bundle
    count = lambda t: sorted(k.rsplit("/", 1)[0] + ("/filter" if "/filter/" in k else "") for k in t if _unordered(k))
    assert count(ta) == count(tb)
    assert any("/fragment/" in k for k in stable_a)


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_PAGES", 4)


def edit_case(project: Path, case_id: str, old: str, new: str) -> None:
    path = project / "cases_public" / f"{case_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    try:
        approve_all(project / "cases_public", "测试")  # edited cases are published once approved
    except InputError:
        pass                                          # edited into an error: the build says so


def test_changed_case_rebuilds_a_few_pages_and_matches_a_clean_build(tmp_path, small_shards):
    project = tmp_path / "inc"
    shutil.copytree(MINI, project)
    first = build_site(project, progress=False)
    assert first.shards_rebuilt > 2 and first.scanned == first.files
    assert (project / "site" / "pagefind" / "shard-1" / "pagefind-entry.json").is_file()

    edit_case(project, "2024-0001", "网约车车辆必须取得运输证", "网约车车辆必须依法取得运输证")
    second = build_site(project, progress=False)
    assert 1 <= second.rendered <= 3, second.rendered         # the case page (+ pages quoting its text)
    assert second.shards_rebuilt < first.shards_rebuilt
    assert second.scanned < first.files // 4
    assert "必须依法取得运输证" in (project / "site" / "cases" / "2024-0001" / "index.html").read_text("utf-8")
    assert second.mkdocs_skipped            # written from the theme shells of the first build

    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", ".pufa-cache"))
    build_site(clean, progress=False, incremental=False)
    assert_same_site(project / "site", clean / "site")


def test_removed_and_added_cases_match_a_clean_build(tmp_path, small_shards):
    project = tmp_path / "inc"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    (project / "cases_public" / "2023-0004.yaml").unlink()
    text = (project / "cases_public" / "2024-0002.yaml").read_text(encoding="utf-8")
    (project / "cases_public" / "2024-0009.yaml").write_text(
        text.replace("2024-0002", "2024-0009").replace("0002号", "0009号"), encoding="utf-8")
    approve_all(project / "cases_public", "测试")
    again = build_site(project, progress=False)
    assert not again.mkdocs_skipped         # the set of pages changed: the sitemap with it
    assert not (project / "site" / "cases" / "2023-0004").exists()
    assert (project / "site" / "cases" / "2024-0009" / "index.html").is_file()

    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", ".pufa-cache"))
    build_site(clean, progress=False, incremental=False)
    assert_same_site(project / "site", clean / "site")


def test_nothing_changed_reads_almost_nothing_again(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    before = tree(project / "site")
    again = build_site(project, progress=False)
    assert again.rendered == 0 and again.shards_rebuilt == 0
    # mkdocs rewrites 404.html and the sitemaps every time; the shard list is rewritten too
    assert again.scanned <= 4, again.scanned
    assert tree(project / "site") == before


def test_published_site_is_not_touched_by_the_next_build_before_its_swap(tmp_path):
    """The published files are hard links into the cache: a page mkdocs rewrites must be
    a new file, or the live site would change before the leak gate ran."""
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    old_site = project / "site-before"
    (project / "site").rename(old_site)
    shutil.copytree(old_site, project / "site")          # what the next swap will move aside
    before = tree(old_site)
    edit_case(project, "2024-0001", "网约车车辆必须取得运输证", "网约车车辆必须依法取得运输证")
    build_site(project, progress=False)
    assert tree(old_site) == before


def test_leak_found_in_an_edit_is_caught_although_the_rest_is_cached(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    before = tree(project / "site")
    edit_case(project, "2024-0001", "网约车车辆必须取得运输证", "网约车车辆必须取得运输证，联系电话13812345678")
    with pytest.raises(LeakError) as caught:
        build_site(project, progress=False)
    assert "cases/2024-0001/index.html" in str(caught.value)
    assert tree(project / "site") == before
    # still caught on the next try: a refused file is never remembered as clean
    with pytest.raises(LeakError):
        build_site(project, progress=False)


def test_corrupt_state_means_a_full_build(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    first = build_site(project, progress=False)
    (project / ".pufa-cache" / "state" / "manifest.json").write_text("{not json", encoding="utf-8")
    again = build_site(project, progress=False)
    assert again.rendered == first.rendered and again.scanned == again.files


def test_search_finds_cases_in_every_shard(tmp_path, small_shards, phone_page):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    shards = [p for p in (project / "site" / "pagefind").rglob("pagefind-entry.json")]
    assert len(shards) > 2
    server = make_server(project / "site")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        phone_page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q=罚款")
        phone_page.wait_for_selector(".pufa-search__results li", timeout=15000)
        hrefs = phone_page.locator(".pufa-result a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        found = {h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs if "/cases/" in h}
        expected = {p.stem for p in (project / "cases_public").glob("*.yaml") if "罚款" in p.read_text("utf-8")}
        assert len(expected) == 3
        assert found == expected
        assert phone_page.console_errors == []
    finally:
        server.shutdown()
        server.server_close()


def with_site_url_and_awkward_titles(project: Path) -> None:
    """A published project (canonical URLs on every page) whose titles hold every
    character that HTML escaping, tag stripping or URL encoding would change."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("# site_url:", "site_url:"), encoding="utf-8")
    for case_id in ("2024-0001", "2024-0002"):
        path = project / "cases_public" / f"{case_id}.yaml"
        text = path.read_text("utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        path.write_text(text.replace(title, title + " <b>&amp; \"引号\" 'x' %20</b>"), encoding="utf-8")
    approve_all(project / "cases_public", "测试")


@pytest.mark.parametrize("awkward", [False, True], ids=["mini", "site-url-and-awkward-titles"])
def test_theme_chrome_cached_per_folder_is_byte_identical(tmp_path, monkeypatch, awkward):
    """overrides/main.html reuses the nav/config/footer HTML of pages in one folder, and
    whole page shells once proven (mkdocs_hooks.py); rendering every page in full gives
    the same site."""
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    shutil.copytree(MINI, cached)
    if awkward:
        with_site_url_and_awkward_titles(cached)
    shutil.copytree(cached, fresh)
    build_site(cached, progress=False)
    monkeypatch.setenv("PUFA_NO_BLOCK_CACHE", "1")
    build_site(fresh, progress=False)
    assert_same_site(cached / "site", fresh / "site")


def test_leak_gate_reads_chrome_once_and_sees_the_same_text(tmp_path):
    """The leak gate converts Material's nav and footer once per distinct copy; the page
    text it scans must be exactly what converting the whole page gives."""
    from generator.site.leakgate import _Scanner, readable_html
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    site = project / "site"
    scanner = _Scanner(site, project, ())
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert scanner.readable(html) == readable_html(html), page
    assert 0 < len(scanner.chrome) < len(pages)


def test_case_edited_into_an_error_is_reported_although_it_was_cached(tmp_path):
    """Parsed cases are reused between builds (.pufa-cache/cases.json); a changed file is
    parsed again, so its new problem is reported like in a first build."""
    from generator.errors import InputError
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    assert (project / ".pufa-cache" / "cases.json").is_file()
    edit_case(project, "2024-0001", "date: '2024-03-05'", "date: '2024-13-45'")
    with pytest.raises(InputError) as caught:
        build_site(project, progress=False)
    assert "2024-0001.yaml:5: date:" in str(caught.value)


def test_rebuild_from_shells_with_site_url_and_awkward_titles_matches_a_clean_build(tmp_path, small_shards):
    project = tmp_path / "inc"
    shutil.copytree(MINI, project)
    with_site_url_and_awkward_titles(project)
    build_site(project, progress=False)
    path = project / "cases_public" / "2024-0002.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("facts: ", "facts: 经查，", 1), encoding="utf-8")
    approve_all(project / "cases_public", "测试")
    again = build_site(project, progress=False)
    assert again.mkdocs_skipped             # only the case page changed: written from its shell
    html = (project / "site" / "cases" / "2024-0002" / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://example.gov.cn/pufa/cases/2024-0002/">' in html
    assert "&lt;b&gt;&amp;amp; &#34;引号&#34;" in html and "经查，" in html

    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", ".pufa-cache"))
    build_site(clean, progress=False, incremental=False)
    assert_same_site(project / "site", clean / "site")


def test_shared_input_changed_renders_every_page_again(tmp_path):
    """Pages are re-rendered only when their view changed; a cited article's text is in
    the view of every case page citing it, so editing it matches a clean build."""
    project = tmp_path / "inc"
    shutil.copytree(MINI, project)
    first = build_site(project, progress=False)
    law = project / "data" / "laws" / "daolu-yunshu-tiaoli-2023.md"
    text = law.read_text("utf-8")
    old = "由县级以上地方人民政府交通运输主管部门责令停止经营，并处罚款"
    assert old in text
    law.write_text(text.replace(old, old.replace("并处罚款", "并处以罚款"), 1), encoding="utf-8")
    again = build_site(project, progress=False)
    assert again.rendered > 1
    assert "并处以罚款" in (project / "site" / "cases" / "2023-0004" / "index.html").read_text("utf-8")

    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", ".pufa-cache"))
    build_site(clean, progress=False, incremental=False)
    assert_same_site(project / "site", clean / "site")


def test_generated_front_matter_reads_as_mkdocs_reads_it(tmp_path):
    """mkdocs_hooks.split_generated reads a generated page's front matter with json
    instead of PyYAML: it must give what mkdocs' own get_data gives, or decline."""
    from mkdocs.utils.meta import get_data

    from generator.site.build import page_markdown
    from generator.site.mkdocs_hooks import split_generated
    from generator.site.pages import Page
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    docs = sorted((project / ".pufa-cache" / "state" / "docs").rglob("*.md"))
    assert len(docs) > 30
    awkward = ['标题 "引号" \\ 反斜杠 <b>&amp;</b>', "tab\there", "line\nbreak", "# not a comment", "yes", "1.5",
               "- list", "{braces}", "key: value", "'single'", "\u00a0nbsp", "emoji 🚗"]
    texts = [p.read_text("utf-8") for p in docs]
    texts += [page_markdown(Page("cases/x.md", title, "<p>正文</p>", description=title)) for title in awkward]
    for text in texts:
        parsed = split_generated(text)
        assert parsed is not None, text[:200]
        assert parsed == get_data(text), text[:200]
    assert split_generated("---\ntitle: 标题\n---\n\n正文") is None          # not generated by pufa
    assert split_generated("# 标题\n\n正文") is None


def test_deny_list_changes_are_seen_and_no_compiled_copy_is_read(tmp_path):
    """The leak gate builds the deny list's automaton in memory; a value added to the list
    is found by the next check, and a compiled copy left by an older pufa (a pickle,
    which would run code) is never read."""
    from generator.privacy.leaks import Denylist, save_denylist
    from generator.site import leakgate
    project = tmp_path / "p"
    (project / ".pufa-private").mkdir(parents=True)
    first = Denylist()
    first.add("other", "丙丁戊己庚")                 # nothing the detectors find by themselves
    save_denylist(project, first)
    planted = project / ".pufa-private" / ("denylist.txt" + leakgate._COMPILED_SUFFIX)
    planted.write_bytes(b"cos\nsystem\n(S'touch " + str(tmp_path / "ran").encode() + b"'\ntR.")
    assert [f.kind for f in leakgate._detector(project)("见丙丁戊己庚处")] == ["other"]
    assert leakgate._detector(project)("见辛壬癸甲乙处") == []
    second = Denylist()
    second.add("other", "丙丁戊己庚")
    second.add("other", "辛壬癸甲乙")
    save_denylist(project, second)
    assert [f.kind for f in leakgate._detector(project)("见辛壬癸甲乙处")] == ["other"]
    assert not (tmp_path / "ran").exists()


def test_sync_tree_keeps_same_files_and_replaces_the_rest(tmp_path):
    """A re-indexed shard reaches the disk as its differences: same bytes keep their
    inode (the published site shares it), other files are new inodes, never rewritten."""
    old, new = tmp_path / "old", tmp_path / "new"
    for root, files in ((old, {"fragment/a.pf_fragment": b"A", "fragment/b.pf_fragment": b"B",
                               "gone/x.pf_index": b"X", "entry.json": b"{1}"}),
                        (new, {"fragment/a.pf_fragment": b"A", "fragment/b.pf_fragment": b"b",
                               "fragment/c.pf_fragment": b"C", "entry.json": b"{2}"})):
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
    inode = lambda rel: (old / rel).stat().st_ino
    kept, changed = inode("fragment/a.pf_fragment"), inode("fragment/b.pf_fragment")
    published = tmp_path / "published-b"
    os.link(old / "fragment/b.pf_fragment", published)       # as the live site holds it
    assert shards.sync_tree(new, old) == 3
    assert tree(old) == tree(new)
    assert inode("fragment/a.pf_fragment") == kept
    assert inode("fragment/b.pf_fragment") != changed
    assert not (old / "gone").exists()
    assert published.read_bytes() == b"B"


def test_leak_in_an_edit_is_caught_after_site_was_deleted(tmp_path):
    """With site/ deleted, a replaced page's old file has no other link: the new file may
    get its inode number back, which must not pass for the file the gate saw before."""
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    shutil.rmtree(project / "site")
    shutil.rmtree(project / ".pufa-cache" / "state" / "retired-site", ignore_errors=True)
    edit_case(project, "2024-0001", "网约车车辆必须取得运输证", "网约车车辆必须取得运输证，联系电话13812345678")
    with pytest.raises(LeakError) as caught:
        build_site(project, progress=False)
    assert "cases/2024-0001/index.html" in str(caught.value)
    assert not (project / "site").exists()


def test_a_new_title_rebuilds_the_shards_of_the_pages_showing_it(tmp_path, small_shards):
    """A new title changes the related cases' pages (their cards) in other shards."""
    project = tmp_path / "inc"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    text = (project / "cases_public" / "2024-0001.yaml").read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    edit_case(project, "2024-0001", title, title + "（二审）")
    again = build_site(project, progress=False)
    assert again.shards_rebuilt > 1

    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site", ".pufa-cache"))
    build_site(clean, progress=False, incremental=False)
    assert_same_site(project / "site", clean / "site")


def test_a_rebuild_does_not_import_pypinyin(tmp_path):
    """Slugs seen by an earlier build come from its memo (0.17 s of imports saved); a memo
    from other slug code is ignored."""
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    build_site(project, progress=False)
    memo = project / ".pufa-cache" / "slugs.json"
    assert memo.is_file()
    script = ("import sys; from pathlib import Path; from generator.site.build import build_site; "
              f"build_site(Path({str(project)!r}), progress=False); print('pypinyin' in sys.modules)")
    run = lambda: subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                 cwd=Path(__file__).parent.parent).stdout.strip()
    assert run() == "False"
    before = tree(project / "site")
    memo.write_text('{"key": "other code", "slugs": {"网约车": "wrong"}}', encoding="utf-8")
    assert run() == "True"
    assert tree(project / "site") == before
