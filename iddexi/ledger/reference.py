"""Reference data: seasons, townships, categories and stalls."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError, NotFoundError
from iddexi.ledger.records import (
    Category,
    Season,
    Stall,
    Township,
)
from iddexi.ledger.stored import stored_date
from iddexi.ledger.values import CODE, check_not_totals, clean_text
from iddexi.ledger.words import MARKET_DAY, SEASON_KIND, TOWNSHIP_KIND, pick

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

_CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    return clean_text(value, what, required=required)


def overlapping_seasons(
    conn: sqlite3.Connection, codes: list[str] | None = None
) -> list[tuple[str, str, str, str, str, str, str]]:
    """Pairs of current seasons of the same kind whose dates overlap (a session in both
    would be counted twice by a year report), as (code, start, end, other, start, end,
    kind); only pairs with one of ``codes`` when given."""
    rows = conn.execute(
        "SELECT a.code, a.start_date, a.end_date, b.code, b.start_date, b.end_date, a.kind"
        " FROM current_seasons a JOIN current_seasons b ON a.kind = b.kind"
        " AND a.code < b.code AND a.start_date <= b.end_date AND b.start_date <= a.end_date"
        " ORDER BY a.start_date, a.code, b.code"
    ).fetchall()
    if codes is None:
        return rows
    return [r for r in rows if r[0] in codes or r[3] in codes]


def refuse_overlapping_seasons(conn: sqlite3.Connection, codes: list[str]) -> None:
    """Refuse (inside the write's transaction) a season overlapping one of the same kind."""
    clash = overlapping_seasons(conn, codes)
    if clash:
        code, start, end, other, other_start, other_end, kind = clash[0]
        if code not in codes:
            code, start, end, other, other_start, other_end = (
                other, other_start, other_end, code, start, end
            )  # fmt: skip
        raise ConflictError(
            _(
                "season {code} ({start} … {end}) would overlap {kind} season {other} "
                "({other_start} … {other_end}): its sessions would be counted twice; "
                "change the dates or the kind"
            ).format(
                code=code,
                start=start,
                end=end,
                kind=kind,
                other=other,
                other_start=other_start,
                other_end=other_end,
            )
        )


class ReferenceMixin:
    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def batch(self, kind: str, source: str, **kw: object) -> AbstractContextManager[int]: ...

    # --- seasons -------------------------------------------------------------------
    def add_season(
        self,
        code: str,
        start: dt.date,
        end: dt.date,
        *,
        name: str | None = None,
        kind: str = "winter",
        planned: int | None = None,
        market_day: str | None = "sat",
        source: str = "season add",
    ) -> Season:
        code = code.strip()
        if not CODE.fullmatch(code):
            raise InputError(
                _(
                    "season code {code!r} must be letters, digits, '-', '_' or '.', e.g. 2025-26"
                ).format(code=code)
            )
        kind = pick(SEASON_KIND, kind, "season kind") or "winter"
        market_day = pick(MARKET_DAY, market_day, "market day")
        if start > end:
            raise InputError(
                _("season {code} starts {start} after it ends {end}").format(
                    code=code, start=start, end=end
                )
            )
        if planned is not None and planned < 1:
            raise InputError(
                _("planned sessions {planned} must be 1 or more").format(planned=planned)
            )
        with self.batch("setup", source) as batch_id:
            if self._season_row(code):
                raise ConflictError(_("season {code} already exists").format(code=code))
            self.conn.execute(
                "INSERT INTO seasons (code, name, kind, start_date, end_date, planned_sessions,"
                " market_day, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code,
                    _text(name, "name"),
                    kind,
                    start.isoformat(),
                    end.isoformat(),
                    planned,
                    market_day,
                    batch_id,
                ),
            )
            refuse_overlapping_seasons(self.conn, [code])
        return self.season(code)

    def _season_row(self, code: str) -> tuple | None:
        return self.conn.execute(
            "SELECT code, name, kind, start_date, end_date, planned_sessions, market_day"
            " FROM current_seasons WHERE code = ?",
            (code,),
        ).fetchone()

    @staticmethod
    def _season_from_row(row: tuple) -> Season:
        code, name, kind, start, end, planned, market_day = row
        return Season(
            code,
            name,
            kind,
            stored_date(start, f"season {code}'s start date"),
            stored_date(end, f"season {code}'s end date"),
            planned,
            market_day,
        )

    def season(self, code: str) -> Season:
        row = self._season_row(code.strip())
        if row is None:
            from iddexi.ledger.suggest import did_you_mean

            codes = [s.code for s in self.seasons()]
            hint = did_you_mean(code, {s.code: (s.code, s.name or "") for s in self.seasons()})
            known = ", ".join(codes) or _("none yet")
            raise NotFoundError(
                _("season {code} is not in the ledger{hint} (known: {known})").format(
                    code=repr(code), hint=hint, known=known
                )
            )
        return self._season_from_row(row)

    def seasons(self) -> list[Season]:
        rows = self.conn.execute(
            "SELECT code, name, kind, start_date, end_date, planned_sessions, market_day"
            " FROM current_seasons ORDER BY start_date, code"
        ).fetchall()
        return [self._season_from_row(r) for r in rows]

    def previous_season(self, code: str) -> Season | None:
        """The latest season of the same kind that started before this one."""
        this = self.season(code)
        row = self.conn.execute(
            "SELECT code, name, kind, start_date, end_date, planned_sessions, market_day"
            " FROM current_seasons WHERE kind = ? AND start_date < ? ORDER BY start_date DESC LIMIT 1",
            (this.kind, this.start.isoformat()),
        ).fetchone()
        return self._season_from_row(row) if row else None

    # --- townships -----------------------------------------------------------------
    def add_township(
        self, name: str, kind: str | None = None, *, source: str = "township add"
    ) -> Township:
        name = _text(name, "township name", required=True) or ""
        kind = pick(TOWNSHIP_KIND, kind, "township kind")
        with self.batch("setup", source) as batch_id:
            if self.conn.execute("SELECT 1 FROM townships WHERE name = ?", (name,)).fetchone():
                raise ConflictError(_("township {name} already exists").format(name=name))
            self.conn.execute(
                "INSERT INTO townships (name, kind, batch_id) VALUES (?, ?, ?)",
                (name, kind, batch_id),
            )
        return Township(name, kind)

    def townships(self) -> list[Township]:
        rows = self.conn.execute(
            "SELECT name, kind FROM current_townships ORDER BY name"
        ).fetchall()
        return [Township(*r) for r in rows]

    def require_township(self, name: str) -> str:
        name = name.strip()
        if self.conn.execute("SELECT 1 FROM townships WHERE name = ?", (name,)).fetchone():
            return name
        from iddexi.ledger.suggest import did_you_mean

        names = [t.name for t in self.townships()]
        known = ", ".join(names) or _("none yet; add one with `iddexi township add`")
        raise NotFoundError(
            _("township {name} is not in the ledger{hint} (known: {known})").format(
                name=repr(name), hint=did_you_mean(name, names), known=known
            )
        )

    # --- categories ----------------------------------------------------------------
    def categories(self) -> list[Category]:
        aliases: dict[str, list[str]] = {}
        for alias, code in self.conn.execute(
            "SELECT alias, category FROM category_aliases ORDER BY rowid"
        ):
            aliases.setdefault(code, []).append(alias)
        rows = self.conn.execute(
            "SELECT code, label_zh, label_en FROM categories ORDER BY position, code"
        ).fetchall()
        return [Category(code, zh, en, tuple(aliases.get(code, []))) for code, zh, en in rows]

    def resolve_category(self, text: str) -> str:
        """A category code from its code, Chinese or English label, or an alias."""
        key = text.strip()
        row = self.conn.execute(
            "SELECT code FROM categories WHERE code = ? COLLATE NOCASE OR label_zh = ?"
            " OR label_en = ? COLLATE NOCASE"
            " UNION ALL SELECT category FROM category_aliases WHERE alias = ? LIMIT 1",
            (key, key, key, key),
        ).fetchone()
        if row:
            return row[0]
        from iddexi.ledger.suggest import did_you_mean

        categories = self.categories()
        known = ", ".join(f"{c.code} ({c.label_zh})" for c in categories)
        hint = did_you_mean(
            text,
            {
                f"{c.code} ({c.label_zh})": (c.code, c.label_zh, c.label_en, *c.aliases)
                for c in categories
            },
        )
        raise NotFoundError(
            _("category {text} is not known{hint} (known: {known})").format(
                text=repr(text), hint=hint, known=known
            )
        )

    def add_category(
        self,
        code: str,
        label_zh: str,
        label_en: str,
        aliases: list[str] | tuple[str, ...] = (),
        *,
        source: str = "category add",
    ) -> Category:
        code = code.strip()
        if not _CATEGORY_CODE.fullmatch(code):
            raise InputError(
                _("category code {code!r} must be lower-case letters, digits or '_'").format(
                    code=code
                )
            )
        label_zh = _text(label_zh, "Chinese label", required=True) or ""
        label_en = _text(label_en, "English label", required=True) or ""
        unique_aliases: dict[str, str] = {}
        for alias in (clean_text(a, "alias") or "" for a in aliases):
            # aliases are matched without regard to case, so "Yu" and "yu" are one alias
            if alias.casefold() in unique_aliases:
                raise InputError(_("alias {alias!r} is given twice").format(alias=alias))
            unique_aliases[alias.casefold()] = alias
        names = [code, label_zh, label_en, *unique_aliases.values()]
        if any(not n for n in names):
            raise InputError(_("a category alias is empty"))
        with self.batch("setup", source) as batch_id:
            for name in names:
                try:
                    taken = self.resolve_category(name)
                except NotFoundError:
                    continue
                raise ConflictError(
                    _("{name!r} already names category {taken}").format(name=name, taken=taken)
                )
            position = self.conn.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM categories"
            ).fetchone()[0]
            self.conn.execute(
                "INSERT INTO categories (code, label_zh, label_en, position, batch_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (code, label_zh, label_en, position, batch_id),
            )
            self.conn.executemany(
                "INSERT INTO category_aliases (alias, category) VALUES (?, ?)",
                [(alias, code) for alias in unique_aliases.values()],
            )
        return Category(code, label_zh, label_en, tuple(unique_aliases.values()))

    # --- stalls --------------------------------------------------------------------
    def add_stall(
        self,
        code: str,
        name: str,
        *,
        category: str | None = None,
        operator: str | None = None,
        township: str | None = None,
        herder: bool = False,
        source: str = "stall add",
    ) -> Stall:
        code = code.strip()
        if not CODE.fullmatch(code):
            raise InputError(
                _("stall code {code!r} must be letters, digits, '-', '_' or '.', e.g. M01").format(
                    code=code
                )
            )
        check_not_totals(code, "stall code")
        name = _text(name, "stall name", required=True) or ""
        category_code = self.resolve_category(category) if category else None
        township_name = self.require_township(township) if township else None
        with self.batch("setup", source) as batch_id:
            # codes are looked up without regard to case, so M01 and m01 are one stall
            existing = self.conn.execute(
                "SELECT code FROM stalls WHERE code = ? COLLATE NOCASE", (code,)
            ).fetchone()
            if existing:
                same = (
                    ""
                    if existing[0] == code
                    else _(" (as {code}: codes ignore case)").format(code=existing[0])
                )
                raise ConflictError(
                    _(
                        "stall {code} already exists{same}; correct it with "
                        "`iddexi stall edit {existing}` or by importing the roster with --replace"
                    ).format(code=code, same=same, existing=existing[0])
                )
            self.conn.execute(
                "INSERT INTO stalls (code, name, operator, township, herder, category, batch_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    code,
                    name,
                    _text(operator, "operator"),
                    township_name,
                    int(herder),
                    category_code,
                    batch_id,
                ),
            )
        return Stall(code, name, _text(operator, "operator"), township_name, herder, category_code)

    def stalls(self) -> list[Stall]:
        rows = self.conn.execute(
            "SELECT code, name, operator, township, herder, category FROM current_stalls"
            " ORDER BY code"
        ).fetchall()
        return [Stall(c, n, o, t, bool(h), cat) for c, n, o, t, h, cat in rows]

    def _stall_by_name(self, name: str) -> tuple | None:
        """The stall whose name is exactly ``name`` (people type the name on the slip);
        a name two stalls share is refused, naming their codes."""
        rows = self.conn.execute(
            "SELECT code, name, operator, township, herder, category FROM current_stalls"
            " WHERE name = ? ORDER BY code",
            (name.strip(),),
        ).fetchall()
        if len(rows) > 1:
            raise InputError(
                _("{count} stalls are named {name}: {codes}; give the stall's code").format(
                    count=len(rows), name=name.strip(), codes=", ".join(r[0] for r in rows)
                )
            )
        return rows[0] if rows else None

    def stall(self, code: str, *, by_name: bool = False) -> Stall:
        """The stall with this code; with ``by_name``, also one whose exact name it is
        (commands people type; not the web pages, whose address names the code)."""
        row = self.conn.execute(
            "SELECT code, name, operator, township, herder, category FROM current_stalls"
            " WHERE code = ? COLLATE NOCASE",
            (code.strip(),),
        ).fetchone()
        if row is None and by_name:
            row = self._stall_by_name(code)
        if row is None:
            from iddexi.ledger.suggest import did_you_mean

            hint = did_you_mean(
                code, {f"{s.name} {s.code}": (s.code, s.name) for s in self.stalls()}
            )
            if hint:
                raise NotFoundError(
                    _("stall {code} is not in the ledger{hint}").format(code=repr(code), hint=hint)
                )
            raise NotFoundError(
                _(
                    "stall {code} is not in the ledger; add it with `iddexi stall add {code_} --name …`"
                ).format(code=repr(code), code_=code)
            )
        c, n, o, t, h, cat = row
        return Stall(c, n, o, t, bool(h), cat)
