"""Keeping the ledger whole: check a ledger file, back it up, restore it.

The checks themselves live in :mod:`iddexi.ledger.checks`. :func:`backup_ledger` and
:func:`restore_ledger` copy through SQLite's online backup API, which takes a consistent
snapshot while other processes keep writing and writes the target in one transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.chain import Head
from iddexi.ledger.chain import head as chain_head
from iddexi.ledger.checks import (
    BAD_DATE,
    MARKET_DAY,
    Check,
    LedgerProblem,
    amount_problems,
    chain_problems,
    check_ledger,
    constraint_problems,
    control_total_problems,
    duplicate_problems,
    duplicate_session_problems,
    integrity_problems,
    migration_problems,
    orphan_problems,
    reference_problems,
    schema_problems,
    session_date_problems,
    stored_value_problems,
    web_problems,
)
from iddexi.ledger.connection import open_read_only
from iddexi.ledger.errors import (
    ConflictError,
    IddexiError,
    LedgerFileError,
    NotFoundError,
)
from iddexi.ledger.files import (
    create_exclusive,
    read_head,
    refuse_sidecar,
    refuse_special,
    remove_temporary,
)
from iddexi.ledger.migrations import SCHEMA_VERSION, migrate

_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> list[LedgerProblem]:
    """Check the ledger at ``path`` without changing it (read-only; no migration)."""
    conn = open_readonly(path)
    try:
        problems = integrity_problems(conn)
        if problems:
            return problems
        describe_ledger(conn, path)
        return check_ledger(conn)
    finally:
        conn.close()


def file_head(path: Path) -> Head:
    """The head of the hash chain of the ledger at ``path`` (its ledger code), read-only."""
    conn = open_readonly(path)
    try:
        return chain_head(conn)
    finally:
        conn.close()


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing SQLite file; refuses anything else (a pipe
    or a device is refused before it is opened, so nothing waits on it)."""
    path = Path(path)
    if not path.exists():
        raise NotFoundError(_("no ledger at {path}").format(path=path))
    if path.is_dir():
        raise LedgerFileError(
            _("{path} is a folder; give the path of a .sqlite file").format(path=path)
        )
    refuse_special(path, _("ledger or backup"))
    try:
        head = read_head(path, len(_SQLITE_MAGIC))
    except OSError as exc:
        raise LedgerFileError(
            _("cannot read {path}: {value}").format(path=path, value=exc.strerror or exc)
        ) from None
    if head != _SQLITE_MAGIC:
        raise LedgerFileError(
            _("{path} is not an SQLite file, so not an iddexi ledger").format(path=path)
        )
    return open_read_only(path)


def first_batch(path: Path) -> tuple[str, str] | None:
    """The kind and source of the first batch of the ledger at ``path``; None when there
    is none, or the file is not a readable ledger."""
    try:
        conn = open_readonly(path)
    except IddexiError:
        return None
    try:
        row = conn.execute("SELECT kind, source FROM batches ORDER BY id LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else (row[0], row[1])


def describe_ledger(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of an iddexi ledger; refuses other files and newer schemas."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise LedgerFileError(
            _("{path} cannot be read as a ledger: {exc}").format(path=path, exc=exc)
        ) from None
    if version < 1 or not {"migrations", "batches", "sales"} <= tables:
        raise LedgerFileError(
            _("{path} is an SQLite file but not an iddexi ledger").format(path=path)
        )
    if version > SCHEMA_VERSION:
        raise LedgerFileError(
            _(
                "{path} has schema version {version}, newer than this iddexi knows ({SCHEMA_VERSION}); upgrade iddexi to use it"
            ).format(path=path, version=version, SCHEMA_VERSION=SCHEMA_VERSION)
        )
    return version


@dataclass(frozen=True)
class CopyResult:
    """What a backup or restore copied: where to, how many batches, and the schema."""

    path: Path
    batches: int
    schema_version: int
    #: the ledger a restore replaced, kept beside it; and how many of its batches the
    #: restored backup does not have (they are only in that copy now)
    replaced_copy: Path | None = None
    batches_lacking: int = 0


def _copy(source: sqlite3.Connection, target: Path) -> None:
    dest = sqlite3.connect(target, isolation_level=None, timeout=30)
    try:
        dest.execute("PRAGMA busy_timeout = 30000")
        source.backup(dest)  # pages=-1: one step, so one consistent snapshot and one write
    finally:
        dest.close()


def backup_ledger(
    conn: sqlite3.Connection,
    dest: Path | str,
    *,
    force: bool = False,
    ledger_path: Path | None = None,
) -> CopyResult:
    """Copy the open ledger to ``dest``: a file, or a folder (existing, or written with a
    trailing ``/``) to put a dated copy in.

    Safe while other processes write: the online backup API copies one consistent
    snapshot. The copy is written beside ``dest`` first, checked, then renamed into place,
    so ``dest`` is never a half-written file. The copy is a single self-contained file
    (rollback journal, not WAL).
    """
    folder = str(dest).endswith(("/", os.sep)) or Path(dest).is_dir()
    dest = Path(dest)
    if folder:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = dest / f"iddexi-backup-{stamp}.sqlite"
    refuse_sidecar(dest, _("backup"))
    refuse_special(dest, _("backup"))
    if ledger_path is not None and dest.exists() and dest.resolve() == Path(ledger_path).resolve():
        raise ConflictError(
            _("{dest} is the ledger itself; give another name for the backup").format(dest=dest)
        )
    if dest.exists() and not force:
        raise ConflictError(
            _("{dest} already exists; give another name, or --force to replace it").format(
                dest=dest
            )
        )
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerFileError(
            _("cannot create the folder for {dest}: {strerror}").format(
                dest=dest, strerror=exc.strerror
            )
        ) from None
    partial = create_exclusive(dest)
    try:
        _copy(conn, partial)
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = integrity_problems(copy)
            version = describe_ledger(copy, dest)
            batches = copy.execute("SELECT count(*) FROM batches").fetchone()[0]
        finally:
            copy.close()
        if problems:
            raise LedgerFileError(
                _(
                    "the backup copy failed its integrity check ({message}); run `iddexi check`"
                ).format(message=problems[0].message)
            )
        os.replace(partial, dest)
    except sqlite3.DatabaseError as exc:
        raise LedgerFileError(
            _("cannot write the backup {dest}: {exc}").format(dest=dest, exc=exc)
        ) from None
    except OSError as exc:
        raise LedgerFileError(
            _("cannot write the backup {dest}: {value}").format(
                dest=dest, value=exc.strerror or exc
            )
        ) from None
    finally:
        remove_temporary(partial)
    return CopyResult(dest, batches, version)


def restore_ledger(
    source: Path, target: Path, *, force: bool = False, despite_problems: bool = False
) -> CopyResult:
    """Replace the ledger at ``target`` with the backup ``source``.

    The source is checked first: an SQLite file, an iddexi ledger, passing SQLite's
    integrity check, with exactly the schema of its version (nothing added, nothing
    missing), every row keeping the schema's rules and every value readable, and, unless
    ``despite_problems``, with figures that pass the money checks of `iddexi check`. It
    is then copied into a new file beside the target (created exclusively), migrated to
    this iddexi's schema and the page size of the live ledger, and checked again; only
    then does it replace the ledger, in one SQLite transaction (so processes that have
    the ledger open see the restored one) or, for a new or unreadable target, by a
    rename. A restore refused or failed at any step leaves the live ledger as it was.
    """
    source, target = Path(source), Path(target)
    refuse_sidecar(target, _("ledger"))
    refuse_special(target, _("ledger"))
    if target.exists() and source.resolve() == target.resolve():
        raise ConflictError(
            _("{source} is the ledger itself; restore from a backup copy").format(source=source)
        )
    conn = open_readonly(source)
    try:
        # one read transaction: what is copied is the snapshot that was verified
        conn.execute("BEGIN")
        version = _admit(conn, source)
        batches = conn.execute("SELECT count(*) FROM batches").fetchone()[0]
        if target.is_dir():
            raise LedgerFileError(
                _("ledger {target} is a folder; give the path of a .sqlite file").format(
                    target=target
                )
            )
        if target.exists() and not force:
            raise ConflictError(
                _(
                    "ledger {target} already exists; back it up first (`iddexi backup`), then restore with --force to replace it"
                ).format(target=target)
            )
        new_folders = [f for f in (target.parent, *target.parent.parents) if not f.exists()]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerFileError(
                _("cannot restore into {target}: {reason}").format(
                    target=target, reason=exc.strerror or exc
                )
            ) from None
        temporary = create_exclusive(target)
        try:
            copy = sqlite3.connect(temporary, isolation_level=None, timeout=30)
            try:
                conn.backup(copy)
            finally:
                copy.close()
        except sqlite3.DatabaseError as exc:
            remove_temporary(temporary)
            raise LedgerFileError(
                _("cannot restore into {target}: {exc}").format(target=target, exc=exc)
            ) from None
    finally:
        conn.close()
    try:
        try:
            copy = sqlite3.connect(temporary, isolation_level=None, timeout=30)
            try:
                copy.execute("PRAGMA journal_mode = DELETE")
                _match_page_size(copy, target)
                migrate(copy, str(temporary))
                _verify_copy(copy, source, despite_problems=despite_problems)
            finally:
                copy.close()
            kept = _keep_replaced(target)
            lacking = _batches_lacking(kept, temporary) if kept else 0
            _install(temporary, target)
        except sqlite3.DatabaseError as exc:
            raise LedgerFileError(
                _("cannot restore into {target}: {exc}").format(target=target, exc=exc)
            ) from None
        except OSError as exc:
            raise LedgerFileError(
                _("cannot restore into {target}: {value}").format(
                    target=target, value=exc.strerror or exc
                )
            ) from None
    except BaseException:
        remove_temporary(temporary)
        for folder in new_folders:  # a refused restore leaves no trace, not even a folder
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    finally:
        remove_temporary(temporary)
    return CopyResult(target, batches, version, kept, lacking)


def _keep_replaced(target: Path) -> Path | None:
    """Copy the ledger a restore is about to replace to a new file beside it
    (``NAME.before-restore-YYYYMMDD-HHMMSS.sqlite``, created exclusively, through SQLite's
    backup API), so entries made after the backup are never lost; None when there is no
    SQLite ledger to keep."""
    if _page_size(target) is None:
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for attempt in range(1, 100):
        suffix = "" if attempt == 1 else f"-{attempt}"
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}{suffix}.sqlite")
        try:
            os.close(os.open(kept, flags, 0o666))
        except FileExistsError:
            continue
        break
    else:
        raise LedgerFileError(
            _("cannot keep a copy of {target} before restoring: every name was taken").format(
                target=target
            )
        )
    try:
        live = sqlite3.connect(target, isolation_level=None, timeout=30)
        try:
            dest = sqlite3.connect(kept, isolation_level=None, timeout=30)
            try:
                live.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            finally:
                dest.close()
        finally:
            live.close()
    except BaseException:
        remove_temporary(kept)
        raise
    return kept


def _batches_lacking(replaced: Path, restored: Path) -> int:
    """How many batches of the replaced ledger the restored copy does not hold (same
    number and time made)."""
    conn = sqlite3.connect(replaced, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS restored", (str(restored),))
        return conn.execute(
            "SELECT count(*) FROM main.batches b WHERE NOT EXISTS (SELECT 1 FROM"
            " restored.batches r WHERE r.id = b.id AND r.created_at IS b.created_at)"
        ).fetchone()[0]
    except sqlite3.DatabaseError:
        return 0  # the replaced file is not a ledger we can read: nothing to compare
    finally:
        conn.close()


def _admit(conn: sqlite3.Connection, source: Path) -> int:
    """Refuse a backup that is damaged, of an unknown version, or foreign in its schema,
    rows or values; its schema version.

    These checks work from the schema of the backup's own version, so they run on the
    backup as it is, before anything is copied.
    """
    problems = integrity_problems(conn)
    if problems:
        raise LedgerFileError(
            _("{source} is damaged and was not restored: {first_problem}").format(
                source=source, first_problem=problems[0].message
            )
        )
    version = describe_ledger(conn, source)
    _refuse_foreign([p for step in ADMISSION_CHECKS for p in step(conn)], source)
    return version


def _refuse_foreign(problems: list, source: Path) -> None:
    if problems:
        raise LedgerFileError(
            _(
                "{source} was not restored: {problem}; "
                "`iddexi --ledger {source} check` lists every problem"
            ).format(source=source, problem=_first(problems))
        )


def _verify_copy(copy: sqlite3.Connection, source: Path, *, despite_problems: bool) -> None:
    """The copy about to replace the ledger, migrated to this iddexi's schema: whole,
    nothing added, dates readable, and (unless ``despite_problems``) sound figures. The
    figure checks read the current schema's views, so they run here, after migration."""
    problems = integrity_problems(copy)
    if not problems:
        if describe_ledger(copy, source) != SCHEMA_VERSION:
            raise LedgerFileError(
                _("{source} could not be brought to this iddexi's schema").format(source=source)
            )
        problems = schema_problems(copy) + migration_problems(copy)
    if problems:
        raise LedgerFileError(
            _("the copy of {source} failed its check: {problem}").format(
                source=source, problem=_first(problems)
            )
        )
    _refuse_foreign([p for p in session_date_problems(copy) if p.kind == BAD_DATE], source)
    if not despite_problems:
        _refuse_unsound_money(copy, source)


def _first(problems: list) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    got = "" if first.value is None else f" (got {str(first.value)!r})"
    return f"{first.location}: {first.message}{got}{more}"


def _page_size(path: Path) -> int | None:
    """The page size in an SQLite file's header; None when it is no SQLite file."""
    try:
        head = read_head(path, 100)
    except (OSError, IddexiError):
        return None
    if len(head) < 18 or not head.startswith(_SQLITE_MAGIC):
        return None
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size


def _match_page_size(copy: sqlite3.Connection, target: Path) -> None:
    """Give the copy the live ledger's page size: SQLite cannot copy pages of one size
    into a ledger in WAL mode that has another."""
    wanted = _page_size(target) if target.exists() else None
    have = copy.execute("PRAGMA page_size").fetchone()[0]
    if wanted and wanted != have:
        copy.execute(f"PRAGMA page_size = {int(wanted)}")
        copy.execute("VACUUM")


def _install(temporary: Path, target: Path) -> None:
    """Put the checked copy in place of the ledger."""
    if _page_size(target) is None:
        # nothing there, or not an SQLite file (a damaged ledger): its journal is no use
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
            stale.unlink(missing_ok=True)
        os.replace(temporary, target)
        return
    live = sqlite3.connect(target, isolation_level=None, timeout=30)
    try:
        live.execute("PRAGMA busy_timeout = 30000")
        copy = sqlite3.connect(temporary, isolation_level=None)
        try:
            copy.backup(live)  # one write transaction: all of it or none
        finally:
            copy.close()
    finally:
        live.close()


# What a backup must pass to be restored: its schema as its migrations made it (an older
# one is migrated when the restored ledger is opened), and the checks on money, its
# references and session dates. Only a session off its market day is left to `iddexi
# check`: the organiser was warned when it was entered.
RESTORE_CHECKS: tuple[Check, ...] = (
    orphan_problems,
    duplicate_session_problems,
    duplicate_problems,
    control_total_problems,
    chain_problems,
    web_problems,
)
# What a backup must pass even with --despite-problems: nothing foreign in its schema,
# no row breaking a rule of the schema, no value a command could not read.
ADMISSION_CHECKS: tuple[Check, ...] = (
    migration_problems,  # first: a changed version number explains every schema problem
    schema_problems,
    constraint_problems,
    reference_problems,
    stored_value_problems,
    amount_problems,
)


def _refuse_unsound_money(conn: sqlite3.Connection, source: Path) -> None:
    problems = [p for step in RESTORE_CHECKS for p in step(conn)]
    problems += [p for p in session_date_problems(conn) if p.kind not in (MARKET_DAY, BAD_DATE)]
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise LedgerFileError(
            _(
                "{source} was not restored: {location}: {message}{more}; `iddexi --ledger {source} check` lists every problem; restore --despite-problems takes it as it is"
            ).format(source=source, location=first.location, message=first.message, more=more)
        )
