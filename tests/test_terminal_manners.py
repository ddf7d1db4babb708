"""Terminal manners: figures line up, narrow terminals get blocks, files are not overwritten."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.test_report_season import REF, demo, demo_file  # noqa: F401  (fixtures)


@pytest.fixture
def sales(market, run):
    for stall, amount in (("M01", "115801"), ("D01", "34204.03"), ("F01", "1.5万")):
        assert run("sale", "add", "2025-26:1", stall, "meat", amount).exit_code == 0
    return market


def test_money_in_a_table_has_two_decimals_and_is_right_aligned(sales, run) -> None:
    result = run("sale", "list", "2025-26:1")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if "¥" in line]
    amounts = [re.search(r"¥[\d,]+(\.\d+)?", line) for line in rows]
    assert [a.group(0) for a in amounts] == [
        "¥34,204.03",
        "¥15,000.00",
        "¥115,801.00",
        "¥165,005.03",
    ]
    # right-aligned: every figure ends in the same terminal column (CJK names are two wide)
    assert len({cell_len(line[: a.end()]) for line, a in zip(rows, amounts, strict=True)}) == 1


def test_a_narrow_terminal_gets_one_record_per_block(sales, run, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    result = run("sale", "list", "2025-26:1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "amount: ¥115,801.00" in lines
    assert "stall: M01" in lines
    assert all(len(line) <= 40 for line in lines if "¥" in line)
    # no figure broken over lines: every ¥ is followed by a whole amount
    assert all(re.fullmatch(r"\w+: ¥[\d,]+\.\d\d", line) for line in lines if "¥" in line)


def test_a_narrow_table_in_chinese_keeps_chinese_headings(sales, run, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("IDDEXI_LANG", "zh_CN")
    result = run("sale", "list", "2025-26:1")
    assert "金额：¥115,801.00" in result.stdout.splitlines()


def test_report_money_has_two_decimals(demo, run) -> None:  # noqa: F811
    result = run(*REF, "--no-files")
    assert result.exit_code == 0, result.output
    # the projection is an estimate, in whole yuan; every recorded amount to the fen
    lines = [line for line in result.stdout.splitlines() if "预测" not in line]
    amounts = re.findall(r"¥[\d,]+(?:\.\d+)?", "\n".join(lines))
    assert amounts and all(re.fullmatch(r"¥[\d,]+\.\d\d", a) for a in amounts)
    assert re.search(r"预测.*¥2,390,896 ", result.stdout)


def test_report_season_refuses_to_overwrite_its_files(demo, run, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "out"
    first = run(*REF, "--out", str(out))
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / next(iter(before))).write_bytes(b"edited by hand")
    edited = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run(*REF, "--out", str(out))
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == edited  # nothing written
    forced = run(*REF, "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / next(iter(before))).read_bytes() != b"edited by hand"


def test_a_report_into_a_fresh_folder_needs_no_force(demo, run, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    result = run(*REF, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert any(Path(out).glob("*.xlsx"))


def test_report_year_refuses_to_overwrite_its_files(demo, run, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "year"
    assert run("report", "year", "2025", "--out", str(out)).exit_code == 0
    written = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run("report", "year", "2025", "--out", str(out))
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == written
    assert run("report", "year", "2025", "--out", str(out), "--force").exit_code == 0


def test_a_report_in_the_other_language_is_not_in_the_way(demo, run, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "both"
    assert run(*REF, "--lang", "en", "--out", str(out)).exit_code == 0
    zh = run(*REF, "--out", str(out))
    assert zh.exit_code == 0, zh.stderr  # the -en files are another report's
    assert any(p.name.endswith("-en.xlsx") for p in out.iterdir())
