"""Which table a sheet is, told by its header row; each header mapped to a field.

People write headers in Chinese or English, with units in brackets (``金额(元)``,
``金额（元）``), in any case and spacing; the template writes ``中文`` and ``English`` on
two lines of one cell. All of these name the same field. Every kind of table lists its
fields with their aliases; a sheet is the kind whose required fields are all present
and that explains most of its headers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from iddexi.i18n import _

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
_NOISE = re.compile(r"[\s_\-.:*#/\\'\"]+")


#: The traditional forms of the characters in our headers (a sheet from Hong Kong, Taiwan
#: or a traditional-character input method names the same columns).
_SIMPLIFIED = str.maketrans(
    "場攤編號類額銷營數單備註說賽辦題遊計氣溫稱經屬蘇鄉鎮戶開結劃別選",
    "场摊编号类额销营数单备注说赛办题游计气温称经属苏乡镇户开结划别选",
)


def normalise(text: str) -> str:
    """``"金额（元）"`` → ``"金额"``, ``"Count_Method "`` → ``"countmethod"``, ``"攤位"`` → ``"摊位"``."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SIMPLIFIED)
    text = _BRACKETS.sub("", text)
    return _NOISE.sub("", text)


def candidates(header: str) -> list[str]:
    """The header as a whole, then its lines (or the halves of ``"中文 English"``)."""
    whole = normalise(header)
    out = [whole] if whole else []
    lines = [ln for ln in re.split(r"[\r\n]+", header) if ln.strip()]
    if len(lines) > 1:
        out += [normalise(ln) for ln in lines]
    else:
        # A two-line header read back with its line break collapsed to a space.
        words = header.split()
        for i in range(1, len(words)):
            out += [normalise(" ".join(words[:i])), normalise(" ".join(words[i:]))]
    return [c for c in out if c]


@dataclass(frozen=True)
class TableKind:
    """A kind of table: its fields (each with aliases) and which must be present."""

    kind: str
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    # fields that are recognised but not imported (the template's stall name column)
    informative: tuple[str, ...] = ()
    # a required field that another column may stand in for
    alternatives: dict[str, str] = field(default_factory=dict)
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for name, aliases in self.fields.items():
            for alias in (name, *aliases):
                lookup.setdefault(normalise(alias), name)
        object.__setattr__(self, "lookup", lookup)

    def field_for(self, header: str) -> str | None:
        for key in candidates(header):
            found = self.lookup.get(key)
            if found:
                return found
        return None


_NOTE = ("备注", "说明", "note", "notes", "remark", "remarks", "comment")
_SEASON = ("季", "赛季", "季度", "season")

SALES = TableKind(
    "sales",
    {
        "season": _SEASON,
        "session": ("场次", "期", "期数", "session"),
        "date": ("日期", "场次日期", "date", "session date"),
        "stall": ("摊位", "摊位编号", "摊位号", "编号", "stall", "stall code", "code"),
        "category": ("类别", "品类", "类目", "category"),
        "amount": ("金额", "销售额", "营业额", "收入", "amount", "amount yuan", "takings", "yuan"),
        "quantity": ("数量", "quantity", "qty"),
        "unit": ("单位", "unit"),
        "note": _NOTE,
        "stall_name": ("摊位名称", "名称", "stall name", "name"),
    },
    # without a season column the session must be a date (it finds its season)
    required=("session", "stall", "amount"),
    informative=("stall_name",),
    # the session may be given by its date alone; with both, the number is used
    alternatives={"session": "date"},
)

# The sales sheet of a filled template: its session is on the session sheet.
SALES_SHEET = TableKind(
    "sales_sheet",
    {k: v for k, v in SALES.fields.items() if k not in ("season", "session", "date")},
    required=("stall", "amount"),
    informative=("stall_name",),
)

SESSIONS = TableKind(
    "sessions",
    {
        "season": _SEASON,
        "date": ("日期", "场次日期", "date", "session date"),
        "host": ("承办", "承办单位", "承办方", "承办苏木乡镇", "host", "host township"),
        "theme": ("主题", "theme"),
        "visitors": ("人次", "游客人次", "游客", "客流", "visitors", "visits"),
        "count_method": ("计数方式", "统计方式", "count method", "counting"),
        "temperature": ("气温", "温度", "temperature", "temp"),
        "note": _NOTE,
        "number": ("场次", "序号", "number", "no"),
    },
    required=("season", "date"),
    informative=("number",),
)

STALLS = TableKind(
    "stalls",
    {
        "code": ("编号", "摊位编号", "摊位号", "code", "stall", "stall code"),
        "name": ("名称", "摊位名称", "name", "stall name"),
        "operator": ("经营者", "摊主", "经营人", "operator"),
        "township": ("所属苏木乡镇", "苏木乡镇", "所属乡镇", "乡镇", "township", "home township"),
        "herder": ("牧户", "是否牧户", "牧民", "herder", "herder run"),
        "category": ("类别", "默认类别", "品类", "category", "default category"),
    },
    required=("code", "name"),
)

TOWNSHIPS = TableKind(
    "townships",
    {
        "name": ("名称", "苏木乡镇", "乡镇", "name", "township"),
        "kind": ("类型", "kind", "type"),
    },
    required=("name", "kind"),
)

SEASONS = TableKind(
    "seasons",
    {
        "code": (*_SEASON, "code", "编号"),
        "start": ("开始", "开始日期", "start", "start date", "from"),
        "end": ("结束", "结束日期", "end", "end date", "to"),
        "kind": ("类型", "kind", "type"),
        "planned": ("场次数", "计划场次", "planned", "planned sessions", "sessions"),
        "market_day": ("集日", "market day", "weekday"),
        "name": ("名称", "name"),
    },
    required=("code", "start", "end"),
)

# Timed visitor counts at the gates (see iddexi.tally.gates).
GATE_SAMPLES = TableKind(
    "gate_samples",
    {
        "season": _SEASON,
        "session": ("场次", "期", "期数", "session"),
        "gate": ("入口", "门", "大门", "出入口", "gate", "entrance"),
        "start": ("开始", "开始时间", "起始时间", "from", "start", "start time"),
        "minutes": ("分钟", "时长", "分钟数", "minutes", "sampled minutes"),
        "count": ("人数", "计数", "人次", "count", "people", "counted"),
        "hours": ("开放时间", "开放时段", "hours", "open hours"),
        "note": _NOTE,
    },
    required=("session", "gate", "start", "minutes", "count"),
)

# Order breaks ties: the more specific tables first.
KINDS: tuple[TableKind, ...] = (
    SALES,
    SESSIONS,
    STALLS,
    SEASONS,
    TOWNSHIPS,
    GATE_SAMPLES,
    SALES_SHEET,
)
_ALL_ALIASES = frozenset(k for kind in KINDS for k in kind.lookup)


@dataclass(frozen=True)
class Recognised:
    """A sheet's kind and which header names which field."""

    kind: TableKind
    columns: dict[str, str]  # field -> header key in the sheet
    ignored: tuple[str, ...]  # headers (with text) that name no field of this kind
    repeated: tuple[tuple[str, str], ...]  # (field, header) of a field named twice


def recognise(headers: list[str]) -> Recognised | None:
    """The kind of table these headers make, or None when no kind fits."""
    best: tuple[int, int, Recognised] | None = None
    for rank, kind in enumerate(KINDS):
        columns: dict[str, str] = {}
        ignored: list[str] = []
        repeated: list[tuple[str, str]] = []
        for header in headers:
            name = kind.field_for(header)
            if name is None:
                if not _unnamed(header):
                    ignored.append(header)
            elif name in columns:
                repeated.append((name, header))
            else:
                columns[name] = header
        for wanted, stand_in in kind.alternatives.items():
            if wanted not in columns and stand_in in columns:
                columns[wanted] = columns.pop(stand_in)
        if not all(r in columns for r in kind.required):
            continue
        score = (len(columns), -rank)
        if best is None or score > best[:2]:
            best = (*score, Recognised(kind, columns, tuple(ignored), tuple(repeated)))
    return best[2] if best else None


def _unnamed(header: str) -> bool:
    # The reader names a column without a header after its letter (xlsx) or number (CSV).
    return bool(re.fullmatch(r"[A-Z]{1,3}|\d{1,4}", header))


def looks_like_header(values: list[object]) -> bool:
    """For the reader: a row is the header row when two of its cells name known fields."""
    hits = 0
    for value in values:
        if isinstance(value, str) and any(c in _ALL_ALIASES for c in candidates(value)):
            hits += 1
            if hits >= 2:
                return True
    return False


def describe_kinds() -> str:
    """What a person can write, for the message when no table is recognised."""
    return _(
        "sales (season, session, stall, category, amount), sessions (season, date, host, visitors …), stalls (code, name, operator, township, herder, category), townships (name, kind), seasons (code, start, end …), gate samples (session, gate, from, minutes, count), or a filled `iddexi tally template`"
    )
