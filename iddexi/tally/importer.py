"""Import filled tally sheets: read, recognise, validate and write, all or nothing.

All files of one command are written in one transaction, each file as its own batch
(kind ``import``, source the file name, the file's SHA-256, and its totals row as the
control total). File *k* is validated after files 1 … k-1 were written inside that
transaction, so a stall roster and a sales table can come in one command. If any file
has a problem, nothing is written and every problem of every file is reported.
Importing bytes that a live batch already holds is a no-op that names the batch.
"""

from __future__ import annotations

import datetime as dt
import gc
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from dataclasses import replace as replace_fields
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.i18n import _, ngettext
from iddexi.ledger import bulk
from iddexi.ledger.errors import IddexiError, InputError, Problem, ProblemsError
from iddexi.ledger.sessions import market_day_mismatch
from iddexi.ledger.transactions import savepoint
from iddexi.tally.cells import Context
from iddexi.tally.files import TallyFile, read_file, sha256_of
from iddexi.tally.gates import validate_gate_samples
from iddexi.tally.rosters import (
    validate_seasons,
    validate_sessions,
    validate_stalls,
    validate_townships,
)
from iddexi.tally.session_sheets import pair_session_sheets, session_for
from iddexi.tally.sources import Reading
from iddexi.tally.validate import control_total, validate_sales

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

#: Problems listed in one refusal; the summary still gives the full count.
MAX_LISTED_PROBLEMS = 200


@dataclass(frozen=True)
class ImportOutcome:
    """What one file did (or, on a dry run, would do) to the ledger."""

    file: Path
    kind: str  # sales | sessions | stalls | townships | seasons | template (or a+b for a workbook)
    batch_id: int | None  # None on a dry run, or when the file changes nothing
    already_in: int | None  # the live batch that already holds these exact bytes
    rows: int  # records written: lines, sessions and their corrections, roster entries
    total_fen: int  # sum of the sales lines written
    replaced: int  # live lines superseded with other figures (--replace)
    skipped: int = 0  # rows identical to the ledger's, so not written
    # sales lines identical to live ones in a file that also brings something new: written
    # again in this batch, superseding the old ones, so the batch holds all its file says
    carried: int = 0
    ignored_columns: tuple[str, ...] = ()
    control_total_fen: int | None = None
    duplicate_of: Path | None = None  # an earlier file of the same command had these bytes
    # category labels as written → the category they were read as (奶 → dairy)
    categories: tuple[tuple[str, str], ...] = ()
    new_sessions: tuple[str, ...] = ()  # sessions the file creates, e.g. "2025-26:3 (2025-12-06)"
    warnings: tuple[str, ...] = ()  # e.g. a session on another weekday than the market day
    # a file that changes nothing: the total of its sales lines, all already recorded
    unchanged_fen: int = 0


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_files(
    ledger: Ledger,
    paths: list[Path],
    *,
    dry_run: bool = False,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
    session: str | None = None,
    reading: Reading | None = None,
) -> list[ImportOutcome]:
    """Import tally files in one transaction; raises ProblemsError listing every problem.

    ``session`` (``SEASON:N`` or ``SEASON:DATE``) is the session of a template's sales
    sheet saved on its own, when its session sheet is not given alongside. ``reading`` is
    told the rows read of a big workbook, ``progress`` the rows checked.
    """
    if not paths:
        raise InputError(_("give at least one file to import"))
    with _gc_paused():
        return _import_files(ledger, paths, dry_run, replace, progress, session, reading)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the import.

    An import keeps hundreds of thousands of small objects (cells, lines) alive until it
    ends and makes no cycles; the collector would walk them again and again for nothing
    (a third of the time of a 100,000-line import).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _import_files(
    ledger: Ledger,
    paths: list[Path],
    dry_run: bool,
    replace: bool,
    progress: Callable[[int, int], None] | None,
    session: str | None,
    reading: Reading | None,
) -> list[ImportOutcome]:
    files = []
    for path in paths:
        path = Path(path)
        sha = sha256_of(path)
        held = ledger.live_batch_with_sha(sha) if sha else None
        files.append(TallyFile(path, sha, read=False) if held else read_file(path, sha, reading))
    if session is not None or any(f.lone_sales_sheet for f in files):
        files = [f if f.read else read_file(f.path, f.sha256, reading) for f in files]
        files = pair_session_sheets(files, session)
    total = sum(f.rows for f in files)
    done = 0

    def tick(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None and rows:
            progress(min(done, total), total)

    outcomes: list[ImportOutcome] = []
    problems: list[Problem] = []
    # Sales tables alone are written without SQLite's per-row foreign-key checks: see
    # bulk.foreign_keys_off. Rosters, sessions and templates keep them.
    kinds = {rec.kind.kind for f in files for _sheet, rec in f.tables}
    checks = bulk.foreign_keys_off(ledger.conn) if kinds == {"sales"} else nullcontext()
    try:
        with checks, ledger.transaction():
            seen: dict[str, tuple[Path, int | None]] = {}
            for f in files:
                problems += f.problems
                if f.problems:
                    continue
                if f.sha256 in seen:
                    first, batch = seen[f.sha256]
                    outcomes.append(_noop(f.path, batch, duplicate_of=first))
                    continue
                held = ledger.live_batch_with_sha(f.sha256)
                if held is not None:
                    outcomes.append(_noop(f.path, held.id))
                    continue
                before = len(problems)
                outcome = _import_one(ledger, f, replace, tick, problems)
                _put_unreadable_first(f, problems, before)
                seen[f.sha256] = (f.path, outcome.batch_id)
                outcomes.append(outcome)
            if problems:
                raise _refusal(problems)
            if dry_run:
                raise _DryRun
    except _DryRun:  # write_transaction rolled everything back
        return [_dry(o) for o in outcomes]
    return outcomes


def _put_unreadable_first(f: TallyFile, problems: list[Problem], before: int) -> None:
    """Formula cells without a saved value lead the file's problems; what validation said
    of those same cells (read as empty) is left out, the rest is kept."""
    unreadable = [p for sheet, _rec in f.tables for p in sheet.unreadable]
    if unreadable:
        cells = {p.location for p in unreadable}
        found = [p for p in problems[before:] if p.location not in cells]
        problems[before:] = [*unreadable, *found]


def _noop(path: Path, batch: int | None, duplicate_of: Path | None = None) -> ImportOutcome:
    return ImportOutcome(path, "", None, batch, 0, 0, 0, duplicate_of=duplicate_of)


def _dry(outcome: ImportOutcome) -> ImportOutcome:
    """The outcome as a dry run reports it: no batch exists (the one it made is rolled back)."""
    if outcome.duplicate_of is not None:
        return replace_fields(outcome, already_in=None)
    return replace_fields(outcome, batch_id=None)


def _refusal(problems: list[Problem]) -> ProblemsError:
    count = len(problems)
    listed = problems[:MAX_LISTED_PROBLEMS]
    if len(listed) == count:
        summary = ngettext(
            "{count} problem found; nothing was written",
            "{count} problems found; nothing was written",
            count,
        ).format(count=count)
    else:
        summary = ngettext(
            "{count} problem found (the first {listed} are listed); nothing was written",
            "{count} problems found (the first {listed} are listed); nothing was written",
            count,
        ).format(count=count, listed=len(listed))
    return ProblemsError(listed, summary)


def _import_one(
    ledger: Ledger,
    f: TallyFile,
    replace: bool,
    tick: Callable[[int], None],
    problems: list[Problem],
) -> ImportOutcome:
    """Check and write one file as one batch (inside the command's transaction)."""
    controls = [
        control_total(sheet, rec)
        for sheet, rec in f.tables
        if rec.kind.kind in ("sales", "sales_sheet")
    ]
    known = [c for c in controls if c is not None]
    checked = sum(known) if known else None  # what the file's totals rows add up to
    # The batch's control total covers the whole file only when every sales table had a
    # totals row; one table without leaves the batch without a control total.
    control = checked if len(known) == len(controls) else None
    extras = _Extras()
    with savepoint(ledger.conn, "tally_file") as step:
        batch_id, plans = _write_file(ledger, f, replace, tick, problems, control, extras)
        rows = sum(p.rows for p in plans)
        carried = sum(p.carried for p in plans)
        written = sum(p.total_fen for p in plans)
        skipped = sum(p.skipped for p in plans)
        unchanged = 0
        if rows == carried:  # the file changes nothing: no batch
            step.undo()
            unchanged = written
            batch_id, rows, written, skipped, carried = None, 0, 0, skipped + carried, 0
        elif control is None and not problems and any(p.lines for p in plans):
            bulk.record_control_total(ledger, batch_id, written)
    kinds = list(dict.fromkeys(p.kind for p in plans)) or [
        rec.kind.kind for _sheet, rec in f.tables
    ]
    return ImportOutcome(
        f.path,
        "template" if f.template else "+".join(kinds),
        batch_id,
        None,
        rows,
        written,
        sum(len(p.voids) - p.carried_lines for p in plans),
        skipped,
        carried,
        tuple(dict.fromkeys(h for _sheet, rec in f.tables for h in rec.ignored)),
        checked,
        categories=tuple(sorted(extras.categories.items())),
        new_sessions=tuple(extras.new_sessions),
        warnings=tuple(extras.warnings),
        unchanged_fen=unchanged,
    )


@dataclass
class _Extras:
    """What a file's import says besides its counts: for --dry-run and warnings."""

    categories: dict[str, str] = field(default_factory=dict)
    new_sessions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _write_file(
    ledger: Ledger,
    f: TallyFile,
    replace: bool,
    tick: Callable[[int], None],
    problems: list[Problem],
    control: int | None,
    extras: _Extras,
) -> tuple[int, list[bulk.Plan]]:
    """Insert the file's batch, then check and write its tables one by one.

    Each table is written before the next is checked, so a workbook's stall sheet counts
    for its sales sheet, and a template's session sheet makes the session its sales
    sheet belongs to.
    """
    batch_id = bulk.insert_batch(ledger, f.path.name, f.sha256, control)
    plans: list[bulk.Plan] = []
    template_session: int | None = None
    before = len(problems)
    if f.partner is not None or f.session_ref is not None:
        plan = bulk.Plan("sessions")
        lookups = bulk.load_lookups(ledger)
        found = session_for(f, lookups, plan, problems)
        if plan.sessions and _write(ledger, plan, batch_id, failed=len(problems) > before):
            plans.append(plan)
            _new_sessions(ledger, lookups, plan, extras)
        if found is not None:
            season, date = found
            hit = bulk.load_lookups(ledger).sessions.get((season, date.isoformat()))
            template_session = hit.id if hit else None
    for sheet, rec in f.tables:
        kind = rec.kind.kind
        plan = bulk.Plan(kind)
        lookups = bulk.load_lookups(ledger)
        ctx = Context(ledger, lookups, plan, problems, replace, tick, batch_id=batch_id)
        named: list[tuple[str, dt.date]] = []
        if kind == "townships":
            validate_townships(ctx, sheet, rec)
        elif kind == "seasons":
            validate_seasons(ctx, sheet, rec)
        elif kind == "stalls":
            validate_stalls(ctx, sheet, rec)
        elif kind == "sessions":
            named = validate_sessions(ctx, sheet, rec, template=f.template or f.session_sheet)
        elif kind == "gate_samples":
            validate_gate_samples(ctx, sheet, rec)
        else:
            validate_sales(
                ctx, sheet, rec, session_id=template_session, template=kind == "sales_sheet"
            )
        if not _write(ledger, plan, batch_id, failed=len(problems) > before):
            break
        plans.append(plan)
        extras.categories.update(ctx.categories)
        if plan.sessions:
            _new_sessions(ledger, lookups, plan, extras)
        if f.template and named:
            season, date = named[0]
            found = bulk.load_lookups(ledger).sessions.get((season, date.isoformat()))
            template_session = found.id if found else None
    return batch_id, plans


def _new_sessions(ledger: Ledger, before: bulk.Lookups, plan: bulk.Plan, extras: _Extras) -> None:
    """Name the sessions a plan just created, and warn of any off the market day."""
    after = bulk.load_lookups(ledger).sessions
    for season, date, _details in plan.sessions:
        made = after.get((season, date.isoformat()))
        ref = made.ref if made is not None else season
        extras.new_sessions.append(f"{ref} ({date})")
        off_day = market_day_mismatch(before.seasons[season], date)
        if off_day:
            extras.warnings.append(off_day)


def _write(ledger: Ledger, plan: bulk.Plan, batch_id: int, *, failed: bool) -> bool:
    """Write a sheet's plan; after a problem, best effort only (it will be rolled back).

    The valid rows of a refused file are still written inside the doomed transaction so
    that later files are checked against them and do not report knock-on problems.
    """
    if not failed:
        bulk.write_plan(ledger, plan, batch_id)
        return True
    try:
        bulk.write_plan(ledger, plan, batch_id)
    except (IddexiError, sqlite3.Error):
        return False
    return True
