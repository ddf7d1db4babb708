"""The workbook's summary sheet: both windows in words, the headline figures, the brief."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from iddexi.analysis.growth import pp_change
from iddexi.money import fen_to_yuan
from iddexi.render.labels import label, window_text
from iddexi.render.xlsx_sheet import (
    COUNT,
    PERCENT,
    POINTS_EN,
    POINTS_ZH,
    TIMES_EN,
    TIMES_ZH,
    WAN,
    WAN_EN,
    YUAN,
    YUAN_WHOLE,
    SheetWriter,
)

if TYPE_CHECKING:
    from iddexi.analysis.report_model import SeasonReport


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
    elif report.align == "week":
        how = f"按星期对齐（52周前同一星期）：截至 {report.compare_as_of}"
        how_en = f"aligned by week (same weekday 52 weeks earlier): up to {report.compare_as_of}"
    else:
        how = f"按场次对齐：前{w.count}场"
        how_en = f"aligned by session: first {w.count}"
    last = window_text(c.start, c.end, c.count, lang)
    same = report.same_period
    lines.append(
        f"{'同期' if same else '对比'} {report.compare.code}：{last}（{how}）"
        if zh
        else f"{'Same period' if same else 'Compared with'} {report.compare.code}: {last} ({how_en})"
    )
    if report.unequal_windows:
        lines.append(
            f"场次不等：本期{w.count}场、{'同期' if same else '对比期'}{c.count}场"
            if zh
            else f"Unequal windows: {w.count} sessions against {c.count}"
        )
    return lines


def visitor_lines(report: SeasonReport, lang: str) -> list[str]:
    """How visitors were counted in each window, and how many sessions were not counted."""
    from iddexi.render.brief import METHOD_EN, METHOD_ZH

    zh = lang == "zh"
    names = METHOD_ZH if zh else METHOD_EN
    lines = []
    sides = [("本期" if zh else "This season", report.this)]
    if report.compare is not None:
        other = ("同期", "Same period") if report.same_period else ("对比期", "Period compared")
        sides.append((other[0] if zh else other[1], report.last))
    for who, figures in sides:
        parts = [
            (f"{n}场{names[m]}" if zh else f"{n} {names[m]}")
            for m, n in figures.count_methods.items()
            if m in names
        ]
        if figures.visitors_missing:
            n = figures.visitors_missing
            parts.append(f"{n}场未统计人次" if zh else f"{n} not counted")
        lines.append(
            f"{label('count_method', lang)}（{who}）：{'、'.join(parts) or '—'}"
            if zh
            else f"{label('count_method', lang)} ({who}): {', '.join(parts) or '-'}"
        )
    if report.growth.visitors_pct_reason is not None:
        lines.append(
            "游客同比不作计算：有场次未统计人次"
            if zh
            else "Visits growth not given: " + report.growth.visitors_pct_reason
        )
    return lines


def projection_basis(report: SeasonReport, lang: str) -> str:
    """The projection's method and basis in one line (workbook and chart)."""
    p = report.projection
    assert p is not None
    if lang == "zh":
        return (
            f"预测依据：按场次对齐，本季前{p.sessions_this}场对上季（{report.compare.code if report.compare else ''}）"
            f"前{p.sessions_this}场，上季共{p.sessions_last}场，按本季计划{p.planned}场推算"
        )
    return (
        f"Projection basis: aligned by session, this season's first {p.sessions_this} against"
        f" last season's first {p.sessions_this}; last season held {p.sessions_last},"
        f" scaled to this season's {p.planned} planned sessions"
    )


def _difference(a: Decimal | int | None, b: Decimal | int | None) -> Decimal | int | None:
    return None if a is None or b is None else a - b


def summary_sheet(sheet: SheetWriter, report: SeasonReport, lang: str) -> None:
    from iddexi.render.brief import brief_text

    name = report.season.name or report.season.code
    sheet.note(f"{label('report_title', lang)} — {name}", bold=True)
    for line in window_lines(report, lang):
        sheet.note(line)
    for line in visitor_lines(report, lang):
        sheet.note(line)
    sheet.blank()
    heads = [label(k, lang) for k in ("measure", "this", "last", "change", "growth", "multiple")]
    if report.compare is not None and not report.same_period:
        # 同期 / "same period last season" only for the previous season of the same kind
        heads[2] = report.compare.code
    sheet.header(heads)
    this, last, g = report.this, report.last, report.growth
    wan_fmt = WAN if lang == "zh" else WAN_EN
    points = POINTS_ZH if lang == "zh" else POINTS_EN
    meat_this, meat_last = this.category_fen("meat"), last.category_fen("meat")
    times = TIMES_ZH if lang == "zh" else TIMES_EN
    # a ratio of 2 or more is also stated as a multiple (倍), beside its growth
    multiples = {
        "visitors": g.visitors_multiple,
        "revenue": g.revenue_multiple,
        "revenue_wan": g.revenue_multiple,
        "meat_revenue": g.meat_revenue_multiple,
        "herder_revenue": g.herder_revenue_multiple,
    }
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
        ("uncounted", this.visitors_missing, last.visitors_missing, None, COUNT, COUNT),
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
            values += [theirs, change, frac(growth), multiples.get(key)]
        sheet.write(values, [None, fmt, fmt, change_fmt, PERCENT, times])
    back = report.returning
    if has_last and back is not None and back.herder_count:
        sheet.write(
            [
                label("herder_average", lang),
                back.herder_average_this_yuan,
                back.herder_average_last_yuan,
                _difference(back.herder_average_this_yuan, back.herder_average_last_yuan),
                frac(back.herder_average_pct),
                back.herder_average_multiple,
            ],
            [None, YUAN, YUAN, YUAN, PERCENT, times],
        )
    sheet.blank()
    if report.projection is not None:
        p = report.projection
        # an estimate: shown in whole yuan, the cell's value exact
        sheet.write([label("projection", lang), yuan(p.season_total_fen)], [None, YUAN_WHOLE])
        sheet.write([label("last_total", lang), yuan(p.last_total_fen)], [None, YUAN])
        sheet.note(label("projection_note", lang))
        sheet.note(projection_basis(report, lang))
        sheet.blank()
    elif report.projection_absent:
        sheet.note(f"{label('projection_absent', lang)}: {report.projection_absent}")
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
