"""Cells into a validated plan: every cell checked, every problem kept with its location.

Validation never stops at the first problem: a file with five mistakes gets five
:class:`Problem` lines, each naming the cell a person has to fix. What passes goes into
a :class:`~iddexi.ledger.bulk.Plan` that the importer writes; a file with any problem is
refused whole.

Sales tables are the big ones (a season's tally can hold 100,000 lines), so the loop here
resolves stalls, categories and sessions through dictionaries loaded once, caches
repeated values, and builds nothing per row beyond the line it will write.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from iddexi.ledger.bulk import LineRow, Lookups, live_lines
from iddexi.ledger.errors import InputError, Problem
from iddexi.ledger.records import Stall
from iddexi.ledger.sessions import split_session_ref
from iddexi.ledger.values import format_yuan, parse_date, parse_quantity
from iddexi.tally.cells import (
    Context,
    amount_fen,
    is_blank,
    is_totals_row,
    problem,
    reword,
    text,
    total_fen,
)
from iddexi.tally.headers import Recognised
from iddexi.tally.sources import Cell, Sheet


class SessionResolver:
    """(season, session) cells to a session id, with each distinct pair resolved once."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.cache: dict[tuple[object, object], tuple[int, None] | tuple[None, Problem]] = {}

    def resolve(self, season_cell: Cell | None, session_cell: Cell) -> int | Problem:
        key = (season_cell.value if season_cell else None, session_cell.value)
        found = self.cache.get(key)
        if found is None:
            found = self._resolve(season_cell, session_cell)
            self.cache[key] = found
        return self.answer(found, season_cell, session_cell)

    def answer(self, found: tuple, season_cell: Cell | None, session_cell: Cell) -> int | Problem:
        sid, error = found
        if error is None:
            return sid  # type: ignore[return-value]
        # the same mistake repeated on many rows is reported at each of them
        cell = season_cell if error.location == "season" and season_cell else session_cell
        return problem(cell, error.message)  # type: ignore[arg-type]

    def _resolve(
        self, season_cell: Cell | None, session_cell: Cell
    ) -> tuple[int, None] | tuple[None, Problem]:
        def fail(where: str, message: str) -> tuple[None, Problem]:
            return None, Problem(where, message)

        lk = self.lookups
        which = session_cell.value
        season_code = text(season_cell.value) if season_cell else None
        shown = text(which)
        if shown and ":" in shown and not isinstance(which, dt.date):
            try:
                season_code, shown = split_session_ref(shown)
            except InputError as exc:
                return fail("session", str(exc))
            which = shown
        if shown is None:
            return fail("session", "session is empty; give its number or date")
        number = _session_number(which)
        if not season_code:
            if number is not None or season_cell is not None:
                return fail("season", "season is empty; give its code, e.g. 2025-26")
            return self._by_date_alone(which)
        season = lk.seasons.get(season_code)
        if season is None:
            known = ", ".join(lk.seasons) or "none yet"
            return fail("season", f"season {season_code} is not in the ledger (known: {known})")
        if number is not None:
            row = lk.by_number.get((season.code, number))
            if row is None:
                count = sum(1 for s, _ in lk.by_number if s == season.code)
                return fail(
                    "session", f"season {season.code} has no session {number} (it has {count})"
                )
            return row.id, None
        try:
            date = parse_date(which, "session")
        except InputError as exc:
            return fail("session", reword(exc, "session", which) + " or a session number")
        if not season.start <= date <= season.end:
            return fail(
                "session",
                f"{date} is outside season {season.code} ({season.start} … {season.end})",
            )
        row = lk.sessions.get((season.code, date.isoformat()))
        if row is None:
            return fail(
                "session",
                f"season {season.code} has no session on {date}; import the sessions table "
                f"first or add it with `iddexi session add {season.code} {date}`",
            )
        return row.id, None

    def _by_date_alone(self, which: object) -> tuple[int, None] | tuple[None, Problem]:
        """A table without a season column: the date names the session in any season."""
        try:
            date = parse_date(which, "session")
        except InputError as exc:
            message = reword(exc, "session", which) + "; without a season column give dates"
            return None, Problem("session", message)
        day = date.isoformat()
        found = [s for (_, d), s in self.lookups.sessions.items() if d == day]
        if len(found) == 1:
            return found[0].id, None
        if found:
            seasons = ", ".join(s.season for s in found)
            message = f"{date} is a session of seasons {seasons}; add a season column"
        else:
            message = (
                f"no season has a session on {date}; import the sessions table first or add "
                "it with `iddexi session add`"
            )
        return None, Problem("session", message)


def _session_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value):
        return int(value)
    return None


def control_total(sheet: Sheet, rec: Recognised) -> int | None:
    """The amount of a sales table's totals row, if it has a readable one (checked later)."""
    first, stall, amount = sheet.headers[0], rec.columns["stall"], rec.columns["amount"]
    for row in sheet.rows:
        cells = row.cells
        if is_totals_row(cells, cells[first].value, cells[stall].value):
            try:
                return None if is_blank(cells[amount].value) else total_fen(cells[amount].value)
            except InputError:
                return None
    return None


def validate_sales(
    ctx: Context,
    sheet: Sheet,
    rec: Recognised,
    *,
    session_id: int | None = None,
    template: bool = False,
) -> None:
    """Check a sales table, or a template's sales sheet whose session is ``session_id``.

    In a template ``session_id`` None means the session sheet had problems: the lines are
    still checked, cell by cell, but not against the ledger.
    """
    problems, tick = ctx.problems, ctx.tick
    col = rec.columns
    c_season, c_session = col.get("season"), col.get("session")
    c_stall, c_category, c_amount = col["stall"], col.get("category"), col["amount"]
    c_quantity, c_unit, c_note = col.get("quantity"), col.get("unit"), col.get("note")
    first_header = sheet.headers[0]
    sessions = SessionResolver(ctx.lookups)
    resolved = sessions.cache
    stall_of = _StallOf(ctx.lookups)
    category_of = _CategoryOf(ctx.lookups)
    seen: dict[tuple[int, str, str], int] = {}
    staged: list[tuple[LineRow, Cell]] = []
    totals: Cell | None = None
    sum_fen = 0
    amount_problems = False
    add = problems.append

    for index, row in enumerate(sheet.rows, start=1):
        if not index % 2000:
            tick(2000)
        cells = row.cells
        stall_cell = cells[c_stall]
        amount_cell = cells[c_amount]
        code, amount = stall_cell.value, amount_cell.value
        if is_totals_row(cells, cells[first_header].value, code):
            if is_blank(amount):
                continue
            if totals is not None:
                add(problem(amount_cell, f"a second totals row (the first is row {totals.row})"))
                continue
            totals = amount_cell
            continue
        if (code is None or amount is None) and row.is_blank():
            continue
        if template and is_blank(amount):
            # the stall did not report; but a quantity or note without an amount is a slip
            for name, c in (("quantity", c_quantity), ("unit", c_unit), ("note", c_note)):
                if c and not is_blank(cells[c].value):
                    add(problem(cells[c], f"{name} is filled but the amount is empty"))
                    break
            continue

        fen: int | None = None
        if amount is None or (type(amount) is str and not amount.strip()):
            add(problem(amount_cell, "amount is empty; write 0 for a stall that sold nothing"))
            amount_problems = True
        else:
            try:
                fen = amount_fen(amount)
                sum_fen += fen
            except InputError as exc:
                add(problem(amount_cell, reword(exc, "amount", amount)))
                amount_problems = True

        stall = stall_of.get(code)
        if stall is None:
            add(problem(stall_cell, stall_of.why(code)))

        category_cell = cells[c_category] if c_category else None
        label = category_cell.value if category_cell else None
        if label is None or (type(label) is str and not label.strip()):
            category = stall.category if stall else None
            if stall and category is None:
                where = category_cell or stall_cell
                add(problem(where, f"category is empty and stall {stall.code} has none"))
        else:
            category = category_of.get(label)
            if category is None:
                add(problem(category_cell, category_of.why()))  # type: ignore[arg-type]

        sid = session_id
        if not template:
            season_cell = cells[c_season] if c_season else None
            session_cell = cells[c_session]  # type: ignore[index]
            found = resolved.get((season_cell and season_cell.value, session_cell.value))
            if found is None or found[0] is None:
                answer = sessions.resolve(season_cell, session_cell)
                if type(answer) is int:
                    sid = answer
                else:
                    add(answer)  # type: ignore[arg-type]
                    sid = None
            else:
                sid = found[0]

        quantity = None
        if c_quantity:
            q_cell = cells[c_quantity]
            if not is_blank(q_cell.value):
                try:
                    quantity = str(parse_quantity(text(q_cell.value)))
                except InputError as exc:
                    add(problem(q_cell, reword(exc, "quantity", text(q_cell.value))))
        unit = text(cells[c_unit].value) if c_unit else None
        note = text(cells[c_note].value) if c_note else None

        if fen is None or stall is None or category is None or sid is None:
            continue
        key = (sid, stall.code, category)
        earlier = seen.get(key)
        if earlier is not None:
            add(
                problem(
                    stall_cell,
                    f"stall {stall.code} {category} is already on row {earlier} of this sheet "
                    "for the same session",
                )
            )
            continue
        seen[key] = row.number
        if quantity is None and unit is None and note is None:
            staged.append(((sid, stall.code, category, fen), amount_cell))
        else:
            staged.append(((sid, stall.code, category, fen, quantity, unit, note), amount_cell))

    tick(len(sheet.rows) % 2000)
    if totals is not None:
        try:
            control = total_fen(totals.value)
        except InputError as exc:
            add(problem(totals, reword(exc, "amount", totals.value)))
        else:
            if not amount_problems and control != sum_fen:
                add(
                    problem(
                        totals,
                        f"the totals row says {format_yuan(control)} but the lines add up to "
                        f"{format_yuan(sum_fen)} (a difference of "
                        f"{format_yuan(abs(control - sum_fen))})",
                    )
                )
    _against_ledger(ctx, staged)


class _StallOf:
    """Stall cells to stalls, each distinct value looked up once."""

    def __init__(self, lookups: Lookups) -> None:
        self.stalls = lookups.stalls
        self.cache: dict[object, Stall | None] = {}

    def get(self, value: object) -> Stall | None:
        try:
            return self.cache[value]
        except KeyError:
            code = text(value)
            found = self.stalls.get(code.casefold()) if code else None
            self.cache[value] = found
            return found

    def why(self, value: object) -> str:
        code = text(value)
        if code is None:
            return "stall is empty; give the stall code, e.g. M01"
        return (
            f"stall {code} is not in the ledger; import the stall roster first "
            f"or add it with `iddexi stall add {code} --name …`"
        )


class _CategoryOf:
    """Category cells (code, Chinese or English label, alias) to category codes."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.cache: dict[object, str | None] = {}

    def get(self, value: object) -> str | None:
        try:
            return self.cache[value]
        except KeyError:
            label = text(value)
            found = self.lookups.categories.get(label.casefold()) if label else None
            self.cache[value] = found
            return found

    def why(self) -> str:
        known = ", ".join(f"{c} ({zh})" for c, (zh, _) in self.lookups.category_labels.items())
        return f"category is not known (known: {known})"


def _against_ledger(ctx: Context, staged: list[tuple[LineRow, Cell]]) -> None:
    """Lines already recorded: identical ones are skipped, others clash unless ``replace``."""
    plan, problems, replace = ctx.plan, ctx.problems, ctx.replace
    session_ids = {line[0] for line, _ in staged}
    live = live_lines(ctx.ledger, session_ids) if session_ids else {}
    if not live:
        plan.lines.extend(line for line, _ in staged)
        return
    refs = {s.id: s.ref for s in ctx.lookups.sessions.values()}
    for line, amount_cell in staged:
        sid, stall, category, fen = line[:4]
        quantity, unit, note = line[4:] or (None, None, None)
        old = live.get((sid, stall, category))
        if old is None:
            plan.lines.append(line)
        elif (old.amount_fen, old.unit, old.note) == (fen, unit, note) and old.quantity == (
            None if quantity is None else Decimal(quantity)
        ):
            plan.skipped += 1
        elif replace:
            plan.voids.append(old.sale_id)
            plan.lines.append(line)
        else:
            problems.append(
                problem(
                    amount_cell,
                    f"{refs.get(sid, sid)} stall {stall} {category} is already recorded as "
                    f"{format_yuan(old.amount_fen)} (batch {old.batch_id}); "
                    "import with --replace to supersede it",
                )
            )
