"""Visitors estimated from timed gate counts (Farmers Market Metrics / Rapid Market
Assessment): each gate's count scaled from its sampled minutes to its open minutes.

For one gate, the samples are pooled: estimate = Σ count × open minutes ÷ Σ sampled
minutes (one sample: count × open ÷ sampled). The session's figure is the sum over its
gates, kept as an exact fraction and rounded half up to whole visitors only at the end,
so that 10.5 + 10.5 gives 21, not 20 or 22.

A gate's open hours are those given with its latest sample that gives any; otherwise the
session's hours (`session set --hours`, default 09:00-15:00).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

from iddexi.ledger.gates import DEFAULT_HOURS, GateSample, OpenHours


class GateEstimate(NamedTuple):
    gate: str
    samples: int
    sampled_minutes: int
    counted: int
    hours: OpenHours
    estimate: Fraction  # exact: counted × open minutes ÷ sampled minutes

    def as_json(self) -> dict:
        return {
            "gate": self.gate,
            "samples": self.samples,
            "sampled_minutes": self.sampled_minutes,
            "counted": self.counted,
            "hours": str(self.hours),
            "open_minutes": self.hours.minutes,
            "estimate": round_half_up(self.estimate),
        }


class VisitorEstimate(NamedTuple):
    visitors: int  # rounded half up, once, from the exact sum
    exact: Fraction
    gates: tuple[GateEstimate, ...]
    hours: OpenHours  # the session's hours
    samples: tuple[GateSample, ...] = ()  # the samples behind the figure

    def as_json(self) -> dict:
        return {
            "method": "sample",
            "visitors": self.visitors,
            "hours": str(self.hours),
            "gates": [g.as_json() for g in self.gates],
            "samples": [s.as_json() for s in self.samples],
        }


def round_half_up(value: Fraction) -> int:
    """Half a visitor or more rounds up (value is never negative)."""
    return int((value + Fraction(1, 2)) // 1)


def estimate_visitors(
    samples: Sequence[GateSample], hours: OpenHours = DEFAULT_HOURS
) -> VisitorEstimate:
    """The visitor estimate of one session from its live samples and its open hours."""
    by_gate: dict[str, list[GateSample]] = {}
    for sample in samples:
        by_gate.setdefault(sample.gate, []).append(sample)
    gates = []
    for gate, own in sorted(by_gate.items()):
        given = [s for s in sorted(own, key=lambda s: s.id) if s.hours is not None]
        gate_hours = given[-1].hours if given else hours
        assert gate_hours is not None
        sampled = sum(s.minutes for s in own)
        counted = sum(s.count for s in own)
        gates.append(
            GateEstimate(
                gate,
                len(own),
                sampled,
                counted,
                gate_hours,
                Fraction(counted * gate_hours.minutes, sampled),
            )
        )
    exact = sum((g.estimate for g in gates), Fraction(0))
    return VisitorEstimate(round_half_up(exact), exact, tuple(gates), hours, tuple(samples))


def estimated_visitors(samples: Sequence[GateSample], hours: OpenHours) -> int:
    """:func:`estimate_visitors` as the whole number the ledger records."""
    return estimate_visitors(samples, hours).visitors


def season_estimates(
    samples: Sequence[GateSample], hours: dict[str, OpenHours]
) -> dict[str, VisitorEstimate]:
    """Per session (SEASON:N) with samples: the estimate and the samples behind it, for
    a report's ``--json`` (``Ledger.gate_samples(season)``, ``Ledger.season_hours(season)``)."""
    by_session: dict[str, list[GateSample]] = {}
    for sample in samples:
        by_session.setdefault(sample.session, []).append(sample)
    return {
        ref: estimate_visitors(own, hours.get(ref, DEFAULT_HOURS))
        for ref, own in by_session.items()
    }
