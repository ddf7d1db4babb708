"""The analysis layer's pure functions: windows, growth, shares, points, pairs, projection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iddexi.analysis.breakdown import category_rows, host_rows, stall_rows, top_stalls
from iddexi.analysis.figures import WindowFigures, compare, window_figures
from iddexi.analysis.growth import growth_pct, multiple, per_visit_yuan, pp_change, scaled, share
from iddexi.analysis.sessions import (
    pair_sessions,
    project_season_total,
    revenue_by_session,
    season_curve,
)
from iddexi.analysis.windows import Window, same_period, season_to_date, years_earlier
from iddexi.ledger.queries import SessionCategoryTotal, SessionFigures, StallTotal
from iddexi.ledger.records import Stall


def session(sid: int, season: str, number: int, day: str, visitors: int | None = 100, host=None):
    return SessionFigures(
        sid, season, number, dt.date.fromisoformat(day), host, None, visitors, None
    )


THIS = [
    session(11, "B", 1, "2025-11-22", 11800, "甲"),
    session(12, "B", 2, "2025-11-29", 8600, "乙"),
    session(13, "B", 3, "2025-12-06", 9600, "甲"),
    session(14, "B", 4, "2025-12-13", 10000, "乙"),
]
LAST = [
    session(1, "A", 1, "2024-11-23", 5200, "甲"),
    session(2, "A", 2, "2024-11-30", 3900, None),
    session(3, "A", 3, "2024-12-07", 4300, "乙"),
]
ALL = THIS + LAST


@pytest.mark.parametrize(
    ("this", "last", "expected"),
    [
        (549000, 148000, Decimal("270.9")),
        (148000, 549000, Decimal("-73.0")),
        (100, 100, Decimal("0.0")),
        (1, 0, None),
        (0, 0, None),
        (5, None, None),
        (10005, 10000, Decimal("0.1")),  # 0.05 % rounds half up
        (Decimal("18.30"), Decimal("16.26"), Decimal("12.5")),
    ],
)
def test_growth_pct(this, last, expected):
    assert growth_pct(this, last) == expected


def test_multiples_only_from_two():
    assert multiple(549000, 148000) == Decimal("3.7")
    assert multiple(200, 100) == Decimal("2.0")
    assert multiple(199, 100) is None
    assert multiple(5, 0) is None


def test_shares_points_and_per_visit():
    assert abs(share(416000, 549000) - Decimal("0.75774134790528")) < Decimal("1e-14")
    # rounded once, at the end: 12.349999999 points are 12.3, not 12.35 → 12.4
    assert pp_change(share(12_349_999_999, 10**11), share(0, 1)) == Decimal("12.3")
    assert share(1, 0) is None
    # a change too small to show is "0.0", never "-0.0"
    assert str(pp_change(Decimal("0.5"), Decimal("0.5004"))) == "0.0"
    assert str(growth_pct(99_999, 100_000)) == "0.0"
    assert pp_change(Decimal("0.758"), Decimal("0.719")) == Decimal("3.9")
    assert pp_change(Decimal("0.5"), None) is None
    assert per_visit_yuan(54900000, 30000) == Decimal("18.30")
    assert per_visit_yuan(100, 0) is None
    assert scaled(3, 1, 2) == 2 and scaled(1, 1, 3) == 0


def test_same_calendar_day_a_year_earlier():
    assert years_earlier(dt.date(2025, 12, 6), 1) == dt.date(2024, 12, 6)
    assert years_earlier(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)


def test_windows_by_date_and_by_session():
    window = season_to_date("B", ALL, dt.date(2025, 12, 6))
    assert [s.id for s in window.sessions] == [11, 12, 13]
    assert (window.start, window.end, window.count) == (
        dt.date(2025, 11, 22),
        dt.date(2025, 12, 6),
        3,
    )
    by_date = same_period("A", ALL, align="date", count=3, cutoff=dt.date(2024, 12, 6))
    assert by_date.ids == [1, 2]
    by_session = same_period("A", ALL, align="session", count=3, cutoff=None)
    assert by_session.ids == [1, 2, 3]
    between = season_to_date("B", ALL, dt.date(2025, 12, 3))
    assert between.ids == [11, 12]
    assert same_period(None, ALL, align="date", count=3, cutoff=None).count == 0
    assert Window(None, ()).as_json() == {"start": None, "end": None}
    with pytest.raises(ValueError):
        same_period("A", ALL, align="week", count=1, cutoff=None)


TOTALS = [
    SessionCategoryTotal(11, "meat", 15000000, 20),
    SessionCategoryTotal(11, "food", 5300000, 5),
    SessionCategoryTotal(12, "meat", 12000000, 18),
    SessionCategoryTotal(13, "meat", 14600000, 19),
    SessionCategoryTotal(13, "dairy", 8000000, 4),
    SessionCategoryTotal(14, "meat", 99900000, 30),
    SessionCategoryTotal(1, "meat", 6000000, 10),
    SessionCategoryTotal(1, "food", 2000000, 3),
    SessionCategoryTotal(2, "meat", 6800000, 9),
    SessionCategoryTotal(3, "meat", 8483000, 9),
]
STALLS = {
    "M01": Stall("M01", "肉一", None, "甲", True, "meat"),
    "F01": Stall("F01", "小吃", None, "乙", False, "food"),
}


def figures(window: Window, stall_totals=()) -> WindowFigures:
    return window_figures(window, TOTALS, stall_totals, STALLS, ["meat", "dairy", "food"])


def test_window_figures_and_comparison():
    this_w = season_to_date("B", ALL, dt.date(2025, 12, 6))
    last_w = same_period("A", ALL, align="date", count=3, cutoff=dt.date(2024, 12, 6))
    this = figures(this_w, [StallTotal("M01", 41600000, 57, 3)])
    last = figures(last_w, [StallTotal("M01", 12800000, 19, 2)])
    assert this.revenue_fen == 54900000 and last.revenue_fen == 14800000
    assert list(this.by_category) == ["meat", "dairy", "food"]
    assert this.by_category["meat"] == 41600000
    assert this.visitors == 30000 and last.visitors == 9100
    assert this.herder_fen == 41600000 and this.stalls == 1
    assert this.meat_share == Decimal(416_000) / Decimal(549_000)
    growth = compare(this, last)
    assert growth.revenue_pct == Decimal("270.9")
    assert growth.revenue_multiple == Decimal("3.7")
    assert growth.visitors_pct == Decimal("229.7")
    # (549,000 / 30,000) against (148,000 / 9,100): 18.3 / 16.2637… = +12.5%
    assert growth.per_visit_pct == Decimal("12.5")
    nothing = compare(this, WindowFigures())
    assert nothing.revenue_pct is None and nothing.visitors_pct is None
    assert nothing.meat_share_pp is None and nothing.revenue_multiple is None

    rows = category_rows(this, last)
    assert [r.code for r in rows] == ["meat", "dairy", "food"]
    meat = rows[0]
    assert meat.share_pp == pp_change(this.meat_share, last.meat_share)
    assert rows[1].last_fen == 0 and rows[1].growth_pct is None


def test_visitors_missing_are_counted_as_zero_and_flagged():
    window = Window("B", (session(11, "B", 1, "2025-11-22", None),))
    result = figures(window)
    assert result.visitors == 0 and result.visitors_missing == 1
    assert result.per_visit_yuan is None


def test_revenue_per_visit_counts_only_sessions_with_a_visitor_count():
    window = Window(
        "B",
        (session(11, "B", 1, "2025-11-22", 10000), session(12, "B", 2, "2025-11-29", None)),
    )
    result = figures(window)
    assert result.revenue_fen == 20300000 + 12000000
    assert result.per_visit_yuan == Decimal("20.30")  # ¥203,000 / 10,000, not ¥323,000


def test_revenue_per_visit_growth_is_not_computed_from_rounded_figures():
    this = WindowFigures(visitors=24_800, revenue_fen=8_363_880, counted_revenue_fen=8_363_880)
    last = WindowFigures(visitors=25_800, revenue_fen=8_036_325, counted_revenue_fen=8_036_325)
    # ¥3.3725…/visit against ¥3.1148…: +8.27%; via ¥3.37 / ¥3.11 it would be +8.4%
    assert compare(this, last).per_visit_pct == Decimal("8.3")


def test_pairs_carry_cumulative_totals_forward():
    this_w = season_to_date("B", ALL, dt.date(2025, 12, 6))
    last_w = same_period("A", ALL, align="date", count=3, cutoff=dt.date(2024, 12, 6))
    fen = revenue_by_session(TOTALS)
    pairs = pair_sessions(this_w, last_w, fen)
    assert [p.number for p in pairs] == [1, 2, 3]
    assert pairs[0].this_fen == 20300000 and pairs[0].last_fen == 8000000
    assert pairs[2].last is None and pairs[2].last_fen is None and pairs[2].growth_pct is None
    assert pairs[2].this_cum_fen == 54900000 and pairs[2].last_cum_fen == 14800000
    assert pairs[2].cum_growth_pct == Decimal("270.9")
    assert pairs[2].this_cum_visitors == 30000 and pairs[2].last_cum_visitors == 9100
    # a longer comparison window: this season's running total is carried forward
    longer = pair_sessions(Window("B", this_w.sessions[:1]), last_w, fen)
    assert [p.this_cum_fen for p in longer] == [20300000, 20300000]


def test_projection_follows_last_seasons_curve():
    fen = revenue_by_session(TOTALS)
    curve = season_curve("A", ALL, fen)
    assert [p.cumulative_fen for p in curve] == [8000000, 14800000, 23283000]
    two = season_to_date("B", ALL, dt.date(2025, 11, 29))
    # as many sessions planned as last season held: to date × last total ÷ last first k
    projection, why = project_season_total(two, fen, curve, planned=3, last_complete=True)
    assert why is None and projection is not None
    assert projection.last_to_date_fen == 14800000 and projection.last_total_fen == 23283000
    to_date = 20300000 + 12000000
    assert projection.season_total_fen == scaled(to_date, 23283000, 14800000)
    assert (projection.sessions_this, projection.sessions_last, projection.planned) == (2, 3, 3)
    assert projection.as_json()["basis"] == "session"
    # six planned against last season's three: the one remaining session of last season
    # stands for four remaining sessions of this one
    six, _ = project_season_total(two, fen, curve, planned=6, last_complete=True)
    assert six is not None
    expected = to_date + Decimal(to_date) / 14800000 * (23283000 - 14800000) * 4
    assert abs(six.season_total_fen - expected) < 1
    for kwargs, reason in (
        ({"planned": 3, "last_complete": False}, "not complete"),
        ({"planned": None, "last_complete": True}, "no planned number"),
        ({"planned": 2, "last_complete": True}, "all planned sessions"),
    ):
        none, why = project_season_total(two, fen, curve, **kwargs)
        assert none is None and reason in why
    one = season_to_date("B", ALL, dt.date(2025, 11, 22))
    none, why = project_season_total(one, fen, curve, planned=11, last_complete=True)
    assert none is None and "fewer than 2" in why
    none, why = project_season_total(two, fen, curve[:2], planned=11, last_complete=True)
    assert none is None and "no curve left" in why


def test_stalls_and_hosts():
    rows = stall_rows(
        [StallTotal("M01", 500, 2, 2), StallTotal("F01", 700, 1, 1)],
        [StallTotal("M01", 250, 1, 1), StallTotal("Z9", 10, 1, 1)],
        STALLS,
        1200,
    )
    assert [r.code for r in rows] == ["F01", "M01", "Z9"]
    assert rows[1].growth_pct == Decimal("100.0")
    assert rows[2].name == "Z9" and rows[2].this_fen == 0
    assert [r.code for r in top_stalls(rows, 5)] == ["F01", "M01"]

    this_w = season_to_date("B", ALL, dt.date(2025, 12, 6))
    last_w = same_period("A", ALL, align="session", count=3, cutoff=None)
    hosts = host_rows(this_w, last_w, revenue_by_session(TOTALS))
    by_host = {h.host: h for h in hosts}
    assert by_host["甲"].this_sessions == 2 and by_host["甲"].this_visitors == 21400
    assert by_host["甲"].last_sessions == 1
    assert by_host[None].last_visitors == 3900 and by_host[None].this_sessions == 0
    assert hosts[0].host == "甲"
