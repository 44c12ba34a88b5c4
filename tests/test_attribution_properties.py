"""Property tests (hypothesis) for the path and journey models in helpers.attribution."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.attribution import (
    PATH_MODELS,
    attribute_journeys,
    attribute_paths,
    journey_weights,
    markov_removal_effects,
)

SETTINGS = settings(max_examples=60, derandomize=True, deadline=None)


def path_tables(channels: str = "abcde", max_len: int = 5, max_rows: int = 8, max_count: int = 20):
    row = st.tuples(
        st.lists(st.sampled_from(channels), min_size=1, max_size=max_len),
        st.integers(0, max_count),
        st.integers(0, max_count),
    )
    return st.lists(row, min_size=1, max_size=max_rows).map(
        lambda rows: pd.DataFrame(
            {
                "path": [" > ".join(p) for p, _, _ in rows],
                "conversions": [c for _, c, _ in rows],
                "nulls": [n for _, _, n in rows],
            }
        )
    )


@SETTINGS
@given(paths=path_tables())
def test_every_model_credits_exactly_the_total_conversions(paths):
    total = paths["conversions"].sum()
    for model in PATH_MODELS:
        credit = attribute_paths(paths, model)
        assert credit.sum() == pytest.approx(total, rel=1e-9, abs=1e-9), model
        assert (credit >= -1e-12).all(), model
        assert list(credit.index) == sorted(credit.index)


# --- Markov vs an independent Monte-Carlo simulation --------------------------------------------


def simulate_chain(paths: pd.DataFrame, n_walks: int, seed: int):
    """Estimate P(conversion) and P(channel visited | converted) by random walks.

    The transition counts are rebuilt here in plain Python (independently of the library), then
    ``n_walks`` walkers start at (start) and step until they are absorbed.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for path, conv, null in paths.itertuples(index=False):
        chans = [c.strip() for c in path.split(">")]
        for a, b in zip(["(start)", *chans], chans, strict=False):
            counts[a][b] += conv + null
        counts[chans[-1]]["(conversion)"] += conv
        counts[chans[-1]]["(null)"] += null
    states = ["(start)", *sorted({s for c in counts.values() for s in c} - {"(conversion)", "(null)"})]
    states += ["(conversion)", "(null)"]
    idx = {s: i for i, s in enumerate(states)}
    n = len(states)
    prob = np.zeros((n, n))
    for a, row in counts.items():
        total = sum(row.values())
        for b, w in row.items():
            if total:
                prob[idx[a], idx[b]] = w / total
    prob[idx["(conversion)"], idx["(conversion)"]] = 1.0
    prob[idx["(null)"], idx["(null)"]] = 1.0
    for i in range(n):  # rows with no data: absorb in (null)
        if prob[i].sum() == 0:
            prob[i, idx["(null)"]] = 1.0
    cum = np.cumsum(prob, axis=1)
    rng = np.random.default_rng(seed)
    state = np.zeros(n_walks, dtype=np.int64)
    visited = np.zeros((n_walks, n), dtype=bool)
    absorbing = {idx["(conversion)"], idx["(null)"]}
    for _ in range(10_000):
        live = ~np.isin(state, list(absorbing))
        if not live.any():
            break
        u = rng.random(int(live.sum()))
        nxt = (cum[state[live]] < u[:, None]).sum(axis=1)
        state[live] = np.minimum(nxt, n - 1)
        visited[np.flatnonzero(live), state[live]] = True
    converted = state == idx["(conversion)"]
    channels = states[1:-2]
    return converted, {c: visited[converted, idx[c]] for c in channels}


@settings(max_examples=25, derandomize=True, deadline=None)
@given(paths=path_tables(channels="abcd", max_len=4, max_rows=6))
def test_markov_removal_effects_match_monte_carlo(paths):
    assume(paths["conversions"].sum() > 0)
    n_walks = 40_000
    converted, visits = simulate_chain(paths, n_walks, seed=12345)
    n_conv = int(converted.sum())
    assume(n_conv >= 200)
    exact = markov_removal_effects(paths)
    # RE_k = 1 - P(conv | k removed) / P(conv) = P(k visited | converted)
    for channel, hit in visits.items():
        estimate = hit.mean()
        p = exact[channel]
        se = math.sqrt(max(p * (1 - p), 1e-4) / n_conv)
        assert abs(estimate - p) < 5 * se + 1e-3, (channel, estimate, p)
    credit = attribute_paths(paths, "markov")
    np.testing.assert_allclose(credit, exact / exact.sum() * paths["conversions"].sum())


# --- Shapley vs brute force ------------------------------------------------------------------------


def brute_force_shapley(paths: pd.DataFrame) -> dict[str, float]:
    r: Counter = Counter()
    for path, conv, _ in paths.itertuples(index=False):
        r[frozenset(c.strip() for c in path.split(">"))] += conv
    players = sorted({c for t in r for c in t})

    def v(coalition: frozenset) -> float:
        return sum(conv for t, conv in r.items() if t <= coalition)

    phi = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        coalition: frozenset = frozenset()
        for player in order:
            phi[player] += v(coalition | {player}) - v(coalition)
            coalition = coalition | {player}
    return {p: phi[p] / len(orders) for p in players}


@SETTINGS
@given(paths=path_tables(channels="abcd", max_len=4, max_rows=6))
def test_simplified_shapley_equals_brute_force_over_orderings(paths):
    got = attribute_paths(paths, "shapley")
    expected = brute_force_shapley(paths)
    assert got.to_dict() == pytest.approx(expected, abs=1e-9)


# --- journeys --------------------------------------------------------------------------------------

CONV = pd.Timestamp("2025-06-01", tz="UTC")


def journey_tables():
    touch = st.tuples(
        st.integers(0, 4), st.sampled_from(["search", "social", "email"]), st.integers(0, 60 * 24 * 60)
    )
    return st.lists(touch, min_size=1, max_size=25).map(
        lambda rows: pd.DataFrame(
            {
                "journey_id": [j for j, _, _ in rows],
                "channel": [c for _, c, _ in rows],
                "touch_time": [CONV - pd.Timedelta(minutes=m) for _, _, m in rows],
                "conversion_time": [CONV] * len(rows),
            }
        )
    )


@SETTINGS
@given(journeys=journey_tables(), half_life_h=st.integers(1, 24 * 30))
def test_time_decay_weights_sum_to_one_per_journey(journeys, half_life_h):
    w = journey_weights(journeys, "time_decay", half_life=pd.Timedelta(hours=half_life_h))
    sums = w.groupby("journey_id")["weight"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert (w["weight"] > 0).all()
    assert attribute_journeys(journeys, "time_decay", half_life=pd.Timedelta(hours=half_life_h)).sum() == (
        pytest.approx(journeys["journey_id"].nunique())
    )


@SETTINGS
@given(journeys=journey_tables())
def test_rule_based_journey_models_agree_with_path_models(journeys):
    ordered = journeys.assign(_pos=range(len(journeys))).sort_values(["journey_id", "touch_time", "_pos"])
    paths = (
        ordered.groupby("journey_id")["channel"]
        .agg(" > ".join)
        .rename("path")
        .reset_index(drop=True)
        .to_frame()
        .assign(conversions=1, nulls=0)
    )
    for model in ("first_touch", "last_touch", "linear", "position_based"):
        pd.testing.assert_series_equal(
            attribute_journeys(journeys, model), attribute_paths(paths, model), check_names=False, rtol=1e-9
        )
