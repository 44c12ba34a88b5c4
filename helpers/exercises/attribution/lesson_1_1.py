"""Exercises of lesson 01.1 "Why attribution, and what an MMP does".

Messages: ``helpers/messages/en/attribution_lesson_1_1.toml``. Every expected value is computed
with :func:`helpers.attribution.attribute_installs` on the committed data
(``helpers.data.load("attribution/touches")`` and ``"attribution/installs"``), on first use.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "network_claims"]

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


def network_claims(touches: pd.DataFrame, installs: pd.DataFrame) -> pd.Series:
    """Installs each network would claim if it only looked at its own touches.

    Each network applies the same rules as the MMP (click 7 days, view 24 hours) to *its own*
    touches alone, so it never learns that another network touched the same device later.
    """
    from helpers.attribution import attribute_installs

    out = {}
    for network in sorted(touches["media_source"].dropna().unique()):
        own = attribute_installs(touches[touches["media_source"] == network], installs)
        out[str(network)] = int((own["media_source"] != ORGANIC).sum())
    return pd.Series(out, name="installs claimed", dtype="int64")


@functools.cache
def _claims() -> pd.Series:
    return network_claims(*_tables())


# ------------------------------------------------------------------ q1: organic share
def _organic_share() -> float:
    return float((_attributed()["media_source"] == ORGANIC).mean())


def _q1_checker(answer: Any, expected: Any) -> Feedback | None:
    fb = checks.number(rel=1e-3, share=True)(answer, expected)
    if fb is None or fb.key != "check.number.too_high" and fb.key != "check.number.too_low":
        return fb
    value = float(answer)
    attributed = _attributed()
    paid_share = float((attributed["media_source"] != ORGANIC).mean())
    if math.isclose(value, paid_share, rel_tol=1e-3):
        return Feedback(f"{_MSG}.q1.paid_share", {})
    truth_col = "true_source" if "true_source" in attributed.columns else None
    if truth_col and math.isclose(value, float((attributed[truth_col] == ORGANIC).mean()), rel_tol=1e-3):
        return Feedback(f"{_MSG}.q1.true_share", {})
    if value > 1:
        return Feedback(f"{_MSG}.q1.count_not_share", {})
    return fb


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="organic_share",
    expected=_organic_share,
    checker=_q1_checker,
    hints=3,
    solution_code='organic_share = (attributed["media_source"] == "organic").mean()',
)


# ------------------------------------------------------------------ q2: over-count ratio
def _overcount() -> float:
    paid = int((_attributed()["media_source"] != ORGANIC).sum())
    return float(_claims().sum() / paid)


def _q2_checker(answer: Any, expected: Any) -> Feedback | None:
    fb = checks.number(rel=1e-3)(answer, expected)
    if fb is None or not fb.key.startswith("check.number.too_"):
        return fb
    value = float(answer)
    claims, attributed = _claims(), _attributed()
    if math.isclose(value, float(claims.sum() / len(attributed)), rel_tol=1e-3):
        return Feedback(f"{_MSG}.q2.divided_by_all", {})
    if math.isclose(value, 1 / expected, rel_tol=1e-3):
        return Feedback(f"{_MSG}.q2.upside_down", {})
    if value > 50:
        return Feedback(f"{_MSG}.q2.not_a_ratio", {})
    if value < 1:
        return Feedback(f"{_MSG}.q2.below_one", {})
    return fb


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="overcount",
    expected=_overcount,
    checker=_q2_checker,
    hints=3,
    solution_code=(
        'paid_installs = (attributed["media_source"] != "organic").sum()\n'
        "overcount = claims.sum() / paid_installs"
    ),
)


# ------------------------------------------------------------------ q3: iOS installs without a device ID
def _ios_without_id() -> float:
    _touches, installs = _tables()
    ios = installs[installs["platform"] == "ios"]
    return float(ios["device_id"].isna().mean())


def _q3_checker(answer: Any, expected: Any) -> Feedback | None:
    fb = checks.number(rel=1e-3, share=True)(answer, expected)
    if fb is None or not fb.key.startswith("check.number.too_"):
        return fb
    value = float(answer)
    _touches, installs = _tables()
    if math.isclose(value, float(installs["device_id"].isna().mean()), rel_tol=1e-3):
        return Feedback(f"{_MSG}.q3.all_platforms", {})
    ios = installs[installs["platform"] == "ios"]
    if math.isclose(value, float(ios["device_id"].notna().mean()), rel_tol=1e-3):
        return Feedback(f"{_MSG}.q3.with_id", {})
    if math.isclose(value, float(installs["device_id"].isna().sum() / len(installs)), rel_tol=1e-3) or (
        math.isclose(value, float(ios["device_id"].isna().sum() / len(installs)), rel_tol=1e-3)
    ):
        return Feedback(f"{_MSG}.q3.all_platforms", {})
    if value > 1:
        return Feedback(f"{_MSG}.q3.count_not_share", {})
    return fb


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="ios_without_id",
    expected=_ios_without_id,
    checker=_q3_checker,
    hints=3,
    solution_code=(
        'ios = installs[installs["platform"] == "ios"]\n'
        'ios_without_id = ios["device_id"].isna().mean()'
    ),
)


# ------------------------------------------------------------------ q4: agreement with the truth
def _agreement() -> float:
    attributed = _attributed()
    return float((attributed["media_source"] == attributed["true_source"]).mean())


def _q4_checker(answer: Any, expected: Any) -> Feedback | None:
    fb = checks.number(rel=1e-3, share=True)(answer, expected)
    if fb is None or not fb.key.startswith("check.number.too_"):
        return fb
    value = float(answer)
    attributed = _attributed()
    same = attributed["media_source"] == attributed["true_source"]
    if math.isclose(value, float((~same).mean()), rel_tol=1e-3):
        return Feedback(f"{_MSG}.q4.disagreement", {})
    paid = attributed["media_source"] != ORGANIC
    if paid.any() and math.isclose(value, float(same[paid].mean()), rel_tol=1e-3):
        return Feedback(f"{_MSG}.q4.paid_only", {})
    if value > 1:
        return Feedback(f"{_MSG}.q4.count_not_share", {})
    return fb


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="agreement",
    expected=_agreement,
    checker=_q4_checker,
    hints=3,
    solution_code='agreement = (attributed["media_source"] == attributed["true_source"]).mean()',
)

EXERCISES = [q1, q2, q3, q4]
