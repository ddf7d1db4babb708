"""Keepers' submissions: what a session has received, and the organiser's approve/reject.

Approving writes the submission's lines exactly as `iddexi tally import` writes a sales
sheet: the lines go out as a small CSV file and through the importer, so the batch (kind
``import``, the file's name and SHA-256, its control total), the checks and ``--replace``
of the stall's earlier figures are the importer's own. The CLI's `iddexi submissions`
and the organiser's page both call this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger import web_store
from iddexi.ledger.errors import ConflictError, InputError
from iddexi.ledger.records import Session, Stall
from iddexi.ledger.values import fen_to_yuan

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

MAX_REASON = 500


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Overview:
    """A session as the organiser sees it: who has reported, who has not, totals."""

    session: Session
    closed_at: str | None
    submissions: list[web_store.Submission]
    silent: list[Stall]  # stalls with a card for the season and no submission yet
    waiting_fen: int  # total of the latest submissions not yet decided
    approved_fen: int

    def latest(self) -> list[web_store.Submission]:
        return [s for s in self.submissions if s.latest]


def overview(ledger: Ledger, session_ref: str) -> Overview:
    session = ledger.resolve_session(session_ref)
    subs = web_store.submissions(ledger, session.id)
    reported = {s.stall for s in subs}
    carded = web_store.cards_issued(ledger, session.season)
    silent = [s for s in ledger.stalls() if s.code in carded and s.code not in reported]
    latest = [s for s in subs if s.latest]
    return Overview(
        session,
        web_store.session_closed(ledger, session.id),
        subs,
        silent,
        sum(s.total_fen for s in latest if s.decision is None),
        sum(s.total_fen for s in subs if s.decision == "approved"),
    )


def sheet_text(ledger: Ledger, sub: web_store.Submission) -> str:
    """The submission as a sales sheet `tally import` reads."""
    session = ledger.session_by_id(sub.session_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["season", "session", "stall", "category", "amount", "quantity", "unit"])
    lines = list(sub.lines)
    # a keeper's correction that leaves out a category approved before means none sold:
    # a zero line supersedes the old one, as --replace does for every other category
    named = {line.category for line in lines}
    dropped = web_store.approved_live_categories(ledger, sub.session_id, sub.stall) - named
    lines += [web_store.SubmittedLine(category, 0) for category in sorted(dropped)]
    for line in lines:
        writer.writerow(
            [
                session.season,
                session.date.isoformat(),
                sub.stall,
                line.category,
                str(fen_to_yuan(line.amount_fen)),
                "" if line.quantity is None else str(line.quantity),
                line.unit or "",
            ]
        )
    return out.getvalue()


def approve(ledger: Ledger, submission_id: int) -> int | None:
    """Write the submission's lines as one import batch; return the batch id (None when
    the ledger already held exactly these figures)."""
    from iddexi.tally.importer import import_files

    sub = web_store.submission(ledger, submission_id)
    _refuse_decided(sub)
    if not sub.latest:
        raise ConflictError(
            _(
                "submission {id} was replaced by a later one from stall {stall}; approve that one"
            ).format(id=sub.id, stall=sub.stall)
        )
    if not sub.lines:
        raise InputError(_("submission {id} has no figures; reject it instead").format(id=sub.id))
    with tempfile.TemporaryDirectory(prefix="iddexi-submission-") as folder:
        path = Path(folder) / f"submission-{sub.id}-{sub.stall}.csv"
        path.write_text(sheet_text(ledger, sub), encoding="utf-8")
        (outcome,) = import_files(ledger, [path], replace=True)
    batch = outcome.batch_id if outcome.batch_id is not None else outcome.already_in
    web_store.decide(ledger, sub.id, "approved", now_iso(), batch_id=batch)
    return batch


def reject(ledger: Ledger, submission_id: int, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise InputError(_("give a reason for rejecting, so the keeper knows what to fix"))
    if len(reason) > MAX_REASON:
        raise InputError(_("the reason is over {n} characters; shorten it").format(n=MAX_REASON))
    sub = web_store.submission(ledger, submission_id)
    _refuse_decided(sub)
    web_store.decide(ledger, sub.id, "rejected", now_iso(), reason=reason)


def _refuse_decided(sub: web_store.Submission) -> None:
    if sub.decision is not None:
        raise ConflictError(
            _("submission {id} is already {decision}").format(id=sub.id, decision=_(sub.decision))
        )
