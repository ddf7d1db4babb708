"""Files Excel and WPS open are not refused for what does not matter to a tally."""

from __future__ import annotations

import datetime as dt
import json
import random
import zipfile
from pathlib import Path

from iddexi.ledger.core import Ledger
from iddexi.tally.sources import read_sheets
from tests.helpers.handmade_xlsx import MAIN, row, workbook
from tests.helpers.ledger_state import dump_file

HEADER = ["season", "session", "stall", "category", "amount"]
# fills and colours openpyxl would choke on, a cell style pointing at a cell-style record
# that does not exist (xfId 99), a custom date format
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="180" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
    '<fills count="1"><fill><patternFill patternType="nonsense"><fgColor rgb="ZZ"/></patternFill></fill></fills>'
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" xfId="99" fillId="7"/><xf numFmtId="180" xfId="99"/></cellXfs>'
    "</styleSheet>"
)


def date_row(number: int, stall: str, amount: object) -> str:
    serial = (dt.date(2025, 11, 29) - dt.date(1899, 12, 30)).days
    cells = (
        f'<c r="A{number}" t="inlineStr"><is><t>2025-26</t></is></c>'
        f'<c r="B{number}" s="1"><v>{serial}</v></c>'
        f'<c r="C{number}" t="inlineStr"><is><t>{stall}</t></is></c>'
        f'<c r="D{number}" t="inlineStr"><is><t>meat</t></is></c>'
        f'<c r="E{number}" s="0"><v>{amount}</v></c>'
    )
    return f'<row r="{number}">{cells}</row>'


def amounts(run, ref: str) -> list[tuple[str, float]]:
    lines = json.loads(run("sale", "list", ref, "--json").stdout)
    return [(x["stall"], x["amount_yuan"]) for x in lines]


def test_only_number_formats_are_read_from_odd_styles(market: Ledger, run, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "styled.xlsx",
        [row(1, HEADER), date_row(2, "M01", 100)],
        extra={"xl/styles.xml": STYLES},
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    # openpyxl's stylesheet reader prints "99 is out of range" for such a style
    assert result.stdout.startswith("styled.xlsx: sales, 1 row")
    assert "out of range" not in result.output
    assert amounts(run, "2025-26:2") == [("M01", 100)]


def test_part_names_in_other_case_and_with_backslashes_are_found(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "names.xlsx",
        [row(1, HEADER), row(2, ["2025-26", 1, "M01", "meat", 100])],
        names={
            "xl/worksheets/sheet1.xml": "XL\\Worksheets\\Sheet1.XML",
            "xl/workbook.xml": "xl/Workbook.xml",
        },
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert amounts(run, "2025-26:1") == [("M01", 100)]


def test_a_strict_open_xml_workbook_is_told_to_save_as_ordinary_xlsx(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "strict.xlsx",
        [row(1, HEADER), row(2, ["2025-26", 1, "M01", "meat", 100])],
        main="http://purl.oclc.org/ooxml/spreadsheetml/main",
    )
    before = dump_file(ledger_path)
    result = run("tally", "import", path)
    assert result.exit_code == 1
    assert "strict.xlsx: the workbook is saved as Strict Open XML" in result.stderr
    assert "save it as an ordinary .xlsx" in result.stderr
    assert dump_file(ledger_path) == before


def test_a_formula_with_an_empty_inline_string_result_is_a_saved_value(
    market: Ledger, run, tmp_path: Path
) -> None:
    formula = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-26</t></is></c><c r="B2"><v>1</v></c>'
        '<c r="C2" t="inlineStr"><is><t>M01</t></is></c>'
        '<c r="D2" t="inlineStr"><is><t>meat</t></is></c><c r="E2"><v>100</v></c>'
        '<c r="F2" t="inlineStr"><f>IF(E2&gt;0,"","?")</f><is><t></t></is></c></row>'
    )
    path = workbook(tmp_path / "f.xlsx", [row(1, [*HEADER, "note"]), formula])
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr


def test_a_sheet_of_long_strings_compressing_210_times_is_no_bomb(tmp_path: Path) -> None:
    random.seed(1)
    rows = [row(1, ["stall", "amount", "note"])]
    for n in range(2, 600):
        note = "长" * 3000 + "".join(
            random.choice("冬储肉奶食品刺绣巴彦托海镇辉苏木") for _ in range(4)
        )
        rows.append(row(n, ["M01", n, note]))
    path = workbook(tmp_path / "long.xlsx", rows)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 200 * info.compress_size and info.file_size > 2**20
    [sheet] = read_sheets(path)
    assert len(sheet.rows) == 598


def test_a_gb18030_csv_of_traditional_characters_is_chinese(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = tmp_path / "銷售.csv"
    text = "季,場次,攤位,類別,金額,備註\n2025-26,1,M01,meat,1200,漢字Market\n2025-26,1,D01,dairy,300,巴彥託海鎮\n"
    path.write_bytes(text.encode("gb18030"))
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert "total ¥1,500.00" in result.stdout
