"""Which language a page speaks: Chinese first; English by the browser's
``Accept-Language`` or the page's switch (``?lang=en``, remembered in a cookie)."""

from __future__ import annotations

from collections.abc import Callable

from iddexi import i18n

LANGUAGES = ("zh", "en")


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for wanted in (query, cookie):
        if wanted in LANGUAGES:
            return wanted
    best, best_q = "zh", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def translator(lang: str) -> Callable[[str], str]:
    """The ``_`` of ``lang``: the CLI's catalogs, through iddexi.i18n.

    Until iddexi.i18n offers a per-language translator (``translator_for``), every
    page gets its one ``_``.
    """
    per_language = getattr(i18n, "translator_for", None)
    if per_language is not None:
        return per_language(lang)
    return i18n._
