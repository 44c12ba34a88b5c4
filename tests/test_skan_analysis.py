"""helpers.skan_analysis: signal kept per tier, calibration, revenue and ROAS estimates from postbacks,
measured against the simulated world's truth (including two statistical tests)."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers import skan
from helpers import skan_analysis as sa
from helpers.skan import ConversionSchema
from helpers.synth import generate_world
from helpers.synth.views.skan import skan_view

SMALL = 30_000  # people in the worlds built only for these tests


@pytest.fixture(scope="module")
def view():
    return sa.skan_lab("gaming")


@pytest.fixture(scope="module")
def world():
    return sa.skan_world("gaming")


# ---- signal kept ------------------------------------------------------------------------------


def test_signal_kept_hand_cases():
    rev = [0.0, 0.0, 5.0, 50.0]
    assert sa.signal_kept(rev, [0, 0, 1, 2]) == pytest.approx(1.0)
    assert sa.signal_kept(rev, ["a"] * 4) == 0.0
    # low/low/low/high: within spread is that of (0, 0, 5) around 5/3; total around 13.75
    within = sum((x - 5 / 3) ** 2 for x in (0, 0, 5))
    total = sum((x - 13.75) ** 2 for x in rev)
    assert sa.signal_kept(rev, ["low", "low", "low", "high"]) == pytest.approx(1 - within / total)
    assert sa.signal_kept([3.0, 3.0], [0, 1]) == 0.0  # no differences to explain
    # a missing group is one more group of its own
    assert sa.signal_kept([0.0, 0.0, 9.0], [None, None, 1]) == pytest.approx(1.0)


def test_signal_kept_bad_input():
    with pytest.raises(ValueError, match="groups has 2"):
        sa.signal_kept([1.0, 2.0, 3.0], [0, 1])
    with pytest.raises(ValueError, match="missing"):
        sa.signal_kept([1.0, float("nan")], [0, 1])


@pytest.mark.parametrize("seed", range(5))
def test_finer_buckets_never_keep_less_signal(seed):
    rng = np.random.default_rng(seed)
    rev = np.where(rng.random(2_000) < 0.1, rng.lognormal(2, 1.2, 2_000), 0.0)
    coarse_edges = np.sort(rng.uniform(0.01, 50, 3))
    fine_edges = np.sort(np.concatenate([coarse_edges, rng.uniform(0.01, 200, 5)]))
    coarse = sa.signal_kept(rev, np.searchsorted(coarse_edges, rev, side="right"))
    fine = sa.signal_kept(rev, np.searchsorted(fine_edges, rev, side="right"))
    assert 0 <= coarse <= fine + 1e-12 <= 1 + 1e-12


def test_signal_by_tier_on_the_course_world(view):
    tiers = sa.signal_by_tier(view)
    assert list(tiers.index) == [0, 1, 2, 3]
    assert tiers.loc[0, "signal_kept"] == 0.0
    assert 0 < tiers.loc[1, "signal_kept"] < tiers.loc[2, "signal_kept"] <= 1
    assert tiers["share"].sum() == pytest.approx(1.0)
    assert tiers["postbacks"].sum() == len(sa.first_postbacks(view, 0))
    later = sa.signal_by_tier(view, 2)
    assert later.loc[2, "signal_kept"] == later.loc[1, "signal_kept"]  # later windows: coarse only
    assert later.loc[0, "postbacks"] == 0 and later.loc[0, "shows"] == "no postback"


def test_signal_by_tier_matches_the_schema_designs(view):
    """A revenue schema keeps more revenue signal at tier 2 than a funnel schema (lesson 04.4)."""
    revenue = sa.signal_by_tier(sa.skan_lab("gaming", ConversionSchema(revenue_edges=[0.01, 2, 5, 10, 20, 50, 100])))
    funnel = sa.signal_by_tier(sa.skan_lab("gaming", ConversionSchema(events=["sign_up", "purchase", "purchase:2"])))
    assert revenue.loc[2, "signal_kept"] > funnel.loc[2, "signal_kept"] + 0.2


# ---- calibration and estimates ----------------------------------------------------------------------


def test_calibration_is_the_average_revenue_per_value(view):
    cal = sa.calibrate(view, 0)
    rows = sa.first_postbacks(view, 0)
    by_fine = rows.groupby(rows["fine_value"].astype(int))["revenue_cumulative"].mean()
    pd.testing.assert_series_equal(cal["fine"].sort_index(), by_fine.sort_index(), check_names=False,
                                   check_index_type=False)
    assert cal["overall"] == pytest.approx(rows["revenue_cumulative"].mean())
    assert list(cal["coarse"].index) == ["low", "medium", "high"]
    assert cal["coarse"]["low"] <= cal["coarse"]["medium"] <= cal["coarse"]["high"]
    assert "Calibration(window=0" in repr(cal)


def test_estimate_revenue_hand_case():
    cal = sa.Calibration(window=0, fine=pd.Series({0: 0.0, 5: 12.0}), coarse=pd.Series({"low": 0.0, "medium": 3.0,
                                                                                         "high": 40.0}), overall=2.5)
    post = pd.DataFrame({
        "conversion_value": pd.array([5, None, None, None, 9], dtype="Int64"),
        "coarse_conversion_value": pd.array([None, "high", None, None, None], dtype="string"),
        "did_win": [True, True, True, False, True],
    })
    assert sa.estimate_revenue(post, cal).tolist() == [12.0, 40.0, 2.5, 0.0, 2.5]  # unknown fine 9 -> null value
    assert sa.estimate_revenue(post, cal, null_value="zero").tolist() == [12.0, 40.0, 0.0, 0.0, 0.0]
    assert sa.estimate_revenue(post, cal, null_value=1.0).tolist()[2] == 1.0
    with pytest.raises(ValueError, match="null_value"):
        sa.estimate_revenue(post, cal, null_value="median")
    with pytest.raises(ValueError, match="calibration"):
        sa.estimate_revenue(post, {"fine": {}}, null_value="zero")
    with pytest.raises(ValueError, match="did_win"):
        sa.estimate_revenue(post.drop(columns="did_win"), cal)


def test_with_every_fine_value_visible_the_estimate_is_exact(world):
    """Calibrated on the same installs, fine values reproduce total revenue exactly (a consistency check)."""
    v = sa.skan_lab("gaming", scale=50)  # crowds big enough for tier 2+ everywhere
    rows = sa.first_postbacks(v, 0)
    assert (rows["tier"] >= 2).all()
    rows = rows[rows["app_active"]]
    est = sa.estimate_revenue(rows, sa.calibrate(v, 0), null_value="zero")
    assert est.sum() == pytest.approx(rows["revenue_cumulative"].sum(), rel=1e-9)


def test_statistical_out_of_sample_estimate_is_unbiased():
    """Calibrate on one world, estimate the revenue of another (different seed) from its postbacks:
    the total is within 4 standard errors of the truth. Per fine value b with n_b installs in the
    estimated world and m_b in the calibration world, the error has variance about
    var_b * (n_b + n_b**2 / m_b) (the installs' own spread plus the calibration mean's)."""
    from helpers.synth.views.skan import DEFAULT_SCHEMA

    a = skan_view(generate_world(SMALL, seed=11, vertical="ecommerce"), seed=1, scale=50)
    b = skan_view(generate_world(SMALL, seed=12, vertical="ecommerce"), seed=2, scale=50)
    cal = sa.calibrate(a, 0, schema=DEFAULT_SCHEMA)
    assert set(range(DEFAULT_SCHEMA.n_values)) <= set(cal["fine"].index)  # unseen values filled from the schema
    rows_a = sa.first_postbacks(a, 0)
    stats_a = rows_a.groupby(rows_a["fine_value"].astype(int))["revenue_cumulative"].agg(["size", "var"])
    pooled = float(stats_a["var"].max())  # a cautious spread for values seen once or never
    rows_b = sa.first_postbacks(b, 0)
    n_b = rows_b.groupby(rows_b["fine_value"].astype(int)).size()
    m_b = stats_a["size"].reindex(n_b.index).fillna(1.0)
    var_b = stats_a["var"].reindex(n_b.index).fillna(pooled)
    se = math.sqrt(float((var_b * (n_b + n_b**2 / m_b)).sum()))
    est = sa.estimate_revenue(rows_b, cal, null_value="zero").sum()
    truth = rows_b["revenue_cumulative"].sum()
    assert truth > 0 and se > 0
    assert abs(est - truth) < 4 * se, (est, truth, se)
    assert abs(est / truth - 1) < 0.05


def test_statistical_roas_error_shrinks_with_campaign_size(view, world):
    """Against the truth: big campaigns (mostly tier 2) are estimated much better than small ones."""
    report = sa.campaign_report(view, world)
    by_size = sa.roas_error_by_size(report, edges=(0, 300, 1000, 10**9))
    small, big = by_size["revenue_weighted_error"].iloc[0], by_size["revenue_weighted_error"].iloc[-1]
    assert big < 0.1 and small > 2 * big
    assert report.loc[report["installs"] >= 1000, "tier_2_share"].mean() > 0.7
    assert report.loc[report["installs"] < 300, "tier_2_share"].max() < 0.1


def test_campaign_report_truth_matches_the_view(view, world):
    """The report's true revenue (from the world's events) equals the SKAN view's own truth column."""
    report = sa.campaign_report(view, world, window=0)
    rows = sa.first_postbacks(view, 0)
    direct = rows.groupby(["media_source", "campaign"])["revenue_cumulative"].sum()
    got = report.set_index(["media_source", "campaign"])["true_revenue"]
    pd.testing.assert_series_equal(got.sort_index(), direct.reindex(got.index).sort_index(), check_names=False,
                                   rtol=1e-9)
    assert report["installs"].sum() == len(rows)
    assert (report["spend"] > 0).all()
    ok = report["true_revenue"] > 0
    np.testing.assert_allclose(report.loc[ok, "roas_error"],
                               report.loc[ok, "estimated_roas"] / report.loc[ok, "true_roas"] - 1, rtol=1e-9)
    with pytest.raises(ValueError, match="calibration is for window 0"):
        sa.campaign_report(view, world, window=2, calibration=sa.calibrate(view, 0))


def test_later_windows_count_installs_without_a_later_postback(view, world):
    r0 = sa.campaign_report(view, world, window=0)
    r2 = sa.campaign_report(view, world, window=2)
    assert 0 < r2["installs"].sum() < r0["installs"].sum()  # only installs whose 35 days are over
    assert r2["true_revenue"].sum() > 0
    assert set(r2["campaign"]) <= set(r0["campaign"])


def test_ios_spend_is_a_part_of_the_spend(world):
    ios = sa.ios_spend(world)
    total = world.spend.groupby(["media_source", "campaign"])["cost"].sum()
    assert (ios <= total.reindex(ios.index) + 1e-9).all() and ios.sum() > 0
    assert 0.2 < ios.sum() / total.sum() < 0.8


def test_roas_error_by_size_hand_case():
    report = pd.DataFrame({"installs": [50, 80, 500, 2000], "roas_error": [0.5, -0.3, 0.1, -0.02],
                           "true_revenue": [10.0, 20.0, 100.0, 1000.0],
                           "estimated_revenue": [15.0, 14.0, 110.0, 980.0]})
    out = sa.roas_error_by_size(report, edges=(0, 100, 1000, 10**9))
    assert out["campaigns"].tolist() == [2, 1, 1]
    assert out["median_abs_error"].iloc[0] == pytest.approx(0.4)
    assert out["revenue_weighted_error"].iloc[0] == pytest.approx(11 / 30)
    assert list(out.index) == ["0–99", "100–999", "1,000+"]
    with pytest.raises(ValueError, match="increasing"):
        sa.roas_error_by_size(report, edges=(0, 100, 50))


# ---- worlds, schemas, timing, logs, AAK --------------------------------------------------------------


def test_world_and_lab_are_cached_and_checked(view):
    assert sa.skan_world("gaming") is sa.skan_world("gaming", sa.WORLD_USERS)
    assert sa.skan_lab("gaming") is view
    with pytest.raises(ValueError, match="verticals"):
        sa.skan_world("casino")
    with pytest.raises(ValueError, match="ConversionSchema"):
        sa.skan_lab("gaming", schema="revenue")
    with pytest.raises(ValueError, match="window"):
        sa.first_postbacks(view, 3)


def test_revenue_schema():
    s = sa.revenue_schema([20, 0.01, 5])
    assert s.revenue_edges == (0.01, 5.0, 20.0) and s.coarse_revenue == (0.01, 5.0)
    assert sa.revenue_schema([1, 2], coarse=(1, 2)).coarse_revenue == (1.0, 2.0)
    with pytest.raises(ValueError, match="64"):
        sa.revenue_schema(range(1, 70))


def test_postback_timing_follows_apples_delays(view):
    tm = sa.postback_timing(view)
    first = tm[tm["postback_sequence_index"] == 0]
    later = tm[tm["postback_sequence_index"] > 0]
    assert first["delay_hours"].between(24, 48).all() and later["delay_hours"].between(24, 144).all()
    assert first["days_after_install"].between(3, 4).all()
    locked = sa.postback_timing(sa.skan_lab("gaming", lock_window={0: "purchase"}))
    lf = locked[(locked["postback_sequence_index"] == 0) & locked["locked"]]
    assert len(lf) > 0 and lf["days_after_install"].median() < first["days_after_install"].median()


def test_postback_log_is_deterministic_and_has_the_edits(view):
    log = sa.postback_log(view, n=60, tampered=5, revalued=4, seed=3)
    assert log == sa.postback_log(view, n=60, tampered=5, revalued=4, seed=3)
    key = skan.test_signing_key().public_key()
    assert sum(not skan.verify_postback(pb, key) for pb in log) == 5
    assert not any(skan.verify_postback(pb) for pb in log)  # the test key is not Apple's
    with pytest.raises(ValueError, match="tampered"):
        sa.postback_log(view, n=5, tampered=4, revalued=4)


def test_apple_examples_verify():
    for pb in sa.APPLE_EXAMPLE_POSTBACKS.values():
        assert skan.verify_postback(pb)
    assert skan.verify_postback(sa.AAK_EXAMPLE_POSTBACK)
    assert skan.decode_aak_postback(sa.AAK_EXAMPLE_POSTBACK)["conversion_type"] == "re-engagement"
    tampered = dict(sa.APPLE_EXAMPLE_POSTBACKS["4.0 fine"], **{"did-win": False})
    assert not skan.verify_postback(tampered)


def test_att_summary():
    from helpers.data import load_world

    s = sa.att_summary(load_world("world-gaming"))
    assert s.loc["android", "with_advertising_id"] == 1.0
    assert 0 < s.loc["ios", "with_advertising_id"] < 1
