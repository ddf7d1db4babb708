"""The parts of a workbook that are read whole, each bounded before it is parsed.

Content types, shared strings, the workbook and its relationships (by openpyxl's
readers), and the number formats of the styles (by our own loop); nothing else is read
(not charts, pivot caches or external links). Each part is at most
:data:`~iddexi.tally.xlsx_safety.MAX_PART_BYTES` and a bounded count of XML elements,
which is what openpyxl's time goes by; both are checked by a byte scan first.

Of the styles only the number formats matter to a tally (they tell a date from a
number); fills, fonts, colours and cell-style references are not read at all, so a
workbook whose styles Excel tolerates (an out-of-range ``xfId``, an odd colour) is not
refused for them.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any, NamedTuple

from iddexi.i18n import _
from iddexi.ledger.errors import InputError
from iddexi.tally.xlsx_safety import (
    DECLARES_ENTITIES,
    MAX_OTHER_ELEMENTS,
    MAX_PART_BYTES,
    MAX_SHARED_STRING_ELEMENTS,
    count_elements,
    megabytes,
)

#: Strict Open XML's namespaces (ISO 29500 strict), which Excel writes only when asked.
_STRICT = b"purl.oclc.org/ooxml/"


class WorkbookParts(NamedTuple):
    """What a worksheet's cells need from the rest of the workbook."""

    sheets: list[tuple[str, str, str]]  # (title, state, part) of each worksheet, in order
    strings: list[str]  # the shared strings
    epoch: Any  # the workbook's date system (1900 or 1904)
    date_formats: Any  # style numbers that show a number as a date …
    timedelta_formats: Any  # … or as a duration


class _Budget:
    """Checks each part before openpyxl reads it whole; counts their elements together."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive = archive
        self.name = name
        self.others = 0

    def check(self, member: str, *, shared_strings: bool = False) -> None:
        try:
            info = self.archive.getinfo(member)
        except KeyError:
            return  # openpyxl says the part is missing: a damaged workbook
        what = _("the shared strings") if shared_strings else _("the part")
        if info.file_size > MAX_PART_BYTES:
            raise InputError(
                _(
                    "{name}: refused: {what} {member!r} would expand to {size}, more than the {limit} allowed (a real tally sheet's are far smaller); this looks like a decompression bomb"
                ).format(
                    name=self.name,
                    what=what,
                    member=member,
                    size=megabytes(info.file_size),
                    limit=megabytes(MAX_PART_BYTES),
                )
            )
        elements = count_elements(self.archive, member, f"{self.name}:{member}")
        if shared_strings:
            count, limit = elements, MAX_SHARED_STRING_ELEMENTS
        else:
            self.others += elements
            count, limit = self.others, MAX_OTHER_ELEMENTS
        if count > limit:
            where = (
                what + f" {member!r}" if shared_strings else _("the workbook's settings and styles")
            )
            raise InputError(
                _(
                    "{name}: refused: {where} hold more than {limit:,} XML elements ({count:,}); a tally sheet needs far fewer, and reading them would take too long"
                ).format(name=self.name, where=where, limit=limit, count=count)
            )


def read_workbook_parts(archive: zipfile.ZipFile, name: str) -> WorkbookParts:
    """Read the workbook's sheet list, shared strings and date styles, each part checked first.

    Done with openpyxl's own readers, in the order ``openpyxl.load_workbook`` uses, minus
    what a tally sheet does not need (document properties, theme, chartsheets, each
    sheet's relationships, external links). Raises :class:`InputError` for a part too big.
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.strings import read_string_table
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    budget = _Budget(archive, name)
    budget.check(ARC_CONTENT_TYPES)
    _refuse_strict(archive, name, ARC_CONTENT_TYPES, "_rels/.rels")
    package = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    strings: list[str] = []
    found = package.find(SHARED_STRINGS)
    if found is not None:
        part = found.PartName[1:]
        budget.check(part, shared_strings=True)
        with archive.open(part) as src:
            strings = read_string_table(src)
    workbook_part = _find_workbook_part(package).PartName[1:]
    budget.check(workbook_part)
    budget.check(get_rels_path(workbook_part))
    _refuse_strict(archive, name, workbook_part)
    parser = WorkbookParser(archive, workbook_part, keep_links=False)
    parser.parse()
    wb = parser.wb
    budget.check(ARC_STYLE)
    dates, durations = _number_formats(archive, ARC_STYLE, name)
    sheets = [
        (sheet.name, sheet.state, _member(archive, rel.target))
        for sheet, rel in parser.find_sheets()
        if _member(archive, rel.target) and "chartsheet" not in rel.Type
    ]
    return WorkbookParts(sheets, strings, wb.epoch, dates, durations)


def _member(archive: zipfile.ZipFile, name: str) -> str:
    """The archive's own name of part ``name`` (matched as Excel does), or ``""``."""
    try:
        return archive.getinfo(name).filename
    except KeyError:
        return ""


def _refuse_strict(archive: zipfile.ZipFile, name: str, *parts: str) -> None:
    """A Strict Open XML workbook reads as empty to openpyxl: say what to do instead."""
    for part in parts:
        if not _member(archive, part):
            continue
        with archive.open(part) as fh:
            head = fh.read(64 * 1024)
        if _STRICT in head:
            raise InputError(
                _(
                    "{file}: the workbook is saved as Strict Open XML, which this reader does "
                    "not read; in Excel/WPS save it as an ordinary .xlsx (Excel Workbook)"
                ).format(file=name)
            )


def _number_formats(archive: zipfile.ZipFile, member: str, name: str) -> tuple[set[int], set[int]]:
    """The cell styles (``s`` numbers) that show a number as a date, and as a duration.

    Reads ``<numFmt>`` and the ``<xf>`` of ``<cellXfs>`` only, as openpyxl would decide
    them; everything else in the styles is left unread.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.styles.numbers import (
        BUILTIN_FORMATS,
        is_date_format,
        is_timedelta_format,
    )

    if not _member(archive, member):
        return set(), set()
    with archive.open(member) as fh:
        raw = fh.read(MAX_PART_BYTES + 1)
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise InputError(_("{name}: refused: ").format(name=name) + _(DECLARES_ENTITIES))
    custom: dict[str, str] = {}
    styles: list[str] = []
    depth_in_xfs = False
    for event, node in iterparse(io.BytesIO(raw), events=("start", "end")):
        tag = node.tag.rpartition("}")[2]
        if tag == "cellXfs":
            depth_in_xfs = event == "start"
        elif event == "end" and tag == "numFmt":
            custom[node.get("numFmtId", "")] = node.get("formatCode", "")
        elif event == "end" and tag == "xf" and depth_in_xfs:
            styles.append(node.get("numFmtId", "0"))
        if event == "end" and tag != "cellXfs":
            node.clear()
    dates: set[int] = set()
    durations: set[int] = set()
    for index, fmt_id in enumerate(styles):
        code = custom.get(fmt_id)
        if code is None:
            number = int(fmt_id) if fmt_id.isdigit() and len(fmt_id) < 6 else 0
            code = BUILTIN_FORMATS.get(number, "General")
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations
