"""The report workbook: summary, sessions, categories, stalls, host townships, raw lines.

Figures are real numbers with number formats (yuan as ``Decimal``, exact to the fen;
万元 as yuan ÷ 10,000; shares and growth as fractions shown as %; changes of shares in
percentage points), headers are frozen, columns fitted, pages set up landscape one page
wide, and the sessions and categories sheets carry native Excel charts. No cell holds a
formula; all text goes in as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.render.labels import label
from iddexi.render.xlsx_sheet import (
    COUNT,
    NUMBER,
    PERCENT,
    POINTS_EN,
    POINTS_ZH,
    YUAN,
    SheetWriter,
    write_only_workbook,
)
from iddexi.render.xlsx_summary import frac, summary_sheet, window_lines, yuan

if TYPE_CHECKING:
    from iddexi.analysis.report_model import SeasonReport


#: The raw-lines sheet tells how far it is every this many rows.
PROGRESS_EVERY = 1_000


def write_workbook(
    report: SeasonReport,
    path: Path,
    lang: str = "zh",
    rows_written: Callable[[int], None] | None = None,
) -> Path:
    """Write the report workbook to ``path`` and return it.

    ``rows_written`` is called now and then with the number of raw lines written so far.
    """
    # write-only: rows go to disk as they are made, so a season of 100,000 lines costs
    # little more than writing its raw lines once (and little memory)
    with write_only_workbook() as wb:
        wb.properties.title = f"{label('report_title', lang)} {report.season.code}"
        summary_sheet(SheetWriter(wb.create_sheet(label("sheet_summary", lang))), report, lang)
        _sessions(SheetWriter(wb.create_sheet(label("sheet_sessions", lang))), report, lang)
        _categories(SheetWriter(wb.create_sheet(label("sheet_categories", lang))), report, lang)
        _stalls(SheetWriter(wb.create_sheet(label("sheet_stalls", lang))), report, lang)
        _hosts(SheetWriter(wb.create_sheet(label("sheet_townships", lang))), report, lang)
        lines = SheetWriter(wb.create_sheet(label("sheet_lines", lang)))
        _lines(lines, report, lang, rows_written)
        wb.save(path)
    return path


def _sessions(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in window_lines(report, lang):
        sheet.note(line)
    keys = [
        "number",
        "date",
        "host",
        "theme",
        "this_visitors",
        "this_revenue",
        "last_date",
        "last_visitors",
        "last_revenue",
        "growth",
        "this_cum",
        "last_cum",
        "cum_growth",
    ]
    header = sheet.header([label(k, lang) for k in keys])
    fmts = [COUNT, None, None, None, COUNT, YUAN, None, COUNT, YUAN, PERCENT, YUAN, YUAN, PERCENT]
    for pair in report.sessions:
        mine, theirs = pair.this, pair.last
        sheet.write(
            [
                pair.number,
                mine.date if mine else None,
                (mine.host or "") if mine else None,
                (mine.theme or "") if mine else None,
                mine.visitors if mine else None,
                yuan(pair.this_fen) if mine else None,
                theirs.date if theirs else None,
                theirs.visitors if theirs else None,
                yuan(pair.last_fen) if theirs else None,
                frac(pair.growth_pct) if mine and theirs else None,
                # to date: a season without this session keeps its running total, so
                # the last row compares the two same-period totals
                yuan(pair.this_cum_fen),
                yuan(pair.last_cum_fen) if report.compare else None,
                frac(pair.cum_growth_pct),
            ],
            fmts,
        )
    last_row = sheet.row
    sheet.finish()
    if report.sessions:
        sheet.bar_chart(
            label("chart_revenue", lang),
            header,
            last_row,
            cats=1,
            series=[6, 9],
            anchor=f"A{last_row + 3}",
            y_title=label("revenue", lang),
        )
        sheet.line_chart(
            label("chart_cumulative", lang),
            header,
            last_row,
            cats=1,
            series=[11, 12],
            anchor=f"H{last_row + 3}",
            y_title=label("revenue", lang),
        )


def _categories(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in window_lines(report, lang):
        sheet.note(line)
    keys = [
        "category",
        "code",
        "this_revenue",
        "this_share",
        "last_revenue",
        "last_share",
        "share_pp",
        "growth",
    ]
    header = sheet.header([label(k, lang) for k in keys])
    points = POINTS_ZH if lang == "zh" else POINTS_EN
    fmts = [None, None, YUAN, PERCENT, YUAN, PERCENT, points, PERCENT]
    for row in report.categories:
        sheet.write(
            [
                report.category_label(row.code, lang),
                row.code,
                yuan(row.this_fen),
                row.this_share,
                yuan(row.last_fen),
                row.last_share,
                row.share_pp,
                frac(row.growth_pct),
            ],
            fmts,
        )
    last_row = sheet.row
    total = "合计" if lang == "zh" else "Total"
    sheet.write(
        [
            total,
            None,
            yuan(report.this.revenue_fen),
            Decimal(1) if report.this.revenue_fen else None,
            yuan(report.last.revenue_fen),
            Decimal(1) if report.last.revenue_fen else None,
            None,
            frac(report.growth.revenue_pct),
        ],
        fmts,
        bold=True,
    )
    sheet.finish()
    if report.categories:
        sheet.bar_chart(
            label("chart_categories", lang),
            header,
            last_row,
            cats=1,
            series=[4, 6],
            anchor=f"A{sheet.row + 3}",
            y_title=label("axis_share", lang),
            percent=True,
        )


def _stalls(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in window_lines(report, lang):
        sheet.note(line)
    keys = [
        "stall",
        "stall_name",
        "township",
        "herder",
        "default_category",
        "this_revenue",
        "this_share",
        "sessions_attended",
        "last_revenue",
        "last_sessions",
        "growth",
    ]
    sheet.header([label(k, lang) for k in keys])
    fmts = [None, None, None, None, None, YUAN, PERCENT, COUNT, YUAN, COUNT, PERCENT]
    yes, no = label("yes", lang), label("no", lang)
    for row in report.stalls:
        sheet.write(
            [
                row.code,
                row.name,
                row.township or "",
                yes if row.herder else no,
                report.category_label(row.category, lang) if row.category else "",
                yuan(row.this_fen),
                row.this_share,
                row.this_sessions,
                yuan(row.last_fen),
                row.last_sessions,
                frac(row.growth_pct),
            ],
            fmts,
        )
    sheet.finish()


def _hosts(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in window_lines(report, lang):
        sheet.note(line)
    keys = [
        "host",
        "sessions",
        "this_visitors",
        "this_revenue",
        "last_sessions",
        "last_visitors",
        "last_revenue",
    ]
    sheet.header([label(k, lang) for k in keys])
    fmts = [None, COUNT, COUNT, YUAN, COUNT, COUNT, YUAN]
    for row in report.hosts:
        sheet.write(
            [
                row.host or label("unknown_host", lang),
                row.this_sessions,
                row.this_visitors,
                yuan(row.this_fen),
                row.last_sessions,
                row.last_visitors,
                yuan(row.last_fen),
            ],
            fmts,
        )
    sheet.finish()


def _lines(
    sheet: SheetWriter,
    report: SeasonReport,
    lang: str,
    rows_written: Callable[[int], None] | None = None,
) -> None:
    keys = [
        "season",
        "session",
        "date",
        "host",
        "stall",
        "stall_name",
        "category",
        "code",
        "amount",
        "quantity",
        "unit",
        "note",
        "batch",
        "line_id",
    ]
    sheet.header([label(k, lang) for k in keys])
    # batch and line numbers are identifiers, not quantities: no thousands separator
    fmts = [None, None, None, None, None, None, None, None, YUAN, NUMBER, None, None, None, None]
    rows = _line_rows(report, lang)
    sheet.stream(rows if rows_written is None else _counted(rows, rows_written), fmts)
    sheet.finish()


def _counted(rows: Iterable[list[object]], tell: Callable[[int], None]) -> Iterator[list[object]]:
    """``rows`` as they are, calling ``tell`` with the count every :data:`PROGRESS_EVERY`."""
    done = 0
    for done, row in enumerate(rows, 1):
        if not done % PROGRESS_EVERY:
            tell(done)
        yield row
    tell(done)


def _line_rows(report: SeasonReport, lang: str) -> Iterator[list[object]]:
    """Every raw line of both windows as a row of the raw-lines sheet, read as written."""
    labels: dict[str, str] = {}
    for which, window in (("this", report.window), ("last", report.compare_window)):
        sessions = {s.id: s for s in window.sessions}
        for line in report.lines(which):
            session = sessions[line.session_id]
            info = report.stall_info.get(line.stall)
            category = labels.get(line.category)
            if category is None:
                category = labels[line.category] = report.category_label(line.category, lang)
            yield [
                session.season,
                session.number,
                session.date,
                session.host or "",
                line.stall,
                info.name if info else "",
                category,
                line.category,
                yuan(line.amount_fen),
                line.quantity,
                line.unit or "",
                line.note or "",
                line.batch_id,
                line.id,
            ]
