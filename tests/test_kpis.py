"""Unit tests for helpers.kpis on small hand-worked tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers._validate import InputError, InputTypeError
from helpers.kpis import cohort_ltv, cpa, cpi, retention, roas


def ts(values):
    return pd.to_datetime(values, utc=True)


@pytest.fixture
def spend():
    return pd.DataFrame(
        {
            "date": ["2025-03-01", "2025-03-01", "2025-03-02", "2025-03-02"],
            "media_source": ["unity_ads", "meta_ads", "unity_ads", "meta_ads"],
            "campaign": ["u1", "m1", "u1", "m1"],
            "cost": [100.0, 300.0, 50.0, 0.0],
        }
    )


@pytest.fixture
def installs():
    return pd.DataFrame(
        {
            "install_id": ["i1", "i2", "i3", "i4", "i5"],
            "user_id": ["u1", "u2", "u3", "u4", "u5"],
            "media_source": ["unity_ads", "unity_ads", "meta_ads", "organic", "unity_ads"],
            "install_time": ts(
                [
                    "2025-03-01 10:00",
                    "2025-03-01 23:30",
                    "2025-03-01 12:00",
                    "2025-03-02 08:00",
                    "2025-03-02 09:00",
                ]
            ),
        }
    )


@pytest.fixture
def events():
    return pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
            "user_id": ["u1", "u2", "u2", "u3", "u1", "u5"],
            "install_id": ["i1", "i2", "i2", "i3", "i1", "i5"],
            "event_name": ["purchase", "session", "purchase", "purchase", "purchase", "session"],
            "event_time": ts(
                [
                    "2025-03-01 11:00",
                    "2025-03-02 00:10",
                    "2025-03-08 12:00",
                    "2025-03-02 12:00",
                    "2025-03-02 09:00",
                    "2025-03-03 10:00",
                ]
            ),
            "revenue": [10.0, np.nan, 5.0, 20.0, 3.0, np.nan],
        }
    )


def test_cpi_by_media_source(spend, installs):
    got = cpi(spend, installs)
    assert got.loc["unity_ads", "cost"] == 150.0
    assert got.loc["unity_ads", "installs"] == 3
    assert got.loc["unity_ads", "cpi"] == pytest.approx(50.0)
    assert got.loc["meta_ads", "cpi"] == 300.0
    assert got.loc["organic", "cost"] == 0.0 and got.loc["organic", "cpi"] == 0.0


def test_cpi_by_date_derives_install_day(spend, installs):
    got = cpi(spend, installs, by=["date", "media_source"])
    assert got.loc[(pd.Timestamp("2025-03-01"), "unity_ads"), "cpi"] == pytest.approx(50.0)
    assert got.loc[(pd.Timestamp("2025-03-02"), "unity_ads"), "cpi"] == pytest.approx(50.0)


def test_cpi_overall_and_no_installs_is_nan(spend, installs):
    assert cpi(spend, installs, by=None).loc["all", "cpi"] == pytest.approx(450.0 / 5)
    got = cpi(spend, installs[installs["media_source"] != "meta_ads"])
    assert np.isnan(got.loc["meta_ads", "cpi"])


def test_cpa_looks_up_source_from_installs(spend, installs, events):
    got = cpa(spend, events, event_name="purchase", installs=installs)
    assert got.loc["unity_ads", "actions"] == 3  # e1, e3, e5
    assert got.loc["unity_ads", "cpa"] == pytest.approx(50.0)
    users = cpa(spend, events, event_name="purchase", installs=installs, unique_users=True)
    assert users.loc["unity_ads", "actions"] == 2
    assert users.loc["meta_ads", "cpa"] == 300.0


def test_roas(spend, installs, events):
    got = roas(events, spend, installs=installs)
    assert got.loc["unity_ads", "revenue"] == pytest.approx(18.0)
    assert got.loc["unity_ads", "roas"] == pytest.approx(18.0 / 150.0)
    assert got.loc["meta_ads", "roas"] == pytest.approx(20.0 / 300.0)


def test_kpi_input_errors(spend, installs, events):
    with pytest.raises(InputError, match="spend is missing column 'cost'"):
        cpi(spend.drop(columns="cost"), installs)
    with pytest.raises(InputError, match=r"spend\['cost'\] must be non-negative"):
        cpi(spend.assign(cost=[1.0, -2.0, 0.0, 0.0]), installs)
    with pytest.raises(InputTypeError, match="must hold numbers"):
        cpi(spend.assign(cost=["1", "2", "3", "4"]), installs)
    with pytest.raises(InputError, match="pass installs="):
        cpa(spend, events)
    with pytest.raises(InputError, match="installs is missing column 'media_source'"):
        cpi(spend, installs.drop(columns="media_source"))


# --- cohorts ---------------------------------------------------------------------------------------


def test_retention_calendar_days_and_censoring(installs, events):
    # as_of 2025-03-03 00:00: day 1 is complete for 03-01 installers only (u1, u2, u3)
    got = retention(installs, events, days=[0, 1, 7], as_of="2025-03-03")
    assert got.loc[0, "users"] == 5 and got.loc[0, "retention"] == 1.0
    assert got.loc[1, "users"] == 3
    assert got.loc[1, "retained"] == 3  # u1 (purchase 03-02), u2 (session 03-02 00:10), u3 (purchase 03-02)
    assert np.isnan(got.loc[7, "retention"]) and got.loc[7, "users"] == 0


def test_retention_u3_counts_on_day_1(installs, events):
    got = retention(installs, events, days=[1], as_of="2025-03-03", by="media_source")
    assert got.loc[("meta_ads", 1), "retention"] == 1.0
    assert got.loc[("unity_ads", 1), "retention"] == 1.0


def test_retention_24h_basis_differs(installs, events):
    # u2 installed 23:30, session at 00:10 next day: calendar day 1, but within the first 24 h (day 0)
    # and the purchase on 03-08 12:00 is calendar day 7 but only 6 d 12.5 h after install (24h day 6)
    u2 = installs[installs.user_id == "u2"]
    cal = retention(u2, events, days=[1, 6, 7], as_of="2025-04-01")["retention"]
    h24 = retention(u2, events, days=[1, 6, 7], as_of="2025-04-01", day_basis="24h")["retention"]
    assert cal.tolist() == [1.0, 0.0, 1.0]
    assert h24.tolist() == [0.0, 1.0, 0.0]


def test_retention_counts_each_user_once_at_first_install(installs, events):
    doubled = pd.concat(
        [installs, installs.assign(install_id="x", install_time=installs.install_time + pd.Timedelta("5D"))]
    )
    pd.testing.assert_frame_equal(
        retention(doubled, events, as_of="2025-04-30"), retention(installs, events, as_of="2025-04-30")
    )


def test_cohort_ltv_is_cumulative_and_censored(installs, events):
    got = cohort_ltv(installs, events, days=[0, 1, 7], as_of="2025-03-09")
    # day 0: all 5 eligible; revenue on install day: u1 10
    assert got.loc[0, "users"] == 5 and got.loc[0, "revenue"] == 10.0
    # day 1: all 5 eligible (latest install day 03-02 -> day 1 = 03-03 complete); + u3 20 + u1 3
    assert got.loc[1, "revenue"] == 33.0 and got.loc[1, "ltv"] == pytest.approx(33.0 / 5)
    # day 7: only 03-01 installers (u1 u2 u3) complete; u2's 5.0 on 03-08 is day 7
    assert got.loc[7, "users"] == 3 and got.loc[7, "revenue"] == 38.0


def test_cohort_ltv_never_decreases_for_a_fixed_cohort(installs, events):
    got = cohort_ltv(installs, events, days=range(0, 10), as_of="2025-06-01")
    assert (got["users"] == 5).all()
    assert (np.diff(got["revenue"].to_numpy()) >= 0).all()


def test_cohort_ltv_by_source(installs, events):
    got = cohort_ltv(installs, events, days=[7], by="media_source", as_of="2025-06-01")
    assert got.loc[("unity_ads", 7), "ltv"] == pytest.approx(18.0 / 3)
    assert got.loc[("organic", 7), "ltv"] == 0.0


def test_cohort_errors(installs, events):
    with pytest.raises(InputError, match="day_basis"):
        retention(installs, events, day_basis="week")
    with pytest.raises(InputError, match="days must be non-negative"):
        cohort_ltv(installs, events, days=[-1])
    with pytest.raises(InputError, match="events is missing column 'event_time'"):
        retention(installs, events.drop(columns="event_time"))
    naive = installs.assign(install_time=installs.install_time.dt.tz_localize(None))
    with pytest.raises(TypeError, match="no time zone"):
        cohort_ltv(naive, events)
    with pytest.raises(InputTypeError, match="must hold numbers"):
        cohort_ltv(installs, events.assign(revenue="lots"))


def test_grouping_column_named_group_keeps_its_level():
    """Regression: a real column called 'group' must not be mistaken for 'no grouping'."""
    t0 = pd.Timestamp("2026-03-01", tz="UTC")
    inst = pd.DataFrame({"user_id": ["a", "b"], "install_time": [t0, t0], "group": ["x", "y"]})
    ev = pd.DataFrame({"user_id": ["a"], "event_time": [t0 + pd.Timedelta(days=1, hours=1)],
                       "event_name": ["session"], "revenue": [0.0]})
    out = retention(inst, ev, days=[1], by="group", as_of=t0 + pd.Timedelta(days=10))
    assert list(out.index.names) == ["group", "day"]
    assert out.loc[("x", 1), "retention"] == 1.0 and out.loc[("y", 1), "retention"] == 0.0
