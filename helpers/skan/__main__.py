"""``python -m helpers.skan verify FILE...`` — see :mod:`helpers.skan.cli`."""

import sys

from helpers.skan.cli import main

sys.exit(main())
