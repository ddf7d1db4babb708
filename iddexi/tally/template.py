"""The tally workbook for one session: what organisers fill in after a market day.

Sheets: instructions; the session (season, date, host, theme, visitors, count method,
temperature, note), pre-filled with what the ledger knows; the sales, one row per
registered stall (or per line already recorded) and a totals row for the slip total;
and a hidden sheet holding the drop-down lists. The same workbook, filled in, is read
back by ``iddexi tally import``: its headers are the ones the importer recognises.

Every text that came from a person (stall names, themes, notes, township names) goes in
through :func:`~iddexi.render.xlsx_text.set_text`, so none of it can become a formula.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError, NotFoundError
from iddexi.ledger.sessions import market_day_mismatch, split_session_ref
from iddexi.ledger.values import fen_to_yuan, parse_date
from iddexi.ledger.words import COUNT_METHOD_LABELS
from iddexi.render.labels import check_language
from iddexi.render.xlsx_text import set_text

if TYPE_CHECKING:
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    from iddexi.ledger.core import Ledger
    from iddexi.ledger.records import Sale, Season, Session

# (Chinese, English) header of every column; the importer knows both.
SESSION_COLUMNS = (
    ("赛季", "Season", 11),
    ("日期", "Date", 12),
    ("承办单位", "Host", 18),
    ("主题", "Theme", 22),
    ("游客人次", "Visitors", 11),
    ("计数方式", "Count method", 13),
    ("气温(℃)", "Temperature (°C)", 13),
    ("备注", "Note", 30),
)
SALES_COLUMNS = (
    ("摊位编号", "Stall", 10),
    ("摊位名称", "Stall name", 24),
    ("类别", "Category", 16),
    ("金额(元)", "Amount (yuan)", 15),
    ("数量", "Quantity", 10),
    ("单位", "Unit", 8),
    ("备注", "Note", 30),
)
MONEY = "#,##0.00"
SHEETS = {
    "zh": ("填写说明", "场次", "销售", "lists"),
    "en": ("Instructions", "Session", "Sales", "lists"),
}


def _instructions(lang: str, title: str, sales: str) -> list[str]:
    if lang == "en":
        return [
            title,
            "",
            f"1. On the '{sales}' sheet write each stall's takings in yuan, e.g. 12800.5.",
            "   Leave the amount empty for a stall that did not report; write 0 for one that sold nothing.",
            "   A stall selling in a second category: copy its row and choose the other category.",
            "   Quantity and unit (kg, 只, 件) and a note are optional.",
            "2. Optionally write the total of the slips in the Total row: the import checks it.",
            "3. On the 'Session' sheet fill in host, theme, visitors, count method, temperature.",
            "   Do not change the season and date: they say which session this is.",
            "4. Save as .xlsx and import: iddexi tally import FILE.xlsx (add --dry-run to check first).",
            "   Every mistake is reported with its sheet, row and column; nothing is written until all are fixed.",
            "   Importing the same file twice does nothing the second time.",
        ]
    return [
        title,
        "",
        f"1. 在“{sales}”表中填写各摊位的销售金额（元），如 12800.5。",
        "   未报数的摊位金额留空；报了但没有销售的填 0。",
        "   同一摊位另有其他类别的销售：复制该行，改选类别。",
        "   数量、单位（kg、只、件）和备注可以不填。",
        "2. 可在“合计”行填写单据合计金额，导入时会核对。",
        "3. 在“场次”表中填写承办单位、主题、游客人次、计数方式、气温。",
        "   不要修改赛季和日期：它们指明是哪一场。",
        "4. 保存为 .xlsx 后导入：iddexi tally import 文件.xlsx（先加 --dry-run 检查）。",
        "   每个错误都会指出所在的表、行和列；全部改正之前不会写入任何数据。",
        "   同一文件重复导入不会重复计数。",
    ]


def _target(ledger: Ledger, ref: str) -> tuple[Season, dt.date, Session | None]:
    """The session of ``ref``, or for ``SEASON:YYYY-MM-DD`` a day not yet recorded."""
    try:
        session = ledger.resolve_session(ref)
    except NotFoundError:
        season_code, which = split_session_ref(ref)
        season = ledger.season(season_code)
        if re.fullmatch(r"\d{1,4}", which.strip()):
            raise
        date = parse_date(which, "session date")
        if not season.start <= date <= season.end:
            raise InputError(
                _("{date} is outside season {season_code} ({season_start} … {season_end})").format(
                    date=date,
                    season_code=season.code,
                    season_start=season.start,
                    season_end=season.end,
                )
            ) from None
        return season, date, None
    return ledger.season(session.season), session.date, session


def write_template(
    ledger: Ledger,
    session_ref: str,
    out: Path,
    lang: str = "zh",
    *,
    overwrite: bool = False,
    warn: Callable[[str], None] | None = None,
) -> Path:
    """Write the tally workbook for one session to ``out`` (.xlsx); returns the path.

    An existing file is only replaced with ``overwrite``: it may be a filled sheet.
    ``warn`` hears what `session add` would warn about (a day off the market day).
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            _("the template is an Excel workbook: name it .xlsx, not {name!r}").format(
                name=out.name
            )
        )
    if not out.parent.is_dir():
        raise InputError(_("folder {folder} does not exist").format(folder=out.parent))
    if out.exists() and not overwrite:
        raise ConflictError(
            _(
                "{out} already exists and may hold a filled sheet; give another name, or --force to replace it"
            ).format(out=out)
        )
    check_language(lang)
    season, date, session = _target(ledger, session_ref)
    off_day = market_day_mismatch(season, date)
    if off_day and warn is not None:
        warn(off_day)

    from openpyxl import Workbook

    wb = Workbook()
    about_title, session_title, sales_title, lists_title = SHEETS[lang]
    about = wb.active
    about.title = about_title
    session_ws = wb.create_sheet(session_title)
    sales_ws = wb.create_sheet(sales_title)
    lists = wb.create_sheet(lists_title)
    lists.sheet_state = "hidden"

    which = f"{season.code}:{session.number}" if session else season.code
    if lang == "en":
        title = f"{season.name or season.code} tally: session {which}, {date.isoformat()}"
    else:
        title = f"{season.name or season.code} 摊位销售登记表：{which}，{date.isoformat()}"
    for row, line in enumerate(_instructions(lang, title, sales_title), start=1):
        set_text(about.cell(row, 1), line)
    about["A1"].font = _font(bold=True, size=13)
    about.column_dimensions["A"].width = 110

    ranges = _write_lists(ledger, lists, lang)
    _write_session(session_ws, season, date, session, lang, ranges)
    _write_sales(ledger, sales_ws, session, lang, ranges)

    try:
        fd, tmp = tempfile.mkstemp(prefix=".tally-", suffix=".xlsx", dir=out.parent)
    except OSError as exc:
        raise InputError(
            _("cannot write {out}: {reason}").format(out=out, reason=exc.strerror)
        ) from None
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a template is not
        os.replace(tmp, out)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(
                _("cannot write {out}: {reason}").format(out=out, reason=exc.strerror)
            ) from None
        raise
    return out


def _font(**kw: object) -> Font:
    from openpyxl.styles import Font

    return Font(**kw)


def _header(ws: Worksheet, columns: tuple[tuple[str, str, int], ...], lang: str) -> None:
    from openpyxl.styles import Alignment, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, (zh, en, width) in enumerate(columns, start=1):
        cell = ws.cell(1, index)
        set_text(cell, en if lang == "en" else f"{zh}\n{en}")
        cell.font = _font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[1].height = 20 if lang == "en" else 34
    ws.freeze_panes = "A2"


def _write_lists(ledger: Ledger, ws: Worksheet, lang: str) -> dict[str, str]:
    """The hidden drop-down lists; returns each list's range for data validation."""
    columns = {
        "hosts": [t.name for t in ledger.townships()],
        "categories": [c.label_en if lang == "en" else c.label_zh for c in ledger.categories()],
        "count_methods": list(
            COUNT_METHOD_LABELS if lang == "en" else COUNT_METHOD_LABELS.values()
        ),
    }
    ranges = {}
    for index, (name, values) in enumerate(columns.items(), start=1):
        set_text(ws.cell(1, index), name)
        for row, value in enumerate(values, start=2):
            set_text(ws.cell(row, index), value)
        letter = ws.cell(1, index).column_letter
        if values:
            ranges[name] = f"'{ws.title}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _dropdown(ws: Worksheet, source: str | None, cells: str, lang: str) -> None:
    if source is None:
        return
    from openpyxl.worksheet.datavalidation import DataValidation

    check = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="iddexi",
        error="Choose from the list" if lang == "en" else "请从列表中选择",
    )
    check.add(cells)
    ws.add_data_validation(check)


def _write_session(
    ws: Worksheet,
    season: Season,
    date: dt.date,
    session: Session | None,
    lang: str,
    ranges: dict[str, str],
) -> None:
    _header(ws, SESSION_COLUMNS, lang)
    set_text(ws["A2"], season.code)
    ws["B2"] = date
    ws["B2"].number_format = "yyyy-mm-dd"
    if session is not None:
        set_text(ws["C2"], session.host)
        set_text(ws["D2"], session.theme)
        ws["E2"] = session.visitors
        if session.count_method:
            label = (
                COUNT_METHOD_LABELS[session.count_method] if lang == "zh" else session.count_method
            )
            set_text(ws["F2"], label)
        if session.temperature is not None:
            ws["G2"] = session.temperature
        set_text(ws["H2"], session.note)
    ws["E2"].number_format = "#,##0"
    _dropdown(ws, ranges.get("hosts"), "C2", lang)
    _dropdown(ws, ranges.get("count_methods"), "F2", lang)


def _write_sales(
    ledger: Ledger, ws: Worksheet, session: Session | None, lang: str, ranges: dict[str, str]
) -> None:
    _header(ws, SALES_COLUMNS, lang)
    labels = {c.code: (c.label_en if lang == "en" else c.label_zh) for c in ledger.categories()}
    recorded: dict[str, list[Sale]] = {}
    if session is not None:
        for sale in ledger.sales(f"{session.season}:{session.number}"):
            recorded.setdefault(sale.stall, []).append(sale)
    row = 2
    for stall in ledger.stalls():
        lines = recorded.get(stall.code) or [None]
        for sale in lines:
            set_text(ws.cell(row, 1), stall.code)
            set_text(ws.cell(row, 2), stall.name)
            category = sale.category if sale else stall.category
            set_text(ws.cell(row, 3), labels.get(category) if category else None)
            if sale is not None:
                ws.cell(row, 4).value = fen_to_yuan(sale.amount_fen)
                ws.cell(row, 5).value = sale.quantity
                set_text(ws.cell(row, 6), sale.unit)
                set_text(ws.cell(row, 7), sale.note)
            ws.cell(row, 4).number_format = MONEY
            row += 1
    last = row - 1
    set_text(ws.cell(row, 1), "Total" if lang == "en" else "合计")
    ws.cell(row, 1).font = _font(bold=True)
    ws.cell(row, 4).number_format = MONEY
    ws.cell(row, 4).font = _font(bold=True)
    if last >= 2:
        _dropdown(ws, ranges.get("categories"), f"C2:C{last}", lang)
        from openpyxl.worksheet.datavalidation import DataValidation

        money = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            error="Yuan, zero or more" if lang == "en" else "金额应为不小于 0 的数字（元）",
        )
        money.add(f"D2:D{row}")
        ws.add_data_validation(money)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
