"""Opening a ledger file: the stdlib ``sqlite3`` connection every path shares.

The entry commands must start fast, so nothing here imports sqlite-utils (which imports
pandas); code that needs it wraps this same connection with ``sqlite_utils.Database(conn)``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.errors import LedgerFileError
from iddexi.ledger.files import refuse_sidecar, refuse_special
from iddexi.ledger.migrations import SCHEMA_VERSION, migrate
from iddexi.ledger.transactions import write_transaction

__all__ = ["connect", "open_read_only", "resolve_ledger_path", "write_transaction"]

BUSY_TIMEOUT_MS = 30_000
DEFAULT_LEDGER = Path("ledgers") / "iddexi.sqlite"


def resolve_ledger_path(option: str | os.PathLike[str] | None) -> Path:
    """``--ledger`` if given, else ``$IDDEXI_LEDGER``, else ``ledgers/iddexi.sqlite`` here."""
    if option:
        return Path(option)
    from_env = os.environ.get("IDDEXI_LEDGER")
    if from_env:
        return Path(from_env)
    return DEFAULT_LEDGER


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (creating if allowed) and migrate the ledger at ``path``.

    A ledger that cannot be written (a read-only file, or a read-only folder where SQLite
    cannot keep its ``-wal`` and ``-shm`` files) is opened read-only: reading commands
    work, and a write is refused as "the ledger is read-only".
    """
    refuse_sidecar(path, _("ledger"))
    refuse_special(path, _("ledger"))
    if not path.exists():
        if not create:
            raise LedgerFileError(_("no ledger at {path}").format(path=path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerFileError(
                _("cannot create the folder for ledger {path}: {strerror}").format(
                    path=path, strerror=exc.strerror
                )
            ) from None
    elif path.is_dir():
        raise LedgerFileError(
            _("ledger {path} is a folder; give the path of a .sqlite file").format(path=path)
        )
    elif not writable(path):
        return open_read_only(path, migrated=True)
    try:
        # autocommit mode: every write opens its own BEGIN IMMEDIATE explicitly
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        _settle(conn, path)
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn, str(path))
    except sqlite3.DatabaseError as exc:
        raise LedgerFileError(
            _("cannot use ledger {path}: {exc}").format(path=path, exc=exc)
        ) from None
    return conn


def _settle(conn: sqlite3.Connection, path: Path) -> None:
    """Check the file is a ledger and put it in WAL mode.

    Several organisers may open a new ledger at the same moment, each creating it. Turning
    on WAL needs the file to itself, and SQLite does not wait for that as it waits for a
    write lock; so a "locked" answer here is retried until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            _check_is_ledger(conn, path)
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise LedgerFileError(
                _("cannot use ledger {path}: it stays locked by another process").format(path=path)
            )
        time.sleep(0.02)


def _check_is_ledger(conn: sqlite3.Connection, path: Path) -> None:
    # One read transaction: another process creating the ledger must not commit its first
    # migration between the two reads (version 0, yet tables: "not a ledger").
    conn.execute("BEGIN")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name != 'migrations'"
        ).fetchone()[0]
    finally:
        conn.execute("COMMIT")
    if version == 0 and tables:
        raise LedgerFileError(
            _("{path} is an SQLite file but not an iddexi ledger").format(path=path)
        )


def writable(path: Path) -> bool:
    """Whether SQLite can write the ledger at ``path`` and keep its journal beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def open_read_only(path: Path, *, migrated: bool = False) -> sqlite3.Connection:
    """A read-only connection to the SQLite file at ``path`` (which must exist).

    ``mode=ro`` first; where SQLite cannot create the ``-shm`` file it needs for that (a
    read-only folder), ``immutable=1``, which needs none, unless unsaved writes wait in a
    ``-wal`` file that it would not read. With ``migrated``, the ledger must already be
    at this iddexi's schema version, since a read-only ledger cannot be upgraded.
    """
    uri = path.resolve().as_uri()
    conn = None
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        if query.endswith("immutable=1"):
            wal = Path(f"{path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise LedgerFileError(
                    _(
                        "ledger {path} is read-only and its latest writes are still in "
                        "{wal}; open it once where it can be written"
                    ).format(path=path, wal=wal)
                )
        try:
            conn = sqlite3.connect(
                uri + query, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            break
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
                conn = None
            failure = exc
        except sqlite3.DatabaseError as exc:
            if not migrated and conn is not None:
                break  # a damaged file: `iddexi check` reports how
            if conn is not None:
                conn.close()
            raise LedgerFileError(
                _("cannot use ledger {path}: {exc}").format(path=path, exc=exc)
            ) from None
    if conn is None:
        raise LedgerFileError(
            _("cannot open ledger {path}: {failure}").format(path=path, failure=failure)
        ) from None
    if migrated:
        _refuse_unmigrated(conn, path)
    return conn


def _refuse_unmigrated(conn: sqlite3.Connection, path: Path) -> None:
    try:
        _check_is_ledger(conn, path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LedgerFileError(
            _("cannot use ledger {path}: {exc}").format(path=path, exc=exc)
        ) from None
    if version != SCHEMA_VERSION:
        conn.close()
        if version > SCHEMA_VERSION:
            raise LedgerFileError(
                _(
                    "ledger {path} has schema version {version}, newer than this iddexi knows ({schema_version}); upgrade iddexi to use it"
                ).format(path=path, version=version, schema_version=SCHEMA_VERSION)
            )
        raise LedgerFileError(
            _(
                "ledger {path} is read-only and was made by an older iddexi (schema {old}, "
                "now {new}); open it once where it can be written to upgrade it"
            ).format(path=path, old=version, new=SCHEMA_VERSION)
        )
