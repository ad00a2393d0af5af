"""Recall of each detector and over-redaction of the anonymiser, on a generated corpus.

    .venv/bin/python bench/anonymise.py [--cases 2000] [--seed 1]

Each generated case has a party (当事人) and free-text fields in which personal data is
planted in every written form (spaced / dashed / +86 / full-width / Chinese-numeral
phones, spaced / full-width / lower-case-x IDs, Luhn bank cards, VINs, plates as 鲁A·12345,
鲁 A 12345, 鲁A-12345, trailers and new-energy plates, house numbers, role-introduced
names) among protected terms (case numbers, companies, law titles and articles, amounts,
dates, stations, roads, districts, hotlines, masked plates, 王某). Prints, per kind,
planted / removed / recall, and the protected terms lost (aim: 100 % and 0).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.privacy.anonymise import anonymise_fields  # noqa: E402
from generator.privacy.detect import digits_of  # noqa: E402
from generator.privacy.planted import PLANTERS  # noqa: E402

KINDS = tuple(PLANTERS)        # the kinds planted.py writes (bench/privacy.py covers the other forms)
from generator.privacy.planted import FILLER, PROTECTED, name, plant  # noqa: E402

FIELDS = ("title", "facts", "investigation", "explanation")
BOUNDARY = ("，", "称", "驾驶", "证实", "。", "表示", "（男，", "陈述")
ACTOR_VERBS = ("驾驶", "称", "承认", "表示", "陈述")


def make_case(rng: random.Random) -> tuple[str, dict[str, str], list[tuple[str, str]], list[str]]:
    """(party, fields, planted (kind, value), protected terms used)."""
    party = name(rng)
    fields = {f: "" for f in FIELDS}
    planted: list[tuple[str, str]] = [("name", party)]
    protected: list[str] = []
    fields["title"] = f"{party}{rng.choice(('未取得网约车驾驶员证从事网约车经营案', '巡游出租车拒载案', '非法营运案'))}"
    for field in FIELDS[1:]:
        parts = [f"当事人{party}{rng.choice(BOUNDARY)}"] if rng.random() < 0.7 else [party + "，"]
        for _ in range(rng.randint(3, 8)):
            roll = rng.random()
            if roll < 0.45:
                kind = rng.choice(KINDS)
                value, written, context = plant(rng, kind)
                tail = rng.choice(BOUNDARY) if kind == "name" else rng.choice(("，", "。", "；", "处"))
                if kind == "name" and rng.random() < 0.3:
                    # No role word: a clause that opens with the name, with a verb after it
                    # (findable) or without one (beyond any detector: only the party list helps).
                    verb = rng.random() < 0.75
                    kind = "name:no-role+verb" if verb else "name:no-role"
                    context, tail = "。", rng.choice(ACTOR_VERBS) if verb else "的车辆"
                parts.append(f"{context}{written}{tail}")
                # Plates are checked as written; a house number with its road ('经十路1号': a bare
                # '1号' also ends every case number).
                planted.append((kind, {"plate": written, "house_number": context + written}.get(kind, value)))
            elif roll < 0.8:
                term = rng.choice(PROTECTED)
                protected.append(term)
                parts.append(f"{rng.choice(FILLER)}{term}{rng.choice(('，', '。', '；'))}")
            else:
                parts.append(rng.choice(FILLER))
        fields[field] = "".join(parts)
    return party, fields, planted, protected


def still_there(kind: str, value: str, text: str) -> bool:
    if kind in ("id_number", "phone", "bank_card"):
        return digits_of(value) in digits_of(text) or value in text
    if kind == "plate":
        return value in text or digits_of(value[2:]) and value[2:] in text
    return value in text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="print up to N misses per kind")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    planted_n, removed_n = Counter(), Counter()
    misses: dict[str, list[str]] = {}
    protected_n = lost_n = 0
    lost: list[str] = []
    chars = 0
    elapsed = 0.0
    for _ in range(args.cases):
        party, fields, planted, protected = make_case(rng)
        written_forms = [value for _, value in planted]
        chars += sum(len(t) for t in fields.values())
        started = time.perf_counter()
        out, _ = anonymise_fields(fields, party=party)
        elapsed += time.perf_counter() - started
        text = "\n".join(out.values())
        original = "\n".join(fields.values())
        for kind, value in planted:
            planted_n[kind] += 1
            if still_there(kind, value, text):
                misses.setdefault(kind, []).append(value)
            else:
                removed_n[kind] += 1
        for term in set(protected):
            protected_n += 1
            # A term inside a planted datum ('12345' in a VIN) goes with it: not a loss.
            inside = sum(f.count(term) for f in written_forms)
            if text.count(term) < original.count(term) - inside:
                lost_n += 1
                lost.append(term)
    print(f"corpus: {args.cases} cases, {chars} characters, seed {args.seed}")
    print(f"{'kind':<18}{'planted':>9}{'removed':>9}{'recall':>9}")
    for kind in [*KINDS, "name:no-role+verb", "name:no-role"]:
        n = planted_n[kind]
        print(f"{kind:<18}{n:>9}{removed_n[kind]:>9}{(removed_n[kind] / n if n else 1):>9.2%}")
    total = sum(planted_n.values())
    print(f"{'all':<18}{total:>9}{sum(removed_n.values()):>9}{sum(removed_n.values()) / total:>9.2%}")
    print(f"protected terms: {protected_n} checked, {lost_n} lost (over-redaction {lost_n / max(protected_n, 1):.2%})")
    print(f"anonymiser speed: {args.cases / elapsed:,.0f} cases/s, {chars / elapsed / 1e6:.2f} M chars/s")
    for kind, values in misses.items():
        print(f"missed {kind}: {values[:args.show]}")
    if lost:
        print(f"lost protected terms: {sorted(Counter(lost).items())[:20]}")


if __name__ == "__main__":
    main()
