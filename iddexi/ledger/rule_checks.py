"""Every stored row against the rules of the expected schema, checked explicitly.

SQLite's ``integrity_check`` skips CHECK constraints on a read-only connection, and a
table rewritten by hand may have lost its constraints altogether; so neither the file's
own schema nor SQLite's checks are trusted here. The rules come from the schema the
migrations make (:func:`iddexi.ledger.schema_check.expected_schema`):

- :func:`constraint_problems` copies every row into that schema, in memory, where every
  CHECK and NOT NULL applies, and names each row it refuses; it also requires whole
  numbers in INTEGER columns and text in TEXT columns (SQLite stores ``'lots'`` in an
  INTEGER column, and a CHECK such as ``visitors >= 0`` lets text through);
- :func:`reference_problems` runs one query per REFERENCES clause;
- :func:`stored_value_problems` reads every stored date, decimal and code the way the
  commands read them (:mod:`iddexi.ledger.stored`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import NamedTuple

from iddexi.i18n import _
from iddexi.ledger.errors import StoredValueError
from iddexi.ledger.migrations import schema_version
from iddexi.ledger.schema_check import expected_schema
from iddexi.ledger.stored import stored_date, stored_decimal
from iddexi.ledger.values import CODE

# The kinds of problem found here, as ``check --json`` names them.
FOREIGN_KEY = "unknown-reference"
BROKEN_RULE = "broken-rule"
BAD_VALUE = "bad-value"


class Finding(NamedTuple):
    """A problem found; :mod:`iddexi.ledger.checks` makes it a ``LedgerProblem``."""

    location: str
    message: str
    value: object
    kind: str


_CHUNK = 1000
# reported by amount_problems as "not a whole number of fen"
_CHECKED_ELSEWHERE = {("sales", "amount_fen")}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(reference: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in reference.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, int]]:
    """(name, declared type, primary-key position) of each column."""
    return [
        (name, (kind or "").upper(), pk)
        for _cid, name, kind, _notnull, _default, pk in conn.execute(
            f"PRAGMA table_info({_quote(table)})"
        )
    ]


def _rules_only(version: int) -> sqlite3.Connection:
    """The expected schema, empty, with nothing but its tables' own constraints."""
    reference = expected_schema(version)
    for kind, name in reference.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall():
        reference.execute(f"DROP {kind.upper()} {_quote(name)}")
    for table in _tables(reference):
        reference.execute(f"DELETE FROM {_quote(table)}")  # the seeded categories
    return reference


def constraint_problems(conn: sqlite3.Connection) -> list[Finding]:
    """Rows breaking a CHECK or NOT NULL rule, or holding a value of the wrong type."""
    reference = _rules_only(schema_version(conn))
    problems: list[Finding] = []
    try:
        for table in _tables(reference):
            columns = _columns(reference, table)
            problems += _check_table(conn, reference, table, columns)
    finally:
        reference.close()
    return problems


def _rows(conn: sqlite3.Connection, table: str, names: list[str]) -> Iterator[tuple]:
    selected = ", ".join(_quote(n) for n in names)
    try:
        yield from conn.execute(f"SELECT rowid, {selected} FROM {_quote(table)} ORDER BY rowid")
    except sqlite3.OperationalError:
        return  # a missing table or column: the schema check names it


def _check_table(
    conn: sqlite3.Connection, reference: sqlite3.Connection, table: str, columns: list
) -> list[Finding]:
    names = [name for name, _kind, _pk in columns]
    insert = (
        f"INSERT INTO {_quote(table)} ({', '.join(_quote(n) for n in names)})"
        f" VALUES ({', '.join('?' for _ in names)})"
    )
    problems: list[Finding] = []
    chunk: list[tuple] = []

    def flush() -> None:
        if not chunk:
            return
        reference.execute("SAVEPOINT rows")
        try:
            reference.executemany(insert, [row[1:] for row in chunk])
        except sqlite3.IntegrityError:
            reference.execute("ROLLBACK TO rows")
            for row in chunk:  # again one by one, to name each row refused
                try:
                    reference.execute(insert, row[1:])
                except sqlite3.IntegrityError as exc:
                    problems.append(_broken(table, row, names, str(exc)))
        reference.execute("RELEASE rows")
        reference.execute(f"DELETE FROM {_quote(table)}")
        chunk.clear()

    for row in _rows(conn, table, names):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            flush()
    flush()
    return _type_problems(conn, table, columns) + problems


def _type_problems(conn: sqlite3.Connection, table: str, columns: list) -> list[Finding]:
    """Values of another type than their column's: SQLite stores them all the same."""
    problems = []
    for name, kind, _pk in columns:
        if (table, name) in _CHECKED_ELSEWHERE:
            continue
        if kind.startswith("INT"):
            allowed, expected = "'integer'", _("a whole number")
        elif kind == "TEXT":
            allowed, expected = "'text'", _("text")
        else:
            continue
        try:
            rows = conn.execute(
                f"SELECT rowid, {_quote(name)} FROM {_quote(table)}"
                f" WHERE typeof({_quote(name)}) NOT IN ({allowed}, 'null') ORDER BY rowid"
            ).fetchall()
        except sqlite3.OperationalError:
            continue  # a missing table or column: the schema check names it
        problems += [
            Finding(
                f"{table} row {rowid}",
                _("{column} is not {expected}").format(column=name, expected=expected),
                value,
                BAD_VALUE,
            )
            for rowid, value in rows
        ]
    return problems


def _broken(table: str, row: tuple, names: list[str], error: str) -> Finding:
    rule = error.split(":", 1)[1].strip() if ":" in error else error
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rule.replace(f"{table}.", "")))
    shown = [f"{n}={v!r}" for n, v in zip(names, row[1:], strict=True) if n in words]
    return Finding(
        f"{table} row {row[0]}",
        _("breaks the ledger's rule {rule}").format(rule=error),
        ", ".join(shown) or None,
        BROKEN_RULE,
    )


def reference_problems(conn: sqlite3.Connection) -> list[Finding]:
    """Rows naming a stall, category, township, season, session or batch that does not
    exist, one query per REFERENCES clause of the expected schema."""
    reference = expected_schema(schema_version(conn))
    try:
        clauses = []
        for table in _tables(reference):
            keys: dict[int, list[tuple[str, str, str]]] = {}
            for fid, _seq, parent, frm, to, *_rest in reference.execute(
                f"PRAGMA foreign_key_list({_quote(table)})"
            ):
                if to is None:
                    to = next(n for n, _k, pk in _columns(reference, parent) if pk == 1)
                keys.setdefault(fid, []).append((parent, frm, to))
            clauses += [(table, pairs) for _fid, pairs in sorted(keys.items())]
    finally:
        reference.close()
    problems = []
    for table, pairs in clauses:
        parent = pairs[0][0]
        match = " AND ".join(f"p.{_quote(to)} = c.{_quote(frm)}" for _p, frm, to in pairs)
        present = " AND ".join(f"c.{_quote(frm)} IS NOT NULL" for _p, frm, _to in pairs)
        selected = ", ".join(f"c.{_quote(frm)}" for _p, frm, _to in pairs)
        try:
            rows = conn.execute(
                f"SELECT c.rowid, {selected} FROM {_quote(table)} c WHERE {present}"
                f" AND NOT EXISTS (SELECT 1 FROM {_quote(parent)} p WHERE {match})"
                " ORDER BY c.rowid"
            ).fetchall()
        except sqlite3.OperationalError:
            continue  # a missing table or column: the schema check names it
        names = ", ".join(frm for _p, frm, _to in pairs)
        for rowid, *values in rows:
            problems.append(
                Finding(
                    f"{table} row {rowid}",
                    _("{names} refers to a {parent} that is not in the ledger").format(
                        names=names, parent=_singular(parent)
                    ),
                    values[0] if len(values) == 1 else ", ".join(map(str, values)),
                    FOREIGN_KEY,
                )
            )
    return problems


def _date(value: object) -> None:
    stored_date(value)


def _quantity(value: object) -> None:
    stored_decimal(value, "quantity")


def _temperature(value: object) -> None:
    stored_decimal(value, "temperature", signed=True)


def _code(value: object) -> None:
    if not (isinstance(value, str) and CODE.fullmatch(value)):
        raise StoredValueError(str(value))


def _reader(table: str, column: str):
    """How the commands read a stored column back, by the column's name; None for text
    that is shown as it is (or a number, which the constraint check covers)."""
    if column == "date" or column.endswith("_date"):
        return _date
    if column == "quantity":
        return _quantity
    if column == "temperature":
        return _temperature
    if column == "code" and table in ("seasons", "stalls"):
        return _code  # written into session references (2025-26:3) and file names
    return None


# A live session's date is checked with its season by session_date_problems.
_DATES_CHECKED_ELSEWHERE = {("sessions", "date")}


def stored_value_problems(conn: sqlite3.Connection) -> list[Finding]:
    """Stored dates, decimals and codes that the commands could not read back.

    Which columns hold them is read from the expected schema by name (``date``,
    ``…_date``, ``quantity``, ``temperature``, the codes of seasons and stalls), so a
    table that a later migration adds is covered when it follows the same names.
    """
    reference = expected_schema(schema_version(conn))
    try:
        columns = [
            (table, name, reader)
            for table in _tables(reference)
            for name, _kind, _pk in _columns(reference, table)
            if (reader := _reader(table, name)) and (table, name) not in _DATES_CHECKED_ELSEWHERE
        ]
    finally:
        reference.close()
    problems = []
    for table, column, reader in columns:
        try:
            rows = conn.execute(
                f"SELECT rowid, {_quote(column)} FROM {_quote(table)}"
                f" WHERE {_quote(column)} IS NOT NULL ORDER BY rowid"
            ).fetchall()
        except sqlite3.OperationalError:
            continue  # a missing table or column: the schema check names it
        for rowid, value in rows:
            try:
                reader(value)
            except StoredValueError:
                problems.append(
                    Finding(
                        f"{table} row {rowid}",
                        _("{column} cannot be read: the commands would fail on it").format(
                            column=column
                        ),
                        value,
                        BAD_VALUE,
                    )
                )
    # one of a voided batch is not checked with its season but is still stored
    try:
        rows = conn.execute(
            "SELECT s.rowid, s.date FROM sessions s JOIN batches b ON b.id = s.batch_id"
            " WHERE b.voided_at IS NOT NULL ORDER BY s.rowid"
        ).fetchall()
    except sqlite3.OperationalError:
        rows = []
    for rowid, value in rows:
        try:
            stored_date(value)
        except StoredValueError:
            problems.append(
                Finding(
                    f"sessions row {rowid}",
                    _("date cannot be read: the commands would fail on it"),
                    value,
                    BAD_VALUE,
                )
            )
    return problems


def _singular(table: str) -> str:
    return {
        "batches": "batch",
        "categories": "category",
        "townships": "township",
        "stalls": "stall",
        "seasons": "season",
        "sessions": "session",
        "sales": "sale",
    }.get(table, table)
