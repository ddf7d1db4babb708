"""Reading stall keepers' CSV and xlsx files: right values, exact locations, hostile files refused."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from iddexi.ledger.errors import InputError
from iddexi.tally import sources
from iddexi.tally.sources import Cell, Sheet, read_sheets

SHEET_XML = "xl/worksheets/sheet1.xml"

# ------------------------------------------------------------------------------ helpers


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Sales") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def rewrite_member(path: Path, member: str, edit) -> None:
    """Rewrite one part of a zip in place, as a crafted or buggy generator would."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info.filename, edit(data) if info.filename == member else data)


def values(sheet: Sheet) -> list[dict[str, object]]:
    return [{k: c.value for k, c in row.cells.items()} for row in sheet.rows]


SALES = [["日期", "摊位", "金额"], ["2025-12-06", "A01", "1200"], ["2025-12-06", "A02", "350.5"]]

# ---------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_every_encoding_chinese_excel_and_wps_save_reads_back_the_same(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes("\r\n".join(",".join(r) for r in SALES).encode(encoding) + b"")
    [sheet] = read_sheets(path)
    assert sheet.file == "sales.csv" and sheet.name is None
    assert sheet.headers == ["日期", "摊位", "金额"]
    assert sheet.header_row == 1
    assert values(sheet) == [
        {"日期": "2025-12-06", "摊位": "A01", "金额": "1200"},
        {"日期": "2025-12-06", "摊位": "A02", "金额": "350.5"},
    ]
    cell = sheet.rows[1].cells["金额"]
    assert cell == Cell("350.5", "sales.csv:3:金额", "金额", 3)
    assert sheet.location(3, "金额") == "sales.csv:3:金额"
    assert sheet.location() == "sales.csv"


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "sales.txt"
    lines = [delimiter.join(r) for r in SALES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [sheet] = read_sheets(path)
    assert sheet.headers == ["日期", "摊位", "金额"]
    assert sheet.rows[0].cells["金额"].value == "1200"


def test_csv_quoted_comma_and_newline_keep_physical_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        '摊位,金额,备注\nA01,"1,200","two\nlines"\nA02,300,\n\nA03,400,ok\n\n\n', encoding="utf-8"
    )
    [sheet] = read_sheets(path)
    assert [r.number for r in sheet.rows] == [2, 4, 5, 6]  # trailing blank lines dropped
    assert sheet.rows[0].cells["金额"].value == "1,200"
    assert sheet.rows[0].cells["备注"].value == "two\nlines"
    assert sheet.rows[1].cells["备注"].value is None  # empty → None
    assert sheet.rows[2].is_blank()  # kept so the importer can skip it
    assert sheet.rows[3].cells["金额"].location == "sales.csv:6:金额"


def test_csv_values_are_kept_as_written_and_whitespace_rows_are_blank(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("摊位,金额\n A01 , 12 \n  ,\t\nA02,3\n", encoding="utf-8")
    [sheet] = read_sheets(path)
    assert sheet.rows[0].cells["摊位"].value == " A01 "
    assert [r.is_blank() for r in sheet.rows] == [False, True, False]


def test_csv_headers_collapse_whitespace_and_empty_or_duplicate_headers_stay_addressable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text('" 金额\n Amount ",,备注,备注\n12,x,a,b\n', encoding="utf-8")
    [sheet] = read_sheets(path)
    assert sheet.headers == ["金额 Amount", "2", "备注", "备注 (4)"]
    assert sheet.duplicate_headers == ("备注",)
    assert values(sheet) == [{"金额 Amount": "12", "2": "x", "备注": "a", "备注 (4)": "b"}]
    assert sheet.rows[0].cells["2"].location == "sales.csv:3:2"


def test_short_rows_get_empty_cells_for_every_header(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("摊位,金额,备注\nA01\nA02,5,x,extra\n", encoding="utf-8")
    [sheet] = read_sheets(path)
    assert sheet.headers == ["摊位", "金额", "备注", "4"]
    assert values(sheet)[0] == {"摊位": "A01", "金额": None, "备注": None, "4": None}
    assert values(sheet)[1]["4"] == "extra"


def test_csv_that_is_not_text_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(b"\x80\x81\xff\xfe\x00" * 10)
    with pytest.raises(InputError, match=r"^sales\.csv: .*UTF-8"):
        read_sheets(path)


def test_workbook_saved_with_csv_name_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sales.csv", SALES)
    with pytest.raises(InputError, match=r"^sales\.csv: .*rename it to \.xlsx"):
        read_sheets(path)


def test_csv_with_more_than_max_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("摊位,金额\n" + "A01,1\n" * 11 + "\n\n", encoding="utf-8")
    assert len(read_sheets(path, max_rows=11)[0].rows) == 11  # trailing blanks do not count
    with pytest.raises(InputError, match=r"^sales\.csv: .*more than 10 rows"):
        read_sheets(path, max_rows=10)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('摊位,金额,备注\nA01,1,"open\nA02,2,\n', "sales.csv:2:备注"),
        # Excel's own CSV: CRLF line ends, LF inside a quoted note (Alt+Enter)
        ('摊位,金额,备注\r\nA01,1,"two\nlines"\r\nA02,"2,\r\nA03,3,\r\n', "sales.csv:4:金额"),
        ('摊位;金额;备注\rA01;1;"a ""quoted"" word"\rA02;2;"open\rA03;3;\r', "sales.csv:3:备注"),
        ('摊位,"金额,备注\nA01,1,x\n', "sales.csv:1:2"),  # in the header: no names yet
        ('摊位,金额,备注\nA01,1,5" TV\nA02,2,"open', "sales.csv:3:备注"),  # 5" is no quote
    ],
    ids=["lf", "excel-crlf", "cr-semicolon", "header", "inch-mark"],
)
def test_csv_quote_never_closed_is_refused_at_the_line_it_opens(
    tmp_path: Path, text: str, where: str
) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(InputError, match="^" + re.escape(where) + ": a quoted field opens here"):
        read_sheets(path)


def test_csv_text_after_a_closing_quote_is_refused_not_glued_on(tmp_path: Path) -> None:
    """``"1"2`` is no CSV Excel writes; read loosely it became 12."""
    path = tmp_path / "sales.csv"
    path.write_text('摊位,金额,备注\nA01,"1"2,\nA02,2,"open\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"^sales\.csv:2: cannot read this line as CSV \("):
        read_sheets(path)


def test_csv_notes_over_several_lines_as_excel_writes_them_still_read(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(
        '摊位,金额,备注\r\nA01,1,"two\nlines"\r\nA02,2,"say ""hi""\n\nbye"\r\nA03,3,\r\n'.encode()
    )
    [sheet] = read_sheets(path)
    assert [(r.number, r.value("备注")) for r in sheet.rows] == [
        (2, "two\nlines"),
        (4, 'say "hi"\n\nbye'),
        (7, None),
    ]


def test_csv_too_big_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("摊位,金额\n" + "A01,1\n" * 1000, encoding="utf-8")
    assert sources.MAX_TEXT_BYTES == 64 * 2**20
    monkeypatch.setattr(sources, "MAX_TEXT_BYTES", 4000)
    with pytest.raises(InputError, match=r"^sales\.csv: refused: the file is 0 MB, more than"):
        read_sheets(path)


@pytest.mark.parametrize(
    "text",
    [
        "摊位,名称,金额\nA01,王堃烤肉,100\nA02,李喆奶茶,5\n",  # rare name characters (GBK only)
        "摊位,名称,金额\nA01,ᠮᠣᠩᠭᠣᠯ,100\n",  # Mongolian script: four bytes in GB18030
        "摊位,名称,金额\nA01,敖日格勒·巴特尔—冬储肉,100\n",  # GB2312's · and —
        "stall,name,amount\r\nM01,王堃,100\r\nM02,李喆,200\r\n",  # English headers
        "攤位,名稱,金額\r\nM01,蘇日娜奶製品 kg,200\r\n",  # traditional characters
        "stall,name,amount\r\nM01,€ 100 ¥,100\r\n",
    ],
    ids=[
        "rare-name-characters",
        "mongolian-script",
        "middle-dot-and-dash",
        "rare-characters-among-english",
        "traditional-characters",
        "currency-signs",
    ],
)
def test_gb18030_csv_of_real_chinese_is_read(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(text.encode("gb18030"))
    [sheet] = read_sheets(path)
    header, first = text.splitlines()[:2]
    assert sheet.rows[0].value(header.split(",")[1]) == first.split(",")[1]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("code,name\nZ1,Bäckerei Müller\n", "latin-1"),
        ("code,name\nZ1,Größe Straße\n", "cp1252"),  # 鲞 is GB2312, 遝 is not
        ("code,name,operator\nZ1,Señora Muñoz,Crème brûlée\n", "cp1252"),
    ],
    ids=["latin-1", "half-gb2312", "spanish-french"],
)
def test_european_csv_is_not_read_as_chinese_mojibake(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = tmp_path / "stalls.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(InputError, match=r"^stalls\.csv:2: .*not read as Chinese.*UTF-8") as err:
        read_sheets(path)
    assert text.splitlines()[1] in str(err.value)  # shown as it was meant


@pytest.mark.parametrize("name", ["sales.xls", "sales.ods", "sales.numbers", "sales"])
def test_other_formats_are_refused_listing_accepted_ones(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    with pytest.raises(InputError, match=r"accepted are \.xlsx, \.xlsm, \.csv, \.txt") as err:
        read_sheets(path)
    assert str(err.value).startswith(name)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^gone\.csv: cannot read"):
        read_sheets(tmp_path / "gone.csv")
    with pytest.raises(InputError, match=r"^gone\.xlsx: cannot read"):
        read_sheets(tmp_path / "gone.xlsx")


# --------------------------------------------------------------------------------- xlsx


def test_xlsx_cells_keep_types_and_locations(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["date", "stall", "amount", "herder"],
            [datetime(2025, 12, 6), "A01", 1200, True],
            [datetime(2025, 12, 6), "A02", 350.5, False],
            [None, None, None, None],
            [datetime(2025, 12, 13), "A03", 99, None],
        ],
    )
    [sheet] = read_sheets(path)
    assert (sheet.file, sheet.name, sheet.header_row) == ("t.xlsx", "Sales", 1)
    assert sheet.headers == ["date", "stall", "amount", "herder"]
    assert [r.number for r in sheet.rows] == [2, 3, 4, 5]
    assert sheet.rows[2].is_blank()
    assert values(sheet)[0] == {
        "date": datetime(2025, 12, 6),
        "stall": "A01",
        "amount": 1200,
        "herder": True,
    }
    assert sheet.rows[1].cells["amount"].value == 350.5
    assert sheet.rows[3].cells["amount"].location == "t.xlsx:Sales:5:amount"
    assert sheet.location(5, "amount") == "t.xlsx:Sales:5:amount"
    assert sheet.location(5) == "t.xlsx:Sales:5"
    assert sheet.location() == "t.xlsx:Sales"
    assert sheet.location(column="amount") == "t.xlsx:Sales:1:amount"


def test_xlsx_title_row_above_two_line_header_is_found_by_the_finder(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["伊德喜大集 第3场 摊位流水"],
            [],
            ["摊位\nStall", "金额(元)\nAmount", None, "备注"],
            ["A01", 1200, None, "好"],
        ],
        title="流水",
    )

    def finder(row: list[object]) -> bool:
        return any(isinstance(v, str) and v.startswith("金额") for v in row)

    [sheet] = read_sheets(path, header_row_finder=finder)
    assert sheet.header_row == 3
    assert sheet.headers == ["摊位 Stall", "金额(元) Amount", "C", "备注"]
    [row] = sheet.rows
    assert row.number == 4
    assert row.cells["金额(元) Amount"].location == "t.xlsx:流水:4:金额(元) Amount"
    assert row.cells["C"] == Cell(None, "t.xlsx:流水:4:C", "C", 4)

    # Without the finder the title row would be taken as the header.
    assert read_sheets(path)[0].header_row == 1
    # A finder that matches nothing in the first rows leaves the decision to the importer.
    [none] = read_sheets(path, header_row_finder=lambda row: False)
    assert (none.headers, none.header_row, none.rows) == ([], 0, [])


def test_every_worksheet_is_read_chartsheets_skipped_hidden_flagged(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    for row in SALES:
        ws.append(row)
    other = wb.create_sheet("Old")
    other.append(["摊位", "金额"])
    other.append(["B01", 5])
    other.sheet_state = "hidden"
    chart = BarChart()
    chart.add_data(Reference(other, min_col=2, min_row=1, max_row=2))
    wb.create_chartsheet("Chart").add_chart(chart)
    wb.create_sheet("Empty")
    wb.save(tmp_path / "t.xlsx")
    sheets = read_sheets(tmp_path / "t.xlsx")
    assert [(s.name, s.hidden) for s in sheets] == [
        ("Sales", False),
        ("Old", True),
        ("Empty", False),
    ]
    assert sheets[1].rows[0].cells["金额"].location == "t.xlsx:Old:2:金额"
    assert sheets[2].headers == [] and sheets[2].rows == []


def test_formula_with_saved_value_gives_the_value(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["qty", "price", "amount"], [3, 10, "=A2*B2"]])
    # What Excel/WPS save: the formula and its last result (and "" results typed "str").
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(b"<f>A2*B2</f><v />", b"<f>A2*B2</f><v>30</v>"),
    )
    [sheet] = read_sheets(path)
    assert sheet.rows[0].cells["amount"].value == 30


def test_formula_returning_empty_text_is_an_empty_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["qty", "note"], [3, '=IF(A2>5,"big","")']])
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(b'<c r="B2">', b'<c r="B2" t="str">'),
    )
    [sheet] = read_sheets(path)
    assert sheet.rows[0].cells["note"].value is None


@pytest.mark.parametrize("cell_refs", [True, False], ids=["with-refs", "without-refs"])
def test_formula_without_saved_value_is_listed_with_each_location(
    tmp_path: Path, cell_refs: bool
) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["伊德喜"], ["qty", "price", "amount"], [3, 10, "=A3*B3"], [1, 2, 2], [4, 5, "=A5*B5"]],
    )
    if not cell_refs:  # r="C3" is optional in the file format; cells are then counted
        rewrite_member(path, SHEET_XML, lambda xml: re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml))
    [sheet] = read_sheets(path, header_row_finder=lambda row: "qty" in row)
    assert [p.location for p in sheet.unreadable] == [
        "t.xlsx:Sales:3:amount",
        "t.xlsx:Sales:5:amount",
    ]
    assert "formula without a saved value" in sheet.unreadable[0].message
    assert sheet.rows[0].cells["amount"].value is None  # never a zero


def test_sheet_whose_dimension_tag_lies_still_yields_every_row(tmp_path: Path) -> None:
    rows = [["stall", "amount"]] + [[f"A{n:02d}", n] for n in range(1, 50)]
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(b'<dimension ref="A1:B50"', b'<dimension ref="A1:B2"'),
    )
    with zipfile.ZipFile(path) as zf:
        assert b'<dimension ref="A1:B2"' in zf.read(SHEET_XML)
    [sheet] = read_sheets(path)
    assert len(sheet.rows) == 49
    assert sheet.rows[-1].cells["amount"].location == "t.xlsx:Sales:50:amount"


def test_xlsx_with_more_than_max_rows_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["stall", "amount"]] + [["A", 1]] * 30)
    assert len(read_sheets(path, max_rows=30)[0].rows) == 30
    with pytest.raises(InputError, match=r"^t\.xlsx:Sales: .*more than 29 rows"):
        read_sheets(path, max_rows=29)


def test_value_in_a_far_column_is_refused_not_expanded(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["stall", "amount"])
    ws.cell(row=2, column=16000, value="x")
    wb.save(tmp_path / "wide.xlsx")
    with pytest.raises(InputError, match=r"^wide\.xlsx:Sheet: .*more than 512 columns"):
        read_sheets(tmp_path / "wide.xlsx")


def test_every_cell_type_reads_as_openpyxl_reads_it(tmp_path: Path) -> None:
    """The reader walks the sheet XML itself (to refuse what openpyxl would misread): for
    what Excel writes it must give exactly openpyxl's values."""
    from datetime import time as clock
    from datetime import timedelta

    rows = [
        ["text", "int", "float", "bool", "date", "datetime", "time", "duration", "empty"],
        [
            "好",
            12,
            0.1,
            True,
            datetime(2025, 12, 6),
            datetime(2025, 12, 6, 9, 30),
            clock(8, 15),
            timedelta(hours=30),
            None,
        ],
        [
            "",
            -3,
            1e-7,
            False,
            datetime(1900, 3, 1),
            datetime(2099, 12, 31, 23, 59, 59),
            clock(0, 0, 1),
            timedelta(0),
            None,
        ],
        [" 两 行\n文字 ", 10**15, -2.5e300, None, None, None, None, None, "=1+1"],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    rewrite_member(  # a saved formula result, an error value and a rich-text inline string
        path,
        SHEET_XML,
        lambda xml: xml.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>").replace(
            b"</sheetData>",
            b'<row r="5"><c r="A5" t="inlineStr"><is><r><t>rich </t></r><r><rPr><b/></rPr>'
            b'<t>text</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
            b'<c r="B5" t="e"><v>#N/A</v></c><c r="C5" t="str"><v>abc</v></c></row>'
            b"</sheetData>",
        ),
    )
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    wb.active.reset_dimensions()  # its <dimension> does not know of row 5
    expected = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    [sheet] = read_sheets(path)
    got = [list(sheet.headers)] + [[r.values[i] for i in range(len(r.values))] for r in sheet.rows]
    width = len(sheet.headers)
    expected = [(row + [None] * width)[:width] for row in expected]
    expected[0] = list(sheet.headers)
    assert got == expected
    assert got[3][8] == 2 and got[4][:3] == ["rich text", "#N/A", "abc"]


def test_date_formatted_number_that_is_no_date_is_refused_at_its_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["date", "amount"], [datetime(2025, 12, 6), 5]])
    with zipfile.ZipFile(path) as zf:
        serial = re.search(rb'<c r="A2"[^>]*><v>([0-9.]+)</v>', zf.read(SHEET_XML)).group(1)
    rewrite_member(path, SHEET_XML, lambda xml: xml.replace(b">" + serial + b"<", b">1e20<"))
    with pytest.raises(InputError, match=r"^t\.xlsx:Sales:2:date: cannot read cell A2: .*'1e20'"):
        read_sheets(path)


def test_rows_of_all_sheets_together_are_bounded(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for n, ws in enumerate([wb.active, wb.create_sheet("More")]):
        ws.title = f"S{n}"
        for row in [["stall", "amount"]] + [["A", 1]] * 30:
            ws.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert [len(s.rows) for s in read_sheets(tmp_path / "t.xlsx", max_rows=50)] == [30, 30]
    with pytest.raises(InputError, match=r"^t\.xlsx: refused: more than 47 rows in all the sheets"):
        read_sheets(tmp_path / "t.xlsx", max_rows=30)


def test_cells_of_the_workbook_are_counted_before_any_sheet_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["stall", "amount"])
    ws.append(["A01", 1])
    for row in (1, 2):  # formatted but empty: they cost the parser as much, and count
        for col in range(3, 23):
            ws.cell(row=row, column=col).font = Font(bold=True)
    wb.save(tmp_path / "t.xlsx")
    assert read_sheets(tmp_path / "t.xlsx")[0].headers == ["stall", "amount"]
    monkeypatch.setattr(sources, "MAX_WORKBOOK_CELLS", 40)
    with pytest.raises(InputError, match=r"^t\.xlsx: refused: more than 40 cells in the workbook"):
        read_sheets(tmp_path / "t.xlsx")


def test_markup_around_the_rows_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iddexi.tally import xlsx_safety

    path = write_xlsx(tmp_path / "t.xlsx", [["stall", "amount"], ["A01", 1]])
    merges = b"".join(b'<mergeCell ref="D%d:E%d"/>' % (n, n) for n in range(1, 2001))
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(
            b"</sheetData>", b"</sheetData><mergeCells>" + merges + b"</mergeCells>"
        ),
    )
    assert len(read_sheets(path)[0].rows) == 1
    monkeypatch.setattr(xlsx_safety, "MAX_OUTSIDE_TAGS", 1000)
    with pytest.raises(
        InputError, match=r"^t\.xlsx:Sales: refused: the sheet holds more than 1,000"
    ):
        read_sheets(path)


@pytest.mark.parametrize(
    ("encode", "shown"),
    [
        (lambda xml: ('<?xml version="1.0" encoding="UTF-16"?>' + xml).encode("utf-16"), "UTF-16?"),
        (lambda xml: ('<?xml version="1.0" encoding="cp500"?>' + xml).encode(), "cp500"),  # EBCDIC
    ],
    ids=["utf-16", "ebcdic"],
)
def test_sheet_xml_not_in_utf8_is_refused(tmp_path: Path, encode, shown: str) -> None:
    """Its rows could not be counted before parsing; Excel and WPS write UTF-8."""
    path = write_xlsx(tmp_path / "t.xlsx", SALES)
    rewrite_member(path, SHEET_XML, lambda xml: encode(xml.decode()))
    with pytest.raises(InputError) as err:
        read_sheets(path)
    assert str(err.value).startswith(
        f"t.xlsx:Sales: refused: the sheet's XML is not in UTF-8 ({shown})"
    )


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "prefixed"])
def test_rows_and_cells_are_counted_exactly_whatever_the_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    """The byte scan reads in chunks: tags cut at any byte are still counted once."""
    from iddexi.tally import xlsx_safety

    rows = [["stall", "amount", "note"]] + [
        [f"A{n}", n, "=1+1" if n == 7 else None] for n in range(40)
    ]
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    # 5 formatted empty rows, one of them written <row …></row>
    empty = b'<row r="42" ht="20"/><row r="43"></row><row r="44" s="1"/><row r="45"/><row r="46"/>'
    rewrite_member(
        path, SHEET_XML, lambda xml: xml.replace(b"</sheetData>", empty + b"</sheetData>")
    )
    if prefix:  # every tag written <x:…>, the namespace bound to x
        rewrite_member(
            path,
            SHEET_XML,
            lambda xml: re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", xml).replace(
                b"xmlns=", b"xmlns:x="
            ),
        )
    expected = xlsx_safety.SheetScan(rows=46, cells=3 + 40 * 2 + 1, has_formula=True)
    with zipfile.ZipFile(path) as zf:
        assert (b"<x:row" in zf.read(SHEET_XML)) == bool(prefix)
        for chunk in (1 << 20, 300, 64, 13, 7):
            monkeypatch.setattr(xlsx_safety, "_CHUNK", chunk)
            assert xlsx_safety.scan_worksheet(zf, SHEET_XML, "t.xlsx", "S", 100) == expected
            assert xlsx_safety.scan_worksheet(zf, SHEET_XML, "t.xlsx", "S", 45).rows == 46
    [sheet] = read_sheets(path, max_rows=40)  # 46 rows: the header, 40 and 5 empty ones
    assert [r.value("stall") for r in sheet.rows[:2]] == ["A0", "A1"]
    assert [p.location for p in sheet.unreadable] == ["t.xlsx:Sales:9:note"]
    with pytest.raises(InputError, match=r"^t\.xlsx:Sales: .* \(more than 45 rows in the sheet"):
        read_sheets(path, max_rows=35)  # refused by the count, before parsing


@pytest.mark.parametrize("chunk", [1 << 20, 4093, 7], ids=["1MB", "4KB", "7B"])
@pytest.mark.parametrize(
    ("markup", "refused"),
    [
        (b"<!-- " + b"a <b> " * 100_000 + b" -->", True),  # 600 KB, with < inside
        (b"<?pi " + b"a <b> " * 100_000 + b" ?>", True),
        (b'<c r="F2" x="' + b"a" * 600_000 + b'"/>', True),  # one tag of 600 KB
        (b'<c r="F2" t="inlineStr"><is><t>' + b"a" * 600_000 + b"</t></is></c>", True),
        (b"<!-- " + b"a <b> " * 30_000 + b" -->", False),  # 180 KB
        (b'<c r="F2" t="inlineStr"><is><t>' + "好".encode() * 32_767 + b"</t></is></c>", False),
    ],
    ids=["comment", "instruction", "tag", "text", "short-comment", "excel-longest-text"],
)
def test_tags_comments_and_texts_too_long_for_the_parser_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, markup: bytes, refused: bool
) -> None:
    """Expat reads an unfinished token again at every 16 KB: 8 MB take 1.4 s, 128 MB hours."""
    from iddexi.tally import xlsx_safety

    path = write_xlsx(tmp_path / "t.xlsx", [["stall", "amount", "", "", "", "note"], ["A01", 1]])
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(b"</row></sheetData>", markup + b"</row></sheetData>"),
    )
    monkeypatch.setattr(xlsx_safety, "_CHUNK", chunk)
    if refused:
        with pytest.raises(InputError, match=r"^t\.xlsx:Sales: refused: .* more than 512 KB"):
            read_sheets(path)
    else:
        [sheet] = read_sheets(path)
        assert sheet.rows[0].value("amount") == 1


def test_parts_read_whole_are_guarded_against_long_tokens_too(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", SALES)
    comment = b"<!--" + b"<>" * 300_000 + b"-->"
    rewrite_member(path, "xl/styles.xml", lambda xml: xml.replace(b"<fonts", comment + b"<fonts"))
    with pytest.raises(InputError, match=r"^t\.xlsx:xl/styles\.xml: refused: .*512 KB"):
        read_sheets(path)


def test_row_beyond_excel_last_row_is_refused_quickly(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["stall", "amount"], ["A01", 1]])
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(b'r="2"', b'r="2000000000"').replace(b'"A2"', b'"A2000000000"'),
    )
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"^t\.xlsx"):
        read_sheets(path, max_rows=10_000_000)
    assert time.perf_counter() - started < 10


# ---------------------------------------------------------------------- hostile workbooks


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_decompression_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bomb.xlsx", SALES)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("xl/media/zeros.bin", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(24):
                fh.write(block)
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"^bomb\.xlsx: .*decompression bomb"):
        read_sheets(path)
    assert time.perf_counter() - started < 2


def test_workbook_declaring_300mb_is_refused_quickly(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", SALES)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/media/a.bin", b"x" * 1000)
        for info in zf.filelist:  # the central directory is written on close
            if info.filename == "xl/media/a.bin":
                info.file_size = 300 * 1024 * 1024
                info.compress_size = 300 * 1024 * 1024  # ratio 1: only the total is too big
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"^big\.xlsx: .*300 MB"):
        read_sheets(path)
    assert time.perf_counter() - started < 2


def test_part_that_inflates_past_its_declared_size_cannot_blow_memory(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "liar.xlsx", SALES)
    rewrite_member(
        path,
        SHEET_XML,
        lambda xml: xml.replace(b"</sheetData>", b" " * 50_000_000 + b"</sheetData>"),
    )
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("docProps/custom.xml", b"")  # so the central directory is rewritten
        for info in zf.filelist:
            if info.filename == SHEET_XML:
                info.file_size = 4000  # zipfile will not inflate past this
    with zipfile.ZipFile(path) as zf, pytest.raises(zipfile.BadZipFile, match="CRC"):
        zf.read(SHEET_XML)  # stops at the declared 4000 bytes: what the size checks rely on
    with pytest.raises(InputError, match=r"^liar\.xlsx: cannot read the workbook"):
        read_sheets(path)


def test_too_many_parts_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iddexi.tally import xlsx_safety

    monkeypatch.setattr(xlsx_safety, "MAX_ENTRIES", 20)
    path = write_xlsx(tmp_path / "many.xlsx", SALES)
    with zipfile.ZipFile(path, "a") as zf:
        for n in range(20):
            zf.writestr(f"xl/media/{n}.bin", b"")
    with pytest.raises(InputError, match=r"^many\.xlsx: .*more than 20 parts"):
        read_sheets(path)


def test_entity_expansion_xml_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "laughs.xlsx", SALES)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    rewrite_member(path, SHEET_XML, lambda xml: laughs + xml.replace(b"A01", b"&lol2;"))
    with pytest.raises(InputError, match=r"^laughs\.xlsx: refused: .*declares entities"):
        read_sheets(path)


def test_text_file_renamed_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_text("摊位,金额\nA01,1200\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^sales\.xlsx: not an xlsx workbook"):
        read_sheets(path)


def test_old_xls_or_password_protected_file_named_xlsx_says_so(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(InputError, match=r"^sales\.xlsx: not an xlsx workbook: .*password"):
        read_sheets(path)


@pytest.mark.parametrize("damage", ["truncated", "no-workbook-part", "garbage-xml"])
def test_damaged_workbook_is_an_input_error_not_a_traceback(tmp_path: Path, damage: str) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", SALES)
    if damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif damage == "no-workbook-part":
        with zipfile.ZipFile(path) as zf:
            parts = {n: zf.read(n) for n in zf.namelist() if n != "xl/workbook.xml"}
        with zipfile.ZipFile(path, "w") as zf:
            for n, data in parts.items():
                zf.writestr(n, data)
    else:
        rewrite_member(path, SHEET_XML, lambda xml: xml[: len(xml) // 2])
    # a sheet whose XML breaks off is named, with the row where reading stopped
    where = r"bad\.xlsx:Sales:1: .*damaged" if damage == "garbage-xml" else r"bad\.xlsx: "
    with pytest.raises(InputError, match="^" + where):
        read_sheets(path)


# --------------------------------------------------------------------------- cheap to use


def test_importing_the_module_does_not_import_openpyxl() -> None:
    code = "import sys, iddexi.tally.sources; assert 'openpyxl' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_reading_a_large_csv_keeps_the_garbage_collector_setting(tmp_path: Path) -> None:
    import gc

    path = tmp_path / "sales.csv"
    path.write_text("摊位,金额\n" + "A01,1\n" * 20_000, encoding="utf-8")
    assert gc.isenabled()
    assert len(read_sheets(path)[0].rows) == 20_000
    assert gc.isenabled()
    assert sources.MAX_CELLS >= 20_000 * 2
