"""A CJK font for matplotlib, so Chinese chart labels render on any machine.

Charts carry Chinese titles and category labels (冬储肉, 非遗手工艺, ...). matplotlib's
default DejaVu Sans has no CJK glyphs: without help it draws empty boxes and warns
"Glyph ... missing from font(s) DejaVu Sans". :func:`cjk_font_family` picks a CJK family
that is installed on the machine, or else registers the OFL Noto Sans CJK collection
shipped in the ``noto-cjk-sans-otc`` dependency. :func:`apply_cjk_font` puts it first in
matplotlib's rcParams.

matplotlib is imported inside the functions only, so importing this module stays cheap
(the CLI imports the render package even for commands that draw nothing).
"""

from __future__ import annotations

import functools
from pathlib import Path

# Families that render Simplified Chinese, best first: the usual Windows, macOS and Linux
# ones. A family installed on the machine is preferred over the bundled font, which is
# large and slow to parse the first time.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)

# The face of the bundled collection we ask for by name. A .ttc holds one face per
# region (JP, KR, SC, TC, HK); all of them cover the Simplified Chinese code points, but
# only the SC face draws them in the mainland style. matplotlib >= 3.10 registers every
# face of a collection under its own family name; older versions register the first
# face only ("Noto Sans CJK JP"), which still has every glyph we need.
BUNDLED_SC_FAMILY = "Noto Sans CJK SC"

# Last resort when no CJK font can be found at all (labels will then show boxes).
FALLBACK_FAMILY = "DejaVu Sans"


def _installed_families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def _bundled_font_path() -> Path | None:
    """The bundled Noto Sans CJK collection on disk, or None if it is not available."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:
        return None
    path = Path(str(FONT_PATH))
    return path if path.is_file() else None


def _register_bundled_font() -> str | None:
    """Register the bundled collection with matplotlib; return the family to ask for."""
    from matplotlib import font_manager

    path = _bundled_font_path()
    if path is None:
        return None
    manager = font_manager.fontManager

    def registered() -> list[str]:
        target = path.resolve()
        return [e.name for e in manager.ttflist if Path(e.fname).resolve() == target]

    names = registered()
    if not names:
        manager.addfont(str(path))
        names = registered()
    if not names:
        return None
    if BUNDLED_SC_FAMILY in names:
        return BUNDLED_SC_FAMILY
    # Older matplotlib: only the collection's first face, under whatever name it has.
    return names[0]


@functools.cache
def cjk_font_family() -> str:
    """The name of a matplotlib font family that renders Simplified Chinese.

    An installed family from :data:`PREFERRED_FAMILIES` wins; else the bundled Noto Sans
    CJK is registered and its SC face is used; else any installed family whose name says
    CJK. The answer is cached for the life of the process.
    """
    installed = _installed_families()
    for family in PREFERRED_FAMILIES:
        if family in installed:
            return family
    bundled = _register_bundled_font()
    if bundled is not None:
        return bundled
    for family in sorted(installed):
        if "CJK" in family and "Mono" not in family:
            return family
    return FALLBACK_FAMILY


def apply_cjk_font() -> None:
    """Make matplotlib draw Chinese: the CJK family first, DejaVu Sans for the rest.

    Also turns off the Unicode minus sign, which many CJK fonts lack.
    """
    import matplotlib as mpl

    family = cjk_font_family()
    sans = [family] + [name for name in ("DejaVu Sans",) if name != family]
    rest = [name for name in mpl.rcParams["font.sans-serif"] if name not in sans]
    # Both families in font.family, so matplotlib's per-glyph fallback can use each;
    # font.sans-serif too, for text that asks for the generic family.
    mpl.rcParams["font.family"] = sans
    mpl.rcParams["font.sans-serif"] = sans + rest
    mpl.rcParams["axes.unicode_minus"] = False
