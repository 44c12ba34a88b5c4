"""SKAdNetwork analysis for course 04: how much a conversion-value schema tells you, and what
revenue and ROAS you can estimate from postbacks, measured against the simulated world's truth.

Facts follow ``shared/reference/skan-privacy-sandbox.md`` part A (Apple's documentation): the
fine value (0–63) reaches the advertiser only in the first postback and only at crowd-anonymity
tiers 2 and 3; tier 1 and the second and third postbacks carry the coarse value (low / medium /
high); tier 0 carries no value and gets no later postbacks. Postbacks of one install in different
windows cannot be linked to each other (each has its own ``transaction-id``).

The pieces:

* :func:`skan_world` and :func:`skan_lab` — the course's worlds (one per vertical, generated on
  demand and cached per kernel) and their SKAN view for a schema.
* :func:`signal_kept` and :func:`signal_by_tier` — the share of the differences in revenue between
  installs that a schema's value still tells apart, at each tier (0 % at tier 0, by construction).
* :func:`calibrate` — the advertiser's own (first-party) table of average revenue per value: the app
  knows which value it set for each of its users and what each user spent, without any attribution.
* :func:`estimate_revenue` and :func:`campaign_report` — revenue and ROAS per campaign estimated from
  the postbacks alone, next to the truth; :func:`roas_error_by_size` groups the error by campaign size.
* :func:`ios_spend` — the course's convention for the iOS part of a campaign's spend.

>>> from helpers.skan import ConversionSchema
>>> import pandas as pd
>>> truth = pd.DataFrame({"revenue": [0.0, 0.0, 5.0, 50.0], "fine": [0, 0, 1, 2], "coarse": ["low"] * 3 + ["high"]})
>>> round(signal_kept(truth["revenue"], truth["fine"]), 3)
1.0
>>> round(signal_kept(truth["revenue"], truth["coarse"]), 3)
0.938
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers._validate import InputError, require_columns, require_dataframe
from helpers.messages import t
from helpers.skan import COARSE_VALUES, ConversionSchema

__all__ = ["WORLD_USERS", "WORLD_SEED", "WORLD_START", "WORLD_DAYS", "VIEW_SEED", "TIER_CONTENT", "Calibration",
           "skan_world", "skan_lab", "first_postbacks", "signal_kept", "signal_by_tier", "calibrate",
           "estimate_revenue", "campaign_report", "roas_error_by_size", "ios_spend", "revenue_schema",
           "schema_summary", "att_summary", "postback_timing", "postback_log",
           "APPLE_EXAMPLE_POSTBACKS", "AAK_EXAMPLE_POSTBACK"]

WORLD_USERS = 80_000
"""People in each course world: big enough for campaigns of very different sizes (and so every
crowd-anonymity tier), small enough to build in about a second."""
WORLD_SEED = 20261124
WORLD_START = "2026-03-01"
WORLD_DAYS = 60
VIEW_SEED = 4
"""Seed of the SKAN view's random delays and transaction IDs in the lessons."""

TIER_CONTENT: dict[int, str] = {0: "nothing", 1: "coarse", 2: "fine", 3: "fine"}
"""What the first postback's conversion value is at each tier (Apple, "Receiving postbacks in
multiple conversion windows"): tier 0 no value, tier 1 coarse, tiers 2 and 3 fine."""

_WINDOW_KEYS = (0, 1, 2)

APPLE_EXAMPLE_POSTBACKS: dict[str, dict] = {
    "4.0 fine": {
        "version": "4.0", "ad-network-id": "com.example", "source-identifier": "5239", "app-id": 525463029,
        "transaction-id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e30", "redownload": False,
        "source-domain": "example.com", "fidelity-type": 1, "did-win": True, "conversion-value": 63,
        "postback-sequence-index": 0,
        "attribution-signature": "MEUCIGRmSMrqedNu6uaHyhVcifs118R5z/AB6cvRaKrRRHWRAiEAv96ne3dKQ5kJpbsfk4eYiePmrZUU6sQmo+7"
                                 "zfP/1Bxo=",
    },
    "4.0 coarse": {
        "version": "4.0", "ad-network-id": "com.example", "source-identifier": "39", "app-id": 525463029,
        "transaction-id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e31", "redownload": False,
        "source-domain": "example.com", "fidelity-type": 1, "did-win": True, "coarse-conversion-value": "high",
        "postback-sequence-index": 0,
        "attribution-signature": "MEUCIQD4rX6eh38qEhuUKHdap345UbmlzA7KEZ1bhWZuYM8MJwIgMnyiiZe6heabDkGwOaKBYrUXQhKtF3P/"
                                 "ERHqkR/XpuA=",
    },
    "3.0 winning": {
        "version": "3.0", "ad-network-id": "example123.skadnetwork", "campaign-id": 42,
        "transaction-id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e28", "app-id": 525463029,
        "attribution-signature": "MEYCIQD5eq3AUlamORiGovqFiHWI4RZT/PrM3VEiXUrsC+M51wIhAPMANZA9c07raZJ64gVaXhB9+9yZj/X6"
                                 "DcNxONdccQij",
        "redownload": True, "source-app-id": 1234567891, "fidelity-type": 1, "conversion-value": 20, "did-win": True,
    },
}
"""Apple's published example postbacks (reference A6 vectors 1–3: Apple's "Verifying an
install-validation postback" and "Combining parameters for SKAdNetwork 3 postbacks" pages; also the
test data of the open-source verifier whisk/skadnetwork). All three verify with Apple's P-256 key."""

AAK_EXAMPLE_POSTBACK: dict = {
    "jws-string": (
        "eyJraWQiOiJhcHBsZS1kZXZlbG9wbWVudC1pZGVudGlmaWVyXC8xIiwiYWxnIjoiRVMyNTYifQ."
        "eyJwb3N0YmFjay1pZGVudGlmaWVyIjoiODU1NDZFQjctRkQzOS00NEJDLTg5OTAtQzk4QTRBQzM2QTQ5IiwicHVibGlzaGVyLWl0ZW0t"
        "aWRlbnRpZmllciI6MCwibWFya2V0cGxhY2UtaWRlbnRpZmllciI6ImNvbS5hcHBsZS5BcHBTdG9yZSIsImltcHJlc3Npb24tdHlwZSI6"
        "ImFwcC1pbXByZXNzaW9uIiwiYWQtbmV0d29yay1pZGVudGlmaWVyIjoiZGV2ZWxvcG1lbnQuYWRhdHRyaWJ1dGlvbmtpdCIsImRpZC13"
        "aW4iOnRydWUsInBvc3RiYWNrLXNlcXVlbmNlLWluZGV4IjowLCJjb252ZXJzaW9uLXR5cGUiOiJyZS1lbmdhZ2VtZW50Iiwic291cmNl"
        "LWlkZW50aWZpZXIiOiIxMjM0IiwiYWR2ZXJ0aXNlZC1pdGVtLWlkZW50aWZpZXIiOjEwNzM4MDI3NzU2fQ."
        "bAdNwKd6OfHK9tofvjjua4X_JPcFTxXPQSspD9gZkinw97pY7R1aI-LSjl-oxZZF3_K2H5JK5TSEBee4_1U4oQ"),
    "conversion-value": 24,
    "ad-interaction-type": "click",
    "country-code": "US",
}
"""Apple's example AdAttributionKit postback (reference A7; Apple's "Verifying a postback" page):
signed with the development key ``apple-development-identifier/1``. Read it with
:func:`helpers.skan.decode_aak_postback`, verify it with :func:`helpers.skan.verify_postback`."""


# ---------------------------------------------------------------------------------------------
# the course's worlds


def skan_world(vertical: str = "gaming", n_users: int = WORLD_USERS, seed: int = WORLD_SEED):
    """The course's world for a vertical: ``generate_world(n_users, seed, vertical)`` over 60 days
    from 2026-03-01, cached per kernel (same arguments, same world). About a second to build."""
    from helpers.data import WORLD_VERTICALS

    if vertical not in WORLD_VERTICALS:
        raise InputError(t("errors.skan_analysis.vertical", vertical=vertical, verticals=", ".join(WORLD_VERTICALS)))
    return _world(str(vertical), int(n_users), int(seed))


@functools.cache
def _world(vertical: str, n_users: int, seed: int):
    from helpers.synth import generate_world

    return generate_world(n_users, seed=seed, vertical=vertical, start=WORLD_START, days=WORLD_DAYS)


_LABS: dict[tuple, object] = {}


def skan_lab(vertical: str = "gaming", schema: ConversionSchema | None = None, *, seed: int = VIEW_SEED,
             lock_window=None, n_users: int = WORLD_USERS, **options):
    """The SKAN view (:func:`helpers.synth.views.skan.skan_view`) of :func:`skan_world` for a schema.

    Cached per kernel by the schema's layout and the options, so lessons and exercises share one copy.
    Treat the result as read-only. ``options`` go to ``skan_view`` (``tier_thresholds``, ``scale``…).
    """
    from helpers.synth.views.skan import DEFAULT_SCHEMA, skan_view

    schema = DEFAULT_SCHEMA if schema is None else schema
    if not isinstance(schema, ConversionSchema):
        raise InputError(t("errors.skan_analysis.schema_type", type=type(schema).__name__))
    key = (vertical, repr(schema), seed, repr(lock_window), n_users, tuple(sorted((k, repr(v)) for k, v in options.items())))
    if key not in _LABS:
        if len(_LABS) > 24:
            _LABS.clear()
        _LABS[key] = skan_view(skan_world(vertical, n_users), schema, seed=seed, lock_window=lock_window, **options)
    return _LABS[key]


def first_postbacks(view, window: int = 0, complete: bool = True) -> pd.DataFrame:
    """The winning postbacks of one window joined with their truth (one row per install).

    ``complete`` keeps only installs whose window ended before the world's last day (so their
    revenue in the window is fully known). Columns: the postback's, plus ``tier``,
    ``revenue_cumulative``, ``revenue_window``, ``fine_value``, ``coarse_value`` (the values before
    the privacy rules) and ``app_active`` from the truth.
    """
    if window not in _WINDOW_KEYS:
        raise InputError(t("errors.skan_analysis.window", window=window))
    post, truth = view.postbacks, view.truth
    cols = ["tier", "revenue_window", "revenue_cumulative", "fine_value", "coarse_value",
            "app_active", "window_complete", "install_id"]
    keep = (post["did_win"] & (post["postback_sequence_index"] == window)).to_numpy()
    if len(post) == len(truth) and (post["transaction_id"].to_numpy() == truth["transaction_id"].to_numpy()).all():
        # the view lists postbacks and their truth in the same order: join by position (fast)
        rows = pd.concat([post[keep].reset_index(drop=True), truth.loc[keep, cols].reset_index(drop=True)], axis=1)
    else:
        rows = post[keep].merge(truth[["transaction_id", *cols]], on="transaction_id", how="left")
    if complete:
        rows = rows[rows["window_complete"]]
    return rows.reset_index(drop=True)


def postback_timing(view) -> pd.DataFrame:
    """When each winning postback was sent. One row per postback: ``postback_sequence_index``,
    ``locked``, ``days_after_install`` (install to postback) and ``delay_hours`` (from the end of the
    window, or from the lock when the app locked it, to the postback: Apple's random delay)."""
    post = view.postbacks[view.postbacks["did_win"]][["transaction_id", "postback_time", "postback_sequence_index"]]
    t = view.truth[["transaction_id", "install_time", "window_end", "locked", "lock_time"]]
    rows = post.merge(t, on="transaction_id", how="left")
    start = rows["lock_time"].where(rows["locked"], rows["window_end"])
    return pd.DataFrame({
        "postback_sequence_index": rows["postback_sequence_index"].to_numpy(),
        "locked": rows["locked"].to_numpy(dtype=bool),
        "days_after_install": ((rows["postback_time"] - rows["install_time"]).dt.total_seconds() / 86_400).to_numpy(),
        "delay_hours": ((rows["postback_time"] - start).dt.total_seconds() / 3_600).to_numpy(),
    })


def postback_log(view, n: int = 200, *, tampered: int = 8, revalued: int = 8, seed: int = 7) -> list[dict]:
    """A small postback log for practice: ``n`` of the view's postbacks as Apple's JSON, signed with the
    course's test key (MMA TEST KEY — not Apple's), of which ``tampered`` have a signed field changed
    afterwards (``did-win``, ``source-identifier``, ``redownload`` or ``app-id``) and ``revalued`` others
    a changed ``conversion-value`` (not signed, so they still verify). Deterministic for a seed."""
    from helpers.skan import sign_postback
    from helpers.synth.views.skan import postbacks_to_json

    if not 0 <= tampered + revalued <= n:
        raise InputError(t("errors.skan_analysis.tampered", n=n, tampered=tampered, revalued=revalued))
    rng = np.random.default_rng(seed)
    post = view.postbacks
    fine = post.index[post["conversion_value"].notna().to_numpy()]
    other = post.index[post["conversion_value"].isna().to_numpy()]
    n_fine = min(len(fine), max(revalued, n // 2))
    rows = np.sort(np.concatenate([rng.choice(fine, n_fine, replace=False),
                                   rng.choice(other, n - n_fine, replace=False)]))
    log = [sign_postback(pb) for pb in postbacks_to_json(post.loc[rows])]
    has_fine = [i for i, pb in enumerate(log) if "conversion-value" in pb]
    reval = set(rng.choice(has_fine, revalued, replace=False).tolist()) if revalued else set()
    rest = [i for i in range(len(log)) if i not in reval]
    tamper = rng.choice(rest, tampered, replace=False).tolist() if tampered else []
    for i in reval:
        log[i]["conversion-value"] = 63 if log[i]["conversion-value"] != 63 else 62
    for j, i in enumerate(tamper):
        pb = log[i]
        field = ("did-win", "source-identifier", "redownload", "app-id")[j % 4]
        if field == "did-win":
            pb["did-win"] = not pb["did-win"]
        elif field == "source-identifier":
            pb["source-identifier"] = ("9" + pb["source-identifier"])[-4:] if len(pb["source-identifier"]) < 4 \
                else pb["source-identifier"][:-1] + str((int(pb["source-identifier"][-1]) + 1) % 10)
        elif field == "redownload":
            pb["redownload"] = not pb["redownload"]
        else:
            pb["app-id"] = pb["app-id"] + 1
    return log


# ---------------------------------------------------------------------------------------------
# how much a value tells


def signal_kept(revenue, groups) -> float:
    """Share of the differences in revenue between installs that a value still tells apart.

    ``revenue``: true revenue per install; ``groups``: what the postback shows for each install (a
    fine value, a coarse value, or the same label for everyone when nothing is shown). Returns
    ``1 - (spread of revenue inside the groups) / (spread of revenue overall)``, with the spread
    measured as the sum of squared differences from the mean (statisticians call it the correlation
    ratio, eta squared). 0 means the value says nothing about revenue, 1 that it pins every install's
    revenue down. Missing groups count as one more group ("no value").
    """
    rev = pd.Series(np.asarray(revenue, dtype=float))
    if rev.isna().any():
        raise InputError(t("errors.skan_analysis.revenue_missing"))
    g = pd.Series(np.asarray(pd.Series(groups).astype(object).where(pd.Series(groups).notna(), "(none)")),
                  dtype=object)
    if len(g) != len(rev):
        raise InputError(t("errors.skan_analysis.lengths", revenue=len(rev), groups=len(g)))
    total = float(((rev - rev.mean()) ** 2).sum())
    if len(rev) == 0 or total == 0:
        return 0.0
    within = float(((rev - rev.groupby(g.to_numpy()).transform("mean")) ** 2).sum())
    return max(0.0, 1.0 - within / total)


def signal_by_tier(view, window: int = 0) -> pd.DataFrame:
    """For each crowd-anonymity tier, the signal a schema keeps if an install's postback has that tier.

    Rows: tiers 0–3. Columns: ``shows`` (what the postback's value is: nothing, coarse or fine),
    ``signal_kept`` (:func:`signal_kept` of the window's cumulative revenue), ``postbacks`` (how many
    of the window's winning postbacks really had that tier) and ``share`` of them. Window 0 shows the
    fine value at tiers 2–3; windows 1 and 2 show only the coarse value, and tier 0 gets no postback.
    Only installs whose window ended inside the world are used.
    """
    rows = first_postbacks(view, window)
    if rows.empty:
        raise InputError(t("errors.skan_analysis.no_window", window=window))
    rev = rows["revenue_cumulative"].astype(float)
    coarse = signal_kept(rev, rows["coarse_value"])
    fine = signal_kept(rev, rows["fine_value"]) if window == 0 else coarse
    counts = rows["tier"].value_counts().reindex([0, 1, 2, 3], fill_value=0)
    out = pd.DataFrame({
        "shows": [TIER_CONTENT[0], TIER_CONTENT[1], "fine" if window == 0 else "coarse",
                  "fine" if window == 0 else "coarse"],
        "signal_kept": [0.0, coarse, fine, fine],
        "postbacks": counts.to_numpy(dtype=np.int64),
    }, index=pd.Index([0, 1, 2, 3], name="tier"))
    if window > 0:
        out.loc[0, "shows"] = "no postback"
    out["share"] = out["postbacks"] / max(int(out["postbacks"].sum()), 1)
    return out


# ---------------------------------------------------------------------------------------------
# estimating revenue from postbacks


class Calibration(dict):
    """Average revenue per value from the app's own data (see :func:`calibrate`); a dict with
    ``window``, ``fine`` (Series by fine value), ``coarse`` (Series by coarse value) and ``overall``."""

    def __repr__(self) -> str:
        return (f"Calibration(window={self['window']}, {len(self['fine'])} fine values, coarse "
                f"{ {k: round(float(v), 2) for k, v in self['coarse'].items()} }, overall={self['overall']:.2f})")


def calibrate(view, window: int = 0, schema: ConversionSchema | None = None) -> Calibration:
    """The advertiser's first-party table: average revenue (cumulative through the window's end) of
    its installs for each fine value and each coarse value, and overall.

    The app sets the values itself, so it knows each of its users' values and revenue; no
    attribution is needed. In the simulation that table comes from the view's truth (the values
    before the privacy rules) for every install whose window ended inside the world. With the
    ``schema``, a fine value no install had gets the middle of the revenue range it stands for (the
    lower edge for the open-ended top bucket); without it, such a value is estimated like a null.
    """
    rows = first_postbacks(view, window)
    if rows.empty:
        raise InputError(t("errors.skan_analysis.no_calibration", window=window))
    rev = rows["revenue_cumulative"].astype(float)
    fine = rev.groupby(rows["fine_value"].astype("Int64").to_numpy()).mean() if window == 0 else pd.Series(dtype=float)
    coarse = rev.groupby(rows["coarse_value"].astype(object).to_numpy()).mean().reindex(list(COARSE_VALUES))
    coarse = coarse.fillna(float(rev.mean()))
    if schema is not None and window == 0:
        if not isinstance(schema, ConversionSchema):
            raise InputError(t("errors.skan_analysis.schema_type", type=type(schema).__name__))
        table = schema.table()
        mid = np.where(np.isinf(table["revenue_below"]), table["revenue_from"],
                       (table["revenue_from"] + table["revenue_below"]) / 2)
        fine = fine.combine_first(pd.Series(mid, index=table["fine"].to_numpy()))
    return Calibration(window=window, fine=fine.astype(float), coarse=coarse.astype(float), overall=float(rev.mean()))


def _null_value(cal: Calibration, null_value) -> float:
    if null_value == "mean":
        return float(cal["overall"])
    if null_value == "zero":
        return 0.0
    if isinstance(null_value, (int, float)) and not isinstance(null_value, bool) and null_value >= 0:
        return float(null_value)
    raise InputError(t("errors.skan_analysis.null_value", value=null_value))


def estimate_revenue(postbacks: pd.DataFrame, calibration: Calibration, *, null_value="mean") -> pd.Series:
    """Estimated revenue per postback from what it shows: the calibrated average for its fine value,
    else for its coarse value, else ``null_value`` (``"mean"``: the app's average install; ``"zero"``;
    or a number). Non-winning postbacks carry no value and are estimated 0 (their install is
    counted by the winner's postback)."""
    require_dataframe(postbacks, "postbacks")
    require_columns(postbacks, "postbacks", ["conversion_value", "coarse_conversion_value", "did_win"])
    if not isinstance(calibration, Calibration):
        raise InputError(t("errors.skan_analysis.calibration_type"))
    null = _null_value(calibration, null_value)
    fine = postbacks["conversion_value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    est = np.full(len(postbacks), null, dtype=float)
    coarse = postbacks["coarse_conversion_value"].astype(object)
    has_coarse = coarse.notna().to_numpy()
    est[has_coarse] = calibration["coarse"].reindex(coarse[has_coarse].to_numpy()).fillna(null).to_numpy()
    has_fine = ~np.isnan(fine)
    if has_fine.any():
        table = calibration["fine"]
        est[has_fine] = table.reindex(fine[has_fine].astype(np.int64)).fillna(null).to_numpy()
    est[~postbacks["did_win"].to_numpy(dtype=bool)] = 0.0
    return pd.Series(est, index=postbacks.index, name="estimated_revenue")


def ios_spend(world, by: Sequence[str] = ("media_source", "campaign")) -> pd.Series:
    """The iOS part of each campaign's spend (USD): its spend times the share of its ad touches that
    reached iOS devices. A course convention: the world's spend table is not split by platform."""
    by = list(by)
    key = (id(world), tuple(by))
    hit = _SPEND_CACHE.get(key)
    if hit is not None and hit[0] is world:
        return hit[1].copy()
    out = _ios_spend(world, by)
    if len(_SPEND_CACHE) > 16:
        _SPEND_CACHE.clear()
    _SPEND_CACHE[key] = (world, out)
    return out.copy()


_SPEND_CACHE: dict[tuple, tuple] = {}


def _ios_spend(world, by: list[str]) -> pd.Series:
    touches = world.touches
    platform = world.users.set_index("user_id")["platform"]
    ios = touches["user_id"].map(platform).eq("ios")
    share = ios.groupby([touches[c] for c in by]).mean()
    spend = world.spend.groupby(by)["cost"].sum()
    return (spend * share.reindex(spend.index).fillna(0.0)).rename("ios_spend")


def campaign_report(view, world=None, *, window: int = 0, null_value="mean", calibration: Calibration | None = None,
                    vertical: str | None = None) -> pd.DataFrame:
    """Revenue and ROAS per campaign estimated from the postbacks, next to the truth.

    For ``window`` w the estimate is aggregate, as it must be (postbacks of different windows cannot
    be linked): the campaign's installs are its winning window-0 postbacks; those with a window-w
    postback get the calibrated value it shows (or ``null_value`` when it shows none), those without
    one (tier 0 sends no later postbacks) get ``null_value``. Only installs whose window w ended
    inside the world count, on both sides. ``true_revenue`` is the true revenue (through the window's
    end) of the same installs; ROAS divides by :func:`ios_spend`, shared out over the campaign's
    installs so that only installs that count carry their part of the spend.

    Columns: ``media_source``, ``campaign``, ``installs``, ``tier_2_share`` (share of first postbacks
    at tier 2 or 3), ``spend``, ``true_revenue``, ``estimated_revenue``, ``true_roas``,
    ``estimated_roas``, ``roas_error`` (estimated / true − 1; NaN when the truth is 0).
    """
    if world is None:
        world = skan_world(vertical or "gaming")
    cal = calibration if calibration is not None else calibrate(view, window)
    if cal["window"] != window:
        raise InputError(t("errors.skan_analysis.calibration_window", calibrated=cal["window"], window=window))
    null = _null_value(cal, null_value)
    first = first_postbacks(view, 0, complete=False)
    truth_w = view.truth[["install_id", "postback_sequence_index", "window_complete", "revenue_cumulative"]]
    truth_w = truth_w[truth_w["postback_sequence_index"] == window]
    # whether each install's window w is complete, and its true revenue through it: from the world
    inst = first[["install_id", "media_source", "campaign", "tier"]].copy()
    inst_time = view.truth.drop_duplicates("install_id").set_index("install_id")["install_time"]
    from helpers.skan import WINDOWS

    end = inst["install_id"].map(inst_time) + pd.to_timedelta(WINDOWS[window][1], unit="D")
    inst = inst[(end <= world.end).to_numpy()]
    later = first_postbacks(view, window, complete=False) if window else first
    est_rows = later.assign(est=estimate_revenue(later, cal, null_value=null_value).to_numpy())
    est_by_install = est_rows.set_index("install_id")["est"]
    inst["estimated"] = inst["install_id"].map(est_by_install).fillna(null)
    inst["truth"] = inst["install_id"].map(_revenue_through(world, inst["install_id"], inst_time, window))
    all_inst = first.groupby(["media_source", "campaign"]).size()
    g = inst.groupby(["media_source", "campaign"])
    out = pd.DataFrame({
        "installs": g.size(),
        "tier_2_share": g["tier"].apply(lambda s: float((s >= 2).mean())),
        "true_revenue": g["truth"].sum(),
        "estimated_revenue": g["estimated"].sum(),
    })
    spend = ios_spend(world).reindex(out.index).fillna(0.0)
    out["spend"] = spend * out["installs"] / all_inst.reindex(out.index)
    out["true_roas"] = out["true_revenue"] / out["spend"].where(out["spend"] > 0)
    out["estimated_roas"] = out["estimated_revenue"] / out["spend"].where(out["spend"] > 0)
    out["roas_error"] = out["estimated_revenue"] / out["true_revenue"].where(out["true_revenue"] > 0) - 1
    out = out.reset_index()[["media_source", "campaign", "installs", "tier_2_share", "spend", "true_revenue",
                             "estimated_revenue", "true_roas", "estimated_roas", "roas_error"]]
    return out.sort_values("installs", ascending=False).reset_index(drop=True)


def _revenue_through(world, install_ids: pd.Series, install_time: pd.Series, window: int) -> pd.Series:
    """True revenue of each install from its install to the end of SKAN window ``window``."""
    from helpers.skan import WINDOWS

    ev = world.events[world.events["install_id"].isin(set(install_ids))]
    ev = ev[ev["revenue"].fillna(0) > 0]
    start = ev["install_id"].map(install_time)
    ok = (ev["event_time"] - start) < pd.to_timedelta(WINDOWS[window][1], unit="D")
    ok &= ev["event_time"] >= start
    return ev[ok.to_numpy()].groupby("install_id")["revenue"].sum().reindex(install_ids.unique()).fillna(0.0)


def roas_error_by_size(report: pd.DataFrame, edges: Sequence[int] = (0, 100, 300, 1000, 10**9)) -> pd.DataFrame:
    """The ROAS error of :func:`campaign_report` grouped by campaign size (installs).

    Columns: ``campaigns``, ``installs`` (total), ``median_abs_error`` (median of |roas_error| over the
    group's campaigns) and ``revenue_weighted_error`` (|estimated − true| revenue summed, over true
    revenue summed). Index: the size groups, e.g. ``"100–299"``.
    """
    require_columns(report, "report", ["installs", "roas_error", "true_revenue", "estimated_revenue"])
    edges = list(edges)
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)) or len(edges) < 2:
        raise InputError(t("errors.skan_analysis.edges", edges=edges))
    labels = [f"{a:,}–{b - 1:,}" if b < 10**9 else f"{a:,}+" for a, b in zip(edges, edges[1:], strict=False)]
    size = pd.cut(report["installs"], edges, right=False, labels=labels)
    g = report.assign(_abs=report["roas_error"].abs(),
                      _diff=(report["estimated_revenue"] - report["true_revenue"]).abs()).groupby(size, observed=False)
    out = pd.DataFrame({
        "campaigns": g.size(),
        "installs": g["installs"].sum(),
        "median_abs_error": g["_abs"].median(),
        "revenue_weighted_error": g["_diff"].sum() / g["true_revenue"].sum().where(lambda s: s > 0),
    })
    out.index.name = "campaign_size"
    return out


# ---------------------------------------------------------------------------------------------
# schemas


def revenue_schema(edges: Sequence[float], coarse: Sequence[float] | None = None,
                   name: str | None = None) -> ConversionSchema:
    """A revenue-bucket schema from bucket edges (USD, cumulative), as the schema designer builds it.

    ``coarse``: the revenue at which coarse turns medium and high; by default the first edge and the
    edge in the middle. Raises ``ValueError`` (from :class:`helpers.skan.ConversionSchema`) when the
    edges cannot work.
    """
    edges = sorted(float(e) for e in edges)
    if coarse is None and len(edges) >= 1:
        coarse = (edges[0], edges[len(edges) // 2])
    return ConversionSchema(revenue_edges=edges, coarse_revenue=coarse, name=name)


def schema_summary(view, vertical: str = "gaming", *, window: int = 0, null_value="mean",
                   size_edges: Sequence[int] = (0, 100, 300, 1000, 10**9)) -> dict:
    """Everything the schema designer shows for one view: signal kept per tier, the share of first
    postbacks per tier, the campaign report and the ROAS error by campaign size."""
    tiers = signal_by_tier(view, window)
    report = campaign_report(view, skan_world(vertical), window=window, null_value=null_value)
    return {"tiers": tiers, "campaigns": report, "by_size": roas_error_by_size(report, size_edges)}


# ---------------------------------------------------------------------------------------------
# ATT


def att_summary(world) -> pd.DataFrame:
    """Per platform: people who installed, the share with an advertising ID (on iOS: ATT opt-in),
    and the share of installs whose true source was paid."""
    users = world.users
    inst = world.installs.drop_duplicates("user_id").merge(users[["user_id", "att_consent"]], on="user_id")
    g = inst.groupby("platform")
    return pd.DataFrame({
        "installers": g.size(),
        "with_advertising_id": g["att_consent"].mean(),
        "paid_share": g["true_source"].apply(lambda s: float((s != "organic").mean())),
    })
