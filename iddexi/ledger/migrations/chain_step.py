"""m005: the hash chain over batches (iddexi/ledger/chain.py, docs/hash-chain.md)."""

from __future__ import annotations

import sqlite3

from iddexi.ledger.migrations.script import run_script as _run


def m005_hash_chain(conn: sqlite3.Connection) -> None:
    # Every batch is sealed with the hash of what it wrote and of the batch before it
    # (iddexi/ledger/chain.py, docs/hash-chain.md). A void becomes a batch of its own
    # with a row in batch_voids, so it is in the chain; batches.voided_* stay as the
    # marker the views read, and `check` compares them with the void batch. A roster row
    # that a later batch takes over is kept in superseded_rows as it was sealed.
    from iddexi.ledger.chain import seal_unsealed

    _run(
        conn,
        """
        ALTER TABLE batches ADD COLUMN chain_sha256 TEXT;
        CREATE TABLE batch_voids (
            batch_id INTEGER PRIMARY KEY REFERENCES batches(id),
            voided_batch INTEGER NOT NULL UNIQUE REFERENCES batches(id),
            reason TEXT NOT NULL
        );
        CREATE TABLE superseded_rows (
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            table_name TEXT NOT NULL CHECK (table_name IN ('seasons', 'townships', 'stalls')),
            row_key TEXT NOT NULL,
            replaced_batch INTEGER NOT NULL REFERENCES batches(id),
            row_json TEXT NOT NULL,
            PRIMARY KEY (batch_id, table_name, row_key)
        );
        CREATE INDEX superseded_rows_by_replaced ON superseded_rows (replaced_batch);
        CREATE INDEX sessions_by_batch ON sessions (batch_id);
        CREATE INDEX session_revisions_by_batch ON session_revisions (batch_id);
        CREATE INDEX seasons_by_batch ON seasons (batch_id);
        CREATE INDEX townships_by_batch ON townships (batch_id);
        CREATE INDEX stalls_by_batch ON stalls (batch_id);
        CREATE INDEX categories_by_batch ON categories (batch_id);
        CREATE INDEX batches_unsealed ON batches (id) WHERE chain_sha256 IS NULL;
        CREATE TRIGGER batch_voids_no_update BEFORE UPDATE ON batch_voids
        BEGIN SELECT RAISE(ABORT, 'voids are final'); END;
        CREATE TRIGGER batch_voids_no_delete BEFORE DELETE ON batch_voids
        BEGIN SELECT RAISE(ABORT, 'voids are final'); END;
        CREATE TRIGGER superseded_rows_no_update BEFORE UPDATE ON superseded_rows
        BEGIN SELECT RAISE(ABORT, 'superseded rows are append-only'); END;
        CREATE TRIGGER superseded_rows_no_delete BEFORE DELETE ON superseded_rows
        BEGIN SELECT RAISE(ABORT, 'superseded rows are append-only'); END;
        DROP TRIGGER batches_only_void;
        """,
    )
    # Voids made before the chain become void batches, in the order they were made; a
    # marker missing its author or reason (never written by iddexi) says so, to match.
    conn.execute(
        "UPDATE batches SET voided_by = coalesce(voided_by, 'unknown'),"
        " void_reason = coalesce(void_reason, '') WHERE voided_at IS NOT NULL"
    )
    voided = conn.execute(
        "SELECT id, voided_at, coalesce(voided_by, 'unknown'), coalesce(void_reason, '')"
        " FROM batches WHERE voided_at IS NOT NULL ORDER BY voided_at, id"
    ).fetchall()
    for batch_id, at, by, reason in voided:
        cursor = conn.execute(
            "INSERT INTO batches (kind, source, created_at, created_by)"
            " VALUES ('correction', ?, ?, ?)",
            (f"void batch {batch_id}", at, by),
        )
        conn.execute(
            "INSERT INTO batch_voids (batch_id, voided_batch, reason) VALUES (?, ?, ?)",
            (cursor.lastrowid, batch_id, reason),
        )
    seal_unsealed(conn)
    # A sealed batch changes no more: only its void marker is set, once, by a void batch.
    _run(
        conn,
        """
        CREATE TRIGGER batches_only_void BEFORE UPDATE ON batches
        WHEN NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.source IS NOT OLD.source
          OR NEW.sha256 IS NOT OLD.sha256 OR NEW.created_at IS NOT OLD.created_at
          OR NEW.created_by IS NOT OLD.created_by
          OR (NEW.control_total_fen IS NOT OLD.control_total_fen
              AND (OLD.control_total_fen IS NOT NULL OR NEW.voided_at IS NOT NULL
                   OR OLD.chain_sha256 IS NOT NULL))
          OR (NEW.chain_sha256 IS NOT OLD.chain_sha256 AND OLD.chain_sha256 IS NOT NULL)
          OR OLD.voided_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a batch can only be voided, once'); END;
        """,
    )
