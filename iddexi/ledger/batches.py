"""Batches: the history of every write, and voiding (never deleting) a batch."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError, NotFoundError
from iddexi.ledger.records import Batch
from iddexi.ledger.values import clean_text, local_minute
from iddexi.ledger.words import BATCH_KIND, pick

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

# What a batch wrote, counted for people: a session added together with its first details
# is one row, a later correction is one row; the void markers of --replace are part of
# the line that replaces them.
_ROWS = """
    (SELECT count(*) FROM sales WHERE batch_id = b.id)
  + (SELECT count(*) FROM sessions WHERE batch_id = b.id)
  + (SELECT count(*) FROM session_revisions r WHERE r.batch_id = b.id
       AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = r.session_id AND s.batch_id = b.id))
  + (SELECT count(*) FROM seasons WHERE batch_id = b.id)
  + (SELECT count(*) FROM townships WHERE batch_id = b.id)
  + (SELECT count(*) FROM stalls WHERE batch_id = b.id)
  + (SELECT count(*) FROM categories WHERE batch_id = b.id)
  + (SELECT count(*) FROM gate_samples WHERE batch_id = b.id)
  + (SELECT count(*) FROM session_hours WHERE batch_id = b.id)
  + (SELECT count(*) FROM session_moves WHERE batch_id = b.id)
  + (SELECT count(*) FROM stall_revisions WHERE batch_id = b.id)
  + (SELECT count(*) FROM season_revisions WHERE batch_id = b.id)
  + (SELECT count(*) FROM township_revisions WHERE batch_id = b.id)
  + (SELECT count(*) FROM batch_voids WHERE batch_id = b.id)
"""
# A batch wrote to a season: the season itself, its sessions, their details, samples,
# hours, moves or sales.
_TOUCHES_SEASON = """b.id IN (
    SELECT batch_id FROM seasons WHERE code = :season
    UNION SELECT batch_id FROM season_revisions WHERE season = :season
    UNION SELECT s.batch_id FROM sessions s WHERE s.season = :season
    UNION SELECT x.batch_id FROM sessions s JOIN (
        SELECT session_id, batch_id FROM session_revisions
        UNION ALL SELECT session_id, batch_id FROM sales
        UNION ALL SELECT session_id, batch_id FROM gate_samples
        UNION ALL SELECT session_id, batch_id FROM session_hours
        UNION ALL SELECT session_id, batch_id FROM session_moves
    ) x ON x.session_id = s.id WHERE s.season = :season)"""
_BATCH_SELECT = (
    "SELECT b.id, b.kind, b.source, b.sha256, b.created_at, b.created_by, "
    + _ROWS
    + ", b.voided_at, b.voided_by, b.void_reason, b.chain_sha256 FROM batches b"
)


class BatchesMixin:
    conn: sqlite3.Connection
    user: str
    recorded: list[str]

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[None]: ...
        def _refuse_voiding_under_estimate(self, batch_id: int) -> None: ...
        def _refuse_restored_clash(self, batch_id: int) -> None: ...

    def history(
        self,
        *,
        kind: str | None = None,
        season: str | None = None,
        by: str | None = None,
        since: dt.date | None = None,
        limit: int | None = None,
    ) -> list[Batch]:
        """Batches in order, live and void; filtered by kind, by a season they wrote to,
        by who made them, by day made (on or after ``since``); ``limit``: the latest N."""
        where: list[str] = []
        params: dict[str, object] = {}
        if kind is not None:
            where.append("b.kind = :kind")
            params["kind"] = pick(BATCH_KIND, kind, "batch kind")
        if season is not None:
            code = self.season(season).code  # type: ignore[attr-defined]
            where.append(_TOUCHES_SEASON)
            params["season"] = code
        if by is not None:
            where.append("b.created_by = :by")
            params["by"] = by
        if since is not None:
            where.append("substr(b.created_at, 1, 10) >= :since")
            params["since"] = since.isoformat()
        if limit is not None and limit < 1:
            raise InputError(_("--limit {n} must be 1 or more").format(n=limit))
        sql = _BATCH_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        if limit is not None:
            sql = f"SELECT * FROM ({sql} ORDER BY b.id DESC LIMIT {int(limit)})"
            rows = self.conn.execute(sql + " ORDER BY 1", params).fetchall()
        else:
            rows = self.conn.execute(sql + " ORDER BY b.id", params).fetchall()
        return [Batch(*r) for r in rows]

    def batch_record(self, batch_id: int) -> Batch:
        if not 0 < batch_id < 2**63:
            raise NotFoundError(
                _("batch {batch_id} does not exist; see `iddexi history`").format(batch_id=batch_id)
            )
        row = self.conn.execute(_BATCH_SELECT + " WHERE b.id = ?", (batch_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                _("batch {batch_id} does not exist; see `iddexi history`").format(batch_id=batch_id)
            )
        return Batch(*row)

    def live_batch_with_sha(self, sha256: str) -> Batch | None:
        row = self.conn.execute(
            _BATCH_SELECT + " WHERE b.sha256 = ? AND b.voided_at IS NULL ORDER BY b.id LIMIT 1",
            (sha256,),
        ).fetchone()
        return Batch(*row) if row else None

    def void(self, batch_id: int, reason: str) -> Batch:
        """Mark a batch void: its lines and sessions stop counting; nothing is deleted.

        The void is a batch of its own (kind correction, one row in ``batch_voids``), so
        it is sealed into the hash chain; the voided batch's marker (``voided_at``,
        ``voided_by``, ``void_reason``) repeats the void batch's time, author and reason,
        and `iddexi check` holds the two to each other. Stalls, townships and seasons the
        batch set up stay (see _refuse_reference_batch).
        """
        reason = clean_text(reason, "the reason", multiline=True) or ""
        if not reason:
            raise InputError(_("a void needs a reason (--reason TEXT), kept in the history"))
        self.batch_record(batch_id)  # refuse an unknown batch before writing anything
        with self.batch("correction", f"void batch {batch_id}") as void_id:
            batch = self.batch_record(batch_id)
            if batch.voided_at:
                raise ConflictError(
                    _("batch {batch_id} is already void (since {voided_at}: {reason})").format(
                        batch_id=batch_id,
                        voided_at=local_minute(batch.voided_at),
                        reason=batch.reason,
                    )
                )
            voided = self.conn.execute(
                "SELECT voided_batch FROM batch_voids WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            if voided:
                raise ConflictError(
                    _("batch {batch_id} is the void of batch {voided}; a void is final").format(
                        batch_id=batch_id, voided=voided[0]
                    )
                )
            self._refuse_reference_batch(batch_id)
            self._refuse_orphaning_sales(batch_id)
            self._refuse_voiding_under_estimate(batch_id)
            self.conn.execute(
                "INSERT INTO batch_voids (batch_id, voided_batch, reason) VALUES (?, ?, ?)",
                (void_id, batch_id, reason),
            )
            self.conn.execute(
                "UPDATE batches SET (voided_at, voided_by, void_reason) ="
                " (SELECT created_at, created_by, ? FROM batches WHERE id = ?) WHERE id = ?",
                (reason, void_id, batch_id),
            )
            self._refuse_revived_duplicates(batch_id)
            self._refuse_restored_clash(batch_id)
        self.recorded.append(_("the void of batch {id}").format(id=batch_id))
        return self.batch_record(batch_id)

    def _refuse_reference_batch(self, batch_id: int) -> None:
        # Stalls, townships and seasons are not versioned: a roster sheet that was wrong is
        # corrected by importing it again. A batch that also holds sales or sessions (a
        # workbook with a stall sheet) can be voided; the reference rows it set up stay.
        holds_entries = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sales WHERE batch_id = ?1)"
            " OR EXISTS (SELECT 1 FROM sessions WHERE batch_id = ?1)"
            " OR EXISTS (SELECT 1 FROM session_revisions WHERE batch_id = ?1)",
            (batch_id,),
        ).fetchone()[0]
        if holds_entries:
            return
        for table, what in (
            ("seasons", "season"),
            ("townships", "township"),
            ("stalls", "stall"),
            ("categories", "category"),
        ):
            key = "name" if table == "townships" else "code"
            row = self.conn.execute(
                f"SELECT {key} FROM {table} WHERE batch_id = ? LIMIT 1", (batch_id,)
            ).fetchone()
            if row:
                if table == "categories":
                    message = _(
                        "batch {batch} set up {what} {name} and nothing else to void; "
                        "reference data is corrected, not voided (import the roster again)"
                    )
                else:
                    message = _(
                        "batch {batch} set up {what} {name} and nothing else to void; reference "
                        "data is corrected, not voided (`iddexi {what} edit {name}`, or import "
                        "the roster again)"
                    )
                raise ConflictError(message.format(batch=batch_id, what=what, name=row[0]))

    def _refuse_orphaning_sales(self, batch_id: int) -> None:
        rows = self.conn.execute(
            "SELECT DISTINCT c.season || ':' || c.date, l.batch_id FROM live_sales l"
            " JOIN sessions s ON s.id = l.session_id JOIN current_sessions c ON c.id = s.id"
            " WHERE s.batch_id = ? AND l.batch_id != ? ORDER BY l.batch_id",
            (batch_id, batch_id),
        ).fetchall()
        if rows:
            others = ", ".join(f"batch {b} ({ref})" for ref, b in rows)
            raise ConflictError(
                _(
                    "batch {batch_id} added sessions that still have sales in other batches: {others}; void those first"
                ).format(batch_id=batch_id, others=others)
            )

    def _refuse_revived_duplicates(self, batch_id: int) -> None:
        # Voiding a --replace batch brings back the lines it superseded; refuse when a
        # later batch already recorded the same session, stall and category again.
        row = self.conn.execute(
            "SELECT old.stall, old.category, group_concat(l.batch_id) FROM sale_voids v"
            " JOIN sales old ON old.id = v.sale_id"
            " JOIN live_sales l ON l.session_id = old.session_id AND l.stall = old.stall"
            "  AND l.category = old.category"
            " WHERE v.batch_id = ? GROUP BY old.id HAVING count(*) > 1 LIMIT 1",
            (batch_id,),
        ).fetchone()
        if row:
            stall, category, batches = row
            raise ConflictError(
                _(
                    "voiding batch {batch_id} would bring back stall {stall} {category} lines it replaced, but batches {batches} hold them now; void the later batch first"
                ).format(batch_id=batch_id, stall=stall, category=category, batches=batches)
            )
