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
        help=_("How visitors were counted: full, sample or estimate (全数清点, 抽样估算, 估算).")
    ),
]
Temperature = Annotated[str | None, typer.Option(help=_("Temperature in °C, e.g. -28."))]
Note = Annotated[str | None, typer.Option(help=_("A note."))]
Hours = Annotated[
    str | None,
    typer.Option(help=_("Open hours FROM-UNTIL, e.g. 09:00-15:00 (default 09:00-15:00).")),
]


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
    hours: Hours = None,
) -> None:
    """Correct a session's details (a new batch; the old values stay in history).  Example: iddexi session set 2025-26:3 --visitors 10400"""
    from iddexi.analysis.visitors import estimated_visitors
    from iddexi.ledger.gates import parse_hours

    details = _details(host, theme, visitors, count_method, temperature, note)
    open_hours = parse_hours(hours) if hours is not None else None
    changed = ledger(ctx).set_session(
        session,
        source=f"session set {session}",
        hours=open_hours,
        estimate=estimated_visitors,
        **details,
    )
    names = [_(k) for k, v in details.items() if v is not None] + ([_("hours")] if hours else [])
    typer.echo(
        _("Corrected session {ref} ({fields}).").format(ref=changed.ref, fields=", ".join(names))
    )
    if open_hours is not None and changed.count_method == "sample" and visitors is None:
        typer.echo(
            _("Visitors estimated again from the gate samples: {n}.").format(n=changed.visitors)
        )


@app.command("count")
def count(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help=_("SEASON:N or SEASON:YYYY-MM-DD."))],
    gate: Annotated[str, typer.Option(help=_("The gate counted at, e.g. 东门."))],
    from_: Annotated[str, typer.Option("--from", help=_("When counting began, HH:MM."))],
    minutes: Annotated[str, typer.Option(help=_("How many minutes were counted."))],
    count: Annotated[str, typer.Option("--count", help=_("People counted in that time."))],
    hours: Annotated[
        str | None,
        typer.Option(help=_("This gate's open hours, FROM-UNTIL, when not the session's.")),
    ] = None,
) -> None:
    """Record a timed gate count; the session's visitors are estimated from its samples.  Example: iddexi session count 2025-26:3 --gate 东门 --from 10:00 --minutes 20 --count 312"""
    from iddexi.analysis.visitors import estimated_visitors
    from iddexi.ledger.gates import GateCount, parse_clock, parse_hours

    sample = GateCount(
        gate,
        parse_clock(from_, "--from"),
        parse_count(minutes, "--minutes"),
        parse_count(count, "--count"),
        parse_hours(hours) if hours is not None else None,
    )
    counted, visitors = ledger(ctx).record_gate_samples(
        session,
        [sample],
        estimate=estimated_visitors,
        source=f"session count {session} --gate {sample.gate} --from {sample.start}",
    )
    typer.echo(
        _(
            "Recorded {count} people at {gate} from {start} for {minutes} minutes; "
            "session {ref} now has {visitors} visitors (sampled estimate)."
        ).format(
            count=sample.count,
            gate=sample.gate.strip(),
            start=sample.start,
            minutes=sample.minutes,
            ref=counted.ref,
            visitors=visitors,
        )
    )


@app.command("move")
def move(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help=_("SEASON:N or SEASON:YYYY-MM-DD."))],
    date: Annotated[str, typer.Option(help=_("The right market day, YYYY-MM-DD."))],
) -> None:
    """Move a session, with its sales, to another date (a new batch).  Example: iddexi session move 2025-26:3 --date 2025-12-06"""
    day = parse_date(date, "--date")
    moved, old, warnings = ledger(ctx).move_session(
        session, day, source=f"session move {session} --date {day}"
    )
    typer.echo(
        _("Moved session {ref} from {old} to {new}, with its sales.").format(
            ref=moved.ref, old=old, new=moved.date
        )
    )
    for warning in warnings:
        warn(warning)


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
