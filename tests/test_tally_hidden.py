"""Attacks on `iddexi tally import` with figures a sheet holds but does not show.

Each workbook is built by hand, part by part, as LibreOffice or a crafted file writes it;
the import must refuse it at the cell (exit 1) and leave the ledger as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from tests.helpers.handmade_xlsx import row, workbook
from tests.helpers.ledger_state import dump_file

HEADER = ["season", "session", "stall", "category", "amount"]


def refused(run, ledger_path: Path, path: Path, *expected: str) -> str:
    before = dump_file(ledger_path)
    result = run("tally", "import", path)
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert dump_file(ledger_path) == before
    return result.stderr


def test_a_figure_merged_away_by_libreoffice_is_refused_at_its_cell(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    # the sheet shows 12,800.50 over E2:E3; the 3,200 kept in E3 is not on screen
    path = workbook(
        tmp_path / "merged.xlsx",
        [
            row(1, HEADER),
            row(2, ["2025-26", 1, "M01", "meat", 12800.5]),
            row(3, ["2025-26", 1, "D01", "dairy", 3200]),
        ],
        after='<mergeCells count="1"><mergeCell ref="E2:E3"/></mergeCells>',
    )
    refused(
        run,
        ledger_path,
        path,
        "merged.xlsx:Sales:3:amount: cell E3 lies under the merged cell E2:E3, which shows "
        "only E2; its value is hidden from view",
        "(got '3200')",
    )
    dry = run("tally", "import", path, "--dry-run")
    assert dry.exit_code == 1 and "16,000.50" not in dry.stdout


def test_a_merged_title_row_above_the_table_is_no_problem(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "title.xlsx",
        [
            row(1, ["伊德喜 销售", None, None, None, "hidden note"]),
            row(2, HEADER),
            row(3, ["2025-26", 1, "M01", "meat", 100]),
        ],
        after='<mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells>',
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert "total ¥100.00" in result.stdout


@pytest.mark.parametrize("attrs", [' hidden="1"', ' ht="0" customHeight="1"'])
def test_a_hidden_row_inside_the_table_is_refused(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, attrs: str
) -> None:
    path = workbook(
        tmp_path / "rows.xlsx",
        [
            row(1, HEADER),
            row(2, ["2025-26", 1, "M01", "meat", 100]),
            row(7, ["2025-26", 1, "D01", "dairy", 3200], attrs),
        ],
    )
    refused(run, ledger_path, path, "rows.xlsx:Sales:7: row 7 is hidden: unhide it or delete it")


def test_rows_hidden_by_default_are_refused(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    # zeroHeight: every row without a height of its own is hidden
    path = workbook(
        tmp_path / "zero.xlsx",
        [
            row(1, HEADER, ' ht="15" customHeight="1"'),
            row(2, ["2025-26", 1, "M01", "meat", 100], ' ht="15" customHeight="1"'),
            row(3, ["2025-26", 1, "D01", "dairy", 3200]),
        ],
        before='<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/>',
    )
    stderr = refused(run, ledger_path, path, "zero.xlsx:Sales:3: row 3 is hidden")
    assert "Sales:2:" not in stderr


def test_a_hidden_column_holding_figures_is_refused_at_its_header(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "cols.xlsx",
        [
            row(1, [*HEADER, "note"]),
            row(2, ["2025-26", 1, "M01", "meat", 100, "x"]),
        ],
        before='<cols><col min="5" max="5" width="0" customWidth="1"/>'
        '<col min="6" max="9" hidden="1"/></cols>',
    )
    refused(
        run,
        ledger_path,
        path,
        "cols.xlsx:Sales:1:amount: column E (amount) is hidden: unhide it or delete it",
        "cols.xlsx:Sales:1:note: column F (note) is hidden",
    )


def test_columns_hidden_by_default_are_refused(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    # defaultColWidth 0: only the columns a <col> gives a width are on screen
    path = workbook(
        tmp_path / "narrow.xlsx",
        [row(1, [*HEADER, "note"]), row(2, ["2025-26", 1, "M01", "meat", 100, "x"])],
        before='<sheetFormatPr defaultColWidth="0" defaultRowHeight="15"/>'
        '<cols><col min="1" max="5" width="12" customWidth="1"/></cols>',
    )
    stderr = refused(run, ledger_path, path, "narrow.xlsx:Sales:1:note: column F (note) is hidden")
    assert "column E" not in stderr


def test_an_empty_hidden_row_or_column_is_no_problem(market: Ledger, run, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "empty.xlsx",
        [row(1, HEADER), row(2, ["2025-26", 1, "M01", "meat", 100]), row(3, [], ' hidden="1"')],
        before='<cols><col min="8" max="8" hidden="1"/></cols>',
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("code", ["SUM", "Total", "GrandTotal", "sum"])
def test_a_stall_code_that_reads_as_a_totals_row_is_refused(
    ledger: Ledger, run, ledger_path: Path, code: str
) -> None:
    before = dump_file(ledger_path)
    result = run("stall", "add", code, "--name", "x")
    assert result.exit_code == 1
    assert "reads as the label of a totals row" in result.stderr
    assert dump_file(ledger_path) == before


def test_a_roster_with_a_totals_coded_stall_is_refused_not_skipped(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "stalls.csv"
    path.write_text("code,name\nSUM,苏木牛肉\n合计,3\n", encoding="utf-8")
    refused(
        run,
        ledger_path,
        path,
        "stalls.csv:2:code: stall code reads as the label of a totals row",
        "stalls.csv:3:code",  # a totals label with a name is a record: checked, not dropped
    )


def test_a_line_whose_first_cell_says_total_is_checked_not_skipped(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "season,session,stall,category,amount\n2025-26,1,M01,meat,100\nTotal,1,D01,dairy,300\n",
        encoding="utf-8",
    )
    refused(run, ledger_path, path, "sales.csv:3:season: season Total is not in the ledger")


@pytest.mark.parametrize("total", ["99999999999999999", "9" * 5000])
def test_an_absurd_totals_cell_is_a_located_error(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, total: str
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        f"season,session,stall,category,amount\n2025-26,1,M01,meat,100\n合计,,,,{total}\n",
        encoding="utf-8",
    )
    refused(run, ledger_path, path, "sales.csv:3:amount: amount is implausibly large")


def test_an_absurd_totals_cell_in_a_workbook_is_a_located_error(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "big.xlsx",
        [
            row(1, HEADER),
            row(2, ["2025-26", 1, "M01", "meat", 100]),
            row(3, ["合计", None, None, None, 99999999999999999]),
        ],
    )
    refused(run, ledger_path, path, "big.xlsx:Sales:3:amount: amount is implausibly large")


def test_visitors_of_thousands_of_digits_are_a_located_error(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(
        f"season,date,host,visitors\n2025-26,2025-12-06,辉苏木,{'9' * 5000}\n", encoding="utf-8"
    )
    refused(run, ledger_path, path, "sessions.csv:2:visitors: visitors")


def test_a_stall_merged_over_two_lines_says_the_second_holds_nothing(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "two.xlsx",
        [
            row(1, HEADER),
            row(2, ["2025-26", 1, "F01", "food", 100]),
            row(3, ["2025-26", 1, None, "meat", 200]),
        ],
        after='<mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>',
    )
    stderr = refused(run, ledger_path, path, "two.xlsx:Sales:3:stall: cell C3 lies under")
    assert "it shows F01 but holds nothing" in stderr and "stall is empty" not in stderr


def test_a_line_of_a_stall_coded_sum_from_before_is_refused_not_taken_for_the_total(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a ledger from before such codes were refused
    with monkeypatch.context() as before_the_fix:
        before_the_fix.setattr("iddexi.ledger.reference.check_not_totals", lambda *a: None)
        market.add_stall("SUM", "苏木牛肉", category="meat")
    path = tmp_path / "sales.csv"
    path.write_text(
        "season,session,stall,category,amount\n2025-26,1,M01,meat,300\n2025-26,1,SUM,meat,300\n",
        encoding="utf-8",
    )
    refused(run, ledger_path, path, "sales.csv:3:stall: stall SUM reads as the label of a totals")
