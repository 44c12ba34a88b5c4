"""The simulated ground truth: who saw which ad, who installed because of what, what they did next.

:func:`generate_world` builds a :class:`World` from a scenario (see :mod:`helpers.synth.scenarios`)
with a single seeded random generator, so the same arguments always give byte-identical tables.
All money is in USD, all timestamps are UTC (``datetime64[ns, UTC]``), IDs are strings.

How the world is built (per person, vectorised with numpy):

1. **People.** Country, platform (Korea is Android heavy), ATT consent on iOS, an advertising ID
   when it is available (always on Android, on iOS only with consent), a device model and an IP
   address: IPv4 from the RFC 6598 range 100.64.0.0/10 or, for some people, IPv6 from the
   documentation prefix 2001:db8::/32. Some people sit behind a shared carrier-NAT address, so a
   few share the same IP + device fingerprint. (The RFC 5737 ranges are left to the fraud module.)
2. **Installs.** About half the people install, on a day drawn from the vertical's seasonality
   (monthly x weekday demand). Each installer was caused either by one media source or by nothing
   ("organic"). A few percent re-install after uninstalling; a retargeting ad or nothing brings
   them back, some within 90 days of the first install, some later. Every install has a download
   start (Play ``install_begin_time``, recorded on Android) seconds to minutes before the first open.
3. **Touches.** The causing ad (mostly a click minutes before the download started; sometimes an
   impression, sometimes a click days earlier - on Android the store passes that click as
   ``referrer_click_time``), extra impressions from the same source, and background clicks and
   impressions from all networks over the 30 days before install - also on people who never
   install. After the first install a person only receives retargeting touches.
4. **Events.** A ``session`` on every active day (day-N activity follows the vertical's retention
   curve), ``sign_up``, ``purchase`` with a lognormal price and repeat purchases. Installs from
   better sources (``Scenario.network_quality``) buy more often.
5. **Spend.** What each campaign cost per day: a CPI for every install it truly caused (drawn from
   the network's CPI range for the country) and a cost per click on retargeting campaigns.
6. **Deep-link clicks.** Links into the app from paid clicks, retargeting and the app's own
   e-mail, push and web pages: direct when the app is installed, deferred through the store
   otherwise, with the landing path, whether the app opened there and the page's outcome.
7. **Fraud** (optional): ``generate_world(..., fraud=FraudMix(...))`` hands the clean world to
   :func:`helpers.synth.fraud.add_fraud`, which appends rows labelled in ``fraud_type``.
"""

from __future__ import annotations

import datetime as _dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.messages import t as _t  # `t` is a touches table in some functions
from helpers.synth.scenarios import (
    COUNTRIES,
    NETWORK_NAMES,
    NETWORKS,
    ORGANIC,
    OWNED_MEDIA,
    Scenario,
    get_scenario,
    site_ids,
)

DAY = 86_400
HOUR = 3_600
LOOKBACK_HISTORY_DAYS = 30
"""Touches are logged from this many days before ``start`` so early installs have a history."""

TABLE_NAMES: tuple[str, ...] = ("users", "touches", "installs", "events", "spend", "deeplink_clicks")
_NAT = np.iinfo(np.int64).min
_STR = "str"  # pandas' string dtype (object-backed strings on pandas 2)

_IOS_MODELS = (("iPhone16Pro", 0.22), ("iPhone16", 0.18), ("iPhone15", 0.20), ("iPhone14", 0.16),
               ("iPhone13", 0.14), ("iPhoneSE3", 0.10))
_IOS_VERSIONS = (("ios18.3", 0.45), ("ios18.2", 0.25), ("ios17.6", 0.30))
_ANDROID_MODELS = (("SM-S928N", 0.18), ("SM-S921N", 0.16), ("SM-A546N", 0.16), ("SM-F741N", 0.10),
                   ("Pixel8", 0.12), ("SM-A155F", 0.14), ("moto-g84", 0.08), ("SO-51D", 0.06))
_ANDROID_VERSIONS = (("android15", 0.40), ("android14", 0.45), ("android13", 0.15))
_CAMPAIGN_WEIGHTS = (0.5, 0.3, 0.2, 0.1)


# --------------------------------------------------------------------------------------------
# small vectorised helpers


def _pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indices drawn with the given (unnormalised) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    idx = np.searchsorted(cum / cum[-1], rng.random(size), side="right")
    return np.minimum(idx, len(cum) - 1)


def _ids(prefix: str, n: int, width: int, numbers: np.ndarray | None = None) -> np.ndarray:
    """``prefix`` + zero-padded numbers 1..n (e.g. u000001), as an object array of str.

    ``numbers`` (a permutation of 1..n) makes the same IDs in that order.
    """
    if n == 0:
        return np.array([], dtype=object)
    w = max(width, len(str(n)))
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    rows = np.empty((n, len(head) + w + 1), dtype=np.uint8)
    rows[:, :len(head)] = head
    rows[:, -1] = ord("\n")
    nums = np.arange(1, n + 1, dtype=np.int64) if numbers is None else np.asarray(numbers, dtype=np.int64)
    for j in range(len(head) + w - 1, len(head) - 1, -1):
        nums, digit = np.divmod(nums, 10)
        rows[:, j] = 48 + digit
    return np.array(rows.tobytes().decode("ascii").split("\n")[:-1], dtype=object)


def _char_table(texts) -> tuple[np.ndarray, np.ndarray]:
    """Short ASCII strings -> (k, longest) uint8 characters (left-aligned) and their lengths."""
    texts = [str(t) for t in texts]
    width = max(1, max(map(len, texts)) if texts else 1)
    chars = np.zeros((len(texts), width), dtype=np.uint8)
    for i, t in enumerate(texts):
        chars[i, :len(t)] = np.frombuffer(t.encode("ascii"), dtype=np.uint8)
    return chars, np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))


def _join_text(pieces: list[tuple[np.ndarray, np.ndarray | int]], n: int) -> np.ndarray:
    """Concatenate per-row text pieces into one str per row (an object array), in one pass.

    Each piece is ``(chars, lengths)``: ``chars`` an (n, w) or (1, w) uint8 array, left-aligned, and
    ``lengths`` how many of its w characters each row uses. The rows go into one byte buffer that is
    decoded and split once, instead of a Python string per piece per row.
    """
    if n == 0:
        return np.array([], dtype=object)
    width = sum(c.shape[1] for c, _ in pieces) + 1
    text = np.empty((n, width), dtype=np.uint8)
    used = np.empty((n, width), dtype=bool)
    pos = 0
    for chars, lengths in pieces:
        w = chars.shape[1]
        text[:, pos:pos + w] = chars
        used[:, pos:pos + w] = np.arange(w) < np.reshape(lengths, (-1, 1))
        pos += w
    text[:, pos] = ord("\n")
    used[:, pos] = True
    return np.array(text[used].tobytes().decode("ascii").split("\n")[:-1], dtype=object)


def _const(text: str) -> tuple[np.ndarray, int]:
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(1, -1), len(text)


_OCTET_CHARS, _OCTET_LENS = _char_table(range(256))
_HEX_CHARS: list[tuple[np.ndarray, np.ndarray]] = []


def _ipv4_pieces(x: np.ndarray) -> list:
    """Text pieces of the dotted addresses of integers in [0, 2**22) (100.64.0.0/10)."""
    parts = [_const("100.")]
    for j, octet in enumerate((64 + (x >> 16), (x >> 8) & 255, x & 255)):
        if j:
            parts.append(_const("."))
        parts.append((_OCTET_CHARS[octet], _OCTET_LENS[octet]))
    return parts


def _ipv6_pieces(groups: np.ndarray) -> list:
    """Text pieces of addresses in 2001:db8::/32 from (k, 6) integers in [0, 65536)."""
    if not _HEX_CHARS:
        _HEX_CHARS.append(_char_table(f"{i:x}" for i in range(1 << 16)))
    hx, hl = _HEX_CHARS[0]
    parts = [_const("2001:db8")]
    for j in range(groups.shape[1] if len(groups) else 0):
        parts += [_const(":"), (hx[groups[:, j]], hl[groups[:, j]])]
    return parts


def _ip_strings(x: np.ndarray) -> np.ndarray:
    """Integers in [0, 2**22) -> dotted addresses in 100.64.0.0/10 (RFC 6598, never routed)."""
    x = np.asarray(x, dtype=np.int64)
    return _join_text(_ipv4_pieces(x), len(x))


def _ipv6_strings(groups: np.ndarray) -> np.ndarray:
    """(k, 6) integers in [0, 65536) -> addresses in 2001:db8::/32 (RFC 3849, documentation only)."""
    return _join_text(_ipv6_pieces(np.asarray(groups, dtype=np.int64)), len(groups))


def _address_strings(ip_int: np.ndarray, v6_groups: np.ndarray | None, attrs: tuple, attrs_code: np.ndarray):
    """(addresses, fingerprints "address|model|os") of rows: IPv4 from ``ip_int``, or IPv6 from
    ``v6_groups`` when given; ``attrs`` is a :func:`_char_table` of model|os texts, indexed by ``attrs_code``."""
    n = len(ip_int)
    pieces = _ipv4_pieces(ip_int) if v6_groups is None else _ipv6_pieces(v6_groups)
    return (_join_text(pieces, n),
            _join_text(pieces + [_const("|"), (attrs[0][attrs_code], attrs[1][attrs_code])], n))


def _device_ids(rng: np.random.Generator, n: int, upper: np.ndarray) -> np.ndarray:
    """UUID-shaped advertising IDs (IDFA upper case on iOS, GAID lower case on Android)."""
    return _device_id_strings(rng.integers(0, 256, size=(n, 16), dtype=np.uint8), upper)


def _device_id_strings(raw: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """(n, 16) random bytes -> UUID-shaped strings, upper case where ``upper``."""
    n = len(raw)
    if n == 0:
        return np.array([], dtype=object)
    chars = np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype=np.uint8).reshape(n, 32).copy()
    up = np.asarray(upper, bool)[:, None] & (chars >= ord("a"))
    chars[up] -= 32  # a-f -> A-F
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    newline = np.full((n, 1), ord("\n"), dtype=np.uint8)
    out = np.concatenate([chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash, chars[:, 16:20], dash,
                          chars[:, 20:], newline], axis=1)
    return np.array(out.tobytes().decode("ascii").split("\n")[:-1], dtype=object)


def _libc_trim():
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        trim = ctypes.CDLL(name).malloc_trim if name else None
        if trim is not None:
            trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
        return trim
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows): nothing to do
        return None


_MALLOC_TRIM = _libc_trim()


def release_memory(rows: int | None = None) -> None:
    """Give the memory freed while building big tables back to the operating system (glibc only).

    Building a world of a million people frees gigabytes of temporary arrays of many sizes; glibc
    keeps most of that in the process (the resident size stays about twice the live data) unless
    asked with ``malloc_trim``. :func:`generate_world`, :func:`~helpers.synth.fraud.add_fraud` and
    the views call this when they handled ``rows`` >= 50,000 rows (``None``: always); elsewhere
    (macOS, musl) it does nothing.
    """
    if _MALLOC_TRIM is not None and (rows is None or rows >= 50_000):
        _MALLOC_TRIM(0)


def releases_memory(func):
    """Decorator: call :func:`release_memory` after ``func`` returns (its temporaries are gone by then)."""
    import functools

    @functools.wraps(func)
    def wrapper(world, *args, **kwargs):
        out = func(world, *args, **kwargs)
        release_memory(len(world.touches))
        return out

    return wrapper


class _Progress:
    """A tqdm bar on stderr over the generator's stages (a no-op when not wanted)."""

    STAGES = 7

    def __init__(self, enabled: bool, label: str) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=self.STAGES, desc=label, unit="stage", file=sys.stderr)

    def step(self, stage: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(stage)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _to_utc(seconds: np.ndarray) -> pd.Series:
    """int64 seconds since the epoch (``_NAT`` for missing) -> ``datetime64[ns, UTC]``."""
    seconds = np.asarray(seconds, dtype=np.int64)
    ns = np.where(seconds == _NAT, _NAT, seconds * 1_000_000_000)
    return pd.Series(ns.astype("datetime64[ns]")).dt.tz_localize("UTC")


def _fast_strings() -> tuple:
    """(StringArray class, the "str" dtype) when pandas' "str" columns are object arrays of str / NaN."""
    try:
        from pandas.core.arrays.string_ import StringArray

        probe = pd.Series(np.array(["a", None], dtype=object), dtype=_STR)
        dtype = probe.dtype
        ok = (type(probe.array) is StringArray and hasattr(StringArray, "_simple_new")
              and isinstance(getattr(probe.array, "_ndarray", None), np.ndarray)
              and probe.array._ndarray.dtype == object and probe.array._ndarray[1] is dtype.na_value
              and isinstance(dtype.na_value, float))
        return (StringArray, dtype) if ok else (None, None)
    except Exception:  # noqa: BLE001  another pandas: the checked constructor below
        return None, None


_STRING_ARRAY, _STR_DTYPE = _fast_strings()


def _str_col(values) -> pd.Series:
    """An object array of ``str`` (NaN where missing, never None) as a "str" column.

    The generator makes these arrays itself, so pandas' per-value check and copy (a pass over
    every string object: seconds at a million users) is skipped where pandas stores such columns
    as exactly this array (pandas 3 without pyarrow); other versions take the checked path.
    """
    values = np.asarray(values, dtype=object)
    if _STRING_ARRAY is not None:
        return pd.Series(_STRING_ARRAY._simple_new(values, _STR_DTYPE), copy=False)
    return pd.Series(values, dtype=_STR, copy=False)


def _labels(flags: np.ndarray, if_false: str, if_true: str) -> np.ndarray:
    """Booleans -> one of two labels (shared string objects, no per-row allocation)."""
    return np.array([if_false, if_true], dtype=object)[np.asarray(flags, dtype=np.int8)]


def _order(*keys: np.ndarray) -> np.ndarray:
    """Stable sort order by integer keys, the major key first (ties keep the original order)."""
    n = len(keys[0])
    if n == 0:
        return np.arange(0)
    combined = np.zeros(n, dtype=np.int64)
    top = 1
    for key in keys:
        lo = int(key.min())
        span = int(key.max()) - lo + 1
        if top * span >= 1 << 62:
            return np.lexsort(tuple(reversed(keys)))
        combined = combined * span + (key - lo)
        top *= span
    return np.argsort(combined, kind="stable")


def _na_col(n: int) -> pd.Series:
    """A string column of missing values (``fraud_type`` of genuine rows)."""
    return _str_col(np.full(n, np.nan, dtype=object))


def _retention_curve(sc: Scenario, days: int) -> np.ndarray:
    """Probability of a session on day N (N = 0..days), log-linear between D1, D7 and D30."""
    n = np.arange(days + 1, dtype=float)
    xs, ys = [0.0, 1.0, 7.0, 30.0], np.log([1.0, sc.d1, sc.d7, sc.d30])
    curve = np.interp(n, xs, ys)
    tail_slope = (ys[3] - ys[2]) / 23.0 * 0.5  # flattens after day 30
    curve = np.where(n > 30, ys[3] + (n - 30) * tail_slope, curve)
    return np.exp(curve)


def _parse_start(start) -> int:
    try:
        ts = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise ValueError(_t("errors.synth.start_not_date", start=start)) from exc
    if ts is pd.NaT:
        raise ValueError(_t("errors.synth.start_not_date", start=start))
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if ts != ts.normalize():
        raise ValueError(_t("errors.synth.start_not_midnight", start=start))
    return int(ts.value // 1_000_000_000)


# --------------------------------------------------------------------------------------------
# the World


@dataclass(frozen=True, eq=False)
class WorldIndex:
    """Integer keys of a generated world's tables, so the views join on integers, not string IDs.

    Internal (the tables stay the public interface). It describes exactly the DataFrames in
    ``tables`` (users, touches, installs, events): :func:`world_index` hands it out only while a
    world still holds those very objects with the same lengths, so a World built from other
    tables (``dataclasses.replace``, :func:`helpers.data.load_world`, :func:`~helpers.synth.fraud.add_fraud`)
    falls back to the string columns. Edit a generated world's ID columns in place and this
    breaks: build a new World instead.

    * ``touch_user``, ``install_user``: row of ``users`` (= user number - 1) of each touch / install;
    * ``event_install``: row of ``installs`` of each event;
    * ``touch_campaign``: index into ``campaigns`` ((media_source, campaign) pairs, in the order the
      generator made them); ``campaign_network``: index into ``NETWORK_NAMES`` of each campaign;
    * ``touch_site``: index into ``sites`` (every site ID of every network); ``touch_click``: bool;
    * ``touch_fingerprint``, ``user_fingerprint``: integer codes, equal exactly where the
      ``fingerprint`` strings are equal (a touch's, and a person's own, as their installs carry);
    * IDs (``touch_id``, ``install_id``, ``event_id``, ``user_id``) are one prefix + 1..n in row order,
      and touches, installs and events are in (time, ID) order.
    """

    tables: tuple
    touch_user: np.ndarray
    touch_campaign: np.ndarray
    touch_site: np.ndarray
    touch_click: np.ndarray
    touch_fingerprint: np.ndarray
    user_fingerprint: np.ndarray
    install_user: np.ndarray
    event_install: np.ndarray
    campaigns: tuple
    campaign_network: np.ndarray
    sites: np.ndarray


def check_world(world, func: str) -> None:
    """A ValueError naming ``func`` unless ``world`` is a whole world (tables as attributes), e.g. when a
    learner passes one of its tables: ``mmp_view(world.installs)`` instead of ``mmp_view(world)``."""
    if not all(isinstance(getattr(world, name, None), pd.DataFrame) for name in WORLD_TABLES):
        raise ValueError(_t("errors.synth.not_a_world", func=func, type=type(world).__name__))


WORLD_TABLES = ("users", "touches", "installs", "events")
"""The tables every view and ``add_fraud`` read (``spend`` and ``deeplink_clicks`` are optional there)."""


def world_index(world) -> WorldIndex | None:
    """The world's :class:`WorldIndex` when it still describes the world's tables, else None."""
    ix = getattr(world, "_index", None)
    if ix is None:
        return None
    users, touches, installs, events = ix.tables
    if not (world.users is users and world.touches is touches and world.installs is installs
            and world.events is events):
        return None
    if not (len(users) == len(world.users) and len(ix.touch_user) == len(touches)
            and len(ix.install_user) == len(installs) and len(ix.event_install) == len(events)):
        return None
    return ix


def touch_campaign_pairs(world) -> pd.DataFrame:
    """``world.touches[["media_source", "campaign"]].drop_duplicates()`` (first occurrences, original index).

    Integer campaign codes from the :class:`WorldIndex` when the world has one; otherwise both
    columns are factorized and the unique combined codes found (much cheaper on millions of rows
    than hashing the string pairs).
    """
    df = world.touches
    ix = world_index(world)
    if ix is not None and len(ix.touch_campaign):
        codes = ix.touch_campaign
    else:
        ac, _ = pd.factorize(df["media_source"], use_na_sentinel=False)
        bc, bu = pd.factorize(df["campaign"], use_na_sentinel=False)
        codes = ac.astype(np.int64) * max(len(bu), 1) + bc
    if not len(codes):
        return df[["media_source", "campaign"]].iloc[:0]
    # first occurrence of each code: where the running maximum of the first-appearance codes grows
    fc, _ = pd.factorize(codes)
    rm = np.maximum.accumulate(fc)
    first = np.flatnonzero(np.r_[True, rm[1:] != rm[:-1]])
    return df[["media_source", "campaign"]].iloc[first]



@dataclass
class World:
    """A simulated marketing world: the truth, as tables.

    ``users``, ``touches``, ``installs``, ``events`` and ``spend`` are pandas DataFrames; see
    ``helpers.data.SCHEMAS`` (or the data card) for every column. Columns an MMP would never see
    (``user_id`` in touches, ``acquisition``, ``true_source``) are the simulator's ground truth.

    >>> world = generate_world(1_000, seed=7)
    >>> sorted(world.tables)
    ['deeplink_clicks', 'events', 'installs', 'spend', 'touches', 'users']
    """

    scenario: Scenario
    seed: int
    n_users: int
    start: pd.Timestamp
    days: int
    users: pd.DataFrame
    touches: pd.DataFrame
    installs: pd.DataFrame
    events: pd.DataFrame
    spend: pd.DataFrame
    deeplink_clicks: pd.DataFrame | None = None
    _index: WorldIndex | None = field(default=None, repr=False, compare=False)

    @property
    def vertical(self) -> str:
        return self.scenario.name

    @property
    def end(self) -> pd.Timestamp:
        """First instant after the data window (exclusive)."""
        return self.start + pd.Timedelta(days=self.days)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The world's tables by name (the DataFrames themselves, not copies)."""
        return {name: getattr(self, name) for name in TABLE_NAMES if getattr(self, name) is not None}

    def __repr__(self) -> str:
        return (f"World(vertical={self.vertical!r}, seed={self.seed}, users={len(self.users):,}, "
                f"touches={len(self.touches):,}, installs={len(self.installs):,}, "
                f"events={len(self.events):,}, {self.start.date()}..{(self.end - pd.Timedelta(days=1)).date()})")

    # ---- multi-touch paths ------------------------------------------------------------------

    def paths(self, conversion: str = "install", touch_types=("click", "impression"),
              include_retargeting: bool = False) -> pd.DataFrame:
        """Customer journeys aggregated for multi-touch attribution models.

        For each person with at least one touch, the media sources of their touches before the
        conversion (or all of them, when the person never converted) are joined in time order
        with ``" > "``. People with no touches are left out. ``conversion`` is ``"install"``
        (the first install), ``"sign_up"`` or ``"purchase"`` (the first one).

        Returns a DataFrame with columns ``path``, ``conversions``, ``nulls`` (integer counts),
        one row per distinct path, the most frequent first.

        >>> world = generate_world(1_000, seed=7)
        >>> list(world.paths().columns)
        ['path', 'conversions', 'nulls']
        """
        valid = ("install", "sign_up", "purchase")
        if conversion not in valid:
            raise ValueError(_t("errors.synth.paths_conversion", conversion=conversion, valid=", ".join(valid)))
        types = (touch_types,) if isinstance(touch_types, str) else tuple(touch_types)
        bad = sorted(set(types) - {"click", "impression"})
        if bad or not types:
            raise ValueError(_t("errors.synth.paths_touch_types", touch_types=touch_types))

        if conversion == "install":
            conv = self.users.set_index("user_id")["first_install_time"].dropna()
        else:
            ev = self.events[self.events["event_name"] == conversion]
            conv = ev.groupby("user_id", sort=True)["event_time"].min()

        t = self.touches
        t = t[t["touch_type"].isin(types)]
        if not include_retargeting:
            t = t[~t["is_retargeting"]]
        t = t[["user_id", "touch_time", "touch_id", "media_source"]]
        conv = conv.astype("datetime64[ns, UTC]")
        conv_time = conv.reindex(t["user_id"].to_numpy()).set_axis(t.index)
        t = t[conv_time.isna() | (t["touch_time"] < conv_time)]
        t = t.sort_values(["user_id", "touch_time", "touch_id"], kind="stable")
        # one pass over the sorted touches (much faster than groupby(...).agg(" > ".join))
        users_sorted, journeys, current, buf = [], [], None, []
        for user, source in zip(t["user_id"].tolist(), t["media_source"].tolist(), strict=True):
            if user != current:
                if buf:
                    journeys.append(" > ".join(buf))
                users_sorted.append(user)
                current, buf = user, []
            buf.append(source)
        if buf:
            journeys.append(" > ".join(buf))
        converted = pd.Index(users_sorted).isin(conv.index)
        out = pd.DataFrame({"path": np.asarray(journeys, dtype=object),
                            "conversions": converted.astype(np.int64),
                            "nulls": (~converted).astype(np.int64)})
        out = out.groupby("path", sort=True, as_index=False)[["conversions", "nulls"]].sum()
        out["_n"] = out["conversions"] + out["nulls"]
        out = out.sort_values(["_n", "path"], ascending=[False, True], kind="stable").drop(columns="_n")
        out["path"] = out["path"].astype(_STR)
        return out.reset_index(drop=True)

    # ---- output -----------------------------------------------------------------------------

    def write(self, directory, include_paths: bool = True) -> list[Path]:
        """Write every table as ``<name>.csv`` (and ``paths.csv``) into ``directory``.

        The files are deterministic: rows in ID order, UTC timestamps as ``YYYY-MM-DDTHH:MM:SSZ``,
        dates as ``YYYY-MM-DD``, money with two decimals, booleans as ``true``/``false``, empty
        cells for missing values, LF line endings. Returns the paths written.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tables = dict(self.tables)
        if include_paths:
            tables["paths"] = self.paths()
        written = []
        for name, df in tables.items():
            path = directory / f"{name}.csv"
            path.write_bytes(to_csv_bytes(df))
            written.append(path)
        return written

    def describe(self) -> str:
        """A short plain-text summary of the world (what a lesson prints first)."""
        u, i, t, e, s = self.users, self.installs, self.touches, self.events, self.spend
        first = i[~i["is_reinstall"]]
        ios = u["platform"] == "ios"
        purchases = e[e["event_name"] == "purchase"]
        clicks = int((t["touch_type"] == "click").sum())
        paid = first[first["true_source"] != ORGANIC]
        lines = [
            f"{self.scenario.label} ({self.vertical}), seed {self.seed}, "
            f"{self.start.date()} to {(self.end - pd.Timedelta(days=1)).date()} ({self.days} days, UTC)",
            f"people: {len(u):,} ({(u['platform'] == 'android').mean():.0%} Android; "
            f"ATT opt-in {u.loc[ios, 'att_consent'].mean():.0%} of iOS; "
            + ", ".join(f"{c} {(u['country'] == c).mean():.0%}" for c in COUNTRIES) + ")",
            f"installs: {len(i):,} ({len(first):,} first installs, {int(i['is_reinstall'].sum()):,} "
            f"reinstalls); organic share of first installs {(first['true_source'] == ORGANIC).mean():.0%}",
            f"touches: {len(t):,} ({clicks:,} clicks, {len(t) - clicks:,} impressions, "
            f"{int(t['is_retargeting'].sum()):,} retargeting) on "
            f"{t['user_id'].nunique():,} people",
            f"events: {len(e):,} ({int((e['event_name'] == 'session').sum()):,} sessions, "
            f"{int((e['event_name'] == 'sign_up').sum()):,} sign-ups, {len(purchases):,} purchases, "
            f"revenue {purchases['revenue'].sum():,.2f} USD)",
            f"spend: {s['cost'].sum():,.2f} USD over {len(s[['media_source', 'campaign']].drop_duplicates())} "
            f"campaigns; "
            f"true CPI {s['cost'].sum() / max(len(paid), 1):.2f} USD per truly paid install",
        ]
        android = i[i["platform"] == "android"]
        if "referrer_click_time" in i and len(android):
            lines.append(f"Android installs with a Play referrer click: {android['referrer_click_time'].notna().mean():.0%}")
        d = self.deeplink_clicks
        if d is not None and len(d):
            lines.append(f"deep-link clicks: {len(d):,} ({(d['link_kind'] == 'deferred').mean():.0%} deferred; "
                         f"{d['opened'].mean():.0%} opened the app on the path)")
        if "fraud_type" in i and i["fraud_type"].notna().any():
            lines.append(f"fraud: {int(i['fraud_type'].notna().sum()):,} fraudulent installs "
                         f"({i['fraud_type'].notna().mean():.1%})")
        return "\n".join(lines)


def _iso_strings(values: np.ndarray, date_only: bool = False) -> np.ndarray:
    """datetime64[s] -> 'YYYY-MM-DDTHH:MM:SSZ' (or 'YYYY-MM-DD') as an object array; NaT -> 'NaT'."""
    nat = np.isnat(values)
    secs = np.where(nat, 0, values.astype(np.int64))
    days = secs // DAY
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    if len(values) and (years.min() < 1000 or years.max() > 9999):
        text = np.datetime_as_string(values, unit="D" if date_only else "s").astype(object)
        return text if date_only else text + "Z"
    tod = secs - days * DAY
    fields = [(years, 4), (b"-", 0), (months, 2), (b"-", 0), (mdays, 2)]
    if not date_only:
        fields += [(b"T", 0), (tod // HOUR, 2), (b":", 0), (tod // 60 % 60, 2), (b":", 0), (tod % 60, 2), (b"Z", 0)]
    width = sum(w if w else 1 for _, w in fields)
    rows = np.empty((len(values), width + 1), dtype=np.uint8)
    pos = 0
    for value, w in fields:
        if not w:
            rows[:, pos] = value[0]
            pos += 1
            continue
        v = value.copy()
        for j in range(pos + w - 1, pos - 1, -1):
            v, digit = np.divmod(v, 10)
            rows[:, j] = 48 + digit
        pos += w
    rows[:, -1] = ord("\n")
    text = np.array(rows.tobytes().decode("ascii").split("\n")[:-1], dtype=object)
    text[nat] = "NaT"
    return text


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic CSV text of a world table (see :meth:`World.write`)."""
    out = {}
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            values = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[s]")
            is_date = bool(len(values)) and bool((values.astype(np.int64) % DAY == 0).all()) and col == "date"
            text = _iso_strings(values, date_only=is_date)
            text[s.isna().to_numpy()] = ""
            out[col] = text
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = np.where(s.to_numpy(dtype=bool), "true", "false").astype(object)
        elif pd.api.types.is_float_dtype(s.dtype):
            out[col] = np.char.mod("%.2f", s.to_numpy(dtype=float)).astype(object)
        elif pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.astype(object).where(s.notna(), "").to_numpy(dtype=object)
        else:
            out[col] = np.array([str(v) for v in s.tolist()], dtype=object)
            out[col][s.isna().to_numpy()] = ""
    columns = list(df.columns)
    special = any(ch in str(c) for c in columns for ch in ',"\n\r')
    for text in out.values():
        joined = "\x00".join(text.tolist())
        special = special or any(ch in joined for ch in ',"\n\r')
    if special or not columns:  # quoting needed: let pandas apply the CSV rules
        frame = pd.DataFrame(out, columns=columns)
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    header = ",".join(map(str, columns)) + "\n"
    if not len(df):
        return header.encode("utf-8")
    rows = map(",".join, zip(*(out[c].tolist() for c in columns), strict=True))
    return (header + "\n".join(rows) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# generation


def _check_args(n_users, seed, days) -> None:
    if isinstance(n_users, bool) or not isinstance(n_users, (int, np.integer)) or n_users < 1:
        raise ValueError(_t("errors.synth.n_users", n_users=n_users))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(_t("errors.synth.seed", seed=seed))
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or not 1 <= days <= 3650:
        raise ValueError(_t("errors.synth.days", days=days))


def _day_weights(sc: Scenario, t0: int, days: int) -> np.ndarray:
    """Relative install demand of each day of the window (month x weekday multipliers)."""
    d = (t0 // DAY + np.arange(days)).astype("datetime64[D]")
    month = d.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (d.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return np.asarray(sc.monthly_demand, dtype=float)[month] * np.asarray(sc.weekly_demand, dtype=float)[weekday]


def generate_world(n_users: int, seed: int, vertical: str = "gaming", start="2026-03-01", days: int = 60,
                   *, scenario: Scenario | None = None, fraud=None, progress: bool = False) -> World:
    """Simulate a marketing world of ``n_users`` people (installers and people who only saw ads).

    Deterministic: the same arguments give byte-identical tables. ``vertical`` is one of
    ``"gaming"``, ``"ecommerce"``, ``"home_services"``, ``"subscription"``; pass ``scenario`` (a
    :class:`~helpers.synth.scenarios.Scenario`) to use custom parameters instead.
    Installs fall in ``[start, start + days)``; touches are logged from 30 days before ``start``.
    ``fraud`` (a ``helpers.synth.fraud.FraudMix``) adds labelled fraudulent rows with
    ``helpers.synth.fraud.add_fraud``; ``None`` keeps the world clean. ``progress=True`` shows a
    progress bar on stderr (useful for a million users).

    >>> world = generate_world(2_000, seed=1, vertical="ecommerce")
    >>> world.installs["install_time"].dt.tz is not None
    True
    """
    world = _generate(n_users, seed, vertical, start, days, scenario=scenario, fraud=fraud, progress=progress)
    release_memory(int(n_users))  # (after the builder's temporaries are gone)
    return world


def _generate(n_users, seed, vertical, start, days, *, scenario, fraud, progress) -> World:
    _check_args(n_users, seed, days)
    sc = scenario if scenario is not None else get_scenario(vertical)
    if not isinstance(sc, Scenario):
        raise ValueError(_t("errors.synth.scenario_type", type=type(sc).__name__))
    n, days = int(n_users), int(days)
    t0 = _parse_start(start)
    end = t0 + days * DAY
    rng = np.random.default_rng(int(seed))
    bar = _Progress(progress, _t("synth.progress.world", vertical=sc.name, people=n))

    # ---- people ------------------------------------------------------------------------------
    country = _pick(rng, [sc.country_mix[c] for c in COUNTRIES], n)
    android = rng.random(n) < np.array([sc.android_share[c] for c in COUNTRIES])[country]
    ios = ~android
    att = android | (rng.random(n) < sc.att_opt_in)
    installer = rng.random(n) >= sc.never_install_share
    organic = rng.random(n) < sc.organic_share
    mix = np.array([sc.network_mix.get(name, 0.0) for name in NETWORK_NAMES])
    ios_only = np.array([net.platforms == ("ios",) for net in NETWORKS])
    mix_android = np.where(ios_only, 0.0, mix)
    u = rng.random(n)
    net_ios = np.minimum(np.searchsorted(np.cumsum(mix) / mix.sum(), u, side="right"), len(mix) - 1)
    net_and = np.minimum(np.searchsorted(np.cumsum(mix_android) / mix_android.sum(), u, side="right"),
                         len(mix) - 1)
    paid_net = np.where(android, net_and, net_ios)
    acq = np.where(~installer, -2, np.where(organic, -1, paid_net))

    models_i = _pick(rng, [w for _, w in _IOS_MODELS], n)
    models_a = _pick(rng, [w for _, w in _ANDROID_MODELS], n)
    os_i = _pick(rng, [w for _, w in _IOS_VERSIONS], n)
    os_a = _pick(rng, [w for _, w in _ANDROID_VERSIONS], n)
    attrs_i = np.array([f"{m}|{v}" for m, _ in _IOS_MODELS for v, _ in _IOS_VERSIONS], dtype=object)
    attrs_a = np.array([f"{m}|{v}" for m, _ in _ANDROID_MODELS for v, _ in _ANDROID_VERSIONS], dtype=object)
    model = np.where(ios, np.array([m for m, _ in _IOS_MODELS], dtype=object)[models_i],
                     np.array([m for m, _ in _ANDROID_MODELS], dtype=object)[models_a])

    # IPs: country blocks of 2**20 addresses; carrier-NAT pools (shared by many people) in the top block;
    # some people (not behind carrier NAT) are on IPv6 from the documentation prefix 2001:db8::/32
    nat = rng.random(n) < sc.carrier_nat_share
    nat_pool = max(4, int(round(n * sc.carrier_nat_share / 12 / len(COUNTRIES))))
    home_ip = (country << 20) + rng.integers(0, 1 << 20, n)
    nat_ip = (3 << 20) + (country << 18) + rng.integers(0, nat_pool, n)
    ip_int = np.where(nat, nat_ip, home_ip)
    v6 = np.flatnonzero(~nat & (rng.random(n) < sc.ipv6_share / max(1e-9, 1.0 - sc.carrier_nat_share)))
    v6_groups = rng.integers(0, 1 << 16, (len(v6), 6))
    raw_ids = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    bar.step(_t("synth.progress.stage.people"))

    # ---- install times (seasonal) -----------------------------------------------------------------
    reinstaller = installer & (rng.random(n) < sc.reinstall_rate)
    anchor = t0 + _pick(rng, _day_weights(sc, t0, days), n) * DAY + rng.integers(0, DAY, n)
    within_90 = rng.random(n) < 0.6
    gap = np.where(within_90, rng.uniform(2, 89, n), rng.uniform(91, 240, n))
    gap = np.round(gap * DAY).astype(np.int64)
    t_first = np.where(installer, np.where(reinstaller, anchor - gap, anchor), _NAT)
    t_re = np.where(reinstaller, anchor, _NAT)
    first_in = installer & (t_first >= t0)
    rt_nets = np.array([i for i, net in enumerate(NETWORKS) if net.retargeting_campaign])
    rt_caused = reinstaller & (rng.random(n) < sc.retargeted_reinstall_share)
    rt_net_user = rt_nets[_pick(rng, mix[rt_nets], n)]
    # download time: store download start (Play install_begin) -> first open
    def download_seconds():
        return np.round(np.clip(rng.lognormal(np.log(sc.download_seconds_median), 0.9, n), 4, 1800)).astype(np.int64)
    dl_first, dl_re = download_seconds(), download_seconds()

    # per-person strings, created in install-time order: the time-ordered tables then read them in
    # memory order (much faster at a million people); the values do not depend on this order
    perm = np.argsort(anchor, kind="stable")
    v6_row = np.full(n, -1, dtype=np.int64)
    v6_row[v6] = np.arange(len(v6))
    # model|os of each person as a code into one table (iOS pairs, then Android pairs)
    attrs_code = np.where(ios, models_i * len(_IOS_VERSIONS) + os_i,
                          len(attrs_i) + models_a * len(_ANDROID_VERSIONS) + os_a).astype(np.int64)
    attrs_chars = _char_table([*attrs_i, *attrs_a])
    ip, fingerprint, user_ids = (np.empty(n, dtype=object) for _ in range(3))
    on_v6 = v6_row[perm] >= 0
    for rows, groups in ((perm[~on_v6], None), (perm[on_v6], v6_groups[v6_row[perm[on_v6]]])):
        ip[rows], fingerprint[rows] = _address_strings(ip_int[rows], groups, attrs_chars, attrs_code[rows])
    device_id = np.full(n, np.nan, dtype=object)  # no advertising ID: missing (NaN: see _str_col)
    with_id = perm[att[perm]]
    device_id[with_id] = _device_id_strings(raw_ids[with_id], ios[with_id])
    user_ids[perm] = _ids("u", n, 6, numbers=perm + 1)
    del raw_ids, with_id, on_v6
    # fingerprints as integers (address code x 64 + model|os code) for the views' joins: IPv4 addresses
    # by their number, IPv6 ones by their distinct text above 2**22
    ip_code = ip_int.astype(np.int64)
    ip_code[v6] = (1 << 22) + pd.factorize(ip[v6])[0]
    user_fp = ip_code * 64 + attrs_code
    del ip_code

    # ---- campaigns and sites --------------------------------------------------------------------
    camp_names, camp_net, camp_rt = [], [], []
    ua_camps, rt_camp = [], []
    for i, net in enumerate(NETWORKS):
        ua_camps.append([])
        for kind in net.campaigns:
            ua_camps[i].append(len(camp_names))
            camp_names.append(f"{sc.name}_{kind}")
            camp_net.append(i)
            camp_rt.append(False)
        if net.retargeting_campaign:
            rt_camp.append(len(camp_names))
            camp_names.append(f"{sc.name}_{net.retargeting_campaign}")
            camp_net.append(i)
            camp_rt.append(True)
        else:
            rt_camp.append(-1)
    site_names, site_start = [], []
    for i, net in enumerate(NETWORKS):
        site_start.append(len(site_names))
        site_names.extend(site_ids(i, net.n_sites))

    def campaigns_for(nets: np.ndarray, retargeting: bool) -> np.ndarray:
        out = np.empty(len(nets), dtype=np.int64)
        for i in range(len(NETWORKS)):
            mask = nets == i
            k = int(mask.sum())
            if not k:
                continue
            if retargeting:
                out[mask] = rt_camp[i]
            else:
                choices = ua_camps[i]
                out[mask] = np.asarray(choices)[_pick(rng, _CAMPAIGN_WEIGHTS[:len(choices)], k)]
        return out

    def sites_for(nets: np.ndarray) -> np.ndarray:
        out = np.empty(len(nets), dtype=np.int64)
        for i, net in enumerate(NETWORKS):
            mask = nets == i
            k = int(mask.sum())
            if k:
                zipf = 1.0 / np.arange(1, net.n_sites + 1) ** 1.1
                out[mask] = site_start[i] + _pick(rng, zipf, k)
        return out

    def random_networks(users_idx: np.ndarray) -> np.ndarray:
        v = rng.random(len(users_idx))
        a = np.minimum(np.searchsorted(np.cumsum(mix_android) / mix_android.sum(), v, side="right"), len(mix) - 1)
        b = np.minimum(np.searchsorted(np.cumsum(mix) / mix.sum(), v, side="right"), len(mix) - 1)
        return np.where(android[users_idx], a, b)

    parts: list[dict[str, np.ndarray]] = []

    def add(users_idx, nets, click, times, retargeting: bool, causal=None):
        k = len(users_idx)
        parts.append({"user": users_idx.astype(np.int64), "net": nets.astype(np.int64),
                      "click": click.astype(bool), "time": times.astype(np.int64),
                      "rt": np.full(k, retargeting), "causal": np.zeros(k, bool) if causal is None else causal})

    # A. the touch that caused each paid first install (a click comes before the download starts)
    paid = np.flatnonzero(first_in & (acq >= 0))
    k = len(paid)
    click = rng.random(k) >= sc.view_through_share
    quick = rng.random(k) < 0.85
    click_delay = np.where(quick, np.clip(rng.lognormal(np.log(1800), 1.3, k), 30, 6 * DAY),
                           rng.uniform(HOUR, 10 * DAY, k))
    view_delay = np.where(rng.random(k) < 0.9, rng.uniform(300, 20 * HOUR, k), rng.uniform(20 * HOUR, 48 * HOUR, k))
    causal_time = (t_first[paid] - dl_first[paid]
                   - np.round(np.where(click, click_delay, view_delay)).astype(np.int64))
    add(paid, acq[paid], click, causal_time, False, causal=np.ones(k, bool))
    ref_first = np.full(n, _NAT)
    ref_first[paid[click]] = causal_time[click]
    # A2. frequency: extra impressions from the same source before the causal touch
    reps = rng.poisson(1.0, k)
    idx = np.repeat(np.arange(k), reps)
    add(paid[idx], acq[paid][idx], np.zeros(len(idx), bool),
        causal_time[idx] - rng.integers(60, 7 * DAY, len(idx)), False)

    # B. background touches on everyone who installs in the window or never installs
    exposed = np.flatnonzero(first_in | ~installer)
    for is_click, lam in ((False, sc.impressions_per_user), (True, sc.clicks_per_user)):
        counts = rng.poisson(lam, len(exposed))
        who = np.repeat(exposed, counts)
        m = len(who)
        age = np.minimum(rng.exponential(6 * DAY, m), LOOKBACK_HISTORY_DAYS * DAY - 60)
        before_install = t_first[who] - 60 - np.round(age).astype(np.int64)
        anytime = (t0 - LOOKBACK_HISTORY_DAYS * DAY) + rng.integers(0, (days + LOOKBACK_HISTORY_DAYS) * DAY, m)
        add(who, random_networks(who), np.full(m, is_click), np.where(installer[who], before_install, anytime), False)

    # C. retargeting of people who already installed (re-engagement ads)
    rt_users = np.flatnonzero(first_in & (rng.random(n) < sc.retargeting_share))
    counts = 1 + rng.poisson(1.5, len(rt_users))
    who = np.repeat(rt_users, counts)
    m = len(who)
    times = t_first[who] + rng.integers(DAY, 45 * DAY, m)
    nets = rt_nets[_pick(rng, mix[rt_nets], m)]
    rt_click = rng.random(m) < 0.3
    keep = times < end
    add(who[keep], nets[keep], rt_click[keep], times[keep], True)

    # D. the retargeting click that brought a re-installer back
    rt_re = np.flatnonzero(rt_caused)
    delay = np.clip(rng.lognormal(np.log(2 * HOUR), 1.0, len(rt_re)), 60, 1.5 * DAY)
    ref_re = np.full(n, _NAT)
    ref_re[rt_re] = t_re[rt_re] - dl_re[rt_re] - np.round(delay).astype(np.int64)
    add(rt_re, rt_net_user[rt_re], np.ones(len(rt_re), bool), ref_re[rt_re], True, causal=np.ones(len(rt_re), bool))

    tc = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    parts.clear()  # (free the pieces: a million people's touches are hundreds of MB)
    keep = (tc["time"] >= t0 - LOOKBACK_HISTORY_DAYS * DAY) & (tc["time"] < end)
    tc = {key: v[keep] for key, v in tc.items()}
    m = len(tc["user"])
    tc["campaign"] = np.empty(m, dtype=np.int64)
    rt_mask = tc["rt"]
    tc["campaign"][~rt_mask] = campaigns_for(tc["net"][~rt_mask], False)
    tc["campaign"][rt_mask] = campaigns_for(tc["net"][rt_mask], True)
    tc["site"] = sites_for(tc["net"])
    # a touch's IP (and so its fingerprint) differs from the install's when the network changed in
    # between (Wi-Fi vs cellular)
    changed = rng.random(m) < sc.fingerprint_change_rate
    new_ip_int = np.full(m, -1, dtype=np.int64)
    ci = np.flatnonzero(changed)
    new_ip_int[ci] = (country[tc["user"][ci]] << 20) + rng.integers(0, 1 << 20, len(ci))
    order = _order(tc["time"], tc["user"])
    tc = {key: v[order] for key, v in tc.items()}
    new_ip_int = new_ip_int[order]
    touch_ip = ip[tc["user"]]
    touch_fp = fingerprint[tc["user"]]
    ci = np.flatnonzero(new_ip_int >= 0)
    touch_ip[ci], touch_fp[ci] = _address_strings(new_ip_int[ci], None, attrs_chars, attrs_code[tc["user"][ci]])
    touch_fp_code = user_fp[tc["user"]]
    touch_fp_code[ci] = new_ip_int[ci] * 64 + attrs_code[tc["user"][ci]]

    net_names = np.array(NETWORK_NAMES, dtype=object)
    camp_arr = np.array(camp_names, dtype=object)
    touches = pd.DataFrame({
        "touch_id": _str_col(_ids("t", m, 7)),
        "user_id": _str_col(user_ids[tc["user"]]),
        "device_id": _str_col(device_id[tc["user"]]),
        "fingerprint": _str_col(touch_fp),
        "ip": _str_col(touch_ip),
        "media_source": _str_col(net_names[tc["net"]]),
        "campaign": _str_col(camp_arr[tc["campaign"]]),
        "site_id": _str_col(np.array(site_names, dtype=object)[tc["site"]]),
        "touch_type": _str_col(_labels(tc["click"], "impression", "click")),
        "touch_time": _to_utc(tc["time"]),
        "is_retargeting": pd.Series(tc["rt"], dtype=bool),
        "fraud_type": _na_col(m),
    }, copy=False)
    bar.step(_t("synth.progress.stage.touches"))

    # ---- installs ----------------------------------------------------------------------------------
    fi = np.flatnonzero(first_in)
    ri = np.flatnonzero(reinstaller)
    inst_user = np.concatenate([fi, ri])
    inst_time = np.concatenate([t_first[fi], t_re[ri]])
    inst_re = np.concatenate([np.zeros(len(fi), bool), np.ones(len(ri), bool)])
    inst_prev = np.concatenate([np.full(len(fi), _NAT), t_first[ri]])
    src_code = np.concatenate([np.where(acq[fi] >= 0, acq[fi], -1), np.where(rt_caused[ri], rt_net_user[ri], -1)])
    inst_ref = np.concatenate([ref_first[fi], ref_re[ri]])
    inst_begin = inst_time - np.concatenate([dl_first[fi], dl_re[ri]])
    order = _order(inst_time, inst_user)
    inst_user, inst_time, inst_re, inst_prev, src_code, inst_ref, inst_begin = (
        a[order] for a in (inst_user, inst_time, inst_re, inst_prev, src_code, inst_ref, inst_begin))
    inst_android = android[inst_user]
    inst_ref = np.where(inst_android, inst_ref, _NAT)
    inst_begin = np.where(inst_android, inst_begin, _NAT)
    inst_src = np.array([*NETWORK_NAMES, ORGANIC], dtype=object)[np.where(src_code >= 0, src_code, len(NETWORK_NAMES))]
    k = len(inst_user)
    install_ids = _ids("i", k, 6)
    installs = pd.DataFrame({
        "install_id": _str_col(install_ids),
        "user_id": _str_col(user_ids[inst_user]),
        "device_id": _str_col(device_id[inst_user]),
        "fingerprint": _str_col(fingerprint[inst_user]),
        "ip": _str_col(ip[inst_user]),
        "platform": _str_col(_labels(inst_android, "ios", "android")),
        "country": _str_col(np.array(COUNTRIES, dtype=object)[country[inst_user]]),
        "install_time": _to_utc(inst_time),
        "install_begin_time": _to_utc(inst_begin),
        "referrer_click_time": _to_utc(inst_ref),
        "is_reinstall": pd.Series(inst_re, dtype=bool),
        "previous_install_time": _to_utc(inst_prev),
        "true_source": _str_col(inst_src),
        "fraud_type": _na_col(k),
    }, copy=False)
    bar.step(_t("synth.progress.stage.installs"))

    # ---- events --------------------------------------------------------------------------------------
    # activity of a first install stops when the person re-installs (the new install takes over)
    obs_end = np.where(~inst_re & reinstaller[inst_user], np.minimum(end, t_re[inst_user]), end)
    ev_inst, ev_time, ev_kind, ev_rev = [], [], [], []

    def add_events(inst_idx, times, kind, revenue=None):
        keep = times < obs_end[inst_idx]
        ev_inst.append(inst_idx[keep])
        ev_time.append(times[keep])
        ev_kind.append(np.full(int(keep.sum()), kind, dtype=np.int8))
        ev_rev.append(np.zeros(int(keep.sum())) if revenue is None else revenue[keep])

    all_inst = np.arange(k)
    add_events(all_inst, inst_time.copy(), 0)  # first open
    curve = _retention_curve(sc, days)
    engagement = rng.gamma(2.0, 0.5, k)
    alive = all_inst
    for day in range(1, days + 1):
        alive = alive[inst_time[alive] + day * DAY < obs_end[alive]]
        if not len(alive):
            break
        active = rng.random(len(alive)) < np.minimum(1.0, curve[day] * engagement[alive])
        who = alive[active]
        add_events(who, inst_time[who] + day * DAY + rng.integers(0, DAY, len(who)), 0)

    firsts = np.flatnonzero(~inst_re)
    signed = firsts[rng.random(len(firsts)) < sc.sign_up_rate]
    su_time = inst_time[signed] + np.round(rng.exponential(0.25 * DAY, len(signed))).astype(np.int64) + 30
    add_events(signed, su_time, 1)
    # installs from better sources buy more often; the average over first installs stays the scenario's
    quality = np.array([sc.quality(name) for name in NETWORK_NAMES] + [sc.quality(ORGANIC)])
    q = quality[np.where(src_code >= 0, src_code, len(NETWORK_NAMES))]
    q_mean = q[firsts].mean() if len(firsts) else 1.0
    p_buy = sc.first_purchase_rate / sc.sign_up_rate if sc.sign_up_rate else 0.0
    buy_mask = rng.random(len(signed)) < np.minimum(1.0, p_buy * q[signed] / q_mean)
    buyers = signed[buy_mask]
    buy_time = su_time[buy_mask] + np.round(rng.exponential(sc.purchase_delay_days * DAY, len(buyers))).astype(np.int64)
    # re-installers already have an account: no sign-up, but they may buy again
    re_idx = np.flatnonzero(inst_re)
    re_buyers = re_idx[rng.random(len(re_idx)) < sc.first_purchase_rate]
    re_time = inst_time[re_buyers] + np.round(rng.exponential(sc.purchase_delay_days * DAY, len(re_buyers))).astype(np.int64)
    buyers = np.concatenate([buyers, re_buyers])
    buy_time = np.concatenate([buy_time, re_time])
    whale = rng.random(len(buyers)) < sc.whale_share
    repeat = np.where(whale, sc.whale_repeat_rate, sc.repeat_purchase_rate)
    n_repeats = np.minimum(rng.geometric(1.0 - repeat) - 1, 500)
    rep_owner = np.repeat(np.arange(len(buyers)), n_repeats)
    if sc.regular_repeats:
        gaps = np.full(len(rep_owner), sc.repeat_gap_days * DAY) + rng.integers(-HOUR, HOUR, len(rep_owner))
    else:
        mean_gap = np.where(whale[rep_owner], sc.repeat_gap_days / 3, sc.repeat_gap_days) * DAY
        gaps = rng.exponential(1.0, len(rep_owner)) * mean_gap + 600
    gaps = np.round(gaps).astype(np.int64)
    prefix = np.concatenate([[0], np.cumsum(gaps)])
    starts = np.cumsum(n_repeats) - n_repeats
    offset = prefix[1:] - np.repeat(prefix[starts], n_repeats)  # time since the first purchase
    p_inst = np.concatenate([buyers, buyers[rep_owner]])
    p_time = np.concatenate([buy_time, buy_time[rep_owner] + offset])
    p_whale = np.concatenate([whale, whale[rep_owner]])
    price = rng.lognormal(np.log(sc.revenue_median_usd), sc.revenue_sigma, len(p_inst))
    price = np.maximum(0.99, np.round(price * np.where(p_whale, sc.whale_revenue_multiplier, 1.0), 2))
    add_events(p_inst, p_time, 2, price)

    e_inst, e_time = np.concatenate(ev_inst), np.concatenate(ev_time)
    e_kind, e_rev = np.concatenate(ev_kind), np.concatenate(ev_rev)
    for pieces in (ev_inst, ev_time, ev_kind, ev_rev):
        pieces.clear()
    order = _order(e_time, e_inst, e_kind.astype(np.int64))
    e_inst, e_time, e_kind, e_rev = e_inst[order], e_time[order], e_kind[order], e_rev[order]
    events = pd.DataFrame({
        "event_id": _str_col(_ids("e", len(e_inst), 7)),
        "user_id": _str_col(user_ids[inst_user[e_inst]]),
        "install_id": _str_col(install_ids[e_inst]),
        "event_name": _str_col(np.array(["session", "sign_up", "purchase"], dtype=object)[e_kind]),
        "event_time": _to_utc(e_time),
        "revenue": pd.Series(np.round(e_rev, 2), dtype="float64"),
        "receipt_valid": pd.Series(e_kind == 2, dtype=bool),
        "fraud_type": _na_col(len(e_inst)),
    }, copy=False)
    bar.step(_t("synth.progress.stage.events"))

    # ---- spend ---------------------------------------------------------------------------------------
    lo = np.array([net.cpi_usd[0] for net in NETWORKS])
    hi = np.array([net.cpi_usd[1] for net in NETWORKS])
    cmult = np.array([sc.country_cpi[c] for c in COUNTRIES]) * sc.cpi_multiplier
    causal_ua = tc["causal"] & ~tc["rt"]
    cu = tc["user"][causal_ua]
    cost_day = (t_first[cu] - t0) // DAY
    cost_camp = tc["campaign"][causal_ua]
    cost = rng.uniform(lo[tc["net"][causal_ua]], hi[tc["net"][causal_ua]]) * cmult[country[cu]]
    causal_rt = tc["causal"] & tc["rt"]
    ru = tc["user"][causal_rt]
    rt_cost = rng.uniform(lo[tc["net"][causal_rt]], hi[tc["net"][causal_rt]]) * cmult[country[ru]] * 0.35
    rt_clicks = tc["rt"] & tc["click"] & ~tc["causal"] & (tc["time"] >= t0)
    cpc = rng.uniform(0.15, 0.6, int(rt_clicks.sum())) * cmult[country[tc["user"][rt_clicks]]]
    n_camp = len(camp_names)
    grid_cost = np.zeros((days, n_camp))
    np.add.at(grid_cost, (cost_day, cost_camp), cost)
    np.add.at(grid_cost, ((t_re[ru] - t0) // DAY, tc["campaign"][causal_rt]), rt_cost)
    np.add.at(grid_cost, ((tc["time"][rt_clicks] - t0) // DAY, tc["campaign"][rt_clicks]), cpc)
    in_win = tc["time"] >= t0
    grid_imp = np.zeros((days, n_camp), dtype=np.int64)
    grid_clk = np.zeros((days, n_camp), dtype=np.int64)
    day_idx = (tc["time"][in_win] - t0) // DAY
    np.add.at(grid_imp, (day_idx, tc["campaign"][in_win]), (~tc["click"][in_win]).astype(np.int64))
    np.add.at(grid_clk, (day_idx, tc["campaign"][in_win]), tc["click"][in_win].astype(np.int64))
    dd, cc = np.meshgrid(np.arange(days), np.arange(n_camp), indexing="ij")
    dd, cc = dd.ravel(), cc.ravel()
    spend = pd.DataFrame({
        "date": _to_utc(t0 + dd * DAY),
        "media_source": _str_col(net_names[np.array(camp_net)[cc]]),
        "campaign": _str_col(camp_arr[cc]),
        "cost": pd.Series(np.round(grid_cost.ravel(), 2), dtype="float64"),
        "impressions": pd.Series(grid_imp.ravel(), dtype="int64"),
        "clicks": pd.Series(grid_clk.ravel(), dtype="int64"),
    })
    spend = spend.sort_values(["date", "media_source", "campaign"], kind="stable").reset_index(drop=True)
    bar.step(_t("synth.progress.stage.spend"))

    # ---- deep-link clicks ------------------------------------------------------------------------------
    # (1) a share of the clicks that caused paid first installs carried a deep link (deferred: the app was
    # not installed yet); (2) every retargeting click (deferred when it brought a re-installer back,
    # direct otherwise); (3) the app's own e-mail, push and web links to installed people (direct) and
    # mobile-web links to people who never install (deferred, never opened in the app)
    signup_at = np.full(n, np.iinfo(np.int64).max)
    signup_at[inst_user[signed]] = su_time
    ua_dl = tc["causal"] & ~tc["rt"] & tc["click"] & (rng.random(m) < sc.deeplink_ua_share)
    rt_dl = tc["rt"] & tc["click"]
    own = np.flatnonzero(installer & (t_first < end))
    own_from = np.maximum(t_first[own], t0) + 60
    own_counts = rng.poisson(sc.owned_clicks_per_installer * np.maximum(end - own_from, 0) / (days * DAY))
    own_who = np.repeat(own, own_counts)
    own_time = np.repeat(own_from, own_counts) + np.floor(
        rng.random(len(own_who)) * (end - np.repeat(own_from, own_counts))).astype(np.int64)
    own_src = _pick(rng, (0.45, 0.35, 0.20), len(own_who))
    web = np.flatnonzero(~installer)
    web_who = np.repeat(web, rng.poisson(sc.web_clicks_per_visitor, len(web)))
    web_time = t0 + rng.integers(0, days * DAY, len(web_who))
    n_net = len(NETWORK_NAMES)
    owned_camp = np.array([f"{sc.name}_crm_email", f"{sc.name}_crm_push", f"{sc.name}_web_banner"], dtype=object)
    d_user = np.concatenate([tc["user"][ua_dl], tc["user"][rt_dl], own_who, web_who])
    d_time = np.concatenate([tc["time"][ua_dl], tc["time"][rt_dl], own_time, web_time])
    d_src = np.concatenate([tc["net"][ua_dl], tc["net"][rt_dl], n_net + own_src, np.full(len(web_who), n_net + 2)])
    d_camp = np.concatenate([camp_arr[tc["campaign"][ua_dl]], camp_arr[tc["campaign"][rt_dl]],
                             owned_camp[own_src], owned_camp[np.full(len(web_who), 2)]])
    d_causal = np.concatenate([np.ones(int(ua_dl.sum()), bool), tc["causal"][rt_dl],
                               np.zeros(len(own_who) + len(web_who), bool)])
    keep = d_time >= t0
    d_user, d_time, d_src, d_camp, d_causal = (a[keep] for a in (d_user, d_time, d_src, d_camp, d_causal))
    nd = len(d_user)
    # the app is on the phone after the first install, except in the days before a reinstall
    gone = reinstaller[d_user] & (d_time >= t_re[d_user] - 2 * DAY) & (d_time < t_re[d_user])
    installed = installer[d_user] & (d_time >= t_first[d_user]) & ~gone
    # a causing click's install follows it: the first install, or the reinstall for retargeting clicks
    next_install = np.where(reinstaller[d_user] & (d_time >= t_first[d_user]), t_re[d_user], t_first[d_user])
    r = rng.random((6, nd))
    deferred_ok = np.where(android[d_user], 0.92, 0.70)  # Play referrer vs probabilistic match on iOS
    opened = np.where(installed, r[0] < 0.92, d_causal & (r[0] < deferred_ok))
    open_time = np.where(installed, d_time + 1 + np.floor(r[1] * 6).astype(np.int64),
                         next_install + 2 + np.floor(r[1] * 10).astype(np.int64))
    open_time = np.where(opened, open_time, _NAT)
    no_account = signup_at[d_user] > d_time
    signup_link = no_account & (r[2] < 0.6)
    saw = signup_link & (r[3] < np.where(installed, 0.45, 0.12))
    to_signup = np.where(saw, r[4] < 0.5, r[4] < 0.15)
    content = _landing_paths(sc, rng, nd)
    path = np.where(signup_link, np.where(to_signup, "/signup", "/benefits"), content).astype(object)
    # the landing page's goal within 24 hours (sign-up, or a purchase / booking on content pages)
    p_conv = np.where(signup_link, np.where(saw, np.where(to_signup, 0.26, 0.10), np.where(to_signup, 0.12, 0.20)),
                      0.08)
    converted = opened & (r[5] < p_conv)
    conv_time = np.where(converted, open_time + np.round(np.clip(rng.exponential(900, nd), 20, 23 * HOUR)).astype(np.int64),
                         _NAT)
    order = _order(d_time, d_user)
    cols = (d_user, d_time, d_src, d_camp, installed, path, saw, opened, open_time, converted, conv_time)
    (d_user, d_time, d_src, d_camp, installed, path, saw, opened, open_time, converted, conv_time) = (
        a[order] for a in cols)
    src_names = np.array([*NETWORK_NAMES, *OWNED_MEDIA], dtype=object)
    deeplink_clicks = pd.DataFrame({
        "click_id": _str_col(_ids("d", nd, 6)),
        "user_id": _str_col(user_ids[d_user]),
        "device_id": _str_col(device_id[d_user]),
        "platform": _str_col(_labels(android[d_user], "ios", "android")),
        "media_source": _str_col(src_names[d_src]),
        "campaign": _str_col(d_camp),
        "click_time": _to_utc(d_time),
        "app_installed": pd.Series(installed, dtype=bool),
        "link_kind": _str_col(_labels(installed, "deferred", "direct")),
        "landing_path": _str_col(path),
        "saw_benefits": pd.Series(saw, dtype=bool),
        "opened": pd.Series(opened, dtype=bool),
        "open_time": _to_utc(open_time),
        "converted": pd.Series(converted, dtype=bool),
        "conversion_time": _to_utc(conv_time),
    }, copy=False)
    bar.step(_t("synth.progress.stage.deep_links"))

    # ---- users -----------------------------------------------------------------------------------------
    acquisition = np.full(n, np.nan, dtype=object)  # never installed: missing
    acquisition[acq >= 0] = net_names[acq[acq >= 0]]
    acquisition[acq == -1] = ORGANIC
    users = pd.DataFrame({
        "user_id": _str_col(user_ids),
        "device_id": _str_col(device_id),
        "fingerprint": _str_col(fingerprint),
        "ip": _str_col(ip),
        "device_model": _str_col(model),
        "platform": _str_col(_labels(ios, "android", "ios")),
        "country": _str_col(np.array(COUNTRIES, dtype=object)[country]),
        "att_consent": pd.Series(att, dtype=bool),
        "acquisition": _str_col(acquisition.astype(object)),
        "first_install_time": _to_utc(t_first),
    }, copy=False)
    bar.step(_t("synth.progress.stage.users"))

    index = WorldIndex(tables=(users, touches, installs, events), touch_user=tc["user"],
                       touch_campaign=tc["campaign"], touch_site=tc["site"], touch_click=tc["click"],
                       touch_fingerprint=touch_fp_code, user_fingerprint=user_fp,
                       install_user=inst_user, event_install=e_inst,
                       campaigns=tuple((NETWORK_NAMES[camp_net[j]], camp_names[j]) for j in range(len(camp_names))),
                       campaign_network=np.asarray(camp_net, dtype=np.int64),
                       sites=np.array(site_names, dtype=object))
    world = World(scenario=sc, seed=int(seed), n_users=n,
                  start=pd.Timestamp(_dt.datetime.fromtimestamp(t0, tz=_dt.UTC)), days=days,
                  users=users, touches=touches, installs=installs, events=events, spend=spend,
                  deeplink_clicks=deeplink_clicks, _index=index)
    if fraud is not None:
        from helpers.synth.fraud import add_fraud  # imported here: the fraud module is optional

        world = add_fraud(world, fraud, int(seed))
        bar.step(_t("synth.progress.stage.fraud"))
    bar.close()
    return world


def _landing_paths(sc: Scenario, rng: np.random.Generator, size: int) -> np.ndarray:
    """Content paths of the vertical; ``{id}`` becomes an item number (a few items are popular)."""
    paths = np.array(sc.landing_paths, dtype=object)[_pick(rng, 1.0 / np.arange(1, len(sc.landing_paths) + 1), size)]
    item = np.minimum(np.floor(rng.pareto(1.2, size) * 20).astype(np.int64) + 1, 999)
    templated = np.flatnonzero(np.char.find(paths.astype(str), "{id}") >= 0) if size else np.array([], np.int64)
    if len(templated):
        filled = [p.replace("{id}", str(i)) for p, i in zip(paths[templated].tolist(), item[templated].tolist(),
                                                           strict=True)]
        paths[templated] = np.array(filled, dtype=object)
    return paths
