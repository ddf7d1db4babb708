"""Checks that keep a hostile ``.xlsx`` from hurting us before and after openpyxl reads it.

Workbooks come from strangers (stall keepers' WPS/Excel sheets, forwarded on WeChat), so
before openpyxl sees a file we look at the zip container itself:

- it must be a zip at all (an old ``.xls`` or a password-protected workbook is an OLE file);
- at most :data:`MAX_ENTRIES` parts, at most :data:`MAX_TOTAL_BYTES` uncompressed in all,
  and no part over :data:`RATIO_MIN_BYTES` that expands more than :data:`MAX_RATIO` times.

These are the *declared* sizes from the central directory. A zip can lie about them, but
:mod:`zipfile` never inflates a part beyond its declared ``file_size`` (it stops there and
the CRC check fails), so the declared total is also a bound on what can come out of the
file. XML entity tricks are stopped by defusedxml, which openpyxl uses when installed.

After reading, :func:`formula_cells_without_value` scans a worksheet's XML for formulas
that were never calculated (files written by scripts, or by openpyxl itself): read with
``data_only=True`` they would silently become empty cells.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from iddexi.ledger.errors import InputError, Problem

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 256 * 1024 * 1024
RATIO_MIN_BYTES = 1024 * 1024
MAX_RATIO = 200
#: The last row of an Excel sheet; a row number past it means a damaged or crafted file.
MAX_EXCEL_ROWS = 1_048_576

NO_SAVED_VALUE = (
    "formula without a saved value; open and save the file in Excel/WPS, or type the number"
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
_CHUNK = 1024 * 1024


def column_letter(index: int) -> str:
    """``1`` → ``A``, ``27`` → ``AA`` (1-based, as Excel shows columns)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def open_checked_archive(path: Path) -> zipfile.ZipFile:
    """Open ``path`` as a zip after checking it cannot be a decompression bomb.

    Raises :class:`InputError` naming the file for anything that is not a sane workbook.
    """
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            f"{name}: not an xlsx workbook: it is an old Excel 97-2003 (.xls) file or a "
            "password-protected workbook; save it as .xlsx (without a password) in Excel/WPS"
        )
    if size > MAX_TOTAL_BYTES:
        raise InputError(f"{name}: the workbook is larger than {_mb(MAX_TOTAL_BYTES)}; split it")
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(
            f"{name}: not an xlsx workbook (the file is not a zip container); "
            "save it from Excel/WPS as .xlsx, or export it as .csv"
        ) from None
    try:
        _check_entries(name, infos)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_entries(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise InputError(
            f"{name}: refused: the workbook holds more than {MAX_ENTRIES:,} parts "
            f"({len(infos):,}); this is not an ordinary spreadsheet"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(
                f"{name}: refused: the workbook is encrypted; save it without a password"
            )
        total += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise InputError(
                f"{name}: refused: the part {info.filename!r} would expand {ratio:,} times "
                f"(to {_mb(info.file_size)}); this looks like a decompression bomb"
            )
    if total > MAX_TOTAL_BYTES:
        raise InputError(
            f"{name}: refused: the workbook would expand to {_mb(total)}, "
            f"more than {_mb(MAX_TOTAL_BYTES)}; split it"
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _mentions_formula(archive: zipfile.ZipFile, member: str) -> bool:
    """Fast byte scan: does the part contain an ``<f>`` element at all?"""
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _split_ref(ref: str) -> tuple[int, int]:
    """``"AB12"`` → ``(12, 28)``; raises ValueError on anything else."""
    letters = ref.rstrip("0123456789").replace("$", "").upper()
    digits = ref[len(ref.rstrip("0123456789")) :]
    if not letters or not digits or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


def formula_cells_without_value(
    archive: zipfile.ZipFile, member: str, first_row: int = 1
) -> list[tuple[int, int]]:
    """(row, column) of every formula cell in rows ≥ ``first_row`` with no saved result.

    A formula has a saved (cached) result when its cell carries a ``<v>`` with text. An
    empty ``<v/>`` is a saved empty string only when the cell is typed ``t="str"`` (what
    Excel writes for ``=IF(…,"",…)``); openpyxl writes ``<v/>`` with no type for a
    formula it never calculated.
    """
    if not _mentions_formula(archive, member):
        return []
    from defusedxml.ElementTree import iterparse

    found: list[tuple[int, int]] = []
    row_no = 0
    with archive.open(member) as fh:
        for _event, row in iterparse(fh):  # "end" events: a row arrives with its cells
            tag = row.tag
            if tag != "row" and not tag.endswith("}row"):
                continue
            r = row.get("r")
            row_no = int(float(r)) if r else row_no + 1
            last_ref, since = "", 0  # cells may omit r="B7": count from the last one given
            for cell in row:
                ref = cell.get("r")
                if ref:
                    last_ref, since = ref, 0
                else:
                    since += 1
                formula = value = None
                for child in cell:
                    local = child.tag[child.tag.rfind("}") + 1 :]
                    if local == "f":
                        formula = child
                    elif local == "v":
                        value = child
                if formula is None or not (
                    value is None or (not value.text and cell.get("t") != "str")
                ):
                    continue
                if last_ref:
                    cell_row, col_no = _split_ref(last_ref)
                    col_no += since
                else:
                    cell_row, col_no = row_no, since
                if cell_row >= first_row:
                    found.append((cell_row, col_no))
            row.clear()
    return found


def formula_problems(
    archive: zipfile.ZipFile, member: str, first_row: int, locate: Callable[[int, int], str]
) -> list[Problem]:
    """One :class:`Problem` per uncalculated formula; ``locate(row, col)`` names the cell."""
    found = formula_cells_without_value(archive, member, first_row)
    return [Problem(locate(row, col), NO_SAVED_VALUE) for row, col in found]


def damaged_workbook(path: Path, exc: BaseException) -> InputError:
    """The one-line refusal for a file openpyxl or zipfile could not read."""
    name = path.name
    cause: BaseException | None = exc
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return InputError(
                f"{name}: refused: the workbook's XML declares entities or a DTD, which Excel "
                "and WPS never write (an entity-expansion attack?)"
            )
        cause = cause.__cause__ or cause.__context__
    text = " ".join(str(exc).replace(str(path), name).split())
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return InputError(
        f"{name}: cannot read the workbook, it may be damaged ({detail}); "
        "open and save it again in Excel/WPS"
    )
