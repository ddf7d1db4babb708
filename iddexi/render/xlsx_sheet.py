"""Writing one worksheet of a report: typed cells, number formats, widths, print set-up.

Every string goes through :func:`iddexi.render.xlsx_text.plain_text` and is stored as a
string cell, never a formula (stall names, themes and notes come from strangers); numbers
are written as numbers (``Decimal`` yuan stay exact) with a number format, never as text,
and no cell holds a formula.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any

from iddexi.render.xlsx_text import plain_text

YUAN = '"¥"#,##0.00'
YUAN_WHOLE = '"¥"#,##0'  # an estimate (the projection): whole yuan shown, the value exact
TIMES_ZH = '0.0"倍"'
TIMES_EN = '0.0"×"'
WAN = '#,##0.0"万元"'
WAN_EN = '#,##0.0" (10k yuan)"'
COUNT = "#,##0"
PERCENT = "0.0%"
POINTS_ZH = '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'
POINTS_EN = '+0.0" pp";-0.0" pp";0.0" pp"'
NUMBER = "#,##0.###"
DATE = "yyyy-mm-dd"

#: The one font of every cell. Unstyled cells take the workbook's default, Calibri (a sans,
#: which LibreOffice shows as the metric-equal Carlito); a styled cell's Font() without a
#: name was drawn in a serif there (the 合计 row, the headers), so each one names it too.
SHEET_FONT = "Calibri"

MIN_WIDTH = 6
MEASURED_ROWS = 2000
MAX_WIDTH = 60


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK and full-width characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: object, number_format: str | None) -> str:
    """Roughly what a cell shows, to size its column."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return "2025-12-06"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        if number_format == PERCENT:
            return f"{Decimal(value) * 100:.1f}%"
        if number_format == WAN:
            return f"{Decimal(value):,.1f}万元x"
        if number_format == WAN_EN:
            return f"{Decimal(value):,.1f} (10k yuan)"
        if number_format == YUAN:
            return f"¥{Decimal(value):,.2f}"
        return f"{value:,}"
    return str(value)


@contextmanager
def write_only_workbook() -> Iterator[Any]:
    """An openpyxl write-only workbook whose half-written sheets are closed if writing
    fails, so their temporary files go and nothing is left to fail again when collected."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.creator = "iddexi"
    try:
        yield wb
    except BaseException:
        for ws in wb.worksheets:
            with suppress(Exception):
                ws.close()
        raise


def _format_of(value: object, number_format: str | None) -> str | None:
    """The number format a cell gets: dates always show as dates, text and booleans none."""
    if isinstance(value, dt.datetime):
        return number_format or "yyyy-mm-dd hh:mm"
    if isinstance(value, dt.date):
        return DATE
    if isinstance(value, (str, bool)):
        return None
    return number_format


class SheetWriter:
    """Collects a worksheet's rows, then writes them in one pass through openpyxl's write-only mode.

    The worksheet must be one of a ``Workbook(write_only=True)``: a normal worksheet
    would keep the reused prototype cells themselves, so every row would show the last.

    A write-only sheet must know its column widths, frozen panes and row heights before
    its first row is written, so small tables are held until :meth:`finish`; a big table
    (the raw lines) is handed over as an iterator with :meth:`stream` and written as it
    is read, its widths measured on the first rows only. Each column's number format and
    font live in one prototype cell whose value changes row by row: styling 1.4 million
    cells one at a time was most of a big report's time.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.row = 0
        self.widths: dict[int, int] = {}
        self.header_row: int | None = None
        # row number → (values, formats, style) for the rows held until finish()
        self._rows: list[tuple[list[object], list[str | None] | None, str | None]] = []
        self._stream: tuple[Iterable[list[object]], list[str | None]] | None = None
        self._styles: dict[tuple[int, str | None, str | None], Any] = {}
        # (row, text, merged columns, at least this many lines): sized once widths are known
        self._paragraphs: list[tuple[int, str, int, int]] = []

    def _measure(self, col: int, value: object, number_format: str | None) -> None:
        shown = _shown(value, number_format)
        if shown:
            width = max(display_width(line) for line in shown.split("\n")) + 2
            self.widths[col] = max(self.widths.get(col, 0), width)

    def write(
        self,
        values: list[object],
        formats: list[str | None] | None = None,
        *,
        bold: bool = False,
        start_col: int = 1,
    ) -> int:
        """Write one row of cells; returns its row number."""
        self.row += 1
        values = [None] * (start_col - 1) + list(values)
        if formats is not None:
            formats = [None] * (start_col - 1) + list(formats)
        for col, value in enumerate(values, 1):
            fmt = formats[col - 1] if formats and col <= len(formats) else None
            self._measure(col, value, fmt)
        self._rows.append((values, formats, "bold" if bold else None))
        return self.row

    def note(self, text: str, *, bold: bool = False) -> int:
        """A line of text in column A that does not widen the column (it may overflow)."""
        self.row += 1
        self._rows.append(([text], None, "title" if bold else None))
        return self.row

    def paragraph(self, text: str, columns: int, *, lines: int = 4) -> int:
        """A long text over ``columns`` merged cells, wrapped, ``lines`` lines high."""
        from openpyxl.utils import get_column_letter

        self.row += 1
        self._rows.append(([text], None, "wrap"))
        self.ws.merged_cells.add(f"A{self.row}:{get_column_letter(columns)}{self.row}")
        self._paragraphs.append((self.row, text, columns, lines))
        return self.row

    def blank(self) -> None:
        self.row += 1
        self._rows.append(([], None, None))

    def header(self, names: list[str], *, freeze: bool = True) -> int:
        """A bold header row with a fill; frozen (and repeated on printed pages)."""
        self.row += 1
        for col, name in enumerate(names, 1):
            self._measure(col, name, None)
        self._rows.append((list(names), None, "header"))
        if freeze:
            self.header_row = self.row
            self.ws.freeze_panes = f"A{self.row + 1}"
            self.ws.print_title_rows = f"{self.row}:{self.row}"
        return self.row

    def stream(self, rows: Iterable[list[object]], formats: list[str | None]) -> int:
        """Hand over a big table's rows; they are written at :meth:`finish` as they come.

        Returns the number of rows, known once the first :data:`MEASURED_ROWS` are read
        only as a lower bound, so charts must not refer to a streamed table.
        """
        iterator = iter(rows)
        head = list(itertools.islice(iterator, MEASURED_ROWS))
        for values in head:
            for col, value in enumerate(values, 1):
                self._measure(col, value, formats[col - 1] if col <= len(formats) else None)
        self._stream = (itertools.chain(head, iterator), formats)
        return len(head)

    def finish(self, *, landscape: bool = True) -> None:
        """Fit the column widths, set the page up (landscape, one page wide) and write the rows."""
        from openpyxl.utils import get_column_letter

        fitted = {col: min(MAX_WIDTH, max(MIN_WIDTH, width)) for col, width in self.widths.items()}
        for col, width in fitted.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        for row, text, columns, lines in self._paragraphs:
            # as many lines as the wrapped text takes across its merged columns (a longer
            # brief must not be cut off in print), with a line to spare
            across = sum(fitted.get(col, MIN_WIDTH) for col in range(1, columns + 1))
            needed = -(-display_width(text) // max(across, 1)) + 1
            self.ws.row_dimensions[row].height = 16 * max(lines, needed)
        setup = self.ws.page_setup
        setup.orientation = "landscape" if landscape else "portrait"
        setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; write-only sheets lack the constant)
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.gridLines = False
        self.ws.page_margins.left = self.ws.page_margins.right = 0.5
        for values, formats, style in self._rows:
            self.ws.append(self._cells(values, formats, style))
        self._rows = []
        if self._stream is not None:
            rows, formats = self._stream
            self._stream = None
            columns = range(1, len(formats) + 1)
            for values in rows:
                self.ws.append(self._cells(values, formats, None, columns))

    def _cells(
        self,
        values: list[object],
        formats: list[str | None] | None,
        style: str | None,
        columns: Iterable[int] | None = None,
    ) -> list[object]:
        """The row as openpyxl takes it: plain values where that is safe, else styled cells.

        A plain value costs openpyxl one conversion; a cell costs two. So only what needs
        a number format or a font, and text that openpyxl would take for a formula, goes
        in a (prototype) cell; a cell is written as soon as its row is appended.
        """
        out: list[object] = []
        for col, value in zip(columns or itertools.count(1), values, strict=False):
            if value is None:
                out.append(None)
                continue
            if isinstance(value, str):
                value = plain_text(value)
                if style is None and not value.startswith("="):
                    out.append(value)
                    continue
                cell = self._prototype(col, None, style)
                cell.value = value
                cell.data_type = "s"  # never a formula: the text came from people
                out.append(cell)
                continue
            fmt = _format_of(value, formats[col - 1] if formats and col <= len(formats) else None)
            if style is None and (fmt is None or (fmt == DATE and type(value) is dt.date)):
                out.append(value)  # openpyxl shows a date as yyyy-mm-dd by itself
                continue
            cell = self._prototype(col, fmt, style)
            cell.value = value
            out.append(cell)
        return out

    def _prototype(self, col: int, number_format: str | None, style: str | None) -> Any:
        key = (col, number_format, style)
        cell = self._styles.get(key)
        if cell is None:
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Alignment, Font, PatternFill

            cell = WriteOnlyCell(self.ws)
            if number_format:
                cell.number_format = number_format
            cell.font = Font(name=SHEET_FONT)
            if style == "bold":
                cell.font = Font(name=SHEET_FONT, bold=True)
            elif style == "title":
                cell.font = Font(name=SHEET_FONT, bold=True, size=13)
            elif style == "header":
                cell.font = Font(name=SHEET_FONT, bold=True)
                cell.fill = PatternFill("solid", start_color="DDE7F0")
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            elif style == "wrap":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            self._styles[key] = cell
        return cell

    def bar_chart(
        self,
        title: str,
        header: int,
        last_row: int,
        *,
        cats: int,
        series: list[int],
        anchor: str,
        y_title: str,
        percent: bool = False,
    ) -> None:
        """A native column chart of ``series`` columns (their header names the series)."""
        from openpyxl.chart import BarChart

        chart = BarChart()
        chart.type = "col"
        if percent:
            chart.y_axis.numFmt = "0%"
        self._chart(chart, title, header, last_row, cats, series, anchor, y_title)

    def line_chart(
        self,
        title: str,
        header: int,
        last_row: int,
        *,
        cats: int,
        series: list[int],
        anchor: str,
        y_title: str,
    ) -> None:
        """A native line chart of ``series`` columns (their header names the series)."""
        from openpyxl.chart import LineChart

        self._chart(LineChart(), title, header, last_row, cats, series, anchor, y_title)

    def _chart(
        self,
        chart: Any,
        title: str,
        header: int,
        last_row: int,
        cats: int,
        series: list[int],
        anchor: str,
        y_title: str,
    ) -> None:
        from openpyxl.chart import LineChart, Reference

        from iddexi.render.colours import LAST_COLOUR, THIS_COLOUR

        chart.title = title
        chart.y_axis.title = y_title
        chart.width, chart.height = 22, 11
        for col in series:
            data = Reference(self.ws, min_col=col, min_row=header, max_row=last_row)
            chart.add_data(data, titles_from_data=True)
        categories = Reference(self.ws, min_col=cats, min_row=header + 1, max_row=last_row)
        chart.set_categories(categories)
        # this season and last in the same colours as the PNG charts
        for s, colour in zip(chart.series, (THIS_COLOUR, LAST_COLOUR), strict=False):
            hex_colour = colour.lstrip("#").upper()
            s.graphicalProperties.line.solidFill = hex_colour
            if isinstance(chart, LineChart):
                s.graphicalProperties.line.width = 28000
                s.smooth = False  # LibreOffice smooths by default: a running total must not dip
            else:
                s.graphicalProperties.solidFill = hex_colour
        self.ws.add_chart(chart, anchor)
