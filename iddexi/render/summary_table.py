"""The season report's headline figures as tables for people (terminal and web page).

One place decides what a person sees of a report at a glance, so the command line and
the bureau's page never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from iddexi.i18n import _

if TYPE_CHECKING:
    from iddexi.analysis.report_model import SeasonReport


class SummaryTable(NamedTuple):
    title: str
    columns: list[str]
    rows: list[tuple]
    numeric: list[str]


def summary_tables(report: SeasonReport, lang: str) -> list[SummaryTable]:
    """The headline figures of both windows, and the categories, as tables for people:
    the terminal prints them, the bureau's web page shows them."""
    from iddexi.ledger.values import format_yuan
    from iddexi.render.labels import (
        growth_text,
        label,
        pct,
        pp,
        share_pct,
        window_text,
        yuan_decimal,
        yuan_whole,
    )

    this, last, growth = report.this, report.last, report.growth
    has_last = report.compare is not None
    w, c = report.window, report.compare_window
    title = f"{report.season.code}: {window_text(w.start, w.end, w.count, lang)}"
    if has_last:
        assert report.compare is not None
        title += f"  vs  {report.compare.code}: {window_text(c.start, c.end, c.count, lang)}"
        how = (
            {"date": "按日期对齐", "week": "按星期对齐", "session": "按场次对齐"}
            if lang == "zh"
            else {}
        )
        title += f" ({how.get(report.align, 'aligned by ' + report.align)})"
        if report.unequal_windows:
            title += (
                f"\n本期{w.count}场、{'同期' if report.same_period else '对比期'}{c.count}场，场次不等"
                if lang == "zh"
                else "\n"
                + _("unequal windows: {this} sessions against {last}").format(
                    this=w.count, last=c.count
                )
            )

    def money(fen: int) -> str:
        return format_yuan(fen)  # always with fen: a column of figures lines up

    meat_this, meat_last = this.category_fen("meat"), last.category_fen("meat")

    def uncounted(figures_visitors: int, missing: int) -> str:
        if not missing:
            return f"{figures_visitors:,}"
        if lang == "zh":
            return f"{figures_visitors:,}（{missing}场未统计）"
        return f"{figures_visitors:,} " + _("({n} uncounted)").format(n=missing)

    visitors_growth = pct(growth.visitors_pct, signed=True)
    if growth.visitors_pct_reason is not None:
        visitors_growth = (
            "n/a（有场次未统计人次）" if lang == "zh" else _("n/a (uncounted sessions)")
        )
    if growth.visitors_pct_reason is None:
        visitors_growth = growth_text(growth.visitors_pct, growth.visitors_multiple, lang)
    rows = [
        (label("sessions", lang), this.sessions, last.sessions, ""),
        (label("visitors", lang), uncounted(this.visitors, this.visitors_missing), uncounted(last.visitors, last.visitors_missing), visitors_growth),
        (label("revenue", lang), money(this.revenue_fen), money(last.revenue_fen), growth_text(growth.revenue_pct, growth.revenue_multiple, lang)),
        (label("per_visit", lang), _opt(this.per_visit_yuan), _opt(last.per_visit_yuan), pct(growth.per_visit_pct, signed=True)),
        (label("meat_revenue", lang), money(meat_this), money(meat_last), growth_text(growth.meat_revenue_pct, growth.meat_revenue_multiple, lang)),
        (label("meat_share", lang), share_pct(this.meat_share), share_pct(last.meat_share), pp(growth.meat_share_pp, lang)),
        (label("herder_revenue", lang), money(this.herder_fen), money(last.herder_fen), growth_text(growth.herder_revenue_pct, growth.herder_revenue_multiple, lang)),
    ]  # fmt: skip
    if report.projection is not None:
        # an estimate, in whole yuan (the JSON keeps it exact)
        rows.append(
            (label("projection", lang), yuan_whole(report.projection.season_total_fen), "", "")
        )
    if report.returning is not None and report.returning.herder_count:
        back = report.returning
        rows.append(
            (
                label("herder_average", lang),
                yuan_decimal(back.herder_average_this_yuan),
                yuan_decimal(back.herder_average_last_yuan),
                growth_text(back.herder_average_pct, back.herder_average_multiple, lang),
            )
        )
    if not has_last:
        rows = [(name, a, "", "") for name, a, _b, _g in rows]
    columns = [label(k, lang) for k in ("measure", "this", "last", "growth")]
    if has_last and not report.same_period:
        assert report.compare is not None
        columns[2] = report.compare.code
        columns[3] = "增减" if lang == "zh" else _("Change")
    tables = [SummaryTable(title, columns, rows, columns[1:])]
    categories = [
        (
            report.category_label(row.code, lang),
            money(row.this_fen),
            share_pct(row.this_share),
            money(row.last_fen) if has_last else "",
            share_pct(row.last_share) if has_last else "",
            pp(row.share_pp, lang) if has_last else "",
        )
        for row in report.categories
    ]
    columns = [
        label(k, lang)
        for k in (
            "category",
            "this_revenue",
            "this_share",
            "last_revenue",
            "last_share",
            "share_pp",
        )
    ]
    tables.append(SummaryTable(label("sheet_categories", lang), columns, categories, columns[1:]))
    return tables


def _opt(value: object) -> str:
    from iddexi.render.labels import NA

    return NA if value is None else f"¥{value:,}"
