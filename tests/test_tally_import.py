"""`iddexi tally import` of CSV tables: recognised by their headers, refused cell by cell."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def jload(text: str) -> object:
    """JSON with its decimals kept exact (``0.00`` stays ``Decimal('0.00')``)."""
    return json.loads(text, parse_float=Decimal)


def sales_of(run, ref: str) -> dict[tuple[str, str], Decimal]:
    result = run("sale", "list", ref, "--json")
    assert result.exit_code == 0, result.stderr
    return {(line["stall"], line["category"]): line["amount_yuan"] for line in jload(result.stdout)}


def history(run) -> list[dict]:
    result = run("history", "--json")
    assert result.exit_code == 0, result.stderr
    return jload(result.stdout)


SALES_EN = (
    "season,session,stall,category,amount,quantity,unit,note\n"
    '2025-26,1,M01,meat,"12,800.50",160,kg,\n'
    "2025-26,1,D01,dairy,3200,,,\n"
    "2025-26,2025-11-29,F01,food,0,,,rained\n"
)


def test_a_sales_csv_lands_in_one_batch_to_the_fen(market: Ledger, run, tmp_path: Path) -> None:
    path = write(tmp_path / "sales.csv", SALES_EN)
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    batch = history(run)[-1]
    assert result.stdout.strip() == (
        f"sales.csv: sales, 3 rows, total ¥16,000.50 (batch {batch['id']})"
    )
    assert batch["kind"] == "import" and batch["source"] == "sales.csv" and batch["rows"] == 3
    assert len(batch["sha256"]) == 64
    assert sales_of(run, "2025-26:1") == {
        ("M01", "meat"): Decimal("12800.50"),
        ("D01", "dairy"): Decimal("3200.00"),
    }
    lines = jload(run("sale", "list", "2025-26:2", "--json").stdout)
    assert [(x["stall"], str(x["amount_yuan"]), x["note"]) for x in lines] == [
        ("F01", "0.00", "rained")
    ]
    meat = jload(run("sale", "list", "2025-26:1", "--json").stdout)[-1]
    assert (meat["stall"], str(meat["quantity"]), meat["unit"]) == ("M01", "160", "kg")


@pytest.mark.parametrize(
    "header",
    [
        "季,场次,摊位,类别,金额,数量,单位,备注",
        "赛季,场次,摊位编号,类别,金额(元),数量,单位,备注",
        "赛季,场次,摊位编号,类别,金额（元）,数量,单位,备注",
        "Season , SESSION,Stall Code,category,Amount (yuan),qty,Unit,Notes",
    ],
)
def test_every_sales_header_alias(market: Ledger, run, tmp_path: Path, header: str) -> None:
    rows = "2025-26,1,M01,冬储肉,1.5万,200,kg,首日\n2025-26,1,D01,奶制品,800元,,,\n"
    path = write(tmp_path / "销售.csv", header + "\n" + rows)
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert sales_of(run, "2025-26:1") == {
        ("M01", "meat"): Decimal("15000.00"),
        ("D01", "dairy"): Decimal("800.00"),
    }


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_chinese_excel_csv_encodings(market: Ledger, run, tmp_path: Path, encoding: str) -> None:
    text = '季,场次,摊位,类别,金额(元),备注\r\n2025-26,2,M01,肉类,"9,999.99",雪天\r\n'
    path = write(tmp_path / "wps.csv", text, encoding)
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    lines = jload(run("sale", "list", "2025-26:2", "--json").stdout)
    assert [(x["stall"], x["category"], str(x["amount_yuan"]), x["note"]) for x in lines] == [
        ("M01", "meat", "9999.99", "雪天")
    ]


def test_five_different_mistakes_are_all_reported_and_nothing_is_written(
    market: Ledger, run, tmp_path: Path
) -> None:
    market.add_sale("2025-26:1", "F01", "food", 500_00)
    text = (
        "season,session,stall,category,amount\n"
        "2025-26,1,M01,meat,1000\n"  # 2 fine
        "2025-26,1,M99,meat,1000\n"  # 3 unknown stall
        "2025-26,1,D01,dairy,12.345\n"  # 4 three decimals
        "2025-26,1,M01,meat,2000\n"  # 5 repeats row 2
        "2025-26,9,D01,dairy,100\n"  # 6 no session 9
        "2025-26,1,F01,food,600\n"  # 7 clashes with the ledger
        "2025-26,2,D01,milk shake,100\n"  # 8 unknown category
    )
    path = write(tmp_path / "bad.csv", text)
    before = history(run)
    result = run("tally", "import", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "Error: 6 problems found; nothing was written"
    problems = lines[:-1]
    assert problems[0].startswith("bad.csv:3:stall: stall M99 is not in the ledger")
    assert problems[0].endswith("(got 'M99')")
    assert problems[1].startswith("bad.csv:4:amount: amount has more than two decimals")
    assert problems[1].endswith("(got '12.345')")
    assert problems[2].startswith("bad.csv:5:stall: stall M01 meat is already on row 2")
    assert problems[3].startswith("bad.csv:6:session: season 2025-26 has no session 9 (it has 2)")
    assert problems[4].startswith("bad.csv:8:category: category is not known")
    assert problems[4].endswith("(got 'milk shake')")
    assert problems[5] == (
        "bad.csv:7:amount: 2025-26:1 stall F01 food is already recorded as ¥500.00 "
        f"(batch {before[-1]['id']}) with a different amount ¥500.00 → ¥600.00; "
        "import with --replace to supersede it (got '600')"
    )
    assert history(run) == before


def big_files(folder: Path, stalls: int) -> tuple[Path, Path]:
    """A roster of ``stalls`` stalls and their sales at two sessions in six categories."""
    codes = [f"S{n:04d}" for n in range(1, stalls + 1)]
    roster = write(
        folder / "roster.csv",
        "code,name,township,herder,category\n"
        + "".join(f"{c},摊位{c},辉苏木,yes,meat\n" for c in codes),
    )
    rows = ["季,场次,摊位,类别,金额(元)"]
    for session in (1, 2):
        for code in codes:
            for n, category in enumerate(("meat", "dairy", "craft", "food", "activity", "other")):
                rows.append(f"2025-26,{session},{code},{category},{n}{session}{code[1:]}.{n}5")
    sales = write(folder / "sales.csv", "\n".join(rows) + "\n")
    return roster, sales


def test_a_typo_deep_inside_a_big_file_is_named_by_row_and_column(
    market: Ledger, run, tmp_path: Path
) -> None:
    roster, sales = big_files(tmp_path, 300)
    lines = sales.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3601
    season, session, stall, category, amount = lines[2344].split(",")
    lines[2344] = ",".join([season, session, stall, category, amount.replace("0", "O", 1)])
    sales.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = history(run)
    result = run("tally", "import", roster, sales)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"sales.csv:2345:金额(元): amount is not a number of yuan; expected e.g. 1200, "
        f"1,200.50, ¥1200 or 1.5万 (got '{amount.replace('0', 'O', 1)}')",
        "Error: 1 problem found; nothing was written",
    ]
    assert history(run) == before


def test_a_big_import_shows_progress_and_sums_to_the_fen(
    market: Ledger, run, tmp_path: Path
) -> None:
    from iddexi.tally.importer import import_files

    roster, sales = big_files(tmp_path, 500)
    expected = sum(
        Decimal(line.rsplit(",", 1)[1])
        for line in sales.read_text(encoding="utf-8").splitlines()[1:]
    )
    calls: list[tuple[int, int]] = []
    outcomes = import_files(market, [roster, sales], progress=lambda d, t: calls.append((d, t)))
    assert [o.rows for o in outcomes] == [500, 6000]
    assert outcomes[1].total_fen == expected * 100
    assert len(calls) > 3 and calls[-1] == (6500, 6500)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    total = sum(
        s["revenue_yuan"] for s in jload(run("session", "list", "2025-26", "--json").stdout)
    )
    assert Decimal(str(total)) == expected


def test_the_same_file_twice_is_a_no_op_naming_its_batch(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = write(tmp_path / "sales.csv", SALES_EN)
    assert run("tally", "import", path).exit_code == 0
    batch = history(run)[-1]["id"]
    again = run("tally", "import", path)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == f"sales.csv: already imported as batch {batch}; nothing written"
    assert history(run)[-1]["id"] == batch
    assert sales_of(run, "2025-26:1")[("M01", "meat")] == Decimal("12800.50")


def test_the_same_lines_in_other_bytes_are_skipped_not_doubled(
    market: Ledger, run, tmp_path: Path
) -> None:
    assert run("tally", "import", write(tmp_path / "a.csv", SALES_EN)).exit_code == 0
    resaved = write(tmp_path / "b.csv", SALES_EN.replace("\n", "\r\n"))
    result = run("tally", "import", resaved)
    assert result.exit_code == 0, result.stderr
    assert "nothing new" in result.stdout and "3 rows already in the ledger" in result.stdout
    # the lines are there already: their total, not a ¥0.00 that reads as an empty sheet
    assert "recorded total ¥16,000.50" in result.stdout and "¥0.00" not in result.stdout
    assert sum(sales_of(run, "2025-26:1").values()) == Decimal("16000.50")


def test_a_file_repeating_recorded_lines_holds_them_so_voiding_the_older_loses_nothing(
    market: Ledger, run, tmp_path: Path
) -> None:
    """The second sheet repeats the first day's takings and adds a stall; when the first
    import turns out to be the wrong file and is voided, the second still holds them all."""
    assert run("tally", "import", write(tmp_path / "a.csv", SALES_EN)).exit_code == 0
    first = history(run)[-1]["id"]
    fuller = write(tmp_path / "b.csv", SALES_EN + "2025-26,1,F01,food,99.50,,,\n")
    result = run("tally", "import", fuller)
    assert result.exit_code == 0, result.stderr
    second = history(run)[-1]["id"]
    assert result.stdout.strip() == (
        f"b.csv: sales, 4 rows, total ¥16,100.00, "
        f"3 rows as already recorded, now in this batch (batch {second})"
    )
    assert sum(sales_of(run, "2025-26:1").values()) == Decimal("16100.00")
    assert run("void", str(first), "--reason", "wrong file").exit_code == 0
    assert sales_of(run, "2025-26:1") == {
        ("M01", "meat"): Decimal("12800.50"),
        ("D01", "dairy"): Decimal("3200.00"),
        ("F01", "food"): Decimal("99.50"),
    }
    assert run("check").exit_code == 0


def test_any_sheet_of_a_chain_of_fuller_sheets_can_be_voided(
    market: Ledger, run, tmp_path: Path
) -> None:
    """Each evening's sheet repeats the day so far; any one of them can be taken back."""
    extra = ["2025-26,1,F01,food,10,,,\n", "2025-26,1,F01,craft,5,,,\n"]
    ids = []
    for n in range(3):
        path = write(tmp_path / f"sheet{n}.csv", SALES_EN + "".join(extra[:n]))
        assert run("tally", "import", path).exit_code == 0
        ids.append(history(run)[-1]["id"])
    voided = run("void", str(ids[1]), "--reason", "middle sheet was a draft")
    assert voided.exit_code == 0, voided.stderr
    assert sum(sales_of(run, "2025-26:1").values()) == Decimal("16015.50")
    assert run("void", str(ids[2]), "--reason", "so was the last").exit_code == 0
    assert sum(sales_of(run, "2025-26:1").values()) == Decimal("16000.50")
    assert run("check").exit_code == 0


def test_replace_supersedes_clashing_lines_in_the_new_batch(
    market: Ledger, run, tmp_path: Path
) -> None:
    assert run("tally", "import", write(tmp_path / "a.csv", SALES_EN)).exit_code == 0
    fix = write(
        tmp_path / "fix.csv",
        "season,session,stall,category,amount\n2025-26,1,M01,meat,12850.50\n2025-26,1,F01,food,10\n",
    )
    refused = run("tally", "import", fix)
    assert refused.exit_code == 1
    assert "fix.csv:2:amount: 2025-26:1 stall M01 meat is already recorded as ¥12,800.50" in (
        refused.stderr
    )
    result = run("tally", "import", fix, "--replace")
    assert result.exit_code == 0, result.stderr
    batch = history(run)[-1]["id"]
    assert result.stdout.strip() == (
        f"fix.csv: sales, 2 rows, total ¥12,860.50, replacing 1 line (batch {batch})"
    )
    assert sales_of(run, "2025-26:1") == {
        ("M01", "meat"): Decimal("12850.50"),
        ("D01", "dairy"): Decimal("3200.00"),
        ("F01", "food"): Decimal("10.00"),
    }
    # voiding the replacing batch brings the old line back
    assert run("void", batch, "--reason", "wrong sheet").exit_code == 0
    assert sales_of(run, "2025-26:1")[("M01", "meat")] == Decimal("12800.50")


def test_one_bad_file_keeps_every_file_of_the_command_out(
    market: Ledger, run, tmp_path: Path
) -> None:
    good = write(tmp_path / "good.csv", SALES_EN)
    bad = write(
        tmp_path / "bad.csv", "season,session,stall,category,amount\n2025-26,2,M01,meat,-5\n"
    )
    before = history(run)
    result = run("tally", "import", good, bad)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "bad.csv:2:amount: amount is negative; takings are zero or more (got '-5')",
        "Error: 1 problem found; nothing was written",
    ]
    assert history(run) == before
    assert sales_of(run, "2025-26:1") == {}


def test_totals_row_is_a_control_total(market: Ledger, run, tmp_path: Path) -> None:
    body = (
        "season,session,stall,category,amount\n2025-26,1,M01,meat,100.10\n\n2025-26,1,D01,dairy,0\n"
    )
    wrong = write(tmp_path / "wrong.csv", body + "合计,,,,100.00\n")
    result = run("tally", "import", wrong)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "wrong.csv:5:amount: the totals row says ¥100.00 but the lines add up to ¥100.10 "
        "(a difference of ¥0.10) (got '100.00')"
    )
    right = write(tmp_path / "right.csv", body + ",Total,,,100.10\n")
    result = run("tally", "import", right)
    assert result.exit_code == 0, result.stderr
    assert "totals row ¥100.10 checked" in result.stdout
    ledger_total = market.conn.execute(
        "SELECT control_total_fen FROM batches ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert ledger_total == 100_10


def test_dry_run_shows_and_writes_nothing(market: Ledger, run, tmp_path: Path) -> None:
    before = history(run)
    result = run("tally", "import", write(tmp_path / "s.csv", SALES_EN), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "s.csv: would write: sales, 3 rows, total ¥16,000.50",
        "Dry run: nothing was written.",
    ]
    assert history(run) == before


def test_unknown_headers_and_unreadable_files_are_refused(ledger: Ledger, run, tmp_path: Path):
    odd = write(tmp_path / "odd.csv", "season,session,stall,category\n2025-26,1,M01,meat\n")
    missing = tmp_path / "missing.csv"
    sheet = write(tmp_path / "sheet.ods", "x")
    result = run("tally", "import", odd, missing, sheet)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "odd.csv:1: the headers look like a sales table but have no column for amount"
    )
    assert lines[1] == f"{missing}: no such file"
    assert lines[2].startswith("sheet.ods: cannot read .ods")
    assert lines[-1] == "Error: 3 problems found; nothing was written"


def test_session_by_date_column_and_unknown_columns_are_warned(
    market: Ledger, run, tmp_path: Path
) -> None:
    both = write(
        tmp_path / "both.csv",
        "季,场次,日期,摊位,类别,金额,摊主电话\n2025-26,1,2025-11-22,M01,肉,100,139\n",
    )
    by_date = write(tmp_path / "by-date.csv", "季,日期,摊位,金额\n2025-26,2025/11/29,D01,50\n")
    result = run("tally", "import", both, by_date)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Warning: both.csv: column '摊主电话' is not a field of this table; ignored\n"
    )
    assert sales_of(run, "2025-26:1") == {("M01", "meat"): Decimal("100.00")}
    assert sales_of(run, "2025-26:2") == {("D01", "dairy"): Decimal("50.00")}


def test_a_big_import_through_the_cli_keeps_stderr_clean(
    market: Ledger, run, tmp_path: Path
) -> None:
    roster, sales = big_files(tmp_path, 450)  # 5,400 sales rows: the progress bar's size
    result = run("tally", "import", roster, sales)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[1].startswith("sales.csv: sales, 5,400 rows")


def test_a_hand_made_workbook_with_a_title_row_and_two_tables(
    market: Ledger, run, tmp_path: Path
) -> None:
    import openpyxl

    from iddexi.render.xlsx_text import set_text

    wb = openpyxl.Workbook()
    roster = wb.active
    roster.title = "摊位"
    roster.append(["编号\nCode", "名称\nName", "类别\nCategory"])
    roster.append(["M02", "巴特尔牧场", "冬储肉"])
    sales = wb.create_sheet("12月6日")
    sales.append(["伊德喜大集 12月6日 销售登记"])
    sales.append(["季", "场次", "摊位", "类别", "金额（元）", "备注"])
    sales.append(["2025-26", 2, "M02", None, 8000.5, None])
    sales.append(["2025-26", 2, "M01", "肉", "1,200", None])
    set_text(sales["F4"], "=SUM(1)")  # a note that only looks like a formula
    sales.append([None, None, None, None, None, None])
    sales.append(["2025-26", 2, "D01", "奶", "12,00", None])
    path = tmp_path / "手工.xlsx"
    wb.save(path)
    refused = run("tally", "import", path)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "手工.xlsx:12月6日:6:金额（元）: amount is not a number of yuan; expected e.g. 1200, "
        "1,200.50, ¥1200 or 1.5万 (got '12,00')",
        "Error: 1 problem found; nothing was written",
    ]
    sales["E6"] = "12.00"
    wb.save(path)
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("手工.xlsx: stalls+sales, 4 rows, total ¥9,212.50")
    assert sales_of(run, "2025-26:2") == {
        ("D01", "dairy"): Decimal("12.00"),
        ("M01", "meat"): Decimal("1200.00"),
        ("M02", "meat"): Decimal("8000.50"),
    }
    note = [x["note"] for x in jload(run("sale", "list", "2025-26:2", "--json").stdout)]
    assert "=SUM(1)" in note
    # the wrong day's sheet: voiding the workbook takes its sales out, the new stall stays
    batch = history(run)[-1]["id"]
    voided = run("void", str(batch), "--reason", "that was 12月13日")
    assert voided.exit_code == 0, voided.stderr
    assert sales_of(run, "2025-26:2") == {}
    assert "M02" in {s["code"] for s in jload(run("stall", "list", "--json").stdout)}
    assert run("check").exit_code == 0


def test_a_hand_made_csv_without_a_season_column_names_sessions_by_date(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "手工.csv",
        '日期,摊位,类别,金额\n2025/11/22,M01,冬储肉,"1,000"\n2024-11-30,D01,奶,50\n'
        "2025-12-13,F01,小吃,5\n2025-11-22,F01,小吃,3\n",
        "gb18030",
    )
    refused = run("tally", "import", path)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        "手工.csv:4:日期: no season has a session on 2025-12-13; import the sessions table "
        "first or add it with `iddexi session add` (got '2025-12-13')"
    )
    lines = path.read_bytes().decode("gb18030").splitlines()
    path.write_bytes("\n".join(lines[:3] + lines[4:]).encode("gb18030"))
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert sales_of(run, "2025-26:1") == {
        ("M01", "meat"): Decimal("1000.00"),
        ("F01", "food"): Decimal("3.00"),
    }
    assert sales_of(run, "2024-25:2") == {("D01", "dairy"): Decimal("50.00")}


def test_an_uncalculated_formula_is_reported_with_every_other_mistake(
    market: Ledger, run, tmp_path: Path
) -> None:
    """A formula without a saved value must not hide the typo and the unknown stall below it."""
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "销售"
    sheet.append(["季", "场次", "摊位", "类别", "金额"])
    sheet.append(["2025-26", 1, "M01", "肉", "=1+1"])  # openpyxl saves no result for it
    sheet.append(["2025-26", 1, "ZZZ", "肉", "100"])
    sheet.append(["2025-26", 1, "D01", "奶", "12,34.5"])
    path = tmp_path / "公式.xlsx"
    wb.save(path)
    before = history(run)
    result = run("tally", "import", path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("公式.xlsx:销售:2:金额: formula without a saved value")
    assert any(line.startswith("公式.xlsx:销售:3:摊位:") and "ZZZ" in line for line in lines)
    assert any(line.startswith("公式.xlsx:销售:4:金额:") and "12,34.5" in line for line in lines)
    assert lines[-1] == "Error: 3 problems found; nothing was written"
    assert history(run) == before


def test_a_clash_in_quantity_alone_says_what_differs(market: Ledger, run, tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.csv", "季,场次,摊位,类别,金额,数量,单位\n2025-26,1,M01,肉,1200,3,只\n"
    )
    assert run("tally", "import", first).exit_code == 0
    again = write(
        tmp_path / "b.csv", "季,场次,摊位,类别,金额,数量,单位\n2025-26,1,M01,肉,1200,4,只\n"
    )
    result = run("tally", "import", again)
    assert result.exit_code == 1
    assert "already recorded as ¥1,200.00" in result.stderr
    assert "with a different quantity 3 → 4" in result.stderr


def test_a_clash_names_the_changed_amount_before_the_other_fields(
    market: Ledger, run, tmp_path: Path
) -> None:
    first = write(
        tmp_path / "a.csv", "季,场次,摊位,类别,金额,数量,单位\n2025-26,1,M01,肉,12800.50,160,kg\n"
    )
    assert run("tally", "import", first).exit_code == 0
    before = history(run)
    again = write(tmp_path / "b.csv", '季,场次,摊位,类别,金额\n2025-26,1,M01,肉,"1,200"\n')
    result = run("tally", "import", again)
    assert result.exit_code == 1
    assert (
        "already recorded as ¥12,800.50 (batch {batch}) with a different amount "
        "¥12,800.50 → ¥1,200.00, quantity 160 → (empty), unit kg → (empty);"
    ).format(batch=before[-1]["id"]) in result.stderr
    assert history(run) == before


def _two_sales_sheets(path: Path, first: list[list], second: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    for ws, rows in ((wb.active, first), (wb.create_sheet("b"), second)):
        ws.append(["季", "场次", "摊位", "类别", "金额"])
        for row in rows:
            ws.append(row)
    wb.active.title = "a"
    wb.save(path)
    return path


def test_a_totals_row_on_one_sheet_of_two_still_leaves_a_ledger_that_checks(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = _two_sales_sheets(
        tmp_path / "two.xlsx",
        [["2025-26", 1, "M01", "meat", 10], ["合计", None, None, None, 10]],
        [["2025-26", 1, "D01", "dairy", 20]],
    )
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert "total ¥30.00, totals row ¥10.00 checked" in result.stdout
    checked = run("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_the_same_line_on_two_sheets_of_one_workbook_is_refused(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = _two_sales_sheets(
        tmp_path / "twice.xlsx",
        [["2025-26", 1, "M01", "meat", 10]],
        [["2025-26", 1, "M01", "meat", 10]],
    )
    result = run("tally", "import", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "twice.xlsx:b:2:金额: 2025-26:1 stall M01 meat is already on another sheet of this "
        "file (got '10')",
        "Error: 1 problem found; nothing was written",
    ]
    assert sales_of(run, "2025-26:1") == {}


def test_an_amount_a_formula_saved_with_float_noise_imports_as_shown(
    market: Ledger, run, tmp_path: Path
) -> None:
    """Excel saves =19.9*3 as 59.699999999999996 and shows ¥59.70: that is the takings."""
    import zipfile

    import openpyxl

    made = tmp_path / "made.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["季", "场次", "摊位", "类别", "金额"])
    wb.active.append(["2025-26", 1, "M01", "meat", 59.7])
    wb.save(made)
    path = tmp_path / "noise.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>59.7</v>" in data
                data = data.replace(b"<v>59.7</v>", b"<v>59.699999999999996</v>")
            out.writestr(item, data)
    result = run("tally", "import", path)
    assert result.exit_code == 0, result.stderr
    assert sales_of(run, "2025-26:1") == {("M01", "meat"): Decimal("59.70")}


def test_a_line_for_an_unrecorded_day_says_how_to_record_it(
    market: Ledger, run, tmp_path: Path
) -> None:
    path = write(tmp_path / "x.csv", "季,场次,摊位,类别,金额\n2025-26,2026-01-03,M01,冬储肉,1000\n")
    result = run("tally", "import", path)
    assert result.exit_code == 1
    hint = "`iddexi session add 2025-26 --date 2026-01-03`"
    assert hint in result.stderr
    # and the hint works as written
    command = hint.strip("`").split()[1:]
    assert run(*command).exit_code == 0
    assert run("tally", "import", path).exit_code == 0


def test_a_hidden_sheet_holding_sales_is_not_left_out_unseen(
    market: Ledger, run, tmp_path: Path
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    shown = wb.active
    shown.title = "shown"
    shown.append(["季", "场次", "摊位", "类别", "金额"])
    shown.append(["2025-26", 1, "M01", "meat", 10])
    hidden = wb.create_sheet("kept")
    hidden.sheet_state = "veryHidden"
    hidden.append(["季", "场次", "摊位", "类别", "金额"])
    hidden.append(["2025-26", 1, "D01", "dairy", 20])
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    result = run("tally", "import", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "hidden.xlsx:kept: this hidden sheet holds a sales table; unhide it to import it, "
        "or delete it"
    )
    assert sales_of(run, "2025-26:1") == {}


def test_unknown_words_in_a_file_are_answered_with_the_closest_known_ones(
    market: Ledger, run, tmp_path: Path
) -> None:
    """A typo in a stall code, a category, a season or a township names what was meant."""
    sales = write(
        tmp_path / "sales.csv",
        "season,session,stall,category,amount\n"
        "2025-26,1,MO1,meat,1000\n"  # letter O for zero
        "2025-26,1,D01,diary,100\n"  # dairy misspelt
        "2025-62,1,D01,dairy,100\n",  # digits swapped
    )
    result = run("tally", "import", sales)
    assert result.exit_code == 1
    problems = result.stderr.splitlines()
    assert problems[0].startswith("sales.csv:2:stall: stall MO1 is not in the ledger; import")
    assert "--name …`; did you mean 敖日格勒家冬储肉 M01?" in problems[0]
    assert "category is not known; did you mean dairy (奶制品)?" in problems[1]
    assert "season 2025-62 is not in the ledger; did you mean 2025-26?" in problems[2]
    stalls = write(
        tmp_path / "stalls.csv",
        "code,name,operator,township,herder,category\nM09,新摊,某人,辉苏目,yes,meat\n",
    )
    before = history(run)
    result = run("tally", "import", stalls)
    assert result.exit_code == 1
    assert "township 辉苏目 is not in the ledger; did you mean 辉苏木?" in result.stderr
    assert history(run) == before
