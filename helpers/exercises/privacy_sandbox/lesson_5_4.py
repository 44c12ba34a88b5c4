"""Practice exercises of lesson 05.4 "The Topics API, simulated".

Expected values come from :func:`helpers.privacy_sandbox_topics.simulate_browsing` (400 people, 6
epochs, the course seed) and :func:`helpers.privacy_sandbox_topics.call_topics` in epoch 5.
"""

from __future__ import annotations

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.privacy_sandbox import _data as shared

__all__ = ["q1", "q2", "q3", "EXERCISES", "EPOCH"]

_COURSE, _LESSON, _M = "05-privacy-sandbox", "05.4", "privacy_sandbox.lesson_5_4"

#: The epoch in which the lesson's callers ask for topics.
EPOCH = 5


def _calls(caller: str):
    from helpers.privacy_sandbox_topics import call_topics

    return call_topics(shared.topics(), caller, EPOCH)


def _padded_share() -> float:
    top = shared.topics().top_topics
    return float(top.groupby(["user", "epoch"])["padded"].any().mean())


def _padded_topics_share() -> float:
    return float(shared.topics().top_topics["padded"].mean())


def _random_share(caller: str = "adnet-big.example") -> float:
    got = _calls(caller).dropna(subset=["topic"])
    return float(got["random"].astype(bool).mean())


def _topics_per_user(caller: str = "adnet-games.example") -> float:
    return float(_calls(caller).groupby("user")["topic"].nunique().mean())


def _topics_per_user_answered(caller: str = "adnet-games.example") -> float:
    return float(_calls(caller).dropna(subset=["topic"]).groupby("user")["topic"].nunique().mean())


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1", messages=f"{_M}.q1",
    variable="padded_share",
    expected=_padded_share,
    checker=checks.with_mistakes(checks.number(rel=1e-6, share=True), [
        (_padded_topics_share, f"{_M}.q1.topics_not_lists"),
    ]),
    hints=3,
    solution_code='padded_share = top.groupby(["user", "epoch"])["padded"].any().mean()',
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2", messages=f"{_M}.q2",
    variable="random_share",
    expected=_random_share,
    checker=checks.with_mistakes(checks.number(rel=1e-6, share=True), [
        (lambda: _random_share("adnet-games.example"), f"{_M}.q2.other_caller"),
        (lambda: 0.05, f"{_M}.q2.theory"),
    ]),
    hints=3,
    solution_code=('answers = big.dropna(subset=["topic"])\n'
                   'random_share = answers["random"].astype(bool).mean()'),
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3", messages=f"{_M}.q3",
    variable="games_topics_per_user",
    expected=_topics_per_user,
    checker=checks.with_mistakes(checks.number(rel=1e-6), [
        (_topics_per_user_answered, f"{_M}.q3.only_answered"),
        (lambda: _topics_per_user("adnet-big.example"), f"{_M}.q3.other_caller"),
    ]),
    hints=3,
    solution_code='games_topics_per_user = games.groupby("user")["topic"].nunique().mean()',
)

EXERCISES = [q1, q2, q3]
