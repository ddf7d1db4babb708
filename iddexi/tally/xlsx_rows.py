"""Reading a worksheet's rows: our own loop over the standard library's C XML parser.

Safe because :func:`~iddexi.tally.xlsx_safety.scan_worksheet` refused any DTD first, so no
entity can be declared. It refuses what Excel and WPS never write and openpyxl would
silently misread (rows out of order or twice, a cell twice, a shared-string index of -1,
NaN, a date that does not exist …), each with its row and cell, and lists formulas that
were never calculated (their values would otherwise silently become empty cells).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NoReturn

from iddexi.i18n import _
from iddexi.ledger.errors import Problem
from iddexi.tally.xlsx_parts import WorkbookParts
from iddexi.tally.xlsx_safety import (
    MAX_EXCEL_COLUMNS,
    MAX_EXCEL_ROWS,
    NO_SAVED_VALUE,
    NOT_AS_EXCEL_WRITES,
    RETYPE,
    SheetScan,
    column_letter,
)


class UnreadableCell(Exception):
    """A row or cell the reader refuses; the caller names the file, sheet and column.

    ``column`` is 1-based, or None when the fault is the row's (or its reference is bad).
    """

    def __init__(self, row: int, column: int | None, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.message = message


@dataclass
class SheetLayout:
    """What a worksheet hides from the eye, gathered while its rows are read.

    ``hidden_rows``: numbers of hidden (or zero-height) rows that hold a value;
    ``hidden_columns``: (first, last) 1-based column ranges hidden or of zero width;
    ``merges``: (first row, first column, last row, last column) of each merged range;
    ``uncalculated``: (row, column) of each formula cell without a saved value.
    """

    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)
    # defaultColWidth="0": every column is hidden but those a <col> gives a width
    columns_hidden: bool = False
    shown_columns: list[tuple[int, int]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncalculated: list[tuple[int, int]] = field(default_factory=list)
    #: (row, column) of every formula cell: a totals row's =SUM() explains some mismatches
    formulas: list[tuple[int, int]] = field(default_factory=list)


_RANGE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?")


@cache
def _column_numbers() -> dict[str, int]:
    return {column_letter(i): i for i in range(1, MAX_EXCEL_COLUMNS + 1)}


def _row_number(r: str, previous: int) -> int:
    if r.isdigit() and r.isascii():
        number = int(r)
    elif re.fullmatch(r"[0-9]+\.0*", r):  # openpyxl accepts "2.0"
        number = int(r.split(".")[0])
    else:
        raise UnreadableCell(
            previous + 1,
            None,
            _("the row number {r!r} is not a number; ").format(r=r) + _(NOT_AS_EXCEL_WRITES),
        )
    if not 1 <= number <= MAX_EXCEL_ROWS:
        raise UnreadableCell(
            previous + 1,
            None,
            _("row {number} is not a row of an Excel sheet (1 to {max_excel_rows:,}); ").format(
                number=number, max_excel_rows=MAX_EXCEL_ROWS
            )
            + _(NOT_AS_EXCEL_WRITES),
        )
    if number <= previous:
        what = (
            _("row {number} appears twice").format(number=number)
            if number == previous
            else _("row {number} comes after row {previous}: rows out of order").format(
                number=number, previous=previous
            )
        )
        raise UnreadableCell(number, None, f"{what}; " + _(NOT_AS_EXCEL_WRITES))
    return number


def _bad_cell(row: int, column: int, why: str, got: str | None) -> UnreadableCell:
    ref = f"{column_letter(column)}{row}"
    shown = f" (got {got!r})" if got is not None else ""
    return UnreadableCell(
        row,
        column,
        _("cannot read cell {ref}: {why}{shown}; {retype}").format(
            ref=ref, why=why, shown=shown, retype=_(RETYPE)
        ),
    )


def worksheet_rows(
    archive: zipfile.ZipFile,
    member: str,
    book: WorkbookParts,
    scan: SheetScan,
    layout: SheetLayout,
) -> Iterator[tuple[int, list[object]]]:
    """Each ``<row>`` of a worksheet as (row number, values), values as openpyxl gives them.

    Trailing empty cells are left out (a short list), gaps in the row numbers are not
    filled. Raises :class:`UnreadableCell` for what Excel/WPS never write, at its row and
    cell. Fills ``layout`` with what the sheet hides (hidden rows and columns, merged
    ranges: the merges only once every row was read, for Excel writes them last) and the
    formula cells that have no saved value.

    Only for a sheet that :func:`scan_worksheet` passed (its ``scan``): that scan refused
    any DTD, so the sheet is parsed by the C parser of the standard library, twice as fast
    as defusedxml's pure-Python one and as safe without a DTD (no entity can be declared).
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.datetime import from_excel, from_ISO8601
    from openpyxl.xml.constants import SHEET_MAIN_NS

    ns = f"{{{SHEET_MAIN_NS}}}"
    row_tag, cell_tag, v_tag, f_tag = ns + "row", ns + "c", ns + "v", ns + "f"
    merge_tag, col_tag, is_tag = ns + "mergeCell", ns + "col", ns + "is"
    format_tag = ns + "sheetFormatPr"
    rows_hidden = False  # zeroHeight: rows are hidden unless given a height of their own
    uncalculated = layout.uncalculated
    strings, dates, durations = book.strings, book.date_formats, book.timedelta_formats
    n_strings = len(strings)
    columns = _column_numbers()
    formulas = scan.has_formula
    previous = 0
    with archive.open(member) as source:
        try:
            for _event, row in iterparse(source):
                if row.tag != row_tag:
                    if row.tag == merge_tag:
                        layout.merges.append(_merge(row.get("ref"), previous))
                    elif row.tag == col_tag:
                        _hidden_columns(row, layout)
                    elif row.tag == format_tag:
                        rows_hidden = row.get("zeroHeight") in _TRUE
                        layout.columns_hidden = _zero(row.get("defaultColWidth"))
                    continue
                r = row.get("r")
                number = previous + 1 if r is None else _row_number(r, previous)
                if number > MAX_EXCEL_ROWS:
                    raise UnreadableCell(
                        number,
                        None,
                        _("row past Excel's last row {max_excel_rows:,}").format(
                            max_excel_rows=MAX_EXCEL_ROWS
                        ),
                    )
                values: list[object] = []
                col = 0
                for cell in row:
                    if cell.tag != cell_tag:
                        if cell.tag.endswith("extLst"):
                            continue
                        raise UnreadableCell(
                            number,
                            None,
                            _("the row holds a {tag!r} that is not a cell; ").format(
                                tag=cell.tag.rpartition("}")[2]
                            )
                            + _(NOT_AS_EXCEL_WRITES),
                        )
                    ref = cell.get("r")
                    if ref is None:
                        column = col + 1
                    else:
                        letters = ref.rstrip("0123456789")
                        column = columns.get(letters) or columns.get(letters.upper()) or 0
                        digits = ref[len(letters) :]
                        if not column or not digits or int(digits) != number:
                            _bad_ref(ref, number, column)
                    if column <= col:
                        this = f"{column_letter(column)}{number}"
                        what = (
                            _("cell {this} appears twice").format(this=this)
                            if column == col
                            else _(
                                "cell {this} comes after {column}{number}: cells out of order"
                            ).format(this=this, column=column_letter(col), number=number)
                        )
                        raise UnreadableCell(number, column, f"{what}; " + _(NOT_AS_EXCEL_WRITES))
                    if column > MAX_EXCEL_COLUMNS:
                        raise UnreadableCell(
                            number,
                            None,
                            _("a cell past Excel's last column XFD; {not_as_excel_writes}").format(
                                not_as_excel_writes=_(NOT_AS_EXCEL_WRITES)
                            ),
                        )
                    col = column
                    t = cell.get("t")
                    if t is None or t == "n":
                        text = cell.findtext(v_tag)
                        if not text:
                            value = None
                        else:
                            value = _number(text, number, column)
                            style = cell.get("s")
                            if style and dates and _style(style, number, column) in dates:
                                try:
                                    value = from_excel(
                                        value, book.epoch, timedelta=int(style) in durations
                                    )
                                except (OverflowError, ValueError):
                                    raise _bad_cell(
                                        number,
                                        column,
                                        _(
                                            "it is formatted as a date, but the number is no date Excel can show"
                                        ),
                                        text,
                                    ) from None
                    elif t == "s":
                        text = cell.findtext(v_tag)
                        if not text:
                            value = None
                        elif not (text.isdigit() and text.isascii()):
                            raise _bad_cell(
                                number,
                                column,
                                _("its shared-string index is not a whole number from 0"),
                                text,
                            )
                        else:
                            index = int(text)
                            if index >= n_strings:
                                raise _bad_cell(
                                    number,
                                    column,
                                    _(
                                        "it points at shared string {index}, but the workbook has {n_strings} (0 to {last})"
                                    ).format(index=index, n_strings=n_strings, last=n_strings - 1),
                                    text,
                                )
                            value = strings[index]
                    else:
                        value = _other_value(cell, t, ns, number, column, from_ISO8601)
                    if value is not None:
                        gap = column - 1 - len(values)
                        if gap:
                            values.extend([None] * gap)
                        values.append(value)
                    if formulas and cell.find(f_tag) is not None:
                        layout.formulas.append((number, column))
                        saved = cell.find(v_tag)
                        if saved is None:
                            # an inline string (even an empty one) is the saved result
                            if t != "inlineStr" or cell.find(is_tag) is None:
                                uncalculated.append((number, column))
                        elif not saved.text and t != "str":
                            uncalculated.append((number, column))
                if values and (
                    row.get("hidden") in _TRUE
                    or row.get("ht") in _ZERO
                    or (rows_hidden and row.get("customHeight") not in _TRUE)
                ):
                    layout.hidden_rows.append(number)
                row.clear()
                previous = number
                yield number, values
        except UnreadableCell:
            raise
        except Exception as exc:  # the XML breaks off, or is no XML: say where it stopped
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
            after = f" past row {previous}" if previous else ""
            raise UnreadableCell(
                previous + 1,
                None,
                _(
                    "cannot read the sheet{after} ({detail}); the file may be damaged: open and save it again in Excel/WPS"
                ).format(after=after, detail=detail),
            ) from None


_TRUE = ("1", "true")
_ZERO = ("0", "0.0")


def _merge(ref: str | None, last_row: int) -> tuple[int, int, int, int]:
    """A ``<mergeCell ref="D2:D3"/>`` as (first row, first column, last row, last column)."""
    found = _RANGE.fullmatch(ref or "")
    columns = _column_numbers()
    if found is not None:
        a, r1, b, r2 = found.groups()
        c1, c2 = columns.get(a.upper(), 0), columns.get((b or a).upper(), 0)
        n1, n2 = int(r1), int(r2 or r1)
        if c1 and c2 and 1 <= n1 <= n2 <= MAX_EXCEL_ROWS and c1 <= c2:
            return n1, c1, n2, c2
    raise UnreadableCell(
        last_row,
        None,
        _("the merged range {ref!r} is not a range of cells; ").format(ref=ref)
        + _(NOT_AS_EXCEL_WRITES),
    )


def _zero(width: str | None) -> bool:
    try:
        return width is not None and len(width) < 32 and float(width) == 0
    except ValueError:
        return False


def _hidden_columns(col: Any, layout: SheetLayout) -> None:
    """Record the columns a ``<col min max hidden width>`` hides (or shows)."""
    width = col.get("width")
    hidden = col.get("hidden") in _TRUE or _zero(width)
    first, last = col.get("min", ""), col.get("max", "")
    if not (first.isdigit() and last.isdigit() and len(first) <= 5 and len(last) <= 5):
        return  # openpyxl ignores such a <col> too: it hides nothing Excel would show
    span = (max(1, int(first)), min(int(last), MAX_EXCEL_COLUMNS))
    if hidden:
        layout.hidden_columns.append(span)
    elif width is not None:
        layout.shown_columns.append(span)


def _bad_ref(ref: str, number: int, column: int) -> NoReturn:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if column and digits and int(digits) != number:
        raise UnreadableCell(
            number,
            column,
            _("cell {ref} is inside row {number}; ").format(ref=ref, number=number)
            + _(NOT_AS_EXCEL_WRITES),
        )
    raise UnreadableCell(
        number,
        None,
        _(
            "{ref!r} is not a cell of an Excel sheet (columns A to XFD, rows 1 to {max_excel_rows:,}); "
        ).format(ref=ref, max_excel_rows=MAX_EXCEL_ROWS)
        + _(NOT_AS_EXCEL_WRITES),
    )


def _number(text: str, row: int, column: int) -> int | float:
    """A numeric cell's ``<v>`` as openpyxl reads it, but only what Excel writes."""
    if text.isascii() and "_" not in text:
        try:
            if "." in text or "e" in text or "E" in text:
                value = float(text)
                if math.isfinite(value):
                    return value
            else:
                return int(text)
        except ValueError:
            pass
    raise _bad_cell(row, column, _("it is stored as a number, but is not one Excel writes"), text)


def _style(style: str, row: int, column: int) -> int:
    if style.isdigit() and style.isascii():
        return int(style)
    raise _bad_cell(row, column, _("its style number is not a number"), style)


def _other_value(
    cell: Any, t: str, ns: str, row: int, column: int, from_iso: Callable[[str], object]
) -> object:
    if t == "inlineStr":
        node = cell.find(ns + "is")
        if node is None:
            return None
        parts = []
        for child in node:  # plain text, or rich-text runs; phonetic runs are not shown
            if child.tag == ns + "t":
                parts.append(child.text or "")
            elif child.tag == ns + "r":
                run = child.find(ns + "t")
                if run is not None:
                    parts.append(run.text or "")
        return "".join(parts)
    text = cell.findtext(ns + "v")
    if not text:
        return None
    if t in ("str", "e"):  # a formula's text result; an error such as #N/A, shown as such
        return text
    if t == "b":
        if text in ("0", "1"):
            return text == "1"
        raise _bad_cell(row, column, _("it is stored as TRUE/FALSE, but is neither 1 nor 0"), text)
    if t == "d":
        try:
            return from_iso(text)
        except (ValueError, OverflowError):
            raise _bad_cell(
                row, column, _("it is stored as a date, but is no real date"), text
            ) from None
    raise _bad_cell(
        row, column, _("it has a cell type t={t!r} that Excel does not write").format(t=t), text
    )


def uncalculated_problems(
    found: list[tuple[int, int]], first_row: int, locate: Callable[[int, int], str]
) -> list[Problem]:
    """One :class:`Problem` per uncalculated formula from ``first_row`` on."""
    return [Problem(locate(row, col), _(NO_SAVED_VALUE)) for row, col in found if row >= first_row]
