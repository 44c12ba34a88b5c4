"""Exercises of lesson 04.3 "Crowd anonymity: the four tiers and what each hides".

Messages: ``helpers/locale/templates/skan_lesson_4_3.pot``. Expected values come from the SKAN view
(:func:`helpers.skan_analysis.skan_lab`) of the course's gaming world: only what an ad network or
advertiser receives (the postbacks), never the simulation's tier column.
"""

from __future__ import annotations

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.skan import _data

__all__ = ["q1", "q2", "q3", "EXERCISES", "Q2_NETWORK", "Q2_CAMPAIGN"]

COURSE, LESSON = "04-skan", "04.3"
_MSG = "skan.lesson_4_3"

#: A mid-sized campaign: some of its days are busy enough for tier 2, others are not.
Q2_NETWORK, Q2_CAMPAIGN = "mintegral", "gaming_ua_broad"


def _first() -> pd.DataFrame:
    post = _data.lab().postbacks
    return post[post["did_win"] & (post["postback_sequence_index"] == 0)]


# ------------------------------------------------------------------ q1: first postbacks with a fine value
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="fine_share",
    expected=lambda: float(_first()["conversion_value"].notna().mean()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_data.lab().postbacks["conversion_value"].notna().mean()), f"{_MSG}.q1.all_postbacks"),
        (lambda: float(_first()["coarse_conversion_value"].notna().mean()), f"{_MSG}.q1.coarse"),
        (lambda: float(_first()["conversion_value"].isna().mean()), f"{_MSG}.q1.complement"),
    ]),
    hints=3,
    solution_code=(
        'first = postbacks[postbacks["did_win"] & (postbacks["postback_sequence_index"] == 0)]\n'
        'fine_share = first["conversion_value"].notna().mean()'
    ),
)


# ------------------------------------------------------------------ q2: the same for one mid-sized campaign
def _campaign_share() -> float:
    f = _first()
    c = f[(f["media_source"] == Q2_NETWORK) & (f["campaign"] == Q2_CAMPAIGN)]
    return float(c["conversion_value"].notna().mean())


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="campaign_fine_share",
    expected=_campaign_share,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_first()["conversion_value"].notna().mean()), f"{_MSG}.q2.whole_app"),
        (lambda: float(_first().loc[_first()["campaign"] == Q2_CAMPAIGN, "conversion_value"].notna().mean()),
         f"{_MSG}.q2.campaign_name_only"),
        (lambda: 1 - _campaign_share(), f"{_MSG}.q2.complement"),
    ]),
    hints=3,
    solution_code=(
        'mine = first[(first["media_source"] == "mintegral") & (first["campaign"] == "gaming_ua_broad")]\n'
        'campaign_fine_share = mine["conversion_value"].notna().mean()'
    ),
)


# ------------------------------------------------------------------ q3: source identifiers longer than two digits
def _longer() -> float:
    return float((_first()["source_identifier"].str.len() > 2).mean())


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="longer_id_share",
    expected=_longer,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float((_data.lab().postbacks["source_identifier"].str.len() > 2).mean()), f"{_MSG}.q3.all_postbacks"),
        (lambda: float((_first()["source_identifier"].str.len() == 2).mean()), f"{_MSG}.q3.two_digits"),
        (lambda: float((_first()["source_identifier"].str.len() == 4).mean()), f"{_MSG}.q3.four_only"),
    ]),
    hints=3,
    solution_code='longer_id_share = (first["source_identifier"].str.len() > 2).mean()',
)

EXERCISES = [q1, q2, q3]
