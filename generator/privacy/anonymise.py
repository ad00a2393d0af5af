"""The replacement policy: how each kind of personal datum is written in published text.

As courts publish judgments: a natural person becomes surname + 某 (王某; a second person
with the same surname in the same case 王某某, then 王某甲, 王某乙 …), consistently across
every field of one case, the title included; ID numbers, phones, bank cards, VINs and house
numbers are replaced by [已隐去]; plates keep province + city letter only
(鲁A*****). Everything else — case numbers, company names, law titles, article numbers,
amounts, dates, stations, roads and districts — is left exactly as written.

One case at a time: `CaseAnonymiser(party=…, known=…)` learns the case's people first (the
party, then role-introduced names in field order), then rewrites each field and records
every change for the review report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from .detect import Finding, is_person_name, plate_prefix, resolve_overlaps, scan_text
from .forms import clean_cell, suspects
from .names import everyday_word, model_names
from .thulac_names import prefetch as prefetch_np
from .surnames import surname_of

REMOVED = "[已隐去]"
_CONTEXT = 12   # characters of context on each side in the review report
PLATE_MASK = "*****"
# 王某, 王某某, 王某甲, 王某乙 … : the n-th distinct person with one surname in a case.
_ALIAS_SUFFIXES = ("某", "某某") + tuple("某" + c for c in "甲乙丙丁戊己庚辛壬癸")
# '张三、李四', '张三（驾驶员）': the parts of a 当事人 value. Not at 和/与/及, which occur
# in given names (王和平).
_PARTY_SPLIT = re.compile(r"[、，,；;/\s（）()：:]+")


@dataclass(frozen=True)
class Change:
    """One replacement, for the review report (before is shown to the reviewer only)."""

    field: str
    kind: str
    before: str
    after: str
    context: str = ""   # the original text around it, the datum in 【】, so a reviewer can judge


@dataclass
class Pseudonyms:
    """Names → aliases within one case, handed out in order of first appearance."""

    aliases: dict[str, str] = field(default_factory=dict)
    _used: dict[str, int] = field(default_factory=dict)

    def alias(self, name: str) -> str:
        if name not in self.aliases:
            # 老王 / 小李: the surname after the familiar prefix (names.familiar_names).
            familiar = len(name) == 2 and name[0] in "老小"
            surname = name[1] if familiar else surname_of(name)
            n = self._used.get(surname, 0)
            self._used[surname] = n + 1
            suffix = _ALIAS_SUFFIXES[n] if n < len(_ALIAS_SUFFIXES) else f"某{n + 1}"
            self.aliases[name] = surname + suffix
        return self.aliases[name]


def party_names(party: str) -> list[str]:
    """The natural persons named in a 当事人 value ('张三、李四' → both; a company → none)."""
    return [part for part in _PARTY_SPLIT.split(party or "") if is_person_name(part)]


class CaseAnonymiser:
    """Anonymises the text fields of one case consistently."""

    def __init__(self, party: str = "", known: Iterable[tuple[str, str]] = (),
                 names: Iterable[str] = ()):
        """`party`: the 当事人 value; `known`: (kind, value) pairs from personal columns
        (身份证号, 联系电话, 车牌号) that must go wherever they occur, even in a form the
        detectors would not recognise; `names`: person names found in other records of
        the same import (replaced here too wherever they occur)."""
        self.pseudonyms = Pseudonyms()
        self.changes: list[Change] = []
        self.suspects: list[Change] = []          # left as written, flagged for review
        self._other_names = [n for n in names if n]
        self.removed: dict[str, str] = {}         # value → kind, for the deny list
        self._known = [(k, v.strip()) for k, v in known if v and v.strip()]
        self.party_names = party_names(party)
        for name in self.party_names:
            self.pseudonyms.alias(name)
            self.removed[name] = "name"
        for kind, value in self._known:
            self.removed[value] = kind
        self._names: list[str] | None = None
        self._scans: dict[str, list[Finding]] = {}

    def learn(self, texts: Iterable[str]) -> None:
        """Give aliases to every role-introduced name, in order of first appearance."""
        texts = [text or "" for text in texts]
        prefetch_np(texts)                     # THULAC tags all fields in one batch
        for text in texts:
            # The rules' names and the tagger's, in order of appearance.
            names = [(f.start, f.text) for f in self._scan(text) if f.kind == "name"]
            names += [(start, text[start:end]) for start, end in model_names(text)]
            for _, name in sorted(names):
                self.pseudonyms.alias(name)
                self.removed[name] = "name"
            # Names other records of this import revealed, where this one has them too.
            for name in self._other_names:
                if name in text:
                    self.pseudonyms.alias(name)
                    self.removed[name] = "name"
        self._learn_given_names(texts)
        # Longest first, so 张三丰 is replaced before a 张三 it contains.
        self._names = sorted(self.pseudonyms.aliases, key=lambda n: (-len(n), n))

    def _learn_given_names(self, texts: list[str]) -> None:
        """A person named in full once is often called by the given name alone later
        ('张俊平称…… 俊平随后离开'): a two-character given name of a found name is the same
        person wherever it stands in this case, unless it is an everyday word (建国, 国庆)."""
        for name, alias in list(self.pseudonyms.aliases.items()):
            surname = surname_of(name)
            given = name[len(surname):]
            if len(given) != 2 or given in self.pseudonyms.aliases or not surname or "某" in given:
                continue
            if any(text.replace(name, "").find(given) != -1 for text in texts) and not everyday_word(given):
                self.pseudonyms.aliases[given] = alias
                self.removed[given] = "name"

    def __getstate__(self) -> dict:
        # The importer's workers send anonymisers back: the scan cache is not worth the
        # pickling (a third of each one's size); a later field() scans again.
        return {**self.__dict__, "_scans": {}}

    def _scan(self, text: str) -> list[Finding]:
        # Each field is scanned once: learn() and field() share the result.
        if text not in self._scans:
            self._scans[text] = scan_text(text)
        return self._scans[text]

    def _findings(self, text: str) -> list[Finding]:
        found = [f for f in self._scan(text) if f.kind != "name"]
        # A handful of names per case: plain find() beats compiling a regex per case.
        for kind, values in (("name", self._names), *((k, (v,)) for k, v in self._known)):
            for value in values:
                start = text.find(value)
                while start != -1:
                    found.append(Finding(kind, start, start + len(value), value))
                    start = text.find(value, start + len(value))
        return resolve_overlaps(found)

    def replacement(self, finding: Finding) -> str:
        if finding.kind == "name":
            return self.pseudonyms.alias(finding.text)
        if finding.kind == "plate":
            prefix = plate_prefix(finding.text)
            return (prefix + PLATE_MASK) if prefix else REMOVED
        return REMOVED

    def field(self, name: str, text: str) -> str:
        """The published form of one field's text; every change is recorded."""
        if self._names is None:
            self.learn(())
        if not text:
            return text
        text = clean_cell(text)
        findings = self._findings(text)
        if not findings:
            for suspect in suspects(text):
                context = text[max(0, suspect.start - _CONTEXT):suspect.end + _CONTEXT]
                self.suspects.append(Change(name, suspect.kind, suspect.text, suspect.text, context))
            return text
        parts: list[str] = []
        last = 0
        for finding in findings:
            after = self.replacement(finding)
            parts.append(text[last:finding.start])
            parts.append(after)
            last = finding.end
            context = (text[max(0, finding.start - _CONTEXT):finding.start] + "【" + finding.text + "】"
                       + text[finding.end:finding.end + _CONTEXT])
            self.changes.append(Change(name, finding.kind, finding.text, after, context))
            if finding.kind != "name" or finding.text not in self.removed:
                self.removed.setdefault(finding.text, finding.kind)
        parts.append(text[last:])
        published = "".join(parts)
        for suspect in suspects(published):
            context = published[max(0, suspect.start - _CONTEXT):suspect.end + _CONTEXT]
            self.suspects.append(Change(name, suspect.kind, suspect.text, suspect.text, context))
        return published


def anonymise_fields(fields: dict[str, str], party: str = "", known: Iterable[tuple[str, str]] = (),
                     names: Iterable[str] = ()) -> tuple[dict[str, str], CaseAnonymiser]:
    """Anonymise every field of one case; returns the new fields and the anonymiser (its
    `.changes` and `.removed` feed the review report and the deny list). Control and
    invisible characters are removed from every field first: they are never published.
    `names`: person names other records of the same import revealed."""
    fields = {key: clean_cell(text or "") for key, text in fields.items()}
    anonymiser = CaseAnonymiser(clean_cell(party or ""), known, names)
    anonymiser.learn(fields.values())
    return {name: anonymiser.field(name, text) for name, text in fields.items()}, anonymiser


def anonymise_text(text: str, party: str = "") -> str:
    """Convenience for one free text (tests, transcripts): the same policy as for a case."""
    out, _ = anonymise_fields({"text": text}, party)
    return out["text"]
