"""iddexi: the ledger of the Ewenki Idexi (伊德喜) winter market."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os

    from iddexi.api import AnalystLedger

__version__ = "0.1.0"


def open(path: str | os.PathLike[str] | None = None) -> AnalystLedger:  # noqa: A001
    """Open an existing ledger for analysis: records and reports as pandas DataFrames.

    ``led = iddexi.open("market.sqlite")``; then ``led.lines(season)``,
    ``led.sessions(season)``, ``led.stalls()``, ``led.report(season, as_of=…, align=…)``.
    Needs pandas (``pip install 'iddexi[analysis]'``); loaded only now, so that the
    command line, which imports this package, stays fast.
    """
    from iddexi.api import open_ledger

    return open_ledger(path)
