"""The leak gate's fast path finds exactly what the straightforward path finds.

A real built site (the mini project) gets planted personal data in every place the gate
reads: a case page's content, a line repeated on every page (so the memos answer for it),
attributes, a search fragment (gzip, with Pagefind's invisible separators), the open-data
CSV and a JSON file; the project's deny list holds one planted name. The gate as it runs
(`check_site`: chrome and line memos, literal prefilters before each pattern) is compared
with a scan that has none of them: every file read whole, every page scanned whole, every
pattern run. A speed-up that drops a finding fails here.
"""
from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.privacy import forms, second_line
from generator.privacy.leaks import find_leaks, load_denylist
from generator.privacy.planted import plant
from generator.site import leakgate as G

MINI = Path(__file__).parent / "data" / "mini-project"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    project = tmp_path_factory.mktemp("fast") / "mini"
    shutil.copytree(MINI, project)
    assert main(["build", "--project", str(project), "--quiet"]) == 0
    return project, project / "site"


def _planted(rng: random.Random, n: int) -> list[str]:
    """Planted data in its written forms, each in a sentence of its own."""
    from generator.privacy.planted import PLANTERS
    kinds = sorted(PLANTERS)
    return ["".join(plant(rng, kinds[i % len(kinds)])[1:][::-1]) for i in range(n)]


def _plant_site(project: Path, site: Path) -> None:
    rng = random.Random(15)
    private = project / ".pufa-private"
    private.mkdir(exist_ok=True)
    (private / "denylist.txt").write_text("name\t欧阳晓燕\nphone\t13912345678\n", encoding="utf-8")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    repeated = "当事人李建华驾驶车辆，联系电话13912345678"       # on every page: memo hits
    for n, page in enumerate(pages):
        html = page.read_text(encoding="utf-8")
        extra = "".join(f"<p>{text}</p>\n" for text in _planted(rng, 3)) if n % 3 == 0 else ""
        extra += f'<img alt="乘客欧阳晓燕" src="x.png"><span title="手机 139 1234 5678">x</span>' if n % 5 == 0 else ""
        html = html.replace('<footer class="md-footer">', f"<p>{repeated}</p>\n{extra}<footer class=\"md-footer\">", 1)
        # Inside the chrome (the same on every page of a folder: the chrome memo answers).
        html = html.replace('<footer class="md-footer">', '<footer class="md-footer">\n<p>车主张建国</p>\n'
                            '<p>联系电话：0531-8612 3456</p>\n', 1)
        page.write_text(html, encoding="utf-8")
    fragment = {"url": "/cases/x/", "content": "\u200b".join("当事人王建国称其身份证号" + _planted(rng, 1)[0]),
                "meta": {"title": "案例"}}
    fragments = site / "pagefind" / "fragment"
    fragments.mkdir(parents=True, exist_ok=True)
    (fragments / "zz_planted.pf_fragment").write_bytes(gzip.compress(json.dumps(fragment, ensure_ascii=False).encode()))
    (site / "planted.csv").write_text("kind,value,unit\nfine,2069000,元\nphone,13812345678,\n" +
                                      "\n".join(f"x,{t}," for t in _planted(rng, 6)) + "\n", encoding="utf-8")
    (site / "planted.json").write_text(json.dumps({"facts": _planted(rng, 6)}, ensure_ascii=False), encoding="utf-8")


def _straightforward(site: Path, root: Path) -> list[tuple[str, int, str, str]]:
    """Every file read whole, every page scanned whole in one call, no memo at all."""
    denylist = load_denylist(root)
    first = lambda text: find_leaks(text, denylist)  # noqa: E731
    both = second_line.combine(first)
    digests = G.vendor_digests()
    out = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        text = G.read_text(path)
        if text is None:
            continue
        shown = path.relative_to(site).as_posix()
        suffix = path.suffix.lower()
        if not G._is_vendor(path, shown, digests):
            if suffix in (".html", ".htm"):
                readable = G.readable_html(text)
                # Lines stripped, runs of spaces made one: what the gate reads (not a memo).
                page = G._SPACE_RUNS.sub(" ", "\n".join(line.strip() for line in readable.split("\n")))
                for f in both(page):
                    out.append((shown, G._line_at(page, f.start), f.kind, G.mask(f.text)))
            else:
                detect = both if suffix in G.SECOND_LINE_SUFFIXES else first
                for f in detect(text):
                    out.append((shown, G._line_at(text, f.start), f.kind, G.mask(f.text)))
        if suffix in G.WEB_SUFFIXES:
            for offset, how, url in G.outside_references(text, ()):
                out.append((shown, G._line_at(text, offset), f"outside:{how}", G._mask_url(url)))
    return out


def _fast(site: Path, root: Path) -> list[tuple[str, int, str, str]]:
    report = G.check_site(site, project_root=root, allowed_hosts=(), workers=1)
    # with_sources adds ' (page …; record …)' to a finding's sample: not part of what was found.
    return [(f.file, f.line, f.kind, f.sample.split(" (")[0]) for f in report.findings]


def test_the_fast_gate_finds_exactly_what_the_straightforward_scan_finds(site, monkeypatch):
    project, built = site
    _plant_site(project, built)
    fast = _fast(built, project)
    kinds = {kind for _, _, kind, _ in fast}
    # The planted data is found: the comparison is not between two empty lists.
    assert {"phone", "name?", "digits?"} <= kinds or {"phone", "name"} <= kinds, kinds
    assert len(fast) > 20
    # The straightforward path: no prefilter (every pattern runs on every text).
    monkeypatch.setattr(forms, "_has", lambda text, cues: True)
    monkeypatch.setattr(second_line, "_has", lambda text, cues: True)
    slow = _straightforward(built, project)
    assert sorted(set(fast)) == sorted(set(slow))
    assert len(fast) == len(slow)


def test_prefilters_do_not_change_findings_on_planted_text():
    rng = random.Random(7)
    texts = _planted(rng, 300) + ["出生于1985年3月", "现年35岁", "张三村3组12号", "华府12-3-1101",
                                  "其手机400-123-4567", "QQ号12345678", "微信号abc_12345", "驾驶执照号A1234567",
                                  "发动机号AB12345", "张小明先生", "欧阳·晓燕", "当事人张伟作为证人"]
    from generator.privacy.detect import scan_text
    fast = [(scan_text(t), second_line.scan(t)) for t in texts]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forms, "_has", lambda text, cues: True)
        patch.setattr(second_line, "_has", lambda text, cues: True)
        slow = [(scan_text(t), second_line.scan(t)) for t in texts]
    assert fast == slow
    assert sum(len(a) + len(b) for a, b in fast) > 300


def test_other_scripts_digit_class_is_exactly_the_digit_table():
    import sys
    from generator.privacy import detect
    pattern = detect._other_digits()        # written as ranges for speed
    found = {chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and pattern.fullmatch(chr(c))}
    assert found == {chr(c) for c in detect._OTHER_DIGITS}
