"""The MMP and Attribution Reporting API views of a simulated world, and the comparison helpers.

Statistical checks use bounds of about 4.5 standard errors, so an honest implementation fails them
with a probability far below one in a hundred thousand; seeds are fixed, so the runs are repeatable.
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from helpers import privacy_sandbox as ps
from helpers.synth import generate_world
from helpers.synth.compare import COLUMNS, compare, plot_comparison, truth_vs_ara, truth_vs_mmp
from helpers.synth.views.ara import ara_view
from helpers.synth.views.mmp import TRUTH_COLUMNS, mmp_view

HIDDEN = ("user_id", "true_source", "fraud_type", "acquisition")


@pytest.fixture(scope="module")
def world():
    return generate_world(12_000, seed=5, vertical="ecommerce")


@pytest.fixture(scope="module")
def mmp(world):
    return mmp_view(world)


# ---- MMP -------------------------------------------------------------------------------------


def test_mmp_view_hides_truth_and_keeps_it_apart(world, mmp):
    for frame in (mmp.installs, mmp.events):
        assert not set(HIDDEN) & set(frame.columns)
    assert set(TRUTH_COLUMNS) >= set(HIDDEN)
    assert mmp.truth["install_id"].is_unique
    assert mmp.truth["install_id"].tolist() == mmp.installs["install_id"].tolist()
    assert {"true_source", "user_id", "att_consent"} <= set(mmp.truth.columns)
    assert len(mmp.installs) == len(world.installs) and len(mmp.events) == len(world.events)


def test_mmp_view_drops_fraud_labels_when_the_world_has_them(world):
    installs = world.installs.assign(fraud_type=pd.Series([pd.NA] * len(world.installs), dtype="string"))
    installs.loc[installs.index[:5], "fraud_type"] = "bot"
    labelled = dataclasses.replace(world, installs=installs,
                                   events=world.events.assign(fraud_type=pd.NA),
                                   touches=world.touches.assign(fraud_type=pd.NA))
    view = mmp_view(labelled)
    assert "fraud_type" not in view.installs.columns and "fraud_type" not in view.events.columns
    assert (view.truth["fraud_type"] == "bot").sum() == 5


def test_mmp_device_ids_only_where_shared(world, mmp):
    ins = mmp.installs.merge(mmp.truth[["install_id", "att_consent"]], on="install_id")
    no_consent = (ins["platform"] == "ios") & ~ins["att_consent"].astype(bool)
    assert ins.loc[no_consent, "device_id"].isna().all()
    assert ins.loc[ins["platform"] == "android", "device_id"].notna().all()
    # without an IDFA nothing can be matched on the device ID, only probabilistically
    assert not ins.loc[no_consent, "match_type"].isin(["device_id", "self_attributing_claim"]).any()


def test_ios_without_consent_looks_more_organic(mmp):
    df = truth_vs_mmp(None, by=["platform", "att_consent", "media_source"], view=mmp)
    organic = df[df["media_source"] == "organic"].set_index(["platform", "att_consent"])
    assert organic.loc[("ios", False), "difference"] > 0.5 * organic.loc[("ios", False), "truth"]
    # paid networks lose installs there; self-attributing networks cannot claim without an IDFA
    paid = df[(df["platform"] == "ios") & (df["att_consent"] == False) & (df["media_source"] != "organic")]  # noqa: E712
    assert paid["view"].sum() < paid["truth"].sum()
    san = paid[paid["media_source"].isin(["google_ads", "meta_ads", "apple_search_ads", "tiktok_ads"])]
    assert san["view"].sum() < 0.5 * san["truth"].sum()


def test_mmp_events_carry_their_install_attribution(mmp):
    credit = mmp.installs.set_index("install_id")["media_source"]
    assert (mmp.events["media_source"] == mmp.events["install_id"].map(credit)).all()
    total = truth_vs_mmp(None, metric="revenue", view=mmp)
    assert total["truth"].sum() == pytest.approx(total["view"].sum())


def test_mmp_view_is_deterministic_and_passes_options(world, mmp):
    again = mmp_view(world)
    pd.testing.assert_frame_equal(mmp.installs, again.installs)
    pd.testing.assert_frame_equal(mmp.events, again.events)
    strict = mmp_view(world, probabilistic_window="0s", view_lookback="0s")
    assert (strict.installs["media_source"] == "organic").sum() > (mmp.installs["media_source"] == "organic").sum()
    assert strict.options == {"probabilistic_window": "0s", "view_lookback": "0s"}


# ---- ARA: event level ----------------------------------------------------------------------------


def _binomial_ok(k, n, p, z=4.5):
    return abs(k - n * p) <= z * math.sqrt(n * p * (1 - p)) + 1e-9


def test_ara_reports_hide_noise_and_respect_the_spec_limits(world):
    view = ara_view(world, epsilon=9, seed=1)
    assert "noised" not in view.event_reports.columns and "user_id" not in view.event_reports.columns
    assert view.report_truth["report_id"].tolist() == view.event_reports["report_id"].tolist()
    rep = view.event_reports
    nav, ev = rep[rep["source_type"] == "navigation"], rep[rep["source_type"] == "event"]
    assert nav["trigger_data"].between(0, 7).all() and ev["trigger_data"].between(0, 1).all()
    assert nav["report_window"].between(0, 2).all() and (ev["report_window"] == 0).all()
    assert nav.groupby("source_event_id").size().max() <= 3
    assert ev.groupby("source_event_id").size().max() <= 1
    assert set(rep["randomized_trigger_rate"]) <= {round(ps.flip_probability(2925, 9), 7),
                                                   round(ps.flip_probability(3, 9), 7)}
    cfg = view.config
    assert cfg["navigation"]["states"] == 2925 and cfg["event"]["states"] == 3
    # report time: source time + end of window (2 d, 7 d, 30 d)
    src_time = view.sources.set_index("source_event_id")["source_time"]
    delay = (rep["scheduled_report_time"] - rep["source_event_id"].map(src_time)).dt.total_seconds() / 86_400
    ends = np.where(rep["source_type"] == "navigation", np.array([2, 7, 30])[rep["report_window"]], 30)
    assert np.allclose(delay, ends)
    assert not view.sources["source_event_id"].isin(
        world.touches.loc[world.touches["user_id"].map(world.users.set_index("user_id")["platform"]) == "ios",
                          "touch_id"]).any()


def test_ara_noise_rate_matches_flip_probability(world):
    eps = 9.0
    view = ara_view(world, epsilon=eps, seed=2)
    st = view.source_truth.merge(view.sources[["source_event_id", "source_type"]], on="source_event_id")
    for stype, k in (("navigation", 2925), ("event", 3)):
        s = st[st["source_type"] == stype]
        assert _binomial_ok(int(s["noised"].sum()), len(s), ps.flip_probability(k, eps))
    # at a lower epsilon views are noised too
    view = ara_view(world, epsilon=1.0, seed=3)
    st = view.source_truth.merge(view.sources[["source_event_id", "source_type"]], on="source_event_id")
    s = st[st["source_type"] == "event"]
    assert _binomial_ok(int(s["noised"].sum()), len(s), ps.flip_probability(3, 1.0))


def test_ara_without_noise_reports_exactly_the_truth(world):
    view = ara_view(world, epsilon=math.inf, seed=0)
    assert not view.report_truth["noised"].any()
    assert view.report_truth["conversion_id"].notna().all()
    assert len(view.event_reports) == int(view.conversion_truth["reported"].sum())
    assert len(view.event_reports) == int(view.source_truth["true_reports"].sum())


def test_ara_reports_from_unnoised_sources_are_true(world):
    view = ara_view(world, epsilon=8, seed=4)
    truth = view.report_truth.merge(view.event_reports[["report_id", "source_event_id"]], on="report_id")
    noised_src = set(view.source_truth.loc[view.source_truth["noised"], "source_event_id"])
    assert (truth["noised"] == truth["source_event_id"].isin(noised_src)).all()
    assert truth.loc[~truth["noised"], "conversion_id"].notna().all()


def test_ara_debiased_counts_are_unbiased_on_average():
    small = generate_world(4_000, seed=9, vertical="ecommerce")
    exact = ara_view(small, epsilon=math.inf).estimate_conversions("media_source", "install").set_index(
        "media_source")["estimate"]
    eps = 8.5
    runs = [ara_view(small, epsilon=eps, seed=s).estimate_conversions("media_source", "install").set_index(
        "media_source")["estimate"] for s in range(40)]
    runs = pd.concat(runs, axis=1).reindex(exact.index).fillna(0)
    mean, se = runs.mean(axis=1), runs.std(axis=1, ddof=1) / math.sqrt(runs.shape[1])
    assert (abs(mean - exact) <= 4.5 * se + 0.5).all()
    raw = [ara_view(small, epsilon=eps, seed=s).estimate_conversions("media_source", "install").set_index(
        "media_source")["reports"] for s in range(3)]
    assert (pd.concat(raw, axis=1).mean(axis=1).reindex(exact.index) != exact).any()


def test_ara_is_deterministic_by_seed(world):
    a, b = ara_view(world, epsilon=8, seed=7), ara_view(world, epsilon=8, seed=7)
    pd.testing.assert_frame_equal(a.event_reports, b.event_reports)
    pd.testing.assert_frame_equal(a.contributions, b.contributions)
    pd.testing.assert_frame_equal(a.summary_report(10).report, b.summary_report(10).report)
    c = ara_view(world, epsilon=8, seed=8)
    assert not a.event_reports[["source_event_id", "trigger_data"]].equals(c.event_reports[["source_event_id",
                                                                                             "trigger_data"]])


# ---- ARA: aggregatable --------------------------------------------------------------------------


def test_aggregatable_contributions_respect_the_budget_and_key_layout(world):
    view = ara_view(world, seed=0, budget_split=0.25, max_conversions_per_source=2)
    con = view.contributions
    assert con.groupby("source_event_id")["value"].sum().max() <= ps.CONTRIBUTION_BUDGET
    assert con["value"].between(1, ps.CONTRIBUTION_BUDGET).all()
    scaling = view.config["aggregatable"]["scaling"]
    assert (con.loc[con["question"] == "count", "value"] == math.floor(0.25 * 65536 / 2)).all()
    assert scaling["revenue"] == pytest.approx(0.75 * 65536 / (2 * 200.0))
    assert con["bucket"].str.fullmatch(r"0x[0-9a-f]{32}").all()
    keys = [int(h, 16) for h in con["bucket"]]
    assert max(keys) < 2**128
    assert [k & 0xFF for k in keys] == con["value_bucket"].tolist()
    assert [(k >> 8) & 0xFF for k in keys] == con["question"].map({"count": 0, "revenue": 1}).tolist()
    assert [(k >> 64) & 0xFF for k in keys] == con["country"].map({"JP": 0, "KR": 1, "US": 2}).tolist()
    # every purchase of a source beyond what the budget planned for is dropped
    one = ara_view(world, seed=0, budget_split=0.5, max_conversions_per_source=1)
    per_source = one.contributions[one.contributions["question"] == "count"].groupby("source_event_id").size()
    assert per_source.max() == 1
    only_count = ara_view(world, seed=0, budget_split=1.0)
    assert set(only_count.contributions["question"]) == {"count"}


def test_summary_report_noise_variance_is_two_scale_squared(world):
    view = ara_view(world, seed=0)
    eps = 10.0
    b = ps.aggregation_noise_scale(eps)
    noise = []
    for s in range(25):
        sr = view.summary_report(eps, seed=s)
        assert (sr.report["bucket"] == sr.truth["bucket"]).all()
        noise.append(sr.report["value"].to_numpy() - sr.truth["true_value"].to_numpy())
    noise = np.concatenate(noise).astype(float)
    n = len(noise)
    # Laplace: var(s^2) ~ (mu4 - sigma^4) / n = 20 b^4 / n
    assert abs(noise.var(ddof=1) - 2 * b**2) <= 4.5 * math.sqrt(20 * b**4 / n)
    assert abs(noise.mean()) <= 4.5 * math.sqrt(2) * b / math.sqrt(n)
    sr = view.summary_report(eps, seed=0)
    assert np.allclose(sr.report["std_error"] * sr.report["question"].map(view.config["aggregatable"]["scaling"]),
                       math.sqrt(2) * b)
    # truth: without drops the count estimate is the number of attributed purchases
    t = sr.truth[sr.truth["question"] == "count"]
    assert (t["true_estimate"] <= t["true_conversions"]).all()


@pytest.mark.parametrize("kwargs, match", [
    ({"budget_split": 1.5}, "budget_split"), ({"budget_split": {"count": 0.7, "revenue": 0.7}}, "budget_split"),
    ({"budget_split": {"clicks": 1.0}}, "unknown"), ({"purchase_value_edges": (1, 2)}, "purchase_value_edges"),
    ({"epsilon": -1}, "epsilon"), ({"source_expiry_days": 31}, "source_expiry_days"),
    ({"revenue_cap": 0}, "revenue_cap"),
])
def test_ara_validation(world, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ara_view(world, **kwargs)


# ---- comparisons ----------------------------------------------------------------------------------


def test_compare_returns_the_documented_columns():
    df = compare(pd.DataFrame({"net": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]}),
                 pd.DataFrame({"net": ["a", "c"], "x": [2.0, 1.0]}), by="net", metric="x")
    assert list(df.columns) == ["net", *COLUMNS]
    rows = df.set_index("net")
    assert rows.loc["a"].tolist() == [4.0, 2.0, -2.0, -0.5]
    assert rows.loc["b", "view"] == 0.0 and rows.loc["c", "truth"] == 0.0
    assert math.isnan(rows.loc["c", "relative_error"])
    with pytest.raises(ValueError, match="no column"):
        compare(pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]}), by="net", metric="x")


def test_truth_vs_mmp_and_ara_tables(world, mmp):
    df = truth_vs_mmp(world, by="media_source", view=mmp)
    assert list(df.columns) == ["media_source", *COLUMNS]
    assert df["truth"].sum() == df["view"].sum() == len(world.installs)
    with pytest.raises(ValueError, match="campaign"):
        truth_vs_mmp(world, by="campaign", view=mmp)
    ara = truth_vs_ara(world, by=["country"], metric="purchases", epsilon=14)
    assert list(ara.columns) == ["country", *COLUMNS]
    rev = truth_vs_ara(world, metric="revenue")
    assert rev.attrs["metric"] == "revenue" and rev.attrs["view"] == "ara_summary"


def test_plot_comparison_labels_from_the_catalogue(mmp):
    import matplotlib.pyplot as plt

    from helpers.messages import t

    df = truth_vs_mmp(None, view=mmp)
    ax = plot_comparison(df)
    assert len(ax.patches) == 2 * len(df)
    assert ax.get_ylabel() == t("compare.ylabel", metric=t("compare.metrics.installs"))
    assert [x.get_text() for x in ax.get_legend().get_texts()] == [t("compare.truth"), t("compare.views.mmp")]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="compare"):
        plot_comparison(pd.DataFrame({"a": [1]}))


def test_ara_options_priority_and_delivery_offset(world):
    base = ara_view(world, epsilon=math.inf)
    latest = ara_view(world, epsilon=math.inf, click_priority=False, delivery_offset_hours=1)
    a, b = base.conversion_truth, latest.conversion_truth
    # the same conversions are attributable; only which source gets them may change
    assert (a["source_event_id"].isna() == b["source_event_id"].isna()).all()
    assert (a["source_event_id"] != b["source_event_id"]).fillna(False).any()
    src = latest.sources.set_index("source_event_id")
    nav = latest.event_reports[latest.event_reports["source_type"] == "navigation"]
    delay = (nav["scheduled_report_time"] - nav["source_event_id"].map(src["source_time"])).dt.total_seconds()
    assert np.allclose(delay, np.array([2, 7, 30])[nav["report_window"]] * 86_400 + 3_600)
    # with clicks first, a conversion goes to a view only when no click is eligible
    conv = a[a["source_event_id"].notna()].merge(base.sources[["source_event_id", "source_type"]],
                                                 on="source_event_id")
    assert set(conv["source_type"]) == {"navigation", "event"}


# ---- the world's integer index: the views give the same result with and without it ------------------


def _assert_same_view(a, b, names):
    for name in names:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


def test_world_index_codes_match_the_string_columns(world):
    from helpers.synth.world import world_index

    ix = world_index(world)
    assert ix is not None
    u, t, i, e = world.users, world.touches, world.installs, world.events
    uid = u["user_id"].to_numpy(dtype=object)
    assert (uid[ix.touch_user] == t["user_id"].to_numpy(dtype=object)).all()
    assert (uid[ix.install_user] == i["user_id"].to_numpy(dtype=object)).all()
    assert (i["install_id"].to_numpy(dtype=object)[ix.event_install] == e["install_id"].to_numpy(dtype=object)).all()
    camps = np.array([f"{a}/{b}" for a, b in ix.campaigns], dtype=object)[ix.touch_campaign]
    assert (camps == (t["media_source"] + "/" + t["campaign"]).to_numpy(dtype=object)).all()
    assert (ix.sites[ix.touch_site] == t["site_id"].to_numpy(dtype=object)).all()
    assert (ix.touch_click == (t["touch_type"] == "click").to_numpy()).all()
    # equal codes exactly where the fingerprint strings are equal (same partition of the rows)
    strings = np.concatenate([t["fingerprint"].to_numpy(dtype=object), u["fingerprint"].to_numpy(dtype=object)])
    codes = np.concatenate([ix.touch_fingerprint, ix.user_fingerprint])
    assert (pd.factorize(strings)[0] == pd.factorize(codes)[0]).all()
    # any other tables (a replaced or loaded world) have no index: the views use the strings
    assert world_index(dataclasses.replace(world, touches=t.copy())) is None


@pytest.mark.parametrize("vertical", ["gaming", "home_services"])
def test_views_are_the_same_with_and_without_the_world_index(vertical):
    from helpers.synth.views.skan import skan_view

    w = generate_world(6_000, seed=3, vertical=vertical)
    plain = dataclasses.replace(w, _index=None)
    _assert_same_view(mmp_view(w, click_lookback="10D"), mmp_view(plain, click_lookback="10D"),
                      ("installs", "events", "truth"))
    _assert_same_view(skan_view(w, seed=4, scale=40), skan_view(plain, seed=4, scale=40),
                      ("postbacks", "truth", "campaigns"))
    a, b = ara_view(w, seed=2), ara_view(plain, seed=2)
    _assert_same_view(a, b, ("sources", "event_reports", "contributions", "source_truth", "report_truth",
                             "conversion_truth"))
    _assert_same_view(a.summary_report(epsilon=5, seed=1), b.summary_report(epsilon=5, seed=1), ("report", "truth"))
