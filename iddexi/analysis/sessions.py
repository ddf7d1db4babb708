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
from iddexi.i18n import _
from iddexi.ledger.queries import SessionCategoryTotal, SessionFigures
from iddexi.money import fen_to_yuan


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

    Session-aligned whatever the report's alignment: this season has held ``k`` sessions
    and made ``to_date_fen``; last season's first ``k`` made ``last_to_date_fen`` and its
    ``last_sessions`` sessions ``last_total_fen``. This season's remaining
    ``planned − k`` sessions are expected to bring what last season's remaining sessions
    brought per session, scaled by this season's takings against last season's over the
    first ``k``:

        to_date + to_date ÷ last_to_date × (last_total − last_to_date) × (planned − k) ÷ (last_sessions − k)

    With as many sessions planned as last season held, that is to_date × last_total ÷
    last_to_date.
    """

    sessions_this: int
    sessions_last: int
    planned: int
    to_date_fen: int
    last_to_date_fen: int
    last_total_fen: int
    season_total_fen: int
    season_visitors: int | None

    def as_json(self) -> dict:
        return {
            "kind": "projection",
            "method": (
                "this season to date + its ratio to last season's first k sessions × last "
                "season's takings after its k-th session, scaled from last season's "
                "remaining sessions to this season's planned remaining sessions"
            ),
            "basis": "session",
            "sessions_this": self.sessions_this,
            "sessions_last": self.sessions_last,
            "planned_sessions": self.planned,
            "season_total_revenue_yuan": fen_to_yuan(self.season_total_fen),
            "rounding": (
                "exact here; people's reports state this estimate in whole yuan "
                "(tables, workbook) or in 万元 with one decimal (brief)"
            ),
            "season_total_visitors": self.season_visitors,
            "basis_revenue_yuan": fen_to_yuan(self.to_date_fen),
            "last_same_sessions_revenue_yuan": fen_to_yuan(self.last_to_date_fen),
            "last_season_total_revenue_yuan": fen_to_yuan(self.last_total_fen),
        }


def _project(to_date: int, last_to_date: int, last_total: int, left: int, last_left: int) -> int:
    """to_date + to_date × (last_total − last_to_date) × left ÷ (last_to_date × last_left)."""
    return to_date + scaled(to_date * (last_total - last_to_date), left, last_to_date * last_left)


def project_season_total(
    this_window: Window,
    fen_by_session: Mapping[int, int],
    last_curve: list[CurvePoint],
    *,
    planned: int | None,
    last_complete: bool,
    last_label: str = "",
) -> tuple[Projection | None, str | None]:
    """The projection, or ``None`` and the reason it is not made."""
    k = this_window.count
    if not last_curve:
        return None, _("there is no previous season to follow")
    if not last_complete:
        return None, _("the previous season {season} is not complete").format(season=last_label)
    if k < 2:
        return None, _("fewer than 2 sessions of this season held")
    if planned is None:
        return None, _("this season has no planned number of sessions")
    if k >= planned:
        return None, _("all planned sessions of this season are held: its total is known")
    m = len(last_curve)
    if m <= k:
        return None, _(
            "the previous season held only {m} sessions: no curve left to follow"
        ).format(m=m)
    to_date = sum(fen_by_session.get(i, 0) for i in this_window.ids)
    last_to_date = last_curve[k - 1].cumulative_fen
    last_total = last_curve[-1].cumulative_fen
    if last_to_date <= 0:
        return None, _("the previous season's first {k} sessions took nothing").format(k=k)
    visitors = None
    this_visits = [s.visitors for s in this_window.sessions]
    last_visits = [p.visitors for p in last_curve]
    if None not in this_visits and None not in last_visits and sum(last_visits[:k]) > 0:
        visitors = _project(
            sum(this_visits), sum(last_visits[:k]), sum(last_visits), planned - k, m - k
        )
    return (
        Projection(
            sessions_this=k,
            sessions_last=m,
            planned=planned,
            to_date_fen=to_date,
            last_to_date_fen=last_to_date,
            last_total_fen=last_total,
            season_total_fen=_project(to_date, last_to_date, last_total, planned - k, m - k),
            season_visitors=visitors,
        ),
        None,
    )
