"""Exercises of lesson 01.1 "Why attribution, and what an MMP does".

Messages: ``helpers/locale/templates/attribution_lesson_1_1.pot``. Every expected value is computed
with :func:`helpers.attribution.attribute_installs` on the committed data
(``helpers.data.load("attribution/touches")`` and ``"attribution/installs"``), on first use.

Each checker lists the common mistakes it recognises with :func:`helpers.exercises.checks.with_mistakes`:
the value a mistake gives (or a function computing it) and the message key that explains it.
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES"]

COURSE, LESSON = "01-attribution", "01.1"
_MSG = "attribution.lesson_1_1"
ORGANIC = "organic"


# ------------------------------------------------------------------ data (lazy, cached per kernel)
@functools.cache
def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    from helpers.data import load

    return load("attribution/touches"), load("attribution/installs")


@functools.cache
def _attributed() -> pd.DataFrame:
    from helpers.attribution import attribute_installs

    touches, installs = _tables()
    return attribute_installs(touches, installs)


@functools.cache
def _claims() -> pd.Series:
    from helpers.attribution import network_claims

    return network_claims(*_tables())


# ------------------------------------------------------------------ q1: organic share
def _organic_share() -> float:
    return float((_attributed()["media_source"] == ORGANIC).mean())


def _paid_share() -> float:
    return float((_attributed()["media_source"] != ORGANIC).mean())


def _true_organic_share() -> float | None:
    attributed = _attributed()
    if "true_source" not in attributed.columns:
        return None
    return float((attributed["true_source"] == ORGANIC).mean())


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="organic_share",
    expected=_organic_share,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (_paid_share, f"{_MSG}.q1.paid_share"),
        (_true_organic_share, f"{_MSG}.q1.true_share"),
        (checks.answer_is(lambda v: v > 1), f"{_MSG}.q1.count_not_share"),
    ]),
    hints=3,
    solution_code='organic_share = (attributed["media_source"] == "organic").mean()',
)


# ------------------------------------------------------------------ q2: over-count ratio
def _overcount() -> float:
    paid = int((_attributed()["media_source"] != ORGANIC).sum())
    return float(_claims().sum() / paid)


def _claims_per_install() -> float:
    return float(_claims().sum() / len(_attributed()))


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="overcount",
    expected=_overcount,
    checker=checks.with_mistakes(checks.number(rel=1e-3), [
        (_claims_per_install, f"{_MSG}.q2.divided_by_all"),
        (lambda expected: 1 / expected, f"{_MSG}.q2.upside_down"),
        (checks.answer_is(lambda v: v > 50), f"{_MSG}.q2.not_a_ratio"),
        (checks.answer_is(lambda v: v < 1), f"{_MSG}.q2.below_one"),
    ]),
    hints=3,
    solution_code=(
        'paid_installs = (attributed["media_source"] != "organic").sum()\n'
        "overcount = claims.sum() / paid_installs"
    ),
)


# ------------------------------------------------------------------ q3: iOS installs without a device ID
def _ios() -> pd.DataFrame:
    _touches, installs = _tables()
    return installs[installs["platform"] == "ios"]


def _ios_without_id() -> float:
    return float(_ios()["device_id"].isna().mean())


def _all_without_id() -> float:
    _touches, installs = _tables()
    return float(installs["device_id"].isna().mean())


def _ios_without_id_of_all() -> float:
    _touches, installs = _tables()
    return float(_ios()["device_id"].isna().sum() / len(installs))


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="ios_without_id",
    expected=_ios_without_id,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (_all_without_id, f"{_MSG}.q3.all_platforms"),
        (lambda: float(_ios()["device_id"].notna().mean()), f"{_MSG}.q3.with_id"),
        (_ios_without_id_of_all, f"{_MSG}.q3.all_platforms"),
        (checks.answer_is(lambda v: v > 1), f"{_MSG}.q3.count_not_share"),
    ]),
    hints=3,
    solution_code=(
        'ios = installs[installs["platform"] == "ios"]\n'
        'ios_without_id = ios["device_id"].isna().mean()'
    ),
)


# ------------------------------------------------------------------ q4: agreement with the truth
def _same_source() -> pd.Series:
    attributed = _attributed()
    return attributed["media_source"] == attributed["true_source"]


def _agreement() -> float:
    return float(_same_source().mean())


def _agreement_of_paid() -> float | None:
    paid = _attributed()["media_source"] != ORGANIC
    return float(_same_source()[paid].mean()) if paid.any() else None


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="agreement",
    expected=_agreement,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float((~_same_source()).mean()), f"{_MSG}.q4.disagreement"),
        (_agreement_of_paid, f"{_MSG}.q4.paid_only"),
        (checks.answer_is(lambda v: v > 1), f"{_MSG}.q4.count_not_share"),
    ]),
    hints=3,
    solution_code='agreement = (attributed["media_source"] == attributed["true_source"]).mean()',
)

EXERCISES = [q1, q2, q3, q4]
