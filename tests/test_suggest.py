"""Did you mean: a mistyped code, name or command is answered with the closest known ones."""

from __future__ import annotations

from iddexi.ledger.suggest import suggest
from tests.helpers.ledger_state import dump_file

STALLS = {
    "阿拉坦家牛肉 A19": ("A19", "阿拉坦家牛肉"),
    "敖日格勒家冬储肉 M01": ("M01", "敖日格勒家冬储肉"),
    "其其格奶食 M05": ("M05", "其其格奶食"),
}


def test_pinyin_initials_find_the_chinese_name() -> None:
    assert suggest("alt", STALLS) == ["阿拉坦家牛肉 A19"]


def test_whole_pinyin_and_a_letter_o_for_a_zero_find_the_stall() -> None:
    assert suggest("qiqige", STALLS) == ["其其格奶食 M05"]
    assert suggest("MO5", STALLS) == ["其其格奶食 M05"]


def test_a_near_chinese_name_is_found_and_nonsense_finds_nothing() -> None:
    assert suggest("阿拉坦牛肉", STALLS) == ["阿拉坦家牛肉 A19"]
    assert suggest("zzzz", STALLS) == []


def test_an_unknown_stall_is_answered_with_the_closest_one(market, run) -> None:
    result = run("sale", "add", "2025-26:1", "aorigele", "meat", "100")
    assert result.exit_code == 1
    assert "did you mean 敖日格勒家冬储肉 M01?" in result.stderr
    assert "add it with" not in result.stderr


def test_a_stall_nobody_resembles_is_told_how_to_add_it(market, run) -> None:
    result = run("sale", "add", "2025-26:1", "X99", "meat", "100")
    assert result.exit_code == 1
    assert "add it with `iddexi stall add X99" in result.stderr


def test_unknown_season_township_and_category_get_suggestions(market, run) -> None:
    season = run("session", "list", "2025-62")
    assert season.exit_code == 1 and "did you mean 2025-26" in season.stderr
    township = run("stall", "add", "M09", "--name", "新摊", "--township", "hui")
    assert township.exit_code == 1 and "did you mean 辉苏木?" in township.stderr
    category = run("sale", "add", "2025-26:1", "M01", "dary", "100")
    assert category.exit_code == 1 and "did you mean dairy (奶制品)?" in category.stderr


def test_a_session_date_without_a_session_names_the_nearest_sessions(market, run) -> None:
    result = run("sale", "add", "2025-26:2025-11-23", "M01", "meat", "100")
    assert result.exit_code == 1
    assert "did you mean 2025-26:1 (2025-11-22) or 2025-26:2 (2025-11-29)?" in result.stderr
    assert market.sales("2025-26:1") == []


def test_a_mistyped_command_gets_the_right_one(run) -> None:
    result = run("sales", "add")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No such command 'sales'; did you mean sale?")
    sub = run("stall", "lst")
    assert sub.exit_code == 1 and "did you mean list?" in sub.stderr


def test_suggestions_cost_nothing_until_a_name_is_missing() -> None:
    """pypinyin is imported on the error path only (the entry path stays light)."""
    import subprocess
    import sys

    code = "import iddexi.cli, iddexi.ledger.core, sys; print('pypinyin' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False"


def test_a_stall_given_by_its_exact_name_is_that_stall(market, run) -> None:
    """The name on the keeper's slip is as good as the code when one stall has it."""
    result = run("sale", "add", "2025-26:1", "敖日格勒家冬储肉", "奶", "100")
    assert result.exit_code == 0, result.stderr
    assert [(s.stall, s.amount_fen) for s in market.sales("2025-26:1")] == [("M01", 100_00)]
    edited = run("stall", "edit", "其其格奶食", "--operator", "其其格")
    assert edited.exit_code == 0, edited.stderr
    assert market.stall("D01").operator == "其其格"


def test_a_stall_name_two_stalls_share_is_refused_asking_for_the_code(
    market, run, ledger_path
) -> None:
    market.add_stall("D02", "其其格奶食", category="dairy")
    before = dump_file(ledger_path)
    result = run("sale", "add", "2025-26:1", "其其格奶食", "dairy", "100")
    assert result.exit_code == 1
    assert "D01, D02" in result.stderr and "code" in result.stderr
    assert dump_file(ledger_path) == before
