"""The SKAdNetwork 4 view: the postbacks Apple's devices would send about the world's iOS installs.

What SKAN sees, and what it hides (facts: ``shared/reference/skan-privacy-sandbox.md`` part A):

* **Who gets a postback.** Every iOS install (a first install or a re-download) whose device holds a
  qualifying ad touch: a StoreKit-rendered click in the 30 days before the install, or a
  view-through impression in the 24 hours before it. ATT consent plays no part. Installs with no
  qualifying touch ("organic" to SKAN) get nothing. SKAN credits the qualifying touch even when the
  world's truth says the install was organic; the truth frame keeps ``true_source`` so lessons can
  count those. The winner is the touch with the highest fidelity (click 1 over view 0), then the
  most recent; up to five other networks with qualifying touches get a non-winning postback
  (``did-win`` false; first postback only, no conversion value, no ``source-app-id``).
* **Three windows** after the first launch: days 0–2, 3–7 and 8–35 (``postback-sequence-index`` 0, 1, 2),
  each sent after a random delay (24–48 h for the first, 24–144 h for the others) after the window
  ends, or after the app locks the window (``lock_window``), which makes that postback earlier.
* **Conversion values.** The app applies a :class:`helpers.skan.ConversionSchema` whenever it runs;
  assumption (not in Apple's docs): a window in which the app never ran carries no value (null).
  The first postback has the fine value at tiers 2–3 and the coarse value at tier 1; later postbacks
  carry only the coarse value.
* **Crowd anonymity.** The tier (0–3) of each hierarchical source identifier comes from how many
  installs share it. Apple does not publish the thresholds: ``tier_thresholds`` are *teaching
  estimates* of installs per day for tiers 1, 2, 3 (multiplied by ``scale`` first, so a small world
  can stand for a big app). Per Apple, the tier is computed for the 2-, 3- and 4-digit identifiers;
  the highest tier wins, and on a tie the one with most digits, but tier 0 or 1 always sends 2 digits.
  Tier 0: 2 digits, no value, no 2nd/3rd postback. Tier 1: 2 digits, coarse. Tier 2: 2–4 digits, fine.
  Tier 3: as tier 2 plus ``source-app-id`` (and ``country-code`` when the country's crowd is tier 3).
* **Source identifier** (4 digits, hierarchical, read from the right): the last two digits are the
  campaign (see :func:`source_identifier_map`), the third from the right the install country
  (1 KR, 2 US, 3 JP, …), the first the placement (site) bucket. Shortened identifiers keep the
  *trailing* digits; Apple does not say which digits are kept (unconfirmed, consistent with its
  examples "5239" and "39").

Simplifications: every ad is shown in an app (no web ads, so no ``source-domain``); Apple Search Ads
is left out by default because it reports through Apple's AdServices framework rather than SKAN
(pass ``networks=`` to change it); fraudulent touches and installs that never reach a real App
Store (``sdk_spoofing``, ``bot`` in a ``fraud_type`` column, when the world has one) produce nothing;
only version 4.0 postbacks are simulated (:mod:`helpers.skan` builds signature strings for 1.0–4.0).

>>> from helpers.synth import generate_world
>>> view = skan_view(generate_world(3_000, seed=2), seed=1, scale=50)
>>> sorted(view.postbacks["postback_sequence_index"].unique().tolist())
[0, 1, 2]
"""

from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np
import pandas as pd

from helpers.messages import t as _t
from helpers.skan import WINDOWS, ConversionSchema, sign_postback
from helpers.synth.scenarios import COUNTRIES, NETWORK_NAMES
from helpers.synth.world import check_world, releases_memory, touch_campaign_pairs, world_index

__all__ = ["DEFAULT_SCHEMA", "DEFAULT_TIER_THRESHOLDS", "SkanView", "postbacks_to_json", "postbacks_to_jsonl",
           "skan_postbacks", "skan_view", "source_identifier_map"]

DAY = 86_400
HOUR = 3_600
CLICK_WINDOW = 30 * DAY
VIEW_WINDOW = 24 * HOUR
MAX_NON_WINNING = 5
DEFAULT_TIER_THRESHOLDS: tuple[float, float, float] = (10.0, 30.0, 100.0)
"""Installs per day (per source identifier) needed for tiers 1, 2 and 3. Apple does not publish its
thresholds: these are teaching estimates, not Apple's numbers."""
DEFAULT_SCHEMA = ConversionSchema(revenue_edges=[0.01, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250],
                                  events=["sign_up", "purchase:2"], coarse_revenue=(0.01, 20.0),
                                  name="default_hybrid")
"""16 revenue buckets (USD, cumulative) x 2 event bits (signed up; bought twice) = 64 values."""
_DELAYS = ((24 * HOUR, 48 * HOUR), (24 * HOUR, 144 * HOUR), (24 * HOUR, 144 * HOUR))
_NO_SKAN = ("apple_search_ads",)
_SID_TEXT = np.array([[f"{i % 10 ** d:0{d}d}" for i in range(10_000)] for d in (2, 3, 4)], dtype=object)
_FAKE_INSTALLS = ("sdk_spoofing", "bot")

_JSON_ORDER = (("version", "version"), ("ad-network-id", "ad_network_id"),
               ("source-identifier", "source_identifier"), ("app-id", "app_id"),
               ("transaction-id", "transaction_id"), ("redownload", "redownload"),
               ("source-app-id", "source_app_id"), ("fidelity-type", "fidelity_type"),
               ("did-win", "did_win"), ("conversion-value", "conversion_value"),
               ("coarse-conversion-value", "coarse_conversion_value"),
               ("postback-sequence-index", "postback_sequence_index"), ("country-code", "country_code"),
               ("attribution-signature", "attribution_signature"))


class SkanView(NamedTuple):
    """``postbacks``: what ad networks receive (no user IDs). ``truth``: per postback (by
    ``transaction_id``) who it was, the tier, the true revenue in and through the window, and the
    value before the privacy rules. ``campaigns``: the source-identifier mapping."""

    postbacks: pd.DataFrame
    truth: pd.DataFrame
    campaigns: pd.DataFrame


def _seconds(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[ns]").astype(np.int64) // 1_000_000_000


def _utc(seconds: np.ndarray) -> pd.Series:
    return pd.Series((np.asarray(seconds, dtype=np.int64) * 1_000_000_000).astype("datetime64[ns]")).dt.tz_localize("UTC")


def _network_order(name: str) -> int:
    return NETWORK_NAMES.index(name) if name in NETWORK_NAMES else len(NETWORK_NAMES)


def unique_pairs(df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """``df[[a, b]].drop_duplicates()`` (first occurrences, original index), via integer codes.

    Both columns have few distinct values (networks, campaigns), so factorizing each and finding
    the unique combined codes is much cheaper on millions of rows than hashing the string pairs.
    """
    ac, au = pd.factorize(df[a], use_na_sentinel=False)
    bc, bu = pd.factorize(df[b], use_na_sentinel=False)
    _, first = np.unique(ac.astype(np.int64) * max(len(bu), 1) + bc, return_index=True)
    return df[[a, b]].iloc[np.sort(first)]



def source_identifier_map(world) -> pd.DataFrame:
    """The advertiser's campaign codes: ``campaign_code`` (the last two digits of a source identifier),
    ``media_source``, ``campaign``. Codes run from 1 in network order, then campaign name."""
    pairs = touch_campaign_pairs(world)
    pairs = pairs.assign(_o=pairs["media_source"].map(_network_order)).sort_values(["_o", "media_source", "campaign"])
    if len(pairs) > 99:
        raise ValueError(_t("errors.synth.skan_campaigns", count=len(pairs)))
    return pd.DataFrame({"campaign_code": np.arange(1, len(pairs) + 1, dtype=np.int64),
                         "media_source": pairs["media_source"].astype(str).to_numpy(),
                         "campaign": pairs["campaign"].astype(str).to_numpy()})


def _uuids(rng: np.random.Generator, n: int, sort_key: bool = False):
    """Random version-4 UUID strings from the seeded generator (vectorised).

    ``sort_key=True`` also returns (high, low) uint64 halves of each UUID, which sort exactly like
    the strings (lower-case hex digits in ASCII order, dashes at fixed places).
    """
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    hexchars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    nib = np.empty((n, 32), dtype=np.uint8)
    nib[:, 0::2], nib[:, 1::2] = b >> 4, b & 15
    out = np.full((n, 37), ord("-"), dtype=np.uint8)
    cols = [i for i in range(36) if i not in (8, 13, 18, 23)]
    out[:, cols] = hexchars[nib]
    out[:, 36] = ord("\n")  # one decode and split for all of them
    text = np.array(out.tobytes().decode("ascii").split("\n")[:n], dtype=object)
    if not sort_key:
        return text
    halves = np.ascontiguousarray(b).view(">u8").reshape(n, 2).astype(np.uint64)
    return text, halves[:, 0], halves[:, 1]


def _tier(volume: np.ndarray, thresholds) -> np.ndarray:
    return np.searchsorted(np.asarray(thresholds, dtype=float), volume, side="right").astype(np.int8)


def _volume(*keys: np.ndarray) -> np.ndarray:
    """For each row, how many rows share its combination of keys."""
    key = np.zeros(len(keys[0]), dtype=np.int64)
    for k in keys:
        k = np.asarray(k, dtype=np.int64)
        key = key * (int(k.max(initial=0)) + 1) + k
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse]


def _lock_spec(lock_window) -> dict[int, object]:
    if lock_window is None:
        return {}
    spec = dict(lock_window) if isinstance(lock_window, dict) else {0: lock_window, 1: lock_window, 2: lock_window}
    for w, v in spec.items():
        if w not in (0, 1, 2):
            raise ValueError(_t("errors.synth.skan_lock_window", window=w))
        ok = isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0)
        if not ok:
            raise ValueError(_t("errors.synth.skan_lock_value", value=v))
    return spec


@releases_memory
def skan_view(world, schema: ConversionSchema | None = None, *, seed: int, lock_window=None,
              tier_thresholds=DEFAULT_TIER_THRESHOLDS, scale: float = 1.0, version: str = "4.0",
              signed: bool = False, networks=None, app_id: int | None = None, non_winning: bool = True) -> SkanView:
    """SKAN 4 postbacks for the world's iOS installs, with the truth alongside.

    ``schema``: the app's conversion-value schema (default :data:`DEFAULT_SCHEMA`). ``seed``: the
    random delays and transaction IDs (same seed, same postbacks). ``lock_window``: ``None`` (never
    lock), an event name (lock a window when the event first happens in it; the value then counts
    events up to that moment), a number of days after each window's start, or a dict
    ``{window_index: event_or_days}``. ``tier_thresholds``: installs per day for tiers 1, 2, 3
    (Apple-unpublished estimates); ``scale``: multiplies the world's install counts before the
    thresholds. ``signed``: add ``attribution_signature`` made with the MMA TEST KEY (not Apple's;
    slow for big worlds). ``networks``: the media sources that run SKAN campaigns (default: all
    but Apple Search Ads). ``non_winning``: also emit ``did-win: false`` postbacks.
    """
    check_world(world, "skan_view")
    schema = DEFAULT_SCHEMA if schema is None else schema
    if not isinstance(schema, ConversionSchema):
        raise ValueError(_t("errors.synth.skan_schema", type=type(schema).__name__))
    if version != "4.0":
        raise ValueError(_t("errors.synth.skan_version", version=version))
    th = tuple(float(x) for x in tier_thresholds)
    if len(th) != 3 or not th[0] <= th[1] <= th[2] or th[0] <= 0:
        raise ValueError(_t("errors.synth.skan_tiers", tier_thresholds=tier_thresholds))
    if not scale > 0:
        raise ValueError(_t("errors.synth.skan_scale", scale=scale))
    locks = _lock_spec(lock_window)
    rng = np.random.default_rng(seed)
    nets_ok = [n for n in NETWORK_NAMES if n not in _NO_SKAN] if networks is None else list(networks)
    if app_id is None:
        app_id = 6_400_000_000 + sum(map(ord, world.scenario.name)) * 1_000

    # ---- installs on iOS ------------------------------------------------------------------------
    ins = world.installs
    keep = (ins["platform"] == "ios").to_numpy().copy()
    if "fraud_type" in ins.columns:
        keep &= ~ins["fraud_type"].isin(_FAKE_INSTALLS).to_numpy()
    ins = ins[keep]
    i_user = ins["user_id"].to_numpy(dtype=object)
    i_time = _seconds(ins["install_time"])
    i_country = ins["country"].to_numpy(dtype=object)
    country_digit = pd.Index(COUNTRIES).get_indexer(i_country) + 1
    country_digit = np.where(country_digit <= 0, 9, country_digit)

    # ---- qualifying touches -------------------------------------------------------------------------
    camp_map = source_identifier_map(world)
    ix = world_index(world)
    if ix is not None:
        # a generated world: integer person, campaign and site codes from its index (same result)
        i_ucode = ix.install_user[keep]
        has_ios = np.zeros(len(world.users), dtype=bool)
        has_ios[i_ucode] = True
        t_net = ix.campaign_network[ix.touch_campaign]
        net_ok = np.array([x in nets_ok for x in NETWORK_NAMES])
        tmask = net_ok[t_net] & has_ios[ix.touch_user]
        t_ucode = ix.touch_user[tmask]
        code_by_camp = pd.MultiIndex.from_arrays([camp_map["media_source"], camp_map["campaign"]]).get_indexer(
            pd.MultiIndex.from_tuples(ix.campaigns)) + 1
        t_code = code_by_camp[ix.touch_campaign[tmask]]
        t_site = ix.touch_site[tmask]
        present = np.flatnonzero(np.bincount(t_site, minlength=len(ix.sites)))
        rank = np.zeros(len(ix.sites), dtype=np.int64)
        rank[present[np.argsort(ix.sites[present].astype(str), kind="stable")]] = np.arange(len(present))
        pair = pd.DataFrame({"user_id": t_ucode.astype(np.int64), "tt": _seconds(world.touches["touch_time"])[tmask],
                             "fid": ix.touch_click[tmask].astype(np.int8), "net": t_net[tmask],
                             "code": t_code.astype(np.int64), "site": rank[t_site]})
    else:
        t = world.touches
        src_codes, src_names = pd.factorize(t["media_source"])
        src_order = np.array([_network_order(x) for x in src_names] + [len(NETWORK_NAMES)], dtype=np.int64)
        src_ok = np.array([x in nets_ok for x in src_names] + [False])
        # people with an iOS install as integer codes: one hash lookup per touch, then integer joins
        i_ucode, i_uniq = pd.factorize(pd.Series(i_user, dtype=object))
        t_ucode = pd.Index(i_uniq, dtype=object).get_indexer(t["user_id"].to_numpy(dtype=object))
        tmask = src_ok[src_codes] & (t_ucode >= 0)
        if "fraud_type" in t.columns:  # fraudulent touches never reach a real App Store
            tmask &= t["fraud_type"].isna().to_numpy()
        src_codes = src_codes[tmask]
        t = t[tmask]
        t_ucode = t_ucode[tmask]
        code_of = pd.Series(camp_map["campaign_code"].to_numpy(),
                            index=pd.MultiIndex.from_arrays([camp_map["media_source"], camp_map["campaign"]]))
        t_code = code_of.reindex(pd.MultiIndex.from_arrays([t["media_source"], t["campaign"]])).to_numpy()
        site_codes, site_names = pd.factorize(t["site_id"], sort=True)
        pair = pd.DataFrame({"user_id": t_ucode.astype(np.int64), "tt": _seconds(t["touch_time"]),
                             "fid": (t["touch_type"] == "click").to_numpy(dtype=np.int8),
                             "net": src_order[src_codes],
                             "code": t_code.astype(np.int64), "site": site_codes.astype(np.int64)})
    pair = pair.merge(pd.DataFrame({"user_id": i_ucode.astype(np.int64), "inst": np.arange(len(ins))}), on="user_id",
                      how="inner")
    inst = pair["inst"].to_numpy()
    dt = i_time[inst] - pair["tt"].to_numpy()
    fid = pair["fid"].to_numpy()
    ok = (dt > 0) & np.where(fid == 1, dt <= CLICK_WINDOW, dt <= VIEW_WINDOW)
    c = {k: pair[k].to_numpy()[ok] for k in ("inst", "tt", "fid", "net", "code", "site")}
    # best touch per (install, network), then networks ranked per install: fidelity, then recency
    order = np.lexsort((-c["tt"], -c["fid"].astype(np.int64), c["net"], c["inst"]))
    c = {k: v[order] for k, v in c.items()}
    first = np.ones(len(order), bool)
    first[1:] = (c["inst"][1:] != c["inst"][:-1]) | (c["net"][1:] != c["net"][:-1])
    c = {k: v[first] for k, v in c.items()}
    order = np.lexsort((c["net"], -c["tt"], -c["fid"].astype(np.int64), c["inst"]))
    c = {k: v[order] for k, v in c.items()}
    start = np.r_[True, c["inst"][1:] != c["inst"][:-1]]
    grp_start = np.maximum.accumulate(np.where(start, np.arange(len(start)), 0))
    rank = np.arange(len(start)) - grp_start
    sel = rank <= (MAX_NON_WINNING if non_winning else 0)
    c = {k: v[sel] for k, v in c.items()}
    rank = rank[sel]
    a_inst, win = c["inst"], rank == 0

    # ---- crowd anonymity tiers --------------------------------------------------------------------
    day = i_time[a_inst] // DAY
    cd = country_digit[a_inst]
    sd = c["site"] % 10
    tier2 = _tier(_volume(c["net"], c["code"], day) * scale, th)
    tier3 = _tier(_volume(c["net"], c["code"], cd, day) * scale, th)
    tier4 = _tier(_volume(c["net"], c["code"], cd, sd, day) * scale, th)
    tier = np.maximum(np.maximum(tier2, tier3), tier4)
    digits = np.where(tier <= 1, 2, np.where(tier4 == tier, 4, np.where(tier3 == tier, 3, 2)))
    full_id = sd * 1000 + cd * 100 + c["code"]
    country_tier = _tier(_volume(cd, day) * scale, th)

    # ---- events per (winning install, window) --------------------------------------------------------
    w_rows = np.flatnonzero(win)
    n_w = len(w_rows)
    inst_to_w = np.full(len(ins), -1, dtype=np.int64)
    inst_to_w[a_inst[w_rows]] = np.arange(n_w)
    ev = world.events
    if ix is not None:
        row_in_ins = np.full(len(keep), -1, dtype=np.int64)
        row_in_ins[keep] = np.arange(len(ins))
        e_inst = row_in_ins[ix.event_install]
    else:
        e_inst = pd.Index(ins["install_id"]).get_indexer(ev["install_id"])
    e_w = np.where(e_inst >= 0, inst_to_w[np.maximum(e_inst, 0)], -1)
    em = e_w >= 0
    e_w = e_w[em]
    e_off = _seconds(ev["event_time"])[em] - i_time[a_inst[w_rows]][e_w]
    e_name = ev["event_name"].to_numpy(dtype=object)[em]
    e_rev = ev["revenue"].fillna(0.0).to_numpy(dtype=float)[em]
    ends = np.array([int(e * DAY) for _, e in WINDOWS])
    starts = np.array([int(s * DAY) for s, _ in WINDOWS])
    e_win = np.searchsorted(ends, e_off, side="right")
    inside = (e_off >= 0) & (e_win < 3)
    e_w, e_off, e_name, e_rev, e_win = e_w[inside], e_off[inside], e_name[inside], e_rev[inside], e_win[inside]
    cell = e_w * 3 + e_win

    lock_off = np.full(n_w * 3, np.iinfo(np.int64).max, dtype=np.int64)
    for w, spec in locks.items():
        if isinstance(spec, str):
            hit = (e_name == spec) & (e_win == w)
            np.minimum.at(lock_off, cell[hit], e_off[hit])
        else:
            at = starts[w] + int(round(float(spec) * DAY))
            if at < ends[w]:
                lock_off[np.arange(n_w) * 3 + w] = at
    end_off = np.tile(ends, n_w)
    locked = lock_off < end_off
    cutoff = np.minimum(lock_off, end_off)
    counted = e_off <= cutoff[cell]
    size = n_w * 3
    rev_full = np.bincount(cell, weights=e_rev, minlength=size).reshape(n_w, 3)
    rev_cnt = np.bincount(cell[counted], weights=e_rev[counted], minlength=size).reshape(n_w, 3)
    active = (np.bincount(cell[counted], minlength=size) > 0).reshape(n_w, 3)

    def cumulate(full: np.ndarray, part: np.ndarray) -> np.ndarray:
        before = np.cumsum(full, axis=1) - full
        return before + part if schema.cumulative else part

    rev_for_value = cumulate(rev_full, rev_cnt).ravel()
    counts = {}
    for name in schema.event_names:
        hit = e_name == name
        full = np.bincount(cell[hit], minlength=size).reshape(n_w, 3)
        part = np.bincount(cell[hit & counted], minlength=size).reshape(n_w, 3)
        counts[name] = cumulate(full, part).ravel()
    fine_all, coarse_all = schema.encode(np.maximum(rev_for_value, 0.0), counts)

    # ---- assemble postbacks ---------------------------------------------------------------------------
    w_tier = tier[w_rows]
    cell_w = np.repeat(np.arange(n_w), 3)
    cell_win = np.tile(np.arange(3), n_w)
    send = (cell_win == 0) | (w_tier[cell_w] >= 1)
    cells = np.flatnonzero(send)
    nl = np.flatnonzero(~win)  # non-winning rows (first postback only)
    rows_a = np.concatenate([w_rows[cell_w[cells]], nl])
    seq = np.concatenate([cell_win[cells], np.zeros(len(nl), dtype=np.int64)])
    n = len(rows_a)
    is_win = np.concatenate([np.ones(len(cells), bool), np.zeros(len(nl), bool)])
    p_tier = tier[rows_a]
    base_off = np.concatenate([cutoff[cells], np.full(len(nl), ends[0])])
    lo = np.array([d[0] for d in _DELAYS])[seq]
    hi = np.array([d[1] for d in _DELAYS])[seq]
    delay = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    p_time = i_time[a_inst[rows_a]] + base_off + delay
    tx, tx_hi, tx_lo = _uuids(rng, n, sort_key=True)

    fine_c = np.concatenate([fine_all[cells], np.zeros(len(nl), dtype=np.int64)])
    coarse_c = np.concatenate([coarse_all[cells], np.full(len(nl), None, dtype=object)])
    act = np.concatenate([active.ravel()[cells], np.zeros(len(nl), bool)])
    show_fine = is_win & (seq == 0) & (p_tier >= 2) & act
    show_coarse = is_win & act & (((seq == 0) & (p_tier == 1)) | ((seq > 0) & (p_tier >= 1)))
    p_digits = np.where(seq == 0, digits[rows_a], 2)
    sid_num = full_id[rows_a] % (10 ** p_digits)
    sid = _SID_TEXT[p_digits - 2, sid_num]
    t3 = is_win & (p_tier == 3)
    src_app = 1_600_000_000 + c["site"][rows_a]
    cc = i_country[a_inst[rows_a]]
    show_cc = t3 & (country_tier[rows_a] == 3)
    net_name = np.array([*NETWORK_NAMES, "other"], dtype=object)[np.minimum(c["net"][rows_a], len(NETWORK_NAMES))]
    camp_name = camp_map["campaign"].to_numpy(dtype=object)[c["code"][rows_a] - 1]
    redl = ins["is_reinstall"].to_numpy(dtype=bool)[a_inst[rows_a]]

    order = np.lexsort((tx_lo, tx_hi, p_time))  # = by (postback_time, transaction_id)
    post = pd.DataFrame({
        "postback_time": _utc(p_time),
        "transaction_id": tx,
        "version": "4.0",
        "ad_network_id": np.array([f"{x.replace('_', '-')}.mma-sim.skadnetwork" for x in (*NETWORK_NAMES, "other")],
                                  dtype=object)[np.minimum(c["net"][rows_a], len(NETWORK_NAMES))],
        "media_source": net_name,
        "campaign": camp_name,
        "source_identifier": sid,
        "app_id": np.full(n, int(app_id), dtype=np.int64),
        "source_app_id": pd.array(np.where(t3, src_app, 0), dtype="Int64"),
        "fidelity_type": c["fid"][rows_a].astype(np.int64),
        "redownload": redl,
        "did_win": is_win,
        "postback_sequence_index": seq.astype(np.int64),
        "conversion_value": pd.array(fine_c, dtype="Int64"),
        "coarse_conversion_value": pd.array(np.where(show_coarse, coarse_c, None), dtype="string"),
        "country_code": pd.array(np.where(show_cc, cc, None), dtype="string"),
    }).iloc[order].reset_index(drop=True)
    post.loc[~t3[order], "source_app_id"] = pd.NA
    post.loc[~show_fine[order], "conversion_value"] = pd.NA
    for col in ("transaction_id", "ad_network_id", "media_source", "campaign", "source_identifier"):
        post[col] = post[col].astype("string")

    # ---- truth --------------------------------------------------------------------------------------
    wi = np.where(is_win, cell_w[np.concatenate([cells, np.zeros(len(nl), dtype=np.int64)])], 0)
    rf = rev_full[wi]
    rev_win = np.where(is_win, rf[np.arange(n), seq], np.nan)
    rev_cum = np.where(is_win, np.cumsum(rf, axis=1)[np.arange(n), seq], np.nan)
    lk = np.concatenate([locked[cells], np.zeros(len(nl), bool)])
    inst_t = i_time[a_inst[rows_a]]
    truth = pd.DataFrame({
        "transaction_id": pd.array(tx, dtype="string"),
        "user_id": pd.array(i_user[a_inst[rows_a]], dtype="string"),
        "install_id": pd.array(ins["install_id"].to_numpy(dtype=object)[a_inst[rows_a]], dtype="string"),
        "true_source": pd.array(ins["true_source"].to_numpy(dtype=object)[a_inst[rows_a]], dtype="string"),
        "country": pd.array(cc, dtype="string"),
        "install_time": _utc(inst_t),
        "tier": p_tier.astype(np.int64),
        "source_identifier_full": pd.array(_SID_TEXT[2, full_id[rows_a]], dtype="string"),
        "postback_sequence_index": seq.astype(np.int64),
        "window_end": _utc(inst_t + ends[seq]),
        "locked": lk,
        "lock_time": _utc(np.where(lk, inst_t + base_off, 0)).where(lk),
        "window_complete": inst_t + ends[seq] <= _seconds(pd.Series([world.end]))[0],
        "app_active": act,
        "revenue_window": rev_win,
        "revenue_cumulative": rev_cum,
        "fine_value": pd.array(np.where(is_win, fine_c, 0), dtype="Int64"),
        "coarse_value": pd.array(np.where(is_win, coarse_c, None), dtype="string"),
    }).iloc[order].reset_index(drop=True)
    truth.loc[~is_win[order], "fine_value"] = pd.NA

    if signed:
        post["attribution_signature"] = pd.array(
            [sign_postback(pb)["attribution-signature"] for pb in postbacks_to_json(post)], dtype="string")
    return SkanView(postbacks=post, truth=truth, campaigns=camp_map)


def skan_postbacks(world, schema: ConversionSchema | None = None, *, seed: int, lock_window=None,
                   tier_thresholds=DEFAULT_TIER_THRESHOLDS, version: str = "4.0", signed: bool = False,
                   **options) -> pd.DataFrame:
    """The postbacks only (see :func:`skan_view` for every option and for the truth frame)."""
    return skan_view(world, schema, seed=seed, lock_window=lock_window, tier_thresholds=tier_thresholds,
                     version=version, signed=signed, **options).postbacks


def postbacks_to_json(postbacks: pd.DataFrame) -> list[dict]:
    """The postbacks as dicts with Apple's field names, in Apple's order; absent values are left out.
    Simulation-only columns (``postback_time``, ``media_source``, ``campaign``) are not included."""
    cols = [(key, col) for key, col in _JSON_ORDER if col in postbacks.columns]
    values = {col: postbacks[col].astype(object).where(postbacks[col].notna(), None).tolist() for _, col in cols}
    out = []
    for i in range(len(postbacks)):
        pb = {}
        for key, col in cols:
            v = values[col][i]
            if v is None:
                continue
            if isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, np.bool_):
                v = bool(v)
            pb[key] = v
        out.append(pb)
    return out


def postbacks_to_jsonl(postbacks: pd.DataFrame) -> str:
    """The postbacks as JSON lines (one compact JSON object per line), as a postback log stores them."""
    return "".join(json.dumps(pb, separators=(",", ":")) + "\n" for pb in postbacks_to_json(postbacks))


