"""Money for people and for JSON: exact yuan from integer fen, written one way everywhere.

A ground-floor module (standard library only, no layer of its own) so that the ledger,
the analysis and the render layers share one formatting without importing each other.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as exact yuan with two decimals."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(CENT)


def format_yuan(fen: int) -> str:
    """``¥12,345.50`` for people."""
    return f"¥{fen_to_yuan(fen):,}"


def yuan_text(fen: int) -> str:
    """¥ with thousands separators, decimals only when there are fen: ¥549,000."""
    text = format_yuan(fen)
    return text[:-3] if text.endswith(".00") else text


def wan(value: int | Decimal) -> str:
    """A figure in 万 (ten thousands), always with one decimal: 549000 → 54.9, 30000 → 3.0.

    The bureau prints 万 figures with one decimal in the brief and the workbook alike
    (139.0万元, not 139万元 in one place and 139.0 in the other).
    """
    return format((Decimal(value) / 10_000).quantize(TENTH, rounding=ROUND_HALF_UP), "f")


def wan_of_fen(fen: int) -> str:
    """Yuan given in fen, in 万 with one decimal: 54_900_000 → 54.9."""
    return wan(Decimal(fen) / FEN_PER_YUAN)
