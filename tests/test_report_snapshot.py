"""A report is one snapshot: written while another process enters sales, the workbook's
summary still equals the sum of its own raw-lines sheet (issue 9, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from iddexi.ledger.core import Ledger
from iddexi.render.labels import label

#: An organiser at another laptop: corrects lines again and again (each --replace voids
#: one line and adds another, so every write changes the season's revenue) until told
#: to stop; prints how many writes it committed.
WRITER = """
import itertools, os, sys
from pathlib import Path
from iddexi.ledger.core import Ledger

ledger, stop = sys.argv[1], Path(sys.argv[2])
pairs = [(s, c) for s in ("M01", "D01", "F01") for c in ("meat", "dairy", "food", "craft")]
written = 0
with Ledger.open(ledger, user="writer") as book:
    for i in itertools.count(1):
        if stop.exists():
            break
        stall, category = pairs[i % len(pairs)]
        book.add_sale("2025-26:2", stall, category, 100 * i + 7, replace=True)
        written += 1
        Path(sys.argv[2] + ".tmp").write_text(str(written))
        os.replace(sys.argv[2] + ".tmp", sys.argv[2] + ".count")  # never read half written
print(written)
"""


def writes_so_far(stop: Path) -> int:
    counter = Path(str(stop) + ".count")
    return int(counter.read_text() or 0) if counter.exists() else 0


def summary_and_lines(book: Path) -> tuple[Decimal, Decimal, int]:
    """The summary's revenue this season, the sum of this season's raw lines, their count."""
    from openpyxl import load_workbook

    wb = load_workbook(book, read_only=True)
    try:
        summary = wb[label("sheet_summary", "en")]
        revenue = next(
            row[1]
            for row in summary.iter_rows(values_only=True)
            if row and row[0] == label("revenue", "en")  # a blank row reads back empty
        )
        lines = wb[label("sheet_lines", "en")]
        rows = lines.iter_rows(values_only=True)
        header = next(rows)
        season, amount = header.index(label("season", "en")), header.index(label("amount", "en"))
        own = [Decimal(str(r[amount])) for r in rows if r[season] == "2025-26"]
        return Decimal(str(revenue)), sum(own, Decimal(0)), len(own)
    finally:
        wb.close()


def test_a_workbook_written_during_entries_agrees_with_its_raw_lines(
    market: Ledger, ledger_path: Path, run, tmp_path: Path
) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 41_600_000)
    market.add_sale("2025-26:2", "M01", "meat", 100)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(ledger_path), str(stop)],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while writes_so_far(stop) < 5:  # the writer is under way before the first report
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.02)
        books = []
        for k in range(4):
            before = writes_so_far(stop)
            out = tmp_path / f"report-{k}"
            result = run("report", "season", "2025-26", "--lang", "en", "--out", out)
            assert result.exit_code == 0, result.stderr
            assert writes_so_far(stop) > before, "no entry was made while the report ran"
            (book,) = out.glob("*.xlsx")
            books.append(book)
    finally:
        stop.touch()
        out_text, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert int(out_text) >= 8
    seen = set()
    for book in books:
        revenue, lines_sum, count = summary_and_lines(book)
        assert revenue == lines_sum, (book.name, revenue, lines_sum, count)
        seen.add(revenue)
    assert len(seen) > 1  # the reports saw different states of the ledger, each whole
