"""`iddexi check`, `backup`, `restore`: keeping the ledger whole (being built)."""

from __future__ import annotations

import typer

from iddexi.cli.common import fail


def check(ctx: typer.Context) -> None:
    """Check the ledger (being built)."""
    raise fail("check is not built yet")


def backup(ctx: typer.Context) -> None:
    """Back up the ledger (being built)."""
    raise fail("backup is not built yet")


def restore(ctx: typer.Context) -> None:
    """Restore the ledger (being built)."""
    raise fail("restore is not built yet")
