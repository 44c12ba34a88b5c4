"""The data the course-03 exercises share, loaded on first use and cached per kernel (read-only).

Lessons 03.1-03.4 follow a home-services marketplace (``world-home_services``); lesson 03.5 an
e-commerce app (``world-ecommerce``) and, for more clicks, a bigger e-commerce world generated on
demand with :func:`helpers.synth.generate_world` (:data:`BIG_WORLD`).
"""

from __future__ import annotations

import functools

import pandas as pd

__all__ = ["HOME", "SHOP", "BIG_WORLD", "home_clicks", "home_installs", "shop_clicks", "big_clicks"]

HOME = "world-home_services"
SHOP = "world-ecommerce"
#: The bigger e-commerce world of lesson 03.5: ``generate_world(**BIG_WORLD)``.
BIG_WORLD = {"n_users": 20_000, "seed": 3, "vertical": "ecommerce"}


@functools.cache
def home_clicks() -> pd.DataFrame:
    from helpers.data import load

    return load(f"{HOME}/deeplink_clicks")


@functools.cache
def home_installs() -> pd.DataFrame:
    from helpers.data import load

    return load(f"{HOME}/installs")


@functools.cache
def shop_clicks() -> pd.DataFrame:
    from helpers.data import load

    return load(f"{SHOP}/deeplink_clicks")


@functools.cache
def big_clicks() -> pd.DataFrame:
    from helpers.synth import generate_world

    return generate_world(**BIG_WORLD).deeplink_clicks
