"""The Ledger API: batches, voids, corrections, session numbering and the append-only rule."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import ConflictError, InputError, NotFoundError

D = dt.date


def _by_key(book: Ledger, ref: str) -> dict[tuple[str, str], int]:
    return {(s.stall, s.category): s.amount_fen for s in book.sales(ref)}


def _last_batch(book: Ledger) -> int:
    return book.history()[-1].id


# --- batches and history -------------------------------------------------------------


def test_every_write_is_a_batch_with_who_what_and_row_count(market: Ledger) -> None:
    first = len(market.history())
    sale, replaced = market.add_sale("2025-26:1", "M01", "meat", 1_280_050, source="sale add x")
    assert replaced is None
    batch = market.history()[-1]
    assert len(market.history()) == first + 1
    assert sale.batch_id == batch.id
    assert (batch.kind, batch.source, batch.created_by, batch.rows, batch.status) == (
        "entry",
        "sale add x",
        "tester",
        1,
        "live",
    )
    assert batch.reason is None
    created = dt.datetime.fromisoformat(batch.created_at)
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=5)


def test_history_counts_what_each_batch_wrote(market: Ledger) -> None:
    kinds = [(b.kind, b.source.split()[0:2], b.rows) for b in market.history()]
    # the fixture: 2 townships, 2 seasons, 3 stalls, then 4 sessions, one batch each
    assert [k for k, _, _ in kinds] == ["setup"] * 7 + ["entry"] * 4
    assert all(rows == 1 for _, _, rows in kinds)
    market.set_session("2025-26:1", visitors=9900)
    assert market.history()[-1].kind == "correction"
    assert market.history()[-1].rows == 1


def test_a_user_name_given_on_open_is_recorded(ledger_path) -> None:
    book = Ledger.open(ledger_path, user="其其格")
    book.add_township("辉苏木", "sumu")
    assert book.history()[-1].created_by == "其其格"
    book.close()


def test_a_failure_inside_a_batch_writes_nothing(market: Ledger) -> None:
    before = market.history()
    with pytest.raises(RuntimeError), market.batch("entry", "half a tally") as batch_id:
        session = market.resolve_session("2025-26:1")
        market.conn.execute(
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
            " VALUES (?, ?, 'M01', 'meat', 100)",
            (batch_id, session.id),
        )
        raise RuntimeError("the laptop ran out of battery")
    assert market.history() == before
    assert market.sales("2025-26:1") == []


def test_a_refused_write_leaves_no_batch(market: Ledger) -> None:
    before = market.history()
    with pytest.raises(ConflictError):
        market.add_season("2025-26", D(2025, 11, 22), D(2026, 1, 31))
    with pytest.raises(ConflictError):
        market.add_stall("M01", "again")
    with pytest.raises(ConflictError):
        market.add_township("辉苏木")
    with pytest.raises(ConflictError):
        market.add_session("2025-26", D(2025, 11, 22))
    assert market.history() == before


# --- voids -----------------------------------------------------------------------------


def test_void_excludes_the_lines_and_records_who_and_why(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 1_000_000)
    market.add_sale("2025-26:1", "D01", "dairy", 250_050)
    typo = market.history()[-1].id
    voided = market.void(typo, "  typed into the wrong session ")
    assert voided.status == "void"
    assert voided.reason == "typed into the wrong session"
    assert voided.voided_by == "tester"
    assert voided.rows == 1  # the rows stay, they just stop counting
    assert _by_key(market, "2025-26:1") == {("M01", "meat"): 1_000_000}
    assert market.sessions("2025-26")[0].revenue_fen == 1_000_000
    assert market.sessions("2025-26")[0].lines == 1
    # the line is still in the file
    assert market.conn.execute("SELECT count(*) FROM sales").fetchone()[0] == 2
    # and the same line can now be entered again without --replace
    market.add_sale("2025-26:1", "D01", "dairy", 205_050)
    assert _by_key(market, "2025-26:1")[("D01", "dairy")] == 205_050


def test_void_twice_is_refused(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100)
    batch = _last_batch(market)
    market.void(batch, "test line")
    with pytest.raises(ConflictError, match=rf"batch {batch} is already void.*test line"):
        market.void(batch, "again")
    assert market.batch_record(batch).reason == "test line"


def test_void_needs_a_reason_and_an_existing_batch(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100)
    batch = _last_batch(market)
    with pytest.raises(InputError, match="reason"):
        market.void(batch, "   ")
    assert market.batch_record(batch).status == "live"
    with pytest.raises(NotFoundError, match="batch 999"):
        market.void(999, "no such batch")


@pytest.mark.parametrize("what", ["season", "township", "stall", "category"])
def test_a_batch_of_reference_data_only_cannot_be_voided(ledger: Ledger, what: str) -> None:
    if what == "season":
        ledger.add_season("2025-26", D(2025, 11, 22), D(2026, 1, 31))
    elif what == "township":
        ledger.add_township("辉苏木", "sumu")
    elif what == "stall":
        ledger.add_stall("M01", "敖日格勒家冬储肉")
    else:
        ledger.add_category("fish", "冬捕鱼", "Winter fish", ["鱼"])
    batch = _last_batch(ledger)
    with pytest.raises(ConflictError, match=what):
        ledger.void(batch, "mistake")
    assert ledger.batch_record(batch).status == "live"


def test_a_session_with_sales_in_other_batches_cannot_be_voided(market: Ledger) -> None:
    session_batch = market.resolve_session("2025-26:1")
    batch = market.conn.execute(
        "SELECT batch_id FROM sessions WHERE id = ?", (session_batch.id,)
    ).fetchone()[0]
    market.add_sale("2025-26:1", "M01", "meat", 100)
    sale_batch = _last_batch(market)
    with pytest.raises(ConflictError, match=rf"batch {sale_batch}"):
        market.void(batch, "wrong day")
    market.void(sale_batch, "wrong day")
    market.void(batch, "wrong day")
    assert [s.date for s in market.sessions("2025-26")] == [D(2025, 11, 29)]


# --- --replace -------------------------------------------------------------------------


def test_a_second_line_for_the_same_stall_and_category_is_refused(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    first = _last_batch(market)
    with pytest.raises(ConflictError) as caught:
        market.add_sale("2025-26:1", "M01", "冬储肉", 1_300_000)
    assert f"batch {first}" in str(caught.value)
    assert "--replace" in str(caught.value)
    assert _last_batch(market) == first
    # another category or another session is a different line
    market.add_sale("2025-26:1", "M01", "dairy", 100)
    market.add_sale("2025-26:2", "M01", "meat", 100)


def test_replace_voids_the_old_line_and_voiding_the_replacement_brings_it_back(
    market: Ledger,
) -> None:
    old, _ = market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    new, replaced = market.add_sale("2025-26:1", "M01", "meat", 1_208_050, replace=True)
    assert replaced is not None and replaced.id == old.id and replaced.amount_fen == 1_280_050
    assert new.batch_id != old.batch_id
    assert market.batch_record(new.batch_id).kind == "correction"
    assert _by_key(market, "2025-26:1") == {("M01", "meat"): 1_208_050}
    # the old batch itself is still live; only its line is superseded
    assert market.batch_record(old.batch_id).status == "live"

    market.void(new.batch_id, "the first figure was right")
    assert _by_key(market, "2025-26:1") == {("M01", "meat"): 1_280_050}
    assert market.sessions("2025-26")[0].revenue_fen == 1_280_050


def test_replace_without_an_earlier_line_just_records(market: Ledger) -> None:
    new, replaced = market.add_sale("2025-26:1", "F01", "food", 50_000, replace=True)
    assert replaced is None
    assert _by_key(market, "2025-26:1") == {("F01", "food"): 50_000}


def test_voiding_a_correction_in_the_middle_of_a_chain_brings_nothing_back(
    market: Ledger,
) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100_000)
    second, _ = market.add_sale("2025-26:1", "M01", "meat", 200_000, replace=True)
    third, _ = market.add_sale("2025-26:1", "M01", "meat", 300_000, replace=True)
    # the third superseded the first as well, so the first stays out
    market.void(second.batch_id, "wrong")
    assert _by_key(market, "2025-26:1") == {("M01", "meat"): 300_000}
    # with every correction void, the first entry stands again
    market.void(third.batch_id, "wrong")
    assert _by_key(market, "2025-26:1") == {("M01", "meat"): 100_000}


def test_voiding_the_latest_correction_brings_back_the_one_before(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100_000)
    market.add_sale("2025-26:1", "M01", "meat", 200_000, replace=True)
    third, _ = market.add_sale("2025-26:1", "M01", "meat", 300_000, replace=True)
    market.void(third.batch_id, "wrong")
    assert _by_key(market, "2025-26:1") == {("M01", "meat"): 200_000}


def test_sessions_are_numbered_by_date_whatever_the_order_of_entry(ledger: Ledger) -> None:
    ledger.add_season("2025-26", D(2025, 11, 22), D(2026, 1, 31))
    for day in (D(2025, 12, 6), D(2025, 11, 22), D(2026, 1, 3), D(2025, 11, 29)):
        ledger.add_session("2025-26", day)
    assert [(s.number, s.date) for s in ledger.sessions("2025-26")] == [
        (1, D(2025, 11, 22)),
        (2, D(2025, 11, 29)),
        (3, D(2025, 12, 6)),
        (4, D(2026, 1, 3)),
    ]
    assert ledger.resolve_session("2025-26:3").date == D(2025, 12, 6)
    assert ledger.resolve_session("2025-26:2025-12-06").number == 3
    assert ledger.resolve_session(" 2025-26:2025/12/6 ").number == 3
    # voiding a session renumbers the rest
    batch = ledger.conn.execute(
        "SELECT batch_id FROM sessions WHERE date = '2025-11-29'"
    ).fetchone()[0]
    ledger.void(batch, "no market: blizzard")
    assert [s.number for s in ledger.sessions("2025-26")] == [1, 2, 3]
    assert ledger.resolve_session("2025-26:2").date == D(2025, 12, 6)


def test_session_references_that_do_not_exist_are_refused(market: Ledger) -> None:
    with pytest.raises(NotFoundError, match="2025-26:3"):
        market.resolve_session("2025-26:3")
    with pytest.raises(NotFoundError, match="2025-12-06"):
        market.resolve_session("2025-26:2025-12-06")
    with pytest.raises(NotFoundError, match="2030-31"):
        market.resolve_session("2030-31:1")
    with pytest.raises(InputError, match="SEASON:N"):
        market.resolve_session("2025-26")
    with pytest.raises(InputError, match="2025-02-30"):
        market.resolve_session("2025-26:2025-02-30")


def test_session_dates_outside_their_season_are_refused(market: Ledger) -> None:
    before = market.history()
    for day in (D(2025, 11, 21), D(2026, 2, 1), D(2024, 12, 7)):
        with pytest.raises(InputError, match=str(day)):
            market.add_session("2025-26", day)
    # the first and last day are inside
    market.add_session("2025-26", D(2026, 1, 31))
    assert len(market.history()) == len(before) + 1


def test_a_session_host_must_be_a_known_township(market: Ledger) -> None:
    before = market.history()
    with pytest.raises(NotFoundError, match="锡尼河"):
        market.add_session("2025-26", D(2025, 12, 6), host="锡尼河")
    with pytest.raises(NotFoundError, match="锡尼河"):
        market.set_session("2025-26:1", host="锡尼河")
    assert market.history() == before


def test_bad_session_details_are_refused(market: Ledger) -> None:
    with pytest.raises(InputError, match="guess"):
        market.add_session("2025-26", D(2025, 12, 6), count_method="guess")
    with pytest.raises(InputError, match="-5"):
        market.add_session("2025-26", D(2025, 12, 6), visitors=-5)
    with pytest.raises(InputError, match="nothing to change"):
        market.set_session("2025-26:1")


def test_session_corrections_and_voiding_them(market: Ledger) -> None:
    assert market.resolve_session("2025-26:1").visitors == 9800
    market.set_session("2025-26:1", visitors=10_400, theme="冰雪那达慕")
    first_fix = _last_batch(market)
    market.set_session("2025-26:1", visitors=10_900, count_method="sample")
    second_fix = _last_batch(market)
    s = market.resolve_session("2025-26:1")
    assert (s.visitors, s.theme, s.count_method, s.host) == (
        10_900,
        "冰雪那达慕",
        "sample",
        "巴彦托海镇",
    )

    market.void(second_fix, "the sample was wrong")
    s = market.resolve_session("2025-26:1")
    assert (s.visitors, s.theme, s.count_method) == (10_400, "冰雪那达慕", None)
    market.void(first_fix, "back to the original")
    s = market.resolve_session("2025-26:1")
    assert (s.visitors, s.theme) == (9800, None)
    # the original rows are untouched
    assert market.conn.execute("SELECT count(*) FROM session_revisions").fetchone()[0] == 6


def test_session_revenue_is_the_sum_of_its_live_lines(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    market.add_sale("2025-26:1", "D01", "奶制品", 250_025)
    market.add_sale("2025-26:1", "F01", "小吃", 1)
    market.add_sale("2025-26:2", "M01", "meat", 99_999_999)
    s1, s2 = market.sessions("2025-26")
    assert (s1.revenue_fen, s1.lines) == (1_530_076, 3)
    assert (s2.revenue_fen, s2.lines) == (99_999_999, 1)
    assert market.sessions("2024-25")[0].revenue_fen == 0


def test_sales_name_unknown_stalls_and_categories(market: Ledger) -> None:
    with pytest.raises(NotFoundError, match="X99"):
        market.add_sale("2025-26:1", "X99", "meat", 100)
    with pytest.raises(NotFoundError, match="fish"):
        market.add_sale("2025-26:1", "M01", "fish", 100)


def test_a_stall_code_is_one_stall_whatever_its_case(market: Ledger) -> None:
    """Stalls are looked up without regard to case, so M01 and m01 must be the same stall."""
    with pytest.raises(ConflictError, match="M01"):
        market.add_stall("m01", "another stall")
    assert [s.code for s in market.stalls()] == ["D01", "F01", "M01"]


# --- the append-only rule, enforced by the database ---------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE sales SET amount_fen = 1",
        "DELETE FROM sales",
        "UPDATE sessions SET date = '2025-11-23'",
        "DELETE FROM sessions",
        "UPDATE session_revisions SET visitors = 1",
        "DELETE FROM session_revisions",
        "DELETE FROM sale_voids",
        "DELETE FROM batches",
        "UPDATE batches SET source = 'edited'",
        "UPDATE batches SET created_by = 'someone else'",
    ],
)
def test_the_database_refuses_edits_in_place(market: Ledger, statement: str) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100_000)
    market.add_sale("2025-26:1", "M01", "meat", 110_000, replace=True)
    before = list(market.conn.iterdump())
    with pytest.raises(sqlite3.IntegrityError):
        market.conn.execute(statement)
    assert list(market.conn.iterdump()) == before


def test_a_voided_batch_cannot_be_unvoided_in_the_database(market: Ledger) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100_000)
    batch = _last_batch(market)
    market.void(batch, "typo")
    with pytest.raises(sqlite3.IntegrityError):
        market.conn.execute("UPDATE batches SET voided_at = NULL WHERE id = ?", (batch,))
    assert market.batch_record(batch).status == "void"


# --- one BEGIN IMMEDIATE per write ------------------------------------------------------------


def test_a_batch_holds_the_write_lock_and_lands_all_at_once(market: Ledger) -> None:
    """Two organisers' laptops on one ledger: a batch is invisible until it commits whole,
    and nobody else can write while it is open."""
    other = Ledger.open(market.path, user="second laptop")
    other.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with market.batch("entry", "tally of 2025-26:1") as batch_id:
            session = market.resolve_session("2025-26:1")
            market.conn.execute(
                "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
                " VALUES (?, ?, 'M01', 'meat', 1280050)",
                (batch_id, session.id),
            )
            assert other.sales("2025-26:1") == []
            assert batch_id not in [b.id for b in other.history()]
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.add_township("伊敏苏木")
        assert [s.amount_fen for s in other.sales("2025-26:1")] == [1_280_050]
        other.add_township("伊敏苏木")
        assert "伊敏苏木" in [t.name for t in market.townships()]
    finally:
        other.close()
