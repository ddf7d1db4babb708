"""Shell completion from the root, driven through the shells' own protocol.

Each test runs ``python -m iddexi`` with the environment a shell's completion script
sets (bash: COMP_WORDS/COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS) and reads what
it would offer, as the shell would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def complete(shell: str, words: str, ledger: Path, **extra: str) -> list[str]:
    env = {**os.environ, "IDDEXI_LEDGER": str(ledger), "_IDDEXI_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        parts = words.split()
        cword = len(parts) if words.endswith(" ") else len(parts) - 1
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(cword)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words, **extra}
    done = subprocess.run(
        [sys.executable, "-m", "iddexi"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_commands_and_root_options(ledger_path: Path) -> None:
    assert complete("bash", "iddexi sa", ledger_path) == ["sale"]
    assert set(complete("bash", "iddexi --l", ledger_path)) == {"--ledger", "--lang"}
    assert "--install-completion" in complete("bash", "iddexi --", ledger_path)
    assert complete("bash", "iddexi --lang ", ledger_path) == ["zh", "en"]


def test_bash_completes_options_of_a_command(ledger_path: Path) -> None:
    assert {"--qty", "--unit", "--note", "--replace"} <= set(
        complete("bash", "iddexi sale add --", ledger_path)
    )


def test_sessions_stalls_and_categories_come_from_the_ledger(market, ledger_path: Path) -> None:
    assert complete("bash", "iddexi sale add 2025-26:", ledger_path) == ["2025-26:1", "2025-26:2"]
    assert complete("bash", "iddexi sale add 2025-26:1 ", ledger_path) == ["D01", "F01", "M01"]
    categories = complete("bash", "iddexi sale add 2025-26:1 M01 ", ledger_path)
    assert {"meat", "dairy", "冬储肉", "奶制品"} <= set(categories)
    assert complete("bash", "iddexi sale add 2025-26:1 M01 冬", ledger_path) == ["冬储肉"]
    assert complete("bash", "iddexi report season ", ledger_path) == ["2025-26", "2024-25"]
    assert complete("bash", "iddexi session add 2025-26 --host 辉", ledger_path) == ["辉苏木"]


def test_zsh_and_fish_show_names_and_dates_beside_the_codes(market, ledger_path: Path) -> None:
    zsh = "\n".join(complete("zsh", "iddexi sale add 2025-26:1 M", ledger_path))
    assert '"M01":"敖日格勒家冬储肉"' in zsh
    fish = complete(
        "fish", "iddexi sale add 2025-26:", ledger_path, _TYPER_COMPLETE_FISH_ACTION="get-args"
    )
    assert fish[0].startswith("2025-26:1\t2025-11-22")


def test_completion_of_a_missing_ledger_offers_nothing_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    assert complete("bash", "iddexi sale add ", missing) == []
    assert not missing.exists()


def test_the_root_shows_the_completion_script_for_bash(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "iddexi", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "_IDDEXI_COMPLETE=complete_bash" in done.stdout
    assert "complete -o default -F _iddexi_completion iddexi" in done.stdout
