"""Exercises of lesson 01.2 "Last touch, lookback windows and self-attributing networks".

Messages: ``helpers/locale/templates/attribution_lesson_1_2.pot``. Expected values are computed on first
use with :func:`helpers.attribution.attribute_installs` and :func:`helpers.widgets.credit_by_window`
on the committed data, and on :func:`san_example` (the hand-made example the lesson shows).
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "Q1_NETWORK", "san_example", "SAN_OPTIONS"]

COURSE, LESSON = "01-attribution", "01.2"
_MSG = "attribution.lesson_1_2"
ORGANIC = "organic"

#: The network asked about in q1 (the lesson's text names it too).
Q1_NETWORK = "applovin"
#: Answers q3 accepts: the letter of a touch in :func:`san_example`, or organic.
SAN_OPTIONS = ("A", "B", "C", "D", "organic")


def san_example(without: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lesson's hand-made example: three networks touch one phone, then it installs.

    Follows the example in AppsFlyer's guide to self-reporting networks: network A's click on
    Monday, network B's video view on Tuesday, network C's click on Wednesday and the install 30
    minutes later. A fourth touch (D) comes *after* the install. The touch IDs are the letters.
    ``without="C"`` leaves one touch out. Returns ``(touches, installs)``.
    """
    t = pd.Timestamp
    touches = pd.DataFrame({
        "touch_id": ["A", "B", "C", "D"],
        "device_id": ["idfa-7f3a"] * 4,
        "fingerprint": pd.Series([pd.NA] * 4, dtype="string"),
        "media_source": ["google_ads", "meta_ads", "tiktok_ads", "applovin"],
        "campaign": ["ua_broad", "ua_video", "ua_creators", "ua_broad"],
        "site_id": pd.Series([pd.NA, pd.NA, pd.NA, "site_0601"], dtype="string"),
        "touch_type": ["click", "impression", "click", "click"],
        "touch_time": [t("2025-03-03 10:00", tz="UTC"), t("2025-03-04 21:00", tz="UTC"),
                       t("2025-03-05 09:00", tz="UTC"), t("2025-03-05 10:15", tz="UTC")],
    })
    installs = pd.DataFrame({
        "install_id": ["install-1"],
        "device_id": ["idfa-7f3a"],
        "fingerprint": pd.Series([pd.NA], dtype="string"),
        "install_time": [t("2025-03-05 09:30", tz="UTC")],
    })
    for col in ("touch_id", "device_id", "media_source", "campaign", "touch_type"):
        touches[col] = touches[col].astype("string")
    for col in ("install_id", "device_id"):
        installs[col] = installs[col].astype("string")
    if without is not None:
        touches = touches[touches["touch_id"] != without].reset_index(drop=True)
    return touches, installs


# ------------------------------------------------------------------ data (lazy, cached per kernel)
@functools.cache
def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    from helpers.data import load

    return load("attribution/touches"), load("attribution/installs")


@functools.cache
def _attributed(click_lookback: str = "7D") -> pd.DataFrame:
    from helpers.attribution import attribute_installs

    touches, installs = _tables()
    return attribute_installs(touches, installs, click_lookback=click_lookback)


@functools.cache
def _credit(click_days: int = 7, view_hours: int = 24) -> pd.Series:
    from helpers.widgets import credit_by_window

    return credit_by_window(*_tables(), click_days=click_days, view_hours=view_hours)


# ------------------------------------------------------------------ q1: one-day click lookback
def _installs_of(network: str | None, click_lookback: str) -> int:
    """Installs credited to ``network`` (``None``: to any network) with this click lookback."""
    sources = _attributed(click_lookback)["media_source"]
    return int((sources != ORGANIC).sum() if network is None else (sources == network).sum())


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="applovin_1d",
    expected=lambda: _installs_of(Q1_NETWORK, "1D"),
    checker=checks.with_mistakes(
        checks.number(rel=0, abs_tol=0.5, integer=True),
        [
            (lambda: _installs_of(Q1_NETWORK, "7D"),
             Feedback(f"{_MSG}.q1.default_window", {"network": Q1_NETWORK})),
            (checks.answer_is(lambda v: 0 < v <= 1), f"{_MSG}.q1.share_not_count"),
            (lambda: _installs_of(None, "1D"),
             Feedback(f"{_MSG}.q1.all_networks", {"network": Q1_NETWORK})),
        ],
        abs_tol=0,  # counts: a mistake only when the answer is exactly that count
    ),
    hints=3,
    solution_code=(
        'one_day = attribute_installs(touches, installs, click_lookback="1D")\n'
        'applovin_1d = (one_day["media_source"] == "applovin").sum()'
    ),
)


# ------------------------------------------------------------------ q2: view-through switched off
def _q2_expected() -> int:
    return int(_credit(7, 0)[ORGANIC] - _credit(7, 24)[ORGANIC])


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="moved_to_organic",
    expected=_q2_expected,
    checker=checks.with_mistakes(
        checks.number(rel=0, abs_tol=0.5, integer=True),
        [
            (lambda expected: -expected, f"{_MSG}.q2.sign"),  # subtracted the wrong way round
            (lambda: _credit(7, 0)[ORGANIC], f"{_MSG}.q2.total_not_change"),
            (lambda: _credit(7, 24)[ORGANIC], f"{_MSG}.q2.total_not_change"),
        ],
        when={"check.number.too_high", "check.number.too_low", "check.number.wrong_sign"},
        abs_tol=0,  # counts: a mistake only when the answer is exactly that count
    ),
    hints=3,
    solution_code=(
        "no_views = credit_by_window(touches, installs, click_days=7, view_hours=0)\n"
        "defaults = credit_by_window(touches, installs, click_days=7, view_hours=24)\n"
        'moved_to_organic = no_views["organic"] - defaults["organic"]'
    ),
)


# ------------------------------------------------------------------ q3: the hand-made example without C
def _q3_expected() -> str:
    from helpers.attribution import attribute_installs

    touches, installs = san_example(without="C")
    result = attribute_installs(touches, installs)
    touch = result.loc[0, "touch_id"]
    return ORGANIC if pd.isna(touch) else str(touch)


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="credited_without_c",
    expected=_q3_expected,
    checker=checks.with_mistakes(checks.choice(SAN_OPTIONS), [
        ("B", f"{_MSG}.q3.view_later"),
        ("C", f"{_MSG}.q3.c_removed"),
        ("D", f"{_MSG}.q3.after_install"),
        (ORGANIC, f"{_MSG}.q3.organic"),
    ]),
    hints=3,
    solution_code=(
        'touches_no_c, install_no_c = san_example(without="C")\n'
        'credited_without_c = attribute_installs(touches_no_c, install_no_c).loc[0, "touch_id"]'
    ),
)


# ------------------------------------------------------------------ q4: CTIT within the first hour
def _first_hour_share(installs: pd.DataFrame) -> float:
    return float((installs["ctit"] <= pd.Timedelta(hours=1)).mean())


def _clicks() -> pd.DataFrame:
    attributed = _attributed("7D")
    return attributed[attributed["touch_type"] == "click"]


def _paid() -> pd.DataFrame:
    attributed = _attributed("7D")
    return attributed[attributed["media_source"] != ORGANIC]


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="first_hour_share",
    expected=lambda: _first_hour_share(_clicks()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: _first_hour_share(_paid()), f"{_MSG}.q4.impressions_included"),
        (lambda: _first_hour_share(_attributed("7D")), f"{_MSG}.q4.organic_included"),
        (lambda: float((_clicks()["ctit"] > pd.Timedelta(hours=1)).mean()), f"{_MSG}.q4.complement"),
        (checks.answer_is(lambda v: v > 1), f"{_MSG}.q4.count_not_share"),
    ]),
    hints=3,
    solution_code=(
        'clicks = attributed[attributed["touch_type"] == "click"]\n'
        'first_hour_share = (clicks["ctit"] <= pd.Timedelta(hours=1)).mean()'
    ),
)

EXERCISES = [q1, q2, q3, q4]
