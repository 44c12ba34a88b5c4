"""The MMP's view: the world as a mobile measurement partner (AppsFlyer, Adjust, ...) records it.

An MMP receives click and impression URLs from ad networks, asks the self-attributing networks
(Google, Meta, Apple Search Ads, TikTok) about each install's advertising ID, and gets a first-open
and in-app events from its SDK inside the app. From that it credits every install to one touch by
last touch (:func:`helpers.attribution.attribute_installs`) and links later in-app events to the
install that produced them.

What the view **hides**, and why:

* ``user_id`` - the simulator's person number. An MMP never knows who a person is; it only sees a
  device (advertising ID) and a fingerprint (IP address + device model + OS version).
* ``true_source`` and ``acquisition`` - what *really* caused the install. Nobody outside the
  simulation can observe causation; the MMP only sees which touches came before the install.
* ``fraud_type`` - fraud is not labelled in real traffic; detecting it is the MMP's (and the
  learner's) job.
* ``is_reinstall`` / ``previous_install_time`` - the app cannot know that a phone had the app
  before; the MMP infers re-installs from a repeated device ID (``install_type``).
* Device IDs where they are not shared: on iOS without App Tracking Transparency consent there is
  no IDFA (the world already stores it as missing), so those installs fall back to probabilistic
  matching on the fingerprint within 24 h, and self-attributing networks cannot claim them (they
  answer device-ID queries only). Expect *more organic* installs on iOS without consent, and some
  wrong credit when two people share a carrier-NAT address and phone model.

The truth stays available in :attr:`MMPView.truth` (one row per install, keyed by ``install_id``)
so lessons can put the two side by side (see :mod:`helpers.synth.compare`).

>>> from helpers.synth import generate_world
>>> view = mmp_view(generate_world(2_000, seed=3))
>>> "user_id" in view.installs.columns or "true_source" in view.installs.columns
False
>>> {"true_source", "att_consent"} <= set(view.truth.columns)
True
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers._validate import to_timedelta
from helpers.attribution import attribute_installs
from helpers.synth.world import check_world, releases_memory, world_index

__all__ = ["MMPView", "TRUTH_COLUMNS", "mmp_view"]

#: Columns of the world that only the simulator knows; an MMP view never has them.
TRUTH_COLUMNS: tuple[str, ...] = ("user_id", "true_source", "acquisition", "fraud_type",
                                  "is_reinstall", "previous_install_time")

#: Touch columns :func:`helpers.attribution.attribute_installs` reads.
_ATTRIBUTION_TOUCH_COLUMNS: tuple[str, ...] = ("touch_id", "device_id", "fingerprint", "media_source", "campaign",
                                               "site_id", "touch_type", "touch_time", "is_retargeting")

#: Attribution columns copied from each install onto its in-app events.
EVENT_ATTRIBUTION_COLUMNS: tuple[str, ...] = ("media_source", "campaign", "site_id", "match_type",
                                              "install_type", "platform", "country")


@dataclass
class MMPView:
    """What an MMP sees of a world.

    ``installs``: the world's installs without truth columns, with the MMP's attribution
    (``media_source``, ``campaign``, ``site_id``, ``touch_id``, ``touch_type``, ``touch_time``,
    ``match_type``, ``install_type``, ``ctit``; see :func:`helpers.attribution.attribute_installs`).
    ``events``: in-app events (``event_id, install_id, event_name, event_time, revenue`` and any
    non-truth columns) with the attribution of their install. ``truth``: per ``install_id`` what really
    happened (``true_source``, ``user_id``, ``att_consent``, ``is_reinstall``, ``fraud_type`` when the
    world has fraud) - for comparisons only. ``options``: the attribution settings used.
    """

    installs: pd.DataFrame
    events: pd.DataFrame
    truth: pd.DataFrame
    options: dict = field(default_factory=dict)

    def installs_by(self, by="media_source") -> pd.Series:
        """Attributed installs per value of ``by`` (a column name or a list of them)."""
        return self.installs.groupby(by, observed=True, dropna=False).size().rename("installs")

    def revenue_by(self, by="media_source") -> pd.Series:
        """Attributed in-app revenue (USD) per value of ``by``."""
        return self.events.groupby(by, observed=True, dropna=False)["revenue"].sum().rename("revenue")


def _visible(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in TRUTH_COLUMNS if c in df.columns])


def _attach(events: pd.DataFrame, attribution: pd.DataFrame, pos: np.ndarray | None = None) -> pd.DataFrame:
    """``events.merge(attribution, on="install_id", how="left", validate="many_to_one")``, by position.

    Looking each event's install up in a hash table of the (fewer, unique) install IDs and taking
    rows by position is much cheaper at a million users than a merge on a string key; the result is
    the same. Unusual inputs (duplicate install IDs, events of unknown installs, clashing column
    names) go through the merge itself, with its errors and NA filling.
    """
    extra = [c for c in attribution.columns if c != "install_id"]
    if pos is not None and not set(extra) & set(events.columns):  # each event's install row, known already
        out = events.reset_index(drop=True)
        return pd.concat([out, attribution[extra].iloc[pos].reset_index(drop=True)], axis=1)
    ids = pd.Index(attribution["install_id"].to_numpy(dtype=object))
    if ids.is_unique and not set(extra) & set(events.columns):
        pos = ids.get_indexer(events["install_id"].to_numpy(dtype=object))
        if len(pos) == 0 or pos.min() >= 0:
            out = events.reset_index(drop=True)
            taken = attribution[extra].iloc[pos].reset_index(drop=True)
            return pd.concat([out, taken], axis=1)
    return events.merge(attribution, on="install_id", how="left", validate="many_to_one")


def _lookup_consent(users: pd.DataFrame, user_id: pd.Series) -> pd.Series:
    """Each ``user_id``'s ATT consent from ``users`` (NA for IDs not in it), as a nullable boolean."""
    ids = pd.Index(users["user_id"].to_numpy(dtype=object))
    if not ids.is_unique:
        return user_id.map(users.set_index("user_id")["att_consent"]).astype("boolean")
    pos = ids.get_indexer(user_id.to_numpy(dtype=object))
    values = pd.array(users["att_consent"].to_numpy()[np.maximum(pos, 0)] if len(ids) else
                      np.zeros(len(pos), bool), dtype="boolean")
    values[pos < 0] = pd.NA
    return pd.Series(values, index=user_id.index)


def _longest_window(options: dict) -> int | None:
    """The longest lookback the attribution will use, in seconds (None when an option is unusual)."""
    defaults = inspect.signature(attribute_installs).parameters
    try:
        spans = [to_timedelta(options.get(name, defaults[name].default), name, allow_zero=True)
                 for name in ("click_lookback", "view_lookback", "probabilistic_window")]
    except (KeyError, ValueError, TypeError):  # let attribute_installs report it
        return None
    return int(max(spans).total_seconds()) + 1


def _candidate_touches(world, ix, options: dict) -> np.ndarray:
    """Touches that some install could credit: same device ID or fingerprint, an install in [t, t + window].

    Found on the world index's integer codes (a superset of the touches attribution can pick, so
    leaving the rest out does not change its result, only its cost at a million users).
    """
    users = world.users
    t_sec = world.touches["touch_time"].to_numpy(dtype="datetime64[s]").astype(np.int64)
    i_sec = world.installs["install_time"].to_numpy(dtype="datetime64[s]").astype(np.int64)
    window = _longest_window(options)
    big = np.iinfo(np.int64).max
    # by device: the person's first and last install (a device ID belongs to one person)
    first = np.full(len(users), big, dtype=np.int64)
    last = np.full(len(users), -big, dtype=np.int64)
    np.minimum.at(first, ix.install_user, i_sec)
    np.maximum.at(last, ix.install_user, i_sec)
    has_device = users["device_id"].notna().to_numpy()
    # by fingerprint: the first and last install of each install fingerprint
    fp_code, fp_values = pd.factorize(ix.user_fingerprint[ix.install_user])
    fp_first = np.full(len(fp_values), big, dtype=np.int64)
    fp_last = np.full(len(fp_values), -big, dtype=np.int64)
    np.minimum.at(fp_first, fp_code, i_sec)
    np.maximum.at(fp_last, fp_code, i_sec)
    t_fp = pd.Index(fp_values).get_indexer(ix.touch_fingerprint)
    u = ix.touch_user
    by_device = has_device[u] & (last[u] >= t_sec)
    by_fp = (t_fp >= 0) & (fp_last[np.maximum(t_fp, 0)] >= t_sec)
    if window is not None:
        by_device &= first[u] <= t_sec + window
        by_fp &= fp_first[np.maximum(t_fp, 0)] <= t_sec + window
    return by_device | by_fp


@releases_memory
def mmp_view(world, **attribution_options) -> MMPView:
    """Attribute a world's installs the way an MMP would and hide what it cannot know.

    ``attribution_options`` are passed to :func:`helpers.attribution.attribute_installs`
    (``click_lookback="7D"``, ``view_lookback="24h"``, ``probabilistic_window="24h"``,
    ``reattribution_window="90D"``, ``self_attributing=...``). Deterministic: the same world gives
    the same view (attribution involves no randomness).
    """
    check_world(world, "mmp_view")
    ix = world_index(world)
    touches = _visible(world.touches)
    if ix is not None:
        keep = _candidate_touches(world, ix, attribution_options)
        cols = [c for c in touches.columns if c in _ATTRIBUTION_TOUCH_COLUMNS]
        touches = touches[cols][keep]
    installs = _visible(world.installs)
    attributed = attribute_installs(touches, installs, **attribution_options)

    events = _visible(world.events)
    cols = ["install_id"] + [c for c in EVENT_ATTRIBUTION_COLUMNS if c in attributed.columns]
    events = _attach(events, attributed[cols], None if ix is None else ix.event_install)

    inst = world.installs
    truth_cols = [c for c in ("install_id", "user_id", "platform", "country", "true_source", "is_reinstall",
                              "fraud_type") if c in inst.columns]
    truth = inst[truth_cols].copy()
    if "att_consent" in world.users.columns and "user_id" in truth.columns:
        if ix is not None:  # every install's row of ``users`` is known
            consent = pd.Series(pd.array(world.users["att_consent"].to_numpy(dtype=bool)[ix.install_user],
                                         dtype="boolean"), index=truth.index)
        else:
            consent = _lookup_consent(world.users, truth["user_id"])
        truth.insert(truth_cols.index("country") + 1 if "country" in truth_cols else len(truth.columns),
                     "att_consent", consent)
    truth = truth.reset_index(drop=True)
    return MMPView(installs=attributed.reset_index(drop=True), events=events, truth=truth,
                   options=dict(attribution_options))
