"""The workbook's summary sheet: both windows in words, the headline figures, the brief."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from iddexi.analysis.growth import pp_change
from iddexi.ledger.values import fen_to_yuan
from iddexi.render.labels import label, window_text
from iddexi.render.xlsx_sheet import (
    COUNT,
    PERCENT,
    POINTS_EN,
    POINTS_ZH,
    WAN,
    WAN_EN,
    YUAN,
    SheetWriter,
)

if TYPE_CHECKING:
    from iddexi.reporting import SeasonReport


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_yuan(fen)


def wan(fen: int | None) -> Decimal | None:
    """Yuan ÷ 10,000, exact, for the 万元 columns."""
    return None if fen is None else Decimal(fen) / 1_000_000


def frac(pct: Decimal | None) -> Decimal | None:
    """Growth in percent (270.9) as the fraction Excel formats as % (2.709)."""
    return None if pct is None else pct / 100


def window_lines(report: SeasonReport, lang: str) -> list[str]:
    """The two windows compared, stated in words (each sheet starts with them)."""
    w, c = report.window, report.compare_window
    this = window_text(w.start, w.end, w.count, lang)
    zh = lang == "zh"
    lines = [
        f"本期 {report.season.code}：{this}（截至 {report.as_of}）"
        if zh
        else f"This season {report.season.code}: {this} (as of {report.as_of})"
    ]
    if report.compare is None:
        lines.append(("同期：" if zh else "Same period: ") + label("no_compare", lang))
        return lines
    if report.align == "date":
        how = f"按日期对齐：截至 {report.compare_as_of}"
        how_en = f"aligned by date: up to {report.compare_as_of}"
    else:
        how = f"按场次对齐：前{w.count}场"
        how_en = f"aligned by session: first {w.count}"
    last = window_text(c.start, c.end, c.count, lang)
    lines.append(
        f"同期 {report.compare.code}：{last}（{how}）"
        if zh
        else f"Same period {report.compare.code}: {last} ({how_en})"
    )
    return lines


def _difference(a: Decimal | int | None, b: Decimal | int | None) -> Decimal | int | None:
    return None if a is None or b is None else a - b


def summary_sheet(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    from iddexi.render.brief import brief_text

    name = report.season.name or report.season.code
    sheet.note(f"{label('report_title', lang)} — {name}", bold=True)
    for line in window_lines(report, lang):
        sheet.note(line)
    sheet.blank()
    sheet.header([label(k, lang) for k in ("measure", "this", "last", "change", "growth")])
    this, last, g = report.this, report.last, report.growth
    wan_fmt = WAN if lang == "zh" else WAN_EN
    points = POINTS_ZH if lang == "zh" else POINTS_EN
    meat_this, meat_last = this.category_fen("meat"), last.category_fen("meat")
    # measure, this, last, growth %, format, format of the change column
    rows: list[tuple[str, object, object, Decimal | None, str, str]] = [
        ("sessions", this.sessions, last.sessions, None, COUNT, COUNT),
        ("visitors", this.visitors, last.visitors, g.visitors_pct, COUNT, COUNT),
        ("revenue", yuan(this.revenue_fen), yuan(last.revenue_fen), g.revenue_pct, YUAN, YUAN),
        ("revenue_wan", wan(this.revenue_fen), wan(last.revenue_fen), g.revenue_pct, wan_fmt, wan_fmt),
        ("per_visit", this.per_visit_yuan, last.per_visit_yuan, g.per_visit_pct, YUAN, YUAN),
        ("meat_revenue", yuan(meat_this), yuan(meat_last), g.meat_revenue_pct, YUAN, YUAN),
        ("meat_share", this.meat_share, last.meat_share, None, PERCENT, points),
        ("herder_revenue", yuan(this.herder_fen), yuan(last.herder_fen), g.herder_revenue_pct, YUAN, YUAN),
        ("herder_share", this.herder_share, last.herder_share, None, PERCENT, points),
        ("lines", this.lines, last.lines, None, COUNT, COUNT),
        ("stall_count", this.stalls, last.stalls, None, COUNT, COUNT),
    ]  # fmt: skip
    has_last = report.compare is not None
    for key, mine, theirs, growth, fmt, change_fmt in rows:
        if fmt == PERCENT:  # shares change in percentage points
            change = pp_change(mine, theirs)  # type: ignore[arg-type]
        else:
            change = _difference(mine, theirs)  # type: ignore[arg-type]
        values = [label(key, lang), mine]
        if has_last:
            values += [theirs, change, frac(growth)]
        sheet.write(values, [None, fmt, fmt, change_fmt, PERCENT])
    sheet.blank()
    if report.projection is not None:
        p = report.projection
        sheet.write([label("projection", lang), yuan(p.season_total_fen)], [None, YUAN])
        sheet.write([label("last_total", lang), yuan(p.last_total_fen)], [None, YUAN])
        sheet.note(label("projection_note", lang))
        sheet.blank()
    sheet.paragraph(brief_text(report, lang), 5)
    sheet.blank()
    if report.ledger_hash:  # names the exact ledger state these figures came from
        sheet.note(
            f"账本校验码：{report.ledger_code}（SHA-256 {report.ledger_hash}）"
            if lang == "zh"
            else f"Ledger code: {report.ledger_code} (SHA-256 {report.ledger_hash})"
        )
    sheet.finish()
