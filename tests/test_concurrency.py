"""Four organisers enter 100 sales each into one ledger at the same moment.

All 400 lines land, nobody sees "database is locked" (every write is one BEGIN
IMMEDIATE transaction that waits its turn), and the totals are exact to the fen.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from iddexi.ledger.core import Ledger
from iddexi.ledger.integrity import check_file
from tests.helpers import sale_worker

WORKERS = 4
PER_WORKER = 100
SPAWNED = 5  # of each worker's entries, this many go through a real `iddexi` process


def test_four_organisers_enter_400_sales_at_once(tmp_path: Path) -> None:
    ledger = tmp_path / "shared.sqlite"
    with Ledger.open(ledger, user="setup") as book:
        book.add_township("辉苏木", "sumu")
        book.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31))
        book.add_session("2025-26", dt.date(2025, 11, 22), host="辉苏木")
        for i in range(PER_WORKER):
            book.add_stall(f"C{i:03d}", f"摊位{i}", township="辉苏木")
    setup_batches = len(Ledger.open(ledger).history())

    workers = [
        subprocess.Popen(
            [
                sys.executable,
                sale_worker.__file__,
                str(ledger),
                str(w),
                str(PER_WORKER),
                str(SPAWNED),
                str(tmp_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"ready-{w}").exists() for w in range(WORKERS)):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in workers), [p.communicate() for p in workers]
        time.sleep(0.01)
    started = time.monotonic()
    (tmp_path / "go").touch()
    for p in workers:
        _, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
    elapsed = time.monotonic() - started

    results = [
        r for w in range(WORKERS) for r in json.loads((tmp_path / f"worker-{w}.json").read_text())
    ]
    assert len(results) == WORKERS * PER_WORKER
    assert not [
        r for r in results if "locked" in r["stderr"].lower() or "busy" in r["stderr"].lower()
    ]
    assert [r for r in results if r["code"] != 0] == []
    assert sum(r["via"] == "process" for r in results) == WORKERS * SPAWNED

    with Ledger.open(ledger) as book:
        lines = book.sales("2025-26:1")
        (session,) = book.sessions("2025-26")
        history = book.history()
    expected = {
        (f"C{i:03d}", sale_worker.CATEGORIES[w]): sale_worker.amount_fen(w, i)
        for w in range(WORKERS)
        for i in range(PER_WORKER)
    }
    assert {(s.stall, s.category): s.amount_fen for s in lines} == expected
    assert session.lines == WORKERS * PER_WORKER
    assert session.revenue_fen == sum(expected.values())
    assert len(history) == setup_batches + WORKERS * PER_WORKER
    assert {b.created_by for b in history[setup_batches:]} == {
        f"organiser-{w}" for w in range(WORKERS)
    }
    assert check_file(ledger) == []
    assert elapsed < 90


def _open_and_add(path: str, name: str, start, results) -> None:  # in a forked process
    from iddexi.ledger.errors import IddexiError

    start.wait()
    try:
        with Ledger.open(path, user=name) as book:
            book.add_township(name, "town")
        results.put((name, None))
    except (IddexiError, OSError) as exc:
        results.put((name, str(exc)))


def test_organisers_opening_a_new_ledger_at_once_all_succeed(tmp_path: Path) -> None:
    """Each of them creates and migrates the ledger; none may be told it is not one."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for round_ in range(12):
        path = str(tmp_path / f"new-{round_}.sqlite")
        start, results = context.Barrier(6), context.Queue()
        names = [f"T{round_}-{i}" for i in range(6)]
        procs = [
            context.Process(target=_open_and_add, args=(path, n, start, results)) for n in names
        ]
        for p in procs:
            p.start()
        outcomes = dict(results.get(timeout=60) for _ in procs)
        for p in procs:
            p.join(timeout=60)
        assert outcomes == dict.fromkeys(names), outcomes
        assert {t.name for t in Ledger.open(path).townships()} == set(names)
        assert check_file(Path(path)) == []
