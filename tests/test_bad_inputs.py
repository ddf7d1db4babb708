"""Broken and hostile tally files: each refused quickly with a located error, none writing.

The files live in tests/corpus/ (made by tests/corpus/make_corpus.py); the zip bomb is
made here, in a temp folder. For each file `iddexi tally import` must exit 1, name the
file (and, for a fault in one cell, its row and column), leave every table of the ledger
as it was, and answer within a few seconds.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from tests.corpus.make_corpus import CASES, HERE, Case, build_all, zip_bomb
from tests.helpers.ledger_state import dump_file

SECONDS = 5.0


def _refused(run, ledger_path: Path, path: Path) -> str:
    before = dump_file(ledger_path)
    started = time.monotonic()
    result = run("tally", "import", path)
    took = time.monotonic() - started
    assert result.exit_code == 1, (path.name, result.stdout, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: "), result.stderr
    assert dump_file(ledger_path) == before, f"{path.name} wrote something"
    assert took < SECONDS, f"{path.name} took {took:.1f} s"
    return result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_file_is_refused_with_its_location(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, case: Case
) -> None:
    path = tmp_path / case.name
    shutil.copyfile(HERE / case.name, path)
    stderr = _refused(run, ledger_path, path)
    assert case.name in stderr, stderr
    if case.where:
        assert f"{case.name}{case.where}" in stderr, stderr


def test_the_whole_corpus_in_one_command_is_refused_as_one(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("season,session,stall,category,amount\n2025-26,2,M01,meat,100\n")
    paths = [good] + [HERE / c.name for c in CASES if c.name.endswith((".csv", ".xlsx"))]
    before = dump_file(ledger_path)
    result = run("tally", "import", *paths)
    assert result.exit_code == 1
    assert dump_file(ledger_path) == before
    for case in CASES:
        if case.name.endswith((".csv", ".xlsx")):
            assert case.name in result.stderr, case.name


def test_a_zip_bomb_is_refused_before_it_is_inflated(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1_000_000
    stderr = _refused(run, ledger_path, bomb)
    assert "bomb.xlsx" in stderr and "bomb" in stderr.replace("bomb.xlsx", "")


def test_the_corpus_is_what_the_generator_makes(tmp_path: Path) -> None:
    build_all(tmp_path)
    for case in CASES:
        assert (tmp_path / case.name).read_bytes() == (HERE / case.name).read_bytes(), case.name
    committed = {p.name for p in HERE.iterdir() if p.is_file() and p.suffix != ".py"}
    assert committed == {c.name for c in CASES}


def test_a_file_whose_total_is_over_ten_million_yuan_is_not_a_bad_input(
    market: Ledger, run, tmp_path: Path
) -> None:
    """The ¥10,000,000 cap is for one line; a file of big lines may add up to more."""
    path = tmp_path / "big-day.csv"
    path.write_text(
        "season,session,stall,category,amount\n"
        "2025-26,1,M01,meat,6000000\n"
        "2025-26,1,D01,dairy,6000000\n"
        "合计,,,,12000000\n",
        encoding="utf-8",
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert sum(s.amount_fen for s in market.sales("2025-26:1")) == 12_000_000_00
    assert run("check").exit_code == 0
