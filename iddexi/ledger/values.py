"""Parsing and formatting of the values people type or import: yuan, dates, counts.

Money is exact: amounts become integer fen here and leave as ``Decimal`` yuan; no float
ever stands for money.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from iddexi.i18n import _
from iddexi.ledger.errors import InputError

# the text rules live in ledger/text.py; parsers and callers long imported them from here
from iddexi.ledger.text import (  # noqa: F401
    clean_text,
    escape_char,
    json_escaped,
    refuse_controls,
    shown,
)

FEN_PER_YUAN = 100
MAX_LINE_FEN = 10_000_000 * FEN_PER_YUAN  # ¥10,000,000 for one line
_WAN = Decimal(10_000)
#: A quantity sold (kg, 只, 件): at most a billion, to a ten-thousandth.
MAX_QUANTITY = Decimal(1_000_000_000)
QUANTITY_PLACES = 4
#: A count (visitors, planned sessions, a batch number typed by hand): at most ten million.
MAX_COUNT = 10_000_000
#: A season or stall code: letters and digits, then also ``.``, ``_`` and ``-``.
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
#: What a tally sheet's totals row is labelled with (compared by :func:`is_totals_label`).
TOTALS_LABELS = frozenset(
    {"合计", "总计", "总合计", "合计金额", "total", "totals", "grandtotal", "sum"}
)
#: Digits of a whole number read from a person or a file, at most (beyond any real count,
#: well below Python's 4,300-digit limit on int()).
MAX_DIGITS = 18

# digits with optional thousands separators done right, then optional decimals
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+", re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_CURRENCY = ("¥", "￥", "RMB", "CNY")
_YUAN_SUFFIX = ("元", "圆")
_WAN_SUFFIX = ("万元", "万")


@lru_cache(maxsize=4096)
def is_totals_label(text: str) -> bool:
    """合计, 总计, Total, SUM … in any width, case or spacing, with or without a colon.

    A stall or season code that reads like this is refused (:func:`check_not_totals`):
    a tally sheet's row with it in the stall cell would be taken for the totals row.
    """
    if len(text) > 40:
        return False
    key = unicodedata.normalize("NFKC", text).casefold()
    return "".join(key.split()).rstrip(":") in TOTALS_LABELS


def check_not_totals(code: str, what: str) -> None:
    """Refuse a code that an import would read as a totals row's label."""
    if is_totals_label(code):
        raise InputError(
            _(
                "{what} {code!r} reads as the label of a totals row on a tally sheet, so its "
                "lines would be taken for the total; choose another code"
            ).format(what=_(what), code=code)
        )


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
    printed = format(value, ".15g")
    return text if "e" in printed else printed


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
    _whole, dot, decimals = text.partition(".")
    if dot and len(decimals) > (6 if scale == _WAN else 2) and not isinstance(original, float):
        # 12.000 is not ¥12.00: a figure written to the tenth of a fen, or a dot typed as a
        # thousands separator (1.200 for 1,200); either way the person must say which
        message = _("amount {value!r} has more than two decimals; yuan go down to the fen").format(
            value=original
        )
        if scale != _WAN and re.fullmatch(r"\d{1,3}\.\d{2}0", text, re.ASCII):
            message += _(" (for thousands write 1200 or 1,200, not 1.200)")
        raise InputError(message)
    if len(text) > 40:
        raise InputError(
            _("amount {value!r} is implausibly large; check the figure").format(value=original)
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
        if limit == MAX_LINE_FEN:
            message = _("amount {value} is over {limit} for one line; check the figure")
        else:
            message = _("amount {value} is over {limit} in all; check the figure")
        raise InputError(message.format(value=_brief(original), limit=format_yuan(limit)))
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


def local_minute(stamp: str) -> str:
    """A batch's time in this machine's zone (TZ), to the minute: stamps keep the offset
    they were made in, people read the time on their wall."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:  # not written by iddexi: show it as it is
        return stamp


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


_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日?", re.ASCII)


def parse_date_within(value: object, start: dt.date, end: dt.date, what: str = "date") -> dt.date:
    """A date as :func:`parse_date` reads it, or a day without its year (``11月28日``) that
    falls between ``start`` and ``end`` (a season: a winter one crosses New Year)."""
    text = _normalise(value) if isinstance(value, str) else ""
    match = _MONTH_DAY.fullmatch(text)
    if match is None:
        return parse_date(value, what)
    month, day = (int(g) for g in match.groups())
    valid = False
    for year in range(start.year, end.year + 1):
        try:
            found = dt.date(year, month, day)
        except ValueError:
            continue
        valid = True
        if start <= found <= end:
            return found
    if not valid and not (month == 2 and day == 29):
        raise InputError(
            _("{what} {value!r} is not a day of the calendar").format(
                what=_(what), value=str(value)
            )
        )
    raise InputError(
        _("{what} {value!r} is not a day between {start} and {end}; give the year too").format(
            what=_(what), value=str(value), start=start, end=end
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
        text = text.removesuffix("人次").rstrip() if text.endswith("人次") else text
        wan = re.fullmatch(r"(\d{1,9}(?:\.\d{1,4})?)\s*万", text, re.ASCII)
        if wan is not None:  # 1.5万 (人次): the way visitor figures are reported
            scaled = Decimal(wan.group(1)) * _WAN
            if scaled != scaled.to_integral_value():
                raise InputError(
                    _("{what} {value} is not a whole number").format(
                        what=_(what), value=_brief(value)
                    )
                )
            number = int(scaled)
        elif not re.fullmatch(r"\d+|\d{1,3}(?:,\d{3})+", text, re.ASCII):
            raise InputError(
                _("{what} {value} is not a whole number of zero or more").format(
                    what=_(what), value=_brief(value)
                )
            )
        else:
            digits = text.replace(",", "").lstrip("0") or "0"
            if len(digits) > MAX_DIGITS:  # int() of 4,300 digits or more raises ValueError
                raise InputError(
                    _("{what} {value} is implausibly large").format(
                        what=_(what), value=_brief(value)
                    )
                )
            number = int(digits)
    if number < 0:
        raise InputError(_("{what} {value} is negative").format(what=_(what), value=_brief(value)))
    if number > MAX_COUNT:
        raise InputError(
            _("{what} {value} is implausibly large").format(what=_(what), value=_brief(value))
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
            _("temperature {value} is not degrees Celsius such as -28").format(value=_brief(value))
        )
    if len(text) > 12:  # -70.5 or 12.25: a longer text is no reading of a thermometer
        raise InputError(
            _("temperature {value} is not degrees Celsius such as -28").format(value=_brief(value))
        )
    degrees = Decimal(text)
    if not Decimal(-70) <= degrees <= Decimal(50):
        raise InputError(_("temperature {value!r} is outside -70..50 °C").format(value=str(value)))
    return degrees


# --- whole numbers from the command line or a cell -------------------------------------


def parse_bounded(value: object, what: str, low: int, high: int) -> int:
    """A whole number within ``low``…``high`` from text such as ``12`` or ``1,200``;
    refused, never an OverflowError, however many digits it has."""
    if isinstance(value, bool):
        raise InputError(
            _("{what} {value} is not a whole number").format(what=_(what), value=value)
        )
    out_of_range = _("{what} {value} is out of range {low:,} … {high:,}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _normalise(str(value)) if value is not None else ""
        negative = text.startswith(("-", "−"))
        digits = text[1:] if negative else text
        if not re.fullmatch(r"\d+|\d{1,3}(?:,\d{3})+", digits, re.ASCII):
            message = _("{what} {value} is not a whole number")
            raise InputError(message.format(what=_(what), value=_brief(value)))
        digits = digits.replace(",", "").lstrip("0") or "0"
        if len(digits) > MAX_DIGITS:
            raise InputError(
                out_of_range.format(what=_(what), value=_brief(value), low=low, high=high)
            )
        number = -int(digits) if negative else int(digits)
    if not low <= number <= high:
        raise InputError(out_of_range.format(what=_(what), value=_brief(value), low=low, high=high))
    return number


def _brief(value: object) -> str:
    """A value for a message: a 5000-digit argument is shown by its start and length."""
    text = str(value)
    if len(text) > 40:
        return repr(f"{text[:20]}… ({len(text):,} characters)")
    return repr(text)
