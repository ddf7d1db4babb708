"""Writing one worksheet of a report: typed cells, number formats, widths, print set-up.

Every string goes through :func:`iddexi.render.xlsx_text.set_text` (stall names, themes
and notes come from strangers and must never become formulas); numbers are written as
numbers (``Decimal`` yuan stay exact) with a number format, never as text, and no cell
holds a formula.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

from iddexi.render.xlsx_text import set_text

YUAN = '"¥"#,##0.00'
WAN = '#,##0.0"万元"'
WAN_EN = '#,##0.0" (10k yuan)"'
COUNT = "#,##0"
PERCENT = "0.0%"
POINTS_ZH = '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'
POINTS_EN = '+0.0" pp";-0.0" pp";0.0" pp"'
NUMBER = "#,##0.###"
DATE = "yyyy-mm-dd"

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


class SheetWriter:
    """Appends rows to a worksheet and remembers how wide each column must be."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.row = 0
        self.widths: dict[int, int] = {}
        self.header_row: int | None = None

    def put(self, col: int, value: object, number_format: str | None = None, *, bold=False) -> Any:
        cell = self.ws.cell(row=self.row, column=col)
        if isinstance(value, str):
            set_text(cell, value)
        elif isinstance(value, bool):
            cell.value = value
        elif isinstance(value, dt.datetime):
            cell.value = value
            cell.number_format = number_format or "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.value = value
            cell.number_format = DATE
        else:
            cell.value = value
            if number_format and value is not None:
                cell.number_format = number_format
        if bold:
            from openpyxl.styles import Font

            cell.font = Font(bold=True)
        # widths from the first rows only: a sample is enough, and big sheets stay fast
        shown = _shown(value, number_format) if self.row <= MEASURED_ROWS else ""
        if shown:
            width = max(display_width(line) for line in shown.split("\n")) + 2
            self.widths[col] = max(self.widths.get(col, 0), width)
        return cell

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
        for offset, value in enumerate(values):
            fmt = formats[offset] if formats and offset < len(formats) else None
            self.put(start_col + offset, value, fmt, bold=bold)
        return self.row

    def note(self, text: str, *, bold: bool = False) -> int:
        """A line of text in column A that does not widen the column (it may overflow)."""
        self.row += 1
        cell = self.ws.cell(row=self.row, column=1)
        set_text(cell, text)
        if bold:
            from openpyxl.styles import Font

            cell.font = Font(bold=True, size=13)
        return self.row

    def paragraph(self, text: str, columns: int, *, lines: int = 4) -> int:
        """A long text over ``columns`` merged cells, wrapped, ``lines`` lines high."""
        from openpyxl.styles import Alignment

        row = self.note(text)
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        self.ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.row_dimensions[row].height = 16 * lines
        return row

    def blank(self) -> None:
        self.row += 1

    def header(self, names: list[str], *, freeze: bool = True) -> int:
        """A bold header row with a fill; frozen (and repeated on printed pages)."""
        from openpyxl.styles import Alignment, Font, PatternFill

        row = self.write(names)
        fill = PatternFill("solid", start_color="DDE7F0")
        for col in range(1, len(names) + 1):
            cell = self.ws.cell(row=row, column=col)
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        if freeze:
            self.header_row = row
            self.ws.freeze_panes = self.ws.cell(row=row + 1, column=1)
            self.ws.print_title_rows = f"{row}:{row}"
        return row

    def finish(self, *, landscape: bool = True) -> None:
        """Fit the column widths and set the page up: landscape, one page wide."""
        from openpyxl.utils import get_column_letter

        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(
                MAX_WIDTH, max(MIN_WIDTH, width)
            )
        setup = self.ws.page_setup
        setup.orientation = "landscape" if landscape else "portrait"
        setup.paperSize = self.ws.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.gridLines = False
        self.ws.page_margins.left = self.ws.page_margins.right = 0.5

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
