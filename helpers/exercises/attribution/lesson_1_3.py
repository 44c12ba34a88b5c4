"""Practice exercises of lesson 01.3 "Multi-touch models side by side".

Expected values are computed lazily with :mod:`helpers.attribution` on the seeded course data
(``helpers.data.load("attribution/paths")``) or on the lesson's tiny three-channel example.
"""

from __future__ import annotations

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "tiny_paths", "LINEAR_CHANNEL", "SHIFT_CHANNEL"]

_COURSE, _LESSON = "01-attribution", "01.3"

#: The channel whose linear credit exercise 1 asks for.
LINEAR_CHANNEL = "tiktok_ads"
#: The channel whose Markov-minus-last-touch credit exercise 4 asks for.
SHIFT_CHANNEL = "google_ads"


def tiny_paths() -> pd.DataFrame:
    """The lesson's hand-checkable example: three channels, 20 people, 8 conversions.

    >>> tiny_paths()["conversions"].sum(), (tiny_paths()["conversions"] + tiny_paths()["nulls"]).sum()
    (np.int64(8), np.int64(20))
    """
    return pd.DataFrame(
        {
            "path": ["social > search", "search", "social > email", "email"],
            "conversions": [4, 2, 1, 1],
            "nulls": [4, 2, 3, 3],
        }
    )


def _paths() -> pd.DataFrame:
    from helpers.data import load

    return load("attribution/paths")


def _linear_credit() -> float:
    from helpers.attribution import attribute_paths

    return float(attribute_paths(_paths(), "linear")[LINEAR_CHANNEL])


def _biggest_removal() -> str:
    from helpers.attribution import markov_removal_effects

    return str(markov_removal_effects(_paths()).idxmax())


def _channels() -> list[str]:
    from helpers.attribution import markov_removal_effects

    return [str(c) for c in markov_removal_effects(_paths()).index]


def _runner_up(expected: str) -> str:
    from helpers.attribution import markov_removal_effects

    effects = markov_removal_effects(_paths()).sort_values(ascending=False)
    return str(effects.index[1]) if str(effects.index[0]) == expected else str(effects.index[0])


def _choice_of_channels(answer: object, expected: object):
    return checks.choice(_channels())(answer, expected)


def _shapley_tiny() -> pd.Series:
    from helpers.attribution import attribute_paths

    return attribute_paths(tiny_paths(), "shapley")


def _markov_minus_last() -> float:
    from helpers.attribution import attribute_paths

    paths = _paths()
    markov = attribute_paths(paths, "markov").get(SHIFT_CHANNEL, 0.0)
    last = attribute_paths(paths, "last_touch").get(SHIFT_CHANNEL, 0.0)
    return float(markov - last)


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1",
    variable="linear_credit",
    expected=_linear_credit,
    checker=checks.number(rel=1e-3),
    hints=3,
    solution_code=f'linear_credit = attribute_paths(paths, "linear")["{LINEAR_CHANNEL}"]',
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2",
    variable="biggest_removal",
    expected=_biggest_removal,
    checker=_choice_of_channels,
    hints=3,
    solution_code="biggest_removal = markov_removal_effects(paths).idxmax()",
    wrong=_runner_up,
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3",
    variable="shapley_tiny",
    expected=_shapley_tiny,
    checker=checks.mapping(rel=1e-3, what="channel"),
    hints=3,
    solution_code=(
        'converted = tiny[tiny["conversions"] > 0].copy()\n'
        'converted["channel"] = converted["path"].str.split(" > ").apply(lambda names: sorted(set(names)))\n'
        'converted["share"] = converted["conversions"] / converted["channel"].str.len()\n'
        'shapley_tiny = converted.explode("channel").groupby("channel")["share"].sum()'
    ),
)

q4 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q4",
    variable="markov_minus_last",
    expected=_markov_minus_last,
    checker=checks.number(rel=1e-3, abs_tol=1e-6),
    hints=3,
    solution_code=(
        f'markov_minus_last = credit.loc["{SHIFT_CHANNEL}", "markov"] - credit.loc["{SHIFT_CHANNEL}", "last_touch"]'
    ),
)

EXERCISES = [q1, q2, q3, q4]
