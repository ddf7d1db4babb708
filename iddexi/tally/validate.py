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

from decimal import Decimal
from operator import itemgetter

from iddexi.i18n import _
from iddexi.ledger.bulk import LineRow, LiveLine, Lookups, live_lines
from iddexi.ledger.errors import InputError, Problem
from iddexi.ledger.records import Stall
from iddexi.ledger.values import format_yuan, parse_quantity, refuse_controls
from iddexi.tally.cells import (
    Context,
    amount_fen,
    is_blank,
    problem_at,
    reword,
    text,
    total_fen,
    totals_rows,
)
from iddexi.tally.headers import Recognised
from iddexi.tally.hints import hints_for
from iddexi.tally.session_refs import NO_COLUMN, SessionResolver
from iddexi.tally.sheets import Row, Sheet


def control_total(sheet: Sheet, rec: Recognised) -> int | None:
    """The amount of a sales table's totals row, if it has a readable one (checked later)."""
    amount = rec.columns["amount"]
    for row in totals_rows(sheet, rec.columns["stall"]):
        value = row.value(amount)
        try:
            return None if is_blank(value) else total_fen(value)
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
    # rows are read by position; a cell's location is made only for a problem
    at = {key: i for i, key in enumerate(sheet.headers)}
    i_stall, i_amount = at[c_stall], at[c_amount]
    i_category = at[c_category] if c_category else None
    i_season = at[c_season] if c_season else None
    i_session = at[c_session] if c_session else None
    i_quantity = at[c_quantity] if c_quantity else None
    i_unit = at[c_unit] if c_unit else None
    i_note = at[c_note] if c_note else None
    slips = [
        (name, c) for name, c in (("quantity", c_quantity), ("unit", c_unit), ("note", c_note)) if c
    ]
    sessions = SessionResolver(ctx.lookups)
    resolved = sessions.cache
    stall_of = _StallOf(ctx.lookups)
    category_of = _CategoryOf(ctx.lookups)
    seen: dict[tuple[int, str, str], int] = {}
    quantities: dict[str, str] = {}  # quantity as written -> exact decimal text
    lines: list[LineRow] = []
    line_rows: list[Row] = []  # the row of each line, to place a clash with the ledger
    totals_at = {row.number for row in totals_rows(sheet, c_stall)}
    totals: Row | None = None
    sum_fen = 0
    filled = 0  # rows with an amount: a template without any is unfilled
    typed_as_text: list[Row] = []  # amounts a SUM() formula leaves out (xlsx)
    text_fen = 0  # what they add up to
    workbook = sheet.name is not None
    amount_problems = False
    add = problems.append
    remember = seen.setdefault

    def fail(row: Row, key: str, message: str) -> None:
        add(problem_at(row, key, message))

    for index, row in enumerate(sheet.rows, start=1):
        if not index % 2000:
            tick(2000)
        number, values, _positions, _where = row
        code, amount = values[i_stall], values[i_amount]
        if number in totals_at:
            if code is not None and stall_of[code] is not None:
                # a stall recorded before such codes were refused: never skip its line
                fail(
                    row,
                    c_stall,
                    _(
                        "stall {code} reads as the label of a totals row, so this line cannot "
                        "be told from the total; give the stall another code"
                    ).format(code=text(code)),
                )
                continue
            if is_blank(amount):
                continue
            if totals is not None:
                fail(
                    row,
                    c_amount,
                    _("a second totals row (the first is row {row})").format(row=totals.number),
                )
                continue
            totals = row
            continue
        if (code is None or amount is None) and row.is_blank():
            continue
        if template and is_blank(amount):
            # the stall did not report; but a quantity or note without an amount is a slip
            for name, c in slips:
                if not is_blank(row.value(c)):
                    fail(row, c, _("{name} is filled but the amount is empty").format(name=name))
                    break
            continue

        fen: int | None = None
        filled += 1
        try:
            fen = amount_fen(amount)
            sum_fen += fen
            if workbook and type(amount) is str:
                typed_as_text.append(row)
                text_fen += fen
        except InputError as exc:
            if is_blank(amount):
                fail(row, c_amount, _("amount is empty; write 0 for a stall that sold nothing"))
            else:
                fail(row, c_amount, reword(exc, "amount", amount))
            amount_problems = True

        stall = stall_of[code]
        if stall is None:
            fail(row, c_stall, stall_of.why(code))

        label = values[i_category] if i_category is not None else None
        category = category_of[label]  # None for an empty cell too
        if category is None:
            if is_blank(label):
                category = stall.category if stall else None
                if stall and category is None:
                    where = c_category or c_stall
                    fail(
                        row,
                        where,
                        _("category is empty and stall {stall_code} has none").format(
                            stall_code=stall.code
                        ),
                    )
            else:
                fail(row, c_category, category_of.why(label))  # type: ignore[arg-type]

        sid = session_id
        if not template:
            season = values[i_season] if i_season is not None else NO_COLUMN
            found = resolved.get((season, values[i_session]))  # type: ignore[index]
            if found is None:
                found = sessions.resolve(season, values[i_session])  # type: ignore[index]
            sid, error = found
            if error is not None:
                blamed = c_season if error.location == "season" and c_season else c_session
                fail(row, blamed, error.message)  # type: ignore[arg-type]

        quantity = None
        if i_quantity is not None:
            q = values[i_quantity]
            if not is_blank(q):
                shown = text(q)
                quantity = quantities.get(shown)  # type: ignore[arg-type]
                if quantity is None:
                    try:
                        quantity = quantities[shown] = str(parse_quantity(shown))  # type: ignore[index]
                    except InputError as exc:
                        fail(row, c_quantity, reword(exc, "quantity", shown))  # type: ignore[arg-type]
        unit = text(values[i_unit]) if i_unit is not None else None
        note = text(values[i_note]) if i_note is not None else None
        try:  # the cells whose text is stored as it is; the others are looked up
            unit = None if unit is None else refuse_controls(unit, "unit")
        except InputError as exc:
            fail(row, c_unit, str(exc))  # type: ignore[arg-type]
        try:
            note = None if note is None else refuse_controls(note, "note", multiline=True)
        except InputError as exc:
            fail(row, c_note, str(exc))  # type: ignore[arg-type]

        if fen is None or stall is None or category is None or sid is None:
            continue
        key = (sid, stall.code, category)
        earlier = remember(key, number)  # the row that first had this line
        if earlier != number:
            fail(
                row,
                c_stall,
                _(
                    "stall {stall_code} {category} is already on row {earlier} of this sheet for the same session"
                ).format(stall_code=stall.code, category=category, earlier=earlier),
            )
            continue
        if quantity is None and unit is None and note is None:
            lines.append((sid, stall.code, category, fen))
        else:
            lines.append((sid, stall.code, category, fen, quantity, unit, note))
        line_rows.append(row)

    tick(len(sheet.rows) % 2000)
    ctx.categories.update(
        (shown, code)
        for label, code in category_of.items()
        if code is not None and (shown := text(label)) is not None and shown != code
    )
    if template and not filled:
        add(
            Problem(
                sheet.location(),
                _(
                    "no sales lines: every amount is empty; write each stall's takings (0 for "
                    "a stall that sold nothing), then import again"
                ),
            )
        )
    if totals is not None:
        shown = totals.value(c_amount)
        try:
            control = total_fen(shown)
        except InputError as exc:
            fail(totals, c_amount, reword(exc, "amount", shown))
        else:
            if not amount_problems and control != sum_fen:
                fail(
                    totals,
                    c_amount,
                    _(
                        "the totals row says {said} but the lines add up to {added} (a difference of {difference})"
                    ).format(
                        said=format_yuan(control),
                        added=format_yuan(sum_fen),
                        difference=format_yuan(abs(control - sum_fen)),
                    )
                    + (
                        _text_cells_hint(typed_as_text, c_amount)
                        # only when the total is a formula and leaving them out is the
                        # whole difference: otherwise the hint blames the wrong cells
                        if control == sum_fen - text_fen
                        and (totals.number, totals.positions[c_amount] + 1) in sheet.formula_cells
                        else ""
                    ),
                )
    _against_ledger(ctx, lines, line_rows, c_amount)


def _text_cells_hint(rows: list[Row], amount: str) -> str:
    """Amounts typed as text, which a =SUM() in the totals row leaves out."""
    if not rows:
        return ""
    shown = ", ".join(f"row {row.number} ({row.value(amount)})" for row in rows[:5])
    more = "" if len(rows) <= 5 else _(" and {count} more").format(count=len(rows) - 5)
    return _(
        "; the amount is typed as text in {cells}{more}, which a SUM formula leaves out: "
        "type them as numbers"
    ).format(cells=shown, more=more)


class _StallOf(dict[object, "Stall | None"]):
    """Stall cells to stalls, ``stall_of[value]``: each distinct value looked up once, then
    a plain dict read."""

    def __init__(self, lookups: Lookups) -> None:
        super().__init__()
        self.stalls = lookups.stalls
        self.hints = hints_for(lookups)

    def __missing__(self, value: object) -> Stall | None:
        code = text(value)
        found = self[value] = self.stalls.get(code.casefold()) if code else None
        return found

    def why(self, value: object) -> str:
        code = text(value)
        if code is None:
            return _("stall is empty; give the stall code, e.g. M01")
        return _(
            "stall {code} is not in the ledger; import the stall roster first or add it with `iddexi stall add {code} --name …`{hint}"
        ).format(code=code, hint=self.hints.stall(code))


class _CategoryOf(dict[object, "str | None"]):
    """Category cells (code, Chinese or English label, alias) to category codes,
    ``category_of[value]``: each distinct value looked up once, then a plain dict read."""

    def __init__(self, lookups: Lookups) -> None:
        super().__init__()
        self.lookups = lookups

    def __missing__(self, value: object) -> str | None:
        label = text(value)
        found = self[value] = self.lookups.categories.get(label.casefold()) if label else None
        return found

    def why(self, value: object) -> str:
        known = ", ".join(f"{c} ({zh})" for c, (zh, _en) in self.lookups.category_labels.items())
        hint = hints_for(self.lookups).category(text(value) or "")
        return _("category is not known{hint} (known: {known})").format(hint=hint, known=known)


def _against_ledger(ctx: Context, lines: list[LineRow], rows: list[Row], amount: str) -> None:
    """Lines already recorded: identical ones move into this batch, others clash unless
    ``replace``; either way the new batch supersedes the old line.

    ``rows[i]`` is the row of ``lines[i]``; a clash is placed at its ``amount`` cell.
    """
    plan, problems, replace = ctx.plan, ctx.problems, ctx.replace
    session_ids = set(map(itemgetter(0), lines))
    live = live_lines(ctx.ledger, session_ids) if session_ids else {}
    if not live:
        plan.lines.extend(lines)
        return
    refs = {s.id: s.ref for s in ctx.lookups.sessions.values()}
    for line, row in zip(lines, rows, strict=True):
        sid, stall, category, fen = line[:4]
        quantity, unit, note = line[4:] or (None, None, None)
        old = live.get((sid, stall, category))
        if old is None:
            plan.lines.append(line)
            continue
        if old.batch_id == ctx.batch_id:  # written by an earlier sheet of this workbook
            problems.append(
                problem_at(
                    row,
                    amount,
                    _(
                        "{session} stall {stall} {category} is already on another sheet of this file"
                    ).format(session=refs.get(sid, sid), stall=stall, category=category),
                )
            )
            continue
        differences = _differences(old, fen, quantity, unit, note)
        if not differences:
            plan.voids.append(old.sale_id)
            plan.lines.append(line)
            plan.carried_lines += 1
        elif replace:
            plan.voids.append(old.sale_id)
            plan.lines.append(line)
        else:
            problems.append(
                problem_at(
                    row,
                    amount,
                    _(
                        "{session} stall {stall} {category} is already recorded as {amount} (batch {batch})"
                    ).format(
                        session=refs.get(sid, sid),
                        stall=stall,
                        category=category,
                        amount=format_yuan(old.amount_fen),
                        batch=old.batch_id,
                    )
                    + (f" with a different {differences}" if differences else "")
                    + _("; import with --replace to supersede it"),
                )
            )


def _differences(old: LiveLine, fen: int, quantity: object, unit: object, note: object) -> str:
    """What a line changes, the amount first: "amount ¥12.00 → ¥13.00, quantity 3 → 4"."""
    amount = (
        [
            _("amount {before} → {after}").format(
                before=format_yuan(old.amount_fen), after=format_yuan(fen)
            )
        ]
        if fen != old.amount_fen
        else []
    )
    pairs = (
        ("quantity", old.quantity, None if quantity is None else Decimal(quantity)),
        ("unit", old.unit, unit),
        ("note", old.note, note),
    )
    return ", ".join(
        amount
        + [
            f"{what} {_shown(before)} → {_shown(after)}"
            for what, before, after in pairs
            if before != after
        ]
    )


def _shown(value: object) -> str:
    return "(empty)" if value is None else str(value)
