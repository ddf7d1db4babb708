"""A transient progress bar on standard error, for work people would otherwise wait on blind.

Shared by imports and report writing. The layers below report progress through plain
callbacks, ``(stage, done, total)``; only this module knows about rich, and imports it only
once a bar is really shown: never when standard error is not a terminal (a log file gets
no bar, not even its last line), never for work too small or too quick to need one.
"""

from __future__ import annotations

import sys
import time
from typing import Any


class TerminalProgress:
    """Callbacks that drive a rich progress bar on standard error, shown only when useful.

    ``min_total``: a stage with this many units or fewer gets no bar (a small import).
    ``show_after``: seconds of work before the bar appears, so quick work prints nothing.
    Use as a context manager: the bar is removed when the work ends.
    """

    def __init__(self, *, min_total: int = 0, show_after: float = 0.0) -> None:
        self.min_total = min_total
        self.show_after = show_after
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.latest: dict[str, tuple[int, int]] = {}
        self.off = False
        self.started = time.monotonic()

    def __enter__(self) -> TerminalProgress:
        self.started = time.monotonic()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        """``done`` of ``total`` units of ``stage`` (a label people read) are finished."""
        if self.off or total <= self.min_total:
            return
        self.latest[stage] = (done, total)
        if self.bar is None:
            if not sys.stderr.isatty():
                self.off = True  # and no rich import to find out
                return
            if time.monotonic() - self.started < self.show_after:
                return
            self.bar = _start_bar()
        for name, (stage_done, stage_total) in self.latest.items():
            if name not in self.tasks:
                self.tasks[name] = self.bar.add_task(name, total=stage_total)
            self.bar.update(self.tasks[name], completed=stage_done, total=stage_total)
        self.latest.clear()

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _start_bar() -> Any:
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    bar.start()
    return bar
