"""Exercises of lesson 02.3 "Click flooding".

Messages: ``helpers/locale/templates/fraud_lesson_2_3.pot``. Expected values are computed on first use
with :mod:`helpers.fraud` on the course's seeded fraud world (what an MMP sees: installs and the
click log, never the simulation's truth).
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback
from helpers.exercises.fraud import _data

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "load_inputs", "clicks_and_installs",
           "MIN_CLICKS", "CR_LINE", "Q3_SOURCE", "Q3_SITE"]

COURSE, LESSON = "02-fraud", "02.3"
_MSG = "fraud.lesson_2_3"

#: Sites with fewer clicks than this are too small to judge by conversion rate (q1, q2).
MIN_CLICKS = 50
#: Adjust: a sub-publisher converting at most 0.05 % of its clicks is "almost certainly" click spam.
CR_LINE = 0.0005
#: The site asked about in q3 and q4 (the lesson's text names it too).
Q3_SOURCE, Q3_SITE = "mintegral", "site_0621"


# ------------------------------------------------------------------ data (lazy, cached per kernel)
#: The course's fraud world as an MMP sees it: :class:`helpers.fraud.FraudInputs` (cached).
load_inputs = _data.inputs


def clicks_and_installs(installs: pd.DataFrame, clicks: pd.DataFrame,
                        by: str | list[str] = ("media_source", "site_id")) -> pd.DataFrame:
    """Clicks (from the click log) and click-credited installs per source, side by side.

    ``by`` is ``"media_source"`` (per network) or ``["media_source", "site_id"]`` (per site, the
    default). Installs count only those credited to a click (``click_time`` present), so the two
    columns measure the same funnel. Sources with clicks but no installs get 0 installs.

    >>> inp = load_inputs()                                                 # doctest: +SKIP
    >>> clicks_and_installs(inp.installs, inp.clicks, by="media_source")    # doctest: +SKIP
    """
    by = [by] if isinstance(by, str) else list(by)
    credited = installs[installs["click_time"].notna()]
    table = pd.concat([clicks.groupby(by).size().rename("clicks"),
                       credited.groupby(by).size().rename("installs")], axis=1)
    return table.fillna(0).astype("int64").sort_values("clicks", ascending=False)


@functools.cache
def _sites() -> pd.DataFrame:
    inp = load_inputs()
    table = clicks_and_installs(inp.installs, inp.clicks)
    table["conversion"] = table["installs"] / table["clicks"]
    return table


def _big_sites(min_clicks: int = MIN_CLICKS) -> pd.DataFrame:
    table = _sites()
    return table[table["clicks"] >= min_clicks]


# ------------------------------------------------------------------ q1: the worst site's conversion
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="worst_conversion",
    expected=lambda: float(_big_sites()["conversion"].min()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda expected: 1 / expected, f"{_MSG}.q1.upside_down"),
        (lambda: float(_big_sites(1)["conversion"].min()), Feedback(f"{_MSG}.q1.tiny_sites", {"n": MIN_CLICKS})),
        (lambda: float(_big_sites()["conversion"].max()), f"{_MSG}.q1.best_site"),
        (lambda: float(_sites()["installs"].sum() / _sites()["clicks"].sum()), f"{_MSG}.q1.all_traffic"),
    ], when=checks.VALUE_KEYS | {"check.number.share_out_of_range"}),
    hints=3,
    solution_code=(
        'sites = clicks_and_installs(installs, clicks)\n'
        'big = sites[sites["clicks"] >= 50]\n'
        'worst_conversion = (big["installs"] / big["clicks"]).min()'
    ),
)


# ------------------------------------------------------------------ q2: sites under the 0.05 % line
def _under_line(min_clicks: int = MIN_CLICKS) -> int:
    return int((_big_sites(min_clicks)["conversion"] <= CR_LINE).sum())


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="sites_under_line",
    expected=_under_line,
    checker=checks.with_mistakes(
        checks.number(rel=0, abs_tol=0.5, integer=True),
        [
            (lambda: _under_line(1), Feedback(f"{_MSG}.q2.tiny_sites", {"n": MIN_CLICKS})),
            (lambda: len(_big_sites()), f"{_MSG}.q2.all_big_sites"),
            (lambda: int((_big_sites()["conversion"] > CR_LINE).sum()), f"{_MSG}.q2.above_line"),
            (lambda: int((_big_sites()["conversion"] <= 0.05).sum()), f"{_MSG}.q2.percent_line"),
        ],
        abs_tol=0,
    ),
    hints=3,
    solution_code=(
        'sites = clicks_and_installs(installs, clicks)\n'
        'big = sites[sites["clicks"] >= 50]\n'
        'sites_under_line = int(((big["installs"] / big["clicks"]) <= 0.0005).sum())'
    ),
)


# ------------------------------------------------------------------ q3: share of a site's installs after 24 h
def _site_installs(with_click: bool = True) -> pd.DataFrame:
    i = load_inputs().installs
    rows = i[(i["media_source"] == Q3_SOURCE) & (i["site_id"] == Q3_SITE)]
    return rows[rows["click_time"].notna()] if with_click else rows


def _share_over(rows: pd.DataFrame, column: str = "click") -> float:
    from helpers.fraud import ctit

    values = ctit(rows) if column == "click" else rows["ctit"]
    return float((values > pd.Timedelta(hours=24)).sum() / len(rows))


def _all_click_installs() -> pd.DataFrame:
    i = load_inputs().installs
    return i[i["click_time"].notna()]


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="share_over_24h",
    expected=lambda: _share_over(_site_installs()),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda expected: 1 - expected, f"{_MSG}.q3.complement"),
        (lambda: _share_over(_all_click_installs()), Feedback(f"{_MSG}.q3.all_sites", {"site": Q3_SITE})),
        (lambda: _share_over(_site_installs(False), "touch"), f"{_MSG}.q3.views_included"),
        (checks.answer_is(lambda v: v > 1), f"{_MSG}.q3.count_not_share"),
    ], when=checks.VALUE_KEYS | {"check.number.share_out_of_range"}),
    hints=3,
    solution_code=(
        'site = installs[(installs["site_id"] == "site_0621") & installs["click_time"].notna()]\n'
        'share_over_24h = (fraud.ctit(site) > pd.Timedelta(hours=24)).mean()'
    ),
)


# ------------------------------------------------------------------ q4: clicks from the busiest address
def _site_clicks() -> pd.DataFrame:
    c = load_inputs().clicks
    return c[(c["media_source"] == Q3_SOURCE) & (c["site_id"] == Q3_SITE)]


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="busiest_ip_clicks",
    expected=lambda: int(_site_clicks()["ip"].value_counts().max()),
    checker=checks.with_mistakes(
        checks.number(rel=0, abs_tol=0.5, integer=True),
        [
            (lambda: int(_site_clicks()["ip"].nunique()), f"{_MSG}.q4.distinct_ips"),
            (lambda: len(_site_clicks()), f"{_MSG}.q4.all_clicks"),
            (lambda: int(_site_clicks()["device_id"].value_counts().max()), f"{_MSG}.q4.per_device"),
            (lambda: int(load_inputs().clicks["ip"].value_counts().max()),
             Feedback(f"{_MSG}.q4.all_sites", {"site": Q3_SITE})),
        ],
        abs_tol=0,
    ),
    hints=3,
    solution_code=(
        'site_clicks = clicks[clicks["site_id"] == "site_0621"]\n'
        'busiest_ip_clicks = site_clicks["ip"].value_counts().max()'
    ),
)

EXERCISES = [q1, q2, q3, q4]
