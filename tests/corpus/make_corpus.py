"""Build the corpus of broken and hostile tally files: ``python tests/corpus/make_corpus.py``.

Every file is made here, byte for byte the same on every run (fixed workbook times, fixed
zip entry dates), so the committed files can be checked against this script. Each case
names what `iddexi tally import` must point at: the file, and for a fault in one cell the
``ROW:COLUMN`` of that cell (as the user sees them: the header is row 1). The files are
valid in every other way for a ledger holding season 2025-26 (sessions 1 and 2) and
stalls M01, D01, F01, so the refusal is about the one fault.

The zip bomb is not committed: :func:`zip_bomb` writes it where a test asks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "season,session,stall,category,amount,note\n"
GOOD = "2025-26,1,M01,meat,12800.50,\n2025-26,1,D01,dairy,3200,\n"
_FIXED = dt.datetime(2025, 12, 6, 20, 0, 0)


@dataclass(frozen=True)
class Case:
    """A broken file, why it is broken, and what the refusal must name."""

    name: str
    why: str
    build: Callable[[Path], None]
    where: str  # what the error must contain besides the file name, e.g. ":3:amount"


# ------------------------------------------------------------------------------ text


def _text(content: str | bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)

    return build


# -------------------------------------------------------------------------- workbooks


def _deterministic(wb: object, path: Path) -> None:
    """Save an openpyxl workbook with fixed times, then fix the zip entries' dates."""
    wb.properties.created = _FIXED  # type: ignore[attr-defined]
    wb.properties.modified = _FIXED  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    wb.save(buffer)  # type: ignore[attr-defined]
    _repack(buffer.getvalue(), path)


def _fixed_times(name: str, body: bytes) -> bytes:
    # openpyxl stamps the save time into docProps/core.xml whatever the properties say
    if name == "docProps/core.xml":
        stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        body = re.sub(
            rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", body
        )
    return body


def _repack(data: bytes, path: Path, edit: Callable[[str, bytes], bytes] | None = None) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            body = _fixed_times(info.filename, src.read(info.filename))
            if edit is not None:
                body = edit(info.filename, body)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body)


def _sales_workbook(fill: Callable[[object], None]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Sales"
        ws.append(["season", "session", "stall", "category", "amount", "note"])
        ws.append(["2025-26", 1, "M01", "meat", 12800.5, None])
        ws.append(["2025-26", 1, "D01", "dairy", 3200, None])
        fill(ws)
        _deterministic(wb, path)

    return build


def _merged(ws: object) -> None:
    ws.append(["2025-26", 1, "F01", "food", 100, None])  # type: ignore[attr-defined]
    ws.append(["2025-26", 1, None, "meat", 200, None])  # type: ignore[attr-defined]
    ws.merge_cells("C4:C5")  # type: ignore[attr-defined]  # F01 over two rows: row 5 has none


def _formula(ws: object) -> None:
    ws["E3"] = "=1000+2200"  # type: ignore[index]  # openpyxl saves no result: a blank in WPS


def _empty_workbook(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sales"
    wb.create_sheet("Sheet2")
    _deterministic(wb, path)


def _hidden_data_only(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "see the other sheet"
    data = wb.create_sheet("Sales")
    data.append(["season", "session", "stall", "category", "amount"])
    data.append(["2025-26", 1, "M01", "meat", 100])
    data.sheet_state = "hidden"
    _deterministic(wb, path)


def _billion_laughs(path: Path) -> None:
    """A sheet whose XML defines entities that expand to gigabytes (defusedxml must stop it)."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )

    def edit(name: str, body: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            if body.startswith(b"<?xml"):
                body = body.split(b"?>", 1)[1]
            body = laughs + body.replace(b"<v>12800.5</v>", b"<v>&lol9;</v>", 1)
        return body

    _sales_workbook(lambda ws: None)(path)
    _repack(path.read_bytes(), path, edit)


def _truncated(path: Path) -> None:
    _sales_workbook(lambda ws: None)(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def zip_bomb(path: Path, megabytes: int = 64) -> Path:
    """An .xlsx whose one sheet inflates ~1000 times (64 MB of spaces from ~64 KB)."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=_FIXED.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as out:
            out.write(head)
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                out.write(block)
            out.write(b"</sheetData></worksheet>")
        z.writestr("[Content_Types].xml", b"<Types/>")
    return path


# ------------------------------------------------------------------------------ cases

CASES: list[Case] = [
    Case(
        "invalid-bytes.csv",
        "bytes that are neither UTF-8 nor GB18030 (0x80, 0xFF)",
        _text(HEADER.encode() + b"2025-26,1,M01,meat,100,\x80\xff\xff\n"),
        "",
    ),
    Case(
        "utf16-no-bom.csv",
        "UTF-16 without its byte-order mark (NUL bytes)",
        _text((HEADER + GOOD).encode("utf-16-le")),
        "",
    ),
    Case("empty.csv", "zero bytes", _text(b""), ""),
    Case("header-only.csv", "a header and no rows", _text(HEADER), ""),
    Case(
        "header-only-bom.csv",
        "a header and no rows, UTF-8 with BOM",
        _text(b"\xef\xbb\xbf" + HEADER.encode()),
        "",
    ),
    Case(
        "missing-amount.csv",
        "no amount column",
        _text("season,session,stall,category\n2025-26,1,M01,meat\n"),
        "",
    ),
    Case(
        "missing-stall.csv",
        "no stall column",
        _text("season,session,category,amount\n2025-26,1,meat,100\n"),
        "",
    ),
    Case(
        "huge-number.csv",
        "an amount of 10^20 yuan",
        _text(HEADER + GOOD + "2025-26,1,F01,food,100000000000000000000,\n"),
        ":4:amount",
    ),
    Case(
        "over-cap.csv",
        "one line over ¥10,000,000",
        _text(HEADER + GOOD + '2025-26,1,F01,food,"10,000,000.01",\n'),
        ":4:amount",
    ),
    Case(
        "exponent.csv",
        "an amount written 1e3",
        _text(HEADER + "2025-26,1,M01,meat,1e3,\n"),
        ":2:amount",
    ),
    Case(
        "nan.csv", "an amount NaN", _text(HEADER + GOOD + "2025-26,1,F01,food,NaN,\n"), ":4:amount"
    ),
    Case("infinity.csv", "an amount inf", _text(HEADER + "2025-26,1,F01,food,inf,\n"), ":2:amount"),
    Case(
        "negative.csv", "a negative amount", _text(HEADER + "2025-26,1,F01,food,-5,\n"), ":2:amount"
    ),
    Case(
        "three-decimals.csv",
        "an amount with three decimals",
        _text(HEADER + "2025-26,1,F01,food,1.005,\n"),
        ":2:amount",
    ),
    Case(
        "text-amount.csv",
        "words where the amount goes",
        _text(HEADER + GOOD + "2025-26,1,F01,food,一百,\n"),
        ":4:amount",
    ),
    Case(
        "feb-30.csv",
        "a session date 2025-02-30",
        _text("season,date,stall,category,amount\n2025-26,2025-02-30,M01,meat,100\n"),
        ":2:date",
    ),
    Case(
        "sessions-feb-30.csv",
        "a sessions table with 2025-02-30",
        _text("season,date,host,visitors\n2025-26,2025-02-30,辉苏木,100\n"),
        ":2:date",
    ),
    Case(
        "date-outside-season.csv",
        "a session date outside its season",
        _text("season,date,host,visitors\n2025-26,2026-05-02,辉苏木,100\n"),
        ":2:date",
    ),
    Case(
        "unknown-stall.csv",
        "a stall the ledger does not know",
        _text(HEADER + GOOD + "2025-26,1,ZZ9,food,5,\n"),
        ":4:stall",
    ),
    Case(
        "unknown-category.csv",
        "a category the ledger does not know",
        _text(HEADER + "2025-26,1,F01,fish,5,\n"),
        ":2:category",
    ),
    Case(
        "unknown-session.csv",
        "a session number the season does not have",
        _text(HEADER + "2025-26,9,F01,food,5,\n"),
        ":2:session",
    ),
    Case(
        "repeated-row.csv",
        "the same stall and category twice",
        _text(HEADER + GOOD + "2025-26,1,M01,meat,1,\n"),
        ":4:",
    ),
    Case(
        "wrong-total.csv",
        "a totals row that does not match the lines",
        _text(HEADER + GOOD + "合计,,,,99999,\n"),
        ":4:amount",
    ),
    Case(
        "broken-quotes.csv",
        "a quote that is never closed",
        _text(HEADER + '2025-26,1,M01,meat,"100,\n2025-26,1,D01,dairy,5,\n'),
        "",
    ),
    Case(
        "not-a-workbook.xlsx",
        "a text file renamed .xlsx",
        _text("season,session,stall,category,amount\n2025-26,1,M01,meat,100\n"),
        "",
    ),
    Case(
        "old-excel.xlsx",
        "an Excel 97-2003 (OLE) file renamed .xlsx",
        _text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
        "",
    ),
    Case("truncated.xlsx", "the first half of a workbook", _truncated, ""),
    Case("empty-sheets.xlsx", "a workbook whose sheets are empty", _empty_workbook, ""),
    Case("hidden-data.xlsx", "the only table is on a hidden sheet", _hidden_data_only, ""),
    Case(
        "merged-cells.xlsx",
        "a stall code merged over two rows",
        _sales_workbook(_merged),
        ":Sales:5:stall",
    ),
    Case(
        "formula-no-value.xlsx",
        "a formula that was never calculated",
        _sales_workbook(_formula),
        ":Sales:3:amount",
    ),
    Case("billion-laughs.xlsx", "XML entities that expand to gigabytes", _billion_laughs, ""),
    Case("wrong-extension.ods", "a file type that is not read", _text(b"PK\x03\x04"), ""),
]


def build_all(folder: Path = HERE) -> list[Path]:
    paths = []
    for case in CASES:
        path = folder / case.name
        case.build(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    written = build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(f"wrote {len(written)} files")
