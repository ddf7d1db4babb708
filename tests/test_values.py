"""Money, dates and counts as people type them or spreadsheets store them.

Amounts become exact integer fen; anything that is not exact money is refused with a
message that quotes what was given.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iddexi.ledger.errors import InputError
from iddexi.ledger.values import (
    MAX_LINE_FEN,
    fen_to_yuan,
    format_yuan,
    parse_count,
    parse_date,
    parse_quantity,
    parse_temperature,
    parse_yuan,
)

ACCEPTED = [
    # what an organiser types
    ("12345.5", 1_234_550),
    ("12345.50", 1_234_550),
    ("12,345.50", 1_234_550),
    ("12,345", 1_234_500),
    ("1,234,567.89", 123_456_789),
    ("¥12345", 1_234_500),
    ("￥12345", 1_234_500),
    ("¥12,345.67", 1_234_567),
    ("¥ 12345", 1_234_500),
    ("1.5万", 1_500_000),
    ("1.5万元", 1_500_000),
    ("54.9万", 54_900_000),
    ("0.0001万", 100),
    ("800元", 80_000),
    ("0", 0),
    ("0.01", 1),
    (".5", 50),
    ("  800  ", 80_000),
    # full-width digits, comma and point from a Chinese input method
    ("１２３４５", 1_234_500),
    ("１２，３４５．５０", 1_234_550),
    ("￥１２３４５", 1_234_500),
    ("１．５万", 1_500_000),
    # the limit itself is allowed
    ("10,000,000", MAX_LINE_FEN),
    ("1000万", MAX_LINE_FEN),
    # numbers read from a spreadsheet
    (12345, 1_234_500),
    (0, 0),
    (12345.5, 1_234_550),
    (1234.56, 123_456),
    (0.1, 10),
    (0.07, 7),
    (19.99, 1_999),
    (1_000_000.01, 100_000_001),
    # a formula's result saved with 17 digits: the spreadsheet shows (and means) the fen
    (19.9 * 3, 5_970),  # 59.699999999999996
    (0.1 + 0.2, 30),  # 0.30000000000000004
    (114.99999999999999, 11_500),
    (0.07 * 3, 21),  # 0.21000000000000002
    (Decimal("12345.50"), 1_234_550),
    (Decimal("12345.5"), 1_234_550),
    (Decimal("800"), 80_000),
    (10_000_000, MAX_LINE_FEN),
]


@pytest.mark.parametrize(("value", "fen"), ACCEPTED, ids=[repr(v) for v, _ in ACCEPTED])
def test_accepted_amounts_become_exact_fen(value: object, fen: int) -> None:
    result = parse_yuan(value)
    assert result == fen
    assert type(result) is int


REFUSED = [
    # (value, the text that must be quoted in the message, a word saying what is wrong)
    ("12345.555", "12345.555", "decimals"),
    ("0.001", "0.001", "decimals"),
    ("1,000.005", "1,000.005", "decimals"),
    ("-5", "-5", "negative"),
    ("-0.01", "-0.01", "negative"),
    ("¥-5", "¥-5", "negative"),
    ("－５", "－５", "negative"),
    ("NaN", "NaN", "not a number"),
    ("nan", "nan", "not a number"),
    ("inf", "inf", "not a number"),
    ("Infinity", "Infinity", "not a number"),
    ("1e3", "1e3", "not a number"),
    ("1E3", "1E3", "not a number"),
    ("", "''", "empty"),
    ("   ", "'   '", "empty"),
    ("1,2,3", "1,2,3", "not a number"),
    ("12 345", "12 345", "not a number"),
    ("1,234,5", "1,234,5", "not a number"),
    ("12.34.56", "12.34.56", "not a number"),
    ("abc", "abc", "not a number"),
    ("¥", "¥", "not a number"),
    ("万", "万", "not a number"),
    ("10000000.01", "10000000.01", "10,000,000"),
    ("1000.0001万", "1000.0001万", "10,000,000"),
    ("20,000,000", "20,000,000", "10,000,000"),
    (-5, "-5", "negative"),
    (-0.5, "-0.5", "negative"),
    (0.001, "0.001", "decimals"),
    (10 / 3, "3.3333333333333335", "decimals"),  # =10/3 really has more than the fen
    (15000.004, "15000.004", "decimals"),
    (float("nan"), "nan", "not a number"),
    (float("inf"), "inf", "not a number"),
    (1e20, "1e+20", ""),
    (Decimal("NaN"), "NaN", "not a number"),
    (Decimal("Infinity"), "Infinity", "not a number"),
    (Decimal("-1"), "-1", "negative"),
    (Decimal("1.005"), "1.005", "decimals"),
    (10_000_001, "10000001", "10,000,000"),
    (True, "True", "not a number"),
    # a footnote mark is not a digit (NFKC would read "500¹" as 5001)
    ("500¹", "500¹", "not a number"),
    ("①", "①", "not a number"),
    ("1²万", "1²万", "not a number"),
    (None, "None", "not a number"),
]


@pytest.mark.parametrize(("value", "quoted", "why"), REFUSED, ids=[repr(v) for v, _, _ in REFUSED])
def test_refused_amounts_quote_the_value(value: object, quoted: str, why: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_yuan(value)
    message = str(caught.value)
    assert quoted in message
    assert why in message


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "¥0.00"), (1, "¥0.01"), (1_234_550, "¥12,345.50"), (MAX_LINE_FEN, "¥10,000,000.00")],
)
def test_format_yuan_for_people(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


def test_fen_to_yuan_is_exact_decimal_with_two_places() -> None:
    assert fen_to_yuan(1_234_550) == Decimal("12345.50")
    assert str(fen_to_yuan(7)) == "0.07"
    assert str(fen_to_yuan(54_900_000)) == "549000.00"


# --- the property: amounts typed with two decimals always add up to the fen -----------

FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def _styles(fen: int) -> list[str]:
    yuan = Decimal(fen) / 100
    plain = f"{yuan:.2f}"
    grouped = f"{yuan:,.2f}"
    wan = format(yuan / 10_000, "f")
    return [
        plain,
        grouped,
        f"¥{plain}",
        f"￥{grouped}",
        f"{plain}元",
        f"{wan}万",
        f"{wan}万元",
        grouped.translate(FULL_WIDTH),
        f"  {plain}  ",
    ]


lines = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=MAX_LINE_FEN), st.integers(min_value=0, max_value=8)
    ),
    max_size=60,
)


@given(lines=lines)
def test_any_amounts_with_two_decimals_sum_exactly(lines: list[tuple[int, int]]) -> None:
    texts = [_styles(fen)[style] for fen, style in lines]
    decimals = [Decimal(f"{Decimal(fen) / 100:.2f}") for fen, _ in lines]
    parsed = [parse_yuan(text) for text in texts]
    assert fen_to_yuan(sum(parsed)) == sum(decimals, Decimal(0))
    assert parsed == [fen for fen, _ in lines]
    # and what is shown to people reads back to the same fen
    assert [parse_yuan(format_yuan(f)) for f in parsed] == parsed


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-12-06", dt.date(2025, 12, 6)),
        ("2025/12/6", dt.date(2025, 12, 6)),
        ("2025.12.06", dt.date(2025, 12, 6)),
        ("2025年12月6日", dt.date(2025, 12, 6)),
        ("２０２５-１２-０６", dt.date(2025, 12, 6)),
        (" 2025-12-06 ", dt.date(2025, 12, 6)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        (dt.date(2025, 12, 6), dt.date(2025, 12, 6)),
        (dt.datetime(2025, 12, 6), dt.date(2025, 12, 6)),
    ],
)
def test_accepted_dates(value: object, day: dt.date) -> None:
    assert parse_date(value, "--date") == day


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("2025-02-30", "2025-02-30"),
        ("2025-02-29", "2025-02-29"),
        ("2025-13-01", "2025-13-01"),
        ("06/12/2025", "06/12/2025"),
        ("20251206", "20251206"),
        ("next saturday", "next saturday"),
        ("", "''"),
        (dt.datetime(2025, 12, 6, 10, 30), "2025-12-06T10:30"),
    ],
)
def test_refused_dates_quote_the_value(value: object, quoted: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(value, "--date")
    assert quoted in str(caught.value)
    assert "--date" in str(caught.value)


# --- counts, temperatures, quantities ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"), [("9800", 9800), ("10,200", 10_200), ("１２", 12), (0, 0), (3.0, 3)]
)
def test_accepted_counts(value: object, number: int) -> None:
    assert parse_count(value, "visitors") == number


@pytest.mark.parametrize("value", ["-5", "lots", "1.5", "", "1e3", "1,2,3", -1, True, 10**9])
def test_refused_counts_quote_the_value(value: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_count(value, "visitors")
    assert str(value) in str(caught.value)
    assert "visitors" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "degrees"),
    [("-28", Decimal(-28)), ("−31.5", Decimal("-31.5")), ("-28℃", Decimal(-28)), ("3", 3)],
)
def test_accepted_temperatures(value: str, degrees: Decimal) -> None:
    assert parse_temperature(value) == degrees


@pytest.mark.parametrize("value", ["cold", "51", "-71", ""])
def test_refused_temperatures_quote_the_value(value: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_temperature(value)
    assert repr(value) in str(caught.value)


def test_quantities_are_exact_and_not_negative() -> None:
    assert parse_quantity("160") == Decimal(160)
    assert parse_quantity("12.5") == Decimal("12.5")
    assert parse_quantity("0.0125") == Decimal("0.0125")
    assert parse_quantity(19.9 * 3) == Decimal("59.7")  # a formula's float noise
    for bad in ("-1", "many", "", "9" * 5000, "1000000001", "0.00001", "1²"):
        with pytest.raises(InputError, match="quantity"):
            parse_quantity(bad)
