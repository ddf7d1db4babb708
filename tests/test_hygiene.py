"""Hostile text, huge numbers and broken consoles, tried as an attacker would (issue 9).

Each test is the attack: craft the input, run the command, assert the refusal (or the
safe output) and that the ledger did not change.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from tests.helpers.ledger_state import dump_file

ESC = "\x1b"
#: One of each kind the ledger refuses: C0, DEL, C1 (a CSI), bidi override, isolate, mark.
HOSTILE = ["\x1b[2J", "\x07", "\x7f", "\x9b31m", "\u202e", "\u2066", "\u200f", "\u2028"]
HOSTILE_IDS = ["esc", "bel", "del", "c1-csi", "rlo", "lri", "rlm", "line-sep"]


def escaped(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def assert_refused(result, field: str, bad: str) -> None:
    """Refused with one `Error:` line naming the field and showing the character escaped."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert field in lines[0], lines[0]
    assert escaped(bad[0]) in lines[0], lines[0]
    if bad[0] != "\n":
        assert bad[0] not in result.stderr and bad[0] not in result.stdout


# --- from the command line ---------------------------------------------------------------

ENTRY_FIELDS = [
    ("stall name", ["stall", "add", "X01", "--name", "B{}ad"]),
    ("operator", ["stall", "add", "X01", "--name", "ok", "--operator", "B{}ad"]),
    ("township name", ["township", "add", "B{}ad"]),
    ("name", ["season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30",
              "--name", "B{}ad"]),
    ("theme", ["session", "set", "2025-26:1", "--theme", "B{}ad"]),
    ("note", ["session", "set", "2025-26:1", "--note", "B{}ad"]),
    ("note", ["sale", "add", "2025-26:1", "M01", "meat", "100", "--note", "B{}ad"]),
    ("unit", ["sale", "add", "2025-26:1", "M01", "meat", "100", "--qty", "1", "--unit", "k{}g"]),
    ("Chinese label", ["category", "add", "fish", "--zh", "鱼{}x", "--en", "Fish"]),
    ("English label", ["category", "add", "fish", "--zh", "鱼", "--en", "Fi{}sh"]),
    ("alias", ["category", "add", "fish", "--zh", "鱼", "--en", "Fish", "--alias", "y{}u"]),
    ("--by", ["--by", "B{}ad", "sale", "add", "2025-26:1", "M01", "meat", "100"]),
]  # fmt: skip


@pytest.mark.parametrize("bad", HOSTILE, ids=HOSTILE_IDS)
@pytest.mark.parametrize(
    ("field", "argv"), ENTRY_FIELDS, ids=[f[0] + "-" + f[1][0] for f in ENTRY_FIELDS]
)
def test_hostile_text_in_any_field_is_refused_and_nothing_written(
    market: Ledger, ledger_path: Path, run, field: str, argv: list[str], bad: str
) -> None:
    before = dump_file(ledger_path)
    result = run(*[a.format(bad) for a in argv])
    assert_refused(result, field, bad)
    assert dump_file(ledger_path) == before


def test_void_reason_with_an_escape_is_refused(market: Ledger, ledger_path: Path, run) -> None:
    added = run("sale", "add", "2025-26:1", "M01", "meat", "100")
    assert added.exit_code == 0, added.stderr
    before = dump_file(ledger_path)
    batch = str(market.history()[-1].id)
    assert_refused(run("void", batch, "--reason", f"typo{ESC}[1A{ESC}[2K"), "reason", ESC)
    assert dump_file(ledger_path) == before


def test_a_line_break_is_refused_in_a_name_but_kept_in_a_note(market: Ledger, run) -> None:
    refused = run("stall", "add", "X01", "--name", "two\nlines")
    assert_refused(refused, "stall name", "\n")
    assert "line break" in refused.stderr
    kept = run("session", "set", "2025-26:1", "--note", "snow at noon\r\nclosed at 3")
    assert kept.exit_code == 0, kept.stderr
    assert market.resolve_session("2025-26:1").note == "snow at noon\nclosed at 3"
    # a carriage return on its own moves the cursor back over the line: refused
    assert_refused(run("session", "set", "2025-26:1", "--note", "¥100\r¥900"), "note", "\r")


def test_ordinary_chinese_text_and_emoji_still_pass(market: Ledger, run) -> None:
    result = run("stall", "add", "X01", "--name", "敖日格勒家·冬储肉 👨‍👩‍👧 (牧户)")
    assert result.exit_code == 0, result.stderr
    assert market.stall("X01").name == "敖日格勒家·冬储肉 👨‍👩‍👧 (牧户)"


# --- from files ------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_an_escape_in_a_csv_roster_is_refused_at_its_cell(
    market: Ledger, ledger_path: Path, run, tmp_path: Path
) -> None:
    roster = write_csv(
        tmp_path / "stalls.csv",
        [
            ["code", "name", "operator", "township", "herder", "category"],
            ["X01", "好摊位", "巴特尔", "辉苏木", "是", "meat"],
            ["X02", f"M01{ESC}[2K{ESC}[1A 敖日格勒", "乌兰", "辉苏木", "是", "meat"],
            ["X03", "奶食", "其\u202eRLO", "辉苏木", "否", "dairy"],
        ],
    )
    before = dump_file(ledger_path)
    result = run("tally", "import", roster)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("stalls.csv:3:name: stall name holds a control character (\\x1b)")
    assert lines[1].startswith("stalls.csv:4:operator: operator holds a text-direction control")
    assert "\\u202e" in lines[1]
    assert lines[-1] == "Error: 2 problems found; nothing was written"
    assert ESC not in result.stderr and "\u202e" not in result.stderr
    assert dump_file(ledger_path) == before


def test_hostile_notes_and_units_in_a_sales_csv_are_refused_at_their_cell(
    market: Ledger, ledger_path: Path, run, tmp_path: Path
) -> None:
    sales = write_csv(
        tmp_path / "sales.csv",
        [
            ["season", "session", "stall", "category", "amount", "quantity", "unit", "note"],
            ["2025-26", 1, "M01", "meat", "100", 2, "k\x9bg", ""],
            ["2025-26", 1, "D01", "dairy", "50", "", "", "fine\u2066 isolate"],
            ["2025-26", 1, "F01", "food", "30", "", "", "two\nlines are fine in a note"],
        ],
    )
    before = dump_file(ledger_path)
    result = run("tally", "import", sales)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("sales.csv:2:unit: unit holds a control character (\\x9b)")
    assert lines[1].startswith("sales.csv:3:note: note holds a text-direction control (\\u2066)")
    assert lines[-1] == "Error: 2 problems found; nothing was written"
    assert dump_file(ledger_path) == before


# --- what is already stored is shown escaped -------------------------------------------


@pytest.fixture
def tainted(market: Ledger, ledger_path: Path) -> Ledger:
    """A ledger written behind iddexi's back (raw sqlite3, the append-only triggers allow
    inserts): ESC, C1 and bidi controls in stored text of every kind."""
    raw = sqlite3.connect(ledger_path)
    with raw:
        raw.execute(
            "UPDATE stalls SET name = ?, operator = ? WHERE code = 'M01'",
            (f"fake{ESC}[2J{ESC}[1;1HTotal ¥0", "op\x9b2Jx"),
        )
        batch = raw.execute(
            "INSERT INTO batches (kind, source, created_at, created_by)"
            " VALUES ('entry', ?, '2025-12-06T10:00:00+08:00', ?)",
            (f"s{ESC}]0;x\x07", "ev\u202eil"),
        ).lastrowid
        session = raw.execute("SELECT id FROM sessions WHERE date = '2025-11-22'").fetchone()[0]
        raw.execute(
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen, unit, note)"
            " VALUES (?, ?, 'M01', 'meat', 10000, ?, ?)",
            (batch, session, "\u200fkg", f"n{ESC}[31m\u2067"),
        )
        raw.execute(
            "INSERT INTO session_revisions (session_id, batch_id, theme) VALUES (?, ?, ?)",
            (session, batch, f"t{ESC}[A"),
        )
        raw.execute("UPDATE seasons SET name = ?", (f"s{ESC}c",))
        raw.execute("UPDATE townships SET name = ? WHERE name = '巴彦托海镇'", (f"镇{ESC}[8m",))
    raw.close()
    return market


HOSTILE_STORED = (ESC, "\x9b", "\x07", "\u202e", "\u2067", "\u200f")


@pytest.mark.parametrize(
    "argv",
    [
        ["stall", "list"],
        ["history"],
        ["sale", "list", "2025-26:1"],
        ["session", "list", "2025-26"],
        ["season", "list"],
    ],
    ids=lambda a: " ".join(a),
)
def test_stored_controls_are_shown_escaped(tainted: Ledger, run, argv: list[str]) -> None:
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    for ch in HOSTILE_STORED:
        assert ch not in result.stdout, (argv, repr(ch))
    assert "\\x1b" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [["stall", "list", "--json"], ["history", "--json"], ["sale", "list", "2025-26:1", "--json"]],
)
def test_json_keeps_the_stored_text_but_writes_controls_as_escapes(
    tainted: Ledger, run, argv: list[str]
) -> None:
    result = run(*argv)
    assert result.exit_code == 0, result.stderr
    for ch in HOSTILE_STORED:
        assert ch not in result.stdout, repr(ch)
    document = json.loads(result.stdout)  # the escapes read back as the very text stored
    texts = [v for row in document for v in row.values() if isinstance(v, str)]
    assert any(ESC in t for t in texts)
    assert any(ch in t for t in texts for ch in HOSTILE_STORED[1:])


def test_stored_controls_in_an_error_message_are_escaped(tainted: Ledger, run) -> None:
    # the stall's stored name is quoted by the refusal to record its line twice
    twice = run("sale", "add", "2025-26:1", "M01", "meat", "100")
    assert twice.exit_code == 1
    refused = run("stall", "add", "X09", "--name", "a", "--township", "nowhere")
    assert "(known: 辉苏木, 镇\\x1b[8m)" in refused.stderr or "镇\\x1b[8m" in refused.stderr
    for result in (twice, refused):
        assert ESC not in result.stderr and "\x9b" not in result.stderr


def test_chart_labels_lose_their_direction_overrides(tainted: Ledger, run, tmp_path: Path) -> None:
    from iddexi.render import charts

    assert charts._safe("M01\u202e10\u202c $5") == "M01\\u202e10\\u202c \\$5"
    assert charts._safe("line one\nline two") == "line one\nline two"


# --- numbers of any size ---------------------------------------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "argv",
    [
        ["void", HUGE, "--reason", "x"],
        ["void", "-" + HUGE, "--reason", "x"],
        ["void", "99999999999999999999", "--reason", "x"],
        ["session", "set", "2025-26:1", "--visitors", HUGE],
        ["session", "set", "2025-26:1", "--temperature", HUGE],
        ["session", "set", "2025-26:1", "--temperature", "-28." + "0" * 5000],
        ["session", "add", "2025-26", "--date", "2025-12-06", "--visitors", "1" + "0" * 30],
        ["season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30", "--planned", HUGE],
        ["sale", "add", f"2025-26:{HUGE}", "M01", "meat", "100"],
        ["sale", "add", "2025-26:1", "M01", "meat", HUGE],
        ["sale", "add", "2025-26:1", "M01", "meat", "100", "--qty", HUGE],
        ["sale", "list", f"2025-26:{HUGE}"],
    ],
    ids=lambda a: " ".join(x if len(x) < 12 else x[:8] + "…" for x in a),
)  # fmt: skip
def test_numbers_of_5000_digits_are_refused_with_one_error_line(
    market: Ledger, ledger_path: Path, run, argv: list[str]
) -> None:
    before = dump_file(ledger_path)
    result = run(*argv)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert len(lines[0]) < 300  # the number is not echoed back in full
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert dump_file(ledger_path) == before


def test_a_csv_totals_cell_past_what_sqlite_holds_is_refused_at_its_cell(
    market: Ledger, ledger_path: Path, run, tmp_path: Path
) -> None:
    sales = write_csv(
        tmp_path / "sales.csv",
        [
            ["season", "session", "stall", "category", "amount"],
            ["2025-26", 1, "M01", "meat", "100"],
            ["合计", "", "", "", "99999999999999999"],
        ],
    )
    before = dump_file(ledger_path)
    result = run("tally", "import", sales)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0].startswith(
        "sales.csv:3:amount: amount is implausibly large for a total"
    )
    assert dump_file(ledger_path) == before


# --- consoles that cannot print ---------------------------------------------------------


def iddexi(
    ledger: Path, *args: str, encoding: str | None = None, **popen
) -> subprocess.CompletedProcess:
    env = dict(os.environ, IDDEXI_LEDGER=str(ledger), PYTHONUTF8="0")
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "iddexi", *args], env=env, timeout=60, **popen)


def live_amounts(ledger: Path) -> list[int]:
    with Ledger.open(ledger) as book:
        return [s.amount_fen for s in book.sales("2025-26:1")]


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_a_console_that_cannot_print_yuan_gets_a_fallback(
    market: Ledger, ledger_path: Path, encoding: str
) -> None:
    added = iddexi(ledger_path, "sale", "add", "2025-26:1", "M01", "meat", "12,800.50",
                   encoding=encoding, capture_output=True)  # fmt: skip
    assert added.returncode == 0, added.stderr
    # Click writes an ASCII stream as UTF-8 (it takes ASCII for a misconfigured locale)
    out = added.stdout.decode(encoding if encoding == "gbk" else "utf-8")
    assert "12,800.50" in out and "batch" in out
    if encoding == "gbk":
        assert "CNY 12,800.50" in out
    assert added.stderr == b""
    assert live_amounts(ledger_path) == [1_280_050]
    for argv in (["sale", "list", "2025-26:1"], ["stall", "list"], ["history"]):
        listed = iddexi(ledger_path, *argv, encoding=encoding, capture_output=True)
        assert listed.returncode == 0, listed.stderr
        assert b"Traceback" not in listed.stderr
        listed.stdout.decode(encoding)  # what was written is in the console's encoding


def test_a_full_disk_after_the_commit_says_what_was_recorded(
    market: Ledger, ledger_path: Path
) -> None:
    with open("/dev/full", "w") as full:
        added = iddexi(ledger_path, "sale", "add", "2025-26:1", "M01", "meat", "777",
                       stdout=full, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert added.returncode == 0, added.stderr
    batch = market.history()[-1].id
    assert added.stderr.splitlines() == [
        f"Recorded batch {batch}; it counts, do not enter it again. "
        "The confirmation could not be printed: No space left on device"
    ]
    assert live_amounts(ledger_path) == [77_700]


def test_a_closed_pipe_after_the_commit_is_no_error(market: Ledger, ledger_path: Path) -> None:
    env = dict(os.environ, IDDEXI_LEDGER=str(ledger_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "iddexi", "sale", "add", "2025-26:1", "M01", "meat", "55"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()  # `| head -0`: the reader is gone before anything is printed
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0, stderr
    assert "Error" not in stderr and "Traceback" not in stderr
    assert live_amounts(ledger_path) == [5_500]


def test_a_void_printed_to_a_full_disk_says_it_was_voided(
    market: Ledger, ledger_path: Path
) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100)
    batch = market.history()[-1].id
    with open("/dev/full", "w") as full:
        voided = iddexi(ledger_path, "void", str(batch), "--reason", "typed twice",
                        stdout=full, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert voided.returncode == 0, voided.stderr
    # the void is a batch of its own in the hash chain: both are named
    assert voided.stderr.startswith(
        f"Recorded batch {batch + 1}, the void of batch {batch}; it counts"
    )
    assert market.batch_record(batch).status == "void"


def test_a_read_to_a_full_disk_is_one_error_line_without_a_traceback(
    market: Ledger, ledger_path: Path
) -> None:
    with open("/dev/full", "w") as full:
        listed = iddexi(
            ledger_path, "stall", "list", stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert listed.returncode == 1
    assert listed.stderr.splitlines() == ["Error: No space left on device"]


def test_a_refusal_on_a_gbk_console_is_still_one_error_line(
    market: Ledger, ledger_path: Path
) -> None:
    refused = iddexi(ledger_path, "sale", "add", "2025-26:1", "M01", "meat", "¥20,000,000",
                     encoding="gbk", capture_output=True)  # fmt: skip
    assert refused.returncode == 1
    lines = refused.stderr.decode("gbk").splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: amount"), lines
    assert "CNY 10,000,000" in lines[0]


@pytest.mark.parametrize("code", ["SUM", "Total", "GrandTotal", "TOTALS", "sum"])
def test_a_stall_code_an_import_would_take_for_totals_is_refused(
    market: Ledger, ledger_path: Path, run, code: str
) -> None:
    before = dump_file(ledger_path)
    result = run("stall", "add", code, "--name", "摊位")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: stall code '{code}' reads as the label of a totals row"
    )
    assert dump_file(ledger_path) == before
    assert run("stall", "add", "SUM1", "--name", "摊位").exit_code == 0


def test_a_reader_that_leaves_early_gets_no_error(market: Ledger, ledger_path: Path) -> None:
    env = dict(os.environ, IDDEXI_LEDGER=str(ledger_path))
    for argv, codes in ((["init"], (0,)), (["history"], (0, 1))):
        process = subprocess.Popen(
            [sys.executable, "-m", "iddexi", *argv],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        process.stdout.close()  # `| head -0`: gone before anything is printed
        stderr = process.stderr.read()
        # quiet: no Error line, no traceback (rich, printing a table, exits 1 then)
        assert process.wait(timeout=60) in codes, (argv, stderr)
        assert stderr == "", argv
