"""Measure iddexi against the plainest code doing the same job (issue 6's four ratios).

Each row runs the iddexi command and its baseline alternately, each in a fresh process,
after one unmeasured warm-up of each, and reports the medians side by side:

  (a) `iddexi sale add` on the 1M-line ledger ÷ baseline_sale_add.py      target ≤ 1.5×
  (b) `iddexi tally import` of a 100k-line CSV ÷ baseline_import.py         target ≤ 2.5×
  (c) `iddexi report season S --json --no-files` on the 1M-line ledger
      ÷ baseline_report.py (the report's own SELECTs, recorded, replayed)  target ≤ 2×
      and the report's peak memory (ru_maxrss)                             target ≤ 250 MB
  (d) `iddexi demo` (workbook and charts)
      ÷ python -c "import pandas, matplotlib.pyplot, openpyxl"             target ≤ 2×
  (e) `iddexi report season S` with its workbook and five charts
      ÷ baseline_report_files.py (its raw lines, openpyxl write-only)      target ≤ 1.5×
      and its peak memory                                                  target ≤ 250 MB
  (f) `iddexi report year Y --json --no-files` on the 1M-line ledger
      ÷ baseline_report.py (the year report's own SELECTs, replayed)       target ≤ 2×

A command that is not built yet shows "not available" and the reason.

    .venv/bin/python benchmarks/run.py                 # full sizes, 7 runs each
    .venv/bin/python benchmarks/run.py --quick         # ~100k-line ledger, 10k-line CSV
    .venv/bin/python benchmarks/run.py --only a,c --runs 11
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import make_ledger  # noqa: E402  (benchmarks/ is not a package)
from make_ledger import Shape  # noqa: E402

PYTHON = sys.executable
_script = Path(PYTHON).parent / "iddexi"
IDDEXI = [str(_script)] if _script.exists() else [PYTHON, "-m", "iddexi"]
REPORT_SEASON = "2025-26"
SALE_SESSION_NUMBER = 3  # `sale add 2025-26:3 …`, the form organisers type
SALE_CATEGORY = "other"  # the generator fills categories 1-5; `other` is free for new lines

# Records every SELECT the report sends to SQLite, with its parameters bound.
CAPTURE = r"""
import json, sqlite3, sys
out = sys.argv[1]
statements = []
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.set_trace_callback(statements.append)
    return conn
sqlite3.connect = connect
sys.argv = ["iddexi"] + sys.argv[2:]
from iddexi.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
keep = [s for s in statements
        if s.lstrip().upper().startswith(("SELECT", "WITH")) and "sqlite_master" not in s]
with open(out, "w", encoding="utf-8") as fh:
    json.dump(keep, fh)
sys.exit(code)
"""


class NotAvailable(Exception):
    """The command under test is not built (yet) or failed."""


@dataclass
class Run:
    seconds: float
    cpu: float
    maxrss_kb: int
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Row:
    label: str
    goal: float
    ours: list[Run] = field(default_factory=list)
    base: list[Run] = field(default_factory=list)
    missing: str | None = None
    memory_goal_mb: float | None = None
    show_memory: bool = False

    @property
    def ratio(self) -> float:
        return median(self.ours) / median(self.base)


def median(runs: Sequence[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def median_cpu(runs: Sequence[Run]) -> float:
    return statistics.median(r.cpu for r in runs)


def peak_mb(runs: Sequence[Run]) -> float:
    return max(r.maxrss_kb for r in runs) / 1024


def run(cmd: Sequence[str], *, cwd: Path | None = None) -> Run:
    """Run ``cmd`` in a fresh process; wall time and the child's own peak RSS."""
    env = dict(os.environ)
    env.pop("IDDEXI_LEDGER", None)
    env.setdefault("USER", "benchmark")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def checked(result: Run, what: str) -> Run:
    if result.returncode != 0:
        lines = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()
        raise NotAvailable(f"{what} exited {result.returncode}: {lines[-1][:120]}")
    return result


def compare(
    row: Row,
    runs: int,
    ours: Callable[[int], Sequence[str] | tuple[Sequence[str], Path | None]],
    base: Callable[[int], Sequence[str] | tuple[Sequence[str], Path | None]],
    prepare: Callable[[int], None] | None = None,
) -> Row:
    """Warm up once each (index 0, not counted), then alternate ours/baseline ``runs`` times.

    ``ours(i)``/``base(i)`` give the command (optionally with a cwd) for run ``i``;
    ``prepare(i)`` runs untimed before each command of run ``i``.
    """

    def one(make: Callable[[int], object], i: int, what: str) -> Run:
        if prepare:
            prepare(i)
        made = make(i)
        cmd, cwd = made if isinstance(made, tuple) else (made, None)
        return checked(run(cmd, cwd=cwd), what)

    try:
        one(ours, 0, "iddexi")
    except NotAvailable as exc:
        row.missing = str(exc)
        return row
    try:
        one(base, 0, "baseline")
        for i in range(1, runs + 1):
            row.ours.append(one(ours, i, "iddexi"))
            row.base.append(one(base, i, "baseline"))
    except NotAvailable as exc:
        row.missing = f"{exc} (run {len(row.ours) + 1})"
    return row


def has_command(*words: str) -> str | None:
    """None if ``iddexi WORDS --help`` works, else why not."""
    result = run([*IDDEXI, *words, "--help"])
    if result.returncode == 0:
        return None
    return f"`iddexi {' '.join(words)}` is not built yet"


# --- the four rows -----------------------------------------------------------------------
def bench_sale_add(work: Path, shape: Shape, runs: int) -> Row:
    row = Row(f"(a) sale add, {shape.lines:,}-line ledger", 1.5)
    source = make_ledger.ensure_ledger(work, shape)
    ledger = work / "run-sale-add.sqlite"
    copy_ledger(source, ledger)
    conn = sqlite3.connect(ledger)
    date = conn.execute(
        "SELECT date FROM sessions WHERE season = ? ORDER BY date LIMIT 1 OFFSET ?",
        (REPORT_SEASON, SALE_SESSION_NUMBER - 1),
    ).fetchone()[0]
    conn.close()
    stalls = shape.stall_codes()
    if len(stalls) < 2 * (runs + 1):
        raise SystemExit(f"need at least {2 * (runs + 1)} stalls for {runs} runs")
    ref = f"{REPORT_SEASON}:{SALE_SESSION_NUMBER}"
    return compare(
        row,
        runs,
        lambda i: (
            [*IDDEXI, "--ledger", str(ledger), "sale", "add", ref]
            + [stalls[2 * i], SALE_CATEGORY, "1,234.50"]
        ),
        lambda i: (
            [PYTHON, str(HERE / "baseline_sale_add.py"), str(ledger), REPORT_SEASON]
            + [date, stalls[2 * i + 1], SALE_CATEGORY, "1234.50"]
        ),
    )


def bench_import(work: Path, shape: Shape, runs: int, lines: int) -> Row:
    row = Row(f"(b) tally import, {lines:,}-line CSV", 2.5, show_memory=True)
    why = has_command("tally", "import")
    if why:
        row.missing = why
        return row
    csv_path = make_ledger.ensure_csv(work, shape, lines)
    source = make_ledger.ledger_file(work, shape, sales=False)
    ledger = work / "run-import.sqlite"
    return compare(
        row,
        runs,
        lambda i: [*IDDEXI, "--ledger", str(ledger), "tally", "import", str(csv_path)],
        lambda i: [PYTHON, str(HERE / "baseline_import.py"), str(ledger), str(csv_path)],
        prepare=lambda i: copy_ledger(source, ledger),
    )


def bench_report(work: Path, shape: Shape, runs: int) -> Row:
    row = Row(
        f"(c) report season --json --no-files, {shape.lines:,} lines", 2.0, memory_goal_mb=250
    )
    return _bench_replayed(work, shape, runs, row, ["season", REPORT_SEASON])


def bench_year(work: Path, shape: Shape, runs: int) -> Row:
    # the calendar year holding the January of one season and the opening of the next
    year = REPORT_SEASON[:4]
    row = Row(f"(f) report year {year} --json --no-files, {shape.lines:,} lines", 2.0)
    return _bench_replayed(work, shape, runs, row, ["year", year])


def _bench_replayed(work: Path, shape: Shape, runs: int, row: Row, report: list[str]) -> Row:
    """A report command against the replay of the very SELECTs it sent to SQLite."""
    why = has_command("report", report[0])
    if why:
        row.missing = why
        return row
    ledger = work / "run-report.sqlite"
    copy_ledger(make_ledger.ensure_ledger(work, shape), ledger)
    args = ["--ledger", str(ledger), "report", *report, "--json", "--no-files"]
    statements = work / f"report-{report[0]}-statements.json"
    try:
        checked(run([PYTHON, "-c", CAPTURE, str(statements), *args]), "iddexi report")
    except NotAvailable as exc:
        row.missing = str(exc)
        return row
    count = len(json.loads(statements.read_text(encoding="utf-8")))
    row.label += f" ({count} SELECTs)"
    return compare(
        row,
        runs,
        lambda i: [*IDDEXI, *args],
        lambda i: [PYTHON, str(HERE / "baseline_report.py"), str(ledger), str(statements)],
    )


def bench_report_files(work: Path, shape: Shape, runs: int) -> Row:
    row = Row(
        f"(e) report season with its workbook and charts, one season of {shape.lines // shape.seasons:,} lines",
        1.5,
        memory_goal_mb=250,
    )
    why = has_command("report", "season")
    if why:
        row.missing = why
        return row
    ledger = work / "run-report.sqlite"
    copy_ledger(make_ledger.ensure_ledger(work, shape), ledger)
    seasons = shape.season_codes()
    previous = seasons[seasons.index(REPORT_SEASON) - 1]
    out = work / "run-report-files"

    def fresh(i: int) -> None:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)

    return compare(
        row,
        runs,
        lambda i: (
            [*IDDEXI, "--ledger", str(ledger), "report", "season", REPORT_SEASON]
            + ["--out", str(out)]
        ),
        lambda i: (
            [PYTHON, str(HERE / "baseline_report_files.py"), str(ledger)]
            + [str(out / "lines.xlsx"), REPORT_SEASON, previous]
        ),
        prepare=fresh,
    )


def bench_demo(work: Path, runs: int) -> Row:
    row = Row("(d) demo: ledger, workbook and charts", 2.0)
    folder = work / "run-demo"

    def fresh(i: int) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    return compare(
        row,
        runs,
        lambda i: ([*IDDEXI, "demo"], folder),
        lambda i: ([PYTHON, "-c", "import pandas, matplotlib.pyplot, openpyxl"], folder),
        prepare=fresh,
    )


def copy_ledger(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


# --- output -------------------------------------------------------------------------------
def table(rows: list[Row], runs: int, quick: bool = False) -> str:
    head = [
        f"iddexi benchmarks: median of {runs} runs each, fresh process per run "
        f"({time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs)",
        "",
        "| benchmark | iddexi | baseline | ratio | target | | CPU ratio |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    lines = list(head)
    for row in rows:
        if row.missing:
            lines.append(f"| {row.label} | not available | | | ≤ {row.goal:g}× | {row.missing} | |")
            continue
        ok = "ok" if row.ratio <= row.goal else "OVER"
        lines.append(
            f"| {row.label} | {median(row.ours):.3f} s | {median(row.base):.3f} s "
            f"| {row.ratio:.2f}× | ≤ {row.goal:g}× | {ok} "
            f"| {median_cpu(row.ours) / median_cpu(row.base):.2f}× |"
        )
        if row.memory_goal_mb or row.show_memory:
            mb = peak_mb(row.ours)
            goal, ok = "", ""
            if row.memory_goal_mb:
                goal = f"≤ {row.memory_goal_mb:g} MB"
                ok = "ok" if mb <= row.memory_goal_mb else "OVER"
            lines.append(
                f"| {row.label[:3]} peak memory (max RSS) | {mb:.0f} MB "
                f"| {peak_mb(row.base):.0f} MB | | {goal} | {ok} | |"
            )
    lines += [
        "",
        "ratio: median wall time ÷ baseline's; CPU ratio: the same for the child's user+sys",
        "CPU time, which other load on the machine disturbs less.",
    ]
    if quick:
        lines.append(
            "--quick: sizes below the issue's, so start-up dominates; the targets apply to full runs."
        )
    return "\n".join(lines)


def compile_package() -> None:
    """Byte-compile iddexi once, as installing a wheel does.

    An editable install with PYTHONDONTWRITEBYTECODE set (or a read-only checkout) would
    otherwise compile every module it imports from source on every start: ~50 ms that no
    installed copy pays, and most of a start-up-bound row like (a) or (f).
    """
    import compileall

    compileall.compile_dir(str(HERE.parent / "iddexi"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~100k-line ledger, 10k-line CSV")
    parser.add_argument("--runs", type=int, default=None, help="measured runs (default 7, quick 5)")
    parser.add_argument("--only", default="a,b,c,d,e,f", help="rows to run, e.g. a,c")
    parser.add_argument("--workdir", type=Path, default=make_ledger.DEFAULT_WORKDIR)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 7)
    if runs < 5:
        print("note: fewer than 5 runs; the issue asks for a median of ≥ 5", file=sys.stderr)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    benches: dict[str, Callable[[], Row]] = {}
    unknown = only - set("abcdef")
    if unknown:
        parser.error(f"--only takes a, b, c, d, e, f; got {', '.join(sorted(unknown))}")
    shape = Shape(stalls=90 if args.quick else 900, seed=args.seed)
    csv_lines = 10_000 if args.quick else 100_000
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)

    benches = {
        "a": lambda: bench_sale_add(work, shape, runs),
        "b": lambda: bench_import(work, shape, runs, csv_lines),
        "c": lambda: bench_report(work, shape, runs),
        "d": lambda: bench_demo(work, runs),
        "e": lambda: bench_report_files(work, shape, runs),
        "f": lambda: bench_year(work, shape, runs),
    }
    compile_package()
    rows = []
    for key in sorted(only):
        print(f"running ({key}) …", file=sys.stderr)
        rows.append(benches[key]())
    print(table(rows, runs, args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
