"""The web's own hash chains (submissions, decisions) and the approvals behind them,
tested as the attack: edit the ledger file by hand with sqlite3 (triggers dropped and put
back), then `iddexi check` must exit 1 and name the first row that no longer matches,
and change nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from iddexi.ledger import web_store
from iddexi.ledger.core import Ledger
from iddexi.web.approval import approve, now_iso, reject
from tests.helpers.ledger_state import dump_file
from tests.helpers.web import build_web_market

WEB_KINDS = ("web-chain", "approval")


@pytest.fixture
def decided(ledger_path: Path) -> dict[str, int]:
    """Three submissions (M01 approved, D01 rejected, S003 approved) and their decisions."""
    build_web_market(ledger_path)
    ids = {}
    with Ledger.open(ledger_path) as book:
        session = book.resolve_session("2025-26:1")
        for stall, category, fen in (("M01", "meat", 4_160_000), ("D01", "dairy", 50_000)):
            line = web_store.SubmittedLine(category, fen)
            ids[stall] = web_store.add_submission(
                book, session.id, stall, [line], f"form-{stall}", now_iso()
            )
        line = web_store.SubmittedLine("food", 12_345, None, None)
        ids["S003"] = web_store.add_submission(
            book, session.id, "S003", [line], "form-S003", now_iso()
        )
        ids["batch M01"] = approve(book, ids["M01"])
        reject(book, ids["D01"], "figures look doubled")
        ids["batch S003"] = approve(book, ids["S003"])
    return ids


def tamper(path: Path, edit: Callable[[sqlite3.Connection], None]) -> None:
    """Drop every trigger, make the edit, and put the triggers back as they were."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    edit(conn)
    for _name, sql in triggers:
        conn.execute(sql)
    conn.close()


def rechain(conn: sqlite3.Connection, table: str) -> None:
    """What a careful attacker does after an edit: recompute every row's hashes."""
    fields = {
        "submissions": "session_id, stall, lines, total_fen, submitted_at, form_id",
        "submission_decisions": "submission_id, decision, reason, batch_id, decided_at, decided_by",
    }[table]
    prev = web_store.GENESIS
    for row_id, *values in conn.execute(f"SELECT id, {fields} FROM {table} ORDER BY id"):
        digest = web_store.chain_hash(prev, values)
        conn.execute(
            f"UPDATE {table} SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id)
        )
        prev = digest


def web_problems(run, path: Path) -> tuple[int, list[dict]]:
    before = dump_file(path)
    result = run("check", "--json")
    assert dump_file(path) == before  # check changes nothing
    found = json.loads(result.stdout)
    problems = found["problems"] if isinstance(found, dict) else found
    return result.exit_code, [p for p in problems if p["kind"] in WEB_KINDS]


def test_a_sound_ledger_passes(decided, run, ledger_path) -> None:
    code, problems = web_problems(run, ledger_path)
    assert (code, problems) == (0, [])


def test_attack_a_submissions_amount_edited(decided, run, ledger_path) -> None:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE submissions SET lines = '[[\"dairy\",5000,null,null]]', total_fen = 5000"
            " WHERE id = ?",
            (decided["D01"],),
        )

    tamper(ledger_path, edit)
    code, problems = web_problems(run, ledger_path)
    assert code == 1
    assert [(p["kind"], p["location"]) for p in problems] == [
        ("web-chain", f"submission #{decided['D01']}")
    ]
    assert "changed, deleted or inserted outside iddexi" in problems[0]["message"]


def test_attack_a_decision_deleted(decided, run, ledger_path) -> None:
    tamper(ledger_path, lambda c: c.execute("DELETE FROM submission_decisions WHERE id = 1"))
    code, problems = web_problems(run, ledger_path)
    assert code == 1
    assert [(p["kind"], p["location"]) for p in problems] == [
        ("web-chain", "decision #2"),  # the first row that no longer chains
        ("approval", f"batch {decided['batch M01']} (submission-{decided['M01']}-M01.csv)"),
    ]


def test_attack_the_last_approval_deleted_leaves_its_batch_unexplained(
    decided, run, ledger_path
) -> None:
    tamper(ledger_path, lambda c: c.execute("DELETE FROM submission_decisions WHERE id = 3"))
    code, problems = web_problems(run, ledger_path)
    assert code == 1
    (problem,) = problems
    assert problem["kind"] == "approval"
    assert problem["location"].startswith(f"batch {decided['batch S003']} (submission-")
    assert f"holds submission #{decided['S003']} but no approval names it" in problem["message"]


def test_attack_a_submission_inserted(decided, run, ledger_path) -> None:
    def edit(conn: sqlite3.Connection) -> None:
        last = conn.execute("SELECT hash FROM submissions ORDER BY id DESC LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO submissions (id, session_id, stall, lines, total_fen, submitted_at,"
            " form_id, prev_hash, hash) VALUES (99, 2, 'M01', '[[\"meat\",1,null,null]]', 1,"
            " '2025-11-22T18:00:00+08:00', 'forged', ?, ?)",
            (last, "f" * 64),
        )

    tamper(ledger_path, edit)
    code, problems = web_problems(run, ledger_path)
    assert code == 1
    assert [(p["kind"], p["location"]) for p in problems] == [("web-chain", "submission #99")]


def test_attack_an_approval_moved_to_another_batch_with_its_chain_recomputed(
    decided, run, ledger_path
) -> None:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE submission_decisions SET batch_id = ? WHERE submission_id = ?",
            (decided["batch S003"], decided["M01"]),
        )
        rechain(conn, "submission_decisions")

    tamper(ledger_path, edit)
    code, problems = web_problems(run, ledger_path)
    assert code == 1
    assert [(p["kind"], p["location"]) for p in problems] == [
        ("approval", f"decision #1 (submission #{decided['M01']})"),
        ("approval", f"batch {decided['batch M01']} (submission-{decided['M01']}-M01.csv)"),
    ]
    assert "whose lines are not the submission's" in problems[0]["message"]


def test_attack_a_rejection_turned_into_an_approval_of_a_setup_batch(
    decided, run, ledger_path
) -> None:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE submission_decisions SET decision = 'approved', reason = NULL,"
            " batch_id = 1 WHERE submission_id = ?",
            (decided["D01"],),
        )
        rechain(conn, "submission_decisions")

    tamper(ledger_path, edit)
    code, problems = web_problems(run, ledger_path)
    assert code == 1
    assert [p["location"] for p in problems] == [f"decision #2 (submission #{decided['D01']})"]
    assert "which is not an import" in problems[0]["message"]


def test_an_approved_batch_voided_with_iddexi_is_no_problem(decided, run, ledger_path) -> None:
    done = run("void", str(decided["batch M01"]), "--reason", "approved by mistake")
    assert done.exit_code == 0, done.stderr
    code, problems = web_problems(run, ledger_path)
    assert (code, problems) == (0, [])


def test_restore_refuses_a_backup_whose_web_chain_is_broken(
    decided, run, ledger_path, tmp_path
) -> None:
    backup = tmp_path / "backup.sqlite"
    assert run("backup", backup).exit_code == 0
    tamper(backup, lambda c: c.execute("DELETE FROM submission_decisions WHERE id = 1"))
    target = tmp_path / "restored.sqlite"
    result = run("--ledger", target, "restore", backup)
    assert result.exit_code == 1
    assert "decision #2" in result.stderr and "was not restored" in result.stderr
    assert not target.exists()
