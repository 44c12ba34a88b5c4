"""A seeded simulation of the Topics API (Chrome, retired with the Privacy Sandbox in Oct 2025).

What the browser did, following the Topics explainer and spec (``patcg-individual-drafts/topics``;
``shared/reference/skan-privacy-sandbox.md`` part D):

* each site maps to topics of a fixed **taxonomy** (v1 had 349 topics, v2 469);
* every **epoch** (7 days) the browser ranks the user's topics by page loads and keeps the
  **top 5**, padding with random taxonomy topics when there are fewer;
* when a caller (an ad tech's script on a site) asks, it gets **one topic per epoch** for the last
  3 epochs: for each epoch one of the top 5 picked by a per-user hash of (epoch, site) - so the
  same site always sees the same topic for that epoch - replaced with **5 % chance** by a uniformly
  random taxonomy topic;
* **per-caller filtering**: a real topic is returned only if that caller saw the user on a page
  about that topic (or a more specific one) in those epochs; the random topic only if the caller
  would have received the real one.

The simulation uses HMAC-SHA256 with a per-user key derived from the seed, like the spec's
hashes, so it is deterministic. The taxonomy here is a **small course taxonomy** (27 topics in a
tree, named after real top-level categories), not Chrome's list, to keep the tables readable.

>>> sim = simulate_browsing(n_users=50, n_epochs=4, seed=1)
>>> bool(sim.top_topics.groupby(["user", "epoch"]).size().eq(5).all())
True
"""

from __future__ import annotations

import hashlib
import hmac
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.messages import t

__all__ = ["TAXONOMY", "taxonomy", "ancestors", "TopicsSimulation", "simulate_browsing", "browsing_topics",
           "call_topics", "RANDOM_TOPIC_PERCENT", "TOP_TOPICS", "EPOCHS_RETURNED"]

#: Chance (in percent) that a returned topic is replaced by a random taxonomy topic.
RANDOM_TOPIC_PERCENT = 5
#: Topics kept per epoch, and epochs a call returns topics from.
TOP_TOPICS = 5
EPOCHS_RETURNED = 3

_TREE = [
    (1, "/Arts & Entertainment", None), (2, "/Arts & Entertainment/Movies", 1),
    (3, "/Arts & Entertainment/Music & Audio", 1), (4, "/Arts & Entertainment/Online Video", 1),
    (5, "/Autos & Vehicles", None), (6, "/Autos & Vehicles/Vehicle Shopping", 5),
    (7, "/Beauty & Fitness", None), (8, "/Beauty & Fitness/Fitness", 7), (9, "/Beauty & Fitness/Make-Up & Cosmetics", 7),
    (10, "/Books & Literature", None),
    (11, "/Finance", None), (12, "/Finance/Insurance", 11), (13, "/Finance/Investing", 11),
    (14, "/Food & Drink", None), (15, "/Food & Drink/Cooking & Recipes", 14),
    (16, "/Food & Drink/Food & Grocery Retailers", 14),
    (17, "/Games", None), (18, "/Games/Computer & Video Games", 17), (19, "/Games/Computer & Video Games/Casual Games", 18),
    (20, "/Home & Garden", None), (21, "/Home & Garden/Home Improvement", 20),
    (22, "/Shopping", None), (23, "/Shopping/Apparel", 22), (24, "/Shopping/Consumer Electronics", 22),
    (25, "/Sports", None), (26, "/Sports/Soccer", 25), (27, "/Travel & Transportation", None),
]
#: The course taxonomy: ``topic`` (id), ``name`` (its path), ``parent`` (id or missing).
TAXONOMY = pd.DataFrame(_TREE, columns=["topic", "name", "parent"]).astype({"parent": "Int64"})

# sites of the simulated web: name -> topics (most specific), and which ad techs' scripts run there
_SITES = {
    "movienight.example": [2], "tunes.example": [3], "clips.example": [4, 2],
    "carfinder.example": [6], "gymbuddy.example": [8], "glow.example": [9, 23],
    "novels.example": [10], "coverme.example": [12], "stocks.example": [13],
    "recipes.example": [15], "grocer.example": [16, 15], "puzzles.example": [19],
    "arena.example": [18], "diy.example": [21], "fashion.example": [23],
    "gadgets.example": [24], "goal.example": [26], "trips.example": [27],
}
_CALLERS = {
    "adnet-big.example": list(_SITES),  # on every site
    "adnet-games.example": ["puzzles.example", "arena.example", "clips.example", "gadgets.example"],
    "adnet-shop.example": ["glow.example", "fashion.example", "gadgets.example", "grocer.example"],
}


def taxonomy() -> pd.DataFrame:
    """A copy of the course taxonomy (:data:`TAXONOMY`)."""
    return TAXONOMY.copy()


def ancestors(topic: int) -> list[int]:
    """The topic and every topic above it, most specific first.

    >>> ancestors(19)
    [19, 18, 17]
    """
    parents = dict(zip(TAXONOMY["topic"], TAXONOMY["parent"], strict=True))
    if topic not in parents:
        raise ValueError(t("errors.topics.unknown_topic", topic=repr(topic), last=len(TAXONOMY)))
    out = [int(topic)]
    while pd.notna(parents[out[-1]]):
        out.append(int(parents[out[-1]]))
    return out


def _hash(key: bytes, text: str) -> int:
    """HMAC-SHA256 truncated to 64 bits, as in the spec's topic decisions."""
    return int.from_bytes(hmac.new(key, text.encode(), hashlib.sha256).digest()[:8], "big")


@dataclass
class TopicsSimulation:
    """What :func:`simulate_browsing` made.

    ``visits``: page loads (``user``, ``epoch``, ``site``, ``loads``); ``top_topics``: the top 5 per
    user and epoch (``rank``, ``topic``, ``padded`` = a random filler); ``observations``: which caller
    saw which user on a page about which topic (ancestors included) in which epoch; ``sites`` and
    ``callers``: the simulated web; ``seed``.
    """

    visits: pd.DataFrame
    top_topics: pd.DataFrame
    observations: pd.DataFrame
    sites: dict
    callers: dict
    seed: int

    def _lookups(self) -> tuple[dict, set]:
        if getattr(self, "_cache", None) is None:
            top = {k: g.sort_values("rank")["topic"].tolist() for k, g in self.top_topics.groupby(["user", "epoch"])}
            seen = set(self.observations.itertuples(index=False, name=None))
            self._cache = (top, seen)
        return self._cache

    def key(self, user: int) -> bytes:
        """The user's 128-bit browser key (derived from the seed)."""
        return hashlib.sha256(f"topics-key|{self.seed}|{user}".encode()).digest()[:16]


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise ValueError(t("errors.topics.whole_number", name=name, low=low, value=repr(value)))
    return int(value)


def simulate_browsing(n_users: int = 300, n_epochs: int = 6, seed: int = 0, loads_per_epoch: int = 12) -> TopicsSimulation:
    """Simulate ``n_users`` people browsing the course's small web for ``n_epochs`` weeks.

    Each person has two or three favourite sites and visits them most of the time (plus a few
    random ones), ``loads_per_epoch`` page loads a week on average (some people browse very
    little, so their top 5 needs padding). Deterministic for a seed.
    """
    n = _check_int(n_users, "n_users", 1)
    e = _check_int(n_epochs, "n_epochs", 1)
    seed = _check_int(seed, "seed", 0)
    loads = _check_int(loads_per_epoch, "loads_per_epoch", 1)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x70C]))
    site_names = list(_SITES)
    rows = []
    for u in range(n):
        fav = rng.choice(len(site_names), size=int(rng.integers(2, 4)), replace=False)
        weights = np.full(len(site_names), 0.2)
        weights[fav] = 5.0
        weights /= weights.sum()
        activity = rng.choice([0.25, 1.0, 1.5], p=[0.2, 0.5, 0.3])
        for ep in range(e):
            k = int(rng.poisson(loads * activity))
            if k == 0:
                continue
            counts = np.bincount(rng.choice(len(site_names), size=k, p=weights), minlength=len(site_names))
            rows += [(u, ep, site_names[i], int(c)) for i, c in enumerate(counts) if c]
    visits = pd.DataFrame(rows, columns=["user", "epoch", "site", "loads"])
    sim = TopicsSimulation(visits=visits, top_topics=pd.DataFrame(), observations=pd.DataFrame(),
                           sites={s: list(t) for s, t in _SITES.items()}, callers={c: list(s) for c, s in _CALLERS.items()},
                           seed=seed)
    sim.top_topics = _top_topics(sim, n, e)
    sim.observations = _observations(sim)
    return sim


def _top_topics(sim: TopicsSimulation, n_users: int, n_epochs: int) -> pd.DataFrame:
    v = sim.visits
    topic_rows = [(u, ep, t, loads) for u, ep, s, loads in v.itertuples(index=False) for t in sim.sites[s]]
    tl = pd.DataFrame(topic_rows, columns=["user", "epoch", "topic", "loads"])
    tl = tl.groupby(["user", "epoch", "topic"], as_index=False)["loads"].sum()
    tl = tl.sort_values(["user", "epoch", "loads", "topic"], ascending=[True, True, False, True], kind="stable")
    ranked = {k: g["topic"].tolist()[:TOP_TOPICS] for k, g in tl.groupby(["user", "epoch"])}
    all_topics = TAXONOMY["topic"].tolist()
    out = []
    for u in range(n_users):
        key = sim.key(u)
        for ep in range(n_epochs):
            top = ranked.get((u, ep), [])
            padded = [False] * len(top)
            i = 0
            while len(top) < TOP_TOPICS:  # pad with random taxonomy topics not already there
                cand = all_topics[_hash(key, f"padding|{ep}|{i}") % len(all_topics)]
                i += 1
                if cand not in top:
                    top.append(cand)
                    padded.append(True)
            out += [(u, ep, r, t, p) for r, (t, p) in enumerate(zip(top, padded, strict=True))]
    return pd.DataFrame(out, columns=["user", "epoch", "rank", "topic", "padded"])


def _observations(sim: TopicsSimulation) -> pd.DataFrame:
    rows = set()
    for u, ep, s, _ in sim.visits.itertuples(index=False):
        for caller, sites in sim.callers.items():
            if s in sites:
                for t in sim.sites[s]:
                    for a in ancestors(t):
                        rows.add((caller, u, ep, a))
    return pd.DataFrame(sorted(rows), columns=["caller", "user", "epoch", "topic"])


def browsing_topics(sim: TopicsSimulation, user: int, site: str, caller: str, epoch: int) -> list[dict]:
    """What ``document.browsingTopics()`` returns to ``caller`` on ``site`` during ``epoch``.

    One candidate per past epoch (``epoch-1``, ``epoch-2``, ``epoch-3``): the top topic at index
    ``H("top-topic-index-decision|epoch|site") mod 5``; with 5 % chance (``H("random-or-top-topic-
    decision|...") mod 100 < 5``) a random taxonomy topic instead. A candidate is returned only if
    the caller observed the user on a page about the real topic (or a more specific one) in the
    three epochs up to that one. Duplicates are removed. Each result says ``topic``, ``epoch`` and
    ``random`` (True for the 5 % random topic) - the last one a real caller cannot see.
    """
    if site not in sim.sites:
        raise ValueError(t("errors.topics.unknown_site", site=repr(site), sites=", ".join(sim.sites)))
    if caller not in sim.callers:
        raise ValueError(t("errors.topics.unknown_caller", caller=repr(caller), callers=", ".join(sim.callers)))
    key = sim.key(user)
    top, seen = sim._lookups()
    out, got = [], set()
    all_topics = TAXONOMY["topic"].tolist()
    for ep in range(epoch - 1, epoch - 1 - EPOCHS_RETURNED, -1):
        if ep < 0:
            continue
        mine = top.get((user, ep), [])
        if len(mine) < TOP_TOPICS:
            continue
        real = mine[_hash(key, f"top-topic-index-decision|{ep}|{site}") % TOP_TOPICS]
        is_random = _hash(key, f"random-or-top-topic-decision|{ep}|{site}") % 100 < RANDOM_TOPIC_PERCENT
        topic = all_topics[_hash(key, f"random-topic-index-decision|{ep}|{site}") % len(all_topics)] if is_random \
            else real
        observed = any((caller, user, e, real) in seen for e in range(ep - EPOCHS_RETURNED + 1, ep + 1))
        if observed and topic not in got:  # the random topic passes only if the real one would
            got.add(topic)
            out.append({"topic": topic, "epoch": ep, "random": bool(is_random)})
    return out


def call_topics(sim: TopicsSimulation, caller: str, epoch: int) -> pd.DataFrame:
    """Every answer ``caller`` gets on its sites during ``epoch``, for every user who visited them.

    One row per returned topic: ``user``, ``site``, ``topic``, ``name``, ``from_epoch``, ``random``;
    users who visited a site but got nothing appear with ``topic`` missing.
    """
    if caller not in sim.callers:
        raise ValueError(t("errors.topics.unknown_caller", caller=repr(caller), callers=", ".join(sim.callers)))
    names = dict(zip(TAXONOMY["topic"], TAXONOMY["name"], strict=True))
    v = sim.visits
    pairs = v[(v["epoch"] == epoch) & v["site"].isin(sim.callers[caller])][["user", "site"]].drop_duplicates()
    rows = []
    for user, site in pairs.itertuples(index=False):
        res = browsing_topics(sim, int(user), site, caller, epoch)
        if not res:
            rows.append((user, site, pd.NA, pd.NA, pd.NA, pd.NA))
        rows += [(user, site, r["topic"], names[r["topic"]], r["epoch"], r["random"]) for r in res]
    return pd.DataFrame(rows, columns=["user", "site", "topic", "name", "from_epoch", "random"]).astype(
        {"topic": "Int64", "from_epoch": "Int64", "random": "boolean"})
