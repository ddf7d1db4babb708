"""`iddexi report …`: season to date against the same period last season.

Only parsing and printing here; the figures come from :mod:`iddexi.reporting`, which is
imported inside the commands (this module is loaded on every CLI start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import (
    App,
    JsonOption,
    file_language,
    ledger,
    print_json,
    refuse_to_overwrite,
    say,
)
from iddexi.cli.progress import TerminalProgress
from iddexi.i18n import _

if TYPE_CHECKING:
    from iddexi.analysis.report_model import SeasonReport
    from iddexi.analysis.year_model import YearReport

#: Seconds of work after which writing a report shows a progress bar (on a terminal).
SHOW_AFTER = 1.0

app = App(help=_("Reports: season to date against the same period last season; the year."))

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
            "week: up to the same weekday 52 weeks (364 days) earlier; "
            "session: its first as many sessions."
        ),
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", help=_("Folder for the workbook, charts and brief."))
]
NoFilesOption = Annotated[
    bool, typer.Option("--no-files", help=_("Write no files; only print the figures."))
]
ForceOption = Annotated[
    bool, typer.Option("--force", help=_("Replace report files that already exist."))
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help=_("zh or en: the language of the output (default: the root --lang, else zh)."),
        show_default=False,
    ),
]


def _build(
    ctx: typer.Context, season: str, vs: str | None, as_of: str | None, align: str, lang: str
) -> SeasonReport:
    from iddexi.ledger.values import parse_date
    from iddexi.render.labels import check_language
    from iddexi.reporting import build_season_report

    check_language(lang)
    day = parse_date(as_of, "--as-of") if as_of is not None else None
    return build_season_report(ledger(ctx), season, vs=vs, as_of=day, align=align)


def _hint_unequal(report: SeasonReport) -> None:
    """One line on stderr when the windows differ in sessions: the like-for-like growth."""
    from iddexi.render.labels import pct

    if not report.unequal_windows:
        return
    this, last = report.window.count, report.compare_window.count
    other = report.equal_alternative
    if other is None:
        line = _(
            "Note: this season's window holds {this} sessions and the period compared {last}; "
            "no alignment makes them equal."
        ).format(this=this, last=last)
    else:
        line = _(
            "Note: this season's window holds {this} sessions and the period compared {last}; "
            "--align {align} compares {this} with {this}: revenue growth {growth}."
        ).format(
            this=this, last=last, align=other.align, growth=pct(other.revenue_pct, signed=True)
        )
    typer.echo(line, err=True)


@app.command("season")
def season(
    ctx: typer.Context,
    season: SeasonArg,
    vs: VsOption = None,
    as_of: AsOfOption = None,
    align: AlignOption = "date",
    lang: LangOption = None,
    out: OutOption = Path("reports"),
    json: JsonOption = False,
    no_files: NoFilesOption = False,
    force: ForceOption = False,
) -> None:
    """Season to date vs the same period last season: table, Excel workbook, PNG charts.  Example: iddexi report season 2025-26 --as-of 2025-12-06"""
    lang = file_language(lang)
    files: list[Path] = []
    # one snapshot: the workbook's raw lines are read while it is written, and must be
    # the lines its figures were summed from, whatever others enter meanwhile
    with ledger(ctx).snapshot(), TerminalProgress(show_after=SHOW_AFTER) as progress:
        report = _build(ctx, season, vs, as_of, align, lang)
        if not no_files:
            from iddexi.reporting import write_report_files

            refuse_to_overwrite(_report_files(out, report.stem(lang)), force)
            files = write_report_files(report, out, lang, progress)
    if json:
        print_json(report.as_json(files))
    else:
        print_summary(report, lang)
        _print_files(files, lang)
    _hint_unequal(report)


@app.command("brief")
def brief(
    ctx: typer.Context,
    season: SeasonArg,
    vs: VsOption = None,
    as_of: AsOfOption = None,
    align: AlignOption = "date",
    lang: LangOption = None,
    json: JsonOption = False,
) -> None:
    """The headline paragraph for a press release, from the season's figures.  Example: iddexi report brief 2025-26 --as-of 2025-12-06"""
    lang = file_language(lang)
    from iddexi.render.brief import brief_text

    with ledger(ctx).snapshot():
        report = _build(ctx, season, vs, as_of, align, lang)
    text = brief_text(report, lang)
    if json:
        print_json(
            {"season": report.season.code, "as_of": report.as_of, "lang": lang, "brief": text}
        )
    else:
        say(text)
    _hint_unequal(report)


def print_summary(report: SeasonReport, lang: str) -> None:
    """The headline figures of both windows as terminal tables."""
    from iddexi.render.summary_table import summary_tables
    from iddexi.render.tables import print_table

    for table in summary_tables(report, lang):
        print_table(table.title, table.columns, table.rows, numeric=table.numeric)


def _report_files(out: Path, stem: str) -> list[Path]:
    """The files a report named ``stem`` writes into ``out`` (see reporting.write_report_files)."""
    import glob

    if not out.is_dir():
        return []
    charts = (Path(p) for p in glob.glob(str(out / f"{glob.escape(stem)}-*.png")))
    return [
        out / f"{stem}.xlsx",
        out / f"{stem}-brief.txt",
        # a chart is STEM-KEY.png; STEM-en-KEY.png or STEM-by-week-KEY.png belong to
        # another report, which this one leaves alone
        *(p for p in charts if "-" not in p.name[len(stem) + 1 : -len(".png")]),
    ]


@app.command("year")
def year(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help=_("The calendar year, e.g. 2024."))],
    lang: LangOption = None,
    out: OutOption = Path("reports"),
    json: JsonOption = False,
    no_files: NoFilesOption = False,
    force: ForceOption = False,
) -> None:
    """Every season of every kind in a calendar year, against the year before.  Example: iddexi report year 2024"""
    lang = file_language(lang)
    from iddexi.render.labels import check_language
    from iddexi.reporting import build_year_report

    check_language(lang)
    files: list[Path] = []
    # one snapshot, as for a season: the figures of every sheet come from one ledger state
    with ledger(ctx).snapshot(), TerminalProgress(show_after=SHOW_AFTER) as progress:
        report = build_year_report(ledger(ctx), year)
        if not no_files:
            from iddexi.reporting import write_year_files

            # one rule for every file the program writes: nothing replaced without --force
            refuse_to_overwrite(_report_files(out, report.stem(lang)), force)
            files = write_year_files(report, out, lang, progress)
    if json:
        print_json(report.as_json(files))
        return
    print_year(report, lang)
    _print_files(files, lang)


def _print_files(files: list[Path], lang: str) -> None:
    if files:
        typer.echo("写入文件：" if lang == "zh" else _("Files written:"))
        for path in files:
            say(f"  {path}")


def print_year(report: YearReport, lang: str) -> None:
    """The year by kind and by season as terminal tables, both windows in the title."""
    # money in a table always to the fen with separators, so a column lines up
    from iddexi.money import format_yuan as yuan_text
    from iddexi.render.labels import KIND_ZH, growth_text
    from iddexi.render.tables import print_table
    from iddexi.render.year import window_lines

    zh = lang == "zh"

    def kind(code: str) -> str:
        return KIND_ZH.get(code, code) if zh else code

    title = "\n".join(window_lines(report, lang))
    this_year, last_year = str(report.year), str(report.year - 1)
    columns = (
        ["类型", f"{this_year}场次", f"{this_year}游客", f"{this_year}收入", f"{last_year}收入", "同比", "牧户摊位收入"]
        if zh
        else [_("Kind"), _("Sessions"), _("Visits"), this_year, last_year, _("Growth"), _("Herder stalls")]
    )  # fmt: skip
    rows = [
        (
            kind(row.kind),
            row.this.sessions,
            f"{row.this.visitors:,}",
            yuan_text(row.this.revenue_fen),
            yuan_text(row.last.revenue_fen),
            growth_text(row.growth.revenue_pct, row.growth.revenue_multiple, lang),
            yuan_text(row.this.herder_fen),
        )
        for row in report.kinds
    ]
    g = report.growth
    footer = [
        "合计" if zh else _("Total"),
        report.this.sessions,
        f"{report.this.visitors:,}"
        + (f" ({report.this.uncounted}场未统计)" if zh and report.this.uncounted else "")
        + (_(" ({n} uncounted)").format(n=report.this.uncounted) if not zh and report.this.uncounted else ""),
        yuan_text(report.this.revenue_fen),
        yuan_text(report.last.revenue_fen),
        growth_text(g.revenue_pct, g.revenue_multiple, lang),
        yuan_text(report.this.herder_fen),
    ]  # fmt: skip
    print_table(title, columns, rows, numeric=columns[1:], footer=footer)
    season_rows = [
        (r.season, kind(r.kind), f"{r.first} – {r.last}", r.sessions, f"{r.visitors:,}",
         yuan_text(r.revenue_fen), yuan_text(r.herder_fen))
        for r in report.seasons
    ]  # fmt: skip
    season_cols = (
        ["季", "类型", "场次日期", "场次", "游客", "收入", "牧户摊位收入"]
        if zh
        else [_("Season"), _("Kind"), _("Dates"), _("Sessions"), _("Visits"), _("Revenue"), _("Herder stalls")]
    )  # fmt: skip
    print_table(this_year, season_cols, season_rows, numeric=season_cols[3:])
