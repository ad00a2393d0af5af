"""Law references in records, and law texts parsed from `data/laws/*.md`."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}

LAW_TITLE_RE = re.compile(r"《([^《》]+)》")
ARTICLE_RE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条(?:之([一二三四五六七八九十]+))?")
ARTICLE_LINE_RE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?[ \u3000]+")


def chinese_number(text: str) -> int:
    """第三十四条 → 34. Accepts Arabic digits too."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in CN_DIGITS:
            current = CN_DIGITS[char]
        elif char in CN_UNITS:
            total += (current or 1) * CN_UNITS[char]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + current


@lru_cache(maxsize=8192)     # 10,000 cases cite a few hundred distinct articles, on every build
def article_key(article: str) -> str | None:
    """Stable key of an article reference: '第三十四条第一款' → '34', '第十条之一' → '10-1'."""
    match = ARTICLE_RE.search(article)
    if not match:
        return None
    key = str(chinese_number(match.group(1)))
    if match.group(2):
        key += f"-{chinese_number(match.group(2))}"
    return key


@dataclass(frozen=True)
class LegalBasis:
    """One citation: the law's title (without 《》) and the article as written (第三十四条…)."""

    law: str
    article: str

    @property
    def article_key(self) -> str | None:
        return article_key(self.article)

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


def parse_citation(text: str) -> list[LegalBasis]:
    """'《A》第三条、第五条，《B》第九条' → citations; raises ValueError without 《》."""
    text = text.strip()
    titles = list(LAW_TITLE_RE.finditer(text))
    if not titles:
        raise ValueError("a law must be written with its title in 《》, e.g. 《中华人民共和国道路运输条例》第六十三条")
    result: list[LegalBasis] = []
    for index, match in enumerate(titles):
        end = titles[index + 1].start() if index + 1 < len(titles) else len(text)
        tail = text[match.end():end]
        articles = [m.group(0) for m in re.finditer(r"第[零〇一二两三四五六七八九十百千\d]+条(?:之[一二三四五六七八九十]+)?(?:第[零〇一二三四五六七八九十\d]+款)?(?:第[（(][零〇一二三四五六七八九十\d]+[)）]项)?", tail)]
        if not articles:
            result.append(LegalBasis(match.group(1).strip(), ""))
        for article in articles:
            result.append(LegalBasis(match.group(1).strip(), article))
    return result


@dataclass
class Article:
    key: str          # '32', '10-1'
    label: str        # '第三十二条'
    text: str         # the article's paragraphs joined by newlines (label stripped)
    chapter: str = ""


@dataclass
class LawText:
    slug: str                # file stem, e.g. 'xingzheng-chufa-fa-2021'
    title: str               # 中华人民共和国行政处罚法
    history: list[str]
    articles: dict[str, Article] = field(default_factory=dict)

    @property
    def short_title(self) -> str:
        return self.title.removeprefix("中华人民共和国")


def parse_law_markdown(path: str | Path) -> LawText:
    """Parse the shared law format: '# title', history, '<!-- INFO END -->', chapters, articles."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError.at(path, "file is not UTF-8", line=raw[:exc.start].count(b"\n") + 1,
                            hint="save it as UTF-8") from None
    title = ""
    history: list[str] = []
    articles: dict[str, Article] = {}
    in_body = False
    chapter = ""
    current: Article | None = None
    first_line: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        if line.startswith("<!--") and "INFO END" in line:
            in_body = True
            continue
        if not in_body:
            history.append(line)
            continue
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if line.startswith("## "):
                chapter = heading
            current = None
            continue
        match = ARTICLE_LINE_RE.match(line)
        if match:
            key = str(chinese_number(match.group(1)))
            label = f"第{match.group(1)}条"
            if match.group(2):
                key += f"-{chinese_number(match.group(2))}"
                label += f"之{match.group(2)}"
            if key in articles:
                # Two articles with one number: a pasting mistake that would make a
                # citation show the wrong text.
                raise InputError.at(path, f"{label} appears twice (first at line {first_line[key]})", line=number,
                                    hint="remove the repeated article; each line starting with 第X条 begins an article")
            first_line[key] = number
            current = Article(key, label, line[match.end():].strip(), chapter)
            articles[key] = current
        elif current is not None:
            current.text += "\n" + line
    if title and not articles:
        hint = ("put '<!-- INFO END -->' on the line after the adoption history" if not in_body else
                "each article starts a line with 第X条 followed by a space, e.g. '第一条　为了……'")
        raise InputError.at(path, "no articles found: the law text does not follow the law file format",
                            line=len(lines) or 1, hint=hint + "; format: docs/site.md, 法律全文")
    return LawText(path.stem, title, history, articles)
