"""Practice exercises of lesson 05.5 "Protected Audience in outline: interest groups, on-device
auctions and k-anonymity".

Expected values come from :mod:`helpers.privacy_sandbox_audience` on the lesson's simulated wins
(:func:`helpers.privacy_sandbox_audience.simulate_interest_groups`) and its auction table
:data:`AUCTION_BIDS`.
"""

from __future__ import annotations

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.privacy_sandbox import _data as shared

__all__ = ["q1", "q2", "q3", "EXERCISES", "AUCTION_BIDS", "RAMP_K"]

_COURSE, _LESSON, _M = "05-privacy-sandbox", "05.5", "privacy_sandbox.lesson_5_5"

#: k in the first step of Google's ramp (Q4 2023, pre-stable).
RAMP_K = 10

#: Three auctions on a news site: each row is one interest group's candidate ad and its bid (USD CPM).
AUCTION_BIDS = pd.DataFrame({
    "auction": [1, 1, 1, 2, 2, 2, 3, 3],
    "owner": ["shoe.example", "shoe.example", "bag.example", "shoe.example", "shoe.example", "bag.example",
              "shoe.example", "bag.example"],
    "ad": ["sneakers-gold-size-38", "shoes-generic", "bag-classic", "sneakers-white", "shoes-generic", "bag-classic",
           "sandals-kids", "bag-classic"],
    "bid": [4.0, 1.2, 2.5, 3.0, 1.2, 2.5, 2.2, 1.8],
})


def _kanon(k: int) -> pd.DataFrame:
    from helpers.privacy_sandbox_audience import k_anonymous_ads

    return k_anonymous_ads(shared.wins(), k=k)


def _winner() -> str:
    from helpers.privacy_sandbox_audience import on_device_auction

    allowed = set(_kanon(50).query("k_anonymous").index) | {"bag-classic"}
    win = on_device_auction(AUCTION_BIDS, allowed).set_index("auction")
    return str(win.loc[1, "ad"])


def _ads() -> list[str]:
    return sorted(set(AUCTION_BIDS["ad"]))


def _failing(k: int = 50) -> list[str]:
    t = _kanon(k)
    return sorted(str(a) for a in t.index[~t["k_anonymous"]])


def _check_failing(answer, expected):
    from helpers.exercises.core import Feedback

    fb = checks.text_list(ordered=False)(answer, expected)
    if fb is not None and isinstance(answer, list | tuple) and sorted(map(str, answer)) == _failing(RAMP_K):
        return Feedback(f"{_M}.q1.ramp_k", {})
    if fb is not None and isinstance(answer, list | tuple) and set(map(str, answer)) == set(_kanon(50).index) - set(
            expected):
        return Feedback(f"{_M}.q1.passing_not_failing", {})
    return fb


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1", messages=f"{_M}.q1",
    variable="failing_ads",
    expected=_failing,
    checker=_check_failing,
    hints=3,
    solution_code=('kanon = k_anonymous_ads(wins, k=50)\n'
                   'failing_ads = sorted(kanon.index[~kanon["k_anonymous"]])'),
    wrong=lambda expected: [*expected, "shoes-generic"],
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2", messages=f"{_M}.q2",
    variable="people_gold_ad",
    expected=lambda: int(_kanon(50).loc["sneakers-gold-size-38", "people"]),
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: float((shared.wins()["ad"] == "sneakers-gold-size-38").sum()), f"{_M}.q2.wins_not_people"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code='people_gold_ad = int(k_anonymous_ads(wins, k=50).loc["sneakers-gold-size-38", "people"])',
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3", messages=f"{_M}.q3",
    variable="auction_1_winner",
    expected=_winner,
    checker=lambda answer, expected: checks.with_mistakes(checks.choice(_ads()), [
        ("sneakers-gold-size-38", f"{_M}.q3.highest_bid"),
        ("shoes-generic", f"{_M}.q3.fallback_not_winner"),
    ])(answer, expected),
    hints=3,
    solution_code=('allowed = set(kanon[kanon["k_anonymous"]].index) | {"bag-classic"}\n'
                   'winners = on_device_auction(AUCTION_BIDS, allowed).set_index("auction")\n'
                   'auction_1_winner = winners.loc[1, "ad"]'),
    wrong=lambda expected: next(a for a in _ads() if a != expected),
)

EXERCISES = [q1, q2, q3]
