"""`iddexi report …`: season to date against the same period last season.

Only parsing and printing here; the figures come from :mod:`iddexi.reporting`, which is
imported inside the commands (this module is loaded on every CLI start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import App, JsonOption, ledger, print_json, refuse_to_overwrite
from iddexi.i18n import _

if TYPE_CHECKING:
    from iddexi.reporting import SeasonReport

app = App(help=_("Reports: season to date against the same period last season."))

SeasonArg = Annotated[
    str,
    typer.Argument(
        help=_("The season to report on, e.g. 2025-26."), autocompletion=completion.seasons
    ),
]
VsOption = Annotated[
    str | None,
    typer.Option(
        "--vs",
        help=_("Season to compare with (default: the previous one of its kind)."),
        autocompletion=completion.seasons,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help=_("Count sessions up to this day, YYYY-MM-DD (default: the last one).")
    ),
]
AlignOption = Annotated[
    str,
    typer.Option(
        "--align",
        help=_(
            "date: last season's sessions up to the same day a year earlier; "
            "session: its first as many sessions."
        ),
    ),
]
LangOption = Annotated[str, typer.Option("--lang", help=_("zh or en: the language of the output."))]


def _build(
    ctx: typer.Context, season: str, vs: str | None, as_of: str | None, align: str, lang: str
) -> SeasonReport:
    from iddexi.ledger.values import parse_date
    from iddexi.render.labels import check_language
    from iddexi.reporting import build_season_report

    check_language(lang)
    day = parse_date(as_of, "--as-of") if as_of is not None else None
    return build_season_report(ledger(ctx), season, vs=vs, as_of=day, align=align)


@app.command("season")
def season(
    ctx: typer.Context,
    season: SeasonArg,
    vs: VsOption = None,
    as_of: AsOfOption = None,
    align: AlignOption = "date",
    lang: LangOption = "zh",
    out: Annotated[
        Path, typer.Option("--out", help=_("Folder for the workbook, charts and brief."))
    ] = Path("reports"),
    json: JsonOption = False,
    no_files: Annotated[
        bool, typer.Option("--no-files", help=_("Write no files; only print the figures."))
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace report files that already exist."))
    ] = False,
) -> None:
    """Season to date vs the same period last season: table, Excel workbook, PNG charts.  Example: iddexi report season 2025-26 --as-of 2025-12-06"""
    report = _build(ctx, season, vs, as_of, align, lang)
    files: list[Path] = []
    if not no_files:
        from iddexi.reporting import write_report_files

        refuse_to_overwrite(_report_files(out, report.stem(lang)), force)
        files = write_report_files(report, out, lang)
    if json:
        print_json(report.as_json(files))
        return
    print_summary(report, lang)
    if files:
        typer.echo("写入文件：" if lang == "zh" else "Files written:")
        for path in files:
            typer.echo(f"  {path}")


@app.command("brief")
def brief(
    ctx: typer.Context,
    season: SeasonArg,
    vs: VsOption = None,
    as_of: AsOfOption = None,
    align: AlignOption = "date",
    lang: LangOption = "zh",
    json: JsonOption = False,
) -> None:
    """The headline paragraph for a press release, from the season's figures.  Example: iddexi report brief 2025-26 --as-of 2025-12-06"""
    from iddexi.render.brief import brief_text

    report = _build(ctx, season, vs, as_of, align, lang)
    text = brief_text(report, lang)
    if json:
        print_json(
            {"season": report.season.code, "as_of": report.as_of, "lang": lang, "brief": text}
        )
        return
    typer.echo(text)


def print_summary(report: SeasonReport, lang: str) -> None:
    """The headline figures of both windows as a terminal table."""
    from iddexi.ledger.values import format_yuan
    from iddexi.render.labels import label, pct, pp, share_pct, window_text
    from iddexi.render.tables import print_table

    this, last, growth = report.this, report.last, report.growth
    has_last = report.compare is not None
    w, c = report.window, report.compare_window
    title = f"{report.season.code}: {window_text(w.start, w.end, w.count, lang)}"
    if has_last:
        assert report.compare is not None
        title += f"  vs  {report.compare.code}: {window_text(c.start, c.end, c.count, lang)}"
        how = {"date": "按日期对齐", "session": "按场次对齐"} if lang == "zh" else {}
        title += f" ({how.get(report.align, 'aligned by ' + report.align)})"

    def money(fen: int) -> str:
        return format_yuan(fen)  # always with fen: a column of figures lines up

    meat_this, meat_last = this.category_fen("meat"), last.category_fen("meat")
    rows = [
        (label("sessions", lang), this.sessions, last.sessions, ""),
        (label("visitors", lang), f"{this.visitors:,}", f"{last.visitors:,}", pct(growth.visitors_pct, signed=True)),
        (label("revenue", lang), money(this.revenue_fen), money(last.revenue_fen), pct(growth.revenue_pct, signed=True)),
        (label("per_visit", lang), _opt(this.per_visit_yuan), _opt(last.per_visit_yuan), pct(growth.per_visit_pct, signed=True)),
        (label("meat_revenue", lang), money(meat_this), money(meat_last), pct(growth.meat_revenue_pct, signed=True)),
        (label("meat_share", lang), share_pct(this.meat_share), share_pct(last.meat_share), pp(growth.meat_share_pp, lang)),
        (label("herder_revenue", lang), money(this.herder_fen), money(last.herder_fen), pct(growth.herder_revenue_pct, signed=True)),
    ]  # fmt: skip
    if growth.revenue_multiple is not None:
        times = f"{growth.revenue_multiple}倍" if lang == "zh" else f"{growth.revenue_multiple}×"
        rows[2] = (*rows[2][:3], f"{rows[2][3]} ({times})")
    if report.projection is not None:
        rows.append((label("projection", lang), money(report.projection.season_total_fen), "", ""))
    if not has_last:
        rows = [(name, a, "", "") for name, a, _b, _g in rows]
    columns = [label(k, lang) for k in ("measure", "this", "last", "growth")]
    print_table(title, columns, rows, numeric=columns[1:])
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
    print_table(label("sheet_categories", lang), columns, categories, numeric=columns[1:])


def _report_files(out: Path, stem: str) -> list[Path]:
    """The files a report named ``stem`` writes into ``out`` (see reporting.write_report_files)."""
    import glob

    if not out.is_dir():
        return []
    return [
        out / f"{stem}.xlsx",
        out / f"{stem}-brief.txt",
        *(Path(p) for p in glob.glob(str(out / f"{glob.escape(stem)}-*.png"))),
    ]


def _opt(value: object) -> str:
    from iddexi.render.labels import NA

    return NA if value is None else f"¥{value}"
