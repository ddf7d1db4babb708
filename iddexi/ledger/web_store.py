"""What `iddexi serve` keeps in the ledger: card secrets, web passwords, keepers'
submissions, the organisers' decisions on them, closed sessions (migration m007).

All of it only grows. Submissions and decisions are not written in batches, so each row
names the hash of the row before it in its table (``prev_hash``) and its own ``hash``
over a canonical form: the seam where the ledger's hash chain takes them in.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, NotFoundError

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

GENESIS = "0" * 64
ROLES = ("organiser", "bureau")


@dataclass(frozen=True)
class SubmittedLine:
    """One category of a keeper's submission."""

    category: str
    amount_fen: int
    quantity: Decimal | None = None
    unit: str | None = None

    def as_list(self) -> list:
        return [
            self.category,
            self.amount_fen,
            None if self.quantity is None else str(self.quantity),
            self.unit,
        ]


@dataclass(frozen=True)
class Submission:
    id: int
    session_id: int
    stall: str
    lines: tuple[SubmittedLine, ...]
    total_fen: int
    submitted_at: str
    decision: str | None  # None (waiting), 'approved', 'rejected'
    reason: str | None
    batch_id: int | None
    decided_by: str | None
    latest: bool  # the stall's latest submission for the session (earlier ones are replaced)

    @property
    def status(self) -> str:
        if self.decision:
            return self.decision
        return "waiting" if self.latest else "replaced"


def chain_hash(prev_hash: str, fields: list) -> str:
    """A row's hash: over the previous row's hash and the row's fields, in canonical JSON
    (what `iddexi check` recomputes, iddexi/ledger/web_check.py)."""
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode("utf-8")).hexdigest()


def _last_hash(ledger: Ledger, table: str) -> str:
    row = ledger.conn.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def open_shared(path: Path, user: str) -> Ledger:
    """The ledger for the web server: one connection that the server's threads take in
    turn (under its lock), with the same settings as every other connection."""
    from iddexi.ledger.connection import BUSY_TIMEOUT_MS
    from iddexi.ledger.core import Ledger

    Ledger.open(path, user=user, create=False).close()  # exists, is a ledger, migrated
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return Ledger(conn, path, user)


# --- card secrets -----------------------------------------------------------------------


def issue_stall_secret(
    ledger: Ledger, season: str, stall: str, secret_hash: str, issued_at: str
) -> None:
    """A stall's new card for a season (its earlier card, if any, stops working)."""
    with ledger.transaction():
        ledger.conn.execute(
            "INSERT INTO stall_secrets (season, stall, secret_hash, issued_at, issued_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (season, stall, secret_hash, issued_at, ledger.user),
        )


def issue_stall_secrets(
    ledger: Ledger, season: str, hashes: dict[str, str], issued_at: str
) -> None:
    """New cards for many stalls in one transaction."""
    with ledger.transaction():
        ledger.conn.executemany(
            "INSERT INTO stall_secrets (season, stall, secret_hash, issued_at, issued_by)"
            " VALUES (?, ?, ?, ?, ?)",
            [(season, stall, h, issued_at, ledger.user) for stall, h in hashes.items()],
        )


def stall_secret(ledger: Ledger, stall: str) -> tuple[str, str] | None:
    """(season, secret hash) of the stall's live card: the last one issued."""
    row = ledger.conn.execute(
        "SELECT season, secret_hash FROM stall_secrets WHERE stall = ? ORDER BY id DESC LIMIT 1",
        (stall,),
    ).fetchone()
    return (row[0], row[1]) if row else None


def cards_issued(ledger: Ledger, season: str) -> dict[str, str]:
    """Stall code -> when its live card for ``season`` was issued."""
    rows = ledger.conn.execute(
        "SELECT stall, max(issued_at) FROM stall_secrets WHERE season = ? GROUP BY stall",
        (season,),
    ).fetchall()
    return dict(rows)


# --- passwords --------------------------------------------------------------------------


def set_password_hash(ledger: Ledger, role: str, password_hash: str, set_at: str) -> None:
    if role not in ROLES:
        raise NotFoundError(
            _("no web role {role!r}; roles are {roles}").format(role=role, roles=", ".join(ROLES))
        )
    with ledger.transaction():
        ledger.conn.execute(
            "INSERT INTO web_passwords (role, password_hash, set_at, set_by) VALUES (?, ?, ?, ?)",
            (role, password_hash, set_at, ledger.user),
        )


def password_hash(ledger: Ledger, role: str) -> str | None:
    row = ledger.conn.execute(
        "SELECT password_hash FROM web_passwords WHERE role = ? ORDER BY id DESC LIMIT 1", (role,)
    ).fetchone()
    return row[0] if row else None


# --- what a stall sells, which session is open --------------------------------------------


def stall_categories(ledger: Ledger, stall: str) -> list[str]:
    """The categories a keeper's form asks for: the stall's own, those it has sold in,
    and 'other', in the categories' order."""
    rows = ledger.conn.execute(
        "SELECT c.code FROM categories c WHERE c.code = 'other'"
        " OR c.code = (SELECT category FROM stalls WHERE code = ?)"
        " OR c.code IN (SELECT DISTINCT category FROM live_sales WHERE stall = ?)"
        " ORDER BY c.code = 'other', c.position, c.code",
        (stall, stall),
    ).fetchall()
    return [code for (code,) in rows]


def open_session_id(ledger: Ledger, season: str, today: str) -> int | None:
    """The season's current session: the latest live one on or before ``today`` that
    has not been closed (else None)."""
    row = ledger.conn.execute(
        "SELECT s.id FROM live_sessions s WHERE s.season = ? AND s.date <= ?"
        " ORDER BY s.date DESC LIMIT 1",
        (season, today),
    ).fetchone()
    if row is None or session_closed(ledger, row[0]):
        return None
    return int(row[0])


def session_closed(ledger: Ledger, session_id: int) -> str | None:
    """When the session was closed for keepers' corrections, or None."""
    row = ledger.conn.execute(
        "SELECT closed_at FROM session_closures WHERE session_id = ?", (session_id,)
    ).fetchone()
    return row[0] if row else None


def close_session(ledger: Ledger, session_id: int, closed_at: str) -> None:
    with ledger.transaction():
        if session_closed(ledger, session_id):
            raise ConflictError(_("this session is already closed"))
        ledger.conn.execute(
            "INSERT INTO session_closures (session_id, closed_at, closed_by) VALUES (?, ?, ?)",
            (session_id, closed_at, ledger.user),
        )


# --- submissions ------------------------------------------------------------------------


def add_submission(
    ledger: Ledger,
    session_id: int,
    stall: str,
    lines: list[SubmittedLine],
    form_id: str,
    submitted_at: str,
) -> int:
    """Record a keeper's submission; a form sent twice is refused (ConflictError)."""
    payload = [line.as_list() for line in lines]
    total = sum(line.amount_fen for line in lines)
    with ledger.transaction():
        if session_closed(ledger, session_id):
            raise ConflictError(_("the organiser has closed this session; no more changes"))
        if ledger.conn.execute(
            "SELECT 1 FROM submissions WHERE form_id = ?", (form_id,)
        ).fetchone():
            raise ConflictError(_("this form was already sent"))
        prev = _last_hash(ledger, "submissions")
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        digest = chain_hash(prev, [session_id, stall, text, total, submitted_at, form_id])
        cursor = ledger.conn.execute(
            "INSERT INTO submissions (session_id, stall, lines, total_fen, submitted_at,"
            " form_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, stall, text, total, submitted_at, form_id, prev, digest),
        )
        return int(cursor.lastrowid)


_SUBMISSION_SELECT = (
    "SELECT s.id, s.session_id, s.stall, s.lines, s.total_fen, s.submitted_at,"
    " d.decision, d.reason, d.batch_id, d.decided_by,"
    " s.id = (SELECT max(id) FROM submissions o"
    "         WHERE o.session_id = s.session_id AND o.stall = s.stall) AS latest"
    " FROM submissions s LEFT JOIN submission_decisions d ON d.submission_id = s.id"
)


def _submission(row: tuple) -> Submission:
    sid, session_id, stall, text, total, at, decision, reason, batch, by, latest = row
    lines = tuple(
        SubmittedLine(cat, fen, Decimal(qty) if qty is not None else None, unit)
        for cat, fen, qty, unit in json.loads(text)
    )
    return Submission(
        sid, session_id, stall, lines, total, at, decision, reason, batch, by, bool(latest)
    )


def submissions(ledger: Ledger, session_id: int, stall: str | None = None) -> list[Submission]:
    """The session's submissions, oldest first (only ``stall``'s when given)."""
    where, args = " WHERE s.session_id = ?", [session_id]
    if stall is not None:
        where += " AND s.stall = ?"
        args.append(stall)
    rows = ledger.conn.execute(_SUBMISSION_SELECT + where + " ORDER BY s.id", args).fetchall()
    return [_submission(r) for r in rows]


def submission(ledger: Ledger, submission_id: int) -> Submission:
    row = ledger.conn.execute(_SUBMISSION_SELECT + " WHERE s.id = ?", (submission_id,)).fetchone()
    if row is None:
        raise NotFoundError(
            _("submission {submission_id} is not in the ledger").format(submission_id=submission_id)
        )
    return _submission(row)


def decide(
    ledger: Ledger,
    submission_id: int,
    decision: str,
    decided_at: str,
    *,
    reason: str | None = None,
    batch_id: int | None = None,
) -> None:
    """Record an organiser's decision (once per submission)."""
    with ledger.transaction():
        done = ledger.conn.execute(
            "SELECT decision FROM submission_decisions WHERE submission_id = ?", (submission_id,)
        ).fetchone()
        if done:
            raise ConflictError(
                _("submission {submission_id} is already {status}").format(
                    submission_id=submission_id, status=_(done[0])
                )
            )
        prev = _last_hash(ledger, "submission_decisions")
        fields = [submission_id, decision, reason, batch_id, decided_at, ledger.user]
        ledger.conn.execute(
            "INSERT INTO submission_decisions (submission_id, decision, reason, batch_id,"
            " decided_at, decided_by, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*fields, prev, chain_hash(prev, fields)),
        )


def ledger_version(ledger: Ledger) -> tuple[int, int]:
    """Changes whenever a batch is written or voided: a report made at one version is
    good until the next."""
    row = ledger.conn.execute(
        "SELECT coalesce(max(id), 0), count(voided_at) FROM batches"
    ).fetchone()
    return int(row[0]), int(row[1])


def approved_live_categories(ledger: Ledger, session_id: int, stall: str) -> set[str]:
    """Categories in which the stall's live lines of the session came from approved
    submissions (a correction that leaves one out takes it back to zero)."""
    rows = ledger.conn.execute(
        "SELECT DISTINCT l.category FROM live_sales l"
        " JOIN submission_decisions d ON d.batch_id = l.batch_id AND d.decision = 'approved'"
        " JOIN submissions s ON s.id = d.submission_id"
        " WHERE l.session_id = ? AND l.stall = ? AND s.session_id = ? AND s.stall = ?",
        (session_id, stall, session_id, stall),
    ).fetchall()
    return {category for (category,) in rows}
