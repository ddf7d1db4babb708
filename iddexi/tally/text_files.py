"""Text files from Chinese offices: which encoding, and where a CSV quote never closes.

Excel and WPS in China save CSV as GB18030 unless told otherwise; a European file decodes
as GB18030 too, into nonsense, so that fallback is checked for looking like Chinese.
"""

from __future__ import annotations

import codecs
import re

from iddexi.i18n import _
from iddexi.ledger.errors import InputError


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """The file's encoding and its text: UTF-8, UTF-16 (with its BOM) or Chinese GB18030."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    elif raw.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        if encoding == "gb18030":
            _check_chinese(text, raw, name)
        return encoding, text
    raise InputError(
        _(
            "{name}: cannot read the file as text (not UTF-8, UTF-16 or GB18030); in Excel/WPS save it as CSV UTF-8, or as .xlsx"
        ).format(name=name)
    )


def _check_chinese(text: str, raw: bytes, name: str) -> None:
    """Refuse text that decodes as GB18030 but is not Chinese (Latin-1 ``Müller`` → ``M黮ler``).

    Chinese text is almost all GB2312 characters (both bytes 0xA1 or more). A European
    8-bit file decodes too, but an accented letter followed by an ASCII letter becomes a
    character of the GBK extension (or of private use): refused when those are more than
    a quarter of the non-ASCII characters (``Größe Straße`` gives one of each) *and* the
    bytes hold an accented letter inside a Latin word (``ä`` between ``B`` and ``ck``).
    The second condition keeps traditional characters (攤, 蘇) and rare name characters
    (堃, 喆) in a mostly English file, whose bytes never sit between ASCII letters like
    that; the four-byte characters of GB18030 (Mongolian script, emoji) pass as well.
    """
    ascii_count = len(text.encode("ascii", "ignore"))
    others = len(text) - ascii_count
    if not others:
        return
    # GB2312's · and — decode to code points that Python's gb2312 codec will not encode
    gb2312 = (len(text.encode("gb2312", "ignore")) - ascii_count) // 2
    gb2312 += text.count("\u00b7") + text.count("\u2014")
    four_byte = (len(raw) - ascii_count - 2 * others) // 2
    extension = others - gb2312 - four_byte
    if extension * 4 <= others or not _WESTERN_WORD.search(raw) or not _lone_high_bytes(raw):
        return
    first = next((m.start() for m in _NON_ASCII.finditer(text) if _gbk_extension(m.group())), 0)
    line = text.count("\n", 0, first) + text.count("\r", 0, first)
    line -= text.count("\r\n", 0, first)
    start = _line_start(text, line + 1)
    shown = _LINE_END.split(text[start : start + 200], 1)[0].strip()[:60]
    try:
        western = raw.decode("cp1252").splitlines()[line].strip()[:60]
    except (UnicodeDecodeError, IndexError):
        western = ""
    hint = _(", or as Western European text {western!r}").format(western=western) if western else ""
    raise InputError(
        _(
            "{name}:{line}: the file is not UTF-8 and does not read as Chinese GB18030 either: it reads as {shown!r}{hint}; it looks like a European (Latin-1/Windows-1252) file: in Excel/WPS save it as CSV UTF-8"
        ).format(name=name, line=line + 1, shown=shown, hint=hint)
    )


def _lone_high_bytes(raw: bytes) -> bool:
    """Do most runs of non-ASCII bytes have one byte, as accented letters in Latin words do?

    A Chinese character in GB18030 is two bytes, both non-ASCII for every GB2312 one and
    for two in three of the rest (traditional 漢, 攤 …), so Chinese text, simplified or
    traditional, runs its non-ASCII bytes in pairs and longer; Müller, Genève do not.
    """
    runs = _HIGH_RUN.findall(raw)
    lone = sum(1 for run in runs if len(run) == 1)
    return lone * 2 >= len(runs)


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Latin-1/Windows-1252 accented letters (À-ÿ) inside a word: "Bäckerei", "Straße", "Éric"
_WESTERN_WORD = re.compile(rb"[A-Za-z][\xc0-\xff]{1,2}[A-Za-z]|(?:^|[\s,;\"'])[\xc0-\xff][a-z]{2}")
_LINE_END = re.compile(r"\r\n|\r|\n")  # as csv and open(newline="") split lines


def _line_start(text: str, line: int) -> int:
    """Where line ``line`` (1-based) of ``text`` starts."""
    if line <= 1:
        return 0
    for n, end in enumerate(_LINE_END.finditer(text), start=2):
        if n == line:
            return end.end()
    return len(text)


def _gbk_extension(ch: str) -> bool:
    """Is ``ch`` a two-byte GB18030 character outside GB2312?"""
    if ch in "\u00b7\u2014":
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return len(ch.encode("gb18030")) == 2
    return False


def unclosed_quote(text: str, start_line: int, delimiter: str) -> tuple[int, int] | None:
    """(line, column) where a field of the record on ``start_line`` opens a quote that no
    later quote closes; None when the record has no such field.

    Reads as :mod:`csv` does: lines end at \\n, \\r or \\r\\n; a quote opens a field only
    at its start; ``""`` inside quotes is a quote.
    """
    offset = _line_start(text, start_line)
    special = re.compile('["\r\n' + re.escape(delimiter) + "]")
    pos, column, at_start = offset, 1, True
    while True:
        if at_start and text.startswith('"', pos):
            end = pos
            while True:
                end = text.find('"', end + 1)
                if end < 0:
                    ends = text.count("\n", offset, pos) + text.count("\r", offset, pos)
                    ends -= text.count("\r\n", offset, pos)
                    return start_line + ends, column
                if not text.startswith('"', end + 1):
                    break
                end += 1  # "" inside quotes
            pos, at_start = end + 1, False
            continue
        found = special.search(text, pos)
        if found is None:
            return None
        pos, char = found.end(), found.group()
        if char == delimiter:
            column, at_start = column + 1, True
        elif char in "\r\n":
            return None  # the record ended: its quotes were all closed
        else:
            at_start = False  # a quote inside an unquoted field is just a character
