"""helpers.synth: the simulated marketing world that every course compares its measurements with.

>>> from helpers.synth import generate_world
>>> world = generate_world(2_000, seed=1, vertical="ecommerce")
>>> print(world.describe())  # doctest: +SKIP

Tables of a world: ``users``, ``touches``, ``installs`` (with the Play Install Referrer timestamps on
Android), ``events``, ``spend`` and ``deeplink_clicks``; ``fraud_type`` labels rows added by
``generate_world(..., fraud=FraudMix(...))`` (see :mod:`helpers.synth.fraud`).

Command line (regenerates the committed datasets; ``--check`` compares instead of writing;
``ensure`` builds what is missing or verifies bytes and ``datasets/SHA256SUMS``)::

    python -m helpers.synth build --out datasets
    python -m helpers.synth build --out datasets --check
    python -m helpers.synth ensure --out datasets
    python -m helpers.synth build --users 1000000 --vertical ecommerce --out /tmp/big   # one big world
"""

from helpers.synth.scenarios import (
    COUNTRIES,
    FRAUD_TYPES,
    MEDIA_SOURCES,
    NETWORKS,
    OWNED_MEDIA,
    VERTICALS,
    Network,
    Scenario,
    get_scenario,
)
from helpers.synth.world import TABLE_NAMES, World, generate_world

__all__ = ["COUNTRIES", "FRAUD_TYPES", "MEDIA_SOURCES", "NETWORKS", "OWNED_MEDIA", "TABLE_NAMES", "VERTICALS", "Network", "Scenario",
           "World", "generate_world", "get_scenario"]
