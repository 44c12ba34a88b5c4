"""Fraudulent traffic mixed into a simulated world, with a label on every fraudulent row.

:func:`add_fraud` takes a :class:`~helpers.synth.world.World` and returns a *new* World whose
``touches``, ``installs`` and ``events`` also hold fraud. Genuine rows keep every value they had
but their IDs (every row is numbered afresh in time order, see below); the only genuine rows that
change otherwise are the real installs whose credit a fraudster steals (click injection, click
flooding): their ``fraud_type`` is set. The fraud uses its own random stream
(``SeedSequence([seed, 0xF4A0D])``), so adding it never shifts the genuine data.

Columns added when the world does not have them yet (filled for the genuine rows too):

* touches, installs: ``ip`` (the address part of ``fingerprint``); ``fraud_type``.
* installs: ``install_begin_time`` and ``referrer_click_time`` (Google Play Install Referrer: when
  the download began, and the store-referrer click; Android only, missing on iOS; the referrer
  click is missing on organic installs).
* events: ``fraud_type``; ``receipt_valid`` (True for a purchase whose App Store / Google Play
  receipt validated; always False for sessions and sign-ups, which have no receipt).

``fraud_type`` is missing on genuine rows, otherwise one of :data:`FRAUD_TYPES`. Shares in
:class:`FraudMix` are shares of the *final* installs table. What each type looks like, and what a
detector should use (columns an MMP sees: device_id, ip, fingerprint, site_id, times; never the
truth columns user_id, true_source, fraud_type, nor the ID numbers):

``click_injection`` (Android)
    Malware on a real phone sees the download finish and fires a click on a bad site. The install
    is real (mostly organic, sometimes paid by an honest network) and keeps its row; the injected
    click (same device_id, fingerprint and ip as the install) lands *after* ``install_begin_time``
    and a few seconds (median about 6 s) before ``install_time``, so last-click attribution credits
    the bad site. Detect: click after install_begin_time; CTIT under ~10 s. The Play referrer click
    (``referrer_click_time``) is not the injected click.
``click_flooding``
    A bad site sends a flood of clicks: for people in its audience (several clicks each over weeks)
    and for cycled, made-up device IDs (one click each, from a small pool of addresses), spread
    uniformly over time. Organic installs whose device got a flood click in the 7 days before and
    no honest click after it are credited to the flooder. Detect: a flat CTIT over hours and days
    (median in days, not minutes), click->install conversion far below 0.05 %, many clicks per
    device and per IP.
``sdk_spoofing``
    Installs and purchases fabricated by a server that learnt the SDK's requests: new device IDs
    with no history, one spoofed click on a bad site, and timestamps that do not add up on
    about 85 % of them (install before its click; on Android also the download beginning after the
    first open). Purchases have ``receipt_valid = False`` and some events come before the install.
    Nobody comes back. Detect: impossible timestamp order, receipt validation.
``bot``
    Emulators on hosting servers: the click and install come from the RFC 5737 datacenter ranges
    (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), a few dozen addresses shared by many
    installs, with machine-like timing (click->install under 2 minutes). Afterwards nothing or
    robotic sessions exactly 24 h apart. Detect: the IP (a datacenter list, a parameter of
    ``helpers.fraud.detect``); robotic behaviour.
``device_farm``
    Rooms of real phones whose advertising ID is reset before every install: brand-new device IDs
    from a handful of ordinary-looking addresses (100.64.0.0/10) and one or two phone models per
    farm, installing at regular intervals (automation), on a few sites; almost no one returns.
    Detect: many new devices per IP / fingerprint, regular install spacing, low retention.

Click flooding at scale
    A flooder's clicks outnumber its stolen installs by ``flood_clicks_per_install`` (4,000: a
    conversion of 0.025 %, well under the 0.05 % that MMPs treat as click spam), so with the
    default 4 % of installs stolen a world of a million people would need some 90 million flood
    clicks - tens of gigabytes as rows of ``touches``. ``FraudMix.flood_click_budget`` (one million
    by default) therefore caps the flood clicks: when ``click_flooding x installs x
    flood_clicks_per_install`` exceeds it, the flooders steal fewer installs
    (``budget // flood_clicks_per_install``, 250 by default) and the ``click_flooding`` share falls
    below the mix's. Every signal a detector uses stays as it is at any size: the conversion per
    flooding site (1 / ``flood_clicks_per_install``), the flat CTIT and the many clicks per device
    and per address. The cap does not bind up to about 6,000 installs (about 11,000 people in the
    default scenarios); above that the flood stays a million clicks, a fifth to a third of all
    touches at a million people instead of outnumbering the genuine touches in a small world.
    ``flood_click_budget=None`` removes it (and needs memory for the rows). The made-up devices'
    IDs, user IDs and fingerprints are built vectorised (byte arrays, and one string per distinct
    address + phone) and the tables are merged by time, each column written once into place.

Ordinary users keep their addresses in 100.64.0.0/10 (and 2001:db8::/32 when the world uses IPv6).
After the merge every row's ID is numbered afresh in time order (``touch_id``, ``install_id``,
``event_id``: the genuine IDs' prefix and width, 1..n), genuine and fraudulent rows alike, and
events point to their install's new ID: an ID number says when a row happened, never whether it
is fraud. (So the IDs of genuine rows differ from those of the world before fraud; every other
value of a genuine row is kept.) Fabricated devices get user IDs that are not in ``users`` (they
are not people); ``user_id`` is truth-only anyway.

>>> from helpers.synth import generate_world
>>> world = add_fraud(generate_world(2_000, seed=1), FraudMix(), seed=1)
>>> sorted(world.installs["fraud_type"].dropna().unique())  # doctest: +NORMALIZE_WHITESPACE
['bot', 'click_flooding', 'click_injection', 'device_farm', 'sdk_spoofing']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.messages import t as _t  # `t` is a loop variable over fraud types below
from helpers.synth.scenarios import NETWORK_NAMES, NETWORKS, ORGANIC, site_ids
from helpers.synth.world import (
    _ANDROID_MODELS,
    _ANDROID_VERSIONS,
    _IOS_MODELS,
    _IOS_VERSIONS,
    _NAT,
    _STR_DTYPE,
    _STRING_ARRAY,
    DAY,
    HOUR,
    World,
    _device_id_strings,
    _ids,
    _ip_strings,
    _pick,
    _str_col,
    check_world,
    release_memory,
    world_index,
)

FRAUD_TYPES: tuple[str, ...] = ("click_injection", "click_flooding", "sdk_spoofing", "bot", "device_farm")
DATACENTER_NETS: tuple[str, ...] = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
"""RFC 5737 documentation ranges; the kit's stand-in for datacenter and hosting networks."""
FRAUD_SEED_KEY = 0xF4A0D
CLICK_LOOKBACK = 7 * DAY

def _default_sites() -> dict[str, tuple[tuple[str, str], ...]]:
    def s(net: str, k: int) -> tuple[str, str]:
        i = NETWORK_NAMES.index(net)
        return net, site_ids(i, NETWORKS[i].n_sites)[k - 1]

    return {
        "click_injection": (s("mintegral", 7), s("ironsource", 12)),
        "click_flooding": (s("mintegral", 21), s("unity_ads", 9), s("applovin", 25)),
        "sdk_spoofing": (s("ironsource", 18), s("applovin", 31)),
        "bot": (s("unity_ads", 14), s("mintegral", 33)),
        "device_farm": (s("ironsource", 24), s("unity_ads", 27), s("mintegral", 38)),
    }


@dataclass(frozen=True)
class FraudMix:
    """How much fraud of each type, and where it comes from.

    Shares are fractions of all installs in the result (genuine plus fabricated); the defaults add
    up to 13 %. ``sites`` maps each type to the (media_source, site_id) pairs that commit it: by
    default a few "bad" sub-publishers of ordinary ad networks (which also carry honest traffic).
    Click injection, click flooding and SDK spoofing need clicks, so they cannot sit on a
    self-attributing network (those claim installs, they do not send clicks). Types missing from
    ``sites`` keep their default sites.
    ``flood_clicks_per_install`` is how many flood clicks are sent per install the flooders steal
    (4,000 gives a click->install conversion of 0.025 %); it drives the size of ``touches``.
    ``flood_click_budget`` caps the flood clicks (rows of ``touches``) in total, so that big worlds
    stay buildable: see "Click flooding at scale" in the module docstring. ``None`` = no cap.

    >>> FraudMix(bot=0.6)
    Traceback (most recent call last):
    ...
    ValueError: FraudMix: the shares add up to 0.705; they must add up to less than 0.5 (fraud is the minority of installs)
    """

    click_injection: float = 0.03
    click_flooding: float = 0.04
    sdk_spoofing: float = 0.015
    bot: float = 0.015
    device_farm: float = 0.02
    flood_clicks_per_install: int = 4000
    flood_click_budget: int | None = 1_000_000
    sites: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=_default_sites)

    def __post_init__(self) -> None:
        for t in FRAUD_TYPES:
            v = getattr(self, t)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(v) or not 0.0 <= v < 1.0:
                raise ValueError(_t("errors.synth.mix_share", fraud_type=t, value=v))
        if self.total >= 0.5:
            raise ValueError(_t("errors.synth.mix_total", total=self.total))
        n = self.flood_clicks_per_install
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 1_000_000:
            raise ValueError(_t("errors.synth.mix_flood_clicks", value=n))
        b = self.flood_click_budget
        if b is not None and (isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1):
            raise ValueError(_t("errors.synth.mix_flood_budget", value=b))
        if not isinstance(self.sites, dict):
            raise ValueError(_t("errors.synth.mix_sites_type"))
        unknown = sorted(set(self.sites) - set(FRAUD_TYPES))
        if unknown:
            raise ValueError(_t("errors.synth.mix_unknown_types", unknown=unknown, valid=", ".join(FRAUD_TYPES)))
        # types not named in ``sites`` keep their default sites
        object.__setattr__(self, "sites", {**_default_sites(), **self.sites})
        for t in FRAUD_TYPES:
            pairs = self.sites.get(t, ())
            if self.share(t) > 0 and not pairs:
                raise ValueError(_t("errors.synth.mix_no_sites", fraud_type=t, share=self.share(t)))
            for pair in pairs:
                if not (isinstance(pair, tuple) and len(pair) == 2):
                    raise ValueError(_t("errors.synth.mix_site_pair", fraud_type=t, pair=pair))
                net, site = pair
                if net not in NETWORK_NAMES:
                    raise ValueError(_t("errors.synth.mix_unknown_source", fraud_type=t, source=net,
                                        valid=", ".join(NETWORK_NAMES)))
                i = NETWORK_NAMES.index(net)
                if site not in site_ids(i, NETWORKS[i].n_sites):
                    raise ValueError(_t("errors.synth.mix_unknown_site", fraud_type=t, site=site, source=net))
                if NETWORKS[i].self_attributing and t in ("click_injection", "click_flooding", "sdk_spoofing"):
                    raise ValueError(_t("errors.synth.mix_self_attributing", fraud_type=t, source=net))

    def share(self, fraud_type: str) -> float:
        if fraud_type not in FRAUD_TYPES:
            raise ValueError(_t("errors.synth.unknown_fraud_type", fraud_type=fraud_type, valid=", ".join(FRAUD_TYPES)))
        return getattr(self, fraud_type)

    @property
    def total(self) -> float:
        return float(sum(self.share(t) for t in FRAUD_TYPES))


# --------------------------------------------------------------------------------------------
# small helpers


def _secs(s: pd.Series) -> np.ndarray:
    """UTC timestamps -> int64 seconds (``_NAT`` for missing)."""
    v = s.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype(np.int64)
    return np.where(v == _NAT, _NAT, v // 1_000_000_000)


def _utc(seconds) -> pd.Series:
    seconds = np.asarray(seconds, dtype=np.int64)
    ns = np.where(seconds == _NAT, _NAT, seconds * 1_000_000_000)
    return pd.Series(ns.astype("datetime64[ns]")).dt.tz_localize("UTC")


def _uuids(rng: np.random.Generator, upper: np.ndarray) -> np.ndarray:
    """Random UUID-shaped advertising IDs (upper case = IDFA, lower case = GAID), like the world's."""
    n = len(upper)
    if n == 0:
        return np.array([], dtype=object)
    return _device_id_strings(rng.integers(0, 256, size=(n, 16), dtype=np.uint8), np.asarray(upper, bool))


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + ``str(number).zfill(width)`` for each number, as an object array of str."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if not len(numbers):
        return np.array([], dtype=object)
    if numbers.min() < 0 or numbers.max() >= 10 ** width or len(str(len(numbers))) > width:
        return np.char.add(prefix, np.char.zfill(numbers.astype(str), width)).astype(object)
    return _ids(prefix, len(numbers), width, numbers=numbers)


def _id_numbers(values) -> tuple[str, int, np.ndarray] | None:
    """``(prefix, width, numbers)`` when every value is one prefix + the same number of digits, else None.

    For such IDs the numbers sort like the strings, so tables can be ordered by integers.
    """
    vals = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    n = len(vals)
    if not n or not isinstance(vals[0], str):
        return None
    first = vals[0]
    prefix = first.rstrip("0123456789")
    length, p = len(first), len(prefix)
    width = length - p
    if not 1 <= width <= 18 or not first.isascii():
        return None
    try:
        lengths = np.fromiter(map(len, vals), dtype=np.int64, count=n)
        if (lengths != length).any():
            return None
        joined = "".join(vals)
    except TypeError:  # a missing value
        return None
    if not joined.isascii():
        return None
    b = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(n, length)
    if p and not (b[:, :p] == b[0, :p]).all():
        return None
    digits = b[:, p:].astype(np.int64) - 48
    if ((digits < 0) | (digits > 9)).any():
        return None
    return prefix, width, digits @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))


def _join_pooled(a: np.ndarray, b: np.ndarray, sep: str = "|") -> np.ndarray:
    """``a + sep + b`` for object arrays with few distinct values: one string per distinct pair."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if len(a) < 1000:
        return a + sep + b
    ac, au = pd.factorize(a, use_na_sentinel=False)
    bc, bu = pd.factorize(b, use_na_sentinel=False)
    pair = ac.astype(np.int64) * len(bu) + bc
    present = np.zeros(len(au) * len(bu), dtype=bool)
    present[pair] = True
    uniq = np.flatnonzero(present)
    slot = np.cumsum(present) - 1
    joined = np.asarray(au, dtype=object)[uniq // len(bu)] + sep + np.asarray(bu, dtype=object)[uniq % len(bu)]
    return joined[slot[pair]]


def _datacenter_ips(rng: np.random.Generator, n: int) -> np.ndarray:
    nets = np.array(["192.0.2.", "198.51.100.", "203.0.113."], dtype=object)
    return np.char.add(nets[rng.integers(0, 3, n)].astype(str), rng.integers(1, 255, n).astype(str)).astype(object)


def _fp_ip(fp: pd.Series) -> pd.Series:
    return fp.str.split("|", n=1).str[0]


def _str(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype="str")


# --------------------------------------------------------------------------------------------
# columns a world without the Play referrer / ip / label columns lacks


def _complete_columns(world: World, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # shallow: pandas copies on write, so the world's own tables never change
    t, i, e = world.touches.copy(deep=False), world.installs.copy(deep=False), world.events.copy(deep=False)
    if "ip" not in t:
        t["ip"] = _fp_ip(t["fingerprint"]).astype("str")
    if "ip" not in i:
        i["ip"] = _fp_ip(i["fingerprint"]).astype("str")
    android = (i["platform"] == "android").to_numpy()
    inst = _secs(i["install_time"])
    if "install_begin_time" not in i:
        # download + install + first open: about 1.5 minutes, sometimes much longer
        d = np.clip(np.round(rng.lognormal(np.log(90), 0.8, len(i))), 15, 2 * HOUR).astype(np.int64)
        i["install_begin_time"] = _utc(np.where(android, inst - d, _NAT))
    if "referrer_click_time" not in i:
        # the store-referrer click: the last click from the true source before the download began
        clicks = t[t["touch_type"] == "click"][["user_id", "media_source", "touch_time"]]
        left = i[["user_id", "true_source", "install_begin_time"]].reset_index()
        left = left[left["install_begin_time"].notna()]
        m = pd.merge_asof(left.sort_values("install_begin_time"),
                          clicks.rename(columns={"media_source": "true_source"}).sort_values("touch_time"),
                          left_on="install_begin_time", right_on="touch_time", by=["user_id", "true_source"],
                          direction="backward", allow_exact_matches=False).set_index("index").sort_index()
        ref = _secs(m["touch_time"].astype("datetime64[ns, UTC]").reindex(i.index))
        ok = android & (i["true_source"] != ORGANIC).to_numpy()
        i["referrer_click_time"] = _utc(np.where(ok, ref, _NAT))
    for df in (t, i, e):
        if "fraud_type" not in df:
            df["fraud_type"] = pd.Series([None] * len(df), dtype="str", index=df.index)
    if "receipt_valid" not in e:
        purchase = (e["event_name"] == "purchase").to_numpy()
        e["receipt_valid"] = pd.Series(purchase, index=e.index, dtype=bool)
    return t, i, e


# --------------------------------------------------------------------------------------------


def add_fraud(world: World, mix: FraudMix | None = None, seed: int | None = None) -> World:
    """A copy of ``world`` with fraudulent touches, installs and events added (and labelled).

    ``mix`` defaults to :class:`FraudMix()`; ``seed`` to the world's seed. Deterministic: the same
    world, mix and seed give identical tables. Genuine rows keep their values (IDs are renumbered
    in time order over all rows); see the
    module docstring for what each fraud type adds and which signals it leaves.
    """
    check_world(world, "add_fraud")
    mix = FraudMix() if mix is None else mix
    if not isinstance(mix, FraudMix):
        raise ValueError(_t("errors.synth.mix_type", type=type(mix).__name__))
    seed = world.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(_t("errors.synth.fraud_seed", seed=seed))
    if "fraud_type" in world.installs and world.installs["fraud_type"].notna().any():
        raise ValueError(_t("errors.synth.already_fraud"))
    release_memory(len(world.touches))  # (what was freed before: the new tables need room)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), FRAUD_SEED_KEY]))
    touches, installs, events = _complete_columns(world, rng)
    b = _Builder(world, mix, rng, touches, installs, events)
    b.run()
    out = dataclasses.replace(world, touches=b.touches, installs=b.installs, events=b.events, _index=None)
    del b
    release_memory(len(out.touches))
    return out


class _Builder:
    def __init__(self, world, mix, rng, touches, installs, events):
        self.w, self.mix, self.rng = world, mix, rng
        self.touches, self.installs, self.events = touches, installs, events
        self.t0 = int(world.start.value // 1_000_000_000)
        self.end = int(world.end.value // 1_000_000_000)
        self.sc = world.scenario
        self.new_t: list[dict] = []
        self.new_i: list[dict] = []
        self.new_e: list[dict] = []
        self.ix = world_index(world)
        if self.ix is not None:  # user IDs are u1..un in row order
            self.next_user = len(world.users)
        else:
            parsed = _id_numbers(world.users["user_id"])
            self.next_user = (int(parsed[2].max()) if parsed is not None else
                              int(world.users["user_id"].str.slice(1).astype("int64").max())) if len(world.users) else 0
        self.user_prefix, self.user_width = "u", len(world.users["user_id"].iloc[0]) - 1 if len(world.users) else 6

    # ---- shared pieces --------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        n_gen = len(self.installs)
        fab = self.mix.sdk_spoofing + self.mix.bot + self.mix.device_farm
        total = n_gen / (1.0 - fab)
        return {t: int(round(self.mix.share(t) * total)) for t in FRAUD_TYPES}

    def new_users(self, n: int) -> np.ndarray:
        nums = np.arange(self.next_user + 1, self.next_user + n + 1)
        self.next_user += n
        return _numbered(self.user_prefix, nums, self.user_width)

    def pick_sites(self, fraud_type: str, n: int, weights=None):
        pairs = self.mix.sites[fraud_type]
        idx = _pick(self.rng, weights if weights is not None else np.ones(len(pairs)), n)
        nets = np.array([p[0] for p in pairs], dtype=object)[idx]
        sites = np.array([p[1] for p in pairs], dtype=object)[idx]
        return nets, sites, idx

    def campaigns(self, nets: np.ndarray) -> np.ndarray:
        out = np.empty(len(nets), dtype=object)
        codes, names = pd.factorize(np.asarray(nets, dtype=object))
        for j in sorted(range(len(names)), key=lambda j: str(names[j])):  # name order, like np.unique
            name = str(names[j])
            net = NETWORKS[NETWORK_NAMES.index(name)]
            mask = codes == j
            w = (0.5, 0.3, 0.2, 0.1)[:len(net.campaigns)]
            out[mask] = np.array([f"{self.sc.name}_{c}" for c in net.campaigns], dtype=object)[
                _pick(self.rng, w, int(mask.sum()))]
        return out

    def add_touches(self, fraud_type, user, device, fp, ip, nets, sites, times, campaigns=None, user_numbers=None):
        k = len(times)
        if user_numbers is None:
            parsed = _id_numbers(user)
            user_numbers = parsed[2] if parsed is not None else None
        self.new_t.append({"_user_number": user_numbers, "user_id": user, "device_id": device, "fingerprint": fp, "media_source": nets,
                           "campaign": self.campaigns(nets) if campaigns is None else campaigns, "site_id": sites,
                           "touch_type": np.full(k, "click", dtype=object), "touch_time": times,
                           "is_retargeting": np.zeros(k, bool), "ip": ip,
                           "fraud_type": np.full(k, fraud_type, dtype=object)})

    def devices(self, n: int, android: np.ndarray, models=None, os_versions=None, raw: bool = False,
                codes: bool = False):
        """New devices: advertising IDs (missing on iOS without ATT consent), model|os attributes.

        ``raw=True`` returns ``((id bytes, consent), attrs)`` instead, with the same random draws, so
        that the caller can put the rows in order before making strings of the IDs; ``codes=True``
        (with the models drawn here) returns the attributes as ``(table of strings, code per row)``.
        """
        rng = self.rng
        att = android | (rng.random(n) < self.sc.att_opt_in)
        if raw:
            dev = (rng.integers(0, 256, size=(n, 16), dtype=np.uint8), att)
        else:
            dev = np.where(att, _uuids(rng, ~android), None)
        if models is None and os_versions is None:
            # the same draws as below, as integer codes: one string per model|os pair, not per row
            am = _pick(rng, [w for _, w in _ANDROID_MODELS], n)
            im = _pick(rng, [w for _, w in _IOS_MODELS], n)
            av = _pick(rng, [w for _, w in _ANDROID_VERSIONS], n)
            iv = _pick(rng, [w for _, w in _IOS_VERSIONS], n)
            table = np.array([f"{m}|{v}" for m, _ in _ANDROID_MODELS for v, _ in _ANDROID_VERSIONS]
                             + [f"{m}|{v}" for m, _ in _IOS_MODELS for v, _ in _IOS_VERSIONS], dtype=object)
            code = np.where(android, am * len(_ANDROID_VERSIONS) + av,
                            len(_ANDROID_MODELS) * len(_ANDROID_VERSIONS) + im * len(_IOS_VERSIONS) + iv)
            return dev, (table[code] if not codes else (table, code))
        if models is None:
            am = np.array([m for m, _ in _ANDROID_MODELS], dtype=object)[_pick(rng, [w for _, w in _ANDROID_MODELS], n)]
            im = np.array([m for m, _ in _IOS_MODELS], dtype=object)[_pick(rng, [w for _, w in _IOS_MODELS], n)]
            models = np.where(android, am, im)
        av = np.array([v for v, _ in _ANDROID_VERSIONS], dtype=object)[_pick(rng, [w for _, w in _ANDROID_VERSIONS], n)]
        iv = np.array([v for v, _ in _IOS_VERSIONS], dtype=object)[_pick(rng, [w for _, w in _IOS_VERSIONS], n)]
        attrs = _join_pooled(models, np.where(android, av, iv) if os_versions is None else os_versions)
        return dev, attrs

    def countries(self, n: int) -> np.ndarray:
        c = self.installs["country"].to_numpy(dtype=object)
        return c[self.rng.integers(0, len(c), n)] if len(c) else np.full(n, "US", dtype=object)

    def home_ips(self, country: np.ndarray) -> np.ndarray:
        from helpers.synth.scenarios import COUNTRIES
        block = np.array([COUNTRIES.index(c) for c in country], dtype=np.int64)
        return _ip_strings((block << 20) + self.rng.integers(0, 1 << 20, len(country)))

    def add_installs(self, fraud_type, user, device, fp, ip, android, country, inst, begin, ref, source):
        k = len(inst)
        self.new_i.append({"user_id": user, "device_id": device, "fingerprint": fp,
                           "platform": np.where(android, "android", "ios").astype(object),
                           "country": country, "install_time": inst, "is_reinstall": np.zeros(k, bool),
                           "previous_install_time": np.full(k, _NAT), "true_source": source, "ip": ip,
                           "install_begin_time": begin, "referrer_click_time": ref,
                           "fraud_type": np.full(k, fraud_type, dtype=object), "_key": np.arange(k)})
        return len(self.new_i) - 1

    def add_events(self, fraud_type, part, rows, times, names, revenue, receipt):
        k = len(times)
        self.new_e.append({"part": np.full(k, part), "row": rows, "event_time": times,
                           "event_name": names, "revenue": revenue, "receipt_valid": receipt,
                           "fraud_type": np.full(k, fraud_type, dtype=object)})

    # ---- the five types -------------------------------------------------------------------------

    def run(self) -> None:
        n = self.counts()
        self.stolen_label = np.full(len(self.installs), None, dtype=object)
        self.injection(n["click_injection"])
        self.flooding(n["click_flooding"])
        self.spoofing(n["sdk_spoofing"])
        self.bots(n["bot"])
        self.farms(n["device_farm"])
        self.assemble()

    def injection(self, k: int) -> None:
        if not k:
            return
        rng, i = self.rng, self.installs
        cand = np.flatnonzero((i["platform"] == "android").to_numpy() & i["device_id"].notna().to_numpy())
        organic = (i["true_source"].to_numpy(dtype=object)[cand] == ORGANIC)
        # malware steals organic installs mostly, and sometimes an honest network's paid install
        w = np.where(organic, 3.0, 1.0)
        if len(cand) < k:
            raise ValueError(_t("errors.synth.injection_too_small", share=self.mix.click_injection, needed=k,
                                available=len(cand)))
        chosen = np.sort(rng.choice(cand, size=k, replace=False, p=w / w.sum()))
        self.stolen_label[chosen] = "click_injection"
        inst = _secs(i["install_time"])[chosen]
        begin = _secs(i["install_begin_time"])[chosen]
        ctit = np.clip(np.round(rng.lognormal(np.log(6), 0.55, k)), 1, 60).astype(np.int64)
        click = inst - ctit
        has_begin = begin != _NAT
        # the click comes after the download began (the app was already being installed)
        too_early = has_begin & (click <= begin)
        gap = np.maximum(inst - begin, 2)
        click = np.where(too_early, begin + 1 + (rng.random(k) * (gap - 1)).astype(np.int64), click)
        click = np.minimum(click, inst - 1)
        nets, sites, _ = self.pick_sites("click_injection", k)
        self.add_touches("click_injection", i["user_id"].to_numpy(dtype=object)[chosen],
                         i["device_id"].to_numpy(dtype=object)[chosen],
                         i["fingerprint"].to_numpy(dtype=object)[chosen], i["ip"].to_numpy(dtype=object)[chosen],
                         nets, sites, click)

    def flooding(self, k: int) -> None:
        if not k:
            return
        rng, i, t = self.rng, self.installs, self.touches
        if self.mix.flood_click_budget is not None:  # see "Click flooding at scale" above
            k = min(k, max(1, self.mix.flood_click_budget // self.mix.flood_clicks_per_install))
        lo = self.t0 - 30 * DAY
        inst = _secs(i["install_time"])
        if self.ix is not None:  # one install only: the label stays exact
            once = np.bincount(self.ix.install_user, minlength=len(self.w.users))[self.ix.install_user] == 1
        else:
            once = ~i["user_id"].duplicated(keep=False).to_numpy()
        ok = (i["true_source"] == ORGANIC).to_numpy() & i["device_id"].notna().to_numpy() & once \
            & (self.stolen_label == None) & (inst - CLICK_LOOKBACK >= lo)  # noqa: E711
        # an honest click in the lookback would be credited instead of a flood click: leave those alone
        # (the device's last click before the install, found with an as-of join on integer device codes)
        dev = i["device_id"].to_numpy(dtype=object)
        rows = np.flatnonzero(ok)
        blocked = np.zeros(len(rows), bool)
        is_click = (t["touch_type"] == "click").to_numpy()
        if len(rows) and is_click.any():
            r_code, r_uniq = pd.factorize(dev[rows])
            if self.ix is not None:  # a touch's device is its person's: integer lookups
                person_code = np.full(len(self.w.users), -1, dtype=np.int64)
                person_code[self.ix.install_user[rows]] = r_code
                c_code = person_code[self.ix.touch_user[is_click]]
            else:
                c_code = pd.Index(r_uniq, dtype=object).get_indexer(t["device_id"].to_numpy(dtype=object)[is_click])
            sel = c_code >= 0
            c_time = _secs(t["touch_time"])[is_click][sel]
            right = pd.DataFrame({"t": c_time, "k": c_code[sel], "ct": c_time}).sort_values("t", kind="stable")
            left = pd.DataFrame({"t": inst[rows], "k": r_code.astype(np.int64), "r": np.arange(len(rows))}) \
                .sort_values("t", kind="stable")
            right["k"] = right["k"].astype(np.int64)
            m = pd.merge_asof(left, right, on="t", by="k", direction="backward", allow_exact_matches=False)
            ct = m["ct"].to_numpy(dtype=float)
            r_inst = inst[rows][m["r"].to_numpy()]
            blocked[m["r"].to_numpy()] = ~np.isnan(ct) & (ct >= r_inst - CLICK_LOOKBACK)
        cand = rows[~blocked].astype(np.int64)
        if len(cand) < k:
            raise ValueError(_t("errors.synth.flooding_too_small", share=self.mix.click_flooding, needed=k,
                                available=len(cand)))
        chosen = np.sort(rng.choice(cand, size=k, replace=False))
        self.stolen_label[chosen] = "click_flooding"
        n_sites = len(self.mix.sites["click_flooding"])
        _, _, site_of = self.pick_sites("click_flooding", k)
        pairs = self.mix.sites["click_flooding"]
        # 1. the audience: the stolen installers and other real people, several clicks each over weeks
        # (people who never install, so no other install is credited to a flooder without a label)
        users = self.w.users
        others = users[users["device_id"].notna() & users["first_install_time"].isna()]
        n_other = min(len(others), 3 * k)
        oi = rng.choice(len(others), size=n_other, replace=False)
        a_user = np.concatenate([i["user_id"].to_numpy(dtype=object)[chosen], others["user_id"].to_numpy(dtype=object)[oi]])
        a_dev = np.concatenate([dev[chosen], others["device_id"].to_numpy(dtype=object)[oi]])
        a_fp = np.concatenate([i["fingerprint"].to_numpy(dtype=object)[chosen], others["fingerprint"].to_numpy(dtype=object)[oi]])
        a_ip = np.concatenate([i["ip"].to_numpy(dtype=object)[chosen], others["ip"].to_numpy(dtype=object)[oi]])
        a_site = np.concatenate([site_of, rng.integers(0, n_sites, n_other)])
        per = 4 + rng.poisson(8, len(a_user))
        owner = np.repeat(np.arange(len(a_user)), per)
        times = rng.integers(lo, self.end, len(owner))
        # every stolen install has a flood click in its 7-day lookback (the flooder's lucky hit)
        hit = inst[chosen] - rng.integers(60, CLICK_LOOKBACK, k)
        owner = np.concatenate([owner, np.arange(k)])
        times = np.concatenate([times, hit])
        pn = np.array([p[0] for p in pairs], dtype=object)
        ps = np.array([p[1] for p in pairs], dtype=object)
        s = a_site[owner]
        self.add_touches("click_flooding", a_user[owner], a_dev[owner], a_fp[owner], a_ip[owner], pn[s], ps[s], times)
        # 2. device-ID cycling: made-up IDs, one click each, sent from a small pool of addresses per site
        n_cycle = max(0, self.mix.flood_clicks_per_install * k - len(owner))
        if n_cycle:
            # (millions of rows at scale: everything is drawn as numbers in the usual order, then the rows
            # are put in time order and only then turned into strings, so the strings lie in memory in
            # the order the final table reads them)
            android = rng.random(n_cycle) < 0.6
            (raw, att), (attr_table, attr_code) = self.devices(n_cycle, android, raw=True, codes=True)
            pool = self.home_ips(self.countries(20 * n_sites))
            s = rng.integers(0, n_sites, n_cycle)
            ip_code = s * 20 + rng.integers(0, 20, n_cycle)
            first_user = self.next_user + 1
            self.next_user += n_cycle
            times = rng.integers(lo, self.end, n_cycle)
            camp = self.campaigns(pn[s])
            o = np.argsort(times, kind="stable")  # = (time, user ID) order: user numbers rise with the row
            has_id = np.flatnonzero(att[o])
            d = np.full(n_cycle, None, dtype=object)
            d[has_id] = _device_id_strings(raw[o[has_id]], ~android[o[has_id]])
            del raw, has_id
            user = _numbered(self.user_prefix, first_user + o, self.user_width)
            ip_code, attr_code, s = ip_code[o], attr_code[o], s[o]
            # fingerprints: one string per (address, model|os) pair that occurs
            fp_code, fp_pairs = pd.factorize(ip_code * len(attr_table) + attr_code)
            fp_text = pool[fp_pairs // len(attr_table)] + "|" + attr_table[fp_pairs % len(attr_table)]
            self.add_touches("click_flooding", user, d, fp_text[fp_code], pool[ip_code], pn[s], ps[s], times[o],
                             campaigns=camp[o], user_numbers=first_user + o)

    def spoofing(self, k: int) -> None:
        if not k:
            return
        rng = self.rng
        android = rng.random(k) < 0.6
        d, attrs = self.devices(k, android)
        d = np.where(d == None, _uuids(rng, ~android), d)  # noqa: E711  a forged request carries an ID
        country = self.countries(k)
        ip = self.home_ips(country)
        fp = ip + "|" + attrs
        user = self.new_users(k)
        nets, sites, _ = self.pick_sites("sdk_spoofing", k)
        click = rng.integers(self.t0, self.end - HOUR, k)
        inst = click + np.round(rng.lognormal(np.log(600), 1.0, k)).astype(np.int64) + 20
        begin = np.where(android, click + (inst - click) // 3, _NAT)
        ref = np.where(android, click, _NAT)
        kind = rng.random(k)
        # the forged timestamps do not add up on most of them
        # install reported before the click it claims (on iOS the only order there is to break)
        before_click = kind < np.where(android, 0.45, 0.85)
        inst = np.where(before_click, click - rng.integers(30, 6 * HOUR, k), inst)
        begin = np.where(before_click & android, inst - rng.integers(20, 300, k), begin)
        begin_after = android & ~before_click & (kind < 0.85)  # download "began" after the first open
        begin = np.where(begin_after, inst + rng.integers(5, 2 * HOUR, k), begin)
        inst = np.minimum(inst, self.end - 1)
        self.add_touches("sdk_spoofing", user, d, fp, ip, nets, sites, click)
        part = self.add_installs("sdk_spoofing", user, d, fp, ip, android, country, inst, begin, ref, nets)
        # events: the first open, and one to three purchases without a valid receipt (some "before" the install)
        n_buy = 1 + rng.poisson(0.8, k)
        rows = np.repeat(np.arange(k), n_buy)
        early = rng.random(len(rows)) < 0.3
        bt = inst[rows] + np.where(early, -rng.integers(60, DAY, len(rows)), rng.integers(60, 3 * DAY, len(rows)))
        price = np.maximum(0.99, np.round(rng.lognormal(np.log(self.sc.revenue_median_usd), 0.6, len(rows)), 2))
        keep = bt < self.end
        self.add_events("sdk_spoofing", part, np.arange(k), inst, np.full(k, "session", object), np.zeros(k),
                        np.zeros(k, bool))
        self.add_events("sdk_spoofing", part, rows[keep], bt[keep], np.full(int(keep.sum()), "purchase", object),
                        price[keep], np.zeros(int(keep.sum()), bool))

    def bots(self, k: int) -> None:
        if not k:
            return
        rng = self.rng
        android = rng.random(k) < 0.8
        d, attrs = self.devices(k, android)
        d = np.where(d == None, _uuids(rng, ~android), d)  # noqa: E711  emulators expose a (reset) ID
        pool = _datacenter_ips(rng, 36)
        ip = pool[_pick(rng, 1.0 / np.arange(1, 37), k)]
        country = self.countries(k)
        user = self.new_users(k)
        nets, sites, _ = self.pick_sites("bot", k)
        click = rng.integers(self.t0, self.end - HOUR, k)
        begin_d = rng.integers(8, 20, k)
        inst = click + begin_d + rng.integers(25, 60, k)
        self.add_touches("bot", user, d, ip + "|" + attrs, ip, nets, sites, click)
        part = self.add_installs("bot", user, d, ip + "|" + attrs, ip, android, country, inst,
                                 np.where(android, click + begin_d, _NAT), np.where(android, click, _NAT), nets)
        self.add_events("bot", part, np.arange(k), inst, np.full(k, "session", object), np.zeros(k),
                        np.zeros(k, bool))
        # half sign up a fixed ~40 s after opening; a third come back robotically every 24 h for a few days
        su = np.flatnonzero(rng.random(k) < 0.5)
        self.add_events("bot", part, su, inst[su] + 40 + rng.integers(0, 3, len(su)),
                        np.full(len(su), "sign_up", object), np.zeros(len(su)), np.zeros(len(su), bool))
        robo = np.flatnonzero(rng.random(k) < 0.33)
        n_days = 1 + rng.integers(0, 5, len(robo))
        rows = np.repeat(robo, n_days)
        day = np.concatenate([np.arange(1, m + 1) for m in n_days]) if len(robo) else np.array([], np.int64)
        times = inst[rows] + day * DAY
        keep = times < self.end
        self.add_events("bot", part, rows[keep], times[keep], np.full(int(keep.sum()), "session", object),
                        np.zeros(int(keep.sum())), np.zeros(int(keep.sum()), bool))

    def farms(self, k: int) -> None:
        if not k:
            return
        rng = self.rng
        pairs = self.mix.sites["device_farm"]
        n_farms = len(pairs)
        farm = np.sort(_pick(rng, np.ones(n_farms), k))
        android = np.ones(k, bool)
        country = np.empty(k, dtype=object)
        ip = np.empty(k, dtype=object)
        models = np.empty(k, dtype=object)
        osv = np.empty(k, dtype=object)
        inst = np.empty(k, dtype=np.int64)
        am = np.array([m for m, _ in _ANDROID_MODELS], dtype=object)
        for f in range(n_farms):
            idx = np.flatnonzero(farm == f)
            m = len(idx)
            if not m:
                continue
            c = self.countries(1)[0]
            ips = self.home_ips(np.array([c] * (1 + int(rng.integers(0, 3))), dtype=object))
            country[idx] = c
            ip[idx] = ips[rng.integers(0, len(ips), m)]
            # the same batch of phones: one or two models, one OS version
            models[idx] = am[rng.choice(len(am), size=min(2, len(am)), replace=False)][rng.integers(0, 2, m)]
            osv[idx] = _ANDROID_VERSIONS[int(rng.integers(0, len(_ANDROID_VERSIONS)))][0]
            # automation: one install every `step` seconds (a little jitter) for a stretch of days
            span = int(rng.integers(10, 25)) * DAY
            start = int(rng.integers(self.t0, max(self.t0 + 1, self.end - span)))
            step = max(60, span // max(m, 1))
            inst[idx] = start + np.arange(m) * step + rng.integers(-step // 20, step // 20 + 1, m)
        inst = np.clip(inst, self.t0, self.end - 1)
        d, attrs = self.devices(k, android, models=models, os_versions=osv)
        user = self.new_users(k)
        nets = np.array([p[0] for p in pairs], dtype=object)[farm]
        sites = np.array([p[1] for p in pairs], dtype=object)[farm]
        begin = inst - rng.integers(20, 90, k)
        click = begin - rng.integers(5, 40, k)
        fp = ip + "|" + attrs
        self.add_touches("device_farm", user, d, fp, ip, nets, sites, click)
        part = self.add_installs("device_farm", user, d, fp, ip, android, country, inst, begin, click, nets)
        self.add_events("device_farm", part, np.arange(k), inst, np.full(k, "session", object), np.zeros(k),
                        np.zeros(k, bool))
        su = np.flatnonzero(rng.random(k) < 0.3)
        self.add_events("device_farm", part, su, inst[su] + rng.integers(60, 600, len(su)),
                        np.full(len(su), "sign_up", object), np.zeros(len(su)), np.zeros(len(su), bool))
        back = np.flatnonzero(rng.random(k) < 0.08)
        t = inst[back] + DAY + rng.integers(0, DAY, len(back))
        keep = t < self.end
        self.add_events("device_farm", part, back[keep], t[keep], np.full(int(keep.sum()), "session", object),
                        np.zeros(int(keep.sum())), np.zeros(int(keep.sum()), bool))

    # ---- putting the tables together ------------------------------------------------------------

    def assemble(self) -> None:
        """Merge the fraud rows into the tables in time order and number every row's ID afresh.

        IDs are given after the merge, in row (= time) order, to genuine and fraudulent rows alike,
        so an ID says nothing about a row but its place in time; events then point to their
        install's new ID.
        """
        t, i, e = self.touches, self.installs, self.events
        # stolen credit: the real install keeps its row, the label says who stole it
        stolen = self.stolen_label != None  # noqa: E711
        if stolen.any():
            ft = i["fraud_type"].to_numpy(dtype=object).copy()
            ft[stolen] = self.stolen_label[stolen]
            i["fraud_type"] = pd.Series(ft, index=i.index).astype(i["fraud_type"].dtype)

        # touches
        if self.new_t:
            keys = [p.pop("_user_number") for p in self.new_t]
            nt = {key: np.concatenate([p[key] for p in self.new_t]) for key in self.new_t[0]}
            self.new_t.clear()  # (millions of rows at scale: free each piece as soon as it is copied)
            user_key = (np.concatenate(keys) if all(k is not None for k in keys)
                        else np.asarray(nt["user_id"]).astype(str))
            del keys
            order = np.lexsort((user_key, nt["touch_time"]))
            del user_key
            for key in list(nt):
                nt[key] = nt[key][order]
            nt["touch_id"] = None
            t, _, _ = _merge(t, nt, "touch_time", "touch_id", sorted_=self.ix is not None)
        else:
            t = _renumber(t, "touch_id")

        # installs (fabricated), then their events
        n_gen_i = len(i)
        inst_new_row = {}
        if self.new_i:
            offsets = np.cumsum([0] + [len(p["install_time"]) for p in self.new_i])
            ni = {key: np.concatenate([p[key] for p in self.new_i]) for key in self.new_i[0] if key != "_key"}
            order = np.lexsort((ni["user_id"].astype(str), ni["install_time"]))
            ni = {key: v[order] for key, v in ni.items()}
            ni["install_id"] = None
            i, g_pos, f_pos = _merge(i, ni, "install_time", "install_id", sorted_=self.ix is not None)
            row_of = np.empty(len(order), dtype=np.int64)  # final row of each fabricated install, by part row
            row_of[order] = f_pos
            for part in range(len(self.new_i)):
                inst_new_row[part] = row_of[offsets[part]:offsets[part + 1]]
        else:
            i = _renumber(i, "install_id")
            g_pos = np.arange(n_gen_i)
        new_install_ids = i["install_id"].to_numpy(dtype=object)
        # genuine events: the new ID of their install (by row, from the index or from the old IDs)
        if self.ix is not None:
            e_row = self.ix.event_install
        else:
            e_row = pd.Index(self.installs["install_id"].to_numpy(dtype=object)).get_indexer(
                e["install_id"].to_numpy(dtype=object))
        e_ids = np.where(e_row >= 0, new_install_ids[g_pos[np.maximum(e_row, 0)]] if n_gen_i else None,
                         e["install_id"].to_numpy(dtype=object))
        e = e.copy(deep=False)
        if e["install_id"].dtype == _STR_DTYPE and _STRING_ARRAY is not None:
            e["install_id"] = _str_col(e_ids).set_axis(e.index)
        else:
            e["install_id"] = pd.Series(e_ids, index=e.index, dtype=e["install_id"].dtype)
        del e_ids
        if self.new_e:
            ne = {key: np.concatenate([p[key] for p in self.new_e]) for key in self.new_e[0]}
            rows = np.empty(len(ne["row"]), dtype=np.int64)
            for part, new_rows in inst_new_row.items():
                m = ne["part"] == part
                rows[m] = new_rows[ne["row"][m]]
            users = i["user_id"].to_numpy(dtype=object)
            ev = {"user_id": users[rows], "install_id": new_install_ids[rows], "event_name": ne["event_name"],
                  "event_time": ne["event_time"], "revenue": ne["revenue"].astype(float),
                  "receipt_valid": ne["receipt_valid"], "fraud_type": ne["fraud_type"]}
            # (install IDs all have one width after renumbering: their row order is their text order)
            order = np.lexsort((ev["event_name"].astype(str), rows, ev["event_time"]))
            ev = {key: v[order] for key, v in ev.items()}
            ev["event_id"] = None
            e, _, _ = _merge(e, ev, "event_time", "event_id", sorted_=self.ix is not None)
        else:
            e = _renumber(e, "event_id")
        self.touches, self.installs, self.events = t, i, e


_ID_DEFAULTS = {"touch_id": ("t", 7), "install_id": ("i", 6), "event_id": ("e", 7)}
_MAY_BE_MISSING = frozenset({"device_id"})
"""The only text columns the fraud rows leave empty (no advertising ID); every other one is always a str."""


def _id_shape(existing: pd.Series, id_col: str) -> tuple[str, int]:
    """Prefix and minimum digit count of a table's IDs (the generator's, when there are none)."""
    if not len(existing) or not isinstance(existing.iloc[0], str):
        return _ID_DEFAULTS[id_col]
    first = existing.iloc[0]
    prefix = first.rstrip("0123456789")
    return prefix, max(1, len(first) - len(prefix))


def _renumber(df: pd.DataFrame, id_col: str) -> pd.DataFrame:
    """``df`` with IDs prefix + 1..n in row order (the same shape as before)."""
    prefix, width = _id_shape(df[id_col], id_col)
    df = df.copy(deep=False)
    df[id_col] = pd.Series(_ids(prefix, len(df), width), index=df.index, dtype=df[id_col].dtype)
    return df


def _ns(s: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds, missing ones last (int64 maximum)."""
    v = s.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)
    return np.where(v == _NAT, np.iinfo(np.int64).max, v)


def _merge(genuine: pd.DataFrame, new: dict, time_col: str, id_col: str, sorted_: bool = False):
    """Genuine rows and new rows (``new``: column -> array, seconds for times, in time order) in one table.

    Rows are in time order (a stable sort: genuine rows first on equal times, each part keeping its
    own order); ``id_col`` is then numbered 1..n in row order, with the genuine IDs' prefix and width.
    Each column is written once into its final place (no concatenation, then reordering, of
    millions of rows). ``sorted_``: the genuine rows are known to be in time order already, with IDs
    prefix + 1..n in row order (a generated world's tables).
    Returns (table, row of each genuine row, row of each new row).
    """
    ng, nf = len(genuine), len(new[time_col])
    g_t = _ns(genuine[time_col])
    f_sec = np.asarray(new[time_col], dtype=np.int64)
    f_t = np.where(f_sec == _NAT, np.iinfo(np.int64).max, f_sec * 1_000_000_000)
    if sorted_ or not ng or bool((g_t[1:] >= g_t[:-1]).all()):
        f_pos = np.searchsorted(g_t, f_t, side="right") + np.arange(nf)
        is_g = np.ones(ng + nf, dtype=bool)
        is_g[f_pos] = False
        g_pos = np.flatnonzero(is_g)
        del is_g
    else:
        order = np.argsort(np.concatenate([g_t, f_t]), kind="stable")
        where = np.empty(ng + nf, dtype=np.int64)
        where[order] = np.arange(ng + nf)
        g_pos, f_pos = where[:ng], where[ng:]
    del g_t, f_t
    n = ng + nf
    prefix, width = _id_shape(genuine[id_col], id_col)
    cols = {}
    for c in genuine.columns:
        dtype = genuine[c].dtype
        if c == id_col:
            if sorted_ and len(str(n)) <= width:
                # a generated world's IDs are prefix + 1..ng in row order already: keep those string
                # objects for the first ng numbers, make only the new ones
                ids = np.empty(n, dtype=object)
                ids[:ng] = genuine[c].to_numpy(dtype=object)
                ids[ng:] = _ids(prefix, nf, width, numbers=np.arange(ng + 1, n + 1))
            else:
                ids = _ids(prefix, n, width)
            cols[c] = _str_col(ids) if dtype == _STR_DTYPE else pd.Series(ids, dtype=dtype)
            new.pop(c, None)
            continue
        v = new.pop(c)  # the caller's arrays are not needed afterwards: free each once placed
        if isinstance(dtype, pd.DatetimeTZDtype):
            out = np.empty(n, dtype=np.int64)
            out[g_pos] = genuine[c].to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)
            sec = np.asarray(v, dtype=np.int64)
            out[f_pos] = np.where(sec == _NAT, _NAT, sec * 1_000_000_000)
            col = pd.Series(out.view("datetime64[ns]"), copy=False).dt.tz_localize("UTC")
            cols[c] = col if col.dtype == dtype else col.astype(dtype)
        elif isinstance(dtype, np.dtype) and dtype.kind in "bfiu":
            out = np.empty(n, dtype=dtype)
            out[g_pos] = genuine[c].to_numpy(dtype=dtype)
            out[f_pos] = np.asarray(v).astype(dtype)
            cols[c] = pd.Series(out, copy=False)
        elif pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
            out = np.empty(n, dtype=object)
            out[g_pos] = genuine[c].to_numpy(dtype=object)
            v = np.asarray(v, dtype=object)
            out[f_pos] = v
            if _STRING_ARRAY is not None and dtype == _STR_DTYPE:
                if c in _MAY_BE_MISSING:  # None -> NaN (the genuine part has NaN for missing already)
                    out[f_pos[pd.isna(v)]] = np.nan
                cols[c] = _str_col(out)
            else:
                cols[c] = pd.Series(out, dtype=dtype, copy=False)
        else:  # anything else: pandas puts the two parts together
            both = pd.concat([genuine[c].reset_index(drop=True), pd.Series(v).astype(dtype)], ignore_index=True)
            where = np.empty(n, dtype=np.int64)
            where[g_pos], where[f_pos] = np.arange(ng), ng + np.arange(nf)
            cols[c] = both.take(np.argsort(where)).reset_index(drop=True).astype(dtype)
        del v
    out_df = pd.DataFrame(cols, copy=False)
    return out_df, g_pos, f_pos
