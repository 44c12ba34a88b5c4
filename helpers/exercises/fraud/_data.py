"""The data the course-02 exercises share: the committed fraud world and what the MMP sees of it.

Everything is loaded on first use and cached per kernel, so the five lesson modules compute their
expected values from one copy of the world. Treat the results as read-only.
"""

from __future__ import annotations

import functools

import pandas as pd

__all__ = ["world", "inputs", "revealed", "flagged"]


@functools.cache
def world():
    """The course's world with fraud (``helpers.data.load_world("fraud")``, the one the lessons load)."""
    from helpers.data import load_world

    return load_world("fraud")


@functools.cache
def inputs():
    """The world as an MMP sees it: :class:`helpers.fraud.FraudInputs` (installs, clicks, events, truth)."""
    from helpers.fraud import inputs_from_world

    return inputs_from_world(world())


@functools.cache
def revealed() -> pd.DataFrame:
    """Installs with the truth label joined (``fraud_type`` missing = genuine)."""
    inp = inputs()
    return inp.installs.merge(inp.truth, on="install_id", how="left")


@functools.cache
def flagged() -> pd.DataFrame:
    """:func:`helpers.fraud.detect` with its default thresholds on installs, clicks and events."""
    from helpers.fraud import detect

    inp = inputs()
    return detect(inp.installs, inp.clicks, events=inp.events)
