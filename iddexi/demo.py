"""`iddexi demo`: a ledger built from the bundled demo data, and its full report.

The demo never touches a user's ledger. It builds ``ledgers/demo.sqlite`` (or the path
given) afresh on every run, and refuses a file that it did not make itself: every demo
ledger's first batch is of kind ``demo`` with source :data:`DEMO_SOURCE`. The new ledger
is built beside the old one under a temporary name and moved into place only when it is
complete, so a failed run leaves the previous demo as it was.

The data (``manifest.toml`` and the CSVs) travel inside the wheel as
``iddexi/demo_data``; in a source checkout they are read from ``ledgers/demo``.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, LedgerFileError

if TYPE_CHECKING:
    from iddexi.reporting import SeasonReport

DEMO_SOURCE = "iddexi demo"
DEFAULT_DEMO_LEDGER = Path("ledgers") / "demo.sqlite"
DEFAULT_DEMO_OUT = Path("reports") / "demo"


def demo_data_dir() -> Path:
    """Where the demo data is: inside the installed package, else in the source tree."""
    from importlib.resources import files

    bundled = files("iddexi").joinpath("demo_data")
    if bundled.is_dir() and bundled.joinpath("manifest.toml").is_file():
        return Path(str(bundled))
    source = Path(__file__).resolve().parents[1] / "ledgers" / "demo"
    if (source / "manifest.toml").is_file():
        return source
    raise LedgerFileError(
        _("the demo data is missing from this installation (iddexi/demo_data or ledgers/demo)")
    )


@dataclass(frozen=True)
class DemoManifest:
    folder: Path
    reference_as_of: dt.date
    seasons: list[dict]
    files: list[Path]

    @classmethod
    def read(cls, folder: Path) -> DemoManifest:
        data = tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))
        names = data["files"]
        order: list[str] = [names["townships"], names["stalls"], names["sessions"]]
        order += list(names["sales"])
        return cls(
            folder,
            dt.date.fromisoformat(data["reference_as_of"]),
            list(data["season"]),
            [folder / name for name in order],
        )


@dataclass
class DemoResult:
    ledger_path: Path
    reports: list[SeasonReport]
    files: list[Path]
    brief: str


def is_demo_ledger(path: Path) -> bool:
    """True when ``path`` is an SQLite ledger whose first batch was written by the demo."""
    from iddexi.ledger.integrity import first_batch

    return first_batch(path) == ("demo", DEMO_SOURCE)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_demo_ledger(path: Path, data: DemoManifest) -> None:
    """Write a complete demo ledger at ``path`` (replacing an earlier demo ledger)."""
    from iddexi.ledger.core import Ledger
    from iddexi.tally.importer import import_files

    if path.is_dir():
        raise LedgerFileError(
            _("{path} is a folder; give the path of a .sqlite file").format(path=path)
        )
    if path.exists() and not is_demo_ledger(path):
        raise ConflictError(
            _(
                "{path} exists and was not made by `iddexi demo`; the demo never overwrites a real ledger. Move it away or give another path with --ledger"
            ).format(path=path)
        )
    building = path.with_name(f".{path.name}.building")
    _remove(building)
    try:
        with Ledger.open(building) as ledger:
            with ledger.batch("demo", DEMO_SOURCE):
                pass  # the mark that makes this file a demo ledger
            for s in data.seasons:
                ledger.add_season(
                    s["code"],
                    dt.date.fromisoformat(s["start"]),
                    dt.date.fromisoformat(s["end"]),
                    name=s.get("name"),
                    kind=s.get("kind", "winter"),
                    planned=s.get("planned"),
                    market_day=s.get("market_day", "sat"),
                    source=f"{DEMO_SOURCE}: manifest.toml",
                )
            import_files(ledger, data.files)
            ledger.fold_wal()
        _remove(path)
        os.replace(building, path)
    except BaseException:
        _remove(building)
        raise


def run_demo(
    ledger_path: Path | None = None,
    out_dir: Path | None = None,
    lang: str = "zh",
    *,
    whole_season: bool = False,
) -> DemoResult:
    """Build the demo ledger and write the reference report (as of the newspaper's day)
    into ``out_dir``; with ``whole_season`` also the report of the latest season's end."""
    from iddexi.ledger.core import Ledger
    from iddexi.reporting import build_season_report, write_report_files

    path = Path(ledger_path) if ledger_path else DEFAULT_DEMO_LEDGER
    out = Path(out_dir) if out_dir else DEFAULT_DEMO_OUT
    data = DemoManifest.read(demo_data_dir())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerFileError(
            _("cannot create the folder for {path}: {reason}").format(
                path=path, reason=exc.strerror
            )
        ) from None
    build_demo_ledger(path, data)

    reference_season = next(
        s["code"]
        for s in data.seasons
        if dt.date.fromisoformat(s["start"])
        <= data.reference_as_of
        <= dt.date.fromisoformat(s["end"])
    )
    latest = data.seasons[-1]["code"]
    with Ledger.open(path, create=False) as ledger:
        reports = [build_season_report(ledger, reference_season, as_of=data.reference_as_of)]
        if whole_season:
            reports.append(build_season_report(ledger, latest))
        files = [p for report in reports for p in write_report_files(report, out, lang)]
    from iddexi.render.brief import brief_text

    return DemoResult(path.resolve(), reports, files, brief_text(reports[0], lang))
