"""`iddexi report … | head`: a reader who left early ends a report as it ends any command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "args",
    [("report", "season", "2025-26", "--no-files"), ("report", "year", "2025", "--no-files")],
)
def test_a_closed_pipe_ends_a_report_quietly(market, ledger_path, args):
    market.add_sale("2025-26:1", "M01", "meat", 980_000)
    env = dict(os.environ, IDDEXI_LEDGER=str(ledger_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "iddexi", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()  # `| head -0`: the reader is gone before anything is printed
    stderr = process.stderr.read()
    # rich's console used to end it with exit code 1 and no word; `history | head` exits 0
    assert process.wait(timeout=120) == 0, stderr
    assert stderr == ""
