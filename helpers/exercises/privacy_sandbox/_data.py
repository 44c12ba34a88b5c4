"""The data the course-05 exercises share, computed once per kernel exactly as the lessons compute it.

The world and its ARA view come from :mod:`helpers.privacy_sandbox_data` (cached there); this
module adds the lesson-level tables. Treat the results as read-only.
"""

from __future__ import annotations

import functools

import pandas as pd

__all__ = ["view", "purchases", "topics", "wins", "SALT", "TOPICS_SEED", "AUDIENCE_SEED", "QUESTIONS"]

#: Salt both parties of lesson 05.6 hash with; seeds of lessons 05.4 and 05.5.
SALT = "course-05"
TOPICS_SEED = 20261124
AUDIENCE_SEED = 20261124
#: The two questions of lesson 05.3 and the most one source adds to each (1 purchase, 200 USD).
QUESTIONS = {"purchases": 1, "revenue": 200}


def view(epsilon: float = 14.0):
    """The course world's ARA view (:func:`helpers.privacy_sandbox_data.course_view`)."""
    from helpers.privacy_sandbox_data import course_view

    return course_view(epsilon)


@functools.cache
def purchases() -> pd.DataFrame:
    """Attributed purchases ready for key planning (:func:`helpers.privacy_sandbox_data.planning_purchases`)."""
    from helpers.privacy_sandbox_data import planning_purchases

    return planning_purchases(view())


@functools.cache
def topics():
    """Lesson 05.4's Topics simulation: 400 people, 6 weekly epochs."""
    from helpers.privacy_sandbox_topics import simulate_browsing

    return simulate_browsing(n_users=400, n_epochs=6, seed=TOPICS_SEED)


@functools.cache
def wins() -> pd.DataFrame:
    """Lesson 05.5's would-be ad wins: 2,000 people over 30 days."""
    from helpers.privacy_sandbox_audience import simulate_interest_groups

    return simulate_interest_groups(n_users=2_000, seed=AUDIENCE_SEED)
