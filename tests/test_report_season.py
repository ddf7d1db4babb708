"""`iddexi report season` and `report brief` on the demo data: the December 2025 reference case.

The published figures (30,000 visits, ¥549,000 against ¥148,000, +270.9%, meat ¥416,000 =
75.8%) must come out of the command line exactly: in the JSON, in the brief, and in the
workbook read back. The demo data is loaded through the Ledger API here, so these tests
do not depend on the tally importer (tests/test_demo.py covers `iddexi demo`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import struct
import tomllib
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from iddexi.ledger.sales import SaleLine
from iddexi.ledger.values import parse_yuan

DEMO = Path(__file__).resolve().parents[1] / "ledgers" / "demo"
REF = ["report", "season", "2025-26", "--as-of", "2025-12-06"]


def load_demo(ledger: Ledger) -> list[int]:
    """The bundled demo data through the Ledger API; returns the two sales batch ids."""
    manifest = tomllib.loads((DEMO / "manifest.toml").read_text(encoding="utf-8"))
    for s in manifest["season"]:
        ledger.add_season(
            s["code"],
            dt.date.fromisoformat(s["start"]),
            dt.date.fromisoformat(s["end"]),
            name=s["name"],
            kind=s["kind"],
            planned=s["planned"],
        )

    def rows(name: str) -> list[dict[str, str]]:
        with (DEMO / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    for r in rows("townships.csv"):
        ledger.add_township(r["name"], r["kind"])
    for r in rows("stalls.csv"):
        ledger.add_stall(
            r["code"],
            r["name"],
            category=r["category"],
            operator=r["operator"] or None,
            township=r["township"] or None,
            herder=r["herder"] == "yes",
        )
    with ledger.batch("import", "sessions.csv") as batch:
        for r in rows("sessions.csv"):
            fields = {k: r[k] for k in ("host", "theme", "count_method", "temperature", "note")}
            fields["visitors"] = int(r["visitors"])
            ledger.insert_session(
                r["season"],
                dt.date.fromisoformat(r["date"]),
                batch,
                ledger._check_session_fields(fields),
            )
    batches = []
    for name in manifest["files"]["sales"]:
        with ledger.batch("import", name) as batch:
            ids = {
                (s.season, s.date.isoformat()): s.id
                for season in ("2024-25", "2025-26")
                for s in ledger.sessions(season)
            }
            lines = [
                SaleLine(
                    ids[r["season"], r["session"]],
                    r["stall"],
                    r["category"],
                    parse_yuan(r["amount"]),
                    Decimal(r["quantity"]) if r["quantity"] else None,
                    r["unit"] or None,
                    r["note"] or None,
                )
                for r in rows(name)
            ]
            ledger.insert_lines(lines, batch)
        batches.append(batch)
    return batches


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with Ledger.open(path) as ledger:
        load_demo(ledger)
    return path


@pytest.fixture
def demo(demo_file: Path, ledger_path: Path) -> Path:
    """A fresh copy of the demo ledger as this test's default ledger."""
    shutil.copyfile(demo_file, ledger_path)
    return ledger_path


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def report_json(run, *args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal)


def test_reference_case_end_to_end(demo, run, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "reports"
    doc = report_json(run, *REF, "--out", out)
    assert doc["season"] == "2025-26"
    assert doc["compare_to"] == "2024-25"
    assert doc["align"] == "date"
    assert doc["window"] == {"start": "2025-11-22", "end": "2025-12-06"}
    assert doc["compare_window"] == {"start": "2024-11-23", "end": "2024-11-30"}
    assert doc["sessions"] == 3
    assert doc["visitors"] == 30000
    assert doc["revenue_yuan"] == Decimal("549000.00")
    assert doc["by_category"]["meat"] == Decimal("416000.00")
    assert sum(doc["by_category"].values()) == Decimal("549000.00")
    assert abs(doc["meat_share"] - Decimal(416) / Decimal(549)) < Decimal("1e-9")
    assert doc["last"]["sessions"] == 2
    assert doc["last"]["revenue_yuan"] == Decimal("148000.00")
    assert sum(doc["last"]["by_category"].values()) == Decimal("148000.00")
    assert doc["growth"]["revenue_pct"] == Decimal("270.9")
    assert doc["growth"]["visitors_pct"] == (
        (Decimal(30000 - doc["last"]["visitors"]) * 100 / doc["last"]["visitors"]).quantize(
            Decimal("0.1")
        )
    )
    assert doc["growth"]["revenue_multiple"] == Decimal("3.7")
    assert doc["herder_revenue_yuan"] > 0
    per_session = doc["per_session"]
    assert [row["this"]["date"] for row in per_session] == [
        "2025-11-22",
        "2025-11-29",
        "2025-12-06",
    ]
    assert per_session[-1]["this"]["cumulative_revenue_yuan"] == Decimal("549000.00")
    assert per_session[-1]["last"]["cumulative_revenue_yuan"] == Decimal("148000.00")
    assert per_session[-1]["cumulative_revenue_pct"] == Decimal("270.9")
    assert doc["projection"]["kind"] == "projection"
    files = [Path(p) for p in doc["files"]]
    assert files and all(p.is_absolute() and p.is_file() for p in files)
    assert all(p.parent == out.resolve() for p in files)
    assert any(
        p.suffix == ".xlsx" and "2025-26" in p.name and "2025-12-06" in p.name for p in files
    )
    assert len([p for p in files if p.suffix == ".png"]) == 5

    pngs = sorted(out.glob("*.png"))
    assert {p.stem.rsplit("-", 1)[1] for p in pngs} == {
        "revenue",
        "cumulative",
        "categories",
        "visits",
        "stalls",
    }
    for png in pngs:
        width, height = png_size(png)
        assert width >= 1600 and height >= 900
        assert png.stat().st_size > 20_000

    (book_path,) = out.glob("*.xlsx")
    with zipfile.ZipFile(book_path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 6
        for name in sheets:
            assert not re.search(rb"<(\w+:)?f[\s>/]", zf.read(name)), name
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())

    wb = load_workbook(book_path)
    assert wb.sheetnames == ["汇总", "分场次", "分类别", "摊位", "承办乡镇", "原始记录"]
    summary = wb["汇总"]
    rows = {r[0]: r[1:] for r in summary.iter_rows(values_only=True) if r[0]}
    assert Decimal(str(rows["收入（元）"][0])) == Decimal("549000")
    assert Decimal(str(rows["收入（元）"][1])) == Decimal("148000")
    assert Decimal(str(rows["收入（万元）"][0])) == Decimal("54.9")
    assert rows["游客（人次）"][0] == 30000
    assert round(Decimal(str(rows["收入（元）"][3])), 4) == Decimal("2.709")
    assert Decimal(str(rows["冬储肉销售额（元）"][0])) == Decimal("416000")
    assert summary.freeze_panes is not None
    assert summary.page_setup.orientation == "landscape"
    texts = " ".join(str(r[0]) for r in summary.iter_rows(values_only=True) if r[0])
    assert "2025-11-22 至 2025-12-06" in texts and "2024-11-23 至 2024-11-30" in texts
    assert "54.9万元" in texts
    revenue_cell = next(c for c in summary["B"] if c.value == 549000)
    assert "¥" in revenue_cell.number_format

    sessions = wb["分场次"]
    header = next(r for r in sessions.iter_rows(values_only=True) if r[0] == "场次")
    col = {name: i for i, name in enumerate(header)}
    data = [r for r in sessions.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [r[0] for r in data] == [1, 2, 3]
    assert sum(Decimal(str(r[col["本期收入（元）"]])) for r in data) == Decimal("549000")
    assert Decimal(str(data[-1][col["本期累计（元）"]])) == Decimal("549000")
    assert Decimal(str(data[-1][col["同期累计（元）"]])) == Decimal("148000")
    # last season had no third session by 6 December: no figure, not a zero
    assert (data[-1][col["同期收入（元）"]], data[-1][col["同比"]]) == (None, None)
    assert sessions.freeze_panes is not None
    assert sessions._charts
    # a running total is drawn with straight segments (smoothed, it can seem to dip)
    lines = [c for c in sessions._charts if type(c).__name__ == "LineChart"]
    assert lines and all(s.smooth is False for c in lines for s in c.series)

    categories = wb["分类别"]
    meat = next(r for r in categories.iter_rows(values_only=True) if r[1] == "meat")
    assert Decimal(str(meat[2])) == Decimal("416000")
    assert round(meat[3], 4) == 0.7577

    lines = wb["原始记录"]
    amounts: dict[str, Decimal] = {}
    for r in lines.iter_rows(min_row=2, values_only=True):
        amounts[r[0]] = amounts.get(r[0], Decimal(0)) + Decimal(str(r[8]))
    assert amounts == {"2025-26": Decimal("549000"), "2024-25": Decimal("148000")}

    brief = next(out.glob("*-brief.txt")).read_text(encoding="utf-8")
    assert "54.9万元" in brief


def test_summary_table_for_people(demo, run):
    result = run(*REF, "--no-files")
    assert result.exit_code == 0, result.stderr
    for text in ("¥549,000", "¥148,000", "+270.9%", "3.7倍", "30,000", "75.8%", "按日期对齐"):
        assert text in result.stdout, text
    assert "2025-11-22 至 2025-12-06" in result.stdout
    # the title's second line is a line, not an escaped control character
    assert "\\x0a" not in result.stdout
    assert "本期3场、同期2场" in result.stdout
    # every growth of +100% or more also as a multiple, not only revenue's
    for text in ("+229.7% (3.3倍)", "+290.8% (3.9倍)", "+298.8% (4.0倍)", "+168.8% (2.7倍)"):
        assert text in result.stdout, text
    # money in a table with separators; a projection (an estimate) in whole yuan
    assert "¥15,795.08" in result.stdout and "¥5,877.24" in result.stdout
    assert "¥2,390,896 " in result.stdout and "¥2,390,896.43" not in result.stdout


def test_year_table_money_to_the_fen_and_title_lines(demo, run):
    import re

    result = run("report", "year", "2025", "--no-files")
    assert result.exit_code == 0, result.stderr
    assert "\\x0a" not in result.stdout
    assert "2024年：" in result.stdout
    amounts = re.findall(r"¥[\d,.]+", result.stdout)
    assert amounts and all(re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d\d", a) for a in amounts), amounts
    assert "+203.5% (3.0倍)" in result.stdout


def test_year_brief_and_workbook_state_multiples(demo, run, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "year"
    result = run("report", "year", "2025", "--out", out)
    assert result.exit_code == 0, result.stderr
    brief = next(out.glob("*-brief.txt")).read_text(encoding="utf-8")
    assert "增长214.2%（约为2024年的3.1倍）" in brief
    summary = load_workbook(next(out.glob("*.xlsx"))).worksheets[0]
    rows = {r[0]: r[1:] for r in summary.iter_rows(values_only=True) if r[0]}
    at = rows["指标"].index("倍数")
    assert Decimal(str(rows["牧户摊位收入（元）"][at])) == Decimal("3.1")
    assert Decimal(str(rows["游客（人次）"][at])) == Decimal("3.0")


def test_brief_reads_like_the_press_release(demo, run):
    result = run("report", "brief", "2025-26", "--as-of", "2025-12-06")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("截至2025年12月6日")
    for figure in ("3场", "3.0万人次", "54.9万元", "2024年同期14.8万元", "增长270.9%", "3.7倍"):
        assert figure in text, figure
    assert "41.6万元" in text and "75.8%" in text
    # the returning herders' +168.8% is a ratio over 2: stated as a multiple too
    assert "增长168.8%（约为同期的2.7倍）" in text

    english = run("report", "brief", "2025-26", "--as-of", "2025-12-06", "--lang", "en")
    assert english.exit_code == 0, english.stderr
    for figure in ("30,000 visits", "¥549,000", "¥148,000", "270.9%", "¥416,000", "75.8%"):
        assert figure in english.stdout, figure
    assert "up 168.8% (2.7 times as much)" in english.stdout


def test_align_by_session_compares_the_first_k_sessions(demo, run):
    doc = report_json(run, *REF, "--align", "session", "--no-files")
    assert doc["align"] == "session"
    assert doc["compare_window"] == {"start": "2024-11-23", "end": "2024-12-07"}
    assert doc["last"]["sessions"] == 3
    assert doc["last"]["revenue_yuan"] == Decimal("232830.00")
    assert doc["revenue_yuan"] == Decimal("549000.00")
    assert doc["growth"]["revenue_pct"] == Decimal("135.8")
    brief = run("report", "brief", "2025-26", "--as-of", "2025-12-06", "--align", "session")
    assert "前3场23.3万元" in brief.stdout


def test_align_by_session_names_the_sessions_last_season_really_had(demo, run):
    # 11 sessions this season, but 2024-25 held only 10
    brief = run("report", "brief", "2025-26", "--align", "session")
    assert brief.exit_code == 0, brief.stderr
    assert "前10场" in brief.stdout and "前11场" not in brief.stdout


def test_as_of_between_sessions_counts_those_on_or_before_it(demo, run):
    doc = report_json(run, "report", "season", "2025-26", "--as-of", "2025-12-03", "--no-files")
    assert doc["sessions"] == 2
    assert doc["window"] == {"start": "2025-11-22", "end": "2025-11-29"}
    assert doc["compare_as_of"] == "2024-12-03"
    assert doc["compare_window"] == {"start": "2024-11-23", "end": "2024-11-30"}
    assert doc["last"]["revenue_yuan"] == Decimal("148000.00")
    assert doc["visitors"] == 11800 + 8600


def test_an_as_of_after_the_season_means_the_whole_season(demo, run):
    """A day years later must not shift "the same period" years back too."""
    late = report_json(run, "report", "season", "2025-26", "--as-of", "2030-01-01", "--no-files")
    whole = report_json(run, "report", "season", "2025-26", "--no-files")
    assert late["as_of"] == "2026-01-31"
    assert late["compare_as_of"] == "2025-01-31"
    assert late["revenue_yuan"] == whole["revenue_yuan"]
    assert late["last"]["revenue_yuan"] == whole["last"]["revenue_yuan"]


def test_a_same_period_spanning_new_year_is_not_named_by_one_year(demo, run):
    brief = run("report", "brief", "2025-26", "--as-of", "2026-01-10")
    assert brief.exit_code == 0, brief.stderr
    assert "较上季（2024-25）同期" in brief.stdout
    assert "较2025年同期" not in brief.stdout


def test_no_projection_when_last_season_has_nothing_left_to_follow(demo, run):
    # 2024-25 ended 2025-01-25: as of 2026-01-30 its "same period" is all of it
    doc = report_json(run, "report", "season", "2025-26", "--as-of", "2026-01-30", "--no-files")
    assert doc["sessions"] == 10
    assert doc["last"]["sessions"] == 10
    assert doc["projection"] is None


def test_default_as_of_is_the_last_session(demo, run):
    doc = report_json(run, "report", "season", "2025-26", "--no-files")
    assert doc["as_of"] == "2026-01-31"
    assert doc["sessions"] == 11
    assert doc["last"]["sessions"] == 10  # 2024-25 ended on 2025-01-25
    assert doc["files"] == []
    assert doc["projection"] is None  # the season is over: its total is known


def test_a_season_with_no_previous_one_still_reports(demo, run, tmp_path):
    out = tmp_path / "first"
    doc = report_json(run, "report", "season", "2024-25", "--out", out)
    assert doc["compare_to"] is None
    assert doc["growth"]["revenue_pct"] is None
    assert doc["growth"]["visitors_pct"] is None
    assert doc["last"]["sessions"] == 0
    assert doc["compare_window"] == {"start": None, "end": None}
    assert doc["projection"] is None
    assert doc["sessions"] == 10
    assert len(doc["files"]) == 7
    assert "Infinity" not in json.dumps(doc, default=str)
    brief = run("report", "brief", "2024-25", "--lang", "en")
    assert brief.exit_code == 0 and "n/a" not in brief.stdout


def test_voided_batches_never_count(demo, run):
    with Ledger.open(demo) as ledger:
        ledger.add_stall("X01", "测试摊", category="meat", herder=True)
        sale, _ = ledger.add_sale("2025-26:2", "X01", "meat", parse_yuan("1234.56"))
    doc = report_json(run, *REF, "--no-files")
    assert doc["revenue_yuan"] == Decimal("550234.56")
    assert doc["by_category"]["meat"] == Decimal("417234.56")
    result = run("void", sale.batch_id, "--reason", "typed twice")
    assert result.exit_code == 0, result.stderr
    after = report_json(run, *REF, "--no-files")
    assert doc["revenue_yuan"] - after["revenue_yuan"] == Decimal("1234.56")
    assert doc["herder_revenue_yuan"] - after["herder_revenue_yuan"] == Decimal("1234.56")
    assert after["revenue_yuan"] == Decimal("549000.00")
    assert after["growth"]["revenue_pct"] == Decimal("270.9")


def test_json_without_files_writes_nothing(demo, run, tmp_path):
    doc = report_json(run, *REF, "--no-files")
    assert doc["files"] == []
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "season", "2030-31"], "season '2030-31' is not in the ledger"),
        (["report", "season", "2025-26", "--as-of", "2025-11-01"], "no session on or before"),
        (["report", "season", "2025-26", "--align", "month"], "--align 'month'"),
        (["report", "season", "2025-26", "--vs", "2025-26"], "--vs 2025-26"),
        (["report", "season", "2024-25", "--vs", "2025-26"], "name an earlier season"),
        (["report", "season", "2025-26", "--lang", "fr"], "--lang 'fr'"),
        (["report", "season", "2025-26", "--as-of", "6/12/2025"], "6/12/2025"),
    ],
)
def test_refusals_are_one_error_line(demo, run, args, message):
    result = run(*args, "--no-files")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stdout == ""


def test_a_report_that_cannot_be_written_whole_writes_nothing(demo, run, tmp_path):
    out = tmp_path / "out"
    blocker = out / "iddexi-2025-26-as-of-2025-12-06-brief.txt"
    blocker.mkdir(parents=True)
    result = run(*REF, "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {blocker}: a folder of that name is in the way\n"
    assert list(out.iterdir()) == [blocker]


def test_english_workbook_and_explicit_vs(demo, run, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "en"
    doc = report_json(run, *REF, "--vs", "2024-25", "--lang", "en", "--out", out)
    assert doc["growth"]["revenue_pct"] == Decimal("270.9")
    (book,) = out.glob("*-en.xlsx")
    wb = load_workbook(book)
    assert wb.sheetnames[0] == "Summary"
    rows = {r[0]: r[1:] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert Decimal(str(rows["Revenue (yuan)"][0])) == Decimal("549000")
    # every figure in 10k yuan fits its column (Excel shows ### where one does not)
    summary = wb["Summary"]
    for row in summary.iter_rows():
        for cell in row:
            if isinstance(cell.value, (int, float)) and "10k yuan" in cell.number_format:
                shown = f"{cell.value:,.1f} (10k yuan)"
                assert summary.column_dimensions[cell.column_letter].width > len(shown)


def test_workbook_states_multiples_in_one_font(demo, run, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "en"
    report_json(run, *REF, "--lang", "en", "--out", out)
    (book,) = out.glob("*-en.xlsx")
    summary = load_workbook(book)["Summary"]
    rows = {r[0]: r[1:] for r in summary.iter_rows(values_only=True) if r[0]}
    heads = rows["Measure"]
    at = heads.index("Multiple")
    assert heads[at - 1] == "Growth"
    for measure, times in (
        ("Visits", "3.3"),
        ("Revenue (yuan)", "3.7"),
        ("Meat sales (yuan)", "3.9"),
        ("Herder stalls' revenue (yuan)", "4.0"),
        ("Returning herder stalls, average (yuan)", "2.7"),
    ):
        assert Decimal(str(rows[measure][at])) == Decimal(times), measure
    assert rows["Revenue per visit (yuan)"][at] is None  # +12.5% is no multiple
    # the projection, an estimate, is shown in whole yuan
    projection = next(
        c for c in summary["A"] if c.value == ("Season-end revenue, projected (yuan)")
    )
    assert summary.cell(projection.row, 2).number_format == '"¥"#,##0'
    # one sans font in every cell: headers and bold rows were drawn in a serif
    fonts = {c.font.name for row in summary.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Calibri"}


def test_a_session_without_a_visitor_count_is_named_in_the_brief(market, run):
    import datetime as dt

    market.add_session("2025-26", dt.date(2025, 12, 6), host="辉苏木")  # no count
    for ref, fen in (("2025-26:1", 980_000), ("2025-26:3", 500_000)):
        market.add_sale(ref, "M01", "meat", fen)
    zh = run("report", "brief", "2025-26")
    assert zh.exit_code == 0, zh.stderr
    assert "吸引游客2.0万人次（1场未统计人次）" in zh.stdout
    en = run("report", "brief", "2025-26", "--lang", "en")
    # one bracket, and no Chinese unit in the English text
    assert "20,000 visits (1 session not counted)" in en.stdout
    assert "万" not in en.stdout
    doc = report_json(run, "report", "season", "2025-26", "--no-files")
    # ¥9,800 over the 20,000 counted visits; the uncounted day's ¥5,000 is left out
    assert doc["revenue_per_visit_yuan"] == Decimal("0.49")


def test_sessions_counted_without_a_stated_method_are_named_in_the_brief(market, run):
    import datetime as dt

    market.add_session("2025-26", dt.date(2025, 12, 6), visitors=5000, count_method="full")
    market.add_session("2025-26", dt.date(2025, 12, 13), visitors=5000, count_method="estimate")
    zh = run("report", "brief", "2025-26")
    assert zh.exit_code == 0, zh.stderr
    # the parts add up to the four sessions counted
    assert "（1场全数清点、1场估算、2场未注明统计方式）" in zh.stdout
    en = run("report", "brief", "2025-26", "--lang", "en")
    assert "(1 counted in full, 1 estimated, 2 counted with no method stated)" in en.stdout


def test_season_titles_do_not_repeat_the_kind():
    from iddexi.render.labels import season_title

    assert season_title("2025-26", "winter", "en") == "the 2025-26 winter season"
    assert season_title("2031-summer", "summer", "en") == "the 2031-summer season"
    assert season_title("2025-26", "winter") == "2025-26冬季"
    assert season_title("2025冬季", "winter") == "2025冬季"


def test_the_brief_in_the_workbook_is_tall_enough_to_print_whole(demo, run, tmp_path):
    from openpyxl import load_workbook

    from iddexi.render.xlsx_sheet import display_width

    out = tmp_path / "out"
    assert run("report", "season", "2025-26", "--as-of", "2025-12-06", "--out", out).exit_code == 0
    ws = load_workbook(next(out.glob("*.xlsx"))).worksheets[0]
    (merged,) = ws.merged_cells.ranges
    brief = ws.cell(merged.min_row, 1).value
    across = sum(ws.column_dimensions[c].width for c in "ABCDE"[: merged.max_col])
    lines = ws.row_dimensions[merged.min_row].height / 16
    # every wrapped line of the brief has a line of the row (it was cut off at four)
    assert lines * across >= display_width(brief)
