"""JSON for scripts, with money exact: a ``Decimal`` is written as its own digits.

The stdlib encoder would need floats for numbers; ``12345.67`` must reach the reader as
those digits, so documents are serialised here (they are small: lists of records).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal


def dumps(value: object, indent: int = 2) -> str:
    return _encode(value, indent, 0)


def _encode(value: object, indent: int, level: int) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "null"
        return format(value, "f")
    if value is None or isinstance(value, (bool, int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return json.dumps(value) if value == value and abs(value) != float("inf") else "null"
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_encode(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [f"{inner}{_encode(v, indent, level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    if hasattr(value, "as_json"):
        return _encode(value.as_json(), indent, level)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
