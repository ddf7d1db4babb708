"""The press brief: the headline paragraph of a season report, as a bureau would write it.

截至2025年12月6日，2025—2026 伊德喜冬储肉大集（冬季）已举办3场，吸引游客3.0万人次（全数清点），
实现旅游收入54.9万元，较2024年同期14.8万元增长270.9%（约为同期的3.7倍；本期3场、同期2场）……

Every number comes from the report; only the wording is made here. 同期 ("the same
period") is said only against the previous season of the same kind; any other season
compared is named ("较2025夏季"), and so is an unequal number of sessions in the two
windows ("本期3场、同期2场").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from iddexi.analysis.figures import COUNT_METHODS, MEAT
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
    from iddexi.analysis.figures import WindowFigures
    from iddexi.analysis.report_model import SeasonReport

# "unstated": a session counted without saying how; named too, so the parts add up to
# the sessions counted (已举办5场…（1场全数清点、2场估算、2场未注明统计方式）)
STATED = (*COUNT_METHODS, "unstated")
METHOD_ZH = {
    "full": "全数清点",
    "sample": "抽样估算",
    "estimate": "估算",
    "unstated": "未注明统计方式",
}
METHOD_EN = {
    "full": "counted in full",
    "sample": "sampled",
    "estimate": "estimated",
    "unstated": "counted with no method stated",
}


def brief_text(report: SeasonReport, lang: str = "zh") -> str:
    """The headline paragraph in Chinese (``zh``) or English (``en``)."""
    return _zh(report) if lang == "zh" else _en(report)


def _market_zh(kind: str) -> str:
    # a season without a name is called by its kind: the market's own name belongs in
    # the season's name (`season add --name`), since one ledger may keep several markets
    return "冬储肉大集" if kind == "winter" else "大集"


def _calendar_year(report: SeasonReport) -> int | None:
    """The year of "the same period of 2024", when last season's window lies in one year."""
    window = report.compare_window
    if report.compare_as_of is None or window.start is None:
        return None
    years = {window.start.year, report.compare_as_of.year}
    return years.pop() if len(years) == 1 else None


def _compare_name(report: SeasonReport) -> str:
    assert report.compare is not None
    return report.compare.name or season_title(report.compare.code, report.compare.kind)


def _period_zh(report: SeasonReport) -> str:
    """What the comparison is called: 2024年同期, 上季（2024-25）同期, 2025夏季前3场 …"""
    assert report.compare is not None
    if report.align == "session":
        who = f"上季（{report.compare.code}）" if report.same_period else _compare_name(report)
        return f"{who}前{report.compare_window.count}场"
    if not report.same_period:
        return _compare_name(report)
    year = _calendar_year(report)
    if year is not None:
        return f"{year}年同期"
    return f"上季（{report.compare.code}）同期"


def _other_zh(report: SeasonReport) -> str:
    """The comparison window in short, after 本期: 同期, or the compared season's name."""
    return "同期" if report.same_period else _compare_name(report)


def _unequal_zh(report: SeasonReport) -> str:
    if not report.unequal_windows:
        return ""
    return f"本期{report.window.count}场、{_other_zh(report)}{report.compare_window.count}场"


def _compare_zh(report: SeasonReport) -> str:
    if report.compare is None:
        return ""
    period = _period_zh(report)
    unequal = _unequal_zh(report)
    last = report.last.revenue_fen
    if last == 0:
        note = f"（{unequal}）" if unequal else ""
        return f"，{period}无收入记录{note}，不作比较"
    growth = report.growth.revenue_pct
    assert growth is not None
    text = f"，较{period}{money_wan(last)}"
    if growth > 0:
        text += f"增长{growth}%"
    elif growth < 0:
        text += f"下降{-growth}%"
    else:
        text += "持平"
    notes = []
    if report.growth.revenue_multiple is not None:
        notes.append(f"约为{_other_zh(report)}的{report.growth.revenue_multiple}倍")
    if unequal:
        notes.append(unequal)
    if notes:
        text += f"（{'；'.join(notes)}）"
    return text


def _methods(figures: WindowFigures) -> dict[str, int]:
    """Sessions by counting method; those with none stated are named only beside a stated
    one (where leaving them out would make the parts fall short of the whole)."""
    methods = {m: n for m, n in figures.count_methods.items() if m in STATED}
    return {} if set(methods) == {"unstated"} else methods


def _methods_zh(figures: WindowFigures) -> str:
    methods = _methods(figures)
    if len(methods) == 1 and sum(figures.count_methods.values()) == next(iter(methods.values())):
        return METHOD_ZH[next(iter(methods))]
    return "、".join(f"{n}场{METHOD_ZH[m]}" for m, n in methods.items())


def _visitors_zh(report: SeasonReport) -> str:
    this = report.this
    none_counted = this.visitors_missing == this.sessions
    notes = [text for text in (_methods_zh(this),) if text]
    if this.visitors_missing and not none_counted:
        notes.append(f"{this.visitors_missing}场未统计人次")
    if report.compare is not None and report.last.visitors_missing:
        notes.append(f"{_other_zh(report)}{report.last.visitors_missing}场未统计人次")
    note = f"（{'；'.join(notes)}）" if notes else ""
    if none_counted:
        return f"未统计游客人次{note}，"
    return f"吸引游客{visits_wan(this.visitors)}人次{note}，"


def _title_zh(report: SeasonReport) -> str:
    season = report.season
    if season.name:
        return season.name
    return f"{season_title(season.code, season.kind)}{_market_zh(season.kind)}"


def _herders_zh(report: SeasonReport) -> str:
    back = report.returning
    if back is None or not back.herder_count or report.compare is None:
        return ""
    growth = back.herder_average_pct
    now, then = back.herder_average_this_yuan, back.herder_average_last_yuan
    assert now is not None and then is not None
    now_text, then_text, gain_text = _per_stall_zh(_fen(now), _fen(then), _fen(now - then))
    text = (
        f"两期均有销售的{back.herder_count}个牧户摊位户均收入{now_text}，"
        f"较{_other_zh(report)}户均{then_text}"
    )
    if growth is None or growth == 0:
        return text + ("。" if growth is None else "持平。")
    if growth > 0:
        times = back.herder_average_multiple
        note = f"（约为{_other_zh(report)}的{times}倍）" if times is not None else ""
        return text + f"增长{growth}%{note}，牧民户均增收{gain_text}。"
    return text + f"下降{-growth}%。"


def _per_stall_zh(*fen: int) -> tuple[str, ...]:
    """Averages per stall side by side in one unit, as a press release compares them:
    万元 with one decimal once any reaches ten thousand (1.6万元 against 0.6万元), else
    whole yuan (5,877元): an average to the fen is precision no one counted."""
    if max(abs(f) for f in fen) >= 1_000_000:
        return tuple(f"{wan(Decimal(f) / 100)}万元" for f in fen)
    whole = (Decimal(f) / 100 for f in fen)
    return tuple(f"{y.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}元" for y in whole)


def _fen(yuan: Decimal) -> int:
    return int(yuan * 100)


def _zh(report: SeasonReport) -> str:
    this = report.this
    text = f"截至{day(report.as_of)}，{_title_zh(report)}已举办{this.sessions}场，"
    text += _visitors_zh(report)
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
            text += f"，占比较{_other_zh(report)}{verb}{abs(change)}个百分点"
    text += "。"
    if this.herder_fen:
        text += (
            f"牧户经营的摊位实现收入{money_wan(this.herder_fen)}，"
            f"占总收入的{share_pct(this.herder_share)}。"
        )
    text += _herders_zh(report)
    return text


# --- English -------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _period_en(report: SeasonReport) -> str:
    assert report.compare is not None
    code = report.compare.code
    if report.align == "session":
        count = report.compare_window.count
        first = "the first session" if count == 1 else f"the first {count} sessions"
        return f"{first} of {'last season, ' if report.same_period else ''}{code}"
    if not report.same_period:
        return f"{season_title(code, report.compare.kind, 'en')} up to {report.compare_as_of}"
    year = _calendar_year(report)
    if year is not None:
        return f"the same period of {year}"
    return f"the same period last season ({code})"


def _compare_en(report: SeasonReport) -> str:
    if report.compare is None:
        return ""
    period = _period_en(report)
    unequal = (
        f"{_plural(report.window.count, 'session')} against {report.compare_window.count}"
        if report.unequal_windows
        else ""
    )
    last = report.last.revenue_fen
    if last == 0:
        note = f" ({unequal})" if unequal else ""
        return f"; {period} recorded no revenue to compare with{note}"
    growth = report.growth.revenue_pct
    assert growth is not None
    if growth > 0:
        text = f", up {growth}% on {yuan_text(last)} in {period}"
    elif growth < 0:
        text = f", down {-growth}% on {yuan_text(last)} in {period}"
    else:
        text = f", level with {yuan_text(last)} in {period}"
    notes = []
    if report.growth.revenue_multiple is not None:
        notes.append(f"{report.growth.revenue_multiple} times as much")
    if unequal:
        notes.append(unequal)
    if notes:
        text += f" ({'; '.join(notes)})"
    return text


def _visitors_en(report: SeasonReport) -> str:
    this = report.this
    if this.visitors_missing == this.sessions:
        return " (visitors not counted)"
    methods = _methods(this)
    notes = []
    if len(methods) == 1 and sum(this.count_methods.values()) == next(iter(methods.values())):
        notes.append(METHOD_EN[next(iter(methods))])
    elif methods:
        notes.append(", ".join(f"{n} {METHOD_EN[m]}" for m, n in methods.items()))
    if this.visitors_missing:
        notes.append(f"{_plural(this.visitors_missing, 'session')} not counted")
    if report.compare is not None and report.last.visitors_missing:
        missing = _plural(report.last.visitors_missing, "session")
        notes.append(f"{missing} of the period compared not counted")
    note = f" ({'; '.join(notes)})" if notes else ""
    return f", drawing {this.visitors:,} visits{note},"


def _herders_en(report: SeasonReport) -> str:
    back = report.returning
    if back is None or not back.herder_count:
        return ""
    now, then = back.herder_average_this_yuan, back.herder_average_last_yuan
    assert now is not None and then is not None
    growth = back.herder_average_pct
    stalls = _plural(back.herder_count, "herder-run stall")
    text = (
        f" The {stalls} that sold in both periods took {yuan_text(_fen(now))} each on average,"
        f" against {yuan_text(_fen(then))}"
    )
    if growth is None or growth == 0:
        return text + "."
    if growth < 0:
        return text + f", down {-growth}%."
    times = back.herder_average_multiple
    return text + f", up {growth}%" + (f" ({times} times as much)." if times is not None else ".")


def _en(report: SeasonReport) -> str:
    this = report.this
    text = (
        f"As of {day(report.as_of, 'en')}, "
        f"{season_title(report.season.code, report.season.kind, 'en')}"
        f" of the market had held {_plural(this.sessions, 'session')}"
    )
    text += _visitors_en(report)
    text += f" and taken tourism revenue of {yuan_text(this.revenue_fen)}{_compare_en(report)}."
    meat = this.category_fen(MEAT)
    if meat:
        text += (
            f" {report.category_label(MEAT, 'en')} sold {yuan_text(meat)},"
            f" {share_pct(this.meat_share)} of the revenue"
        )
        change = report.growth.meat_share_pp
        if change is not None and change != 0:
            more = "more" if change > 0 else "less"
            text += f", {abs(change)} percentage points {more} than in {_period_en(report)}"
        text += "."
    if this.herder_fen:
        text += (
            f" Herder-run stalls took {yuan_text(this.herder_fen)}"
            f" ({share_pct(this.herder_share)} of the revenue)."
        )
    text += _herders_en(report)
    return text
