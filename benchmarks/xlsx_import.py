"""Benchmark: a 100,000-line filled tally template (.xlsx) imported, against openpyxl's
public read-only API only reading its cells (issue 12, item 3: target ≤ 2×).

Both sides run in a fresh process each time (imports included on both sides), alternated
so that machine noise hits both alike, after one unmeasured warm-up each. The iddexi side
imports into a fresh copy of a sale-free ledger (copying is not timed). Prints each
median, the ratio and the target.

    .venv/bin/python benchmarks/xlsx_import.py                 # 100,000 lines, 5 runs
    .venv/bin/python benchmarks/xlsx_import.py --lines 20000 --runs 3
    .venv/bin/python benchmarks/xlsx_import.py --profile       # cProfile of one import
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
_script = Path(PYTHON).parent / "iddexi"
IDDEXI = [str(_script)] if _script.exists() else [PYTHON, "-m", "iddexi"]
CATEGORIES = ("meat", "dairy", "craft", "food", "other")
SESSION_DATE = dt.date(2025, 12, 6)
TARGET = 2.0

BASELINE = r"""
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1], read_only=True)
cells = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        cells += len(row)
wb.close()
print(cells)
"""


def build(work: Path, lines: int) -> tuple[Path, Path]:
    """A sale-free ledger with the stalls, and the filled template of ``lines`` lines."""
    from openpyxl import Workbook

    from iddexi.ledger.core import Ledger
    from iddexi.tally.importer import import_files

    stalls = -(-lines // len(CATEGORIES))
    ledger_path = work / "ledger.sqlite"
    book = work / f"tally-{lines}-shared.xlsx"
    if ledger_path.exists() and book.exists():
        return ledger_path, book
    ledger_path.unlink(missing_ok=True)
    roster = work / "stalls.csv"
    with roster.open("w", encoding="utf-8") as fh:
        fh.write("code,name,township\n")
        for i in range(stalls):
            fh.write(f"S{i:06d},摊位{i},辉苏木\n")
    ledger = Ledger.open(ledger_path)
    ledger.add_township("辉苏木", "sumu")
    ledger.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31), planned=11)
    import_files(ledger, [roster])
    ledger.close()

    # normal mode, as Excel/WPS save: shared strings and a <dimension>, not inline strings
    wb = Workbook()
    wb.remove(wb.active)
    session = wb.create_sheet("场次")
    session.append(["赛季\nSeason", "日期\nDate", "承办单位\nHost", "游客人次\nVisitors"])
    session.append(["2025-26", SESSION_DATE, "辉苏木", 12000])
    sales = wb.create_sheet("销售")
    sales.append(
        [
            "摊位编号\nStall",
            "摊位名称\nStall name",
            "类别\nCategory",
            "金额(元)\nAmount (yuan)",
            "数量\nQuantity",
            "单位\nUnit",
            "备注\nNote",
        ]
    )
    total = 0
    for n in range(lines):
        stall, category = divmod(n, len(CATEGORIES))
        fen = 1000 + (n * 7919) % 5_000_000
        total += fen
        quantity = (n % 40) + 1 if category == 0 else None
        sales.append(
            [
                f"S{stall:06d}",
                f"摊位{stall}",
                CATEGORIES[category],
                fen / 100,
                quantity,
                "kg" if quantity else None,
                None,
            ]
        )
    sales.append(["合计", None, None, total / 100, None, None, None])
    wb.save(book)
    return ledger_path, book


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the child's own CPU time (user + system) of ``cmd``."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        err.seek(0)
        errors = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{errors[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="cProfile one import instead")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.gettempdir()) / "iddexi-bench-xlsx"
    work.mkdir(parents=True, exist_ok=True)
    ledger_path, book = build(work, args.lines)
    copy = work / "run.sqlite"

    def ours() -> tuple[float, float]:
        shutil.copyfile(ledger_path, copy)
        return timed([*IDDEXI, "--ledger", str(copy), "tally", "import", str(book)])

    def baseline() -> tuple[float, float]:
        return timed([PYTHON, "-c", BASELINE, str(book)])

    if args.profile:
        shutil.copyfile(ledger_path, copy)
        cmd = [PYTHON, "-m", "cProfile", "-s", "tottime", "-m", "iddexi"]
        subprocess.run([*cmd, "--ledger", str(copy), "tally", "import", str(book)], check=False)
        return

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "iddexi"), quiet=1)
    ours(), baseline()  # warm-up: files in the page cache, bytecode compiled
    mine, theirs = [], []
    for _ in range(args.runs):
        mine.append(ours())
        theirs.append(baseline())
    a, b = (statistics.median(w for w, _cpu in runs) for runs in (mine, theirs))
    cpu_a, cpu_b = (statistics.median(cpu for _w, cpu in runs) for runs in (mine, theirs))
    print(
        f"xlsx import, {args.lines:,} lines ({book.stat().st_size / 2**20:.1f} MB), "
        f"median of {args.runs}"
    )
    print(f"  iddexi tally import            {a:7.2f} s  (CPU {cpu_a:.2f} s)")
    print(f"  openpyxl read-only, cells only {b:7.2f} s  (CPU {cpu_b:.2f} s)")
    verdict = "ok" if a / b <= TARGET else "OVER"
    print(f"  ratio {a / b:.2f}×  (target ≤ {TARGET}×)  {verdict};  CPU ratio {cpu_a / cpu_b:.2f}×")


if __name__ == "__main__":
    main()
