"""The Attribution Reporting API's view: what an ad tech learnt from Chrome / Android ARA reports.

Google retired the Attribution Reporting API (announced 17 Oct 2025); this view shows how it worked
so that learners can see what randomized response and noisy aggregates do to measurement. Facts:
``shared/reference/skan-privacy-sandbox.md`` part B (event level, aggregatable) and C (noise).

How the world becomes reports (everything vectorised, deterministic by ``seed``):

1. **Sources.** Every ad touch on an Android device registers a source: a click is a
   ``navigation`` source, an impression an ``event`` source. The ad tech knows its own source
   (``source_event_id`` = the touch ID, network, campaign, site, country); it expires after
   ``source_expiry`` (30 days).
2. **Triggers.** Conversions in the app on Android: ``install`` (first open), ``sign_up`` and
   ``purchase``. (Touches of made-up devices that are not people in ``users`` register no source.)
   The device attributes each trigger to one source of the same device, on the
   device, with no MMP involved: the latest unexpired source, clicks before views when
   ``click_priority`` (an ad tech sets source priorities this way; with equal priorities the
   latest source wins). Organic conversions (no source) give no report.
3. **Event-level reports.** Trigger data is tiny: navigation sources get 3 bits (8 values:
   0 install, 1 sign-up, 2..7 purchase value buckets split at ``purchase_value_edges``), event
   sources 1 bit (0 install, 1 purchase; sign-ups send no event-level report). Report windows end
   2 days, 7 days and at expiry after a click, at expiry after a view; a report is scheduled at
   the end of its window (+``delivery_offset`` - the +1 h Chrome kept and the spec dropped). At
   most 3 reports per click source and 1 per view source, first come first served.
4. **Randomized response.** Per source, with the flip probability
   ``p = k / (k - 1 + e^epsilon)`` (k = 2925 states for clicks, 3 for views) the whole output of the
   source is replaced by a uniformly random one of the k possible outputs (0 to R fake reports).
   Which sources were replaced is known only in ``source_truth["noised"]`` and
   ``report_truth["noised"]``.
5. **Aggregatable reports.** Each attributed purchase contributes to two questions (``count`` and
   ``revenue``) in buckets keyed by (network, campaign) x country (source key piece) | question x value bucket
   (trigger key piece) - 128-bit keys. Values are scaled so that ``max_conversions_per_source``
   purchases spend the 65,536 L1 budget of a source split by ``budget_split`` between the questions;
   a report that no longer fits in the source's remaining budget is dropped, as in the spec.
6. **Summary reports.** :meth:`ARAView.summary_report` sums contributions per bucket over the whole
   output domain and adds discrete Laplace noise with scale ``65,536 / epsilon`` to every bucket, as
   the Aggregation Service did; dividing by the scaling factor gives estimates in purchases or USD.

What the view **hides**: who the person is (``user_id``), which conversions each report came from,
which reports are noise, and the contents of aggregatable reports (the ad tech could not decrypt
them; they are shown here, as the Aggregation Service would see them, for teaching).

>>> from helpers.synth import generate_world
>>> view = ara_view(generate_world(2_000, seed=3), seed=1)
>>> list(view.event_reports.columns)[:4]
['report_id', 'source_event_id', 'source_type', 'media_source']
>>> "noised" in view.event_reports.columns
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import privacy_sandbox as ps
from helpers.messages import t as _t  # `t` is the touches table below
from helpers.synth.world import _str_col, check_world, releases_memory, touch_campaign_pairs, world_index

__all__ = ["ARAView", "SummaryReport", "ara_view", "QUESTIONS", "NAVIGATION", "EVENT"]

DAY = 86_400
NAVIGATION, EVENT = "navigation", "event"
QUESTIONS: tuple[str, ...] = ("count", "revenue")
_UTC = "datetime64[ns, UTC]"


def _seconds(s: pd.Series) -> np.ndarray:
    return s.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view("i8") // 1_000_000_000


def _utc(seconds: np.ndarray) -> pd.Series:
    return pd.Series((np.asarray(seconds, dtype=np.int64) * 1_000_000_000).astype("datetime64[ns]")).dt.tz_localize(
        "UTC")


def _text(values: np.ndarray) -> pd.Series:
    """An object array of str (NaN where missing) as the "str" column pandas would infer from it."""
    return _str_col(values) if values.dtype == object else pd.Series(values, dtype="str")


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(7, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _hex_keys(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """128-bit bucket keys as '0x' + 32 hex digits, from the high and low 64-bit halves."""
    out = np.empty(len(hi), dtype=object)
    for i, (h, lw) in enumerate(zip(hi.tolist(), lo.tolist(), strict=True)):
        out[i] = f"0x{(int(h) << 64) | int(lw):032x}"
    return out


@dataclass
class SummaryReport:
    """A noisy summary report: one row per bucket of the output domain.

    ``report``: ``bucket`` (128-bit key as hex), ``media_source``, ``campaign``, ``country``, ``question``,
    ``value_bucket``, ``value`` (noised sum of contributions), ``estimate`` (``value`` divided by the
    question's scaling factor: purchases or USD), ``std_error`` (of the estimate: sqrt(2) b / scaling).
    ``truth``: the same buckets with ``true_value`` and ``true_estimate`` (no noise) and the measured
    ``true_conversions`` / ``true_revenue`` of attributed purchases before budget drops.
    """

    report: pd.DataFrame
    truth: pd.DataFrame
    epsilon: float
    noise_scale: float


@dataclass
class ARAView:
    """Attribution Reporting API reports of a world (see the module docstring).

    Visible to the ad tech: ``sources`` (its registrations), ``event_reports``, ``contributions``
    (aggregatable reports' contents, as the Aggregation Service would decrypt them). Truth only:
    ``source_truth`` (per source: ``user_id``, attributed triggers, true reports, ``noised``),
    ``report_truth`` (per event-level report: ``noised``, the conversion behind it) and
    ``conversion_truth`` (every Android conversion with its attributed source, if any).
    """

    sources: pd.DataFrame
    event_reports: pd.DataFrame
    contributions: pd.DataFrame
    source_truth: pd.DataFrame
    report_truth: pd.DataFrame
    conversion_truth: pd.DataFrame
    config: dict = field(default_factory=dict)
    _conversion_source: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Row of ``sources`` each conversion is attributed to (-1: none), when source IDs are known unique."""

    # ---- event level ---------------------------------------------------------------------------

    def flip_probability(self, source_type: str) -> float:
        return self.config[source_type]["flip_probability"]

    def estimate_conversions(self, by="media_source", conversion: str = "install") -> pd.DataFrame:
        """De-biased count of ``conversion`` reports per ``by`` group, from event-level reports.

        For each group and source type: ``v`` observed reports with the conversion's trigger data
        (summed over report windows) from ``n`` sources; a random output adds on average
        ``W R / (B + 1)`` such reports per noised source, so the estimate is
        ``(v - n p W R / (B + 1)) / (1 - p)`` (see :func:`helpers.privacy_sandbox.debias_report_counts`).
        Returns one row per group with ``sources``, ``reports`` (observed) and ``estimate``.
        """
        by = [by] if isinstance(by, str) else list(by)
        rows = []
        for stype in (NAVIGATION, EVENT):
            cfg = self.config[stype]
            tds = cfg["conversion_trigger_data"].get(conversion, [])
            src = self.sources[self.sources["source_type"] == stype]
            n = src.groupby(by, observed=True).size().rename("sources")
            rep = self.event_reports[(self.event_reports["source_type"] == stype)
                                     & self.event_reports["trigger_data"].isin(tds)]
            v = rep.groupby(by, observed=True).size().rename("reports")
            frame = pd.concat([n, v], axis=1).fillna(0)
            w, t, r = cfg["windows"], cfg["trigger_data_cardinality"], cfg["max_reports"]
            frame["estimate"] = ps.debias_report_counts(frame["reports"].to_numpy(float),
                                                        frame["sources"].to_numpy(float) * w * len(tds),
                                                        w, t, r, self.config["epsilon"]) if tds else 0.0
            rows.append(frame)
        out = pd.concat(rows).groupby(level=list(range(len(by))), observed=True).sum()
        out.index.names = by
        return out.reset_index().astype({"sources": "int64", "reports": "int64"})

    # ---- aggregatable --------------------------------------------------------------------------

    def summary_report(self, epsilon: float = 10.0, seed: int | None = None, discrete: bool = True) -> SummaryReport:
        """Aggregate the contributions per bucket and add Laplace noise of scale ``65,536 / epsilon``.

        Every bucket of the declared output domain (all network campaigns x countries x questions x value
        buckets) gets noise, including empty ones. ``seed`` defaults to the view's seed.
        """
        cfg = self.config["aggregatable"]
        domain = cfg["domain"].copy()
        sums = self.contributions.groupby("bucket", sort=False)["value"].sum()
        domain["true_value"] = domain["bucket"].map(sums).fillna(0).astype("int64")
        scaling = domain["question"].map(cfg["scaling"]).to_numpy(float)
        b = ps.aggregation_noise_scale(epsilon)
        seed = self.config["seed"] if seed is None else seed
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xA66, int(round(epsilon * 1000))]))
        noise = ps.laplace_noise(len(domain), epsilon, rng=rng, discrete=discrete)
        report = domain[["bucket", "media_source", "campaign", "country", "question", "value_bucket"]].copy()
        report["value"] = domain["true_value"].to_numpy() + noise
        report["estimate"] = report["value"] / scaling
        report["std_error"] = math.sqrt(2) * b / scaling
        truth = domain[["bucket", "media_source", "campaign", "country", "question", "value_bucket", "true_value"]].copy()
        truth["true_estimate"] = truth["true_value"] / scaling
        conv = self.conversion_truth
        sel = ((conv["conversion"] == "purchase") & conv["source_event_id"].notna()).to_numpy(dtype=bool)
        att = conv[sel]
        pos = self._conversion_source
        if pos is not None and len(pos) == len(conv) and (pos[sel] >= 0).all():
            # the merge below, by position (source IDs are unique, every attributed source is known)
            att = att.drop(columns=["media_source"]).reset_index(drop=True)
            for col in ("media_source", "campaign", "country"):
                att[col] = self.sources[col].array.take(pos[sel])
        else:
            att = att.drop(columns=["media_source"]).merge(
                self.sources[["source_event_id", "media_source", "campaign", "country"]], on="source_event_id",
                how="left")
        att = att.assign(value_bucket=np.digitize(att["revenue"].to_numpy(float), cfg["value_edges"]))
        g = att.groupby(["media_source", "campaign", "country", "value_bucket"], observed=True)
        measured = pd.DataFrame({"true_conversions": g.size(), "true_revenue": g["revenue"].sum()}).reset_index()
        truth = truth.merge(measured, on=["media_source", "campaign", "country", "value_bucket"], how="left")
        truth[["true_conversions", "true_revenue"]] = truth[["true_conversions", "true_revenue"]].fillna(0)
        truth["true_conversions"] = truth["true_conversions"].astype("int64")
        return SummaryReport(report=report, truth=truth, epsilon=float(epsilon), noise_scale=b)


# ---------------------------------------------------------------------------------------------
# building the view


def _attribute(trig_user, trig_time, src_user, src_time, src_is_click, expiry, click_priority):
    """Index of the source each trigger is attributed to (-1: none), latest unexpired first."""
    trig = pd.DataFrame({"u": trig_user, "t": trig_time, "i": np.arange(len(trig_user))}).sort_values(
        "t", kind="stable")
    picks = {}
    for is_click in (True, False):
        sel = np.flatnonzero(src_is_click == is_click)
        src = pd.DataFrame({"u": src_user[sel], "t": src_time[sel], "s": sel}).sort_values("t", kind="stable")
        m = pd.merge_asof(trig, src, on="t", by="u", direction="backward", tolerance=expiry - 1,
                          allow_exact_matches=True)
        s = np.full(len(trig_user), -1, dtype=np.int64)
        s[m["i"].to_numpy()] = m["s"].fillna(-1).to_numpy(dtype=np.int64)
        picks[is_click] = s
    clicks, views = picks[True], picks[False]
    if click_priority:
        return np.where(clicks >= 0, clicks, views)
    click_time = np.where(clicks >= 0, src_time[np.maximum(clicks, 0)], np.iinfo(np.int64).min)
    view_time = np.where(views >= 0, src_time[np.maximum(views, 0)], np.iinfo(np.int64).min)
    return np.where(view_time > click_time, views, clicks)


@releases_memory
def ara_view(world, epsilon: float = ps.DEFAULT_EPSILON, *, seed: int = 0, source_expiry_days: int = 30,
             click_priority: bool = True, delivery_offset_hours: float = 0.0,
             purchase_value_edges=(10, 25, 50, 100, 250), key_value_edges=(20, 50),
             budget_split: float | dict = 0.5, max_conversions_per_source: int = 1,
             revenue_cap: float = 200.0, platforms=("android",)) -> ARAView:
    """Simulate Attribution Reporting API reports for a world.

    Parameters
    ----------
    epsilon
        Event-level epsilon for randomized response (Chrome's default and maximum: 14).
    seed
        Seeds the randomized response (and the default seed of :meth:`ARAView.summary_report`).
    source_expiry_days
        Source expiry, 1-30 days; also the end of the last report window.
    click_priority
        Attribute to the latest click before the latest view (else: the latest source).
    delivery_offset_hours
        Added to the end of a report window to get the scheduled report time (0 per the spec; 1
        as Chrome's implementation and docs have it).
    purchase_value_edges
        Five USD edges splitting purchases into the 6 purchase trigger-data values 2..7 of clicks.
    key_value_edges
        USD edges of the value buckets in aggregation keys.
    budget_split
        Share of the 65,536 budget for the ``count`` question (the rest goes to ``revenue``), or a
        dict ``{"count": share, "revenue": share}`` with shares summing to at most 1.
    max_conversions_per_source
        How many purchases per source the scaling plans for; later ones that do not fit are dropped.
    revenue_cap
        Purchase values above this (USD) are clipped before scaling the revenue question.
    platforms
        Platforms whose touches register sources (ARA on Android; add ``"ios"`` to pretend).
    """
    check_world(world, "ara_view")
    ps._epsilon(epsilon)
    seed = ps._int(seed, "seed", 0)
    expiry_days = ps._int(source_expiry_days, "source_expiry_days", 1, 30)
    max_conv = ps._int(max_conversions_per_source, "max_conversions_per_source", 1, 20)
    pv_edges = np.asarray(purchase_value_edges, dtype=float)
    if pv_edges.shape != (5,) or np.any(np.diff(pv_edges) <= 0):
        raise ValueError(_t("errors.synth.ara_purchase_edges"))
    kv_edges = np.asarray(key_value_edges, dtype=float)
    if kv_edges.ndim != 1 or np.any(np.diff(kv_edges) <= 0) or len(kv_edges) > 254:
        raise ValueError(_t("errors.synth.ara_key_edges"))
    if isinstance(budget_split, dict):
        unknown = set(budget_split) - set(QUESTIONS)
        if unknown:
            raise ValueError(_t("errors.synth.ara_budget_questions", unknown=sorted(unknown), questions=QUESTIONS))
        split = {q: float(budget_split.get(q, 0.0)) for q in QUESTIONS}
    else:
        share = float(budget_split)
        split = {"count": share, "revenue": 1.0 - share}
    if any(not 0.0 <= s <= 1.0 for s in split.values()) or sum(split.values()) > 1.0 + 1e-12:
        raise ValueError(_t("errors.synth.ara_budget_split", split=split))
    if not revenue_cap > 0:
        raise ValueError(_t("errors.synth.ara_revenue_cap", revenue_cap=revenue_cap))
    expiry = expiry_days * DAY
    offset = int(round(float(delivery_offset_hours) * 3600))
    ss = np.random.SeedSequence([seed, 0xA4A])
    rng = np.random.default_rng(ss)

    # ---- sources ---------------------------------------------------------------------------
    # every touch's person as a row of ``users`` (one hash lookup per touch; -1: not a person, e.g.
    # a fabricated device); platform, country and the person code used to match triggers follow
    users = world.users
    ix = world_index(world)
    t = world.touches
    if ix is not None:  # a generated world: every touch's row of ``users`` from its index
        user_index = None
        t_upos = ix.touch_user
    else:
        user_index = pd.Index(users["user_id"].to_numpy(dtype=object))
        if not user_index.is_unique:
            raise ValueError(_t("errors.synth.repeated_users"))
        t_upos = user_index.get_indexer(t["user_id"].to_numpy(dtype=object))
    u_ok = users["platform"].isin(list(platforms)).to_numpy(dtype=bool)
    keep = np.where(t_upos >= 0, u_ok[np.maximum(t_upos, 0)] if len(users) else False, False)
    t = t[["touch_id", "user_id", "media_source", "campaign", "site_id", "touch_type", "touch_time"]].loc[keep]
    t_upos = t_upos[keep]
    n_src = len(t)
    src_is_click = (t["touch_type"] == "click").to_numpy()
    src_time = _seconds(t["touch_time"])
    src_user_codes = t_upos
    has_source = np.zeros(len(users), dtype=bool)
    has_source[src_user_codes] = True
    sources = pd.DataFrame({
        "source_event_id": _text(t["touch_id"].to_numpy(dtype=object)),
        "source_type": _text(np.array([EVENT, NAVIGATION], dtype=object)[src_is_click.astype(np.int8)]),
        "media_source": _text(t["media_source"].to_numpy(dtype=object)),
        "campaign": _text(t["campaign"].to_numpy(dtype=object)),
        "site_id": _text(t["site_id"].to_numpy(dtype=object)),
        "country": _text(users["country"].to_numpy(dtype=object)[src_user_codes]),
        "source_time": t["touch_time"].reset_index(drop=True),
    }, copy=False)

    # ---- triggers (conversions on the chosen platforms) -------------------------------------
    inst = world.installs
    inst_ok = inst["platform"].isin(list(platforms)).to_numpy(dtype=bool)
    inst = inst[inst_ok]
    ev = world.events
    ev_ok = ev["event_name"].isin(["sign_up", "purchase"]).to_numpy(dtype=bool).copy()
    if ix is not None:
        ev_ok &= inst_ok[ix.event_install]
    else:
        ev_ok &= ev["install_id"].isin(inst["install_id"]).to_numpy(dtype=bool)
    ev = ev[ev_ok]
    conv_id = np.concatenate([inst["install_id"].to_numpy(dtype=object), ev["event_id"].to_numpy(dtype=object)])
    conv_name = np.concatenate([np.full(len(inst), "install", dtype=object), ev["event_name"].to_numpy(dtype=object)])
    conv_user = np.concatenate([inst["user_id"].to_numpy(dtype=object), ev["user_id"].to_numpy(dtype=object)])
    conv_time = np.concatenate([_seconds(inst["install_time"]), _seconds(ev["event_time"])])
    conv_rev = np.concatenate([np.zeros(len(inst)), ev["revenue"].to_numpy(dtype=float)])
    order = np.lexsort((np.arange(len(conv_id)), conv_time))
    conv_id, conv_name, conv_user, conv_time, conv_rev = (a[order] for a in
                                                          (conv_id, conv_name, conv_user, conv_time, conv_rev))
    if ix is not None:
        conv_user_codes = np.concatenate([ix.install_user[inst_ok], ix.install_user[ix.event_install[ev_ok]]])[order]
    else:
        conv_user_codes = user_index.get_indexer(conv_user)
    conv_user_codes[conv_user_codes >= 0] = np.where(has_source[conv_user_codes[conv_user_codes >= 0]],
                                                     conv_user_codes[conv_user_codes >= 0], -1)
    # -1: the user has no source

    att = _attribute(conv_user_codes, conv_time, src_user_codes, src_time, src_is_click, expiry, click_priority)
    att[conv_user_codes < 0] = -1
    is_purchase = conv_name == "purchase"

    # ---- event-level: true reports --------------------------------------------------------
    nav_td = np.select([conv_name == "install", conv_name == "sign_up"], [0, 1],
                       2 + np.digitize(conv_rev, pv_edges)).astype(np.int64)
    ev_td = np.select([conv_name == "install", is_purchase], [0, 1], -1).astype(np.int64)
    attributed = att >= 0
    a_src = np.maximum(att, 0)
    a_click = src_is_click[a_src]
    td = np.where(a_click, nav_td, ev_td)
    delta = conv_time - src_time[a_src]
    nav_ends = [e for e in (2 * DAY, 7 * DAY) if e < expiry] + [expiry]
    nav_w, nav_t, nav_r = len(nav_ends), 8, 3
    ev_w, ev_t, ev_r = 1, 2, 1
    window = np.where(a_click, np.searchsorted(np.asarray(nav_ends), delta, side="right"), 0)
    can_report = attributed & (td >= 0)
    # first come first served: rank of a trigger among its source's reportable triggers
    cand = np.flatnonzero(can_report)
    cand = cand[np.lexsort((cand, att[cand]))]  # by source, then time order (conv arrays are time sorted)
    first = np.r_[True, att[cand][1:] != att[cand][:-1]] if len(cand) else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    rank = np.arange(len(cand)) - np.repeat(starts, np.diff(np.r_[starts, len(cand)]))
    cap = np.where(src_is_click[att[cand]], nav_r, ev_r)
    true_rep = np.sort(cand[rank < cap])

    k_nav = ps.event_level_states([nav_w] * nav_t, nav_r)
    k_ev = ps.event_level_states([ev_w] * ev_t, ev_r)
    p_nav, p_ev = ps.flip_probability(k_nav, epsilon), ps.flip_probability(k_ev, epsilon)
    noised = rng.random(n_src) < np.where(src_is_click, p_nav, p_ev)
    kept = true_rep[~noised[att[true_rep]]]

    fake_parts = []
    for is_click, b, r, tcard in ((True, nav_w * nav_t, nav_r, nav_t), (False, ev_w * ev_t, ev_r, ev_t)):
        who = np.flatnonzero(noised & (src_is_click == is_click))
        bins = ps.random_state_reports(len(who), b, r, rng)
        rows, cols = np.nonzero(bins >= 0)
        bb = bins[rows, cols]
        fake_parts.append((who[rows], bb % tcard, bb // tcard))
    f_src = np.concatenate([p[0] for p in fake_parts]).astype(np.int64)
    f_td = np.concatenate([p[1] for p in fake_parts]).astype(np.int64)
    f_win = np.concatenate([p[2] for p in fake_parts]).astype(np.int64)

    r_src = np.concatenate([att[kept], f_src])
    r_td = np.concatenate([td[kept], f_td])
    r_win = np.concatenate([window[kept], f_win])
    r_noised = np.concatenate([np.zeros(len(kept), bool), np.ones(len(f_src), bool)])
    r_conv = np.concatenate([kept, np.full(len(f_src), -1)])
    ends = np.where(src_is_click[r_src], np.asarray(nav_ends)[np.minimum(r_win, nav_w - 1)], expiry)
    r_time = src_time[r_src] + ends + offset
    ro = np.lexsort((r_td, r_src, r_time))
    r_src, r_td, r_win, r_noised, r_conv, r_time = (a[ro] for a in (r_src, r_td, r_win, r_noised, r_conv, r_time))
    report_ids = _ids("r", len(r_src))
    rate = np.where(src_is_click[r_src], round(p_nav, 7), round(p_ev, 7))
    event_reports = pd.DataFrame({
        "report_id": _text(report_ids),
        "source_event_id": _text(sources["source_event_id"].to_numpy()[r_src]),
        "source_type": _text(sources["source_type"].to_numpy()[r_src]),
        "media_source": _text(sources["media_source"].to_numpy()[r_src]),
        "campaign": _text(sources["campaign"].to_numpy()[r_src]),
        "site_id": _text(sources["site_id"].to_numpy()[r_src]),
        "country": _text(sources["country"].to_numpy()[r_src]),
        "trigger_data": r_td,
        "report_window": r_win,
        "scheduled_report_time": _utc(r_time),
        "randomized_trigger_rate": rate,
    })
    has_conv = r_conv >= 0
    report_truth = pd.DataFrame({
        "report_id": report_ids,
        "noised": r_noised,
        "conversion_id": pd.Series(np.where(has_conv, conv_id[np.maximum(r_conv, 0)], None), dtype="string"),
        "conversion": pd.Series(np.where(has_conv, conv_name[np.maximum(r_conv, 0)], None), dtype="string"),
    })
    true_count = np.bincount(att[true_rep], minlength=n_src) if len(true_rep) else np.zeros(n_src, np.int64)
    source_truth = pd.DataFrame({
        "source_event_id": sources["source_event_id"],
        "user_id": _text(t["user_id"].to_numpy(dtype=object)),
        "attributed_conversions": np.bincount(att[attributed], minlength=n_src),
        "true_reports": true_count,
        "noised": noised,
    })
    src_ids = sources["source_event_id"].to_numpy()
    conversion_truth = pd.DataFrame({
        "conversion_id": _text(conv_id), "conversion": _text(conv_name), "user_id": _text(conv_user),
        "conversion_time": _utc(conv_time), "revenue": conv_rev,
        "source_event_id": pd.Series(np.where(attributed, src_ids[a_src], None), dtype="string"),
        "media_source": pd.Series(np.where(attributed, sources["media_source"].to_numpy()[a_src], None),
                                  dtype="string"),
        "trigger_data": np.where(attributed, td, -1),
        "reported": np.isin(np.arange(len(conv_id)), kept),
    })

    # ---- aggregatable reports -------------------------------------------------------------
    # campaign names repeat across networks, so the campaign key piece numbers (network, campaign) pairs
    pairs = touch_campaign_pairs(world).dropna().sort_values(
        ["media_source", "campaign"])
    pair_net = pairs["media_source"].to_numpy(dtype=object)
    campaigns = pairs["campaign"].to_numpy(dtype=object)
    pair_index = pd.MultiIndex.from_arrays([pair_net, campaigns])
    countries = np.array(sorted(world.users["country"].dropna().unique()), dtype=object)
    n_vb = len(kv_edges) + 1
    scaling = {"count": math.floor(split["count"] * ps.CONTRIBUTION_BUDGET / max_conv),
               "revenue": split["revenue"] * ps.CONTRIBUTION_BUDGET / (max_conv * float(revenue_cap))}
    pur = np.flatnonzero(is_purchase & attributed)
    p_src = att[pur]
    c_val = np.full(len(pur), scaling["count"], dtype=np.int64)
    r_val = np.rint(np.minimum(conv_rev[pur], revenue_cap) * scaling["revenue"]).astype(np.int64)
    total = c_val + r_val
    # a report whose contributions exceed the source's remaining budget is dropped; at most 20 per source
    o = np.lexsort((pur, p_src))
    fits = np.zeros(len(pur), bool)
    used = np.zeros(n_src, np.int64)
    n_rep = np.zeros(n_src, np.int64)
    if len(pur):
        # sequential per source, but only over purchases (few per source): vectorised by rank
        ps_sorted, tot_sorted = p_src[o], total[o]
        firsts = np.r_[True, ps_sorted[1:] != ps_sorted[:-1]]
        grp_start = np.flatnonzero(firsts)
        rank = np.arange(len(o)) - np.repeat(grp_start, np.diff(np.r_[grp_start, len(o)]))
        ok = np.zeros(len(o), bool)
        for k in range(int(rank.max()) + 1):
            at = np.flatnonzero(rank == k)
            s = ps_sorted[at]
            good = (used[s] + tot_sorted[at] <= ps.CONTRIBUTION_BUDGET) & (n_rep[s] < 20) & (tot_sorted[at] > 0)
            used[s[good]] += tot_sorted[at][good]
            n_rep[s[good]] += 1
            ok[at] = good
        fits[o] = ok
    camp_idx = pair_index.get_indexer(pd.MultiIndex.from_arrays(
        [sources["media_source"].to_numpy()[p_src], sources["campaign"].to_numpy()[p_src]]))
    geo_idx = pd.Index(countries).get_indexer(sources["country"].to_numpy()[p_src])
    vb = np.digitize(conv_rev[pur], kv_edges)
    contrib = []
    for qi, (q, vals) in enumerate((("count", c_val), ("revenue", r_val))):
        sel = fits & (vals > 0)
        contrib.append(pd.DataFrame({
            "conversion_id": conv_id[pur][sel], "source_event_id": src_ids[p_src][sel],
            "media_source": pair_net[camp_idx[sel]], "campaign": campaigns[camp_idx[sel]],
            "country": countries[geo_idx[sel]],
            "question": q, "value_bucket": vb[sel], "value": vals[sel],
            "_hi": (camp_idx[sel].astype(np.uint64) << np.uint64(8)) | geo_idx[sel].astype(np.uint64),
            "_lo": np.full(int(sel.sum()), qi << 8, dtype=np.uint64) | vb[sel].astype(np.uint64),
        }))
    contributions = pd.concat(contrib, ignore_index=True)
    # the output domain: every campaign x country x question x value bucket
    ci, gi, qi, vi = np.meshgrid(np.arange(len(campaigns)), np.arange(len(countries)), np.arange(len(QUESTIONS)),
                                 np.arange(n_vb), indexing="ij")
    ci, gi, qi, vi = (a.ravel() for a in (ci, gi, qi, vi))
    dom_hi = (ci.astype(np.uint64) << np.uint64(8)) | gi.astype(np.uint64)
    dom_lo = (qi.astype(np.uint64) << np.uint64(8)) | vi.astype(np.uint64)
    domain = pd.DataFrame({"bucket": _hex_keys(dom_hi, dom_lo), "media_source": pair_net[ci],
                           "campaign": campaigns[ci], "country": countries[gi],
                           "question": np.array(QUESTIONS, dtype=object)[qi], "value_bucket": vi})
    key_of = dict(zip(zip(dom_hi.tolist(), dom_lo.tolist(), strict=True), domain["bucket"], strict=True))
    contributions.insert(0, "bucket", [key_of[(h, lw)] for h, lw in zip(contributions["_hi"].tolist(),
                                                                       contributions["_lo"].tolist(), strict=True)]
                         if len(contributions) else pd.Series([], dtype=object))
    contributions = contributions.drop(columns=["_hi", "_lo"]).sort_values(
        ["conversion_id", "question"], kind="stable").reset_index(drop=True)

    config = {
        "epsilon": float(epsilon), "seed": seed, "source_expiry_days": expiry_days,
        "click_priority": click_priority, "delivery_offset_hours": float(delivery_offset_hours),
        NAVIGATION: {"windows": nav_w, "window_ends_days": [e / DAY for e in nav_ends],
                     "trigger_data_cardinality": nav_t, "max_reports": nav_r, "states": k_nav,
                     "flip_probability": p_nav, "information_gain": ps.information_gain(k_nav, epsilon),
                     "conversion_trigger_data": {"install": [0], "sign_up": [1], "purchase": list(range(2, 8))}},
        EVENT: {"windows": ev_w, "window_ends_days": [expiry_days], "trigger_data_cardinality": ev_t,
                "max_reports": ev_r, "states": k_ev, "flip_probability": p_ev,
                "information_gain": ps.information_gain(k_ev, epsilon),
                "conversion_trigger_data": {"install": [0], "purchase": [1]}},
        "aggregatable": {"budget_split": split, "scaling": scaling, "max_conversions_per_source": max_conv,
                         "revenue_cap": float(revenue_cap), "value_edges": kv_edges.tolist(), "domain": domain,
                         "key_layout": "bits 72+: (network, campaign) index, 64-71: country index (source piece); "
                                       "8-15: question index, 0-7: value bucket (trigger piece)"},
    }
    return ARAView(sources=sources, event_reports=event_reports, contributions=contributions,
                   source_truth=source_truth, report_truth=report_truth, conversion_truth=conversion_truth,
                   config=config, _conversion_source=np.where(attributed, a_src, -1) if ix is not None else None)
