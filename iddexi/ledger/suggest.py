"""“Did you mean …?”: the known names closest to a word nobody recognised.

A word is compared with every name a candidate answers to — its code, its Chinese name,
its aliases — and with the pinyin of the Chinese ones, whole and as initials, so that
``alt`` finds 阿拉坦家牛肉 (a-la-tan-jia-niu-rou) and ``MO5`` finds M05. pypinyin is
imported only here, on the error path.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping

from iddexi.i18n import _

# below this a candidate is not worth naming (difflib's own default cut-off)
CUTOFF = 0.6
# letters typed for the digits they look like in a stall code (MO5 for M05)
_LOOKALIKE = str.maketrans({"o": "0", "i": "1", "l": "1"})


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _forms(name: str) -> list[str]:
    """How a name may be typed: itself, and for Chinese its pinyin whole and as initials."""
    forms = [_key(name)]
    if _has_han(name):
        import os

        # the phrase dictionary (polyphones in words) triples the import time; names are
        # matched well enough by single-character readings
        os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
        from pypinyin import Style, lazy_pinyin

        syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
        if syllables:
            forms.append(_key("".join(syllables)))
            forms.append(_key("".join(s[0] for s in syllables if s)))
    return [f for f in forms if f]


def _score(word: str, form: str) -> float:
    if word == form:
        return 1.0
    if word.translate(_LOOKALIKE) == form.translate(_LOOKALIKE):
        return 0.95
    if len(word) >= 2 and form.startswith(word):
        return 0.9
    if len(word) >= 2 and word in form:
        return 0.8
    return difflib.SequenceMatcher(None, word, form).ratio()


def suggest(
    word: str,
    candidates: Mapping[str, Iterable[str]] | Iterable[str],
    limit: int = 3,
) -> list[str]:
    """The candidates closest to ``word``, best first (at most ``limit``; maybe none).

    ``candidates`` maps what to show (``阿拉坦家牛肉 A19``) to the names it answers to
    (``A19``, ``阿拉坦家牛肉``); a plain iterable of names shows each name itself.
    """
    typed = _key(word)
    if not typed:
        return []
    table = (
        candidates if isinstance(candidates, Mapping) else {name: (name,) for name in candidates}
    )
    scored = []
    for shown, names in table.items():
        best = max((_score(typed, form) for name in names for form in _forms(name)), default=0)
        if best >= CUTOFF:
            scored.append((-best, shown))
    scored.sort()
    if not scored:
        return []
    # an exact or near-exact match leaves the merely similar out
    best = -scored[0][0]
    return [shown for score, shown in scored[:limit] if -score >= best - 0.1]


def did_you_mean(word: str, candidates: Mapping[str, Iterable[str]] | Iterable[str]) -> str:
    """``"; did you mean A19 阿拉坦家牛肉?"`` for a message, or "" when nothing is close."""
    found = suggest(word, candidates)
    if not found:
        return ""
    return _("; did you mean {choices}?").format(choices=_(" or ").join(found))
