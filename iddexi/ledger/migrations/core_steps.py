"""m001–m004: the ledger as first shipped: tables, indexes, append-only triggers,
control totals. Never edit a shipped step; add the next one."""

from __future__ import annotations

import sqlite3

from iddexi.ledger.migrations.script import run_script as _run


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
