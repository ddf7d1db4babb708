"""The rules for text people type or import, and how stored text is shown.

Every text field refuses what could reorder, hide or forge what a person reads (control
characters, bidi overrides); text already stored is shown escaped wherever it is printed.
"""

from __future__ import annotations

import re

from iddexi.i18n import _
from iddexi.ledger.errors import InputError

#: Characters no text field may hold. C0 and C1 controls and DEL move the cursor, erase
#: lines or change colours on a terminal; the bidi embeddings, overrides and isolates
#: (U+202A–202E, U+2066–2069) reorder what follows them, so a stall code or a figure can
#: be shown in another order than it is stored (CVE-2021-42574, "Trojan Source"). The
#: invisible direction marks (U+200E, U+200F, U+061C) reorder the neutral characters
#: around them and make two names that look alike differ; no Chinese, Mongolian or English
#: market text needs them. U+2028/2029 break lines in some viewers, like a newline.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BREAKS = frozenset("\u2028\u2029")
#: A free-text field of several lines (a note, a void reason) may hold line breaks and
#: tabs, as a spreadsheet cell written with Alt+Enter does; a carriage return on its own
#: would send the cursor back over the line on a terminal.
_MULTILINE_OK = frozenset("\n\t")
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)


def escape_char(ch: str) -> str:
    """A character shown as its escape: ``\\x1b``, ``\\u202e``."""
    point = ord(ch)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def refuse_controls(value: str, what: str, *, multiline: bool = False) -> str:
    """``value`` as it is, or a refusal naming ``what`` and showing the first bad character
    escaped (``\\x1b``). ``multiline`` fields (notes, reasons) keep newlines and tabs; a
    Windows line break ``\\r\\n`` becomes ``\\n``."""
    if multiline and "\r\n" in value:
        value = value.replace("\r\n", "\n")
    for match in _CONTROL.finditer(value):
        ch = match.group()
        if multiline and ch in _MULTILINE_OK:
            continue
        if ch == "\t":
            message = _("{what} holds a tab ({char}) at character {at}; remove it")
        elif ch in "\n\r" or ch in _BREAKS:
            message = _("{what} holds a line break ({char}) at character {at}; remove it")
        elif ch in _BIDI:
            message = _(
                "{what} holds a text-direction control ({char}) at character {at}; remove it "
                "(it can change the order a screen shows)"
            )
        else:
            message = _(
                "{what} holds a control character ({char}) at character {at}; remove it "
                "(it can change what a screen shows)"
            )
        raise InputError(message.format(what=_(what), char=escape_char(ch), at=match.start() + 1))
    return value


def clean_text(
    value: object, what: str, *, required: bool = False, multiline: bool = False
) -> str | None:
    """A text field as stored: stripped, None when empty, refused when it holds control or
    direction characters (see :func:`refuse_controls`)."""
    if value is None:
        text = None
    else:
        # what is stripped is not stored: a tab or line break around the text is harmless
        text = refuse_controls(str(value).strip(), what, multiline=multiline)
    if required and not text:
        raise InputError(_("{what} is empty; it is required").format(what=_(what)))
    return text or None


def shown(value: object) -> str:
    """Stored text made safe for a terminal: every control and direction character escaped
    (``\\x1b``), so text written behind the program's back cannot erase or reorder lines."""
    text = "" if value is None else str(value)
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: escape_char(m.group()), text)


def json_escaped(document: str) -> str:
    """A JSON document with every control and direction character written as a ``\\u``
    escape: the same data for a program, inert on a terminal. (JSON allows such characters
    only inside strings, where the escape means the character itself.)"""
    # JSON already escapes C0 controls inside strings; a raw newline or tab outside one is
    # the document's own layout and stays.
    if _NOT_JSON_ESCAPED.search(document) is None:
        return document
    return _NOT_JSON_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


_NOT_JSON_ESCAPED = re.compile(
    "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
