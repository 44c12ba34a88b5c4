"""helpers.privacy_sandbox_topics: the Topics API simulation (explainer/spec rules, reference part D)."""

import math

import numpy as np
import pytest

from helpers import privacy_sandbox_topics as T


@pytest.fixture(scope="module")
def sim():
    return T.simulate_browsing(n_users=400, n_epochs=6, seed=11)


def test_taxonomy_tree_and_ancestors():
    tax = T.taxonomy()
    assert tax["topic"].is_unique and tax["topic"].tolist() == list(range(1, len(tax) + 1))
    assert T.ancestors(19) == [19, 18, 17] and T.ancestors(17) == [17]
    with pytest.raises(ValueError, match="not a topic"):
        T.ancestors(999)


def test_top_five_per_epoch_with_padding(sim):
    top = sim.top_topics
    assert top.groupby(["user", "epoch"]).size().eq(T.TOP_TOPICS).all()
    assert not top.duplicated(["user", "epoch", "topic"]).any()
    # light browsers need padding; people with five or more topics do not
    n_topics = sim.visits.assign(t=sim.visits["site"].map(sim.sites)).explode("t").groupby(["user", "epoch"])["t"].nunique()
    padded = top.groupby(["user", "epoch"])["padded"].sum()
    assert (padded.reindex(n_topics.index) == np.maximum(0, 5 - n_topics)).all()
    # the real topics rank by page loads: the first real topic has the most loads
    u, e = n_topics.idxmax()
    loads = sim.visits[(sim.visits["user"] == u) & (sim.visits["epoch"] == e)]
    per_topic = {}
    for s, n in zip(loads["site"], loads["loads"], strict=True):
        for t in sim.sites[s]:
            per_topic[t] = per_topic.get(t, 0) + n
    first = top[(top["user"] == u) & (top["epoch"] == e) & (top["rank"] == 0)]["topic"].iloc[0]
    assert per_topic[first] == max(per_topic.values())


def test_same_site_same_epoch_gives_the_same_answer(sim):
    a = T.browsing_topics(sim, 3, "gadgets.example", "adnet-big.example", 5)
    b = T.browsing_topics(sim, 3, "gadgets.example", "adnet-big.example", 5)
    assert a == b and len(a) <= T.EPOCHS_RETURNED
    assert len({r["topic"] for r in a}) == len(a)  # no duplicates


def test_random_topic_rate_is_five_percent():
    big = T.simulate_browsing(n_users=1500, n_epochs=4, seed=2)
    flags = []
    for u in range(1500):
        key = big.key(u)
        for ep in range(4):
            for s in big.sites:
                flags.append(T._hash(key, f"random-or-top-topic-decision|{ep}|{s}") % 100 < 5)
    n, got = len(flags), sum(flags)
    assert abs(got - 0.05 * n) < 4.5 * math.sqrt(n * 0.05 * 0.95)


def test_top_topic_index_is_uniform_over_five(sim):
    counts = np.zeros(5)
    for u in range(400):
        key = sim.key(u)
        for ep in range(6):
            for s in sim.sites:
                counts[T._hash(key, f"top-topic-index-decision|{ep}|{s}") % 5] += 1
    exp = counts.sum() / 5
    chi2 = ((counts - exp) ** 2 / exp).sum()
    assert chi2 < 4 + 5 * math.sqrt(8)


def test_per_caller_filtering(sim):
    names = dict(zip(T.TAXONOMY["topic"], T.TAXONOMY["name"], strict=True))
    games = T.call_topics(sim, "adnet-games.example", 5).dropna(subset=["topic"])
    obs = set(sim.observations.itertuples(index=False, name=None))
    for row in games.itertuples(index=False):
        if not row.random:
            # a real topic was observed by this caller for this user within the 3 epochs up to it
            assert any(("adnet-games.example", row.user, e, row.topic) in obs
                       for e in range(row.from_epoch - 2, row.from_epoch + 1)), names[row.topic]
    big = T.call_topics(sim, "adnet-big.example", 5)
    # the caller present everywhere learns topics for more users than a niche one
    assert big["topic"].notna().mean() > games.shape[0] / max(1, len(T.call_topics(sim, "adnet-games.example", 5)))
    assert big.groupby("user")["topic"].count().mean() > games.groupby("user")["topic"].count().mean()


def test_deterministic_by_seed():
    a = T.simulate_browsing(50, 3, seed=5)
    b = T.simulate_browsing(50, 3, seed=5)
    assert a.visits.equals(b.visits) and a.top_topics.equals(b.top_topics)
    c = T.simulate_browsing(50, 3, seed=6)
    assert not a.visits.equals(c.visits)


def test_validation(sim):
    with pytest.raises(ValueError, match="n_users"):
        T.simulate_browsing(0)
    with pytest.raises(ValueError, match="unknown site"):
        T.browsing_topics(sim, 0, "nope.example", "adnet-big.example", 3)
    with pytest.raises(ValueError, match="unknown caller"):
        T.call_topics(sim, "nope.example", 3)
