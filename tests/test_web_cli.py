"""`iddexi stall cards`, `iddexi submissions …` and `iddexi serve`'s refusals, from the
command line."""

from __future__ import annotations

import json
import socket
from decimal import Decimal
from pathlib import Path

import pytest

from iddexi.ledger import web_store
from iddexi.ledger.core import Ledger
from iddexi.web.approval import now_iso
from tests.helpers.web import WebMarket, build_web_market


@pytest.fixture
def market(ledger_path: Path) -> WebMarket:
    return build_web_market(ledger_path)


def submit(path: Path, stall: str, *lines: tuple[str, int], form: str) -> int:
    with Ledger.open(path) as book:
        session = book.resolve_session("2025-26:1")
        wanted = [web_store.SubmittedLine(c, fen) for c, fen in lines]
        return web_store.add_submission(book, session.id, stall, wanted, form, now_iso())


def test_cards_are_printed_once_then_only_rotated(market, run, tmp_path) -> None:
    again = run("stall", "cards", "2025-26", "-o", tmp_path / "c.html", "--url", "http://x:8000")
    assert again.exit_code == 1
    assert "every stall already has a card for 2025-26" in again.stderr
    assert not (tmp_path / "c.html").exists()
    unknown = run("stall", "cards", "2025-26", "-o", tmp_path / "c.html", "--rotate", "Z99")
    assert unknown.exit_code == 1 and "Z99" in unknown.stderr
    everyone = run(
        "stall", "cards", "2025-26", "-o", tmp_path / "c.html", "--all", "--url", "http://x:8000"
    )
    assert everyone.exit_code == 0, everyone.stderr
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert page.count('class="card"') == 3 and "其其格奶食" in page
    assert (tmp_path / "c.html").stat().st_mode & 0o077 == 0  # live links: owner only


def test_cards_refuse_an_existing_file_and_issue_nothing(market, run, tmp_path) -> None:
    (tmp_path / "c.html").write_text("mine", encoding="utf-8")
    with Ledger.open(market.path) as book:
        before = web_store.stall_secret(book, "M01")
    done = run("stall", "cards", "2025-26", "-o", tmp_path / "c.html", "--rotate", "M01")
    assert done.exit_code == 1 and "exists" in done.stderr
    assert (tmp_path / "c.html").read_text(encoding="utf-8") == "mine"
    with Ledger.open(market.path) as book:
        assert web_store.stall_secret(book, "M01") == before


def test_submissions_list_approve_reject(market, run) -> None:
    first = submit(market.path, "M01", ("meat", 4_160_000), form="a")
    second = submit(market.path, "D01", ("dairy", 50_000), form="b")
    listed = json.loads(run("submissions", "list", "2025-26:1", "--json").stdout)
    assert [s["status"] for s in listed["submissions"]] == ["waiting", "waiting"]
    assert listed["not_reported"] == ["S003"]
    done = run("submissions", "approve", "2025-26:1", str(first))
    assert done.exit_code == 0, done.stderr
    assert f"Approved submission {first} as batch" in done.stdout
    twice = run("submissions", "approve", "2025-26:1", str(first))
    assert twice.exit_code == 1 and "already approved" in twice.stderr
    no_reason = run("submissions", "reject", "2025-26:1", str(second), "--reason", " ")
    assert no_reason.exit_code == 1 and "give a reason" in no_reason.stderr
    assert run("submissions", "reject", "2025-26:1", str(second), "--reason", "x").exit_code == 0
    sold = json.loads(run("sale", "list", "2025-26:1", "--json").stdout, parse_float=Decimal)
    assert [(s["stall"], s["amount_yuan"]) for s in sold] == [("M01", Decimal("41600.00"))]


def test_a_correction_approved_later_replaces_the_first_figures(market, run) -> None:
    first = submit(market.path, "M01", ("meat", 100_000), form="a")
    assert run("submissions", "approve", "2025-26:1", str(first)).exit_code == 0
    second = submit(market.path, "M01", ("meat", 120_000), form="b")
    assert run("submissions", "approve", "2025-26:1", str(second)).exit_code == 0
    sold = json.loads(run("sale", "list", "2025-26:1", "--json").stdout, parse_float=Decimal)
    assert [(s["stall"], s["amount_yuan"]) for s in sold] == [("M01", Decimal("1200.00"))]


def test_a_replaced_submission_cannot_be_approved(market, run) -> None:
    old = submit(market.path, "M01", ("meat", 100_000), form="a")
    submit(market.path, "M01", ("meat", 120_000), form="b")
    done = run("submissions", "approve", "2025-26:1", str(old))
    assert done.exit_code == 1 and "replaced by a later one" in done.stderr
    assert json.loads(run("sale", "list", "2025-26:1", "--json").stdout) == []


def test_a_submission_of_another_session_is_refused(market, run) -> None:
    number = submit(market.path, "M01", ("meat", 100_000), form="a")
    done = run("submissions", "approve", "2024-25:1", str(number))
    assert done.exit_code == 1 and "not of this session" in done.stderr


def test_submissions_are_append_only(market) -> None:
    submit(market.path, "M01", ("meat", 100_000), form="a")
    with Ledger.open(market.path) as book, pytest.raises(Exception, match="append-only"):
        book.conn.execute("UPDATE submissions SET total_fen = 1")


def test_serve_refuses_a_port_in_use(market, run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port))
    assert done.exit_code == 1 and "choose another --port" in done.stderr


def test_serve_sets_a_password_asked_twice(market, run) -> None:
    done = run("serve", "--set-password", "bureau", input="long-enough-1\nlong-enough-1\n")
    assert done.exit_code == 0, done.stderr
    short = run("serve", "--set-password", "bureau", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr


def test_a_correction_that_leaves_out_a_category_takes_it_to_zero(market, run) -> None:
    first = submit(market.path, "M01", ("meat", 100_000), ("other", 5_000), form="a")
    assert run("submissions", "approve", "2025-26:1", str(first)).exit_code == 0
    second = submit(market.path, "M01", ("meat", 100_000), form="b")
    assert run("submissions", "approve", "2025-26:1", str(second)).exit_code == 0
    sold = json.loads(run("sale", "list", "2025-26:1", "--json").stdout, parse_float=Decimal)
    got = {(s["category"], s["amount_yuan"]) for s in sold}
    assert got == {("meat", Decimal("1000.00")), ("other", Decimal("0.00"))}
