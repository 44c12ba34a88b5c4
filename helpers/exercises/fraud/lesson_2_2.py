"""Exercises of lesson 02.2 "Click injection and click hijacking".

Messages: ``helpers/locale/templates/fraud_lesson_2_2.pot``. Expected values are computed on first use
with :func:`helpers.fraud.inputs_from_world`, :func:`helpers.fraud.detect` and
:func:`helpers.widgets.ctit_threshold_quality` on the lesson's seeded world with fraud (the same one
as lesson 02.1). The truth label is used only to score a rule (q2, q4), never to find fraud.
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback
from helpers.exercises.fraud import _data

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "Q4_THRESHOLD_S"]

COURSE, LESSON = "02-fraud", "02.2"
_MSG = "fraud.lesson_2_2"
INJECTION = "click_injection"

#: The threshold (seconds) q4 asks about.
Q4_THRESHOLD_S = 60


_inputs, _revealed, _flagged = _data.inputs, _data.revealed, _data.flagged


def _ctit(rows: pd.DataFrame) -> pd.Series:
    return rows["install_time"] - rows["click_time"]


# ------------------------------------------------------------------ q1: click after the download began
def _click_after_begin() -> int:
    inst = _inputs().installs
    return int((inst["click_time"] > inst["install_begin_time"]).sum())


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="clicks_after_begin",
    expected=_click_after_begin,
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: int((_ctit(_inputs().installs) < pd.Timedelta(seconds=10)).sum()), f"{_MSG}.q1.short_ctit"),
        (lambda: int((_inputs().installs["referrer_click_time"] > _inputs().installs["install_begin_time"]).sum()),
         f"{_MSG}.q1.referrer_click"),
        (lambda: int((_inputs().installs["click_time"] < _inputs().installs["install_begin_time"]).sum()),
         f"{_MSG}.q1.before"),
        (checks.answer_is(lambda v: 0 < v < 1), f"{_MSG}.q1.share_not_count"),
    ], abs_tol=0),
    hints=3,
    solution_code='clicks_after_begin = (installs["click_time"] > installs["install_begin_time"]).sum()',
)


# ------------------------------------------------------------------ q2: injection caught by the 10 s rule
def _injected() -> pd.DataFrame:
    rev = _revealed()
    return rev[rev["fraud_type"] == INJECTION]


def _short(rows: pd.DataFrame, inclusive: bool = False) -> pd.Series:
    ctit = _ctit(rows)
    limit = pd.Timedelta(seconds=10)
    return ctit <= limit if inclusive else ctit < limit


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="caught_by_10s",
    expected=lambda: float(_short(_injected()).mean()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_short(_injected(), inclusive=True).mean()), f"{_MSG}.q2.inclusive"),
        (lambda: _quality(10)["precision"],
         f"{_MSG}.q2.precision"),
        (lambda: float(_short(_revealed()).mean()), f"{_MSG}.q2.all_installs"),
        (lambda: 1 - float(_short(_injected()).mean()), f"{_MSG}.q2.complement"),
    ]),
    hints=3,
    solution_code=(
        'injected = revealed[revealed["fraud_type"] == "click_injection"]\n'
        'ctit = injected["install_time"] - injected["click_time"]\n'
        'caught_by_10s = (ctit < pd.Timedelta(seconds=10)).mean()'
    ),
)


# ------------------------------------------------------------------ q3: the site with most injection flags
def _injection_sites() -> pd.Series:
    flagged = _flagged()
    return flagged.loc[flagged["fraud_type"] == INJECTION, "site_id"].value_counts()


@functools.cache
def _site_options() -> tuple[str, ...]:
    return tuple(sorted(str(s) for s in _inputs().installs["site_id"].dropna().unique()))


def _site_checker(answer, expected):
    if isinstance(answer, str) and answer.strip().lower() not in {s.lower() for s in _site_options()}:
        return Feedback(f"{_MSG}.q3.unknown_site", {"got": answer})
    return checks.choice(_site_options())(answer, expected)


def _networks() -> set[str]:
    return {str(s).lower() for s in _inputs().installs["media_source"].dropna().unique()}


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="top_injection_site",
    expected=lambda: str(_injection_sites().idxmax()),
    checker=checks.with_mistakes(_site_checker, [
        (checks.answer_is(lambda v: isinstance(v, str) and v.strip().lower() in _networks()),
         f"{_MSG}.q3.network_not_site"),
        (lambda: str(_flagged()["site_id"][_flagged()["fraud_type"].notna()].value_counts().idxmax()),
         f"{_MSG}.q3.any_fraud"),
    ], when=checks.VALUE_KEYS | {f"{_MSG}.q3.unknown_site"}),
    hints=3,
    solution_code=(
        'injection_flags = flagged[flagged["fraud_type"] == "click_injection"]\n'
        'top_injection_site = injection_flags["site_id"].value_counts().idxmax()'
    ),
)


# ------------------------------------------------------------------ q4: precision of a looser threshold
def _quality(threshold_s: float) -> dict[str, float]:
    from helpers.widgets import ctit_threshold_quality

    rev = _revealed()
    return ctit_threshold_quality(_ctit(rev), rev["fraud_type"] == INJECTION, threshold_s)


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="precision_60s",
    expected=lambda: _quality(Q4_THRESHOLD_S)["precision"],
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: _quality(Q4_THRESHOLD_S)["recall"], f"{_MSG}.q4.recall"),
        (lambda: _quality(10)["precision"], f"{_MSG}.q4.default_threshold"),
        (lambda: 1 - _quality(Q4_THRESHOLD_S)["precision"], f"{_MSG}.q4.complement"),
    ]),
    hints=3,
    solution_code=(
        'ctit = revealed["install_time"] - revealed["click_time"]\n'
        'quality = ctit_threshold_quality(ctit, revealed["fraud_type"] == "click_injection", 60)\n'
        'precision_60s = quality["precision"]'
    ),
)

EXERCISES = [q1, q2, q3, q4]
