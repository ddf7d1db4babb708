"""`iddexi tally import` of stall rosters, sessions, townships and seasons tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from iddexi.ledger.core import Ledger
from tests.test_tally_import import jload, sales_of, write


def test_a_roster_and_the_sales_of_its_new_stalls_in_one_command(
    market: Ledger, run, tmp_path: Path
) -> None:
    roster = write(
        tmp_path / "stalls.csv",
        "编号,名称,经营者,所属苏木乡镇,牧户,类别\n"
        "M01,敖日格勒家冬储肉,,辉苏木,是,meat\n"  # as in the ledger: skipped
        "M02,巴特尔牧场牛排,巴特尔,辉苏木,是,冬储肉\n"
        "C01,桦树皮工坊,,巴彦托海镇,否,非遗\n",
    )
    sales = write(
        tmp_path / "sales.csv",
        "季,场次,摊位,类别,金额\n2025-26,1,M02,,8000\n2025-26,1,c01,,1200.5\n",
    )
    result = run("tally", "import", roster, sales)
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0].startswith("stalls.csv: stalls, 2 rows, 1 row already in the ledger unchanged")
    assert out[1].startswith("sales.csv: sales, 2 rows, total ¥9,200.50")
    stalls = {s["code"]: s for s in jload(run("stall", "list", "--json").stdout)}
    assert stalls["M02"]["herder"] is True and stalls["C01"]["category"] == "craft"
    assert sales_of(run, "2025-26:1") == {
        ("C01", "craft"): Decimal("1200.50"),
        ("M02", "meat"): Decimal("8000.00"),
    }


def test_a_changed_roster_row_clashes_unless_replace(market: Ledger, run, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "stalls.csv",
        "code,name,operator,township,herder,category\nF01,南屯烧烤,,巴彦托海镇,no,food\n",
    )
    setup = market.conn.execute("SELECT batch_id FROM stalls WHERE code = 'F01'").fetchone()[0]
    refused = run("tally", "import", roster)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        "stalls.csv:2:name: stall F01 is already in the ledger with name '南屯小吃' "
        f"(batch {setup}); import with --replace to change it (got '南屯烧烤')"
    )
    assert run("tally", "import", roster, "--replace").exit_code == 0
    assert market.stall("F01").name == "南屯烧烤"


def test_sessions_table_aliases_create_and_correct_sessions(
    market: Ledger, run, tmp_path: Path
) -> None:
    table = write(
        tmp_path / "场次.csv",
        "赛季,日期,承办单位,主题,游客人次,计数方式,气温,备注\n"
        "2025-26,2025-11-22,巴彦托海镇,,9800,,,\n"  # as recorded: held again by this batch
        '2025-26,2025/12/6,辉苏木,冰雪那达慕,"10,400",抽样,−28℃,\n'
        "2025-26,2025年12月13日,巴彦托海镇,年货,8800,estimate,-30.5,雪\n",
    )
    result = run("tally", "import", table)
    assert result.exit_code == 0, result.stderr
    assert "sessions, 3 rows, 1 row as already recorded, now in this batch" in result.stdout
    sessions = jload(run("session", "list", "2025-26", "--json").stdout)
    assert [(s["date"], s["host"], s["visitors"], s["count_method"]) for s in sessions] == [
        ("2025-11-22", "巴彦托海镇", 9800, None),
        ("2025-11-29", "辉苏木", 10200, None),
        ("2025-12-06", "辉苏木", 10400, "sample"),
        ("2025-12-13", "巴彦托海镇", 8800, "estimate"),
    ]
    assert str(sessions[3]["temperature_c"]) == "-30.5"
    # a different visitor count for a recorded day is a clash; --replace corrects it
    fix = write(
        tmp_path / "fix.csv",
        "season,date,host,visitors\n2025-26,2025-12-06,辉苏木,10500\n",
    )
    refused = run("tally", "import", fix)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "fix.csv:2:visitors: session 2025-26:3 (2025-12-06) is already in the ledger with "
        "visitors 10400"
    )
    assert run("tally", "import", fix, "--replace").exit_code == 0
    assert market.resolve_session("2025-26:3").visitors == 10500


def test_a_later_sessions_table_keeps_the_details_it_repeats_when_the_first_is_voided(
    market: Ledger, run, tmp_path: Path
) -> None:
    market.add_session("2025-26", dt.date(2025, 12, 6))  # entered on the day, no count yet
    first = write(
        tmp_path / "a.csv", "season,date,host,visitors\n2025-26,2025-12-06,辉苏木,10400\n"
    )
    fuller = write(
        tmp_path / "b.csv",
        "season,date,host,visitors\n2025-26,2025-12-06,辉苏木,10400\n"
        "2025-26,2025-12-13,巴彦托海镇,8800\n",
    )
    assert run("tally", "import", first).exit_code == 0
    batch = jload(run("history", "--json").stdout)[-1]["id"]
    assert run("tally", "import", fuller).exit_code == 0
    assert run("void", str(batch), "--reason", "draft").exit_code == 0
    session = market.resolve_session("2025-26:2025-12-06")
    assert (session.host, session.visitors) == ("辉苏木", 10400)
    # a table that repeats only what is recorded writes nothing
    again = write(
        tmp_path / "c.csv", "season,date,host,visitors\n2025-26,2025-12-13,巴彦托海镇,8800\n"
    )
    result = run("tally", "import", again)
    assert result.exit_code == 0, result.stderr
    assert "nothing new" in result.stdout


def test_sessions_rows_are_checked_against_their_season(market: Ledger, run, tmp_path: Path):
    table = write(
        tmp_path / "sessions.csv",
        "season,date,host,visitors\n"
        "2025-26,2025-10-04,辉苏木,100\n"
        "2099-00,2025-12-06,辉苏木,100\n"
        "2025-26,2025-12-06,乌兰巴托,\n",
    )
    result = run("tally", "import", table)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        "sessions.csv:2:date: date is outside season 2025-26 (2025-11-22 … 2026-01-31) "
        "(got '2025-10-04')",
        "sessions.csv:3:season: season 2099-00 is not in the ledger (known: 2024-25, 2025-26) "
        "(got '2099-00')",
        "sessions.csv:4:host: host 乌兰巴托 is not a township in the ledger "
        "(known: 巴彦托海镇, 辉苏木) (got '乌兰巴托')",
        "sessions.csv:4:visitors: visitors is empty; it is required",
    ]


def test_townships_and_seasons_tables(ledger: Ledger, run, tmp_path: Path) -> None:
    towns = write(tmp_path / "townships.csv", "名称,类型\n辉苏木,苏木\n大雁镇,town\n")
    seasons = write(
        tmp_path / "seasons.csv",
        "季,开始,结束,类型,场次数,集日,名称\n2026-27,2026-11-21,2027-01-30,冬季,10,周六,下一季\n",
    )
    result = run("tally", "import", towns, seasons)
    assert result.exit_code == 0, result.stderr
    assert [(t.name, t.kind) for t in ledger.townships()] == [
        ("大雁镇", "town"),
        ("辉苏木", "sumu"),
    ]
    season = ledger.season("2026-27")
    assert (season.kind, season.planned_sessions, season.market_day, season.name) == (
        "winter",
        10,
        "sat",
        "下一季",
    )


def test_changed_seasons_and_townships_need_replace(ledger: Ledger, run, tmp_path: Path) -> None:
    import datetime as dt

    ledger.add_township("辉苏木", "sumu")
    ledger.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31), planned=11)
    ledger.add_session("2025-26", dt.date(2026, 1, 31))
    towns = write(tmp_path / "t.csv", "name,kind\n辉苏木,town\n")
    seasons = write(
        tmp_path / "s.csv", "code,start,end,planned\n2025-26,2025-11-22,2026-01-24,10\n"
    )
    refused = run("tally", "import", towns, seasons)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[:-1] == [
        "t.csv:2:kind: township 辉苏木 is already in the ledger with kind 'sumu' (batch 1); "
        "import with --replace to change it (got 'town')",
        "s.csv:2:end: season 2025-26 is already in the ledger with end '2026-01-31' (batch 2); "
        "import with --replace to change it (got '2026-01-24')",
        "s.csv:2:planned: season 2025-26 is already in the ledger with planned sessions 11 "
        "(batch 2); import with --replace to change it (got '10')",
    ]
    again = run("tally", "import", towns, seasons, "--replace")
    assert again.exit_code == 1
    assert again.stderr.splitlines()[0] == (
        "s.csv:2:start: season 2025-26 has a session on 2026-01-31, outside 2025-11-22 … "
        "2026-01-24 (got '2025-11-22')"
    )
    fixed = write(tmp_path / "s2.csv", "code,start,end,planned\n2025-26,2025-11-22,2026-01-31,10\n")
    assert run("tally", "import", towns, fixed, "--replace").exit_code == 0
    assert ledger.townships()[0].kind == "town"
    assert ledger.season("2025-26").planned_sessions == 10
