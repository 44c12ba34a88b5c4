"""Exercises of lesson 04.4 "Designing a conversion-value schema".

Messages: ``helpers/locale/templates/skan_lesson_4_4.pot``. Expected values come from
:func:`helpers.skan_analysis.signal_by_tier` on the SKAN views of the course's gaming world built
with each schema (:func:`helpers.skan_analysis.skan_lab`).
"""

from __future__ import annotations

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.skan import _data
from helpers.skan import ConversionSchema

__all__ = ["q1", "q2", "q3", "EXERCISES", "REVENUE_EDGES", "FUNNEL_EVENTS", "COARSE_CUTS"]

COURSE, LESSON = "04-skan", "04.4"
_MSG = "skan.lesson_4_4"

REVENUE_EDGES = [0.01, 2, 5, 10, 20, 50, 100]
"""The revenue buckets of q1 (USD, cumulative): 8 buckets, fine values 0–7."""
FUNNEL_EVENTS = ["sign_up", "purchase", "purchase:2", "purchase:3"]
"""The funnel of q2: one bit per step, 16 fine values."""
COARSE_CUTS = (5.0, 50.0)
"""q3: coarse turns medium at 5 USD and high at 50 USD."""


def _signal(schema: ConversionSchema, tier: int) -> float:
    from helpers.skan_analysis import signal_by_tier

    return float(signal_by_tier(_data.lab(schema=schema)).loc[tier, "signal_kept"])


def _revenue(coarse=None) -> ConversionSchema:
    return ConversionSchema(revenue_edges=REVENUE_EDGES, coarse_revenue=coarse)


def _funnel() -> ConversionSchema:
    return ConversionSchema(events=FUNNEL_EVENTS)


# ------------------------------------------------------------------ q1: a revenue-bucket schema at tier 2
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="revenue_tier2",
    expected=lambda: _signal(_revenue(), 2),
    checker=checks.with_mistakes(checks.number(rel=2e-3, share=True), [
        (lambda: _signal(_revenue(), 1), f"{_MSG}.q1.tier1"),
        (lambda: _signal(_funnel(), 2), f"{_MSG}.q1.funnel"),
    ]),
    hints=3,
    solution_code=(
        'revenue_schema = ConversionSchema(revenue_edges=[0.01, 2, 5, 10, 20, 50, 100])\n'
        'revenue_tiers = skan_analysis.signal_by_tier(skan_analysis.skan_lab("gaming", revenue_schema))\n'
        'revenue_tier2 = revenue_tiers.loc[2, "signal_kept"]'
    ),
)

# ------------------------------------------------------------------ q2: a funnel schema at tier 2
q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="funnel_tier2",
    expected=lambda: _signal(_funnel(), 2),
    checker=checks.with_mistakes(checks.number(rel=2e-3, share=True), [
        (lambda: _signal(_funnel(), 1), f"{_MSG}.q2.tier1"),
        (lambda: _signal(_revenue(), 2), f"{_MSG}.q2.revenue"),
    ]),
    hints=3,
    solution_code=(
        'funnel_schema = ConversionSchema(events=["sign_up", "purchase", "purchase:2", "purchase:3"])\n'
        'funnel_tiers = skan_analysis.signal_by_tier(skan_analysis.skan_lab("gaming", funnel_schema))\n'
        'funnel_tier2 = funnel_tiers.loc[2, "signal_kept"]'
    ),
)

# ------------------------------------------------------------------ q3: moving the coarse cut
q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="coarse_tier1",
    expected=lambda: _signal(_revenue(COARSE_CUTS), 1),
    checker=checks.with_mistakes(checks.number(rel=2e-3, share=True), [
        (lambda: _signal(_revenue(), 1), f"{_MSG}.q3.default_cut"),
        (lambda: _signal(_revenue(COARSE_CUTS), 2), f"{_MSG}.q3.tier2"),
    ]),
    hints=3,
    solution_code=(
        'cut_schema = ConversionSchema(revenue_edges=[0.01, 2, 5, 10, 20, 50, 100], coarse_revenue=(5, 50))\n'
        'cut_tiers = skan_analysis.signal_by_tier(skan_analysis.skan_lab("gaming", cut_schema))\n'
        'coarse_tier1 = cut_tiers.loc[1, "signal_kept"]'
    ),
)

EXERCISES = [q1, q2, q3]
