"""Issue 10's rules, each checked against a recomputation from the inputs of a small ledger.

Every expected figure here is worked out in the test from the amounts and dates it wrote
(never read back from the report), so a wrong window, sum or condition fails.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from iddexi.ledger.core import Ledger

D = dt.date


def pct(this: int, last: int) -> Decimal:
    return ((Decimal(this) - last) * 100 / last).quantize(Decimal("0.1"), ROUND_HALF_UP)


def doc_of(run, *args: str) -> dict:
    result = run(*args, "--json", "--no-files")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def seasons(ledger: Ledger, last_days, this_days, *, last_planned=None, this_planned=11):
    """Two winter seasons; every session ``(date, yuan, visitors)``, sold by stall M01."""
    ledger.add_township("辉苏木", "sumu")
    ledger.add_stall("M01", "肉一", category="meat", township="辉苏木", herder=True)
    ledger.add_season(
        "2025-26", D(2025, 11, 1), D(2026, 1, 31), name="2025—2026 冬季", planned=last_planned
    )
    ledger.add_season(
        "2026-27", D(2026, 11, 1), D(2027, 1, 31), name="2026—2027 冬季", planned=this_planned
    )
    for code, days in (("2025-26", last_days), ("2026-27", this_days)):
        for number, (day, yuan, visitors) in enumerate(days, start=1):
            ledger.add_session(code, day, host="辉苏木", visitors=visitors, count_method="full")
            ledger.add_sale(f"{code}:{number}", "M01", "meat", yuan * 100)


# a Saturday market both years: last season's Saturdays fall one calendar day later
LAST_SATURDAYS = [(D(2025, 11, 22), 120_000, 5000), (D(2025, 11, 29), 80_000, 4000),
                  (D(2025, 12, 6), 90_000, 4500)]  # fmt: skip
THIS_SATURDAYS = [(D(2026, 11, 21), 200_000, 9000), (D(2026, 11, 28), 180_000, 8000)]


def _same_period(days, as_of: dt.date, back: dt.timedelta):
    return [d for d in days if d[0] <= as_of - back]


def test_week_alignment_compares_a_saturday_with_a_saturday(ledger, run):
    seasons(ledger, LAST_SATURDAYS, THIS_SATURDAYS)
    as_of = D(2026, 11, 28)
    this_yuan = sum(y for _, y, _ in THIS_SATURDAYS)
    week = _same_period(LAST_SATURDAYS, as_of, dt.timedelta(days=364))
    date = [d for d in LAST_SATURDAYS if d[0] <= D(2025, 11, 28)]
    assert (len(week), len(date)) == (2, 1)

    by_week = doc_of(run, "report", "season", "2026-27", "--as-of", "2026-11-28", "--align", "week")
    assert by_week["compare_as_of"] == "2025-11-29"
    assert by_week["last"]["sessions"] == 2
    assert by_week["growth"]["revenue_pct"] == pct(this_yuan, sum(y for _, y, _ in week))
    assert by_week["unequal_windows"] is False

    result = run("report", "season", "2026-27", "--as-of", "2026-11-28", "--json", "--no-files")
    by_date = json.loads(result.stdout, parse_float=Decimal)
    assert (by_date["sessions_this"], by_date["sessions_last"]) == (2, 1)
    assert by_date["unequal_windows"] is True
    assert by_date["equal_windows_alternative"]["align"] == "week"
    # one hint line on stderr, naming the like-for-like growth
    hint = result.stderr.strip().splitlines()
    assert len(hint) == 1
    like_for_like = pct(this_yuan, sum(y for _, y, _ in week))
    assert "--align week" in hint[0] and f"+{like_for_like}%" in hint[0]
    assert (
        "Note:"
        not in run(
            "report", "season", "2026-27", "--as-of", "2026-11-28", "--align", "week", "--no-files"
        ).stderr
    )


def test_opening_day_by_week_finds_last_seasons_opening(ledger, run):
    seasons(ledger, LAST_SATURDAYS, THIS_SATURDAYS)
    brief = run("report", "brief", "2026-27", "--as-of", "2026-11-21")
    assert "本期1场、同期0场" in brief.stdout
    assert "--align week" in brief.stderr
    by_week = doc_of(run, "report", "season", "2026-27", "--as-of", "2026-11-21", "--align", "week")
    assert by_week["growth"]["revenue_pct"] == pct(200_000, 120_000)


def test_week_alignment_against_a_friday_market(ledger, run):
    fridays = [(D(2025, 11, 21), 50_000, 1000), (D(2025, 11, 28), 60_000, 1000),
               (D(2025, 12, 5), 70_000, 1000)]  # fmt: skip
    saturdays = [(D(2026, 11, 21), 90_000, 2000), (D(2026, 11, 28), 95_000, 2000),
                 (D(2026, 12, 5), 99_000, 2000)]  # fmt: skip
    seasons(ledger, fridays, saturdays)
    for as_of in (D(2026, 12, 5), D(2026, 12, 4), D(2026, 11, 27)):
        mine = [d for d in saturdays if d[0] <= as_of]
        theirs = _same_period(fridays, as_of, dt.timedelta(days=364))
        doc = doc_of(
            run, "report", "season", "2026-27", "--as-of", as_of.isoformat(), "--align", "week"
        )
        assert doc["compare_as_of"] == (as_of - dt.timedelta(days=364)).isoformat()
        assert (doc["sessions_this"], doc["sessions_last"]) == (len(mine), len(theirs))
        assert doc["unequal_windows"] is (len(mine) != len(theirs))
        assert doc["growth"]["revenue_pct"] == pct(
            sum(y for _, y, _ in mine), sum(y for _, y, _ in theirs)
        )


def test_unequal_windows_are_stated_in_every_output(ledger, run, tmp_path):
    from openpyxl import load_workbook

    seasons(ledger, LAST_SATURDAYS, THIS_SATURDAYS)
    ref = ("2026-27", "--as-of", "2026-11-28")
    zh = run("report", "brief", *ref)
    assert "本期2场、同期1场" in zh.stdout and "较2025年同期" in zh.stdout
    en = run("report", "brief", *ref, "--lang", "en")
    assert "2 sessions against 1" in en.stdout
    table = run("report", "season", *ref, "--no-files", "--lang", "en")
    assert "unequal windows: 2 sessions against 1" in table.stdout
    out = tmp_path / "out"
    assert run("report", "season", *ref, "--out", out).exit_code == 0
    (book,) = out.glob("*.xlsx")
    texts = [str(r[0]) for r in load_workbook(book)["汇总"].iter_rows(values_only=True) if r[0]]
    assert "场次不等：本期2场、同期1场" in texts
    assert any("本期2场、同期1场" in t for t in texts)  # the brief paragraph too


def test_visitor_growth_only_when_every_session_was_counted(ledger, run, tmp_path):
    from openpyxl import load_workbook

    last = [(D(2025, 11, 22), 1000, 2000), (D(2025, 11, 29), 1000, None)]
    this = [(D(2026, 11, 21), 1000, 500), (D(2026, 11, 28), 1000, 500)]
    seasons(ledger, last, this)
    ref = ("report", "season", "2026-27", "--align", "session")
    doc = doc_of(run, *ref)
    assert doc["visitors"] == 1000 and doc["last"]["visitors"] == 2000
    assert doc["growth"]["visitors_pct"] is None  # not −50.0%: one day was not counted
    assert "uncounted" in doc["growth"]["visitors_pct_reason"]
    assert doc["last"]["sessions_without_visitors"] == 1
    assert doc["visitor_counting"]["last"]["uncounted"] == 1
    assert doc["visitor_counting"]["this"]["full"] == 2
    assert doc["visitor_counting"]["gate_samples"] is None
    table = run(*ref, "--no-files", "--lang", "en").stdout
    assert "2,000 (1 uncounted)" in table and "n/a (uncounted sessions)" in table
    assert "同期1场未统计人次" in run("report", "brief", "2026-27", "--align", "session").stdout
    en = run("report", "brief", "2026-27", "--align", "session", "--lang", "en").stdout
    assert "1 session of the period compared not counted" in en
    out = tmp_path / "o"
    run(*ref, "--out", out)
    (book,) = out.glob("*.xlsx")
    rows = {r[0]: r[1:] for r in load_workbook(book)["汇总"].iter_rows(values_only=True) if r[0]}
    assert rows["未统计人次的场次"][:2] == (0, 1)
    assert rows["游客（人次）"][3] is None


def test_visitor_growth_when_all_counted(ledger, run):
    seasons(ledger, LAST_SATURDAYS, THIS_SATURDAYS)
    doc = doc_of(run, "report", "season", "2026-27", "--align", "session")
    assert doc["growth"]["visitors_pct"] == pct(9000 + 8000, 5000 + 4000)
    assert doc["growth"]["visitors_pct_reason"] is None


def _expected_projection(this_yuan, last_yuan, planned):
    k, m = len(this_yuan), len(last_yuan)
    to_date, last_k, last_total = sum(this_yuan), sum(last_yuan[:k]), sum(last_yuan)
    fen = Decimal(to_date * 100) + Decimal(to_date * 100) * (last_total - last_k) * (
        planned - k
    ) / (Decimal(last_k) * (m - k))
    return fen.quantize(Decimal(1), ROUND_HALF_UP) / 100


@pytest.mark.parametrize("align", ["date", "week", "session"])
def test_projection_is_session_aligned_and_scaled_to_the_planned_sessions(ledger, run, align):
    last = [(D(2025, 11, 22) + dt.timedelta(weeks=i), 10_000 * (i + 1), 100) for i in range(4)]
    this = [(D(2026, 11, 21) + dt.timedelta(weeks=i), 30_000 + i, 100) for i in range(2)]
    seasons(ledger, last, this, last_planned=4, this_planned=6)
    doc = doc_of(run, "report", "season", "2026-27", "--align", align)
    p = doc["projection"]
    assert p["basis"] == "session" and p["method"]
    assert (p["sessions_this"], p["sessions_last"], p["planned_sessions"]) == (2, 4, 6)
    assert p["season_total_revenue_yuan"] == _expected_projection(
        [y for _, y, _ in this], [y for _, y, _ in last], 6
    )


def test_projection_basis_is_stated_in_the_workbook(ledger, run, tmp_path):
    from openpyxl import load_workbook

    last = [(D(2025, 11, 22) + dt.timedelta(weeks=i), 10_000, 100) for i in range(4)]
    this = [(D(2026, 11, 21) + dt.timedelta(weeks=i), 30_000, 100) for i in range(2)]
    seasons(ledger, last, this, last_planned=4, this_planned=6)
    out = tmp_path / "p"
    assert run("report", "season", "2026-27", "--out", out, "--lang", "en").exit_code == 0
    (book,) = out.glob("*.xlsx")
    texts = [str(r[0]) for r in load_workbook(book).worksheets[0].iter_rows(values_only=True)]
    basis = next(t for t in texts if t.startswith("Projection basis"))
    assert "first 2" in basis and "held 4" in basis and "6 planned" in basis


def test_projection_conditions(ledger, run):
    last = [(D(2025, 11, 22) + dt.timedelta(weeks=i), 10_000, 100) for i in range(4)]
    this = [(D(2026, 11, 21) + dt.timedelta(weeks=i), 20_000, 100) for i in range(2)]
    seasons(ledger, last, this, last_planned=11)  # 4 of 11 planned: not complete
    doc = doc_of(run, "report", "season", "2026-27")
    assert doc["projection"] is None and "not complete" in doc["projection_absent"]
    one = doc_of(run, "report", "season", "2026-27", "--as-of", "2026-11-21")
    assert one["projection"] is None


def test_projection_without_a_planned_number_needs_last_season_ended(ledger, run):
    last = [(D(2025, 11, 22) + dt.timedelta(weeks=i), 10_000, 100) for i in range(4)]
    this = [(D(2026, 11, 21) + dt.timedelta(weeks=i), 20_000, 100) for i in range(3)]
    seasons(ledger, last, this, last_planned=None, this_planned=5)
    # 2025-26 ended 2026-01-31, before this report's as-of: complete
    doc = doc_of(run, "report", "season", "2026-27")
    assert doc["projection"]["season_total_revenue_yuan"] == _expected_projection(
        [20_000] * 3, [10_000] * 4, 5
    )
    two = doc_of(run, "report", "season", "2026-27", "--as-of", "2026-11-28")
    assert two["projection"]["season_total_revenue_yuan"] == _expected_projection(
        [20_000] * 2, [10_000] * 4, 5
    )


def test_per_stall_truth(ledger, run):
    ledger.add_township("辉苏木", "sumu")
    ledger.add_season("2025-26", D(2025, 11, 1), D(2026, 1, 31))
    ledger.add_season("2026-27", D(2026, 11, 1), D(2027, 1, 31))
    for code, herder in (("A1", True), ("B1", True), ("C1", False), ("Z0", False), ("H9", True)):
        ledger.add_stall(code, f"摊{code}", category="meat", herder=herder)
    for code, day in (("2025-26", D(2025, 11, 22)), ("2025-26", D(2025, 11, 29)),
                      ("2026-27", D(2026, 11, 21)), ("2026-27", D(2026, 11, 28))):  # fmt: skip
        ledger.add_session(code, day, visitors=100, count_method="full")
    sales = [
        ("2026-27:1", "A1", "meat", 500_00), ("2026-27:2", "A1", "dairy", 300_00),
        ("2026-27:1", "B1", "meat", 800_00), ("2026-27:1", "C1", "meat", 800_00),
        ("2026-27:2", "Z0", "meat", 0), ("2026-27:2", "H9", "meat", 0),
        ("2025-26:1", "A1", "meat", 400_00), ("2025-26:1", "B1", "meat", 200_00),
        ("2025-26:2", "H9", "meat", 100_00),
    ]  # fmt: skip
    for ref, stall, category, fen in sales:
        ledger.add_sale(ref, stall, category, fen)
    doc = doc_of(run, "report", "season", "2026-27")
    top = doc["top_stalls"]
    # A1 (¥500 + ¥300), B1 and C1 tie at ¥800: code order; Z0 and H9 sold only ¥0 lines
    assert [r["stall"] for r in top] == ["A1", "B1", "C1"]
    assert next(r for r in top if r["stall"] == "A1")["sessions"] == 2  # meat + dairy
    assert doc["stalls"] == 3
    back = doc["returning_stalls"]
    assert [r["stall"] for r in back["stalls"]] == ["A1", "B1"]  # H9 sold ¥0 this season
    assert back["herder_count"] == 2
    assert back["herder_average_yuan"] == Decimal("800.00")  # (800 + 800) / 2
    assert back["herder_last_average_yuan"] == Decimal("300.00")  # (400 + 200) / 2
    assert back["herder_average_pct"] == pct(1600, 600)
    assert "户均收入800元" in run("report", "brief", "2026-27").stdout


def test_same_period_only_against_the_previous_season_of_its_kind(ledger, run):
    ledger.add_season(
        "2025-summer", D(2025, 6, 1), D(2025, 8, 31), kind="summer", name="2025夏季大集"
    )
    ledger.add_season("2024-25", D(2024, 11, 1), D(2025, 1, 31))
    ledger.add_season("2025-26", D(2025, 11, 1), D(2026, 1, 31))
    ledger.add_season("2026-27", D(2026, 11, 1), D(2027, 1, 31), name="2026—2027 冬季")
    ledger.add_stall("M01", "肉一", category="meat")
    for code, day in (("2025-summer", D(2025, 6, 7)), ("2024-25", D(2024, 11, 23)),
                      ("2025-26", D(2025, 11, 22)), ("2026-27", D(2026, 11, 21))):  # fmt: skip
        ledger.add_session(code, day, visitors=100, count_method="full")
        ledger.add_sale(f"{code}:1", "M01", "meat", 1_390_000_00)
    summer = run("report", "brief", "2026-27", "--vs", "2025-summer")
    assert "同期" not in summer.stdout and "较2025夏季大集" in summer.stdout
    assert "截至2026年11月21日，2026—2027 冬季" in summer.stdout
    assert "139.0万元" in summer.stdout  # one decimal on every 万 figure
    two_back = run("report", "brief", "2026-27", "--vs", "2024-25", "--lang", "en")
    assert "last season" not in two_back.stdout
    previous = run("report", "brief", "2026-27", "--lang", "en", "--align", "session").stdout
    assert "the first session of last season, 2025-26" in previous


def test_english_brief_reads_when_no_visitors_were_counted(ledger, run):
    ledger.add_season("2026-27", D(2026, 11, 1), D(2027, 1, 31))
    ledger.add_stall("M01", "肉一", category="meat")
    ledger.add_session("2026-27", D(2026, 11, 21))
    ledger.add_sale("2026-27:1", "M01", "meat", 500_00)
    en = run("report", "brief", "2026-27", "--lang", "en").stdout
    assert "had held 1 session (visitors not counted) and taken tourism revenue of ¥500" in en
    assert "人均" not in run("report", "season", "2026-27", "--no-files").stdout


def test_year_report_across_four_kinds(ledger, run, tmp_path):
    from openpyxl import load_workbook

    ledger.add_stall("H1", "牧户", category="meat", herder=True)
    ledger.add_stall("F1", "小吃", category="food")
    plan = {
        # code, kind, start, end, sessions: (date, herder yuan, other yuan, visitors)
        ("2023-spring", "spring", D(2023, 4, 1), D(2023, 5, 31)): [(D(2023, 4, 8), 100, 50, 10)],
        ("2023-24", "winter", D(2023, 11, 1), D(2024, 1, 31)): [
            (D(2023, 12, 2), 300, 100, 30), (D(2024, 1, 6), 700, 200, 70)],
        ("2024-spring", "spring", D(2024, 4, 1), D(2024, 5, 31)): [(D(2024, 4, 6), 110, 40, 11)],
        ("2024-summer", "summer", D(2024, 7, 1), D(2024, 8, 31)): [
            (D(2024, 7, 6), 220, 80, 22), (D(2024, 7, 13), 230, 70, None)],
        ("2024-autumn", "autumn", D(2024, 9, 1), D(2024, 10, 31)): [(D(2024, 9, 7), 330, 0, 33)],
        ("2024-25", "winter", D(2024, 11, 1), D(2025, 1, 31)): [
            (D(2024, 11, 23), 440, 60, 44), (D(2025, 1, 4), 999, 999, 99)],
    }  # fmt: skip
    for (code, kind, start, end), days in plan.items():
        ledger.add_season(code, start, end, kind=kind)
        for number, (day, herder, other, visitors) in enumerate(days, start=1):
            ledger.add_session(code, day, visitors=visitors, count_method="full")
            ledger.add_sale(f"{code}:{number}", "H1", "meat", herder * 100)
            if other:
                ledger.add_sale(f"{code}:{number}", "F1", "food", other * 100)

    def year_sums(year):
        rows = [(k[1], d) for k, days in plan.items() for d in days if d[0].year == year]
        kinds = {}
        for kind, (_, herder, other, visitors) in rows:
            k = kinds.setdefault(kind, [0, 0, 0])
            k[0] += herder + other
            k[1] += herder
            k[2] += visitors or 0
        return rows, kinds

    rows24, kinds24 = year_sums(2024)
    rows23, kinds23 = year_sums(2023)
    doc = doc_of(run, "report", "year", "2024")
    assert doc["window"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert doc["sessions"] == len(rows24) == 6
    revenue24 = sum(v[0] for v in kinds24.values())
    revenue23 = sum(v[0] for v in kinds23.values())
    assert doc["revenue_yuan"] == revenue24
    assert doc["herder_revenue_yuan"] == sum(v[1] for v in kinds24.values())
    assert doc["growth"]["revenue_pct"] == pct(revenue24, revenue23)
    assert doc["growth"]["visitors_pct"] is None  # a summer session was not counted
    by_kind = {k["kind"]: k for k in doc["by_kind"]}
    assert list(by_kind) == ["winter", "spring", "summer", "autumn"]
    for kind, (revenue, herder, _visits) in kinds24.items():
        assert by_kind[kind]["this"]["revenue_yuan"] == revenue
        assert by_kind[kind]["this"]["herder_revenue_yuan"] == herder
    assert by_kind["winter"]["last"]["revenue_yuan"] == kinds23["winter"][0]
    assert by_kind["spring"]["growth"]["revenue_pct"] == pct(
        kinds24["spring"][0], kinds23["spring"][0]
    )
    assert {s["season"] for s in doc["by_season"]} == {
        "2023-24",
        "2024-spring",
        "2024-summer",
        "2024-autumn",
        "2024-25",
    }

    out = tmp_path / "y"
    assert run("report", "year", "2024", "--out", out).exit_code == 0
    assert len(list(out.glob("*.png"))) == 2
    brief = next(out.glob("*-brief.txt")).read_text(encoding="utf-8")
    assert brief.startswith("2024年") and "较2023年" in brief
    (book,) = out.glob("*.xlsx")
    texts = [
        str(r[0]) for r in load_workbook(book).worksheets[0].iter_rows(values_only=True) if r[0]
    ]
    assert any("2024-01-01 至 2024-12-31" in t for t in texts)
    # the figures read back as the JSON gives them, row by row (not one row's repeated)
    figures = {
        r[0]: r[1:3] for r in load_workbook(book).worksheets[0].iter_rows(values_only=True) if r[0]
    }
    assert figures["场次"] == (6, len(rows23))
    assert figures["收入（元）"] == (revenue24, revenue23)
    assert figures["牧户摊位收入（元）"][0] == sum(v[1] for v in kinds24.values())
    en = run("report", "year", "2024", "--lang", "en", "--no-files")
    assert en.exit_code == 0 and "Total" in en.stdout
    assert run("report", "year", "2024", "--lang", "en", "--out", tmp_path / "e").exit_code == 0
    english = next((tmp_path / "e").glob("*-brief.txt")).read_text(encoding="utf-8")
    assert english.startswith("In 2024 the market held 6 sessions in 5 seasons")
    assert run("report", "year", "2030").exit_code == 1


def test_per_stall_averages_in_the_brief_share_one_unit() -> None:
    from iddexi.render.brief import _per_stall_zh

    # 15,795.08 against 5,877.24: both in 万元, not "1.6万元 against 5877.24元"
    assert _per_stall_zh(1_579_508, 587_724, 991_784) == ("1.6万元", "0.6万元", "1.0万元")
    # under ten thousand: whole yuan, rounded half up only here
    assert _per_stall_zh(80_050, 30_049) == ("801元", "300元")
