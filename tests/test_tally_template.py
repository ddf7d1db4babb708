"""`iddexi tally template`: the workbook organisers fill in, read back as a user would."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl

from iddexi.ledger.core import Ledger

SESSION_HEADERS = [
    "赛季\nSeason",
    "日期\nDate",
    "承办单位\nHost",
    "主题\nTheme",
    "游客人次\nVisitors",
    "计数方式\nCount method",
    "气温(℃)\nTemperature (°C)",
    "备注\nNote",
]
SALES_HEADERS = [
    "摊位编号\nStall",
    "摊位名称\nStall name",
    "类别\nCategory",
    "金额(元)\nAmount (yuan)",
    "数量\nQuantity",
    "单位\nUnit",
    "备注\nNote",
]


def rows(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def validations(ws) -> dict[str, str]:
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


def test_template_of_a_recorded_session_is_prefilled(market: Ledger, run, tmp_path: Path) -> None:
    market.add_sale("2025-26:1", "D01", "dairy", 3200_00, quantity=Decimal(40), unit="kg")
    result = run("tally", "template", "2025-26:1", "-o", "t.xlsx")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Wrote t.xlsx for session 2025-26:1.\n"
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["填写说明", "场次", "销售", "lists"]
    assert wb["lists"].sheet_state == "hidden"
    assert "2025-26:1" in wb["填写说明"]["A1"].value

    session = wb["场次"]
    assert [c.value for c in session[1]] == SESSION_HEADERS
    assert rows(session) == [
        ("2025-26", dt.datetime(2025, 11, 22), "巴彦托海镇", None, 9800, None, None, None)
    ]
    assert session.freeze_panes == "A2"
    assert session["B2"].number_format == "yyyy-mm-dd"
    hosts = validations(session)["C2"]
    assert hosts == "'lists'!$A$2:$A$3"
    assert [c.value for c in wb["lists"]["A"][1:3]] == ["巴彦托海镇", "辉苏木"]

    sales = wb["销售"]
    assert [c.value for c in sales[1]] == SALES_HEADERS
    assert rows(sales) == [
        ("D01", "其其格奶食", "奶制品", 3200, 40, "kg", None),
        ("F01", "南屯小吃", "餐饮小吃", None, None, None, None),
        ("M01", "敖日格勒家冬储肉", "冬储肉", None, None, None, None),
        ("合计", None, None, None, None, None, None),
    ]
    assert sales.freeze_panes == "A2"
    assert {sales.cell(r, 4).number_format for r in range(2, 6)} == {"#,##0.00"}
    assert sales.column_dimensions["B"].width >= 20
    categories = validations(sales)["C2:C4"]
    assert categories == "'lists'!$B$2:$B$7"
    assert [c.value for c in wb["lists"]["B"][1:7]] == [
        "冬储肉",
        "奶制品",
        "非遗手工艺",
        "餐饮小吃",
        "民俗活动",
        "其他",
    ]


def test_english_template(market: Ledger, run, tmp_path: Path) -> None:
    result = run("tally", "template", "2025-26:2", "-o", "en.xlsx", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx")
    assert wb.sheetnames == ["Instructions", "Session", "Sales", "lists"]
    assert [c.value for c in wb["Session"][1]] == [h.split("\n")[1] for h in SESSION_HEADERS]
    assert [c.value for c in wb["Sales"][1]] == [h.split("\n")[1] for h in SALES_HEADERS]
    assert rows(wb["Sales"])[0][:3] == ("D01", "其其格奶食", "Dairy")
    assert [c.value for c in wb["lists"]["C"][1:4]] == ["full", "sample", "estimate"]


def test_a_template_for_a_day_off_the_market_day_warns_as_session_add_does(
    market: Ledger, run, tmp_path: Path
) -> None:
    sunday = run("tally", "template", "2025-26:2025-12-21", "-o", "sun.xlsx")
    assert sunday.exit_code == 0, sunday.stderr
    assert sunday.stderr == (
        "Warning: 2025-12-21 is a Sunday; season 2025-26 is held on Saturdays\n"
    )
    assert (tmp_path / "sun.xlsx").exists()
    saturday = run("tally", "template", "2025-26:2025-12-20", "-o", "sat.xlsx")
    assert saturday.exit_code == 0 and saturday.stderr == ""


def fill(path: Path, out: Path, session: dict[str, object], amounts: dict[str, list]) -> Path:
    """Fill a template as an organiser would (here with openpyxl) and save it as ``out``."""
    wb = openpyxl.load_workbook(path)
    ws_session, ws_sales = wb.worksheets[1], wb.worksheets[2]
    columns = {"host": "C", "theme": "D", "visitors": "E", "count_method": "F", "temp": "G"}
    for name, value in session.items():
        ws_session[f"{columns[name]}2"] = value
    for row in ws_sales.iter_rows(min_row=2):
        values = amounts.get(row[0].value)
        if values:
            for cell, value in zip(row[3:], values, strict=False):
                cell.value = value
    wb.save(out)
    return out


def test_fill_import_and_read_back_to_the_fen(market: Ledger, run, tmp_path: Path) -> None:
    template = tmp_path / "t.xlsx"
    assert run("tally", "template", "2025-26:2025-12-06", "-o", template).exit_code == 0
    filled = fill(
        template,
        tmp_path / "1206.xlsx",
        {"host": "辉苏木", "theme": "冰雪那达慕", "visitors": 10400, "count_method": "抽样估算"},
        {
            "M01": [12800.5, 160, "kg", "首日"],
            "D01": ["3,200.10"],
            "F01": [0],
            "合计": [16000.6],
        },
    )
    result = run("tally", "import", filled)
    assert result.exit_code == 0, result.stderr
    batch = market.history()[-1]
    assert result.stdout == (
        "1206.xlsx: template, 4 rows, total ¥16,000.60, totals row ¥16,000.60 checked "
        f"(batch {batch.id})\n"
    )
    assert (batch.kind, batch.source, batch.rows) == ("import", "1206.xlsx", 4)
    session = json.loads(run("session", "list", "2025-26", "--json").stdout)[-1]
    assert (session["session"], session["date"], session["host"], session["visitors"]) == (
        "2025-26:3",
        "2025-12-06",
        "辉苏木",
        10400,
    )
    assert (session["theme"], session["count_method"]) == ("冰雪那达慕", "sample")
    lines = json.loads(
        run("sale", "list", "2025-26:2025-12-06", "--json").stdout, parse_float=Decimal
    )
    assert [(x["stall"], x["category"], x["amount_yuan"], x["unit"]) for x in lines] == [
        ("D01", "dairy", Decimal("3200.10"), None),
        ("F01", "food", Decimal("0.00"), None),
        ("M01", "meat", Decimal("12800.50"), "kg"),
    ]
    assert all(x["batch"] == batch.id for x in lines)

    again = run("tally", "import", filled)
    assert again.stdout == f"1206.xlsx: already imported as batch {batch.id}; nothing written\n"
    # a fresh template of the same session is pre-filled with the lines: importing it
    # unchanged adds nothing
    assert run("tally", "template", "2025-26:3", "-o", "again.xlsx").exit_code == 0
    same = run("tally", "import", "again.xlsx")
    assert same.exit_code == 0, same.stderr
    assert "nothing new" in same.stdout and "4 rows already in the ledger" in same.stdout
    assert market.history()[-1].id == batch.id


def test_a_filled_template_that_clashes_names_every_cell(
    market: Ledger, run, tmp_path: Path
) -> None:
    sale, _ = market.add_sale("2025-26:1", "M01", "meat", 5000_00)
    session_batch = market.conn.execute(
        "SELECT batch_id FROM sessions WHERE season = '2025-26' AND date = '2025-11-22'"
    ).fetchone()[0]
    template = tmp_path / "t.xlsx"
    assert run("tally", "template", "2025-26:1", "-o", template).exit_code == 0
    filled = fill(
        template,
        tmp_path / "f.xlsx",
        {"visitors": 9900, "theme": "开集"},
        {"M01": [5100], "D01": ["12.345"], "F01": [None, 3]},
    )
    result = run("tally", "import", filled)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "f.xlsx:场次:2:游客人次 Visitors: session 2025-26:1 (2025-11-22) is already in the "
        f"ledger with visitors 9800 (batch {session_batch}); import with --replace to change "
        "it (got '9900')",
        "f.xlsx:销售:2:金额(元) Amount (yuan): amount has more than two decimals; yuan go "
        "down to the fen (got '12.345')",
        "f.xlsx:销售:3:数量 Quantity: quantity is filled but the amount is empty (got '3')",
        "f.xlsx:销售:4:金额(元) Amount (yuan): 2025-26:1 stall M01 meat is already recorded "
        f"as ¥5,000.00 (batch {sale.batch_id}) with a different amount ¥5,000.00 → "
        "¥5,100.00; import with --replace to supersede it "
        "(got '5100')",
        "Error: 4 problems found; nothing was written",
    ]


def test_template_refusals(market: Ledger, run, tmp_path: Path) -> None:
    cases = [
        (
            ["2025-26:7"],
            "Error: session '2025-26:7' does not exist: season 2025-26 has 2 session(s)",
        ),
        (["2025-26:2026-02-07"], "Error: 2026-02-07 is outside season 2025-26"),
        (["2030:2030-01-05"], "Error: season '2030' is not in the ledger"),
        (["2025-26:1", "-o", "t.xls"], "Error: the template is an Excel workbook: name it .xlsx"),
        (["2025-26:1", "-o", "no/such/t.xlsx"], "Error: folder no/such does not exist"),
        (["2025-26:1", "--lang", "fr"], "Error: --lang 'fr' is not zh or en"),
        (["2025-26:1", "-o", "taken.xlsx"], "Error: taken.xlsx already exists"),
        (
            ["2025-26:1", "-o", "taken.xlsx", "--force"],
            "Error: cannot write taken.xlsx: Is a directory",
        ),
        (["2025-26:1", "-o", "filled.xlsx"], "Error: filled.xlsx already exists and may hold"),
    ]
    (tmp_path / "filled.xlsx").write_bytes(b"a filled sheet")
    (tmp_path / "taken.xlsx").mkdir()
    for args, message in cases:
        if "-o" not in args:
            args = [*args, "-o", "t.xlsx"]
        result = run("tally", "template", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(message), (args, result.stderr)
    assert not (tmp_path / "t.xlsx").exists()
    assert not list(tmp_path.glob("*tally*"))  # no scratch files left behind
    assert (tmp_path / "filled.xlsx").read_bytes() == b"a filled sheet"


HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "=cmd|' /C calc'!A0",
    "a =1+1 b",  # a CR or tab inside a name is refused at entry (tests/test_hygiene.py)
    "-",
]


def test_no_user_text_becomes_a_formula(ledger: Ledger, run, tmp_path: Path) -> None:
    ledger.add_township("=cmd|' /C calc'!A0", "sumu")
    ledger.add_season("2025-26", dt.date(2025, 11, 22), dt.date(2026, 1, 31))
    for n, name in enumerate(HOSTILE, start=1):
        ledger.add_stall(f"X{n:02d}", name, category="food", operator=name)
    ledger.add_session(
        "2025-26", dt.date(2025, 11, 22), host="=cmd|' /C calc'!A0", theme="=1+1", note="-1"
    )
    ledger.add_sale("2025-26:1", "X01", "food", 100, unit="=A1", note="@x")
    path = tmp_path / "t.xlsx"
    assert run("tally", "template", "2025-26:1", "-o", path).exit_code == 0
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 4
        for name in sheets:
            assert not re.search(rb"<(\w+:)?f[ >/]", zf.read(name)), name
    wb = openpyxl.load_workbook(path)
    names = [r[1] for r in rows(wb["销售"])[:-1]]
    held = [s.name for s in ledger.stalls()]  # as the ledger keeps them (stripped)
    assert held[4] == "=1+1" and held[8] == "a =1+1 b"
    assert names == held
    assert rows(wb["销售"])[0][5:] == ("=A1", "@x")
    assert rows(wb["场次"])[0][2:4] == ("=cmd|' /C calc'!A0", "=1+1")
    assert wb["lists"]["A2"].value == "=cmd|' /C calc'!A0"
    # and the workbook imports back unchanged
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert "nothing new" in result.stdout


def test_a_formula_typed_into_the_sheet_without_a_saved_value_is_refused(
    market: Ledger, run, tmp_path: Path
) -> None:
    template = tmp_path / "t.xlsx"
    assert run("tally", "template", "2025-26:1", "-o", template).exit_code == 0
    filled = fill(template, tmp_path / "f.xlsx", {}, {"D01": ["=100+200"], "M01": [5]})
    result = run("tally", "import", filled)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "f.xlsx:销售:2:金额(元) Amount (yuan): formula without a saved value"
    )
    assert market.sales("2025-26:1") == []


def test_a_decompression_bomb_is_refused_quickly_in_bounded_memory(
    market: Ledger, run, tmp_path: Path
) -> None:
    import time
    import tracemalloc

    path = tmp_path / "bomb.xlsx"
    assert run("tally", "template", "2025-26:1", "-o", path).exit_code == 0
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("xl/media/zeros.bin", "w") as fh:
            for _ in range(64):
                fh.write(b"\0" * (1 << 20))
    assert path.stat().st_size < 1 << 20
    before = market.history()
    tracemalloc.start()
    started = time.perf_counter()
    result = run("tally", "import", path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.exit_code == 1
    assert "decompression bomb" in result.stderr
    assert result.stderr.startswith("bomb.xlsx: refused")
    assert elapsed < 2 and peak < 16 * 1024 * 1024
    assert market.history() == before


def test_cli_start_stays_light() -> None:
    """`iddexi tally --help` must not import openpyxl (every CLI start imports this module)."""
    import subprocess
    import sys

    code = (
        "import sys; from iddexi.cli import app; "
        "import iddexi.cli.tally; "
        "print(sorted(m for m in ('openpyxl', 'pandas', 'sqlite_utils', 'iddexi.tally.importer') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_refused_language_creates_no_ledger(run, tmp_path: Path) -> None:
    ledger = tmp_path / "new.sqlite"
    result = run(
        "--ledger", ledger, "tally", "template", "2025-26:1", "-o", "t.xlsx", "--lang", "fr"
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: --lang 'fr' is not zh or en\n"
    assert not ledger.exists()


def test_force_replaces_an_earlier_template(market: Ledger, run, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("tally", "template", "2025-26:1", "-o", out).exit_code == 0
    assert run("tally", "template", "2025-26:1", "-o", out).exit_code == 1
    again = run("tally", "template", "2025-26:2", "-o", out, "--force")
    assert again.exit_code == 0, again.stderr
    from openpyxl import load_workbook

    session_sheet = load_workbook(out).worksheets[1]
    assert session_sheet.cell(2, 2).value.date().isoformat() == "2025-11-29"
