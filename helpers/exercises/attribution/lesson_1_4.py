"""Practice exercises of lesson 01.4 "From attribution to money".

Expected values are computed lazily with :mod:`helpers.attribution` and :mod:`helpers.kpis` on the
seeded course data, exactly as the lesson does: installs attributed by the MMP's last-touch rules
(new installs only), purchases as revenue, and a "day-30 cohort" of installs old enough to have 30
complete days of data.
"""

from __future__ import annotations

import functools

import pandas as pd

from helpers.exercises import checks
from helpers.exercises.core import Exercise

__all__ = ["q1", "q2", "q3", "q4", "q5", "EXERCISES", "CPI_NETWORK", "cohort_window"]

_COURSE, _LESSON = "01-attribution", "01.4"

#: The network whose CPI exercise 1 asks for.
CPI_NETWORK = "tiktok_ads"
ORGANIC = "organic"


@functools.cache
def _data() -> dict[str, pd.DataFrame]:
    from helpers.attribution import attribute_installs
    from helpers.data import load

    touches, installs = load("attribution/touches"), load("attribution/installs")
    events, spend = load("attribution/events"), load("attribution/spend")
    attributed = attribute_installs(touches, installs)
    new_installs = attributed[attributed["install_type"] == "new"]
    purchases = events[events["event_name"] == "purchase"]
    return {"new_installs": new_installs, "events": events, "purchases": purchases, "spend": spend}


def cohort_window(installs: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(data_end, cohort_end)``: the end of the data (midnight after the last install day, UTC)
    and the cut-off before which installs have 30 complete days of data (``data_end - 31 days``).

    >>> i = pd.DataFrame({"install_time": pd.to_datetime(["2026-03-01 10:00", "2026-04-29 23:00"], utc=True)})
    >>> [str(t.date()) for t in cohort_window(i)]
    ['2026-04-30', '2026-03-30']
    """
    data_end = installs["install_time"].max().normalize() + pd.Timedelta("1D")
    return data_end, data_end - pd.Timedelta("31D")


def _cohort_roas(day: int) -> pd.Series:
    from helpers import kpis

    d = _data()
    data_end, cohort_end = cohort_window(d["new_installs"])
    cohort = d["new_installs"][d["new_installs"]["install_time"] < cohort_end]
    cohort_spend = d["spend"][d["spend"]["date"] < cohort_end]
    ltv = kpis.cohort_ltv(cohort, d["purchases"], days=[day], by="media_source", as_of=data_end)
    revenue = ltv.xs(day, level="day")["revenue"]
    cost = cohort_spend.groupby("media_source")["cost"].sum()
    paid = cost[cost > 0].index
    return (revenue.reindex(paid).fillna(0.0) / cost[paid]).rename("roas").sort_index()


def _cpi() -> float:
    from helpers import kpis

    d = _data()
    return float(kpis.cpi(d["spend"], d["new_installs"]).loc[CPI_NETWORK, "cpi"])


def _first_purchase_rate() -> float:
    d = _data()
    buyers = set(d["purchases"]["user_id"])
    users = d["new_installs"]["user_id"].drop_duplicates()
    return float(users.isin(buyers).mean())


def _d7_retention() -> pd.Series:
    from helpers import kpis

    d = _data()
    grouped = d["new_installs"].assign(
        source_type=lambda x: x["media_source"].where(x["media_source"] == ORGANIC, "paid").astype(str)
    )
    r = kpis.retention(grouped, d["events"], days=[7], by="source_type")
    return r.xs(7, level="day")["retention"].rename("d7_retention")


def _best_d30_ltv() -> str:
    from helpers import kpis

    d = _data()
    data_end, cohort_end = cohort_window(d["new_installs"])
    installs = d["new_installs"]
    cohort = installs[(installs["install_time"] < cohort_end) & (installs["media_source"] != ORGANIC)]
    ltv = kpis.cohort_ltv(cohort, d["purchases"], days=[30], by="media_source", as_of=data_end)
    return str(ltv.xs(30, level="day")["ltv"].idxmax())


def _networks() -> list[str]:
    d = _data()
    return sorted({str(s) for s in d["new_installs"]["media_source"].dropna()})


def _choice_of_networks(answer: object, expected: object):
    return checks.choice(_networks())(answer, expected)


def _another_network(expected: str) -> str:
    return next(n for n in _networks() if n not in (expected, ORGANIC))


q1 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q1",
    variable="cpi_network",
    expected=_cpi,
    checker=checks.number(rel=1e-3),
    hints=3,
    solution_code=f'cpi_network = kpis.cpi(spend, new_installs).loc["{CPI_NETWORK}", "cpi"]',
)

q2 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q2",
    variable="first_purchase_rate",
    expected=_first_purchase_rate,
    checker=checks.number(rel=1e-3, share=True),
    hints=3,
    solution_code=(
        'buyers = set(purchases["user_id"])\n'
        'first_purchase_rate = new_installs["user_id"].drop_duplicates().isin(buyers).mean()'
    ),
)

q3 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q3",
    variable="d7_roas",
    expected=lambda: _cohort_roas(7),
    checker=checks.mapping(rel=1e-3, total=False, what="network"),
    hints=3,
    solution_code=(
        'd7 = kpis.cohort_ltv(cohort, purchases, days=[7], by="media_source", as_of=data_end)\n'
        'd7_revenue = d7.xs(7, level="day")["revenue"]\n'
        'd7_roas = (d7_revenue / cohort_cost).dropna()'
    ),
)

q4 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q4",
    variable="d7_retention",
    expected=_d7_retention,
    checker=checks.mapping(rel=1e-3, total=False, what="group"),
    hints=3,
    solution_code=(
        'grouped = new_installs.assign(source_type=new_installs["media_source"].where(\n'
        '    new_installs["media_source"] == "organic", "paid").astype(str))\n'
        'd7 = kpis.retention(grouped, events, days=[7], by="source_type")\n'
        'd7_retention = d7.xs(7, level="day")["retention"]'
    ),
)

q5 = Exercise(
    course=_COURSE, lesson=_LESSON, name="q5",
    variable="best_ltv_network",
    expected=_best_d30_ltv,
    checker=_choice_of_networks,
    hints=3,
    solution_code='best_ltv_network = ltv_table[30].drop("organic").idxmax()',
    wrong=_another_network,
)

EXERCISES = [q1, q2, q3, q4, q5]
