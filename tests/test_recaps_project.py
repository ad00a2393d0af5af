"""A small project with one annotated livestream (the real 17.8 s demo video), written
into a temporary folder by the recap tests: a case citing the article the livestream
explains, a spoken phone number under a kept redaction and a spoken plate flagged by
transcription but not yet reviewed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.review.approvals import approve_all

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT / "tests" / "data" / "video" / "demo-livestream.mp4"
LIVE_ID = "live-test"
PHONE = "13812345678"
PLATE = "鲁A12345"
PHONE_SPAN = (5.0, 8.0)       # seconds muted in the published copy (kept redaction)
PLATE_SPAN = (9.0, 10.5)      # muted too: an unreviewed flag is hidden by default

SEGMENT_1 = f"我的电话是{PHONE}，车是{PLATE}，我就是帮朋友拉个人。"

TRANSCRIPT = {
    "language": "zh", "model": "test", "duration": 17.8,
    "segments": [
        {"id": 0, "start": 0.0, "end": 4.0, "speaker": "S3", "text": "各位网友大家好，这里是济南交通运输执法直播现场。"},
        {"id": 1, "start": 4.0, "end": 8.0, "speaker": "S2", "text": SEGMENT_1},
        {"id": 2, "start": 8.0, "end": 13.0, "speaker": "S1",
         "text": "网约车驾驶员应当取得网络预约出租汽车驾驶员证，车辆应当取得网络预约出租汽车运输证。"},
        {"id": 3, "start": 13.0, "end": 17.5, "speaker": "S1",
         "text": "未取得经营许可擅自从事网约车经营的，依照暂行办法第三十四条处罚。"},
    ],
    "flags": [
        {"id": f"1:{SEGMENT_1.index(PLATE)}-{SEGMENT_1.index(PLATE) + len(PLATE)}", "segment_id": 1,
         "start_char": SEGMENT_1.index(PLATE), "end_char": SEGMENT_1.index(PLATE) + len(PLATE), "kind": "plate",
         "start": PLATE_SPAN[0], "end": PLATE_SPAN[1], "text": PLATE},
    ],
}

ANNOTATIONS = {
    "version": 3,
    "chapters": [
        {"id": "open", "title": "直播开场", "start": 0.0},
        {"id": "wyc", "title": "网约车：没有许可就是非法营运", "start": 8.0},
    ],
    "highlights": [
        {"id": "wyc-34", "start": 8.0, "end": 17.5, "title": "未取得许可从事网约车经营怎么罚",
         "law": "网络预约出租汽车经营服务管理暂行办法", "article": "第三十四条",
         "note": "执法人员讲解网约车“双证”要求。", "segment_ids": [2, 3]},
    ],
    "redactions": [
        {"id": "r1", "segment_id": 1, "start_char": SEGMENT_1.index(PHONE),
         "end_char": SEGMENT_1.index(PHONE) + len(PHONE), "start": PHONE_SPAN[0], "end": PHONE_SPAN[1],
         "state": "kept", "kind": "phone", "text": PHONE},
    ],
    "speakers": {"S1": "执法人员", "S2": "当事人", "S3": "主持人"},
}

META = f"""id: {LIVE_ID}
kind: livestream
title: 网约车执法直播（测试）
date: 2025-03-15
place: 济南西站
media: media/demo-livestream.mp4
duration: 17.8
topics: [网约车]
summary: 在济南西站检查网约车，讲解网约车“双证”要求。
figures: {{检查车辆: 120, 发现违法: 9, 教育纠正: 5}}
"""

CASE = """id: 2025-0101
case_no: 济交执罚〔2025〕0101号
title: 未取得网约车经营许可从事网约车经营案
category: 网约车
date: '2025-03-10'
place: 济南西站
cause: 未取得网约车经营许可擅自从事网约车经营
facts: 当事人王某驾驶小型轿车通过网约车平台接单载客，未取得网络预约出租汽车运输证。
legal_basis:
  - {law: 《网络预约出租汽车经营服务管理暂行办法》, article: 第三十四条}
decision: 罚款1万元
fine_yuan: 10000
discretion: 一般处罚
handling: 普通程序
explanation: 没有许可从事网约车经营属于非法营运。
"""

MKDOCS = """site_name: 直播回放测试站
theme:
  name: material
  language: zh
  font: false
"""


def make_project(dest: Path, transcript: dict | None = None, annotations: dict | None = None,
                 meta: str | None = None) -> Path:
    dest.mkdir(parents=True)
    (dest / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    shutil.copytree(ROOT / "data" / "laws", dest / "data" / "laws")
    (dest / "cases_public").mkdir()
    (dest / "cases_public" / "2025-0101.yaml").write_text(CASE, encoding="utf-8")
    approve_all(dest / "cases_public", "测试")
    (dest / "media").mkdir()
    shutil.copyfile(VIDEO, dest / "media" / "demo-livestream.mp4")
    folder = dest / "transcripts" / LIVE_ID
    folder.mkdir(parents=True)
    (folder / "meta.yaml").write_text(META if meta is None else meta, encoding="utf-8")
    (folder / "transcript.json").write_text(
        json.dumps(TRANSCRIPT if transcript is None else transcript, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "annotations.json").write_text(
        json.dumps(ANNOTATIONS if annotations is None else annotations, ensure_ascii=False, indent=1),
        encoding="utf-8")
    return dest
