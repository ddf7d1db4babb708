"""Messages shown to people, in Chinese first and English.

Every user-facing string goes through ``_()`` (or ``ngettext`` for counts) so that Babel
can extract it into the catalogs under ``iddexi/locale`` (``python -m tools.catalogs``
extracts, updates and compiles them). The compiled ``.mo`` files are committed beside
their ``.po``, so a plain install reads them with the stdlib ``gettext``: no Babel at run
time, one small file parsed on the first message (about a millisecond).

The language comes from ``--lang`` (``set_language``), else ``IDDEXI_LANG``, else the
locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh*`` is Chinese, any other named
language English), and is Chinese where nothing says otherwise: the organisers read
Chinese first. The English catalog is the msgids themselves.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from pathlib import Path

DOMAIN = "iddexi"
LOCALE_DIR = Path(__file__).parent / "locale"
CHINESE = "zh_CN"
ENGLISH = "en"
LANGUAGES = (CHINESE, ENGLISH)

_chosen: str | None = None
_catalogs: dict[str, gettext.NullTranslations] = {}


def normalize(value: str | None) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` → zh_CN; ``en``, ``en_US`` → en; else None."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_")
    if code.startswith("zh") or code in {"cn", "chinese", "中文"}:
        return CHINESE
    if code.startswith("en") or code == "english":
        return ENGLISH
    return None


def _from_environment() -> str:
    explicit = normalize(os.environ.get("IDDEXI_LANG"))
    if explicit:
        return explicit
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if not value:
            continue
        # the first set variable decides (POSIX precedence); C and POSIX name no language
        if value.split(".")[0] in {"C", "POSIX"}:
            return CHINESE
        return normalize(value) or ENGLISH
    return CHINESE


def language() -> str:
    """The language messages are given in now: zh_CN or en."""
    return _chosen or _from_environment()


def chosen_language() -> str | None:
    """The language the root ``--lang`` chose for this run, None when it was not given."""
    return _chosen


def set_language(value: str | None) -> str:
    """Choose the language for this process (``--lang``); None goes back to the environment.

    Raises ValueError for a language we have no catalog for.
    """
    global _chosen
    if value is None:
        _chosen = None
        return language()
    chosen = normalize(value)
    if chosen is None:
        raise ValueError(value)
    _chosen = chosen
    return chosen


def language_from_argv(argv: list[str]) -> str | None:
    """The ``--lang`` given among the root options (before the command), if any.

    The entry point reads it before the command modules build their help texts.
    """
    takes_value = {"--ledger", "--by", "--lang"}
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if token.startswith("--lang="):
            return token.split("=", 1)[1]
        if not token.startswith("-"):
            return None  # the command: what follows belongs to it
        index += 2 if token in takes_value else 1
    return None


def translations(lang: str | None = None) -> gettext.NullTranslations:
    """The catalog for ``lang`` (default: the current language), loaded once."""
    lang = lang or language()
    catalog = _catalogs.get(lang)
    if catalog is None:
        catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
        _catalogs[lang] = catalog
    return catalog


def translator_for(lang: str | None) -> Callable[[str], str]:
    """The ``_`` of one language, whatever this process speaks (a web page per request).

    ``zh``/``zh_CN`` → Chinese, ``en`` → English; an unknown tag → Chinese, the default.
    The catalog is loaded once and shared with ``translations()``.
    """
    return translations(normalize(lang) or CHINESE).gettext


def _(message: str) -> str:
    """The message in the reader's language."""
    return translations().gettext(message)


def pgettext(context: str, message: str) -> str:
    """The message as meant in ``context`` (a word that reads differently elsewhere)."""
    return translations().pgettext(context, message)


def N_(message: str) -> str:
    """Mark a message for extraction only; translate it later with ``_()``."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for ``count``, in the reader's language."""
    return translations().ngettext(singular, plural, count)
