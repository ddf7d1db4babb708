"""Validation of the smaller tables: townships, seasons, stalls and sessions.

A row that matches what the ledger already holds is skipped. A row that differs is a
clash, reported at each differing cell, unless the import runs with ``--replace``: then
the record is updated (stalls, townships, seasons) or corrected by a new revision in the
import's batch (sessions). An empty cell never erases what the ledger holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial

from iddexi.i18n import _
from iddexi.ledger.bulk import reference_batch, session_field_batches
from iddexi.ledger.errors import InputError
from iddexi.ledger.records import Season, Stall
from iddexi.ledger.values import (
    CODE,
    check_not_totals,
    parse_count,
    parse_date,
    parse_date_within,
    parse_temperature,
    refuse_controls,
)
from iddexi.ledger.words import (
    COUNT_METHOD,
    HERDER,
    MARKET_DAY,
    SEASON_KIND,
    TOWNSHIP_KIND,
    Choices,
    key,
)
from iddexi.tally.cells import Context, is_blank, is_totals, problem, reword, text
from iddexi.tally.headers import Recognised
from iddexi.tally.hints import hints_for
from iddexi.tally.sheets import Cell, Sheet


def _choice(table: Choices) -> Callable[[Cell], str]:
    def parse(cell: Cell) -> str:
        found = table.get(key(text(cell.value) or ""))
        if found is None:
            raise InputError(_("is not one of {allowed}").format(allowed=table.allowed))
        return found

    return parse


def _code(example: str, what: str | None = None) -> Callable[[Cell], str]:
    """A code cell; ``what`` names a code that must not read as a totals label (a stall's:
    its lines would be taken for the totals row)."""

    def parse(cell: Cell) -> str:
        code = text(cell.value) or ""
        if not CODE.fullmatch(code):
            raise InputError(
                _("must be letters, digits, '-', '_' or '.', e.g. {example}").format(
                    example=example
                )
            )
        if what is not None:
            check_not_totals(code, what)
        return code

    return parse


def _text(cell: Cell) -> str | None:
    return text(cell.value)


class Fields:
    """One data row's cells by field name; reading a field keeps its problem, if any."""

    def __init__(self, ctx: Context, cells: dict[str, Cell]) -> None:
        self.ctx, self.cells, self.ok = ctx, cells, True

    def get(
        self,
        name: str,
        parse: Callable[[Cell], object] = _text,
        *,
        required: bool = False,
        label: str | None = None,
    ) -> object:
        """The parsed value, or None when the cell is empty, missing or wrong."""
        cell = self.cells.get(name)
        label = label or name.replace("_", " ")
        if cell is None or is_blank(cell.value):
            if required and cell is not None:
                self.fail(cell, _("{label} is empty; it is required").format(label=label))
            return None
        try:
            if type(cell.value) is str:  # every text cell of these tables passes here
                refuse_controls(cell.value.strip(), label, multiline=name == "note")
            return parse(cell)
        except InputError as exc:
            message = reword(exc, label, cell.value)
            if message.startswith(("is ", "must ")):
                message = f"{label} {message}"
            self.fail(cell, message)
            return None

    def fail(self, cell: Cell, message: str) -> None:
        self.ok = False
        self.ctx.problems.append(problem(cell, message))


def _rows(ctx: Context, sheet: Sheet, rec: Recognised) -> Iterator[Fields]:
    first = sheet.headers[0]
    # a totals row is skipped only when it lacks a field every record has: a row that
    # could be a record is checked (and refused at its cell), never dropped unseen
    needed = [rec.columns[r] for r in rec.kind.required if rec.columns.get(r) != first]
    for row in sheet.rows:
        if row.is_blank():
            continue
        if is_totals(row.value(first)) and any(is_blank(row.value(c)) for c in needed):
            continue
        yield Fields(ctx, {name: row.cell(header) for name, header in rec.columns.items()})
    ctx.tick(len(sheet.rows))


def _changes(
    ctx: Context,
    row: Fields,
    what: str,
    old: dict[str, object],
    new: dict[str, object],
    batch: int | None,
    cells: dict[str, str] | None = None,
) -> dict[str, object] | None:
    """What the sheet changes (empty: identical); None when that clashes (problems kept).

    Filling in what the ledger left empty is no clash; changing a value it holds is.
    """
    changed = {k: v for k, v in new.items() if v is not None and v != old.get(k)}
    clashes = [k for k in changed if old.get(k) is not None]
    if clashes and not ctx.replace:
        for name in clashes:
            row.fail(
                row.cells[(cells or {}).get(name, name)],
                _(
                    "{what} is already in the ledger with {field} {old!r} (batch {batch}); import with --replace to change it"
                ).format(
                    what=what, field=name.replace("_", " "), old=_shown(old[name]), batch=batch
                ),
            )
        return None
    return changed


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _first_time(seen: dict[object, int], key: object, row: Fields, field: str, what: str) -> bool:
    cell = row.cells[field]
    if key in seen:
        row.fail(
            cell, _("{what} is already on row {row} of this sheet").format(what=what, row=seen[key])
        )
        return False
    seen[key] = cell.row
    return True


def validate_townships(ctx: Context, sheet: Sheet, rec: Recognised) -> None:
    seen: dict[object, int] = {}
    for row in _rows(ctx, sheet, rec):
        name = row.get("name", required=True, label="township name")
        kind = row.get("kind", _choice(TOWNSHIP_KIND))
        if not row.ok or not _first_time(seen, name, row, "name", f"township {name}"):
            continue
        assert isinstance(name, str)
        if name not in ctx.lookups.townships:
            ctx.plan.townships.append((name, kind))  # type: ignore[arg-type]
            continue
        old = {"kind": ctx.lookups.townships[name]}
        batch = reference_batch(ctx.ledger, "townships", name)
        changed = _changes(ctx, row, f"township {name}", old, {"kind": kind}, batch)
        if changed:
            ctx.plan.township_updates.append((name, kind))  # type: ignore[arg-type]
        elif changed is not None:
            ctx.plan.skipped += 1


def validate_seasons(ctx: Context, sheet: Sheet, rec: Recognised) -> None:
    seen: dict[object, int] = {}
    for row in _rows(ctx, sheet, rec):
        code = row.get("code", _code("2025-26"), required=True, label="season")
        start = row.get("start", lambda c: parse_date(c.value, "start"), required=True)
        end = row.get("end", lambda c: parse_date(c.value, "end"), required=True)
        kind = row.get("kind", _choice(SEASON_KIND))
        planned = row.get("planned", lambda c: _at_least_one(c.value), label="planned sessions")
        day = row.get("market_day", _choice(MARKET_DAY))
        name = row.get("name")
        if row.ok and start > end:  # type: ignore[operator]
            row.fail(
                row.cells["end"], _("season ends before it starts ({start})").format(start=start)
            )
        if not row.ok or not _first_time(seen, code, row, "code", f"season {code}"):
            continue
        new = {
            "name": name,
            "kind": kind,
            "start": start,
            "end": end,
            "planned_sessions": planned,
            "market_day": day,
        }
        old = ctx.lookups.seasons.get(code)  # type: ignore[arg-type]
        if old is None:
            new["kind"], new["market_day"] = kind or "winter", day or "sat"
            ctx.plan.seasons.append(Season(code=code, **new))  # type: ignore[arg-type]
            continue
        batch = reference_batch(ctx.ledger, "seasons", old.code)
        cells = {"planned_sessions": "planned"}
        changed = _changes(ctx, row, f"season {code}", old._asdict(), new, batch, cells)
        if changed is None:
            continue
        if not changed:
            ctx.plan.skipped += 1
            continue
        updated = old._replace(**changed)
        outside = sorted(
            s.date
            for (season, _), s in ctx.lookups.sessions.items()
            if season == old.code and not updated.start <= s.date <= updated.end
        )
        if outside:
            row.fail(
                row.cells["start"],
                _("season {code} has a session on {date}, outside {start} … {end}").format(
                    code=code, date=outside[0], start=updated.start, end=updated.end
                ),
            )
            continue
        ctx.plan.season_updates.append(updated)


def _at_least_one(value: object) -> int:
    number = parse_count(value, "planned sessions")
    if number < 1:
        raise InputError(_("planned sessions {value!r} must be 1 or more").format(value=value))
    return number


def validate_stalls(ctx: Context, sheet: Sheet, rec: Recognised) -> None:
    lookups = ctx.lookups
    seen: dict[object, int] = {}

    def township(cell: Cell) -> str:
        name = text(cell.value) or ""
        if name not in lookups.townships:
            known = ", ".join(sorted(lookups.townships)) or _("none yet")
            raise InputError(
                _("township {name} is not in the ledger{hint} (known: {known})").format(
                    name=name, hint=hints_for(lookups).township(name), known=known
                )
            )
        return name

    def category(cell: Cell) -> str:
        label = text(cell.value) or ""
        found = lookups.categories.get(label.casefold())
        if found is None:
            raise InputError(
                _("category is not known{hint} (known: {known})").format(
                    hint=hints_for(lookups).category(label),
                    known=", ".join(lookups.category_labels),
                )
            )
        return found

    for row in _rows(ctx, sheet, rec):
        code = row.get("code", _code("M01", "stall code"), required=True, label="stall code")
        name = row.get("name", required=True, label="stall name")
        operator = row.get("operator")
        home = row.get("township", township)
        herder = row.get("herder", _choice(HERDER))
        default = row.get("category", category)
        key = code.casefold() if isinstance(code, str) else None
        if not row.ok or not _first_time(seen, key, row, "code", f"stall {code}"):
            continue
        new = {
            "name": name,
            "operator": operator,
            "township": home,
            "herder": None if herder is None else herder == "yes",
            "category": default,
        }
        old = lookups.stalls.get(key)  # type: ignore[arg-type]
        if old is None:
            new["herder"] = bool(new["herder"])
            ctx.plan.stalls.append(Stall(code=code, **new))  # type: ignore[arg-type]
            continue
        batch = reference_batch(ctx.ledger, "stalls", old.code)
        changed = _changes(ctx, row, f"stall {old.code}", old._asdict(), new, batch)
        if changed:
            ctx.plan.stall_updates.append(old._replace(**changed))
        elif changed is not None:
            ctx.plan.skipped += 1


def validate_sessions(
    ctx: Context, sheet: Sheet, rec: Recognised, *, template: bool = False
) -> list[tuple[str, dt.date]]:
    """Check a sessions table (or a template's session sheet).

    Returns the (season, date) of every row whose season and date are right, even if
    another of its cells has a problem: a template's sales sheet belongs to that session.

    A sessions table needs host and visitors on every row; a template's session sheet
    may leave them for later.
    """
    lookups = ctx.lookups
    seen: dict[object, int] = {}
    named: list[tuple[str, dt.date]] = []

    def season(cell: Cell) -> Season:
        code = text(cell.value) or ""
        if code not in lookups.seasons:
            known = ", ".join(lookups.seasons) or _("none yet")
            raise InputError(
                _("season {code} is not in the ledger{hint} (known: {known})").format(
                    code=code, hint=hints_for(lookups).season(code), known=known
                )
            )
        return lookups.seasons[code]

    def host(cell: Cell) -> str:
        name = text(cell.value) or ""
        if name not in lookups.townships:
            known = ", ".join(sorted(lookups.townships)) or _("none yet")
            raise InputError(
                _("host {name} is not a township in the ledger{hint} (known: {known})").format(
                    name=name, hint=hints_for(lookups).township(name), known=known
                )
            )
        return name

    for row in _rows(ctx, sheet, rec):
        of = row.get("season", season, required=True)
        date = row.get(
            "date",
            partial(_session_date, of),
            required=True,
        )
        new = {
            "host": row.get("host", host, required=not template),
            "theme": row.get("theme"),
            "visitors": row.get(
                "visitors", lambda c: parse_count(c.value, "visitors"), required=not template
            ),
            "count_method": row.get(
                "count_method",
                _choice(COUNT_METHOD),
            ),
            "temperature": row.get("temperature", lambda c: parse_temperature(c.value)),
            "note": row.get("note"),
        }
        if isinstance(of, Season) and isinstance(date, dt.date):
            if of.start <= date <= of.end:
                named.append((of.code, date))
            else:
                row.fail(
                    row.cells["date"],
                    _("date is outside season {season} ({start} … {end})").format(
                        season=of.code, start=of.start, end=of.end
                    ),
                )
        if not row.ok or not _first_time(seen, (of, date), row, "date", f"session {date}"):
            continue
        assert isinstance(of, Season) and isinstance(date, dt.date)
        old = lookups.sessions.get((of.code, date.isoformat()))
        if old is None:
            ctx.plan.sessions.append((of.code, date, _stored(new)))
            continue
        batches = session_field_batches(ctx.ledger, old.id)
        what = f"session {old.ref} ({date})"
        changed = _changes_by_field(ctx, row, what, old.values, new, batches)
        if changed is None:
            continue
        # The revision holds every detail the row states, the unchanged ones too, so a
        # later void of the batch that first gave them does not take them away.
        stated = _stored(new)
        if stated:
            ctx.plan.revisions.append((old.id, stated))
            ctx.plan.carried_details += not changed
        else:
            ctx.plan.skipped += 1
    return named


def _session_date(season: object, cell: Cell) -> dt.date:
    """A session's date; ``11月28日`` takes its year from the row's season."""
    if isinstance(season, Season):
        return parse_date_within(cell.value, season.start, season.end, "date")
    return parse_date(cell.value, "date")


def _changes_by_field(
    ctx: Context,
    row: Fields,
    what: str,
    old: dict[str, object],
    new: dict[str, object],
    batches: dict[str, int],
) -> dict[str, object] | None:
    # each field of a session may come from another batch: name the right one
    clashes = False
    changed: dict[str, object] = {}
    for name, value in new.items():
        one = _changes(ctx, row, what, old, {name: value}, batches.get(name))
        if one is None:
            clashes = True
        else:
            changed.update(one)
    return None if clashes else changed


def _stored(fields: dict[str, object]) -> dict[str, object]:
    out = {k: v for k, v in fields.items() if v is not None}
    if "temperature" in out:
        out["temperature"] = str(out["temperature"])
    return out
