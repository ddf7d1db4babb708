"""Reading cells for validation: the fast amount path gives exactly what the ledger's
parse_yuan gives; rows give values and locations by header; totals rows are found."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from iddexi.ledger.errors import InputError
from iddexi.ledger.values import parse_yuan
from iddexi.tally.cells import amount_fen, totals_rows
from iddexi.tally.sources import Cell, read_sheets


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


def test_a_row_gives_values_cells_and_locations_by_header(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("摊位,金额,备注\nA01,12\n", encoding="utf-8")
    [row] = read_sheets(path)[0].rows
    assert row.value("金额") == "12" and row.value("备注") is None
    assert row.location("金额") == "s.csv:2:金额"
    assert row.cell("备注") == Cell(None, "s.csv:2:备注", "备注", 2) == row.cells["备注"]
    assert list(row.cells) == ["摊位", "金额", "备注"]


def test_totals_rows_are_found_by_their_label_wherever_the_row_puts_it(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    rows = [
        "season,session,stall,amount",
        "2025-26,1,M01,10",
        ",,,",  # blank: its empty first and stall cells must not hide a later totals row
        "2025-26,1,,5",
        ",Total,,15",  # first cell empty: the first filled cell is the label
        "合计,,,15",
        "2025-26,1,小计 ,15",  # not a totals label
        "2025-26,1, 总计:,15",  # in the stall column
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    [sheet] = read_sheets(path)
    assert [row.number for row in totals_rows(sheet, "stall")] == [5, 6, 8]
