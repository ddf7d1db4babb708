"""Shared fixtures: every test gets its own ledger file in a temp dir, never the user's."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

# The tests assert English wording; Chinese runs set the language themselves. Set before
# the CLI is imported: its help texts are built in the language of the moment.
os.environ["IDDEXI_LANG"] = "en"

from iddexi import i18n  # noqa: E402
from iddexi.cli import app  # noqa: E402
from iddexi.ledger.core import Ledger


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--kills", type=int, default=None, help="SIGKILLs in tests/test_crash.py (default 50)"
    )


def pytest_configure(config: pytest.Config) -> None:
    kills = config.getoption("--kills")
    if kills:
        os.environ["IDDEXI_KILLS"] = str(kills)


@pytest.fixture(autouse=True)
def _isolated_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the default ledger at a temp file so no test touches ledgers/iddexi.sqlite."""
    path = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("IDDEXI_LEDGER", str(path))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("IDDEXI_LANG", "en")
    monkeypatch.chdir(tmp_path)
    yield path
    i18n.set_language(None)  # a test's --lang does not leak into the next


@pytest.fixture
def ledger_path(_isolated_ledger: Path) -> Path:
    return _isolated_ledger


@pytest.fixture
def ledger(ledger_path: Path):
    book = Ledger.open(ledger_path)
    yield book
    book.close()


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process: ``run("sale", "add", …)``; stderr is kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input, prog_name="iddexi")

    return invoke


@pytest.fixture
def market(ledger: Ledger) -> Ledger:
    """A small ledger: two winter seasons, two townships, three stalls, a few sessions."""
    ledger.add_township("巴彦托海镇", "town")
    ledger.add_township("辉苏木", "sumu")
    ledger.add_season("2024-25", dt.date(2024, 11, 23), dt.date(2025, 1, 25), planned=10)
    ledger.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31), planned=11)
    ledger.add_stall("M01", "敖日格勒家冬储肉", category="meat", township="辉苏木", herder=True)
    ledger.add_stall("D01", "其其格奶食", category="dairy", township="辉苏木", herder=True)
    ledger.add_stall("F01", "南屯小吃", category="food", township="巴彦托海镇")
    ledger.add_session("2024-25", dt.date(2024, 11, 23), host="巴彦托海镇", visitors=4000)
    ledger.add_session("2024-25", dt.date(2024, 11, 30), host="辉苏木", visitors=5000)
    ledger.add_session("2025-26", dt.date(2025, 11, 22), host="巴彦托海镇", visitors=9800)
    ledger.add_session("2025-26", dt.date(2025, 11, 29), host="辉苏木", visitors=10200)
    return ledger
