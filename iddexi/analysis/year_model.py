"""The calendar year across every season of every kind (四季), against the previous year.

A season counts in a year with its sessions dated in that year (a winter season crossing
New Year counts its November and December sessions in one year and its January sessions
in the next), so two years never share a session. Figures by season, by kind and in
total; the year is compared with the previous calendar year by kind and in total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from iddexi.analysis.growth import growth_pct, multiple, share, share_out
from iddexi.i18n import _
from iddexi.ledger.queries import SeasonYearTotal
from iddexi.money import fen_to_yuan

KINDS = ("winter", "spring", "summer", "autumn")


@dataclass(frozen=True)
class YearFigures:
    """Sessions, visits and takings of one calendar year (or one kind in it)."""

    seasons: int = 0
    sessions: int = 0
    uncounted: int = 0
    visitors: int = 0
    revenue_fen: int = 0
    herder_fen: int = 0
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def herder_share(self) -> Decimal | None:
        return share(self.herder_fen, self.revenue_fen)

    def as_json(self) -> dict:
        return {
            "seasons": self.seasons,
            "sessions": self.sessions,
            "sessions_without_visitors": self.uncounted,
            "visitors": self.visitors,
            "revenue_yuan": fen_to_yuan(self.revenue_fen),
            "herder_revenue_yuan": fen_to_yuan(self.herder_fen),
            "herder_share": share_out(self.herder_share),
            "first_session": self.first.isoformat() if self.first else None,
            "last_session": self.last.isoformat() if self.last else None,
        }


def sum_rows(rows: Sequence[SeasonYearTotal]) -> YearFigures:
    return YearFigures(
        seasons=len(rows),
        sessions=sum(r.sessions for r in rows),
        uncounted=sum(r.uncounted for r in rows),
        visitors=sum(r.visitors for r in rows),
        revenue_fen=sum(r.revenue_fen for r in rows),
        herder_fen=sum(r.herder_fen for r in rows),
        first=min((r.first for r in rows), default=None),
        last=max((r.last for r in rows), default=None),
    )


@dataclass(frozen=True)
class YearGrowth:
    revenue_pct: Decimal | None
    visitors_pct: Decimal | None
    herder_revenue_pct: Decimal | None
    revenue_multiple: Decimal | None
    #: why visitor growth is not given (sessions without a count), else None
    visitors_pct_reason: str | None
    #: every ratio of 2 or more is also stated as a multiple (倍), not only revenue's
    visitors_multiple: Decimal | None = None
    herder_revenue_multiple: Decimal | None = None

    def as_json(self) -> dict:
        return {
            "revenue_pct": self.revenue_pct,
            "visitors_pct": self.visitors_pct,
            "visitors_pct_reason": self.visitors_pct_reason,
            "herder_revenue_pct": self.herder_revenue_pct,
            "revenue_multiple": self.revenue_multiple,
            "visitors_multiple": self.visitors_multiple,
            "herder_revenue_multiple": self.herder_revenue_multiple,
        }


def year_growth(this: YearFigures, last: YearFigures) -> YearGrowth:
    counted = not (this.uncounted or last.uncounted)
    reason = None
    if not counted:
        reason = _(
            "not every session has a visitor count: {this} uncounted this year, "
            "{last} the year before"
        ).format(this=this.uncounted, last=last.uncounted)
    return YearGrowth(
        revenue_pct=growth_pct(this.revenue_fen, last.revenue_fen),
        visitors_pct=growth_pct(this.visitors, last.visitors) if counted else None,
        herder_revenue_pct=growth_pct(this.herder_fen, last.herder_fen),
        revenue_multiple=multiple(this.revenue_fen, last.revenue_fen),
        visitors_pct_reason=reason,
        visitors_multiple=multiple(this.visitors, last.visitors) if counted else None,
        herder_revenue_multiple=multiple(this.herder_fen, last.herder_fen),
    )


@dataclass(frozen=True)
class KindRow:
    kind: str
    this: YearFigures
    last: YearFigures

    @property
    def growth(self) -> YearGrowth:
        return year_growth(self.this, self.last)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "this": self.this.as_json(),
            "last": self.last.as_json(),
            "growth": self.growth.as_json(),
        }


def _season_json(row: SeasonYearTotal) -> dict:
    return {
        "season": row.season,
        "name": row.name,
        "kind": row.kind,
        "sessions": row.sessions,
        "sessions_without_visitors": row.uncounted,
        "visitors": row.visitors,
        "revenue_yuan": fen_to_yuan(row.revenue_fen),
        "herder_revenue_yuan": fen_to_yuan(row.herder_fen),
        "first_session": row.first.isoformat(),
        "last_session": row.last.isoformat(),
    }


@dataclass
class YearReport:
    """One calendar year by season and by kind, against the previous calendar year."""

    year: int
    seasons: list[SeasonYearTotal]
    last_seasons: list[SeasonYearTotal]
    this: YearFigures = field(init=False)
    last: YearFigures = field(init=False)
    kinds: list[KindRow] = field(init=False)

    def __post_init__(self) -> None:
        self.this = sum_rows(self.seasons)
        self.last = sum_rows(self.last_seasons)
        present = {r.kind for r in self.seasons} | {r.kind for r in self.last_seasons}
        order = [k for k in KINDS if k in present] + sorted(present - set(KINDS))
        self.kinds = [
            KindRow(
                kind,
                sum_rows([r for r in self.seasons if r.kind == kind]),
                sum_rows([r for r in self.last_seasons if r.kind == kind]),
            )
            for kind in order
        ]

    @property
    def growth(self) -> YearGrowth:
        return year_growth(self.this, self.last)

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)

    @property
    def compare_window(self) -> tuple[dt.date, dt.date]:
        return dt.date(self.year - 1, 1, 1), dt.date(self.year - 1, 12, 31)

    def stem(self, lang: str = "zh") -> str:
        return f"iddexi-year-{self.year}" + ("" if lang == "zh" else f"-{lang}")

    def as_json(self, files: list[Path] | None = None) -> dict:
        start, end = self.window
        last_start, last_end = self.compare_window
        return {
            "year": self.year,
            "compare_to": self.year - 1,
            "window": {"start": start.isoformat(), "end": end.isoformat()},
            "compare_window": {"start": last_start.isoformat(), "end": last_end.isoformat()},
            **self.this.as_json(),
            "last": self.last.as_json(),
            "growth": self.growth.as_json(),
            "by_kind": [row.as_json() for row in self.kinds],
            "by_season": [_season_json(r) for r in self.seasons],
            "last_by_season": [_season_json(r) for r in self.last_seasons],
            "files": [str(Path(p).resolve()) for p in files or []],
        }
