"""The publication lifecycle's bad input (file:line: field: message, exit 2, the last
site untouched), its end-of-publicity choices, the three-day withdrawal deadline, the
import's minors check, and the small rules (periods, penalties, anonymous firm names)."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from generator.cli import main
from generator.importer.lifecycle import birth_from_id, party_kind
from generator.site.lifecycle import anonymous_name, parse_period, penalties_of
from test_lifecycle import run_quietly, AS_OF, CASES, EXPORT_HEADER, FIRM, make_project, record, run, write_case


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


def build(capsys, project: Path, as_of: str = AS_OF) -> tuple[int, str, str]:
    return run(capsys, "build", "--project", str(project), "--quiet", "--as-of", as_of)


def line_of(path: Path, field: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{field}:"):
            return number
    raise AssertionError(field)


# ── bad input stops the build ────────────────────────────────────────────────


def test_a_decision_date_after_the_build_date_stops_the_build(project, capsys):
    write_case(project, record("2026-0201", "李某违规经营案", "2026-06-01", "罚款500元", decision_date="2026-06-20"))
    path = project / "cases_public" / "2026-0201.yaml"
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {path}:{line_of(path, 'decision_date')}: decision_date: decision date "
                   f"2026-06-20 is later than the build date {AS_OF} (check the date, or build with --as-of a later date)\n")
    assert not (project / "site").exists() and not (project / "publication.json").exists()


def test_a_decision_date_before_the_violation_stops_the_build(project, capsys):
    write_case(project, record("2026-0202", "李某违规经营案", "2026-06-01", "罚款500元", decision_date="2026-05-01"))
    path = project / "cases_public" / "2026-0202.yaml"
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {path}:{line_of(path, 'decision_date')}: decision_date: decision date "
                   "2026-05-01 is earlier than the violation date 2026-06-01 (a decision follows the violation: "
                   "check both dates)\n")


def test_a_missing_decision_date_stops_the_build_when_the_rule_table_needs_it(project, capsys):
    write_case(project, record("2026-0203", "李某违规经营案", "2026-06-01", "罚款500元", fine_yuan=500))
    path = project / "cases_public" / "2026-0203.yaml"
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {path}:1: decision_date: a decision date is needed to compute the publicity "
                   "period (rule 'small-fine', decision_date) (add 'decision_date: YYYY-MM-DD' (处罚决定日期))\n")


def test_an_unknown_rule_or_party_kind_in_a_record_stops_the_build(project, capsys):
    write_case(project, record("2026-0204", "李某违规经营案", "2026-06-01", "罚款500元", decision_date="2026-06-02",
                               publicity_rule="forever"))
    write_case(project, record("2026-0205", "某公司违规经营案", "2026-06-01", "罚款500元", decision_date="2026-06-02",
                               party_kind="公司"))
    rule_file, kind_file = (project / "cases_public" / f"{n}.yaml" for n in ("2026-0204", "2026-0205"))
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {kind_file}:{line_of(kind_file, 'party_kind')}: party_kind: '公司' is not one of: "
                   "自然人 / 法人 / 个体工商户 / 其他组织\n")
    write_case(project, record("2026-0205", "某公司违规经营案", "2026-06-01", "罚款500元", decision_date="2026-06-02"))
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {rule_file}:{line_of(rule_file, 'publicity_rule')}: publicity_rule: no rule "
                   f"'forever' in {project / 'data' / 'publicity.yaml'} (one of: no-penalty, warning, small-fine, other)\n")


def test_a_persons_name_in_a_record_is_refused(project, capsys):
    write_case(project, record("2026-0206", "李某违规经营案", "2026-06-01", "罚款500元", decision_date="2026-06-02",
                               party_name="李明"))
    path = project / "cases_public" / "2026-0206.yaml"
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {path}:{line_of(path, 'party_name')}: party_name: only a 法人 or 其他组织 is "
                   "named in a public record, not a 自然人 (for an organisation set party_kind: 法人 or 其他组织; "
                   "a person's or 个体工商户's name and code are never published)\n")


def test_an_unknown_party_kind_or_action_in_the_rule_table_names_its_line(project, capsys):
    rules = project / "data" / "publicity.yaml"
    text = rules.read_text(encoding="utf-8").replace("  法人: take_down", "  公司: take_down") \
        .replace("  其他组织: take_down", "  其他组织: delete")
    rules.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    company = lines.index("  公司: take_down") + 1
    other = lines.index("  其他组织: delete") + 1
    code, out, err = build(capsys, project)
    assert code == 2
    assert err == (f"pufa build: error: {rules}:{company}: at_end.公司: unknown party kind '公司' "
                   "(one of: 自然人 / 法人 / 个体工商户 / 其他组织)\n"
                   f"pufa build: error: {rules}:{other}: at_end.其他组织: 'delete' is not one of: keep / anonymise / take_down\n")


def test_withdraw_refuses_a_future_date(project, capsys):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    code, out, err = run(capsys, "cases", "withdraw", "2026-0103", "--project", str(project), "--reason", "撤销",
                         "--date", tomorrow)
    assert code == 2
    assert err == (f"pufa cases: error: {project / 'data' / 'withdrawals.yaml'}: --date: date {tomorrow} is in the "
                   "future (the date the decision was changed or revoked)\n")
    assert not (project / "data" / "withdrawals.yaml").exists()


# ── the three-day deadline (行政处罚法 第四十八条) ────────────────────────────


def test_a_revoked_decision_warns_within_three_days_then_refuses_the_build(project, capsys):
    data = dict(CASES[2], revoked="2026-06-13")
    write_case(project, data)
    code, out, err = build(capsys, project)
    assert code == 0, err
    assert ("warning: 2026-0103: the decision was revoked on 2026-06-13; withdraw it by 2026-06-16 "
            "(pufa cases withdraw 2026-0103 --reason '…')") in out
    assert (project / "site" / "cases" / "2026-0103" / "index.html").exists()
    before = tree_digest(project / "site")
    path = project / "cases_public" / "2026-0103.yaml"
    code, out, err = build(capsys, project, "2026-06-17")
    assert code == 2
    assert err == (f"pufa build: error: {path}:{line_of(path, 'revoked')}: revoked: the decision was revoked on "
                   "2026-06-13, 4 days ago, and the case is still published (the law allows 3 days) "
                   "(pufa cases withdraw 2026-0103 --reason '…' --date 2026-06-13)\n")
    assert tree_digest(project / "site") == before
    code, out, err = run(capsys, "cases", "status", "--project", str(project), "--as-of", "2026-06-17")
    assert code == 0
    assert ("awaiting withdrawal (1):\n  2026-0103 (济交执罚〔2026〕0103号): revoked on 2026-06-13, withdraw by "
            "2026-06-16 (pufa cases withdraw 2026-0103 --reason '…')") in out
    assert "the next build would stop on:" in out


# ── what happens when publicity ends ─────────────────────────────────────────


def test_end_actions_take_a_persons_case_down_and_republish_a_firm_anonymised(project, capsys):
    rules = project / "data" / "publicity.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  自然人: keep", "  自然人: take_down")
                     .replace("  法人: take_down", "  法人: anonymise"), encoding="utf-8")
    code, out, err = build(capsys, project)
    assert code == 0, err
    site = project / "site"
    assert not (site / "cases" / "2026-0102").exists()
    page = (site / "cases" / "2022-0101" / "index.html").read_text(encoding="utf-8")
    assert "<dt>当事人</dt><dd>某运输有限公司</dd>" in page
    assert "2022年4月20日，某运输有限公司的半挂车超限运输" in page
    assert FIRM not in page and "顺达" not in page


def test_two_builds_with_the_same_state_and_date_publish_the_same_pages_and_feed(project, capsys, tmp_path):
    assert build(capsys, project)[0] == 0
    first = {k: v for k, v in tree_digest(project / "site").items() if not k.startswith(("pagefind/", "sitemap"))}
    state = (project / "publication.json").read_bytes()
    import shutil
    shutil.rmtree(project / "site")
    shutil.rmtree(project / ".pufa-cache")
    assert build(capsys, project)[0] == 0
    again = {k: v for k, v in tree_digest(project / "site").items() if not k.startswith(("pagefind/", "sitemap"))}
    assert again == first
    assert (project / "publication.json").read_bytes() == state


# ── import: minors ───────────────────────────────────────────────────────────


def _export(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "export.csv"
    header = EXPORT_HEADER + ["出生日期", "年龄"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def _row(number: str, **cells) -> dict:
    base = {"案件编号": f"济交执罚〔2026〕{number}号", "案件名称": "某某驾驶电动车载客案", "类别": "非法营运", "当事人": "冯某",
            "违法时间": "2026-03-10", "违法地点": "天桥区", "案由": "非法营运", "违法事实": "当事人驾驶电动车载客收费。",
            "处罚依据": "《公路安全保护条例》第六十四条", "处罚决定": "警告", "裁量情形": "从轻处罚", "办案方式": "简易程序",
            "执法人员说法": "依法处理。"}
    base.update(cells)
    return base


def test_import_withholds_minors_by_birth_date_age_or_id_number(tmp_path, capsys):
    into = tmp_path / "proj" / "cases_public"
    export = _export(tmp_path, [
        _row("0301", 出生日期="2008-03-11"),                 # 17 the day before the 18th birthday
        _row("0302", 年龄="16"),
        _row("0303", 身份证号="37010220090101123X"),
        _row("0304", 出生日期="2008-03-10"),                 # 18 on the violation date: an adult
        _row("0305", 身份证号="370102900101123"),              # 15-digit number, born 1990
    ])
    code, out, err = run(capsys, "import-cases", str(export), "--into", str(into), "--report-dir", str(tmp_path / "r"))
    assert code == 0, err
    withheld = [line for line in out.splitlines() if line.startswith("withheld: ")]
    assert withheld == [
        f"withheld: {export}:2: 2026-0301 (济交执罚〔2026〕0301号): party under 18 at the violation date (出生日期): never published",
        f"withheld: {export}:3: 2026-0302 (济交执罚〔2026〕0302号): party under 18 at the violation date (年龄 16): never published",
        f"withheld: {export}:4: 2026-0303 (济交执罚〔2026〕0303号): party under 18 at the violation date (birth date in "
        "the ID number): never published",
    ]
    assert sorted(p.name for p in into.glob("*.yaml")) == ["2026-0304.yaml", "2026-0305.yaml"]
    text = (into / "2026-0304.yaml").read_text(encoding="utf-8")
    assert "2008" not in text and "birth" not in text


def test_import_removes_an_earlier_record_of_a_case_now_known_to_be_a_minor(tmp_path, capsys):
    into = tmp_path / "proj" / "cases_public"
    first = _export(tmp_path, [_row("0311")])
    assert run(capsys, "import-cases", str(first), "--into", str(into), "--report-dir", str(tmp_path / "r"))[0] == 0
    assert (into / "2026-0311.yaml").exists()
    again = _export(tmp_path, [_row("0311", 年龄="15")])
    code, out, err = run(capsys, "import-cases", str(again), "--into", str(into), "--report-dir", str(tmp_path / "r"))
    assert code == 0, err
    assert f"its earlier record {into / '2026-0311.yaml'} was removed" in out
    assert not (into / "2026-0311.yaml").exists()


def test_import_refuses_an_unknown_party_kind_with_file_line_column(tmp_path, capsys):
    export = _export(tmp_path, [_row("0321", 当事人类型="公司")])
    code, out, err = run(capsys, "import-cases", str(export), "--into", str(tmp_path / "p" / "cases_public"),
                         "--report-dir", str(tmp_path / "r"))
    assert code == 2
    assert err == (f"pufa import-cases: error: {export}:2: 当事人类型 (party_kind): '公司' is not a party kind "
                   "(one of: 自然人 / 法人 / 个体工商户 / 其他组织)\n")


# ── small rules ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize("start, period, end", [
    ("2026-01-10", "3 months", "2026-04-10"), ("2023-11-30", "3 months", "2024-02-29"),
    ("2022-05-10", "3 years", "2025-05-10"), ("2024-02-29", "1 year", "2025-02-28"), ("2026-01-01", "90 days", "2026-04-01"),
])
def test_publicity_ends_on_the_corresponding_day_or_the_months_last_day(start, period, end):
    assert parse_period(period).end(dt.date.fromisoformat(start)) == dt.date.fromisoformat(end)


def test_a_period_without_end_and_bad_periods():
    assert parse_period("none").end(dt.date(2020, 1, 1)) is None
    assert parse_period("3 weeks") is None and parse_period("-1 years") is None


@pytest.mark.parametrize("decision, kinds", [
    ("警告", {"警告"}), ("罚款1万元", {"罚款"}), ("不予处罚，责令改正", set()), ("警告，并处罚款200元", {"警告", "罚款"}),
    ("罚款5万元，吊销道路运输经营许可证", {"罚款", "吊销"}), ("没收违法所得3000元", {"没收"}),
])
def test_the_penalties_a_decision_imposes(decision, kinds):
    assert penalties_of(decision) == kinds


@pytest.mark.parametrize("name, anonymous", [
    ("济南顺达运输有限公司", "某运输有限公司"), ("山东捷运物流股份有限公司", "某物流股份有限公司"),
    ("济南市出租汽车协会", "某出租汽车协会"), ("泉城驾驶员培训中心", "某驾驶员培训中心"), ("张记", "某单位"),
])
def test_a_firms_anonymous_name_keeps_its_trade_and_form(name, anonymous):
    assert anonymous_name(name) == anonymous


@pytest.mark.parametrize("declared, party, kind", [
    ("", "济南顺达运输有限公司", "法人"), ("", "历城区老王汽修店", "个体工商户"), ("", "济南市出租汽车协会", "其他组织"),
    ("", "张三", "自然人"), ("", "", "自然人"), ("法人及非法人组织", "", "法人"), ("个人", "", "自然人"), ("公司", "", None),
])
def test_the_party_kind_from_the_column_or_the_name(declared, party, kind):
    assert party_kind(declared, party) == kind


def test_birth_dates_in_id_numbers():
    assert birth_from_id("370102200903041234") == dt.date(2009, 3, 4)
    assert birth_from_id("37010220090304123X") == dt.date(2009, 3, 4)
    assert birth_from_id("370102900101123") == dt.date(1990, 1, 1)
    assert birth_from_id("370102200902301234") is None


# ── the pure decision (no build) ─────────────────────────────────────────────

from generator.records.case import case_from_mapping  # noqa: E402
from generator.site.lifecycle import State, Withdrawal, decide, load_rules  # noqa: E402

TEMPLATE_RULES = Path(__file__).resolve().parent.parent / "generator" / "site" / "templates" / "project" / "data" / \
    "publicity.yaml"


def _case(**extra):
    data = record("2026-0401", "陈某违规经营案", "2026-01-02", "罚款300元", fine_yuan=300)
    data.update(extra)
    return case_from_mapping(data, "cases_public/2026-0401.yaml")


def test_the_init_table_counts_from_first_publication_and_needs_no_decision_date():
    rules = load_rules(TEMPLATE_RULES)
    assert [(r.id, str(r.period)) for r in rules.rules] == [
        ("no-penalty", "不设期限"), ("warning", "3 个月"), ("small-fine", "3 个月"), ("other", "3 年")]
    first = decide([_case()], rules, dt.date(2026, 2, 1), State())
    assert first.cases[0].published == dt.date(2026, 2, 1)
    assert first.cases[0].publicity_until == dt.date(2026, 5, 1)
    later = decide([_case()], rules, dt.date(2026, 5, 2), first.state)
    assert (later.cases[0].status, [str(c) for c in later.changes]) == \
        ("停止公示", ["2026-0401: 公示中 → 停止公示 (公示期满 2026-05-01，作为以案释法案例保留)"])


def test_a_withdrawal_notice_outlives_the_deleted_record():
    rules = load_rules(TEMPLATE_RULES)
    first = decide([_case()], rules, dt.date(2026, 2, 1), State())
    notice = Withdrawal("2026-0401", "济交执罚〔2026〕0401号", dt.date(2026, 2, 3), "原处罚决定被撤销")
    after = decide([], rules, dt.date(2026, 2, 5), first.state, [notice])
    assert after.cases == [] and after.withdrawals == [notice]
    assert after.state.cases["2026-0401"].status == "已撤回"


def test_tags_and_links_are_not_corrections_but_the_decision_is():
    rules = load_rules(TEMPLATE_RULES)
    first = decide([_case()], rules, dt.date(2026, 2, 1), State())
    tagged = decide([_case(tags=["网约车双证"])], rules, dt.date(2026, 2, 2), first.state)
    assert tagged.corrections == [] and tagged.changes == []
    corrected = decide([_case(tags=["网约车双证"], decision="罚款200元", fine_yuan=200)], rules, dt.date(2026, 2, 3),
                       tagged.state)
    assert [(c.date, c.labels) for _, c in corrected.corrections] == [(dt.date(2026, 2, 3), ("处罚决定", "罚款金额"))]
    again = decide([_case(tags=["网约车双证"], decision="罚款200元", fine_yuan=200)], rules, dt.date(2026, 2, 9),
                   corrected.state)
    assert [(c.date, c.labels) for _, c in again.corrections] == [(dt.date(2026, 2, 3), ("处罚决定", "罚款金额"))]
    assert not again.state_changed


def test_an_override_of_the_end_of_publicity_wins_over_the_rule():
    rules = load_rules(TEMPLATE_RULES)
    early = decide([_case(publicity_until="2026-02-10")], rules, dt.date(2026, 2, 11), State())
    assert early.cases[0].status == "停止公示"


def test_import_refuses_a_decision_date_before_the_violation(tmp_path, capsys):
    export = _export(tmp_path, [_row("0331", 处罚决定日期="2026-03-01")])
    code, out, err = run(capsys, "import-cases", str(export), "--into", str(tmp_path / "p" / "cases_public"),
                         "--report-dir", str(tmp_path / "r"))
    assert code == 2
    assert err == (f"pufa import-cases: error: {export}:2: 处罚决定日期 (decision_date): decision date 2026-03-01 is "
                   "earlier than the violation date 2026-03-10 (a decision follows the violation: check both dates)\n")
