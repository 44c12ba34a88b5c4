"""The data of course 05 (Privacy Sandbox): the course world, its ARA view, and tables built from it.

The course needs more conversions than the committed 2,500-person worlds hold (private measurement
is a game of large numbers), so it generates its world on demand: an e-commerce app, 40,000
people, 60 days, seed 20261124 - about half a second, and the same bytes every time
(:func:`helpers.synth.generate_world` is deterministic). Everything is cached per kernel; treat
the results as read-only.

Also here: the timeline of the Privacy Sandbox (:data:`TIMELINE`) and what each retired API leaves
behind (:data:`LEGACY`), both with the sources they come from (``shared/reference/skan-privacy-sandbox.md``).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import pandas as pd

from helpers.messages import t

__all__ = ["COURSE_WORLD", "ASSIGNMENT_WORLD", "course_world", "course_view", "planning_purchases", "crm_table",
           "measurement_table", "TIMELINE", "LEGACY", "VALUE_EDGES", "REVENUE_CAP"]

#: The world of the lessons (``generate_world(**COURSE_WORLD)``).
COURSE_WORLD = {"n_users": 40_000, "seed": 20261124, "vertical": "ecommerce"}
#: The world of the graded assignment (another app: a subscription business).
ASSIGNMENT_WORLD = {"n_users": 40_000, "seed": 20261125, "vertical": "subscription"}
#: USD edges of the value buckets in aggregation keys (the view's default) and the revenue cap.
VALUE_EDGES = (20.0, 50.0)
REVENUE_CAP = 200.0

#: What happened when. ``status``: [verified] / [quoted] as in the reference notes.
TIMELINE = pd.DataFrame([
    ("2019-07-10", "web", "ARA's first README proposes event-level conversions with 3 bits of data and 5 % noise",
     "WICG/attribution-reporting-api README history", "verified"),
    ("2022-01-24", "web", "Topics taxonomy v1 published (349 topics)", "patcg-individual-drafts/topics taxonomy_v1.md",
     "verified"),
    ("2022-01-27", "web", "ARA switches to k-ary randomized response at epsilon 14 (0.24 % of clicks, 0.00025 % "
     "of views noised)", "WICG/attribution-reporting-api EVENT.md history", "verified"),
    ("2023-04-18", "web", "Aggregatable reports are delayed 0-10 minutes (was 10 min-1 h)",
     "WICG/attribution-reporting-api AGGREGATE.md, PR #749", "verified"),
    ("2023-06-15", "web", "Topics taxonomy v2 (469 topics); in Chrome 116 from the summer",
     "patcg-individual-drafts/topics taxonomy_v2.md, 2023-07-31 minutes", "verified"),
    ("2023-10-01", "web", "Q4 2023 (the date is the quarter's start): Protected Audience k-anonymity ramp begins "
     "with k = 10 and 12-hour updates; later steps unconfirmed", "developers.google.com Protected Audience "
     "k-anonymity page", "quoted"),
    ("2025-10-17", "web + Android", "Google announces it will retire the Attribution Reporting API (Chrome and "
     "Android), Topics, Protected Audience and other Privacy Sandbox APIs", "news reports of the announcement", "quoted"),
    ("2025-11-07", "web", "blink-dev: Intent to Deprecate and Remove: Protected Audience",
     "https://mail-archive.com/blink-dev@chromium.org/msg15140.html", "quoted"),
], columns=["date", "platform", "event", "source", "status"]).assign(date=lambda d: pd.to_datetime(d["date"]))

#: What each retired API did, the privacy design behind it, and where a marketer meets that design again.
LEGACY = pd.DataFrame([
    ("ARA event-level reports", "a few bits per click or view, sent late", "randomized response",
     "SKAN conversion values: coarse values, random delays, crowd-anonymity tiers"),
    ("ARA aggregatable reports", "sums per key, never per person", "differential privacy (noise on aggregates)",
     "aggregate (privacy-preserving) reports of MMPs and networks"),
    ("Topics", "a few coarse interests per week, on the device", "randomized response",
     "contextual and cohort targeting"),
    ("Protected Audience", "remarketing auctions on the device", "k-anonymity",
     "SKAN crowd anonymity, audience-size minimums"),
    ("Clean rooms (not a Sandbox API)", "join first-party and partner data, see only aggregates",
     "aggregation thresholds (k-anonymity), sometimes noise", "MMP and network data clean rooms"),
], columns=["api", "what_it_gave", "design", "where_you_meet_it_again"]).set_index("api")


@functools.cache
def course_world(name: str = "course"):
    """The course world (``"course"``) or the assignment's (``"assignment"``), generated once per kernel."""
    from helpers.synth import generate_world

    spec = {"course": COURSE_WORLD, "assignment": ASSIGNMENT_WORLD}.get(name)
    if spec is None:
        raise ValueError(t("errors.ps_data.unknown_world", name=repr(name)))
    return generate_world(**spec)


@functools.cache
def course_view(epsilon: float = 14.0, seed: int = 1, name: str = "course"):
    """The world's Attribution Reporting API view (:func:`helpers.synth.views.ara.ara_view`)."""
    from helpers.synth.views.ara import ara_view

    return ara_view(course_world(name), epsilon=epsilon, seed=seed)


def planning_purchases(view, value_edges=VALUE_EDGES, revenue_cap: float = REVENUE_CAP) -> pd.DataFrame:
    """Attributed purchases of an ARA view, one row each, ready for planning aggregation keys.

    Columns: ``media_source``, ``campaign`` (the network's campaign), ``country``, ``value_bucket``
    (0, 1, 2 for under 20, 20-50, over 50 USD), ``purchases`` (1) and ``revenue`` (USD, capped at
    ``revenue_cap`` as the plan caps it). This is what the ad tech's summary reports will add up.
    """
    conv = view.conversion_truth
    att = conv[(conv["conversion"] == "purchase") & conv["source_event_id"].notna()]
    src = view.sources[["source_event_id", "media_source", "campaign", "country"]]
    out = att[["source_event_id", "revenue"]].merge(src, on="source_event_id", how="left")
    out["campaign"] = out["media_source"].astype(str) + "/" + out["campaign"].astype(str)
    out["value_bucket"] = np.digitize(out["revenue"].to_numpy(float), np.asarray(value_edges, float))
    out["purchases"] = 1.0
    out["revenue"] = out["revenue"].clip(upper=revenue_cap)
    return out[["media_source", "campaign", "country", "value_bucket", "purchases", "revenue"]].reset_index(drop=True)


def _email(user_ids: pd.Series) -> pd.Series:
    return "customer" + user_ids.astype(str).str.lstrip("u") + "@mail.example"


@functools.cache
def crm_table(name: str = "course") -> pd.DataFrame:
    """The app's first-party CRM table: one row per customer who bought, with a loyalty tier.

    ``email`` (made up, @mail.example), ``tier`` (``vip``: the top 5 % by spend; ``repeat``: two or
    more purchases; ``one_time``), ``orders`` and ``lifetime_revenue`` (USD).
    """
    w = course_world(name)
    ev = w.events[w.events["event_name"] == "purchase"]
    g = ev.groupby("user_id").agg(orders=("event_id", "size"), lifetime_revenue=("revenue", "sum")).reset_index()
    vip_cut = g["lifetime_revenue"].quantile(0.95)
    g["tier"] = np.where(g["lifetime_revenue"] >= vip_cut, "vip", np.where(g["orders"] >= 2, "repeat", "one_time"))
    g["email"] = _email(g["user_id"])
    return g[["email", "tier", "orders", "lifetime_revenue"]].sort_values("email", kind="stable").reset_index(drop=True)


@functools.cache
def measurement_table(name: str = "course") -> pd.DataFrame:
    """The measurement partner's side: one row per person who clicked an ad, with the network of
    their last click and how many ads they clicked (``email`` as the partner knows it, e.g. from a
    login on its own platform). Both parties hash e-mails before the join (:func:`helpers.clean_room.hash_ids`)."""
    w = course_world(name)
    clicks = w.touches[(w.touches["touch_type"] == "click") & w.touches["user_id"].notna()]
    clicks = clicks.sort_values(["user_id", "touch_time"], kind="stable")
    g = clicks.groupby("user_id").agg(last_click_network=("media_source", "last"), clicks=("touch_id", "size"))
    g = g.reset_index()
    g["email"] = _email(g["user_id"])
    return g[["email", "last_click_network", "clicks"]].reset_index(drop=True)


def stable_seed(text: str) -> int:
    """A small integer seed derived from a text (for per-exercise random draws that never change)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
