"""Counted visitors: timed gate samples scaled to the open hours, recorded as `sample`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import Result

from iddexi.analysis.visitors import estimate_visitors, round_half_up, season_estimates
from iddexi.ledger.core import Ledger
from iddexi.ledger.gates import GateSample, OpenHours
from tests.test_cli_entry import content, ok, refused

Run = Callable[..., Result]


def session_row(run: Run, ref: str) -> dict:
    sessions = json.loads(ok(run("session", "list", ref.split(":")[0], "--json")).stdout)
    return next(s for s in sessions if s["session"] == ref)


def count(run: Run, *args: str) -> Result:
    return run("session", "count", "2025-26:1", *args)


def test_one_sample_is_scaled_to_the_default_hours(run: Run, market: Ledger) -> None:
    out = ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    # 09:00-15:00 is 360 minutes: 312 × 360 / 20
    assert "5616" in out.stdout
    row = session_row(run, "2025-26:1")
    assert (row["visitors"], row["count_method"]) == (5616, "sample")


def test_gates_are_summed_each_with_its_own_hours(run: Run, market: Ledger) -> None:
    ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    ok(
        count(
            run,
            "--gate",
            "西门",
            "--from",
            "11:00",
            "--minutes",
            "30",
            "--count",
            "100",
            "--hours",
            "10:00-14:00",
        )
    )
    # 5616 + 100 × 240 / 30
    assert session_row(run, "2025-26:1")["visitors"] == 6416
    # two samples at one gate are pooled: (312 + 288) × 360 / 40
    ok(count(run, "--gate", "东门", "--from", "13:00", "--minutes", "20", "--count", "288"))
    assert session_row(run, "2025-26:1")["visitors"] == 5400 + 800


def test_session_hours_rescale_the_estimate_and_voiding_restores_it(
    run: Run, market: Ledger
) -> None:
    ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    out = ok(run("session", "set", "2025-26:1", "--hours", "09:00-16:00"))
    assert "6552" in out.stdout  # 312 × 420 / 20
    assert session_row(run, "2025-26:1")["visitors"] == 6552
    batch = ledger_last_batch(market)
    ok(run("void", str(batch), "--reason", "market closed at 15:00"))
    assert session_row(run, "2025-26:1")["visitors"] == 5616
    # hours set before any sample count for the next one
    ok(run("session", "set", "2025-26:2", "--hours", "10:00-14:00"))
    ok(
        run(
            "session",
            "count",
            "2025-26:2",
            "--gate",
            "南门",
            "--from",
            "10:00",
            "--minutes",
            "60",
            "--count",
            "50",
        )
    )
    assert session_row(run, "2025-26:2")["visitors"] == 200


def ledger_last_batch(ledger: Ledger) -> int:
    return ledger.conn.execute("SELECT max(id) FROM batches").fetchone()[0]


def test_voiding_a_sample_brings_back_the_figure_before_it(run: Run, market: Ledger) -> None:
    ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    first = ledger_last_batch(market)
    ok(count(run, "--gate", "西门", "--from", "10:00", "--minutes", "20", "--count", "10"))
    second = ledger_last_batch(market)
    # the later estimate stands on the first sample: it goes first
    message = refused(run("void", str(first), "--reason", "wrong gate"), str(second))
    assert "first" in message
    ok(run("void", str(second), "--reason", "typo"))
    assert session_row(run, "2025-26:1")["visitors"] == 5616
    ok(run("void", str(first), "--reason", "wrong gate"))
    row = session_row(run, "2025-26:1")
    assert (row["visitors"], row["count_method"]) == (9800, None)  # as first entered


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "10:70", "--minutes", "20", "--count", "5"], "10:70"),
        (["--from", "10:00", "--minutes", "0", "--count", "5"], "0"),
        (["--from", "10:00", "--minutes", "20", "--count", "-5"], "-5"),
        (["--from", "14:50", "--minutes", "20", "--count", "5"], "14:50"),  # past 15:00
        (["--from", "08:00", "--minutes", "20", "--count", "5"], "08:00"),
        (["--from", "10:00", "--minutes", "20", "--count", "5", "--hours", "15-9"], "15-9"),
        (["--from", "10:00", "--minutes", "20", "--count", "5", "--hours", "12:00-11:00"], "12:00"),
    ],
)
def test_a_sample_that_cannot_be_is_refused_and_nothing_written(
    run: Run, market: Ledger, ledger_path: Path, args: list[str], named: str
) -> None:
    before = content(ledger_path)
    refused(count(run, "--gate", "东门", *args), named)
    assert content(ledger_path) == before


def test_an_overlapping_sample_at_the_same_gate_is_refused(
    run: Run, market: Ledger, ledger_path: Path
) -> None:
    ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    before = content(ledger_path)
    refused(
        count(run, "--gate", "东门", "--from", "10:10", "--minutes", "20", "--count", "9"), "东门"
    )
    assert content(ledger_path) == before
    # the same minutes at another gate are a different count
    ok(count(run, "--gate", "西门", "--from", "10:10", "--minutes", "20", "--count", "9"))


def test_hours_that_leave_a_sample_outside_are_refused(
    run: Run, market: Ledger, ledger_path: Path
) -> None:
    ok(count(run, "--gate", "东门", "--from", "14:00", "--minutes", "20", "--count", "312"))
    before = content(ledger_path)
    refused(run("session", "set", "2025-26:1", "--hours", "09:00-12:00"), "14:00")
    assert content(ledger_path) == before


def test_the_estimate_rounds_half_up_only_at_the_end() -> None:
    hours = OpenHours("09:00", "09:03")  # 3 minutes
    samples = [
        GateSample(1, 1, 1, "s:1", dt.date(2025, 11, 22), "A", "09:00", 2, 1, None),  # 1.5
        GateSample(2, 1, 1, "s:1", dt.date(2025, 11, 22), "B", "09:00", 2, 1, None),  # 1.5
    ]
    estimate = estimate_visitors(samples, hours)
    assert estimate.exact == Fraction(3)
    assert estimate.visitors == 3  # not 2 + 2
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(7, 3)) == 2
    assert estimate_visitors(samples[:1], hours).visitors == 2  # 1.5 → 2


def test_the_samples_behind_each_figure_come_out_for_a_report(run: Run, market: Ledger) -> None:
    ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    ok(run("session", "set", "2025-26:1", "--hours", "09:00-16:00"))
    samples = market.gate_samples("2025-26")
    assert [(s.session, s.gate, s.start, s.minutes, s.count) for s in samples] == [
        ("2025-26:1", "东门", "10:00", 20, 312)
    ]
    estimates = season_estimates(samples, market.season_hours("2025-26"))
    document = estimates["2025-26:1"].as_json()
    assert document["visitors"] == session_row(run, "2025-26:1")["visitors"] == 6552
    assert document["hours"] == "09:00-16:00"
    assert document["gates"][0]["open_minutes"] == 420
    assert [(s["gate"], s["from"], s["minutes"], s["count"]) for s in document["samples"]] == [
        ("东门", "10:00", 20, 312)
    ]


def test_gate_samples_import_from_a_sheet(run: Run, market: Ledger, tmp_path: Path) -> None:
    sheet = tmp_path / "客流.csv"
    sheet.write_text(
        "场次,入口,开始,分钟,人数,开放时间\n"
        "2025-26:1,东门,10:00,20,312,\n"
        "2025-26:1,西门,11:00,30,100,10:00-14:00\n"
        "2025-26:2,东门,10:00,20,100,\n",
        encoding="utf-8",
    )
    ok(run("tally", "import", str(sheet)))
    assert session_row(run, "2025-26:1")["visitors"] == 6416
    assert session_row(run, "2025-26:1")["count_method"] == "sample"
    assert session_row(run, "2025-26:2")["visitors"] == 1800
    # the same file again changes nothing
    before = content(Path(market.path))
    ok(run("tally", "import", str(sheet)))
    assert content(Path(market.path)) == before


def test_a_bad_gate_sheet_is_refused_at_its_cell(run: Run, market: Ledger, tmp_path: Path) -> None:
    sheet = tmp_path / "gates.csv"
    sheet.write_text(
        "session,gate,from,minutes,count\n2025-26:1,East,10:00,20,312\n2025-26:1,West,25:00,20,5\n",
        encoding="utf-8",
    )
    before = content(Path(market.path))
    result = run("tally", "import", str(sheet))
    assert result.exit_code == 1
    assert "gates.csv" in result.stderr and "25:00" in result.stderr
    assert content(Path(market.path)) == before


def test_the_report_json_gives_the_samples_behind_a_sampled_count(run: Run, market: Ledger) -> None:
    ok(count(run, "--gate", "东门", "--from", "10:00", "--minutes", "20", "--count", "312"))
    report = json.loads(ok(run("report", "season", "2025-26", "--json", "--no-files")).stdout)
    behind = report["visitor_counting"]["gate_samples"]["2025-26:1"]
    assert behind["method"] == "sample" and behind["visitors"] == 5616
    assert behind["gates"][0] | {"gate": "东门"} == behind["gates"][0]
    assert [s["count"] for s in behind["samples"]] == [312]
    assert report["visitor_counting"]["this"]["sample"] == 1
