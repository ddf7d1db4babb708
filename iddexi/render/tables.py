"""Terminal tables for people (rich), imported only when a table is printed.

Headings and the fixed words come as msgids (English, marked ``N_`` by the caller) and
are translated here; figures are right-aligned and never wrapped. Below ``NARROW``
columns a table becomes one block per record (``heading: value`` lines), so no figure is
broken in the middle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from iddexi.i18n import N_, _
from iddexi.ledger.values import shown

NARROW = 60


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[str] = (),
    footer: Sequence[object] | None = None,
    empty: str = N_("nothing recorded yet"),
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich's own answer to a closed pipe is exit code 1 without a word; `report
            # … | head` is a reader who has what they wanted, so the error goes on to the
            # CLI boundary, which ends every command's closed pipe the same way (exit 0)
            self.quiet = True
            raise BrokenPipeError

    # Piped output (a file, a pager) gets room enough that no figure is cut short.
    console = PipeConsole(width=None if sys.stdout.isatty() else 200)
    if not rows:
        console.print(
            _lines(_("{title}: {empty}").format(title=title, empty=_(empty))), markup=False
        )
        return
    headings = [_(column) for column in columns]
    if _narrow(console.width):
        _print_blocks(console, title, headings, rows, footer)
        return
    table = Table(title=escape(_lines(title)), show_footer=footer is not None)
    for index, column in enumerate(columns):
        figure = column in numeric
        table.add_column(
            headings[index],
            justify="right" if figure else "left",
            no_wrap=figure,
            overflow="ellipsis" if figure else "fold",
            footer="" if footer is None else _cell(footer[index]),
        )
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _narrow(width: int) -> bool:
    """A terminal (or an explicit COLUMNS) too narrow for a table's columns side by side."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) < NARROW:
        return True
    return sys.stdout.isatty() and width < NARROW


def _print_blocks(
    console: object,
    title: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[object]],
    footer: Sequence[object] | None,
) -> None:
    """One record per block: each value on its own line after its heading."""
    out = [_lines(title), ""]
    records = [*rows, footer] if footer is not None else list(rows)
    for record in records:
        for heading, value in zip(headings, record, strict=False):
            text = _plain(value)
            if text:
                out.append(_("{heading}: {value}").format(heading=heading, value=shown(text)))
        out.append("")
    sys.stdout.write("\n".join(out))


def _lines(text: str) -> str:
    """Stored text escaped line by line: a title's own line breaks are the program's,
    anything else that controls the terminal is shown escaped."""
    return "\n".join(shown(line) for line in text.split("\n"))


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _cell(value: object) -> str:
    from rich.markup import escape

    # names and notes are user text: "[red]" in a stall name is not markup
    # and an ESC or a direction override written into the ledger behind iddexi's back is
    # shown escaped
    return escape(shown(_plain(value)))
