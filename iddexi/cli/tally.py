"""`iddexi tally …`: sheets organisers fill in and import (being built)."""

from __future__ import annotations

from iddexi.cli.common import App

app = App(help="Tally sheets: write a template for a session, import filled sheets.")
