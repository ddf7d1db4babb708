"""One tally file read and recognised: which tables it holds, and what stands in the way.

:func:`read_file` reads a CSV or workbook, tells each sheet's table by its header row
(townships, seasons, stalls, sessions, sales, a template's sales sheet) and keeps the
problems found so far; the importer validates and writes what it recognised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.errors import IddexiError, Problem, ProblemsError
from iddexi.tally.headers import KINDS, Recognised, describe_kinds, looks_like_header, recognise
from iddexi.tally.sheets import Sheet
from iddexi.tally.sources import Reading, read_sheets

#: The order a file's tables are written in: what later tables refer to goes first.
_ORDER = ("townships", "seasons", "stalls", "sessions", "gate_samples", "sales", "sales_sheet")


@dataclass
class TallyFile:
    path: Path
    sha256: str = ""
    tables: list[tuple[Sheet, Recognised]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    template: bool = False
    # a template's sales sheet saved on its own (CSV): its session comes from a session
    # sheet given alongside (``partner``) or from --session (``session_ref``)
    partner: TallyFile | None = None
    session_ref: str | None = None
    session_sheet: bool = False  # this file is such a session sheet
    read: bool = True  # False: held by a live batch, so not read

    @property
    def lone_sales_sheet(self) -> bool:
        kinds = {rec.kind.kind for _sheet, rec in self.tables}
        return "sales_sheet" in kinds and "sessions" not in kinds

    @property
    def rows(self) -> int:
        return sum(len(sheet.rows) for sheet, _rec in self.tables)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return ""  # _read reports why the file cannot be read
    return digest.hexdigest()


def read_file(path: Path, sha256: str, reading: Reading | None = None) -> TallyFile:
    f = TallyFile(path, sha256)
    name = path.name
    if not path.exists():
        f.problems.append(Problem(str(path), _("no such file")))
        return f
    if path.is_dir():
        f.problems.append(Problem(str(path), _("is a folder; give the sheet files inside it")))
        return f
    try:
        sheets = read_sheets(path, header_row_finder=looks_like_header, reading=reading)
    except ProblemsError as exc:
        f.problems += exc.problems
        return f
    except IddexiError as exc:
        f.problems.append(_located(name, str(exc)))
        return f
    unknown: list[Sheet] = []
    for sheet in sheets:
        rec = recognise(sheet.headers) if sheet.headers else None
        if sheet.hidden:
            # a hidden sheet (the template's drop-down lists) is not read; but one that
            # holds a table must not drop out of the import unseen
            if rec is not None:
                f.problems.append(
                    Problem(
                        sheet.location(),
                        _(
                            "this hidden sheet holds a {kind} table; unhide it to import it, or delete it"
                        ).format(kind=rec.kind.kind.replace("_", " ")),
                    )
                )
            continue
        if rec is None:
            unknown.append(sheet)
            continue
        for name_, header in rec.repeated:
            f.problems.append(
                Problem(
                    sheet.location(column=header),
                    _("a second column for {name} (the first is {first}); keep one").format(
                        name=name_, first=rec.columns[name_]
                    ),
                )
            )
        f.tables.append((sheet, rec))
    f.tables.sort(key=lambda t: _ORDER.index(t[1].kind.kind))
    if not f.tables:
        f.problems.append(_unrecognised(name, unknown))
        return f
    _check_template(f)
    for sheet, rec in f.tables:
        if not any(not row.is_blank() for row in sheet.rows) and not f.template:
            what = (
                _("no sales lines: the sheet has a header row but no data rows")
                if rec.kind.kind == "sales"
                else _("has a header row but no data rows")
            )
            f.problems.append(Problem(sheet.location(), what))
    return f


def _located(name: str, message: str) -> Problem:
    """``"a.csv:3: cannot read"`` → location ``a.csv:3``, message ``cannot read``."""
    if message.startswith(name):
        cut = message.find(": ", len(name))
        if cut != -1:
            return Problem(message[:cut], message[cut + 2 :])
    return Problem(name, message)


def _unrecognised(name: str, sheets: list[Sheet]) -> Problem:
    with_headers = [s for s in sheets if s.headers]
    if not with_headers:
        return Problem(
            name,
            _("no header row found in the first rows; expected a table such as ")
            + describe_kinds(),
        )
    sheet = with_headers[0]
    best, missing = None, ()
    for kind in KINDS[:-1]:
        found = {kind.field_for(h) for h in sheet.headers} - {None}
        lacking = tuple(
            r for r in kind.required if r not in found and kind.alternatives.get(r) not in found
        )
        if best is None or len(lacking) < len(missing):
            best, missing = kind, lacking
    assert best is not None
    return Problem(
        sheet.location(sheet.header_row),
        _(
            "the headers look like a {best_kind} table but have no column for {missing}; expected "
        ).format(best_kind=best.kind, missing=", ".join(missing))
        + describe_kinds(),
        ", ".join(sheet.headers),
    )


def _check_template(f: TallyFile) -> None:
    kinds = [rec.kind.kind for _sheet, rec in f.tables]
    if "sales_sheet" not in kinds:
        return
    f.template = True
    if "sessions" not in kinds:
        return  # a sales sheet saved on its own: pair_session_sheets finds its session
    sessions = [s for s, rec in f.tables if rec.kind.kind == "sessions"]
    sales_sheet = next(s for s, rec in f.tables if rec.kind.kind == "sales_sheet")
    rows = [r for s in sessions for r in s.rows if not r.is_blank()]
    if len(sessions) != 1 or len(rows) != 1:
        f.problems.append(
            Problem(
                sales_sheet.location(),
                _(
                    "this sales sheet has no season and session columns, so the workbook needs one session sheet with one row (as `iddexi tally template` writes it); or add season and session columns"
                ),
            )
        )
