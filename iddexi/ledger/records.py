"""The ledger's records as small immutable types: dates are ``date``, money is fen/``Decimal``.

NamedTuples, as beancount's core types: as immutable as frozen dataclasses, and several
times cheaper to define, which every command pays for at start-up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from iddexi.ledger.values import fen_to_yuan

SEASON_KINDS = ("winter", "spring", "summer", "autumn")
TOWNSHIP_KINDS = ("sumu", "town", "township")
COUNT_METHODS = ("full", "sample", "estimate")
MARKET_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Season(NamedTuple):
    code: str
    name: str | None
    kind: str
    start: dt.date
    end: dt.date
    planned_sessions: int | None
    market_day: str | None

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "planned_sessions": self.planned_sessions,
            "market_day": self.market_day,
        }


class Township(NamedTuple):
    name: str
    kind: str | None

    def as_json(self) -> dict:
        return {"name": self.name, "kind": self.kind}


class Category(NamedTuple):
    code: str
    label_zh: str
    label_en: str
    aliases: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "aliases": list(self.aliases),
        }


class Stall(NamedTuple):
    code: str
    name: str
    operator: str | None
    township: str | None
    herder: bool
    category: str | None

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "operator": self.operator,
            "township": self.township,
            "herder": self.herder,
            "category": self.category,
        }


class Session(NamedTuple):
    id: int
    season: str
    number: int
    date: dt.date
    host: str | None
    theme: str | None
    visitors: int | None
    count_method: str | None
    temperature: Decimal | None
    note: str | None
    revenue_fen: int = 0
    lines: int = 0

    @property
    def ref(self) -> str:
        return f"{self.season}:{self.number}"

    def as_json(self) -> dict:
        return {
            "session": self.ref,
            "season": self.season,
            "number": self.number,
            "date": self.date.isoformat(),
            "host": self.host,
            "theme": self.theme,
            "visitors": self.visitors,
            "count_method": self.count_method,
            "temperature_c": self.temperature,
            "note": self.note,
            "revenue_yuan": fen_to_yuan(self.revenue_fen),
            "lines": self.lines,
        }


class Sale(NamedTuple):
    id: int
    batch_id: int
    session: str
    stall: str
    stall_name: str
    category: str
    amount_fen: int
    quantity: Decimal | None
    unit: str | None
    note: str | None

    @property
    def amount_yuan(self) -> Decimal:
        return fen_to_yuan(self.amount_fen)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "batch": self.batch_id,
            "session": self.session,
            "stall": self.stall,
            "stall_name": self.stall_name,
            "category": self.category,
            "amount_yuan": self.amount_yuan,
            "quantity": self.quantity,
            "unit": self.unit,
            "note": self.note,
        }


class Batch(NamedTuple):
    id: int
    kind: str
    source: str
    sha256: str | None
    created_at: str
    created_by: str
    rows: int
    voided_at: str | None
    voided_by: str | None
    reason: str | None
    chain_sha256: str | None = None  # the batch's link in the hash chain

    @property
    def status(self) -> str:
        return "void" if self.voided_at else "live"

    @property
    def code(self) -> str:
        """The ledger code (账本校验码) after this batch: its chain hash, shortened."""
        from iddexi.ledger.chain import CODE_LENGTH

        return (self.chain_sha256 or "")[:CODE_LENGTH]

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "sha256": self.sha256,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "rows": self.rows,
            "status": self.status,
            "reason": self.reason,
            "voided_at": self.voided_at,
            "voided_by": self.voided_by,
            "chain_sha256": self.chain_sha256,
            "ledger_code": self.code,
        }
