"""Exercises of lesson 02.4 "SDK spoofing, fake in-app events, bots and device farms".

Messages: ``helpers/locale/templates/fraud_lesson_2_4.pot``. Expected values are computed on first use
with :mod:`helpers.fraud` and :mod:`ipaddress` on the course's seeded fraud world (what an MMP sees;
never the simulation's truth).
"""

from __future__ import annotations

import ipaddress

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback
from helpers.exercises.fraud import _data

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "load_inputs", "came_back", "in_ranges",
           "MIN_SITE_INSTALLS", "FARM_MIN_INSTALLS"]

COURSE, LESSON = "02-fraud", "02.4"
_MSG = "fraud.lesson_2_4"

#: The course's fraud world as an MMP sees it (shared with lesson 02.3).
load_inputs = _data.inputs

#: q3 compares sites with at least this many paid installs.
MIN_SITE_INSTALLS = 10
#: q4: the detector's ``farm_min_installs`` the lesson settles on for this month's data.
FARM_MIN_INSTALLS = 3


def in_ranges(ips: pd.Series, ranges) -> pd.Series:
    """True for each address (text) inside one of the networks ``ranges`` (CIDR text), e.g. datacenters.

    >>> in_ranges(pd.Series(["198.51.100.7", "100.64.3.2"]), ["198.51.100.0/24"]).tolist()
    [True, False]
    """
    nets = [ipaddress.ip_network(r) for r in ranges]
    return ips.map(lambda ip: pd.notna(ip) and any(ipaddress.ip_address(ip) in n for n in nets)).astype(bool)


def came_back(installs: pd.DataFrame, events: pd.DataFrame, after: str = "1D") -> pd.Series:
    """For each install (same index): did it have a ``session`` event at least ``after`` after the install?

    The simplest retention test: a person who plays again the next day or later "came back".

    >>> inp = load_inputs()                                      # doctest: +SKIP
    >>> came_back(inp.installs, inp.events).mean()               # doctest: +SKIP
    """
    sessions = events[events["event_name"] == "session"][["install_id", "event_time"]]
    joined = sessions.merge(installs[["install_id", "install_time"]], on="install_id")
    late = joined[joined["event_time"] - joined["install_time"] >= pd.Timedelta(after)]
    return installs["install_id"].isin(late["install_id"]).rename("came_back")


# ------------------------------------------------------------------ q1: impossible timestamp order
def _order_checks() -> dict[str, pd.Series]:
    i = load_inputs().installs
    return {
        "open_before_click": i["install_time"] < i["click_time"],
        "download_after_open": i["install_begin_time"] > i["install_time"],
        "referrer_after_download": i["referrer_click_time"] > i["install_begin_time"],
    }


def _impossible() -> int:
    c = _order_checks()
    return int((c["open_before_click"] | c["download_after_open"] | c["referrer_after_download"]).sum())


def _one_check(name: str) -> int | None:
    n = int(_order_checks()[name].sum())
    return n if n != _impossible() else None


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="impossible_order",
    expected=_impossible,
    checker=checks.with_mistakes(
        checks.number(rel=0, abs_tol=0.5, integer=True),
        [
            (lambda: _one_check("download_after_open"), f"{_MSG}.q1.one_check"),
            (lambda: _one_check("referrer_after_download"), f"{_MSG}.q1.one_check"),
            (lambda: sum(int(s.sum()) for s in _order_checks().values()), f"{_MSG}.q1.double_counted"),
            (lambda: len(load_inputs().installs), f"{_MSG}.q1.all_rows"),
        ],
        abs_tol=0,
    ),
    hints=3,
    solution_code=(
        'open_before_click = installs["install_time"] < installs["click_time"]\n'
        'download_after_open = installs["install_begin_time"] > installs["install_time"]\n'
        'referrer_after_download = installs["referrer_click_time"] > installs["install_begin_time"]\n'
        'impossible_order = (open_before_click | download_after_open | referrer_after_download).sum()'
    ),
)


# ------------------------------------------------------------------ q2: installs from datacenters
def _dc_installs() -> pd.Series:
    from helpers.fraud import DEFAULT_DATACENTER_RANGES

    return in_ranges(load_inputs().installs["ip"], DEFAULT_DATACENTER_RANGES)


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="datacenter_installs",
    expected=lambda: int(_dc_installs().sum()),
    checker=checks.with_mistakes(
        checks.number(rel=0, abs_tol=0.5, integer=True),
        [
            (lambda: int(load_inputs().installs["ip"][_dc_installs()].nunique()), f"{_MSG}.q2.distinct_ips"),
            (lambda: int((~_dc_installs()).sum()), f"{_MSG}.q2.complement"),
            (checks.answer_is(lambda v: 0 < v < 1), f"{_MSG}.q2.share_not_count"),
        ],
        abs_tol=0,
    ),
    hints=3,
    solution_code=(
        'networks = [ipaddress.ip_network(r) for r in fraud.DEFAULT_DATACENTER_RANGES]\n'
        'from_dc = installs["ip"].map(lambda ip: any(ipaddress.ip_address(ip) in n for n in networks))\n'
        'datacenter_installs = from_dc.sum()'
    ),
)


# ------------------------------------------------------------------ q3: installs per address, per site
def _per_site() -> pd.DataFrame:
    i = load_inputs().installs
    paid = i[i["media_source"] != "organic"]
    table = paid.groupby("site_id").agg(installs=("install_id", "size"), addresses=("ip", "nunique"))
    table["per_address"] = table["installs"] / table["addresses"]
    return table


def _sites_options() -> list[str]:
    return sorted(_per_site().index.astype(str))


def _big() -> pd.DataFrame:
    t = _per_site()
    return t[t["installs"] >= MIN_SITE_INSTALLS]


class _LazyOptions:
    """The site IDs of the data, computed when the first answer is checked."""

    def __call__(self, answer, expected):
        return checks.choice(_sites_options())(answer, expected)


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="farm_site",
    expected=lambda: str(_big()["per_address"].idxmax()),
    checker=checks.with_mistakes(_LazyOptions(), [
        (lambda: str(_big()["installs"].idxmax()), f"{_MSG}.q3.biggest"),
        (lambda: str(_per_site()["per_address"].idxmax()), Feedback(f"{_MSG}.q3.small_sites", {"n": MIN_SITE_INSTALLS})),
        (lambda: str(_big()["addresses"].idxmax()), f"{_MSG}.q3.most_addresses"),
        (lambda: str(_big()["per_address"].idxmin()), f"{_MSG}.q3.lowest"),
    ]),
    hints=3,
    wrong=lambda expected: str(_big()["installs"].idxmax()),
    solution_code=(
        'paid = installs[installs["media_source"] != "organic"]\n'
        'per_site = paid.groupby("site_id").agg(installs=("install_id", "size"), addresses=("ip", "nunique"))\n'
        'big = per_site[per_site["installs"] >= 10]\n'
        'farm_site = (big["installs"] / big["addresses"]).idxmax()'
    ),
)


# ------------------------------------------------------------------ q4: do farm installs come back?
def _flagged(farm_min_installs: int = FARM_MIN_INSTALLS) -> pd.DataFrame:
    from helpers.fraud import detect

    inp = load_inputs()
    return detect(inp.installs, inp.clicks, events=inp.events, farm_min_installs=farm_min_installs)


def _retention(mask_of) -> float | None:
    inp = load_inputs()
    back = came_back(inp.installs, inp.events)
    mask = mask_of(_flagged())
    return float(back[mask].mean()) if mask.any() else None


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="farm_came_back",
    expected=lambda: _retention(lambda f: f["fraud_type"] == "device_farm"),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda expected: 1 - expected, f"{_MSG}.q4.complement"),
        (lambda: _retention(lambda f: f["fraud_type"].isna()), f"{_MSG}.q4.not_flagged"),
        (lambda: _retention(lambda f: f["fraud_type"].notna()), f"{_MSG}.q4.all_flagged"),
        (lambda: float(came_back(load_inputs().installs, load_inputs().events).mean()), f"{_MSG}.q4.everyone"),
        (checks.answer_is(lambda v: v > 1), f"{_MSG}.q4.count_not_share"),
    ], when=checks.VALUE_KEYS | {"check.number.share_out_of_range"}),
    hints=3,
    solution_code=(
        'farm = flagged3["fraud_type"] == "device_farm"\n'
        'farm_came_back = came_back(installs, events)[farm].mean()'
    ),
)

EXERCISES = [q1, q2, q3, q4]
