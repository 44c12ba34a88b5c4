"""helpers.privacy_sandbox against the spec's published values, plus statistical checks of the simulators.

Expected numbers are copied from ARA's privacy.test.ts / Chromium privacy_math_unittest.cc and the
Aggregation Service's ThresholdSupplierTest (shared/reference/skan-privacy-sandbox.md B3 and C).
"""

import doctest
import math

import numpy as np
import pytest

from helpers import privacy_sandbox as ps


def test_doctests():
    assert doctest.testmod(ps).failed == 0


@pytest.mark.parametrize("windows, reports, expected", [
    ([3] * 8, 3, 2925), ([1, 1], 1, 3), ([1], 1, 2), ([1], 5, 6), ([1, 1, 2, 2], 2, 28),
    ([1, 1, 2, 2, 3, 3], 3, 455), ([5] * 8, 20, 4191844505805495),
    ([5] * 32, 20, 175142105857592248012292655), ([2, 2, 1, 1], 2, 28), ([2, 1], 2, 10), ([3] * 8, 0, 1), ([], 3, 1),
])
def test_event_level_states(windows, reports, expected):
    assert ps.event_level_states(windows, reports) == expected


def test_huge_state_count_matches_uint128_vector():
    assert ps.event_level_states([5] * 32, 20) == (9494472 << 64) + 10758590974061625903


@pytest.mark.parametrize("k, eps, expected", [
    (2, math.log(3), 0.5), (3, math.log(3), 0.6), (2925, 14, 0.0024263221679834087),
    (3, 14, 0.000002494582008677539), (175142105857592248012292655, 14, 1.0),
    (2, 14, 1.6630560553282642e-06), (2925, 10, 0.11723228031313228), (3, 10, 0.00013618742348853272),
])
def test_flip_probability(k, eps, expected):
    assert ps.flip_probability(k, eps) == pytest.approx(expected, rel=1e-15, abs=0)


def test_reported_randomized_trigger_rate_rounds_to_spec_values():
    assert round(ps.flip_probability(2925, 14), 7) == 0.0024263
    assert round(ps.flip_probability(3, 14), 7) == 0.0000025


@pytest.mark.parametrize("k, eps, expected", [
    (2, math.inf, 1.0), (1024, math.inf, 10.0), (3, math.inf, math.log2(3)), (2, math.log(3), 0.18872187554086717),
    (2925, 14, 11.461727965384876), (3, 14, 1.584926511508231), (1, 14, 0.0),
    (2, 14, 0.9999820053790732), (6, 14, 2.584872527905806), (28, 14, 4.806869077446276),
    (455, 14, 8.821556150827456), (2925, 10, 9.643666118816943),
])
def test_information_gain(k, eps, expected):
    assert ps.information_gain(k, eps) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_default_configs_fit_chromium_capacity_limits():
    nav = ps.event_level_states([3] * 8, 3)
    ev = ps.event_level_states([1, 1], 1)
    assert ps.information_gain(nav, ps.DEFAULT_EPSILON) <= 11.5
    assert ps.information_gain(ev, ps.DEFAULT_EPSILON) <= 6.5


@pytest.mark.parametrize("x, h", [(0, 0.0), (0.5, 1.0), (1, 0.0), (0.01, 0.08079313589591118),
                                  (0.99, 0.08079313589591124)])
def test_binary_entropy(x, h):
    assert ps.binary_entropy(x) == pytest.approx(h, rel=1e-15, abs=0)


def test_aggregation_noise_scale_and_threshold():
    assert ps.aggregation_noise_scale(10) == 6553.6
    assert ps.aggregation_noise_scale(14) == pytest.approx(4681.142857142857)
    assert ps.aggregation_noise_scale(1, l1_budget=1) == 1.0
    assert ps.aggregation_threshold(1, 1e-5, 1) == pytest.approx(12.512925464970229, rel=1e-14)
    assert ps.aggregation_threshold(1, 1e-5) == pytest.approx(820047.0832722889, rel=1e-14)
    assert ps.aggregation_threshold(64, 1e-5) == pytest.approx(77325.23567612951, rel=1e-14)


@pytest.mark.parametrize("call, match", [
    (lambda: ps.event_level_states(3, 3), "list"),
    (lambda: ps.event_level_states([0, 1], 3), "between 1 and 5"),
    (lambda: ps.event_level_states([1] * 33, 1), "32"),
    (lambda: ps.event_level_states([1], 21), "max_reports"),
    (lambda: ps.flip_probability(0, 14), "states"),
    (lambda: ps.flip_probability(3, -1), "epsilon"),
    (lambda: ps.flip_probability(3, float("nan")), "epsilon"),
    (lambda: ps.flip_probability(2.5, 1), "whole number"),
    (lambda: ps.information_gain(2**32, 14), "2\\*\\*32"),
    (lambda: ps.aggregation_noise_scale(0), "positive"),
    (lambda: ps.aggregation_noise_scale(65), "64"),
    (lambda: ps.aggregation_noise_scale(1, l1_budget=0), "l1_budget"),
    (lambda: ps.aggregation_threshold(1, delta=1), "delta"),
    (lambda: ps.randomized_response([0, 3], 3, 14, 0), "states-1"),
    (lambda: ps.debias_counts([1, 2], 3, 0), "p = 1"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("source, index, expected", [
    ("event", 0, []), ("event", 1, [(0, 0)]), ("event", 2, [(1, 0)]),
    ("navigation", 0, []), ("navigation", 20, [(3, 0)]), ("navigation", 41, [(4, 0), (2, 0)]),
    ("navigation", 50, [(4, 0), (4, 0)]), ("navigation", 1268, [(1, 2), (6, 1), (7, 0)]),
])
def test_state_reports_match_chromium(source, index, expected):
    cfg = ps.NAVIGATION_DEFAULTS if source == "navigation" else ps.EVENT_DEFAULTS
    assert ps.state_reports(index, cfg["windows"], cfg["trigger_data_cardinality"], cfg["max_reports"]) == expected


def _uniform_counts_ok(counts, z=5.0):
    """Chi-square goodness of fit to equal counts: statistic within mean + z sd (df + z sqrt(2 df))."""
    counts = np.asarray(counts, dtype=float)
    expected = counts.sum() / len(counts)
    chi2 = ((counts - expected) ** 2 / expected).sum()
    df = len(counts) - 1
    return chi2 < df + z * math.sqrt(2 * df)


def _binomial_bound(n, p, z=4.5):
    sd = math.sqrt(n * p * (1 - p))
    return n * p - z * sd, n * p + z * sd


@pytest.mark.parametrize("k, eps", [(2925, 14), (2925, 8), (3, 2), (3, 0.5)])
def test_randomized_response_noise_rate_matches_flip_probability(k, eps):
    n = 400_000
    truth = np.zeros(n, dtype=np.int64)
    out, noised = ps.randomized_response(truth, k, eps, np.random.default_rng(11))
    p = ps.flip_probability(k, eps)
    lo, hi = _binomial_bound(n, p)
    assert lo <= noised.sum() <= hi
    # a replaced output equals the truth with chance 1/k, so the visible change rate is p (k-1)/k
    lo, hi = _binomial_bound(n, p * (k - 1) / k)
    assert lo <= (out != truth).sum() <= hi
    # replacements are uniform over the k states
    if k == 3:
        counts = np.bincount(out[noised], minlength=k)
        assert _uniform_counts_ok(counts)


def test_randomized_response_is_deterministic_by_seed():
    a = ps.randomized_response(np.arange(3000) % 3, 3, 1.0, 5)
    b = ps.randomized_response(np.arange(3000) % 3, 3, 1.0, 5)
    assert np.array_equal(a.outputs, b.outputs) and np.array_equal(a.noised, b.noised)


def test_random_state_reports_are_uniform_over_states():
    # event defaults: 3 states -> no report, bin 0, bin 1, each with chance 1/3
    draws = ps.random_state_reports(90_000, n_bins=2, max_reports=1, rng=3)[:, 0]
    assert _uniform_counts_ok(np.bincount(draws + 1, minlength=3))
    # navigation: mean reports per bin is R / (B + 1) = 3 / 25
    nav = ps.random_state_reports(100_000, n_bins=24, max_reports=3, rng=4)
    per_bin = np.bincount(nav[nav >= 0], minlength=24) / 100_000
    assert np.allclose(per_bin, 3 / 25, atol=0.006)
    # every one of the 2925 states appears about equally often (multiset of bins = state)
    small = ps.random_state_reports(200_000, n_bins=4, max_reports=2, rng=5)  # C(6, 2) = 15 states
    codes = (small[:, 0] + 1) * 5 + (small[:, 1] + 1)
    _, counts = np.unique(codes, return_counts=True)
    assert len(counts) == 15 and _uniform_counts_ok(counts)


def test_debias_counts_reference_example_and_unbiasedness():
    est = ps.debias_counts({"a": 500, "b": 300, "c": 200}, 3, math.log(3))
    assert est.to_dict() == pytest.approx({"a": 750.0, "b": 250.0, "c": 0.0})
    rng = np.random.default_rng(21)
    true_counts = np.array([600, 300, 100])
    truth = np.repeat(np.arange(3), true_counts)
    estimates = []
    for _ in range(400):
        out, _ = ps.randomized_response(truth, 3, 1.0, rng)
        estimates.append(ps.debias_counts(np.bincount(out, minlength=3), 3, 1.0))
    estimates = np.array(estimates)
    se = estimates.std(axis=0, ddof=1) / math.sqrt(len(estimates))
    assert np.all(np.abs(estimates.mean(axis=0) - true_counts) < 4.5 * se)
    raw_bias = np.bincount(out, minlength=3) - true_counts
    assert abs(raw_bias[0]) > 50  # without de-biasing the big state is clearly under-counted


def test_debias_report_counts_unbiased():
    rng = np.random.default_rng(8)
    n, eps = 20_000, 6.0
    true_bin = np.where(rng.random(n) < 0.3, 5, -1)  # 30 % of sources have one report in bin 5
    k = ps.event_level_states([3] * 8, 3)
    ests = []
    for _ in range(60):
        noised = rng.random(n) < ps.flip_probability(k, eps)
        fake = ps.random_state_reports(int(noised.sum()), 24, 3, rng)
        counts = np.bincount(true_bin[~noised & (true_bin >= 0)], minlength=24) + np.bincount(fake[fake >= 0],
                                                                                               minlength=24)
        ests.append(ps.debias_report_counts(counts, n, 3, 8, 3, eps))
    ests = np.array(ests)
    expected = np.zeros(24)
    expected[5] = 0.3 * n
    se = np.maximum(ests.std(axis=0, ddof=1), 1e-9) / math.sqrt(len(ests))
    assert np.all(np.abs(ests.mean(axis=0) - expected) < 4.5 * se + 1.0)


@pytest.mark.parametrize("discrete", [True, False])
def test_laplace_noise_variance_is_two_scale_squared(discrete):
    n, eps = 200_000, 10.0
    noise = ps.laplace_noise(n, eps, rng=np.random.default_rng(2), discrete=discrete)
    b = ps.aggregation_noise_scale(eps)
    assert abs(noise.mean()) < 4.5 * math.sqrt(2) * b / math.sqrt(n)
    # sample variance of Laplace: var(s^2) = (mu4 - sigma^4) / n with mu4 = 24 b^4, sigma^2 = 2 b^2
    var = noise.var(ddof=1)
    se = math.sqrt((24 - 4) * b**4 / n)
    assert abs(var - 2 * b**2) < 4.5 * se
