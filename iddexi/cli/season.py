"""`iddexi season …`: the named runs of market days."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import App, JsonOption, ledger, print_json, word
from iddexi.i18n import N_, _
from iddexi.ledger.records import DAY_NAMES, MARKET_DAYS
from iddexi.ledger.values import parse_count, parse_date

app = App(help=_("Seasons: named runs of market days (2025-26, …)."))


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=_("Season code, e.g. 2025-26."))],
    start: Annotated[str, typer.Option("--start", help=_("First day, YYYY-MM-DD."))],
    end: Annotated[str, typer.Option("--end", help=_("Last day, YYYY-MM-DD."))],
    name: Annotated[str | None, typer.Option(help=_("A name, e.g. 2025—2026 冬季伊德喜."))] = None,
    kind: Annotated[
        str, typer.Option(help=_("winter, spring, summer or autumn (冬季 …)."))
    ] = "winter",
    planned: Annotated[str | None, typer.Option(help=_("Planned number of sessions."))] = None,
    market_day: Annotated[
        str, typer.Option(help=_("mon … sun (周一 … 周日): the day sessions are held."))
    ] = "sat",
) -> None:
    """Add a season.  Example: iddexi season add 2025-26 --start 2025-11-22 --end 2026-01-31 --planned 11"""
    season = ledger(ctx).add_season(
        code,
        parse_date(start, "--start"),
        parse_date(end, "--end"),
        name=name,
        kind=kind,
        planned=parse_count(planned, "--planned") if planned is not None else None,
        market_day=market_day,
        source=f"season add {code}",
    )
    day = season.market_day
    held = (
        _(", held on {day}s").format(day=_(DAY_NAMES[MARKET_DAYS.index(day)]))
        if day in MARKET_DAYS
        else ""
    )
    typer.echo(
        _("Added season {code} ({kind}{held}, {start} … {end}).").format(
            code=season.code, kind=word(season.kind), held=held, start=season.start, end=season.end
        )
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=_("Season code, e.g. 2025-26."))],
    name: Annotated[str | None, typer.Option(help=_('New name ("" clears it).'))] = None,
    start: Annotated[str | None, typer.Option("--start", help=_("First day, YYYY-MM-DD."))] = None,
    end: Annotated[str | None, typer.Option("--end", help=_("Last day, YYYY-MM-DD."))] = None,
    planned: Annotated[str | None, typer.Option(help=_("Planned number of sessions."))] = None,
    market_day: Annotated[
        str | None, typer.Option(help=_("mon … sun (周一 … 周日): the day sessions are held."))
    ] = None,
) -> None:
    """Correct a season's details (a new batch; voiding it restores the old ones).  Example: iddexi season edit 2025-26 --planned 12"""
    season, changed = ledger(ctx).edit_season(
        code,
        name=name,
        start=parse_date(start, "--start") if start is not None else None,
        end=parse_date(end, "--end") if end is not None else None,
        planned=parse_count(planned, "--planned") if planned is not None else None,
        market_day=market_day,
        source=f"season edit {code}",
    )
    typer.echo(
        _("Corrected season {code} ({fields}): {start} … {end}.").format(
            code=season.code, fields=", ".join(changed), start=season.start, end=season.end
        )
    )


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the seasons.  Example: iddexi season list --json"""
    seasons = ledger(ctx).seasons()
    if json:
        print_json([s.as_json() for s in seasons])
        return
    from iddexi.render.tables import print_table

    print_table(
        _("Seasons"),
        [
            N_("code"),
            N_("name"),
            N_("kind"),
            N_("start"),
            N_("end"),
            N_("planned"),
            N_("market day"),
        ],
        [
            (s.code, s.name, word(s.kind), s.start, s.end, s.planned_sessions, word(s.market_day))
            for s in seasons
        ],
    )
