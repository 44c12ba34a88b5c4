"""Exercises of lesson 02.1 "Why fraud matters: wasted spend and poisoned optimisation".

Messages: ``helpers/locale/templates/fraud_lesson_2_1.pot``. Expected values are computed on first use
with :func:`helpers.fraud.inputs_from_world`, :func:`helpers.fraud.detect`,
:func:`helpers.fraud.source_report` and :mod:`helpers.kpis` on the lesson's seeded world with fraud.
The simulation's truth label (``fraud_type``) is used only where the question asks what the MMP
could not see.
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback
from helpers.exercises.fraud import _data

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "Q1_NETWORK", "Q3_NETWORK", "fraud_world"]

COURSE, LESSON = "02-fraud", "02.1"
_MSG = "fraud.lesson_2_1"

#: The networks the questions ask about (the lesson's text names them too).
Q1_NETWORK = "mintegral"
Q3_NETWORK = "ironsource"


# ------------------------------------------------------------------ data (lazy, cached per kernel)
#: The course's world with fraud (the same one the lessons load).
fraud_world = _data.world
_inputs, _revealed = _data.inputs, _data.revealed


def _of(network: str) -> pd.DataFrame:
    rev = _revealed()
    return rev[rev["media_source"] == network]


def _spend(network: str) -> float:
    spend = fraud_world().spend
    return float(spend.loc[spend["media_source"] == network, "cost"].sum())


# ------------------------------------------------------------------ q1: fraudulent share of a network
def _fraud_share(network: str) -> float:
    return float(_of(network)["fraud_type"].notna().mean())


def _share_of_all_fraud(network: str) -> float:
    rev = _revealed()
    fraud = rev[rev["fraud_type"].notna()]
    return float((fraud["media_source"] == network).mean())


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="fraud_share",
    expected=lambda: _fraud_share(Q1_NETWORK),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: 1 - _fraud_share(Q1_NETWORK), f"{_MSG}.q1.complement"),
        (lambda: _share_of_all_fraud(Q1_NETWORK), Feedback(f"{_MSG}.q1.share_of_fraud", {"network": Q1_NETWORK})),
        (lambda: float(_revealed()["fraud_type"].notna().mean()),
         Feedback(f"{_MSG}.q1.all_networks", {"network": Q1_NETWORK})),
        (checks.answer_is(lambda v: v > 1 and v == int(v)), f"{_MSG}.q1.count_not_share"),
    ], when=checks.VALUE_KEYS | {"check.number.share_out_of_range"}),
    hints=3,
    solution_code=(
        'network = revealed[revealed["media_source"] == "mintegral"]\n'
        'fraud_share = network["fraud_type"].notna().mean()'
    ),
)


# ------------------------------------------------------------------ q2: CPI of the genuine installs
def _genuine_cpi(network: str) -> float:
    return _spend(network) / int(_of(network)["fraud_type"].isna().sum())


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="genuine_cpi",
    expected=lambda: _genuine_cpi(Q1_NETWORK),
    checker=checks.with_mistakes(checks.number(rel=5e-3), [
        (lambda: _spend(Q1_NETWORK) / len(_of(Q1_NETWORK)), f"{_MSG}.q2.reported"),
        (lambda: _spend(Q1_NETWORK) / int(_of(Q1_NETWORK)["fraud_type"].notna().sum()), f"{_MSG}.q2.fraud_only"),
        (lambda expected: 1 / expected, f"{_MSG}.q2.upside_down"),
    ]),
    hints=3,
    solution_code=(
        'network = revealed[revealed["media_source"] == "mintegral"]\n'
        'mintegral_spend = spend.loc[spend["media_source"] == "mintegral", "cost"].sum()\n'
        'genuine_cpi = mintegral_spend / network["fraud_type"].isna().sum()'
    ),
)


# ------------------------------------------------------------------ q3: ROAS without the fraud's revenue
def _revenue(network: str, genuine_only: bool) -> float:
    events = _inputs().events
    events = events[events["media_source"] == network]
    if genuine_only:
        genuine = set(_of(network).loc[lambda d: d["fraud_type"].isna(), "install_id"])
        events = events[events["install_id"].isin(genuine)]
    return float(events["revenue"].fillna(0).sum())


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="genuine_roas",
    expected=lambda: _revenue(Q3_NETWORK, True) / _spend(Q3_NETWORK),
    checker=checks.with_mistakes(checks.number(rel=5e-3), [
        (lambda: _revenue(Q3_NETWORK, False) / _spend(Q3_NETWORK), f"{_MSG}.q3.reported"),
        (lambda expected: 1 / expected, f"{_MSG}.q3.upside_down"),
        (lambda: _revenue(Q3_NETWORK, True), f"{_MSG}.q3.revenue_not_roas"),
    ]),
    hints=3,
    solution_code=(
        'genuine_ids = revealed.loc[revealed["fraud_type"].isna(), "install_id"]\n'
        'ev = events[(events["media_source"] == "ironsource") & events["install_id"].isin(genuine_ids)]\n'
        'ironsource_spend = spend.loc[spend["media_source"] == "ironsource", "cost"].sum()\n'
        'genuine_roas = ev["revenue"].sum() / ironsource_spend'
    ),
)


# ------------------------------------------------------------------ q4: spend at risk, from the detector
@functools.cache
def _report() -> pd.DataFrame:
    from helpers.fraud import source_report

    return source_report(_data.flagged(), fraud_world().spend, by="media_source")


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="spend_at_risk",
    expected=lambda: float(_report()["spend_at_risk"].sum()),
    checker=checks.with_mistakes(checks.number(rel=5e-3), [
        (lambda: float(_report()["spend"].sum()), f"{_MSG}.q4.total_spend"),
        (lambda: float(_report()["spend_at_risk"].max()), f"{_MSG}.q4.one_network"),
        (lambda: float(_report()["flagged"].sum()), f"{_MSG}.q4.installs_not_money"),
    ]),
    hints=3,
    solution_code=(
        'report = source_report(flagged, spend, by="media_source")\n'
        'spend_at_risk = report["spend_at_risk"].sum()'
    ),
)

EXERCISES = [q1, q2, q3, q4]
