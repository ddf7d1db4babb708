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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.analysis.year_model import YearReport
from iddexi.i18n import _
from iddexi.ledger import queries
from iddexi.ledger.errors import InputError, NotFoundError
from iddexi.render.labels import check_language

if TYPE_CHECKING:
    from iddexi.analysis.report_model import SeasonReport
    from iddexi.analysis.sessions import CurvePoint
    from iddexi.analysis.windows import Window
    from iddexi.ledger.core import Ledger
    from iddexi.ledger.records import Season

#: ``progress(stage, done, total)``: ``done`` of ``total`` units of the stage named are
#: finished (the stage is a label for people: the caller shows it as it likes)
Progress = Callable[[str, int, int], None]

__all__ = [
    "SeasonReport",
    "YearReport",
    "build_season_report",
    "build_year_report",
    "write_report_files",
    "write_year_files",
]


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
    ``align`` is ``"date"`` (last season's sessions on or before the same calendar day),
    ``"week"`` (on or before the same weekday 52 weeks earlier) or ``"session"`` (last
    season's first k sessions).
    """
    # imported here, not with the module: `report year` needs none of it, and its
    # start-up is most of its time (issue 12: within 2x the bare SQL)
    from iddexi.analysis.breakdown import category_rows, host_rows, returning_stalls, stall_rows
    from iddexi.analysis.figures import compare, window_figures
    from iddexi.analysis.growth import growth_pct
    from iddexi.analysis.report_model import EqualAlternative, SeasonReport
    from iddexi.analysis.sessions import (
        pair_sessions,
        project_season_total,
        revenue_by_session,
        season_curve,
    )
    from iddexi.analysis.visitors import season_estimates
    from iddexi.analysis.windows import (
        ALIGNMENTS,
        compare_cutoff,
        same_period,
        season_gap_years,
        season_to_date,
    )
    from iddexi.ledger.chain import head as chain_head

    if align not in ALIGNMENTS:
        raise InputError(
            _("--align {align!r} is not one of {alignments}").format(
                align=align, alignments=", ".join(ALIGNMENTS)
            )
        )
    this_season = ledger.season(season)
    other: Season | None = None
    if vs is not None:
        other = ledger.season(vs)
        if other.code == this_season.code:
            raise InputError(
                _("--vs {vs} is the season reported on; name an earlier season").format(vs=vs)
            )
        if other.start >= this_season.start:
            raise InputError(
                _(
                    "--vs {vs} starts {other_start}, not before {season} ({start}); name an earlier season"
                ).format(
                    vs=vs, other_start=other.start, season=this_season.code, start=this_season.start
                )
            )
    previous = ledger.previous_season(this_season.code)
    if vs is None:
        other = previous
    codes = [this_season.code] + ([other.code] if other else [])
    conn = ledger.conn
    ledger_hash = chain_head(conn).sha256

    sessions = queries.session_figures(conn, codes)
    own = [s for s in sessions if s.season == this_season.code]
    if not own:
        raise NotFoundError(
            _("season {season} has no sessions yet; add one with `iddexi session add`").format(
                season=this_season.code
            )
        )
    # a day after the season ended means "the whole season": the same period is then
    # last season up to its own end date, not a day years later
    as_of = min(as_of or own[-1].date, this_season.end)
    window = season_to_date(this_season.code, sessions, as_of)
    if not window.count:
        raise InputError(
            _(
                "season {season} has no session on or before {as_of} (its first is {first_date})"
            ).format(season=this_season.code, as_of=as_of, first_date=own[0].date)
        )
    gap = season_gap_years(this_season.start, other.start) if other else 0

    def window_for(how: str) -> tuple[Window, dt.date | None]:
        cutoff = compare_cutoff(how, as_of, gap) if other is not None else None
        code = other.code if other else None
        return same_period(code, sessions, align=how, count=window.count, cutoff=cutoff), cutoff

    compare_window, cutoff = window_for(align)

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

    alternative = None
    if other is not None and compare_window.count != window.count:
        for how in ALIGNMENTS:
            candidate, _cutoff = window_for(how)
            if how != align and candidate.count == window.count:
                theirs = sum(fen_by_session.get(i, 0) for i in candidate.ids)
                alternative = EqualAlternative(
                    how, candidate.count, growth_pct(this.revenue_fen, theirs)
                )
                break

    projection, absent = None, None
    if _season_over(this_season, as_of, window):
        # once the season is over its total is a figure, not a guess
        absent = _("the season is over: its total is known")
    else:
        projection, absent = project_season_total(
            window,
            fen_by_session,
            last_curve,
            planned=this_season.planned_sessions,
            last_complete=other is not None and _complete(other, last_curve, as_of),
            last_label=other.code if other else "",
        )
    rows = stall_rows(this_stalls, last_stalls, stalls, this.revenue_fen)
    in_windows = {f"{s.season}:{s.number}" for s in (*window.sessions, *compare_window.sessions)}
    gate_estimates = {
        ref: estimate
        for code in codes
        for ref, estimate in season_estimates(
            ledger.gate_samples(code), ledger.season_hours(code)
        ).items()
        if ref in in_windows
    }

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
        stalls=rows,
        hosts=host_rows(window, compare_window, fen_by_session),
        this_curve=season_curve(this_season.code, sessions, fen_by_session),
        last_curve=last_curve,
        projection=projection,
        projection_absent=absent,
        compare_is_previous=other is not None
        and previous is not None
        and other.code == previous.code,
        equal_alternative=alternative,
        returning=returning_stalls(rows) if other is not None else None,
        _lines=lambda ids: queries.window_lines(conn, ids),
        stall_info=stalls,
        gate_estimates=gate_estimates,
        ledger_hash=ledger_hash,
    )


def _complete(season: Season, curve: list[CurvePoint], as_of: dt.date) -> bool:
    """All its planned sessions recorded; with no planned number, over before ``as_of``."""
    if season.planned_sessions is not None:
        return len(curve) >= season.planned_sessions
    return season.end < as_of


def _season_over(season: Season, as_of: dt.date, window: Window) -> bool:
    planned = season.planned_sessions
    return as_of >= season.end or (planned is not None and window.count >= planned)


def write_report_files(
    report: SeasonReport, out_dir: Path, lang: str = "zh", progress: Progress | None = None
) -> list[Path]:
    """Write the workbook, the PNG charts and the brief into ``out_dir``; return their paths.

    The ledger the report was built from must still be open (the raw-data sheet reads
    the windows' lines from it). ``progress(stage, done, total)`` hears how far it is.
    """
    check_language(lang)
    from iddexi.render.brief import brief_text
    from iddexi.render.charts import write_charts
    from iddexi.render.xlsx import write_workbook

    tell = progress or _quiet
    stem = report.stem(lang)
    lines = report.this.lines + report.last.lines
    workbook, charts = _("Writing the workbook"), _("Drawing the charts")

    def draw(scratch: Path) -> list[Path]:
        tell(workbook, 0, lines)
        book = write_workbook(
            report, scratch / f"{stem}.xlsx", lang, lambda done: tell(workbook, done, lines)
        )
        pictures = write_charts(
            report, scratch, stem, lang, lambda done, total: tell(charts, done, total)
        )
        return [
            book,
            *pictures,
            _write_text(scratch / f"{stem}-brief.txt", brief_text(report, lang)),
        ]

    return _write_all(out_dir, draw)


def _write_all(out_dir: Path, draw: Callable[[Path], list[Path]]) -> list[Path]:
    """Run ``draw`` in a scratch folder inside ``out_dir``, then move its files in."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            _("cannot create the report folder {out_dir}: {reason}").format(
                out_dir=out_dir, reason=exc.strerror
            )
        ) from None
    # Written side by side in a scratch folder, then moved in: a report that cannot be
    # written whole leaves the folder as it was, not half old and half new.
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".iddexi-report-", dir=out_dir))
    except OSError as exc:
        raise InputError(
            _("cannot write into {out_dir}: {reason}").format(out_dir=out_dir, reason=exc.strerror)
        ) from None
    try:
        drafts = draw(scratch)
        paths = [out_dir / draft.name for draft in drafts]
        for path in paths:
            if path.is_dir():
                raise InputError(
                    _("cannot write {path}: a folder of that name is in the way").format(path=path)
                )
        for draft, path in zip(drafts, paths, strict=True):
            try:
                os.replace(draft, path)
            except OSError as exc:
                raise InputError(
                    _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)
                ) from None
    except OSError as exc:
        raise InputError(
            _("cannot write {path}: {reason}").format(
                path=exc.filename or out_dir, reason=exc.strerror
            )
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [p.resolve() for p in paths]


def build_year_report(ledger: Ledger, year: int) -> YearReport:
    """Every season of every kind with sessions in calendar ``year``, against ``year − 1``."""
    if not 1900 < year < 2200:
        raise InputError(_("year {year} is not a calendar year a ledger holds").format(year=year))
    conn = ledger.conn
    this = queries.season_year_totals(conn, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if not this:
        raise NotFoundError(_("no sessions are recorded in {year}").format(year=year))
    last = queries.season_year_totals(conn, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    return YearReport(year, this, last)


def write_year_files(
    report: YearReport, out_dir: Path, lang: str = "zh", progress: Progress | None = None
) -> list[Path]:
    """Write the year's workbook, PNG charts and brief into ``out_dir``; return their paths.

    ``progress(stage, done, total)`` hears how far it is.
    """
    check_language(lang)
    from iddexi.render.year import write_year_charts, write_year_workbook, year_brief

    tell = progress or _quiet
    stem = report.stem(lang)
    workbook, charts = _("Writing the workbook"), _("Drawing the charts")

    def draw(scratch: Path) -> list[Path]:
        tell(workbook, 0, 1)
        book = write_year_workbook(report, scratch / f"{stem}.xlsx", lang)
        tell(workbook, 1, 1)
        pictures = write_year_charts(
            report, scratch, stem, lang, lambda done, total: tell(charts, done, total)
        )
        return [
            book,
            *pictures,
            _write_text(scratch / f"{stem}-brief.txt", year_brief(report, lang)),
        ]

    return _write_all(out_dir, draw)


def _quiet(stage: str, done: int, total: int) -> None:
    """No one is listening for progress."""


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path
