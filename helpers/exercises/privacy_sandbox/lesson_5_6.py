"""Practice exercises of lesson 05.6 "Data clean rooms: joining first-party and measurement data".

Expected values come from :mod:`helpers.clean_room` on the course world's CRM and measurement
tables (:func:`helpers.privacy_sandbox_data.crm_table`, :func:`~helpers.privacy_sandbox_data.measurement_table`),
hashed with the lesson's salt.
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.privacy_sandbox import _data as shared

__all__ = ["q1", "q2", "q3", "EXERCISES", "MIN_USERS", "attack_target"]

_COURSE, _LESSON, _M = "05-privacy-sandbox", "05.6", "privacy_sandbox.lesson_5_6"

#: The clean room's aggregation threshold in this lesson.
MIN_USERS = 50


@functools.cache
def _parties() -> tuple[pd.DataFrame, pd.DataFrame]:
    from helpers.clean_room import hash_ids
    from helpers.privacy_sandbox_data import crm_table, measurement_table

    crm, meas = crm_table(), measurement_table()
    a = crm.assign(hashed_id=hash_ids(crm["email"], shared.SALT)).drop(columns="email")
    b = meas.assign(hashed_id=hash_ids(meas["email"], shared.SALT)).drop(columns="email")
    return a, b


def _query(min_users: int = MIN_USERS) -> pd.DataFrame:
    from helpers.clean_room import clean_room_query

    a, b = _parties()
    return clean_room_query(a, b, on="hashed_id", by=["tier", "last_click_network"],
                            metrics={"revenue": ("lifetime_revenue", "sum")}, min_users=min_users)


def _target() -> str:
    return attack_target(*_parties())


def _attack() -> dict:
    from helpers.clean_room import differencing_attack

    a, b = _parties()
    return differencing_attack(a, b, on="hashed_id", target=_target(), metric=("lifetime_revenue", "sum"),
                               min_users=MIN_USERS)


def attack_target(crm_hashed: pd.DataFrame, partner_hashed: pd.DataFrame) -> str:
    """The lesson's victim: the VIP customer with the smallest hashed ID whom both parties know."""
    vips = crm_hashed[(crm_hashed["tier"] == "vip") & crm_hashed["hashed_id"].isin(partner_hashed["hashed_id"])]
    return str(vips.sort_values("hashed_id")["hashed_id"].iloc[0])


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1", messages=f"{_M}.q1",
    variable="matched_customers",
    expected=lambda: int(len(_parties()[0].merge(_parties()[1], on="hashed_id"))),
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: float(len(_parties()[0])), f"{_M}.q1.crm_only"),
        (lambda: float(len(_parties()[1])), f"{_M}.q1.partner_only"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code='matched_customers = len(crm_hashed.merge(partner_hashed, on="hashed_id"))',
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2", messages=f"{_M}.q2",
    variable="suppressed_rows",
    expected=lambda: int(_query()["suppressed"].sum()),
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: float((~_query()["suppressed"]).sum()), f"{_M}.q2.shown_not_suppressed"),
        (lambda: float(_query(100)["suppressed"].sum()), f"{_M}.q2.other_threshold"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code=('answer = clean_room_query(crm_hashed, partner_hashed, on="hashed_id",\n'
                   '                          by=["tier", "last_click_network"],\n'
                   '                          metrics={"revenue": ("lifetime_revenue", "sum")}, min_users=50)\n'
                   'suppressed_rows = int(answer["suppressed"].sum())'),
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3", messages=f"{_M}.q3",
    variable="revealed_revenue",
    expected=lambda: _attack()["revealed"],
    checker=checks.with_mistakes(checks.number(rel=1e-6), [
        (lambda: _attack()["query_a"], f"{_M}.q3.total_not_difference"),
    ]),
    hints=3,
    solution_code='revealed_revenue = attack["query_a"] - attack["query_b"]',
)

EXERCISES = [q1, q2, q3]
