"""Spreadsheet injection: formula-like text goes in through imports and entry commands and
comes out of the tally template and the report workbook as plain text.

Payloads are the classic CSV/formula-injection openers (``=``, ``+``, ``-``, ``@``, a
leading tab or CR, the full-width ``＝``). Every sheet XML written must hold no ``<f>``
element at all, and every stored text must read back exactly as the ledger holds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from iddexi.ledger.core import Ledger
from iddexi.render.xlsx_text import set_text

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "=cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
]
SATURDAYS = [dt.date(2025, 12, 6) + dt.timedelta(weeks=w) for w in range(8)]


def _write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _formula_elements(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            f"{name}: {m.group(0)!r}"
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
            for m in re.finditer(rb"<(?:\w+:)?f[\s/>]", archive.read(name))
        ]


def _texts(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    try:
        found = set()
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                    if isinstance(cell.value, str):
                        found.add(cell.value)
        return found
    finally:
        wb.close()


@pytest.fixture
def hostile(market: Ledger, run, tmp_path: Path) -> Ledger:
    """The market ledger after importing stalls, sessions and sales full of payloads."""
    stalls = _write_csv(
        tmp_path / "stalls.csv",
        [["code", "name", "operator", "township", "herder", "category"]]
        + [[f"P{i:02d}", p, p, "辉苏木", "是", "meat"] for i, p in enumerate(PAYLOADS)],
    )
    sessions = _write_csv(
        tmp_path / "sessions.csv",
        [["season", "date", "host", "theme", "visitors", "note"]]
        + [
            ["2025-26", day.isoformat(), "辉苏木", PAYLOADS[i], 1000 + i, PAYLOADS[-1 - i]]
            for i, day in enumerate(SATURDAYS)
        ],
    )
    sales = _write_csv(
        tmp_path / "sales.csv",
        [["season", "session", "stall", "category", "amount", "note"]]
        + [["2025-26", 3, f"P{i:02d}", "meat", f"{100 + i}.50", p] for i, p in enumerate(PAYLOADS)],
    )
    for path in (stalls, sessions, sales):
        result = run("tally", "import", path)
        assert result.exit_code == 0, result.stderr
    # and through the entry commands
    assert run("stall", "add", "Q01", "--name", "=1+2", "--operator", "@me").exit_code == 0
    assert run("session", "set", "2025-26:1", "--theme", "+冰雪", "--note", "-雪").exit_code == 0
    added = run("sale", "add", "2025-26:1", "Q01", "food", "88", "--note", "=SUM(1,2)")
    assert added.exit_code == 0, added.stderr
    return market


def _stored(book: Ledger) -> dict[str, set[str]]:
    sessions = book.sessions("2025-26")
    return {
        "stall names": {s.name for s in book.stalls() if s.code[0] in "PQ"},
        "operators": {s.operator for s in book.stalls() if s.code[0] in "PQ"},
        "themes": {s.theme for s in sessions if s.theme},
        "session notes": {s.note for s in sessions if s.note},
        "sale notes": {
            s.note for ref in ("2025-26:1", "2025-26:3") for s in book.sales(ref) if s.note
        },
    }


def test_payloads_are_stored_as_typed(hostile: Ledger) -> None:
    stored = _stored(hostile)
    # What a person typed is kept; only surrounding whitespace (a tab, a CR) is trimmed.
    expected = {p.strip() for p in PAYLOADS}
    assert stored["stall names"] == expected | {"=1+2"}
    assert stored["operators"] == expected | {"@me"}
    assert stored["sale notes"] == expected | {"=SUM(1,2)"}
    assert stored["themes"] == {p.strip() for p in PAYLOADS[:8]} | {"+冰雪"}
    assert stored["session notes"] == {p.strip() for p in PAYLOADS[::-1][:8]} | {"-雪"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tally_template_holds_them_as_text(hostile: Ledger, run, tmp_path: Path, lang) -> None:
    out = tmp_path / f"tally-{lang}.xlsx"
    result = run("tally", "template", "2025-26:3", "-o", out, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert _formula_elements(out) == []
    texts = _texts(out)
    stored = _stored(hostile)
    assert stored["stall names"] <= texts
    theme = hostile.resolve_session("2025-26:3").theme
    assert theme in texts and theme.startswith(("=", "+", "-", "@", "＝"))
    sale_notes = {s.note for s in hostile.sales("2025-26:3")}
    assert sale_notes <= texts


def test_a_filled_template_with_payloads_imports_them_unchanged(
    hostile: Ledger, run, tmp_path: Path
) -> None:
    out = tmp_path / "fill.xlsx"
    assert run("tally", "template", "2025-26:5", "-o", out, "--lang", "en").exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[2]
    header = [c.value for c in ws[1]]
    amount = 1 + next(i for i, h in enumerate(header) if "Amount" in str(h))
    note = 1 + next(i for i, h in enumerate(header) if "Note" in str(h))
    filled = {}
    for row in range(2, ws.max_row + 1):
        code = ws.cell(row, 1).value
        if code in ("M01", "D01", "F01"):
            payload = PAYLOADS[row % len(PAYLOADS)]
            ws.cell(row, amount).value = 12.5
            set_text(ws.cell(row, note), payload)
            filled[code] = payload.strip()
    wb.save(out)
    assert _formula_elements(out) == []
    result = run("tally", "import", out)
    assert result.exit_code == 0, result.stderr
    notes = {s.stall: s.note for s in hostile.sales("2025-26:5")}
    assert {k: notes[k] for k in filled} == filled


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_workbook_holds_them_as_text(
    hostile: Ledger, run, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / f"report-{lang}"
    result = run("report", "season", "2025-26", "--out", out, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    (workbook,) = out.glob("*.xlsx")
    assert _formula_elements(workbook) == []
    texts = _texts(workbook)
    stored = _stored(hostile)
    # the stalls are listed by name, the sessions with their themes, the raw lines with
    # their notes: each exactly as stored
    for what in ("stall names", "themes", "sale notes"):
        assert stored[what] <= texts, (what, stored[what] - texts)
    # and no text that looks like a formula is anything but a stored value (no quote
    # prefix added, nothing cut); figures such as "+12.5%" may be written as text
    formula_like = {t for t in texts if t.startswith(("=", "+", "-", "@", "＝"))}
    figures = {t for t in formula_like if re.fullmatch(r"[-+][\d.,]+\s*(%|pp|倍|个百分点)?", t)}
    assert formula_like - figures <= set().union(*stored.values())
