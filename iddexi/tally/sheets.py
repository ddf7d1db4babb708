"""Sheets as the importer sees them: cells that know where they came from, and the
assembly of a file's raw rows into a table under its header row.

The readers (:mod:`iddexi.tally.sources`) turn a CSV file or a worksheet into raw rows;
:func:`assemble` finds the header row, keys every column by its header and keeps the
rows below it, within the bounds a tally sheet needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

from iddexi.i18n import _
from iddexi.ledger.errors import InputError, Problem
from iddexi.tally.xlsx_rows import UnreadableCell
from iddexi.tally.xlsx_safety import column_letter

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 10
#: More used columns than this is not a tally sheet (and could be a memory trick).
MAX_COLUMNS = 512
#: Rows × columns kept in memory for one sheet, at most.
MAX_CELLS = 5_000_000

HeaderFinder = Callable[[list[object]], bool]
# (row number as the user sees it, values with None for empty, row is blank)
RawRow = tuple[int, Sequence[object], bool]


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
        return is_blank_row(self.values)


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
    formula_cells: frozenset[tuple[int, int]] = frozenset()  # (row, column) of formulas

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


# --------------------------------------------------------------------------- assembling


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime) and value.time() == time():
        value = value.date()
    return " ".join((value.isoformat() if isinstance(value, date) else str(value)).split())


def is_blank_row(values: Iterable[object]) -> bool:
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
        raise InputError(
            _("{where}: refused: more than {max_columns} columns are used").format(
                where=where, max_columns=MAX_COLUMNS
            )
        )
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


def assemble(
    file: str,
    name: str | None,
    rows: Iterator[RawRow],
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
        keys, _letters = _keys(known, max(exc.column, len(known)), letters)
        raise InputError(f"{where}:{exc.row}:{keys[exc.column - 1]}: {exc.message}") from None


def _below_header(
    file: str,
    name: str | None,
    where: str,
    rows: Iterator[RawRow],
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
                _(
                    "{where}: refused: more than {max_rows:,} rows below the header; split the file"
                ).format(where=where, max_rows=max_rows)
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
            _(
                "{where}: refused: more than {max_cells:,} cells ({count:,} rows × {width} columns); split the file"
            ).format(where=where, max_cells=MAX_CELLS, count=len(kept), width=width)
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
