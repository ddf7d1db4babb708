"""A sheet of timed gate counts (场次, 入口, 开始, 分钟, 人数[, 开放时间]) into gate samples.

Each row is checked as `iddexi session count` checks one sample, at its own cells; then
each session's visitors are estimated from its live samples and the sheet's, and written
as a revision (count method ``sample``) in the import's batch.
"""

from __future__ import annotations

import datetime as dt

from iddexi.analysis.visitors import estimated_visitors
from iddexi.i18n import _
from iddexi.ledger.errors import InputError
from iddexi.ledger.gates import (
    GateCount,
    GateSample,
    OpenHours,
    check_count,
    clock_minutes,
    parse_clock,
    parse_hours,
)
from iddexi.ledger.values import parse_count
from iddexi.tally.cells import Context, problem, text
from iddexi.tally.headers import Recognised
from iddexi.tally.rosters import Fields, _rows
from iddexi.tally.session_refs import NO_COLUMN, SessionResolver
from iddexi.tally.sources import Sheet


def _clock(cell_value: object) -> str:
    if isinstance(cell_value, dt.time):  # a time typed into a workbook cell
        return f"{cell_value.hour:02d}:{cell_value.minute:02d}"
    if isinstance(cell_value, float) and 0 <= cell_value < 1:  # Excel's fraction of a day
        minutes = round(cell_value * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return parse_clock(cell_value, "from")


def validate_gate_samples(ctx: Context, sheet: Sheet, rec: Recognised) -> None:
    resolver = SessionResolver(ctx.lookups)
    by_session: dict[int, list[GateSample]] = {}
    hours_of: dict[int, OpenHours] = {}
    gate_hours: dict[tuple[int, str], OpenHours] = {}
    for row in _rows(ctx, sheet, rec):
        session_id = _session(ctx, row, resolver)
        gate = row.get("gate", required=True)
        start = row.get("start", lambda c: _clock(c.value), required=True)
        minutes = row.get("minutes", lambda c: parse_count(c.value, "minutes"), required=True)
        count = row.get("count", lambda c: parse_count(c.value, "count"), required=True)
        hours = row.get("hours", lambda c: parse_hours(c.value, "hours"))
        if not row.ok or session_id is None:
            continue
        assert isinstance(gate, str) and isinstance(start, str)
        assert isinstance(minutes, int) and isinstance(count, int)
        sample = GateCount(gate, start, minutes, count, hours if hours else None)  # type: ignore[arg-type]
        if session_id not in by_session:
            by_session[session_id] = ctx.ledger.session_gate_samples(session_id)
            hours_of[session_id] = ctx.ledger.session_hours(session_id)
            for earlier in by_session[session_id]:
                if earlier.hours:
                    gate_hours[session_id, earlier.gate] = earlier.hours
        if sample.hours:
            gate_hours[session_id, gate] = sample.hours
        try:
            check_count(sample, gate_hours.get((session_id, gate), hours_of[session_id]))
        except InputError as exc:
            row.fail(row.cells["start"], str(exc))
            continue
        clash = _overlap(by_session[session_id], sample)
        if clash is not None:
            where = f"batch {clash.batch_id}" if clash.batch_id else _("an earlier row")
            row.fail(
                row.cells["start"],
                _(
                    "gate {gate} already has a sample from {start} for {minutes} minutes "
                    "({where}) overlapping this one"
                ).format(gate=gate, start=clash.start, minutes=clash.minutes, where=where),
            )
            continue
        ref = by_session[session_id][0].session if by_session[session_id] else ""
        by_session[session_id].append(
            GateSample(
                10**12 + len(ctx.plan.gate_samples),  # after every stored sample, in row order
                0,
                session_id,
                ref,
                dt.date.min,
                gate,
                start,
                minutes,
                count,
                sample.hours,
            )
        )
        ctx.plan.gate_samples.append((session_id, sample))
    for session_id in dict.fromkeys(sid for sid, _sample in ctx.plan.gate_samples):
        visitors = estimated_visitors(by_session[session_id], hours_of[session_id])
        ctx.plan.revisions.append((session_id, {"visitors": visitors, "count_method": "sample"}))


def _session(ctx: Context, row: Fields, resolver: SessionResolver) -> int | None:
    cells = row.cells
    if cells.get("session") is None or text(cells["session"].value) is None:
        if cells.get("session") is not None:
            row.fail(cells["session"], _("session is empty; give SEASON:N or its date"))
        return None
    season = cells["season"].value if "season" in cells else NO_COLUMN
    found, trouble = resolver.resolve(season, cells["session"].value)
    if trouble is not None:
        blamed = cells.get(trouble.location) or cells["session"]
        row.ok = False
        ctx.problems.append(problem(blamed, trouble.message))
        return None
    return found


def _overlap(samples: list[GateSample], sample: GateCount) -> GateSample | None:
    start = clock_minutes(sample.start)
    for other in samples:
        other_start = clock_minutes(other.start)
        if (
            other.gate == sample.gate
            and start < other_start + other.minutes
            and other_start < start + sample.minutes
        ):
            return other
    return None
