"""Per-session and cumulative figures of the two windows, side by side, and the projection.

Row k pairs this season's k-th counted session with last season's k-th of its window
(本期 / 同比). The cumulative columns (累计 / 累计同比) carry the last figure forward when
one window has fewer sessions than the other, so the last row's cumulative figures are
the two windows' totals, whose growth is the headline growth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from iddexi.analysis.growth import growth_pct, scaled
from iddexi.analysis.windows import Window
from iddexi.ledger.queries import SessionCategoryTotal, SessionFigures
from iddexi.ledger.values import fen_to_yuan


def revenue_by_session(totals: Iterable[SessionCategoryTotal]) -> dict[int, int]:
    """Takings in fen per session id."""
    sums: dict[int, int] = {}
    for total in totals:
        sums[total.session_id] = sums.get(total.session_id, 0) + total.amount_fen
    return sums


@dataclass(frozen=True)
class SessionPair:
    """The k-th session of each window: per session and cumulative (fen)."""

    number: int
    this: SessionFigures | None
    this_fen: int | None
    this_cum_fen: int
    this_cum_visitors: int
    last: SessionFigures | None
    last_fen: int | None
    last_cum_fen: int
    last_cum_visitors: int

    @property
    def growth_pct(self) -> Decimal | None:
        if self.this_fen is None or self.last_fen is None:
            return None
        return growth_pct(self.this_fen, self.last_fen)

    @property
    def visitors_growth_pct(self) -> Decimal | None:
        if self.this is None or self.last is None or self.this.visitors is None:
            return None
        return growth_pct(self.this.visitors, self.last.visitors)

    @property
    def cum_growth_pct(self) -> Decimal | None:
        return growth_pct(self.this_cum_fen, self.last_cum_fen)

    def as_json(self) -> dict:
        def side(session: SessionFigures | None, fen: int | None, cum: int, visits: int) -> dict:
            return {
                "session": f"{session.season}:{session.number}" if session else None,
                "date": session.date.isoformat() if session else None,
                "host": session.host if session else None,
                "theme": session.theme if session else None,
                "visitors": session.visitors if session else None,
                "revenue_yuan": fen_to_yuan(fen) if fen is not None else None,
                "cumulative_revenue_yuan": fen_to_yuan(cum),
                "cumulative_visitors": visits,
            }

        return {
            "number": self.number,
            "this": side(self.this, self.this_fen, self.this_cum_fen, self.this_cum_visitors),
            "last": side(self.last, self.last_fen, self.last_cum_fen, self.last_cum_visitors),
            "revenue_pct": self.growth_pct,
            "visitors_pct": self.visitors_growth_pct,
            "cumulative_revenue_pct": self.cum_growth_pct,
        }


def pair_sessions(
    this: Window, last: Window, fen_by_session: Mapping[int, int]
) -> list[SessionPair]:
    """Row k: the k-th session of each window, with running totals carried forward."""
    rows: list[SessionPair] = []
    this_cum = last_cum = this_visits = last_visits = 0
    for k in range(max(this.count, last.count)):
        mine = this.sessions[k] if k < this.count else None
        theirs = last.sessions[k] if k < last.count else None
        mine_fen = fen_by_session.get(mine.id, 0) if mine else None
        their_fen = fen_by_session.get(theirs.id, 0) if theirs else None
        this_cum += mine_fen or 0
        last_cum += their_fen or 0
        this_visits += (mine.visitors or 0) if mine else 0
        last_visits += (theirs.visitors or 0) if theirs else 0
        rows.append(
            SessionPair(
                k + 1,
                mine,
                mine_fen,
                this_cum,
                this_visits,
                theirs,
                their_fen,
                last_cum,
                last_visits,
            )
        )
    return rows


@dataclass(frozen=True)
class CurvePoint:
    number: int
    date: dt.date
    revenue_fen: int
    cumulative_fen: int
    visitors: int | None


def season_curve(
    season: str | None, sessions: Iterable[SessionFigures], fen_by_session: Mapping[int, int]
) -> list[CurvePoint]:
    """Every live session of ``season`` with its takings and the running total."""
    points: list[CurvePoint] = []
    total = 0
    chosen = sorted((s for s in sessions if s.season == season), key=lambda s: s.date)
    for index, session in enumerate(chosen, start=1):
        fen = fen_by_session.get(session.id, 0)
        total += fen
        points.append(CurvePoint(index, session.date, fen, total, session.visitors))
    return points


@dataclass(frozen=True)
class Projection:
    """A projection, not a figure: this season's end total if it follows last season's curve.

    Last season had made ``last_to_date_fen`` of its ``last_total_fen`` by the same point;
    this season's takings to date are scaled by the same proportion.
    """

    to_date_fen: int
    last_to_date_fen: int
    last_total_fen: int
    season_total_fen: int
    to_date_visitors: int
    last_to_date_visitors: int
    last_total_visitors: int
    season_visitors: int | None

    def as_json(self) -> dict:
        return {
            "kind": "projection",
            "method": "this season to date × last season's total ÷ last season's same period",
            "season_total_revenue_yuan": fen_to_yuan(self.season_total_fen),
            "season_total_visitors": self.season_visitors,
            "basis_revenue_yuan": fen_to_yuan(self.to_date_fen),
            "last_same_period_revenue_yuan": fen_to_yuan(self.last_to_date_fen),
            "last_season_total_revenue_yuan": fen_to_yuan(self.last_total_fen),
        }


def project_season_total(
    to_date_fen: int,
    last_to_date_fen: int,
    last_curve: list[CurvePoint],
    to_date_visitors: int = 0,
    last_to_date_visitors: int = 0,
) -> Projection | None:
    """Scale this season's takings to date by last season's total ÷ its same period.

    ``None`` when last season made nothing in its same period, or nothing after it (there
    is no curve to follow).
    """
    if not last_curve or last_to_date_fen <= 0:
        return None
    last_total = last_curve[-1].cumulative_fen
    if last_to_date_fen >= last_total:
        # last season's same period was all of last season: its curve says nothing of
        # what this season's remaining sessions will bring
        return None
    last_visitors = sum(p.visitors or 0 for p in last_curve)
    visitors = (
        scaled(to_date_visitors, last_visitors, last_to_date_visitors)
        if last_to_date_visitors > 0
        else None
    )
    return Projection(
        to_date_fen=to_date_fen,
        last_to_date_fen=last_to_date_fen,
        last_total_fen=last_total,
        season_total_fen=scaled(to_date_fen, last_total, last_to_date_fen),
        to_date_visitors=to_date_visitors,
        last_to_date_visitors=last_to_date_visitors,
        last_total_visitors=last_visitors,
        season_visitors=visitors,
    )
