"""`iddexi check`, `backup`, `restore`: keeping the ledger whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iddexi.cli.common import JsonOption, print_json, state, warn
from iddexi.i18n import _
from iddexi.ledger.errors import ProblemsError


def _ledger_path(ctx: typer.Context) -> Path:
    from iddexi.ledger.connection import resolve_ledger_path

    return resolve_ledger_path(state(ctx).ledger_option)


def check(ctx: typer.Context, json: JsonOption = False) -> None:
    """Check the ledger and print its ledger code (账本校验码); every problem and exit 1.  Example: iddexi check --json"""
    from iddexi.ledger.integrity import check_file, file_head

    path = _ledger_path(ctx)
    found = check_file(path)
    problems = [p for p in found if not p.is_note]
    notes = [p for p in found if p.is_note]
    head = file_head(path)
    if json:
        print_json(
            {
                **head.as_json(),
                "problems": [p.as_json() for p in problems],
                "notes": [p.as_json() for p in notes],
            }
        )
        if problems:
            raise typer.Exit(1)
        return
    typer.echo(
        _("Ledger code: {code} (after batch {batch})").format(
            code=head.code, batch=head.batch if head.batch is not None else "-"
        )
    )
    for note in notes:  # accepted with a warning when entered: worth a look, not a failure
        warn(str(note))
    if problems:
        raise ProblemsError(
            problems,
            _("{count} problem(s) found in ledger {path}").format(count=len(problems), path=path),
        )


def backup(
    ctx: typer.Context,
    dest: Annotated[
        str, typer.Argument(help=_("Backup file, or a folder (ending in /) for a dated copy."))
    ],
    force: Annotated[bool, typer.Option("--force", help=_("Replace an existing file."))] = False,
) -> None:
    """Copy the ledger safely, even while others write to it.  Example: iddexi backup backups/"""
    from iddexi.ledger.integrity import backup_ledger

    book = state(ctx).ledger()
    done = backup_ledger(book.conn, dest, force=force, ledger_path=book.path)
    typer.echo(_("Backed up {count} batches to {path}").format(count=done.batches, path=done.path))


def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help=_("A backup made by `iddexi backup`."))],
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace the existing ledger (back it up first)."))
    ] = False,
    despite_problems: Annotated[
        bool,
        typer.Option(
            "--despite-problems",
            help=_(
                "Restore a sound SQLite ledger even though `iddexi check` finds problems "
                "in its figures (they come along; check lists them)."
            ),
        ),
    ] = False,
) -> None:
    """Replace the ledger with a checked backup.  Example: iddexi restore backups/iddexi-backup-20251206.sqlite --force"""
    from iddexi.ledger.core import Ledger
    from iddexi.ledger.integrity import restore_ledger

    target = _ledger_path(ctx)
    done = restore_ledger(source, target, force=force, despite_problems=despite_problems)
    Ledger.open(target).close()  # migrate a backup made by an older iddexi
    typer.echo(
        _("Restored {count} batches from {source} into {path}").format(
            count=done.batches, source=source, path=done.path
        )
    )
    if done.replaced_copy is not None:
        typer.echo(_("The replaced ledger is kept as {path}").format(path=done.replaced_copy))
    if done.batches_lacking:
        warn(
            _(
                "the backup lacks {count} batch(es) of the replaced ledger; they are only in {path}"
            ).format(count=done.batches_lacking, path=done.replaced_copy)
        )
