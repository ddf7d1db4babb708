"""A stateful property test: random runs of entries, imports, replacements, voids, backups,
restores and reopenings, checked after every step against a model in integer fen.

The model knows only the rules a person is told: a line per session, stall and category;
``--replace`` supersedes the live line; an import is all or nothing; a file whose lines all
match the ledger writes nothing, otherwise its batch holds every line it lists (identical
ones included, superseding the old); the same bytes import once; voiding a batch takes its lines out and brings back
what it superseded (unless a later batch holds that line again); a new line supersedes
every earlier one of its key in a live batch, so voiding the middle of a chain of
corrections brings nothing back. After every step the
ledger's per-session totals, an independent sum over the raw tables, the season report's
figures and the model must agree to the fen, and `iddexi check` must find nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from iddexi.ledger.checks import check_ledger
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import ConflictError, ProblemsError
from iddexi.ledger.integrity import backup_ledger, restore_ledger
from iddexi.reporting import build_season_report
from iddexi.tally.importer import import_files
from tests.helpers.ledger_state import live_totals_from_tables

SESSIONS = ["2025-26:1", "2025-26:2", "2025-26:3", "2024-25:1"]
STALLS = ["M01", "D01", "F01"]
CATEGORIES = ["meat", "dairy", "food"]
Key = tuple[str, str, str]  # session ref, stall, category

keys = st.tuples(st.sampled_from(SESSIONS), st.sampled_from(STALLS), st.sampled_from(CATEGORIES))
fens = st.one_of(st.sampled_from([0, 1, 99, 100_00, 12_800_50]), st.integers(0, 1_000_000_000))


@dataclass
class BatchModel:
    lines: dict[Key, int]
    supersedes: set[tuple[int, Key]] = field(default_factory=set)  # (batch, key) of lines
    sha: str | None = None
    voided: bool = False


@dataclass
class Model:
    batches: dict[int, BatchModel] = field(default_factory=dict)

    def live(self) -> dict[Key, tuple[int, int]]:
        """key → (batch, fen) of the line that counts."""
        dead = {line for b in self.batches.values() if not b.voided for line in b.supersedes}
        out: dict[Key, tuple[int, int]] = {}
        for bid, b in self.batches.items():
            if b.voided:
                continue
            for key, fen in b.lines.items():
                if (bid, key) not in dead:
                    assert key not in out, f"model holds two live lines for {key}"
                    out[key] = (bid, fen)
        return out

    def holding(self, keys: list[Key]) -> set[tuple[int, Key]]:
        """What a new line for each key supersedes: that key's line in every live batch
        (the one that counts and those it superseded before)."""
        wanted = set(keys)
        return {
            (bid, key)
            for bid, b in self.batches.items()
            if not b.voided
            for key in b.lines
            if key in wanted
        }

    def totals(self) -> dict[str, int]:
        sums = dict.fromkeys(SESSIONS, 0)
        for (ref, _, _), (_, fen) in self.live().items():
            sums[ref] += fen
        return sums

    def void_would_revive_a_duplicate(self, bid: int) -> bool:
        trial = copy.deepcopy(self)
        trial.batches[bid].voided = True
        try:
            trial.live()
        except AssertionError:
            return True
        return False


def _csv(lines: dict[Key, int], with_total: bool) -> str:
    rows = ["season,session,stall,category,amount"]
    for (ref, stall, category), fen in lines.items():
        season, number = ref.split(":")
        rows.append(f"{season},{number},{stall},{category},{fen // 100}.{fen % 100:02d}")
    if with_total:
        total = sum(lines.values())
        rows.append(f"合计,,,,{total // 100}.{total % 100:02d}")
    return "\n".join(rows) + "\n"


class LedgerMachine(RuleBasedStateMachine):
    files = Bundle("files")
    backups = Bundle("backups")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="iddexi-state-"))
        self.path = self.folder / "ledger.sqlite"
        self.model = Model()
        self.counter = 0
        book = Ledger.open(self.path, user="model")
        book.add_township("辉苏木", "sumu")
        book.add_season("2024-25", dt.date(2024, 11, 23), dt.date(2025, 1, 25))
        book.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31))
        for code, category in zip(STALLS, CATEGORIES, strict=True):
            book.add_stall(code, f"摊位{code}", category=category, township="辉苏木")
        book.add_session("2024-25", dt.date(2024, 11, 23), visitors=100)
        for week in range(3):
            book.add_session("2025-26", dt.date(2025, 11, 22) + dt.timedelta(weeks=week))
        self.book = book

    def teardown(self) -> None:
        self.book.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize()
    def nothing_yet(self) -> None:
        assert self.model.totals() == dict.fromkeys(SESSIONS, 0)

    # ------------------------------------------------------------------- entries

    @rule(key=keys, fen=fens, replace=st.booleans())
    def enter(self, key: Key, fen: int, replace: bool) -> None:
        held = self.model.live().get(key)
        ref, stall, category = key
        if held and not replace:
            try:
                self.book.add_sale(ref, stall, category, fen)
            except ConflictError:
                return
            raise AssertionError(f"a second line for {key} was accepted")
        if held and held[1] == fen:
            try:
                self.book.add_sale(ref, stall, category, fen, replace=True)
            except ConflictError:
                return  # replacing a line with the same figure changes nothing
            raise AssertionError(f"a replacement of {key} with the same figure was written")
        sale, replaced = self.book.add_sale(ref, stall, category, fen, replace=replace)
        assert (replaced.amount_fen if replaced else None) == (held[1] if held else None)
        batch = BatchModel({key: fen})
        if held:
            batch.supersedes = self.model.holding([key])
        self.model.batches[sale.batch_id] = batch

    # ------------------------------------------------------------------- imports

    @rule(
        target=files,
        lines=st.dictionaries(keys, fens, min_size=1, max_size=6),
        with_total=st.booleans(),
    )
    def write_file(self, lines: dict[Key, int], with_total: bool) -> Path:
        self.counter += 1
        # A totals row over ¥10,000,000 is refused like a line over it (see the report).
        with_total = with_total and sum(lines.values()) <= 1_000_000_000
        path = self.folder / f"tally-{self.counter}.csv"
        path.write_text(_csv(lines, with_total), encoding="utf-8")
        return path

    @rule(
        target=files,
        path=files,
        more=st.dictionaries(keys, fens, min_size=1, max_size=3),
    )
    def write_fuller_file(self, path: Path, more: dict[Key, int]) -> Path:
        """An organiser's second sheet: the lines of an earlier one and some more."""
        return self.write_file(_parse(path) | more, with_total=False)

    @rule(path=files, replace=st.booleans())
    def import_file(self, path: Path, replace: bool) -> None:
        """Import a file (again, if it was imported before)."""
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        lines = _parse(path)
        live = self.model.live()
        held = [bid for bid, b in self.model.batches.items() if b.sha == sha and not b.voided]
        new = {k: f for k, f in lines.items() if live.get(k, (0, None))[1] != f}
        clashes = [k for k in new if k in live]
        try:
            (outcome,) = import_files(self.book, [path], replace=replace)
        except ProblemsError as exc:
            assert not held and clashes and not replace, exc.lines()
            return
        if held:
            assert outcome.batch_id is None and outcome.already_in == held[0]
            return
        assert replace or not clashes, f"clashing import accepted: {clashes}"
        if not new:
            assert outcome.batch_id is None
            return
        assert outcome.batch_id is not None
        assert (outcome.total_fen, outcome.replaced) == (sum(lines.values()), len(clashes))
        self.model.batches[outcome.batch_id] = BatchModel(
            lines, self.model.holding([k for k in lines if k in live]), sha
        )

    # --------------------------------------------------------------------- voids

    @precondition(lambda self: self.model.batches)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        bid = data.draw(st.sampled_from(sorted(self.model.batches)), label="batch")
        batch = self.model.batches[bid]
        refused = batch.voided or self.model.void_would_revive_a_duplicate(bid)
        try:
            self.book.void(bid, "state machine")
        except ConflictError:
            assert refused, f"void of batch {bid} refused"
            return
        assert not refused, f"void of batch {bid} accepted"
        batch.voided = True

    # ----------------------------------------------------- backup, restore, reopen

    @rule(target=backups)
    def backup(self) -> tuple[Path, Model]:
        self.counter += 1
        copy_path = self.folder / f"backup-{self.counter}.sqlite"
        backup_ledger(self.book.conn, copy_path)
        return copy_path, copy.deepcopy(self.model)

    @rule(saved=consumes(backups))
    def restore(self, saved: tuple[Path, Model]) -> None:
        path, model = saved
        restore_ledger(path, self.path, force=True)  # while this ledger is open
        self.model = copy.deepcopy(model)

    @rule()
    def reopen(self) -> None:
        self.book.close()
        self.book = Ledger.open(self.path, user="model")

    # ---------------------------------------------------------------- invariants

    @invariant()
    def totals_agree(self) -> None:
        want = self.model.totals()
        by_ledger = {
            f"{season}:{s.number}": s.revenue_fen
            for season in ("2025-26", "2024-25")
            for s in self.book.sessions(season)
        }
        assert by_ledger == want
        ids = {
            s.id: f"{s.season}:{s.number}"
            for se in ("2025-26", "2024-25")
            for s in self.book.sessions(se)
        }
        raw = {ids[sid]: fen for sid, fen in live_totals_from_tables(self.book.conn).items()}
        assert raw == want
        report = build_season_report(self.book, "2025-26")
        assert report.this.revenue_fen == sum(want[r] for r in SESSIONS[:3])
        assert [p.this_fen or 0 for p in report.sessions if p.this] == [
            want[r] for r in SESSIONS[:3]
        ]
        assert report.last.revenue_fen == want["2024-25:1"]
        live = self.model.live()
        assert report.this.lines == sum(1 for k in live if k[0] != "2024-25:1")
        assert check_ledger(self.book.conn) == []


def _parse(path: Path) -> dict[Key, int]:
    lines = {}
    for row in path.read_text(encoding="utf-8").splitlines()[1:]:
        season, number, stall, category, amount = row.split(",")
        if season == "合计":
            continue
        yuan, fen = amount.split(".")
        lines[(f"{season}:{number}", stall, category)] = int(yuan) * 100 + int(fen)
    return lines


LedgerMachine.TestCase.settings = settings(
    max_examples=int(__import__("os").environ.get("IDDEXI_STATE_EXAMPLES", "30")),
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerAgainstModel = LedgerMachine.TestCase
