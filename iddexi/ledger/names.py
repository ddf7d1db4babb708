"""The names a ledger knows, read for shell completion: quick, read-only, never failing.

Completion runs on every Tab: it must not create, migrate or lock the ledger, and a
missing or foreign file simply completes nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def _read(path: Path, sql: str) -> list[tuple]:
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def seasons(path: Path) -> list[tuple[str, str]]:
    """(code, "name start … end") for each season, newest first."""
    rows = _read(
        path, "SELECT code, name, start_date, end_date FROM seasons ORDER BY start_date DESC"
    )
    return [
        (code, " ".join(x for x in (name or "", f"{start} … {end}") if x))
        for code, name, start, end in rows
    ]


def sessions(path: Path) -> list[tuple[str, str]]:
    """("SEASON:N", "date host") for each live session."""
    rows = _read(
        path,
        "SELECT season, number, date, host FROM current_sessions ORDER BY season DESC, number",
    )
    return [
        (f"{season}:{number}", " ".join(str(x) for x in (date, host or "") if x))
        for season, number, date, host in rows
    ]


def stalls(path: Path) -> list[tuple[str, str]]:
    """(code, name) for each stall."""
    return [
        (code, name) for code, name in _read(path, "SELECT code, name FROM stalls ORDER BY code")
    ]


def categories(path: Path) -> list[tuple[str, str]]:
    """(code, "中文 / English"), then (Chinese label, code) so either language completes."""
    rows = _read(path, "SELECT code, label_zh, label_en FROM categories ORDER BY position, code")
    return [(code, f"{zh} / {en}") for code, zh, en in rows] + [
        (zh, code) for code, zh, _en in rows
    ]


def townships(path: Path) -> list[tuple[str, str]]:
    """(name, kind) for each township."""
    return [
        (name, kind or "")
        for name, kind in _read(path, "SELECT name, kind FROM townships ORDER BY name")
    ]
