"""The publication lifecycle end to end: one case of each kind, built `--as-of` fixed
dates with the real importer, mkdocs, Pagefind and leak gate; then every place a case
can show up (its page, the listings, related links, the search index, sitemap.xml,
feed.xml) is read to see that exactly the right cases are there.

The project (written here, not taken from the code under test), as of 2026-06-15:
  2022-0101  a firm fined 80,000 元, decided 2022-05-10 (four years ago): 3 years → taken down
  2026-0102  a person warned on 2026-01-10 (five months ago): 3 months → kept, 停止公示
  2026-0103  a person fined 200 元 on 2026-06-01: in publicity
  2026-0104  a minor (imported from a CSV; ID number born 2010): never in cases_public/
  2025-0105  withdrawn with `pufa cases withdraw` (revoked on 2026-06-12)
  2026-0106  corrected after its first publication (facts changed between two builds)
  2026-0107  a firm (imported, 当事人类型 法人) fined 1 万元 on 2026-05-20: in publicity, exported
"""
from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.errors import InputError
from generator.review.approvals import approve_all

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "tests" / "data" / "lifecycle" / "publicity.yaml"
SITE_URL = "https://jtzf.example.gov.cn/pufa/"
FIRST, AS_OF = "2026-06-01", "2026-06-15"
FIRM = "济南顺达运输有限公司"

HIGHWAY = [{"law": "《公路安全保护条例》", "article": "第六十四条"}]
TAXI = [{"law": "《网络预约出租汽车经营服务管理暂行办法》", "article": "第三十四条"}]


def record(case_id: str, title: str, date: str, decision: str, **extra) -> dict:
    year, serial = case_id.split("-")
    data = {"id": case_id, "case_no": f"济交执罚〔{year}〕{serial}号", "title": title, "category": "道路运输",
            "date": date, "place": "历城区工业北路", "cause": f"{title[:-1]}的违法行为",
            "facts": f"{date}，执法人员检查发现当事人{title[:-1]}。", "legal_basis": HIGHWAY, "decision": decision,
            "discretion": "一般处罚", "handling": "普通程序", "explanation": "依法处理，以案释法。"}
    data.update(extra)
    return data


CASES = [
    record("2022-0101", f"{FIRM}超限运输案", "2022-04-20", "罚款8万元", fine_yuan=80000, decision_date="2022-05-10",
           party_kind="法人", party_name=FIRM, credit_code="91370100MA3C4RTX2B",
           facts=f"2022年4月20日，{FIRM}的半挂车超限运输，超限率35%。"),
    record("2026-0102", "孙某违规停放营运车辆案", "2026-01-05", "警告", decision_date="2026-01-10"),
    record("2026-0103", "钱某巡游出租车绕道案", "2026-05-28", "罚款200元", fine_yuan=200, decision_date="2026-06-01",
           category="出租车", legal_basis=TAXI),
    record("2025-0105", "周某未按规定使用道路运输证案", "2025-11-02", "罚款6000元", fine_yuan=6000,
           decision_date="2025-11-20"),
    record("2026-0106", "吴某客运车辆超员案", "2026-04-01", "罚款2000元", fine_yuan=2000, decision_date="2026-05-25",
           facts="2026年4月1日，吴某驾驶的客车核载19人，实载23人。"),
]
EXPORT_HEADER = ["案件编号", "案件名称", "类别", "当事人", "当事人类型", "统一社会信用代码", "身份证号", "违法时间", "处罚决定日期",
                 "违法地点", "案由", "违法事实", "处罚依据", "处罚决定", "裁量情形", "办案方式", "执法人员说法"]
EXPORT_ROWS = [
    ["济交执罚〔2026〕0104号", "郑某驾驶摩托车非法营运案", "非法营运", "郑小明", "自然人", "", "370102201003041234",
     "2026-03-10", "2026-03-20", "天桥区北园大街", "未取得道路运输经营许可从事营运", "郑小明驾驶摩托车载客收费。",
     "《公路安全保护条例》第六十四条", "罚款500元", "从轻处罚", "普通程序", "无证营运，依法处罚。"],
    ["济交执罚〔2026〕0107号", "山东捷运物流有限公司超限运输案", "超限超载", "山东捷运物流有限公司", "法人", "91370100MA3D7KPQ5C",
     "", "2026-05-08", "2026-05-20", "G104国道长清区段", "车辆超限运输", "山东捷运物流有限公司的货车超限运输，超限率18%。",
     "《公路安全保护条例》第六十四条", "罚款1万元", "一般处罚", "普通程序", "超限运输损坏公路，企业应落实源头管理。"],
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    if argv[0] == "build":
        # Staff approved every record (pufa review): what is tested here is the lifecycle.
        try:
            approve_all(Path(argv[argv.index("--project") + 1]) / "cases_public", "测试")
        except InputError:
            pass            # an invalid record: the build names it
    if capsys is None:
        return run_quietly(*argv)
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_case(project: Path, data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (project / "cases_public" / f"{data['id']}.yaml").write_text(text, encoding="utf-8")


def make_project(base: Path) -> Path:
    project = base / "proj"
    assert main(["init", str(project)]) == 0
    shutil.copytree(ROOT / "data" / "laws", project / "data" / "laws", dirs_exist_ok=True)
    mkdocs = project / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8") + f"\nsite_url: {SITE_URL}\n", encoding="utf-8")
    shutil.copyfile(RULES, project / "data" / "publicity.yaml")
    for data in CASES:
        write_case(project, data)
    return project


def import_export(project: Path, capsys) -> str:
    raw = project.parent / "export.csv"
    with raw.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(EXPORT_ROWS)
    code, out, err = run(capsys, "import-cases", str(raw), "--into", str(project / "cases_public"),
                         "--report-dir", str(project.parent / "reports"))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Imported, built on FIRST, then corrected and withdrawn, built again on AS_OF."""
    capsys = None
    project = make_project(tmp_path_factory.mktemp("lifecycle"))
    imported = import_export(project, capsys)
    code, first, err = run(capsys, "build", "--project", str(project), "--quiet", "--as-of", FIRST)
    assert code == 0, err
    corrected = yaml.safe_load((project / "cases_public" / "2026-0106.yaml").read_text(encoding="utf-8"))
    corrected["facts"] = "2026年4月1日，吴某驾驶的客车核载19人，实载24人。"
    write_case(project, corrected)
    code, withdrew, err = run(capsys, "cases", "withdraw", "2025-0105", "--project", str(project),
                              "--reason", "经行政复议，原处罚决定被撤销", "--date", "2026-06-12")
    assert code == 0, err
    code, second, err = run(capsys, "build", "--project", str(project), "--quiet", "--as-of", AS_OF)
    assert code == 0, err
    return {"project": project, "imported": imported, "first": first, "withdrew": withdrew, "second": second}


def run_quietly(*argv: str) -> tuple[int, str, str]:
    """main() for the module fixture, where capsys is not available."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def site_text(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def search_index(site: Path) -> str:
    texts = []
    for path in sorted((site / "pagefind").rglob("*.pf_fragment")):
        texts.append(gzip.decompress(path.read_bytes()).decode("utf-8", "replace").replace("\u200b", ""))
    return "\n".join(texts)


def every_html(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html")))


PRESENT = ["2026-0102", "2026-0103", "2026-0106", "2026-0107"]
ABSENT = ["2022-0101", "2025-0105", "2026-0104"]


# ── import: minors and the party's kind ──────────────────────────────────────


def test_import_names_the_minor_and_keeps_the_case_out_of_cases_public(built):
    project = built["project"]
    assert "withheld: " in built["imported"]
    line = next(l for l in built["imported"].splitlines() if l.startswith("withheld: "))
    assert line.endswith("2026-0104 (济交执罚〔2026〕0104号): party under 18 at the violation date "
                         "(birth date in the ID number): never published")
    assert not (project / "cases_public" / "2026-0104.yaml").exists()
    assert "370102201003041234" not in "".join(p.read_text(encoding="utf-8")
                                               for p in (project / "cases_public").glob("*.yaml"))


def test_import_keeps_a_declared_firms_name_code_and_decision_date(built):
    data = yaml.safe_load((built["project"] / "cases_public" / "2026-0107.yaml").read_text(encoding="utf-8"))
    assert (data["party_kind"], data["party_name"], data["credit_code"], data["decision_date"]) == \
        ("法人", "山东捷运物流有限公司", "91370100MA3D7KPQ5C", "2026-05-20")


# ── the site as of AS_OF: present and absent everywhere ─────────────────────


@pytest.mark.parametrize("case_id", PRESENT)
def test_cases_in_publicity_or_kept_have_a_page_a_listing_entry_search_sitemap(built, case_id):
    site = built["project"] / "site"
    assert (site / "cases" / case_id / "index.html").exists()
    assert f"cases/{case_id}/" in site_text(site, "cases/index.html")
    assert f"<loc>{SITE_URL}cases/{case_id}/</loc>" in site_text(site, "sitemap.xml")
    assert f"cases/{case_id}/" in search_index(site)


@pytest.mark.parametrize("case_id", ABSENT)
def test_expired_withdrawn_and_minor_cases_are_nowhere_on_the_site(built, case_id):
    site = built["project"] / "site"
    assert not (site / "cases" / case_id).exists()
    assert f"cases/{case_id}/" not in every_html(site)          # listings, related links, home, law pages
    assert f"cases/{case_id}/" not in site_text(site, "sitemap.xml")
    assert f"cases/{case_id}/" not in search_index(site)
    assert f"cases/{case_id}/" not in site_text(site, "feed.xml")


def test_an_expired_firm_case_leaves_no_trace_of_the_firm(built):
    site = built["project"] / "site"
    assert FIRM not in every_html(site) + search_index(site) + site_text(site, "feed.xml")


def test_statistics_still_count_expired_and_withdrawn_cases(built):
    csv_text = site_text(built["project"] / "site", "open-data/pufa-case-statistics.csv")
    html = site_text(built["project"] / "site", "open-data/index.html")
    assert re.search(r"<strong>6</strong>\s*公开案例", html), "6 records (the minor was never imported)"
    assert "2022" in csv_text


def test_an_expired_persons_case_stays_as_a_legal_education_case(built):
    page = site_text(built["project"] / "site", "cases/2026-0102/index.html")
    assert "公示期已届满，作为以案释法案例保留" in page
    assert "公示截止期" not in page


def test_a_case_in_publicity_shows_its_decision_date_and_end_of_publicity(built):
    page = site_text(built["project"] / "site", "cases/2026-0103/index.html")
    assert "<dt>处罚决定日期</dt><dd><time datetime=\"2026-06-01\">2026-06-01</time></dd>" in page
    assert "<dt>公示截止期</dt><dd>2026-09-01</dd>" in page          # 3 months: the corresponding day is the last


def test_a_firm_in_publicity_is_named_on_its_page(built):
    page = site_text(built["project"] / "site", "cases/2026-0107/index.html")
    assert "<dt>当事人</dt><dd>山东捷运物流有限公司</dd>" in page
    assert "91370100MA3D7KPQ5C" not in page


# ── withdrawal ──────────────────────────────────────────────────────────────


def test_withdraw_records_the_reason_and_the_build_publishes_only_number_date_reason(built):
    assert built["withdrew"].startswith("recorded: 2025-0105 (济交执罚〔2025〕0105号) withdrawn as of 2026-06-12: "
                                        "经行政复议，原处罚决定被撤销\n")
    site = built["project"] / "site"
    notice = site_text(site, "withdrawn/2025-0105/index.html")
    article = notice[notice.index('<article class="pufa-withdrawal">'):notice.index("</article>")]
    assert "济交执罚〔2025〕0105号" in article and "2026-06-12" in article and "经行政复议，原处罚决定被撤销" in article
    for content in ("周某", "道路运输证", "罚款6000元", "2025-11-02"):
        assert content not in notice
    assert "withdrawn/2025-0105/" in site_text(site, "withdrawn/index.html")
    assert f"<loc>{SITE_URL}withdrawn/2025-0105/</loc>" in site_text(site, "sitemap.xml")


def test_the_build_prints_the_state_changes_since_the_last_build(built):
    second = built["second"]
    assert "publication as of 2026-06-15: 2 state change(s) since the last build" in second
    assert "2025-0105: 公示中 → 已撤回 (撤回：经行政复议，原处罚决定被撤销)" in second
    assert "2026-0106: 公示中 (更正：违法事实)" in second
    first = [line for line in built["first"].splitlines() if not line.startswith("note: ")]   # notes for staff
    start = first.index("publication as of 2026-06-01: 6 state change(s) since the last build")
    assert first[start + 1:] == [
        "4 case(s) published for the first time",
        "2022-0101: 新 → 停止公示 (公示期满 2025-05-10，撤下)",
        "2026-0102: 新 → 停止公示 (公示期满 2026-04-10，作为以案释法案例保留)",
    ]


def test_withdrawing_an_unknown_id_names_it(built, capsys):
    code, out, err = run(capsys, "cases", "withdraw", "2026-9999", "--project", str(built["project"]), "--reason", "x")
    assert code == 2
    assert err == (f"pufa cases: error: {built['project'] / 'cases_public'}: ID: no case with id '2026-9999' "
                   "(the id of a record in cases_public/, e.g. 2024-1001 ('pufa cases status' lists them))\n")


# ── corrections ─────────────────────────────────────────────────────────────


def test_a_corrected_case_shows_a_dated_correction_record_without_the_old_text(built):
    site = built["project"] / "site"
    page = site_text(site, "cases/2026-0106/index.html")
    assert '<h2>更正记录</h2>' in page
    assert '<time datetime="2026-06-15">2026-06-15</time> 更正了违法事实' in page
    assert "实载23人" not in page and "实载24人" in page
    listing = site_text(site, "cases/corrections/index.html")
    assert "2026-06-15" in listing and "cases/2026-0106/" in listing and "更正了违法事实" in listing
    assert "更正记录" not in site_text(site, "cases/2026-0103/index.html")


def test_the_state_file_records_first_publication_and_the_correction(built):
    import json
    state = json.loads((built["project"] / "publication.json").read_text(encoding="utf-8"))["cases"]
    assert state["2026-0106"][0] == FIRST
    assert state["2026-0106"][4] == [["2026-06-15", "facts"]]
    assert state["2025-0105"][1] == "已撤回"


# ── feed ────────────────────────────────────────────────────────────────────


def test_the_atom_feed_lists_new_cases_and_withdrawals_with_absolute_urls(built):
    feed = site_text(built["project"] / "site", "feed.xml")
    links = re.findall(r'<entry>.*?<link href="([^"]+)"/>', feed, re.S)
    assert links == [f"{SITE_URL}withdrawn/2025-0105/", f"{SITE_URL}cases/2026-0107/", f"{SITE_URL}cases/2026-0106/",
                     f"{SITE_URL}cases/2026-0103/"]
    assert "<updated>2026-06-12T00:00:00+08:00</updated>" in feed
    assert '<link rel="self" type="application/atom+xml" href="https://jtzf.example.gov.cn/pufa/feed.xml"/>' in feed


# ── credit export ───────────────────────────────────────────────────────────


def test_credit_export_has_the_national_columns_and_only_organisations_in_publicity(built, capsys, tmp_path):
    out = tmp_path / "credit.csv"
    code, stdout, err = run(capsys, "export", "credit", "--out", str(out), "--as-of", AS_OF,
                            "--project", str(built["project"]))
    assert code == 0, err
    assert stdout == (f"wrote 1 case(s) to {out}\n"
                      "left out 5: 1 not in publicity on this date (expired or withdrawn); "
                      "4 自然人 (their name and code are not kept in public records)\n")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "处罚决定书文号", "违法行为类型", "违法事实",
                       "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）",
                       "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关",
                       "处罚机关统一社会信用代码", "数据来源", "数据来源单位统一社会信用代码", "备注"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["行政相对人名称"] == "山东捷运物流有限公司" and row["统一社会信用代码"] == "91370100MA3D7KPQ5C"
    assert row["处罚决定书文号"] == "济交执罚〔2026〕0107号" and row["处罚类别"] == "罚款"
    assert row["罚款金额（万元）"] == "1" and row["处罚决定日期"] == "2026-05-20"
    assert row["公示截止期"] == "2026-08-20" and row["处罚机关"] == "济南市交通运输局"
    assert row["处罚依据"] == "《公路安全保护条例》第六十四条"


def test_credit_export_stops_on_a_decision_date_later_than_its_date(built, capsys, tmp_path):
    out = tmp_path / "credit.csv"
    code, stdout, err = run(capsys, "export", "credit", "--out", str(out), "--as-of", "2024-01-01",
                            "--project", str(built["project"]))
    # 2026 decisions are later than that date: the export stops with file:line:field.
    assert code == 2
    assert re.search(r"2026-0103\.yaml:\d+: decision_date: decision date 2026-06-01 is later than the build date "
                     r"2024-01-01 \(check the date, or build with --as-of a later date\)", err)
    assert not out.exists()


# ── status ──────────────────────────────────────────────────────────────────


def test_status_lists_what_expires_soon(built, capsys):
    code, out, err = run(capsys, "cases", "status", "--within", "75", "--as-of", AS_OF,
                         "--project", str(built["project"]))
    assert code == 0, err
    assert "publicity ends within 75 days (2):" in out
    assert "  2026-0106 (自然人): 公示截止期 2026-08-25, then keep" in out
    assert "  2026-0107 (法人): 公示截止期 2026-08-20, then take_down" in out
    assert "awaiting withdrawal: none" in out


def test_corrections_withdrawals_and_the_feed_are_linked_from_the_site(built):
    site = built["project"] / "site"
    assert '<p class="pufa-lifecycle-links"><a href="../cases/corrections/">更正记录</a></p>' in \
        site_text(site, "cases/index.html")
    assert '<a href="../../withdrawn/">撤回说明</a>' in site_text(site, "cases/corrections/index.html")
    feed_link = ('<link rel="alternate" type="application/atom+xml" title="交通运输执法 · 以案释法：新公开案例与撤回说明" '
                 f'href="{SITE_URL}feed.xml">')
    for page in ("index.html", "cases/2026-0103/index.html", "withdrawn/2025-0105/index.html"):
        assert feed_link in site_text(site, page), page
