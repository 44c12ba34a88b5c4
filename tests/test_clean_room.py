"""helpers.clean_room (aggregation thresholds, noise, the differencing attack) and
helpers.privacy_sandbox_audience (k-anonymity, the on-device auction)."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers import clean_room as C
from helpers import privacy_sandbox_audience as A


def _parties(n=600, seed=0):
    rng = np.random.default_rng(seed)
    emails = [f"user{i}@mail.example" for i in range(n)]
    fp = pd.DataFrame({"id": C.hash_ids(emails, "salt"), "tier": rng.choice(["vip", "member", "new"], n, p=[.1, .5, .4])})
    meas = pd.DataFrame({"id": C.hash_ids([e.upper() for e in emails[: n // 2]] + [f"other{i}@x.example" for i in range(50)],
                                          "salt"),
                         "campaign": rng.choice(["a", "b"], n // 2 + 50), "revenue": rng.gamma(2, 20, n // 2 + 50)})
    return fp, meas


def test_hash_ids_normalises_and_needs_the_same_salt():
    h = C.hash_ids([" A@B.example ", "a@b.example", None], "s")
    assert h.iloc[0] == h.iloc[1] and pd.isna(h.iloc[2])
    assert C.hash_ids(["a@b.example"], "other").iloc[0] != h.iloc[0]


def test_query_joins_aggregates_and_suppresses_small_groups():
    fp, meas = _parties()
    out = C.clean_room_query(fp, meas, on="id", by=["tier", "campaign"], metrics={"revenue": ("revenue", "sum")},
                             min_users=40)
    joined = fp.merge(meas, on="id")
    assert len(joined) == 300  # the 50 unmatched measurement rows are out
    exp = joined.groupby(["tier", "campaign"]).agg(users=("id", "nunique"), revenue=("revenue", "sum")).reset_index()
    exp = exp.sort_values(["tier", "campaign"]).reset_index(drop=True)
    assert (out["suppressed"] == (exp["users"] < 40)).all() and out["suppressed"].any() and not out["suppressed"].all()
    shown = ~out["suppressed"]
    assert np.allclose(out.loc[shown, "revenue"], exp.loc[shown, "revenue"])
    assert out.loc[~shown, ["users", "revenue"]].isna().all().all()


def test_differencing_attack_and_noise():
    fp, meas = _parties()
    target = fp["id"].iloc[3]
    plain = C.differencing_attack(fp, meas, on="id", target=target, metric=("revenue", "sum"))
    assert plain["revealed"] == pytest.approx(plain["true_value"]) and plain["true_value"] > 0
    # epsilon 1 split over 2 noisy values (users, the sum): each answer's sum has Laplace scale 2 * 200 = 400,
    # so the difference of two independent draws has sd sqrt(2 * 2 * 400^2) = 800
    errs = []
    rng = np.random.default_rng(1)
    for _ in range(300):
        noisy = C.differencing_attack(fp, meas, on="id", target=target, metric=("revenue", "sum"), epsilon=1.0,
                                      max_contribution=200, rng=rng)
        errs.append(noisy["revealed"] - noisy["true_value"])
    assert abs(np.std(errs, ddof=1) / 800 - 1) < 0.15
    assert not np.isclose(errs, 0, atol=1e-6).any()


def _attack_errors(metric, tries=400, seed=2, **kw):
    fp, meas = _parties()
    target = fp["id"].iloc[3]
    rng = np.random.default_rng(seed)
    out = [C.differencing_attack(fp, meas, on="id", target=target, metric=metric, rng=rng, **kw) for _ in range(tries)]
    return np.array([o["revealed"] - o["true_value"] for o in out]), out[0]["true_value"]


def test_mean_and_count_differencing_is_exact_without_noise_and_hidden_with_it():
    fp, meas = _parties()
    target = fp["id"].iloc[3]
    for how in ("mean", "count"):
        plain = C.differencing_attack(fp, meas, on="id", target=target, metric=("revenue", how))
        assert plain["revealed"] == pytest.approx(plain["true_value"], abs=1e-6) and plain["true_value"] > 0
    # count: 2 noisy values per query (users, the count), each Laplace scale 2 / epsilon = 2;
    # difference of two answers: variance 2 * 2 * 2^2 = 16
    errs, truth = _attack_errors(("revenue", "count"), epsilon=1.0)
    assert truth == 1 and abs(np.std(errs, ddof=1) / 4 - 1) < 0.15
    # mean (the attack also asks the count): 4 noisy values per query, scale 4 * 200 for the sum and 4 for each
    # count; count * mean - ... ~ sum noise + mean * (count noise - mean's count noise) per query
    joined = fp.merge(meas, on="id")
    m = joined["revenue"].mean()
    sd = math.sqrt(2 * 2 * (4 * 200) ** 2 + 2 * 2 * 2 * m ** 2 * 4 ** 2)
    errs, truth = _attack_errors(("revenue", "mean"), epsilon=1.0, max_contribution=200)
    assert truth > 0 and abs(np.std(errs, ddof=1) / sd - 1) < 0.15
    assert not np.isclose(errs, 0, atol=1e-6).any()


def test_mean_is_noisy_even_when_the_attacker_knows_the_exact_counts():
    # the reviewer's attack: mean of everyone vs mean of everyone but one, counts known exactly
    fp, meas = _parties()
    fp = fp.assign(all="x")
    target = fp["id"].iloc[3]
    joined = fp.merge(meas, on="id")
    n, truth, m = len(joined), joined.loc[joined["id"] == target, "revenue"].sum(), joined["revenue"].mean()
    kw = dict(on="id", by="all", metrics={"avg": ("revenue", "mean")}, epsilon=1.0, max_contribution={"avg": 200})
    rng = np.random.default_rng(3)
    errs = []
    for _ in range(400):
        a = C.clean_room_query(fp, meas, rng=rng, **kw)["avg"].iloc[0]
        b = C.clean_room_query(fp[fp["id"] != target], meas, rng=rng, **kw)["avg"].iloc[0]
        errs.append(n * a - (n - 1) * b - truth)
    # 3 noisy values (users, sum, count): n * mean ~ sum + sum noise (scale 600) - mean * count noise (scale 3)
    sd = math.sqrt(2 * 2 * 600 ** 2 + 2 * 2 * m ** 2 * 3 ** 2)
    assert abs(np.std(errs, ddof=1) / sd - 1) < 0.15
    exact = C.clean_room_query(fp, meas, on="id", by="all", metrics={"avg": ("revenue", "mean")})["avg"].iloc[0]
    assert exact == pytest.approx(m)


def test_values_are_clipped_per_person_before_noise():
    fp = pd.DataFrame({"id": [f"p{i}" for i in range(60)], "g": "x"})
    # p0 has two rows (1,000 + 5,000), p1 a refund of -3,000; everyone else 10
    meas = pd.DataFrame({"id": ["p0", "p0", "p1"] + [f"p{i}" for i in range(2, 60)],
                         "rev": [1000.0, 5000.0, -3000.0] + [10.0] * 58})
    kw = dict(on="id", by="g", epsilon=1e9, rng=0)  # noise scale ~1e-8: what is left is the clipping
    out = C.clean_room_query(fp, meas, metrics={"s": ("rev", "sum"), "m": ("rev", "mean"), "c": ("rev", "count")},
                             max_contribution={"s": 100, "m": 100}, **kw)
    assert out["users"].iloc[0] == pytest.approx(60, abs=1e-3)
    assert out["s"].iloc[0] == pytest.approx(100 - 100 + 58 * 10, abs=1e-3)  # the person's total is clipped
    assert out["m"].iloc[0] == pytest.approx((100 - 100 + 58 * 10) / 60, abs=1e-3)  # the person's own mean, clipped
    assert out["c"].iloc[0] == pytest.approx(60, abs=1e-3)  # p0 counts once
    two = C.clean_room_query(fp, meas, metrics={"c": ("rev", "count")}, max_contribution={"c": 2}, **kw)
    assert two["c"].iloc[0] == pytest.approx(61, abs=1e-3)
    exact = C.clean_room_query(fp, meas, on="id", by="g", metrics={"s": ("rev", "sum"), "c": ("rev", "count")})
    assert exact["s"].iloc[0] == 1000 + 5000 - 3000 + 580 and exact["c"].iloc[0] == 61


def test_epsilon_is_split_over_the_noisy_values():
    fp, meas = _parties()
    fp = fp.assign(all="x")
    metrics = {"s": ("revenue", "sum"), "m": ("revenue", "mean"), "c": ("revenue", "count")}
    assert C.noisy_values(metrics) == ["users", "s.sum", "m.sum", "m.count", "c.count"]
    kw = dict(on="id", by="all", metrics=metrics, epsilon=2.0, max_contribution={"s": 50, "m": 50})
    first = C.clean_room_query(fp, meas, rng=0, **kw)
    assert first.attrs["privacy"] == {"epsilon_total": 2.0, "epsilon_each": 0.4,
                                      "noisy_values": ["users", "s.sum", "m.sum", "m.count", "c.count"]}
    joined = fp.merge(meas, on="id")
    true_s = joined["revenue"].clip(upper=50).sum()
    rng = np.random.default_rng(4)
    runs = pd.concat([C.clean_room_query(fp, meas, rng=rng, **kw) for _ in range(500)])
    # each noisy value gets epsilon / 5 = 0.4: users scale 1 / 0.4, the sum scale 50 / 0.4
    assert abs(np.std(runs["users"] - 300, ddof=1) / (math.sqrt(2) * 2.5) - 1) < 0.12
    assert abs(np.std(runs["s"] - true_s, ddof=1) / (math.sqrt(2) * 125) - 1) < 0.12
    assert abs(np.std(runs["c"] - 300, ddof=1) / (math.sqrt(2) * 2.5) - 1) < 0.12
    # a count alone: 2 noisy values (users, the count), epsilon 1 each
    alone = pd.concat([C.clean_room_query(fp, meas, on="id", by="all", metrics={"c": ("revenue", "count")},
                                          epsilon=2.0, rng=rng) for _ in range(500)])
    assert abs(np.std(alone["users"] - 300, ddof=1) / (math.sqrt(2) * 1.0) - 1) < 0.12


def test_noisy_query_is_deterministic_by_seed():
    fp, meas = _parties()
    kw = dict(on="id", by="tier", metrics={"r": ("revenue", "sum"), "a": ("revenue", "mean")}, min_users=10,
              epsilon=1.0, max_contribution={"r": 100, "a": 100})
    one, two = C.clean_room_query(fp, meas, rng=7, **kw), C.clean_room_query(fp, meas, rng=7, **kw)
    assert one.equals(two) and not one.equals(C.clean_room_query(fp, meas, rng=8, **kw))
    assert not one[["users", "r", "a"]].isna().any().any()


def test_query_validation():
    fp, meas = _parties()
    q = C.clean_room_query
    with pytest.raises(ValueError, match="missing the columns"):
        q(fp, meas, on="email", by="tier", metrics={"r": ("revenue", "sum")})
    with pytest.raises(ValueError, match="how must be"):
        q(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "median")})
    for how in ("sum", "mean"):
        with pytest.raises(ValueError, match=r"max_contribution\['r'\]"):
            q(fp, meas, on="id", by="tier", metrics={"r": ("revenue", how)}, epsilon=1)
    for bad in (0, -5, math.inf, math.nan, True, "100"):
        with pytest.raises(ValueError, match="positive finite"):
            q(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "sum")}, epsilon=1, max_contribution={"r": bad})
    with pytest.raises(ValueError, match="not metrics"):
        q(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "sum")}, epsilon=1,
          max_contribution={"r": 1, "rev": 1})
    with pytest.raises(ValueError, match="only used with epsilon"):
        q(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "sum")}, max_contribution={"r": 1})
    for eps in (0, -1, math.inf, "1"):
        with pytest.raises(ValueError, match="epsilon"):
            q(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "count")}, epsilon=eps)
    with pytest.raises(ValueError, match="clashes"):
        q(fp, meas, on="id", by="tier", metrics={"users": ("revenue", "count")})
    # a person in two rows would be counted twice under one epsilon
    with pytest.raises(ValueError, match="one output row"):
        q(fp, pd.concat([meas.assign(campaign="a"), meas.assign(campaign="b")]), on="id", by="campaign", metrics={"r": ("revenue", "count")}, epsilon=1)
    with pytest.raises(ValueError, match="metric must be"):
        C.differencing_attack(fp, meas, on="id", target=fp["id"].iloc[0], metric=("revenue", "median"))


def test_missing_ids_match_nobody():
    fp = pd.DataFrame({"id": pd.array(["a", None], dtype="string"), "g": "x"})
    meas = pd.DataFrame({"id": pd.array(["a", None], dtype="string"), "rev": [1.0, 100.0]})
    out = C.clean_room_query(fp, meas, on="id", by="g", metrics={"r": ("rev", "sum")}, min_users=1)
    assert out["users"].iloc[0] == 1 and out["r"].iloc[0] == 1.0


def test_k_anonymity_counts_people_in_window():
    t0 = pd.Timestamp("2025-09-01", tz="UTC")
    wins = pd.DataFrame({"user": [1, 2, 2, 3, 4], "ad": ["x", "x", "x", "y", "x"],
                         "time": [t0, t0, t0 + pd.Timedelta(days=1), t0, t0 + pd.Timedelta(days=40)]})
    out = A.k_anonymous_ads(wins, k=2)
    # at the last time (day 40) only user 4 is inside the 30-day window for x
    assert out.loc["x", "people"] == 1 and not out.loc["x", "k_anonymous"] and out.loc["y", "people"] == 0
    early = A.k_anonymous_ads(wins, k=2, at=t0 + pd.Timedelta(days=2))
    assert early.loc["x", "people"] == 2 and early.loc["x", "k_anonymous"]


def test_simulated_specific_ads_fail_k_anonymity():
    wins = A.simulate_interest_groups(2000, seed=1)
    out = A.k_anonymous_ads(wins)
    assert out.loc["shoes-generic", "k_anonymous"] and not out.loc["sneakers-gold-size-38", "k_anonymous"]
    assert wins.equals(A.simulate_interest_groups(2000, seed=1))


def test_auction_uses_fallback_ads_and_skips_non_k_anonymous():
    bids = pd.DataFrame({"auction": [1, 1, 1, 2, 2], "owner": ["s", "s", "b", "s", "b"],
                         "ad": ["s-gold", "s-generic", "b-1", "s-gold", "b-1"], "bid": [3.0, 1.0, 2.0, 3.0, 0.5]})
    win = A.on_device_auction(bids, {"s-generic", "b-1"}).set_index("auction")
    assert win.loc[1, "ad"] == "b-1" and not win.loc[1, "fallback"]  # s falls back to 1.0, b wins with 2.0
    assert win.loc[2, "ad"] == "b-1"
    win_all = A.on_device_auction(bids, {"s-gold", "s-generic", "b-1"}).set_index("auction")
    assert win_all.loc[1, "ad"] == "s-gold"
    only_generic = A.on_device_auction(bids[bids["owner"] == "s"], {"s-generic"}).set_index("auction")
    assert only_generic.loc[1, "ad"] == "s-generic" and only_generic.loc[1, "fallback"]
