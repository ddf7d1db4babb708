"""Messages shown to people, in Chinese first and English.

Every user-facing string goes through ``_()`` (or ``ngettext`` for counts) so that Babel
can extract it into the catalogs under ``iddexi/locale``. This first version is the
identity; the catalogs and the language choice (``--lang``, ``IDDEXI_LANG``, the locale)
come with the Chinese-first command line.
"""

from __future__ import annotations


def _(message: str) -> str:
    """The message in the reader's language."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for ``count``, in the reader's language."""
    return singular if count == 1 else plural
