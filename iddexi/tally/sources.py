"""Read untrusted spreadsheet files into rows of cells that know where they came from.

This layer only reads: it knows nothing of the ledger and validates nothing except that
the file is a sane CSV or workbook. Every value can be named by the location a person
would look for in WPS/Excel (``sales.xlsx:Sales:5:金额(元)``, ``sales.csv:3:金额``), so the
importer can point at the exact cell when it refuses one.

openpyxl is imported lazily inside :func:`read_sheets`: entry commands stay fast. The
sheet types live in :mod:`iddexi.tally.sheets` and are named here too.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.errors import IddexiError, InputError
from iddexi.tally.sheets import (
    HEADER_SEARCH_ROWS,
    MAX_CELLS,
    Cell,
    HeaderFinder,
    RawRow,
    Row,
    Sheet,
    assemble,
    is_blank_row,
)
from iddexi.tally.text_files import decode_text, unclosed_quote
from iddexi.tally.xlsx_hidden import hidden_problems
from iddexi.tally.xlsx_parts import read_workbook_parts
from iddexi.tally.xlsx_rows import (
    SheetLayout,
    UnreadableCell,
    uncalculated_problems,
    worksheet_rows,
)
from iddexi.tally.xlsx_safety import (
    column_letter,
    damaged_workbook,
    open_checked_archive,
    scan_worksheet,
)

__all__ = ["MAX_CELLS", "Cell", "Row", "Sheet", "read_sheets"]

#: Cells (filled or only formatted) in all the sheets of a workbook, at most: reading one
#: takes ~2 µs, and a 200,000-row sales sheet has ~1.2 million.
MAX_WORKBOOK_CELLS = 2_000_000
#: A text file bigger than this is refused before it is read: a 200,000-line sales CSV is
#: ~10 MB, and reading takes ~7 times the file's size in memory.
MAX_TEXT_BYTES = 64 * 1024 * 1024

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ACCEPTED = ", ".join(XLSX_SUFFIXES + CSV_SUFFIXES)

#: Told (rows read, rows in all) while a workbook is read, for a progress bar.
Reading = Callable[[int, int], None]
#: Rows between two calls of a Reading callback.
READING_STEP = 5_000


def read_sheets(
    path: Path,
    *,
    header_row_finder: HeaderFinder | None = None,
    max_rows: int = 200_000,
    reading: Reading | None = None,
) -> list[Sheet]:
    """Read a ``.csv``/``.txt`` file (one sheet) or every worksheet of an ``.xlsx``/``.xlsm``.

    ``header_row_finder`` gets each of the first :data:`HEADER_SEARCH_ROWS` rows' values
    (``None`` for empty) and says whether it is the header row; by default the first
    non-blank row is. More than ``max_rows`` data rows in a sheet is refused.
    Raises :class:`InputError` (or :class:`ProblemsError` for located cells); never lets a
    parser's exception through for a damaged file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES or suffix in XLSX_SUFFIXES:
        # Millions of small objects that form no cycles: the cyclic collector would rescan
        # them again and again (it tripled the time of a 100k-row CSV), so pause it.
        paused = gc.isenabled()
        gc.disable()
        try:
            if suffix in CSV_SUFFIXES:
                return [_read_text(path, header_row_finder, max_rows)]
            return _read_workbook(path, header_row_finder, max_rows, reading)
        finally:
            if paused:
                gc.enable()
    shown = suffix or _("files without an extension")
    raise InputError(
        _(
            "{path_name}: cannot read {shown}; accepted are {accepted} (in Excel/WPS use Save As → Excel Workbook .xlsx, or CSV UTF-8)"
        ).format(path_name=path.name, shown=shown, accepted=_ACCEPTED)
    )


# --------------------------------------------------------------------------------- text


def _sniff_delimiter(sample: str, truncated: bool) -> str:
    """Pick among ``,`` tab ``;`` the one giving the most rows of one width (> 1)."""
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            records = list(itertools.islice(reader, 50))
        except csv.Error:
            continue
        if truncated and records:
            records.pop()
        widths = [len(r) for r in records if "".join(r).strip()]
        if not widths:
            continue
        width = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(width), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _text_rows(
    lines: Iterable[str], name: str, delimiter: str, reread: Callable[[], str]
) -> Iterator[RawRow]:
    """CSV records as rows numbered by the line each starts on.

    ``strict``: a malformed quote is an error, never a silent guess; a quote that is never
    closed (which would swallow every later line into one cell) is located at the line
    where it opens, the text read again by ``reread`` to find it.
    """
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    line = 0
    try:
        for record in reader:
            number = line + 1
            line = reader.line_num
            values = [v or None for v in record] if "" in record else record
            yield number, values, not "".join(record).strip()
    except csv.Error as exc:
        # at the end of the file, or a field over csv's size limit: a quote never closed?
        found = unclosed_quote(reread(), line + 1, delimiter)
        if found is not None:
            opened, column = found
            raise UnreadableCell(
                opened,
                column,
                _(
                    'a quoted field opens here (") and is never closed, so every line after it would be read into this one cell; close the quote, or save the file again from Excel/WPS'
                ),
            ) from None
        raise InputError(
            _("{name}:{line}: cannot read this line as CSV ({exc})").format(
                name=name, line=line + 1, exc=exc
            )
        ) from None


def _read_text(path: Path, finder: HeaderFinder | None, max_rows: int) -> Sheet:
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InputError(
                _(
                    "{name}: refused: the file is {megabytes:,.0f} MB, more than the {limit} MB a CSV may have (200,000 lines of sales are about 10 MB); split the file"
                ).format(name=name, megabytes=size / 2**20, limit=MAX_TEXT_BYTES // 2**20)
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            _("{name}: cannot read the file ({reason})").format(
                name=name, reason=exc.strerror or exc
            )
        ) from None
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(
            _("{name}: this is a workbook (xlsx), not CSV text; rename it to .xlsx").format(
                name=name
            )
        )
    encoding, text = decode_text(raw, name)
    delimiter = _sniff_delimiter(text[:65536], len(text) > 65536)
    del text  # the records are decoded again line by line: no second copy of the whole text
    lines = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    rows = _text_rows(lines, name, delimiter, lambda: raw.decode(encoding))
    return assemble(name, None, rows, finder, max_rows, letters=False)


# ----------------------------------------------------------------------------- workbook


def _sheet_rows(
    rows: Iterator[tuple[int, list[object]]], count: Callable[[], None] | None = None
) -> Iterator[RawRow]:
    """Rows numbered as Excel shows them, with an empty row for each missing number.

    ``count`` is called after each :data:`READING_STEP` rows read.
    """
    previous = 0
    empty: tuple[object, ...] = ()
    for index, (number, values) in enumerate(rows, start=1):
        if count is not None and not index % READING_STEP:
            count()
        for missing in range(previous + 1, number):
            yield missing, empty, True
        previous = number
        yield number, values, is_blank_row(values)


def _read_workbook(
    path: Path, finder: HeaderFinder | None, max_rows: int, reading: Reading | None = None
) -> list[Sheet]:
    archive = open_checked_archive(path)
    name = path.name
    sheets: list[Sheet] = []
    try:
        # openpyxl warns, and in places prints, about what it does not like; a tally
        # reader's output is its own (stdout may be a JSON pipe)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            book = read_workbook_parts(archive, name)
        # Every sheet is counted before any is parsed: a bomb is refused in a blink.
        limit = max_rows + HEADER_SEARCH_ROWS
        all_limit = limit + max_rows // 4  # besides the sales: sessions, stalls …
        scans = []
        rows_in_all = cells = 0
        for title, _state, part in book.sheets:
            where = f"{name}:{title}"
            scan = scan_worksheet(archive, part, name, title, limit)
            if scan.rows > limit:
                raise InputError(
                    _(
                        "{where}: refused: more than {max_rows:,} rows below the header (more than {limit:,} rows in the sheet, empty formatted rows included); split the file"
                    ).format(where=where, max_rows=max_rows, limit=limit)
                )
            rows_in_all += scan.rows
            if rows_in_all > all_limit:
                raise InputError(
                    _(
                        "{name}: refused: more than {all_limit:,} rows in all the sheets together; split the file"
                    ).format(name=name, all_limit=all_limit)
                )
            cells += scan.cells
            if cells > MAX_WORKBOOK_CELLS:
                raise InputError(
                    _(
                        "{name}: refused: more than {max_workbook_cells:,} cells in the workbook (formatted empty cells included); split the file, or delete the unused rows and columns"
                    ).format(name=name, max_workbook_cells=MAX_WORKBOOK_CELLS)
                )
            scans.append(scan)
        done = 0

        def count() -> None:
            nonlocal done
            done += READING_STEP
            if reading is not None:
                reading(min(done, rows_in_all), rows_in_all)

        for (title, state, part), scan in zip(book.sheets, scans, strict=True):
            layout = SheetLayout()
            rows = _sheet_rows(worksheet_rows(archive, part, book, scan, layout), count)
            sheet = assemble(
                name, title, rows, finder, max_rows, letters=True, hidden=state != "visible"
            )
            problems = hidden_problems(sheet, layout, MAX_CELLS)
            if sheet.header_row and layout.uncalculated:
                locate = partial(_formula_location, sheet)
                problems += uncalculated_problems(layout.uncalculated, sheet.header_row, locate)
            if problems:
                sheet = replace(sheet, unreadable=(*sheet.unreadable, *problems))
            if layout.formulas:
                sheet = replace(sheet, formula_cells=frozenset(layout.formulas))
            sheets.append(sheet)
    except IddexiError:
        raise
    except Exception as exc:  # a damaged or crafted file must not end in a traceback
        raise damaged_workbook(path, exc) from None
    finally:
        archive.close()
    return sheets


def _formula_location(sheet: Sheet, row: int, col: int) -> str:
    known = col <= len(sheet.headers)
    return sheet.location(row, sheet.headers[col - 1] if known else column_letter(col))
