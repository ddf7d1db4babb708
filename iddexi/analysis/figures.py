"""The headline figures of one window, and how this season's compare with last season's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from iddexi.analysis.growth import (
    growth_pct,
    multiple,
    per_visit_yuan,
    pp_change,
    share,
    share_out,
)
from iddexi.analysis.windows import Window
from iddexi.i18n import _
from iddexi.ledger.queries import SessionCategoryTotal, StallTotal
from iddexi.ledger.records import Stall
from iddexi.money import fen_to_yuan

MEAT = "meat"
#: how a session's visitors were counted (sessions.count_method), in the order reports name them
COUNT_METHODS = ("full", "sample", "estimate")


@dataclass(frozen=True)
class WindowFigures:
    """Sessions, visits and takings of one window; money in integer fen."""

    sessions: int = 0
    visitors: int = 0
    #: sessions of the window with no visitor count recorded (counted as 0 visits)
    visitors_missing: int = 0
    revenue_fen: int = 0
    #: takings of the sessions that have a visitor count: what revenue per visit divides
    counted_revenue_fen: int = 0
    lines: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    herder_fen: int = 0
    #: stalls whose takings in the window are above ¥0
    stalls: int = 0
    #: counted sessions by count method ("full", "sample", "estimate", or "unstated")
    count_methods: dict[str, int] = field(default_factory=dict)

    @property
    def revenue_yuan(self) -> Decimal:
        return fen_to_yuan(self.revenue_fen)

    def category_fen(self, code: str) -> int:
        return self.by_category.get(code, 0)

    def share_of(self, code: str) -> Decimal | None:
        return share(self.category_fen(code), self.revenue_fen)

    @property
    def meat_share(self) -> Decimal | None:
        return self.share_of(MEAT)

    @property
    def herder_share(self) -> Decimal | None:
        return share(self.herder_fen, self.revenue_fen)

    @property
    def per_visit_yuan(self) -> Decimal | None:
        return per_visit_yuan(self.counted_revenue_fen, self.visitors)

    def as_json(self) -> dict:
        return {
            "sessions": self.sessions,
            "visitors": self.visitors,
            "revenue_yuan": self.revenue_yuan,
            "by_category": {code: fen_to_yuan(fen) for code, fen in self.by_category.items()},
            "meat_share": share_out(self.meat_share),
            "herder_revenue_yuan": fen_to_yuan(self.herder_fen),
            "revenue_per_visit_yuan": self.per_visit_yuan,
            "lines": self.lines,
            "stalls": self.stalls,
            "sessions_without_visitors": self.visitors_missing,
            "count_methods": dict(self.count_methods),
        }


def window_figures(
    window: Window,
    session_totals: Iterable[SessionCategoryTotal],
    stall_totals: Iterable[StallTotal],
    stalls: Mapping[str, Stall],
    category_order: Sequence[str],
) -> WindowFigures:
    """Sum a window from per-session-and-category and per-stall totals.

    ``session_totals`` may cover more sessions than the window (those are ignored);
    ``stall_totals`` must be the window's own. Categories come out in ``category_order``
    (unknown codes last), only those with takings.
    """
    ids = set(window.ids)
    counted = {s.id for s in window.sessions if s.visitors is not None}
    by_category: dict[str, int] = {}
    revenue = counted_revenue = lines = 0
    for total in session_totals:
        if total.session_id in ids:
            by_category[total.category] = by_category.get(total.category, 0) + total.amount_fen
            revenue += total.amount_fen
            lines += total.lines
            if total.session_id in counted:
                counted_revenue += total.amount_fen
    rank = {code: i for i, code in enumerate(category_order)}
    ordered = dict(sorted(by_category.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
    herder = 0
    by_stall: dict[str, int] = {}
    for total in stall_totals:
        info = stalls.get(total.stall)
        if info is not None and info.herder:
            herder += total.amount_fen
        by_stall[total.stall] = by_stall.get(total.stall, 0) + total.amount_fen
    methods: dict[str, int] = {}
    for s in window.sessions:
        if s.visitors is not None:
            method = s.count_method if s.count_method in COUNT_METHODS else "unstated"
            methods[method] = methods.get(method, 0) + 1
    return WindowFigures(
        sessions=window.count,
        visitors=sum(s.visitors or 0 for s in window.sessions),
        visitors_missing=sum(1 for s in window.sessions if s.visitors is None),
        revenue_fen=revenue,
        counted_revenue_fen=counted_revenue,
        lines=lines,
        by_category=ordered,
        herder_fen=herder,
        stalls=sum(1 for fen in by_stall.values() if fen > 0),
        count_methods={m: methods[m] for m in (*COUNT_METHODS, "unstated") if m in methods},
    )


@dataclass(frozen=True)
class Growth:
    """This window against last season's: percent with one decimal, ``None`` for n/a."""

    revenue_pct: Decimal | None
    visitors_pct: Decimal | None
    per_visit_pct: Decimal | None
    herder_revenue_pct: Decimal | None
    meat_revenue_pct: Decimal | None
    meat_share_pp: Decimal | None
    revenue_multiple: Decimal | None
    visitors_multiple: Decimal | None
    #: every growth of +100% or more is also stated as a multiple (PRODUCT.md), not only
    #: revenue's
    meat_revenue_multiple: Decimal | None = None
    herder_revenue_multiple: Decimal | None = None
    #: sessions of either window without a visitor count: visitor growth is then not given
    uncounted_this: int = 0
    uncounted_last: int = 0

    @property
    def visitors_pct_reason(self) -> str | None:
        """Why visitor growth is ``None`` although both windows have visits; else None."""
        if not (self.uncounted_this or self.uncounted_last):
            return None
        return _(
            "not every session has a visitor count: {this} uncounted this season, "
            "{last} in the period compared"
        ).format(this=self.uncounted_this, last=self.uncounted_last)

    def as_json(self) -> dict:
        return {
            "revenue_pct": self.revenue_pct,
            "visitors_pct": self.visitors_pct,
            "visitors_pct_reason": self.visitors_pct_reason,
            "revenue_per_visit_pct": self.per_visit_pct,
            "herder_revenue_pct": self.herder_revenue_pct,
            "meat_revenue_pct": self.meat_revenue_pct,
            "meat_share_pp": self.meat_share_pp,
            "revenue_multiple": self.revenue_multiple,
            "visitors_multiple": self.visitors_multiple,
            "meat_revenue_multiple": self.meat_revenue_multiple,
            "herder_revenue_multiple": self.herder_revenue_multiple,
        }


def compare(this: WindowFigures, last: WindowFigures) -> Growth:
    """How this window's figures changed against last season's same period."""
    # revenue per visit compared exactly (a/b against c/d is a·d against c·b), not
    # through the per-visit figures already rounded to the fen
    per_visit_pct = None
    if this.visitors and last.visitors:
        per_visit_pct = growth_pct(
            this.counted_revenue_fen * last.visitors, last.counted_revenue_fen * this.visitors
        )
    # visits compared only when every session of both windows was counted: a session
    # without a count is not a session without visitors
    all_counted = not (this.visitors_missing or last.visitors_missing)
    return Growth(
        revenue_pct=growth_pct(this.revenue_fen, last.revenue_fen),
        visitors_pct=growth_pct(this.visitors, last.visitors) if all_counted else None,
        per_visit_pct=per_visit_pct,
        herder_revenue_pct=growth_pct(this.herder_fen, last.herder_fen),
        meat_revenue_pct=growth_pct(this.category_fen(MEAT), last.category_fen(MEAT)),
        meat_share_pp=pp_change(this.meat_share, last.meat_share),
        revenue_multiple=multiple(this.revenue_fen, last.revenue_fen),
        visitors_multiple=multiple(this.visitors, last.visitors) if all_counted else None,
        meat_revenue_multiple=multiple(this.category_fen(MEAT), last.category_fen(MEAT)),
        herder_revenue_multiple=multiple(this.herder_fen, last.herder_fen),
        uncounted_this=this.visitors_missing,
        uncounted_last=last.visitors_missing,
    )
