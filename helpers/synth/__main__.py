"""``python -m helpers.synth build --out datasets [--check]`` / ``ensure``: see :mod:`helpers.synth.build`."""

import sys

from helpers.synth.build import main

sys.exit(main())
