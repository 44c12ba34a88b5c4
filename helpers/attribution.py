"""Attribution: who gets the credit for an install or a conversion.

Two families of tools live here.

**Install attribution, the way a mobile measurement partner (MMP) does it** —
:func:`attribute_installs` gives each install exactly one media source by last touch, with
lookback windows, a priority waterfall (device-ID click > probabilistic click > device-ID
impression > organic), self-attributing networks (SANs) and the re-attribution window.

**Multi-touch models for conversion paths** — :func:`attribute_paths` splits conversions over the
channels of each path with ``first_touch``, ``last_touch``, ``linear``, ``position_based``
(40/20/40), ``markov`` (exact removal effects) or ``shapley`` (simplified Shapley value);
:func:`attribute_journeys` does the same for timestamped journeys and adds ``time_decay``.
:func:`paths_from_touches` turns timestamped touches into the path table;
:func:`transition_matrix` and :func:`markov_removal_effects` show the Markov model's insides.

Column contracts
----------------
Timestamps are time-zone-aware UTC (``datetime64[ns, UTC]``); naive timestamps are refused with a
message explaining ``pd.to_datetime(..., utc=True)``.

* ``touches`` (ad clicks / impressions and SAN claims): ``touch_id``, ``device_id`` (may be NA),
  ``fingerprint`` (may be NA), ``media_source``, ``campaign``, ``site_id``, ``touch_type``
  (``"click"`` or ``"impression"``), ``touch_time``; optional ``is_retargeting`` (bool).
* ``installs``: ``install_id``, ``device_id`` (may be NA), ``fingerprint`` (may be NA),
  ``install_time`` (first app open); any other columns are carried through.
* ``paths``: ``path`` (channels joined by ``" > "``), ``conversions``, ``nulls`` (non-negative counts).
* ``journeys``: ``journey_id``, ``channel``, ``touch_time``, ``conversion_time``; optional
  ``conversions`` (default 1 per journey).

Invalid input raises :class:`helpers._validate.InputError` (a ``ValueError``) or
:class:`helpers._validate.InputTypeError` (also a ``TypeError``) with a message naming the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers._validate import (
    InputError,
    InputTypeError,
    require_columns,
    require_no_missing,
    require_nonnegative,
    require_text,
    require_utc_timestamps,
    require_values_in,
    row_label,
    to_timedelta,
)
from helpers.messages import t

__all__ = [
    "network_claims",
    "DEFAULT_SELF_ATTRIBUTING",
    "INSTALL_OUTPUT_COLUMNS",
    "PATH_MODELS",
    "JOURNEY_MODELS",
    "attribute_installs",
    "attribute_paths",
    "compare_models",
    "markov_removal_effects",
    "transition_matrix",
    "attribute_journeys",
    "journey_weights",
    "paths_from_touches",
]

#: Networks that attribute installs themselves (AppsFlyer calls them SRNs). Their rows in
#: ``touches`` are the claims they return when the MMP asks them about a device ID.
DEFAULT_SELF_ATTRIBUTING: frozenset[str] = frozenset(
    {"google_ads", "meta_ads", "apple_search_ads", "tiktok_ads", "snapchat_ads"}
)

#: Columns :func:`attribute_installs` adds to the installs table.
INSTALL_OUTPUT_COLUMNS: tuple[str, ...] = (
    "media_source",
    "campaign",
    "site_id",
    "touch_id",
    "touch_type",
    "touch_time",
    "match_type",
    "install_type",
    "ctit",
)

#: Models understood by :func:`attribute_paths`.
PATH_MODELS: tuple[str, ...] = ("first_touch", "last_touch", "linear", "position_based", "markov", "shapley")
#: Models understood by :func:`attribute_journeys`.
JOURNEY_MODELS: tuple[str, ...] = ("time_decay", "first_touch", "last_touch", "linear", "position_based")

PATH_SEPARATOR = " > "
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"

_TOUCH_COLUMNS = (
    "touch_id",
    "device_id",
    "fingerprint",
    "media_source",
    "campaign",
    "site_id",
    "touch_type",
    "touch_time",
)
_INSTALL_COLUMNS = ("install_id", "device_id", "fingerprint", "install_time")

# match_type codes used internally
_ORGANIC, _DEVICE, _PROB, _SAN = 0, 1, 2, 3
_MATCH_NAMES = np.array(["organic", "device_id", "probabilistic", "self_attributing_claim"], dtype=object)
_NEW, _REINSTALL, _REATTRIBUTION = 0, 1, 2
_INSTALL_TYPES = np.array(["new", "reinstall", "reattribution"], dtype=object)


# ---------------------------------------------------------------------------------------------
# Install attribution
# ---------------------------------------------------------------------------------------------


def _ns(s: pd.Series) -> np.ndarray:
    """UTC timestamps as int64 nanoseconds since the epoch (NaT -> int64 minimum)."""
    return s.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view("i8")


def _key_codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes for two key columns on one shared vocabulary (NA, and right values not on the left -> -1)."""
    # Only the left side's values can ever match, so the vocabulary is the left side's (a small
    # hash table) and right-side values missing from it get -1 too: the same left codes as
    # factorizing both sides together, without hashing the (large) right side into the table.
    codes, uniques = pd.factorize(left.to_numpy(dtype=object, na_value=None), use_na_sentinel=True)
    if not len(uniques):
        return codes, np.full(len(right), -1, dtype=np.intp)
    right_codes = pd.Index(uniques, dtype=object).get_indexer(right.to_numpy(dtype=object, na_value=None))
    return codes, right_codes


def _last_touch_within(
    inst_rows: np.ndarray,
    inst_key: np.ndarray,
    inst_time: np.ndarray,
    touch_mask: np.ndarray,
    touch_key: np.ndarray,
    touch_time: np.ndarray,
    window: pd.Timedelta,
) -> np.ndarray:
    """For each install, the position of the latest qualifying touch with the same key, or -1.

    A touch qualifies when ``install_time - window <= touch_time <= install_time`` (both ends
    inclusive). Rows with a missing key (-1) never match. Ties on ``touch_time`` go to the touch
    that comes later in the input table.
    """
    result = np.full(len(inst_rows), -1, dtype=np.int64)
    keep_i = inst_key >= 0
    tpos = np.flatnonzero(touch_mask & (touch_key >= 0))
    if not keep_i.any() or len(tpos) == 0:
        return result
    left = pd.DataFrame(
        {"t": inst_time[keep_i], "k": inst_key[keep_i], "i": np.flatnonzero(keep_i)}
    ).sort_values("t", kind="stable")
    right = pd.DataFrame({"t": touch_time[tpos], "k": touch_key[tpos], "p": tpos}).sort_values(
        ["t", "p"], kind="stable"
    )
    merged = pd.merge_asof(
        left,
        right,
        on="t",
        by="k",
        direction="backward",
        tolerance=int(window.value),
        allow_exact_matches=True,
    )
    found = merged["p"].notna().to_numpy()
    result[merged["i"].to_numpy()[found]] = merged["p"].to_numpy()[found].astype(np.int64)
    return result


def _waterfall(
    inst_idx: np.ndarray,
    ins_dev: np.ndarray,
    ins_fp: np.ndarray,
    ins_time: np.ndarray,
    t_dev: np.ndarray,
    t_fp: np.ndarray,
    t_time: np.ndarray,
    is_click: np.ndarray,
    is_san: np.ndarray,
    allowed: np.ndarray,
    click_lb: pd.Timedelta,
    view_lb: pd.Timedelta,
    prob_window: pd.Timedelta,
) -> tuple[np.ndarray, np.ndarray]:
    """Run the priority waterfall for the installs at ``inst_idx``; return (touch pos, match code)."""
    dev, fp, tm = ins_dev[inst_idx], ins_fp[inst_idx], ins_time[inst_idx]
    winner = np.full(len(inst_idx), -1, dtype=np.int64)
    match = np.full(len(inst_idx), _ORGANIC, dtype=np.int8)
    tiers = [
        # 1. device-ID clicks (SAN click claims included)
        (dev, allowed & is_click, t_dev, click_lb, _DEVICE),
        # 2. probabilistic (fingerprint) clicks: never SANs, at most the probabilistic window
        (fp, allowed & is_click & ~is_san, t_fp, min(prob_window, click_lb), _PROB),
        # 3. device-ID impressions (SAN view claims included)
        (dev, allowed & ~is_click, t_dev, view_lb, _DEVICE),
    ]
    for key, mask, tkey, window, code in tiers:
        if window <= pd.Timedelta(0):  # a zero window switches the tier off
            continue
        open_ = winner < 0
        if not open_.any():
            break
        rows = np.flatnonzero(open_)
        found = _last_touch_within(rows, key[rows], tm[rows], mask, tkey, t_time, window)
        hit = found >= 0
        winner[rows[hit]] = found[hit]
        match[rows[hit]] = code
    san_win = (winner >= 0) & is_san[np.maximum(winner, 0)]
    match[san_win] = _SAN
    return winner, match


def attribute_installs(
    touches: pd.DataFrame,
    installs: pd.DataFrame,
    click_lookback: str | pd.Timedelta = "7D",
    view_lookback: str | pd.Timedelta = "24h",
    probabilistic_window: str | pd.Timedelta = "24h",
    reattribution_window: str | pd.Timedelta = "90D",
    self_attributing: Iterable[str] = DEFAULT_SELF_ATTRIBUTING,
) -> pd.DataFrame:
    """Credit each install to one ad touch (or organic), the way an MMP does.

    Rules (AppsFlyer / Adjust defaults, see reference A1):

    * A touch counts only if it happened **at or before** the install (first app open) and inside
      its lookback window, both ends inclusive: clicks matched on device ID within
      ``click_lookback`` (7 days), impressions matched on device ID within ``view_lookback``
      (24 h), clicks matched on ``fingerprint`` (probabilistic) within ``probabilistic_window``
      (24 h, never longer than ``click_lookback``); a zero view or probabilistic window switches
      that tier off. Impressions are never matched
      probabilistically.
    * Waterfall: device-ID click > probabilistic click > device-ID impression > organic. Inside a
      tier the latest touch wins (last touch), so a device-ID click 5 days old beats a
      probabilistic click 1 hour old.
    * Rows whose ``media_source`` is in ``self_attributing`` are SAN claims: they match on device
      ID only, compete with the MMP's own touches under the same rules (a click claim is a click,
      a view claim an impression) and win with ``match_type="self_attributing_claim"``.
    * Re-installs: if the same ``device_id`` installed before and the previous install is at most
      ``reattribution_window`` (90 days, inclusive) earlier, the install is a ``"reinstall"`` and
      keeps the attribution (source, touch, match type and CTIT) of the device's last credited
      install. Only a qualifying retargeting touch (``is_retargeting`` True, same waterfall) can
      change that: ``install_type="reattribution"``, credited to that touch. Later than the window
      it is a ``"new"`` install again. The window is measured from the *previous* install of the
      device. Installs without a device ID are always ``"new"``. For new installs, retargeting and
      user-acquisition touches both qualify.
    * Nothing qualifies: ``media_source="organic"``, ``match_type="organic"``, touch fields NA.

    Parameters
    ----------
    touches
        ``touch_id, device_id, fingerprint, media_source, campaign, site_id, touch_type
        ("click"/"impression"), touch_time`` (UTC), optional ``is_retargeting`` (bool, default False).
    installs
        ``install_id, device_id, fingerprint, install_time`` (UTC, first open); other columns kept.
    click_lookback, view_lookback, probabilistic_window, reattribution_window
        Durations such as ``"7D"``, ``"24h"`` or ``pd.Timedelta``.
    self_attributing
        Media-source names treated as self-attributing networks.

    Returns
    -------
    pandas.DataFrame
        A copy of ``installs`` (same rows, order and index) with ``media_source, campaign, site_id,
        touch_id, touch_type, touch_time, match_type`` (``device_id``, ``probabilistic``,
        ``self_attributing_claim``, ``organic``), ``install_type`` (``new``, ``reinstall``,
        ``reattribution``) and ``ctit`` (touch-to-install time, NaT for organic). Existing columns
        with these names are replaced.

    Example
    -------
    >>> t = pd.to_datetime("2025-03-10 12:00", utc=True)
    >>> touches = pd.DataFrame({"touch_id": ["c1"], "device_id": ["d1"], "fingerprint": [None],
    ...     "media_source": ["unity_ads"], "campaign": ["spring"], "site_id": ["s9"],
    ...     "touch_type": ["click"], "touch_time": [t - pd.Timedelta("2h")]})
    >>> installs = pd.DataFrame({"install_id": ["i1"], "device_id": ["d1"], "fingerprint": [None],
    ...     "install_time": [t]})
    >>> out = attribute_installs(touches, installs)
    >>> out.loc[0, ["media_source", "match_type", "install_type"]].tolist()
    ['unity_ads', 'device_id', 'new']
    >>> out.loc[0, "ctit"]
    Timedelta('0 days 02:00:00')
    """
    require_columns(touches, "touches", _TOUCH_COLUMNS, optional=("is_retargeting",))
    require_columns(installs, "installs", _INSTALL_COLUMNS)
    click_lb = to_timedelta(click_lookback, "click_lookback")
    view_lb = to_timedelta(view_lookback, "view_lookback", allow_zero=True)
    prob_window = to_timedelta(probabilistic_window, "probabilistic_window", allow_zero=True)
    reattr = to_timedelta(reattribution_window, "reattribution_window")
    if isinstance(self_attributing, str):
        raise InputTypeError(t("errors.attribution.self_attributing_string"))
    sans = frozenset(self_attributing)

    for col in ("touch_id", "device_id", "fingerprint", "media_source", "campaign", "site_id", "touch_type"):
        require_text(touches, "touches", col)
    for col in ("install_id", "device_id", "fingerprint"):
        require_text(installs, "installs", col)
    require_values_in(touches, "touches", "touch_type", ("click", "impression"))
    require_no_missing(touches, "touches", "media_source")
    t_time_s = require_utc_timestamps(touches, "touches", "touch_time")
    i_time_s = require_utc_timestamps(installs, "installs", "install_time")
    if "is_retargeting" in touches.columns:
        rt = touches["is_retargeting"]
        if not pd.api.types.is_bool_dtype(rt.dtype):
            raise InputTypeError(t("errors.attribution.retargeting_not_bool", dtype=rt.dtype))
        is_rt = rt.fillna(False).to_numpy(dtype=bool)
    else:
        is_rt = np.zeros(len(touches), dtype=bool)

    n = len(installs)
    t_time = _ns(t_time_s)
    i_time = _ns(i_time_s)
    i_dev, t_dev = _key_codes(installs["device_id"], touches["device_id"])
    i_fp, t_fp = _key_codes(installs["fingerprint"], touches["fingerprint"])
    is_click = (touches["touch_type"] == "click").to_numpy(dtype=bool)
    is_san = touches["media_source"].isin(sans).to_numpy(dtype=bool)

    # Re-install detection: previous install of the same device within the window.
    order = np.lexsort((np.arange(n), i_time, i_dev))
    dev_sorted, time_sorted = i_dev[order], i_time[order]
    same_dev = np.zeros(n, dtype=bool)
    gap = np.zeros(n, dtype=np.int64)
    if n > 1:
        same_dev[1:] = (dev_sorted[1:] == dev_sorted[:-1]) & (dev_sorted[1:] >= 0)
        gap[1:] = time_sorted[1:] - time_sorted[:-1]
    reinstall_sorted = same_dev & (gap <= reattr.value)
    is_reinstall = np.zeros(n, dtype=bool)
    is_reinstall[order] = reinstall_sorted

    winner = np.full(n, -1, dtype=np.int64)
    match = np.full(n, _ORGANIC, dtype=np.int8)
    itype = np.full(n, _NEW, dtype=np.int8)
    common = (i_dev, i_fp, i_time, t_dev, t_fp, t_time, is_click, is_san)
    windows = (click_lb, view_lb, prob_window)

    new_idx = np.flatnonzero(~is_reinstall)
    w, m = _waterfall(new_idx, *common, np.ones(len(touches), dtype=bool), *windows)
    winner[new_idx], match[new_idx] = w, m

    re_idx = np.flatnonzero(is_reinstall)
    if len(re_idx):
        w, m = _waterfall(re_idx, *common, is_rt, *windows)
        hit = w >= 0
        winner[re_idx[hit]], match[re_idx[hit]] = w[hit], m[hit]
        itype[re_idx[hit]] = _REATTRIBUTION
        itype[re_idx[~hit]] = _REINSTALL

    # A plain reinstall inherits from the device's latest credited install (new / reattribution).
    # In device-then-time order every device starts with a credited install, so a forward fill works.
    source = np.arange(n)  # the install whose touch and install time define the credit
    if (itype == _REINSTALL).any():
        anchor_sorted = pd.Series(np.where(itype[order] == _REINSTALL, np.nan, order.astype(float)))
        anchor_sorted = anchor_sorted.ffill().to_numpy().astype(np.int64)
        source[order] = anchor_sorted
        inherit = itype == _REINSTALL
        winner[inherit] = winner[source[inherit]]
        match[inherit] = match[source[inherit]]

    out = installs.copy()
    has = winner >= 0
    pos = winner[has]

    def take_text(col: str, organic_value: object = pd.NA) -> pd.Series:
        vals = np.full(n, organic_value, dtype=object)
        vals[has] = touches[col].iloc[pos].to_numpy(dtype=object)
        return pd.Series(vals, index=installs.index, dtype="string")

    out["media_source"] = take_text("media_source", "organic")
    for col in ("campaign", "site_id", "touch_id", "touch_type"):
        out[col] = take_text(col)
    touch_ns = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    touch_ns[has] = t_time[pos]
    touch_time = pd.Series(touch_ns.view("datetime64[ns]"), index=installs.index).dt.tz_localize("UTC")
    out["touch_time"] = touch_time
    out["match_type"] = pd.Series(_MATCH_NAMES[match], index=installs.index, dtype="string")
    out["install_type"] = pd.Series(_INSTALL_TYPES[itype], index=installs.index, dtype="string")
    credited_install_time = pd.Series(i_time[source].view("datetime64[ns]"), index=installs.index)
    out["ctit"] = credited_install_time.dt.tz_localize("UTC") - touch_time
    return out


# ---------------------------------------------------------------------------------------------
# Path tables
# ---------------------------------------------------------------------------------------------


class _ParsedPaths:
    """Paths split into integer channel codes (internal)."""

    def __init__(self, paths: pd.DataFrame):
        require_columns(paths, "paths", ("path", "conversions", "nulls"))
        require_text(paths, "paths", "path", allow_missing=False)
        require_nonnegative(paths, "paths", "conversions")
        require_nonnegative(paths, "paths", "nulls")
        n = len(paths)
        self.conv = paths["conversions"].to_numpy(dtype=float)
        self.nulls = paths["nulls"].to_numpy(dtype=float)
        raw = paths["path"].astype(object).reset_index(drop=True).str.split(">").explode()
        row = raw.index.to_numpy(dtype=np.int64)
        raw_codes, raw_uniques = pd.factorize(raw.to_numpy(dtype=object))
        stripped = pd.Index(raw_uniques).astype(str).str.strip()
        ch_codes, channels = pd.factorize(stripped, sort=True)
        codes = ch_codes[raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.int64)
        empty_code = np.flatnonzero(channels == "")
        if len(empty_code):
            bad_row = row[codes == empty_code[0]][0]
            raise InputError(t("errors.attribution.empty_path", index=repr(row_label(paths.index, int(bad_row))),
                               path=repr(paths["path"].iloc[bad_row])))
        channels = list(channels)
        self.channels: list[str] = channels
        self.codes = codes.astype(np.int64)
        self.row = row
        self.lengths = np.bincount(row, minlength=n)
        self.first = np.r_[True, row[1:] != row[:-1]] if len(row) else np.zeros(0, dtype=bool)
        self.last = np.r_[row[1:] != row[:-1], True] if len(row) else np.zeros(0, dtype=bool)

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    def credit(self, weights: np.ndarray) -> np.ndarray:
        """Sum per-token credit into channels."""
        return np.bincount(self.codes, weights=weights, minlength=self.n_channels)


def _series(values: np.ndarray, channels: Sequence[str], name: str) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(channels, name="channel"), name=name)


def _transition_counts(p: _ParsedPaths) -> np.ndarray:
    """Weighted transition counts over states (start), channels..., (conversion), (null)."""
    k = p.n_channels
    size = k + 3
    conv_state, null_state = k + 1, k + 2
    w = (p.conv + p.nulls)[p.row]
    state = p.codes + 1
    src = [
        np.zeros(int(p.first.sum()), dtype=np.int64),
        state[:-1][~p.last[:-1]],
        state[p.last],
        state[p.last],
    ]
    dst = [
        state[p.first],
        state[1:][~p.last[:-1]],
        np.full(int(p.last.sum()), conv_state),
        np.full(int(p.last.sum()), null_state),
    ]
    wts = [w[p.first], w[:-1][~p.last[:-1]], p.conv[p.row[p.last]], p.nulls[p.row[p.last]]]
    flat = np.concatenate(src) * size + np.concatenate(dst)
    counts = np.bincount(flat, weights=np.concatenate(wts), minlength=size * size)
    return counts.reshape(size, size)


def _normalise_rows(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def _removal_effects(p: _ParsedPaths) -> tuple[np.ndarray, float]:
    """Exact removal effects RE_k and P(conversion) from the absorbing chain."""
    k = p.n_channels
    probs = _normalise_rows(_transition_counts(p))
    q = probs[: k + 1, : k + 1]  # transient states: (start) and the channels
    r = probs[: k + 1, k + 1]  # one step to (conversion)
    eye = np.eye(k + 1)
    p_conv = float(np.linalg.solve(eye - q, r)[0])
    effects = np.zeros(k)
    if p_conv <= 0:
        return effects, 0.0
    for c in range(k):
        q_removed = q.copy()
        q_removed[:, c + 1] = 0.0  # every transition into channel c now ends in (null)
        p_without = float(np.linalg.solve(eye - q_removed, r)[0])
        effects[c] = 1.0 - p_without / p_conv
    return np.clip(effects, 0.0, 1.0), p_conv


def transition_matrix(paths: pd.DataFrame) -> pd.DataFrame:
    """First-order transition probabilities estimated from a path table.

    Each path ``c1 > ... > ck`` with ``conversions`` and ``nulls`` counts adds
    ``(start)->c1`` and ``ci->ci+1`` weighted by ``conversions + nulls``, then ``ck->(conversion)``
    weighted by ``conversions`` and ``ck->(null)`` weighted by ``nulls``. Rows are normalised to 1;
    the absorbing states ``(conversion)`` and ``(null)`` stay where they are (1 on the diagonal).
    Repeats such as ``search > search`` appear as self-loops; they do not change the Markov
    attribution.

    >>> paths = pd.DataFrame({"path": ["search > email", "search"], "conversions": [1, 0], "nulls": [0, 1]})
    >>> transition_matrix(paths).loc["(start)", "search"]
    np.float64(1.0)
    """
    p = _ParsedPaths(paths)
    counts = _transition_counts(p)
    k = p.n_channels
    counts[k + 1, k + 1] = counts[k + 2, k + 2] = 1.0
    labels = [START, *p.channels, CONVERSION, NULL]
    return pd.DataFrame(
        _normalise_rows(counts), index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to")
    )


def markov_removal_effects(paths: pd.DataFrame) -> pd.Series:
    """Removal effect of each channel: the share of conversions lost if the channel disappeared.

    ``RE_k = 1 - P(conversion | k removed) / P(conversion)``, computed exactly by solving the
    absorbing chain's linear system ``(I - Q) x = r`` once with all channels and once per removed
    channel (no simulation). All zeros when there are no conversions.

    >>> paths = pd.DataFrame({"path": ["search > email", "email"], "conversions": [1, 1], "nulls": [0, 0]})
    >>> markov_removal_effects(paths).round(3).to_dict()
    {'email': 1.0, 'search': 0.5}
    """
    p = _ParsedPaths(paths)
    effects, _ = _removal_effects(p)
    return _series(effects, p.channels, "removal_effect")


def attribute_paths(paths: pd.DataFrame, model: str, **options: object) -> pd.Series:
    """Split the conversions of a path table over channels with a multi-touch model.

    Models (see reference A2–A4):

    * ``first_touch`` / ``last_touch``: all credit to the first / last channel of the path.
    * ``linear``: each touch gets ``conversions / len(path)``; a channel that appears twice gets
      two shares.
    * ``position_based``: 40 % first, 40 % last, 20 % shared by the touches in between; one touch
      gets 100 %, two touches 50/50.
    * ``markov``: ``total conversions x RE_k / sum(RE)`` with exact removal effects
      (:func:`markov_removal_effects`); all zeros when there are no conversions.
    * ``shapley``: simplified Shapley value (Zhao et al. 2018): each conversion is split equally
      over the *distinct* channels of its path; non-converting paths play no part.

    ``paths`` has columns ``path`` (channels joined by ``" > "``; spaces around names are
    ignored), ``conversions`` and ``nulls`` (non-negative counts). No options are used yet; they
    are accepted for forward compatibility and must be empty.

    Returns a float Series indexed by channel (sorted by name), named after the model, summing to
    the total conversions.

    >>> paths = pd.DataFrame({"path": ["search > social > email", "email"],
    ...                       "conversions": [10, 5], "nulls": [20, 5]})
    >>> attribute_paths(paths, "position_based").to_dict()
    {'email': 9.0, 'search': 4.0, 'social': 2.0}
    """
    if not isinstance(model, str) or model not in PATH_MODELS:
        raise InputError(t("errors.attribution.unknown_model", model=repr(model), valid=", ".join(PATH_MODELS)))
    if options:
        raise InputError(t("errors.attribution.unexpected_options", options=", ".join(sorted(options)),
                           model=repr(model)))
    p = _ParsedPaths(paths)
    conv = p.conv
    if model == "first_touch":
        credit = p.credit(np.where(p.first, conv[p.row], 0.0))
    elif model == "last_touch":
        credit = p.credit(np.where(p.last, conv[p.row], 0.0))
    elif model in ("linear", "position_based"):
        length = p.lengths[p.row].astype(float)
        if model == "linear":
            share = 1.0 / length
        else:
            middle = np.where(length > 2, 0.2 / np.maximum(length - 2, 1), 0.0)
            ends = np.where(length == 1, 1.0, np.where(length == 2, 0.5, 0.4))
            share = np.where(p.first | p.last, ends, middle)
        credit = p.credit(share * conv[p.row])
    elif model == "markov":
        effects, _ = _removal_effects(p)
        total = conv.sum()
        credit = total * effects / effects.sum() if effects.sum() > 0 else np.zeros(p.n_channels)
    else:  # shapley
        pairs = pd.DataFrame({"row": p.row, "code": p.codes}).drop_duplicates()
        distinct = np.bincount(pairs["row"].to_numpy(), minlength=len(conv))
        rows = pairs["row"].to_numpy()
        credit = np.bincount(
            pairs["code"].to_numpy(), weights=conv[rows] / distinct[rows], minlength=p.n_channels
        )
    return _series(credit, p.channels, model)


def compare_models(paths: pd.DataFrame, models: Sequence[str] = PATH_MODELS) -> pd.DataFrame:
    """One column per model of :func:`attribute_paths`, one row per channel (missing -> 0).

    >>> paths = pd.DataFrame({"path": ["search > email"], "conversions": [2], "nulls": [0]})
    >>> compare_models(paths, ["first_touch", "linear"]).to_dict()
    {'first_touch': {'email': 0.0, 'search': 2.0}, 'linear': {'email': 1.0, 'search': 1.0}}
    """
    return pd.concat([attribute_paths(paths, m) for m in models], axis=1).fillna(0.0)


# ---------------------------------------------------------------------------------------------
# Timestamped journeys
# ---------------------------------------------------------------------------------------------


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _journey_frame(
    journeys: pd.DataFrame, model: str, half_life: object
) -> tuple[pd.DataFrame, pd.Timedelta]:
    if not isinstance(model, str) or model not in JOURNEY_MODELS:
        raise InputError(t("errors.attribution.unknown_model", model=repr(model), valid=", ".join(JOURNEY_MODELS)))
    require_columns(
        journeys,
        "journeys",
        ("journey_id", "channel", "touch_time", "conversion_time"),
        optional=("conversions",),
    )
    hl = to_timedelta(half_life, "half_life")
    require_no_missing(journeys, "journeys", "journey_id")
    require_text(journeys, "journeys", "channel", allow_missing=False)
    touch = require_utc_timestamps(journeys, "journeys", "touch_time")
    conv_time = require_utc_timestamps(journeys, "journeys", "conversion_time")
    df = pd.DataFrame(
        {
            "journey_id": journeys["journey_id"].to_numpy(),
            "channel": journeys["channel"].astype(str).str.strip().to_numpy(),
            "touch_ns": _ns(touch),
            "conv_ns": _ns(conv_time),
            "pos": np.arange(len(journeys)),
        }
    )
    if "conversions" in journeys.columns:
        require_nonnegative(journeys, "journeys", "conversions")
        df["conversions"] = journeys["conversions"].to_numpy(dtype=float)
    else:
        df["conversions"] = 1.0
    grouped = df.groupby("journey_id", sort=False)
    for col, what in (("conv_ns", "conversion_time"), ("conversions", "conversions")):
        varies = grouped[col].transform("nunique").to_numpy() > 1
        if varies.any():
            jid = _plain(df["journey_id"].to_numpy()[varies][0])
            raise InputError(t("errors.attribution.journey_not_single", journey=repr(jid), what=what))
    after = df["touch_ns"].to_numpy() > df["conv_ns"].to_numpy()
    if after.any():
        jid = _plain(df["journey_id"].to_numpy()[after][0])
        raise InputError(t("errors.attribution.touch_after_conversion", journey=repr(jid)))
    df = df.sort_values(["journey_id", "touch_ns", "pos"], kind="stable").reset_index(drop=True)
    return df, hl


def _journey_weight_array(df: pd.DataFrame, model: str, hl: pd.Timedelta) -> np.ndarray:
    jid = df["journey_id"]
    first = (jid != jid.shift()).to_numpy()
    last = (jid != jid.shift(-1)).to_numpy()
    size = jid.groupby(jid, sort=False).transform("size").to_numpy().astype(float)
    if model == "first_touch":
        return first.astype(float)
    if model == "last_touch":
        return last.astype(float)
    if model == "linear":
        return 1.0 / size
    if model == "position_based":
        ends = np.where(size == 1, 1.0, np.where(size == 2, 0.5, 0.4))
        middle = np.where(size > 2, 0.2 / np.maximum(size - 2, 1), 0.0)
        return np.where(first | last, ends, middle)
    # time decay: w = 2^(-age / half_life), computed relative to the journey's newest touch to
    # avoid underflow for very old journeys, then normalised.
    exponent = -(df["conv_ns"] - df["touch_ns"]).to_numpy(dtype=float) / float(hl.value)
    exponent = exponent - pd.Series(exponent).groupby(jid.to_numpy(), sort=False).transform("max").to_numpy()
    raw = np.exp2(exponent)
    total = pd.Series(raw).groupby(jid.to_numpy(), sort=False).transform("sum").to_numpy()
    return raw / total


def journey_weights(
    journeys: pd.DataFrame, model: str = "time_decay", half_life: str | pd.Timedelta = "7D"
) -> pd.DataFrame:
    """Each touch's share of its journey's conversion (``weight``, sums to 1 per journey).

    Returns a copy of ``journeys`` (same order and index) with ``weight`` and ``credit``
    (``weight x conversions``). Touches are ordered by ``touch_time`` inside a journey (ties keep
    table order). ``time_decay`` uses ``w = 2^(-(conversion_time - touch_time) / half_life)``.

    >>> t = pd.to_datetime("2025-03-15", utc=True)
    >>> j = pd.DataFrame({"journey_id": [1, 1], "channel": ["search", "email"],
    ...     "touch_time": [t - pd.Timedelta("7D"), t], "conversion_time": [t, t]})
    >>> journey_weights(j)["weight"].round(4).tolist()
    [0.3333, 0.6667]
    """
    df, hl = _journey_frame(journeys, model, half_life)
    weight = _journey_weight_array(df, model, hl)
    out = journeys.copy()
    w = np.empty(len(df))
    w[df["pos"].to_numpy()] = weight
    out["weight"] = w
    conv = np.empty(len(df))
    conv[df["pos"].to_numpy()] = df["conversions"].to_numpy()
    out["credit"] = w * conv
    return out


def attribute_journeys(
    journeys: pd.DataFrame, model: str = "time_decay", half_life: str | pd.Timedelta = "7D"
) -> pd.Series:
    """Credit per channel for timestamped journeys (``time_decay`` and the rule-based models).

    ``journeys`` has one row per touch: ``journey_id``, ``channel``, ``touch_time``,
    ``conversion_time`` (UTC, the same for every touch of a journey) and optionally
    ``conversions`` (default 1 per journey). A touch after its journey's conversion raises an
    error naming the journey. ``time_decay`` gives a touch ``2^(-age / half_life)`` (half-life 7 days
    as in Google Ads), normalised per journey; ``first_touch``, ``last_touch``, ``linear`` and
    ``position_based`` follow touch-time order.

    Returns a float Series indexed by channel (sorted), named after the model, summing to the total
    conversions.

    >>> t = pd.to_datetime("2025-03-15", utc=True)
    >>> j = pd.DataFrame({"journey_id": [1, 1], "channel": ["search", "email"],
    ...     "touch_time": [t - pd.Timedelta("14D"), t - pd.Timedelta("7D")], "conversion_time": [t, t]})
    >>> attribute_journeys(j).round(4).to_dict()
    {'email': 0.6667, 'search': 0.3333}
    """
    df, hl = _journey_frame(journeys, model, half_life)
    credit = _journey_weight_array(df, model, hl) * df["conversions"].to_numpy()
    result = pd.Series(credit).groupby(df["channel"].to_numpy()).sum().sort_index()
    result.index.name = "channel"
    result.name = model
    return result.astype(float)


def paths_from_touches(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    user_col: str = "user_id",
    channel_col: str = "media_source",
    lookback: str | pd.Timedelta | None = None,
) -> pd.DataFrame:
    """Build the ``path, conversions, nulls`` table from timestamped touches.

    One journey per user:

    * a user with a row in ``conversions`` (columns ``user_col``, ``conversion_time``; the earliest
      is used) converts once; the path is their touches at or before that time (within
      ``lookback`` before it, if given), in time order;
    * a user with touches but no conversion gives one non-converting path (a "null") of all their
      touches (within ``lookback`` before their last touch, if given);
    * a converting user with no qualifying touch is left out (organic: no path to credit).

    ``touches`` needs ``user_col``, ``channel_col`` and ``touch_time`` (UTC). Returns one row per
    distinct path, sorted by path, with integer ``conversions`` and ``nulls``.

    >>> t = pd.to_datetime("2025-03-15", utc=True)
    >>> touches = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "media_source": ["search", "email", "search"],
    ...     "touch_time": [t - pd.Timedelta("2D"), t - pd.Timedelta("1D"), t]})
    >>> conv = pd.DataFrame({"user_id": ["u1"], "conversion_time": [t]})
    >>> paths_from_touches(touches, conv).to_dict("list")
    {'path': ['search', 'search > email'], 'conversions': [0, 1], 'nulls': [1, 0]}
    """
    require_columns(touches, "touches", (user_col, channel_col, "touch_time"))
    require_columns(conversions, "conversions", (user_col, "conversion_time"))
    require_no_missing(touches, "touches", user_col)
    require_text(touches, "touches", channel_col, allow_missing=False)
    t_time = require_utc_timestamps(touches, "touches", "touch_time")
    c_time = require_utc_timestamps(conversions, "conversions", "conversion_time")
    lb = to_timedelta(lookback, "lookback") if lookback is not None else None

    first_conv = pd.Series(c_time.array, index=conversions[user_col].to_numpy()).groupby(level=0).min()
    df = pd.DataFrame(
        {
            "user": touches[user_col].to_numpy(),
            "channel": touches[channel_col].astype(str).str.strip().to_numpy(),
            "t": t_time.array,
            "pos": np.arange(len(touches)),
        }
    )
    df["conv_time"] = df["user"].map(first_conv)
    converted = df["conv_time"].notna()
    end = df["conv_time"].where(converted, df.groupby("user")["t"].transform("max"))
    keep = df["t"] <= end
    if lb is not None:
        keep &= df["t"] >= end - lb
    df = df[keep.to_numpy()].sort_values(["user", "t", "pos"], kind="stable")
    journeys = df.groupby("user", sort=False).agg(path=("channel", PATH_SEPARATOR.join))
    journeys["converted"] = journeys.index.isin(first_conv.index)
    table = (
        journeys.assign(
            conversions=journeys["converted"].astype(np.int64),
            nulls=(~journeys["converted"]).astype(np.int64),
        )
        .groupby("path", sort=True)[["conversions", "nulls"]]
        .sum()
        .reset_index()
    )
    table["path"] = table["path"].astype(object)
    return table


def network_claims(touches: pd.DataFrame, installs: pd.DataFrame, **options) -> pd.Series:
    """Installs each network would claim if it only looked at its own touches.

    Each network applies the same rules as the MMP (click 7 days, view 24 hours) to *its own*
    touches alone, so it never learns that another network touched the same device later.
    Added up over networks this is more than the installs ads brought: an install touched by
    several networks is claimed several times. ``options`` go to :func:`attribute_installs`.
    """
    out = {}
    for network in sorted(touches["media_source"].dropna().unique()):
        own = attribute_installs(touches[touches["media_source"] == network], installs, **options)
        out[str(network)] = int((own["media_source"] != "organic").sum())
    return pd.Series(out, name="installs claimed", dtype="int64")
