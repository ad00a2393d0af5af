"""Personal-data detectors (interface; the full detector set is owned by the anonymiser).

`scan_text(text)` returns every finding in a text; the importer, the leak gate and the
transcription PII flags all rely on it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str        # 'id_number' | 'phone' | 'bank_card' | 'vin' | 'plate' | 'house_number' | 'name'
    start: int       # str index into the scanned text, end exclusive
    end: int
    text: str


_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def scan_text(text: str) -> list[Finding]:
    """Provisional detectors; replaced by the full set in this module."""
    out = [Finding("phone", m.start(), m.end(), m.group()) for m in _PHONE.finditer(text)]
    out += [Finding("id_number", m.start(), m.end(), m.group()) for m in _ID.finditer(text)]
    return sorted(out, key=lambda f: (f.start, f.end))
