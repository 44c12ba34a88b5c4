"""Hangul in plots: the NanumGothic font (SIL Open Font License) as a fallback after DejaVu Sans.

The font comes with the ``koreanize-matplotlib`` package (a dependency, so ``make lab`` installs it
without root and without a download at run time); a system copy (Debian ``fonts-nanum``, which
``.ci/system-deps`` installs for the browser) is used when the package is missing. Latin text keeps
DejaVu Sans, so English figures are unchanged; only characters DejaVu lacks (Hangul) come from
NanumGothic. The offline site embeds the same font file for its Korean pages.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

__all__ = ["hangul_font_file", "use_hangul_font", "HANGUL_FAMILY"]

HANGUL_FAMILY = "NanumGothic"
_SYSTEM_FILES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def hangul_font_file() -> Path:
    """Path of a TrueType font with Hangul; ``FileNotFoundError`` says how to get one."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / "fonts" / "NanumGothic.ttf"
            if candidate.is_file():
                return candidate
    for name in _SYSTEM_FILES:
        if Path(name).is_file():
            return Path(name)
    raise FileNotFoundError(
        "no font with Hangul found: install the kit's dependencies (`make lab` does, or "
        "`pip install koreanize-matplotlib`) or the Debian package fonts-nanum"
    )


@functools.cache
def use_hangul_font() -> str:
    """Register the Hangul font with matplotlib and add it as the fallback for sans-serif text."""
    from matplotlib import font_manager, rcParams

    path = hangul_font_file()
    # every weight beside the regular file (NanumGothicBold.ttf ...), so bold titles stay bold
    for weight in sorted(path.parent.glob(path.stem + "*" + path.suffix)):
        font_manager.fontManager.addfont(str(weight))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    # matplotlib falls back glyph by glyph only across the families named in font.family
    families = [f for f in rcParams["font.family"] if f != family]
    rcParams["font.family"] = [*families, family]
    return family
