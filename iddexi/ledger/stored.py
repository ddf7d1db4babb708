"""Reading back the text values the ledger stores: dates and decimals.

The program writes them itself (``date.isoformat()``, ``str(Decimal)``), so anything else
was put there by hand; it is refused with a :class:`StoredValueError` naming the value,
not a traceback. `iddexi check` reads every stored value through these same functions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from iddexi.i18n import _
from iddexi.ledger.errors import StoredValueError


def _refuse(what: str, value: object, expected: str) -> StoredValueError:
    return StoredValueError(
        _(
            "the ledger holds {what} {value} that is not {expected}; "
            "run `iddexi check` to find what was edited"
        ).format(what=what, value=repr(value), expected=expected)
    )


def stored_date(value: object, what: str = "a date") -> dt.date:
    """A ``YYYY-MM-DD`` text as the program wrote it."""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if day.isoformat() == value:
                return day
    raise _refuse(what, value, _("a real YYYY-MM-DD day"))


def stored_decimal(value: object, what: str, *, signed: bool = False) -> Decimal:
    """A finite decimal stored as text (a quantity; a temperature when ``signed``)."""
    if isinstance(value, bool):
        raise _refuse(what, value, _("a number"))
    try:
        number = Decimal(value) if isinstance(value, (str, int)) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _refuse(what, value, _("a number")) from None
    if not number.is_finite() or (not signed and number < 0):
        raise _refuse(what, value, _("a number of zero or more") if not signed else _("a number"))
    return number


def stored_optional_decimal(value: object, what: str, *, signed: bool = False) -> Decimal | None:
    return None if value is None else stored_decimal(value, what, signed=signed)
