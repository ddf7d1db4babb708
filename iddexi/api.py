"""The analyst's API: a ledger's records and reports as pandas DataFrames.

    >>> import iddexi
    >>> led = iddexi.open("ledgers/iddexi.sqlite")
    >>> led.lines("2025-26").groupby("category_zh")["amount_fen"].sum()

Money comes twice: exact integer fen (``*_fen``, int64, for sums) and yuan as
``Decimal`` (``*_yuan``, object columns, never float). Categories carry their code and
both labels. The ledger is opened for reading and never created: a mistyped path is
refused, not made into an empty ledger.

This is the one place that imports pandas (the ``iddexi[analysis]`` extra); the command
line never loads it.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from iddexi.i18n import _
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import InputError
from iddexi.ledger.values import fen_to_yuan

if TYPE_CHECKING:
    from iddexi.reporting import SeasonReport

#: report views: the name of each frame and the key of the report's JSON it comes from
REPORT_VIEWS = {
    "sessions": "per_session",
    "categories": "categories",
    "hosts": "by_host",
    "top_stalls": "top_stalls",
}


def open_ledger(path: str | os.PathLike[str] | None = None) -> AnalystLedger:
    """Open an existing ledger (default: $IDDEXI_LEDGER, else ledgers/iddexi.sqlite)."""
    return AnalystLedger(Ledger.open(path, create=False))


def _fen_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Beside every ``*_yuan`` column of Decimals, the same money as exact integer fen."""
    for column in [c for c in frame.columns if c.endswith("_yuan")]:
        fen = column[: -len("_yuan")] + "_fen"
        if fen not in frame.columns:
            frame[fen] = pd.array(
                [None if _missing(v) else int(Decimal(v) * 100) for v in frame[column]],
                dtype="Int64",
            )
    return frame


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # NaN


class AnalystLedger:
    """A ledger read as DataFrames; close it (or use ``with``) when done."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> AnalystLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<iddexi ledger {self.ledger.path}>"

    def _labels(self) -> dict[str, tuple[str, str]]:
        return {c.code: (c.label_zh, c.label_en) for c in self.ledger.categories()}

    def stalls(self) -> pd.DataFrame:
        """Every stall with its current details; category with both labels."""
        labels = self._labels()
        rows = [
            {
                **s.as_json(),
                "category_zh": labels.get(s.category, (None, None))[0] if s.category else None,
                "category_en": labels.get(s.category, (None, None))[1] if s.category else None,
            }
            for s in self.ledger.stalls()
        ]
        columns = [
            "code",
            "name",
            "operator",
            "township",
            "herder",
            "category",
            "category_zh",
            "category_en",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        frame["herder"] = frame["herder"].astype(bool)
        return frame

    def sessions(self, season: str) -> pd.DataFrame:
        """A season's live sessions, in date order, with their takings."""
        rows = []
        for s in self.ledger.sessions(season):
            rows.append(
                {
                    "session": s.ref,
                    "season": s.season,
                    "number": s.number,
                    "date": s.date,
                    "host": s.host,
                    "theme": s.theme,
                    "visitors": s.visitors,
                    "count_method": s.count_method,
                    "temperature_c": s.temperature,
                    "note": s.note,
                    "lines": s.lines,
                    "revenue_fen": s.revenue_fen,
                    "revenue_yuan": fen_to_yuan(s.revenue_fen),
                }
            )
        frame = pd.DataFrame(rows, columns=_SESSION_COLUMNS)
        frame["date"] = pd.to_datetime(frame["date"])
        frame["visitors"] = frame["visitors"].astype("Int64")
        frame["revenue_fen"] = frame["revenue_fen"].astype("int64")
        return frame

    def lines(self, season: str) -> pd.DataFrame:
        """Every live sales line of a season: one row per stall, category and session."""
        labels = self._labels()
        rows = []
        for session in self.ledger.sessions(season):
            for sale in self.ledger.sales(session.ref):
                zh, en = labels.get(sale.category, (sale.category, sale.category))
                rows.append(
                    {
                        "id": sale.id,
                        "batch": sale.batch_id,
                        "session": session.ref,
                        "number": session.number,
                        "date": session.date,
                        "stall": sale.stall,
                        "stall_name": sale.stall_name,
                        "category": sale.category,
                        "category_zh": zh,
                        "category_en": en,
                        "amount_fen": sale.amount_fen,
                        "amount_yuan": sale.amount_yuan,
                        "quantity": sale.quantity,
                        "unit": sale.unit,
                        "note": sale.note,
                    }
                )
        frame = pd.DataFrame(rows, columns=_LINE_COLUMNS)
        frame["date"] = pd.to_datetime(frame["date"])
        frame["amount_fen"] = frame["amount_fen"].astype("int64")
        return frame

    def report(
        self,
        season: str,
        *,
        as_of: dt.date | str | None = None,
        align: str = "date",
        vs: str | None = None,
    ) -> Report:
        """The season report, as `iddexi report season` builds it, with frame views."""
        from iddexi.ledger.values import parse_date
        from iddexi.reporting import build_season_report

        day = parse_date(as_of, "as_of") if as_of is not None else None
        built = build_season_report(self.ledger, season, vs=vs, as_of=day, align=align)
        return Report(built)


_SESSION_COLUMNS = [
    "session",
    "season",
    "number",
    "date",
    "host",
    "theme",
    "visitors",
    "count_method",
    "temperature_c",
    "note",
    "lines",
    "revenue_fen",
    "revenue_yuan",
]
_LINE_COLUMNS = [
    "id",
    "batch",
    "session",
    "number",
    "date",
    "stall",
    "stall_name",
    "category",
    "category_zh",
    "category_en",
    "amount_fen",
    "amount_yuan",
    "quantity",
    "unit",
    "note",
]


class Report:
    """A season report: its figures as `report season --json` gives them (``as_json()``),
    the report object itself (``.report``, and its attributes), and frame views."""

    def __init__(self, report: SeasonReport) -> None:
        self.report = report

    def __getattr__(self, name: str) -> Any:
        # the report's own figures (this, last, growth, window …) read straight through
        return getattr(self.report, name)

    def __repr__(self) -> str:
        return f"<iddexi report {self.report.season.code} as of {self.report.as_of}>"

    def as_json(self) -> dict:
        return self.report.as_json()

    def to_frame(self, view: str = "sessions") -> pd.DataFrame:
        """One table of the report: ``sessions`` (this and last season side by side),
        ``categories``, ``hosts``, ``top_stalls`` or ``summary`` (one row per figure)."""
        document = self.as_json()
        if view == "summary":
            flat = pd.json_normalize(
                {k: v for k, v in document.items() if not isinstance(v, list)}, sep="_"
            )
            return pd.DataFrame({"figure": flat.columns, "value": flat.iloc[0].tolist()})
        if view not in REPORT_VIEWS:
            raise InputError(
                _("report view {view!r} is not one of {views}").format(
                    view=view, views=", ".join([*REPORT_VIEWS, "summary"])
                )
            )
        rows = document.get(REPORT_VIEWS[view]) or []
        frame = pd.json_normalize(rows, sep="_") if rows else pd.DataFrame()
        if "category" in frame.columns:
            labels = getattr(self.report, "category_labels", {}) or {}
            frame.insert(1, "category_zh", [labels.get(c, (c, c))[0] for c in frame["category"]])
            frame.insert(2, "category_en", [labels.get(c, (c, c))[1] for c in frame["category"]])
        return _fen_columns(frame)
