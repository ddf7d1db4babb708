"""The year report rendered: brief (zh/en), workbook and PNG charts.

The year of every season of every kind (四季) against the previous calendar year; each
output states both windows (1 January to 31 December, with the first and last session).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iddexi.money import fen_to_yuan, yuan_text
from iddexi.render.colours import LAST_COLOUR, THIS_COLOUR
from iddexi.render.labels import KIND_ZH, money_wan, pct, share_pct, visits_wan

if TYPE_CHECKING:
    from iddexi.analysis.year_model import YearFigures, YearReport

KIND_EN = {"winter": "winter", "spring": "spring", "summer": "summer", "autumn": "autumn"}


def _kind(kind: str, lang: str) -> str:
    return KIND_ZH.get(kind, kind) if lang == "zh" else KIND_EN.get(kind, kind)


def window_lines(report: YearReport, lang: str) -> list[str]:
    """Both windows in words: the calendar years and the sessions each holds."""
    lines = []
    for year, figures in ((report.year, report.this), (report.year - 1, report.last)):
        if lang == "zh":
            held = (
                f"共{figures.seasons}季{figures.sessions}场（{figures.first} 至 {figures.last}）"
                if figures.sessions
                else "无场次"
            )
            lines.append(f"{year}年：{year}-01-01 至 {year}-12-31 的场次，{held}")
        else:
            held = (
                f"{_plural(figures.sessions, 'session')} of {_plural(figures.seasons, 'season')}"
                f" ({figures.first} to {figures.last})"
                if figures.sessions
                else "no sessions"
            )
            lines.append(f"{year}: sessions from {year}-01-01 to {year}-12-31, {held}")
    return lines


# --- brief ---------------------------------------------------------------------------


def _change_zh(growth: Decimal | None) -> str:
    if growth is None:
        return ""
    if growth > 0:
        return f"增长{growth}%"
    if growth < 0:
        return f"下降{-growth}%"
    return "持平"


def _visits_zh(figures: YearFigures) -> str:
    if figures.uncounted == figures.sessions:
        return "未统计游客人次，"
    note = f"（{figures.uncounted}场未统计人次）" if figures.uncounted else ""
    return f"吸引游客{visits_wan(figures.visitors)}人次{note}，"


def year_brief(report: YearReport, lang: str = "zh") -> str:
    return _zh(report) if lang == "zh" else _en(report)


def _zh(report: YearReport) -> str:
    this, last, growth, year = report.this, report.last, report.growth, report.year
    kinds = "、".join(_kind(k.kind, "zh") for k in report.kinds if k.this.sessions)
    text = (
        f"{year}年，大集共开展{this.seasons}季（{kinds}）{this.sessions}场，"
        f"{_visits_zh(this)}实现旅游收入{money_wan(this.revenue_fen)}"
    )
    notes = []
    if last.revenue_fen:
        text += f"，较{year - 1}年{money_wan(last.revenue_fen)}{_change_zh(growth.revenue_pct)}"
        if growth.revenue_multiple is not None:
            notes.append(f"约为{year - 1}年的{growth.revenue_multiple}倍")
    else:
        text += f"，{year - 1}年无收入记录，不作比较"
    if last.sessions and this.sessions != last.sessions:
        notes.append(f"{year}年{this.sessions}场、{year - 1}年{last.sessions}场")
    if notes:
        text += f"（{'；'.join(notes)}）"
    text += "。"
    if this.herder_fen:
        text += (
            f"当年带动牧户摊位营收{money_wan(this.herder_fen)}，"
            f"占总收入的{share_pct(this.herder_share)}"
        )
        if last.herder_fen:
            text += f"，较{year - 1}年{_change_zh(growth.herder_revenue_pct)}"
            if growth.herder_revenue_multiple is not None:
                text += f"（约为{year - 1}年的{growth.herder_revenue_multiple}倍）"
        text += "。"
    parts = [
        f"{_kind(k.kind, 'zh')}{money_wan(k.this.revenue_fen)}"
        for k in report.kinds
        if k.this.sessions
    ]
    if len(parts) > 1:
        text += f"分季节看，{'，'.join(parts)}。"
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _en(report: YearReport) -> str:
    this, last, growth, year = report.this, report.last, report.growth, report.year
    kinds = ", ".join(_kind(k.kind, "en") for k in report.kinds if k.this.sessions)
    text = (
        f"In {year} the market held {_plural(this.sessions, 'session')} in"
        f" {_plural(this.seasons, 'season')} ({kinds})"
    )
    if this.uncounted == this.sessions:
        text += " (visitors not counted)"
    else:
        note = f" ({_plural(this.uncounted, 'session')} not counted)" if this.uncounted else ""
        text += f", drawing {this.visitors:,} visits{note},"
    text += f" and took tourism revenue of {yuan_text(this.revenue_fen)}"
    if last.revenue_fen:
        change = growth.revenue_pct
        assert change is not None
        verb = (
            f"up {change}% on"
            if change > 0
            else f"down {-change}% on"
            if change < 0
            else "level with"
        )
        text += f", {verb} {yuan_text(last.revenue_fen)} in {year - 1}"
        if growth.revenue_multiple is not None:
            text += f" ({growth.revenue_multiple} times as much)"
    else:
        text += f"; {year - 1} recorded no revenue to compare with"
    if last.sessions and this.sessions != last.sessions:
        text += f" ({_plural(this.sessions, 'session')} against {last.sessions})"
    text += "."
    if this.herder_fen:
        text += (
            f" Herder-run stalls took {yuan_text(this.herder_fen)}"
            f" ({share_pct(this.herder_share)} of the revenue)"
        )
        if last.herder_fen and growth.herder_revenue_pct is not None:
            text += f", {pct(growth.herder_revenue_pct, signed=True)} on {year - 1}"
            if growth.herder_revenue_multiple is not None:
                text += f" ({growth.herder_revenue_multiple} times as much)"
        text += "."
    return text


# --- workbook ------------------------------------------------------------------------

_HEAD = {
    "zh": ("季", "名称", "类型", "场次", "未统计人次场次", "游客（人次）", "收入（元）", "牧户摊位收入（元）", "首场", "末场"),
    "en": ("Season", "Name", "Kind", "Sessions", "Uncounted", "Visits", "Revenue (yuan)", "Herder stalls (yuan)", "First", "Last"),
}  # fmt: skip


def write_year_workbook(report: YearReport, path: Path, lang: str = "zh") -> Path:
    from openpyxl import Workbook

    from iddexi.render.xlsx_sheet import (
        COUNT,
        DATE,
        PERCENT,
        TIMES_EN,
        TIMES_ZH,
        YUAN,
        SheetWriter,
    )

    zh = lang == "zh"
    # write-only, as the season workbook: SheetWriter writes its rows in one pass
    wb = Workbook(write_only=True)
    wb.properties.creator = "iddexi"
    sheet = SheetWriter(wb.create_sheet("全年汇总" if zh else "Year"))
    sheet.note(
        f"{report.year}年四季报告" if zh else f"The market's year {report.year}",
        bold=True,
    )
    for line in window_lines(report, lang):
        sheet.note(line)
    sheet.blank()
    heads = (
        ("指标", f"{report.year}年", f"{report.year - 1}年", "同比", "倍数")
        if zh
        else ("Measure", str(report.year), str(report.year - 1), "Growth", "Multiple")
    )
    sheet.header(list(heads))
    g = report.growth
    rows = [
        (("场次", "Sessions"), report.this.sessions, report.last.sessions, None, None, COUNT),
        (("未统计人次的场次", "Sessions without a visitor count"), report.this.uncounted, report.last.uncounted, None, None, COUNT),
        (("游客（人次）", "Visits"), report.this.visitors, report.last.visitors, g.visitors_pct, g.visitors_multiple, COUNT),
        (("收入（元）", "Revenue (yuan)"), fen_to_yuan(report.this.revenue_fen), fen_to_yuan(report.last.revenue_fen), g.revenue_pct, g.revenue_multiple, YUAN),
        (("牧户摊位收入（元）", "Herder stalls' revenue (yuan)"), fen_to_yuan(report.this.herder_fen), fen_to_yuan(report.last.herder_fen), g.herder_revenue_pct, g.herder_revenue_multiple, YUAN),
    ]  # fmt: skip
    times = TIMES_ZH if zh else TIMES_EN
    for names, mine, theirs, growth, multiple, fmt in rows:
        sheet.write(
            [
                names[0] if zh else names[1],
                mine,
                theirs,
                None if growth is None else growth / 100,
                multiple,
            ],
            [None, fmt, fmt, PERCENT, times],
        )
    sheet.blank()
    sheet.header(
        [
            "类型",
            f"{report.year}年收入（元）",
            f"{report.year - 1}年收入（元）",
            "同比",
            "牧户摊位收入（元）",
        ]
        if zh
        else [
            "Kind",
            f"Revenue {report.year}",
            f"Revenue {report.year - 1}",
            "Growth",
            "Herder stalls",
        ],
        freeze=False,
    )
    for row in report.kinds:
        growth = row.growth.revenue_pct
        sheet.write(
            [
                _kind(row.kind, lang),
                fen_to_yuan(row.this.revenue_fen),
                fen_to_yuan(row.last.revenue_fen),
                None if growth is None else growth / 100,
                fen_to_yuan(row.this.herder_fen),
            ],
            [None, YUAN, YUAN, PERCENT, YUAN],
        )
    sheet.blank()
    sheet.paragraph(year_brief(report, lang), 5)
    sheet.finish()

    for title, rows_ in (
        ((f"{report.year}年分季", f"Seasons {report.year}"), report.seasons),
        ((f"{report.year - 1}年分季", f"Seasons {report.year - 1}"), report.last_seasons),
    ):
        seasons = SheetWriter(wb.create_sheet(title[0] if zh else title[1]))
        seasons.header(list(_HEAD[lang]))
        for r in rows_:
            seasons.write(
                [r.season, r.name or "", _kind(r.kind, lang), r.sessions, r.uncounted, r.visitors,
                 fen_to_yuan(r.revenue_fen), fen_to_yuan(r.herder_fen), r.first, r.last],
                [None, None, None, COUNT, COUNT, COUNT, YUAN, YUAN, DATE, DATE],
            )  # fmt: skip
        seasons.finish()
    wb.save(path)
    return path


# --- charts --------------------------------------------------------------------------


def write_year_charts(
    report: YearReport,
    out_dir: Path,
    stem: str,
    lang: str = "zh",
    drawn: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Revenue and herder revenue by kind, this year against the previous one.

    ``drawn(done, total)`` is called after each chart.
    """
    from matplotlib.figure import Figure

    from iddexi.render.charts import DPI, SIZE_IN, _save_png
    from iddexi.render.fonts import apply_cjk_font

    apply_cjk_font()
    zh = lang == "zh"
    paths = []
    for key, title, pick in (
        ("revenue", ("分季节收入", "Revenue by season kind"), lambda f: f.revenue_fen),
        ("herders", ("分季节牧户摊位收入", "Herder stalls' revenue by season kind"), lambda f: f.herder_fen),
    ):  # fmt: skip
        fig = Figure(figsize=SIZE_IN, dpi=DPI, facecolor="white")
        ax = fig.subplots()
        fig.subplots_adjust(top=0.78, bottom=0.12)
        fig.text(0.5, 0.97, title[0] if zh else title[1], fontsize=20, ha="center", va="top")
        fig.text(
            0.5,
            0.9,
            "\n".join(window_lines(report, lang)),
            fontsize=11,
            ha="center",
            va="top",
            color="#444444",
        )
        _bars(ax, report, lang, pick)
        path = Path(out_dir) / f"{stem}-{key}.png"
        _save_png(fig, path)
        paths.append(path)
        if drawn is not None:
            drawn(len(paths), 2)
    return paths


def _bars(ax: Any, report: YearReport, lang: str, pick: Any) -> None:
    names = [_kind(row.kind, lang) for row in report.kinds]
    xs = list(range(len(names)))
    width = 0.38
    this = [float(Decimal(pick(row.this)) / 1_000_000) for row in report.kinds]
    last = [float(Decimal(pick(row.last)) / 1_000_000) for row in report.kinds]
    mine = ax.bar(
        [x - width / 2 for x in xs], this, width, color=THIS_COLOUR, label=str(report.year)
    )
    theirs = ax.bar(
        [x + width / 2 for x in xs], last, width, color=LAST_COLOUR, label=str(report.year - 1)
    )
    ax.bar_label(mine, labels=[f"{v:.1f}" for v in this], padding=3, fontsize=11)
    ax.bar_label(theirs, labels=[f"{v:.1f}" for v in last], padding=3, fontsize=11)
    ax.set_xticks(xs, names)
    ax.set_ylabel("收入（万元）" if lang == "zh" else "Revenue (10k yuan)", fontsize=13)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=12, frameon=False)
