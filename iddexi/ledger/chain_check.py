"""Checking the hash chain: recompute every batch's hash and find the first batch that
no longer matches what the ledger holds (see docs/hash-chain.md).

Every chained table is read once, in batch order, and walked beside the batches: no
query per batch, so a 990,000-line ledger is checked in a few seconds and little memory.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter

from iddexi.i18n import _
from iddexi.ledger.chain import (
    BY_NAME,
    CHAINED_TABLES,
    HEADER,
    UNKNOWN_TABLE,
    Row,
    batch_hash,
    header_object,
    parsed_row,
    present_columns,
    select_list,
    sorted_rows,
    sql_order,
)

HASH_CHAIN = "hash-chain"  # the kind of problem, as `check --json` names it
CHAIN_VERSION = 5  # the schema version whose migration (m005) made the chain


@dataclass(frozen=True)
class Break:
    """The first place where the ledger and its chain disagree."""

    batch: object
    message: str


class _Stream:
    """One table's rows grouped by the batch they belong to, in batch order."""

    def __init__(self, rows: Iterator[tuple], build: Callable[[tuple], object] | None = None):
        # rows: (owner, length, values…); build turns a row of another shape into a value
        self._groups = itertools.groupby(rows, key=itemgetter(0))
        self._build = build
        self._advance()

    def _advance(self) -> None:
        found = next(self._groups, None)
        self._owner, self._rows = (None, None) if found is None else (sql_order(found[0]), found[1])

    def owner(self) -> tuple | None:
        return self._owner

    def take(self, owner: tuple) -> list:
        if self._owner != owner or self._rows is None:
            return []
        if self._build is None:
            taken: list = [r[2 : r[1] + 2] for r in self._rows]
        else:
            taken = [self._build(r) for r in self._rows]
        self._advance()
        return taken


def first_break(conn: sqlite3.Connection) -> Break | None:
    """Recompute the whole chain in one read snapshot; the first batch that does not
    match, or None. Every table is read once, in batch order (no query per batch)."""
    opened = not conn.in_transaction
    if opened:
        conn.execute("BEGIN")
    try:
        return _first_break(conn)
    finally:
        if opened:
            conn.execute("COMMIT")


def _first_break(conn: sqlite3.Connection) -> Break | None:
    present = present_columns(conn)
    if "chain_sha256" not in _columns(conn, "batches"):
        if conn.execute("PRAGMA user_version").fetchone()[0] < CHAIN_VERSION:
            return None  # made before the chain: m005 chains it when it is opened
        return Break("ledger", _("has no hash chain (batches.chain_sha256 is missing)"))
    streams: dict[str, _Stream] = {}
    for table in CHAINED_TABLES:
        if table.name in present:
            streams[table.name] = _Stream(
                conn.execute(
                    f"SELECT {table.owner} AS chain_owner, {select_list(table, present[table.name])}"
                    f" FROM {table.name} ORDER BY chain_owner, {table.order_by}"
                ),
            )
    superseded = None
    voids: dict[int, tuple] = {}
    if "superseded_rows" in present:
        superseded = _Stream(
            conn.execute(
                "SELECT replaced_batch, table_name, row_json FROM superseded_rows"
                " ORDER BY replaced_batch"
            ),
            lambda r: (r[1], r[2]),
        )
    if "batch_voids" in present:
        for voided, void_batch, at, by, reason in conn.execute(
            "SELECT v.voided_batch, v.batch_id, b.created_at, b.created_by, v.reason"
            " FROM batch_voids v LEFT JOIN batches b ON b.id = v.batch_id"
        ):
            voids[voided] = (void_batch, (at, by, reason))

    def rows_for(owner: tuple) -> dict[str, list[Row]]:
        rows = {name: stream.take(owner) for name, stream in streams.items()}
        if superseded is not None:
            merged = set()
            for name, text in superseded.take(owner):
                rows.setdefault(name, []).append(parsed_row(text))
                merged.add(name)
            for name in merged:
                rows[name] = sorted_rows(BY_NAME.get(name, UNKNOWN_TABLE), rows[name])
        return rows

    def stray(before: tuple | None) -> Break | None:
        # rows that name a batch the ledger does not hold (a batch deleted by hand)
        all_streams = [*streams.values(), *([superseded] if superseded else [])]
        owners = [s.owner() for s in all_streams if s.owner() is not None]
        owners = [o for o in owners if before is None or o < before]
        if not owners:
            return None
        missing = min(owners)
        return Break(
            missing[1],
            _("rows of batch {batch} are in the ledger but the batch is not").format(
                batch=missing[1]
            ),
        )

    prev = batch_hash(None, None, rows_for(sql_order(None)))
    columns = ", ".join(HEADER)
    for found in conn.execute(
        f"SELECT {columns}, chain_sha256, voided_at, voided_by, void_reason"
        " FROM batches ORDER BY id"
    ):
        header = header_object(found[: len(HEADER)])
        stored, *marker = found[len(HEADER) :]
        batch_id = found[0]
        owner = sql_order(batch_id)
        problem = stray(owner)
        if problem:
            return problem
        expected = batch_hash(header, prev, rows_for(owner))
        if stored != expected:
            return Break(
                batch_id,
                _(
                    "does not match the hash chain: its rows, author, time or totals, or "
                    "the batch before it, were changed outside iddexi"
                ),
            )
        void_batch, void_marker = voids.get(batch_id, (None, (None, None, None)))
        if tuple(marker) != void_marker:
            if void_batch is None:
                message = _("is marked void, but no void batch in the hash chain voided it")
            else:
                message = _(
                    "its void marker (time, author, reason) differs from void batch "
                    "{void} in the hash chain"
                ).format(void=void_batch)
            return Break(batch_id, message)
        prev = stored
    return stray(None)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
