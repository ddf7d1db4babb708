"""Baseline for (e): write a season report's raw lines to an xlsx, the plainest way.

The same lines the report's raw-lines sheet holds (both windows of the season report:
this season and the previous one, every live line), with the same fourteen columns, read
with one SELECT and written with openpyxl's write-only mode, plain values, no styles. This
is the unavoidable cost of the raw sheet that issue 12 measures the whole report against.

    python benchmarks/baseline_report_files.py LEDGER OUT.xlsx SEASON [SEASON …]
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from decimal import Decimal

from openpyxl import Workbook

QUERY = """
SELECT se.season, se.date, r.host, l.stall, st.name, c.label_zh, l.category, l.amount_fen,
       l.quantity, l.unit, l.note, l.batch_id, l.id
FROM live_sales l
JOIN sessions se ON se.id = l.session_id
LEFT JOIN stalls st ON st.code = l.stall
JOIN categories c ON c.code = l.category
LEFT JOIN (SELECT session_id, host, MAX(id) FROM session_revisions GROUP BY session_id) r
       ON r.session_id = se.id
WHERE se.season = ?
ORDER BY se.date, l.stall, l.category, l.id
"""


def main(ledger: str, out: str, seasons: list[str]) -> None:
    conn = sqlite3.connect(ledger)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("lines")
    ws.append(["season", "session", "date", "host", "stall", "name", "category", "code",
               "amount", "quantity", "unit", "note", "batch", "line"])  # fmt: skip
    for season in seasons:
        numbers: dict[str, int] = {}
        for row in conn.execute(QUERY, (season,)):
            code, day, host, stall, name, label, cat, fen, qty, unit, note, batch, line = row
            number = numbers.setdefault(day, len(numbers) + 1)
            ws.append([code, number, dt.date.fromisoformat(day), host, stall, name, label, cat,
                       Decimal(fen) / 100, qty, unit, note, batch, line])  # fmt: skip
    wb.save(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
