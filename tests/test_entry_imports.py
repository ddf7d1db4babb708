"""The entry commands start fast: no pandas, numpy, matplotlib, openpyxl or sqlite_utils.

Each command runs in a fresh interpreter under ``python -X importtime`` against a ledger
already at the current schema, and the modules it imported are read from that report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger

HEAVY = {"pandas", "numpy", "matplotlib", "openpyxl", "sqlite_utils"}
# the web app's stack: only `serve`, `submissions` and `stall cards` load it
WEB = {"starlette", "uvicorn", "jinja2", "segno", "multipart", "iddexi.web"}


def imported_modules(python_args: list[str], cwd: Path, ledger: Path) -> tuple[int, set[str], str]:
    """Run ``python -X importtime …``; return its exit code, the modules imported, stderr."""
    env = {**os.environ, "IDDEXI_LEDGER": str(ledger), "USER": "tester", "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *python_args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    modules = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    modules.discard("imported package")  # the report's header line
    return done.returncode, modules, done.stderr


def heavy(modules: set[str]) -> set[str]:
    return {
        m
        for m in modules
        if m.split(".")[0] in HEAVY or any(m == w or m.startswith(w + ".") for w in WEB)
    }


def test_the_import_report_would_show_a_heavy_import(tmp_path: Path) -> None:
    """The check below can fail: a heavy import does show up in the report."""
    code, modules, stderr = imported_modules(
        ["-c", "import sqlite_utils"], tmp_path, tmp_path / "x.sqlite"
    )
    assert code == 0, stderr
    assert "sqlite_utils" in heavy(modules)


COMMANDS: list[tuple[list[str], int]] = [
    (["--help"], 0),
    (["-h"], 0),
    (["--version"], 0),
    (["init"], 0),
    (["season", "--help"], 0),
    (["sale", "add", "--help"], 0),
    (["season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30"], 0),
    (["season", "list"], 0),
    (["season", "list", "--json"], 0),
    (["township", "add", "伊敏苏木", "--kind", "sumu"], 0),
    (["township", "list"], 0),
    (["category", "add", "fish", "--zh", "冬捕鱼", "--en", "Winter fish"], 0),
    (["category", "list", "--json"], 0),
    (["stall", "add", "Y01", "--name", "冬捕鱼摊", "--category", "other"], 0),
    (["stall", "list"], 0),
    (["stall", "list", "--json"], 0),
    (["stall", "--help"], 0),  # lists `cards`, without loading the web app
    (["session", "add", "2025-26", "--date", "2025-12-06", "--visitors", "10600"], 0),
    (["session", "add", "2025-26", "--date", "2025-12-07"], 0),  # not a Saturday: a warning
    (["session", "set", "2025-26:1", "--visitors", "9900"], 0),
    (["session", "list", "2025-26"], 0),
    (["session", "list", "2025-26", "--json"], 0),
    (["sale", "add", "2025-26:1", "M01", "meat", "12,800.50"], 0),
    (["sale", "add", "2025-26:1", "D01", "dairy", "1.234"], 1),  # a refusal
    (["sale", "add", "2025-26:1", "F01", "food", "100", "--replace"], 0),
    (["sale", "list", "2025-26:1"], 0),
    (["sale", "list", "2025-26:1", "--json"], 0),
    (["history"], 0),
    (["history", "--json"], 0),
    (["void", "LAST", "--reason", "typed twice"], 0),
]


@pytest.mark.parametrize(("args", "exit_code"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_entry_commands_import_nothing_heavy(
    market: Ledger, tmp_path: Path, args: list[str], exit_code: int
) -> None:
    market.add_sale("2025-26:1", "F01", "food", 50_000)
    last = market.history()[-1].id
    market.close()
    args = [str(last) if a == "LAST" else a for a in args]

    code, modules, stderr = imported_modules(["-m", "iddexi", *args], tmp_path, market.path)
    assert code == exit_code, stderr[-2000:]
    assert "iddexi.cli" in modules  # the report was read
    assert heavy(modules) == set(), f"iddexi {' '.join(args)} imported {sorted(heavy(modules))}"


def test_creating_a_new_ledger_imports_nothing_heavy(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "market.sqlite"
    code, modules, stderr = imported_modules(["-m", "iddexi", "init"], tmp_path, fresh)
    assert code == 0, stderr[-2000:]
    assert fresh.exists()
    assert "iddexi.ledger.migrations" in modules
    assert heavy(modules) == set(), sorted(heavy(modules))


def test_the_import_report_would_show_the_web_app(tmp_path: Path) -> None:
    """The web stack is caught as well: importing the app shows up."""
    code, modules, stderr = imported_modules(
        ["-c", "import iddexi.web.app"], tmp_path, tmp_path / "x.sqlite"
    )
    assert code == 0, stderr
    assert {"starlette", "iddexi.web.app"} <= heavy(modules)
