"""The README's walk-through is a test: every command in it runs as written."""

from __future__ import annotations

import json
import re
import shlex
from decimal import Decimal
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands(section: str) -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = re.search(rf"## {re.escape(section)}\n.*?```bash\n(.*?)```", text, re.S)
    assert block, f"README has no bash block under '## {section}'"
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line]


def test_recording_a_market_day_runs_as_written(run) -> None:
    commands = readme_commands("Recording a market day")
    assert len(commands) >= 10
    for words in commands:
        assert words[0] == "iddexi"
        result = run(*words[1:])
        assert result.exit_code == 0, f"{shlex.join(words)}: {result.stderr}"
    # the void at the end takes back the --replace, so the first figure counts again
    [line] = json.loads(run("sale", "list", "2025-26:1", "--json").stdout, parse_float=Decimal)
    assert line["amount_yuan"] == Decimal("12800.50")
    [session] = json.loads(run("session", "list", "2025-26", "--json").stdout)
    assert session["visitors"] == 10400


def test_every_command_is_shown_in_the_readme() -> None:
    from iddexi.cli import COMMANDS

    text = README.read_text(encoding="utf-8")
    missing = [name for name in COMMANDS if f"iddexi {name}" not in text]
    assert not missing, f"README never shows: {missing}"
