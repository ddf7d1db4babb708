"""`iddexi report …`: season summaries for the bureau (being built)."""

from __future__ import annotations

from iddexi.cli.common import App

app = App(help="Reports: season to date against the same period last season.")
