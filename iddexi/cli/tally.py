"""`iddexi tally …`: sheets organisers fill in and import.

This module is imported on every start of the CLI: openpyxl, rich's progress bar and the
tally machinery are imported inside the commands only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import App, file_language, ledger, say, warn
from iddexi.cli.progress import TerminalProgress
from iddexi.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from iddexi.tally.importer import ImportOutcome

app = App(help=_("Tally sheets: write a template for a session, import filled sheets."))

#: Files with more rows than this get a progress bar on standard error.
PROGRESS_ROWS = 5_000


@app.command("template")
def template(
    ctx: typer.Context,
    session: Annotated[
        str,
        typer.Argument(
            help=_("SEASON:N, or SEASON:YYYY-MM-DD (also for a session not yet recorded)."),
            autocompletion=completion.sessions,
        ),
    ],
    out: Annotated[Path, typer.Option("-o", "--output", help=_("The workbook to write (.xlsx)."))],
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=_(
                "Header language: zh (Chinese with English) or en (default: the root --lang, else zh)."
            ),
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Replace the file if it exists (it may be filled in).")),
    ] = False,
) -> None:
    """Write a tally workbook for one session, ready to fill in.  Example: iddexi tally template 2025-26:2025-12-06 -o tally-1206.xlsx"""
    lang = file_language(lang)
    from iddexi.render.labels import check_language
    from iddexi.tally.template import write_template

    check_language(lang)  # before the ledger is opened: a refusal creates nothing
    written = write_template(ledger(ctx), session, out, lang=lang, overwrite=force, warn=warn)
    typer.echo(_("Wrote {path} for session {session}.").format(path=written, session=session))


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=_("Filled .xlsx or .csv files."))],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Check everything and show what would be written."))
    ] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help=_("Supersede lines and details the ledger already holds.")),
    ] = False,
    session: Annotated[
        str | None,
        typer.Option(
            "--session",
            help=_(
                "SEASON:N or SEASON:YYYY-MM-DD: the session of a template's sales sheet saved "
                "on its own (as CSV), when its session sheet is not given alongside."
            ),
        ),
    ] = None,
) -> None:
    """Import filled tally sheets, all files or none.  Example: iddexi tally import tally-1206.xlsx sales.csv --dry-run"""
    from iddexi.tally.importer import import_files

    book = ledger(ctx)
    with TerminalProgress(min_total=PROGRESS_ROWS) as progress:
        outcomes = import_files(
            book,
            list(files),
            dry_run=dry_run,
            replace=replace,
            progress=lambda done, total: progress(_("Checking rows"), done, total),
            session=session,
            reading=lambda done, total: progress(_("Reading"), done, total),
        )
    for outcome in outcomes:
        for column in outcome.ignored_columns:
            warn(
                _("{file}: column {column} is not a field of this table; ignored").format(
                    file=outcome.file.name, column=repr(column)
                )
            )
        for warning in outcome.warnings:
            warn(f"{outcome.file.name}: {warning}")
        say(describe(outcome, dry_run=dry_run))
        if dry_run:
            for made in outcome.new_sessions:
                say(_("  would create session {session}").format(session=made))
            for label, code in outcome.categories:
                say(_("  category {label} → {code}").format(label=label, code=code))
    if dry_run:
        typer.echo(_("Dry run: nothing was written."))


def describe(outcome: ImportOutcome, *, dry_run: bool = False) -> str:
    """One line per file for people."""
    from iddexi.ledger.values import format_yuan

    name = outcome.file.name
    if outcome.duplicate_of is not None:
        return _("{file}: same bytes as {other} above; skipped").format(
            file=name, other=outcome.duplicate_of.name
        )
    if outcome.already_in is not None:
        return _("{file}: already imported as batch {batch}; nothing written").format(
            file=name, batch=outcome.already_in
        )
    parts = ["+".join(_(kind) for kind in outcome.kind.split("+"))]
    # a re-saved sheet changes nothing: say its rows are there already, and their total
    unchanged = outcome.rows == 0 and outcome.skipped > 0
    if unchanged:
        parts.append(
            _("nothing new: all {rows} already in the ledger").format(rows=_rows(outcome.skipped))
        )
        if outcome.unchanged_fen or outcome.kind in ("sales", "template"):
            parts.append(
                _("recorded total {amount}").format(amount=format_yuan(outcome.unchanged_fen))
            )
    elif outcome.rows == 0:
        parts.append(_("nothing new"))
    else:
        parts.append(_rows(outcome.rows))
    if not unchanged and (outcome.total_fen or outcome.kind in ("sales", "template")):
        parts.append(_("total {amount}").format(amount=format_yuan(outcome.total_fen)))
    if outcome.replaced:
        parts.append(
            ngettext("replacing {count} line", "replacing {count} lines", outcome.replaced).format(
                count=f"{outcome.replaced:,}"
            )
        )
    if outcome.skipped and not unchanged:
        parts.append(
            _("{rows} already in the ledger unchanged").format(rows=_rows(outcome.skipped))
        )
    if outcome.carried:
        parts.append(
            _("{rows} as already recorded, now in this batch").format(rows=_rows(outcome.carried))
        )
    if outcome.control_total_fen is not None:
        parts.append(
            _("totals row {amount} checked").format(amount=format_yuan(outcome.control_total_fen))
        )
    if dry_run:
        verb = _("would write") if outcome.rows else _("would change nothing")
        return f"{name}: {verb}: " + _(", ").join(parts)
    where = (
        _(" (batch {batch})").format(batch=outcome.batch_id) if outcome.batch_id is not None else ""
    )
    return f"{name}: " + _(", ").join(parts) + where


# the kinds of tally file an import names
KINDS = (N_("sales"), N_("template"), N_("sessions"), N_("stalls"), N_("townships"), N_("seasons"))


def _rows(count: int) -> str:
    return ngettext("{count} row", "{count} rows", count).format(count=f"{count:,}")
