"""Every PNG chart renders, at slide size, with Chinese labels and no missing glyph."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from iddexi.ledger.values import parse_yuan
from iddexi.render.charts import CHARTS, write_charts
from iddexi.reporting import build_season_report


@pytest.fixture(autouse=True)
def _restore_rcparams():
    import matplotlib

    with matplotlib.rc_context():
        yield


@pytest.fixture
def sold(market: Ledger) -> Ledger:
    """The conftest market with takings, and a stall whose name is hostile to renderers."""
    market.add_stall(
        "X01", "$x$ =HYPERLINK(1) 一个名字非常非常长的牧户冬储肉摊位合作社", category="meat"
    )
    lines = [
        ("2024-25:1", "M01", "meat", "8000"),
        ("2024-25:1", "F01", "food", "1200.50"),
        ("2024-25:2", "M01", "meat", "6500"),
        ("2025-26:1", "M01", "meat", "20300"),
        ("2025-26:1", "D01", "dairy", "3100"),
        ("2025-26:2", "X01", "meat", "15900.10"),
        ("2025-26:2", "F01", "food", "2000"),
    ]
    for ref, stall, category, amount in lines:
        market.add_sale(ref, stall, category, parse_yuan(amount))
    return market


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_without_missing_glyphs(sold, tmp_path, lang):
    report = build_season_report(sold, "2025-26")
    with warnings.catch_warnings():
        # "Glyph … missing from font(s)" is a UserWarning: any warning fails the test
        warnings.simplefilter("error")
        paths = write_charts(report, tmp_path, "chart", lang)
    assert [p.name for p in paths] == [f"chart-{key}.png" for key in CHARTS]
    for path in paths:
        assert path.is_file()
        assert png_size(path) == (1800, 1012)
        assert path.stat().st_size > 20_000


def test_charts_without_a_season_to_compare(sold, tmp_path):
    report = build_season_report(sold, "2024-25")
    assert report.compare is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = write_charts(report, tmp_path, "first", "zh")
    assert len(paths) == len(CHARTS) and all(png_size(p)[0] == 1800 for p in paths)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_of_a_season_with_sessions_but_no_sales(market, tmp_path, lang):
    report = build_season_report(market, "2025-26")
    assert report.this.revenue_fen == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the "no sales" note must render in Chinese too
        paths = write_charts(report, tmp_path, "empty", lang)
    assert len(paths) == len(CHARTS) and all(png_size(p) == (1800, 1012) for p in paths)
