"""Which paths may be a ledger, a backup or a restore source, and how temporary copies
are made beside them.

SQLite keeps a ledger's unsaved writes in ``NAME-wal``, its shared index in ``NAME-shm``
and its rollback journal in ``NAME-journal``: writing a backup over one of them, or opening
one as a ledger, corrupts or deletes the ledger beside it. A FIFO or a device opened as a
file blocks for ever or reads nonsense; they are refused from ``os.stat`` before anything
opens them.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.errors import LedgerFileError

SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")
_TEMP_ATTEMPTS = 8


def refuse_sidecar(path: Path, what: str) -> None:
    """Refuse a path that names SQLite's own journal or log files as ``what``."""
    if path.name.lower().endswith(SIDECAR_SUFFIXES):
        raise LedgerFileError(
            _(
                "{path} is where SQLite keeps the journal of a ledger, not a file of its own; "
                "choose another name for the {what}"
            ).format(path=path, what=what)
        )


def refuse_special(path: Path, what: str) -> None:
    """Refuse a FIFO, socket or device (anything but a regular file or folder), without
    opening it; a path that does not exist passes."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LedgerFileError(
            _("cannot use {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise LedgerFileError(
            _("{path} is not a regular file (a pipe or a device); refused as a {what}").format(
                path=path, what=what
            )
        )


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file; never blocks on a pipe swapped in after
    :func:`refuse_special` looked (opened non-blocking, checked again on the open file)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LedgerFileError(
                _("{path} is not a regular file (a pipe or a device)").format(path=path)
            )
        return os.read(fd, size)
    finally:
        os.close(fd)


def create_exclusive(beside: Path) -> Path:
    """A new empty file with an unguessable name in ``beside``'s folder, created with
    ``O_EXCL | O_NOFOLLOW``: a file or symlink planted there is never written through."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _attempt in range(_TEMP_ATTEMPTS):
        candidate = beside.with_name(f".{beside.name}.{secrets.token_hex(8)}.partial")
        try:
            fd = os.open(candidate, flags, 0o666)  # less the umask, as SQLite creates files
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise LedgerFileError(
        _("cannot create a temporary file beside {path}: every name tried was taken").format(
            path=beside
        )
    )


def remove_temporary(path: Path) -> None:
    """Remove a temporary copy and the journal SQLite may have left beside it."""
    for leftover in (path, *(Path(f"{path}{s}") for s in SIDECAR_SUFFIXES)):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
