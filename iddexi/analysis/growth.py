"""Growth, multiples, shares and percentage points: exact, rounded only at the end.

Money comes in as integer fen and counts as integers, so every ratio here is a
``Decimal`` quotient of integers; nothing is a float. A comparison with nothing (no last
season, or last season's figure is zero) gives ``None``, which people read as "n/a" and
JSON as ``null`` — never infinity.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")
SHARE_PLACES = Decimal("1e-10")
FEN = Decimal("0.01")
#: From this ratio of this season to last on, the change is also stated as a multiple (倍).
MULTIPLE_FROM = Decimal(2)


def _round(value: Decimal, places: Decimal) -> Decimal:
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded  # never "-0.0"


def growth_pct(this: int | Decimal, last: int | Decimal | None) -> Decimal | None:
    """(this − last) / last in percent with one decimal; ``None`` when last is 0 or None."""
    if last is None or last == 0:
        return None
    return _round((Decimal(this) - Decimal(last)) * 100 / Decimal(last), ONE_DECIMAL)


def multiple(this: int | Decimal, last: int | Decimal | None) -> Decimal | None:
    """this / last with one decimal when it is 2 or more (stated as 倍); else ``None``."""
    if last is None or last <= 0:
        return None
    ratio = Decimal(this) / Decimal(last)
    if ratio < MULTIPLE_FROM:
        return None
    return _round(ratio, ONE_DECIMAL)


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole as a fraction 0–1, unrounded (it feeds percentage points, which are
    rounded once, at the end); ``None`` when whole is 0."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def share_out(value: Decimal | None) -> Decimal | None:
    """A share as reports hand it on (JSON): ten decimals, rounded at this last step."""
    return None if value is None else _round(value, SHARE_PLACES)


def pp_change(this_share: Decimal | None, last_share: Decimal | None) -> Decimal | None:
    """The difference of two shares in percentage points (百分点), one decimal."""
    if this_share is None or last_share is None:
        return None
    return _round((this_share - last_share) * 100, ONE_DECIMAL)


def per_visit_yuan(amount_fen: int, visitors: int) -> Decimal | None:
    """Revenue per visit in yuan, to the fen; ``None`` without visitors."""
    if not visitors:
        return None
    return _round(Decimal(amount_fen) / 100 / Decimal(visitors), FEN)


def scaled(amount: int, numerator: int, denominator: int) -> int:
    """``amount × numerator / denominator`` rounded half-up to a whole unit (fen, visit)."""
    quotient, remainder = divmod(amount * numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)
