"""The press brief: the headline paragraph of a season report, as a bureau would write it.

截至2025年12月6日，2025-26冬季伊德喜冬储肉大集已举办3场，吸引游客3万人次，实现旅游收入
54.9万元，较2024年同期14.8万元增长270.9%（约为同期的3.7倍）；其中冬储肉销售额41.6万元，
占总收入的75.8%……

Every number comes from the report; only the wording is made here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from iddexi.analysis.figures import MEAT
from iddexi.render.labels import (
    day,
    money_wan,
    season_title,
    share_pct,
    visits_wan,
    wan,
    yuan_text,
)

if TYPE_CHECKING:
    from iddexi.reporting import SeasonReport


def brief_text(report: SeasonReport, lang: str = "zh") -> str:
    """The headline paragraph in Chinese (``zh``) or English (``en``)."""
    return _zh(report) if lang == "zh" else _en(report)


def _market_zh(kind: str) -> str:
    return "伊德喜冬储肉大集" if kind == "winter" else "伊德喜大集"


def _calendar_year(report: SeasonReport) -> int | None:
    """The year of "the same period of 2024", when last season's window lies in one year."""
    window = report.compare_window
    if report.align != "date" or report.compare_as_of is None or window.start is None:
        return None
    years = {window.start.year, report.compare_as_of.year}
    return years.pop() if len(years) == 1 else None


def _same_period_zh(report: SeasonReport) -> str:
    code = report.compare.code if report.compare else ""
    year = _calendar_year(report)
    if year is not None:
        return f"{year}年同期"
    if report.align == "date":
        return f"上季（{code}）同期"
    return f"上季（{code}）前{report.compare_window.count}场"


def _compare_zh(report: SeasonReport) -> str:
    if report.compare is None:
        return ""
    period = _same_period_zh(report)
    last = report.last.revenue_fen
    if last == 0:
        return f"，{period}无收入记录，不作同比"
    growth = report.growth.revenue_pct
    assert growth is not None
    text = f"，较{period}{money_wan(last)}"
    if growth > 0:
        text += f"增长{growth}%"
    elif growth < 0:
        text += f"下降{-growth}%"
    else:
        text += "持平"
    if report.growth.revenue_multiple is not None:
        text += f"（约为同期的{report.growth.revenue_multiple}倍）"
    return text


def _zh(report: SeasonReport) -> str:
    this = report.this
    text = (
        f"截至{day(report.as_of)}，{season_title(report.season.code, report.season.kind)}"
        f"{_market_zh(report.season.kind)}已举办{this.sessions}场，"
    )
    if this.visitors:
        uncounted = f"（{this.visitors_missing}场未统计人次）" if this.visitors_missing else ""
        text += f"吸引游客{visits_wan(this.visitors)}人次{uncounted}，"
    text += f"实现旅游收入{money_wan(this.revenue_fen)}{_compare_zh(report)}"
    meat = this.category_fen(MEAT)
    if meat:
        text += (
            f"；其中{report.category_label(MEAT, 'zh')}销售额{money_wan(meat)}，"
            f"占总收入的{share_pct(this.meat_share)}"
        )
        change = report.growth.meat_share_pp
        if change is not None and change != 0:
            verb = "提高" if change > 0 else "降低"
            text += f"，占比较同期{verb}{abs(change)}个百分点"
    text += "。"
    if this.herder_fen:
        text += (
            f"牧户经营的摊位实现收入{money_wan(this.herder_fen)}，"
            f"占总收入的{share_pct(this.herder_share)}。"
        )
    return text


def _compare_en(report: SeasonReport) -> str:
    if report.compare is None:
        return ""
    year = _calendar_year(report)
    if year is not None:
        period = f"the same period of {year}"
    elif report.align == "date":
        period = f"the same period of {report.compare.code}"
    else:
        count = report.compare_window.count
        first = "the first session" if count == 1 else f"the first {count} sessions"
        period = f"{first} of {report.compare.code}"
    last = report.last.revenue_fen
    if last == 0:
        return f"; {period} recorded no revenue to compare with"
    growth = report.growth.revenue_pct
    assert growth is not None
    if growth > 0:
        text = f", up {growth}% on {yuan_text(last)} in {period}"
    elif growth < 0:
        text = f", down {-growth}% on {yuan_text(last)} in {period}"
    else:
        text = f", level with {yuan_text(last)} in {period}"
    if report.growth.revenue_multiple is not None:
        text += f" ({report.growth.revenue_multiple} times as much)"
    return text


def _wan_en(value: int | Decimal, unit: str) -> str:
    """The Chinese press figure in brackets, from ten thousand on: " (54.9万元)"."""
    return f" ({wan(value)}万{unit})" if value >= 10_000 else ""


def _en(report: SeasonReport) -> str:
    this = report.this
    plural = "session" if this.sessions == 1 else "sessions"
    text = (
        f"As of {day(report.as_of, 'en')}, {season_title(report.season.code, report.season.kind, 'en')}"
        f" of the Idexi market had held {this.sessions} {plural}"
    )
    if this.visitors:
        text += f", drawing {this.visitors:,} visits{_wan_en(this.visitors, '人次')}"
        if this.visitors_missing:
            plural = "session" if this.visitors_missing == 1 else "sessions"
            text += f" ({this.visitors_missing} {plural} not counted)"
    text += (
        f" and tourism revenue of {yuan_text(this.revenue_fen)}"
        f"{_wan_en(Decimal(this.revenue_fen) / 100, '元')}{_compare_en(report)}."
    )
    meat = this.category_fen(MEAT)
    if meat:
        text += (
            f" {report.category_label(MEAT, 'en')} sold {yuan_text(meat)}"
            f"{_wan_en(Decimal(meat) / 100, '元')}, {share_pct(this.meat_share)} of the revenue"
        )
        change = report.growth.meat_share_pp
        if change is not None and change != 0:
            more = "more" if change > 0 else "less"
            text += f", {abs(change)} percentage points {more} than in the same period last season"
        text += "."
    if this.herder_fen:
        text += (
            f" Herder-run stalls took {yuan_text(this.herder_fen)}"
            f" ({share_pct(this.herder_share)} of the revenue)."
        )
    return text
