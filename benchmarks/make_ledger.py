"""Synthetic ledgers and sales CSVs for the benchmarks (not part of the test suite).

The ledger is created by ``iddexi.ledger.core.Ledger.open`` so it has the real schema,
then filled directly with ``executemany`` in one transaction (about a million lines in
a few seconds). Everything is deterministic for a given seed.

    python benchmarks/make_ledger.py                       # 20 × 11 × 900 × 5 ≈ 1M lines
    python benchmarks/make_ledger.py --stalls 90           # ≈ 100k lines
    python benchmarks/make_ledger.py --csv                 # 100k-line sales CSV + its ledger

Files are cached under ``--workdir`` (default: iddexi-bench in the system temp folder), never in the repository.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKDIR = Path(
    os.environ.get("IDDEXI_BENCH_DIR", Path(tempfile.gettempdir()) / "iddexi-bench")
)
CATEGORIES = ("meat", "dairy", "craft", "food", "activity", "other")
TOWNSHIPS = (
    ("巴彦托海镇", "town"),
    ("大雁镇", "town"),
    ("伊敏河镇", "town"),
    ("红花尔基镇", "town"),
    ("锡尼河东苏木", "sumu"),
    ("锡尼河西苏木", "sumu"),
    ("巴彦塔拉乡", "township"),
    ("辉苏木", "sumu"),
    ("伊敏苏木", "sumu"),
    ("巴彦嵯岗苏木", "sumu"),
)
THEMES = ("冬储肉节", "非遗展演", "冰雪乐园", "那达慕", "篝火晚会", "奶食品节")
#: Bump when the generated content changes, so cached files are rebuilt.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Shape:
    """How big a synthetic ledger is: seasons × sessions × stalls × categories lines."""

    seasons: int = 20
    sessions: int = 11
    stalls: int = 900
    categories: int = 5
    seed: int = 1

    @property
    def lines(self) -> int:
        return self.seasons * self.sessions * self.stalls * self.categories

    def tag(self) -> str:
        return (
            f"v{GENERATOR_VERSION}-s{self.seasons}x{self.sessions}x{self.stalls}"
            f"x{self.categories}-seed{self.seed}"
        )

    def season_codes(self) -> list[str]:
        last = 2025
        return [f"{y}-{(y + 1) % 100:02d}" for y in range(last - self.seasons + 1, last + 1)]

    def session_dates(self, season: str) -> list[dt.date]:
        year = int(season[:4])
        first = dt.date(year, 11, 22)
        first += dt.timedelta(days=(5 - first.weekday()) % 7)  # first Saturday
        return [first + dt.timedelta(weeks=k) for k in range(self.sessions)]

    def stall_codes(self) -> list[str]:
        return [f"S{i:04d}" for i in range(1, self.stalls + 1)]

    def category_codes(self) -> list[str]:
        if not 1 <= self.categories <= len(CATEGORIES):
            raise SystemExit(f"--categories must be 1 … {len(CATEGORIES)}")
        return list(CATEGORIES[: self.categories])


def _schema_version() -> int:
    from iddexi.ledger.migrations import SCHEMA_VERSION

    return SCHEMA_VERSION


def ledger_file(workdir: Path, shape: Shape, *, sales: bool = True) -> Path:
    kind = "ledger" if sales else "reference"
    return workdir / f"{kind}-{shape.tag()}-schema{_schema_version()}.sqlite"


def build_ledger(path: Path, shape: Shape, *, sales: bool = True) -> float:
    """Write a fresh ledger at ``path``; returns the seconds it took."""
    from iddexi.ledger.chain import seal_unsealed
    from iddexi.ledger.core import Ledger

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    rng = random.Random(shape.seed)
    ledger = Ledger.open(tmp, user="benchmark")
    conn = ledger.conn
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN IMMEDIATE")
    created = "2025-12-07T12:00:00+08:00"

    def batch(kind: str, source: str, sha: str | None = None) -> int:
        cur = conn.execute(
            "INSERT INTO batches (kind, source, sha256, created_at, created_by)"
            " VALUES (?, ?, ?, ?, 'benchmark')",
            (kind, source, sha, created),
        )
        return int(cur.lastrowid)

    setup = batch("setup", "benchmarks/make_ledger.py reference data")
    conn.executemany(
        "INSERT INTO townships (name, kind, batch_id) VALUES (?, ?, ?)",
        [(name, kind, setup) for name, kind in TOWNSHIPS],
    )
    categories = shape.category_codes()
    stalls = shape.stall_codes()
    conn.executemany(
        "INSERT INTO stalls (code, name, operator, township, herder, category, batch_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                code,
                f"摊位{code}",
                None,
                TOWNSHIPS[i % len(TOWNSHIPS)][0],
                int(categories[i % len(categories)] == "meat"),
                categories[i % len(categories)],
                setup,
            )
            for i, code in enumerate(stalls)
        ],
    )
    sessions: list[tuple[int, str, dt.date]] = []
    for season in shape.season_codes():
        dates = shape.session_dates(season)
        year = int(season[:4])
        conn.execute(
            "INSERT INTO seasons (code, name, kind, start_date, end_date, planned_sessions,"
            " market_day, batch_id) VALUES (?, ?, 'winter', ?, ?, ?, 'sat', ?)",
            (
                season,
                f"{season} 冬季伊德喜",
                dt.date(year, 11, 15).isoformat(),
                max(dt.date(year + 1, 1, 31), dates[-1]).isoformat(),
                shape.sessions,
                setup,
            ),
        )
        for number, date in enumerate(dates, start=1):
            entry = batch("entry", f"session add {season} {date}")
            cur = conn.execute(
                "INSERT INTO sessions (season, date, batch_id) VALUES (?, ?, ?)",
                (season, date.isoformat(), entry),
            )
            session_id = int(cur.lastrowid)
            conn.execute(
                "INSERT INTO session_revisions (session_id, batch_id, host, theme, visitors,"
                " count_method, temperature, note) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    session_id,
                    entry,
                    TOWNSHIPS[(number - 1) % len(TOWNSHIPS)][0],
                    THEMES[(number - 1) % len(THEMES)],
                    rng.randrange(1_000, 8_000),
                    "estimate",
                    str(-rng.randrange(5, 35)),
                ),
            )
            sessions.append((session_id, season, date))
    if sales:
        sale_id = 0
        per_session = len(stalls) * len(categories)
        pairs = [(s, c) for s in stalls for c in categories]
        for session_id, season, date in sessions:
            sha = hashlib.sha256(f"{shape.tag()} {season} {date}".encode()).hexdigest()
            imported = batch("import", f"synthetic-{season}-{date}.csv", sha)
            amounts = [rng.randrange(0, 200_000) * 10 for _ in range(per_session)]
            conn.executemany(
                "INSERT INTO sales (id, batch_id, session_id, stall, category, amount_fen)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (sale_id + k + 1, imported, session_id, stall, category, amounts[k])
                    for k, (stall, category) in enumerate(pairs)
                ],
            )
            sale_id += per_session
    seal_unsealed(conn)  # the hash chain, as iddexi's own writes leave it
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ledger.close()
    os.replace(tmp, path)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    return time.perf_counter() - started


def ensure_ledger(workdir: Path, shape: Shape, *, sales: bool = True, force: bool = False) -> Path:
    """The cached ledger for ``shape``, built if missing."""
    path = ledger_file(workdir, shape, sales=sales)
    if force or not path.exists():
        seconds = build_ledger(path, shape, sales=sales)
        lines = shape.lines if sales else 0
        print(f"built {path} ({lines:,} lines) in {seconds:.1f} s", file=sys.stderr)
    return path


def csv_file(workdir: Path, shape: Shape, lines: int) -> Path:
    return workdir / f"sales-{lines}-{shape.tag()}.csv"


def write_sales_csv(path: Path, shape: Shape, lines: int) -> list[tuple[str, str, str, str, str]]:
    """A sales CSV in the importer's format (``season,session,stall,category,amount``).

    Rows go session by session from the latest season back, every stall and category,
    until ``lines`` rows; amounts are yuan with two decimals. Returns the rows.
    """
    rng = random.Random(shape.seed + 1)
    rows: list[tuple[str, str, str, str, str]] = []
    categories = shape.category_codes()
    stalls = shape.stall_codes()
    for season in reversed(shape.season_codes()):
        for date in shape.session_dates(season):
            for stall in stalls:
                for category in categories:
                    fen = rng.randrange(0, 200_000) * 10
                    rows.append(
                        (season, date.isoformat(), stall, category, f"{fen // 100}.{fen % 100:02d}")
                    )
                    if len(rows) == lines:
                        break
                if len(rows) == lines:
                    break
            if len(rows) == lines:
                break
        if len(rows) == lines:
            break
    if len(rows) < lines:
        raise SystemExit(f"shape {shape.tag()} has only {len(rows):,} lines; need {lines:,}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("season", "session", "stall", "category", "amount"))
        writer.writerows(rows)
    os.replace(tmp, path)
    return rows


def ensure_csv(workdir: Path, shape: Shape, lines: int, *, force: bool = False) -> Path:
    """The cached sales CSV of ``lines`` rows (and the sale-free ledger it imports into)."""
    ensure_ledger(workdir, shape, sales=False, force=force)
    path = csv_file(workdir, shape, lines)
    if force or not path.exists():
        write_sales_csv(path, shape, lines)
        print(f"wrote {path} ({lines:,} lines)", file=sys.stderr)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--seasons", type=int, default=Shape.seasons)
    parser.add_argument("--sessions", type=int, default=Shape.sessions)
    parser.add_argument("--stalls", type=int, default=Shape.stalls)
    parser.add_argument("--categories", type=int, default=Shape.categories)
    parser.add_argument("--seed", type=int, default=Shape.seed)
    parser.add_argument(
        "--no-sales", action="store_true", help="reference data and sessions only, no sales"
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="write a sales CSV (and the sale-free ledger it imports into) instead",
    )
    parser.add_argument("--csv-lines", type=int, default=100_000)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    shape = Shape(args.seasons, args.sessions, args.stalls, args.categories, args.seed)
    if args.csv:
        path = ensure_csv(args.workdir, shape, args.csv_lines, force=args.force)
        print(path)
        print(ledger_file(args.workdir, shape, sales=False))
    else:
        print(ensure_ledger(args.workdir, shape, sales=not args.no_sales, force=args.force))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
