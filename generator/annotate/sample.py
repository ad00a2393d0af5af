"""Synthetic livestream transcripts for the tool's tests and `bench/annotate.py`.

Real enough to exercise what matters: Chinese text with per-character word timings (some
of low confidence), two speakers, and spoken personal data flagged by "transcription".
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..fsutil import atomic_write_json, atomic_write_text
from ..yamlio import dump_yaml

LINES = [
    "大家好，欢迎来到济南交通运输执法直播间。",
    "今天我们在检测站现场检查网约车和货车。",
    "请问您有网络预约出租汽车驾驶员证吗？",
    "这位驾驶员是首次被发现，危害后果轻微。",
    "根据行政处罚法第三十三条，首违可以不予处罚。",
    "我们对当事人进行了教育，责令立即改正。",
    "货车超限超载不仅损坏公路，还容易引发事故。",
    "执法人员依法对车辆进行称重和登记。",
]
PHONE_LINE = "我的电话是13812345678，有事联系我。"


def synthetic_transcript(count: int, seconds: float) -> dict:
    """`count` segments spread over `seconds`; every 97th segment speaks a phone number."""
    step = seconds / count
    segments, flags = [], []
    for i in range(count):
        text = PHONE_LINE if i % 97 == 5 else LINES[i % len(LINES)]
        start = round(i * step, 3)
        end = round(start + step * 0.95, 3)
        per = (end - start) / len(text)
        words = [{"start": round(start + k * per, 3), "end": round(start + (k + 1) * per, 3), "word": ch,
                  "probability": 0.35 if (i + k) % 23 == 0 else 0.93} for k, ch in enumerate(text)]
        segments.append({"id": i + 1, "start": start, "end": end, "text": text,
                         "speaker": "SPEAKER_00" if i % 3 else "SPEAKER_01", "words": words})
        if text == PHONE_LINE:
            a = text.index("138")
            b = a + 11
            flags.append({"id": f"{i + 1}:{a}-{b}", "segment_id": i + 1, "start_char": a, "end_char": b,
                          "kind": "phone", "start": round(max(0, start + a * per - 0.3), 3),
                          "end": round(start + b * per + 0.3, 3), "text": text[a:b]})
    return {"language": "zh", "model": "synthetic", "duration": seconds, "segments": segments, "flags": flags}


def make_project(root: Path, *, transcript_id: str = "demo-live", count: int = 12, seconds: float = 17.0,
                 media: Path | None = None, title: str = "网约车执法直播") -> Path:
    """A minimal pufa project with one transcript (and its media copied in)."""
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / "mkdocs.yml", "site_name: test\n")
    folder = root / "transcripts" / transcript_id
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"id": transcript_id, "kind": "livestream", "title": title, "date": "2024-05-01",
            "duration": seconds}
    if media is not None:
        (root / "media").mkdir(exist_ok=True)
        shutil.copyfile(media, root / "media" / media.name)
        meta["media"] = f"media/{media.name}"
    atomic_write_text(folder / "meta.yaml", dump_yaml(meta))
    atomic_write_json(folder / "transcript.json", synthetic_transcript(count, seconds))
    return folder
