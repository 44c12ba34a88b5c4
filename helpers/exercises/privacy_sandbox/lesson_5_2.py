"""Practice exercises of lesson 05.2 "Event-level reports: randomized response and de-biasing".

Expected values come from :mod:`helpers.privacy_sandbox` (the spec's formulas) and from the course
world's ARA view at epsilon 10 (:func:`helpers.privacy_sandbox_data.course_view`).
"""

from __future__ import annotations

import pandas as pd

from helpers import privacy_sandbox as ps
from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.privacy_sandbox import _data as shared

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "CUSTOM_WINDOWS", "CUSTOM_MAX_REPORTS", "NOISY_EPSILON"]

_COURSE, _LESSON, _M = "05-privacy-sandbox", "05.2", "privacy_sandbox.lesson_5_2"

#: The lesson's custom click configuration: 4 trigger-data values with 2 report windows each, 2 reports.
CUSTOM_WINDOWS = [2, 2, 2, 2]
CUSTOM_MAX_REPORTS = 2
#: The epsilon of the lesson's noisy view.
NOISY_EPSILON = 10.0


def _states() -> int:
    return ps.event_level_states(CUSTOM_WINDOWS, CUSTOM_MAX_REPORTS)


def _estimates() -> pd.Series:
    est = shared.view(NOISY_EPSILON).estimate_conversions(by="media_source", conversion="install")
    return est.set_index("media_source")["estimate"]


def _observed() -> pd.Series:
    est = shared.view(NOISY_EPSILON).estimate_conversions(by="media_source", conversion="install")
    return est.set_index("media_source")["reports"].astype(float)


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1", messages=f"{_M}.q1",
    variable="custom_states",
    expected=_states,
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: float(ps.event_level_states([1] * 8, 2)), f"{_M}.q1.windows_as_values"),
        (lambda: 8.0 ** 2, f"{_M}.q1.no_empty_bin"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code="custom_states = ps.event_level_states([2, 2, 2, 2], max_reports=2)",
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2", messages=f"{_M}.q2",
    variable="custom_flip",
    expected=lambda: ps.flip_probability(_states(), 14),
    checker=checks.with_mistakes(checks.number(rel=1e-6, abs_tol=0, share=True), [
        (lambda: ps.flip_probability(2925, 14), f"{_M}.q2.default_click"),
        (lambda: ps.flip_probability(_states(), NOISY_EPSILON), f"{_M}.q2.wrong_epsilon"),
    ]),
    hints=3,
    solution_code="custom_flip = ps.flip_probability(custom_states, 14)",
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3", messages=f"{_M}.q3",
    variable="custom_bits",
    expected=lambda: ps.information_gain(_states(), 14),
    checker=checks.with_mistakes(checks.number(rel=1e-6), [
        (lambda: ps.information_gain(2925, 14), f"{_M}.q3.default_click"),
        (lambda: float(_states()), f"{_M}.q3.states_not_bits"),
    ]),
    hints=3,
    solution_code="custom_bits = ps.information_gain(custom_states, 14)",
)

q4 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q4", messages=f"{_M}.q4",
    variable="debiased_installs",
    expected=_estimates,
    checker=checks.with_mistakes(checks.mapping(rel=1e-6, total=False, what="network"), [
        (_observed, f"{_M}.q4.observed"),
    ]),
    hints=3,
    solution_code=('est = noisy.estimate_conversions(by="media_source", conversion="install")\n'
                   'debiased_installs = est.set_index("media_source")["estimate"]'),
)

EXERCISES = [q1, q2, q3, q4]
