"""Protected Audience (formerly FLEDGE) in outline: interest groups, an on-device auction, k-anonymity.

Chrome's Protected Audience API (retired with the Privacy Sandbox; "Intent to Deprecate and
Remove" on blink-dev, 7 Nov 2025) moved remarketing into the browser
(``WICG/turtledove`` FLEDGE.md and spec; ``shared/reference/skan-privacy-sandbox.md`` part E):

* an advertiser's site asks the browser to **join an interest group** (owner, name, bidding
  logic, ads; lifetime at most 30 days);
* a publisher's page runs an **auction on the device**: every interest group's ``generateBid``
  proposes an ad and a bid, the seller's ``scoreAd`` scores them, the highest score wins;
* an ad may win only if it is **k-anonymous**: shown (as a would-be winner) to at least k = 50
  people in the last 30 days (Google's target; the ramp started at k = 10 - later steps are
  unconfirmed). Otherwise the buyer's bid is re-run with its k-anonymous ads only (a fallback).

This module keeps the ideas and drops the plumbing: :func:`k_anonymous_ads` counts people per ad
over a window, :func:`on_device_auction` picks winners with the k-anonymity rule.

>>> bids = pd.DataFrame({"auction": [1, 1], "owner": ["shoe.example", "bag.example"],
...                      "ad": ["shoe-red", "bag-1"], "bid": [2.0, 1.5]})
>>> on_device_auction(bids, k_anonymous={"bag-1"})["ad"].tolist()
['bag-1']
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from helpers.messages import t

__all__ = ["K_ANONYMITY", "K_WINDOW_DAYS", "MAX_LIFETIME_DAYS", "k_anonymous_ads", "on_device_auction",
           "simulate_interest_groups"]

#: Google's k-anonymity target: k people over 30 days (status refreshed every hour).
K_ANONYMITY = 50
K_WINDOW_DAYS = 30
#: An interest group lives at most 30 days after its last join.
MAX_LIFETIME_DAYS = 30


def k_anonymous_ads(wins: pd.DataFrame, k: int = K_ANONYMITY, window_days: int = K_WINDOW_DAYS,
                    at=None) -> pd.DataFrame:
    """People per ad over the last ``window_days`` before ``at``, and whether the ad is k-anonymous.

    ``wins`` has one row per time an ad would have been shown: ``user``, ``ad``, ``time`` (UTC).
    Returns one row per ad: ``people`` (distinct users in the window) and ``k_anonymous``.
    """
    for col in ("user", "ad", "time"):
        if col not in wins.columns:
            raise ValueError(t("errors.audience.wins_columns", column=repr(col)))
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(t("errors.audience.k", value=repr(k)))
    end = wins["time"].max() if at is None else pd.Timestamp(at)
    recent = wins[(wins["time"] <= end) & (wins["time"] > end - pd.Timedelta(days=window_days))]
    people = recent.groupby("ad")["user"].nunique().reindex(sorted(wins["ad"].unique()), fill_value=0)
    return pd.DataFrame({"people": people.astype("int64"), "k_anonymous": people >= k}).rename_axis("ad")


def on_device_auction(bids: pd.DataFrame, k_anonymous) -> pd.DataFrame:
    """Winner of each auction (``auction`` column) under the k-anonymity rule.

    ``bids`` has one row per (interest group's) candidate ad: ``auction``, ``owner``, ``ad``,
    ``bid`` (the seller's score is the bid here). Only ads in ``k_anonymous`` (a set of ad names)
    can win; a buyer whose best ad is not k-anonymous competes with its best k-anonymous ad
    instead (the fallback). Returns one row per auction with a winner: ``auction``, ``owner``,
    ``ad``, ``bid`` and ``fallback`` (True when the winning buyer's preferred ad was not allowed).
    """
    for col in ("auction", "owner", "ad", "bid"):
        if col not in bids.columns:
            raise ValueError(t("errors.audience.bids_columns", column=repr(col)))
    allowed = set(k_anonymous)
    b = bids.copy()
    b["allowed"] = b["ad"].isin(allowed)
    best = b.sort_values(["auction", "owner", "bid"], ascending=[True, True, False], kind="stable")
    preferred = best.groupby(["auction", "owner"]).head(1).set_index(["auction", "owner"])["ad"]
    ok = best[best["allowed"]].groupby(["auction", "owner"]).head(1)
    ok = ok.assign(fallback=ok.set_index(["auction", "owner"]).index.map(preferred).to_numpy() != ok["ad"].to_numpy())
    win = ok.sort_values(["auction", "bid"], ascending=[True, False], kind="stable").groupby("auction").head(1)
    return win[["auction", "owner", "ad", "bid", "fallback"]].reset_index(drop=True)


def simulate_interest_groups(n_users: int = 2_000, seed: int = 0, days: int = 30) -> pd.DataFrame:
    """Would-be wins of a retailer's remarketing ads over ``days`` days (for the k-anonymity lesson).

    A shoe shop has one generic ad and personalised ads per product; the more specific the ad,
    the fewer people it is shown to. Returns ``user``, ``ad``, ``time``. Deterministic for a seed.
    """
    if isinstance(n_users, bool) or not isinstance(n_users, numbers.Integral) or n_users < 1:
        raise ValueError(t("errors.audience.n_users", value=repr(n_users)))
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xF1ED]))
    ads = ["shoes-generic", "sneakers-white", "sneakers-black", "boots-brown", "sandals-kids", "sneakers-gold-size-38"]
    weights = np.array([0.55, 0.2, 0.15, 0.07, 0.025, 0.005])
    n = int(n_users)
    shown = rng.poisson(2.0, n)
    users = np.repeat(np.arange(n), shown)
    ad = np.array(ads, dtype=object)[rng.choice(len(ads), size=len(users), p=weights)]
    t0 = pd.Timestamp("2025-09-01", tz="UTC")
    time = t0 + pd.to_timedelta(rng.integers(0, int(days) * 86400, len(users)), unit="s")
    return pd.DataFrame({"user": users, "ad": ad, "time": time}).sort_values("time", kind="stable").reset_index(drop=True)
