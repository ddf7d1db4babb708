"""A stall keeper's form: its fields, and the figures read from it by the CLI's own parsers.

Amounts go through :func:`iddexi.ledger.values.parse_yuan` and quantities through
:func:`~iddexi.ledger.values.parse_quantity`, so the form takes what `iddexi sale add`
takes (万, ¥, commas, full-width digits) and refuses what it refuses, with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from iddexi.i18n import _
from iddexi.ledger.errors import InputError
from iddexi.ledger.records import Category
from iddexi.ledger.values import parse_quantity, parse_yuan
from iddexi.ledger.web_store import SubmittedLine

MAX_FIELD = 64  # characters of one field: an amount or a unit is never longer
UNITS = ("kg", "只", "件")


@dataclass(frozen=True)
class Field:
    category: str
    label: str


@dataclass
class Reading:
    """What the form said: the lines, or the refusal of each field by name."""

    lines: list[SubmittedLine] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # as typed, to show again


def fields(categories: list[Category], codes: list[str], lang: str) -> list[Field]:
    labels = {c.code: (c.label_zh if lang == "zh" else c.label_en) for c in categories}
    return [Field(code, labels.get(code, code)) for code in codes]


def read_form(form: Mapping[str, str], wanted: list[Field]) -> Reading:
    """The lines of a submitted form: one per category with an amount."""
    reading = Reading()
    for f in wanted:
        amount_key, qty_key, unit_key = (
            f"amount_{f.category}",
            f"qty_{f.category}",
            f"unit_{f.category}",
        )
        amount = _field(form, amount_key, reading)
        quantity = _field(form, qty_key, reading)
        unit = _field(form, unit_key, reading)
        if not amount:
            if quantity:
                reading.errors[amount_key] = _("give the amount for this quantity")
            continue
        try:
            fen = parse_yuan(amount)
        except InputError as exc:
            reading.errors[amount_key] = str(exc)
            continue
        qty = None
        if quantity:
            try:
                qty = parse_quantity(quantity)
            except InputError as exc:
                reading.errors[qty_key] = str(exc)
                continue
        if unit and not quantity:
            reading.errors[qty_key] = _("give the quantity for this unit")
            continue
        reading.lines.append(SubmittedLine(f.category, fen, qty, unit or None))
    if not reading.lines and not reading.errors:
        reading.errors["form"] = _("enter at least one amount")
    return reading


def _field(form: Mapping[str, str], key: str, reading: Reading) -> str:
    value = str(form.get(key) or "").strip()
    if len(value) > MAX_FIELD:
        reading.errors[key] = _("too long: at most {n} characters").format(n=MAX_FIELD)
        value = value[:MAX_FIELD]
    reading.values[key] = value
    return value
