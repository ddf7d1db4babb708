"""Chinese chart labels render with a real CJK font: no "Glyph ... missing" warning."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from iddexi.render import fonts  # noqa: E402

TITLE = "伊德喜冬储肉大集 收入 同比增长"
LABELS = ["冬储肉", "奶制品", "非遗手工艺", "餐饮小吃", "民俗活动"]


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with matplotlib.rc_context():
        yield


def _draw(path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    try:
        ax.bar(LABELS, [416000, 52000.5, 38000.8, 30000, 12999.7])
        ax.set_title(TITLE)
        ax.set_ylabel("收入（元）")
        ax.set_xlabel("类别 −1")
        fig.savefig(path)
    finally:
        plt.close(fig)


def test_family_is_a_registered_cjk_font():
    from matplotlib import font_manager

    family = fonts.cjk_font_family()
    assert family != fonts.FALLBACK_FAMILY
    assert family in {entry.name for entry in font_manager.fontManager.ttflist}
    assert fonts.cjk_font_family() is family  # cached


def test_chinese_labels_render_without_missing_glyph_warnings(tmp_path):
    fonts.apply_cjk_font()
    assert matplotlib.rcParams["font.family"][0] == fonts.cjk_font_family()
    assert matplotlib.rcParams["font.sans-serif"][0] == fonts.cjk_font_family()
    assert "DejaVu Sans" in matplotlib.rcParams["font.family"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False

    out = tmp_path / "categories.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        _draw(out)
    assert not [w for w in caught if "missing from font" in str(w.message)]

    assert out.is_file()
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 5_000


def test_without_the_cjk_font_the_same_figure_does_warn(tmp_path):
    """Guards the test above: it would notice a missing glyph."""
    matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="missing from font"):
            _draw(tmp_path / "boxes.png")


def test_module_import_does_not_import_matplotlib():
    code = (
        "import sys; import iddexi.render.fonts; sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
