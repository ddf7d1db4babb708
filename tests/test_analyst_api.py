"""The analyst's API: `iddexi.open(path)` frames agree with what the command line prints."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import Result

import iddexi
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import IddexiError
from tests.test_cli_entry import ok

Run = Callable[..., Result]

SALES = [
    ("2024-25:1", "M01", "meat", "8000"),
    ("2024-25:1", "D01", "dairy", "1200.50"),
    ("2024-25:2", "M01", "meat", "9100"),
    ("2025-26:1", "M01", "meat", "12800.50"),
    ("2025-26:1", "D01", "奶制品", "2300"),
    ("2025-26:1", "F01", "food", "990.01"),
    ("2025-26:2", "M01", "meat", "15000"),
    ("2025-26:2", "F01", "food", "0"),
]


@pytest.fixture
def filled(run: Run, market: Ledger) -> Path:
    for session, stall, category, amount in SALES:
        ok(run("sale", "add", session, stall, category, amount))
    return Path(market.path)


def cli_json(run: Run, *args: str) -> object:
    return json.loads(ok(run(*args)).stdout, parse_float=Decimal)


def test_sessions_frame_matches_session_list(run: Run, filled: Path) -> None:
    with iddexi.open(filled) as led:
        frame = led.sessions("2025-26")
    listed = cli_json(run, "session", "list", "2025-26", "--json")
    assert list(frame["session"]) == [s["session"] for s in listed]
    assert [d.date().isoformat() for d in frame["date"]] == [s["date"] for s in listed]
    assert list(frame["visitors"]) == [s["visitors"] for s in listed]
    assert list(frame["revenue_yuan"]) == [s["revenue_yuan"] for s in listed]
    assert list(frame["revenue_fen"]) == [int(s["revenue_yuan"] * 100) for s in listed]
    assert str(frame["revenue_fen"].dtype) == "int64"
    assert all(isinstance(v, Decimal) for v in frame["revenue_yuan"])


def test_lines_frame_adds_up_to_the_report(run: Run, filled: Path) -> None:
    report = cli_json(run, "report", "season", "2025-26", "--json", "--no-files")
    with iddexi.open(filled) as led:
        lines = led.lines("2025-26")
    assert len(lines) == 5
    assert lines["amount_fen"].sum() == int(report["revenue_yuan"] * 100)
    assert sum(lines["amount_yuan"], Decimal(0)) == report["revenue_yuan"]
    dairy = lines[lines["category"] == "dairy"].iloc[0]
    assert (dairy["category_zh"], dairy["category_en"]) == ("奶制品", "Dairy")
    assert (dairy["stall"], dairy["stall_name"], dairy["amount_fen"]) == (
        "D01",
        "其其格奶食",
        230000,
    )
    by_category = lines.groupby("category")["amount_fen"].sum().to_dict()
    assert by_category == {
        code: int(Decimal(str(yuan)) * 100) for code, yuan in report["by_category"].items()
    }


def test_stalls_frame_matches_stall_list(run: Run, filled: Path) -> None:
    ok(run("stall", "edit", "F01", "--herder"))
    with iddexi.open(filled) as led:
        frame = led.stalls()
    listed = cli_json(run, "stall", "list", "--json")
    assert frame[list(listed[0])].to_dict("records") == listed
    assert list(frame.loc[frame["code"] == "M01", "category_zh"]) == ["冬储肉"]
    assert frame["herder"].all()  # F01's edit is read


@pytest.mark.parametrize("align", ["date", "session"])
def test_report_frames_match_report_json(run: Run, filled: Path, align: str) -> None:
    document = cli_json(
        run, "report", "season", "2025-26", "--as-of", "2025-11-29", "--align", align,
        "--json", "--no-files",
    )  # fmt: skip
    with iddexi.open(filled) as led:
        report = led.report("2025-26", as_of="2025-11-29", align=align)
        categories = report.to_frame("categories")
        sessions = report.to_frame("sessions")
        summary = report.to_frame("summary")
    assert report.as_json()["revenue_yuan"] == document["revenue_yuan"]
    assert list(categories["category"]) == [c["category"] for c in document["categories"]]
    assert list(categories["revenue_yuan"]) == [c["revenue_yuan"] for c in document["categories"]]
    assert list(categories["revenue_fen"]) == [
        int(c["revenue_yuan"] * 100) for c in document["categories"]
    ]
    assert "奶制品" in list(categories["category_zh"])
    assert list(sessions["this_session"]) == [p["this"]["session"] for p in document["per_session"]]
    assert list(sessions["this_revenue_yuan"]) == [
        p["this"]["revenue_yuan"] for p in document["per_session"]
    ]
    figures = dict(zip(summary["figure"], summary["value"], strict=True))
    assert figures["revenue_yuan"] == document["revenue_yuan"]
    assert figures["align"] == align
    with pytest.raises(IddexiError):
        report.to_frame("nonsense")


def test_a_missing_ledger_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    with pytest.raises(IddexiError):
        iddexi.open(missing)
    assert not missing.exists()


def test_importing_iddexi_does_not_load_pandas(tmp_path: Path) -> None:
    probe = "import sys, iddexi; print('pandas' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )  # fmt: skip
    assert done.stdout.strip() == "False", done.stderr
