"""Breakdowns of the two windows: by category (shares and points), by stall, by host township."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from iddexi.analysis.figures import WindowFigures
from iddexi.analysis.growth import growth_pct, multiple, pp_change, share, share_out
from iddexi.analysis.windows import Window
from iddexi.ledger.queries import StallTotal
from iddexi.ledger.records import Stall
from iddexi.money import fen_to_yuan


@dataclass(frozen=True)
class CategoryRow:
    code: str
    this_fen: int
    last_fen: int
    this_share: Decimal | None
    last_share: Decimal | None

    @property
    def share_pp(self) -> Decimal | None:
        return pp_change(self.this_share, self.last_share)

    @property
    def growth_pct(self) -> Decimal | None:
        return growth_pct(self.this_fen, self.last_fen)

    def as_json(self) -> dict:
        return {
            "category": self.code,
            "revenue_yuan": fen_to_yuan(self.this_fen),
            "last_revenue_yuan": fen_to_yuan(self.last_fen),
            "share": share_out(self.this_share),
            "last_share": share_out(self.last_share),
            "share_change_pp": self.share_pp,
            "revenue_pct": self.growth_pct,
        }


def category_rows(this: WindowFigures, last: WindowFigures) -> list[CategoryRow]:
    """Every category sold in either window: this season's order first, then last's."""
    codes = list(this.by_category) + [c for c in last.by_category if c not in this.by_category]
    return [
        CategoryRow(
            code,
            this.category_fen(code),
            last.category_fen(code),
            share(this.category_fen(code), this.revenue_fen),
            share(last.category_fen(code), last.revenue_fen),
        )
        for code in codes
    ]


@dataclass(frozen=True)
class StallRow:
    code: str
    name: str
    township: str | None
    herder: bool
    category: str | None
    this_fen: int
    last_fen: int
    this_sessions: int
    last_sessions: int
    lines: int
    this_share: Decimal | None

    @property
    def growth_pct(self) -> Decimal | None:
        return growth_pct(self.this_fen, self.last_fen)

    @property
    def returning(self) -> bool:
        """Sold (above ¥0) in both windows: its revenue has a same period of its own."""
        return self.this_fen > 0 and self.last_fen > 0

    def as_json(self) -> dict:
        return {
            "stall": self.code,
            "name": self.name,
            "township": self.township,
            "herder": self.herder,
            "category": self.category,
            "revenue_yuan": fen_to_yuan(self.this_fen),
            "last_revenue_yuan": fen_to_yuan(self.last_fen),
            "revenue_pct": self.growth_pct,
            "sessions": self.this_sessions,
            "last_sessions": self.last_sessions,
            "returning": self.returning,
            "share": share_out(self.this_share),
        }


def stall_rows(
    this_totals: Iterable[StallTotal],
    last_totals: Iterable[StallTotal],
    stalls: Mapping[str, Stall],
    revenue_fen: int,
) -> list[StallRow]:
    """Stalls with a line in either window, this window's biggest first, ties by code."""
    this_fen: dict[str, int] = {}
    last_fen: dict[str, int] = {}
    this_sessions: dict[str, int] = {}
    last_sessions: dict[str, int] = {}
    lines: dict[str, int] = {}
    for t in this_totals:
        this_fen[t.stall] = t.amount_fen
        this_sessions[t.stall] = t.sessions
        lines[t.stall] = t.lines
    for t in last_totals:
        last_fen[t.stall] = t.amount_fen
        last_sessions[t.stall] = t.sessions
    rows = []
    for code in set(this_fen) | set(last_fen):
        info = stalls.get(code) or Stall(code, code, None, None, False, None)
        rows.append(
            StallRow(
                code,
                info.name,
                info.township,
                info.herder,
                info.category,
                this_fen.get(code, 0),
                last_fen.get(code, 0),
                this_sessions.get(code, 0),
                last_sessions.get(code, 0),
                lines.get(code, 0),
                share(this_fen.get(code, 0), revenue_fen),
            )
        )
    rows.sort(key=lambda r: (-r.this_fen, r.code))
    return rows


@dataclass(frozen=True)
class ReturningStalls:
    """Stalls that sold in both windows; the herder-run among them per stall (户均)."""

    stalls: tuple[StallRow, ...]
    herder_count: int
    herder_this_fen: int
    herder_last_fen: int

    def _average(self, fen: int) -> Decimal | None:
        if not self.herder_count:
            return None
        return (Decimal(fen) / 100 / self.herder_count).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def herder_average_this_yuan(self) -> Decimal | None:
        return self._average(self.herder_this_fen)

    @property
    def herder_average_last_yuan(self) -> Decimal | None:
        return self._average(self.herder_last_fen)

    @property
    def herder_average_pct(self) -> Decimal | None:
        # the same stalls in both windows: the averages' growth is the sums' growth,
        # computed exactly rather than from averages rounded to the fen
        return growth_pct(self.herder_this_fen, self.herder_last_fen)

    @property
    def herder_average_multiple(self) -> Decimal | None:
        """The averages' ratio as a multiple (倍) when 2 or more: the sums' ratio, exactly."""
        return multiple(self.herder_this_fen, self.herder_last_fen)

    def as_json(self) -> dict:
        return {
            "count": len(self.stalls),
            "herder_count": self.herder_count,
            "herder_revenue_yuan": fen_to_yuan(self.herder_this_fen),
            "herder_last_revenue_yuan": fen_to_yuan(self.herder_last_fen),
            "herder_average_yuan": self.herder_average_this_yuan,
            "herder_last_average_yuan": self.herder_average_last_yuan,
            "herder_average_pct": self.herder_average_pct,
            "herder_average_multiple": self.herder_average_multiple,
            "stalls": [
                {
                    "stall": r.code,
                    "herder": r.herder,
                    "revenue_yuan": fen_to_yuan(r.this_fen),
                    "last_revenue_yuan": fen_to_yuan(r.last_fen),
                    "revenue_pct": r.growth_pct,
                }
                for r in self.stalls
            ],
        }


def returning_stalls(rows: Iterable[StallRow]) -> ReturningStalls:
    """The stalls of ``rows`` that sold in both windows, in stall-code order."""
    chosen = tuple(sorted((r for r in rows if r.returning), key=lambda r: r.code))
    herders = [r for r in chosen if r.herder]
    return ReturningStalls(
        chosen,
        len(herders),
        sum(r.this_fen for r in herders),
        sum(r.last_fen for r in herders),
    )


def top_stalls(rows: list[StallRow], n: int = 10) -> list[StallRow]:
    """The ``n`` stalls that took most in this window (those that took anything)."""
    return [r for r in rows if r.this_fen > 0][:n]


@dataclass(frozen=True)
class HostRow:
    host: str | None
    this_sessions: int
    this_visitors: int
    this_fen: int
    last_sessions: int
    last_visitors: int
    last_fen: int

    def as_json(self) -> dict:
        return {
            "host": self.host,
            "sessions": self.this_sessions,
            "visitors": self.this_visitors,
            "revenue_yuan": fen_to_yuan(self.this_fen),
            "last_sessions": self.last_sessions,
            "last_visitors": self.last_visitors,
            "last_revenue_yuan": fen_to_yuan(self.last_fen),
        }


def host_rows(this: Window, last: Window, fen_by_session: Mapping[int, int]) -> list[HostRow]:
    """Sessions, visits and takings by host township, in both windows; biggest first."""
    sums: dict[str | None, list[int]] = {}
    for offset, window in ((0, this), (3, last)):
        for session in window.sessions:
            row = sums.setdefault(session.host, [0] * 6)
            row[offset] += 1
            row[offset + 1] += session.visitors or 0
            row[offset + 2] += fen_by_session.get(session.id, 0)
    rows = [HostRow(host, *values) for host, values in sums.items()]
    rows.sort(key=lambda r: (-r.this_fen, -r.this_visitors, -r.last_fen, r.host or "\uffff"))
    return rows
