"""The hash chain: every batch is sealed with the SHA-256 of what it wrote and of the
batch before it, so an edit made outside iddexi cannot go unnoticed.

The canonical form is specified in docs/hash-chain.md; keep the two in step. The
serialisation is driven by :data:`CHAINED_TABLES`: a table whose rows are written by a
batch is covered by adding one entry (its columns, its key, and how a row names its
batch). A row is a JSON array of its values in the registry's column order without its
trailing NULLs, and tables without rows are left out, so adding a table, or appending a
nullable column, to the registry does not change the hash of a batch sealed before.
Rows are arrays rather than objects because sealing a 100,000-line import must cost a
fraction of writing it (the C JSON encoder writes tuples as they come from SQLite).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

# How many hex digits of the head hash people see: the ledger code (账本校验码).
CODE_LENGTH = 12


@dataclass(frozen=True)
class ChainedTable:
    """A table whose rows belong to batches.

    ``owner`` is an SQL expression for the id of the batch a row belongs to; rows whose
    owner is NULL (the categories the ledger starts with) make up the chain's genesis.
    """

    name: str
    columns: tuple[str, ...]  # new columns are only ever appended
    key: tuple[str, ...]
    owner: str = "batch_id"

    @property
    def order_by(self) -> str:
        # BINARY: the order of the canonical form, whatever collation a column declares
        return ", ".join(f"{k} COLLATE BINARY" for k in self.key)

    @property
    def key_positions(self) -> tuple[int, ...]:
        return tuple(self.columns.index(k) for k in self.key)


CHAINED_TABLES: tuple[ChainedTable, ...] = (
    ChainedTable(
        "seasons",
        (
            "code",
            "name",
            "kind",
            "start_date",
            "end_date",
            "planned_sessions",
            "market_day",
            "batch_id",
        ),
        ("code",),
    ),
    ChainedTable("townships", ("name", "kind", "batch_id"), ("name",)),
    ChainedTable("categories", ("code", "label_zh", "label_en", "position", "batch_id"), ("code",)),
    # An alias belongs to the batch that added its category.
    ChainedTable(
        "category_aliases",
        ("alias", "category"),
        ("alias",),
        owner="(SELECT c.batch_id FROM categories c WHERE c.code = category_aliases.category)",
    ),
    ChainedTable(
        "stalls",
        ("code", "name", "operator", "township", "herder", "category", "batch_id"),
        ("code",),
    ),
    ChainedTable("sessions", ("id", "season", "date", "batch_id"), ("id",)),
    ChainedTable(
        "session_revisions",
        (
            "id",
            "session_id",
            "batch_id",
            "host",
            "theme",
            "visitors",
            "count_method",
            "temperature",
            "note",
        ),
        ("id",),
    ),
    ChainedTable(
        "sales",
        (
            "id",
            "batch_id",
            "session_id",
            "stall",
            "category",
            "amount_fen",
            "quantity",
            "unit",
            "note",
        ),
        ("id",),
    ),
    ChainedTable("sale_voids", ("sale_id", "batch_id"), ("sale_id", "batch_id")),
    ChainedTable("batch_voids", ("batch_id", "voided_batch", "reason"), ("voided_batch",)),
    ChainedTable(
        "superseded_rows",
        ("batch_id", "table_name", "row_key", "replaced_batch", "row_json"),
        ("table_name", "row_key"),
    ),
    # m006: open hours and gate samples, moved sessions, corrected reference rows
    ChainedTable("session_hours", ("id", "session_id", "batch_id", "opens", "closes"), ("id",)),
    ChainedTable(
        "gate_samples",
        ("id", "session_id", "batch_id", "gate", "start", "minutes", "count", "opens", "closes"),
        ("id",),
    ),
    ChainedTable("session_moves", ("id", "session_id", "batch_id", "date"), ("id",)),
    ChainedTable(
        "stall_revisions",
        (
            "id",
            "stall",
            "batch_id",
            "changed",
            "name",
            "operator",
            "township",
            "herder",
            "category",
        ),
        ("id",),
    ),
    ChainedTable(
        "season_revisions",
        (
            "id",
            "season",
            "batch_id",
            "changed",
            "name",
            "start_date",
            "end_date",
            "planned_sessions",
            "market_day",
        ),
        ("id",),
    ),
    ChainedTable("township_revisions", ("id", "township", "batch_id", "changed", "kind"), ("id",)),
)
BY_NAME = {t.name: t for t in CHAINED_TABLES}
UNKNOWN_TABLE = ChainedTable("unknown", ("key",), ("key",))  # a table name put there by hand
# Reference rows that a later batch may take over (a roster imported with --replace).
REPLACEABLE = ("seasons", "townships", "stalls")
HEADER = ("id", "kind", "source", "sha256", "created_at", "created_by", "control_total_fen")

Row = tuple  # the values of a row in the order of its table's columns, trailing NULLs dropped


# ----------------------------------------------------------------- canonical form


def canonical(value: object) -> bytes:
    """UTF-8 JSON: keys sorted, no whitespace, non-ASCII characters as they are."""
    return _CANONICAL.encode(value).encode("utf-8", "surrogatepass")


def _blob(value: object) -> object:
    # iddexi never stores a BLOB; one put there by hand must still hash, not crash
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    raise TypeError(f"cannot serialise {type(value).__name__}")


# What json.dumps(ensure_ascii=False, sort_keys=True, separators=(",", ":")) writes, byte
# for byte; made once, and without the check for circular lists (rows read from SQLite
# hold none), which is a fifth of the time of sealing a 100,000-line import.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False,
    sort_keys=True,
    separators=(",", ":"),
    default=_blob,
    check_circular=False,
)


def header_object(values: tuple) -> dict[str, object]:
    return {c: v for c, v in zip(HEADER, values, strict=True) if v is not None}


def _trimmed(rows: list[tuple]) -> list[Row]:
    """Rows selected with their length first (see :func:`select_list`), cut to it."""
    return [r[1 : r[0] + 1] for r in rows]


def sql_order(value: object) -> tuple:
    # SQLite's own order (BINARY collation): NULL, numbers, text by code point, blobs
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, bytes(value) if isinstance(value, bytes) else repr(value))


def sorted_rows(table: ChainedTable, rows: list[Row]) -> list[Row]:
    at = table.key_positions
    return sorted(rows, key=lambda r: tuple(sql_order(r[i] if i < len(r) else None) for i in at))


def row_key(table: str, row: Row) -> str:
    """The key of a superseded row as stored in ``superseded_rows.row_key``."""
    spec = BY_NAME[table]
    return canonical([row[i] if i < len(row) else None for i in spec.key_positions]).decode()


def batch_hash(header: dict | None, prev: str | None, rows: dict[str, list[Row]]) -> str:
    """The chain hash of one batch (or of the genesis, with no header and no prev).

    The rows of each table must be in canonical order already.
    """
    document: dict[str, object] = {"rows": {name: found for name, found in rows.items() if found}}
    if header is not None:
        document["batch"] = header
    if prev is not None:
        document["prev"] = prev
    return hashlib.sha256(canonical(document)).hexdigest()


# ---------------------------------------------------------------------- the schema


def present_columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """The registered tables this ledger has, with their columns: a ledger is sealed at
    m005, before the tables and columns later migrations add."""
    found: dict[str, set[str]] = {}
    for table, column in conn.execute(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
        " WHERE m.type = 'table'"
    ):
        if table in BY_NAME:
            found.setdefault(table, set()).add(column)
    return found


def select_list(table: ChainedTable, columns: set[str]) -> str:
    """The row's length without its trailing NULLs, then its values (NULL for a column
    this ledger does not have yet)."""
    values = [c if c in columns else "NULL" for c in table.columns]
    length = " ".join(
        f"WHEN {c} IS NOT NULL THEN {n}"
        for n, c in reversed(list(enumerate(table.columns, start=1)))
        if c in columns
    )
    return f"CASE {length} ELSE 0 END, " + ", ".join(values)


# ------------------------------------------------------------------------- writing


def _rows_of(
    conn: sqlite3.Connection, batch_id: int | None, fresh_sales: list[Row] | None = None
) -> dict[str, list[Row]]:
    present = present_columns(conn)
    rows: dict[str, list[Row]] = {}
    for table in CHAINED_TABLES:
        if table.name == "sales" and _still_fresh(conn, batch_id, fresh_sales):
            rows["sales"] = fresh_sales  # type: ignore[assignment]
        elif table.name in present:
            rows[table.name] = _trimmed(
                conn.execute(
                    f"SELECT {select_list(table, present[table.name])} FROM {table.name}"
                    f" WHERE {table.owner} IS ? ORDER BY {table.order_by}",
                    (batch_id,),
                ).fetchall()
            )
    if "superseded_rows" in present:
        merged = set()
        for name, text in conn.execute(
            "SELECT table_name, row_json FROM superseded_rows WHERE replaced_batch IS ?",
            (batch_id,),
        ):
            rows.setdefault(name, []).append(parsed_row(text))
            merged.add(name)
        for name in merged:
            rows[name] = sorted_rows(BY_NAME[name], rows[name])
    return rows


def fresh_sales_rows(
    conn: sqlite3.Connection, batch_id: int, lines: list[tuple]
) -> tuple[int, list[Row]]:
    """The id the next sales line will get and the chain rows of ``lines`` once they are
    inserted with it (``lines``: session, stall, category, amount[, quantity, unit,
    note]) — SQLite gives a new row the highest id plus one."""
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM sales").fetchone()[0]
    rows = [(first + n, batch_id, *line) for n, line in enumerate(lines)]
    return first, [_trim(r) if r[-1] is None else r for r in rows]


def _trim(row: tuple) -> tuple:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def _still_fresh(conn: sqlite3.Connection, batch_id: int | None, rows: list[Row] | None) -> bool:
    """Whether the rows an import kept are exactly the batch's lines in the ledger: a
    100,000-line import is sealed without reading its lines back."""
    if not rows:
        return False
    found = conn.execute(
        "SELECT count(*), min(id), max(id) FROM sales WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    return found == (len(rows), rows[0][0], rows[-1][0])


def parsed_row(text: object) -> Row:
    try:
        value = json.loads(str(text))
    except ValueError:
        return ("unreadable", str(text))
    return tuple(value) if isinstance(value, list) else ("unreadable", str(text))


def genesis_hash(conn: sqlite3.Connection) -> str:
    """The hash the first batch links to: the rows that belong to no batch."""
    return batch_hash(None, None, _rows_of(conn, None))


def seal(conn: sqlite3.Connection, batch_id: int, fresh_sales: list[Row] | None = None) -> str:
    """Store the chain hash of a batch whose rows are all written (same transaction)."""
    before = conn.execute(
        "SELECT chain_sha256 FROM batches WHERE id < ? ORDER BY id DESC LIMIT 1", (batch_id,)
    ).fetchone()
    prev = before[0] if before else genesis_hash(conn)
    header = conn.execute(
        f"SELECT {', '.join(HEADER)} FROM batches WHERE id = ?", (batch_id,)
    ).fetchone()
    digest = batch_hash(header_object(header), prev, _rows_of(conn, batch_id, fresh_sales))
    conn.execute("UPDATE batches SET chain_sha256 = ? WHERE id = ?", (digest, batch_id))
    return digest


def seal_unsealed(
    conn: sqlite3.Connection, fresh_sales: dict[int, list[Row]] | None = None
) -> None:
    """Seal every batch this transaction wrote, in order (just before COMMIT).

    ``fresh_sales``: by batch, the chain rows of the sales lines an import just wrote
    (see :func:`fresh_sales_rows`), used when they still match the ledger.
    """
    for (batch_id,) in conn.execute(
        "SELECT id FROM batches WHERE chain_sha256 IS NULL ORDER BY id"
    ).fetchall():
        seal(conn, batch_id, (fresh_sales or {}).get(batch_id))


def record_superseded(
    conn: sqlite3.Connection, table: str, keys: list[object], batch_id: int
) -> None:
    """Before ``batch_id`` takes over reference rows of earlier batches, keep each row as
    the batch that wrote it sealed it, so that batch's hash can still be recomputed."""
    spec = BY_NAME[table]
    assert table in REPLACEABLE and len(spec.key) == 1
    select = select_list(spec, present_columns(conn)[table])
    owner_at = spec.columns.index("batch_id")
    for key in keys:
        found = conn.execute(
            f"SELECT {select} FROM {table} WHERE {spec.key[0]} = ?", (key,)
        ).fetchall()
        if not found:
            continue
        [row] = _trimmed(found)
        owner = row[owner_at] if owner_at < len(row) else None
        if owner is None or owner == batch_id:  # the batch's own row: not sealed yet
            continue
        conn.execute(
            "INSERT INTO superseded_rows (batch_id, table_name, row_key, replaced_batch,"
            " row_json) VALUES (?, ?, ?, ?, ?)",
            (batch_id, table, row_key(table, row), owner, canonical(list(row)).decode("utf-8")),
        )


# ---------------------------------------------------------------------------- head


@dataclass(frozen=True)
class Head:
    """The end of the chain: the last batch and its hash (the genesis for no batch)."""

    batch: int | None
    sha256: str | None

    @property
    def code(self) -> str:
        """The ledger code (账本校验码) people quote: the head hash, shortened."""
        return (self.sha256 or "-" * CODE_LENGTH)[:CODE_LENGTH]

    def as_json(self) -> dict:
        return {"ledger_code": self.code, "ledger_hash": self.sha256, "batch": self.batch}


def head(conn: sqlite3.Connection) -> Head:
    row = conn.execute("SELECT id, chain_sha256 FROM batches ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return Head(None, genesis_hash(conn))
    return Head(row[0], row[1])
