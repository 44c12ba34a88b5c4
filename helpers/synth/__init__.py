"""helpers.synth: the simulated marketing world that every course compares its measurements with.

>>> from helpers.synth import generate_world
>>> world = generate_world(2_000, seed=1, vertical="ecommerce")
>>> print(world.describe())  # doctest: +SKIP

Command line (regenerates the committed datasets; ``--check`` compares instead of writing)::

    python -m helpers.synth build --out datasets --seed 20261124 --users 8000
    python -m helpers.synth build --out datasets --check
"""

from helpers.synth.scenarios import (
    COUNTRIES,
    MEDIA_SOURCES,
    NETWORKS,
    VERTICALS,
    Network,
    Scenario,
    get_scenario,
)
from helpers.synth.world import TABLE_NAMES, World, generate_world

__all__ = ["COUNTRIES", "MEDIA_SOURCES", "NETWORKS", "TABLE_NAMES", "VERTICALS", "Network", "Scenario",
           "World", "generate_world", "get_scenario"]
