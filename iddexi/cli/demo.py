"""`iddexi demo`: build the demo ledger from the bundled data and write the full report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iddexi.cli.common import file_language, state
from iddexi.i18n import _


def demo(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=_("Folder for the reports. Default: reports/demo here.")),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=_("zh or en: the language of the reports (default: the root --lang, else zh)."),
            show_default=False,
        ),
    ] = None,
    whole_season: Annotated[
        bool,
        typer.Option(
            "--whole-season", help=_("Also write the report of the whole 2025-26 season.")
        ),
    ] = False,
) -> None:
    """Build ledgers/demo.sqlite (or --ledger) from the bundled data and write its reports.  Example: iddexi demo --out reports/demo"""
    lang = file_language(lang)
    from iddexi.demo import run_demo
    from iddexi.render.labels import check_language

    check_language(lang)
    # The root --ledger only: $IDDEXI_LEDGER names the user's own ledger, never the demo's.
    result = run_demo(state(ctx).ledger_option, out, lang, whole_season=whole_season)
    typer.echo(("演示账本：" if lang == "zh" else "Demo ledger: ") + str(result.ledger_path))
    typer.echo("")
    typer.echo(result.brief)
    typer.echo("")
    typer.echo("写入文件：" if lang == "zh" else "Files written:")
    for path in result.files:
        typer.echo(f"  {path}")
    if not whole_season:
        typer.echo("")
        typer.echo(
            ("整季报告：" if lang == "zh" else "The whole season: ")
            + f"iddexi --ledger {result.ledger_path} report season {result.reports[-1].season.code}"
        )
