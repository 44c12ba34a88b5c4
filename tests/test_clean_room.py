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
    # with noise (epsilon 1, one person adds at most 200), the difference has sd sqrt(2) * 200 * sqrt(2)
    errs = []
    rng = np.random.default_rng(1)
    for _ in range(300):
        noisy = C.differencing_attack(fp, meas.assign(revenue=meas["revenue"].clip(upper=200)), on="id",
                                      target=target, metric=("revenue", "sum"), epsilon=1.0, max_contribution=200,
                                      rng=rng)
        errs.append(noisy["revealed"] - noisy["true_value"])
    sd = math.sqrt(2) * math.sqrt(2) * 200  # two independent Laplace draws of scale 200
    assert abs(np.std(errs, ddof=1) / sd - 1) < 0.15


def test_query_validation():
    fp, meas = _parties()
    with pytest.raises(ValueError, match="missing the columns"):
        C.clean_room_query(fp, meas, on="email", by="tier", metrics={"r": ("revenue", "sum")})
    with pytest.raises(ValueError, match="how must be"):
        C.clean_room_query(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "median")})
    with pytest.raises(ValueError, match="max_contribution"):
        C.clean_room_query(fp, meas, on="id", by="tier", metrics={"r": ("revenue", "sum")}, epsilon=1)


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
