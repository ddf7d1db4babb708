"""The words people use for the ledger's fixed choices, in English and Chinese.

A season kind, a market day, a township kind, a count method or a herder flag can be
typed on the command line or written in a spreadsheet as its code (``winter``, ``sat``)
or as an organiser would write it (冬季, 周六, 苏木, 估算, 是); both places accept the same
words, through :func:`pick`.
"""

from __future__ import annotations

import unicodedata

from iddexi.i18n import N_, _
from iddexi.ledger.errors import InputError


def key(value: str) -> str:
    """How a word is compared: NFKC, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


class Choices(dict[str, str]):
    """Each word (compared by :func:`key`) → its code; ``allowed`` is what a refusal lists."""

    def __init__(self, table: dict[str, tuple[str, ...]], allowed: str) -> None:
        super().__init__(
            (key(alias), code) for code, aliases in table.items() for alias in (code, *aliases)
        )
        self.allowed = allowed


HERDER = Choices(
    {
        "yes": ("是", "y", "1", "true", "√", "✓", "牧户"),
        "no": ("否", "n", "0", "false", "×", "非牧户", "不是"),
    },
    N_("yes/no (是/否, 1/0, true/false)"),
)
TOWNSHIP_KIND = Choices(
    {"sumu": ("苏木",), "town": ("镇",), "township": ("乡", "民族乡")},
    N_("sumu (苏木), town (镇), township (乡)"),
)
SEASON_KIND = Choices(
    {
        "winter": ("冬", "冬季", "冬天"),
        "spring": ("春", "春季", "春天"),
        "summer": ("夏", "夏季", "夏天"),
        "autumn": ("秋", "秋季", "秋天", "fall"),
    },
    N_("winter, spring, summer, autumn (冬季, 春季, 夏季, 秋季)"),
)
_WEEK = zip(
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "一二三四五六日",
    strict=True,
)
MARKET_DAY = Choices(
    {code: (full, f"周{zh}", f"星期{zh}", f"礼拜{zh}") for code, full, zh in _WEEK}
    | {"sun": ("sunday", "周日", "星期日", "周天", "星期天", "礼拜天")},
    N_("mon, tue, wed, thu, fri, sat, sun (周一 … 周日)"),
)
#: How the template shows count methods in Chinese; the import takes these or the codes.
COUNT_METHOD_LABELS = {"full": "全数清点", "sample": "抽样估算", "estimate": "估算"}
COUNT_METHOD = Choices(
    {
        # the product's words first; the older labels stay readable in sheets made before
        "full": ("全数清点", "全数统计", "全数", "清点", "全部计数", "实数"),
        "sample": ("抽样估算", "抽样推算", "抽样", "抽样统计"),
        "estimate": ("估算", "估计", "预估"),
    },
    N_("full, sample, estimate (全数清点, 抽样估算, 估算)"),
)

#: A batch kind as its code or as `history` shows it in Chinese (更正 …).
BATCH_KIND = Choices(
    {
        "setup": ("基础资料",),
        "entry": ("录入",),
        "correction": ("更正",),
        "import": ("导入",),
        "demo": ("演示",),
    },
    N_("setup, entry, correction, import, demo (基础资料, 录入, 更正, 导入, 演示)"),
)


# the names of values that a refusal mentions ("season kind 'x' is not one of …"),
# translated where the message is made
WHAT = (
    N_("season kind"), N_("township kind"), N_("count method"), N_("market day"),
    N_("herder"), N_("session date"), N_("date"), N_("start"), N_("end"), N_("visitors"),
    N_("batch"), N_("session"), N_("planned sessions"), N_("name"), N_("stall name"),
    N_("township name"), N_("operator"), N_("Chinese label"), N_("English label"),
    N_("alias"), N_("stall code"), N_("the reason"), N_("minutes"), N_("note"), N_("unit"),
    N_("batch kind"),
)  # fmt: skip


def pick(table: Choices, value: str | None, what: str) -> str | None:
    """The code ``value`` names in ``table``; None for None; else a refusal naming ``what``."""
    if value is None:
        return None
    found = table.get(key(value))
    if found is None:
        raise InputError(
            _("{what} {value!r} is not one of {allowed}").format(
                what=_(what), value=value, allowed=_(table.allowed)
            )
        )
    return found
