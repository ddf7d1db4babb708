"""Kill a writer with SIGKILL at random moments: no yuan lost, none counted twice.

A writer process enters sales, writes multi-line batches and imports tally files in a
loop; after every kill the ledger must pass SQLite's integrity and foreign-key checks and
`iddexi check`, every batch must be whole or absent, every batch the writer saw commit
must be there, and each session's total must equal the sum over the committed batches.
The control run uses a writer that commits line by line: the same harness must catch it.

More kills: ``IDDEXI_KILLS=500 pytest tests/test_crash.py``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import crash_driver
from tests.helpers.audit import audit

KILLS = int(os.environ.get("IDDEXI_KILLS", "50"))
DRIVER = Path(crash_driver.__file__)


class Server:
    """The fork server: one driver process that forks a fresh writer per kill."""

    def __init__(self, ledger: Path, workdir: Path) -> None:
        self.stderr = workdir / "driver.stderr"
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), "serve", str(ledger), str(workdir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr.open("wb"),
            text=True,
            cwd=workdir,
        )

    def kill_one_writer(self, seed: int, mode: str, after: float) -> int:
        """Start a writer, SIGKILL it ``after`` seconds later; return its exit code."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"go {seed} {mode}\n")
        self.proc.stdin.flush()
        pid = int(self.proc.stdout.readline())
        time.sleep(after)
        os.kill(pid, signal.SIGKILL)  # the writer is alive, or a zombie until reaped
        self.proc.stdin.write("reap\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().split()
        return int(line[1])

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _run(tmp_path: Path, mode: str, kills: int, stop_on_failure: bool) -> list[list[str]]:
    ledger = tmp_path / "crash.sqlite"
    crash_driver.prepare(ledger)
    server = Server(ledger, tmp_path)
    rng = random.Random(20251206)
    log = tmp_path / "committed.log"
    rounds: list[list[str]] = []
    try:
        for n in range(1, kills + 1):
            code = server.kill_one_writer(n, mode, rng.uniform(0.01, 0.2))
            assert code == -signal.SIGKILL, (
                f"the writer ended by itself ({code}):\n{server.stderr.read_text()}"
            )
            committed = log.read_text().split("\n")[:-1] if log.exists() else []
            failures = audit(ledger, committed)
            rounds.append(failures)
            if failures and stop_on_failure:
                break
    finally:
        server.close()
    return rounds


def test_sigkill_never_leaves_a_torn_batch_or_a_wrong_total(tmp_path: Path) -> None:
    started = time.monotonic()
    rounds = _run(tmp_path, "atomic", KILLS, stop_on_failure=True)
    assert len(rounds) == KILLS
    assert rounds[-1] == [], f"after kill {len(rounds)}: " + "\n".join(rounds[-1])

    # The writers did real work: many batches committed and some lines superseded.
    from tests.helpers.ledger_state import connect_ro

    conn = connect_ro(tmp_path / "crash.sqlite")
    batches, imports, lines, voids, voided = conn.execute(
        "SELECT (SELECT count(*) FROM batches WHERE source LIKE 'crash%'),"
        " (SELECT count(*) FROM batches WHERE kind = 'import' AND source LIKE 'crash-r%.csv'),"
        " (SELECT count(*) FROM sales), (SELECT count(*) FROM sale_voids),"
        " (SELECT count(*) FROM batches WHERE voided_at IS NOT NULL)"
    ).fetchone()
    conn.close()
    assert batches + imports > KILLS and lines > KILLS and voids > 0
    assert imports > 0, "no tally file was imported"
    assert voided > 0, "no batch was voided"
    if KILLS <= 50:
        assert time.monotonic() - started < 60


def test_the_harness_catches_a_writer_that_commits_line_by_line(tmp_path: Path) -> None:
    rounds = _run(tmp_path, "torn", 15, stop_on_failure=True)
    failures = rounds[-1]
    assert any(f.startswith("torn batch") for f in failures), rounds
    assert any("control-total" in f or "recorded total" in f for f in failures), failures
