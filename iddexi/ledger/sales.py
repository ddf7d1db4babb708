"""Sales lines: one stall's takings in one category at one session."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError
from iddexi.ledger.records import Sale, Session, Stall
from iddexi.ledger.stored import stored_optional_decimal
from iddexi.ledger.values import MAX_LINE_FEN, clean_text, format_yuan

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


class SaleLine(NamedTuple):
    """A validated line ready to write: the session by id, codes resolved, money in fen."""

    session_id: int
    stall: str
    category: str
    amount_fen: int
    quantity: Decimal | None = None
    unit: str | None = None
    note: str | None = None


class Clash(NamedTuple):
    """A line that is already recorded for the same session, stall and category."""

    sale_id: int
    batch_id: int
    amount_fen: int

    def describe(self, session: str, stall: str, category: str) -> str:
        return _("{session} stall {stall} {category} already has {amount} (batch {batch})").format(
            session=session,
            stall=stall,
            category=category,
            amount=format_yuan(self.amount_fen),
            batch=self.batch_id,
        )


class SalesMixin:
    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def batch(self, kind: str, source: str, **kw: object) -> AbstractContextManager[int]: ...
        def resolve_session(self, ref: str, *, totals: bool = True) -> Session: ...
        def stall(self, code: str, *, by_name: bool = False) -> Stall: ...
        def resolve_category(self, text: str) -> str: ...

    def add_sale(
        self,
        session_ref: str,
        stall_code: str,
        category: str,
        amount_fen: int,
        *,
        quantity: Decimal | None = None,
        unit: str | None = None,
        note: str | None = None,
        replace: bool = False,
        source: str = "sale add",
    ) -> tuple[Sale, Sale | None]:
        """Record one line; with ``replace`` supersede the live line it clashes with.

        Returns the new line and the one it replaced (if any).
        """
        if not 0 <= amount_fen <= MAX_LINE_FEN:
            raise InputError(
                _("amount {amount_fen} fen is outside ¥0 … ¥10,000,000").format(
                    amount_fen=amount_fen
                )
            )
        if quantity is not None and quantity < 0:
            raise InputError(_("quantity {quantity} is negative").format(quantity=quantity))
        unit = clean_text(unit, "unit")
        note = clean_text(note, "note", multiline=True)
        stall = self.stall(stall_code, by_name=True)
        category_code = self.resolve_category(category)
        # The amount is the batch's control total, so `iddexi check` notices a line
        # changed behind the ledger's back, as it does for an imported file's totals row.
        with self.batch(
            "correction" if replace else "entry", source, control_total_fen=amount_fen
        ) as batch_id:
            session = self.resolve_session(session_ref, totals=False)
            line = SaleLine(
                session.id,
                stall.code,
                category_code,
                amount_fen,
                quantity,
                unit,
                note,
            )
            clash = self.clash_for(line)
            if clash and not replace:
                raise ConflictError(
                    clash.describe(session.ref, stall.code, category_code)
                    + _("; use --replace to supersede it")
                )
            if clash:
                old = self.sale(clash.sale_id)
                if (old.amount_fen, old.quantity, old.unit, old.note) == line[3:]:
                    raise ConflictError(
                        clash.describe(session.ref, stall.code, category_code)
                        + _(" with these very figures; nothing to replace")
                    )
                self.void_lines([clash.sale_id], batch_id)
            new_ids = self.insert_lines([line], batch_id)
        replaced = self.sale(clash.sale_id) if clash else None
        return self.sale(new_ids[0]), replaced

    def clash_for(self, line: SaleLine) -> Clash | None:
        row = self.conn.execute(
            "SELECT id, batch_id, amount_fen FROM live_sales"
            " WHERE session_id = ? AND stall = ? AND category = ?",
            (line.session_id, line.stall, line.category),
        ).fetchone()
        return Clash(*row) if row else None

    def insert_lines(self, lines: list[SaleLine], batch_id: int) -> list[int]:
        """Write validated lines inside an open batch; returns their ids in order."""
        first = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM sales").fetchone()[0]
        ids = list(range(first, first + len(lines)))
        self.conn.executemany(
            "INSERT INTO sales (id, batch_id, session_id, stall, category, amount_fen, quantity,"
            " unit, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    sale_id,
                    batch_id,
                    ln.session_id,
                    ln.stall,
                    ln.category,
                    ln.amount_fen,
                    None if ln.quantity is None else str(ln.quantity),
                    ln.unit,
                    ln.note,
                )
                for sale_id, ln in zip(ids, lines, strict=True)
            ],
        )
        return ids

    def void_lines(self, sale_ids: list[int], batch_id: int) -> None:
        """Supersede live lines inside an open batch (the batch that replaces them).

        Every earlier line of the same session, stall and category in a live batch is
        superseded with it, not only the one that counts now: after A, B replacing A and
        C replacing B, voiding B must not bring A's line back beside C's.
        """
        self.conn.executemany(
            "INSERT OR IGNORE INTO sale_voids (sale_id, batch_id)"
            " SELECT o.id, ?2 FROM sales s"
            " JOIN sales o ON o.session_id = s.session_id AND o.stall = s.stall"
            "  AND o.category = s.category"
            " JOIN batches b ON b.id = o.batch_id AND b.voided_at IS NULL"
            " WHERE s.id = ?1 AND o.batch_id != ?2",
            [(sale_id, batch_id) for sale_id in sale_ids],
        )

    _SALE_SELECT = (
        "SELECT s.id, s.batch_id, c.season || ':' || c.number, s.stall, st.name, s.category,"
        " s.amount_fen, s.quantity, s.unit, s.note"
        " FROM {table} s JOIN current_sessions c ON c.id = s.session_id"
        " JOIN current_stalls st ON st.code = s.stall"
    )

    def sale(self, sale_id: int) -> Sale:
        row = self.conn.execute(
            self._SALE_SELECT.format(table="sales") + " WHERE s.id = ?", (sale_id,)
        ).fetchone()
        return _sale_from_row(row)

    def sales(self, session_ref: str) -> list[Sale]:
        session = self.resolve_session(session_ref, totals=False)
        rows = self.conn.execute(
            self._SALE_SELECT.format(table="live_sales")
            + " LEFT JOIN categories cat ON cat.code = s.category"
            " WHERE s.session_id = ? ORDER BY s.stall, cat.position, s.id",
            (session.id,),
        ).fetchall()
        return [_sale_from_row(r) for r in rows]


def _sale_from_row(row: tuple) -> Sale:
    sid, batch_id, session, stall, stall_name, category, fen, quantity, unit, note = row
    return Sale(
        sid,
        batch_id,
        session,
        stall,
        stall_name,
        category,
        fen,
        stored_optional_decimal(quantity, f"sale #{sid}'s quantity"),
        unit,
        note,
    )
