"""Exercises of lesson 04.6 "Estimating revenue and ROAS from postbacks".

Messages: ``helpers/locale/templates/skan_lesson_4_6.pot``. Expected values come from
:func:`helpers.skan_analysis.calibrate`, :func:`~helpers.skan_analysis.estimate_revenue` and
:func:`~helpers.skan_analysis.campaign_report` on the SKAN view of the course's gaming world; the
truth (``revenue_cumulative``) is joined by :func:`~helpers.skan_analysis.first_postbacks`.
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.skan import _data

__all__ = ["q1", "q2", "q3", "EXERCISES"]

COURSE, LESSON = "04-skan", "04.6"
_MSG = "skan.lesson_4_6"


@functools.cache
def _first() -> pd.DataFrame:
    from helpers.skan_analysis import first_postbacks

    return first_postbacks(_data.lab(), 0)


def _estimate(null_value) -> float:
    from helpers.skan_analysis import calibrate, estimate_revenue

    return float(estimate_revenue(_first(), calibrate(_data.lab(), 0), null_value=null_value).sum())


def _true() -> float:
    return float(_first()["revenue_cumulative"].sum())


# ------------------------------------------------------------------ q1: estimate with nulls counted as zero
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="estimate_zero",
    expected=lambda: _estimate("zero"),
    checker=checks.with_mistakes(checks.number(rel=1e-3), [
        (lambda: _estimate("mean"), f"{_MSG}.q1.mean"),
        (_true, f"{_MSG}.q1.truth"),
    ]),
    hints=3,
    solution_code=(
        'estimates = skan_analysis.estimate_revenue(first, calibration, null_value="zero")\n'
        'estimate_zero = estimates.sum()'
    ),
)

# ------------------------------------------------------------------ q2: error of the "mean" estimate
q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="mean_error",
    expected=lambda: _estimate("mean") / _true() - 1,
    checker=checks.with_mistakes(checks.number(rel=2e-3), [
        (lambda: _estimate("zero") / _true() - 1, f"{_MSG}.q2.zero"),
        (lambda expected: -expected, f"{_MSG}.q2.sign"),
        (lambda: _estimate("mean") / _true(), f"{_MSG}.q2.ratio"),
    ]),
    hints=3,
    solution_code=(
        'estimate_mean = skan_analysis.estimate_revenue(first, calibration, null_value="mean").sum()\n'
        'mean_error = estimate_mean / first["revenue_cumulative"].sum() - 1'
    ),
)


# ------------------------------------------------------------------ q3: day-35 revenue from third postbacks
def _report_error(window: int) -> float:
    from helpers.skan_analysis import campaign_report

    rep = campaign_report(_data.lab(), _data.world(), window=window)
    return float(rep["estimated_revenue"].sum() / rep["true_revenue"].sum() - 1)


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="d35_error",
    expected=lambda: _report_error(2),
    checker=checks.with_mistakes(checks.number(rel=2e-3), [
        (lambda: _report_error(0), f"{_MSG}.q3.window0"),
        (lambda: _report_error(1), f"{_MSG}.q3.window1"),
        (lambda expected: -expected, f"{_MSG}.q3.sign"),
    ]),
    hints=3,
    solution_code=(
        'd35 = skan_analysis.campaign_report(view, world, window=2)\n'
        'd35_error = d35["estimated_revenue"].sum() / d35["true_revenue"].sum() - 1'
    ),
)

EXERCISES = [q1, q2, q3]
