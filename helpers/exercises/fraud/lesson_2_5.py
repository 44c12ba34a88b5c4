"""Practice exercises of lesson 02.5 "Building a fraud report and measuring a detector".

Expected values are computed lazily, exactly as the lesson does: the course's fraud world
(``helpers.data.load_world("fraud")``: the
MMP's installs, the click log and in-app events, shaped by :func:`helpers.fraud.inputs_from_world`),
:func:`helpers.fraud.detect` with its default thresholds (and once with a loose click-injection
threshold), :func:`helpers.fraud.source_report` with the spend table, and the truth labels kept
apart for scoring.

Two small tools of the lesson live here too: :func:`detector_costs` (what a detector's flags are
worth in money and in partners wrongly accused) and :func:`threshold_sweep` (the same for a range of
thresholds).
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.fraud import _data as shared
from helpers.fraud import detector_costs, install_costs, threshold_sweep, without_referrer  # noqa: F401 (re-exported)

__all__ = ["q1", "q2", "q3", "q4", "q5", "EXERCISES", "LOOSE_INJECTION_CTIT",
           "install_costs", "detector_costs", "threshold_sweep", "without_referrer"]

_COURSE, _LESSON = "02-fraud", "02.5"
ORGANIC = "organic"

#: The loose click-injection threshold of exercises 4 and 5.
LOOSE_INJECTION_CTIT = "7min"


# ------------------------------------------------------------------------------ the lesson's data
@functools.cache
def _loose() -> pd.DataFrame:
    """:func:`helpers.fraud.detect` with the loose click-injection threshold of exercises 4 and 5."""
    from helpers import fraud

    inp = shared.inputs()
    return fraud.detect(inp.installs, inp.clicks, events=inp.events, injection_max_ctit=LOOSE_INJECTION_CTIT)


def _data() -> dict:
    return {"inputs": shared.inputs(), "spend": shared.world().spend, "flagged": shared.flagged(), "loose": _loose()}


def _network_report() -> pd.DataFrame:
    from helpers import fraud

    d = _data()
    return fraud.source_report(d["flagged"], d["spend"], by="media_source").set_index("media_source")


def _spend_at_risk() -> pd.Series:
    return _network_report()["spend_at_risk"].drop(ORGANIC, errors="ignore").rename("spend_at_risk")


def _flagged_shares() -> pd.Series:
    return _network_report()["flagged_share"].drop(ORGANIC, errors="ignore")


def _flagged_counts() -> pd.Series:
    return _network_report()["flagged"].drop(ORGANIC, errors="ignore").astype(float)


def _site_report() -> pd.DataFrame:
    from helpers import fraud

    d = _data()
    return fraud.source_report(d["flagged"], d["spend"])


def _worst_site() -> str:
    rep = _site_report()
    return str(rep.loc[rep["spend_at_risk"].idxmax(), "site_id"])


def _most_flagged_site() -> str:
    rep = _site_report()
    return str(rep[rep["media_source"] != ORGANIC].sort_values("flagged", ascending=False)["site_id"].iloc[0])


def _sites() -> list[str]:
    return sorted({str(s) for s in _site_report()["site_id"].dropna()})


def _another_site(expected: str) -> str:
    return next(s for s in _sites() if s != expected)


def _quality() -> pd.DataFrame:
    from helpers import fraud

    d = _data()
    return fraud.evaluate(d["flagged"], d["inputs"].truth)


def _recall_any() -> float:
    return float(_quality().loc["any", "recall"])


def _precision_any() -> float:
    return float(_quality().loc["any", "precision"])


def _flagged_share_all() -> float:
    return float(_data()["flagged"]["fraud_type"].notna().mean())


def _loose_costs() -> pd.Series:
    d = _data()
    return detector_costs(d["loose"], d["inputs"].truth, d["spend"])


def _default_costs() -> pd.Series:
    d = _data()
    return detector_costs(d["flagged"], d["inputs"].truth, d["spend"])


def _choice_of_sites(answer: object, expected: object):
    return checks.choice(_sites())(answer, expected)


_M = "fraud.lesson_2_5"

q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1",
    variable="spend_at_risk_by_network",
    expected=_spend_at_risk,
    checker=checks.with_mistakes(checks.mapping(rel=1e-3, total=False, what="network"), [
        (_flagged_shares, f"{_M}.q1.shares_not_money"),
        (_flagged_counts, f"{_M}.q1.counts_not_money"),
    ]),
    hints=3,
    solution_code=(
        'network_report = fraud.source_report(flagged, spend, by="media_source").set_index("media_source")\n'
        'spend_at_risk_by_network = network_report["spend_at_risk"].drop("organic")'
    ),
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2",
    variable="worst_site",
    expected=_worst_site,
    checker=checks.with_mistakes(_choice_of_sites, [(_most_flagged_site, f"{_M}.q2.most_flagged")]),
    hints=3,
    solution_code='worst_site = site_report.sort_values("spend_at_risk", ascending=False)["site_id"].iloc[0]',
    wrong=_another_site,
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3",
    variable="recall_any",
    expected=_recall_any,
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (_precision_any, f"{_M}.q3.precision_not_recall"),
        (_flagged_share_all, f"{_M}.q3.share_of_all_installs"),
    ]),
    hints=3,
    solution_code='recall_any = fraud.evaluate(flagged, truth).loc["any", "recall"]',
)

q4 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q4",
    variable="honest_spend_blocked",
    expected=lambda: float(_loose_costs()["honest_spend_blocked"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3), [
        (lambda: float(_loose_costs()["money_saved"]), f"{_M}.q4.money_saved"),
        (lambda: float(_default_costs()["honest_spend_blocked"]), f"{_M}.q4.default_detector"),
    ]),
    hints=3,
    solution_code=(
        'loose = fraud.detect(installs, clicks, events=events, injection_max_ctit="7min")\n'
        'loose_scored = loose.merge(truth.rename(columns={"fraud_type": "true_type"}), on="install_id")\n'
        'loose_scored["install_cost"] = install_costs(loose, spend).to_numpy()\n'
        'loose_false_alarm = loose_scored["fraud_type"].notna() & loose_scored["true_type"].isna()\n'
        'honest_spend_blocked = loose_scored.loc[loose_false_alarm, "install_cost"].sum()'
    ),
)

q5 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q5",
    variable="partners_wrongly_hit",
    expected=lambda: int(_loose_costs()["partners_wrongly_hit"]),
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: float(_loose_costs()["false_alarms"]), f"{_M}.q5.installs_not_sites"),
        (lambda: float(_default_costs()["partners_wrongly_hit"]), f"{_M}.q5.default_detector"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code=(
        'hit = loose_scored[loose_false_alarm & (loose_scored["media_source"] != "organic")]\n'
        'partners_wrongly_hit = len(hit[["media_source", "site_id"]].drop_duplicates())'
    ),
)

EXERCISES = [q1, q2, q3, q4, q5]
