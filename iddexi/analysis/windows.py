"""Windows: which sessions a report counts, and which of last season's are "the same period".

A window is the ordered sessions of one season that a report counts; its start and end
are the dates of the first and last of them. The season to date is every session on or
before the as-of date. The same period of the comparison season is its sessions on or
before the same calendar day one year earlier (``align="date"``), on or before the same
weekday 52 weeks (364 days) earlier (``align="week"``: a Saturday against a Saturday), or
its first k sessions, k being the number this season has held (``align="session"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from iddexi.ledger.queries import SessionFigures

ALIGNMENTS = ("date", "week", "session")
#: 52 weeks: the same weekday a year earlier
WEEK_YEAR = dt.timedelta(days=364)


@dataclass(frozen=True)
class Window:
    """The sessions of one season that a report counts, in date order."""

    season: str | None
    sessions: tuple[SessionFigures, ...]

    @property
    def count(self) -> int:
        return len(self.sessions)

    @property
    def start(self) -> dt.date | None:
        return self.sessions[0].date if self.sessions else None

    @property
    def end(self) -> dt.date | None:
        return self.sessions[-1].date if self.sessions else None

    @property
    def ids(self) -> list[int]:
        return [s.id for s in self.sessions]

    @property
    def uncounted(self) -> int:
        """Sessions of the window with no visitor count recorded."""
        return sum(1 for s in self.sessions if s.visitors is None)

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


def years_earlier(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` years earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def season_gap_years(this_start: dt.date, compare_start: dt.date) -> int:
    """How many years the comparison season lies before this one (by their start years)."""
    return this_start.year - compare_start.year


def compare_cutoff(align: str, as_of: dt.date, gap_years: int) -> dt.date | None:
    """The last day of the comparison season's same period; ``None`` for ``session``."""
    if align == "date":
        return years_earlier(as_of, gap_years)
    if align == "week":
        return as_of - WEEK_YEAR * gap_years
    return None


def season_to_date(season: str, sessions: Sequence[SessionFigures], as_of: dt.date) -> Window:
    """The sessions of ``season`` on or before ``as_of``."""
    chosen = sorted((s for s in sessions if s.season == season), key=lambda s: s.date)
    return Window(season, tuple(s for s in chosen if s.date <= as_of))


def same_period(
    season: str | None,
    sessions: Sequence[SessionFigures],
    *,
    align: str,
    count: int,
    cutoff: dt.date | None,
) -> Window:
    """The comparison season's sessions that match this season's window.

    ``align="date"`` or ``"week"``: those on or before ``cutoff`` (the as-of date shifted
    back, see :func:`compare_cutoff`); ``align="session"``: the first ``count``.
    """
    if align not in ALIGNMENTS:
        raise ValueError(f"align must be one of {ALIGNMENTS}, not {align!r}")
    if season is None:
        return Window(None, ())
    chosen = sorted((s for s in sessions if s.season == season), key=lambda s: s.date)
    if align == "session":
        return Window(season, tuple(chosen[:count]))
    if cutoff is None:
        raise ValueError(f"align={align!r} needs a cutoff date")
    return Window(season, tuple(s for s in chosen if s.date <= cutoff))
