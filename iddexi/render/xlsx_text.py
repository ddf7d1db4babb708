"""Write people's text into workbook cells so that it can never run as a formula.

openpyxl treats any ``str`` that starts with ``=`` as a formula, and Excel, WPS and
LibreOffice evaluate ``+``/``-``/``@`` openers typed into a cell. Stall names, themes and
notes come from strangers' spreadsheets, so every user string goes through
:func:`set_text`, which stores it as a plain string cell (``t="inlineStr"``/``t="s"``,
never an ``<f>`` element). The text itself is kept as it is: no quote prefix is added,
so what reads back is what was typed.

Two things XML itself cannot carry are made explicit here instead of being left to the
writer: a carriage return in element text is turned into a line feed by every XML
parser (XML 1.0 §2.11), so ``\\r\\n`` and a lone ``\\r`` are written as ``\\n`` (the line
break Excel shows in a cell); and the control characters XML 1.0 forbids (openpyxl
raises ``IllegalCharacterError`` on them) are written as U+FFFD, so one odd byte in a
note cannot stop a report.
"""

from __future__ import annotations

import re

# XML 1.0 allows \t \n \r among the C0 controls; everything else below 0x20 is illegal.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def plain_text(value: str) -> str:
    """The text as a workbook will hold and give back: CR as LF, illegal controls as U+FFFD."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("\ufffd", value)


def set_text(cell: object, value: str | None) -> None:
    """Put ``value`` into an openpyxl ``cell`` as a plain string, never a formula.

    ``None`` empties the cell. Works for normal and write-only cells.
    """
    if value is None:
        cell.value = None  # type: ignore[attr-defined]
        return
    cell.value = plain_text(str(value))  # type: ignore[attr-defined]
    # openpyxl set data_type "f" for a leading "="; a string cell is written as text.
    cell.data_type = "s"  # type: ignore[attr-defined]
