"""A market ready for `iddexi serve`: stalls with cards, an open session, passwords."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from iddexi.ledger.core import Ledger
from iddexi.web.cards import issue_cards
from iddexi.web.server import set_password

ORGANISER_PASSWORD = "organiser-secret-1"
BUREAU_PASSWORD = "bureau-secret-22"
TOKEN_FIELD = re.compile(r'name="(token|csrf)" value="([^"]+)"')


@dataclass
class WebMarket:
    path: Path
    links: dict[str, str]  # stall code -> path of its card link (/s/CODE/SECRET)
    session_ref: str


def build_web_market(path: Path, stalls: int = 3, base: str = "http://127.0.0.1:8000") -> WebMarket:
    """Two winter seasons (last season with a session, for the report), ``stalls`` stalls
    with cards, and this season's session 1 open for keepers."""
    with Ledger.open(path, user="tester") as book:
        book.add_township("巴彦托海镇", "town")
        book.add_township("辉苏木", "sumu")
        book.add_season("2024-25", dt.date(2024, 11, 23), dt.date(2025, 1, 25), planned=10)
        book.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31), planned=11)
        book.add_stall("M01", "敖日格勒家冬储肉", category="meat", township="辉苏木", herder=True)
        book.add_stall("D01", "其其格奶食", category="dairy", township="辉苏木", herder=True)
        for n in range(3, stalls + 1):
            book.add_stall(f"S{n:03d}", f"摊位{n}", category="food")
        book.add_session("2024-25", dt.date(2024, 11, 23), host="巴彦托海镇", visitors=4000)
        book.add_sale("2024-25:1", "M01", "meat", 150_000)
        book.add_session("2025-26", dt.date(2025, 11, 22), host="巴彦托海镇", visitors=9800)
        cards = issue_cards(book, "2025-26", base)
        set_password(book, "organiser", ORGANISER_PASSWORD)
        set_password(book, "bureau", BUREAU_PASSWORD)
    links = {c.code: c.link.removeprefix(base) for c in cards}
    return WebMarket(path, links, "2025-26:1")


def form_token(html: str) -> str:
    found = TOKEN_FIELD.search(html)
    assert found, html[:2000]
    return found.group(2)


class LiveServer:
    """`iddexi serve` as people run it: a child process on a free loopback port."""

    def __init__(self, ledger: Path) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.ledger = ledger
        self.base = f"http://127.0.0.1:{self.port}"
        self.output: list[str] = []
        self.token = ""

    def __enter__(self) -> LiveServer:
        import os
        import subprocess
        import sys
        import time

        env = {**os.environ, "PYTHONUNBUFFERED": "1", "USER": "tester"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "iddexi",
                "--ledger",
                str(self.ledger),
                "serve",
                "--port",
                str(self.port),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=env,
        )
        deadline = time.monotonic() + 30
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line.rstrip("\n"))
            if "one-time sign-in code:" in line:
                self.token = line.rsplit(":", 1)[1].strip()
            if "Ctrl-C" in line:
                break
        assert self.token, "\n".join(self.output)
        self._wait_listening(deadline)
        return self

    def _wait_listening(self, deadline: float) -> None:
        import socket
        import time

        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the server did not start: " + "\n".join(self.output))

    def stop(self) -> int:
        """Ctrl-C, as at the keyboard; the exit code."""
        import signal
        import subprocess

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                rest, _ = self.process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                rest, _ = self.process.communicate()
            self.output += (rest or "").splitlines()
        return self.process.returncode

    def __exit__(self, *exc: object) -> None:
        self.stop()
