"""Gate samples and open hours: the records behind a visitor figure estimated from counts.

A gate sample is a timed count at one gate (20 minutes from 10:00 at 东门: 312 people).
The estimate itself is a calculation and lives in :mod:`iddexi.analysis.visitors`; the
writes here take it as a function, so that the figure and the samples it came from are
written in one batch (the revision carries count method ``sample``).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError
from iddexi.ledger.records import Session

if TYPE_CHECKING:
    import datetime as dt
    from contextlib import AbstractContextManager

MAX_GATE_COUNT = 100_000_000
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_DASHES = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")


class OpenHours(NamedTuple):
    """When a session (or one gate of it) is open, as ``HH:MM`` from and until."""

    opens: str
    closes: str

    @property
    def minutes(self) -> int:
        return clock_minutes(self.closes) - clock_minutes(self.opens)

    def __str__(self) -> str:
        return f"{self.opens}-{self.closes}"


DEFAULT_HOURS = OpenHours("09:00", "15:00")


class GateCount(NamedTuple):
    """A sample as typed or imported, before it is written."""

    gate: str
    start: str
    minutes: int
    count: int
    hours: OpenHours | None = None  # this gate's own hours, when they differ


class GateSample(NamedTuple):
    """A live gate sample, with the session it belongs to."""

    id: int
    batch_id: int
    session_id: int
    session: str  # SEASON:N
    date: dt.date
    gate: str
    start: str
    minutes: int
    count: int
    hours: OpenHours | None  # given with the sample; else the session's hours apply

    def as_json(self) -> dict:
        return {
            "batch": self.batch_id,
            "session": self.session,
            "date": self.date.isoformat(),
            "gate": self.gate,
            "from": self.start,
            "minutes": self.minutes,
            "count": self.count,
            "hours": str(self.hours) if self.hours else None,
        }


Estimate = Callable[[Sequence[GateSample], OpenHours], int]


def clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_clock(value: object, what: str) -> str:
    """``"9:05"``, ``"09：05"`` → ``"09:05"``; from 00:00 to 24:00."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _CLOCK.fullmatch(text)
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if (hours < 24 and minutes < 60) or (hours, minutes) == (24, 0):
            return f"{hours:02d}:{minutes:02d}"
    raise InputError(
        _("{what} {value!r} is not a time of day; write it HH:MM, e.g. 10:00").format(
            what=what, value=value
        )
    )


def parse_hours(value: object, what: str = "--hours") -> OpenHours:
    """``"09:00-15:00"`` (also with –, ~, 至) → OpenHours; closing after opening."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    parts = _DASHES.split(text)
    if len(parts) != 2:
        raise InputError(
            _("{what} {value!r} should be written FROM-UNTIL, e.g. 09:00-15:00").format(
                what=what, value=value
            )
        )
    try:
        hours = OpenHours(parse_clock(parts[0], what), parse_clock(parts[1], what))
    except InputError:
        raise InputError(
            _("{what} {value!r} should be written FROM-UNTIL, e.g. 09:00-15:00").format(
                what=what, value=value
            )
        ) from None
    if hours.minutes <= 0:
        raise InputError(
            _("{what} {value!r} closes before it opens; e.g. 09:00-15:00").format(
                what=what, value=value
            )
        )
    return hours


def check_count(sample: GateCount, hours: OpenHours) -> None:
    """Refuse a sample that cannot be part of a session open for ``hours``."""
    gate = sample.gate.strip()
    if not gate or len(gate) > 40:
        raise InputError(_("a gate needs a name of 1 to 40 characters, e.g. 东门"))
    if not 1 <= sample.minutes <= 24 * 60:
        raise InputError(
            _("sampled minutes {minutes} must be from 1 to 1440").format(minutes=sample.minutes)
        )
    if not 0 <= sample.count <= MAX_GATE_COUNT:
        raise InputError(
            _("count {count} must be a whole number from 0 to {most}").format(
                count=sample.count, most=MAX_GATE_COUNT
            )
        )
    start = clock_minutes(sample.start)
    end = start + sample.minutes
    if start < clock_minutes(hours.opens) or end > clock_minutes(hours.closes):
        raise InputError(
            _(
                "the sample at gate {gate} from {start} for {minutes} minutes is outside the "
                "gate's open hours {hours}; give the gate's hours with --hours"
            ).format(gate=gate, start=sample.start, minutes=sample.minutes, hours=hours)
        )


_SAMPLE_SELECT = (
    "SELECT g.id, g.batch_id, g.session_id, c.season || ':' || c.number, c.date, g.gate,"
    " g.start, g.minutes, g.count, g.opens, g.closes FROM gate_samples g"
    " JOIN batches b ON b.id = g.batch_id AND b.voided_at IS NULL"
    " JOIN current_sessions c ON c.id = g.session_id"
)


def _sample_from_row(row: tuple) -> GateSample:
    import datetime as dt

    sid, batch, session_id, ref, date, gate, start, minutes, count, opens, closes = row
    hours = OpenHours(opens, closes) if opens is not None else None
    return GateSample(
        sid, batch, session_id, ref, dt.date.fromisoformat(date), gate, start, minutes, count, hours
    )


class GatesMixin:
    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def batch(self, kind: str, source: str, **kw: object) -> AbstractContextManager[int]: ...
        def resolve_session(self, ref: str, *, totals: bool = True) -> Session: ...
        def session_by_id(self, session_id: int) -> Session: ...
        def season(self, code: str) -> object: ...
        def _insert_revision(
            self, session_id: int, batch_id: int, fields: dict[str, object]
        ) -> None: ...

    # --- reads -----------------------------------------------------------------------
    def gate_samples(self, season_code: str) -> list[GateSample]:
        """The live gate samples of a season's live sessions, by date, gate and time."""
        season = self.season(season_code)
        rows = self.conn.execute(
            _SAMPLE_SELECT + " WHERE c.season = ? ORDER BY c.date, g.gate, g.start, g.id",
            (season.code,),  # type: ignore[attr-defined]
        ).fetchall()
        return [_sample_from_row(r) for r in rows]

    def session_gate_samples(self, session_id: int) -> list[GateSample]:
        rows = self.conn.execute(
            _SAMPLE_SELECT + " WHERE g.session_id = ? ORDER BY g.gate, g.start, g.id",
            (session_id,),
        ).fetchall()
        return [_sample_from_row(r) for r in rows]

    def session_hours(self, session_id: int) -> OpenHours:
        """A session's open hours: the latest live `session set --hours`, else 09:00-15:00."""
        row = self.conn.execute(
            "SELECT h.opens, h.closes FROM session_hours h"
            " JOIN batches b ON b.id = h.batch_id AND b.voided_at IS NULL"
            " WHERE h.session_id = ? ORDER BY h.id DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        return OpenHours(*row) if row else DEFAULT_HOURS

    def season_hours(self, season_code: str) -> dict[str, OpenHours]:
        """Open hours of every live session of a season, by SEASON:N."""
        rows = self.conn.execute(
            "SELECT id, season || ':' || number FROM current_sessions WHERE season = ?"
            " ORDER BY date",
            (self.season(season_code).code,),  # type: ignore[attr-defined]
        ).fetchall()
        return {ref: self.session_hours(sid) for sid, ref in rows}

    # --- writes ----------------------------------------------------------------------
    def record_gate_samples(
        self,
        ref: str,
        samples: Sequence[GateCount],
        *,
        estimate: Estimate,
        source: str = "session count",
        batch_kind: str = "entry",
    ) -> tuple[Session, int]:
        """Record timed gate counts of a session and its visitors estimated from all its
        live samples, in one batch. Returns the session and the estimate."""
        if not samples:
            raise InputError(_("no gate samples to record"))
        with self.batch(batch_kind, source) as batch_id:
            session = self.resolve_session(ref, totals=False)
            visitors = self.write_gate_samples(session.id, batch_id, samples, estimate)
        return self.session_by_id(session.id), visitors

    def write_gate_samples(
        self, session_id: int, batch_id: int, samples: Sequence[GateCount], estimate: Estimate
    ) -> int:
        """Inside an open batch: write the samples and the session's new visitor figure."""
        session_hours = self.session_hours(session_id)
        gate_hours = {s.gate: s.hours for s in self.session_gate_samples(session_id) if s.hours}
        for sample in samples:
            sample = sample._replace(gate=sample.gate.strip())
            hours = sample.hours or gate_hours.get(sample.gate) or session_hours
            check_count(sample, hours)
            self._refuse_overlap(session_id, sample)
            if sample.hours:
                gate_hours[sample.gate] = sample.hours
            self.conn.execute(
                "INSERT INTO gate_samples (session_id, batch_id, gate, start, minutes, count,"
                " opens, closes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    batch_id,
                    sample.gate,
                    sample.start,
                    sample.minutes,
                    sample.count,
                    sample.hours.opens if sample.hours else None,
                    sample.hours.closes if sample.hours else None,
                ),
            )
        visitors = estimate(self.session_gate_samples(session_id), session_hours)
        self._insert_revision(
            session_id, batch_id, {"visitors": visitors, "count_method": "sample"}
        )
        return visitors

    def insert_gate_samples(self, batch_id: int, samples: Sequence[tuple[int, GateCount]]) -> None:
        """Inside an open batch: samples already checked (an imported sheet's), as they are;
        the importer writes the estimate they give as a session revision of its own."""
        self.conn.executemany(
            "INSERT INTO gate_samples (session_id, batch_id, gate, start, minutes, count,"
            " opens, closes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    session_id,
                    batch_id,
                    s.gate,
                    s.start,
                    s.minutes,
                    s.count,
                    s.hours.opens if s.hours else None,
                    s.hours.closes if s.hours else None,
                )
                for session_id, s in samples
            ],
        )

    def _refuse_overlap(self, session_id: int, sample: GateCount) -> None:
        start = clock_minutes(sample.start)
        for other in self.session_gate_samples(session_id):
            if other.gate != sample.gate:
                continue
            other_start = clock_minutes(other.start)
            if start < other_start + other.minutes and other_start < start + sample.minutes:
                raise ConflictError(
                    _(
                        "gate {gate} already has a sample from {start} for {minutes} minutes "
                        "(batch {batch}) overlapping this one; void that batch to count again"
                    ).format(
                        gate=other.gate,
                        start=other.start,
                        minutes=other.minutes,
                        batch=other.batch_id,
                    )
                )

    def write_session_hours(
        self, session_id: int, batch_id: int, hours: OpenHours, estimate: Estimate | None
    ) -> int | None:
        """Inside an open batch: set a session's hours; with samples, the new estimate."""
        self.conn.execute(
            "INSERT INTO session_hours (session_id, batch_id, opens, closes) VALUES (?, ?, ?, ?)",
            (session_id, batch_id, hours.opens, hours.closes),
        )
        samples = self.session_gate_samples(session_id)
        if not samples or estimate is None:
            return None
        for sample in samples:
            if sample.hours is None:
                check_count(GateCount(sample.gate, sample.start, sample.minutes, 0), hours)
        return estimate(samples, hours)

    def _refuse_voiding_under_estimate(self, batch_id: int) -> None:
        """A later live batch's estimate counted this batch's samples or hours: voiding
        this one first would leave that figure standing on samples no longer live."""
        row = self.conn.execute(
            "WITH touched AS (SELECT session_id FROM gate_samples WHERE batch_id = ?1"
            "  UNION SELECT session_id FROM session_hours WHERE batch_id = ?1)"
            " SELECT min(x.batch_id) FROM (SELECT session_id, batch_id FROM gate_samples"
            "  UNION ALL SELECT session_id, batch_id FROM session_hours) x"
            " JOIN batches b ON b.id = x.batch_id AND b.voided_at IS NULL"
            " WHERE x.session_id IN touched AND x.batch_id > ?1",
            (batch_id,),
        ).fetchone()
        if row and row[0] is not None:
            raise ConflictError(
                _(
                    "batch {later} estimated visitors from this batch's gate samples or hours; "
                    "void batch {later} first"
                ).format(later=row[0])
            )
