"""Checks that keep a hostile ``.xlsx`` from hurting us before, while and after we read it.

Workbooks come from strangers (stall keepers' WPS/Excel sheets, forwarded on WeChat), so
every step is bounded before it is taken:

1. The zip container (:func:`open_checked_archive`): it must be a zip at all (an old
   ``.xls`` or a password-protected workbook is an OLE file); at most :data:`MAX_ENTRIES`
   parts, at most :data:`MAX_TOTAL_BYTES` uncompressed in all, and no part over
   :data:`RATIO_MIN_BYTES` that expands more than :data:`MAX_RATIO` times. These are the
   *declared* sizes from the central directory. A zip can lie about them, but
   :mod:`zipfile` never inflates a part beyond its declared ``file_size`` (it stops there
   and the CRC check fails), so the declared sizes also bound what can come out of it.
2. The parts openpyxl reads whole (:mod:`iddexi.tally.xlsx_parts`: content types, shared
   strings, the workbook and its relationships, styles; nothing else is read, not even
   charts, pivot caches or external links): each at most :data:`MAX_PART_BYTES`, and a
   bounded count of XML elements, which is what openpyxl's time goes by (microseconds
   each). Both are checked by a byte scan before openpyxl parses the part.
3. Each worksheet (:func:`scan_worksheet`), before it is parsed: a streaming byte scan
   counts its rows, the cells of each row and the rest of its markup, so that a sheet of
   a million rows or a row of a million cells is refused in a fraction of a second rather
   than after minutes and gigabytes.
4. Reading a worksheet (:mod:`iddexi.tally.xlsx_rows`): our own loop over the standard
   library's C parser (safe: the scan refused any DTD, so no entity can be declared) refuses what Excel and WPS never write and openpyxl would silently misread
   (rows out of order or twice, a cell twice, a shared-string index of -1, NaN, a date
   that does not exist …), each with its row and cell. It also lists formulas that were
   never calculated (files written by scripts, or by openpyxl itself): read for their
   values they would otherwise silently become empty cells.

XML entity tricks are stopped by defusedxml, which openpyxl uses when installed (for the
parts of step 2), and in worksheets by the scan of step 3.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from iddexi.i18n import N_, _
from iddexi.ledger.errors import InputError

MAX_ENTRIES = 10_000
#: Uncompressed size of all parts together. A 200,000-row sheet is ~55 MB of XML.
MAX_TOTAL_BYTES = 128 * 1024 * 1024
#: A part over RATIO_MIN_BYTES that expands more than MAX_RATIO times is refused: only
#: filler (runs of zeros, of one character) compresses so well; deflate's ceiling is
#: ~1,030×. XML of long repeated strings saved by LibreOffice reaches 210× and is real,
#: so up to MAX_RATIO a part is bounded by its expanded size: above LARGE_PART_BYTES the
#: ratio of real XML (MAX_XML_RATIO) is refused too, and all parts by MAX_TOTAL_BYTES.
RATIO_MIN_BYTES = 1024 * 1024
MAX_RATIO = 500
LARGE_PART_BYTES = 32 * 1024 * 1024
MAX_XML_RATIO = 200
#: A part that openpyxl reads whole (shared strings, styles …) may be this big at most.
MAX_PART_BYTES = 16 * 1024 * 1024
#: Elements in the shared strings: openpyxl takes ~3-5 µs for each (1,000,000: ~4 s). A
#: string is 2 or 3 elements (Chinese Excel adds <phoneticPr>): room for 200,000 rows with
#: a distinct text in each, or two.
MAX_SHARED_STRING_ELEMENTS = 1_000_000
#: Elements in the other parts read whole, together: styles take ~15 µs each (~2.5 s).
MAX_OTHER_ELEMENTS = 150_000
#: The last row and column of an Excel sheet; past them means a damaged or crafted file.
MAX_EXCEL_ROWS = 1_048_576
MAX_EXCEL_COLUMNS = 16_384
#: XML tags (``<`` signs) in one row, and outside the rows of one sheet.
MAX_ROW_TAGS = 16 * MAX_EXCEL_COLUMNS
#: A row shorter than this cannot hold more cells than Excel's columns (4 bytes: <c/>).
_SHORT_ROW = 4 * MAX_EXCEL_COLUMNS
MAX_OUTSIDE_TAGS = 200_000

NO_SAVED_VALUE = N_(
    "formula without a saved value; open and save the file in Excel/WPS, or type the number"
)
NOT_AS_EXCEL_WRITES = N_(
    "not as Excel or WPS writes a workbook; open and save it again in Excel/WPS"
)
RETYPE = N_("open and save the file again in Excel/WPS, or retype the value")
DECLARES_ENTITIES = N_(
    "the workbook's XML declares entities or a DTD, which Excel and WPS never write (an entity-expansion attack?)"
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
_PREFIXED_TAG = re.compile(rb"<(/?)[A-Za-z_][\w.\-]*:")
_CHUNK = 1024 * 1024
_MAX_PREFIXES = 32
#: Half the longest tag, comment or text a part may hold (Excel's longest, a cell of 32,767
#: characters, is under 160 KB); see :class:`_LongTokens`.
_WINDOW = 256 * 1024


def column_letter(index: int) -> str:
    """``1`` → ``A``, ``27`` → ``AA`` (1-based, as Excel shows columns)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------- container


def open_checked_archive(path: Path) -> zipfile.ZipFile:
    """Open ``path`` as a zip after checking it cannot be a decompression bomb.

    Raises :class:`InputError` naming the file for anything that is not a sane workbook.
    """
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(
            _("{name}: cannot read the file ({reason})").format(
                name=name, reason=exc.strerror or exc
            )
        ) from None
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            _(
                "{name}: not an xlsx workbook: it is an old Excel 97-2003 (.xls) file or a password-protected workbook; save it as .xlsx (without a password) in Excel/WPS"
            ).format(name=name)
        )
    if size > MAX_TOTAL_BYTES:
        raise InputError(
            _("{name}: the workbook is larger than {limit}; split it").format(
                name=name, limit=megabytes(MAX_TOTAL_BYTES)
            )
        )
    try:
        archive = _Archive(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(
            _(
                "{name}: not an xlsx workbook (the file is not a zip container); save it from Excel/WPS as .xlsx, or export it as .csv"
            ).format(name=name)
        ) from None
    try:
        _check_entries(name, infos)
    except BaseException:
        archive.close()
        raise
    return archive


class _Archive(zipfile.ZipFile):
    """A zip whose part names are matched as Excel matches them: without regard to case,
    and with ``\\`` read as ``/`` (some generators on Windows write them so)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._folded: dict[str, zipfile.ZipInfo] = {}
        for info in self.infolist():
            self._folded.setdefault(_fold(info.filename), info)

    def getinfo(self, name: str) -> zipfile.ZipInfo:
        try:
            return super().getinfo(name)
        except KeyError:
            info = self._folded.get(_fold(name))
            if info is None:
                raise
            return info


def _fold(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").casefold()


def _check_entries(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise InputError(
            _(
                "{name}: refused: the workbook holds more than {max_entries:,} parts ({count:,}); this is not an ordinary spreadsheet"
            ).format(name=name, max_entries=MAX_ENTRIES, count=len(infos))
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(
                _("{name}: refused: the workbook is encrypted; save it without a password").format(
                    name=name
                )
            )
        total += info.file_size
        limit = MAX_XML_RATIO if info.file_size > LARGE_PART_BYTES else MAX_RATIO
        if info.file_size > RATIO_MIN_BYTES and info.file_size > limit * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise InputError(
                _(
                    "{name}: refused: the part {part!r} would expand {ratio:,} times (to {size}); this looks like a decompression bomb"
                ).format(name=name, part=info.filename, ratio=ratio, size=megabytes(info.file_size))
            )
    if total > MAX_TOTAL_BYTES:
        raise InputError(
            _(
                "{name}: refused: the workbook would expand to {size}, more than {limit}; split it"
            ).format(name=name, size=megabytes(total), limit=megabytes(MAX_TOTAL_BYTES))
        )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _pieces(archive: zipfile.ZipFile, member: str, where: str) -> Iterator[bytes]:
    """The part's bytes in ~1 MB pieces, each cut just before a ``<`` so no tag name is split.

    Namespace prefixes are taken off the tags that are counted (``<x:row`` → ``<row``), so
    that a plain ``bytes.count`` finds every one. Memory stays at about two pieces.
    """
    carry = b""
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk if carry else chunk
            if not chunk:
                if buf:
                    yield _unprefixed(buf, where)
                return
            # a tag name is short: a '<' further back than 256 bytes has its name complete
            cut = buf.rfind(b"<", max(0, len(buf) - 256))
            if cut > 0:
                buf, carry = buf[:cut], buf[cut:]
            else:
                carry = b""
            yield _unprefixed(buf, where)


def _unprefixed(piece: bytes, where: str) -> bytes:
    # Excel writes no prefixes, other generators one (x:); only row, c and f tags matter
    if b":row" not in piece and b":c" not in piece and b":f" not in piece:
        return piece
    pos = 0
    for _attempt in range(_MAX_PREFIXES):
        found = _PREFIXED_TAG.search(piece, pos)
        if found is None:
            return piece
        prefix = found.group()[1 + len(found.group(1)) :]  # b"x:"
        piece = piece.replace(b"<" + prefix, b"<").replace(b"</" + prefix, b"</")
        pos = found.start()
    raise InputError(
        _("{where}: refused: the XML uses more than {max_prefixes} namespace prefixes; ").format(
            where=where, max_prefixes=_MAX_PREFIXES
        )
        + _(NOT_AS_EXCEL_WRITES)
    )


def count_elements(archive: zipfile.ZipFile, member: str, where: str) -> int:
    """How many XML elements a part holds (opening tags; never fewer)."""
    count = 0
    tokens = _LongTokens(where)
    with archive.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            count += chunk.count(b"<") - chunk.count(b"</")
            tokens.feed(chunk)
    return count


class _LongTokens:
    """Refuses a tag, comment or processing instruction longer than ``2 × _WINDOW``.

    Expat (before 2.6) keeps an unfinished token and scans it again from its start at each
    16 KB that the parser reads: one comment of 8 MB takes 1.4 s, of 128 MB hours. A tag's
    attributes and a text hold no ``<``, so a long stretch without one is refused; comments
    and processing instructions (which may hold ``<``) are measured from start to end.
    Excel and WPS write no comments, and no text or tag near that size.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.run = 0  # bytes since the last '<'
        self.closing: bytes | None = None  # inside a comment (b"-->") or PI (b"?>")
        self.length = 0
        self.last = b""  # the end of the previous data: a <!-- or --> may be cut in two

    def feed(self, data: bytes) -> None:
        first = data.find(b"<")
        if first < 0:
            self.run += len(data)
        else:
            self._check(self.run + first)
            for pos in range(first, len(data) - _WINDOW + 1, _WINDOW):
                if data.find(b"<", pos, pos + _WINDOW) < 0:
                    self._check(2 * _WINDOW + 1)
            self.run = len(data) - data.rfind(b"<") - 1
        self._check(self.run)
        edge, last, self.last = self.last + data[:3], self.last, data[-3:]
        if (
            self.closing is not None
            or b"<!--" in data
            or b"<?" in data
            or b"<!--" in edge
            or b"<?" in edge
        ):
            self._comments(last + data)

    def _comments(self, data: bytes) -> None:
        pos = 0
        while True:
            if self.closing is not None:
                end = data.find(self.closing, pos)
                self.length += (len(data) if end < 0 else end) - pos
                self._check(self.length)
                if end < 0:
                    return
                pos, self.closing, self.length = end + len(self.closing), None, 0
            comment, pi = data.find(b"<!--", pos), data.find(b"<?", pos)
            if comment < 0 and pi < 0:
                return
            if pi < 0 or 0 <= comment < pi:
                pos, self.closing = comment + 4, b"-->"
            else:
                pos, self.closing = pi + 2, b"?>"

    def _check(self, length: int) -> None:
        if length > 2 * _WINDOW:
            raise InputError(
                _(
                    "{where}: refused: the XML holds a tag, comment or text of more than {kilobytes:,} KB, which would take the XML parser minutes to read; "
                ).format(where=self.where, kilobytes=2 * _WINDOW // 1024)
                + _(NOT_AS_EXCEL_WRITES)
            )


# ------------------------------------------------------------------ worksheet, scanned


class SheetScan(NamedTuple):
    """What a byte scan of a worksheet found (``rows`` stops one past the limit)."""

    rows: int
    cells: int
    has_formula: bool


def scan_worksheet(
    archive: zipfile.ZipFile, member: str, file: str, sheet: str, max_rows: int
) -> SheetScan:
    """Count a worksheet's rows and cells without parsing it; stop past ``max_rows`` rows.

    Raises :class:`InputError` (naming ``FILE:SHEET``) for XML that is not UTF-8, a DTD (XML
    entities: Excel and WPS never write one), a row with more cells than Excel's columns,
    or more markup in a row or around the rows than a real sheet holds.
    """
    where = f"{file}:{sheet}"
    tokens = _LongTokens(where)
    rows = cells = outside = 0
    has_formula = False
    row: _LongRow | None = None  # a long row, or one that goes on into the next piece
    first = True
    for piece in _pieces(archive, member, where):
        if first:
            first = False
            _check_encoding(piece, where)
        tokens.feed(piece)
        if b"<!" in piece and (b"<!DOCTYPE" in piece or b"<!ENTITY" in piece):
            raise InputError(_("{file}: refused: ").format(file=file) + _(DECLARES_ENTITIES))
        if not has_formula and b"<f" in piece and _FORMULA_TAG.search(piece):
            has_formula = True
        segments = piece.split(b"<row")
        for i, seg in enumerate(segments):
            start = 0
            if i:  # a <row …> tag starts this segment
                rows += 1
                if rows > max_rows:
                    return SheetScan(rows, cells, has_formula)
                if row is not None:  # the previous row never closed: the parser will say so
                    cells += row.cells
                    row = None
                gt = seg.find(b">")
                start = len(seg) if gt < 0 else gt + 1
                if gt > 0 and seg[gt - 1] == 0x2F:  # <row …/>: no cells
                    pass
                else:
                    end = seg.find(b"</row", start)
                    if 0 <= end < start + _SHORT_ROW:  # the common case: too short to count
                        cells += seg.count(b"<c", start, end)
                        start = end + 1
                    else:
                        row = _LongRow(seg[:start], where)
            if row is not None:
                end = row.add(seg, start)
                if end < 0:
                    continue
                cells += row.cells
                row, start = None, end + 1
            if len(seg) - start > 8:  # more than the rest of </row>: markup between rows
                outside += seg.count(b"<", start)
                if outside > MAX_OUTSIDE_TAGS:
                    raise InputError(
                        _(
                            "{where}: refused: the sheet holds more than {max_outside_tags:,} XML tags besides its rows and cells (formatting rules, merged cells, links …); a tally sheet needs far fewer"
                        ).format(where=where, max_outside_tags=MAX_OUTSIDE_TAGS)
                    )
    if row is not None:
        cells += row.cells
    return SheetScan(rows, cells, has_formula)


class _LongRow:
    """The cells and tags of a row counted as its bytes come, refused when too many."""

    def __init__(self, head: bytes, where: str) -> None:
        self.head = head  # the <row …> tag, for the row number in a refusal
        self.where = where
        self.cells = self.tags = 0

    def add(self, seg: bytes, start: int) -> int:
        """Count ``seg[start:]`` up to ``</row``; return where that is, or -1."""
        end = seg.find(b"</row", start)
        stop = len(seg) if end < 0 else end
        self.cells += seg.count(b"<c", start, stop)
        self.tags += seg.count(b"<", start, stop)
        if self.cells > MAX_EXCEL_COLUMNS or self.tags > MAX_ROW_TAGS:
            number = re.search(rb'\sr="([0-9]+)"', self.head)
            at = f"{self.where}:{int(number.group(1))}" if number else self.where
            raise InputError(
                _(
                    "{at}: refused: the row holds more cells than Excel has columns ({max_excel_columns:,}), or as much other markup; "
                ).format(at=at, max_excel_columns=MAX_EXCEL_COLUMNS)
                + _(NOT_AS_EXCEL_WRITES)
            )
        return end


def _check_encoding(head: bytes, where: str) -> None:
    """Only XML whose tags are ASCII bytes can be counted (Excel and WPS write UTF-8)."""
    declared = re.match(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding=[\"']([^\"']*)", head)
    encoding = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
    try:
        readable = "<row><c>".encode(encoding) == b"<row><c>"
    except (LookupError, UnicodeError):
        readable = False
    if not readable or b"\x00" in head[:512]:
        raise InputError(
            _("{where}: refused: the sheet's XML is not in UTF-8 ({encoding}); ").format(
                where=where, encoding=encoding if declared else "UTF-16?"
            )
            + _(NOT_AS_EXCEL_WRITES)
        )


def damaged_workbook(path: Path, exc: BaseException) -> InputError:
    """The one-line refusal for a file openpyxl or zipfile could not read."""
    name = path.name
    cause: BaseException | None = exc
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return InputError(_("{name}: refused: ").format(name=name) + _(DECLARES_ENTITIES))
        cause = cause.__cause__ or cause.__context__
    text = " ".join(str(exc).replace(str(path), name).split())
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return InputError(
        _(
            "{name}: cannot read the workbook, it may be damaged ({detail}); open and save it again in Excel/WPS"
        ).format(name=name, detail=detail)
    )
