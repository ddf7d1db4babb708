"""Read untrusted spreadsheet files into rows of cells that know where they came from.

This layer only reads: it knows nothing of the ledger and validates nothing except that
the file is a sane CSV or workbook. Every value can be named by the location a person
would look for in WPS/Excel (``sales.xlsx:Sales:5:金额(元)``, ``sales.csv:3:金额``), so the
importer can point at the exact cell when it refuses one.

openpyxl is imported lazily inside :func:`read_sheets`: entry commands stay fast.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import NamedTuple

from iddexi.i18n import _
from iddexi.ledger.errors import IddexiError, InputError, Problem
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

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 10
#: More used columns than this is not a tally sheet (and could be a memory trick).
MAX_COLUMNS = 512
#: Rows × columns kept in memory for one sheet, at most.
MAX_CELLS = 5_000_000
#: Cells (filled or only formatted) in all the sheets of a workbook, at most: reading one
#: takes ~2 µs, and a 200,000-row sales sheet has ~1.2 million.
MAX_WORKBOOK_CELLS = 2_000_000
#: A text file bigger than this is refused before it is read: a 200,000-line sales CSV is
#: ~10 MB, and reading takes ~7 times the file's size in memory.
MAX_TEXT_BYTES = 64 * 1024 * 1024

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ACCEPTED = ", ".join(XLSX_SUFFIXES + CSV_SUFFIXES)

HeaderFinder = Callable[[list[object]], bool]
#: Told (rows read, rows in all) while a workbook is read, for a progress bar.
Reading = Callable[[int, int], None]
#: Rows between two calls of a Reading callback.
READING_STEP = 5_000
# (row number as the user sees it, values with None for empty, row is blank)
_RawRow = tuple[int, Sequence[object], bool]


@dataclass(frozen=True, slots=True)
class Cell:
    """One value read from a file, with the place it came from."""

    value: object
    location: str
    column: str
    row: int


class Row(NamedTuple):
    """A data row: one value per header, in header order, ``None`` for an empty cell.

    Rows keep their values as the reader made them and share one header → position map;
    a :class:`Cell` is made only when asked for (``cells``, ``cell``), so reading a
    100,000-line sheet builds no per-cell objects. Hot loops read ``values`` by position
    and ask for a ``location`` only to report a problem.
    """

    number: int  # the row number WPS/Excel shows (CSV: the line the record starts on)
    values: Sequence[object]
    positions: Mapping[str, int]  # header key -> index in ``values``
    where: str  # ``FILE`` or ``FILE:SHEET``

    @property
    def cells(self) -> dict[str, Cell]:
        """Every cell by header key (made on each call)."""
        return {key: self.cell(key) for key in self.positions}

    def cell(self, key: str) -> Cell:
        """The cell under header ``key`` (KeyError for an unknown header)."""
        return Cell(self.values[self.positions[key]], self.location(key), key, self.number)

    def value(self, key: str) -> object:
        """The value under header ``key``."""
        return self.values[self.positions[key]]

    def location(self, key: str) -> str:
        """``FILE:SHEET:ROW:COLUMN`` (CSV: ``FILE:ROW:COLUMN``) of the cell under ``key``."""
        return f"{self.where}:{self.number}:{key}"

    def is_blank(self) -> bool:
        """True when every cell is empty or only whitespace."""
        return _is_blank(self.values)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One CSV file or one worksheet of a workbook.

    ``headers`` are the keys of every row's ``cells``: the header text with whitespace
    collapsed; an empty header becomes the column letter (xlsx) or number (CSV), and a
    header written twice keeps its first column while later ones get the column added,
    ``"备注 (F)"``, and are listed in ``duplicate_headers``. ``headers`` is empty when no
    header row was found in the first rows (then ``header_row`` is 0 and ``rows`` empty).
    ``hidden`` is True for a worksheet hidden in Excel/WPS. ``unreadable`` lists the cells
    whose value could not be read (formulas without a saved result; their value is None),
    so that the importer can report them together with every other problem of the file.
    """

    file: str
    name: str | None
    headers: list[str]
    header_row: int
    rows: list[Row]
    duplicate_headers: tuple[str, ...] = ()
    hidden: bool = False
    unreadable: tuple[Problem, ...] = ()

    def location(self, row: int | None = None, column: str | None = None) -> str:
        """``FILE``, ``FILE:SHEET``, ``FILE:SHEET:ROW`` or ``FILE:SHEET:ROW:COLUMN``.

        (CSV has no SHEET part.) A column without a row points at its header cell.
        """
        parts = [self.file] if self.name is None else [self.file, self.name]
        if row is None and column is not None and self.header_row:
            row = self.header_row
        if row is not None:
            parts.append(str(row))
        if column is not None:
            parts.append(column)
        return ":".join(parts)


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
    shown = suffix or "files without an extension"
    raise InputError(
        f"{path.name}: cannot read {shown}; accepted are {_ACCEPTED} "
        "(in Excel/WPS use Save As → Excel Workbook .xlsx, or CSV UTF-8)"
    )


# --------------------------------------------------------------------------- assembling


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime) and value.time() == time():
        value = value.date()
    return " ".join((value.isoformat() if isinstance(value, date) else str(value)).split())


def _is_blank(values: Iterable[object]) -> bool:
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return False
    return True


def _used_width(values: Sequence[object], known: int, where: str) -> int:
    """Width of ``values`` without trailing empties, but never less than ``known``."""
    n = len(values)
    if n <= known:
        return known
    tail = values[known:]
    if tail.count(None) == len(tail):  # C-speed: wide rows of empty styled cells are cheap
        return known
    while values[n - 1] is None:
        n -= 1
    if n > MAX_COLUMNS:
        raise InputError(f"{where}: refused: more than {MAX_COLUMNS} columns are used")
    return n


def _keys(header: Sequence[object], width: int, letters: bool) -> tuple[list[str], list[str]]:
    keys: list[str] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for i in range(width):
        text = _header_text(header[i]) if i < len(header) else ""
        ref = column_letter(i + 1) if letters else str(i + 1)
        key = text or ref
        if key in seen:
            if text and text not in duplicates:
                duplicates.append(text)
            key = f"{key} ({ref})"
            n = 2
            while key in seen:
                key = f"{text or ref} ({ref}.{n})"
                n += 1
        seen.add(key)
        keys.append(key)
    return keys, duplicates


def _assemble(
    file: str,
    name: str | None,
    rows: Iterator[_RawRow],
    finder: HeaderFinder | None,
    max_rows: int,
    *,
    letters: bool,
    hidden: bool = False,
) -> Sheet:
    where = file if name is None else f"{file}:{name}"
    header_row = 0
    header: Sequence[object] = ()
    try:
        for count, (number, values, blank) in enumerate(rows, start=1):
            found = finder(list(values)) if finder is not None else not blank
            if found:
                header_row, header = number, values
                break
            if count >= HEADER_SEARCH_ROWS:
                break
        if not header_row:
            return Sheet(file, name, [], 0, [], hidden=hidden)
        return _below_header(file, name, where, rows, header_row, header, max_rows, letters, hidden)
    except UnreadableCell as exc:
        if exc.column is None:
            raise InputError(f"{where}:{exc.row}: {exc.message}") from None
        known = header if header_row and exc.row > header_row else ()
        keys, _ = _keys(known, max(exc.column, len(known)), letters)
        raise InputError(f"{where}:{exc.row}:{keys[exc.column - 1]}: {exc.message}") from None


def _below_header(
    file: str,
    name: str | None,
    where: str,
    rows: Iterator[_RawRow],
    header_row: int,
    header: Sequence[object],
    max_rows: int,
    letters: bool,
    hidden: bool,
) -> Sheet:
    width = _used_width(header, 0, where)
    header_width = width
    too_wide: list[Problem] = []  # CSV lines with more cells than the header
    kept: list[tuple[int, Sequence[object]]] = []
    pending: list[tuple[int, Sequence[object]]] = []  # blank rows not yet followed by data
    cells_kept = 0
    for count, (number, values, blank) in enumerate(rows, start=1):
        if blank:
            if count <= max_rows:
                pending.append((number, values if len(values) <= width else values[:width]))
            continue
        if count > max_rows:
            raise InputError(
                f"{where}: refused: more than {max_rows:,} rows below the header; split the file"
            )
        if len(values) > header_width and not letters:
            _too_wide(too_wide, where, number, values, header_width)
        if len(values) > width:
            width = _used_width(values, width, where)
            if len(values) > width:
                values = values[:width]
        if pending:
            kept.extend(pending)
            pending.clear()
        kept.append((number, values))
        cells_kept += len(values)
        if cells_kept > MAX_CELLS:
            break
    if len(kept) * width > MAX_CELLS:
        raise InputError(
            f"{where}: refused: more than {MAX_CELLS:,} cells ({len(kept):,} rows × "
            f"{width} columns); split the file"
        )

    keys, duplicates = _keys(header, width, letters)
    positions = {key: i for i, key in enumerate(keys)}
    fill = [None] * width
    make = tuple.__new__  # a Row without NamedTuple.__new__'s argument handling
    out: list[Row] = []
    append = out.append
    for number, values in kept:
        if len(values) < width:
            values = [*values, *fill[len(values) :]]
        append(make(Row, (number, values, positions, where)))
    return Sheet(
        file, name, keys, header_row, out, tuple(duplicates), hidden, unreadable=tuple(too_wide)
    )


def _too_wide(
    problems: list[Problem], where: str, number: int, values: Sequence[object], width: int
) -> None:
    """A CSV line with a filled cell past its header's last: a comma inside a figure
    (``12,000.00`` unquoted) or a shifted line; never dropped unseen."""
    for index in range(width, len(values)):
        value = values[index]
        if value is not None and not (isinstance(value, str) and not value.strip()):
            problems.append(
                Problem(
                    f"{where}:{number}:{index + 1}",
                    _(
                        "this line has more cells than the header ({width}); a comma inside "
                        'a figure? write 12000.00, or put "12,000.00" in quotes'
                    ).format(width=width),
                    value,
                )
            )
            return


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
) -> Iterator[_RawRow]:
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
                'a quoted field opens here (") and is never closed, so every line after '
                "it would be read into this one cell; close the quote, or save the file "
                "again from Excel/WPS",
            ) from None
        raise InputError(f"{name}:{line + 1}: cannot read this line as CSV ({exc})") from None


def _read_text(path: Path, finder: HeaderFinder | None, max_rows: int) -> Sheet:
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InputError(
                f"{name}: refused: the file is {size / 2**20:,.0f} MB, more than the "
                f"{MAX_TEXT_BYTES // 2**20} MB a CSV may have (200,000 lines of sales are "
                "about 10 MB); split the file"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(f"{name}: this is a workbook (xlsx), not CSV text; rename it to .xlsx")
    encoding, text = decode_text(raw, name)
    delimiter = _sniff_delimiter(text[:65536], len(text) > 65536)
    del text  # the records are decoded again line by line: no second copy of the whole text
    lines = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    rows = _text_rows(lines, name, delimiter, lambda: raw.decode(encoding))
    return _assemble(name, None, rows, finder, max_rows, letters=False)


# ----------------------------------------------------------------------------- workbook


def _sheet_rows(
    rows: Iterator[tuple[int, list[object]]], count: Callable[[], None] | None = None
) -> Iterator[_RawRow]:
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
        yield number, values, _is_blank(values)


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
                    f"{where}: refused: more than {max_rows:,} rows below the header (more "
                    f"than {limit:,} rows in the sheet, empty formatted rows included); "
                    "split the file"
                )
            rows_in_all += scan.rows
            if rows_in_all > all_limit:
                raise InputError(
                    f"{name}: refused: more than {all_limit:,} rows in all the sheets "
                    "together; split the file"
                )
            cells += scan.cells
            if cells > MAX_WORKBOOK_CELLS:
                raise InputError(
                    f"{name}: refused: more than {MAX_WORKBOOK_CELLS:,} cells in the workbook "
                    "(formatted empty cells included); split the file, or delete the unused "
                    "rows and columns"
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
            sheet = _assemble(
                name, title, rows, finder, max_rows, letters=True, hidden=state != "visible"
            )
            problems = hidden_problems(sheet, layout, MAX_CELLS)
            if sheet.header_row and layout.uncalculated:
                locate = partial(_formula_location, sheet)
                problems += uncalculated_problems(layout.uncalculated, sheet.header_row, locate)
            if problems:
                sheet = replace(sheet, unreadable=(*sheet.unreadable, *problems))
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
