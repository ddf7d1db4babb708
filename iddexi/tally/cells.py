"""Reading one cell for validation: its text, blank or not, a totals label, money in fen.

Shared by the sales validation (:mod:`iddexi.tally.validate`) and the smaller tables
(:mod:`iddexi.tally.rosters`); every problem is made here with the cell's location.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.bulk import Lookups, Plan
from iddexi.ledger.errors import InputError, Problem
from iddexi.ledger.values import MAX_LINE_FEN, is_totals_label, parse_yuan
from iddexi.tally.sheets import Cell, Row, Sheet

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

Tick = Callable[[int], None]
#: A totals row's amount, at most: 200,000 lines of the most one line may hold (a figure
#: beyond it would not even fit SQLite's integers).
MAX_TOTAL_FEN = 200_000 * MAX_LINE_FEN


@dataclass
class Context:
    """What validating one sheet needs: the ledger as it stands, and where results go."""

    ledger: Ledger
    lookups: Lookups
    plan: Plan
    problems: list[Problem]
    replace: bool = False
    tick: Tick = lambda n: None  # rows done, for a progress bar
    batch_id: int | None = None  # the batch the file is written in
    # category labels as written → category codes, where they differ (奶 → dairy)
    categories: dict[str, str] = field(default_factory=dict)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str | None:
    """A cell as text: stripped, ``None`` when empty; ``12.0`` read from a workbook as ``12``."""
    if type(value) is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    out = value.isoformat() if isinstance(value, dt.date) else str(value)
    return out.strip() or None


def is_totals(value: object) -> bool:
    """A totals row's label: 合计, 总计, Total … (in any width, case or spacing)."""
    return type(value) is str and is_totals_label(value)


def is_totals_row(values: Sequence[object], first: object, stall: object) -> bool:
    """A totals row: 合计/总计/Total in the stall cell, or with the stall cell empty, in the
    first cell or (when that is empty too) the first cell that is not.

    A row whose stall cell names a stall is never a totals row, whatever its first cell
    says: it is checked as a line (no stall code can read as a totals label, see
    :func:`~iddexi.ledger.values.check_not_totals`), so no line is ever skipped unseen.
    """
    if type(stall) is str and is_totals_label(stall):
        return True
    if stall is not None and not is_blank(stall):
        return False
    if type(first) is str and is_totals_label(first):
        return True
    if first is None:
        for value in values:
            if value is not None:
                return is_totals(value)
    return False


def totals_rows(sheet: Sheet, stall: str) -> list[Row]:
    """A sales table's totals rows (see :func:`is_totals_row`), under header ``stall``.

    A sheet repeats few first-column and stall values, so each is judged once.
    """
    at = sheet.headers.index(stall)
    plain: set[object] = set()  # values already seen not to be a totals label
    found = []
    for row in sheet.rows:
        values = row.values
        first, code = values[0], values[at]
        # an empty first cell sends is_totals_row along the row: never a shortcut
        if first is not None and first in plain and code in plain:
            continue
        if is_totals_row(values, first, code):
            found.append(row)
            continue
        plain.add(first)
        plain.add(code)
    return found


def reword(exc: InputError, what: str, value: object) -> str:
    """``"amount '1O0' is not …"`` → ``"amount is not …"``: the value is shown after it."""
    message = str(exc)
    for shown in (repr(value), repr(str(value))):
        prefix = f"{what} {shown} "
        if message.startswith(prefix):
            return f"{what} {message[len(prefix) :]}"
    return message


def problem(cell: Cell, message: str) -> Problem:
    return Problem(cell.location, message, cell.value)


def problem_at(row: Row, key: str, message: str) -> Problem:
    """A problem with the cell under header ``key`` of ``row``."""
    return Problem(row.location(key), message, row.value(key))


def total_fen(value: object) -> int:
    """A totals row's amount: money read as parse_yuan reads it, but a day's total may pass
    the ¥10,000,000 that one line may not (up to :data:`MAX_TOTAL_FEN`)."""
    fen = parse_yuan(value, limit=None)
    if fen > MAX_TOTAL_FEN:
        raise InputError(
            _("amount {value!r} is implausibly large for a total; check the figure").format(
                value=value
            )
        )
    return fen


def amount_fen(value: object) -> int:
    """Exact fen from a cell: plain ``1234.5`` text takes a fast path, the rest parse_yuan.

    The fast path gives what parse_yuan gives; it only skips its general machinery for the
    common case of ASCII digits with at most two decimals (at most 8 digits of yuan).
    """
    if type(value) is str:
        yuan, dot, fen = value.partition(".")
        if yuan.isdigit() and yuan.isascii() and len(yuan) <= 8:
            if not dot:
                fast = int(yuan) * 100
            elif fen.isdigit() and fen.isascii() and 0 < len(fen) <= 2:
                fast = int(yuan + fen) * (10 if len(fen) == 1 else 1)
            else:
                return parse_yuan(value)
            if fast <= MAX_LINE_FEN:
                return fast
    return parse_yuan(value)
