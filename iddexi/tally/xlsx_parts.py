"""The parts of a workbook that openpyxl reads whole, each bounded before it is parsed.

Content types, shared strings, the workbook and its relationships, styles; nothing else
is read (not charts, pivot caches or external links). Each part is at most
:data:`~iddexi.tally.xlsx_safety.MAX_PART_BYTES` and a bounded count of XML elements,
which is what openpyxl's time goes by; both are checked by a byte scan first.
"""

from __future__ import annotations

import zipfile
from typing import Any, NamedTuple

from iddexi.ledger.errors import InputError
from iddexi.tally.xlsx_safety import (
    MAX_OTHER_ELEMENTS,
    MAX_PART_BYTES,
    MAX_SHARED_STRING_ELEMENTS,
    count_elements,
    megabytes,
)


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
        what = "the shared strings" if shared_strings else "the part"
        if info.file_size > MAX_PART_BYTES:
            raise InputError(
                f"{self.name}: refused: {what} {member!r} would expand to "
                f"{megabytes(info.file_size)}, more than the {megabytes(MAX_PART_BYTES)} allowed (a real "
                "tally sheet's are far smaller); this looks like a decompression bomb"
            )
        elements = count_elements(self.archive, member, f"{self.name}:{member}")
        if shared_strings:
            count, limit = elements, MAX_SHARED_STRING_ELEMENTS
        else:
            self.others += elements
            count, limit = self.others, MAX_OTHER_ELEMENTS
        if count > limit:
            where = (
                what + f" {member!r}" if shared_strings else "the workbook's settings and styles"
            )
            raise InputError(
                f"{self.name}: refused: {where} hold more than {limit:,} XML elements "
                f"({count:,}); a tally sheet needs far fewer, and reading them would take "
                "too long"
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
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    budget = _Budget(archive, name)
    budget.check(ARC_CONTENT_TYPES)
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
    parser = WorkbookParser(archive, workbook_part, keep_links=False)
    parser.parse()
    wb = parser.wb
    budget.check(ARC_STYLE)
    apply_stylesheet(archive, wb)
    present = set(archive.namelist())
    sheets = [
        (sheet.name, sheet.state, rel.target)
        for sheet, rel in parser.find_sheets()
        if rel.target in present and "chartsheet" not in rel.Type
    ]
    return WorkbookParts(sheets, strings, wb.epoch, wb._date_formats, wb._timedelta_formats)
