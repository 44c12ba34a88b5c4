"""Exercises of lesson 04.1 "Why SKAdNetwork exists: ATT and the missing IDFA".

Messages: ``helpers/locale/templates/skan_lesson_4_1.pot``. Expected values come from
:func:`helpers.skan_analysis.att_summary` and the MMP view (:mod:`helpers.synth.views.mmp`) of the
committed gaming world; the truth (``att_consent``, ``true_source``) is joined from the simulation.
"""

from __future__ import annotations

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.skan import _data

__all__ = ["q1", "q2", "q3", "EXERCISES", "ios_installs"]

COURSE, LESSON = "04-skan", "04.1"
_MSG = "skan.lesson_4_1"


def ios_installs() -> pd.DataFrame:
    """The MMP's iOS installs with ``att_consent`` and ``true_source`` from the truth."""
    ins = _data.mmp_installs()
    return ins[ins["platform"] == "ios"]


def _summary() -> pd.DataFrame:
    from helpers.skan_analysis import att_summary

    return att_summary(_data.small_world())


def _no_id() -> pd.DataFrame:
    ios = ios_installs()
    return ios[~ios["att_consent"]]


# ------------------------------------------------------------------ q1: ATT opt-in on iOS
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="ios_opt_in",
    expected=lambda: float(_summary().loc["ios", "with_advertising_id"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: 1 - float(_summary().loc["ios", "with_advertising_id"]), f"{_MSG}.q1.complement"),
        (lambda: float(_summary().loc["android", "with_advertising_id"]), f"{_MSG}.q1.android"),
        (lambda: float(_data.small_world().users["att_consent"].mean()), f"{_MSG}.q1.everyone"),
    ]),
    hints=3,
    solution_code='ios_opt_in = summary.loc["ios", "with_advertising_id"]',
)

# ------------------------------------------------------------------ q2: what the MMP calls organic
q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="mmp_organic_share",
    expected=lambda: float((_no_id()["media_source"] == "organic").mean()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float((_no_id()["true_source"] == "organic").mean()), f"{_MSG}.q2.truth"),
        (lambda: float((ios_installs()["media_source"] == "organic").mean()), f"{_MSG}.q2.all_ios"),
        (lambda: float((_no_id()["media_source"] != "organic").mean()), f"{_MSG}.q2.complement"),
    ]),
    hints=3,
    solution_code=(
        'no_id = ios[~ios["att_consent"]]\n'
        'mmp_organic_share = (no_id["media_source"] == "organic").mean()'
    ),
)


# ------------------------------------------------------------------ q3: paid installs hidden as organic
def _hidden() -> float:
    org = _no_id()[_no_id()["media_source"] == "organic"]
    return float((org["true_source"] != "organic").mean())


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="hidden_paid_share",
    expected=_hidden,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: 1 - _hidden(), f"{_MSG}.q3.complement"),
        (lambda: float((_no_id()["true_source"] != "organic").mean()), f"{_MSG}.q3.all_no_id"),
    ]),
    hints=3,
    solution_code=(
        'called_organic = no_id[no_id["media_source"] == "organic"]\n'
        'hidden_paid_share = (called_organic["true_source"] != "organic").mean()'
    ),
)

EXERCISES = [q1, q2, q3]
