"""Does the ledger still have the schema its migrations made?

A ledger edited by hand (a dropped trigger, a missing index, a table altered in a
spreadsheet tool) can look fine and still have lost a promise: without the append-only
triggers, money rows can be changed in place. The expected schema is built by running the
same migrations on an empty in-memory database and compared through sqlite-utils'
introspection.
"""

from __future__ import annotations

import sqlite3

from iddexi.i18n import _
from iddexi.ledger.errors import Problem
from iddexi.ledger.migrations import migrate, schema_version


def schema_differences(conn: sqlite3.Connection) -> list[Problem]:
    """Tables, columns, views, triggers and indexes that differ from what the migrations made."""
    import sqlite_utils

    reference = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(reference, ":memory:", upto=schema_version(conn))
        return _compare(sqlite_utils.Database(reference), sqlite_utils.Database(conn))
    finally:
        reference.close()


def _compare(want, have) -> list[Problem]:  # two sqlite_utils.Database
    problems: list[Problem] = []
    have_tables = set(have.table_names())
    for table in want.table_names():
        if table not in have_tables:
            problems.append(Problem(f"table {table}", _("is missing")))
            continue
        expected, actual = want[table].columns_dict, have[table].columns_dict
        for column, kind in expected.items():
            if column not in actual:
                problems.append(
                    Problem(f"table {table}", _("has no column {column}").format(column=column))
                )
            elif actual[column] is not kind:
                problems.append(
                    Problem(
                        f"table {table}",
                        _("column {column} is {name__}, expected {name__2}").format(
                            column=column, name__=actual[column].__name__, name__2=kind.__name__
                        ),
                    )
                )
        missing_indexes = {i.name for i in want[table].indexes} - {
            i.name for i in have[table].indexes
        }
        for index in sorted(missing_indexes):
            problems.append(
                Problem(
                    f"table {table}",
                    _("index {index} is missing (slow queries)").format(index=index),
                )
            )
    have_views = {v.name: v.schema for v in have.views}
    for view in want.views:
        if view.name not in have_views:
            problems.append(Problem(f"view {view.name}", _("is missing")))
        elif _words(have_views[view.name]) != _words(view.schema):
            # the views decide what counts: a redefined live_sales can hide every line
            problems.append(Problem(f"view {view.name}", _("was redefined: reports may lie")))
    have_triggers = have.triggers_dict
    for trigger, sql in want.triggers_dict.items():
        if trigger not in have_triggers:
            problems.append(
                Problem(f"trigger {trigger}", _("is missing: written money is no longer protected"))
            )
        elif _words(have_triggers[trigger]) != _words(sql):
            problems.append(
                Problem(
                    f"trigger {trigger}", _("was redefined: written money may not be protected")
                )
            )
    return problems


def _words(sql: str) -> list[str]:
    return sql.split()
