"""`iddexi demo`: the bundled data imported into a fresh demo ledger, and its reports."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from iddexi import demo as demo_module
from iddexi.ledger.core import Ledger
from iddexi.ledger.values import parse_yuan


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_builds_the_ledger_and_writes_both_reports(run, tmp_path, ledger_path):
    out = tmp_path / "out"
    result = run("demo", "--out", out, "--whole-season")
    assert result.exit_code == 0, result.stderr
    built = tmp_path / "ledgers" / "demo.sqlite"
    assert built.is_file()
    assert not ledger_path.exists()  # $IDDEXI_LEDGER is the user's ledger: untouched
    assert "3.0万人次" in result.stdout and "54.9万元" in result.stdout
    assert "增长270.9%" in result.stdout and "41.6万元" in result.stdout
    listed = [Path(line.strip()) for line in result.stdout.splitlines() if line.startswith("  /")]
    assert len(listed) == 14 and all(p.is_file() and p.parent == out.resolve() for p in listed)
    names = {p.name for p in listed}
    assert "iddexi-2025-26-as-of-2025-12-06.xlsx" in names
    assert "iddexi-2025-26-as-of-2026-01-31.xlsx" in names
    assert len([n for n in names if n.endswith(".png")]) == 10

    # the reference case, from the data as imported by the tally importer
    doc = run(
        "--ledger", built, "report", "season", "2025-26", "--as-of", "2025-12-06",
        "--json", "--no-files",
    )  # fmt: skip
    assert doc.exit_code == 0, doc.stderr
    figures = json.loads(doc.stdout, parse_float=Decimal)
    assert figures["visitors"] == 30000
    assert figures["revenue_yuan"] == Decimal("549000.00")
    assert figures["last"]["revenue_yuan"] == Decimal("148000.00")
    assert figures["growth"]["revenue_pct"] == Decimal("270.9")
    assert figures["by_category"]["meat"] == Decimal("416000.00")
    assert figures["window"] == {"start": "2025-11-22", "end": "2025-12-06"}
    assert figures["compare_window"] == {"start": "2024-11-23", "end": "2024-11-30"}
    by_session = run(
        "--ledger", built, "report", "season", "2025-26", "--as-of", "2025-12-06",
        "--align", "session", "--json", "--no-files",
    )  # fmt: skip
    assert json.loads(by_session.stdout, parse_float=Decimal)["last"]["revenue_yuan"] == Decimal(
        "232830.00"
    )

    with Ledger.open(built) as ledger:
        first = ledger.history()[0]
        assert (first.kind, first.source) == ("demo", demo_module.DEMO_SOURCE)
        ledger.add_sale("2025-26:1", "M01", "other", parse_yuan("99"))

    # every run starts afresh: the sale added above is gone (the ledger part of a run)
    data = demo_module.DemoManifest.read(demo_module.demo_data_dir())
    demo_module.build_demo_ledger(built, data)
    assert not list(built.parent.glob(".*building*"))
    with Ledger.open(built) as ledger:
        assert sum(s.revenue_fen for s in ledger.sessions("2025-26")[:3]) == 54_900_000


def test_demo_refuses_a_ledger_it_did_not_make(run, tmp_path):
    real = tmp_path / "mine.sqlite"
    with Ledger.open(real) as ledger:
        ledger.add_township("巴彦托海镇", "town")
    before = digest(real)
    result = run("--ledger", real, "demo", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "not made by `iddexi demo`" in result.stderr
    assert digest(real) == before
    assert not (tmp_path / "out").exists()

    junk = tmp_path / "notes.sqlite"
    junk.write_text("not a database", encoding="utf-8")
    result = run("--ledger", junk, "demo")
    assert result.exit_code == 1 and "not made by `iddexi demo`" in result.stderr
    assert junk.read_text(encoding="utf-8") == "not a database"


def test_demo_data_is_found_inside_an_installed_package(tmp_path, monkeypatch):
    import importlib.resources

    package = tmp_path / "site" / "iddexi"
    (package / "demo_data").mkdir(parents=True)
    (package / "demo_data" / "manifest.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(importlib.resources, "files", lambda name: package)
    assert demo_module.demo_data_dir() == package / "demo_data"


def test_source_tree_data_is_the_fallback():
    folder = demo_module.demo_data_dir()
    assert (folder / "manifest.toml").is_file()
    manifest = demo_module.DemoManifest.read(folder)
    assert [p.name for p in manifest.files][:3] == ["townships.csv", "stalls.csv", "sessions.csv"]
    assert all(p.is_file() for p in manifest.files)


@pytest.mark.parametrize("lang", ["fr"])
def test_demo_refuses_an_unknown_language(run, lang, tmp_path):
    result = run("demo", "--lang", lang)
    assert result.exit_code == 1 and "--lang 'fr'" in result.stderr
    assert not (tmp_path / "ledgers").exists()


def test_demo_by_default_writes_the_newspapers_report_and_says_how_to_get_the_rest(run, tmp_path):
    result = run("demo", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "reports" / "demo").iterdir())
    assert len(written) == 7 and all("as-of-2025-12-06" in name for name in written)
    assert "30,000 visits" in result.stdout and "270.9%" in result.stdout
    assert "report season 2025-26" in result.stdout
