"""`iddexi serve` in-process: the keeper's form, the organiser's approval, the bureau's
report, and one test per attack (each asserts the refusal and that nothing changed)."""

from __future__ import annotations

import html
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from iddexi.ledger.core import Ledger
from iddexi.web.app import create_app
from iddexi.web.context import Web
from tests.helpers.web import (
    BUREAU_PASSWORD,
    ORGANISER_PASSWORD,
    WebMarket,
    build_web_market,
    form_token,
)


@pytest.fixture
def market(ledger_path: Path) -> WebMarket:
    return build_web_market(ledger_path)


@pytest.fixture
def client(market: WebMarket):
    state = Web(ledger_path=market.path, user="web", one_time_token="one-time-code")
    with TestClient(create_app(state), base_url="http://testserver") as test_client:
        yield test_client
    state.close()


def submit(client: TestClient, link: str, **fields: str):
    page = client.get(link)
    assert page.status_code == 200, page.text
    session = page.text.split('name="session" value="')[1].split('"')[0]
    data = {"token": form_token(page.text), "session": session, **fields}
    return client.post(link, data=data, follow_redirects=False)


def sign_in(client: TestClient, role: str = "organiser", password: str = ORGANISER_PASSWORD):
    base = "/o" if role == "organiser" else "/b"
    form = client.get(base + "/login")
    return client.post(
        base + "/login",
        data={"token": form_token(form.text), "password": password},
        follow_redirects=False,
    )


def submissions_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM submissions").fetchone()[0]


def test_keeper_submits_and_gets_a_receipt_with_the_figures(client, market) -> None:
    sent = submit(client, market.links["M01"], amount_meat="1.5万", qty_meat="120", unit_meat="kg")
    assert sent.status_code == 303
    receipt = client.get(sent.headers["location"])
    assert receipt.status_code == 200
    assert "¥15,000.00" in receipt.text and "120 kg" in receipt.text
    assert "敖日格勒家冬储肉" in receipt.text


def test_amounts_are_refused_next_to_the_field_as_on_the_command_line(client, market) -> None:
    sent = submit(client, market.links["M01"], amount_meat="12.345", amount_other="-5")
    assert sent.status_code == 422
    assert "has more than two decimals" in sent.text
    assert "is negative" in sent.text
    assert submissions_count(market.path) == 0


def test_a_correction_replaces_the_waiting_submission(client, market) -> None:
    submit(client, market.links["M01"], amount_meat="1000")
    submit(client, market.links["M01"], amount_meat="1200")
    with Ledger.open(market.path) as book:
        from iddexi.web.approval import overview

        view = overview(book, market.session_ref)
    assert [s.status for s in view.submissions] == ["replaced", "waiting"]
    assert view.waiting_fen == 120_000


def test_organiser_approves_and_the_lines_are_an_import_batch(client, market, run) -> None:
    sent = submit(client, market.links["M01"], amount_meat="41600", amount_other="¥1,200.50")
    assert sign_in(client).status_code == 303
    page = client.get("/o")
    assert "M01" in page.text and "D01" in page.text  # D01 has not reported
    csrf = form_token(page.text)
    number = sent.headers["location"].rsplit("/", 1)[1]
    done = client.post(
        "/o/decide",
        data={"csrf": csrf, "ref": market.session_ref, "pick": number, "do": "approve"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    listed = run("--ledger", market.path, "sale", "list", market.session_ref, "--json")
    assert listed.exit_code == 0, listed.output
    lines = {
        (s["stall"], s["category"]): Decimal(str(s["amount_yuan"]))
        for s in json.loads(listed.stdout)
    }
    assert lines == {("M01", "meat"): Decimal("41600.00"), ("M01", "other"): Decimal("1200.50")}
    history = json.loads(run("--ledger", market.path, "history", "--json").stdout)
    last = history[-1] if isinstance(history, list) else history["batches"][-1]
    assert last["kind"] == "import" and last["source"] == f"submission-{number}-M01.csv"


def test_organiser_rejects_with_a_reason_the_keeper_sees(client, market) -> None:
    sent = submit(client, market.links["D01"], amount_dairy="99999")
    sign_in(client)
    csrf = form_token(client.get("/o").text)
    number = sent.headers["location"].rsplit("/", 1)[1]
    client.post(
        "/o/decide",
        data={
            "csrf": csrf,
            "ref": market.session_ref,
            "pick": number,
            "do": "reject",
            "reason": "太高了",
        },
    )
    assert "太高了" in client.get(market.links["D01"]).text


def test_organiser_records_and_closes_the_session(client, market) -> None:
    sign_in(client)
    csrf = form_token(client.get("/o").text)
    base = {"csrf": csrf, "ref": market.session_ref}
    client.post("/o/session", data={**base, "visitors": "10,400", "theme": "冬储肉节"})
    client.post("/o/close", data=base)
    with Ledger.open(market.path) as book:
        session = book.resolve_session(market.session_ref)
    assert (session.visitors, session.theme) == (10400, "冬储肉节")
    closed = client.get(market.links["M01"])
    assert "现在没有开放报送的场次" in closed.text  # a keeper's page speaks Chinese first
    closed = client.get(market.links["M01"], headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "No market session is open" in closed.text
    assert submissions_count(market.path) == 0


def gate_state(path: Path) -> tuple[list[tuple], int]:
    with sqlite3.connect(path) as conn:
        samples = conn.execute("SELECT gate, start, minutes, count FROM gate_samples").fetchall()
        return samples, conn.execute("SELECT count(*) FROM batches").fetchone()[0]


def count_gate(client: TestClient, market: WebMarket, **fields: str):
    csrf = form_token(client.get("/o").text)
    data = {"csrf": csrf, "ref": market.session_ref, **fields}
    return client.post("/o/count", data=data, follow_redirects=False)


def test_organiser_records_gate_samples_and_sees_the_estimate(client, market) -> None:
    sign_in(client)
    first = count_gate(client, market, gate="东门", start="10:00", minutes="20", count="312")
    assert first.status_code == 303, first.text
    second = count_gate(
        client, market, gate="西门", start="11:00", minutes="30", count="90", hours="10:00-14:00"
    )
    assert second.status_code == 303, second.text
    # 东门: 312 in 20 of the session's 360 minutes; 西门: 90 in 30 of its own 240 minutes
    expected = 312 * 360 // 20 + 90 * 240 // 30
    with Ledger.open(market.path) as book:
        session = book.resolve_session(market.session_ref)
    assert (session.visitors, session.count_method) == (expected, "sample")
    page = client.get("/o").text
    assert f"按开放时间 09:00-15:00 由入口抽样推算的客流：{expected}" in page  # Chinese first
    assert "东门" in page and "10:00-14:00" in page


def test_a_gate_sample_is_refused_next_to_its_field_as_by_session_count(
    client, market, run
) -> None:
    sign_in(client)
    before = gate_state(market.path)
    cli_base = ["--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"]
    cases = [  # what changes on the page, the field it is refused at, the same on the CLI
        ({"start": "25:00"}, "start", [*cli_base[:2], "--from", "25:00", *cli_base[4:]]),
        ({"minutes": "二十"}, "minutes", [*cli_base[:4], "--minutes", "二十", *cli_base[6:]]),
        ({"start": "14:50"}, "hours", [*cli_base[:2], "--from", "14:50", *cli_base[4:]]),
        ({"hours": "15:00-09:00"}, "hours", [*cli_base, "--hours", "15:00-09:00"]),
    ]
    for change, field, cli_args in cases:
        fields = {"gate": "东门", "start": "10:00", "minutes": "20", "count": "312", **change}
        refused = count_gate(client, market, **fields)
        assert refused.status_code == 422, (change, refused.status_code)
        form = refused.text.split('id="gate-form"')[1]
        after_field = form.split(f'id="{field}"')[1].split("<label")[0]
        assert 'class="error"' in after_field, (change, form)
        assert f'value="{next(iter(change.values()))}"' in form  # what was typed is kept
        cli = run("--ledger", market.path, "session", "count", market.session_ref, *cli_args)
        assert cli.exit_code == 1, cli.stdout
        web_words = html.unescape(after_field.split('role="alert">')[1].split("</p>")[0])
        # the same refusal; the page names the field by its label, the CLI by its option
        assert web_words.split("'")[-1] in cli.stderr, (web_words, cli.stderr)
    assert gate_state(market.path) == before


def test_an_overlapping_gate_sample_is_refused_and_writes_nothing(client, market) -> None:
    sign_in(client)
    fields = {"gate": "东门", "start": "10:00", "minutes": "20", "count": "312"}
    assert count_gate(client, market, **fields).status_code == 303
    before = gate_state(market.path)
    again = count_gate(client, market, **{**fields, "start": "10:10"})
    assert again.status_code == 422
    assert "overlapping this one" in again.text
    assert gate_state(market.path) == before


def test_attack_a_gate_count_without_the_pages_csrf_token(client, market) -> None:
    sign_in(client)
    before = gate_state(market.path)
    refused = client.post(
        "/o/count",
        data={
            "csrf": "guess",
            "ref": market.session_ref,
            "gate": "东门",
            "start": "10:00",
            "minutes": "20",
            "count": "312",
        },
    )
    assert refused.status_code == 403
    assert gate_state(market.path) == before


def test_bureau_sees_the_report_with_charts_and_workbook(client, market) -> None:
    submit(client, market.links["M01"], amount_meat="5000")
    assert client.get("/b", follow_redirects=False).headers.get("location") == "/b/login"
    sign_in(client, "bureau", BUREAU_PASSWORD)
    page = client.get("/b?season=2025-26&as_of=2025-12-06")
    assert page.status_code == 200, page.text
    assert page.text.count('class="chart"') == 5
    workbook = page.text.split('id="workbook" href="')[0]
    link = page.text.split('href="/b/file/')[1].split('"')[0]
    assert link.endswith(".xlsx"), workbook
    got = client.get("/b/file/" + link)
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert len(page.content) < 50_000


def test_the_organiser_password_does_not_open_the_bureau_page(client, market) -> None:
    assert sign_in(client, "bureau", ORGANISER_PASSWORD).status_code == 401
    sign_in(client)
    assert client.get("/b", follow_redirects=False).status_code == 303


def test_the_one_time_code_signs_in_once(client, market) -> None:
    assert sign_in(client, password="one-time-code").status_code == 303
    client.cookies.clear()
    assert sign_in(client, password="one-time-code").status_code == 401


def test_pages_carry_the_security_headers_and_stay_small(client, market) -> None:
    page = client.get(market.links["M01"])
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert len(page.content) < 50_000
    assert "http://" not in page.text.replace("http://testserver", "")  # nothing external


def test_english_by_accept_language_or_the_switch(client, market) -> None:
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert 'lang="zh-CN"' in zh.text and 'lang="en"' in en.text
    switched = client.get("/?lang=en")
    assert 'lang="en"' in switched.text
    assert 'lang="en"' in client.get("/").text  # remembered


# --- attacks --------------------------------------------------------------------------


def test_attack_another_stalls_secret_on_this_stalls_link(client, market) -> None:
    m01_secret = market.links["M01"].rsplit("/", 1)[1]
    page = client.get(f"/s/D01/{m01_secret}")
    assert page.status_code == 404
    assert "其其格奶食" not in page.text


def test_attack_reading_another_stalls_receipt(client, market) -> None:
    sent = submit(client, market.links["M01"], amount_meat="8888")
    number = sent.headers["location"].rsplit("/", 1)[1]
    theirs = client.get(f"{market.links['D01']}/receipt/{number}")
    assert theirs.status_code == 404
    assert "8,888" not in theirs.text


def test_attack_a_keeper_never_sees_another_stalls_figures(client, market) -> None:
    submit(client, market.links["M01"], amount_meat="7777")
    page = client.get(market.links["D01"])
    assert "7,777" not in page.text and "7777" not in page.text


def test_attack_a_replayed_form_is_refused(client, market) -> None:
    page = client.get(market.links["M01"])
    session = page.text.split('name="session" value="')[1].split('"')[0]
    data = {"token": form_token(page.text), "session": session, "amount_meat": "100"}
    assert client.post(market.links["M01"], data=data, follow_redirects=False).status_code == 303
    again = client.post(market.links["M01"], data=data, follow_redirects=False)
    assert again.status_code == 409
    assert submissions_count(market.path) == 1


def test_attack_a_form_from_another_site_is_refused(client, market) -> None:
    page = client.get(market.links["M01"])
    session = page.text.split('name="session" value="')[1].split('"')[0]
    data = {"token": form_token(page.text), "session": session, "amount_meat": "100"}
    forged = client.post(market.links["M01"], data=data, headers={"Origin": "http://evil.example"})
    assert forged.status_code == 403
    assert submissions_count(market.path) == 0


def test_attack_a_form_without_its_token_is_refused(client, market) -> None:
    page = client.get(market.links["M01"])
    session = page.text.split('name="session" value="')[1].split('"')[0]
    sent = client.post(market.links["M01"], data={"session": session, "amount_meat": "1"})
    assert sent.status_code == 409
    assert submissions_count(market.path) == 0


def test_attack_organiser_action_without_the_pages_csrf_token(client, market) -> None:
    sent = submit(client, market.links["M01"], amount_meat="100")
    number = sent.headers["location"].rsplit("/", 1)[1]
    sign_in(client)
    refused = client.post(
        "/o/decide",
        data={"csrf": "guess", "ref": market.session_ref, "pick": number, "do": "approve"},
    )
    assert refused.status_code == 403
    with Ledger.open(market.path) as book:
        assert book.sales(market.session_ref) == []


def test_attack_a_thousand_wrong_passwords_lock_sign_in(client, market) -> None:
    codes = [sign_in(client, password=f"guess-{n}").status_code for n in range(1000)]
    assert codes[0] == 401
    assert codes[-1] == 429
    assert sign_in(client, password=ORGANISER_PASSWORD).status_code == 429  # even the right one
    assert client.get("/o", follow_redirects=False).headers["location"] == "/o/login"


def test_attack_guessing_card_links_is_rate_limited(client, market) -> None:
    codes = [client.get(f"/s/M01/guess{n}").status_code for n in range(30)]
    assert codes[0] == 404 and codes[-1] == 429


def test_attack_a_stall_link_is_rate_limited(client, market) -> None:
    codes = [client.get(market.links["M01"]).status_code for _ in range(40)]
    assert codes[0] == 200 and codes[-1] == 429


def test_attack_an_oversized_form_is_refused(client, market) -> None:
    page = client.get(market.links["M01"])
    big = {"token": form_token(page.text), "amount_meat": "1" * 100_000}
    assert client.post(market.links["M01"], data=big).status_code == 413
    assert submissions_count(market.path) == 0


def test_attack_an_expired_session_must_sign_in_again(client, market) -> None:
    sign_in(client)
    state: Web = client.app.state.web  # type: ignore[attr-defined]
    assert client.get("/o", follow_redirects=False).status_code == 200
    state.sessions.idle = -1  # sessions touched from now on expire at once
    client.get("/o")
    assert client.get("/o", follow_redirects=False).headers["location"] == "/o/login"


def test_a_rotated_card_kills_the_old_link(client, market, run, tmp_path) -> None:
    old = market.links["M01"]
    assert client.get(old).status_code == 200
    done = run(
        "--ledger", market.path, "stall", "cards", "2025-26", "-o", tmp_path / "new.html",
        "--rotate", "M01", "--url", "http://127.0.0.1:8000",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert client.get(old).status_code == 404
    new = (tmp_path / "new.html").read_text(encoding="utf-8")
    assert new.count('class="card"') == 1 and "<svg" in new
    link = new.split('class="link">http://127.0.0.1:8000')[1].split("<")[0]
    assert client.get(link).status_code == 200


def test_secrets_and_passwords_are_stored_hashed(client, market) -> None:
    secret = market.links["M01"].rsplit("/", 1)[1]
    dump = "\n".join(sqlite3.connect(market.path).iterdump())
    assert secret not in dump and ORGANISER_PASSWORD not in dump
    assert "scrypt$" in dump
