"""Mobile Measurement Academy helpers: the library every lesson notebook imports.

Import the module you need, e.g. ``from helpers.attribution import attribute_installs``. The one
thing that happens at import time: when matplotlib is already loaded (a lesson imports
``matplotlib.pyplot`` before ``helpers``), the Hangul fallback font is registered
(:mod:`helpers.fonts`), so Korean labels render in the lesson's own charts too. Nothing is imported
for that when matplotlib is not loaded.
"""

import sys as _sys

__version__ = "0.1.0"

if "matplotlib" in _sys.modules:
    from helpers.fonts import use_hangul_font as _use_hangul_font

    _use_hangul_font()
