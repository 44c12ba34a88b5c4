"""Practice exercises of lesson 05.1 "The Privacy Sandbox: what it was, why it was retired, what stays".

Expected values come from the course world's ARA view (:func:`helpers.privacy_sandbox_data.course_view`)
and the table :data:`helpers.privacy_sandbox_data.LEGACY`.
"""

from __future__ import annotations

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.privacy_sandbox import _data as shared

__all__ = ["q1", "q2", "q3", "EXERCISES"]

_COURSE, _LESSON, _M = "05-privacy-sandbox", "05.1", "privacy_sandbox.lesson_5_1"


def _conv():
    return shared.view().conversion_truth


def _attributed_share() -> float:
    return float(_conv()["source_event_id"].notna().mean())


def _reported_share() -> float:
    c = _conv()
    return float(c.loc[c["source_event_id"].notna(), "reported"].mean())


def _reported_of_all() -> float:
    return float(_conv()["reported"].mean())


def _k_anonymity_api() -> str:
    from helpers.privacy_sandbox_data import LEGACY

    return str(LEGACY.index[LEGACY["design"] == "k-anonymity"][0])


def _apis() -> list[str]:
    from helpers.privacy_sandbox_data import LEGACY

    return [str(a) for a in LEGACY.index]


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1", messages=f"{_M}.q1",
    variable="attributed_share",
    expected=_attributed_share,
    checker=checks.with_mistakes(checks.number(rel=1e-6, share=True), [
        (_reported_of_all, f"{_M}.q1.reported_not_attributed"),
    ]),
    hints=3,
    solution_code='attributed_share = conversions["source_event_id"].notna().mean()',
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2", messages=f"{_M}.q2",
    variable="reported_share",
    expected=_reported_share,
    checker=checks.with_mistakes(checks.number(rel=1e-6, share=True), [
        (_reported_of_all, f"{_M}.q2.all_conversions"),
        (_attributed_share, f"{_M}.q2.attributed_share"),
    ]),
    hints=3,
    solution_code=('attributed = conversions[conversions["source_event_id"].notna()]\n'
                   'reported_share = attributed["reported"].mean()'),
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3", messages=f"{_M}.q3",
    variable="k_anonymity_api",
    expected=_k_anonymity_api,
    checker=lambda answer, expected: checks.choice(_apis())(answer, expected),
    hints=2,
    solution_code='k_anonymity_api = legacy.index[legacy["design"] == "k-anonymity"][0]',
    wrong=lambda expected: next(a for a in _apis() if a != expected),
)

EXERCISES = [q1, q2, q3]
