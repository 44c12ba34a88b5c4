"""Exercises of lesson 04.2 "SKAN 4 mechanics: conversion values, windows, timers and delays".

Messages: ``helpers/locale/templates/skan_lesson_4_2.pot``. Expected values come from
:class:`helpers.skan.ConversionSchema` and :func:`helpers.skan_analysis.postback_timing` on the
course's gaming world.
"""

from __future__ import annotations

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.skan import _data
from helpers.skan import ConversionSchema

__all__ = ["q1", "q2", "q3", "EXERCISES", "LESSON_SCHEMA", "LOCK_ON", "Q1_REVENUE"]

COURSE, LESSON = "04-skan", "04.2"
_MSG = "skan.lesson_4_2"

LESSON_SCHEMA = ConversionSchema(revenue_edges=[0.01, 5, 20, 50], events=["sign_up"], coarse_revenue=(0.01, 20),
                                 name="lesson_4_2")
"""The lesson's small hybrid schema: 5 revenue buckets x 1 event bit (signed up) = 10 fine values."""
Q1_REVENUE = 23.8
"""q1: the player's revenue in the first window (USD); the player also signed up."""
LOCK_ON = {0: "purchase"}
"""Lock the first window at the first purchase."""


def _value(revenue: float, signed_up: int) -> int:
    fine, _ = LESSON_SCHEMA.encode(revenue=[revenue], events={"sign_up": [signed_up]})
    return int(fine[0])


# ------------------------------------------------------------------ q1: encode one player
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="fine_value",
    expected=lambda: _value(Q1_REVENUE, 1),
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0, integer=True), [
        (lambda: _value(Q1_REVENUE, 0), f"{_MSG}.q1.no_event"),
        (lambda: _value(Q1_REVENUE, 0) // 2, f"{_MSG}.q1.bucket_only"),
        (lambda: _value(0.0, 1), f"{_MSG}.q1.event_only"),
    ], rel=0, abs_tol=0),
    hints=3,
    wrong=lambda e: e + 2,
    solution_code=(
        'fine, coarse = schema.encode(revenue=[23.8], events={"sign_up": [1]})\n'
        'fine_value = int(fine[0])'
    ),
)


# ------------------------------------------------------------------ q2: Apple's random delay, first window
def _timing(lock=None):
    from helpers.skan_analysis import postback_timing

    return postback_timing(_data.lab(lock_window=lock))


def _median_delay() -> float:
    tm = _timing()
    return float(tm.loc[tm["postback_sequence_index"] == 0, "delay_hours"].median())


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="median_delay_hours",
    expected=_median_delay,
    checker=checks.with_mistakes(checks.number(rel=2e-3), [
        (lambda: float(_timing().loc[lambda d: d["postback_sequence_index"] == 0, "days_after_install"].median()),
         f"{_MSG}.q2.days_after_install"),
        (lambda: 24 * float(_timing().loc[lambda d: d["postback_sequence_index"] == 0, "days_after_install"].median()),
         f"{_MSG}.q2.hours_after_install"),
        (lambda: float(_timing()["delay_hours"].median()), f"{_MSG}.q2.all_windows"),
        (lambda expected: expected / 24, f"{_MSG}.q2.days"),
    ]),
    hints=3,
    solution_code=(
        'first = timing[timing["postback_sequence_index"] == 0]\n'
        'median_delay_hours = first["delay_hours"].median()'
    ),
)


# ------------------------------------------------------------------ q3: how much sooner a locked postback arrives
def _days(lock, only_locked: bool) -> float:
    tm = _timing(lock)
    first = tm[tm["postback_sequence_index"] == 0]
    if only_locked:
        first = first[first["locked"]]
    return float(first["days_after_install"].median())


def _sooner() -> float:
    return _days(None, False) - _days(LOCK_ON, True)


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="days_sooner",
    expected=_sooner,
    checker=checks.with_mistakes(checks.number(rel=5e-3), [
        (lambda: _days(LOCK_ON, True), f"{_MSG}.q3.locked_only"),
        (lambda: _days(None, False) - _days(LOCK_ON, False), f"{_MSG}.q3.all_postbacks"),
        (lambda expected: -expected, f"{_MSG}.q3.sign"),
        (lambda expected: expected * 24, f"{_MSG}.q3.hours"),
    ]),
    hints=3,
    solution_code=(
        'plain = timing[timing["postback_sequence_index"] == 0]\n'
        'locked = timing_locked[(timing_locked["postback_sequence_index"] == 0) & timing_locked["locked"]]\n'
        'days_sooner = plain["days_after_install"].median() - locked["days_after_install"].median()'
    ),
)

EXERCISES = [q1, q2, q3]
