"""helpers.privacy_sandbox, second part: the epsilon search and scopes (spec test vectors), aggregatable
planning (keys, budget, expected error) and the simulators at scale, with statistical checks.

Published values come from ARA's privacy.test.ts / Chromium privacy_math_unittest.cc and the ARA
explainer (shared/reference/skan-privacy-sandbox.md B3, B8, C). Statistical checks are seeded, with
bounds of 4.5 standard errors.
"""

import math

import numpy as np
import pandas as pd
import pytest

from helpers import privacy_sandbox as ps


@pytest.mark.parametrize("k, bound, expected", [
    (5545, 6.5, 9.028709123768687), (2106, 6.5, 8.366900276574821), (16036, 6.5, 9.829279343808693),
    (84121, 11.5, 12.45087042924698), (24895, 11.5, 11.723490703852157), (3648, 11.5, 12.233993328032184),
])
def test_epsilon_search_matches_spec_vectors_bit_for_bit(k, bound, expected):
    assert ps.epsilon_for_information_gain(k, bound) == expected


def test_epsilon_search_property_on_random_configurations():
    rng = np.random.default_rng(0)
    for k in rng.integers(2, 100_000, 60):
        for bound in (11.5, 6.5):
            eps = ps.epsilon_for_information_gain(int(k), bound)
            assert ps.information_gain(int(k), eps) <= bound
            if eps < 14:
                assert ps.information_gain(int(k), eps + 1e-15) > bound or eps + 1e-15 == eps


def test_default_configurations_fit_at_epsilon_14():
    assert ps.epsilon_for_information_gain(2925, 11.5) == 14.0
    assert ps.epsilon_for_information_gain(3, 6.5) == 14.0


@pytest.mark.parametrize("k, expected", [(2925, 11.518161355756956), (3, 3.4594316186372973)])
def test_attribution_scopes_information_gain(k, expected):
    assert ps.attribution_scopes_information_gain(k, scope_limit=3, max_event_states=4) == pytest.approx(
        expected, rel=1e-15)


def test_explainer_key_pieces_and_budget_example():
    assert ps.combine_key_pieces(0x159, 0x400) == 0x559 == 1369
    assert ps.combine_key_pieces(0x5, 0xA80) == 0xA85 == 2693
    # the explainer scales 52 USD of a 1024 USD maximum with half the budget: 1664
    assert ps.scaling_factor(0.5, 1024) * 52 == 1664
    with pytest.raises(ValueError, match="2\\*\\*128"):
        ps.combine_key_pieces(2**128)


def test_key_layout_round_trip_and_limits():
    layout = ps.KeyLayout({"campaign": [f"c{i}" for i in range(18)], "country": ["JP", "KR", "US"],
                           "question": ["purchases", "revenue"], "value_bucket": 3})
    assert layout.bits == {"campaign": 5, "country": 2, "question": 1, "value_bucket": 2}
    assert layout.n_buckets == 18 * 3 * 2 * 3
    seen = set()
    for c in ("c0", "c17"):
        for g in ("JP", "US"):
            key = layout.encode(campaign=c, country=g, question="revenue", value_bucket=2)
            assert layout.decode(key) == {"campaign": c, "country": g, "question": "revenue", "value_bucket": 2}
            seen.add(key)
    assert len(seen) == 4
    with pytest.raises(ValueError, match="128"):
        ps.KeyLayout({"a": 2**70, "b": 2**70})
    with pytest.raises(ValueError, match="not a value"):
        layout.encode(campaign="c0", country="FR", question="revenue", value_bucket=0)
    with pytest.raises(ValueError, match="missing"):
        layout.encode(campaign="c0")


def test_noise_std_formula_and_budget_plan():
    # sqrt(2) * b / scaling = sqrt(2) * max / (eps * share): the L1 budget cancels out
    for eps, share, mx in [(10, 0.5, 200), (1, 1.0, 1), (64, 0.1, 1000)]:
        expected = math.sqrt(2) * (65536 / eps) / (share * 65536 / mx)
        assert ps.noise_std(eps, share, mx) == pytest.approx(expected, rel=1e-12)
        assert ps.noise_std(eps, share, mx) == pytest.approx(math.sqrt(2) * mx / (eps * share), rel=1e-12)
    plan = ps.budget_plan({"purchases": 1, "revenue": 200}, {"purchases": 0.25, "revenue": 0.75}, 10)
    assert plan["budget_units"].sum() == 65536
    assert plan.loc["revenue", "noise_std"] == pytest.approx(ps.noise_std(10, 0.75, 200))
    with pytest.raises(ValueError, match="at most the whole budget"):
        ps.budget_plan({"a": 1, "b": 1}, {"a": 0.7, "b": 0.5}, 10)
    with pytest.raises(ValueError, match="share"):
        ps.scaling_factor(0, 10)


def test_equal_error_split_equalises_relative_errors():
    mx, typical = {"purchases": 1, "revenue": 300}, {"purchases": 12, "revenue": 900}
    split = ps.equal_error_split(mx, typical)
    assert sum(split.values()) == pytest.approx(1)
    errs = [ps.expected_relative_error(typical[q], 10, split[q], mx[q]) for q in mx]
    assert errs[0] == pytest.approx(errs[1])


def test_expected_relative_error_and_rmsre():
    s = pd.Series([0.0, 5.0, 50.0], index=["a", "b", "c"])
    re = ps.expected_relative_error(s, 10, 0.5, 1)
    assert math.isinf(re["a"]) and re["b"] == pytest.approx(10 * re["c"])
    assert ps.rmsre([12.0, 5.0], [10.0, 5.0], threshold=5) == pytest.approx(math.sqrt((0.2**2 + 0) / 2))
    # a measured RMSRE over many noisy draws is close to the expected one
    rng = np.random.default_rng(4)
    truth = np.array([2.0, 8.0, 30.0, 120.0])
    sd = ps.noise_std(10, 0.5, 1)
    draws = [ps.rmsre(truth + rng.laplace(0, sd / math.sqrt(2), 4), truth) ** 2 for _ in range(4000)]
    assert math.sqrt(np.mean(draws)) == pytest.approx(ps.expected_rmsre(truth, sd), rel=0.05)


def test_bucket_errors_coarser_keys_have_smaller_errors():
    rng = np.random.default_rng(1)
    n = 3000
    conv = pd.DataFrame({"campaign": rng.choice(["a", "b", "c"], n), "country": rng.choice(["JP", "KR", "US"], n),
                         "purchases": 1.0, "revenue": rng.gamma(2, 30, n)})
    fine = ps.bucket_errors(conv, ["campaign", "country"], {"purchases": 1, "revenue": 200},
                            {"purchases": 0.5, "revenue": 0.5}, 1.0)
    coarse = ps.bucket_errors(conv, ["campaign"], {"purchases": 1, "revenue": 200},
                              {"purchases": 0.5, "revenue": 0.5}, 1.0)
    assert len(fine) == 2 * 9 and len(coarse) == 2 * 3
    assert fine.groupby("question")["true_value"].sum().to_dict() == pytest.approx(
        coarse.groupby("question")["true_value"].sum().to_dict())
    assert coarse["relative_error"].median() < fine["relative_error"].median()
    total = ps.bucket_errors(conv, [], {"purchases": 1}, {"purchases": 1.0}, 1.0)
    assert total["true_value"].iloc[0] == n
    with pytest.raises(ValueError, match="missing the columns"):
        ps.bucket_errors(conv, ["site"], {"purchases": 1}, {"purchases": 1.0}, 1.0)


def test_debias_std_error_matches_simulation():
    rng = np.random.default_rng(3)
    true_counts = np.array([700, 200, 100])
    truth = np.repeat(np.arange(3), true_counts)
    est = np.array([ps.debias_counts(np.bincount(ps.randomized_response(truth, 3, 1.0, rng).outputs, minlength=3),
                                     3, 1.0) for _ in range(3000)])
    sd = ps.debias_std_error(true_counts, 3, 1.0)
    # the sample sd of 3000 draws is within a few percent of the formula
    assert est.std(axis=0, ddof=1) == pytest.approx(sd, rel=0.06)


def test_expected_fake_reports_matches_simulation():
    n = 200_000
    sim = ps.simulate_event_level(np.ones(n, bool), np.zeros(0, np.int64), np.zeros(0, np.int64),
                                  np.zeros(0, np.int64), epsilon=8, rng=5)
    expected = ps.expected_fake_reports(n, 3, 8, 3, 8)
    # fake reports = sum over sources of B_i X_i (B_i ~ Bernoulli(p), X_i in 0..3 reports):
    # Var <= n p E[X^2] <= 9 n p
    p = ps.flip_probability(2925, 8)
    sd = math.sqrt(9 * n * p)
    assert abs(len(sim.reports) - expected) < 4.5 * sd
    assert sim.reports["noised"].all()


def test_simulate_event_level_caps_and_noise_rate():
    rng = np.random.default_rng(9)
    n_src = 300_000
    is_click = rng.random(n_src) < 0.3
    # every source has 5 conversions: clicks keep 3, views 1 (first come, first served)
    trig_src = np.repeat(np.arange(n_src), 5)
    td = np.where(is_click[trig_src], rng.integers(0, 8, len(trig_src)), rng.integers(0, 2, len(trig_src)))
    win = np.where(is_click[trig_src], rng.integers(0, 3, len(trig_src)), 0)
    sim = ps.simulate_event_level(is_click, trig_src, td, win, epsilon=6, rng=2)
    per_src = sim.true_reports.groupby("source").size()
    assert per_src[is_click[per_src.index]].eq(3).all() and per_src[~is_click[per_src.index]].eq(1).all()
    # kept true reports are the first ones of each source
    first = pd.DataFrame({"source": trig_src, "trigger_data": td, "window": win}).groupby("source").head(3)
    first = first[is_click[first["source"]] | (first.groupby("source").cumcount() == 0)]
    assert len(first) == len(sim.true_reports)
    for click in (True, False):
        k = 2925 if click else 3
        p = ps.flip_probability(k, 6)
        m = int((is_click == click).sum())
        got = int(sim.noised_sources[is_click == click].sum())
        assert abs(got - m * p) < 4.5 * math.sqrt(m * p * (1 - p))
    # the determinism promise
    again = ps.simulate_event_level(is_click, trig_src, td, win, epsilon=6, rng=2)
    assert again.reports.equals(sim.reports)


def test_simulate_event_level_validation():
    with pytest.raises(ValueError, match="trigger_data must be 0-7"):
        ps.simulate_event_level([False], [0], [3], [0])
    with pytest.raises(ValueError, match="source indices"):
        ps.simulate_event_level([True], [1], [0], [0])
    with pytest.raises(ValueError, match="same length"):
        ps.simulate_event_level([True], [0, 0], [0], [0])


def test_apply_contribution_budget_sequential_rule():
    ok = ps.apply_contribution_budget([5, 5, 7, 5, 7], [30000, 30000, 65536, 10000, 1])
    assert ok.tolist() == [True, True, True, False, False]
    many = ps.apply_contribution_budget([1] * 25, [1] * 25)
    assert many.sum() == 20
    with pytest.raises(ValueError, match="non-negative"):
        ps.apply_contribution_budget([1], [-1])


def test_summary_report_noise_variance_and_threshold():
    n = 50_000
    buckets = np.arange(n).astype(object)
    rep = ps.summary_report(buckets, np.full(n, 1000.0), 10, domain=buckets, rng=1)
    b = ps.aggregation_noise_scale(10)
    var = rep["noise"].var(ddof=1)
    assert abs(var - 2 * b**2) < 4.5 * math.sqrt(20 * b**4 / n)
    assert (rep["value"] == rep["true_value"] + rep["noise"]).all() and (rep["true_value"] == 1000).all()
    # without a declared domain, small buckets are dropped by the threshold; big ones survive
    thr = ps.aggregation_threshold(10)
    mixed = ps.summary_report(["small", "big", "big"], [100.0, thr, thr], 10, rng=2)
    assert mixed["bucket"].tolist() == ["big"]
    dom = ps.summary_report(["a"], [5.0], 10, domain=["a", "b", "c"], rng=3)
    assert dom["bucket"].tolist() == ["a", "b", "c"] and dom["true_value"].tolist() == [5.0, 0.0, 0.0]


def test_summary_report_is_deterministic_by_seed():
    a = ps.summary_report(["x", "y"], [1.0, 2.0], 5, domain=["x", "y"], rng=7)
    b = ps.summary_report(["x", "y"], [1.0, 2.0], 5, domain=["x", "y"], rng=7)
    assert a.equals(b)


# ---------------------------------------------------------------------------------------------
# the world's ARA view (helpers.synth.views.ara) seen through the course's helpers


@pytest.fixture(scope="module")
def world_view():
    from helpers.synth import generate_world
    from helpers.synth.views.ara import ara_view

    return ara_view(generate_world(20_000, seed=31, vertical="ecommerce"), epsilon=9.0, seed=4)


def test_world_view_noise_rate_matches_flip_probability(world_view):
    src = world_view.sources.merge(world_view.source_truth[["source_event_id", "noised"]], on="source_event_id")
    for stype, k in (("navigation", 2925), ("event", 3)):
        sel = src[src["source_type"] == stype]
        p = ps.flip_probability(k, 9.0)
        n = len(sel)
        assert abs(int(sel["noised"].sum()) - n * p) < 4.5 * math.sqrt(n * p * (1 - p)) + 1


def test_world_view_summary_noise_variance(world_view):
    rep = world_view.summary_report(epsilon=2.0, seed=8)
    noise = rep.report["value"].to_numpy(float) - rep.truth["true_value"].to_numpy(float)
    b = ps.aggregation_noise_scale(2.0)
    n = len(noise)
    assert abs(noise.var(ddof=1) - 2 * b**2) < 4.5 * math.sqrt(20 * b**4 / n)


def test_planning_purchases_match_the_views_summary_truth():
    from helpers import privacy_sandbox_data as D

    view = D.course_view()
    p = D.planning_purchases(view)
    truth = view.summary_report(10).truth
    measured = truth[truth["question"] == "count"]["true_conversions"].sum()
    assert measured == len(p)  # every attributed purchase, before the budget drops repeat purchases
