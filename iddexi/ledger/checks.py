"""Everything ``iddexi check`` looks for, each a small function returning located problems.

:func:`check_ledger` runs them all and collects every problem (beancount's
``bean-check``): damage, schema, references, amounts, session dates, lines counted twice,
batches that no longer add up to their control totals.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from iddexi.i18n import _
from iddexi.ledger.errors import Problem
from iddexi.ledger.rule_checks import BAD_VALUE, BROKEN_RULE, FOREIGN_KEY, Finding  # noqa: F401 (kinds)
from iddexi.ledger.sessions import off_market_day
from iddexi.ledger.values import format_yuan

# The kinds of problem, as ``check --json`` names them.
INTEGRITY = "integrity"
ORPHAN = "orphaned-line"
BAD_DATE = "bad-date"
OUTSIDE_SEASON = "outside-season"
MARKET_DAY = "market-day"
DUPLICATE = "duplicate-line"
CONTROL_TOTAL = "control-total"
BAD_AMOUNT = "bad-amount"
DUPLICATE_SESSION = "duplicate-session"
SCHEMA = "schema"
OVERLAPPING_SEASONS = "overlapping-seasons"

#: Kinds `check` lists as notes, not problems: things a command accepted with a warning
#: (a session on another day than the season's market day), so the ledger is still sound.
NOTE_KINDS = frozenset({MARKET_DAY})


@dataclass(frozen=True)
class LedgerProblem(Problem):
    """A problem found in the ledger; ``kind`` is one of the constants of this module."""

    kind: str = INTEGRITY

    @property
    def is_note(self) -> bool:
        return self.kind in NOTE_KINDS

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "location": self.location,
            "message": self.message,
            "value": None if self.value is None else str(self.value),
        }


Check = Callable[[sqlite3.Connection], list[LedgerProblem]]


# ----------------------------------------------------------------------------- checks


def integrity_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """SQLite's own ``PRAGMA integrity_check``: pages, indexes, NOT NULL and CHECK constraints."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [
            LedgerProblem(
                _("ledger file"), _("cannot be read: {exc}").format(exc=exc), kind=INTEGRITY
            )
        ]
    if rows == ["ok"]:
        return []
    return [
        LedgerProblem(_("ledger file"), _("SQLite integrity check: {r}").format(r=r)) for r in rows
    ]


def reference_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Rows naming a stall, category, township, season, session or batch that does not
    exist; one explicit query per REFERENCES clause of the expected schema (a table
    rewritten without its clauses is checked all the same)."""
    from iddexi.ledger import rule_checks

    return _as_problems(rule_checks.reference_problems(conn))


def constraint_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Rows breaking a CHECK or NOT NULL rule of the expected schema, or of the wrong type."""
    from iddexi.ledger import rule_checks

    return _as_problems(rule_checks.constraint_problems(conn))


def stored_value_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Stored dates, decimals and codes the commands could not read back."""
    from iddexi.ledger import rule_checks

    return _as_problems(rule_checks.stored_value_problems(conn))


def _as_problems(findings: list[Finding]) -> list[LedgerProblem]:
    return [LedgerProblem(f.location, f.message, f.value, kind=f.kind) for f in findings]


def orphan_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Lines of a live batch that count nowhere because their session was voided."""
    rows = conn.execute(
        "SELECT s.id, s.batch_id, s.session_id, s.amount_fen FROM sales s"
        " JOIN batches b ON b.id = s.batch_id AND b.voided_at IS NULL"
        " JOIN sessions se ON se.id = s.session_id"
        " JOIN batches sb ON sb.id = se.batch_id AND sb.voided_at IS NOT NULL"
        " WHERE NOT EXISTS (SELECT 1 FROM sale_voids v JOIN batches vb ON vb.id = v.batch_id"
        "   WHERE v.sale_id = s.id AND vb.voided_at IS NULL)"
        " ORDER BY s.id"
    ).fetchall()
    return [
        LedgerProblem(
            _("sale #{sale_id} (batch {batch_id})").format(sale_id=sale_id, batch_id=batch_id),
            _(
                "is live but its session #{session_id} was voided, so its {fen_format_yuan} counts nowhere"
            ).format(session_id=session_id, fen_format_yuan=format_yuan(fen)),
            kind=ORPHAN,
        )
        for sale_id, batch_id, session_id, fen in rows
    ]


def _real_date(text: object) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(text))
    except ValueError:
        return None
    return day if day.isoformat() == text else None


def session_date_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Live sessions with an impossible date, outside their season, or off its market day."""
    problems = []
    rows = conn.execute(
        "SELECT s.id, s.season, s.date, s.batch_id, se.start_date, se.end_date, se.market_day"
        " FROM live_sessions s JOIN current_seasons se ON se.code = s.season"
        " ORDER BY s.season, s.date, s.id"
    ).fetchall()
    for sid, season, date, batch_id, start, end, market_day in rows:
        where = f"session {season}:{date} (#{sid}, batch {batch_id})"
        day = _real_date(date)
        if day is None:
            problems.append(
                LedgerProblem(where, _("date is not a real YYYY-MM-DD day"), date, kind=BAD_DATE)
            )
            continue
        if not start <= date <= end:
            problems.append(
                LedgerProblem(
                    where,
                    _("date is outside season {season} ({start} … {end})").format(
                        season=season, start=start, end=end
                    ),
                    date,
                    kind=OUTSIDE_SEASON,
                )
            )
        off_day = off_market_day(season, market_day, day)
        if off_day:
            problems.append(LedgerProblem(where, off_day, date, kind=MARKET_DAY))
    return problems


def overlapping_season_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Seasons of the same kind whose dates overlap: a year report counts both."""
    from iddexi.ledger.reference import overlapping_seasons

    return [
        LedgerProblem(
            f"season {code} ({start} … {end})",
            _(
                "overlaps {kind} season {other} ({other_start} … {other_end}): "
                "sessions in both are counted twice; `iddexi season edit` one of them"
            ).format(kind=kind, other=other, other_start=other_start, other_end=other_end),
            kind=OVERLAPPING_SEASONS,
        )
        for code, start, end, other, other_start, other_end, kind in overlapping_seasons(conn)
    ]


def duplicate_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """More than one live line for the same session, stall and category: counted twice."""
    rows = conn.execute(
        "SELECT l.session_id, l.stall, l.category, count(*), sum(l.amount_fen),"
        " group_concat(DISTINCT l.batch_id), s.season, s.date FROM live_sales l"
        " JOIN live_sessions s ON s.id = l.session_id"
        " GROUP BY l.session_id, l.stall, l.category HAVING count(*) > 1"
        " ORDER BY s.season, s.date, l.stall, l.category"
    ).fetchall()
    return [
        LedgerProblem(
            _("session {season}:{date} stall {stall} {category}").format(
                season=season, date=date, stall=stall, category=category
            ),
            _(
                "{count} live lines ({fen_format_yuan} in all, batches {batches}) where one is allowed; void the extra batch"
            ).format(count=count, fen_format_yuan=format_yuan(fen), batches=batches),
            kind=DUPLICATE,
        )
        for _sid, stall, category, count, fen, batches, season, date in rows
    ]


def control_total_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Batches whose lines do not add up to the total recorded with them (a torn write)."""
    rows = conn.execute(
        "SELECT b.id, b.source, b.control_total_fen,"
        " (SELECT coalesce(sum(amount_fen), 0) FROM sales s WHERE s.batch_id = b.id),"
        " (SELECT count(*) FROM sales s WHERE s.batch_id = b.id)"
        " FROM batches b WHERE b.control_total_fen IS NOT NULL ORDER BY b.id"
    ).fetchall()
    return [
        LedgerProblem(
            _("batch {bid} ({source})").format(bid=bid, source=source),
            _(
                "its {lines} line(s) add up to {fen_format_yuan} but its recorded total is {control_format_yuan}"
            ).format(
                lines=lines,
                fen_format_yuan=format_yuan(fen),
                control_format_yuan=format_yuan(control),
            ),
            kind=CONTROL_TOTAL,
        )
        for bid, source, control, fen, lines in rows
        if fen != control
    ]


def amount_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Lines whose amount is not a whole number of fen (stored by hand as 12.5 or text)."""
    rows = conn.execute(
        "SELECT s.id, s.batch_id, s.amount_fen FROM sales s"
        " WHERE typeof(s.amount_fen) != 'integer' ORDER BY s.id"
    ).fetchall()
    return [
        LedgerProblem(
            _("line {sid} (batch {batch})").format(sid=sid, batch=batch),
            _("amount is not a whole number of fen"),
            amount,
            kind=BAD_AMOUNT,
        )
        for sid, batch, amount in rows
    ]


def duplicate_session_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Two live sessions of a season on one date: numbering and totals go wrong."""
    rows = conn.execute(
        "SELECT season, date, group_concat(batch_id) FROM live_sessions"
        " GROUP BY season, date HAVING count(*) > 1 ORDER BY season, date"
    ).fetchall()
    return [
        LedgerProblem(
            _("session {season}:{date}").format(season=season, date=date),
            _("is recorded more than once (batches {batches}); void the extra batch").format(
                batches=batches
            ),
            kind=DUPLICATE_SESSION,
        )
        for season, date, batches in rows
    ]


def migration_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """The record of applied migrations must match the schema version."""
    from iddexi.ledger.migrations import MIGRATIONS

    version = conn.execute("PRAGMA user_version").fetchone()[0]
    recorded = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    expected = [m.__name__ for m in MIGRATIONS[:version]]
    problems = [
        LedgerProblem(
            _("migrations"),
            _("{name} is not recorded though the schema is at version {version}").format(
                name=name, version=version
            ),
            kind=SCHEMA,
        )
        for name in expected
        if name not in recorded
    ]
    problems += [
        LedgerProblem(
            _("migrations"),
            _(
                "{name} is recorded though the schema is at version {version} (the version number was changed by hand)"
            ).format(name=name, version=version),
            kind=SCHEMA,
        )
        for name in recorded
        if name not in expected
    ]
    return problems


def schema_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Tables, columns, views, triggers and indexes missing from what the migrations made."""
    from iddexi.ledger.schema_check import schema_differences

    return [
        LedgerProblem(p.location, p.message, p.value, kind=SCHEMA) for p in schema_differences(conn)
    ]


def chain_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """The first batch whose rows, header or void no longer match the hash chain."""
    from iddexi.ledger.chain_check import HASH_CHAIN, first_break

    found = first_break(conn)
    if found is None:
        return []
    return [
        LedgerProblem(_("batch {batch}").format(batch=found.batch), found.message, kind=HASH_CHAIN)
    ]


def web_problems(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """The first submission and decision that no longer match their chains, and
    approvals that do not stand for the import batch they name."""
    from iddexi.ledger.web_check import web_chain_problems

    return [
        LedgerProblem(location, message, kind=kind)
        for kind, location, message in web_chain_problems(conn)
    ]


CHECKS: tuple[Check, ...] = (
    integrity_problems,
    schema_problems,
    migration_problems,
    constraint_problems,
    reference_problems,
    stored_value_problems,
    orphan_problems,
    amount_problems,
    session_date_problems,
    overlapping_season_problems,
    duplicate_session_problems,
    duplicate_problems,
    control_total_problems,
    chain_problems,
    web_problems,
)


def check_ledger(conn: sqlite3.Connection) -> list[LedgerProblem]:
    """Every problem the checks find, in order; an empty list for a sound ledger.

    When SQLite reports the file damaged, only those problems are returned: queries over
    a damaged file could report nonsense.
    """
    damaged = integrity_problems(conn)
    if damaged:
        return damaged
    problems: list[LedgerProblem] = []
    for step in CHECKS[1:]:
        try:
            problems.extend(step(conn))
        except sqlite3.DatabaseError as exc:
            problems.append(
                LedgerProblem(
                    _("ledger file"),
                    _("{name__} could not run: {exc}").format(name__=step.__name__, exc=exc),
                    kind=INTEGRITY,
                )
            )
    return problems
