"""The report workbook: summary, sessions, categories, stalls, host townships, raw lines.

Figures are real numbers with number formats (yuan as ``Decimal``, exact to the fen;
万元 as yuan ÷ 10,000; shares and growth as fractions shown as %; changes of shares in
percentage points), headers are frozen, columns fitted, pages set up landscape one page
wide, and the sessions and categories sheets carry native Excel charts. No cell holds a
formula; all text goes in as text.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.ledger.values import fen_to_yuan
from iddexi.render.labels import label, window_text
from iddexi.render.xlsx_sheet import (
    COUNT,
    NUMBER,
    PERCENT,
    POINTS,
    WAN,
    WAN_EN,
    YUAN,
    SheetWriter,
)

if TYPE_CHECKING:
    from iddexi.reporting import SeasonReport


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_yuan(fen)


def _wan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 1_000_000


def _frac(pct: Decimal | None) -> Decimal | None:
    """Growth in percent (270.9) as the fraction Excel formats as % (2.709)."""
    return None if pct is None else pct / 100


def write_workbook(report: SeasonReport, path: Path, lang: str = "zh") -> Path:
    """Write the report workbook to ``path`` and return it."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "iddexi"
    wb.properties.title = f"{label('report_title', lang)} {report.season.code}"
    summary = wb.active
    summary.title = label("sheet_summary", lang)
    _summary(SheetWriter(summary), report, lang)
    _sessions(SheetWriter(wb.create_sheet(label("sheet_sessions", lang))), report, lang)
    _categories(SheetWriter(wb.create_sheet(label("sheet_categories", lang))), report, lang)
    _stalls(SheetWriter(wb.create_sheet(label("sheet_stalls", lang))), report, lang)
    _hosts(SheetWriter(wb.create_sheet(label("sheet_townships", lang))), report, lang)
    _lines(SheetWriter(wb.create_sheet(label("sheet_lines", lang))), report, lang)
    wb.save(path)
    return path


def _window_lines(report: SeasonReport, lang: str) -> list[str]:
    w, c = report.window, report.compare_window
    this = f"{report.season.code}：{window_text(w.start, w.end, w.count, lang)}"
    if lang == "zh":
        lines = [f"本期 {this}（截至 {report.as_of}）"]
        if report.compare is None:
            lines.append(f"同期 {label('no_compare', lang)}")
        else:
            how = (
                f"按日期对齐：截至 {report.compare_as_of}"
                if report.align == "date"
                else f"按场次对齐：前{w.count}场"
            )
            lines.append(
                f"同期 {report.compare.code}：{window_text(c.start, c.end, c.count, lang)}（{how}）"
            )
        return lines
    lines = [f"This season {this.replace('：', ': ')} (as of {report.as_of})"]
    if report.compare is None:
        lines.append(f"Same period: {label('no_compare', lang)}")
    else:
        how = (
            f"aligned by date: up to {report.compare_as_of}"
            if report.align == "date"
            else f"aligned by session: first {w.count}"
        )
        lines.append(
            f"Same period {report.compare.code}: "
            f"{window_text(c.start, c.end, c.count, lang)} ({how})"
        )
    return lines


def _summary(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    from iddexi.render.brief import brief_text

    name = report.season.name or report.season.code
    sheet.note(f"{label('report_title', lang)} — {name}", bold=True)
    for line in _window_lines(report, lang):
        sheet.note(line)
    sheet.blank()
    sheet.header(
        [label(k, lang) for k in ("measure", "this", "last", "change", "growth")], freeze=True
    )
    this, last, g = report.this, report.last, report.growth
    wan = WAN if lang == "zh" else WAN_EN
    has_last = report.compare is not None

    def row(
        key: str,
        a: object,
        b: object,
        change: object,
        growth: object,
        fmt: str,
        change_fmt: str | None = None,
    ) -> None:
        sheet.write(
            [
                label(key, lang),
                a,
                b if has_last else None,
                change if has_last else None,
                growth if has_last else None,
            ],
            [None, fmt, fmt, change_fmt or fmt, PERCENT],
        )

    meat_this, meat_last = this.category_fen("meat"), last.category_fen("meat")
    row("sessions", this.sessions, last.sessions, this.sessions - last.sessions, None, COUNT)
    row(
        "visitors",
        this.visitors,
        last.visitors,
        this.visitors - last.visitors,
        _frac(g.visitors_pct),
        COUNT,
    )
    row(
        "revenue",
        _yuan(this.revenue_fen),
        _yuan(last.revenue_fen),
        _yuan(this.revenue_fen - last.revenue_fen),
        _frac(g.revenue_pct),
        YUAN,
    )
    row(
        "revenue_wan",
        _wan(this.revenue_fen),
        _wan(last.revenue_fen),
        _wan(this.revenue_fen - last.revenue_fen),
        _frac(g.revenue_pct),
        wan,
    )
    row(
        "per_visit",
        this.per_visit_yuan,
        last.per_visit_yuan,
        (this.per_visit_yuan - last.per_visit_yuan)
        if this.per_visit_yuan is not None and last.per_visit_yuan is not None
        else None,
        _frac(g.per_visit_pct),
        YUAN,
    )
    row(
        "meat_revenue",
        _yuan(meat_this),
        _yuan(meat_last),
        _yuan(meat_this - meat_last),
        _frac(g.meat_revenue_pct),
        YUAN,
    )
    row("meat_share", this.meat_share, last.meat_share, g.meat_share_pp, None, PERCENT, POINTS)
    row(
        "herder_revenue",
        _yuan(this.herder_fen),
        _yuan(last.herder_fen),
        _yuan(this.herder_fen - last.herder_fen),
        _frac(g.herder_revenue_pct),
        YUAN,
    )
    row(
        "herder_share",
        this.herder_share,
        last.herder_share,
        _points(this.herder_share, last.herder_share),
        None,
        PERCENT,
        POINTS,
    )
    row("lines", this.lines, last.lines, this.lines - last.lines, None, COUNT)
    row("stall_count", this.stalls, last.stalls, this.stalls - last.stalls, None, COUNT)
    sheet.blank()
    if report.projection is not None:
        p = report.projection
        sheet.write([label("projection", lang), _yuan(p.season_total_fen)], [None, YUAN])
        sheet.write([label("last_total", lang), _yuan(p.last_total_fen)], [None, YUAN])
        sheet.note(label("projection_note", lang))
        sheet.blank()
    sheet.note(brief_text(report, lang))
    sheet.finish()


def _points(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    from iddexi.analysis.growth import pp_change

    return pp_change(a, b)


def _sessions(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in _window_lines(report, lang):
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
                _yuan(pair.this_fen),
                theirs.date if theirs else None,
                theirs.visitors if theirs else None,
                _yuan(pair.last_fen),
                _frac(pair.growth_pct),
                _yuan(pair.this_cum_fen),
                _yuan(pair.last_cum_fen) if report.compare else None,
                _frac(pair.cum_growth_pct),
            ],
            fmts,
        )
    last_row = sheet.row
    sheet.finish()
    if report.sessions:
        _bar_chart(
            sheet,
            label("chart_revenue", lang),
            header,
            last_row,
            cats=1,
            series=[6, 9],
            anchor=f"A{last_row + 3}",
            y_title=label("revenue", lang),
        )
        _line_chart(
            sheet,
            label("chart_cumulative", lang),
            header,
            last_row,
            cats=1,
            series=[11, 12],
            anchor=f"H{last_row + 3}",
            y_title=label("revenue", lang),
        )


def _categories(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in _window_lines(report, lang):
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
    fmts = [None, None, YUAN, PERCENT, YUAN, PERCENT, POINTS, PERCENT]
    for row in report.categories:
        sheet.write(
            [
                report.category_label(row.code, lang),
                row.code,
                _yuan(row.this_fen),
                row.this_share,
                _yuan(row.last_fen),
                row.last_share,
                row.share_pp,
                _frac(row.growth_pct),
            ],
            fmts,
        )
    last_row = sheet.row
    total = "合计" if lang == "zh" else "Total"
    sheet.write(
        [
            total,
            None,
            _yuan(report.this.revenue_fen),
            Decimal(1) if report.this.revenue_fen else None,
            _yuan(report.last.revenue_fen),
            Decimal(1) if report.last.revenue_fen else None,
            None,
            _frac(report.growth.revenue_pct),
        ],
        fmts,
        bold=True,
    )
    sheet.finish()
    if report.categories:
        _bar_chart(
            sheet,
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
    for line in _window_lines(report, lang):
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
                _yuan(row.this_fen),
                row.this_share,
                row.this_sessions,
                _yuan(row.last_fen),
                row.last_sessions,
                _frac(row.growth_pct),
            ],
            fmts,
        )
    sheet.finish()


def _hosts(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    for line in _window_lines(report, lang):
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
                _yuan(row.this_fen),
                row.last_sessions,
                row.last_visitors,
                _yuan(row.last_fen),
            ],
            fmts,
        )
    sheet.finish()


def _lines(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
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
    fmts = [None, COUNT, None, None, None, None, None, None, YUAN, NUMBER, None, None, COUNT, COUNT]
    for which, window in (("this", report.window), ("last", report.compare_window)):
        sessions = {s.id: s for s in window.sessions}
        for line in report.lines(which):
            session = sessions[line.session_id]
            info = report.stall_info.get(line.stall)
            sheet.write(
                [
                    session.season,
                    session.number,
                    session.date,
                    session.host or "",
                    line.stall,
                    info.name if info else "",
                    report.category_label(line.category, lang),
                    line.category,
                    fen_to_yuan(line.amount_fen),
                    line.quantity,
                    line.unit or "",
                    line.note or "",
                    line.batch_id,
                    line.id,
                ],
                fmts,
            )
    sheet.finish()


def _bar_chart(
    sheet: SheetWriter,
    title: str,
    header: int,
    last_row: int,
    *,
    cats: int,
    series: list[int],
    anchor: str,
    y_title: str,
    percent: bool = False,
) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.width, chart.height = 22, 11
    for col in series:
        data = Reference(sheet.ws, min_col=col, min_row=header, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=cats, min_row=header + 1, max_row=last_row))
    if percent:
        chart.y_axis.numFmt = "0%"
    _colour(chart)
    sheet.ws.add_chart(chart, anchor)


def _line_chart(
    sheet: SheetWriter,
    title: str,
    header: int,
    last_row: int,
    *,
    cats: int,
    series: list[int],
    anchor: str,
    y_title: str,
) -> None:
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.width, chart.height = 22, 11
    for col in series:
        data = Reference(sheet.ws, min_col=col, min_row=header, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=cats, min_row=header + 1, max_row=last_row))
    _colour(chart, line=True)
    sheet.ws.add_chart(chart, anchor)


def _colour(chart: object, *, line: bool = False) -> None:
    """This season and last season in the same colours as the PNG charts."""
    from iddexi.render.charts import LAST_COLOUR, THIS_COLOUR

    for s, colour in zip(chart.series, (THIS_COLOUR, LAST_COLOUR), strict=False):  # type: ignore[attr-defined]
        hex_colour = colour.lstrip("#").upper()
        if line:
            s.graphicalProperties.line.solidFill = hex_colour
            s.graphicalProperties.line.width = 28000
        else:
            s.graphicalProperties.solidFill = hex_colour
            s.graphicalProperties.line.solidFill = hex_colour
