"""Livestream recaps at scale: N synthetic three-hour transcripts (3,600 lines each, the
demo video as media) → time of the recap section, pages per stream, largest page.

    .venv/bin/python bench/recaps_scale.py [--full] [N ...]      (default: 10 20 40)

Prints one line per N; time and output should grow linearly with N. With --full, also a
whole `pufa build` (mkdocs, Pagefind, leak gate) and the largest recap HTML file.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import load_config  # noqa: E402
from generator.site.model import load_model  # noqa: E402
from generator.site.pages import Page  # noqa: E402
from generator.site.sections import recaps  # noqa: E402

LINE = "执法人员向驾驶员说明网约车需要取得网络预约出租汽车运输证和驾驶员证，否则属于非法营运。"


def make(root: Path, count: int) -> None:
    (root / "mkdocs.yml").write_text("site_name: bench\n", encoding="utf-8")
    shutil.copytree(ROOT / "data" / "laws", root / "data" / "laws")
    (root / "media").mkdir()
    shutil.copyfile(ROOT / "media" / "demo-livestream.mp4", root / "media" / "live.mp4")
    segments = [{"id": i, "start": i * 3.0, "end": i * 3.0 + 2.9, "speaker": f"S{i % 3}", "text": f"{LINE}{i}"}
                for i in range(3600)]
    transcript = json.dumps({"language": "zh", "model": "bench", "segments": segments}, ensure_ascii=False)
    annotations = json.dumps({"version": 1, "speakers": {"S0": "执法人员", "S1": "当事人", "S2": "主持人"},
                              "chapters": [{"id": "a", "title": "开场", "start": 0.0},
                                           {"id": "b", "title": "网约车", "start": 8.0}],
                              "highlights": [{"id": "h", "start": 8.0, "end": 12.0, "title": "网约车双证",
                                              "law": "网络预约出租汽车经营服务管理暂行办法",
                                              "article": "第三十四条", "segment_ids": [3]}],
                              "redactions": [{"id": "r", "segment_id": 1, "start_char": 0, "end_char": 4,
                                              "start": 3.0, "end": 5.0, "state": "kept"}]}, ensure_ascii=False)
    for n in range(count):
        folder = root / "transcripts" / f"live-{n:03d}"
        folder.mkdir(parents=True)
        (folder / "meta.yaml").write_text(f"id: live-{n:03d}\nkind: livestream\ntitle: 直播第{n}场\ndate: 2025-01-01\n"
                                          "media: media/live.mp4\n", encoding="utf-8")
        (folder / "transcript.json").write_text(transcript, encoding="utf-8")
        (folder / "annotations.json").write_text(annotations, encoding="utf-8")


def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make(root, count)
        config = load_config(root)
        for label in ("cold", "warm"):
            model = load_model(config)
            start = time.perf_counter()
            items = list(recaps.pages(model))
            seconds = time.perf_counter() - start
        pages = [i for i in items if isinstance(i, Page)]
        sizes = [len(p.body.encode("utf-8")) for p in pages]
        print(f"{count:4d} streams × 3 h: recap section {seconds:6.2f} s warm ({seconds / count * 1000:5.0f} ms/stream), "
              f"{len(pages)} pages, body total {sum(sizes) / 1e6:6.1f} MB, largest body {max(sizes) / 1e3:4.0f} KB",
              flush=True)


def run_full(count: int) -> None:
    from generator.site.build import build_site
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make(root, count)
        start = time.perf_counter()
        report = build_site(root, progress=False)
        seconds = time.perf_counter() - start
        pages = list((root / "site" / "livestreams").rglob("index.html"))
        largest = max(p.stat().st_size for p in pages)
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items())
        print(f"{count:4d} streams × 3 h: full build {seconds:6.1f} s ({steps}), {len(pages)} livestream pages, "
              f"largest {largest / 1e3:.0f} KB", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    full = "--full" in args
    for n in [int(a) for a in args if a != "--full"] or [10, 20, 40]:
        (run_full if full else run)(n)
