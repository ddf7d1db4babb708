"""User text written with set_text is never a formula and reads back as it was typed."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell import WriteOnlyCell

from iddexi.render.xlsx_text import plain_text, set_text

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "＝1+1",
    "=cmd|' /C calc'!A0",
    " =1+1",
    "敖日格勒家冬储肉",
    "1",
    "",
]
# A carriage return cannot survive XML (parsers turn it into a line feed), so set_text
# writes the line feed itself; the point here is that it is still never a formula.
CR_PAYLOADS = {"\r=1+1": "\n=1+1", "a\r\nb": "a\nb", "\r@SUM(A1)": "\n@SUM(A1)"}
# Control characters that XML forbids must not stop a report.
ILLEGAL_PAYLOADS = {"a\x07b": "a\ufffdb", "=\x00": "=\ufffd"}

ALL = {**{p: p for p in PAYLOADS}, **CR_PAYLOADS, **ILLEGAL_PAYLOADS}


def _formula_elements(path: Path) -> list[str]:
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += re.findall(rb"<(?:\w+:)?f[\s/>]", archive.read(name))
    return [f.decode() for f in found]


def _read_back(path: Path, read_only: bool) -> list[object]:
    wb = openpyxl.load_workbook(path, read_only=read_only)
    try:
        return [row[0] for row in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_payloads_are_written_as_text_and_read_back_unchanged(
    tmp_path: Path, read_only: bool
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, value in enumerate(ALL, start=1):
        set_text(ws.cell(row, 1), value)
    out = tmp_path / "payloads.xlsx"
    wb.save(out)

    assert _formula_elements(out) == []
    back = _read_back(out, read_only)
    expected = [ALL[v] or None for v in ALL]  # an empty string is an empty cell
    assert back == expected


def test_write_only_cells_are_text_too(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sales")
    for value in PAYLOADS[:-1]:
        cell = WriteOnlyCell(ws)
        set_text(cell, value)
        ws.append([cell])
    out = tmp_path / "write_only.xlsx"
    wb.save(out)

    assert _formula_elements(out) == []
    assert _read_back(out, read_only=True) == PAYLOADS[:-1]


def test_plain_assignment_would_have_been_a_formula(tmp_path: Path) -> None:
    # The control: without set_text openpyxl writes the payload as a live formula.
    wb = openpyxl.Workbook()
    wb.active["A1"] = '=HYPERLINK("http://x","y")'
    out = tmp_path / "unsafe.xlsx"
    wb.save(out)
    assert _formula_elements(out) != []


def test_none_empties_the_cell_and_plain_text_is_idempotent() -> None:
    wb = openpyxl.Workbook()
    cell = wb.active["A1"]
    set_text(cell, "=1")
    set_text(cell, None)
    assert cell.value is None
    for value in ALL:
        assert plain_text(plain_text(value)) == plain_text(value) == ALL[value]
