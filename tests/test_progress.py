"""Progress bars: on a terminal's standard error for work that takes time, nowhere else."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from iddexi.cli import app
from iddexi.cli import report as report_command
from iddexi.cli.progress import TerminalProgress
from tests.test_report_season import REF, demo, demo_file  # noqa: F401  (fixtures)


def on_a_terminal(monkeypatch: pytest.MonkeyPatch, work: Callable[[], object]) -> str:
    """Run ``work`` with standard error a pseudo-terminal; return what the terminal got."""
    monkeypatch.setenv("TERM", "xterm")  # rich draws nothing live on a dumb terminal
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    master, slave = os.openpty()
    got = bytearray()

    def drain() -> None:  # a full pty buffer would block the writer
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's side closed
                return
            if not chunk:
                return
            got.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    terminal = open(slave, "w", encoding="utf-8")  # noqa: SIM115  (closed below)
    assert terminal.isatty()
    try:
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stderr", terminal)
            work()
    finally:
        terminal.close()
        reader.join(10)
        os.close(master)
    return got.decode("utf-8", "replace")


def cli(*args: object) -> Callable[[], None]:
    """The command line run in-process, its standard streams left as they are."""

    def invoke() -> None:
        code = app([str(a) for a in args], prog_name="iddexi", standalone_mode=False)
        assert not code  # 0 or None: the command succeeded

    return invoke


@pytest.mark.usefixtures("demo")
def test_a_report_with_files_shows_its_progress_on_a_terminal(
    monkeypatch,
    tmp_path: Path,
    capsys,
) -> None:
    monkeypatch.setattr(report_command, "SHOW_AFTER", 0.0)  # the demo is quicker than 1 s
    shown = on_a_terminal(monkeypatch, cli(*REF, "--lang", "en", "--out", tmp_path / "r"))
    assert "Writing the workbook" in shown
    assert "Drawing the charts" in shown
    assert "5/5" in shown or "100%" in shown  # the bar's last frame: every chart drawn
    assert len(list((tmp_path / "r").glob("*.png"))) == 5
    assert "Writing the workbook" not in capsys.readouterr().out  # the bar is stderr's only


@pytest.mark.usefixtures("demo")
def test_a_year_report_with_files_shows_its_progress_on_a_terminal(
    monkeypatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(report_command, "SHOW_AFTER", 0.0)
    shown = on_a_terminal(monkeypatch, cli("report", "year", "2025", "--out", tmp_path / "y"))
    assert "Writing the workbook" in shown and "Drawing the charts" in shown
    assert len(list((tmp_path / "y").glob("*.png"))) == 2


@pytest.mark.usefixtures("demo")
def test_no_bar_when_standard_error_is_not_a_terminal(run, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(report_command, "SHOW_AFTER", 0.0)
    quiet = run(*REF, "--out", tmp_path / "r", "--json")
    assert quiet.exit_code == 0, quiet.output
    year = run("report", "year", "2025", "--out", tmp_path / "y")
    assert year.exit_code == 0, year.output
    # a log file gets nothing beyond what the same report without files says
    assert quiet.stderr == run(*REF, "--no-files", "--json").stderr
    assert "Writing" not in quiet.stderr and year.stderr == ""
    assert len(list((tmp_path / "r").glob("*.png"))) == 5


def test_quick_work_shows_no_bar_even_on_a_terminal(monkeypatch) -> None:
    def quick() -> None:
        with TerminalProgress(show_after=60.0) as progress:
            for done in range(0, 101, 10):
                progress("Writing the workbook", done, 100)

    assert on_a_terminal(monkeypatch, quick) == ""


def test_small_work_shows_no_bar_and_big_work_does(monkeypatch) -> None:
    def small() -> None:
        with TerminalProgress(min_total=5_000) as progress:
            progress("Checking rows", 4_000, 5_000)

    def big() -> None:
        with TerminalProgress(min_total=5_000) as progress:
            progress("Checking rows", 3_000, 6_000)
            progress("Checking rows", 6_000, 6_000)

    assert on_a_terminal(monkeypatch, small) == ""
    shown = on_a_terminal(monkeypatch, big)
    assert "Checking rows" in shown and "100%" in shown


def test_a_big_import_shows_its_progress_on_a_terminal(
    market, run, monkeypatch, tmp_path: Path
) -> None:
    stalls, sales = tmp_path / "stalls.csv", tmp_path / "sales.csv"
    codes = [f"S{i:04d}" for i in range(6_000)]  # one line per stall and category
    stalls.write_text(
        "code,name,operator,township,herder,category\n"
        + "".join(f"{code},摊位{code},,辉苏木,no,food\n" for code in codes),
        encoding="utf-8",
    )
    sales.write_text(
        "season,session,stall,category,amount\n"
        + "".join(
            f"2025-26,2025-11-22,{code},food,{i % 97 + 1}.50\n" for i, code in enumerate(codes)
        ),
        encoding="utf-8",
    )
    assert run("tally", "import", stalls).exit_code == 0
    shown = on_a_terminal(monkeypatch, cli("tally", "import", sales))
    assert "Checking rows" in shown
