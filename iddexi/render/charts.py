"""PNG charts for slides and WeChat posts: 12 × 6.75 in at 150 dpi (1800 × 1012 px).

This season is always drawn in :data:`THIS_COLOUR`, last season in :data:`LAST_COLOUR`,
in every chart (and in the workbook's native charts). Each title states the two windows
compared. Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot,
no global state), with a CJK font so Chinese labels render (see :mod:`fonts`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iddexi.ledger.values import shown
from iddexi.money import format_yuan
from iddexi.render.colours import LAST_COLOUR, PROJECTION_COLOUR, THIS_COLOUR
from iddexi.render.labels import label, share_pct, wan, window_text
from iddexi.render.xlsx_sheet import display_width

if TYPE_CHECKING:
    from iddexi.analysis.report_model import SeasonReport

SIZE_IN = (12, 6.75)
DPI = 150
CHARTS = ("revenue", "cumulative", "categories", "visits", "stalls")
#: Longest tick label, in display columns; longer stall names are cut with an ellipsis.
MAX_LABEL = 36


def _safe(text: str) -> str:
    """User text as literal text: a ``$`` would otherwise start matplotlib's mathtext, and
    a direction override or control character (escaped here) would reorder a label."""
    return "\n".join(shown(line) for line in text.split("\n")).replace("$", r"\$")


def _short(text: str, limit: int = MAX_LABEL) -> str:
    """A label cut to ``limit`` display columns (CJK counts two), with an ellipsis."""
    if display_width(text) <= limit:
        return text
    while display_width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _margins(fig: Any, labels: list[str]) -> None:
    """Room on the left for the longest tick label (12 pt: a CJK character is 1/6 in)."""
    widest = max((display_width(t) for t in labels), default=4)
    left_in = max(1.0, widest / 12 + 0.55)
    width, height = SIZE_IN
    fig.subplots_adjust(
        left=left_in / width, right=1 - 0.35 / width, top=1 - 1.35 / height, bottom=0.9 / height
    )


def _wan(fen: int) -> float:
    # a float only to place a bar on screen; the figures written on the chart are exact
    return float(Decimal(fen) / 1_000_000)


def _windows_lines(report: SeasonReport, lang: str) -> str:
    """The two windows compared, one line each, for every chart's subtitle."""
    w, c = report.window, report.compare_window
    this = f"{report.season.code}  {window_text(w.start, w.end, w.count, lang)}"
    zh = lang == "zh"
    first = (
        f"本期：{this}（截至 {report.as_of}）"
        if zh
        else f"This season: {this} (as of {report.as_of})"
    )
    if report.compare is None:
        return f"{first}\n{label('no_compare', lang)}"
    last = f"{report.compare.code}  {window_text(c.start, c.end, c.count, lang)}"
    if report.align in ("date", "week"):
        by = {"date": ("日期", "date"), "week": ("星期", "week")}[report.align]
        how = (
            f"按{by[0]}对齐：截至 {report.compare_as_of}"
            if zh
            else f"aligned by {by[1]}: up to {report.compare_as_of}"
        )
    else:
        how = f"按场次对齐：前{w.count}场" if zh else f"aligned by session: first {w.count}"
    if report.unequal_windows:
        how += "；场次不等" if zh else "; unequal windows"
    if zh:
        second = f"{'同期' if report.same_period else '对比'}：{last}（{how}）"
    else:
        second = (
            f"{'Same period last season' if report.same_period else 'Compared'}: {last} ({how})"
        )
    return f"{first}\n{second}"


def _figure(report: SeasonReport, key: str, lang: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    # Fixed margins (see _margins) rather than a layout engine: a third of the drawing time.
    fig = Figure(figsize=SIZE_IN, dpi=DPI, facecolor="white")
    ax = fig.subplots()
    height = SIZE_IN[1]
    fig.text(
        0.5,
        1 - 0.15 / height,
        _safe(label(f"chart_{key}", lang)),
        fontsize=20,
        ha="center",
        va="top",
    )
    fig.text(
        0.5,
        1 - 0.6 / height,
        _safe(_windows_lines(report, lang)),
        fontsize=12,
        ha="center",
        va="top",
        color="#444444",
        linespacing=1.4,
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=12)
    return fig, ax


def _session_labels(report: SeasonReport, lang: str) -> list[str]:
    """第k场 and the dates of both sessions; stacked when many sessions share the axis."""
    names = []
    joint = "\n" if len(report.sessions) > 6 else " / "
    for pair in report.sessions:
        head = f"第{pair.number}场" if lang == "zh" else f"#{pair.number}"
        dates = joint.join(
            s.date.strftime("%m-%d") for s in (pair.this, pair.last) if s is not None
        )
        names.append(f"{head}\n{dates}")
    return names


def _legend_names(report: SeasonReport, lang: str) -> tuple[str, str]:
    last = report.compare.code if report.compare else ""
    if lang == "zh":
        return f"本期 {report.season.code}", f"{'同期' if report.same_period else '对比'} {last}"
    return f"This season {report.season.code}", (
        f"Last season {last}" if report.same_period else f"Compared {last}"
    )


def _paired_bars(
    ax: Any,
    report: SeasonReport,
    lang: str,
    this: list,
    last: list,
    fmt: Callable[[float | int], str],
) -> None:  # noqa: E501
    width = 0.38
    xs = list(range(len(report.sessions)))
    this_name, last_name = _legend_names(report, lang)
    bars = ax.bar(
        [x - width / 2 for x in xs],
        [v or 0 for v in this],
        width,
        color=THIS_COLOUR,
        label=this_name,
    )
    _label_bars(ax, bars, this, fmt)
    if report.compare is not None:
        bars = ax.bar(
            [x + width / 2 for x in xs],
            [v or 0 for v in last],
            width,
            color=LAST_COLOUR,
            label=last_name,
        )
        _label_bars(ax, bars, last, fmt)
    ax.set_xticks(xs, _session_labels(report, lang))
    # headroom above the tallest bar for the legend (a fixed place: "best" is slow)
    tallest = max([v or 0 for v in this + last], default=0)
    ax.set_ylim(0, tallest * 1.22 if tallest else 1)
    ax.legend(fontsize=12, frameon=False, loc="upper right", ncols=2)


def _label_bars(ax: Any, bars: Any, values: list, fmt: Callable[[Any], str]) -> None:
    size = 11 if len(values) <= 6 else 9  # narrow bars, smaller figures
    for bar, value in zip(bars, values, strict=True):
        if value is None:
            continue
        ax.annotate(
            fmt(value),
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=size,
            xytext=(0, 3),
            textcoords="offset points",
        )


def _revenue(report: SeasonReport, lang: str, ax: Any) -> None:
    this = [None if p.this_fen is None else _wan(p.this_fen) for p in report.sessions]
    last = [None if p.last_fen is None else _wan(p.last_fen) for p in report.sessions]
    _paired_bars(ax, report, lang, this, last, lambda v: f"{v:.1f}")
    ax.set_ylabel(label("axis_yuan", lang), fontsize=13)


def _visits(report: SeasonReport, lang: str, ax: Any) -> None:
    this = [p.this.visitors if p.this else None for p in report.sessions]
    last = [p.last.visitors if p.last else None for p in report.sessions]
    _paired_bars(ax, report, lang, this, last, lambda v: f"{v:,}")
    ax.set_ylabel(label("axis_visits", lang), fontsize=13)
    ax.yaxis.set_major_formatter("{x:,.0f}")


def _cumulative(report: SeasonReport, lang: str, ax: Any) -> None:
    this_name, last_name = _legend_names(report, lang)
    mine = [p for p in report.this_curve if p.date <= report.as_of]
    ax.plot(
        [p.number for p in mine],
        [_wan(p.cumulative_fen) for p in mine],
        color=THIS_COLOUR,
        marker="o",
        linewidth=3,
        label=this_name,
    )
    if mine:
        end = mine[-1]
        ax.annotate(
            f"{wan(Decimal(end.cumulative_fen) / 100)}",
            (end.number, _wan(end.cumulative_fen)),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=12,
            color=THIS_COLOUR,
        )
    if report.last_curve:
        theirs = report.last_curve
        theirs_name = report.compare.code if report.compare else last_name
        ax.plot(
            [p.number for p in theirs],
            [_wan(p.cumulative_fen) for p in theirs],
            color=LAST_COLOUR,
            marker="o",
            linewidth=2,
            linestyle="--",
            label=f"{theirs_name}（{label('last_full', lang)}）"
            if lang == "zh"
            else f"{theirs_name} ({label('last_full', lang)})",
        )
        k = report.compare_window.count
        if k:
            point = theirs[k - 1]
            ax.scatter(
                [point.number],
                [_wan(point.cumulative_fen)],
                s=160,
                facecolors="none",
                edgecolors=LAST_COLOUR,
                linewidths=2,
                zorder=5,
            )
    if report.projection is not None and report.last_curve:
        x = report.season.planned_sessions or max(len(report.last_curve), len(mine))
        y = _wan(report.projection.season_total_fen)
        ax.plot(
            [mine[-1].number, x],
            [_wan(mine[-1].cumulative_fen), y],
            color=PROJECTION_COLOUR,
            linestyle=":",
            linewidth=2,
        )
        total = wan(Decimal(report.projection.season_total_fen) / 100)
        p = report.projection
        text = f"{label('projection_point', lang)} {total}"
        text += "万元（预测值）" if lang == "zh" else " (10k yuan, a projection)"
        text += (
            f"\n按场次对齐：本季{p.sessions_this}场、上季共{p.sessions_last}场，计划{p.planned}场"
            if lang == "zh"
            else f"\nby session: {p.sessions_this} held, last season {p.sessions_last},"
            f" {p.planned} planned"
        )
        ax.scatter(
            [x],
            [y],
            marker="D",
            s=80,
            color=PROJECTION_COLOUR,
            zorder=5,
            label=label("projection_point", lang),
        )
        ax.annotate(
            text,
            (x, y),
            xytext=(-8, 8),
            textcoords="offset points",
            ha="right",
            fontsize=12,
            color="#A04000",
        )
    ax.set_xlabel(label("axis_session", lang), fontsize=13)
    ax.set_ylabel(label("axis_yuan", lang), fontsize=13)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=12, frameon=False, loc="upper left")
    ax.set_ylim(bottom=0)


def _nothing_sold(lang: str, ax: Any) -> list[str]:
    """An empty chart says so, rather than showing a bare frame."""
    ax.text(0.5, 0.5, label("no_sales", lang), transform=ax.transAxes, ha="center", fontsize=16)
    ax.set_xticks([])
    ax.set_yticks([])
    return []


def _categories(report: SeasonReport, lang: str, ax: Any) -> list[str]:
    rows = report.categories
    if not any(r.this_fen or r.last_fen for r in rows):
        return _nothing_sold(lang, ax)
    names = [_safe(_short(report.category_label(r.code, lang))) for r in rows][::-1]
    this = [float((r.this_share or 0) * 100) for r in rows][::-1]
    last = [float((r.last_share or 0) * 100) for r in rows][::-1]
    ys = list(range(len(rows)))
    this_name, last_name = _legend_names(report, lang)
    height = 0.38
    bars = ax.barh([y + height / 2 for y in ys], this, height, color=THIS_COLOUR, label=this_name)
    labels = [share_pct(r.this_share) for r in rows][::-1]
    ax.bar_label(bars, labels=labels, padding=4, fontsize=11)
    if report.compare is not None:
        bars = ax.barh(
            [y - height / 2 for y in ys], last, height, color=LAST_COLOUR, label=last_name
        )
        ax.bar_label(
            bars, labels=[share_pct(r.last_share) for r in rows][::-1], padding=4, fontsize=11
        )
    ax.set_yticks(ys, names)
    ax.set_xlabel(label("axis_share", lang), fontsize=13)
    ax.legend(fontsize=12, frameon=False, loc="lower right")
    ax.margins(x=0.12)
    return names


def _stalls(report: SeasonReport, lang: str, ax: Any) -> list[str]:
    rows = report.top_stalls[::-1]
    if not any(r.this_fen for r in rows):
        return _nothing_sold(lang, ax)
    names = [
        _safe(_short(r.name) + (f"（{r.code}）" if lang == "zh" else f" ({r.code})")) for r in rows
    ]
    bars = ax.barh(
        range(len(rows)),
        [_wan(r.this_fen) for r in rows],
        color=THIS_COLOUR,
        label=_legend_names(report, lang)[0],
    )
    ax.bar_label(bars, labels=[format_yuan(r.this_fen) for r in rows], padding=4, fontsize=11)
    ax.set_yticks(range(len(rows)), names)
    ax.set_xlabel(label("axis_yuan", lang), fontsize=13)
    ax.margins(x=0.12)
    return names


_DRAW: dict[str, Callable[[SeasonReport, str, Any], list[str] | None]] = {
    "revenue": _revenue,
    "cumulative": _cumulative,
    "categories": _categories,
    "visits": _visits,
    "stalls": _stalls,
}


def write_charts(
    report: SeasonReport,
    out_dir: Path,
    stem: str,
    lang: str = "zh",
    drawn: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Draw every chart of the report as ``{stem}-{chart}.png`` in ``out_dir``.

    ``drawn(done, total)`` is called after each chart.
    """
    from iddexi.render.fonts import apply_cjk_font

    apply_cjk_font()
    paths = []
    for key in CHARTS:
        fig, ax = _figure(report, key, lang)
        _margins(fig, _DRAW[key](report, lang, ax) or [])
        path = Path(out_dir) / f"{stem}-{key}.png"
        _save_png(fig, path)
        paths.append(path)
        if drawn is not None:
            drawn(len(paths), len(CHARTS))
    return paths


def _save_png(fig: Any, path: Path) -> None:
    """Draw on the Agg canvas and write an RGB PNG with fast zlib.

    Equivalent to ``fig.savefig(path)`` on a white figure, but without the alpha channel
    and with compression level 1: files a little larger, written in half the time.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.convert("RGB").save(path, "PNG", compress_level=1, dpi=(DPI, DPI))
