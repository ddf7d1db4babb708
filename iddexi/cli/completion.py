"""Shell completion from the ledger: seasons, sessions, stalls, categories, townships.

Each function is a Typer ``autocompletion`` callback: it gets what has been typed so far
and returns (value, help) pairs, read from the ledger named by ``--ledger`` (if typed
before the command), ``$IDDEXI_LEDGER`` or the default. Nothing here may fail or write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from iddexi.ledger import names

Pairs = list[tuple[str, str]]


def _ledger_path(ctx: typer.Context) -> Path:
    from iddexi.ledger.connection import resolve_ledger_path

    root = ctx.find_root()
    return resolve_ledger_path(root.params.get("ledger"))


def _matching(pairs: Pairs, incomplete: str) -> Pairs:
    typed = incomplete.casefold()
    return [(value, help) for value, help in pairs if value.casefold().startswith(typed)]


def _completer(read: Callable[[Path], Pairs]) -> Callable[[typer.Context, str], Pairs]:
    def complete(ctx: typer.Context, incomplete: str) -> Pairs:
        try:
            return _matching(read(_ledger_path(ctx)), incomplete)
        except Exception:  # completion never shows a traceback in the middle of a command line
            return []

    return complete


seasons = _completer(names.seasons)
sessions = _completer(names.sessions)
stalls = _completer(names.stalls)
categories = _completer(names.categories)
townships = _completer(names.townships)
