"""Reference data: seasons, townships, categories and stalls."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import TYPE_CHECKING

from iddexi.ledger.errors import ConflictError, InputError, NotFoundError
from iddexi.ledger.records import (
    Category,
    Season,
    Stall,
    Township,
)
from iddexi.ledger.stored import stored_date
from iddexi.ledger.values import CODE
from iddexi.ledger.words import MARKET_DAY, SEASON_KIND, TOWNSHIP_KIND, pick

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

_CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    text = value.strip() if value is not None else None
    if required and not text:
        raise InputError(f"{what} is empty; it is required")
    return text or None


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
                f"season code {code!r} must be letters, digits, '-', '_' or '.', e.g. 2025-26"
            )
        kind = pick(SEASON_KIND, kind, "season kind") or "winter"
        market_day = pick(MARKET_DAY, market_day, "market day")
        if start > end:
            raise InputError(f"season {code} starts {start} after it ends {end}")
        if planned is not None and planned < 1:
            raise InputError(f"planned sessions {planned} must be 1 or more")
        with self.batch("setup", source) as batch_id:
            if self._season_row(code):
                raise ConflictError(f"season {code} already exists")
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
        return self.season(code)

    def _season_row(self, code: str) -> tuple | None:
        return self.conn.execute(
            "SELECT code, name, kind, start_date, end_date, planned_sessions, market_day"
            " FROM seasons WHERE code = ?",
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
            known = ", ".join(s.code for s in self.seasons()) or "none yet"
            raise NotFoundError(f"season {code!r} is not in the ledger (known: {known})")
        return self._season_from_row(row)

    def seasons(self) -> list[Season]:
        rows = self.conn.execute(
            "SELECT code, name, kind, start_date, end_date, planned_sessions, market_day"
            " FROM seasons ORDER BY start_date, code"
        ).fetchall()
        return [self._season_from_row(r) for r in rows]

    def previous_season(self, code: str) -> Season | None:
        """The latest season of the same kind that started before this one."""
        this = self.season(code)
        row = self.conn.execute(
            "SELECT code, name, kind, start_date, end_date, planned_sessions, market_day"
            " FROM seasons WHERE kind = ? AND start_date < ? ORDER BY start_date DESC LIMIT 1",
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
                raise ConflictError(f"township {name} already exists")
            self.conn.execute(
                "INSERT INTO townships (name, kind, batch_id) VALUES (?, ?, ?)",
                (name, kind, batch_id),
            )
        return Township(name, kind)

    def townships(self) -> list[Township]:
        rows = self.conn.execute("SELECT name, kind FROM townships ORDER BY name").fetchall()
        return [Township(*r) for r in rows]

    def require_township(self, name: str) -> str:
        name = name.strip()
        if self.conn.execute("SELECT 1 FROM townships WHERE name = ?", (name,)).fetchone():
            return name
        known = (
            ", ".join(t.name for t in self.townships())
            or "none yet; add one with `iddexi township add`"
        )
        raise NotFoundError(f"township {name!r} is not in the ledger (known: {known})")

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
        known = ", ".join(f"{c.code} ({c.label_zh})" for c in self.categories())
        raise NotFoundError(f"category {text!r} is not known (known: {known})")

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
            raise InputError(f"category code {code!r} must be lower-case letters, digits or '_'")
        label_zh = _text(label_zh, "Chinese label", required=True) or ""
        label_en = _text(label_en, "English label", required=True) or ""
        unique_aliases: dict[str, str] = {}
        for alias in (a.strip() for a in aliases):
            # aliases are matched without regard to case, so "Yu" and "yu" are one alias
            if alias.casefold() in unique_aliases:
                raise InputError(f"alias {alias!r} is given twice")
            unique_aliases[alias.casefold()] = alias
        names = [code, label_zh, label_en, *unique_aliases.values()]
        if any(not n for n in names):
            raise InputError("a category alias is empty")
        with self.batch("setup", source) as batch_id:
            for name in names:
                try:
                    taken = self.resolve_category(name)
                except NotFoundError:
                    continue
                raise ConflictError(f"{name!r} already names category {taken}")
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
                f"stall code {code!r} must be letters, digits, '-', '_' or '.', e.g. M01"
            )
        name = _text(name, "stall name", required=True) or ""
        category_code = self.resolve_category(category) if category else None
        township_name = self.require_township(township) if township else None
        with self.batch("setup", source) as batch_id:
            # codes are looked up without regard to case, so M01 and m01 are one stall
            existing = self.conn.execute(
                "SELECT code FROM stalls WHERE code = ? COLLATE NOCASE", (code,)
            ).fetchone()
            if existing:
                same = "" if existing[0] == code else f" (as {existing[0]}: codes ignore case)"
                raise ConflictError(
                    f"stall {code} already exists{same}; correct it by importing the roster "
                    "with --replace"
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
            "SELECT code, name, operator, township, herder, category FROM stalls ORDER BY code"
        ).fetchall()
        return [Stall(c, n, o, t, bool(h), cat) for c, n, o, t, h, cat in rows]

    def stall(self, code: str) -> Stall:
        row = self.conn.execute(
            "SELECT code, name, operator, township, herder, category FROM stalls"
            " WHERE code = ? COLLATE NOCASE",
            (code.strip(),),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"stall {code!r} is not in the ledger; add it with `iddexi stall add {code} --name …`"
            )
        c, n, o, t, h, cat = row
        return Stall(c, n, o, t, bool(h), cat)
