"""The data the course-04 exercises share, loaded on first use and cached per kernel.

Lesson 04.1 uses the committed one-year gaming world (``helpers.data.load_world("world-gaming")``)
and what an MMP sees of it; the other lessons use the course's SKAN worlds
(:func:`helpers.skan_analysis.skan_world`, generated on demand) and their SKAN views
(:func:`helpers.skan_analysis.skan_lab`). Treat the results as read-only.
"""

from __future__ import annotations

import functools

import pandas as pd

__all__ = ["small_world", "mmp_installs", "lab", "world"]


@functools.cache
def small_world():
    """The committed gaming world (2,500 people, one year) that lesson 04.1 loads."""
    from helpers.data import load_world

    return load_world("world-gaming")


@functools.cache
def mmp_installs() -> pd.DataFrame:
    """The MMP's attributed installs of :func:`small_world` with the person's ATT choice and the true
    source joined from the simulation's truth."""
    from helpers.synth.views.mmp import mmp_view

    view = mmp_view(small_world())
    return view.installs.merge(view.truth[["install_id", "att_consent", "true_source"]], on="install_id")


def world(vertical: str = "gaming"):
    """The course's SKAN world of a vertical (:func:`helpers.skan_analysis.skan_world`)."""
    from helpers.skan_analysis import skan_world

    return skan_world(vertical)


def lab(vertical: str = "gaming", schema=None, **options):
    """The SKAN view of :func:`world` (:func:`helpers.skan_analysis.skan_lab`), cached."""
    from helpers.skan_analysis import skan_lab

    return skan_lab(vertical, schema, **options)
