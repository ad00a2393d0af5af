"""Property tests of the anonymiser: any arrangement of planted personal data in Chinese
text is removed, and published terms survive; the detectors never crash on any text."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.privacy.anonymise import anonymise_fields
from generator.privacy.detect import KINDS, digits_of, scan_text
from generator.privacy.planted import PLANTERS, PROTECTED, plant

ROOT = Path(__file__).resolve().parent.parent
# Real Chinese sentences (law texts, cut at punctuation) as the text around the data.
_SENTENCES = sorted({
    s for path in sorted((ROOT / "generator" / "data" / "laws").glob("*-*.md"))  # the law texts pufa ships
    for s in re.findall(r"[^。；，\n#<>!-]{4,40}[。；，]", path.read_text(encoding="utf-8"))
})[:4000]
_NAME_ENDS = ("称", "驾驶", "证实", "，", "。", "表示", "（女，", "陈述")

sentence = st.sampled_from(_SENTENCES)
protected = st.sampled_from(PROTECTED)
kind = st.sampled_from(tuple(PLANTERS))   # the kinds planted.py can write
piece = st.one_of(
    st.tuples(st.just("pii"), kind, st.randoms(use_true_random=False)),
    st.tuples(st.just("term"), protected, st.none()),
    st.tuples(st.just("text"), sentence, st.none()),
)


def assemble(pieces) -> tuple[str, list[tuple[str, str, str]], list[str]]:
    parts, planted, terms = [], [], []
    for what, value, rng in pieces:
        if what == "pii":
            raw, written, context = plant(rng, value)
            end = rng.choice(_NAME_ENDS) if value == "name" else rng.choice(("，", "。", "；"))
            parts.append(context + written + end)
            check = {"plate": written, "house_number": context + written}.get(value, raw)
            planted.append((value, check, context + written))
        elif what == "term":
            parts.append(value + "，")
            terms.append(value)
        else:
            parts.append(value)
    return "".join(parts), planted, terms


def present(kind: str, value: str, text: str) -> bool:
    if kind in ("id_number", "phone", "bank_card"):
        return digits_of(value) in digits_of(text)
    return value in text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(piece, min_size=1, max_size=12))
def test_planted_personal_data_is_removed_and_published_terms_survive(pieces):
    text, planted, terms = assemble(pieces)
    out, _ = anonymise_fields({"facts": text})
    published = out["facts"]
    for kind_, value, _ in planted:
        assert not present(kind_, value, published), (kind_, value, published)
    for term in terms:
        inside = sum(part.count(term) for _, _, part in planted)   # '12345' within a VIN goes with it
        assert published.count(term) >= text.count(term) - inside, (term, published)


@settings(max_examples=300, deadline=None)
@given(st.lists(piece, min_size=1, max_size=8))
def test_anonymised_text_has_nothing_left_to_find(pieces):
    text, _, _ = assemble(pieces)
    out, _ = anonymise_fields({"facts": text})
    assert scan_text(out["facts"]) == []


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789０１２３４５６７８９一二三四五六七八九零〇 -+()（）Xx鲁A·号楼单元室路乘客王张某某称，。"
                                        "LSVAUNDF挂") | st.characters(), max_size=80))
def test_findings_are_sorted_non_overlapping_slices_of_the_text(text):
    findings = scan_text(text)
    last_end = 0
    for finding in findings:
        assert finding.kind in KINDS
        assert last_end <= finding.start < finding.end <= len(text)
        assert text[finding.start:finding.end] == finding.text
        last_end = finding.end
