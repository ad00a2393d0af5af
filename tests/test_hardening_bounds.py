"""Issue 17, `pufa build`: input that would exhaust the machine, and redactions that would
hide the text but leave the voice. Each build runs as the user runs it (a child process),
with its time and peak memory measured."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.errors import MediaError
from test_hardening_project import ROOT, tree_digest
from test_recaps_project import ANNOTATIONS, LIVE_ID, PHONE_SPAN, TRANSCRIPT, VIDEO
from test_recaps_project import make_project as make_recap_project

BUDGET_S = 30
BUDGET_RSS_MB = 1024

# Every level repeats the one above nine times: 9**7 ≈ 4.8 million items from 300 bytes.
BILLION_LAUGHS = ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                  "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                  "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                  "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n")

# Runs the command, kills it past twice the time budget (a runaway build must not keep
# eating the shared machine), and reports the peak RSS of everything it waited for.
_MEASURED = r"""
import resource, subprocess, sys
try:
    done = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]))
    code, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as exc:
    code, out, err = 124, "", f"killed after {exc.timeout} s\n"
sys.stdout.write(out)
sys.stderr.write(err)
print(f"PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""


def measured_pufa(*args: str) -> tuple[int, str, float, float]:
    """(exit code, stderr, seconds, peak RSS in MB of the pufa process and its children)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURED, str(BUDGET_S * 2), sys.executable, "-m", "generator",
                           *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=BUDGET_S * 4)
    seconds = time.monotonic() - started
    err, _, peak = done.stderr.rpartition("PEAK_RSS_KB=")
    return done.returncode, err, seconds, int(peak) / 1024


@pytest.fixture
def project(tmp_path) -> Path:
    return make_recap_project(tmp_path / "project")


def test_a_yaml_bomb_in_a_case_is_refused_naming_file_and_line_within_budget(project):
    bomb = project / "cases_public" / "2025-0999.yaml"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    code, err, seconds, peak = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 2, err
    assert err.splitlines()[0] == (f"pufa build: error: {bomb}:1: YAML 锚点和别名不受支持 / YAML anchors and "
                                   "aliases are not allowed ('&a') (write the value out in full)")
    assert "Traceback" not in err
    assert seconds < BUDGET_S and peak < BUDGET_RSS_MB, (seconds, peak)
    assert not (project / "site").exists()


def test_an_anchor_in_a_record_is_refused_even_when_harmless(tmp_path):
    from generator.errors import InputError
    from generator.yamlio import parse_yaml
    with pytest.raises(InputError) as caught:
        parse_yaml("title: x\nfacts: &f 事实\ncause: *f\n", "case.yaml")
    assert str(caught.value) == ("case.yaml:2: YAML 锚点和别名不受支持 / YAML anchors and aliases are not allowed "
                                 "('&f') (write the value out in full)")
    # '&' and '*' inside text are text
    assert parse_yaml("title: 'A&B *注意*'\nfacts: 甲&乙\n", "case.yaml")[0] == {"title": "A&B *注意*",
                                                                                "facts": "甲&乙"}


def test_a_deeply_nested_transcript_stops_the_build_with_exit_2_not_a_traceback(project):
    path = project / "transcripts" / LIVE_ID / "transcript.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, err, seconds, peak = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 2, err
    assert f"pufa build: error: {path}:1: JSON 嵌套过深（上限 64 层）/ nested deeper than 64 levels " \
           "(pufa never writes JSON this deep)" in err.splitlines()
    assert "Traceback" not in err
    assert seconds < BUDGET_S and peak < BUDGET_RSS_MB, (seconds, peak)


def test_an_oversized_annotations_file_is_refused_before_it_is_read(project):
    path = project / "transcripts" / LIVE_ID / "annotations.json"
    with open(path, "r+b") as handle:        # valid JSON, 20 MB of spaces: a sparse file
        handle.seek(20 * 1024 * 1024)
        handle.write(b" ")
    code, err, _, _ = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 2, err
    assert f"pufa build: error: {path}: 文件过大（20 MB，上限 16 MB）/ file too large (20 MB; the limit is 16 MB) " \
           "(split the recording into parts and transcribe each)" in err.splitlines()


def _with_words(transcript: dict) -> dict:
    """The recap transcript with per-character word timings (as transcription writes them)."""
    data = copy.deepcopy(transcript)
    for seg in data["segments"]:
        per = (seg["end"] - seg["start"]) / len(seg["text"])
        seg["words"] = [{"start": round(seg["start"] + k * per, 3), "end": round(seg["start"] + (k + 1) * per, 3),
                         "word": ch} for k, ch in enumerate(seg["text"])]
    return data


# The phone number of segment 1 (4.0–8.0 s, 37 characters) is characters 5–16: spoken
# 4.54–5.73 s by the word timings. The fixture's redaction (5.0–8.0 s) misses its start.
MISPLACED = {
    "empty": ({"start": 6.0, "end": 6.0}, _with_words,
              "redactions[0].end: empty time range (6.00 s): the text is hidden but the voice would stay audible"),
    "in-another-segment": ({"start": 14.0, "end": 15.0}, None,
                           "redactions[0].start: time range 14.00–15.00 s lies outside its segment 1 (4.00–8.00 s)"),
    "misses-the-words": ({}, _with_words,
                         "redactions[0].start: time range 5.00–8.00 s does not cover its text, spoken 4.54–5.73 s: "
                         "the voice would stay audible"),
}


@pytest.mark.parametrize("name", MISPLACED)
def test_a_kept_redaction_that_does_not_cover_its_text_stops_the_build(tmp_path, name):
    times, transform, message = MISPLACED[name]
    annotations = copy.deepcopy(ANNOTATIONS)
    annotations["redactions"][0].update(times)
    project = make_recap_project(tmp_path / "project", annotations=annotations,
                                 transcript=transform(TRANSCRIPT) if transform else None)
    code, err, _, _ = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 2, err
    file = project / "transcripts" / LIVE_ID / "annotations.json"
    assert f"pufa build: error: {file}:31: {message} (select the hidden text again in pufa annotate, so the " \
           "voice is silenced where it is spoken)" in err.splitlines(), err
    assert tree_digest(project / "site") == {}


def test_the_published_audio_is_measured_silent_over_every_kept_redaction(project):
    from generator.speech.coverage import check_silent, loudest_in
    code, err, _, _ = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 0, err
    published = [p for p in (project / "site").rglob("*.mp4")]
    assert len(published) == 1
    assert loudest_in(published[0], *PHONE_SPAN) < -60          # muted (about -91 dB)
    assert loudest_in(VIDEO, *PHONE_SPAN) > -30                 # the original speaks there
    check_silent(published[0], [PHONE_SPAN])
    with pytest.raises(MediaError) as caught:
        check_silent(VIDEO, [PHONE_SPAN])
    assert str(caught.value).startswith(f"{VIDEO}: 发布的音频在 5.00–8.00 秒不是静音（峰值 ")
    assert "the published audio is not silent over the redaction at 5.00–8.00 s" in str(caught.value)


def test_a_record_linked_from_outside_the_project_is_not_published(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = (project / "cases_public" / "2025-0101.yaml").read_text(encoding="utf-8") \
        .replace("2025-0101", "2025-0102").replace("0101号", "0102号").replace("王某", "外部机密")
    (outside / "secret.yaml").write_text(secret, encoding="utf-8")
    link = project / "cases_public" / "2025-0102.yaml"
    link.symlink_to(outside / "secret.yaml")
    (project / "data" / "linked-laws").symlink_to(outside, target_is_directory=True)
    code, err, _, _ = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 2, err
    assert err.splitlines()[:2] == [
        f"pufa build: error: {link}: 链接指向项目之外，拒绝使用 / refused: a link leading outside the project "
        "(replace the link with the file itself)",
        f"pufa build: error: {project / 'data' / 'linked-laws'}: 链接指向项目之外，拒绝使用 / refused: a link "
        "leading outside the project (replace the link with the file itself)"]
    assert not (project / "site").exists()


def test_a_transcript_of_too_many_segments_is_refused_within_budget(project):
    path = project / "transcripts" / LIVE_ID / "transcript.json"
    segments = ",".join('{"id":%d,"start":%d.0,"end":%d.5,"text":"字"}' % (i, i // 20000, i // 20000)
                        for i in range(200_000))
    path.write_text('{"language":"zh","segments":[' + segments + '],"flags":[]}', encoding="utf-8")
    assert path.stat().st_size < 10_000_000
    code, err, seconds, peak = measured_pufa("build", "--project", str(project), "--quiet")
    assert code == 2, err
    assert f"pufa build: error: {path}: segments: 200000 segments; a transcript may have at most 20000 " \
           "(split the recording into parts and transcribe each)" in err.splitlines()
    assert seconds < BUDGET_S and peak < BUDGET_RSS_MB, (seconds, peak)
