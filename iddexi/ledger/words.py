"""The words people use for the ledger's fixed choices, in English and Chinese.

A season kind, a market day, a township kind, a count method or a herder flag can be
typed on the command line or written in a spreadsheet as its code (``winter``, ``sat``)
or as an organiser would write it (冬季, 周六, 苏木, 估算, 是); both places accept the same
words, through :func:`pick`.
"""

from __future__ import annotations

import unicodedata

from iddexi.ledger.errors import InputError


def key(value: str) -> str:
    """How a word is compared: NFKC, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


def _choices(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key(alias): code for code, aliases in table.items() for alias in (code, *aliases)}


HERDER = _choices(
    {
        "yes": ("是", "y", "1", "true", "√", "✓", "牧户"),
        "no": ("否", "n", "0", "false", "×", "非牧户", "不是"),
    }
)
TOWNSHIP_KIND = _choices({"sumu": ("苏木",), "town": ("镇",), "township": ("乡", "民族乡")})
SEASON_KIND = _choices(
    {
        "winter": ("冬", "冬季", "冬天"),
        "spring": ("春", "春季", "春天"),
        "summer": ("夏", "夏季", "夏天"),
        "autumn": ("秋", "秋季", "秋天", "fall"),
    }
)
_WEEK = zip(
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "一二三四五六日",
    strict=True,
)
MARKET_DAY = _choices(
    {code: (full, f"周{zh}", f"星期{zh}", f"礼拜{zh}") for code, full, zh in _WEEK}
    | {"sun": ("sunday", "周日", "星期日", "周天", "星期天", "礼拜天")}
)
#: How the template shows count methods in Chinese; the import takes these or the codes.
COUNT_METHOD_LABELS = {"full": "全数统计", "sample": "抽样推算", "estimate": "估算"}
COUNT_METHOD = _choices(
    {
        "full": ("全数统计", "全数", "全部计数", "实数"),
        "sample": ("抽样推算", "抽样", "抽样统计"),
        "estimate": ("估算", "估计", "预估"),
    }
)

#: What a refusal lists as allowed, per table.
ALLOWED = {
    id(HERDER): "yes/no (是/否, 1/0, true/false)",
    id(TOWNSHIP_KIND): "sumu (苏木), town (镇), township (乡)",
    id(SEASON_KIND): "winter, spring, summer, autumn (冬季, 春季, 夏季, 秋季)",
    id(MARKET_DAY): "mon, tue, wed, thu, fri, sat, sun (周一 … 周日)",
    id(COUNT_METHOD): "full, sample, estimate (全数统计, 抽样推算, 估算)",
}


def pick(table: dict[str, str], value: str | None, what: str) -> str | None:
    """The code ``value`` names in ``table``; None for None; else a refusal naming ``what``."""
    if value is None:
        return None
    found = table.get(key(value))
    if found is None:
        raise InputError(f"{what} {value!r} is not one of {ALLOWED[id(table)]}")
    return found
