"""Mobile Measurement Academy helpers: the library every lesson notebook imports.

Nothing happens at import time; import the module you need, e.g.
``from helpers.attribution import attribute_installs``.
"""

__version__ = "0.1.0"
