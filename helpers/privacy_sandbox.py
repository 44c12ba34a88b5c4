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

from helpers.messages import t

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
        raise ValueError(t("errors.privacy_sandbox.whole_number", name=name, value=value))
    value = int(value)
    if value < low or (high is not None and value > high):
        if high is not None:
            raise ValueError(t("errors.privacy_sandbox.int_between", name=name, low=low, high=high, value=value))
        raise ValueError(t("errors.privacy_sandbox.int_at_least", name=name, low=low, value=value))
    return value


def _epsilon(epsilon, allow_zero: bool = True, allow_inf: bool = True) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ValueError(t("errors.privacy_sandbox.epsilon_number", epsilon=epsilon))
    eps = float(epsilon)
    if math.isnan(eps) or eps < 0 or (eps == 0 and not allow_zero) or (math.isinf(eps) and not allow_inf):
        which = ("epsilon_non_negative" if allow_zero else "epsilon_positive") + ("" if allow_inf else "_finite")
        raise ValueError(t(f"errors.privacy_sandbox.{which}", epsilon=epsilon))
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
        raise ValueError(t("errors.privacy_sandbox.windows_list", windows=windows_per_trigger_data))
    if len(windows_per_trigger_data) > 32:
        raise ValueError(t("errors.privacy_sandbox.too_many_trigger_data", n=len(windows_per_trigger_data)))
    windows = [_int(w, t("errors.privacy_sandbox.name_windows"), 1, 5) for w in windows_per_trigger_data]
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
        raise ValueError(t("errors.privacy_sandbox.probability", x=x))
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
        raise ValueError(t("errors.privacy_sandbox.too_many_states", k=k))
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
        raise ValueError(t("errors.privacy_sandbox.aggregation_epsilon", epsilon=epsilon))
    if isinstance(l1_budget, bool) or not isinstance(l1_budget, numbers.Real) or not 0 < float(l1_budget) < math.inf:
        raise ValueError(t("errors.privacy_sandbox.l1_budget", l1_budget=l1_budget))
    return float(l1_budget) / eps


def aggregation_threshold(epsilon: float, delta: float = 1e-5, l1_budget: float = CONTRIBUTION_BUDGET) -> float:
    """Threshold ``(L1/epsilon) (epsilon + ln(1/delta))`` under which the service drops buckets it
    was not told about in advance (optional output domain).

    >>> round(aggregation_threshold(1, 1e-5, 1), 6)
    12.512925
    """
    b = aggregation_noise_scale(epsilon, l1_budget)
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not 0 < float(delta) < 1:
        raise ValueError(t("errors.privacy_sandbox.delta", delta=delta))
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
    raise ValueError(t("errors.privacy_sandbox.rng", rng=rng))


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
        raise ValueError(t("errors.privacy_sandbox.true_outputs_1d"))
    if x.size and (not np.issubdtype(x.dtype, np.integer) or x.min() < 0 or x.max() >= k):
        raise ValueError(t("errors.privacy_sandbox.true_outputs_range", top=k - 1))
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
        raise ValueError(t("errors.privacy_sandbox.observed_counts"))


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
        raise ValueError(t("errors.privacy_sandbox.all_random"))
    n = float(np.sum(values)) if n_sources is None else float(n_sources)
    if n_sources is not None and (not math.isfinite(n) or n < 0):
        raise ValueError(t("errors.privacy_sandbox.n_sources", n_sources=n_sources))
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
    n_data = _int(trigger_data_cardinality, "trigger_data_cardinality", 1, 32)
    r = _int(max_reports, "max_reports", 0, 20)
    b = w * n_data
    p = flip_probability(math.comb(b + r, r), epsilon)
    if p >= 1.0:
        raise ValueError(t("errors.privacy_sandbox.all_random"))
    values, _ = _counts(observed_counts)
    _check_counts(np.atleast_1d(np.asarray(values)))
    n = n_sources.to_numpy(dtype=float) if isinstance(n_sources, pd.Series) else np.asarray(n_sources, dtype=float)
    if not np.all(np.isfinite(n)) or (n < 0).any():
        raise ValueError(t("errors.privacy_sandbox.n_sources_list"))
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


# ---------------------------------------------------------------------------------------------
# more event-level maths: the epsilon search, attribution scopes, the error of de-biased counts


def epsilon_for_information_gain(states: int, max_bits: float, max_epsilon: float = DEFAULT_EPSILON) -> float:
    """The largest epsilon (up to ``max_epsilon``) whose information gain stays within ``max_bits``.

    Chrome rejected a source whose configuration leaked more than 11.5 bits (click) or 6.5 bits
    (view) at epsilon 14; the reference tool then looked for the largest epsilon that fits. Like
    ``epsilonToBoundInfoGainAndDp`` in the spec's ``privacy.ts``, this is a bit-by-bit search over
    the IEEE-754 bits of epsilon (bit 62 down to 0), so the result is the largest double that fits.

    >>> epsilon_for_information_gain(5545, 6.5)
    9.028709123768687
    >>> epsilon_for_information_gain(2925, 11.5)   # the default click fits at the maximum
    14.0
    """
    import struct

    k = _int(states, "states", 1, MAX_TRIGGER_STATE_CARDINALITY)
    if isinstance(max_bits, bool) or not isinstance(max_bits, numbers.Real) or not float(max_bits) >= 0:
        raise ValueError(t("errors.privacy_sandbox.max_bits", max_bits=max_bits))
    eps_max = _epsilon(max_epsilon, allow_inf=False)
    if information_gain(k, eps_max) <= max_bits:
        return eps_max
    bits = 0
    for i in range(62, -1, -1):
        candidate = bits | (1 << i)
        eps = struct.unpack("<d", struct.pack("<Q", candidate))[0]
        if eps <= eps_max and information_gain(k, eps) <= max_bits:
            bits = candidate
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def attribution_scopes_information_gain(states: int, scope_limit: int, max_event_states: int = 3) -> float:
    """Information gain (bits) bound of a source with attribution scopes: ``log2(k + m (limit - 1))``.

    ``k`` is the number of output states of the source, ``m`` (``max_event_states``, default 3) the
    number of states allowed to other sources of the same scopes. Chrome's limit with scopes was
    11.55 bits for clicks.

    >>> attribution_scopes_information_gain(2925, scope_limit=3, max_event_states=4)
    11.518161355756956
    """
    k = _int(states, "states", 1)
    limit = _int(scope_limit, "scope_limit", 1)
    m = _int(max_event_states, "max_event_states", 1)
    return math.log2(k + m * (limit - 1))


def debias_std_error(counts, states: int, epsilon: float, n_sources: float | None = None):
    """Standard error of :func:`debias_counts`' estimates (one per state).

    A source whose true state is ``j`` lands in ``j`` with chance ``1 - p + p/k``, any other source
    with chance ``p/k``, so the observed count has variance ``c (a)(1-a) + (n - c)(b)(1-b)`` with
    ``a = 1 - p + p/k`` and ``b = p/k``; dividing by ``(1 - p)^2`` gives the estimate's variance.
    ``counts`` are the true (or estimated, clipped to 0..n) counts per state.

    >>> float(debias_std_error([0.0, 1000.0], states=2, epsilon=math.inf)[0])
    0.0
    """
    k = _int(states, "states", 1)
    p = flip_probability(k, epsilon)
    if p >= 1.0:
        raise ValueError(t("errors.privacy_sandbox.all_random"))
    values, _ = _counts(counts)
    arr = np.asarray(values, dtype=float)
    _check_counts(np.atleast_1d(arr))
    n = float(np.sum(arr)) if n_sources is None else float(n_sources)
    c = np.clip(arr, 0.0, n)
    a, b = 1 - p + p / k, p / k
    var = c * a * (1 - a) + (n - c) * b * (1 - b)
    out = np.sqrt(var) / (1 - p)
    return pd.Series(out, index=values.index) if isinstance(values, pd.Series) else out


def expected_fake_reports(n_sources: float, windows: int, trigger_data_cardinality: int, max_reports: int,
                          epsilon: float) -> float:
    """Expected number of fake event-level reports among ``n_sources`` sources.

    A replaced source (chance ``p``) sends a uniformly random state, which holds ``R B / (B + 1)``
    reports on average (``B = windows * trigger_data_cardinality`` bins, R = max reports).

    >>> round(expected_fake_reports(1_000_000, 3, 8, 3, 14))
    6988
    """
    w = _int(windows, "windows", 1, 5)
    n_data = _int(trigger_data_cardinality, "trigger_data_cardinality", 1, 32)
    r = _int(max_reports, "max_reports", 0, 20)
    b = w * n_data
    if isinstance(n_sources, bool) or not isinstance(n_sources, numbers.Real) or not float(n_sources) >= 0:
        raise ValueError(t("errors.privacy_sandbox.n_sources", n_sources=n_sources))
    return float(n_sources) * flip_probability(math.comb(b + r, r), epsilon) * r * b / (b + 1)


# ---------------------------------------------------------------------------------------------
# aggregatable reports: keys, the contribution budget and the noise a plan will get


def combine_key_pieces(source_piece: int, *trigger_pieces: int) -> int:
    """The bucket of an aggregatable contribution: the source key piece OR every matching trigger piece.

    Keys are at most 128 bits. The explainer's example: a source piece ``0x159`` (campaign and
    geo) with a trigger piece ``0x400`` (the purchase-count question) gives bucket ``0x559``.

    >>> hex(combine_key_pieces(0x159, 0x400))
    '0x559'
    """
    out = 0
    for piece in (source_piece, *trigger_pieces):
        if isinstance(piece, bool) or not isinstance(piece, numbers.Integral) or not 0 <= int(piece) < 2**128:
            raise ValueError(t("errors.privacy_sandbox.key_piece", piece=piece))
        out |= int(piece)
    return out


class KeyLayout:
    """How an aggregation key packs its dimensions into 128 bits (e.g. campaign x geo x value bucket).

    ``dimensions`` maps each dimension to its values (a list) or its number of values, lowest bits
    last: ``KeyLayout({"campaign": 18, "country": ["JP", "KR", "US"], "value_bucket": 3})``. Each
    dimension gets ``ceil(log2(n))`` bits (at least 1). :meth:`encode` builds a key and
    :meth:`decode` reads one; :attr:`n_buckets` is the number of keys the plan can produce.

    >>> layout = KeyLayout({"campaign": 4, "country": ["JP", "KR", "US"], "value_bucket": 3})
    >>> layout.bits, layout.n_buckets
    ({'campaign': 2, 'country': 2, 'value_bucket': 2}, 36)
    >>> key = layout.encode(campaign=2, country="US", value_bucket=1)
    >>> hex(key), layout.decode(key)
    ('0x29', {'campaign': 2, 'country': 'US', 'value_bucket': 1})
    """

    def __init__(self, dimensions: Mapping[str, int | Sequence]):
        if not isinstance(dimensions, Mapping) or not dimensions:
            raise ValueError(t("errors.privacy_sandbox.dimensions"))
        self.values: dict[str, list | None] = {}
        self.sizes: dict[str, int] = {}
        for name, spec in dimensions.items():
            if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
                self.sizes[name] = _int(spec, t("errors.privacy_sandbox.name_dimension_size", dimension=name), 1)
                self.values[name] = None
            elif isinstance(spec, Sequence) and not isinstance(spec, (str, bytes)) and len(spec) > 0:
                vals = list(spec)
                if len(set(map(str, vals))) != len(vals):
                    raise ValueError(t("errors.privacy_sandbox.dimension_duplicate", dimension=name))
                self.sizes[name] = len(vals)
                self.values[name] = vals
            else:
                raise ValueError(t("errors.privacy_sandbox.dimension_spec", dimension=name, spec=spec))
        self.bits = {n: max(1, math.ceil(math.log2(s))) for n, s in self.sizes.items()}
        total = sum(self.bits.values())
        if total > 128:
            raise ValueError(t("errors.privacy_sandbox.key_too_long", bits=total))
        self.offsets = {}
        shift = total
        for n in self.sizes:
            shift -= self.bits[n]
            self.offsets[n] = shift
        self.total_bits = total

    @property
    def n_buckets(self) -> int:
        return math.prod(self.sizes.values())

    def _index(self, name: str, value) -> int:
        vals = self.values[name]
        if vals is None:
            return _int(value, name, 0, self.sizes[name] - 1)
        lookup = {str(v): i for i, v in enumerate(vals)}
        if str(value) not in lookup:
            raise ValueError(t("errors.privacy_sandbox.unknown_value", value=value, dimension=name, expected=vals[:8]))
        return lookup[str(value)]

    def encode(self, **values) -> int:
        missing = [n for n in self.sizes if n not in values]
        extra = [n for n in values if n not in self.sizes]
        if missing or extra:
            raise ValueError(t("errors.privacy_sandbox.encode_dimensions", dimensions=list(self.sizes), missing=missing, unknown=extra))
        return sum(self._index(n, values[n]) << self.offsets[n] for n in self.sizes)

    def decode(self, key: int) -> dict:
        key = combine_key_pieces(key)
        out = {}
        for n in self.sizes:
            i = (key >> self.offsets[n]) & ((1 << self.bits[n]) - 1)
            vals = self.values[n]
            out[n] = i if vals is None else vals[i]
        return out

    def __repr__(self) -> str:
        dims = " x ".join(f"{n} ({self.sizes[n]})" for n in self.sizes)
        return f"<KeyLayout {dims}: {self.n_buckets:,} buckets, {self.total_bits} bits>"

    def __str__(self) -> str:
        """What ``print(layout)`` shows, in the learner's language."""
        dims = " x ".join(f"{n} ({self.sizes[n]})" for n in self.sizes)
        return t("privacy_sandbox.key_layout", dims=dims, buckets=f"{self.n_buckets:,}", bits=self.total_bits)


def _share(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) <= 1:
        raise ValueError(t("errors.privacy_sandbox.share", name=name, value=value))
    return float(value)


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < math.inf:
        raise ValueError(t("errors.privacy_sandbox.positive", name=name, value=value))
    return float(value)


def scaling_factor(budget_share: float, max_value: float, l1_budget: float = CONTRIBUTION_BUDGET) -> float:
    """Multiplier that turns one conversion's value into budget units: ``share * L1 / max_value``.

    A question given half the budget whose largest value per source is 200 USD multiplies every
    USD by ``0.5 * 65536 / 200 = 163.84``; dividing the summary value by it gives USD back.

    >>> scaling_factor(0.5, 200)
    163.84
    """
    return _share(budget_share, "budget_share") * _positive(l1_budget, "l1_budget") / _positive(max_value, "max_value")


def noise_std(epsilon: float, budget_share: float = 1.0, max_value: float = 1.0,
              l1_budget: float = CONTRIBUTION_BUDGET) -> float:
    """Standard deviation of the noise on one bucket, in the question's own units (purchases, USD).

    The service adds noise of scale ``b = L1 / epsilon`` in budget units; dividing by the
    :func:`scaling_factor` gives ``sqrt(2) * max_value / (epsilon * budget_share)`` - the L1 budget
    cancels out. Half the budget doubles the noise; twice the epsilon halves it.

    >>> round(noise_std(10, budget_share=0.5, max_value=200), 4)
    56.5685
    """
    b = aggregation_noise_scale(epsilon, l1_budget)
    return math.sqrt(2) * b / scaling_factor(budget_share, max_value, l1_budget)


def expected_relative_error(true_values, epsilon: float, budget_share: float = 1.0, max_value: float = 1.0):
    """Expected relative error of each bucket: noise std divided by the bucket's true value.

    ``true_values`` (a number, list, array or Series) are the totals you expect per bucket, in the
    question's units. A bucket with 0 has an infinite relative error. Same container back.

    >>> expected_relative_error([10.0, 100.0], epsilon=10, budget_share=0.5, max_value=1).round(4).tolist()
    [0.0283, 0.0028]
    """
    sd = noise_std(epsilon, budget_share, max_value)
    if isinstance(true_values, pd.Series):
        v = true_values.astype(float)
        return pd.Series(np.divide(sd, v.to_numpy(), out=np.full(len(v), np.inf), where=v.to_numpy() > 0),
                         index=v.index, name="relative_error")
    arr = np.asarray(true_values, dtype=float)
    if arr.ndim == 0:
        return sd / float(arr) if arr > 0 else math.inf
    return np.divide(sd, arr, out=np.full(arr.shape, np.inf), where=arr > 0)


def rmsre(estimates, truth, threshold: float = 5.0) -> float:
    """Noise Lab's error metric RMSRE_T: root mean square of ``(estimate - truth) / max(truth, T)``.

    The threshold ``T`` (Noise Lab: 5, in the question's units) stops tiny buckets from dominating.

    >>> round(rmsre([11.0, 0.0], [10.0, 1.0], threshold=5), 4)
    0.1581
    """
    e = np.asarray(estimates, dtype=float)
    truth_arr = np.asarray(truth, dtype=float)
    if e.shape != truth_arr.shape or e.ndim != 1 or len(e) == 0:
        raise ValueError(t("errors.privacy_sandbox.estimates_truth_length"))
    thr = _positive(threshold, "threshold")
    return float(np.sqrt(np.mean(((e - truth_arr) / np.maximum(truth_arr, thr)) ** 2)))


def expected_rmsre(truth, noise_sd: float, threshold: float = 5.0) -> float:
    """The RMSRE_T a plan should get on average: ``sqrt(mean(sd^2 / max(truth, T)^2))``.

    >>> round(expected_rmsre([10.0, 1.0], noise_sd=1.0, threshold=5), 4)
    0.1581
    """
    truth_arr = np.asarray(truth, dtype=float)
    if truth_arr.ndim != 1 or len(truth_arr) == 0:
        raise ValueError(t("errors.privacy_sandbox.truth_list"))
    sd = float(noise_sd)
    if not sd >= 0:
        raise ValueError(t("errors.privacy_sandbox.noise_sd", noise_sd=noise_sd))
    return float(np.sqrt(np.mean(sd**2 / np.maximum(truth_arr, _positive(threshold, "threshold")) ** 2)))


def equal_error_split(max_values: Mapping[str, float], typical_values: Mapping[str, float]) -> dict[str, float]:
    """Budget shares that give every question the same relative error on a typical bucket.

    The relative error of question q is ``sqrt(2) max_q / (epsilon share_q typical_q)``, so equal
    errors need ``share_q`` proportional to ``max_q / typical_q`` (normalised to sum to 1).

    >>> equal_error_split({"count": 1, "revenue": 200}, {"count": 10, "revenue": 500})
    {'count': 0.2, 'revenue': 0.8}
    """
    if not isinstance(max_values, Mapping) or not isinstance(typical_values, Mapping) or not max_values:
        raise ValueError(t("errors.privacy_sandbox.split_dicts"))
    if set(max_values) != set(typical_values):
        raise ValueError(t("errors.privacy_sandbox.split_questions", max_values=sorted(max_values), typical_values=sorted(typical_values)))
    need = {q: _positive(max_values[q], f"max_values[{q!r}]") / _positive(typical_values[q], f"typical_values[{q!r}]")
            for q in max_values}
    total = sum(need.values())
    return {q: v / total for q, v in need.items()}


def budget_plan(questions: Mapping[str, float], split: Mapping[str, float], epsilon: float) -> pd.DataFrame:
    """One row per question of an aggregatable-report plan.

    ``questions`` maps each question to the largest value one source can contribute (e.g.
    ``{"purchases": 1, "revenue": 200}``), ``split`` to its share of the 65,536 budget (shares sum
    to at most 1). Columns: ``max_value``, ``budget_share``, ``budget_units`` (its part of 65,536),
    ``scaling_factor`` and ``noise_std`` (per bucket, in the question's units) at ``epsilon``.

    >>> plan = budget_plan({"purchases": 1, "revenue": 200}, {"purchases": 0.25, "revenue": 0.75}, 10)
    >>> plan["scaling_factor"].round(2).tolist(), plan["noise_std"].round(2).tolist()
    ([16384.0, 245.76], [0.57, 37.71])
    """
    if not isinstance(questions, Mapping) or not questions:
        raise ValueError(t("errors.privacy_sandbox.questions"))
    if not isinstance(split, Mapping) or set(split) != set(questions):
        raise ValueError(t("errors.privacy_sandbox.split_shares", questions=sorted(questions), split=split))
    shares = {q: _share(split[q], f"split[{q!r}]") for q in questions}
    if sum(shares.values()) > 1 + 1e-9:
        raise ValueError(t("errors.privacy_sandbox.shares_sum", total=sum(shares.values())))
    rows = []
    for q, mx in questions.items():
        mx = _positive(mx, f"questions[{q!r}]")
        rows.append({"question": q, "max_value": mx, "budget_share": shares[q],
                     "budget_units": shares[q] * CONTRIBUTION_BUDGET,
                     "scaling_factor": scaling_factor(shares[q], mx),
                     "noise_std": noise_std(epsilon, shares[q], mx)})
    return pd.DataFrame(rows).set_index("question")


def bucket_errors(values: pd.DataFrame, dimensions: Sequence[str], questions: Mapping[str, float],
                  split: Mapping[str, float], epsilon: float, *, domain: pd.DataFrame | None = None) -> pd.DataFrame:
    """Expected error of every bucket of a key structure, for every question.

    ``values`` has one row per conversion with the ``dimensions`` columns (e.g. campaign, country,
    value bucket) and one column per question (e.g. ``purchases`` = 1, ``revenue`` in USD). The
    conversions are summed per bucket (the output domain is every combination seen, or ``domain``);
    each bucket gets the plan's noise std (:func:`budget_plan`). Returns one row per bucket and
    question: the dimensions, ``question``, ``true_value``, ``noise_std`` and ``relative_error``.
    """
    dims = list(dimensions)
    if not isinstance(values, pd.DataFrame):
        raise ValueError(t("errors.privacy_sandbox.values_table", got=type(values).__name__))
    missing = [c for c in [*dims, *questions] if c not in values.columns]
    if missing:
        raise ValueError(t("errors.privacy_sandbox.values_columns", missing=missing, needed=dims + list(questions)))
    plan = budget_plan(questions, split, epsilon)
    if dims:
        sums = values.groupby(dims, observed=True)[list(questions)].sum()
        if domain is not None:
            full = pd.MultiIndex.from_frame(domain[dims]) if len(dims) > 1 else pd.Index(domain[dims[0]])
            sums = sums.reindex(full, fill_value=0.0)
        sums = sums.reset_index()
    else:
        sums = values[list(questions)].sum().to_frame().T
    frames = []
    for q in questions:
        f = sums[dims].copy()
        f["question"] = q
        f["true_value"] = sums[q].to_numpy(dtype=float)
        f["noise_std"] = plan.loc[q, "noise_std"]
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    tv = out["true_value"].to_numpy()
    out["relative_error"] = np.divide(out["noise_std"].to_numpy(), tv, out=np.full(len(out), np.inf), where=tv > 0)
    return out


# ---------------------------------------------------------------------------------------------
# simulators at scale: event-level reports, the contribution budget, summary reports


class EventLevelSimulation(NamedTuple):
    """Result of :func:`simulate_event_level`.

    ``reports``: one row per event-level report (``source``: index of the source, ``trigger_data``,
    ``window``, ``noised``: True for a fake report). ``noised_sources``: which sources were replaced
    by a random output. ``true_reports``: the reports before randomized response.
    """

    reports: pd.DataFrame
    noised_sources: np.ndarray
    true_reports: pd.DataFrame


_CONFIGS = {"navigation": NAVIGATION_DEFAULTS, "event": EVENT_DEFAULTS}


def simulate_event_level(source_is_click, trigger_source, trigger_data, trigger_window, epsilon: float = DEFAULT_EPSILON,
                         rng=None) -> EventLevelSimulation:
    """Event-level reports of many sources, with the spec's defaults and randomized response.

    ``source_is_click`` (one entry per source): a click is a ``navigation`` source (8 trigger-data
    values, 3 windows, up to 3 reports), otherwise an ``event`` source (2 values, 1 window, 1 report).
    The triggers (``trigger_source``: index of the attributed source; ``trigger_data``;
    ``trigger_window``: index of the report window) are given in time order; each source keeps its
    first R reports (first come, first served). Then every source is replaced, with the flip
    probability of its type, by a uniformly random output (:func:`random_state_reports`).
    Vectorised: a million conversions take about a second.
    """
    is_click = np.asarray(source_is_click, dtype=bool)
    if is_click.ndim != 1:
        raise ValueError(t("errors.privacy_sandbox.source_is_click"))
    n_src = len(is_click)
    src = np.asarray(trigger_source)
    td = np.asarray(trigger_data)
    win = np.asarray(trigger_window)
    if not (src.shape == td.shape == win.shape) or src.ndim != 1:
        raise ValueError(t("errors.privacy_sandbox.trigger_lengths"))
    for name, arr in (("trigger_source", src), ("trigger_data", td), ("trigger_window", win)):
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(t("errors.privacy_sandbox.whole_numbers", name=name))
    src, td, win = src.astype(np.int64), td.astype(np.int64), win.astype(np.int64)
    if src.size and (src.min() < 0 or src.max() >= n_src):
        raise ValueError(t("errors.privacy_sandbox.trigger_source_range", top=n_src - 1))
    t_card = np.where(is_click, NAVIGATION_DEFAULTS["trigger_data_cardinality"], EVENT_DEFAULTS["trigger_data_cardinality"])
    w_card = np.where(is_click, NAVIGATION_DEFAULTS["windows"], EVENT_DEFAULTS["windows"])
    cap = np.where(is_click, NAVIGATION_DEFAULTS["max_reports"], EVENT_DEFAULTS["max_reports"])
    if src.size and ((td < 0).any() or (td >= t_card[src]).any()):
        raise ValueError(t("errors.privacy_sandbox.trigger_data_range"))
    if src.size and ((win < 0).any() or (win >= w_card[src]).any()):
        raise ValueError(t("errors.privacy_sandbox.trigger_window_range"))
    gen = _rng(rng)
    # first come, first served: the rank of each trigger among its source's triggers
    order = np.argsort(src, kind="stable")
    s_sorted = src[order]
    first = np.r_[True, s_sorted[1:] != s_sorted[:-1]] if len(order) else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    keep = rank < cap[src] if len(src) else np.zeros(0, bool)
    true = pd.DataFrame({"source": src[keep], "trigger_data": td[keep], "window": win[keep]})
    states = {True: event_level_states([NAVIGATION_DEFAULTS["windows"]] * NAVIGATION_DEFAULTS["trigger_data_cardinality"],
                                       NAVIGATION_DEFAULTS["max_reports"]),
              False: event_level_states([EVENT_DEFAULTS["windows"]] * EVENT_DEFAULTS["trigger_data_cardinality"],
                                        EVENT_DEFAULTS["max_reports"])}
    p = np.where(is_click, flip_probability(states[True], epsilon), flip_probability(states[False], epsilon))
    noised = gen.random(n_src) < p
    real = true[~noised[true["source"].to_numpy()]]
    parts = [real.assign(noised=False)]
    for click, cfg in ((True, NAVIGATION_DEFAULTS), (False, EVENT_DEFAULTS)):
        who = np.flatnonzero(noised & (is_click == click))
        n_data = cfg["trigger_data_cardinality"]
        bins = random_state_reports(len(who), cfg["windows"] * n_data, cfg["max_reports"], gen)
        rows, cols = np.nonzero(bins >= 0)
        b = bins[rows, cols]
        parts.append(pd.DataFrame({"source": who[rows], "trigger_data": b % n_data, "window": b // n_data,
                                   "noised": True}))
    reports = pd.concat(parts, ignore_index=True).astype({"source": "int64", "trigger_data": "int64",
                                                          "window": "int64", "noised": bool})
    return EventLevelSimulation(reports.sort_values(["source", "window", "trigger_data"], kind="stable")
                                .reset_index(drop=True), noised, true.reset_index(drop=True))


def apply_contribution_budget(report_source, report_value, l1_budget: float = CONTRIBUTION_BUDGET,
                              max_reports_per_source: int = 20) -> np.ndarray:
    """Which aggregatable reports fit their source's L1 budget (True = kept), in the given order.

    ``report_source`` is the source of each report, ``report_value`` the sum of its contributions
    (budget units). Reports are taken in order; one that would take its source past ``l1_budget``
    (65,536) is dropped silently, as the browser does, and so is any report beyond the 20th.

    >>> apply_contribution_budget([0, 0, 0, 1], [40000, 30000, 20000, 70000]).tolist()
    [True, False, True, False]
    """
    s = np.asarray(report_source)
    v = np.asarray(report_value, dtype=np.int64) if np.asarray(report_value).size else np.zeros(0, np.int64)
    if s.shape != v.shape or s.ndim != 1:
        raise ValueError(t("errors.privacy_sandbox.report_lengths"))
    if v.size and (v < 0).any():
        raise ValueError(t("errors.privacy_sandbox.report_values"))
    budget = _positive(l1_budget, "l1_budget")
    ok = np.zeros(len(s), bool)
    if not len(s):
        return ok
    codes, s_codes = np.unique(s, return_inverse=True)
    order = np.argsort(s_codes, kind="stable")
    sc = s_codes[order]
    first = np.r_[True, sc[1:] != sc[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    used = np.zeros(len(codes), np.int64)
    n_rep = np.zeros(len(codes), np.int64)
    for k in range(int(rank.max()) + 1):
        at = order[rank == k]
        who = s_codes[at]
        good = (used[who] + v[at] <= budget) & (n_rep[who] < max_reports_per_source)
        used[who[good]] += v[at][good]
        n_rep[who[good]] += 1
        ok[at] = good
    return ok


def summary_report(buckets, values, epsilon: float, *, domain=None, rng=None, discrete: bool = True,
                   delta: float = 1e-5, l1_budget: float = CONTRIBUTION_BUDGET) -> pd.DataFrame:
    """A noisy summary report like the Aggregation Service's: sum per bucket, then Laplace noise.

    ``buckets`` and ``values`` are the contributions (bucket keys and budget units). With a
    ``domain`` (the list of keys you declared) every domain bucket is reported, empty ones too,
    each with noise. Without one, only buckets that received contributions can appear, and - as
    the service did - those whose noised value is at or below :func:`aggregation_threshold` are
    dropped. Columns: ``bucket``, ``true_value``, ``noise``, ``value`` (what you receive).
    """
    b = np.asarray(buckets, dtype=object)
    v = np.asarray(values, dtype=float)
    if b.shape != v.shape or b.ndim != 1:
        raise ValueError(t("errors.privacy_sandbox.bucket_lengths"))
    sums = pd.Series(v, index=pd.Index(b, dtype=object)).groupby(level=0, sort=False).sum()
    if domain is not None:
        dom = pd.Index(list(domain), dtype=object)
        if not dom.is_unique:
            raise ValueError(t("errors.privacy_sandbox.domain_duplicate"))
        sums = sums.reindex(dom, fill_value=0.0)
    gen = _rng(rng)
    noise = laplace_noise(len(sums), epsilon, l1_budget, gen, discrete=discrete)
    out = pd.DataFrame({"bucket": sums.index.to_numpy(dtype=object), "true_value": sums.to_numpy(),
                        "noise": noise.astype(float)})
    out["value"] = out["true_value"] + out["noise"]
    if domain is None:
        out = out[out["value"] > aggregation_threshold(epsilon, delta, l1_budget)].reset_index(drop=True)
    return out


__all__ += ["epsilon_for_information_gain", "attribution_scopes_information_gain", "debias_std_error",
            "expected_fake_reports", "combine_key_pieces", "KeyLayout", "scaling_factor", "noise_std",
            "expected_relative_error", "rmsre", "expected_rmsre", "equal_error_split", "budget_plan",
            "bucket_errors", "EventLevelSimulation", "simulate_event_level", "apply_contribution_budget",
            "summary_report"]
