"""`iddexi session …`: market days, numbered by date within their season."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import App, JsonOption, ledger, print_json, warn, word
from iddexi.i18n import N_, _
from iddexi.ledger.values import format_yuan, parse_count, parse_date, parse_temperature

app = App(help=_("Sessions: market days, written SEASON:N or SEASON:YYYY-MM-DD."))

Host = Annotated[
    str | None,
    typer.Option(help=_("Host township (must be known)."), autocompletion=completion.townships),
]
Theme = Annotated[str | None, typer.Option(help=_("Theme of the day, e.g. 冰雪那达慕."))]
Visitors = Annotated[str | None, typer.Option(help=_("Visits counted (人次)."))]
CountMethod = Annotated[
    str | None,
    typer.Option(
        help=_("How visitors were counted: full, sample or estimate (全数统计, 抽样推算, 估算).")
    ),
]
Temperature = Annotated[str | None, typer.Option(help=_("Temperature in °C, e.g. -28."))]
Note = Annotated[str | None, typer.Option(help=_("A note."))]


def _details(
    host: str | None,
    theme: str | None,
    visitors: str | None,
    count_method: str | None,
    temperature: str | None,
    note: str | None,
) -> dict:
    return {
        "host": host,
        "theme": theme,
        "visitors": parse_count(visitors, "visitors") if visitors is not None else None,
        "count_method": count_method,
        "temperature": parse_temperature(temperature) if temperature is not None else None,
        "note": note,
    }


@app.command("add")
def add(
    ctx: typer.Context,
    season: Annotated[
        str, typer.Argument(help=_("Season code, e.g. 2025-26."), autocompletion=completion.seasons)
    ],
    date: Annotated[str, typer.Option(help=_("Market day, YYYY-MM-DD."))],
    host: Host = None,
    theme: Theme = None,
    visitors: Visitors = None,
    count_method: CountMethod = None,
    temperature: Temperature = None,
    note: Note = None,
) -> None:
    """Record a market day.  Example: iddexi session add 2025-26 --date 2025-11-22 --host 巴彦托海镇 --visitors 9800"""
    day = parse_date(date, "--date")
    details = _details(host, theme, visitors, count_method, temperature, note)
    session, warnings = ledger(ctx).enter_session(
        season, day, source=f"session add {season} --date {day}", **details
    )
    typer.echo(
        _("Recorded session {session} on {date}.").format(session=session.ref, date=session.date)
    )
    for warning in warnings:
        warn(warning)


@app.command("set")
def set_(
    ctx: typer.Context,
    session: Annotated[
        str,
        typer.Argument(
            help=_("SEASON:N or SEASON:YYYY-MM-DD."), autocompletion=completion.sessions
        ),
    ],
    host: Host = None,
    theme: Theme = None,
    visitors: Visitors = None,
    count_method: CountMethod = None,
    temperature: Temperature = None,
    note: Note = None,
) -> None:
    """Correct a session's details (a new batch; the old values stay in history).  Example: iddexi session set 2025-26:3 --visitors 10400"""
    details = _details(host, theme, visitors, count_method, temperature, note)
    changed = ledger(ctx).set_session(session, source=f"session set {session}", **details)
    typer.echo(
        _("Corrected session {session} ({fields}).").format(
            session=changed.ref,
            fields=", ".join(_(k) for k, v in details.items() if v is not None),
        )
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    season: Annotated[
        str, typer.Argument(help=_("Season code, e.g. 2025-26."), autocompletion=completion.seasons)
    ],
    json: JsonOption = False,
) -> None:
    """List a season's sessions with their takings.  Example: iddexi session list 2025-26"""
    sessions = ledger(ctx).sessions(season)
    if json:
        print_json([s.as_json() for s in sessions])
        return
    from iddexi.render.tables import print_table

    print_table(
        _("Sessions of {season}").format(season=season),
        [
            N_("session"),
            N_("date"),
            N_("host"),
            N_("theme"),
            N_("visitors"),
            N_("count"),
            "°C",
            N_("lines"),
            N_("revenue"),
        ],
        [
            (
                s.ref,
                s.date,
                s.host,
                s.theme,
                s.visitors,
                word(s.count_method),
                s.temperature,
                s.lines,
                format_yuan(s.revenue_fen),
            )
            for s in sessions
        ],
        numeric=[N_("visitors"), "°C", N_("lines"), N_("revenue")],
        footer=[
            _("total"),
            "",
            "",
            "",
            sum(s.visitors or 0 for s in sessions),
            "",
            "",
            sum(s.lines for s in sessions),
            format_yuan(sum(s.revenue_fen for s in sessions)),
        ],
    )
