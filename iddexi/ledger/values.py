"""Parsing and formatting of the values people type or import: yuan, dates, counts.

Money is exact: amounts become integer fen here and leave as ``Decimal`` yuan; no float
ever stands for money.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from iddexi.i18n import _
from iddexi.ledger.errors import InputError

FEN_PER_YUAN = 100
MAX_LINE_FEN = 10_000_000 * FEN_PER_YUAN  # ¥10,000,000 for one line
_WAN = Decimal(10_000)
#: A quantity sold (kg, 只, 件): at most a billion, to a ten-thousandth.
MAX_QUANTITY = Decimal(1_000_000_000)
QUANTITY_PLACES = 4
#: A season or stall code: letters and digits, then also ``.``, ``_`` and ``-``.
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")

# digits with optional thousands separators done right, then optional decimals
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+", re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_CURRENCY = ("¥", "￥", "RMB", "CNY")
_YUAN_SUFFIX = ("元", "圆")
_WAN_SUFFIX = ("万元", "万")


def _normalise(text: str) -> str:
    """Full-width digits, commas, points and ￥ from a Chinese input method become ASCII.

    Only width is folded: full NFKC would also read a footnote mark as a digit ("500¹"
    as 5001, "①" as 1), so superscripts and circled numbers stay and are refused.
    """
    return "".join(_narrow(ch) for ch in text).strip()


def _narrow(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch == "\u3000" or unicodedata.decomposition(ch).startswith(("<wide>", "<narrow>")):
        return unicodedata.normalize("NFKC", ch)
    return ch


def parse_yuan(value: object, *, limit: int | None = MAX_LINE_FEN) -> int:
    """Parse an amount of yuan into integer fen; refuse anything that is not exact money.

    Accepts ``12345.5``, ``12,345.50``, ``¥12345``, ``1.5万``, ``800元`` and numbers read from a
    spreadsheet. Refuses negatives, more than two decimals, NaN, exponents, empty text and
    more than ¥10,000,000 for one line (``limit`` in fen; ``None`` for a total, which may be
    larger).
    """
    if isinstance(value, bool):
        raise InputError(_("amount {value!r} is not a number of yuan").format(value=value))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = _parse_text(spreadsheet_number(value), original=value)
    elif isinstance(value, Decimal):
        amount = _parse_text(str(value), original=value)
    elif isinstance(value, str):
        amount = _parse_text(value, original=value)
    else:
        raise InputError(_("amount {value!r} is not a number of yuan").format(value=value))
    return _to_fen(amount, value, limit)


def spreadsheet_number(value: float) -> str:
    """A number read from a spreadsheet as the person saw it.

    What was typed comes back as the shortest float repr (``str``). A formula's result is
    saved with up to 17 digits, so ``=19.9*3`` reads 59.699999999999996; a spreadsheet
    holds 15 significant digits and shows 59.7, which is what is meant. (``=10/3`` stays
    3.33333333333333 and is refused as more than two decimals.)
    """
    text = str(value)
    if "e" in text or "E" in text or sum(ch.isdigit() for ch in text) <= 15:
        return text
    shown = format(value, ".15g")
    return text if "e" in shown else shown


def _parse_text(raw: str, *, original: object) -> Decimal:
    text = _normalise(raw)
    if not text:
        raise InputError(
            _("amount {original!r} is empty; expected yuan such as 1200 or 1,200.50").format(
                original=original
            )
        )
    if text.startswith(("-", "−", "(")) or text.endswith(")"):
        raise InputError(
            _("amount {original!r} is negative; takings are zero or more").format(original=original)
        )
    for sign in _CURRENCY:
        if text.upper().startswith(sign):
            text = text[len(sign) :].strip()
            break
    scale = Decimal(1)
    for suffix in _WAN_SUFFIX:
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)].strip(), _WAN
            break
    else:
        for suffix in _YUAN_SUFFIX:
            if text.endswith(suffix):
                text = text[: -len(suffix)].strip()
                break
    if text.startswith("-"):
        raise InputError(
            _("amount {original!r} is negative; takings are zero or more").format(original=original)
        )
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        raise InputError(
            _(
                "amount {original!r} is not a number of yuan; expected e.g. 1200, 1,200.50, ¥1200 or 1.5万"
            ).format(original=original)
        )
    try:
        return Decimal(text.replace(",", "")) * scale
    except InvalidOperation:  # pragma: no cover - the pattern above admits only digits
        raise InputError(
            _("amount {original!r} is not a number of yuan").format(original=original)
        ) from None


def _to_fen(amount: Decimal, original: object, limit: int | None) -> int:
    if not amount.is_finite():
        raise InputError(_("amount {original!r} is not a number of yuan").format(original=original))
    if amount < 0:
        raise InputError(
            _("amount {original!r} is negative; takings are zero or more").format(original=original)
        )
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InputError(
            _("amount {original!r} has more than two decimals; yuan go down to the fen").format(
                original=original
            )
        )
    if limit is not None and fen > limit:
        raise InputError(
            _("amount {original!r} is over ¥10,000,000 for one line; check the figure").format(
                original=original
            )
        )
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as exact yuan with two decimals."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_yuan(fen: int) -> str:
    """``¥12,345.50`` for people."""
    return f"¥{fen_to_yuan(fen):,}"


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", re.ASCII),
)


def parse_date(value: object, what: str = "date") -> dt.date:
    """A calendar date from ``2025-12-06``, ``2025/12/6``, ``2025年12月6日`` or a spreadsheet date."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise InputError(
                _("{what} {value!r} has a time of day; expected a date").format(
                    what=_(what), value=value.isoformat()
                )
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _normalise(str(value)) if value is not None else ""
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise InputError(
                    _("{what} {value!r} is not a day of the calendar").format(
                        what=_(what), value=str(value)
                    )
                ) from None
    raise InputError(
        _("{what} {value!r} is not a date; expected YYYY-MM-DD").format(
            what=_(what), value=str(value)
        )
    )


def parse_count(value: object, what: str) -> int:
    """A whole number of zero or more (visitors, planned sessions)."""
    if isinstance(value, bool):
        raise InputError(
            _("{what} {value!r} is not a whole number").format(what=_(what), value=value)
        )
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _normalise(str(value)) if value is not None else ""
        if not re.fullmatch(r"\d+|\d{1,3}(?:,\d{3})+", text, re.ASCII):
            raise InputError(
                _("{what} {value!r} is not a whole number of zero or more").format(
                    what=_(what), value=str(value)
                )
            )
        number = int(text.replace(",", ""))
    if number < 0:
        raise InputError(_("{what} {value!r} is negative").format(what=_(what), value=value))
    if number > 10_000_000:
        raise InputError(
            _("{what} {value!r} is implausibly large").format(what=_(what), value=value)
        )
    return number


def parse_quantity(value: object) -> Decimal:
    """A quantity sold (kg, 只, 件): a non-negative decimal."""
    text = _normalise(spreadsheet_number(value) if isinstance(value, float) else str(value))
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        raise InputError(
            _("quantity {value!r} is not a number of zero or more").format(value=str(value))
        )
    quantity = Decimal(text.replace(",", ""))
    if quantity > MAX_QUANTITY:
        raise InputError(
            _("quantity {value!r} is implausibly large; check the figure").format(value=str(value))
        )
    if quantity.as_tuple().exponent < -QUANTITY_PLACES:  # type: ignore[operator]
        raise InputError(
            _("quantity {value!r} has more than {QUANTITY_PLACES} decimals; round it").format(
                value=str(value), QUANTITY_PLACES=QUANTITY_PLACES
            )
        )
    return quantity


def parse_temperature(value: object) -> Decimal:
    """Degrees Celsius, e.g. ``-28`` or ``−31.5`` (winter markets are cold)."""
    text = _normalise(str(value)).replace("−", "-").removesuffix("°C").removesuffix("℃").strip()
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text, re.ASCII):
        raise InputError(
            _("temperature {value!r} is not degrees Celsius such as -28").format(value=str(value))
        )
    degrees = Decimal(text)
    if not Decimal(-70) <= degrees <= Decimal(50):
        raise InputError(_("temperature {value!r} is outside -70..50 °C").format(value=str(value)))
    return degrees
