"""`iddexi demo`: build the demo ledger from the bundled data and write the full report."""

from __future__ import annotations

import typer

from iddexi.cli.common import fail


def demo(ctx: typer.Context) -> None:
    """Build the demo ledger and write its report (being built)."""
    raise fail("the demo is not built yet")
