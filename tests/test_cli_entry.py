"""The organiser's walk-through, typed at the command line, and every refusal on the way."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import Result

from iddexi import __version__
from iddexi.cli import app
from iddexi.ledger.core import Ledger
from iddexi.ledger.values import local_minute

Run = Callable[..., Result]


def no_crash(result: Result) -> None:
    """The command ended by exiting, not by an exception escaping to the user as a traceback."""
    escaped = result.exception
    assert escaped is None or isinstance(escaped, SystemExit), repr(escaped)
    assert "Traceback" not in result.output


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    no_crash(result)
    return result


def refused(result: Result, *named: str) -> str:
    """Exit 1 and exactly one ``Error: …`` line on stderr naming the bad value; returns it."""
    no_crash(result)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    for value in named:
        assert value in lines[0]
    return lines[0]


def as_json(result: Result) -> list[dict]:
    """The whole of stdout is one JSON document (money parsed as exact Decimals)."""
    ok(result)
    document = json.loads(result.stdout, parse_float=Decimal)
    assert isinstance(document, list)
    assert all(isinstance(item, dict) for item in document)
    return document


def content(path: Path) -> list[str]:
    """Everything the ledger holds, as SQL text."""
    conn = sqlite3.connect(path)
    try:
        return [*conn.iterdump(), f"user_version={conn.execute('PRAGMA user_version').fetchone()}"]
    finally:
        conn.close()


# --- where the ledger lives ------------------------------------------------------------


def test_init_creates_the_ledger_and_says_where(run: Run, ledger_path: Path) -> None:
    assert not ledger_path.exists()
    result = ok(run("init"))
    assert ledger_path.exists()
    assert str(ledger_path.resolve()) in result.stdout
    # again: still there, nothing new written
    before = content(ledger_path)
    assert str(ledger_path.resolve()) in ok(run("init")).stdout
    assert content(ledger_path) == before


def test_ledger_location_option_beats_environment_beats_default(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDDEXI_LEDGER")
    default = tmp_path / "ledgers" / "iddexi.sqlite"
    assert not default.parent.exists()
    ok(run("township", "add", "辉苏木"))  # any command creates the ledger, and its folder
    assert default.exists()

    from_env = tmp_path / "env" / "market.sqlite"
    monkeypatch.setenv("IDDEXI_LEDGER", str(from_env))
    assert str(from_env.resolve()) in ok(run("init")).stdout
    ok(run("township", "add", "巴彦托海镇"))

    option = tmp_path / "deep" / "er" / "given.sqlite"
    assert str(option.resolve()) in ok(run("--ledger", option, "init")).stdout
    ok(run("--ledger", option, "township", "add", "锡尼河西苏木"))

    def names(*root: str) -> list[str]:
        return [t["name"] for t in as_json(run(*root, "township", "list", "--json"))]

    assert names("--ledger", option) == ["锡尼河西苏木"]
    assert names() == ["巴彦托海镇"]
    monkeypatch.delenv("IDDEXI_LEDGER")
    assert names() == ["辉苏木"]


# --- the walk-through ------------------------------------------------------------------

SEASONS = [
    ("2024-25", "2024-11-23", "2025-01-25", "10"),
    ("2025-26", "2025-11-22", "2026-01-31", "11"),
]
# (code, name, category as typed, category code, township, herder-run)
STALLS = [
    ("M01", "敖日格勒家冬储肉", "meat", "meat", "辉苏木", True),
    ("M02", "巴特尔牛羊肉", "冬储肉", "meat", "锡尼河西苏木", True),
    ("D01", "其其格奶食", "奶制品", "dairy", "辉苏木", True),
    ("C01", "乌日娜刺绣", "刺绣", "craft", "巴彦托海镇", False),
    ("F01", "南屯小吃", "food", "food", "巴彦托海镇", False),
    ("Y01", "冬捕鱼摊", "鱼", "fish", "巴彦托海镇", False),
]
# (season, date, host, visitors) typed in a jumbled order; numbers come from the dates
SESSIONS = [
    ("2024-25", "2024-11-30", "辉苏木", "5,200"),
    ("2024-25", "2024-11-23", "巴彦托海镇", "4000"),
    ("2025-26", "2025-11-22", "巴彦托海镇", "9800"),
    ("2025-26", "2025-12-06", "锡尼河西苏木", "10600"),
    ("2025-26", "2025-11-29", "辉苏木", "10200"),
]
# (session as typed, session by number, stall, category as typed, amount as typed, exact yuan)
SALES = [
    ("2024-25:1", "2024-25:1", "M01", "meat", "38,000", "38000"),
    ("2024-25:1", "2024-25:1", "D01", "dairy", "¥4,500.50", "4500.50"),
    ("2024-25:2024-11-30", "2024-25:2", "M01", "冬储肉", "4.2万", "42000"),
    ("2024-25:2", "2024-25:2", "M02", "肉", "29999.99", "29999.99"),
    ("2024-25:2", "2024-25:2", "C01", "手工艺", "800元", "800"),
    ("2025-26:1", "2025-26:1", "M01", "meat", "12,800.50", "12800.50"),
    ("2025-26:1", "2025-26:1", "M02", "meat", "￥１２３４５．６７", "12345.67"),
    ("2025-26:1", "2025-26:1", "D01", "奶制品", "0.01", "0.01"),
    ("2025-26:1", "2025-26:1", "F01", "餐饮小吃", "1.5万元", "15000"),
    ("2025-26:2", "2025-26:2", "M01", "meat", "41.6万", "416000"),
    ("2025-26:2", "2025-26:2", "Y01", "fish", "3333.33", "3333.33"),
    ("2025-26:2025-12-06", "2025-26:3", "C01", "craft", "666.66", "666.66"),
    ("2025-26:3", "2025-26:3", "F01", "小吃", "1,000,000.01", "1000000.01"),
]


def _set_up(run: Run) -> None:
    for name, kind in (("巴彦托海镇", "town"), ("辉苏木", "sumu"), ("锡尼河西苏木", "sumu")):
        ok(run("township", "add", name, "--kind", kind))
    for code, start, end, planned in SEASONS:
        ok(run("season", "add", code, "--start", start, "--end", end, "--planned", planned))
    ok(run("category", "add", "fish", "--zh", "冬捕鱼", "--en", "Winter fish", "--alias", "鱼"))
    for code, name, category, _, township, herder in STALLS:
        extra = ["--herder"] if herder else []
        ok(run("stall", "add", code, "--name", name, "--category", category,
               "--township", township, *extra))  # fmt: skip
    for season, date, host, visitors in SESSIONS:
        ok(run("session", "add", season, "--date", date, "--host", host, "--visitors", visitors,
               "--count-method", "full", "--temperature", "-28"))  # fmt: skip
    for typed, _, stall, category, amount, _ in SALES:
        ok(run("sale", "add", typed, stall, category, amount))


def test_an_organiser_records_two_seasons_and_reads_them_back_to_the_fen(run: Run) -> None:
    ok(run("init"))
    _set_up(run)

    # a line typed into the wrong session, voided as a batch
    wrong = ok(run("sale", "add", "2025-26:1", "C01", "craft", "5,000"))
    wrong_batch = as_json(run("history", "--json"))[-1]["id"]
    assert f"batch {wrong_batch}" in wrong.stdout
    ok(run("void", wrong_batch, "--reason", "belongs to the 6 December session"))
    # a figure corrected with --replace, and a session's visitors corrected
    ok(run("sale", "add", "2025-26:1", "M02", "meat", "12,354.67", "--replace"))
    ok(run("session", "set", "2025-26:2", "--visitors", "10,400", "--theme", "冰雪那达慕"))

    expected: dict[str, dict[str, Decimal]] = {}
    for _, ref, stall, _, _, yuan in SALES:
        expected.setdefault(ref, {})[stall] = Decimal(yuan)
    expected["2025-26:1"]["M02"] = Decimal("12354.67")
    for ref, lines in expected.items():
        got = {
            line["stall"]: line["amount_yuan"]
            for line in as_json(run("sale", "list", ref, "--json"))
        }
        assert got == lines, ref
        assert all(isinstance(amount, Decimal) for amount in got.values())

    sessions = {
        s["session"]: s
        for code, *_ in SEASONS
        for s in as_json(run("session", "list", code, "--json"))
    }
    assert [(s["session"], s["date"]) for s in sessions.values()] == [
        ("2024-25:1", "2024-11-23"),
        ("2024-25:2", "2024-11-30"),
        ("2025-26:1", "2025-11-22"),
        ("2025-26:2", "2025-11-29"),
        ("2025-26:3", "2025-12-06"),
    ]
    for ref, lines in expected.items():
        assert sessions[ref]["revenue_yuan"] == sum(lines.values()), ref
        assert sessions[ref]["lines"] == len(lines), ref  # the voided craft line does not count
    revenue = {code: Decimal(0) for code, *_ in SEASONS}
    for s in sessions.values():
        revenue[s["season"]] += s["revenue_yuan"]
    assert revenue == {"2024-25": Decimal("115300.49"), "2025-26": Decimal("1460155.18")}
    assert sessions["2025-26:2"]["visitors"] == 10_400
    assert sessions["2025-26:2"]["theme"] == "冰雪那达慕"
    assert sessions["2024-25:2"]["visitors"] == 5200
    assert sessions["2025-26:3"]["host"] == "锡尼河西苏木"
    assert sessions["2025-26:1"]["count_method"] == "full"
    assert sessions["2025-26:1"]["temperature_c"] == -28

    seasons = as_json(run("season", "list", "--json"))
    assert [(s["code"], s["start"], s["end"], s["planned_sessions"], s["kind"]) for s in seasons] == [
        ("2024-25", "2024-11-23", "2025-01-25", 10, "winter"),
        ("2025-26", "2025-11-22", "2026-01-31", 11, "winter"),
    ]  # fmt: skip
    stalls = as_json(run("stall", "list", "--json"))
    assert sorted((s["code"], s["name"], s["category"], s["township"], s["herder"]) for s in stalls) == (
        sorted((code, name, cat, township, herder) for code, name, _, cat, township, herder in STALLS)
    )  # fmt: skip
    categories = {c["code"]: c for c in as_json(run("category", "list", "--json"))}
    assert categories["fish"]["label_zh"] == "冬捕鱼" and "鱼" in categories["fish"]["aliases"]
    assert [t["name"] for t in as_json(run("township", "list", "--json"))] == sorted(
        ["巴彦托海镇", "辉苏木", "锡尼河西苏木"]
    )

    history = as_json(run("history", "--json"))
    assert [b["id"] for b in history] == list(range(1, len(history) + 1))
    # the void itself is a batch too: a void is a batch in the hash chain
    assert len(history) == 3 + 2 + 1 + 6 + 5 + len(SALES) + 3 + 1
    assert history[wrong_batch]["source"] == f"void batch {wrong_batch}"
    voided = [b for b in history if b["status"] == "void"]
    assert [(b["id"], b["reason"]) for b in voided] == [
        (wrong_batch, "belongs to the 6 December session")
    ]
    assert {b["kind"] for b in history} == {"setup", "entry", "correction"}
    assert all(b["rows"] == 1 for b in history)


def test_history_json_has_the_promised_keys_and_types(run: Run, market: Ledger) -> None:
    ok(run("--by", "乌云", "sale", "add", "2025-26:1", "M01", "meat", "100"))
    batch = as_json(run("history", "--json"))[-1]["id"]
    ok(run("void", batch, "--reason", "test entry"))
    history = as_json(run("history", "--json"))
    for item in history:
        assert {"id", "kind", "source", "created_at", "rows", "status", "reason"} <= set(item)
        assert type(item["id"]) is int and type(item["rows"]) is int
        assert item["kind"] in {"setup", "entry", "correction", "import", "demo"}
        assert isinstance(item["source"], str) and item["source"]
        dt.datetime.fromisoformat(item["created_at"])
        assert item["status"] in {"live", "void"}
    [last] = [item for item in history if item["id"] == batch]
    assert (last["id"], last["kind"], last["status"], last["reason"], last["rows"]) == (
        batch,
        "entry",
        "void",
        "test entry",
        1,
    )
    assert last["created_by"] == "乌云"
    assert "M01" in last["source"]
    assert history[0]["status"] == "live" and history[0]["reason"] is None


def test_human_tables_show_money_for_people(run: Run, market: Ledger) -> None:
    ok(run("sale", "add", "2025-26:1", "M01", "meat", "12800.5"))
    ok(run("sale", "add", "2025-26:1", "D01", "dairy", "1.5万"))
    sales = ok(run("sale", "list", "2025-26:1")).stdout
    assert "¥12,800.50" in sales and "¥15,000.00" in sales and "¥27,800.50" in sales
    sessions = ok(run("session", "list", "2025-26")).stdout
    assert "2025-26:1" in sessions and "¥27,800.50" in sessions
    assert "敖日格勒家冬储肉" in sales


def test_empty_lists_are_empty_json_arrays(run: Run) -> None:
    for args in (("season", "list"), ("township", "list"), ("stall", "list"), ("history",)):
        assert as_json(run(*args, "--json")) == []
    assert len(as_json(run("category", "list", "--json"))) == 6


# --- refusals: exit 1, one Error line naming the value, nothing written -------------------

REFUSALS = [
    (("stall", "add", "X99"), "--name"),
    (("void", "1"), "--reason"),
    (("sale", "add", "2025-26:1", "F01", "food"), "amount"),
    (("sale", "add", "2025-26:1", "F01", "food", "١٢٣"), "١٢٣"),
    (("sale", "add", "2025-26:1", "F01", "food", "12.345"), "12.345"),
    (("sale", "add", "2025-26:1", "F01", "food", "--", "-5"), "-5"),
    (("sale", "add", "2025-26:1", "F01", "food", "-5"), "-5"),
    (("sale", "add", "2025-26:1", "F01", "food", "NaN"), "NaN"),
    (("sale", "add", "2025-26:1", "F01", "food", "1e3"), "1e3"),
    (("sale", "add", "2025-26:1", "F01", "food", ""), "''"),
    (("sale", "add", "2025-26:1", "F01", "food", "12 345"), "12 345"),
    (("sale", "add", "2025-26:1", "F01", "food", "10,000,000.01"), "10,000,000.01"),
    (("sale", "add", "2025-26:1", "X99", "food", "100"), "X99"),
    (("sale", "add", "2025-26:1", "F01", "fish", "100"), "fish"),
    (("sale", "add", "2025-26:9", "F01", "food", "100"), "2025-26:9"),
    (("sale", "add", "2025-26:2025-12-06", "F01", "food", "100"), "2025-12-06"),
    (("sale", "add", "2030-31:1", "F01", "food", "100"), "2030-31"),
    (("sale", "add", "2025-26", "F01", "food", "100"), "2025-26"),
    (("sale", "add", "2025-26:1", "M01", "meat", "200"), "M01"),
    (("sale", "add", "2025-26:1", "M01", "冬储肉", "200"), "batch"),
    (("sale", "add", "2025-26:1", "F01", "food", "100", "--qty", "lots"), "lots"),
    (("sale", "list", "2025-26:7"), "2025-26:7"),
    (("session", "add", "2025-26", "--date", "2026-02-07"), "2026-02-07"),
    (("session", "add", "2025-26", "--date", "2025-02-30"), "2025-02-30"),
    (("session", "add", "2025-26", "--date", "2025-11-22"), "2025-11-22"),
    (("session", "add", "2030-31", "--date", "2030-12-07"), "2030-31"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--host", "火星"), "火星"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--count-method", "guess"), "guess"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--visitors", "lots"), "lots"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--visitors", "-5"), "-5"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--visitors", "1.5"), "1.5"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--visitors", "1,2,3"), "1,2,3"),
    (("session", "add", "2025-26", "--date", "2025-12-06", "--temperature", "cold"), "cold"),
    (("session", "set", "2025-26:9", "--visitors", "100"), "2025-26:9"),
    (("session", "set", "2025-26:1", "--host", "火星"), "火星"),
    (("session", "set", "2025-26:1", "--visitors", "many"), "many"),
    (("session", "list", "2030-31"), "2030-31"),
    (("season", "add", "2025-26", "--start", "2025-11-22", "--end", "2026-01-31"), "2025-26"),
    (("season", "add", "2026-27", "--start", "2026-11-21", "--end", "2026-02-30"), "2026-02-30"),
    (("season", "add", "2026-27", "--start", "2027-01-30", "--end", "2026-11-21"), "2027-01-30"),
    (("season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30", "--kind", "polar"), "polar"),
    (("season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30", "--planned", "0"), "0"),
    (("township", "add", "辉苏木"), "辉苏木"),
    (("township", "add", "伊敏苏木", "--kind", "village"), "village"),
    (("stall", "add", "M01", "--name", "again"), "M01"),
    (("stall", "add", "m01", "--name", "again"), "m01"),
    (("stall", "add", "X01", "--name", "x", "--township", "火星"), "火星"),
    (("stall", "add", "X01", "--name", "x", "--category", "fish"), "fish"),
    (("category", "add", "meat", "--zh", "肉2", "--en", "Meat 2"), "meat"),
    (("category", "add", "fish", "--zh", "冬捕鱼", "--en", "Fish", "--alias", "肉"), "肉"),
    (("category", "add", "fish", "--zh", "冬捕鱼", "--en", "Fish", "--alias", "Yu", "--alias", "yu"), "yu"),
    (("void", "999", "--reason", "typo"), "999"),
    (("void", "1", "--reason", "typo"), "1"),
]  # fmt: skip


@pytest.fixture
def stocked(market: Ledger, ledger_path: Path) -> Iterator[Path]:
    market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    yield ledger_path


@pytest.mark.parametrize(("args", "named"), REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_every_refusal_is_one_error_line_and_writes_nothing(
    run: Run, stocked: Path, args: tuple[str, ...], named: str
) -> None:
    before, history = content(stocked), as_json(run("history", "--json"))
    result = run(*args)
    refused(result, named)
    assert result.stdout == ""
    assert content(stocked) == before
    assert as_json(run("history", "--json")) == history


def test_voiding_a_batch_twice_is_refused(run: Run, stocked: Path) -> None:
    batch = as_json(run("history", "--json"))[-1]["id"]
    voided = run("void", batch, "--reason", "typed twice")
    ok(voided)
    assert voided.stdout == f"Voided batch {batch} (1 row): typed twice\n"
    before = content(stocked)
    again = run("void", batch, "--reason", "again")
    refused(again, f"batch {batch}", "already void", "typed twice")
    assert content(stocked) == before
    # the void's time as history shows it (local, to the minute), not a UTC ISO stamp
    conn = sqlite3.connect(stocked)
    (voided_at,) = conn.execute("SELECT voided_at FROM batches WHERE id = ?", (batch,)).fetchone()
    conn.close()
    assert "T" in voided_at and "+" in voided_at  # stored with its offset
    assert local_minute(voided_at) in again.stderr and voided_at not in again.stderr


def test_an_unreadable_batch_number_is_refused_without_a_traceback(run: Run, stocked: Path) -> None:
    before = content(stocked)
    refused(run("void", "99999999999999999999", "--reason", "typo"), "99999999999999999999")
    assert content(stocked) == before


def test_a_duplicate_sale_names_the_existing_batch_and_replace_supersedes_it(
    run: Run, stocked: Path
) -> None:
    first = as_json(run("history", "--json"))[-1]["id"]
    refused(
        run("sale", "add", "2025-26:1", "M01", "meat", "13,000"),
        f"batch {first}",
        "¥12,800.50",
        "--replace",
    )
    replaced = ok(run("sale", "add", "2025-26:1", "M01", "meat", "13,000", "--replace"))
    assert f"batch {first}" in replaced.stdout
    [line] = as_json(run("sale", "list", "2025-26:1", "--json"))
    assert line["amount_yuan"] == Decimal("13000")
    ok(run("void", line["batch"], "--reason", "the first figure was right"))
    [line] = as_json(run("sale", "list", "2025-26:1", "--json"))
    assert line["amount_yuan"] == Decimal("12800.50") and line["batch"] == first


# --- help, version, JSON purity ------------------------------------------------------------


def _command_paths() -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append((path, command))
        if hasattr(command, "list_commands"):  # a group: ask it, as --help does
            context = click.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return found


ENTRY_COMMANDS = [
    "init", "history", "void", "season add", "season list", "township add", "township list",
    "stall add", "stall list", "category add", "category list", "session add", "session set",
    "session list", "sale add", "sale list",
]  # fmt: skip


def test_every_command_has_help_text() -> None:
    paths = {" ".join(path): command for path, command in _command_paths()}
    assert set(ENTRY_COMMANDS) <= set(paths)
    for name, command in paths.items():
        assert (command.help or "").strip(), f"`iddexi {name}` has no help"
        for param in command.params:
            assert (getattr(param, "help", None) or "").strip(), f"{name} {param.name} has no help"
    for name in ENTRY_COMMANDS:
        assert "Example: iddexi" in paths[name].help, f"`iddexi {name}` has no example"


@pytest.mark.parametrize(
    "path", [" ".join(p) for p, _ in _command_paths()], ids=lambda p: p or "iddexi"
)
def test_dash_h_works_like_help(run: Run, path: str, ledger_path: Path) -> None:
    words = path.split()
    long, short = ok(run(*words, "--help")), ok(run(*words, "-h"))
    assert short.stdout == long.stdout
    assert long.stdout.startswith("Usage: ")
    assert "-h, --help" in long.stdout
    assert not ledger_path.exists()  # asking for help creates nothing


def test_version(run: Run) -> None:
    result = ok(run("--version"))
    assert result.stdout.strip() == f"iddexi {__version__}"


JSON_COMMANDS = [
    ("season", "list"),
    ("township", "list"),
    ("stall", "list"),
    ("category", "list"),
    ("session", "list", "2025-26"),
    ("sale", "list", "2025-26:1"),
    ("sale", "list", "2025-26:2025-11-22"),
    ("history",),
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=[" ".join(a) for a in JSON_COMMANDS])
def test_json_output_is_only_a_json_array(run: Run, stocked: Path, args: tuple[str, ...]) -> None:
    result = ok(run(*args, "--json"))
    assert result.stderr == ""
    document = json.loads(result.stdout, parse_float=Decimal)
    assert isinstance(document, list) and document
    for item in document:
        assert all(key == key.lower() and " " not in key for key in item)


def test_an_earlier_session_warns_that_later_numbers_moved(run, market) -> None:
    """SEASON:N is a position by date: a day added before others shifts their numbers."""
    market.add_season("2026-27", dt.date(2026, 11, 21), dt.date(2027, 1, 30))
    assert run("session", "add", "2026-27", "--date", "2026-12-05").exit_code == 0
    result = run("session", "add", "2026-27", "--date", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert "Recorded session 2026-27:1" in result.stdout
    assert "2026-12-05 is 2026-27:2" in result.stderr


def test_a_session_off_the_market_day_is_recorded_with_a_warning(run, market) -> None:
    market.add_season("2026-27", dt.date(2026, 11, 21), dt.date(2027, 1, 30), market_day="sat")
    result = run("session", "add", "2026-27", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Recorded session 2026-27:1 on 2026-11-22.\n"
    assert result.stderr == (
        "Warning: 2026-11-22 is a Sunday; season 2026-27 is held on Saturdays\n"
    )
    # check lists the accepted day as a warning and still passes the ledger
    checked = run("check")
    assert checked.exit_code == 0, checked.output
    assert "2026-11-22 is a Sunday; season 2026-27 is held on Saturdays" in checked.stderr
    assert "Warning: " in checked.stderr and "problem" not in checked.stderr
    document = json.loads(run("check", "--json").stdout)
    assert document["problems"] == [] and [n["kind"] for n in document["notes"]] == ["market-day"]


def test_quantities_come_out_of_json_as_they_went_in(run, market) -> None:
    for stall, qty in (("M01", "0.0125"), ("D01", "123456789.5")):
        result = run("sale", "add", "2025-26:1", stall, "meat", "10", "--qty", qty)
        assert result.exit_code == 0, result.output
    listed = run("sale", "list", "2025-26:1", "--json")
    assert listed.exit_code == 0, listed.output
    lines = json.loads(listed.stdout, parse_float=Decimal)
    assert {x["stall"]: x["quantity"] for x in lines} == {
        "M01": Decimal("0.0125"),
        "D01": Decimal("123456789.5"),
    }


def test_the_chinese_words_of_a_tally_sheet_work_on_the_command_line_too(run, ledger) -> None:
    added = run(
        "season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30",
        "--kind", "冬季", "--market-day", "周六",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert (
        added.stdout
        == "Added season 2026-27 (winter, held on Saturdays, 2026-11-21 … 2027-01-30).\n"
    )
    assert run("township", "add", "辉苏木", "--kind", "苏木").exit_code == 0
    result = run("session", "add", "2026-27", "--date", "2026-11-21", "--count-method", "抽样")
    assert result.exit_code == 0, result.output
    (session,) = json.loads(run("session", "list", "2026-27", "--json").stdout)
    assert session["count_method"] == "sample"
    assert json.loads(run("township", "list", "--json").stdout)[0]["kind"] == "sumu"
    refused = run(
        "season", "add", "x", "--start", "2026-11-21", "--end", "2027-01-30", "--kind", "冬至"
    )
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: season kind '冬至' is not one of winter, spring, summer, autumn "
        "(冬季, 春季, 夏季, 秋季)\n"
    )


def test_history_shows_times_in_the_readers_zone(run, ledger, monkeypatch) -> None:
    import time

    assert run("township", "add", "辉苏木").exit_code == 0
    (batch,) = json.loads(run("history", "--json").stdout)
    made = dt.datetime.fromisoformat(batch["created_at"])
    try:
        monkeypatch.setenv("TZ", "Asia/Shanghai")
        time.tzset()
        table = run("history").stdout
    finally:
        monkeypatch.undo()
        time.tzset()
    shanghai = made.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert shanghai.strftime("%Y-%m-%d %H:%M") in table


def test_a_stall_code_is_one_stall_whatever_its_case(run, market) -> None:
    again = run("stall", "add", "M01", "--name", "x")
    assert again.exit_code == 1
    assert again.stderr.startswith("Error: stall M01 already exists; correct it with")
    assert "iddexi stall edit M01" in again.stderr
    lower = run("stall", "add", "m01", "--name", "x")
    assert lower.stderr.startswith("Error: stall m01 already exists (as M01: codes ignore case)")


def test_replacing_a_line_with_the_same_figures_writes_nothing(run, market) -> None:
    assert run("sale", "add", "2025-26:1", "M01", "meat", "5", "--qty", "2").exit_code == 0
    before = run("history", "--json").stdout
    same = run("sale", "add", "2025-26:1", "M01", "meat", "5.00", "--qty", "2", "--replace")
    assert same.exit_code == 1
    assert "with these very figures; nothing to replace" in same.stderr
    assert run("history", "--json").stdout == before
    other = run("sale", "add", "2025-26:1", "M01", "meat", "5", "--qty", "3", "--replace")
    assert other.exit_code == 0, other.stderr


def test_a_root_option_after_the_command_says_where_it_goes(run, ledger) -> None:
    result = run("season", "list", "--by", "X")  # history --by is a filter
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: No such option: --by (--ledger and --by go before the command: "
        "`iddexi --ledger PATH …`)\n"
    )
