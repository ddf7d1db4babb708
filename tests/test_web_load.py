"""150 stall keepers submitting at once to a real `iddexi serve` on loopback: every
submission lands exactly once, p95 response under 200 ms, approved to the fen."""

from __future__ import annotations

import sqlite3
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2

from iddexi.ledger.core import Ledger
from iddexi.web.approval import approve
from tests.helpers.web import ORGANISER_PASSWORD, LiveServer, build_web_market, form_token

KEEPERS = 150
# The 150 keepers arrive evenly over 15 s: four times the asked-for "within one minute",
# so the suite stays short and the server sees more than a market's peak
WINDOW = 15.0
AT_ONCE = 16  # at most this many phones talking to the server at one instant


def keeper(client: httpx2.Client, link: str, amount_fen: int, start_at: float) -> list[float]:
    """At ``start_at``, open the card's page, send the figures, read the receipt; return
    each request's seconds."""
    time.sleep(max(0.0, start_at - time.perf_counter()))
    timings = []
    start = time.perf_counter()
    page = client.get(link)
    timings.append(time.perf_counter() - start)
    assert page.status_code == 200, page.text
    session = page.text.split('name="session" value="')[1].split('"')[0]
    yuan = f"{amount_fen // 100}.{amount_fen % 100:02d}"
    data = {"token": form_token(page.text), "session": session, "amount_other": yuan}
    start = time.perf_counter()
    sent = client.post(link, data=data, headers={"Origin": str(client.base_url).rstrip("/")})
    timings.append(time.perf_counter() - start)
    assert sent.status_code == 303, sent.text
    start = time.perf_counter()
    receipt = client.get(sent.headers["location"])
    timings.append(time.perf_counter() - start)
    assert 'id="receipt"' in receipt.text, receipt.text
    return timings


def test_150_keepers_within_a_minute_land_once_and_fast(ledger_path: Path) -> None:
    market = build_web_market(ledger_path, stalls=KEEPERS)
    amounts = {code: 100_000 + 137 * n for n, code in enumerate(sorted(market.links))}
    with LiveServer(ledger_path) as server:
        started = time.perf_counter()
        codes = sorted(market.links)
        # one client for all (its connection pool is thread-safe): a client each would
        # measure the test's own set-up (SSL contexts, under the test's GIL), not the server
        limits = httpx2.Limits(max_connections=AT_ONCE)
        with (
            ThreadPoolExecutor(AT_ONCE) as pool,
            httpx2.Client(base_url=server.base, timeout=30, limits=limits) as client,
        ):
            runs = list(
                pool.map(
                    lambda n: keeper(
                        client,
                        market.links[codes[n]],
                        amounts[codes[n]],
                        started + WINDOW * n / KEEPERS,
                    ),
                    range(KEEPERS),
                )
            )
        elapsed = time.perf_counter() - started
        assert server.stop() == 0, "\n".join(server.output)
    timings = sorted(t for run in runs for t in run)
    p95 = statistics.quantiles(timings, n=20)[-1]
    assert elapsed < 60, f"{KEEPERS} keepers took {elapsed:.1f} s"
    slowest = {
        kind: f"{max(run[i] for run in runs) * 1000:.0f} ms"
        for i, kind in enumerate(("form", "send", "receipt"))
    }
    assert p95 < 0.200, f"p95 {p95 * 1000:.0f} ms; slowest {slowest}"
    with sqlite3.connect(ledger_path) as conn:
        rows = conn.execute("SELECT stall, total_fen FROM submissions").fetchall()
    assert sorted(rows) == sorted(amounts.items())  # each exactly once, to the fen
    with LiveServer(ledger_path) as server, httpx2.Client(base_url=server.base) as organiser:
        form = organiser.get("/o/login")
        signed = organiser.post(
            "/o/login", data={"token": form_token(form.text), "password": ORGANISER_PASSWORD}
        )
        assert signed.status_code == 303, signed.text
        page = organiser.get("/o")
        assert page.text.count('name="pick"') == KEEPERS
        assert len(page.content) < 50_000, f"the organiser's page is {len(page.content):,} bytes"
    with Ledger.open(ledger_path, user="organiser") as book:
        for number in range(1, KEEPERS + 1):
            approve(book, number)
        lines = book.sales(market.session_ref)
    assert {line.stall: line.amount_fen for line in lines} == amounts
