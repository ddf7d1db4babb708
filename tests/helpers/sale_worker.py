"""One organiser entering sales: `python sale_worker.py LEDGER W COUNT SUBPROCESSES FOLDER`.

Waits for FOLDER/go (so all organisers start together), then records COUNT sales of
category number W: the first SUBPROCESSES through a real `python -m iddexi` process, the
rest through the CLI in this process (a fresh ledger connection each time, like a
command). Writes FOLDER/worker-W.json with each command's exit code and stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import typer.testing  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from iddexi.cli import app  # noqa: E402

# Typer rebuilds the Click command tree on every invoke (~60 ms); build it once here.
_COMMAND = typer.testing._get_command(app)
typer.testing._get_command = lambda _app: _COMMAND

CATEGORIES = ["meat", "dairy", "craft", "food"]


def amount_fen(worker: int, i: int) -> int:
    return worker * 1_000_000 + i * 10_101 + 1


def main() -> None:
    ledger, worker, count, spawned, folder = sys.argv[1:]
    w, n, k, out = int(worker), int(count), int(spawned), Path(folder)
    runner = CliRunner()
    (out / f"ready-{w}").touch()
    while not (out / "go").exists():
        time.sleep(0.005)
    results = []
    for i in range(n):
        fen = amount_fen(w, i)
        args = [
            "--ledger",
            ledger,
            "--by",
            f"organiser-{w}",
            "sale",
            "add",
            "2025-26:1",
            f"C{i:03d}",
            CATEGORIES[w],
            f"{fen // 100}.{fen % 100:02d}",
        ]
        if i < k:
            done = subprocess.run(
                [sys.executable, "-m", "iddexi", *args], capture_output=True, text=True, cwd=ROOT
            )
            results.append(
                {"i": i, "via": "process", "code": done.returncode, "stderr": done.stderr}
            )
        else:
            done = runner.invoke(app, args)
            results.append(
                {
                    "i": i,
                    "via": "in-process",
                    "code": done.exit_code,
                    "stderr": done.stderr + (repr(done.exception) if done.exit_code else ""),
                }
            )
    (out / f"worker-{w}.json").write_text(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
