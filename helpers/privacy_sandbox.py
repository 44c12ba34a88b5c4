"""Privacy Sandbox measurement maths: randomized response, channel capacity, aggregation noise.

Google's Attribution Reporting API (ARA) protected its reports with two ideas that outlive the API
(Google announced its retirement on 17 Oct 2025): **randomized response** for event-level reports
and **Laplace noise** on aggregated (summary) reports. Everything here follows the ARA spec and its
reference implementation (``ts/src/flexible-event/privacy.ts``, Chromium ``privacy_math.cc``) and
the Aggregation Service; see ``shared/reference/skan-privacy-sandbox.md`` parts B and C.

Contract functions (names and shapes fixed by DESIGN.md):

* :func:`event_level_states` - how many different outputs ("states") one source can produce;
  ``C(W*T + R, R)`` by stars and bars for the default configurations (2925 for a click, 3 for a view).
* :func:`flip_probability` - the chance ``p = k / (k - 1 + e^epsilon)`` that the browser throws away
  the true output and reports a uniformly random state instead (0.24 % for a click at epsilon 14).
* :func:`information_gain` - the channel capacity in bits: how much one source can reveal.
* :func:`aggregation_noise_scale` - the Laplace scale ``b = L1 / epsilon`` of the Aggregation Service.

Simulation helpers: :func:`randomized_response` (the k-RR mechanism, vectorised),
:func:`random_state_reports` (uniformly random fake reports), :func:`state_reports` (the spec's
index -> fake reports mapping), :func:`debias_counts` / :func:`debias_report_counts` (unbiased
estimates from noisy counts), :func:`laplace_noise` and :func:`aggregation_threshold`.

Invalid input raises :class:`ValueError` with a message naming the problem.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_EPSILON",
    "CONTRIBUTION_BUDGET",
    "MAX_TRIGGER_STATE_CARDINALITY",
    "NAVIGATION_DEFAULTS",
    "EVENT_DEFAULTS",
    "RandomizedResponse",
    "event_level_states",
    "flip_probability",
    "information_gain",
    "binary_entropy",
    "aggregation_noise_scale",
    "aggregation_threshold",
    "laplace_noise",
    "randomized_response",
    "random_state_reports",
    "state_reports",
    "debias_counts",
    "debias_report_counts",
]

#: Default (and maximum settable) event-level epsilon in Chrome.
DEFAULT_EPSILON = 14.0
#: L1 contribution budget per source for aggregatable reports (2**16).
CONTRIBUTION_BUDGET = 65_536
#: A configuration with more states than this is rejected by the spec.
MAX_TRIGGER_STATE_CARDINALITY = 2**32 - 1
#: Default configurations: report windows (2 d, 7 d, expiry for clicks; expiry for views),
#: trigger-data cardinality and the maximum number of event-level reports per source.
NAVIGATION_DEFAULTS = {"windows": 3, "trigger_data_cardinality": 8, "max_reports": 3}
EVENT_DEFAULTS = {"windows": 1, "trigger_data_cardinality": 2, "max_reports": 1}


# ---------------------------------------------------------------------------------------------
# validation


def _int(value, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _epsilon(epsilon, allow_zero: bool = True, allow_inf: bool = True) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ValueError(f"epsilon must be a number, got {epsilon!r}")
    eps = float(epsilon)
    if math.isnan(eps) or eps < 0 or (eps == 0 and not allow_zero) or (math.isinf(eps) and not allow_inf):
        what = "a non-negative number" if allow_zero else "a positive number"
        if not allow_inf:
            what += " (not infinite)"
        raise ValueError(f"epsilon must be {what}, got {epsilon!r}")
    return eps


# ---------------------------------------------------------------------------------------------
# the contract functions


def event_level_states(windows_per_trigger_data: Sequence[int], max_reports: int) -> int:
    """Number of possible outputs of one source: ``C(sum(windows) + max_reports, max_reports)``.

    A source's output is a multiset of at most ``max_reports`` reports, each a (trigger data, report
    window) pair. ``windows_per_trigger_data`` lists, for every trigger-data value, how many report
    windows it has (the default click config is ``[3] * 8``: 8 values, 3 windows each; a view is
    ``[1, 1]``). Counting multisets of size 0..R over B = sum(windows) bins is "stars and bars": R
    stars in B + 1 bins, one of which means "no report", so ``C(B + R, R)`` (the spec's flexible
    recurrence gives the same number when every trigger-data value may use all R reports).

    >>> event_level_states([3] * 8, 3)  # navigation (click) source, defaults
    2925
    >>> event_level_states([1, 1], 1)   # event (view) source, defaults
    3
    >>> event_level_states([1, 1, 2, 2], 2)
    28
    """
    if isinstance(windows_per_trigger_data, (str, bytes)) or not isinstance(windows_per_trigger_data, Sequence):
        raise ValueError("windows_per_trigger_data must be a list with the number of report windows "
                         f"of each trigger-data value, e.g. [3] * 8; got {windows_per_trigger_data!r}")
    if len(windows_per_trigger_data) > 32:
        raise ValueError(f"at most 32 trigger-data values are allowed, got {len(windows_per_trigger_data)}")
    windows = [_int(w, "each number of report windows", 1, 5) for w in windows_per_trigger_data]
    r = _int(max_reports, "max_reports", 0, 20)
    if r == 0 or not windows:
        return 1
    return math.comb(sum(windows) + r, r)


def flip_probability(states: int, epsilon: float) -> float:
    """Randomized-response rate ``p = k / (k - 1 + e^epsilon)`` (k-ary randomized response, epsilon-DP).

    With probability ``p`` the browser replaces the source's true output by one of the ``k`` states
    drawn uniformly at random (possibly the true one again); otherwise it reports the truth.

    >>> flip_probability(2925, 14)   # click, default epsilon: about 0.24 %
    0.0024263221679834087
    >>> flip_probability(3, math.log(3))
    0.6
    """
    k = _int(states, "states", 1)
    eps = _epsilon(epsilon)
    if math.isinf(eps):
        return 0.0
    return k / (k - 1 + math.exp(eps))


def binary_entropy(x: float) -> float:
    """Binary entropy ``h(x) = -x log2 x - (1-x) log2 (1-x)`` in bits (``h(0) = h(1) = 0``).

    >>> binary_entropy(0.5)
    1.0
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0.0 <= float(x) <= 1.0:
        raise ValueError(f"x must be a probability between 0 and 1, got {x!r}")
    x = float(x)
    if x in (0.0, 1.0):
        return 0.0
    return -x * math.log2(x) - (1 - x) * math.log2(1 - x)


def information_gain(states: int, epsilon: float) -> float:
    """Channel capacity (bits) of the k-ary symmetric channel that randomized response creates.

    ``q = p (k-1) / k`` is the chance that the reported state differs from the truth, and the
    capacity is ``log2 k - h(q) - q log2(k-1)``; ``0`` for ``k = 1``. Chrome rejected a source
    configuration whose capacity exceeded 11.5 bits (click) or 6.5 bits (view).

    >>> information_gain(2925, 14)
    11.461727965384876
    >>> information_gain(1024, math.inf)
    10.0
    """
    k = _int(states, "states", 1)
    if k > MAX_TRIGGER_STATE_CARDINALITY:
        raise ValueError(f"states={k} exceeds the spec's maximum trigger-state cardinality 2**32 - 1; "
                         "the browser rejects such a source configuration")
    p = flip_probability(k, epsilon)
    if k == 1:
        return 0.0
    q = p * (k - 1) / k
    return math.log2(k) - binary_entropy(q) - q * math.log2(k - 1)


def aggregation_noise_scale(epsilon: float, l1_budget: float = CONTRIBUTION_BUDGET) -> float:
    """Laplace scale ``b = l1_budget / epsilon`` added by the Aggregation Service to every bucket.

    The noise standard deviation is ``sqrt(2) * b``. The service accepts ``0 < epsilon <= 64``
    (default 10).

    >>> aggregation_noise_scale(10)
    6553.6
    >>> aggregation_noise_scale(64)
    1024.0
    """
    eps = _epsilon(epsilon, allow_zero=False, allow_inf=False)
    if eps > 64:
        raise ValueError(f"the Aggregation Service accepts 0 < epsilon <= 64, got {epsilon!r}")
    if isinstance(l1_budget, bool) or not isinstance(l1_budget, numbers.Real) or not 0 < float(l1_budget) < math.inf:
        raise ValueError(f"l1_budget must be a positive number (65536 in ARA), got {l1_budget!r}")
    return float(l1_budget) / eps


def aggregation_threshold(epsilon: float, delta: float = 1e-5, l1_budget: float = CONTRIBUTION_BUDGET) -> float:
    """Threshold ``(L1/epsilon) (epsilon + ln(1/delta))`` under which the service drops buckets it
    was not told about in advance (optional output domain).

    >>> round(aggregation_threshold(1, 1e-5, 1), 6)
    12.512925
    """
    b = aggregation_noise_scale(epsilon, l1_budget)
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not 0 < float(delta) < 1:
        raise ValueError(f"delta must be strictly between 0 and 1, got {delta!r}")
    return b * (float(epsilon) + math.log(1 / float(delta)))


# ---------------------------------------------------------------------------------------------
# simulation


class RandomizedResponse(NamedTuple):
    """Result of :func:`randomized_response`: the reported states and which ones were replaced."""

    outputs: np.ndarray
    noised: np.ndarray


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator or an integer seed, got {rng!r}")


def randomized_response(true_outputs, states: int, epsilon: float, rng=None) -> RandomizedResponse:
    """Apply k-ary randomized response to state indices (vectorised).

    Each entry of ``true_outputs`` is the index (0 .. states-1) of a source's true output. With
    probability :func:`flip_probability` it is replaced by an index drawn uniformly from all
    ``states`` (which may be the true one again); ``noised`` marks the replaced entries.

    >>> out, noised = randomized_response([0, 1, 2, 0], states=3, epsilon=14, rng=1)
    >>> out.tolist(), int(noised.sum())
    ([0, 1, 2, 0], 0)
    """
    k = _int(states, "states", 1, np.iinfo(np.int64).max)
    p = flip_probability(k, epsilon)
    x = np.asarray(true_outputs)
    if x.ndim != 1:
        raise ValueError("true_outputs must be a one-dimensional list of state indices")
    if x.size and (not np.issubdtype(x.dtype, np.integer) or x.min() < 0 or x.max() >= k):
        raise ValueError(f"true_outputs must be whole numbers between 0 and states-1 = {k - 1}")
    gen = _rng(rng)
    noised = gen.random(x.size) < p
    out = x.astype(np.int64, copy=True)
    out[noised] = gen.integers(0, k, int(noised.sum()))
    return RandomizedResponse(out, noised)


def random_state_reports(n: int, n_bins: int, max_reports: int, rng=None) -> np.ndarray:
    """Draw ``n`` outputs uniformly from the ``C(n_bins + R, R)`` states, as report bins.

    Each row has ``max_reports`` entries: a bin index (0 .. n_bins-1, bin = window * T + trigger data)
    per fake report, or -1 for "no report". A uniform state is a uniform arrangement of R stars and
    ``n_bins`` bars; the number of bars before a star is its bin + 1 (0 bars = no report).

    >>> random_state_reports(2, n_bins=2, max_reports=1, rng=0).shape
    (2, 1)
    """
    n = _int(n, "n", 0)
    b = _int(n_bins, "n_bins", 1)
    r = _int(max_reports, "max_reports", 0, 20)
    gen = _rng(rng)
    if r == 0 or n == 0:
        return np.full((n, r), -1, dtype=np.int64)
    # a uniform R-subset of the R + B positions holds the stars
    keys = gen.random((n, r + b))
    stars = np.sort(np.argpartition(keys, r - 1, axis=1)[:, :r], axis=1)
    bars_before = stars - np.arange(r)[None, :]
    return (bars_before - 1).astype(np.int64)


def _k_combination_at_index(index: int, k: int) -> list[int]:
    """Combinatorial number system: the k-combination (descending) with the given index."""
    out = []
    for kk in range(k, 0, -1):
        c = kk - 1
        while math.comb(c + 1, kk) <= index:
            c += 1
        out.append(c)
        index -= math.comb(c, kk)
    return out


def state_reports(index: int, windows: int, trigger_data_cardinality: int, max_reports: int) -> list[tuple[int, int]]:
    """The fake reports of state number ``index``, as (trigger data, window index) pairs.

    Follows Chromium's ``GetFakeReportsForSequenceIndex``: the index picks R star positions (the
    combinatorial number system), the bars before each star give its bin, and bin ``b >= 1`` is the
    report (trigger data ``(b-1) % T``, window ``(b-1) // T``); a star with no bar before it is no report.

    >>> state_reports(1268, windows=3, trigger_data_cardinality=8, max_reports=3)
    [(1, 2), (6, 1), (7, 0)]
    """
    w = _int(windows, "windows", 1, 5)
    t = _int(trigger_data_cardinality, "trigger_data_cardinality", 1, 32)
    r = _int(max_reports, "max_reports", 0, 20)
    k = math.comb(w * t + r, r)
    i = _int(index, "index", 0, k - 1)
    stars = _k_combination_at_index(i, r)
    reports = []
    for pos, star in enumerate(stars):
        bars = star - (r - 1 - pos)
        if bars > 0:
            reports.append(((bars - 1) % t, (bars - 1) // t))
    return reports


def _counts(observed):
    if isinstance(observed, Mapping) and not isinstance(observed, pd.Series):
        return pd.Series(dict(observed), dtype=float), "dict"
    if isinstance(observed, pd.Series):
        return observed.astype(float), "series"
    arr = np.asarray(observed, dtype=float)
    return arr, "array"


def _check_counts(values: np.ndarray) -> None:
    if values.ndim != 1 or not np.all(np.isfinite(values)) or (values < 0).any():
        raise ValueError("observed counts must be a one-dimensional list of non-negative numbers")


def debias_counts(observed_counts, states: int, epsilon: float, n_sources: float | None = None):
    """Unbiased estimate of the true number of sources per output state.

    ``estimate(v) = (v - n p / k) / (1 - p)``: on average ``p n / k`` of the ``n`` sources land in each
    state by chance and the rest (a share ``1 - p``) report the truth. ``n_sources`` defaults to the
    sum of ``observed_counts`` (pass it when only some states are listed). Estimates can be negative;
    that is the price of unbiasedness. Returns the same kind of container (dict -> Series).

    >>> debias_counts({"a": 500, "b": 300, "c": 200}, states=3, epsilon=math.log(3)).round(6).to_dict()
    {'a': 750.0, 'b': 250.0, 'c': 0.0}
    """
    k = _int(states, "states", 1)
    p = flip_probability(k, epsilon)
    values, kind = _counts(observed_counts)
    _check_counts(np.asarray(values))
    if p >= 1.0:
        raise ValueError("epsilon is so small that every output is random (p = 1): nothing can be de-biased")
    n = float(np.sum(values)) if n_sources is None else float(n_sources)
    if n_sources is not None and (not math.isfinite(n) or n < 0):
        raise ValueError(f"n_sources must be a non-negative number, got {n_sources!r}")
    return (values - n * p / k) / (1 - p)


def debias_report_counts(observed_counts, n_sources, windows: int, trigger_data_cardinality: int,
                         max_reports: int, epsilon: float):
    """Unbiased estimate of true report counts per (trigger data, window) bin.

    A source that was replaced by a random state sends on average ``R / (B + 1)`` reports into each
    of the ``B = windows * T`` bins (the R stars spread evenly over the B + 1 gaps of the bars), so
    ``estimate(v) = (v - n p R / (B + 1)) / (1 - p)``, with ``n`` the number of sources behind the
    counts. ``n_sources`` may be an array aligned with ``observed_counts`` (e.g. sources per campaign).

    >>> debias_report_counts([500.0, 300.0], 1000, 1, 2, 1, math.log(3)).round(6).tolist()
    [750.0, 250.0]
    """
    w = _int(windows, "windows", 1, 5)
    t = _int(trigger_data_cardinality, "trigger_data_cardinality", 1, 32)
    r = _int(max_reports, "max_reports", 0, 20)
    b = w * t
    p = flip_probability(math.comb(b + r, r), epsilon)
    if p >= 1.0:
        raise ValueError("epsilon is so small that every output is random (p = 1): nothing can be de-biased")
    values, _ = _counts(observed_counts)
    _check_counts(np.atleast_1d(np.asarray(values)))
    n = n_sources.to_numpy(dtype=float) if isinstance(n_sources, pd.Series) else np.asarray(n_sources, dtype=float)
    if not np.all(np.isfinite(n)) or (n < 0).any():
        raise ValueError("n_sources must be non-negative numbers")
    return (values - n * p * r / (b + 1)) / (1 - p)


def laplace_noise(size, epsilon: float, l1_budget: float = CONTRIBUTION_BUDGET, rng=None,
                  discrete: bool = True) -> np.ndarray:
    """Noise the Aggregation Service adds to each bucket, scale ``b = l1_budget / epsilon``.

    ``discrete=True`` (the service): discrete Laplace, the difference of two geometric variables
    with success probability ``1 - e^(-1/b)``; its variance ``2 e^(-1/b) / (1 - e^(-1/b))^2`` is
    ``2 b^2`` to within a fraction of a unit. ``discrete=False``: continuous Laplace (variance ``2 b^2``).

    >>> laplace_noise(3, epsilon=10, rng=0).dtype
    dtype('int64')
    """
    b = aggregation_noise_scale(epsilon, l1_budget)
    gen = _rng(rng)
    if not discrete:
        return gen.laplace(0.0, b, size)
    q = -math.expm1(-1.0 / b)
    return gen.geometric(q, size).astype(np.int64) - gen.geometric(q, size).astype(np.int64)
