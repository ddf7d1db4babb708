"""Checking what `iddexi serve` wrote: the hash chains of the keepers' submissions and of
the organisers' decisions, and that every approval stands for the batch it names.

Submissions and decisions are written outside any batch, so the ledger's chain does not
cover them; each row carries ``prev_hash`` (the hash of the row before it in its table)
and its own ``hash`` (see :mod:`iddexi.ledger.web_store`). Editing, deleting or inserting
a row by hand breaks its table's chain at that row. An approval names the import batch
that carries its lines; the batch is in the ledger's chain, so a decision deleted or
changed after its batch was written is found from the batch's side too.
"""

from __future__ import annotations

import json
import re
import sqlite3
from decimal import Decimal, InvalidOperation

from iddexi.i18n import _
from iddexi.ledger.web_store import GENESIS, chain_hash

WEB_CHAIN = "web-chain"  # the kinds of problem, as `check --json` names them
APPROVAL = "approval"

# The source of the import batch an approval writes (iddexi/web/approval.py)
_SUBMISSION_SOURCE = re.compile(r"submission-(\d+)-[^/]*\.csv")


def web_chain_problems(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(kind, location, message) of the first row of each web table that does not match
    its chain, then of every approval that does not stand for its batch."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"submissions", "submission_decisions"} <= tables:
        return []  # a ledger from before `iddexi serve` (m007 adds both)
    opened = not conn.in_transaction
    if opened:
        conn.execute("BEGIN")  # one snapshot for both chains and the batches
    try:
        found = []
        broken = _first_break(
            conn,
            "SELECT id, session_id, stall, lines, total_fen, submitted_at, form_id,"
            " prev_hash, hash FROM submissions ORDER BY id",
        )
        if broken is not None:
            found.append((WEB_CHAIN, _("submission #{id}").format(id=broken), _chain_message()))
        broken = _first_break(
            conn,
            "SELECT id, submission_id, decision, reason, batch_id, decided_at, decided_by,"
            " prev_hash, hash FROM submission_decisions ORDER BY id",
        )
        if broken is not None:
            found.append((WEB_CHAIN, _("decision #{id}").format(id=broken), _chain_message()))
        found += _approval_problems(conn)
        return found
    finally:
        if opened:
            conn.execute("COMMIT")


def _chain_message() -> str:  # a function: translated when asked, not at import
    return _(
        "does not match the web chain: it, or the row before it, was changed, deleted or "
        "inserted outside iddexi"
    )


def _first_break(conn: sqlite3.Connection, query: str) -> int | None:
    """The id of the first row whose prev_hash is not the previous row's hash, or whose
    hash is not that of its fields; None when the whole table chains."""
    prev = GENESIS
    for row_id, *fields, prev_hash, digest in conn.execute(query):
        if prev_hash != prev or digest != chain_hash(prev_hash, fields):
            return int(row_id)
        prev = digest
    return None


def _approval_problems(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    problems = []
    decisions = conn.execute(
        "SELECT d.id, d.submission_id, d.batch_id, s.session_id, s.stall, s.lines,"
        " b.id, b.kind, b.voided_at IS NOT NULL,"
        " EXISTS (SELECT 1 FROM batch_voids v WHERE v.voided_batch = b.id)"
        " FROM submission_decisions d JOIN submissions s ON s.id = d.submission_id"
        " LEFT JOIN batches b ON b.id = d.batch_id"
        " WHERE d.decision = 'approved' AND d.batch_id IS NOT NULL ORDER BY d.id"
    ).fetchall()
    for did, sub_id, batch_id, session_id, stall, text, found, kind, voided, void_row in decisions:
        where = _("decision #{id} (submission #{sub})").format(id=did, sub=sub_id)
        if found is None:
            message = _("approves into batch {batch}, which is not in the ledger")
        elif kind != "import":
            message = _("approves into batch {batch}, which is not an import")
        elif voided and not void_row:
            message = _("approves into batch {batch}, which was voided outside iddexi")
        elif not _same_lines(conn, batch_id, session_id, stall, text):
            message = _("approves into batch {batch}, whose lines are not the submission's")
        else:
            continue
        problems.append((APPROVAL, where, message.format(batch=batch_id)))
    approved = {row[2] for row in decisions}
    for batch_id, source in conn.execute(
        "SELECT id, source FROM batches WHERE kind = 'import' AND source LIKE 'submission-%'"
        " ORDER BY id"
    ):
        match = _SUBMISSION_SOURCE.fullmatch(source or "")
        if match and batch_id not in approved:
            problems.append(
                (
                    APPROVAL,
                    _("batch {batch} ({source})").format(batch=batch_id, source=source),
                    _(
                        "holds submission #{sub} but no approval names it; approve that "
                        "submission again (it will name this batch) or void the batch"
                    ).format(sub=match.group(1)),
                )
            )
    return problems


def _same_lines(
    conn: sqlite3.Connection, batch_id: int, session_id: int, stall: str, text: str
) -> bool:
    """The batch's sales lines are the submission's lines, plus a zero line for each
    category approved before that the submission leaves out (approval.sheet_text)."""
    try:
        wanted = {
            category: (fen, _decimal(qty), unit or None)
            for category, fen, qty, unit in json.loads(text)
        }
    except (ValueError, TypeError, InvalidOperation):
        return False
    got = {}
    for line_session, line_stall, category, fen, qty, unit in conn.execute(
        "SELECT session_id, stall, category, amount_fen, quantity, unit FROM sales"
        " WHERE batch_id = ?",
        (batch_id,),
    ):
        if (line_session, line_stall) != (session_id, stall) or category in got:
            return False
        try:
            got[category] = (fen, _decimal(qty), unit or None)
        except InvalidOperation:
            return False
    extra = {c: v for c, v in got.items() if c not in wanted}
    kept = {c: v for c, v in got.items() if c in wanted}
    return kept == wanted and all(v == (0, None, None) for v in extra.values())


def _decimal(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))
