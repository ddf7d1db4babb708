"""The finished season report: what render/ draws, written by :mod:`iddexi.reporting`.

It lives below render/ so that the workbook, the charts and the brief take a finished
report and import nothing above them (layers run one way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from iddexi.analysis.breakdown import (
    CategoryRow,
    HostRow,
    ReturningStalls,
    StallRow,
    top_stalls,
)
from iddexi.analysis.figures import COUNT_METHODS, Growth, WindowFigures
from iddexi.analysis.growth import share, share_out
from iddexi.analysis.sessions import CurvePoint, Projection, SessionPair
from iddexi.analysis.visitors import VisitorEstimate
from iddexi.analysis.windows import Window
from iddexi.ledger.chain import CODE_LENGTH
from iddexi.ledger.queries import RawLine
from iddexi.ledger.records import Season, Stall
from iddexi.money import fen_to_yuan

TOP_STALLS = 10


@dataclass(frozen=True)
class EqualAlternative:
    """The alignment that gives both windows as many sessions, and its revenue growth."""

    align: str
    sessions_last: int
    revenue_pct: Decimal | None

    def as_json(self) -> dict:
        return {
            "align": self.align,
            "sessions_last": self.sessions_last,
            "revenue_pct": self.revenue_pct,
        }


@dataclass
class SeasonReport:
    """Everything a season report shows: both windows, their figures and breakdowns."""

    season: Season
    compare: Season | None
    align: str
    as_of: dt.date
    #: the last day of the comparison season's same period (date/week), else None
    compare_as_of: dt.date | None
    window: Window
    compare_window: Window
    this: WindowFigures
    last: WindowFigures
    growth: Growth
    sessions: list[SessionPair]
    categories: list[CategoryRow]
    category_labels: dict[str, tuple[str, str]]
    stalls: list[StallRow]
    hosts: list[HostRow]
    this_curve: list[CurvePoint]
    last_curve: list[CurvePoint]
    projection: Projection | None
    #: why there is no projection (``None`` when there is one)
    projection_absent: str | None = None
    #: the comparison season is the previous one of the same kind (同期, "last season")
    compare_is_previous: bool = True
    #: when the windows differ in sessions: the alignment that would make them equal
    equal_alternative: EqualAlternative | None = None
    returning: ReturningStalls | None = None
    _lines: Callable[[list[int]], Iterator[RawLine]] = field(repr=False, default=None)  # type: ignore[assignment]
    stall_info: dict[str, Stall] = field(repr=False, default_factory=dict)
    #: SEASON:N → the gate-sample estimate behind a sampled visitor count (both windows)
    gate_estimates: dict[str, VisitorEstimate] = field(repr=False, default_factory=dict)
    #: the head of the ledger's hash chain when the report was read: the exact ledger
    #: state its figures came from (账本校验码 = its first 12 hex digits)
    ledger_hash: str | None = None

    @property
    def ledger_code(self) -> str | None:
        return self.ledger_hash[:CODE_LENGTH] if self.ledger_hash else None

    @property
    def top_stalls(self) -> list[StallRow]:
        return top_stalls(self.stalls, TOP_STALLS)

    @property
    def same_kind(self) -> bool:
        return self.compare is not None and self.compare.kind == self.season.kind

    @property
    def same_period(self) -> bool:
        """Whether the comparison may be called 同期: the previous season of the same kind."""
        return self.same_kind and self.compare_is_previous

    @property
    def unequal_windows(self) -> bool:
        return self.compare is not None and self.window.count != self.compare_window.count

    def category_label(self, code: str, lang: str = "zh") -> str:
        zh, en = self.category_labels.get(code, (code, code))
        return zh if lang == "zh" else en

    def lines(self, which: str = "this") -> Iterator[RawLine]:
        """Every live line of one window (``"this"`` or ``"last"``), read on demand.

        Needs the ledger the report was built from to be still open.
        """
        window = self.window if which == "this" else self.compare_window
        if self._lines is None or not window.count:
            return iter(())
        return self._lines(window.ids)

    def stem(self, lang: str = "zh") -> str:
        """The start of every file name of this report: season, as-of date, alignment."""
        stem = f"iddexi-{self.season.code}-as-of-{self.as_of.isoformat()}"
        if self.align != "date":
            stem += f"-by-{self.align}"
        if lang != "zh":
            stem += f"-{lang}"
        return stem

    def visitor_counting(self) -> dict:
        """How the visitors of each window were counted (the seam for gate samples)."""

        def side(figures: WindowFigures) -> dict:
            methods = {m: figures.count_methods.get(m, 0) for m in (*COUNT_METHODS, "unstated")}
            return {**methods, "uncounted": figures.visitors_missing}

        return {
            "this": side(self.this),
            "last": side(self.last) if self.compare else None,
            # the timed gate samples behind each sampled count, and how they scale up
            "gate_samples": {ref: e.as_json() for ref, e in self.gate_estimates.items()} or None,
        }

    def as_json(self, files: list[Path] | None = None) -> dict:
        """The report as one JSON document (money as exact yuan, shares as fractions)."""
        this = self.this.as_json()
        return {
            "season": self.season.code,
            "season_name": self.season.name,
            "compare_to": self.compare.code if self.compare else None,
            "compare_kind": self.compare.kind if self.compare else None,
            "same_period": self.same_period,
            "align": self.align,
            "as_of": self.as_of.isoformat(),
            "compare_as_of": self.compare_as_of.isoformat() if self.compare_as_of else None,
            "window": self.window.as_json(),
            "compare_window": self.compare_window.as_json(),
            "sessions_this": self.window.count,
            "sessions_last": self.compare_window.count,
            "unequal_windows": self.unequal_windows,
            "equal_windows_alternative": (
                self.equal_alternative.as_json() if self.equal_alternative else None
            ),
            **this,
            "category_shares": {
                code: share_out(share(fen, self.this.revenue_fen))
                for code, fen in self.this.by_category.items()
            },
            "herder_share": share_out(self.this.herder_share),
            "visitor_counting": self.visitor_counting(),
            "last": self.last.as_json(),
            "growth": self.growth.as_json(),
            "categories": [row.as_json() for row in self.categories],
            "per_session": [row.as_json() for row in self.sessions],
            "by_host": [row.as_json() for row in self.hosts],
            "top_stalls": [row.as_json() for row in self.top_stalls],
            "returning_stalls": self.returning.as_json() if self.returning else None,
            "projection": self.projection.as_json() if self.projection else None,
            "ledger_hash": self.ledger_hash,
            "ledger_code": self.ledger_code,
            "projection_absent": self.projection_absent,
            "last_season_total": (
                {
                    "sessions": len(self.last_curve),
                    "revenue_yuan": fen_to_yuan(self.last_curve[-1].cumulative_fen),
                }
                if self.last_curve
                else None
            ),
            "files": [str(Path(p).resolve()) for p in files or []],
        }
