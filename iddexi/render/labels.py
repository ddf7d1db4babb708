"""Words and number formats of the reports, in Chinese (zh) and English (en).

The figures are computed once; only their wording changes with the language. Money
arrives as integer fen, shares as fractions, growth as percent with one decimal.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from iddexi.i18n import _
from iddexi.ledger.errors import InputError
from iddexi.money import wan, yuan_text  # noqa: F401 (re-exported: one import for render)

NA = "n/a"
LANGUAGES = ("zh", "en")


def check_language(lang: str) -> str:
    """``lang`` when the reports speak it; else the refusal every command gives."""
    if lang not in LANGUAGES:
        raise InputError(_("--lang {lang!r} is not zh or en").format(lang=lang))
    return lang


_LABELS: dict[str, tuple[str, str]] = {
    # headline measures
    "sessions": ("场次", "Sessions"),
    "visitors": ("游客（人次）", "Visits"),
    "revenue": ("收入（元）", "Revenue (yuan)"),
    "revenue_wan": ("收入（万元）", "Revenue (10k yuan)"),
    "per_visit": ("人次均消费（元）", "Revenue per visit (yuan)"),
    "meat_revenue": ("冬储肉销售额（元）", "Meat sales (yuan)"),
    "meat_share": ("冬储肉占比", "Meat share"),
    "herder_revenue": ("牧户摊位收入（元）", "Herder stalls' revenue (yuan)"),
    "herder_share": ("牧户收入占比", "Herder share"),
    "lines": ("销售记录（条）", "Sales lines"),
    "stall_count": ("有销售的摊位（个）", "Stalls that sold"),
    "projection": ("全季收入预测（元，按上季曲线推算）", "Season-end revenue, projected (yuan)"),
    "projection_note": (
        "预测值（并非实际数字）：本季至今收入，加上上季其后各场收入按本季与上季前同样场次之比放大、"
        "再按本季余下计划场次与上季余下场次之比折算",
        "A projection, not a figure: revenue to date, plus last season's takings after as "
        "many sessions, scaled by this season's ratio to last season over those sessions and "
        "by this season's remaining planned sessions against last season's remaining ones",
    ),
    "herder_average": ("返场牧户摊位户均收入（元）", "Returning herder stalls, average (yuan)"),
    "projection_basis": ("预测依据", "Projection basis"),
    "projection_absent": ("不作全季预测", "No season-end projection"),
    "unequal_windows": ("场次不等", "Unequal windows"),
    "uncounted": ("未统计人次的场次", "Sessions without a visitor count"),
    "count_method": ("人次统计方式", "How visitors were counted"),
    "last_total": ("上季全季收入（元）", "Last season's full revenue (yuan)"),
    # column heads
    "measure": ("指标", "Measure"),
    "this": ("本期", "This season"),
    "last": ("同期", "Same period last season"),
    "change": ("增减", "Change"),
    "growth": ("同比", "Growth"),
    "multiple": ("倍数", "Multiple"),
    "cumulative": ("累计", "Cumulative"),
    "cum_growth": ("累计同比", "Cumulative growth"),
    "number": ("场次", "Session"),
    "date": ("日期", "Date"),
    "last_date": ("同期日期", "Date last season"),
    "host": ("承办乡镇", "Host township"),
    "theme": ("主题", "Theme"),
    "this_visitors": ("本期游客", "Visits"),
    "last_visitors": ("同期游客", "Visits last season"),
    "visitors_growth": ("游客同比", "Visits growth"),
    "this_revenue": ("本期收入（元）", "Revenue (yuan)"),
    "last_revenue": ("同期收入（元）", "Revenue last season (yuan)"),
    "this_cum": ("本期累计（元）", "Cumulative (yuan)"),
    "last_cum": ("同期累计（元）", "Cumulative last season (yuan)"),
    "category": ("类别", "Category"),
    "code": ("代码", "Code"),
    "this_share": ("本期占比", "Share"),
    "last_share": ("同期占比", "Share last season"),
    "share_pp": ("占比变化（百分点）", "Share change (pp)"),
    "stall": ("摊位代码", "Stall"),
    "stall_name": ("摊位名称", "Stall name"),
    "township": ("所属乡镇", "Home township"),
    "herder": ("牧户", "Herder"),
    "default_category": ("主营类别", "Main category"),
    "sessions_attended": ("本期出摊场次", "Sessions attended"),
    "last_sessions": ("同期场次", "Sessions last season"),
    "season": ("季", "Season"),
    "session": ("场次", "Session"),
    "amount": ("金额（元）", "Amount (yuan)"),
    "quantity": ("数量", "Quantity"),
    "unit": ("单位", "Unit"),
    "note": ("备注", "Note"),
    "batch": ("批次", "Batch"),
    "line_id": ("记录号", "Line"),
    "window": ("统计口径", "Window"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "unknown_host": ("（未填）", "(not given)"),
    # sheet names (at most 31 characters, no []:*?/\)
    "sheet_summary": ("汇总", "Summary"),
    "sheet_sessions": ("分场次", "Sessions"),
    "sheet_categories": ("分类别", "Categories"),
    "sheet_stalls": ("摊位", "Stalls"),
    "sheet_townships": ("承办乡镇", "Host townships"),
    "sheet_lines": ("原始记录", "Raw lines"),
    # chart titles
    "chart_revenue": ("每场收入：本期与同期", "Revenue per session: this season and last"),
    "chart_cumulative": ("累计收入曲线", "Cumulative revenue"),
    "chart_categories": ("收入类别占比", "Revenue by category: shares"),
    "chart_visits": ("每场游客人次：本期与同期", "Visits per session: this season and last"),
    "chart_stalls": ("收入居前的摊位", "Top stalls by revenue"),
    "axis_session": ("场次", "Session"),
    "axis_yuan": ("收入（万元）", "Revenue (10k yuan)"),
    "axis_visits": ("人次", "Visits"),
    "axis_share": ("占比（%）", "Share (%)"),
    "last_full": ("上季全季", "whole season"),
    "projection_point": ("全季预测", "Projected season total"),
    "no_compare": ("无可比上季", "no season to compare with"),
    "no_sales": ("本期无销售记录", "no sales recorded in this window"),
    "report_title": ("同期对比报告", "Season report"),
}

KIND_ZH = {"winter": "冬季", "spring": "春季", "summer": "夏季", "autumn": "秋季"}


def label(key: str, lang: str = "zh") -> str:
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


def _trim(value: Decimal) -> str:
    """Digits without a useless ``.0``: 3.0 → 3, 54.9 → 54.9."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def yuan_plain(fen: int) -> str:
    """Yuan without separators, decimals only when there are fen: 850050 → 8500.5."""
    return _trim(Decimal(fen) / 100)


def money_wan(fen: int, lang: str = "zh") -> str:
    """Revenue as a press release writes it: 54.9万元, or 8500元 under ten thousand."""
    if fen >= 1_000_000:
        return f"{wan(Decimal(fen) / 100)}万元"
    return f"{yuan_plain(fen)}元"


def times(multiple: Decimal | None, lang: str = "zh") -> str:
    """A ratio of 2 or more as a multiple: 3.7倍 / 3.7×; empty below 2 (``None``)."""
    if multiple is None:
        return ""
    return f"{multiple}倍" if lang == "zh" else f"{multiple}×"


def growth_text(value: Decimal | None, multiple: Decimal | None, lang: str = "zh") -> str:
    """Growth in percent, and as a multiple when the ratio is 2 or more: +270.9% (3.7倍)."""
    text = pct(value, signed=True)
    return f"{text} ({times(multiple, lang)})" if multiple is not None else text


def yuan_decimal(yuan: Decimal | None) -> str:
    """Yuan already exact to the fen (an average) as a column of money shows it: ¥15,795.08."""
    if yuan is None:
        return NA
    return f"¥{yuan.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def yuan_whole(fen: int) -> str:
    """An estimate in whole yuan (¥2,390,896): a projection to the fen claims a precision
    it does not have."""
    whole = (Decimal(fen) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"¥{whole:,}"


def visits_wan(visits: int) -> str:
    """Visits as a press release writes them: 3.0万, or 9100 under ten thousand."""
    return f"{wan(visits)}万" if visits >= 10_000 else str(visits)


def pct(value: Decimal | None, *, signed: bool = False) -> str:
    """Growth in percent (one decimal); n/a for nothing to compare."""
    if value is None:
        return NA
    text = format(value, "f")
    return f"{'+' if signed and value > 0 else ''}{text}%"


def share_pct(value: Decimal | None) -> str:
    """A fraction as a percentage with one decimal: 0.75774… → 75.8%."""
    if value is None:
        return NA
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def pp(value: Decimal | None, lang: str = "zh") -> str:
    if value is None:
        return NA
    sign = "+" if value > 0 else ""
    return f"{sign}{value}个百分点" if lang == "zh" else f"{sign}{value} pp"


def day(value: dt.date | None, lang: str = "zh") -> str:
    if value is None:
        return NA
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value.strftime('%B')} {value.year}"


def window_text(start: dt.date | None, end: dt.date | None, count: int, lang: str = "zh") -> str:
    """A window stated in words: 2025-11-22 至 2025-12-06，共3场."""
    if not count or start is None or end is None:
        return "无场次" if lang == "zh" else "no sessions"
    if lang == "zh":
        return f"{start.isoformat()} 至 {end.isoformat()}，共{count}场"
    plural = "session" if count == 1 else "sessions"
    return f"{start.isoformat()} to {end.isoformat()}, {count} {plural}"


def season_title(code: str, kind: str, lang: str = "zh") -> str:
    """2025-26冬季 / the 2025-26 winter season."""
    # a code that already names its kind ("2031-summer", "2025冬季") is not repeated
    if lang == "zh":
        named = KIND_ZH.get(kind, "")
        return code if named and named in code else f"{code}{named}"
    return f"the {code} season" if kind in code.casefold() else f"the {code} {kind} season"
