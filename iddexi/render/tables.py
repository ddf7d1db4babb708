"""Terminal tables for people (rich), imported only when a table is printed."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from iddexi.ledger.values import shown


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[str] = (),
    footer: Sequence[object] | None = None,
    empty: str = "nothing recorded yet",
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Piped output (a file, a pager) gets room enough that no figure is cut short.
    console = Console(width=None if sys.stdout.isatty() else 200)
    if not rows:
        console.print(escape(shown(f"{title}: {empty}")))
        return
    table = Table(title=escape(shown(title)), show_footer=footer is not None)
    for index, column in enumerate(columns):
        table.add_column(
            column,
            justify="right" if column in numeric else "left",
            overflow="fold",
            footer="" if footer is None else _cell(footer[index]),
        )
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _cell(value: object) -> str:
    from rich.markup import escape

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    # names and notes are user text: "[red]" in a stall name is not markup, and an ESC or
    # a direction override written into the ledger behind iddexi's back is shown escaped
    return escape(shown(value))
