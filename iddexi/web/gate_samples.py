"""The organiser's gate counts on the web: the same parsing and the same ledger method as
`iddexi session count`, each refusal placed next to the field it is about."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iddexi.analysis.visitors import estimated_visitors
from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, IddexiError
from iddexi.ledger.gates import (
    MAX_GATE_COUNT,
    GateCount,
    GateSample,
    OpenHours,
    parse_clock,
    parse_hours,
)
from iddexi.ledger.values import parse_count

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

FIELDS = ("gate", "start", "minutes", "count", "hours")
MAX_FIELD = 100  # characters kept of a field: every valid value is far shorter


@dataclass(frozen=True)
class GateForm:
    """What the organiser typed, and the refusal for each field that was refused."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionGates:
    """A session's live gate samples, its open hours and the visitors they estimate."""

    samples: list[GateSample]
    hours: OpenHours
    visitors: int | None  # None without samples


def session_gates(book: Ledger, session_id: int) -> SessionGates:
    samples = book.session_gate_samples(session_id)
    hours = book.session_hours(session_id)
    return SessionGates(samples, hours, estimated_visitors(samples, hours) if samples else None)


def record(book: Ledger, ref: str, form: dict[str, str]) -> GateForm:
    """Record the sample typed into ``form`` for session ``ref``; the form back, with
    the refusals (nothing is written when there is one)."""
    values = {name: form.get(name, "").strip()[:MAX_FIELD] for name in FIELDS}
    errors: dict[str, str] = {}
    parsed: dict[str, object] = {}
    steps = (
        ("start", lambda v: parse_clock(v, _("from"))),
        ("minutes", lambda v: parse_count(v, _("minutes"))),
        ("count", lambda v: parse_count(v, _("count"))),
        ("hours", lambda v: parse_hours(v, _("hours")) if v else None),
    )
    for name, parse in steps:
        try:
            parsed[name] = parse(values[name])
        except IddexiError as exc:
            errors[name] = str(exc)
    if errors:
        return GateForm(values, errors)
    sample = GateCount(
        values["gate"], parsed["start"], parsed["minutes"], parsed["count"], parsed["hours"]
    )
    try:
        book.record_gate_samples(
            ref,
            [sample],
            estimate=estimated_visitors,
            source=f"web: session count {ref} --gate {sample.gate} --from {sample.start}",
        )
    except IddexiError as exc:
        errors[_field_of(sample, exc)] = str(exc)
        return GateForm(values, errors)
    return GateForm()


def _field_of(sample: GateCount, exc: IddexiError) -> str:
    """The field a refusal of the ledger is about (gates.check_count's order)."""
    if isinstance(exc, ConflictError):
        return "start"  # overlaps a sample of the same gate
    gate = sample.gate.strip()
    if not gate or len(gate) > 40:
        return "gate"
    if not 1 <= sample.minutes <= 24 * 60:
        return "minutes"
    if not 0 <= sample.count <= MAX_GATE_COUNT:
        return "count"
    return "hours"  # outside the open hours: the fix is to give the gate's own
