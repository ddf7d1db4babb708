"""Tally sheets as people save them: one CSV per sheet, unfilled templates, typed slips."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import ProblemsError
from tests.helpers.ledger_state import dump_file


def save_as_csv(workbook: Path, sheet: str, out: Path, fill: dict | None = None) -> Path:
    """What Excel/WPS "Save as CSV" writes for one sheet; ``fill`` sets cells first."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb[sheet]
    for ref, value in (fill or {}).items():
        ws[ref] = value
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        for row in ws.iter_rows(values_only=True):
            writer.writerow([_shown(v) for v in row])
    return out


def _shown(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # a date cell: the CSV holds it as shown
        return value.date().isoformat()
    return value


def template(run, ref: str, tmp_path: Path) -> Path:
    path = tmp_path / "t.xlsx"
    result = run("tally", "template", ref, "-o", path)
    assert result.exit_code == 0, result.stderr
    return path


def sales_row(workbook: Path, stall: str) -> int:
    ws = openpyxl.load_workbook(workbook)["销售"]
    return next(c.row for c in ws["A"] if c.value == stall)


def refused(run, ledger_path: Path, *args: object) -> str:
    before = dump_file(ledger_path)
    result = run("tally", "import", *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr
    assert dump_file(ledger_path) == before
    return result.stderr


def test_the_session_and_sales_sheets_saved_as_two_csvs_import_together(
    market: Ledger, run, tmp_path: Path
) -> None:
    book = template(run, "2025-26:2025-12-06", tmp_path)
    m01, d01 = sales_row(book, "M01"), sales_row(book, "D01")
    session = save_as_csv(book, "场次", tmp_path / "场次.csv", {"C2": "辉苏木", "E2": "1.5万"})
    sales = save_as_csv(
        book, "销售", tmp_path / "销售.csv", {f"D{m01}": 800, f"C{d01}": "奶", f"D{d01}": 200}
    )
    dry = run("tally", "import", sales, session, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "would create session 2025-26:3 (2025-12-06)" in dry.stdout
    assert "category 奶 → dairy" in dry.stdout
    result = run("tally", "import", sales, session)
    assert result.exit_code == 0, result.stderr
    assert "销售.csv: template, 2 rows, total ¥1,000.00" in result.stdout
    listed = json.loads(run("session", "list", "2025-26", "--json").stdout)[-1]
    assert (listed["date"], listed["host"], listed["visitors"]) == ("2025-12-06", "辉苏木", 15000)
    lines = json.loads(run("sale", "list", "2025-26:3", "--json").stdout)
    assert sorted((x["stall"], x["category"]) for x in lines) == [("D01", "dairy"), ("M01", "meat")]


def test_a_sales_csv_alone_takes_its_session_from_the_option(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    book = template(run, "2025-26:2", tmp_path)
    m01 = sales_row(book, "M01")
    sales = save_as_csv(book, "销售", tmp_path / "销售.csv", {f"D{m01}": 900})
    alone = refused(run, ledger_path, sales)
    assert "no season and session columns" in alone and "--session" in alone
    result = run("tally", "import", sales, "--session", "2025-26:2")
    assert result.exit_code == 0, result.stderr
    lines = json.loads(run("sale", "list", "2025-26:2", "--json").stdout)
    assert [(x["stall"], x["amount_yuan"]) for x in lines] == [("M01", 900)]


def test_a_sunday_session_from_the_option_warns_as_session_add_does(
    market: Ledger, run, tmp_path: Path
) -> None:
    book = template(run, "2025-26:2025-12-07", tmp_path)
    m01 = sales_row(book, "M01")
    sales = save_as_csv(book, "销售", tmp_path / "销售.csv", {f"D{m01}": 900})
    result = run("tally", "import", sales, "--session", "2025-26:12月7日", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "2025-12-07 is a Sunday" in result.stderr
    assert "would create session 2025-26:3 (2025-12-07)" in result.stdout


def test_a_sunday_template_warns(market: Ledger, run, tmp_path: Path) -> None:
    book = template(run, "2025-26:2025-12-07", tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["销售"][f"D{sales_row(book, 'M01')}"] = 10
    wb.save(book)
    result = run("tally", "import", book)
    assert result.exit_code == 0, result.stderr
    assert "Warning: t.xlsx: 2025-12-07 is a Sunday" in result.stderr


def test_an_unfilled_template_is_refused_as_no_sales_lines(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    book = template(run, "2025-26:2025-12-06", tmp_path)
    stderr = refused(run, ledger_path, book)
    assert "t.xlsx:销售: no sales lines" in stderr
    sales = save_as_csv(book, "销售", tmp_path / "销售.csv")
    assert "销售.csv: no sales lines" in refused(run, ledger_path, sales, "--session", "2025-26:1")


@pytest.mark.parametrize("amount", ["12.000", "1.200"])
def test_a_dot_as_thousands_separator_is_refused_on_the_command_line(
    market: Ledger, run, ledger_path: Path, amount: str
) -> None:
    before = dump_file(ledger_path)
    result = run("sale", "add", "2025-26:1", "M01", "meat", amount)
    assert result.exit_code == 1
    assert "more than two decimals" in result.stderr
    assert dump_file(ledger_path) == before


def test_a_dot_as_thousands_separator_and_an_extra_cell_are_refused_at_their_cells(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "season,session,stall,category,amount\n"
        "2025-26,1,M01,meat,12.000\n"
        "2025-26,1,D01,dairy,12,000.00\n",
        encoding="utf-8",
    )
    stderr = refused(run, ledger_path, path)
    assert "s.csv:2:amount: amount has more than two decimals" in stderr
    assert "s.csv:3:6: this line has more cells than the header (5)" in stderr


def test_dates_without_a_year_take_it_from_the_season(market: Ledger, run, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "season,session,stall,category,amount\n2025-26,11月29日,M01,meat,10\n", encoding="utf-8"
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(run("sale", "list", "2025-26:2", "--json").stdout)[0]["stall"] == "M01"
    outside = tmp_path / "o.csv"
    outside.write_text(
        "season,session,stall,category,amount\n2025-26,6月1日,M01,meat,10\n", encoding="utf-8"
    )
    assert (
        "o.csv:2:session: session is not a day between 2025-11-22 and 2026-01-31"
        in run("tally", "import", outside).stderr
    )


def _sales_with_total(path: Path, amounts: list[object], total: object, formula: bool) -> Path:
    """A sales sheet whose totals row holds ``total``: typed, or as the value Excel saved
    for =SUM() over the amounts (openpyxl writes formulas without one: put it in)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["season", "session", "stall", "category", "amount"])
    for stall, amount in zip(["M01", "D01", "F01"], amounts, strict=False):
        ws.append(["2025-26", 1, stall, "meat", amount])
    last = len(amounts) + 1
    ws.append(["合计", None, None, None, f"=SUM(E2:E{last})" if formula else total])
    wb.save(path)
    if formula:
        import zipfile

        with zipfile.ZipFile(path) as old:
            parts = {name: old.read(name) for name in old.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = parts[sheet].replace(
            f"<f>SUM(E2:E{last})</f><v /></c>".encode(),
            f"<f>SUM(E2:E{last})</f><v>{total}</v></c>".encode(),
        )
        with zipfile.ZipFile(path, "w") as new:
            for name, data in parts.items():
                new.writestr(name, data)
    return path


def test_a_totals_mismatch_names_the_amounts_typed_as_text(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """=SUM() leaves out amounts typed as text: exactly the difference, so say so."""
    path = _sales_with_total(tmp_path / "s.xlsx", [100, "1.2万"], 100, formula=True)
    stderr = refused(run, ledger_path, path)
    assert "s.xlsx:Sales:4:amount: the totals row says ¥100.00" in stderr
    assert "typed as text in row 3 (1.2万)" in stderr


def test_a_totals_mismatch_blames_text_amounts_only_when_they_explain_it(
    market: Ledger, run, ledger_path: Path, tmp_path: Path
) -> None:
    """A typed total, or a SUM whose gap is not the text amounts: no hint at the wrong cell."""
    typed = _sales_with_total(tmp_path / "t.xlsx", [12500, "1.2万", 3000], 30000, formula=False)
    stderr = refused(run, ledger_path, typed)
    assert "the totals row says ¥30,000.00 but the lines add up to ¥27,500.00" in stderr
    assert "typed as text" not in stderr
    other = _sales_with_total(tmp_path / "f.xlsx", [12500, "1.2万", 3000], 30000, formula=True)
    stderr = refused(run, ledger_path, other)
    assert "lines add up to ¥27,500.00" in stderr and "typed as text" not in stderr


def test_reading_a_big_workbook_reports_progress(market: Ledger, tmp_path: Path) -> None:
    from iddexi.tally.importer import import_files

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["season", "session", "stall", "category", "amount"])
    for n in range(12_000):
        ws.append(["2025-26", 1 + n % 2, ("M01", "D01", "F01")[n % 3], f"c{n}", 1])
    wb.save(tmp_path / "big.xlsx")
    read: list[tuple[int, int]] = []
    with pytest.raises(ProblemsError, match="12000 problems"):  # refused after reading
        import_files(market, [tmp_path / "big.xlsx"], reading=lambda d, t: read.append((d, t)))
    assert read == [(5_000, 12_001), (10_000, 12_001)]
