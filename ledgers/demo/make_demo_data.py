"""Write the demo ledger data (manifest, townships, stalls, sessions, sales) in this folder.

    python ledgers/demo/make_demo_data.py           # (re)write the files
    python ledgers/demo/make_demo_data.py --check   # verify the files on disk, write nothing

Standard library only, a fixed seed, integer fen throughout: the output is the same bytes
on every run. The few figures the December 2025 newspaper report publishes are pinned
exactly (see PUBLISHED); everything else is synthetic and only meant to look plausible.
``--check`` re-reads the files as they are on disk, verifies the published figures to the
fen plus the shape of the data, and fails if the files differ from what this script makes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20251206

# --- the published figures (fen / persons) ------------------------------------------------
REFERENCE_AS_OF = dt.date(2025, 12, 6)  # "截至12月初": the first phase, 3 sessions
LAST_YEAR_AS_OF = dt.date(2024, 12, 6)  # the same calendar day one season earlier
PHASE1_REVENUE_FEN = 54_900_000  # 54.9万元
PHASE1_MEAT_FEN = 41_600_000  # 41.6万元, 75.8% of it
PHASE1_VISITORS = 30_000  # 3万人次
LAST_YEAR_SAME_PERIOD_FEN = 14_800_000  # 14.8万元 in the same period of 2024

PUBLISHED = [
    "2025-26 winter season, first phase up to early December (截至12月初): 30,000 visits (3万人次)",
    "2025-26 first phase revenue ¥549,000 (旅游收入54.9万元)",
    "same period of 2024: ¥148,000 (较2024年同期14.8万元), growth 271% (增长271%)",
    "meat stalls sold ¥416,000 (41.6万元) of the first-phase revenue: 75.8% (近八成)",
    "20-odd meat stalls (20余个肉品摊位)",
    "11 themed sessions, every Saturday, hosted in turn by the banner's sumu and towns, "
    "until January 2026 (持续至2026年1月，每周六常态化开展，11场系列主题活动由各苏木乡镇轮流承办)",
    "2024 herder income over ¥3.93 million across all four seasons "
    "(2024年带动牧民营收超393万元) — not modelled in this data",
    "source: 《『伊德喜』燃动冰雪季》, newspaper report by 李新军, December 2025",
]

SYNTHETIC = [
    "stall codes, names, operators, home townships and herder flags",
    "how the first-phase figures split across the three sessions, categories and stalls",
    "sessions 4-11 of 2025-26 and all sales of them",
    "the whole 2024-25 season except the ¥148,000 of its first two sessions: "
    "the session of 2024-12-07 onwards, and every split",
    "visitor counts of 2024-25 and of 2025-26 after the first phase; "
    "the split of the 30,000 first-phase visits",
    "count methods, temperatures, themes, host order (apart from 11 sessions in turn), notes",
    "quantities and units (derived from the amounts with a notional price)",
]


# --- reference tables ---------------------------------------------------------------------
TOWNSHIPS = [
    ("巴彦托海镇", "town"),
    ("大雁镇", "town"),
    ("伊敏河镇", "town"),
    ("红花尔基镇", "town"),
    ("辉苏木", "sumu"),
    ("伊敏苏木", "sumu"),
    ("锡尼河东苏木", "sumu"),
    ("锡尼河西苏木", "sumu"),
    ("巴彦嵯岗苏木", "sumu"),
    ("巴彦塔拉达斡尔民族乡", "township"),
]

CATEGORIES = ("meat", "dairy", "craft", "food", "activity", "other")


@dataclass(frozen=True)
class Stall:
    code: str
    name: str
    operator: str
    township: str
    herder: bool
    category: str
    size: float  # relative takings, generator only
    since: str  # first season it trades in, generator only
    extra: str = ""  # a second category it sometimes sells, generator only
    unit: str = ""  # unit of its quantity ("" = none recorded)
    price_fen: int = 0  # notional price per unit, to derive a quantity from an amount


S24, S25 = "2024-25", "2025-26"

# fmt: off
STALLS = [
    Stall("M01", "敖日格勒家冬储肉", "敖日格勒", "锡尼河西苏木", True, "meat", 1.5, S24, unit="kg", price_fen=6_800),  # noqa: E501
    Stall("M02", "巴特尔牧场牛排", "巴特尔", "锡尼河东苏木", True, "meat", 1.4, S24, unit="kg", price_fen=7_600),  # noqa: E501
    Stall("M03", "南屯卤牛排", "杜建华", "巴彦托海镇", False, "meat", 1.6, S24, extra="food", unit="kg", price_fen=9_800),  # noqa: E501
    Stall("M04", "乌云其木格家手把肉", "乌云其木格", "辉苏木", True, "meat", 1.1, S24, unit="kg", price_fen=5_600),  # noqa: E501
    Stall("M05", "涂金山整羊铺", "涂金山", "伊敏苏木", True, "meat", 1.2, S24, unit="只", price_fen=185_000),  # noqa: E501
    Stall("M06", "额尔敦家冬储牛肉", "额尔敦", "锡尼河西苏木", True, "meat", 1.0, S24, unit="kg", price_fen=7_200),  # noqa: E501
    Stall("M07", "何秀芝家羊排", "何秀芝", "辉苏木", True, "meat", 0.9, S24, unit="kg", price_fen=5_800),  # noqa: E501
    Stall("M08", "苏和牧场牛腱", "苏和", "巴彦嵯岗苏木", True, "meat", 1.0, S24, unit="kg", price_fen=7_800),  # noqa: E501
    Stall("M09", "杜福林家风干肉", "杜福林", "伊敏苏木", True, "meat", 0.8, S24, unit="kg", price_fen=16_000),  # noqa: E501
    Stall("M10", "那仁家冬储羊肉", "那仁", "锡尼河东苏木", True, "meat", 0.9, S24, extra="dairy", unit="kg", price_fen=5_200),  # noqa: E501
    Stall("M11", "孟和达斡尔牛肉干", "孟和", "巴彦塔拉达斡尔民族乡", True, "meat", 0.7, S24, unit="kg", price_fen=18_000),  # noqa: E501
    Stall("M12", "朝鲁家整牛分割", "朝鲁", "巴彦嵯岗苏木", True, "meat", 1.3, S24, unit="kg", price_fen=6_600),  # noqa: E501
    Stall("M13", "吴玉兰家羊蝎子", "吴玉兰", "伊敏苏木", True, "meat", 0.7, S24, unit="kg", price_fen=4_800),  # noqa: E501
    Stall("M14", "伊敏河肉联合作社", "王建国", "伊敏河镇", False, "meat", 1.3, S24, unit="kg", price_fen=6_200),  # noqa: E501
    Stall("M15", "斯琴家牛排骨", "斯琴", "锡尼河西苏木", True, "meat", 0.9, S24, unit="kg", price_fen=7_400),  # noqa: E501
    Stall("M16", "卡丽娜家驯鹿肉", "卡丽娜", "红花尔基镇", True, "meat", 0.6, S25, unit="kg", price_fen=12_000),  # noqa: E501
    Stall("M17", "宝音图整羊", "宝音图", "辉苏木", True, "meat", 1.1, S25, unit="只", price_fen=190_000),  # noqa: E501
    Stall("M18", "郭金山达斡尔冬储肉", "郭金山", "巴彦塔拉达斡尔民族乡", True, "meat", 0.8, S25, unit="kg", price_fen=6_400),  # noqa: E501
    Stall("M19", "阿拉坦家牛肉", "阿拉坦", "锡尼河东苏木", True, "meat", 1.0, S25, unit="kg", price_fen=7_000),  # noqa: E501
    Stall("M20", "杜娟家羊腿", "杜娟", "伊敏苏木", True, "meat", 0.7, S25, unit="kg", price_fen=6_000),  # noqa: E501
    Stall("M21", "大雁镇鲜肉铺", "李秀兰", "大雁镇", False, "meat", 0.9, S25, unit="kg", price_fen=6_200),  # noqa: E501
    Stall("M22", "其木德家冬储肉", "其木德", "巴彦嵯岗苏木", True, "meat", 0.8, S25, unit="kg", price_fen=6_600),  # noqa: E501
    Stall("M23", "达喜家手把羊肉", "达喜", "辉苏木", True, "meat", 0.8, S25, unit="kg", price_fen=5_400),  # noqa: E501
    Stall("M24", "红花尔基山林牛肉", "张海峰", "红花尔基镇", False, "meat", 0.7, S25, unit="kg", price_fen=7_200),  # noqa: E501
    Stall("D01", "其其格奶食坊", "其其格", "锡尼河西苏木", True, "dairy", 1.3, S24, unit="kg", price_fen=13_000),  # noqa: E501
    Stall("D02", "萨仁手工奶茶", "萨仁", "锡尼河东苏木", True, "dairy", 1.0, S24, extra="food", unit="kg", price_fen=9_000),  # noqa: E501
    Stall("D03", "辉河奶皮子", "图雅", "辉苏木", True, "dairy", 1.0, S24, unit="kg", price_fen=16_000),  # noqa: E501
    Stall("D04", "伊敏奶豆腐", "乌日娜", "伊敏苏木", True, "dairy", 0.8, S25, unit="kg", price_fen=11_000),  # noqa: E501
    Stall("D05", "巴彦嵯岗酸奶干", "哈斯", "巴彦嵯岗苏木", True, "dairy", 0.6, S25, unit="kg", price_fen=12_000),  # noqa: E501
    Stall("C01", "鄂温克民族刺绣（非遗）", "涂秀梅", "巴彦托海镇", False, "craft", 1.3, S24, unit="件", price_fen=18_000),  # noqa: E501
    Stall("C02", "桦树皮制作技艺（非遗）", "何林", "红花尔基镇", False, "craft", 1.0, S24, unit="件", price_fen=12_000),  # noqa: E501
    Stall("C03", "太阳花饰品工坊", "杜丽娜", "伊敏苏木", False, "craft", 0.9, S24, extra="activity", unit="件", price_fen=6_000),  # noqa: E501
    Stall("C04", "达斡尔族刺绣", "敖红梅", "巴彦塔拉达斡尔民族乡", False, "craft", 0.8, S24, unit="件", price_fen=15_000),  # noqa: E501
    Stall("C05", "布里亚特皮艺", "道尔吉", "锡尼河东苏木", True, "craft", 0.8, S25, unit="件", price_fen=22_000),  # noqa: E501
    Stall("C06", "鄂温克服饰定制", "吴春花", "巴彦托海镇", False, "craft", 0.7, S25, unit="件", price_fen=48_000),  # noqa: E501
    Stall("F01", "锡尼河布里亚特包子", "巴雅尔", "锡尼河西苏木", False, "food", 1.4, S24),
    Stall("F02", "涮羊肉火锅棚", "刘海", "巴彦托海镇", False, "food", 1.5, S24),
    Stall("F03", "牧家奶茶馆", "高娃", "辉苏木", True, "food", 1.0, S24),
    Stall("F04", "烤羊排串", "陈立军", "大雁镇", False, "food", 1.0, S24, extra="other"),
    Stall("F05", "冰糖葫芦冻果", "赵淑芬", "伊敏河镇", False, "food", 0.5, S25),
    Stall("F06", "达斡尔手把饭", "郭丽", "巴彦塔拉达斡尔民族乡", False, "food", 0.8, S25),
    Stall("A01", "巴日盖射击", "杜拉尔·阿木", "巴彦托海镇", False, "activity", 1.2, S24),
    Stall("A02", "雪战乐园", "孟凯", "大雁镇", False, "activity", 1.0, S24),
    Stall("A03", "打靶日", "何军", "伊敏苏木", True, "activity", 0.8, S25),
    Stall("A04", "马拉爬犁体验", "额尔德尼", "锡尼河西苏木", True, "activity", 1.0, S25),
    Stall("O01", "牧区山货年货", "苏日娜", "红花尔基镇", False, "other", 1.0, S24, unit="kg", price_fen=6_000),  # noqa: E501
]
# fmt: on


@dataclass(frozen=True)
class SessionPlan:
    date: dt.date
    host: str
    theme: str
    count_method: str
    note: str = ""


def _plan(start: dt.date, rows: list[tuple[str, str, str, str]]) -> list[SessionPlan]:
    week = dt.timedelta(days=7)
    return [SessionPlan(start + i * week, *row) for i, row in enumerate(rows)]


SEASONS = {
    S24: {
        "name": "2024—2025 伊德喜冬储肉大集（冬季）",
        "sessions": _plan(
            dt.date(2024, 11, 23),
            [
                ("巴彦托海镇", "开集仪式", "estimate", "首场，开集仪式"),
                ("辉苏木", "牧人冬储日", "estimate", ""),
                ("伊敏苏木", "奶食文化日", "estimate", ""),
                ("大雁镇", "雪战挑战日", "sample", ""),
                ("锡尼河东苏木", "冬至涮肉节", "sample", "冬至当天"),
                ("巴彦塔拉达斡尔民族乡", "达斡尔民俗日", "sample", ""),
                ("伊敏河镇", "新年大集", "estimate", "元旦假期"),
                ("锡尼河西苏木", "巴日盖射击赛", "sample", ""),
                ("红花尔基镇", "桦树皮文化日", "sample", ""),
                ("巴彦嵯岗苏木", "年货大集·闭集", "estimate", "本季末场"),
            ],
        ),
        # yuan per session after the first two (which split the published 148,000)
        "later_revenue": [82_000, 76_000, 98_000, 121_000, 134_000, 88_000, 72_000, 96_000],
        "later_visitors": [4_300, 4_000, 5_100, 6_200, 6_900, 4_500, 3_800, 5_600],
        "first_visitors": [5_200, 3_900],
    },
    S25: {
        "name": "2025—2026 伊德喜冬储肉大集（冬季）",
        "sessions": _plan(
            dt.date(2025, 11, 22),
            [
                ("巴彦托海镇", "开集仪式", "estimate", "首场，开集仪式"),
                ("锡尼河西苏木", "牧人冬储日", "full", "入口闸机计数"),
                ("伊敏苏木", "非遗工坊日", "sample", "首期末场"),
                ("辉苏木", "冰雪那达慕", "sample", ""),
                ("大雁镇", "冬至涮肉节", "full", ""),
                ("巴彦塔拉达斡尔民族乡", "达斡尔民俗日", "sample", ""),
                ("伊敏河镇", "新年大集", "estimate", "元旦假期"),
                ("锡尼河东苏木", "布里亚特风情日", "sample", ""),
                ("红花尔基镇", "研学体验日", "full", "研学团队包场半日"),
                ("巴彦嵯岗苏木", "雪地打靶日", "sample", ""),
                ("巴彦托海镇", "年货大集·闭集", "estimate", "本季末场"),
            ],
        ),
        "later_revenue": [
            196_000,
            212_000,
            248_000,
            276_000,
            201_000,
            168_000,
            174_000,
            226_000,
        ],
        "later_visitors": [10_400, 11_200, 13_100, 14_600, 10_800, 8_900, 9_300, 12_500],
        "first_visitors": [11_800, 8_600, 9_600],
    },
}

# How a session's non-meat takings split across categories (relative weights).
NON_MEAT_WEIGHTS = {"dairy": 24, "craft": 19, "food": 34, "activity": 18, "other": 5}

SALE_NOTES = {
    "meat": ["含微信预订", "手写小票", "另售羊杂", "牛排为主", "补录"],
    "dairy": ["奶皮子为主", "手写小票"],
    "craft": ["含定制订单", "非遗展区"],
    "food": ["现场扫码合计"],
    "activity": ["门票合计", "含研学团体"],
    "other": ["蘑菇、蓝莓干"],
}


# --- generation ---------------------------------------------------------------------------
def split_fen(
    total: int, weights: list[float], rng: random.Random, *, texture: bool = False
) -> list[int]:
    """Split ``total`` fen by ``weights`` into amounts that sum to it exactly.

    Whole yuan by largest remainder, any odd fen on the largest part. With ``texture``
    a few pairs of amounts then trade 30-80 fen, so that some end in .50, .80 … (fen
    matter) while the sum stays the same.
    """
    assert total > 0 and weights and all(w > 0 for w in weights)
    yuan, odd_fen = divmod(total, 100)
    scale = sum(weights)
    exact = [yuan * w / scale for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: yuan - sum(parts)]:
        parts[i] += 1
    fen = [p * 100 for p in parts]
    fen[max(range(len(fen)), key=lambda i: (fen[i], -i))] += odd_fen
    for _ in range(len(fen) // 5 if texture else 0):
        i, j = rng.sample(range(len(fen)), 2)
        delta = rng.choice([50, 50, 80, 30])
        if fen[j] > 10_000:
            fen[i] += delta
            fen[j] -= delta
    assert sum(fen) == total and min(fen) > 0
    return fen


def yuan_text(fen: int) -> str:
    whole, cents = divmod(fen, 100)
    return str(whole) if cents == 0 else f"{whole}.{cents:02d}"


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _temperature(rng: random.Random, day: dt.date) -> int:
    if day.month == 11:
        low, high = -24, -15
    elif day.month == 12:
        low, high = -33, -21 if day.day < 15 else -26
    else:
        low, high = -38, -27
    return rng.randint(low, high)


def _active(season: str, stall: Stall) -> bool:
    return season == S25 or stall.since == S24


def _session_rows(rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for season, spec in SEASONS.items():
        plans = spec["sessions"]
        visitors = spec["first_visitors"] + spec["later_visitors"]
        assert len(visitors) == len(plans)
        temps = [_temperature(rng, plan.date) for plan in plans]
        coldest = min(range(len(plans)), key=lambda i: (temps[i], i))
        temps[coldest] = -38 if season == S25 else -36
        for i, plan in enumerate(plans):
            note = plan.note
            if i == coldest:
                note = "；".join(x for x in [note, f"最低气温{temps[i]}℃，照常开集"] if x)
            rows.append(
                [
                    season,
                    plan.date.isoformat(),
                    plan.host,
                    plan.theme,
                    visitors[i],
                    plan.count_method,
                    temps[i],
                    note,
                ]
            )
    return rows


def _share_of(fen: int, share: float) -> int:
    """``share`` of ``fen``, in whole yuan."""
    return fen * round(share * 1000) // 100_000 * 100


def _session_totals(season: str, rng: random.Random) -> list[tuple[int, int]]:
    """(revenue fen, meat fen) per session of ``season``."""
    spec = SEASONS[season]
    if season == S25:
        revenue = split_fen(PHASE1_REVENUE_FEN, [0.37, 0.29, 0.34], rng)
        shares = [0.74, 0.78, 0.755]
        meat = split_fen(
            PHASE1_MEAT_FEN, [r * s for r, s in zip(revenue, shares, strict=True)], rng
        )
        first = list(zip(revenue, meat, strict=True))
        late_share = [0.74, 0.72, 0.70, 0.68, 0.66, 0.66, 0.64, 0.66]
    else:
        revenue = split_fen(LAST_YEAR_SAME_PERIOD_FEN, [0.54, 0.46], rng)
        shares = [0.71, 0.73]
        first = [(r, _share_of(r, s)) for r, s in zip(revenue, shares, strict=True)]
        late_share = [0.72, 0.69, 0.68, 0.66, 0.64, 0.65, 0.62, 0.63]
    later = []
    for yuan, share in zip(spec["later_revenue"], late_share, strict=True):
        fen = yuan * 100 + rng.randint(-3_000, 3_000) * 100 + rng.choice([0, 0, 50, 80, 30])
        later.append((fen, _share_of(fen, share)))
    return first + later


def _sales_rows(season: str, rng: random.Random) -> list[list[object]]:
    plans = SEASONS[season]["sessions"]
    stalls = [s for s in STALLS if _active(season, s)]
    rows: list[list[object]] = []
    for plan, (revenue, meat) in zip(plans, _session_totals(season, rng), strict=True):
        by_category: dict[str, list[tuple[Stall, str]]] = defaultdict(list)
        for stall in stalls:
            present = 0.9 if stall.category == "meat" else 0.8
            if rng.random() < present:
                by_category[stall.category].append((stall, stall.category))
                if stall.extra and rng.random() < 0.6:
                    by_category[stall.extra].append((stall, stall.extra))
        non_meat = revenue - meat
        cats = [c for c in CATEGORIES[1:] if by_category[c]]
        cat_fen = split_fen(non_meat, [NON_MEAT_WEIGHTS[c] for c in cats], rng)
        targets = {"meat": meat, **dict(zip(cats, cat_fen, strict=True))}
        session_rows = []
        for category, target in targets.items():
            sellers = by_category[category]
            weights = [
                s.size * (0.35 if cat != s.category else 1.0) * (0.7 + 0.6 * rng.random())
                for s, cat in sellers
            ]
            for (stall, cat), fen in zip(
                sellers, split_fen(target, weights, rng, texture=True), strict=True
            ):
                session_rows.append(_sale_row(season, plan.date, stall, cat, fen, rng))
        session_rows.sort(key=lambda r: (r[2], CATEGORIES.index(r[3])))
        rows.extend(session_rows)
    return rows


def _sale_row(
    season: str, day: dt.date, stall: Stall, category: str, fen: int, rng: random.Random
) -> list[object]:
    quantity, unit = "", ""
    if category == stall.category and stall.unit and rng.random() < 0.9:
        unit = stall.unit
        if unit == "kg":
            quantity = f"{Decimal(fen * 10 // stall.price_fen) / 10:.1f}"
        else:
            quantity = str(max(1, round(fen / stall.price_fen)))
    note = ""
    if rng.random() < 0.07:
        note = rng.choice(SALE_NOTES[category])
    return [season, day.isoformat(), stall.code, category, yuan_text(fen), quantity, unit, note]


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _manifest() -> str:
    lines = [
        "# Demo data for `iddexi demo`: what is published, what is made up, and the seasons.",
        "# Written by make_demo_data.py; edit that script, not this file.",
        "",
        f'reference_as_of = "{REFERENCE_AS_OF.isoformat()}"',
        "",
        "[provenance]",
        'source = "idexi-article.zh.txt (newspaper report, December 2025)"',
        f"seed = {SEED}",
        "published = [",
        *[f"    {_toml_str(p)}," for p in PUBLISHED],
        "]",
        "synthetic = [",
        *[f"    {_toml_str(s)}," for s in SYNTHETIC],
        "]",
        "",
    ]
    for code, spec in SEASONS.items():
        plans = spec["sessions"]
        lines += [
            "[[season]]",
            f'code = "{code}"',
            f"name = {_toml_str(spec['name'])}",
            'kind = "winter"',
            f'start = "{plans[0].date.isoformat()}"',
            f'end = "{plans[-1].date.isoformat()}"',
            f"planned = {len(plans)}",
            'market_day = "sat"',
            "",
        ]
    lines += [
        "[files]",
        'townships = "townships.csv"',
        'stalls = "stalls.csv"',
        'sessions = "sessions.csv"',
        'sales = ["sales-2024-25.csv", "sales-2025-26.csv"]',
    ]
    return "\n".join(lines) + "\n"


def build() -> dict[str, str]:
    """Every file's text, by file name."""
    rng = random.Random(SEED)
    session_rows = _session_rows(rng)
    files = {
        "manifest.toml": _manifest(),
        "townships.csv": _csv(["name", "kind"], [list(t) for t in TOWNSHIPS]),
        "stalls.csv": _csv(
            ["code", "name", "operator", "township", "herder", "category"],
            [
                [s.code, s.name, s.operator, s.township, "yes" if s.herder else "no", s.category]
                for s in STALLS
            ],
        ),
        "sessions.csv": _csv(
            [
                "season",
                "date",
                "host",
                "theme",
                "visitors",
                "count_method",
                "temperature",
                "note",
            ],
            session_rows,
        ),
    }
    header = ["season", "session", "stall", "category", "amount", "quantity", "unit", "note"]
    for season in SEASONS:
        files[f"sales-{season}.csv"] = _csv(header, _sales_rows(season, rng))
    return files


# --- the check (reads what is on disk) ----------------------------------------------------
def to_fen(text: str) -> int:
    amount = Decimal(text)
    fen = amount * 100
    assert fen == fen.to_integral_value() and amount > 0, f"bad amount {text!r}"
    return int(fen)


def _read_csv(folder: Path, name: str) -> list[dict[str, str]]:
    raw = (folder / name).read_bytes()
    assert b"\r" not in raw, f"{name}: CR in line endings"
    assert raw.endswith(b"\n"), f"{name}: no final newline"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def check(folder: Path = HERE) -> dict[str, object]:
    """Verify the files in ``folder``; return the figures checked."""
    manifest = tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))
    assert manifest["reference_as_of"] == REFERENCE_AS_OF.isoformat()
    files = manifest["files"]
    townships = {r["name"]: r["kind"] for r in _read_csv(folder, files["townships"])}
    assert set(townships.values()) <= {"sumu", "town", "township"}
    stalls = {r["code"]: r for r in _read_csv(folder, files["stalls"])}
    for s in stalls.values():
        assert s["township"] in townships and s["herder"] in {"yes", "no"}
        assert s["category"] in CATEGORIES
    sessions = _read_csv(folder, files["sessions"])
    session_keys = {(r["season"], r["date"]) for r in sessions}
    seasons = {s["code"]: s for s in manifest["season"]}
    for code, season in seasons.items():
        dates = sorted(r["date"] for r in sessions if r["season"] == code)
        assert len(dates) == season["planned"], code
        assert dates[0] == season["start"] and dates[-1] == season["end"], code
        assert all(dt.date.fromisoformat(d).weekday() == 5 for d in dates), code
    for r in sessions:
        assert r["host"] in townships and r["count_method"] in {"full", "sample", "estimate"}
        assert -38 <= int(r["temperature"]) <= -15 and int(r["visitors"]) > 0

    sales = [row for name in files["sales"] for row in _read_csv(folder, name)]
    keys = Counter((r["season"], r["session"], r["stall"], r["category"]) for r in sales)
    assert max(keys.values()) == 1, "a (session, stall, category) appears twice"
    for r in sales:
        assert (r["season"], r["session"]) in session_keys, r
        assert r["stall"] in stalls and r["category"] in CATEGORIES, r
        assert r["unit"] in {"", "kg", "只", "件"} and bool(r["unit"]) == bool(r["quantity"]), r

    def revenue(season: str, until: dt.date | None = None, category: str | None = None) -> int:
        return sum(
            to_fen(r["amount"])
            for r in sales
            if r["season"] == season
            and (until is None or dt.date.fromisoformat(r["session"]) <= until)
            and (category is None or r["category"] == category)
        )

    phase1 = revenue(S25, REFERENCE_AS_OF)
    phase1_meat = revenue(S25, REFERENCE_AS_OF, "meat")
    phase1_visitors = sum(
        int(r["visitors"])
        for r in sessions
        if r["season"] == S25 and dt.date.fromisoformat(r["date"]) <= REFERENCE_AS_OF
    )
    last_year = revenue(S24, LAST_YEAR_AS_OF)
    last_year_3 = revenue(S24, dt.date(2024, 12, 7))
    assert phase1 == PHASE1_REVENUE_FEN, phase1
    assert phase1_meat == PHASE1_MEAT_FEN, phase1_meat
    assert phase1_visitors == PHASE1_VISITORS, phase1_visitors
    assert last_year == LAST_YEAR_SAME_PERIOD_FEN, last_year
    assert last_year_3 > last_year, "the session of 2024-12-07 must have sales"
    assert f"{Decimal(phase1_meat * 100) / phase1:.1f}" == "75.8"
    assert f"{(Decimal(phase1) / last_year - 1) * 100:.1f}" == "270.9"

    meat_stalls = {
        r["stall"]
        for r in sales
        if r["season"] == S25
        and r["category"] == "meat"
        and dt.date.fromisoformat(r["session"]) <= REFERENCE_AS_OF
    }
    assert 20 <= len(meat_stalls) <= 24, len(meat_stalls)
    assert revenue(S25) > revenue(S24) * 3 // 2, "2025-26 should be well above 2024-25"
    # each stall mostly sells its own category
    own = sum(1 for r in sales if r["category"] == stalls[r["stall"]]["category"])
    assert own > 0.85 * len(sales)
    # amounts whose fen matter
    assert sum(1 for r in sales if to_fen(r["amount"]) % 100) >= 10
    # the peak of each season falls around New Year
    for code in SEASONS:
        per_session = Counter()
        for r in sales:
            if r["season"] == code:
                per_session[r["session"]] += to_fen(r["amount"])
        peak = dt.date.fromisoformat(per_session.most_common(1)[0][0])
        assert (peak.month, peak.day) >= (12, 20) or (peak.month, peak.day) <= (1, 10), peak

    return {
        "2025-26 revenue to 2025-12-06": yuan_text(phase1),
        "2025-26 meat to 2025-12-06": yuan_text(phase1_meat),
        "2025-26 visitors to 2025-12-06": phase1_visitors,
        "2024-25 revenue to 2024-12-06": yuan_text(last_year),
        "2024-25 revenue, first 3 sessions (to 2024-12-07)": yuan_text(last_year_3),
        "meat stalls selling in 2025-26 first phase": len(meat_stalls),
        "2024-25 season revenue": yuan_text(revenue(S24)),
        "2025-26 season revenue": yuan_text(revenue(S25)),
        "sales lines": len(sales),
    }


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        stale = [
            name
            for name, text in files.items()
            if not (HERE / name).is_file() or (HERE / name).read_bytes() != text.encode("utf-8")
        ]
        if stale:
            print(f"out of date (rerun without --check): {', '.join(stale)}", file=sys.stderr)
            return 1
    else:
        for name, text in files.items():
            (HERE / name).write_bytes(text.encode("utf-8"))
    for key, value in check(HERE).items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
