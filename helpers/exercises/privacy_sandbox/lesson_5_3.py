"""Practice exercises of lesson 05.3 "Aggregatable reports: keys, the contribution budget and noise".

Expected values come from :mod:`helpers.privacy_sandbox` (key layouts, the noise of a plan, the
expected error per bucket) on the course world's attributed purchases
(:func:`helpers.privacy_sandbox_data.planning_purchases`).
"""

from __future__ import annotations

from helpers import privacy_sandbox as ps
from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.privacy_sandbox import _data as shared

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "EPSILON", "LIMIT"]

_COURSE, _LESSON, _M = "05-privacy-sandbox", "05.3", "privacy_sandbox.lesson_5_3"

#: The lesson's Aggregation Service epsilon (the service's default) and "usable" error limit.
EPSILON = 10.0
LIMIT = 0.2
_HALF = {"purchases": 0.5, "revenue": 0.5}


def _layout(question: bool = True) -> ps.KeyLayout:
    p = shared.purchases()
    dims = {"campaign": sorted(p["campaign"].unique()), "country": sorted(p["country"].unique())}
    if question:
        dims["question"] = list(shared.QUESTIONS)
    dims["value_bucket"] = 3
    return ps.KeyLayout(dims)


def _usable(dims) -> float:
    e = ps.bucket_errors(shared.purchases(), dims, shared.QUESTIONS, _HALF, EPSILON)
    return float((e.loc[e["question"] == "revenue", "relative_error"] <= LIMIT).mean())


def _usable_both() -> float:
    e = ps.bucket_errors(shared.purchases(), ["campaign", "country"], shared.QUESTIONS, _HALF, EPSILON)
    return float((e["relative_error"] <= LIMIT).mean())


def _typical() -> dict:
    p = shared.purchases()
    sums = p.groupby(["campaign", "country"])[list(shared.QUESTIONS)].sum()
    return {q: float(sums[q].median()) for q in shared.QUESTIONS}


def _split() -> dict:
    return ps.equal_error_split(shared.QUESTIONS, _typical())


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1", messages=f"{_M}.q1",
    variable="n_buckets",
    expected=lambda: _layout().n_buckets,
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: float(_layout(question=False).n_buckets), f"{_M}.q1.no_question"),
        (lambda: float(2 ** _layout().total_bits), f"{_M}.q1.bits"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code=('layout = ps.KeyLayout({"campaign": campaigns, "country": countries,\n'
                   '                       "question": ["purchases", "revenue"], "value_bucket": 3})\n'
                   'n_buckets = layout.n_buckets'),
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2", messages=f"{_M}.q2",
    variable="revenue_noise",
    expected=lambda: ps.noise_std(EPSILON, 0.5, 200),
    checker=checks.with_mistakes(checks.number(rel=1e-4), [
        (lambda: ps.noise_std(EPSILON, 0.5, 200) * ps.scaling_factor(0.5, 200), f"{_M}.q2.budget_units"),
        (lambda: ps.noise_std(EPSILON, 0.5, 200) / 2 ** 0.5, f"{_M}.q2.scale_not_std"),
        (lambda: ps.noise_std(EPSILON, 1.0, 200), f"{_M}.q2.whole_budget"),
    ]),
    hints=3,
    solution_code="revenue_noise = ps.noise_std(epsilon=10, budget_share=0.5, max_value=200)",
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3", messages=f"{_M}.q3",
    variable="usable_share",
    expected=lambda: _usable(["campaign", "country"]),
    checker=checks.with_mistakes(checks.number(rel=1e-6, share=True), [
        (lambda: _usable(["campaign", "country", "value_bucket"]), f"{_M}.q3.finer_key"),
        (_usable_both, f"{_M}.q3.both_questions"),
    ]),
    hints=3,
    solution_code=('errors = ps.bucket_errors(purchases, ["campaign", "country"], questions,\n'
                   '                         {"purchases": 0.5, "revenue": 0.5}, epsilon=10)\n'
                   'revenue_errors = errors[errors["question"] == "revenue"]\n'
                   'usable_share = (revenue_errors["relative_error"] <= 0.2).mean()'),
)

q4 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q4", messages=f"{_M}.q4",
    variable="balanced_split",
    expected=_split,
    checker=checks.with_mistakes(checks.mapping(rel=1e-4, what="question"), [
        (lambda: {q: 1 - v for q, v in _split().items()}, f"{_M}.q4.upside_down"),
    ]),
    hints=3,
    solution_code=('totals = purchases.groupby(["campaign", "country"])[["purchases", "revenue"]].sum()\n'
                   'typical = {"purchases": totals["purchases"].median(), "revenue": totals["revenue"].median()}\n'
                   'balanced_split = ps.equal_error_split(questions, typical)'),
)

EXERCISES = [q1, q2, q3, q4]
