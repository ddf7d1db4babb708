"""Schema migrations: an ordered list of small named steps, applied on every open.

Each step runs in one ``BEGIN IMMEDIATE`` transaction together with the record that it
was applied (``PRAGMA user_version`` and a row in ``migrations``), so a ledger is never
left half-migrated. Never edit a shipped step; add the next one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from iddexi.ledger.errors import LedgerFileError
from iddexi.ledger.transactions import write_transaction


def _run(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first and break the one-transaction promise, so the
    # script is split into complete statements (triggers keep their inner semicolons).
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL in migration: {statement!r}")


def m001_core_tables(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('setup', 'entry', 'correction', 'import', 'demo')),
            source TEXT NOT NULL,
            sha256 TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            control_total_fen INTEGER,
            voided_at TEXT,
            voided_by TEXT,
            void_reason TEXT
        );
        CREATE TABLE seasons (
            code TEXT PRIMARY KEY,
            name TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('winter', 'spring', 'summer', 'autumn')),
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            planned_sessions INTEGER CHECK (planned_sessions IS NULL OR planned_sessions > 0),
            market_day TEXT CHECK (market_day IS NULL OR market_day IN
                ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            CHECK (start_date <= end_date)
        );
        CREATE TABLE townships (
            name TEXT PRIMARY KEY,
            kind TEXT CHECK (kind IS NULL OR kind IN ('sumu', 'town', 'township')),
            batch_id INTEGER NOT NULL REFERENCES batches(id)
        );
        CREATE TABLE categories (
            code TEXT PRIMARY KEY,
            label_zh TEXT NOT NULL,
            label_en TEXT NOT NULL,
            position INTEGER NOT NULL,
            batch_id INTEGER REFERENCES batches(id)
        );
        CREATE TABLE category_aliases (
            alias TEXT PRIMARY KEY COLLATE NOCASE,
            category TEXT NOT NULL REFERENCES categories(code)
        );
        CREATE TABLE stalls (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            operator TEXT,
            township TEXT REFERENCES townships(name),
            herder INTEGER NOT NULL DEFAULT 0 CHECK (herder IN (0, 1)),
            category TEXT REFERENCES categories(code),
            batch_id INTEGER NOT NULL REFERENCES batches(id)
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            season TEXT NOT NULL REFERENCES seasons(code),
            date TEXT NOT NULL,
            batch_id INTEGER NOT NULL REFERENCES batches(id)
        );
        CREATE TABLE session_revisions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            host TEXT REFERENCES townships(name),
            theme TEXT,
            visitors INTEGER CHECK (visitors IS NULL OR visitors >= 0),
            count_method TEXT CHECK (count_method IS NULL OR count_method IN
                ('full', 'sample', 'estimate')),
            temperature TEXT,
            note TEXT
        );
        CREATE TABLE sales (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            stall TEXT NOT NULL REFERENCES stalls(code),
            category TEXT NOT NULL REFERENCES categories(code),
            amount_fen INTEGER NOT NULL CHECK (amount_fen BETWEEN 0 AND 1000000000),
            quantity TEXT,
            unit TEXT,
            note TEXT
        );
        CREATE TABLE sale_voids (
            sale_id INTEGER NOT NULL REFERENCES sales(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            PRIMARY KEY (sale_id, batch_id)
        );
        CREATE VIEW live_sessions AS
            SELECT s.* FROM sessions s
            JOIN batches b ON b.id = s.batch_id AND b.voided_at IS NULL;
        CREATE VIEW live_sales AS
            SELECT s.* FROM sales s
            JOIN batches b ON b.id = s.batch_id AND b.voided_at IS NULL
            JOIN live_sessions ls ON ls.id = s.session_id
            WHERE NOT EXISTS (
                SELECT 1 FROM sale_voids v JOIN batches vb ON vb.id = v.batch_id
                WHERE v.sale_id = s.id AND vb.voided_at IS NULL
            );
        -- A session as it stands now: its position by date among the season's live
        -- sessions, and for each field the value of the latest live correction.
        CREATE VIEW current_sessions AS
            SELECT s.id, s.season, s.date, s.batch_id,
                (SELECT COUNT(*) FROM live_sessions p
                  WHERE p.season = s.season AND p.date <= s.date) AS number,
                (SELECT r.host FROM session_revisions r JOIN batches b
                  ON b.id = r.batch_id AND b.voided_at IS NULL
                  WHERE r.session_id = s.id AND r.host IS NOT NULL
                  ORDER BY r.id DESC LIMIT 1) AS host,
                (SELECT r.theme FROM session_revisions r JOIN batches b
                  ON b.id = r.batch_id AND b.voided_at IS NULL
                  WHERE r.session_id = s.id AND r.theme IS NOT NULL
                  ORDER BY r.id DESC LIMIT 1) AS theme,
                (SELECT r.visitors FROM session_revisions r JOIN batches b
                  ON b.id = r.batch_id AND b.voided_at IS NULL
                  WHERE r.session_id = s.id AND r.visitors IS NOT NULL
                  ORDER BY r.id DESC LIMIT 1) AS visitors,
                (SELECT r.count_method FROM session_revisions r JOIN batches b
                  ON b.id = r.batch_id AND b.voided_at IS NULL
                  WHERE r.session_id = s.id AND r.count_method IS NOT NULL
                  ORDER BY r.id DESC LIMIT 1) AS count_method,
                (SELECT r.temperature FROM session_revisions r JOIN batches b
                  ON b.id = r.batch_id AND b.voided_at IS NULL
                  WHERE r.session_id = s.id AND r.temperature IS NOT NULL
                  ORDER BY r.id DESC LIMIT 1) AS temperature,
                (SELECT r.note FROM session_revisions r JOIN batches b
                  ON b.id = r.batch_id AND b.voided_at IS NULL
                  WHERE r.session_id = s.id AND r.note IS NOT NULL
                  ORDER BY r.id DESC LIMIT 1) AS note
            FROM live_sessions s;
        """,
    )
    seed = [
        ("meat", "冬储肉", "Winter-storage meat", ["肉", "肉类", "肉品", "牛羊肉", "winter meat"]),
        ("dairy", "奶制品", "Dairy", ["奶", "乳制品", "奶食品"]),
        (
            "craft",
            "非遗手工艺",
            "Heritage crafts",
            ["手工艺", "刺绣", "非遗", "民族刺绣", "crafts"],
        ),
        ("food", "餐饮小吃", "Food and snacks", ["餐饮", "小吃", "美食", "snacks"]),
        ("activity", "民俗活动", "Folk activities", ["活动", "民俗", "游戏", "activities"]),
        ("other", "其他", "Other", ["其它"]),
    ]
    for position, (code, zh, en, aliases) in enumerate(seed, start=1):
        conn.execute(
            "INSERT INTO categories (code, label_zh, label_en, position) VALUES (?, ?, ?, ?)",
            (code, zh, en, position),
        )
        conn.executemany(
            "INSERT INTO category_aliases (alias, category) VALUES (?, ?)",
            [(alias, code) for alias in aliases],
        )


def m002_indexes(conn: sqlite3.Connection) -> None:
    # The lookups every write does (is this line already recorded?) and the GROUP BYs of
    # the reports; without them a million-line ledger scans on every command.
    _run(
        conn,
        """
        CREATE INDEX sales_by_session ON sales (session_id, stall, category);
        CREATE INDEX sales_by_batch ON sales (batch_id);
        CREATE INDEX sale_voids_by_batch ON sale_voids (batch_id);
        CREATE INDEX sessions_by_season ON sessions (season, date);
        CREATE INDEX session_revisions_by_session ON session_revisions (session_id, id);
        CREATE INDEX batches_by_sha ON batches (sha256) WHERE sha256 IS NOT NULL;
        """,
    )


def m003_append_only(conn: sqlite3.Connection) -> None:
    # The ledger is money: a line once written is never changed or removed, and a batch
    # can only gain its void marker. Enforced by the database, not just by the code.
    _run(
        conn,
        """
        CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales
        BEGIN SELECT RAISE(ABORT, 'sales are append-only: void the batch instead'); END;
        CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales
        BEGIN SELECT RAISE(ABORT, 'sales are append-only: void the batch instead'); END;
        CREATE TRIGGER sale_voids_no_update BEFORE UPDATE ON sale_voids
        BEGIN SELECT RAISE(ABORT, 'sale voids are append-only'); END;
        CREATE TRIGGER sale_voids_no_delete BEFORE DELETE ON sale_voids
        BEGIN SELECT RAISE(ABORT, 'sale voids are append-only'); END;
        CREATE TRIGGER sessions_no_update BEFORE UPDATE ON sessions
        BEGIN SELECT RAISE(ABORT, 'sessions are append-only: correct them in a new batch'); END;
        CREATE TRIGGER sessions_no_delete BEFORE DELETE ON sessions
        BEGIN SELECT RAISE(ABORT, 'sessions are append-only: void the batch instead'); END;
        CREATE TRIGGER session_revisions_no_update BEFORE UPDATE ON session_revisions
        BEGIN SELECT RAISE(ABORT, 'session corrections are append-only'); END;
        CREATE TRIGGER session_revisions_no_delete BEFORE DELETE ON session_revisions
        BEGIN SELECT RAISE(ABORT, 'session corrections are append-only'); END;
        CREATE TRIGGER batches_no_delete BEFORE DELETE ON batches
        BEGIN SELECT RAISE(ABORT, 'batches are never deleted: void them'); END;
        CREATE TRIGGER batches_only_void BEFORE UPDATE ON batches
        WHEN NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.source IS NOT OLD.source
          OR NEW.sha256 IS NOT OLD.sha256 OR NEW.created_at IS NOT OLD.created_at
          OR NEW.created_by IS NOT OLD.created_by
          OR NEW.control_total_fen IS NOT OLD.control_total_fen
          OR OLD.voided_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a batch can only be voided, once'); END;
        """,
    )


def m004_control_total_once(conn: sqlite3.Connection) -> None:
    # An imported file without a totals row learns its total only once its lines are
    # written, inside the same transaction: a batch may gain a control total once, from
    # none. Changing one it has stays refused.
    _run(
        conn,
        """
        DROP TRIGGER batches_only_void;
        CREATE TRIGGER batches_only_void BEFORE UPDATE ON batches
        WHEN NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.source IS NOT OLD.source
          OR NEW.sha256 IS NOT OLD.sha256 OR NEW.created_at IS NOT OLD.created_at
          OR NEW.created_by IS NOT OLD.created_by
          OR (NEW.control_total_fen IS NOT OLD.control_total_fen
              AND (OLD.control_total_fen IS NOT NULL OR NEW.voided_at IS NOT NULL))
          OR OLD.voided_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a batch can only be voided, once'); END;
        """,
    )


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


def _latest_field(
    revisions: str, key: str, base: str, base_key: str, column: str, field: str
) -> str:
    """The latest live revision's value of one field, else the base row's (a revision
    older than the base row's batch was overtaken by a roster import with --replace)."""
    return (
        f"(SELECT v FROM (SELECT r.id AS k, r.{field} AS v FROM {revisions} r"
        f" JOIN batches b ON b.id = r.batch_id AND b.voided_at IS NULL"
        f" WHERE r.{key} = {base}.{base_key} AND r.batch_id > {base}.batch_id"
        f" AND instr(r.changed, ' {field} ') > 0"
        f" UNION ALL SELECT 0, {base}.{field}) ORDER BY k DESC LIMIT 1) AS {column}"
    )


def m006_gates_hours_edits(conn: sqlite3.Connection) -> None:
    # Gate samples and open hours (visitors estimated from timed counts), a session's
    # date moved by a later batch, and stalls, seasons and townships corrected by later
    # batches. Every correction is a new row in its own batch, so voiding that batch
    # brings the earlier details back; reads go through the current_* views.
    stall_fields = ("name", "operator", "township", "herder", "category")
    season_fields = ("name", "start_date", "end_date", "planned_sessions", "market_day")
    stall_view = ", ".join(
        _latest_field("stall_revisions", "stall", "s", "code", f, f) for f in stall_fields
    )
    season_view = ", ".join(
        _latest_field("season_revisions", "season", "s", "code", f, f) for f in season_fields
    )
    township_view = _latest_field("township_revisions", "township", "t", "name", "kind", "kind")
    _run(
        conn,
        """
        CREATE TABLE session_hours (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            opens TEXT NOT NULL,
            closes TEXT NOT NULL,
            CHECK (opens < closes)
        );
        CREATE TABLE gate_samples (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            gate TEXT NOT NULL,
            start TEXT NOT NULL,
            minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
            count INTEGER NOT NULL CHECK (count BETWEEN 0 AND 100000000),
            opens TEXT,
            closes TEXT,
            CHECK ((opens IS NULL) = (closes IS NULL) AND (opens IS NULL OR opens < closes))
        );
        CREATE TABLE session_moves (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            date TEXT NOT NULL
        );
        CREATE TABLE stall_revisions (
            id INTEGER PRIMARY KEY,
            stall TEXT NOT NULL REFERENCES stalls(code),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            changed TEXT NOT NULL,
            name TEXT,
            operator TEXT,
            township TEXT REFERENCES townships(name),
            herder INTEGER CHECK (herder IS NULL OR herder IN (0, 1)),
            category TEXT REFERENCES categories(code)
        );
        CREATE TABLE season_revisions (
            id INTEGER PRIMARY KEY,
            season TEXT NOT NULL REFERENCES seasons(code),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            changed TEXT NOT NULL,
            name TEXT,
            start_date TEXT,
            end_date TEXT,
            planned_sessions INTEGER CHECK (planned_sessions IS NULL OR planned_sessions > 0),
            market_day TEXT CHECK (market_day IS NULL OR market_day IN
                ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'))
        );
        CREATE TABLE township_revisions (
            id INTEGER PRIMARY KEY,
            township TEXT NOT NULL REFERENCES townships(name),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            changed TEXT NOT NULL,
            kind TEXT CHECK (kind IS NULL OR kind IN ('sumu', 'town', 'township'))
        );
        CREATE INDEX session_hours_by_session ON session_hours (session_id, id);
        CREATE INDEX gate_samples_by_session ON gate_samples (session_id, gate, start);
        CREATE INDEX session_moves_by_session ON session_moves (session_id, id);
        CREATE INDEX stall_revisions_by_stall ON stall_revisions (stall, id);
        CREATE INDEX season_revisions_by_season ON season_revisions (season, id);
        CREATE INDEX township_revisions_by_township ON township_revisions (township, id);
        """,
    )
    for table in (
        "session_hours",
        "gate_samples",
        "session_moves",
        "stall_revisions",
        "season_revisions",
        "township_revisions",
    ):
        _run(
            conn,
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only: correct in a new batch'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only: void the batch instead'); END;
            """,
        )
    # A live session's date is the one its latest live move gave it; current_sessions
    # numbers sessions by this date, so a moved session takes its place in the season.
    _run(
        conn,
        f"""
        DROP VIEW live_sessions;
        CREATE VIEW live_sessions AS
            SELECT s.id, s.season,
                coalesce((SELECT m.date FROM session_moves m JOIN batches mb
                  ON mb.id = m.batch_id AND mb.voided_at IS NULL
                  WHERE m.session_id = s.id ORDER BY m.id DESC LIMIT 1), s.date) AS date,
                s.batch_id
            FROM sessions s
            JOIN batches b ON b.id = s.batch_id AND b.voided_at IS NULL;
        CREATE VIEW current_stalls AS
            SELECT s.code, {stall_view}, s.batch_id FROM stalls s;
        CREATE VIEW current_seasons AS
            SELECT s.code, {season_view}, s.kind, s.batch_id FROM seasons s;
        CREATE VIEW current_townships AS
            SELECT t.name, {township_view}, t.batch_id FROM townships t;
        """,
    )


def m007_web(conn: sqlite3.Connection) -> None:
    # `iddexi serve`: stall cards' secret links, the web passwords, keepers' submissions
    # and the organisers' decisions on them, and closed sessions. Secrets and passwords
    # are stored only as salted scrypt hashes. Submissions are not sales: they become
    # sales only when approved, as an import batch (the decision names it). Submissions
    # and decisions are written outside any batch, so each carries its own hash chain
    # (prev_hash -> hash over a canonical form, see iddexi/ledger/web_store.py) for the
    # ledger's chain to take in. Every table here only grows.
    _run(
        conn,
        """
        CREATE TABLE stall_secrets (
            id INTEGER PRIMARY KEY,
            season TEXT NOT NULL REFERENCES seasons(code),
            stall TEXT NOT NULL REFERENCES stalls(code),
            secret_hash TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL
        );
        CREATE INDEX stall_secrets_by_stall ON stall_secrets (season, stall, id);
        CREATE TABLE web_passwords (
            id INTEGER PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('organiser', 'bureau')),
            password_hash TEXT NOT NULL,
            set_at TEXT NOT NULL,
            set_by TEXT NOT NULL
        );
        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            stall TEXT NOT NULL REFERENCES stalls(code),
            lines TEXT NOT NULL,
            total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
            submitted_at TEXT NOT NULL,
            form_id TEXT NOT NULL UNIQUE,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX submissions_by_session ON submissions (session_id, stall, id);
        CREATE TABLE submission_decisions (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL UNIQUE REFERENCES submissions(id),
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
            reason TEXT,
            batch_id INTEGER REFERENCES batches(id),
            decided_at TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            CHECK (decision = 'approved' OR batch_id IS NULL),
            CHECK (decision = 'approved' OR reason IS NOT NULL)
        );
        CREATE TABLE session_closures (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
            closed_at TEXT NOT NULL,
            closed_by TEXT NOT NULL
        );
        """,
    )
    for table in (
        "stall_secrets",
        "web_passwords",
        "submissions",
        "submission_decisions",
        "session_closures",
    ):
        _run(
            conn,
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            """,
        )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_core_tables,
    m002_indexes,
    m003_append_only,
    m004_control_total_once,
    m005_hash_chain,
    m006_gates_hours_edits,
    m007_web,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: str, upto: int = SCHEMA_VERSION) -> list[str]:
    """Apply the pending migrations (up to ``upto``); return the names applied.

    The connection must be in autocommit mode (``isolation_level=None``).
    """
    applied: list[str] = []
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise LedgerFileError(
            f"ledger {path} has schema version {version}, newer than this iddexi knows "
            f"({SCHEMA_VERSION}); upgrade iddexi to use it"
        )
    while version < upto:
        with write_transaction(conn):
            # Another process may have migrated while we waited for the lock.
            version = schema_version(conn)
            if version >= upto:
                break
            if version == 0:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
            step = MIGRATIONS[version]
            step(conn)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (step.__name__, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
            conn.execute(f"PRAGMA user_version = {version + 1}")
        applied.append(step.__name__)
        version += 1
    return applied
