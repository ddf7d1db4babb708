"""The importer's fast amount path gives exactly what the ledger's parse_yuan gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from iddexi.ledger.errors import InputError
from iddexi.ledger.values import parse_yuan
from iddexi.tally.cells import amount_fen


def outcome(parse, text: str) -> object:
    try:
        return parse(text)
    except InputError:
        return "refused"


@given(st.text(alphabet="0123456789.,-¥ 万元١２", max_size=14))
def test_fast_amounts_agree_with_parse_yuan(text: str) -> None:
    assert outcome(amount_fen, text) == outcome(parse_yuan, text)


def test_edges() -> None:
    assert amount_fen("12") == 1200
    assert amount_fen("12.5") == 1250
    assert amount_fen("0012.05") == 1205
    assert amount_fen("10000000") == 1_000_000_000
    assert outcome(amount_fen, "10000000.01") == "refused"
    assert outcome(amount_fen, "12.") == "refused"
    assert outcome(amount_fen, "1.234") == "refused"


def test_a_totals_row_may_pass_the_one_line_cap() -> None:
    from iddexi.tally.cells import total_fen

    assert total_fen("12,000,000.50") == 12_000_000_50
    assert total_fen("¥1,500万") == 15_000_000_00
    assert total_fen("12000000元") == 12_000_000_00
    assert total_fen(12_000_000.5) == 12_000_000_50
    assert total_fen(120_000_000) == 120_000_000_00
    assert outcome(total_fen, "12,000,000.505") == "refused"
    assert outcome(total_fen, "-12000000") == "refused"
