"""The leak gate: nothing personal and nothing loaded from outside leaves the build.

`check_site(site_dir)` reads every output file (HTML, JS, CSS, JSON, XML, the Pagefind
index and fragments, which are gzip-compressed and decompressed here first) and reports

* personal data: `generator.privacy.leaks.find_leaks` (the detectors plus the project's
  private deny list of every datum an import ever removed);
* outside references: a resource the browser would load, or a link it would follow, on a
  host other than 127.0.0.1/localhost (or the site's own `site_url` host): `src=`,
  `href=`, `srcset=`, `poster=`, `action=`, CSS `url()`/`@import`, JS `fetch()`/
  `import()`/`importScripts()`/`new Worker()`/`.src =`. Outside addresses may appear in
  page text, never as a link or a resource.

Findings print as `file:line: kind: masked-sample`; the datum itself is never printed.
"""
from __future__ import annotations

import bisect
import gzip
import os
import re
import zlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import filterfalse
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

LOCAL_HOSTS = ("127.0.0.1", "localhost")
TEXT_SUFFIXES = {".html", ".htm", ".js", ".mjs", ".css", ".json", ".xml", ".txt", ".svg", ".vtt", ".srt",
                 ".md", ".webmanifest", ".csv", ".yaml", ".yml", ".map"}
GZIP_SUFFIXES = {".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter", ".gz"}
WEB_SUFFIXES = {".html", ".htm", ".js", ".mjs", ".css", ".svg"}

# Outside references are found from the URL backwards: every '//' is a candidate (a
# literal search, fast), and the few characters before it say whether it is loaded.
_CANDIDATE = re.compile(r"""//[^\s"'<>)`\\]+""")   # literal prefix: fast scan
_CONTEXTS = [
    ("html-attribute", re.compile(r"""(?<![\w-])(?:src|href|srcset|poster|action|formaction|data|xlink:href|background)\s*=\s*["']?\s*$""", re.I)),
    ("html-attribute", re.compile(r"""\ssrcset\s*=\s*["'][^"']*,\s*$""", re.I)),
    ("css-url", re.compile(r"""url\(\s*["']?\s*$""", re.I)),
    ("css-import", re.compile(r"""@import\s+["']\s*$""", re.I)),
    ("script-load", re.compile(r"""(?:fetch|import|importScripts|Worker|SharedWorker|EventSource|WebSocket|sendBeacon)\s*\(\s*["'`]\s*$""")),
    ("script-src", re.compile(r"""\.(?:src|href)\s*=\s*["'`]\s*$""")),
]
_LOOKBACK = 60


@dataclass(frozen=True)
class LeakFinding:
    file: str
    line: int
    kind: str          # a personal-data kind (phone, id_number, …) or 'outside:<how>'
    sample: str        # masked: never the datum in full

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.sample}"


@dataclass
class LeakReport:
    findings: list[LeakFinding] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self, limit: int = 50) -> str:
        if self.ok:
            return f"leak gate: {self.files} files checked, no personal data, no outside references"
        lines = [str(f) for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"… and {len(self.findings) - limit} more")
        lines.append(f"leak gate: {len(self.findings)} finding(s) in {self.files} files checked")
        return "\n".join(lines)


def mask(text: str) -> str:
    """'13812345678' → '13*********'; '王小明' → '王**': enough to find it, not to read it."""
    text = " ".join(text.split())
    keep = 1 if len(text) <= 4 else min(3, len(text) // 4)
    return text[:keep] + "*" * (len(text) - keep)


def _detector(project_root: Path | None) -> Callable[[str], list]:
    """find_leaks with the project's deny list where the privacy module has it.

    The deny list of a project that imported 10,000 rows holds ~100,000 values: reading
    it and building its automaton takes about a second, so one is kept per deny-list
    file version and process (a build checks twice; forked workers inherit it)."""
    try:
        from ..privacy.leaks import denylist_path, find_leaks, load_denylist
    except ImportError:
        from ..privacy.detect import scan_text
        return scan_text
    if project_root is None:
        return lambda text: find_leaks(text, None)
    path = denylist_path(Path(project_root))
    try:
        # By content: a list replaced with `cp -p` keeps size and mtime (and `pufa serve`
        # lives across many builds).
        import hashlib
        version = (str(path.resolve()), hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
    except FileNotFoundError:
        version = (str(path), "")
    cached = _DETECTORS.get(version)
    if cached is None:
        denylist = _compiled_denylist(path, version, lambda: load_denylist(project_root))
        cached = _DETECTORS[version] = lambda text: find_leaks(text, denylist)
        while len(_DETECTORS) > 4:
            _DETECTORS.pop(next(iter(_DETECTORS)))
    return cached


_DETECTORS: dict[tuple, Callable[[str], list]] = {}
_COMPILED_SUFFIX = ".compiled.pickle"     # what older pufa kept beside the list; never read (pickle runs code)


def _compiled_denylist(path: Path, version: tuple, load: Callable):
    """The deny list with its automaton built once per process and list version. It is
    not kept on disk: the only fast format for it was pickle, and a planted pickle runs
    code as the user who builds."""
    denylist = load()
    denylist.find("预热")                         # builds the automaton now, before any fork
    return denylist


def read_text(path: Path) -> str | None:
    """The text of an output file, decompressed where needed; None for binary files."""
    suffix = path.suffix.lower()
    if suffix in GZIP_SUFFIXES:
        raw = path.read_bytes()
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            pass
        # Pagefind's index chunks are CBOR: strings stay UTF-8 inside, which is what we scan.
        return raw.decode("utf-8", errors="replace")
    if suffix in TEXT_SUFFIXES:
        return path.read_bytes().decode("utf-8", errors="replace")
    return None


# What a person reads in an HTML page: text and a few attributes. SVG drawings, CSS and
# markup are blanked (same length, newlines kept, so line numbers stay right): icon path
# data like "0 3 1.4 5…" is not a phone number.
_TAG = re.compile(r"<[^>]*>", re.S)


def _newlines(match: re.Match) -> str:
    return "\n" * match.group(0).count("\n") or " "


def readable_html(html: str) -> str:
    """Page text for the personal-data scan. Offsets move but line numbers stay right:
    every removed piece keeps its newlines. Readable attribute values are turned into
    text (`title="X"` → `title=">X<"`) before the tags go."""
    text = _blank_blocks(html)
    text = _lift_readable_attributes(text)
    # Block tags separate (a table of numbers must not read as one bank card number);
    # inline tags vanish, as they do on screen ('138<b>1234</b>5678' is one number).
    text = _BLOCK_TAG.sub(" | ", text)
    text = _ONE_LINE_TAG.sub("", text)            # C speed for the common case
    return _TAG.sub(_newlines, text)


_BLOCKS = (("<svg", "</svg>"), ("<style", "</style>"), ("<!--", "-->"))


def _blank_blocks(html: str) -> str:
    """Drop SVG drawings, CSS and comments, keeping their newlines (str.find: fast)."""
    lower = html.lower() if any(tag.upper() in html for tag, _ in _BLOCKS[:2]) else html
    cuts: list[tuple[int, int]] = []
    for opening, closing in _BLOCKS:
        start = lower.find(opening)
        while start >= 0:
            end = lower.find(closing, start)
            end = len(html) if end < 0 else end + len(closing)
            cuts.append((start, end))
            start = lower.find(opening, end)
    if not cuts:
        return html
    cuts.sort()
    out, last = [], 0
    for start, end in cuts:
        if start < last:                           # a comment inside an svg, etc.
            start = last
        if end <= last:
            continue
        out.append(html[last:start])
        out.append("\n" * html.count("\n", start, end))
        last = end
    out.append(html[last:])
    return "".join(out)


_ATTR_VALUE = re.compile(r'="([^"]*)"')             # literal prefix: fast scan
_READABLE_NAMES = frozenset({"alt", "title", "content", "aria-label", "placeholder", "value", "label"})
# Where a readable attribute's '="' can be: right after one of the names (aria-label ends
# in label) or after a space, or within 40 characters after 'data-pagefind-'. Supersets,
# matched without regard to case (each place is then checked exactly as the rule below
# says). Both start with a literal, which `re` searches for at C speed ('data-pagefind-'
# in any case is found from its first '-': only ASCII letters lower() to these).
_READABLE_VALUE = re.compile(r'="(?:(?<=alt=")|(?<=title=")|(?<=content=")|(?<=label=")|(?<=placeholder=")'
                             r'|(?<=value=")|(?<=\s="))', re.I)
_PAGEFIND_KEY = re.compile("-(?<=[Dd][Aa][Tt][Aa]-)[Pp][Aa][Gg][Ee][Ff][Ii][Nn][Dd]-")


def _lift_readable_attributes(text: str) -> str:
    """Every attribute value `="…"` (as _ATTR_VALUE.finditer reads the page) whose key —
    the last word in the 40 characters before it — is a readable name becomes text.

    A page has hundreds of attribute values and a handful of readable ones, so only the
    places _READABLE_VALUE and _PAGEFIND_KEY find are looked at; `_opens_value` tells
    whether the finditer
    would have read a value starting there."""
    places = {match.start() for match in _READABLE_VALUE.finditer(text)}
    for match in _PAGEFIND_KEY.finditer(text):
        key = match.start() - 4
        at = text.find('="', key + 14, key + 42)
        while at >= 0:
            places.add(at)
            at = text.find('="', at + 1, key + 42)
    out, last, opened = [], 0, {}
    for at in sorted(places):
        if not _opens_value(text, at + 1, opened):
            continue
        close = text.find('"', at + 2)
        if close < 0:
            break                   # no value here, nor anywhere after
        before = text[max(0, at - 40):at].split()
        key = before[-1].lower() if before else ""
        if key in _READABLE_NAMES or key.startswith("data-pagefind-"):
            out.append(text[last:at])
            out.append('=">' + text[at + 2:close] + '<"')
            last = close + 1
    out.append(text[last:])
    return "".join(out)


def _opens_value(text: str, quote: int, opened: dict[int, bool]) -> bool:
    """Whether the '"' at `quote` (which follows a '=') opens a value when _ATTR_VALUE
    reads the text from the start, given a closing quote somewhere after it.

    A value `="…"` holds exactly two quotes, so a quote after '=' opens one unless the
    quote before it opened one (then it closes that value). Quotes before, back to one
    not after '=', decide it; `opened` remembers them (no quadratic walks on odd input)."""
    chain = [quote]
    while True:
        before = text.rfind('"', 0, chain[-1])
        if before < 1 or text[before - 1] != "=":
            opens = False           # no quote before, or one that opens nothing
            break
        if before in opened:
            opens = opened[before]
            break
        chain.append(before)
    for at in reversed(chain):
        opens = not opens
        opened[at] = opens
    return opens


_ONE_LINE_TAG = re.compile(r"<[^>\n]*>")
_BLOCK_NAMES = ("p", "div", "td", "th", "tr", "li", "dt", "dd", "br", "hr", "section", "article", "table", "thead",
                "tbody", "ul", "ol", "dl", "nav", "header", "footer", "label", "option", "select", "button", "form",
                "main", "aside", "figure", "figcaption", "blockquote", "details", "summary", "caption", "meta",
                "title", "link", "script", "input", "img")


def _prefix_tree(words: Iterable[str]) -> str:
    """A regex alternation of `words` that shares their prefixes ('t(?:d|h(?:ead)?|…)'):
    the same words, but `re` tries a handful of branches at each '<' instead of forty
    (a third of readable_html's time)."""
    branches: dict[str, list[str]] = {}
    whole = False
    for word in words:
        if word:
            branches.setdefault(word[0], []).append(word[1:])
        else:
            whole = True
    parts = [re.escape(first) + _prefix_tree(rests) for first, rests in branches.items()]
    if len(parts) == 1 and not whole:
        return parts[0]
    return f"(?:{'|'.join(parts)})" + ("?" if whole else "") if parts else ""


_BLOCK_TAG = re.compile(rf"</?(?:h[1-6]|{_prefix_tree(_BLOCK_NAMES)})\b[^>\n]*>", re.I)


_VENDOR_PAGEFIND = re.compile(r"^pagefind/(?:pagefind[\w.-]*\.(?:js|css)|wasm\.[\w-]+\.pagefind)$")


@lru_cache(maxsize=1)
def vendor_digests() -> frozenset[str]:
    """SHA-256 of the files that the theme and pufa itself ship (identical copies in the
    output are code, not content, so they cannot carry a record's personal data)."""
    import hashlib
    import material
    roots = [Path(material.__file__).parent / "templates" / "assets", Path(__file__).parent / "assets"]
    digests = set()
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return frozenset(digests)


def _is_vendor(path: Path, relative: str, digests: set[str]) -> bool:
    import hashlib
    if _VENDOR_PAGEFIND.match(relative):
        return True
    if path.suffix.lower() in {".js", ".css", ".map"}:
        return hashlib.sha256(path.read_bytes()).hexdigest() in digests
    return False


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


_HOST = re.compile(r"^(?:https?:)?//(?:[^@/?#]*@)?([a-z0-9.-]+\.[a-z]{2,}|localhost|\d+\.\d+\.\d+\.\d+)(?::\d+)?(?:[/?#]|$)", re.I)


def _host(url: str) -> str:
    """The host of an absolute or protocol-relative URL; '' when it is not a plausible one
    (a JS comment '// …', a regex)."""
    match = _HOST.match(url)
    return match.group(1).lower() if match else ""


def outside_references(text: str, allowed_hosts: Iterable[str] = ()) -> list[tuple[int, str, str]]:
    """(offset, how, url) of each reference to an outside host in HTML/CSS/JS text."""
    allowed = set(LOCAL_HOSTS) | set(allowed_hosts)
    out = []
    for match in _CANDIDATE.finditer(text):
        start = match.start()
        scheme = re.search(r"https?:$", text[max(0, start - 6):start], re.I)
        if scheme:
            start -= len(scheme.group(0))
        url = text[start:match.end()]
        host = _host(url)
        if not host or host in allowed:
            continue
        before = text[max(0, start - _LOOKBACK):start]
        for how, context in _CONTEXTS:
            if context.search(before):
                if not (how == "html-attribute" and _official_link(host, before)):
                    out.append((start, how, url))
                break
    return out


_ANCHOR_HREF = re.compile(r"""<a\s[^<>]*?\bhref\s*=\s*["']?\s*$""", re.I)


def _official_link(host: str, before: str) -> bool:
    """A plain `<a href>` to a government site (gov.cn): law pages point to the official
    text of a law the site does not hold. Followed only on a click, nothing is loaded."""
    return (host == "gov.cn" or host.endswith(".gov.cn")) and bool(_ANCHOR_HREF.search(before))


def _hosts_from_sitemap(site_dir: Path) -> tuple[str, ...]:
    """The site's own host (mkdocs site_url) as written in sitemap.xml, if any."""
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.exists():
        return ()
    match = re.search(r"<loc>\s*(https?://[^<\s]+)", sitemap.read_text(encoding="utf-8", errors="replace"))
    host = urlsplit(match.group(1)).hostname if match else None
    return (host,) if host else ()


class _Scanner:
    """Scans one file; built once per worker process (detector, deny list, digests)."""

    def __init__(self, site_dir: Path, root: Path, hosts: tuple[str, ...]):
        self.site_dir, self.hosts = site_dir, hosts
        self.detect = _detector(root)
        from ..privacy.second_line import combine   # the second line (issue 14)
        self.detect_page = combine(self.detect)
        self.digests = vendor_digests()
        self.cache: dict[str, list[tuple[str, str]]] = {}
        self.flagged: set[str] = set()      # the lines whose cache entry is not empty
        self.chrome: dict[str, str] = {}
        self.chrome_lines: dict[str, list[tuple[int, str, str]]] = {}   # part → findings of its inner lines
        self.prefix = str(site_dir) + os.sep

    def shown(self, path: Path) -> str:
        """The path as reported: relative to the site, with '/'. A string prefix answers
        for files under the site without pathlib's part-by-part work (~40 µs a file)."""
        text = str(path)
        if text.startswith(self.prefix):
            return text[len(self.prefix):].replace(os.sep, "/")
        return path.relative_to(self.site_dir).as_posix() if path.is_relative_to(self.site_dir) else text

    def scan(self, path: Path) -> list[LeakFinding]:
        text = read_text(path)
        if text is None:
            return []
        shown = self.shown(path)
        suffix = path.suffix.lower()
        found: list[LeakFinding] = []
        if not _is_vendor(path, shown, self.digests):
            if suffix in (".html", ".htm"):
                found.extend(self._scan_page(shown, text))
            else:
                for finding in (self.detect_page if suffix in SECOND_LINE_SUFFIXES else self.detect)(text):
                    found.append(LeakFinding(shown, _line_at(text, finding.start), finding.kind, mask(finding.text)))
        if suffix in WEB_SUFFIXES:
            for offset, how, url in outside_references(text, self.hosts):
                found.append(LeakFinding(shown, _line_at(text, offset), f"outside:{how}", _mask_url(url)))
        return found

    def readable(self, html: str) -> str:
        """readable_html, with the theme's chrome around a page's content converted once:
        the nav sidebars and the footer/config/scripts are the same on every page of a
        folder (a third of a case page). The cut points are tags of Material's own markup
        (record text is escaped, so it cannot hold them), outside any tag, attribute or
        SVG/style/comment block, so converting the parts gives the same text."""
        cuts = _chrome_cuts(html)
        if cuts is None:
            return readable_html(html)
        nav_at, content_at, footer_at = cuts
        parts = [readable_html(html[:nav_at]), self._chrome(html[nav_at:content_at]),
                 readable_html(html[content_at:footer_at]), self._chrome(html[footer_at:])]
        return "".join(parts)

    def _chrome(self, part: str) -> str:
        text = self.chrome.get(part)
        if text is None:
            text = readable_html(part)
            if len(self.chrome) < 4096:
                self.chrome[part] = text
        return text

    def _scan_page(self, shown: str, html: str) -> list[LeakFinding]:
        """`_scan_lines(shown, self.readable(html))`, without going through the chrome's
        lines one by one on every page: a chrome part's inner lines (all but its first
        and last, which join the neighbouring parts' lines) are looked up once, when the
        part is first seen, and their findings kept with the part. Later pages with the
        same part report those findings, which is what the line cache would answer for
        each of its lines (tests/test_leakgate_fast_path.py compares with a plain scan)."""
        cuts = _chrome_cuts(html)
        if cuts is None:
            return self._scan_lines(shown, readable_html(html))
        nav_at, content_at, footer_at = cuts
        lines: list[str] = [""]
        blocks: list[tuple[int, list[tuple[int, str, str]]]] = []      # (first line index, findings)
        first_sight: list[tuple[str, int, int]] = []                   # (part, first line index, count)
        for part, chrome in ((html[:nav_at], False), (html[nav_at:content_at], True),
                             (html[content_at:footer_at], False), (html[footer_at:], True)):
            text = self._chrome(part) if chrome else readable_html(part)
            pieces = text.split("\n")
            lines[-1] += pieces[0]                     # a part's first line continues the line before
            if len(pieces) == 1:
                continue
            inner = len(pieces) - 2
            known = self.chrome_lines.get(part) if chrome else None
            if known is not None:
                blocks.append((len(lines), known))
                lines.extend([""] * inner)             # placeholders: never looked up
            else:
                if chrome and inner:
                    first_sight.append((part, len(lines), inner))
                lines.extend(pieces[1:-1])
            lines.append(pieces[-1])
        normalised = _SPACE_RUNS.sub(" ", "\n".join(map(str.strip, lines))).split("\n")
        found = self._scan_normalised(shown, normalised)
        for start, known in blocks:
            found.extend(LeakFinding(shown, start + i + 1, kind, sample) for i, kind, sample in known)
        for part, start, count in first_sight:
            inner_lines = normalised[start:start + count]
            if len(self.chrome_lines) < 4096 and all(line in self.cache for line in inner_lines if line):
                self.chrome_lines[part] = [(i, kind, sample) for i, line in enumerate(inner_lines) if line
                                           for kind, sample in self.cache[line]]
        if blocks:
            found.sort(key=lambda f: f.line)
        return found

    def _scan_lines(self, shown: str, text: str) -> list[LeakFinding]:
        """Scan a page line by line, remembering each line's result: the theme's chrome and
        a case's card recur on thousands of pages and are scanned once. Uncached lines are
        scanned together in one call (context across lines is kept)."""
        # Each line stripped, runs of spaces inside it made one. Stripping first leaves
        # the few runs inside lines to collapse (the same lines: a run never spans '\n',
        # and a collapsed run is still whitespace), instead of every line's indent.
        lines = _SPACE_RUNS.sub(" ", "\n".join(map(str.strip, text.split("\n")))).split("\n")
        return self._scan_normalised(shown, lines)

    def _scan_normalised(self, shown: str, lines: list[str]) -> list[LeakFinding]:
        """_scan_lines on lines already stripped and with their space runs made one."""
        # Most lines were seen on earlier pages: set operations find the few new ones.
        new = set(filterfalse(self.cache.__contains__, set(lines)))
        new.discard("")
        found: list[LeakFinding] = []
        todo = [(i, line) for i, line in enumerate(lines) if line in new] if new else []
        if todo:
            joined = "\n".join(line for _, line in todo)
            starts, offset = [], 0
            for _, line in todo:
                starts.append(offset)
                offset += len(line) + 1
            per_line: dict[int, list[tuple[str, str]]] = {i: [] for i, _ in todo}
            for finding in self.detect_page(joined):
                k = bisect.bisect_right(starts, finding.start) - 1
                per_line[todo[k][0]].append((finding.kind, mask(finding.text)))
            for i, line in todo:
                if len(self.cache) < 500_000:
                    self.cache[line] = per_line[i]
                    if per_line[i]:
                        self.flagged.add(line)
                    else:
                        self.flagged.discard(line)
                found.extend(LeakFinding(shown, i + 1, kind, sample) for kind, sample in per_line[i])
        # Lines seen before report what they reported then; only those that had findings
        # (self.flagged, kept in step with the cache) need their line numbers.
        if not self.flagged.isdisjoint(lines):
            fresh = {i for i, _ in todo}
            for i, line in enumerate(lines):
                if line in self.flagged and i not in fresh:
                    found.extend(LeakFinding(shown, i + 1, kind, sample) for kind, sample in self.cache[line])
        found.sort(key=lambda f: f.line)
        return found


_NAV_MARK = '<div class="md-sidebar md-sidebar--primary"'
_CONTENT_MARK = '<div class="md-content" data-md-component="content">'
_FOOTER_MARK = '<footer class="md-footer">'


def _chrome_cuts(html: str) -> tuple[int, int, int] | None:
    """Offsets of Material's nav sidebar, content and footer in a page, each found once
    and in that order; None for any other page."""
    nav_at = html.find(_NAV_MARK)
    content_at = html.find(_CONTENT_MARK, nav_at)
    footer_at = html.rfind(_FOOTER_MARK)
    if nav_at < 0 or content_at < 0 or footer_at < content_at:
        return None
    if html.count(_NAV_MARK) != 1 or html.count(_CONTENT_MARK) != 1 or html.count(_FOOTER_MARK) != 1:
        return None
    return nav_at, content_at, footer_at


# Runs of spaces (not newlines) that a line's text collapses to one ' ': those of two or
# more, and a lone tab/ideographic/no-break space (a lone ' ' is already what it becomes).
_SPACE_RUNS = re.compile(r"[ \t\r\f\v\u3000\xa0]{2,}|[\t\r\f\v\u3000\xa0]")
_WORKER: _Scanner | None = None


def _init_worker(site_dir: Path, root: Path, hosts: tuple[str, ...]) -> None:
    global _WORKER  # one scanner per worker process, built once
    _WORKER = _Scanner(site_dir, root, hosts)


def _scan_chunk(paths: list[Path]) -> list[LeakFinding]:
    assert _WORKER is not None
    return [finding for path in paths for finding in _WORKER.scan(path)]


PARALLEL_FROM = 400        # files; below this, starting processes costs more than it saves
CHUNK = 100                # files a worker takes at a time


def check_site(site_dir: str | Path, cases_dir: str | Path | None = None, *,
               project_root: str | Path | None = None, allowed_hosts: Iterable[str] | None = None,
               workers: int | None = None, files: list[Path] | None = None) -> LeakReport:
    """Scan every file of a built site (and optionally the public case records).
    `files`: only these files of the site (an incremental build passes the files it has
    not scanned clean before); `LeakReport.files` still counts them only."""
    from ..errors import InputError
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise InputError.at(site_dir, "no built site here", hint="run 'pufa build' first or pass SITE_DIR")
    if not (site_dir / "index.html").is_file():
        # An empty or wrong folder would otherwise pass as "clean" with 0 files checked.
        raise InputError.at(site_dir, "no built site here (no index.html)", hint="run 'pufa build' first or pass SITE_DIR")
    root = Path(project_root) if project_root is not None else site_dir.resolve().parent
    hosts = tuple(allowed_hosts) if allowed_hosts is not None else _hosts_from_sitemap(site_dir)
    files = sorted(p for p in site_dir.rglob("*") if p.is_file()) if files is None else list(files)
    if cases_dir is not None:
        files += sorted(Path(cases_dir).glob("*.y*ml"))
    report = LeakReport(files=len(files))
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(files) < PARALLEL_FROM:
        scanner = _Scanner(site_dir, root, hosts)
        for path in files:
            report.findings.extend(scanner.scan(path))
        return _with_sources(report, site_dir, root)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    # Forked workers inherit the deny list's automaton and the vendor digests built here.
    _detector(root), vendor_digests()
    from ..privacy.second_line import warm
    warm()                       # the second line's dictionary, loaded once before the fork
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, mp_context=context,
                             initargs=(site_dir, root, hosts)) as pool:
        for found in pool.map(_scan_chunk, chunks):     # map keeps file order: stable reports
            report.findings.extend(found)
    return _with_sources(report, site_dir, root)


# Files whose text people read: the second line's passes run on them (not on code).
SECOND_LINE_SUFFIXES = {".pf_fragment", ".json", ".xml", ".txt", ".vtt", ".srt", ".md", ".csv", ".yaml", ".yml"}


def _with_sources(report: LeakReport, site_dir: Path, root: Path) -> LeakReport:
    return with_sources(report, site_dir, root, _detector(root))


# --- where each finding came from ----------------------------------------------------
# (was leakwhere.py, which imported this module while this module imported it)
#
# The page a personal-data finding is on (for a Pagefind search-index fragment, the page
# the fragment indexes) and the public record and field that hold the datum, so staff
# can fix it. Runs after the scan, on the few files that have findings: each is read
# again, the finding's datum found again by its line, kind and masked sample, and looked
# up in the project's records (cases_public/, transcripts/, data/).

MAX_LOCATED = 200


def with_sources(report, site_dir: Path, project_root: Path, detect: Callable) -> object:
    """The report with ' (page …; record …: field)' added to each personal finding."""
    from ..privacy.second_line import RecordIndex, combine, page_of
    # The first findings are the ones printed; a build with thousands of them has a
    # broken import to fix first, not thousands of fields to look up one by one.
    personal = [f for f in report.findings if not f.kind.startswith("outside:")][:MAX_LOCATED]
    if not personal:
        return report
    records = None
    detect = combine(detect)
    by_file: dict[str, list] = {}
    for finding in personal:
        by_file.setdefault(finding.file, []).append(finding)
    where: dict[int, str] = {}
    for shown, findings in by_file.items():
        path = site_dir / shown if not Path(shown).is_absolute() else Path(shown)
        if not path.is_file():
            path = project_root / shown
        text = read_text(path) if path.is_file() else None
        page = page_of(shown, text) if text is not None else ""
        raw: dict[tuple[int, str, str], str] = {}
        if text is not None:
            scanned = readable_html(text) if shown.endswith((".html", ".htm")) else text
            for found in detect(scanned):
                raw.setdefault((_line_at(scanned, found.start), found.kind, mask(found.text)), found.text)
        for finding in findings:
            datum = raw.get((finding.line, finding.kind, finding.sample))
            source = ""
            if datum:
                if records is None:
                    records = RecordIndex([project_root / "cases_public", project_root / "transcripts",
                                           project_root / "data"], project_root)
                source = records.source(datum)
            parts = ([f"page {page}"] if page else []) + ([f"record {source}"] if source else [])
            where[id(finding)] = f" ({'; '.join(parts)})" if parts else ""
    report.findings = [replace(f, sample=f.sample + where[id(f)]) if where.get(id(f)) else f
                       for f in report.findings]
    return report


def _mask_url(url: str) -> str:
    """Hosts are not personal: show the host, cut the rest."""
    scheme = url.split("//", 1)[0]
    return f"{scheme}//{_host(url)}/…"
