"""Broken and hostile tally files: each refused quickly with a located error, none writing.

The files live in tests/corpus/ (made by tests/corpus/make_corpus.py); the zip bomb, the
hand-made workbooks (XML no spreadsheet program writes) and the big files are made here,
in a temp folder. For each file `iddexi tally import` must exit 1, name the file (and,
for a fault in one cell, its row and column), leave every table of the ledger as it was,
and answer within a few seconds.
"""

from __future__ import annotations

import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from tests.corpus.make_corpus import CASES, HERE, Case, build_all, zip_bomb
from tests.helpers.ledger_state import dump_file

SECONDS = 5.0


def _refused(run, ledger_path: Path, path: Path) -> str:
    before = dump_file(ledger_path)
    started = time.monotonic()
    result = run("tally", "import", path)
    took = time.monotonic() - started
    assert result.exit_code == 1, (path.name, result.stdout, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: "), result.stderr
    assert dump_file(ledger_path) == before, f"{path.name} wrote something"
    assert took < SECONDS, f"{path.name} took {took:.1f} s"
    return result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_file_is_refused_with_its_location(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, case: Case
) -> None:
    path = tmp_path / case.name
    shutil.copyfile(HERE / case.name, path)
    stderr = _refused(run, ledger_path, path)
    assert case.name in stderr, stderr
    if case.where:
        assert f"{case.name}{case.where}" in stderr, stderr


def test_the_whole_corpus_in_one_command_is_refused_as_one(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("season,session,stall,category,amount\n2025-26,2,M01,meat,100\n")
    paths = [good] + [HERE / c.name for c in CASES if c.name.endswith((".csv", ".xlsx"))]
    before = dump_file(ledger_path)
    result = run("tally", "import", *paths)
    assert result.exit_code == 1
    assert dump_file(ledger_path) == before
    for case in CASES:
        if case.name.endswith((".csv", ".xlsx")):
            assert case.name in result.stderr, case.name


def test_a_zip_bomb_is_refused_before_it_is_inflated(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1_000_000
    stderr = _refused(run, ledger_path, bomb)
    assert "bomb.xlsx" in stderr and "bomb" in stderr.replace("bomb.xlsx", "")


def test_the_corpus_is_what_the_generator_makes(tmp_path: Path) -> None:
    build_all(tmp_path)
    for case in CASES:
        assert (tmp_path / case.name).read_bytes() == (HERE / case.name).read_bytes(), case.name
    committed = {p.name for p in HERE.iterdir() if p.is_file() and p.suffix != ".py"}
    assert committed == {c.name for c in CASES}


def test_a_file_whose_total_is_over_ten_million_yuan_is_not_a_bad_input(
    market: Ledger, run, tmp_path: Path
) -> None:
    """The ¥10,000,000 cap is for one line; a file of big lines may add up to more."""
    path = tmp_path / "big-day.csv"
    path.write_text(
        "season,session,stall,category,amount\n"
        "2025-26,1,M01,meat,6000000\n"
        "2025-26,1,D01,dairy,6000000\n"
        "合计,,,,12000000\n",
        encoding="utf-8",
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert sum(s.amount_fen for s in market.sales("2025-26:1")) == 12_000_000_00
    assert run("check").exit_code == 0


# ------------------------------------------------------------------ hand-made workbooks
#
# Files no spreadsheet program writes, made byte by byte: the XML that a crafted or buggy
# generator puts in a workbook. Each one used to be misread in silence, refused only as
# "it may be damaged", or read for minutes; the big ones are made here, not committed.

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def hand_made_xlsx(
    path: Path,
    rows: str,
    *,
    strings: tuple[str, ...] = ("M01", "meat"),
    sst: bytes | None = None,
    styles: bytes | None = None,
    sheet: bytes | None = None,
) -> Path:
    """A one-sheet workbook ``Sales`` whose ``<sheetData>`` is ``rows`` (or the whole
    sheet XML is ``sheet``), with ``strings`` as its shared strings (or the whole part
    ``sst``) and ``styles`` as ``xl/styles.xml`` when given."""
    if sst is None:
        items = "".join(f"<si><t>{s}</t></si>" for s in strings)
        sst = f'<sst xmlns="{MAIN_NS}" count="{len(strings)}">{items}</sst>'.encode()
    if sheet is None:
        sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            + (
                f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
                if styles is not None
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Sales" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }
    if styles is not None:
        parts["xl/styles.xml"] = styles
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def number_cell(ref: str, raw: str, attrs: str = "") -> str:
    return f'<c r="{ref}"{attrs}><v>{raw}</v></c>'


HEADER_ROW = (
    '<row r="1">'
    + "".join(
        text_cell(f"{col}1", name)
        for col, name in zip(
            "ABCDE", ["season", "session", "stall", "category", "amount"], strict=True
        )
    )
    + "</row>"
)


def sales_row(
    n: int,
    stall: str = "M01",
    category: str = "meat",
    amount: str = "100",
    *,
    r: str | None = None,
    cells: str = "",
) -> str:
    """Row ``n`` of the sales table (``r`` overrides its number; ``cells`` are added)."""
    return (
        f'<row r="{r or n}">{text_cell(f"A{n}", "2025-26")}{number_cell(f"B{n}", "1")}'
        f"{text_cell(f'C{n}', stall)}{text_cell(f'D{n}', category)}"
        f"{number_cell(f'E{n}', amount)}{cells}</row>"
    )


def _with_cell(n: int, amount_cell: str, stall_cell: str | None = None) -> str:
    """Row ``n`` with its own amount cell (and stall cell) as given."""
    stall = stall_cell or text_cell(f"C{n}", "D01")
    return (
        f'<row r="{n}">{text_cell(f"A{n}", "2025-26")}{number_cell(f"B{n}", "1")}{stall}'
        f"{text_cell(f'D{n}', 'dairy')}{amount_cell}</row>"
    )


# name: (rows below the header, what the error must name after the file, words it must say)
HOSTILE_SHEETS = {
    "rows-out-of-order": (sales_row(3, "D01", "dairy") + sales_row(2), ":Sales:2:", "out of order"),
    "row-twice": (sales_row(2) + sales_row(2, "D01", "dairy"), ":Sales:2:", "appears twice"),
    "cell-twice": (
        sales_row(2, cells=number_cell("E2", "500")),
        ":Sales:2:amount:",
        "cell E2 appears twice",
    ),
    "cells-out-of-order": (
        '<row r="2">' + number_cell("E2", "5") + sales_row(2)[len('<row r="2">') :],
        ":Sales:2:season:",
        "out of order",
    ),
    "cell-of-another-row": (
        sales_row(2) + _with_cell(3, number_cell("E4", "5")),
        ":Sales:3:amount:",
        "cell E4 is inside row 3",
    ),
    "cell-of-another-namespace": (  # openpyxl would take any child of a row for a cell
        sales_row(2, cells='<c xmlns="urn:x" r="F2"><v>5</v></c>'),
        ":Sales:2:",
        "not a cell",
    ),
    "row-number-not-a-number": (sales_row(2, r="two"), ":Sales:2:", "'two'"),
    "past-column-xfd": (sales_row(2, cells=number_cell("ZZZZ2", "1")), ":Sales:2:", "XFD"),
    "string-index-minus-1": (
        sales_row(2) + _with_cell(3, number_cell("E3", "5"), '<c r="C3" t="s"><v>-1</v></c>'),
        ":Sales:3:stall:",
        "'-1'",
    ),
    "string-index-out-of-range": (
        sales_row(2) + _with_cell(3, number_cell("E3", "5"), '<c r="C3" t="s"><v>99</v></c>'),
        ":Sales:3:stall:",
        "shared string 99, but the workbook has 2",
    ),
    "string-index-not-a-number": (
        _with_cell(2, number_cell("E2", "5"), '<c r="C2" t="s"><v>abc</v></c>'),
        ":Sales:2:stall:",
        "'abc'",
    ),
    "string-index-fraction": (
        _with_cell(2, number_cell("E2", "5"), '<c r="C2" t="s"><v>0.9</v></c>'),
        ":Sales:2:stall:",
        "'0.9'",
    ),
    "number-nan": (
        sales_row(2) + _with_cell(3, number_cell("E3", "NaN")),
        ":Sales:3:amount:",
        "'NaN'",
    ),
    "number-inf": (_with_cell(2, number_cell("E2", "INF")), ":Sales:2:amount:", "'INF'"),
    "number-overflows-to-infinity": (
        _with_cell(2, number_cell("E2", "1e999")),
        ":Sales:2:amount:",
        "'1e999'",
    ),
    "number-with-underscore": (  # Python would read 1000; Excel never writes it
        _with_cell(2, number_cell("E2", "1_000")),
        ":Sales:2:amount:",
        "'1_000'",
    ),
    "date-typed-feb-30": (
        sales_row(2)
        + '<row r="3">'
        + text_cell("A3", "2025-26")
        + '<c r="B3" t="d"><v>2025-02-30T00:00:00</v></c>'
        + text_cell("C3", "D01")
        + text_cell("D3", "dairy")
        + number_cell("E3", "5")
        + "</row>",
        ":Sales:3:session:",
        "'2025-02-30T00:00:00'",
    ),
    "boolean-2": (_with_cell(2, '<c r="E2" t="b"><v>2</v></c>'), ":Sales:2:amount:", "'2'"),
}


@pytest.mark.parametrize("case", list(HOSTILE_SHEETS))
def test_hand_made_workbook_is_refused_at_its_row_and_cell(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, case: str
) -> None:
    rows, where, words = HOSTILE_SHEETS[case]
    path = hand_made_xlsx(tmp_path / f"{case}.xlsx", HEADER_ROW + rows)
    stderr = _refused(run, ledger_path, path)
    assert f"{case}.xlsx{where}" in stderr, stderr
    assert words in stderr, stderr


def test_the_hand_made_workbook_is_read_when_nothing_is_wrong_with_it(
    market: Ledger, run, tmp_path: Path
) -> None:
    """The control for the cases above: the same kind of file, well made, is imported."""
    rows = (
        HEADER_ROW
        + sales_row(2)
        + _with_cell(3, number_cell("E3", "1.5E2"), '<c r="C3" t="s"><v>0</v></c>')
        + "<row>"
        + sales_row(4, "F01", "food", "0.5")[len('<row r="4">') :]  # no r="4"
    )
    result = run("tally", "import", hand_made_xlsx(tmp_path / "fine.xlsx", rows))
    assert result.exit_code == 0, result.stderr
    assert sorted((s.stall, s.category, s.amount_fen) for s in market.sales("2025-26:1")) == [
        ("F01", "food", 50),
        ("M01", "dairy", 150_00),  # shared string 0 is M01
        ("M01", "meat", 100_00),
    ]


# ---------------------------------------------------------------- time and memory bombs


def _tiny_strings(count: int) -> bytes:
    items = b"".join(b"<si><t>%d</t></si>" % i for i in range(count))
    return b'<sst xmlns="%s">%s</sst>' % (MAIN_NS.encode(), items)


def test_shared_strings_bigger_than_any_tally_sheet_are_refused_before_reading(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """17 MB of shared strings (under every zip limit): ~10 s and 1 GB for openpyxl."""
    sst = _tiny_strings(850_000)
    assert len(sst) > 16 * 2**20
    path = hand_made_xlsx(tmp_path / "strings.xlsx", HEADER_ROW + sales_row(2), sst=sst)
    stderr = _refused(run, ledger_path, path)
    assert "strings.xlsx: refused: the shared strings 'xl/sharedStrings.xml'" in stderr
    assert "16 MB" in stderr


def test_too_many_shared_strings_are_refused_before_reading(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """550,000 strings in 12 MB: within the size, but each costs openpyxl microseconds."""
    path = hand_made_xlsx(
        tmp_path / "many.xlsx", HEADER_ROW + sales_row(2), sst=_tiny_strings(550_000)
    )
    stderr = _refused(run, ledger_path, path)
    assert "many.xlsx: refused: the shared strings 'xl/sharedStrings.xml' hold more than" in stderr


def test_styles_with_hundreds_of_thousands_of_formats_are_refused_before_reading(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    formats = b"".join(b'<xf numFmtId="%d"/>' % (i % 997) for i in range(200_000))
    styles = b'<styleSheet xmlns="%s"><cellXfs>%s</cellXfs></styleSheet>' % (
        MAIN_NS.encode(),
        formats,
    )
    path = hand_made_xlsx(tmp_path / "styles.xlsx", HEADER_ROW + sales_row(2), styles=styles)
    stderr = _refused(run, ledger_path, path)
    assert "styles.xlsx: refused: the workbook's settings and styles hold more than" in stderr


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "prefixed"])
def test_a_sheet_of_more_rows_than_the_cap_is_refused_before_it_is_parsed(
    market: Ledger, run, ledger_path: Path, tmp_path: Path, prefix: str
) -> None:
    """210,000 formatted empty rows after the data: counted in the bytes, not parsed."""
    body = (
        HEADER_ROW
        + sales_row(2)
        + "".join(f'<row r="{n}" ht="20" customHeight="1"/>' for n in range(3, 210_003))
    )
    xmlns = f'xmlns:x="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    if prefix:  # the same sheet with every tag written <x:…>, as some generators do
        body = re.sub(r"<(/?)(row|c|is|t|v)\b", rf"<\1{prefix}\2", body)
    sheet = (
        f"<{prefix}worksheet {xmlns}><{prefix}sheetData>{body}</{prefix}sheetData>"
        f"</{prefix}worksheet>"
    ).encode()
    path = hand_made_xlsx(tmp_path / "rows.xlsx", "", sheet=sheet)
    stderr = _refused(run, ledger_path, path)
    assert "rows.xlsx:Sales: refused: more than 200,000 rows below the header" in stderr


def test_a_row_with_more_cells_than_excel_has_columns_is_refused(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """20,000 empty cells in one row: openpyxl would hold them all; Excel stops at XFD."""
    wide = "".join("<c/>" for _ in range(20_000))
    path = hand_made_xlsx(tmp_path / "wide.xlsx", HEADER_ROW + sales_row(2, cells=wide))
    stderr = _refused(run, ledger_path, path)
    assert "wide.xlsx:Sales:2: refused: the row holds more cells than Excel has columns" in stderr


def test_one_huge_comment_in_a_sheet_is_refused_before_the_parser_chokes_on_it(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """24 MB in one XML comment (ratio ~6): expat re-reads an unfinished token at every
    16 KB it gets, so parsing it took minutes."""
    comment = b"<!--" + b"".join(b"%d<" % n for n in range(3_300_000)) + b"-->"
    assert len(comment) > 24 * 2**20
    rows = (HEADER_ROW + sales_row(2)).encode()
    sheet = b'<worksheet xmlns="%s"><sheetData>%s</sheetData>%s</worksheet>' % (
        MAIN_NS.encode(),
        rows,
        comment,
    )
    path = hand_made_xlsx(tmp_path / "comment.xlsx", "", sheet=sheet)
    stderr = _refused(run, ledger_path, path)
    assert "comment.xlsx:Sales: refused: the XML holds a tag, comment or text of more" in stderr


def test_a_csv_bigger_than_the_limit_is_refused_before_it_is_read(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write(b"season,session,stall,category,amount\n")
        fh.truncate(65 * 2**20)  # sparse: no disk and no time to make
    stderr = _refused(run, ledger_path, path)
    assert "huge.csv: refused: the file is 65 MB, more than the 64 MB" in stderr


# --------------------------------------------------------------------- silent misreads


def test_a_csv_quote_that_is_never_closed_is_refused_where_it_opens(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """It used to swallow every later line into one note, and import one line of three."""
    path = tmp_path / "quote.csv"
    path.write_text(
        "season,session,stall,category,amount,note\n"
        '2025-26,1,M01,meat,1,"two\nlines"\n'
        '2025-26,1,D01,dairy,2,"open\n'
        "2025-26,1,F01,food,100.50,\n",
        encoding="utf-8",
    )
    stderr = _refused(run, ledger_path, path)
    assert "quote.csv:4:note: a quoted field opens here" in stderr


def test_a_latin1_csv_is_not_read_as_chinese(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """Latin-1 ``Müller`` decodes as GB18030 ``M黮ler``: refused, not imported as that."""
    path = tmp_path / "roster.csv"
    path.write_bytes(
        "code,name,operator,township,herder,category\n"
        "Z0001,Bäckerei Müller,Jürgen,辉苏木,no,food\n".replace("辉苏木", "").encode("latin-1")
    )
    stderr = _refused(run, ledger_path, path)
    assert "roster.csv:2: the file is not UTF-8 and does not read as Chinese GB18030" in stderr
    assert "Bäckerei Müller" in stderr and "CSV UTF-8" in stderr
