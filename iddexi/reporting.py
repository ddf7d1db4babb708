"""Season reports: ledger → report SQL → analysis → one :class:`SeasonReport` → files.

:func:`build_season_report` reads only sums from the ledger (GROUP BYs in
:mod:`iddexi.ledger.queries`) and computes every figure with the pure functions of
:mod:`iddexi.analysis`. :func:`write_report_files` renders the workbook, the PNG charts
and the press brief; only it reads the compared windows' individual lines (for the
workbook's raw-data sheet), so ``report season --json --no-files`` never does.

Nothing here imports pandas, matplotlib or openpyxl at module level.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.analysis.breakdown import (
    CategoryRow,
    HostRow,
    StallRow,
    category_rows,
    host_rows,
    stall_rows,
    top_stalls,
)
from iddexi.analysis.figures import Growth, WindowFigures, compare, window_figures
from iddexi.analysis.growth import share, share_out
from iddexi.analysis.sessions import (
    CurvePoint,
    Projection,
    SessionPair,
    pair_sessions,
    project_season_total,
    revenue_by_session,
    season_curve,
)
from iddexi.analysis.windows import (
    ALIGNMENTS,
    Window,
    same_period,
    season_gap_years,
    season_to_date,
    years_earlier,
)
from iddexi.ledger import queries
from iddexi.ledger.chain import CODE_LENGTH
from iddexi.ledger.chain import head as chain_head
from iddexi.ledger.errors import InputError, NotFoundError
from iddexi.ledger.values import fen_to_yuan
from iddexi.render.labels import check_language

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger
    from iddexi.ledger.records import Season, Stall

TOP_STALLS = 10


@dataclass
class SeasonReport:
    """Everything a season report shows: both windows, their figures and breakdowns."""

    season: Season
    compare: Season | None
    align: str
    as_of: dt.date
    #: the same calendar day in the comparison season (``align="date"``), else None
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
    _lines: Callable[[list[int]], Iterator[queries.RawLine]] = field(repr=False, default=None)  # type: ignore[assignment]
    stall_info: dict[str, Stall] = field(repr=False, default_factory=dict)
    #: the head of the ledger's hash chain when the report was read: the exact ledger
    #: state its figures came from (账本校验码 = its first 12 hex digits)
    ledger_hash: str | None = None

    @property
    def ledger_code(self) -> str | None:
        return self.ledger_hash[:CODE_LENGTH] if self.ledger_hash else None

    @property
    def top_stalls(self) -> list[StallRow]:
        return top_stalls(self.stalls, TOP_STALLS)

    def category_label(self, code: str, lang: str = "zh") -> str:
        zh, en = self.category_labels.get(code, (code, code))
        return zh if lang == "zh" else en

    def lines(self, which: str = "this") -> Iterator[queries.RawLine]:
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
        if self.align == "session":
            stem += "-by-session"
        if lang != "zh":
            stem += f"-{lang}"
        return stem

    def as_json(self, files: list[Path] | None = None) -> dict:
        """The report as one JSON document (money as exact yuan, shares as fractions)."""
        this = self.this.as_json()
        return {
            "season": self.season.code,
            "season_name": self.season.name,
            "compare_to": self.compare.code if self.compare else None,
            "align": self.align,
            "as_of": self.as_of.isoformat(),
            "compare_as_of": self.compare_as_of.isoformat() if self.compare_as_of else None,
            "window": self.window.as_json(),
            "compare_window": self.compare_window.as_json(),
            **this,
            "category_shares": {
                code: share_out(share(fen, self.this.revenue_fen))
                for code, fen in self.this.by_category.items()
            },
            "herder_share": share_out(self.this.herder_share),
            "last": self.last.as_json(),
            "growth": self.growth.as_json(),
            "categories": [row.as_json() for row in self.categories],
            "per_session": [row.as_json() for row in self.sessions],
            "by_host": [row.as_json() for row in self.hosts],
            "top_stalls": [row.as_json() for row in self.top_stalls],
            "projection": self.projection.as_json() if self.projection else None,
            "last_season_total": (
                {
                    "sessions": len(self.last_curve),
                    "revenue_yuan": fen_to_yuan(self.last_curve[-1].cumulative_fen),
                }
                if self.last_curve
                else None
            ),
            "files": [str(Path(p).resolve()) for p in files or []],
            "ledger_hash": self.ledger_hash,
            "ledger_code": self.ledger_code,
        }


def build_season_report(
    ledger: Ledger,
    season: str,
    *,
    vs: str | None = None,
    as_of: dt.date | None = None,
    align: str = "date",
) -> SeasonReport:
    """The season to date (up to ``as_of``, default its last session) against the same period.

    ``vs`` names the comparison season (default: the previous season of the same kind);
    ``align`` is ``"date"`` (last season's sessions on or before the same calendar day)
    or ``"session"`` (last season's first k sessions).
    """
    if align not in ALIGNMENTS:
        raise InputError(f"--align {align!r} is not one of {', '.join(ALIGNMENTS)}")
    this_season = ledger.season(season)
    if vs is not None:
        other = ledger.season(vs)
        if other.code == this_season.code:
            raise InputError(f"--vs {vs} is the season reported on; name an earlier season")
        if other.start >= this_season.start:
            raise InputError(
                f"--vs {vs} starts {other.start}, not before {this_season.code} "
                f"({this_season.start}); name an earlier season"
            )
    else:
        other = ledger.previous_season(this_season.code)
    codes = [this_season.code] + ([other.code] if other else [])
    conn = ledger.conn
    ledger_hash = chain_head(conn).sha256

    sessions = queries.session_figures(conn, codes)
    own = [s for s in sessions if s.season == this_season.code]
    if not own:
        raise NotFoundError(
            f"season {this_season.code} has no sessions yet; add one with `iddexi session add`"
        )
    # a day after the season ended means "the whole season": the same period is then
    # last season up to its own end date, not a day years later
    as_of = min(as_of or own[-1].date, this_season.end)
    window = season_to_date(this_season.code, sessions, as_of)
    if not window.count:
        raise InputError(
            f"season {this_season.code} has no session on or before {as_of} "
            f"(its first is {own[0].date})"
        )
    cutoff = None
    if other is not None and align == "date":
        cutoff = years_earlier(as_of, season_gap_years(this_season.start, other.start))
    compare_window = same_period(
        other.code if other else None, sessions, align=align, count=window.count, cutoff=cutoff
    )

    totals = queries.session_category_totals(conn, codes)
    stalls = {s.code: s for s in queries.stall_infos(conn)}
    categories = queries.category_infos(conn)
    order = [c.code for c in categories]
    this_stalls = queries.stall_totals(conn, window.ids)
    last_stalls = queries.stall_totals(conn, compare_window.ids)

    this = window_figures(window, totals, this_stalls, stalls, order)
    last = window_figures(compare_window, totals, last_stalls, stalls, order)
    fen_by_session = revenue_by_session(totals)
    last_curve = season_curve(other.code if other else None, sessions, fen_by_session)

    return SeasonReport(
        season=this_season,
        compare=other,
        align=align,
        as_of=as_of,
        compare_as_of=cutoff,
        window=window,
        compare_window=compare_window,
        this=this,
        last=last,
        growth=compare(this, last),
        sessions=pair_sessions(window, compare_window, fen_by_session),
        categories=category_rows(this, last),
        category_labels={c.code: (c.label_zh, c.label_en) for c in categories},
        stalls=stall_rows(this_stalls, last_stalls, stalls, this.revenue_fen),
        hosts=host_rows(window, compare_window, fen_by_session),
        this_curve=season_curve(this_season.code, sessions, fen_by_session),
        last_curve=last_curve,
        # no projection once the season is over: its total is a figure, not a guess
        projection=None
        if _season_over(this_season, as_of, window)
        else project_season_total(
            this.revenue_fen, last.revenue_fen, last_curve, this.visitors, last.visitors
        ),
        _lines=lambda ids: queries.window_lines(conn, ids),
        stall_info=stalls,
        ledger_hash=ledger_hash,
    )


def _season_over(season: Season, as_of: dt.date, window: Window) -> bool:
    planned = season.planned_sessions
    return as_of >= season.end or (planned is not None and window.count >= planned)


def write_report_files(report: SeasonReport, out_dir: Path, lang: str = "zh") -> list[Path]:
    """Write the workbook, the PNG charts and the brief into ``out_dir``; return their paths.

    The ledger the report was built from must still be open (the raw-data sheet reads
    the windows' lines from it).
    """
    check_language(lang)
    from iddexi.render.brief import brief_text
    from iddexi.render.charts import write_charts
    from iddexi.render.xlsx import write_workbook

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the report folder {out_dir}: {exc.strerror}") from None
    stem = report.stem(lang)
    # Written side by side in a scratch folder, then moved in: a report that cannot be
    # written whole leaves the folder as it was, not half old and half new.
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".iddexi-report-", dir=out_dir))
    except OSError as exc:
        raise InputError(f"cannot write into {out_dir}: {exc.strerror}") from None
    try:
        drafts = [write_workbook(report, scratch / f"{stem}.xlsx", lang)]
        drafts += write_charts(report, scratch, stem, lang)
        brief = scratch / f"{stem}-brief.txt"
        brief.write_text(brief_text(report, lang) + "\n", encoding="utf-8")
        drafts.append(brief)
        paths = [out_dir / draft.name for draft in drafts]
        for path in paths:
            if path.is_dir():
                raise InputError(f"cannot write {path}: a folder of that name is in the way")
        for draft, path in zip(drafts, paths, strict=True):
            try:
                os.replace(draft, path)
            except OSError as exc:
                raise InputError(f"cannot write {path}: {exc.strerror}") from None
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or out_dir}: {exc.strerror}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [p.resolve() for p in paths]
