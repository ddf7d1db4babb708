"""A writer to kill: enters sales, writes multi-line batches and imports tally files in a loop.

Every batch it writes says in its source what it should hold when whole
(``lines=N total=FEN``), so a checker can tell a whole batch from a torn one. After each
commit the writer appends the batch's tag to ``committed.log``: whatever is logged was
committed before the kill and must be found whole.

Modes: ``atomic`` uses the ledger as the code under test writes it (one transaction per
batch); ``torn`` is the control, a deliberately broken writer that commits the batch row
and then each line on its own, which the harness must catch.

Run as a fork server (fast: the imports are paid once)::

    python crash_driver.py serve LEDGER WORKDIR

reads ``go SEED MODE`` on stdin, forks a worker, prints its pid; after the parent has
killed it, ``reap`` makes the server wait for it and print ``exit CODE`` (``-9`` when
SIGKILL ended it). ``write LEDGER WORKDIR SEED MODE COUNT`` writes COUNT batches in the
foreground instead.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from iddexi.ledger.core import Ledger  # noqa: E402
from iddexi.ledger.errors import IddexiError  # noqa: E402
from iddexi.ledger.sales import SaleLine  # noqa: E402

SEASON = "2025-26"
SESSION_DATES = [dt.date(2025, 11, 22) + dt.timedelta(weeks=w) for w in range(4)]
STALLS = [f"S{n:02d}" for n in range(1, 13)]
CATEGORIES = ["meat", "dairy", "craft", "food", "activity", "other"]
#: What a whole batch holds, as written in its source (an entry, a batch or a file name).
INTENT = re.compile(r"lines=(\d+) total=(\d+)|-n(\d+)-t(\d+)\.csv")


def prepare(path: Path) -> None:
    """The reference data every writer needs: a season, its sessions and stalls."""
    with Ledger.open(path, user="setup") as book:
        book.add_township("巴彦托海镇", "town")
        book.add_season(SEASON, dt.date(2025, 11, 22), dt.date(2026, 1, 31), planned=11)
        for code in STALLS:
            book.add_stall(code, f"摊位{code}", category="meat", township="巴彦托海镇")
        for day in SESSION_DATES:
            book.add_session(SEASON, day, host="巴彦托海镇", visitors=1000)


def intended(source: str) -> tuple[int, int] | None:
    """(lines, total fen) a batch's source says it holds when whole, if it says so."""
    m = INTENT.search(source)
    if not m:
        return None
    n, t = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return int(n), int(t)


def _importer():
    try:
        from iddexi.tally.importer import import_files
    except ImportError:
        return None
    return import_files


def _keys(rng: random.Random, n: int) -> list[tuple[int, str, str]]:
    pool = [(s, st, c) for s in range(1, 5) for st in STALLS for c in CATEGORIES]
    return rng.sample(pool, n)


def _tally_csv(folder: Path, tag: str, lines: list[tuple[int, str, str, int]]) -> Path:
    total = sum(fen for *_, fen in lines)
    path = folder / f"crash-{tag}-n{len(lines)}-t{total}.csv"
    rows = ["season,session,stall,category,amount"]
    rows += [f"{SEASON},{s},{st},{c},{fen // 100}.{fen % 100:02d}" for s, st, c, fen in lines]
    rows.append(f"合计,,,,{total // 100}.{total % 100:02d}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_loop(path: Path, workdir: Path, seed: int, mode: str, count: int | None = None) -> None:
    rng = random.Random(seed)
    import_files = _importer()
    book = Ledger.open(path, user=f"crash-{seed}")
    sessions = {n: book.resolve_session(f"{SEASON}:{n}").id for n in range(1, 5)}
    mine: list[int] = []
    with (workdir / "committed.log").open("a", buffering=1) as log:
        i = 0
        while count is None or i < count:
            i += 1
            tag = f"r{seed}-{i}"
            if mode == "torn":
                _torn_batch(book, rng, tag, sessions)
                log.write(f"{tag}\n")
                continue
            action = rng.choices(
                ["sale", "batch", "import", "void", "session"], weights=[5, 4, 3, 1, 1]
            )[0]
            if action == "import" and import_files is None:
                action = "batch"
            if action == "void" and not mine:
                action = "sale"
            if action == "sale":
                (s, st, c), fen = _keys(rng, 1)[0], rng.randint(0, 2_000_000)
                sale, _ = book.add_sale(
                    f"{SEASON}:{s}",
                    st,
                    c,
                    fen,
                    replace=True,
                    source=f"crash {tag} lines=1 total={fen}",
                )
                mine.append(sale.batch_id)
            elif action == "batch":
                lines = [
                    SaleLine(sessions[s], st, c, rng.randint(0, 2_000_000))
                    for s, st, c in _keys(rng, rng.randint(2, 25))
                ]
                total = sum(ln.amount_fen for ln in lines)
                source = f"crash {tag} lines={len(lines)} total={total}"
                with book.batch("import", source, control_total_fen=total) as bid:
                    clashes = [c for c in map(book.clash_for, lines) if c]
                    book.void_lines([c.sale_id for c in clashes], bid)
                    book.insert_lines(lines, bid)
                mine.append(bid)
            elif action == "import":
                keys = _keys(rng, rng.randint(2, 25))
                csv = _tally_csv(
                    workdir, tag, [(s, st, c, rng.randint(0, 2_000_000)) for s, st, c in keys]
                )
                import_files(book, [csv], replace=True)
            elif action == "void":
                victim = mine.pop(rng.randrange(len(mine)))
                try:
                    book.void(victim, f"crash {tag}")
                except IddexiError:
                    continue  # refused, e.g. it would bring back a line a later batch replaced
                tag = f"{tag} void {victim}"
            elif action == "session":
                book.set_session(
                    f"{SEASON}:{rng.randint(1, 4)}",
                    visitors=rng.randint(0, 50_000),
                    source=f"crash {tag} set",
                )
            log.write(f"{tag}\n")
    book.close()


def _torn_batch(book: Ledger, rng: random.Random, tag: str, sessions: dict[int, int]) -> None:
    lines = [SaleLine(sessions[s], st, c, rng.randint(1, 2_000_000)) for s, st, c in _keys(rng, 20)]
    total = sum(ln.amount_fen for ln in lines)
    source = f"torn {tag} lines={len(lines)} total={total}"
    with book.batch("import", source, control_total_fen=total) as bid:
        pass  # the batch row lands alone ...
    for line in lines:  # ... and each line in its own transaction: the bug to catch
        with book.transaction():
            # superseding what it clashes with, as the atomic writer does, so that a torn
            # batch is the only thing wrong with this writer
            clash = book.clash_for(line)
            if clash:
                book.void_lines([clash.sale_id], bid)
            book.conn.execute(
                "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
                " VALUES (?, ?, ?, ?, ?)",
                (bid, line.session_id, line.stall, line.category, line.amount_fen),
            )
        time.sleep(0.001)


def serve(path: Path, workdir: Path) -> None:
    _importer()  # pay for the importer's imports once, before forking writers
    for command in sys.stdin:
        word, *args = command.split()
        if word != "go":
            continue
        seed, mode = int(args[0]), args[1]
        pid = os.fork()
        if pid == 0:  # the worker: write until killed
            code = 0
            try:
                write_loop(path, workdir, seed, mode)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            os._exit(code)
        print(pid, flush=True)
        sys.stdin.readline()  # "reap": the parent has sent its SIGKILL
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    what, ledger, folder, *rest = sys.argv[1:]
    if what == "serve":
        serve(Path(ledger), Path(folder))
    else:
        write_loop(Path(ledger), Path(folder), int(rest[0]), rest[1], int(rest[2]))
