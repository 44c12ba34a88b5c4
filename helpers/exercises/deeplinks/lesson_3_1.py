"""Exercises of lesson 03.1 "Custom schemes, Universal Links and App Links: why links break".

Messages: ``helpers/locale/templates/deeplinks_lesson_3_1.pot``. Expected values are computed on the
home-services world's deep-link log (``load("world-home_services/deeplink_clicks")``).
"""

from __future__ import annotations

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.deeplinks import _data

__all__ = ["q1", "q2", "q3", "EXERCISES", "OWNED_PREFIX"]

COURSE, LESSON = "03-deeplinks", "03.1"
_M = "deeplinks.lesson_3_1"
#: Media sources of the app's own channels start with this (owned_email, owned_push, owned_web).
OWNED_PREFIX = "owned_"


def _not_installed(rows: pd.DataFrame) -> float:
    return float((~rows["app_installed"]).mean())


def _by_platform() -> pd.Series:
    c = _data.home_clicks()
    return (~c["app_installed"]).groupby(c["platform"]).mean().astype(float)


def _paid(owned: bool = False) -> pd.DataFrame:
    c = _data.home_clicks()
    is_owned = c["media_source"].str.startswith(OWNED_PREFIX)
    return c[is_owned] if owned else c[~is_owned]


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="not_installed_share",
    expected=lambda: _not_installed(_data.home_clicks()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_data.home_clicks()["app_installed"].mean()), f"{_M}.q1.installed"),
        (lambda: float((~_data.home_clicks()["app_installed"]).sum()), f"{_M}.q1.count"),
    ], when=checks.VALUE_KEYS | {"check.number.share_out_of_range"}),
    hints=2,
    solution_code='not_installed_share = (~clicks["app_installed"]).mean()',
)

q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="not_installed_by_platform",
    expected=_by_platform,
    checker=checks.with_mistakes(checks.mapping(rel=1e-3, total=False, what="platform"), [
        (lambda: 1 - _by_platform(), f"{_M}.q2.installed"),
    ]),
    hints=3,
    solution_code='not_installed_by_platform = (~clicks["app_installed"]).groupby(clicks["platform"]).mean()',
)

q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="ads_not_installed_share",
    expected=lambda: _not_installed(_paid()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: _not_installed(_paid(owned=True)), f"{_M}.q3.owned"),
        (lambda: _not_installed(_data.home_clicks()), f"{_M}.q3.all"),
    ]),
    hints=3,
    solution_code=('ads = clicks[~clicks["media_source"].str.startswith("owned_")]\n'
                   'ads_not_installed_share = (~ads["app_installed"]).mean()'),
)

EXERCISES = [q1, q2, q3]
