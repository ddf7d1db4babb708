"""Figures a worksheet holds but does not show: under merged cells, in hidden rows and columns.

LibreOffice keeps the contents of the cells it merges away, and a row or column hidden
by hand, by a filter or by a collapsed outline keeps its values: a person checking the
sheet on screen never sees them, yet a reader of the XML would import them. Each such
value inside the table is refused at its cell, so that the person who sees the sheet
decides what it means. Blanking them "as the spreadsheet shows it" was the other choice;
it was not taken because it throws a typed figure away silently, and a merge or a hidden
row made by mistake (the usual cause) would lose a stall's takings without a word.
"""

from __future__ import annotations

from iddexi.i18n import _
from iddexi.ledger.errors import InputError, Problem
from iddexi.tally.sheets import Row, Sheet
from iddexi.tally.xlsx_rows import SheetLayout
from iddexi.tally.xlsx_safety import column_letter


def hidden_problems(sheet: Sheet, layout: SheetLayout, max_cells: int) -> list[Problem]:
    """One problem per hidden row, hidden column and merged-away cell holding a value.

    Only the table counts: the header row and the rows below it, the columns up to the
    last one used. ``max_cells`` bounds the merged area looked at (Excel never writes
    overlapping merges, so a real sheet's merges cover at most its cells).
    """
    if not sheet.header_row:
        return []
    problems = _hidden_rows(sheet, layout.hidden_rows)
    hidden = list(layout.hidden_columns)
    if layout.columns_hidden:  # hidden by default: all but the columns given a width
        shown = {c for first, last in layout.shown_columns for c in range(first, last + 1)}
        hidden += [(c, c) for c in range(1, len(sheet.headers) + 1) if c not in shown]
    problems += _hidden_columns(sheet, hidden)
    if layout.merges:
        problems += _merged_away(sheet, layout.merges, max_cells)
    return problems


def _shown_but_empty(
    problems: list[Problem],
    sheet: Sheet,
    row: Row,
    by_number: dict[int, Row],
    first: tuple[int, int],
    column: int,
    span: str,
) -> None:
    """A data row that shows the merged cell's value but holds nothing there: a stall code
    merged over two lines reads as empty on the second."""
    r1, c1 = first
    top = by_number.get(r1)
    shown = top.values[c1 - 1] if top is not None else None
    if not _filled(shown) or row.is_blank():
        return
    key = sheet.headers[column - 1]
    problems.append(
        Problem(
            sheet.location(row.number, key),
            _(
                "cell {cell} lies under the merged cell {span}: it shows {value} but holds "
                "nothing (only {first} does); unmerge the cells and write the value in each row"
            ).format(
                cell=f"{column_letter(column)}{row.number}",
                span=span,
                value=shown,
                first=f"{column_letter(c1)}{r1}",
            ),
        )
    )


def _hidden_rows(sheet: Sheet, rows: list[int]) -> list[Problem]:
    shown = [n for n in rows if n >= sheet.header_row]
    if not shown:
        return []
    wanted = set(shown)
    held = {row.number: row for row in sheet.rows if row.number in wanted}
    return [
        Problem(
            sheet.location(n),
            _("row {row} is hidden: unhide it or delete it").format(row=n),
        )
        for n in shown
        if n == sheet.header_row or (n in held and not held[n].is_blank())
    ]


def _is_named(sheet: Sheet, index: int) -> bool:
    """Does the header cell of column ``index`` (0-based) hold a text of its own?"""
    letter = column_letter(index + 1)
    # an empty header is keyed by its letter ("F", or "F (F)" when "F" was taken)
    return sheet.headers[index].removesuffix(f" ({letter})") != letter


def _hidden_columns(sheet: Sheet, ranges: list[tuple[int, int]]) -> list[Problem]:
    width = len(sheet.headers)
    problems = []
    done: set[int] = set()
    for first, last in ranges:
        for column in range(first, min(last, width) + 1):
            index = column - 1
            if column in done:
                continue
            done.add(column)
            used = _is_named(sheet, index) or any(_filled(row.values[index]) for row in sheet.rows)
            if used:
                key = sheet.headers[index]
                problems.append(
                    Problem(
                        sheet.location(column=key),
                        _("column {column} ({header}) is hidden: unhide it or delete it").format(
                            column=column_letter(column), header=key
                        ),
                    )
                )
    return problems


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _merged_away(
    sheet: Sheet, merges: list[tuple[int, int, int, int]], max_cells: int
) -> list[Problem]:
    width = len(sheet.headers)
    by_number = {row.number: row for row in sheet.rows}
    problems = []
    area = 0
    for r1, c1, r2, c2 in merges:
        top, bottom = max(r1, sheet.header_row), r2
        right = min(c2, width)
        if top > bottom or c1 > right:
            continue
        area += (bottom - top + 1) * (right - c1 + 1)
        if area > max_cells:
            raise InputError(
                _(
                    "{where}: refused: the merged cells overlap or cover more than {cells:,} "
                    "cells; not as Excel or WPS writes a workbook: open and save it again"
                ).format(where=sheet.location(), cells=max_cells)
            )
        span = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
        for number in range(top, bottom + 1):
            row = by_number.get(number)
            for column in range(c1, right + 1):
                if (number, column) == (r1, c1):
                    continue
                index = column - 1
                if number == sheet.header_row:
                    held: object = sheet.headers[index] if _is_named(sheet, index) else None
                else:
                    held = row.values[index] if row is not None else None
                if not _filled(held):
                    if row is not None and number > sheet.header_row and r1 > sheet.header_row:
                        _shown_but_empty(problems, sheet, row, by_number, (r1, c1), column, span)
                    continue
                key = sheet.headers[index]
                problems.append(
                    Problem(
                        sheet.location(number, key),
                        _(
                            "cell {cell} lies under the merged cell {span}, which shows only "
                            "{first}; its value is hidden from view: unmerge the cells, then "
                            "correct or delete it"
                        ).format(
                            cell=f"{column_letter(column)}{number}",
                            span=span,
                            first=f"{column_letter(c1)}{r1}",
                        ),
                        held,
                    )
                )
    return problems
