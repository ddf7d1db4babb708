"""The demo data (ledgers/demo) imports through `tally import` and gives the report's figures."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "ledgers" / "demo"


def manifest() -> dict:
    return tomllib.loads((DEMO / "manifest.toml").read_text(encoding="utf-8"))


def demo_files() -> list[Path]:
    files = manifest()["files"]
    names = [files["townships"], files["stalls"], files["sessions"], *files["sales"]]
    return [DEMO / name for name in names]


def seasons_csv(folder: Path) -> Path:
    """The manifest's seasons as a seasons table (code, start, end, kind, planned, …)."""
    lines = ["code,start,end,kind,planned,market_day,name"]
    for s in manifest()["season"]:
        lines.append(
            f"{s['code']},{s['start']},{s['end']},{s['kind']},{s['planned']},"
            f"{s['market_day']},{s['name']}"
        )
    path = folder / "seasons.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def revenue_to(run, season: str, last_day: str) -> tuple[Decimal, int, Decimal]:
    """Revenue, visitors and meat sales of a season's sessions up to ``last_day``."""
    sessions = json.loads(run("session", "list", season, "--json").stdout, parse_float=Decimal)
    revenue, visitors, meat = Decimal(0), 0, Decimal(0)
    for session in sessions:
        if session["date"] <= last_day:
            revenue += session["revenue_yuan"]
            visitors += session["visitors"]
            lines = json.loads(
                run("sale", "list", session["session"], "--json").stdout, parse_float=Decimal
            )
            meat += sum(x["amount_yuan"] for x in lines if x["category"] == "meat")
    return revenue, visitors, meat


def test_the_demo_files_import_in_manifest_order_and_give_the_published_figures(
    ledger, run, tmp_path: Path
) -> None:
    files = [seasons_csv(tmp_path), *demo_files()]
    result = run("tally", "import", *files)
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert [line.split(":")[0] for line in out] == [f.name for f in files]
    assert out[1].startswith("townships.csv: townships, 10 rows")
    assert out[2].startswith("stalls.csv: stalls, 46 rows")
    assert out[3].startswith("sessions.csv: sessions, 21 rows")
    assert sum(1 for b in ledger.history() if b.kind == "import") == len(files)

    revenue, visitors, meat = revenue_to(run, "2025-26", "2025-12-06")
    assert revenue == Decimal("549000.00")
    assert visitors == 30_000
    assert meat == Decimal("416000.00")
    assert revenue_to(run, "2024-25", "2024-12-06")[0] == Decimal("148000.00")
    assert len(ledger.sessions("2025-26")) == 11

    again = run("tally", "import", *files)
    assert again.exit_code == 0, again.stderr
    assert all("already imported as batch" in line for line in again.stdout.splitlines())


def test_the_demo_files_one_command_at_a_time(ledger, run, tmp_path: Path) -> None:
    for season in manifest()["season"]:
        added = run(
            "season",
            "add",
            season["code"],
            "--start",
            season["start"],
            "--end",
            season["end"],
            "--planned",
            str(season["planned"]),
        )
        assert added.exit_code == 0, added.stderr
    for path in demo_files():
        result = run("tally", "import", path)
        assert result.exit_code == 0, (path.name, result.stderr)
    assert revenue_to(run, "2025-26", "2025-12-06")[0] == Decimal("549000.00")
