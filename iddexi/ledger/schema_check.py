"""Does the ledger have exactly the schema its migrations made, and nothing else?

A ledger edited by hand can look fine and still have lost a promise, or gained a foreign
one: a dropped append-only trigger lets money rows change in place; an extra trigger
(``AFTER INSERT ON sales … INSERT INTO sale_voids …``) silently voids every new line; a
``sales`` table rewritten without its CHECK or REFERENCES clauses admits any amount. The
expected schema is built by running the same migrations on an empty in-memory database;
then every object in ``sqlite_master`` (tables with their columns and constraints,
indexes, triggers, views) is compared both ways on its normalised SQL: extra, missing
or different objects are all problems.
"""

from __future__ import annotations

import re
import sqlite3

from iddexi.i18n import N_, _
from iddexi.ledger.errors import Problem
from iddexi.ledger.migrations import migrate, schema_version

# Objects SQLite makes itself: the statistics of ANALYZE / PRAGMA optimize.
_SQLITE_OWN_TABLES = {"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"}

_WHAT_GOES_WRONG = {
    "trigger": N_("written money is no longer protected"),
    "view": N_("reports may lie"),
}


def expected_schema(version: int) -> sqlite3.Connection:
    """An empty in-memory database migrated to ``version`` (the caller closes it)."""
    reference = sqlite3.connect(":memory:", isolation_level=None)
    migrate(reference, ":memory:", upto=version)
    return reference


def schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str]]:
    """(type, name) → (table it belongs to, normalised SQL) for every schema object.

    Indexes SQLite makes for PRIMARY KEY and UNIQUE (no SQL of their own) come with
    their table's SQL, which is compared.
    """
    objects = {}
    for kind, name, table, sql in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
    ):
        if sql is None or name in _SQLITE_OWN_TABLES:
            continue
        objects[(kind, name)] = (table, normalise_sql(sql))
    return objects


_LITERAL_OR_SPACE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\s+", re.S)


def normalise_sql(sql: str) -> str:
    """SQL with its comments removed, white space made one space and dropped around
    ``( ) , ;``; quoted names and string literals are kept exactly (a changed message or
    value list is a change). Case is kept: SQLite stores the text as it was written, and
    the migrations write it once."""
    parts: list[str] = []
    code = ""
    position = 0
    for match in _LITERAL_OR_SPACE.finditer(sql):
        code += sql[position : match.start()]
        token = match.group()
        if token[0] in "'\"":
            parts.append(_tidy(code))
            parts.append(token)
            code = ""
        else:
            code += " "
        position = match.end()
    parts.append(_tidy(code + sql[position:]))
    return "".join(parts).strip()


def _tidy(code: str) -> str:
    code = re.sub(r"\s+", " ", code)
    return re.sub(r" ?([(),;]) ?", r"\1", code)


def schema_differences(conn: sqlite3.Connection) -> list[Problem]:
    """Every object that is missing, different or extra against the ledger's version."""
    reference = expected_schema(schema_version(conn))
    try:
        return compare_schemas(schema_objects(reference), schema_objects(conn))
    finally:
        reference.close()


def compare_schemas(
    want: dict[tuple[str, str], tuple[str, str]], have: dict[tuple[str, str], tuple[str, str]]
) -> list[Problem]:
    problems: list[Problem] = []
    for key in sorted(want.keys() | have.keys()):
        kind, name = key
        if kind == "index":
            # an index belongs to its table: "table sales: index … is missing"
            table = (want.get(key) or have[key])[0]
            where = f"table {table}"
            subject = f"index {name} "
        else:
            where, subject = f"{kind} {name}", ""
        harm = _(_WHAT_GOES_WRONG[kind]) if kind in _WHAT_GOES_WRONG else ""
        if key not in have:
            message = _("{subject}is missing").format(subject=subject)
            if kind == "index":
                message += _(" (slow queries)")
        elif key not in want:
            message = _(
                "{subject}is not part of an iddexi ledger (added by hand, it can change "
                "what is written or counted)"
            ).format(subject=subject)
            problems.append(Problem(where, message, have[key][1]))
            continue
        elif have[key] != want[key]:
            message = _("{subject}was redefined").format(subject=subject)
            if kind == "table":
                harm = _("its columns or constraints differ from what iddexi made")
        else:
            continue
        problems.append(Problem(where, f"{message}: {harm}" if harm else message))
    return problems
