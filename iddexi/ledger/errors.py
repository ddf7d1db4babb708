"""Typed domain errors.

Nothing below the CLI prints or exits: code raises these, and the CLI boundary turns
them into one line ``Error: …`` on stderr with exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass


class IddexiError(Exception):
    """A refusal meant for a person: the message says what was wrong and what was expected."""


class InputError(IddexiError):
    """A value typed or imported by a user is not acceptable (amount, date, code …)."""


class NotFoundError(IddexiError):
    """A season, session, stall, township, category or batch that the ledger does not hold."""


class ConflictError(IddexiError):
    """The write would clash with what the ledger already holds (a duplicate line, a date taken)."""


class LedgerFileError(IddexiError):
    """The ledger file cannot be used: unreadable, not a ledger, or newer than this code."""


class StoredValueError(LedgerFileError):
    """A value stored in the ledger does not read as the program wrote it (edited by hand)."""


class ReadOnlyLedgerError(LedgerFileError):
    """A write asked of a ledger that can only be read (a read-only file or folder)."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an imported file.

    ``location`` is ``FILE:SHEET:ROW:COLUMN`` for a workbook, ``FILE:ROW:COLUMN`` for CSV
    (ROW as the user sees it in the spreadsheet; the header is row 1), or just ``FILE``
    for a problem with the file as a whole.
    """

    location: str
    message: str
    value: object = None

    def __str__(self) -> str:
        from iddexi.i18n import _

        got = "" if self.value is None else _(" (got {value!r})").format(value=str(self.value))
        return f"{self.location}: {self.message}{got}"


class ProblemsError(IddexiError):
    """Many located problems, all reported together (an import refused as a whole)."""

    def __init__(self, problems: list[Problem], summary: str = "") -> None:
        self.problems = list(problems)
        from iddexi.i18n import _

        self.summary = summary or _("{count} problem(s) found; nothing was written").format(
            count=len(self.problems)
        )
        super().__init__(self.summary)

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
