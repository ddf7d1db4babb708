"""The organiser's verbs: stall, season and township edits, session moves, history filters.

Every correction is a new batch; voiding it brings the earlier details back.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from iddexi.ledger.core import Ledger
from tests.test_cli_entry import as_json, content, ok, refused

Run = Callable[..., Result]


def last_batch(ledger: Ledger) -> int:
    return ledger.conn.execute("SELECT max(id) FROM batches").fetchone()[0]


def stall(run: Run, code: str) -> dict:
    return next(s for s in as_json(run("stall", "list", "--json")) if s["code"] == code)


def season(run: Run, code: str) -> dict:
    return next(s for s in as_json(run("season", "list", "--json")) if s["code"] == code)


def sessions(run: Run, code: str) -> list[tuple[str, str, str | None]]:
    return [
        (s["session"], s["date"], s["host"])
        for s in as_json(run("session", "list", code, "--json"))
    ]


# --- stalls ----------------------------------------------------------------------------


def test_a_stall_edit_shows_everywhere_and_voiding_restores_it(run: Run, market: Ledger) -> None:
    before = stall(run, "F01")
    out = ok(
        run("stall", "edit", "F01", "--operator", "其木格", "--herder", "--township", "辉苏木")
    )
    assert "F01" in out.stdout and "operator" in out.stdout
    edited = stall(run, "F01")
    assert (edited["operator"], edited["herder"], edited["township"]) == ("其木格", True, "辉苏木")
    edit_batch = last_batch(market)
    ok(run("stall", "edit", "F01", "--name", "南屯小吃店"))
    # voiding the first edit brings back its fields, not the later name
    ok(run("void", str(edit_batch), "--reason", "wrong stall"))
    now = stall(run, "F01")
    assert now == {**before, "name": "南屯小吃店"}
    # a sale's stall name comes from the current details
    ok(run("sale", "add", "2025-26:1", "F01", "food", "300"))
    sales = as_json(run("sale", "list", "2025-26:1", "--json"))
    assert [s["stall_name"] for s in sales] == ["南屯小吃店"]


def test_a_stall_edit_can_clear_and_refuses_what_is_not_a_change(
    run: Run, market: Ledger, ledger_path: Path
) -> None:
    ok(run("stall", "edit", "M01", "--operator", "敖日格勒", "--not-herder"))
    assert stall(run, "M01")["herder"] is False
    ok(run("stall", "edit", "M01", "--operator", ""))
    assert stall(run, "M01")["operator"] is None
    before = content(ledger_path)
    refused(run("stall", "edit", "M01", "--operator", ""), "M01")  # nothing to change
    refused(run("stall", "edit", "M01"), "M01")
    refused(run("stall", "edit", "M09", "--name", "x"), "M09")
    refused(run("stall", "edit", "M01", "--township", "无此镇"), "无此镇")
    refused(run("stall", "edit", "M01", "--category", "fish"), "fish")
    refused(run("stall", "edit", "M01", "--name", " "))
    assert content(ledger_path) == before


def test_a_roster_imported_with_replace_overrides_an_earlier_edit(
    run: Run, market: Ledger, tmp_path: Path
) -> None:
    ok(run("stall", "edit", "M01", "--name", "敖日格勒冬储肉"))
    roster = tmp_path / "stalls.csv"
    # the roster agrees with the edited name: nothing to change
    roster.write_text("编号,名称\nM01,敖日格勒冬储肉\n", encoding="utf-8")
    ok(run("tally", "import", str(roster)))
    roster.write_text("编号,名称\nM01,敖日格勒家\n", encoding="utf-8")
    assert run("tally", "import", str(roster)).exit_code == 1  # a clash without --replace
    ok(run("tally", "import", str(roster), "--replace"))
    assert stall(run, "M01")["name"] == "敖日格勒家"


# --- seasons and townships -------------------------------------------------------------


def test_a_season_edit_and_its_void(run: Run, market: Ledger) -> None:
    before = season(run, "2025-26")
    ok(run("season", "edit", "2025-26", "--planned", "12", "--end", "2026-02-07", "--name", "冬季"))
    edited = season(run, "2025-26")
    assert (edited["planned_sessions"], edited["end"], edited["name"]) == (12, "2026-02-07", "冬季")
    ok(run("void", str(last_batch(market)), "--reason", "not decided yet"))
    assert season(run, "2025-26") == before


def test_seasons_of_one_kind_whose_dates_overlap_are_refused(
    run: Run, market: Ledger, ledger_path: Path, tmp_path: Path
) -> None:
    """Two spring seasons over the same days would have a year report count both."""
    ok(
        run(
            "season",
            "add",
            "2026",
            "--start",
            "2026-05-01",
            "--end",
            "2026-05-31",
            "--kind",
            "spring",
        )
    )
    before = content(ledger_path)
    twin = ("--start", "2026-05-01", "--end", "2026-05-31", "--kind", "spring")
    message = refused(run("season", "add", "2026-spring", *twin), "2026-spring", "2026 ")
    assert "overlap" in message
    refused(
        run(
            "season",
            "add",
            "2026-late",
            "--start",
            "2026-05-31",
            "--end",
            "2026-06-20",
            "--kind",
            "spring",
        ),
        "overlap",
        "2026 ",
    )
    refused(run("season", "edit", "2024-25", "--end", "2025-12-01"), "overlap", "2025-26")
    roster = tmp_path / "seasons.csv"
    roster.write_text("季,开始,结束,类型\n2026-b,2026-05-10,2026-05-20,春季\n", encoding="utf-8")
    refused(run("tally", "import", str(roster)), "overlap", "2026-b", "2026 ")
    assert content(ledger_path) == before
    # other kinds may share the days: a summer season beside the spring one is fine
    ok(run("season", "add", "2026-summer", *twin[:4], "--kind", "summer"))


def test_check_reports_overlapping_seasons_already_in_a_ledger(
    run: Run, market: Ledger, ledger_path: Path
) -> None:
    market.add_season("2026", dt.date(2026, 5, 1), dt.date(2026, 5, 31), kind="spring")
    market.add_season("2026-other", dt.date(2026, 6, 1), dt.date(2026, 6, 30), kind="spring")
    conn = sqlite3.connect(ledger_path)  # as an older iddexi let it be written
    conn.execute("UPDATE seasons SET start_date = '2026-05-15' WHERE code = '2026-other'")
    conn.commit()
    conn.close()
    result = run("check", "--json")
    assert result.exit_code == 1
    found = [p for p in json.loads(result.stdout)["problems"] if p["kind"] == "overlapping-seasons"]
    assert len(found) == 1 and "2026-other" in found[0]["message"]
    assert found[0]["location"].startswith("season 2026 ")


def test_a_season_edit_that_leaves_a_session_out_is_refused(
    run: Run, market: Ledger, ledger_path: Path
) -> None:
    before = content(ledger_path)
    message = refused(run("season", "edit", "2025-26", "--start", "2025-11-25"), "2025-11-22")
    assert "session move" in message
    refused(run("season", "edit", "2025-26", "--start", "2026-03-01"), "2026-03-01")
    refused(run("season", "edit", "2025-26", "--planned", "0"), "0")
    refused(run("season", "edit", "2025-26", "--market-day", "someday"), "someday")
    assert content(ledger_path) == before


def test_voiding_a_season_edit_that_a_moved_session_needs_is_refused(
    run: Run, market: Ledger
) -> None:
    ok(run("season", "edit", "2025-26", "--end", "2026-02-07"))
    extended = last_batch(market)
    ok(run("session", "move", "2025-26:2", "--date", "2026-02-07"))
    refused(run("void", str(extended), "--reason", "x"), "2026-02-07")
    assert season(run, "2025-26")["end"] == "2026-02-07"


def test_a_township_edit_and_its_void(run: Run, market: Ledger, ledger_path: Path) -> None:
    ok(run("township", "edit", "辉苏木", "--kind", "town"))
    kinds = {t["name"]: t["kind"] for t in as_json(run("township", "list", "--json"))}
    assert kinds["辉苏木"] == "town"
    before = content(ledger_path)
    refused(run("township", "edit", "辉苏木", "--kind", "town"), "辉苏木")
    refused(run("township", "edit", "无此镇", "--kind", "town"), "无此镇")
    assert content(ledger_path) == before
    ok(run("void", str(last_batch(market)), "--reason", "it is a sumu"))
    kinds = {t["name"]: t["kind"] for t in as_json(run("township", "list", "--json"))}
    assert kinds["辉苏木"] == "sumu"


# --- moving a session --------------------------------------------------------------------


def test_a_session_moves_with_its_sales_and_its_number_follows_the_date(
    run: Run, market: Ledger
) -> None:
    ok(run("sale", "add", "2025-26:1", "M01", "meat", "12000"))
    out = ok(run("session", "move", "2025-26:1", "--date", "2025-12-06"))
    assert "2025-11-22" in out.stdout and "2025-12-06" in out.stdout
    assert "2025-26:2" in out.stderr  # renumbered: said on stderr
    assert sessions(run, "2025-26") == [
        ("2025-26:1", "2025-11-29", "辉苏木"),
        ("2025-26:2", "2025-12-06", "巴彦托海镇"),
    ]
    moved = as_json(run("sale", "list", "2025-26:2", "--json"))
    assert [(s["stall"], s["amount_yuan"]) for s in moved] == [("M01", 12000)]
    report = json.loads(ok(run("report", "season", "2025-26", "--json")).stdout)
    assert "12000" in json.dumps(report)
    ok(run("void", str(last_batch(market)), "--reason", "it was the 22nd"))
    assert sessions(run, "2025-26")[0] == ("2025-26:1", "2025-11-22", "巴彦托海镇")


def test_a_move_that_cannot_be_is_refused_and_nothing_written(
    run: Run, market: Ledger, ledger_path: Path
) -> None:
    before = content(ledger_path)
    refused(run("session", "move", "2025-26:1", "--date", "2025-11-29"), "2025-11-29")
    refused(run("session", "move", "2025-26:1", "--date", "2026-03-07"), "2026-03-07")
    refused(run("session", "move", "2025-26:1", "--date", "2025-11-22"), "2025-11-22")
    refused(run("session", "move", "2025-26:9", "--date", "2025-12-06"), "2025-26:9")
    refused(run("session", "move", "2025-26:1", "--date", "tomorrow"), "tomorrow")
    assert content(ledger_path) == before


def test_voiding_a_move_back_onto_a_taken_date_is_refused(run: Run, market: Ledger) -> None:
    ok(run("session", "move", "2025-26:1", "--date", "2025-12-06"))
    move = last_batch(market)
    ok(run("session", "add", "2025-26", "--date", "2025-11-22", "--host", "辉苏木"))
    refused(run("void", str(move), "--reason", "x"), "2025-11-22")
    assert [d for _, d, _ in sessions(run, "2025-26")] == ["2025-11-22", "2025-11-29", "2025-12-06"]


# --- history -----------------------------------------------------------------------------


def test_history_filters(run: Run, market: Ledger) -> None:
    ok(run("--by", "巴特", "stall", "edit", "M01", "--operator", "巴特"))
    ok(run("session", "move", "2024-25:1", "--date", "2024-12-07"))
    every = as_json(run("history", "--json"))
    corrections = as_json(run("history", "--kind", "correction", "--json"))
    assert [b["source"].split()[:2] for b in corrections] == [
        ["stall", "edit"],
        ["session", "move"],
    ]
    assert [b["created_by"] for b in as_json(run("history", "--by", "巴特", "--json"))] == ["巴特"]
    last_two = as_json(run("history", "--limit", "2", "--json"))
    assert [b["id"] for b in last_two] == [b["id"] for b in every[-2:]]
    older = as_json(run("history", "--season", "2024-25", "--json"))
    assert {b["source"] for b in older} >= {"session move 2024-25:1 --date 2024-12-07"}
    assert all("2025-26" not in b["source"] for b in older)
    assert as_json(run("history", "--since", "2999-01-01", "--json")) == []
    assert len(as_json(run("history", "--since", "2000-01-01", "--json"))) == len(every)
    refused(run("history", "--kind", "edit"), "edit")
    # history shows a correction as 更正 in Chinese; the same word filters it
    assert as_json(run("history", "--kind", "更正", "--json")) == corrections
    refused(run("history", "--season", "1999"), "1999")
    refused(run("history", "--limit", "0"), "0")
    refused(run("history", "--since", "yesterday"), "yesterday")


def test_check_finds_nothing_wrong_after_corrections(run: Run, market: Ledger) -> None:
    ok(run("sale", "add", "2025-26:1", "M01", "meat", "12000"))
    ok(run("stall", "edit", "M01", "--name", "敖日格勒"))
    ok(run("season", "edit", "2025-26", "--planned", "12"))
    ok(run("township", "edit", "辉苏木", "--kind", "town"))
    ok(run("session", "move", "2025-26:1", "--date", "2025-12-06"))
    ok(
        run(
            "session", "count", "2025-26:2", "--gate", "东门", "--from", "10:00",
            "--minutes", "20", "--count", "312",
        )
    )  # fmt: skip
    result = run("check")
    assert result.exit_code == 0, result.output
