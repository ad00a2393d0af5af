"""What the build refuses in a transcript before anything is published, named by transcript,
segment and redaction (not by the built file where the leak gate would find it later).

- a flagged phone, ID number, plate or bank card released (state `released`) without the
  reason the annotation tool asks for;
- personal data in the text that would be published and that no redaction released:
  a number typed during correction after the flags were computed, an edited segment.
"""
from __future__ import annotations

from ..records.transcript import Annotations, Transcript
from .pii import find_spoken_pii
from .redact import published_segments

SENSITIVE_KINDS = ("phone", "id_number", "plate", "bank_card")
_KIND_NAMES = {"phone": "电话号码", "id_number": "身份证号", "plate": "车牌", "bank_card": "银行卡号", "name": "姓名",
               "address": "地址", "other": "长数字串"}


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def publication_problems(transcript: Transcript, annotations: Annotations) -> list[tuple[str, str, str, str]]:
    """(file name, field, message, hint) for every problem; the datum itself is never named."""
    out: list[tuple[str, str, str, str]] = []
    by_id = {segment.id: segment for segment in transcript.segments}
    for index, redaction in enumerate(annotations.redactions):
        if redaction.state == "released" and redaction.kind in SENSITIVE_KINDS and not redaction.reason.strip():
            segment = by_id.get(redaction.segment_id)
            at = _clock(segment.start) if segment else "?"
            out.append(("annotations.json", f"redactions[{index}]",
                        f"redaction {redaction.id} (segment {redaction.segment_id}, {at}) releases a "
                        f"{redaction.kind} without a reason / 公开{_KIND_NAMES[redaction.kind]}没有填写理由",
                        "give the reason in 'pufa annotate' (隐去 → 公开), or hide it again"))
    released: dict[int, list[str]] = {}
    for redaction in annotations.redactions:
        if redaction.state == "released":
            released.setdefault(redaction.segment_id, []).append(redaction.text)
    positions = {segment.id: k for k, segment in enumerate(transcript.segments)}
    for segment in published_segments(transcript, annotations):
        for kind, start, end in find_spoken_pii(segment.text):
            if kind not in SENSITIVE_KINDS:
                continue   # names and short runs: the flags and the leak gate cover them
            found = segment.text[start:end]
            if any(found in text or text in found for text in released.get(segment.id, []) if text):
                continue
            out.append(("transcript.json", f"segments[{positions[segment.id]}]",
                        f"segment {segment.id} ({_clock(segment.start)}) would publish a {kind} that no redaction "
                        f"hides / 将发布未隐去的{_KIND_NAMES[kind]}",
                        "select it in 'pufa annotate' and press R to hide it (or release it with a reason)"))
    return out
