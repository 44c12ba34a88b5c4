"""Mobile ad-fraud detection: rules an anti-fraud system can run on what an MMP sees.

:func:`detect` labels each attributed install with one ``fraud_type`` and a ``fraud_reason`` that
says, in plain words and with the install's own numbers, why it was flagged. It uses only signals a
real anti-fraud system has: timestamps (click, Google Play Install Referrer, first open), the IP
address, device IDs, site IDs, the click log and, when given, in-app events with their receipt
validation. It never looks at simulation truth (``true_source``, ``fraud_type``, ``user_id``) nor at
the numbering of IDs.

The rules and their default thresholds (each one a parameter of :func:`detect`):

``sdk_spoofing`` - timestamps in an impossible order: the first open before its click, the download
    beginning after the first open, the Play referrer click after the download began; an install
    reported before the only clicks its device ever had (``clicks`` needed); with ``events``: a
    purchase whose store receipt did not validate, or an in-app event before the install.
``bot`` - the install came from an address in ``datacenter_ranges`` (by default the three RFC 5737
    ranges that stand for datacenters and hosting networks in this kit).
``device_farm`` - at least ``farm_min_installs`` installs credited to one site from one IP address,
    nearly all (``farm_min_new_device_rate``) from device IDs never seen installing before.
``click_injection`` - the attributed click came after the download began (Play Install Referrer
    ``install_begin_time``), or the click-to-install time (CTIT) is under ``injection_max_ctit``.
``click_flooding`` - (``clicks`` needed) a site whose clicks almost never turn into installs
    (conversion at most ``flooding_max_conversion`` over at least ``flooding_min_site_clicks``
    clicks); an install credited to it is flagged when its CTIT is at least ``flooding_min_ctit``
    or its device received at least ``flooding_min_device_clicks`` clicks from that site.

Precedence when several rules fire (:data:`PRECEDENCE`): first the types where the install itself is
fake - ``sdk_spoofing`` (impossible data is the strongest proof), ``bot``, ``device_farm`` - then the
types that steal the credit of a real install - ``click_injection`` (a deterministic timestamp test)
before ``click_flooding`` (a statistical, per-site judgement).

The thresholds are course conventions built on the vendors' published descriptions (AppsFlyer's
"3-10 seconds" for injection and "flat CTIT between hour 2 and 24" for flooding, Adjust's
"conversion under 0.05 %"); vendors' live thresholds are adaptive and not published.

IP convention (see DESIGN.md): 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 stand for
datacenters; ordinary users have addresses in 100.64.0.0/10 and 2001:db8::/32. IPv4 and IPv6
addresses are both accepted (and datacenter ranges may be of either family).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers._validate import (
    InputError,
    InputTypeError,
    require_columns,
    require_dataframe,
    require_text,
    require_utc_timestamps,
    to_timedelta,
)
from helpers.messages import t as _t  # `t` is a loop variable over fraud types below

__all__ = [
    "SWEEP_VALUES",
    "install_costs",
    "detector_costs",
    "without_referrer",
    "threshold_sweep",
    "DEFAULT_DATACENTER_RANGES",
    "FRAUD_TYPES",
    "PRECEDENCE",
    "INSTALL_COLUMNS",
    "CLICK_COLUMNS",
    "FraudInputs",
    "detect",
    "ctit",
    "ctit_histogram",
    "ctit_distance",
    "source_report",
    "evaluate",
    "confusion_matrix",
    "inputs_from_world",
]

DEFAULT_DATACENTER_RANGES: tuple[str, ...] = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
"""RFC 5737 documentation ranges: the kit's stand-in for datacenter and hosting networks."""

FRAUD_TYPES: tuple[str, ...] = ("click_injection", "click_flooding", "sdk_spoofing", "bot", "device_farm")
PRECEDENCE: tuple[str, ...] = ("sdk_spoofing", "bot", "device_farm", "click_injection", "click_flooding")
"""Which label wins when several rules fire on one install (first wins)."""

INSTALL_COLUMNS: tuple[str, ...] = ("install_id", "media_source", "site_id", "platform", "click_time",
                                    "install_begin_time", "install_time", "device_id", "ip")
CLICK_COLUMNS: tuple[str, ...] = ("click_id", "media_source", "site_id", "click_time", "device_id", "ip")
EVENT_COLUMNS: tuple[str, ...] = ("install_id", "event_name", "event_time")
ORGANIC = "organic"

_NS = 1_000_000_000
_NAT = np.iinfo(np.int64).min


# --------------------------------------------------------------------------------------------
# small helpers


def _ns(s: pd.Series) -> np.ndarray:
    """UTC timestamps -> int64 nanoseconds (``_NAT`` for missing)."""
    return s.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)


def _td_ns(value, name: str) -> int:
    return int(to_timedelta(value, name).value)


def _fmt_dur(seconds: np.ndarray) -> np.ndarray:
    """Durations in seconds -> short text ('5 s', '3 min 12 s', '2 h 5 min', '2 d 3 h')."""
    s = np.abs(np.round(np.asarray(seconds, dtype=float))).astype(np.int64)
    d, h, m, sec = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    out = np.full(len(s), None, dtype=object)
    for key, mask, parts in (("fraud.reason.duration_s", s < 60, {"s": sec}),
                             ("fraud.reason.duration_min", (s >= 60) & (s < 3600), {"m": m, "s": sec}),
                             ("fraud.reason.duration_h", (s >= 3600) & (s < 86400), {"h": h, "m": m}),
                             ("fraud.reason.duration_d", s >= 86400, {"d": d, "h": h})):
        if mask.any():
            out[mask] = _say(key, **{k: v[mask] for k, v in parts.items()})
    return out


def _say(key: str, **parts) -> np.ndarray:
    """The message ``key`` in the learner's language, filled in row by row.

    ``parts``: arrays of equal length (one value per row) or single values used on every row.
    """
    template = _t(key, **{k: "{" + k + "}" for k in parts})
    n = next((len(v) for v in parts.values() if isinstance(v, np.ndarray)), 1)
    cols = {k: v if isinstance(v, np.ndarray) else np.full(n, v, dtype=object) for k, v in parts.items()}
    return np.array([template.format(**{k: c[i] for k, c in cols.items()}) for i in range(n)] or [],
                    dtype=object).reshape(n)


def _fmt_time(ns: np.ndarray) -> np.ndarray:
    """int64 ns timestamps -> 'YYYY-MM-DD HH:MM:SS' text."""
    if len(ns) == 0:
        return np.array([], dtype=object)
    txt = np.datetime_as_string(np.asarray(ns, dtype=np.int64).view("datetime64[ns]"), unit="s")
    return np.char.replace(txt, "T", " ").astype(object)


def _text(s: pd.Series) -> np.ndarray:
    """A text column as an object array with None for missing."""
    a = s.to_numpy(dtype=object, na_value=None)
    return a


def _join(a: np.ndarray, b: np.ndarray, sep: str = "/") -> np.ndarray:
    """Element-wise ``a + sep + b`` for text arrays; ``a`` alone where ``b`` is missing, None where ``a`` is."""
    fa = np.where(pd.isna(a), "", a).astype(object)
    fb = np.where(pd.isna(b), "", b).astype(object)
    out = np.where(pd.isna(b), fa, fa + sep + fb)
    return np.where(pd.isna(a), None, out).astype(object)


def _codes(*cols: np.ndarray) -> np.ndarray:
    """One int64 group code per row for the combination of the given columns (missing = its own value)."""
    code = np.zeros(len(cols[0]), dtype=np.int64)
    for c in cols:
        k, uniq = pd.factorize(c, use_na_sentinel=False)
        code = code * (len(uniq) + 1) + k
        code = pd.factorize(code)[0].astype(np.int64)
    return code


# --------------------------------------------------------------------------------------------
# IP addresses, vectorised


def _parse_networks(ranges) -> tuple[list[tuple[int, int]], list]:
    """(IPv4 (lo, hi) integer pairs, IPv6 networks)."""
    if isinstance(ranges, str):
        ranges = [ranges]
    v4, v6 = [], []
    for r in ranges:
        try:
            net = ipaddress.ip_network(str(r), strict=False)
        except ValueError as exc:
            raise InputError(_t("errors.fraud.datacenter_range", value=r)) from exc
        if net.version == 4:
            v4.append((int(net.network_address), int(net.broadcast_address)))
        else:
            v6.append(net)
    return v4, v6


def _ip_in_ranges(ip: np.ndarray, ranges) -> tuple[np.ndarray, np.ndarray]:
    """For each address (text, None for missing): is it in one of ``ranges``, and which one (text)?

    IPv4 strings are converted to integers vectorised (on the distinct values only); IPv6 addresses
    are parsed with :mod:`ipaddress` (distinct values only). A malformed address raises InputError.
    """
    v4, v6 = _parse_networks(ranges)
    codes, uniq = pd.factorize(ip)  # missing -> -1
    uniq = np.asarray(uniq, dtype=object)
    hit_net = np.full(len(uniq), None, dtype=object)
    if len(uniq):
        u = pd.Series(uniq, dtype="str")
        is6 = u.str.contains(":", regex=False).to_numpy()
        parts = u[~is6].str.extract(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")
        bad = parts[0].isna().to_numpy().copy()
        nums = parts.fillna("0").astype(np.int64).to_numpy()
        bad |= (nums > 255).any(axis=1)
        if bad.any():
            raise InputError(_t("errors.fraud.bad_ip", value=u[~is6].to_numpy()[bad][0]))
        as_int = (nums[:, 0] << 24) | (nums[:, 1] << 16) | (nums[:, 2] << 8) | nums[:, 3]
        idx4 = np.flatnonzero(~is6)
        for r, (lo, hi) in zip(_v4_names(ranges), v4, strict=True):
            m = (as_int >= lo) & (as_int <= hi)
            sel = idx4[m]
            hit_net[sel] = np.where(hit_net[sel] == None, r, hit_net[sel])  # noqa: E711
        for i in np.flatnonzero(is6):
            try:
                a = ipaddress.IPv6Address(uniq[i].split("%")[0])
            except ValueError as exc:
                raise InputError(_t("errors.fraud.bad_ip", value=uniq[i])) from exc
            for net in v6:
                if a in net:
                    hit_net[i] = str(net)
                    break
    out = np.where(codes >= 0, hit_net[np.maximum(codes, 0)] if len(uniq) else None, None)
    return np.asarray(out != None, dtype=bool), out  # noqa: E711


def _v4_names(ranges) -> list[str]:
    if isinstance(ranges, str):
        ranges = [ranges]
    out = []
    for r in ranges:
        net = ipaddress.ip_network(str(r), strict=False)
        if net.version == 4:
            out.append(str(net))
    return out


# --------------------------------------------------------------------------------------------
# input checks


def _check_frame(df, name: str, required: Sequence[str], id_col: str, time_cols: dict[str, bool]):
    require_dataframe(df, name)
    require_columns(df, name, list(required))
    for c in required:
        if c in time_cols:
            require_utc_timestamps(df, name, c, allow_missing=time_cols[c])
        else:
            require_text(df, name, c)
    if df[id_col].isna().any():
        raise InputError(_t("errors.fraud.missing_ids", name=name, column=id_col))
    if df[id_col].is_unique:
        return
    dup = df[id_col].duplicated()
    if dup.any():
        raise InputError(_t("errors.fraud.duplicate_ids", name=name, column=id_col, example=df[id_col][dup].iloc[0],
                            count=int(dup.sum())))


def _check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or not 0 <= value <= 1:
        raise InputError(_t("errors.fraud.fraction", name=name, value=value))
    return float(value)


def _check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(_t("errors.fraud.count", name=name, value=value))
    return int(value)


class _ClickIndex:
    """The click log reduced to integer codes: clicks per (media_source, site_id), and the clicks of
    devices that also appear among the installs (the only ones the per-device rules need)."""

    def __init__(self, clicks: pd.DataFrame, install_devices: np.ndarray):
        self.clicks = clicks
        src, self.src_uni = pd.factorize(clicks["media_source"])
        site, self.site_uni = pd.factorize(clicks["site_id"])
        self.ns = len(self.site_uni) + 1
        combo = (src.astype(np.int64) + 1) * self.ns + (site.astype(np.int64) + 1)
        self.code, self.combo_uni = pd.factorize(combo)
        self.site_clicks = np.bincount(self.code, minlength=len(self.combo_uni))
        devs = pd.unique(install_devices[pd.notna(install_devices)])
        dev_in = clicks["device_id"].isin(devs).to_numpy() if len(devs) else np.zeros(len(clicks), bool)
        self.sub = pd.DataFrame({"device_id": clicks["device_id"].to_numpy(dtype=object)[dev_in],
                                 "t": _ns(clicks["click_time"])[dev_in], "code": self.code[dev_in]})

    def site_code(self, installs: pd.DataFrame) -> np.ndarray:
        """The click-site code of each install's (media_source, site_id); -1 when no click has it."""
        src = pd.Index(self.src_uni).get_indexer(installs["media_source"])
        site_na = installs["site_id"].isna().to_numpy()
        site = pd.Index(self.site_uni).get_indexer(installs["site_id"])
        combo = (src.astype(np.int64) + 1) * self.ns + (site.astype(np.int64) + 1)
        code = pd.Index(self.combo_uni).get_indexer(combo)
        return np.where((src >= 0) & ((site >= 0) | site_na), code, -1)

    def top_ip(self, bad: np.ndarray) -> np.ndarray:
        """Per site code: clicks from its busiest address (computed for the ``bad`` sites only)."""
        out = np.zeros(len(bad), dtype=np.int64)
        m = bad[self.code]
        ip_codes, _ = pd.factorize(self.clicks["ip"][m])
        codes = self.code[m]
        ok = ip_codes >= 0
        if ok.any():
            pair = pd.Series(np.ones(int(ok.sum()), np.int64)).groupby([codes[ok], ip_codes[ok]]).size()
            best = pair.groupby(level=0).max()
            out[best.index.to_numpy()] = best.to_numpy()
        return out


# --------------------------------------------------------------------------------------------
# detect


def detect(
    installs: pd.DataFrame,
    clicks: pd.DataFrame | None = None,
    *,
    events: pd.DataFrame | None = None,
    datacenter_ranges: Iterable[str] = DEFAULT_DATACENTER_RANGES,
    injection_max_ctit: str | pd.Timedelta = "10s",
    flooding_min_ctit: str | pd.Timedelta = "24h",
    flooding_max_conversion: float = 0.0005,
    flooding_min_site_clicks: int = 2000,
    flooding_min_device_clicks: int = 5,
    spoofing_click_window: str | pd.Timedelta = "24h",
    farm_min_installs: int = 10,
    farm_min_new_device_rate: float = 0.9,
) -> pd.DataFrame:
    """Flag fraudulent installs; return ``installs`` with ``fraud_type`` and ``fraud_reason``.

    Parameters
    ----------
    installs
        One row per attributed install: ``install_id, media_source, site_id, platform, click_time``
        (the attributed click; missing for organic or view-through installs), ``install_begin_time``
        (Google Play Install Referrer: when the download began; missing on iOS), ``install_time``
        (first open), ``device_id, ip``. Optional: ``referrer_click_time`` (the Play referrer's click
        timestamp). Timestamps must be UTC-aware (naive ones raise :class:`InputTypeError`); other
        columns are kept. ``install_id`` must be unique.
    clicks
        Optional click log: ``click_id, media_source, site_id, click_time, device_id, ip``. Needed for
        click flooding (conversion rate, clicks per device) and for "install reported before its
        click". ``None`` or an empty frame: those rules are skipped.
    events
        Optional in-app events: ``install_id, event_name, event_time``, optional ``receipt_valid``
        (bool; purchases whose store receipt did not validate are SDK spoofing).
    datacenter_ranges
        Networks (IPv4 or IPv6 CIDR text) whose installs are bots.
    injection_max_ctit
        Installs whose click-to-install time is under this (strictly) are click injection.
    flooding_min_ctit, flooding_max_conversion, flooding_min_site_clicks, flooding_min_device_clicks
        A site is a flooder when it has at least ``flooding_min_site_clicks`` clicks and at most
        ``flooding_max_conversion`` of them became credited installs (0.0005 = 0.05 %). Its
        installs with CTIT >= ``flooding_min_ctit`` or whose device got >= ``flooding_min_device_clicks``
        clicks from it are flagged.
    spoofing_click_window
        An unattributed install whose device's first click comes within this time *after* the install
        (and none before it) was reported before the click it claims.
    farm_min_installs, farm_min_new_device_rate
        One IP address with at least ``farm_min_installs`` installs credited to one site, of which at
        least this share are a device ID's first install, is a device farm.

    All thresholds are teaching defaults; vendors' live thresholds are adaptive and unpublished.

    Returns
    -------
    pandas.DataFrame
        A copy of ``installs`` (same rows, order and index) plus ``fraud_type`` (text: one of
        :data:`FRAUD_TYPES` or missing) and ``fraud_reason`` (text, missing when not flagged). When
        several rules fire, :data:`PRECEDENCE` decides. Timestamps in an impossible order are a
        fraud signal (``sdk_spoofing``), never an error. An empty ``installs`` gives an empty result
        with both columns.
    """
    _check_frame(installs, "installs", INSTALL_COLUMNS, "install_id",
                 {"click_time": True, "install_begin_time": True, "install_time": False})
    inj_max = _td_ns(injection_max_ctit, "injection_max_ctit")
    flood_ctit = _td_ns(flooding_min_ctit, "flooding_min_ctit")
    spoof_win = _td_ns(spoofing_click_window, "spoofing_click_window")
    flooding_max_conversion = _check_fraction(flooding_max_conversion, "flooding_max_conversion")
    farm_min_new_device_rate = _check_fraction(farm_min_new_device_rate, "farm_min_new_device_rate")
    flooding_min_site_clicks = _check_count(flooding_min_site_clicks, "flooding_min_site_clicks")
    flooding_min_device_clicks = _check_count(flooding_min_device_clicks, "flooding_min_device_clicks")
    farm_min_installs = _check_count(farm_min_installs, "farm_min_installs")
    has_ref = "referrer_click_time" in installs.columns
    if has_ref:
        require_utc_timestamps(installs, "installs", "referrer_click_time", allow_missing=True)
    if clicks is not None:
        _check_frame(clicks, "clicks", CLICK_COLUMNS, "click_id", {"click_time": False})
        if len(clicks) == 0:
            clicks = None
    if events is not None:
        require_dataframe(events, "events")
        require_columns(events, "events", list(EVENT_COLUMNS), optional=["receipt_valid"])
        require_utc_timestamps(events, "events", "event_time")

    n = len(installs)
    click = _ns(installs["click_time"])
    begin = _ns(installs["install_begin_time"])
    inst = _ns(installs["install_time"])
    ref = _ns(installs["referrer_click_time"]) if has_ref else np.full(n, _NAT)
    has_click, has_begin, has_refc = click != _NAT, begin != _NAT, ref != _NAT
    source = _text(installs["media_source"])
    site = _text(installs["site_id"])
    device = _text(installs["device_id"])
    ip = _text(installs["ip"])
    credited = has_click | ((source != None) & (source != ORGANIC))  # noqa: E711
    credited &= source != None  # noqa: E711
    src_site = _join(source, site)

    flags: dict[str, np.ndarray] = {}
    reasons: dict[str, np.ndarray] = {t: np.full(n, None, dtype=object) for t in FRAUD_TYPES}

    def put(kind: str, mask: np.ndarray, text: np.ndarray | str) -> None:
        """Record ``text`` as the reason for ``kind`` on rows in ``mask`` that have none yet."""
        m = mask & (reasons[kind] == None)  # noqa: E711
        if m.any():
            reasons[kind][m] = text[m] if isinstance(text, np.ndarray) else text

    def sub(idx_mask, arr):
        out = np.full(n, None, dtype=object)
        out[idx_mask] = arr
        return out

    # ---- sdk_spoofing: impossible order -------------------------------------------------------
    m = has_click & (inst < click)
    if m.any():
        put("sdk_spoofing", m, sub(m, _say("fraud.reason.open_before_click", open=_fmt_time(inst[m]),
                                           gap=_fmt_dur((click[m] - inst[m]) / _NS), click=_fmt_time(click[m]))))
    m = has_begin & (begin > inst)
    if m.any():
        put("sdk_spoofing", m, sub(m, _say("fraud.reason.download_after_open", begin=_fmt_time(begin[m]),
                                           gap=_fmt_dur((begin[m] - inst[m]) / _NS), open=_fmt_time(inst[m]))))
    m = has_refc & ((has_begin & (ref > begin)) | (ref > inst))
    if m.any():
        later = _fmt_time(np.where(has_begin[m], begin[m], inst[m]))
        txt = np.where(has_begin[m], _say("fraud.reason.referrer_after_download", referrer=_fmt_time(ref[m]), later=later),
                       _say("fraud.reason.referrer_after_open", referrer=_fmt_time(ref[m]), later=later))
        put("sdk_spoofing", m, sub(m, txt.astype(object)))
    if events is not None and len(events) and n:
        pos = pd.Series(np.arange(n), index=pd.Index(installs["install_id"].to_numpy(dtype=object)))
        ev_row = pos.reindex(events["install_id"].to_numpy(dtype=object)).to_numpy()
        known = ~np.isnan(ev_row)
        ev_row = np.where(known, ev_row, 0).astype(np.int64)
        ev_t = _ns(events["event_time"])
        ev_name = _text(events["event_name"])
        early = known & (ev_t < inst[ev_row])
        if early.any():
            first = pd.DataFrame({"r": ev_row[early], "t": ev_t[early], "name": ev_name[early]}) \
                .sort_values("t").drop_duplicates("r")
            r = first["r"].to_numpy()
            txt = _say("fraud.reason.event_before_install", event=first["name"].astype(str).to_numpy().astype(object),
                       event_time=_fmt_time(first["t"].to_numpy()),
                       gap=_fmt_dur((inst[r] - first["t"].to_numpy()) / _NS), install=_fmt_time(inst[r]))
            m = np.zeros(n, bool)
            m[r] = True
            put("sdk_spoofing", m, sub(r, txt))
        if "receipt_valid" in events.columns:
            rv = events["receipt_valid"].to_numpy(dtype=object, na_value=None)
            bad = known & (ev_name == "purchase") & (rv == False)  # noqa: E712
            if bad.any():
                first = pd.DataFrame({"r": ev_row[bad], "t": ev_t[bad]}).sort_values("t").drop_duplicates("r")
                r = first["r"].to_numpy()
                m = np.zeros(n, bool)
                m[r] = True
                put("sdk_spoofing", m, sub(r, _say("fraud.reason.failed_receipt", time=_fmt_time(first["t"].to_numpy()))))

    # clicks-based: an install reported before the only clicks its device had
    cl = _ClickIndex(clicks, device) if clicks is not None and n else None
    if cl is not None:
        cand = ~has_click & (device != None)  # noqa: E711
        if cand.any() and len(cl.sub):
            first = cl.sub.groupby("device_id", sort=False)["t"].min()
            rows = np.flatnonzero(cand)
            fc_f = first.reindex(device[rows]).to_numpy(dtype=float)
            ok = ~np.isnan(fc_f)
            fc = np.where(ok, fc_f, 0).astype(np.int64)
            gap = fc - inst[rows]
            hit = ok & (gap > 0) & (gap <= spoof_win)
            r = rows[hit]
            m = np.zeros(n, bool)
            m[r] = True
            put("sdk_spoofing", m, sub(r, _say("fraud.reason.install_before_first_click", install=_fmt_time(inst[r]),
                                               gap=_fmt_dur(gap[hit] / _NS), click=_fmt_time(fc[hit]))))
    flags["sdk_spoofing"] = reasons["sdk_spoofing"] != None  # noqa: E711

    # ---- bot: datacenter addresses ------------------------------------------------------------
    is_dc, net = _ip_in_ranges(ip, datacenter_ranges)
    if is_dc.any():
        put("bot", is_dc, sub(is_dc, _say("fraud.reason.datacenter", ip=ip[is_dc].astype(object),
                                          network=net[is_dc].astype(object))))
    flags["bot"] = is_dc

    # ---- device_farm: many new devices per IP and site -----------------------------------------
    farm = np.zeros(n, bool)
    usable = credited & (ip != None)  # noqa: E711
    if usable.any():
        rows = np.flatnonzero(usable)
        # a device's first install in the data is a "new device"
        order = np.argsort(inst, kind="stable")
        dev_sorted = device[order]
        first_of_dev = np.ones(n, bool)
        has_dev = dev_sorted != None  # noqa: E711
        dup = pd.Series(dev_sorted[has_dev]).duplicated().to_numpy()
        tmp = np.ones(int(has_dev.sum()), bool)
        tmp[dup] = False
        fs = np.ones(n, bool)
        fs[np.flatnonzero(has_dev)] = tmp
        first_of_dev[order] = fs
        g = _codes(ip[rows], src_site[rows])
        size = np.bincount(g)
        new = np.bincount(g, weights=first_of_dev[rows].astype(float))
        big = (size >= farm_min_installs) & (new >= farm_min_new_device_rate * size)
        hit = big[g]
        if hit.any():
            r = rows[hit]
            gh = g[hit]
            t = inst[r]
            frame = pd.DataFrame({"g": gh, "t": t}).sort_values(["g", "t"])
            gaps = frame.groupby("g")["t"].diff()
            st = pd.DataFrame({"g": frame["g"], "gap": gaps}).groupby("g")["gap"].agg(["median", "mean", "std"])
            span = frame.groupby("g")["t"].agg(lambda s: s.iloc[-1] - s.iloc[0])
            med = st["median"].reindex(gh).to_numpy() / _NS
            cv = (st["std"] / st["mean"]).reindex(gh).to_numpy()
            sp = span.reindex(gh).to_numpy() / _NS
            txt = _say("fraud.reason.device_farm", size=size[gh].astype(str).astype(object),
                       source=src_site[r].astype(object), ip=ip[r].astype(object), span=_fmt_dur(sp),
                       new_share=np.round(100 * new[gh] / size[gh]).astype(int).astype(str).astype(object),
                       interval=_fmt_dur(med), variation=np.round(np.nan_to_num(cv), 2).astype(str).astype(object))
            farm[r] = True
            put("device_farm", farm, sub(r, txt))
    flags["device_farm"] = farm

    # ---- click_injection ----------------------------------------------------------------------
    after_begin = has_click & has_begin & (click > begin) & (click <= inst)
    if after_begin.any():
        m = after_begin
        put("click_injection", m, sub(m, _say("fraud.reason.click_after_download", click=_fmt_time(click[m]),
                                              gap=_fmt_dur((click[m] - begin[m]) / _NS), begin=_fmt_time(begin[m]))))
    short = has_click & (inst >= click) & (inst - click < inj_max)
    if short.any():
        m = short
        put("click_injection", m, sub(m, _say("fraud.reason.short_ctit", ctit=_fmt_dur((inst[m] - click[m]) / _NS),
                                              click=_fmt_time(click[m]), open=_fmt_time(inst[m]),
                                              limit=_fmt_dur(np.array([inj_max / _NS]))[0])))
    flags["click_injection"] = reasons["click_injection"] != None  # noqa: E711

    # ---- click_flooding (needs clicks) --------------------------------------------------------
    flood = np.zeros(n, bool)
    if cl is not None:
        i_code = cl.site_code(installs)
        n_codes = len(cl.site_clicks)
        ok_code = has_click & (i_code >= 0)
        site_inst = np.bincount(i_code[ok_code], minlength=n_codes)
        cr = site_inst / np.maximum(cl.site_clicks, 1)
        bad = (cl.site_clicks >= flooding_min_site_clicks) & (cr <= flooding_max_conversion)
        on_bad = ok_code & bad[np.maximum(i_code, 0)]
        rows = np.flatnonzero(on_bad)
        if len(rows):
            # clicks per (device, site) for the devices that installed, and the busiest address per bad site
            s = cl.sub[bad[cl.sub["code"].to_numpy()]]
            dev_clicks = s.groupby(["device_id", "code"], sort=False).size()
            key = pd.MultiIndex.from_arrays([device[rows], i_code[rows]])
            dc = dev_clicks.reindex(key).fillna(0).to_numpy().astype(np.int64)
            top_ip = cl.top_ip(bad)
            ct = inst[rows] - click[rows]
            hit = (ct >= flood_ctit) | (dc >= flooding_min_device_clicks)
            r = rows[hit]
            code = i_code[r]
            txt = _say("fraud.reason.click_flooding", source=src_site[r].astype(object),
                       conversion=np.char.mod("%.3f", 100 * cr[code]).astype(object),
                       clicks=np.char.mod("%d", cl.site_clicks[code]).astype(object),
                       max_conversion=f"{100 * flooding_max_conversion:g}",
                       busiest=np.char.mod("%d", top_ip[code]).astype(object), ctit=_fmt_dur(ct[hit] / _NS),
                       device_clicks=dc[hit].astype(str).astype(object))
            flood[r] = True
            put("click_flooding", flood, sub(r, txt))
    flags["click_flooding"] = flood

    # ---- precedence ---------------------------------------------------------------------------
    ftype = np.full(n, None, dtype=object)
    freason = np.full(n, None, dtype=object)
    for t in PRECEDENCE:
        m = flags[t] & (ftype == None)  # noqa: E711
        ftype[m] = t
        freason[m] = reasons[t][m]
    out = installs.copy()
    out["fraud_type"] = pd.Series(ftype, index=installs.index, dtype="str")
    out["fraud_reason"] = pd.Series(freason, index=installs.index, dtype="str")
    return out


# --------------------------------------------------------------------------------------------
# CTIT tools


def ctit(installs: pd.DataFrame) -> pd.Series:
    """Click-to-install time (first open minus attributed click) per install, as Timedelta.

    Missing (NaT) where there is no click; negative where the install was reported before its click.
    """
    require_columns(installs, "installs", ["click_time", "install_time"])
    c = require_utc_timestamps(installs, "installs", "click_time", allow_missing=True)
    i = require_utc_timestamps(installs, "installs", "install_time", allow_missing=True)
    return (i - c).rename("ctit")


def _seconds(values) -> np.ndarray:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        v = s.dt.total_seconds().to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.to_numpy(dtype=float, na_value=np.nan)
    elif len(s) == 0:
        v = np.array([], dtype=float)
    else:
        raise InputTypeError(_t("errors.fraud.ctit_type", dtype=s.dtype))
    return v[np.isfinite(v)]


def _log_edges(bins) -> np.ndarray:
    if isinstance(bins, str):
        if bins != "log":
            raise InputError(_t("errors.fraud.bins_text", bins=bins))
        bins = 28
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        if bins < 2:
            raise InputError(_t("errors.fraud.bins_min"))
        # from 1 s to 30 days, equal widths on a log scale; a first bin [0, 1 s)
        return np.concatenate([[0.0], np.logspace(0, np.log10(30 * 86400), int(bins))])
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise InputError(_t("errors.fraud.bins_edges"))
    return edges


def ctit_histogram(ctit_values, bins="log") -> pd.DataFrame:
    """Counts of CTIT values in log-spaced bins, as a tidy DataFrame.

    ``ctit_values``: Timedeltas (e.g. from :func:`ctit`) or numbers of seconds; missing values are
    ignored and negative ones (installs reported before their click) are left out and counted in
    the frame's ``attrs["negative"]``. ``bins``: ``"log"`` (28 edges from 1 s to 30 days on a log
    scale, plus [0, 1 s)), a number of log bins, or explicit edges in seconds. Values above the last
    edge go in the last bin. Columns: ``bin_left``, ``bin_right`` (seconds), ``label``, ``count``,
    ``share`` (of the non-negative values).
    """
    v = _seconds(ctit_values)
    edges = _log_edges(bins)
    neg = int((v < edges[0]).sum())
    v = v[v >= edges[0]]
    idx = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, len(edges) - 2)
    counts = np.bincount(idx, minlength=len(edges) - 1)
    total = counts.sum()
    left, right = edges[:-1], edges[1:]
    labels = [f"{_fmt_dur(np.array([a]))[0]} - {_fmt_dur(np.array([b]))[0]}" for a, b in zip(left, right, strict=True)]
    out = pd.DataFrame({"bin_left": left, "bin_right": right, "label": labels, "count": counts.astype(np.int64),
                        "share": counts / total if total else np.zeros(len(counts))})
    out.attrs["negative"] = neg
    return out


def ctit_distance(site_ctit, reference_ctit, method: str = "ks", bins="log") -> float:
    """How far a site's CTIT distribution is from a reference one (0 = identical).

    ``method="ks"``: the Kolmogorov-Smirnov statistic, the largest gap between the two cumulative
    distributions (0..1). ``method="js"``: the Jensen-Shannon divergence (base 2, 0..1) between the
    log-binned histograms (see :func:`ctit_histogram`). Negative and missing values are ignored.
    NaN when either side has no values.
    """
    a, b = _seconds(site_ctit), _seconds(reference_ctit)
    a, b = a[a >= 0], b[b >= 0]
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    if method == "ks":
        a, b = np.sort(a), np.sort(b)
        grid = np.concatenate([a, b])
        fa = np.searchsorted(a, grid, side="right") / len(a)
        fb = np.searchsorted(b, grid, side="right") / len(b)
        return float(np.max(np.abs(fa - fb)))
    if method == "js":
        p = ctit_histogram(a, bins)["share"].to_numpy()
        q = ctit_histogram(b, bins)["share"].to_numpy()
        m = (p + q) / 2

        def kl(x, y):
            nz = x > 0
            return float(np.sum(x[nz] * np.log2(x[nz] / y[nz])))

        return float(max(0.0, (kl(p, m) + kl(q, m)) / 2))
    raise InputError(_t("errors.fraud.distance_method", method=method))


# --------------------------------------------------------------------------------------------
# reports and evaluation


def source_report(flagged: pd.DataFrame, spend: pd.DataFrame | None = None,
                  by: str | Sequence[str] = ("media_source", "site_id")) -> pd.DataFrame:
    """Per source: installs, flagged installs, flagged share overall and by type, spend at risk.

    ``flagged`` is the output of :func:`detect`. ``spend`` (optional) has a ``cost`` (or ``spend``)
    column and some of the ``by`` columns (e.g. ``media_source`` only, as in the world's spend
    table); when it is coarser than ``by``, a group's spend is shared among its rows in proportion to
    their installs (cost per install assumed equal). ``spend_at_risk`` = spend x flagged share.
    Rows sorted by flagged installs, most first. Missing ``by`` values form their own group.
    """
    require_columns(flagged, "flagged", ["fraud_type"])
    by = [by] if isinstance(by, str) else list(by)
    require_columns(flagged, "flagged", by + ["fraud_type"])
    ft = flagged["fraud_type"]
    frame = flagged[by].copy()
    frame["installs"] = 1
    frame["flagged"] = ft.notna().to_numpy().astype(int)
    for t in FRAUD_TYPES:
        frame[t] = (ft == t).fillna(False).to_numpy().astype(int)
    rep = frame.groupby(by, dropna=False, observed=True).sum().reset_index()
    rep["flagged_share"] = rep["flagged"] / rep["installs"]
    for t in FRAUD_TYPES:
        rep[f"share_{t}"] = rep[t] / rep["installs"]
    rep = rep.drop(columns=list(FRAUD_TYPES))
    if spend is not None:
        require_dataframe(spend, "spend")
        cost_col = "cost" if "cost" in spend.columns else "spend" if "spend" in spend.columns else None
        if cost_col is None:
            raise InputError(_t("errors.fraud.spend_cost"))
        keys = [c for c in by if c in spend.columns]
        if not keys:
            raise InputError(_t("errors.fraud.spend_keys", columns=by))
        s = spend.groupby(keys, dropna=False, observed=True)[cost_col].sum().rename("group_spend").reset_index()
        rep = rep.merge(s, on=keys, how="left")
        grp_inst = rep.groupby(keys, dropna=False, observed=True)["installs"].transform("sum")
        rep["spend"] = rep["group_spend"].fillna(0.0) * rep["installs"] / grp_inst
        rep["spend_at_risk"] = rep["spend"] * rep["flagged_share"]
        rep = rep.drop(columns=["group_spend"])
    return rep.sort_values(["flagged", "installs"], ascending=False, kind="stable").reset_index(drop=True)


def _labels(flagged, truth) -> tuple[np.ndarray, np.ndarray]:
    """Align predicted and true labels; missing -> 'none'."""
    if isinstance(flagged, pd.DataFrame):
        require_columns(flagged, "flagged", ["fraud_type"])
        if isinstance(truth, pd.DataFrame):
            require_columns(truth, "truth", ["install_id", "fraud_type"])
            require_columns(flagged, "flagged", ["install_id", "fraud_type"])
            t = truth.set_index("install_id")["fraud_type"]
            if not t.index.is_unique:
                raise InputError(_t("errors.fraud.truth_duplicates"))
            missing = ~flagged["install_id"].isin(t.index)
            if missing.any():
                raise InputError(_t("errors.fraud.truth_missing", install_id=flagged["install_id"][missing].iloc[0]))
            tv = t.reindex(flagged["install_id"]).to_numpy(dtype=object, na_value=None)
        else:
            tv = pd.Series(truth).to_numpy(dtype=object, na_value=None)
        pv = flagged["fraud_type"].to_numpy(dtype=object, na_value=None)
    else:
        pv = pd.Series(flagged).to_numpy(dtype=object, na_value=None)
        tv = pd.Series(truth).to_numpy(dtype=object, na_value=None)
    if len(pv) != len(tv):
        raise InputError(_t("errors.fraud.length_mismatch", flagged=len(pv), truth=len(tv)))
    pv = np.where(pd.isna(pv), "none", pv).astype(object)
    tv = np.where(pd.isna(tv), "none", tv).astype(object)
    return pv, tv


def confusion_matrix(flagged, truth_fraud_type) -> pd.DataFrame:
    """Counts of installs by true type (rows) and detected type (columns), 'none' = not fraud."""
    pv, tv = _labels(flagged, truth_fraud_type)
    names = list(FRAUD_TYPES) + ["none"]
    extra = sorted((set(pv) | set(tv)) - set(names))
    names += extra
    cm = pd.crosstab(pd.Categorical(tv, names), pd.Categorical(pv, names), dropna=False)
    cm.index.name, cm.columns.name = "true", "detected"
    return cm.astype(np.int64)


def evaluate(flagged, truth_fraud_type) -> pd.DataFrame:
    """Precision, recall and F1 per fraud type, and for 'any' fraud (fraud vs not, whatever the type).

    ``flagged``: the output of :func:`detect` (or a Series of labels); ``truth_fraud_type``: a Series
    of true labels in the same row order, or a DataFrame with ``install_id, fraud_type`` (matched on
    ``install_id``). Missing labels mean "not fraud". Columns: ``true`` (installs of that type),
    ``detected``, ``correct``, ``precision``, ``recall``, ``f1`` (NaN when undefined).
    """
    pv, tv = _labels(flagged, truth_fraud_type)
    rows = []
    for t in list(FRAUD_TYPES) + ["any"]:
        if t == "any":
            p, q = pv != "none", tv != "none"
        else:
            p, q = pv == t, tv == t
        tp = int((p & q).sum())
        prec = tp / p.sum() if p.sum() else np.nan
        rec = tp / q.sum() if q.sum() else np.nan
        f1 = 2 * prec * rec / (prec + rec) if (prec + rec) > 0 else np.nan
        rows.append({"fraud_type": t, "true": int(q.sum()), "detected": int(p.sum()), "correct": tp,
                     "precision": prec, "recall": rec, "f1": f1})
    return pd.DataFrame(rows).set_index("fraud_type")


# --------------------------------------------------------------------------------------------
# from the simulated world


@dataclass
class FraudInputs:
    """:func:`detect`'s inputs built from a world, and the truth kept apart for scoring.

    ``installs``, ``clicks``, ``events``: what an MMP sees (no truth columns). ``truth``:
    ``install_id, fraud_type`` - only for :func:`evaluate`, never for detection.
    """

    installs: pd.DataFrame
    clicks: pd.DataFrame
    events: pd.DataFrame
    truth: pd.DataFrame


def inputs_from_world(world, **attribution_options) -> FraudInputs:
    """Attribute a world's installs like an MMP (:func:`helpers.synth.views.mmp.mmp_view`) and shape
    them for :func:`detect`.

    ``click_time`` is the attributed click's time (missing for organic and view-through installs);
    ``install_begin_time`` and ``referrer_click_time`` come from the world's Play Install Referrer
    columns. Clicks are the world's click touches (``touch_id`` renamed ``click_id``). Truth columns
    are dropped from all three inputs and returned separately in ``truth``.
    """
    from helpers.synth.views.mmp import TRUTH_COLUMNS, mmp_view

    view = mmp_view(world, **attribution_options)
    inst = view.installs.copy()
    is_click = (inst["touch_type"] == "click").fillna(False).to_numpy()
    inst["click_time"] = inst["touch_time"].where(is_click)
    for col in ("install_begin_time", "referrer_click_time"):
        if col not in inst.columns:
            inst[col] = pd.Series(pd.NaT, index=inst.index, dtype="datetime64[ns, UTC]")
    if "ip" not in inst.columns:
        inst["ip"] = inst["fingerprint"].str.split("|", n=1).str[0]
    t = world.touches
    c = t[t["touch_type"] == "click"].drop(columns=[x for x in TRUTH_COLUMNS if x in t.columns])
    c = c.rename(columns={"touch_id": "click_id", "touch_time": "click_time"}).reset_index(drop=True)
    if "ip" not in c.columns:
        c["ip"] = c["fingerprint"].str.split("|", n=1).str[0]
    ev = view.events.drop(columns=[x for x in TRUTH_COLUMNS if x in view.events.columns])
    truth = view.truth[["install_id"]].copy()
    truth["fraud_type"] = view.truth["fraud_type"] if "fraud_type" in view.truth.columns else \
        pd.Series([None] * len(truth), dtype="str")
    return FraudInputs(installs=inst, clicks=c, events=ev, truth=truth)


# ---------------------------------------------------------------------------- a detector in money
#: Click-injection thresholds for :func:`threshold_sweep` (course 02.5's sweep).
SWEEP_VALUES: tuple[str, ...] = ("3s", "5s", "10s", "20s", "30s", "1min", "2min", "5min", "15min", "1h")


def install_costs(flagged: pd.DataFrame, spend: pd.DataFrame) -> pd.Series:
    """What each install cost: its network's spend ÷ its network's installs (0 for organic).

    The same rule as :func:`source_report` (cost per install equal within a network).

    >>> f = pd.DataFrame({"media_source": ["a", "a", "organic"], "fraud_type": [None, "bot", None]})
    >>> s = pd.DataFrame({"media_source": ["a"], "cost": [10.0]})
    >>> install_costs(f, s).tolist()
    [5.0, 5.0, 0.0]
    """
    cost = spend.groupby("media_source")["cost"].sum()
    installs = flagged["media_source"].value_counts()
    cpi = (cost / installs).dropna()
    return flagged["media_source"].map(cpi).astype(float).fillna(0.0).rename("install_cost")


def detector_costs(flagged: pd.DataFrame, truth: pd.DataFrame, spend: pd.DataFrame) -> pd.Series:
    """A detector's flags in money: what blocking them saves, and what it costs honest partners.

    ``flagged``: the output of :func:`detect`; ``truth``: ``install_id, fraud_type``
    (the simulation's labels). Blocking a flagged install means not paying for it, so:

    - ``fraud_caught`` / ``money_saved``: truly fraudulent installs flagged, and what they cost;
    - ``false_alarms`` / ``honest_spend_blocked``: genuine installs flagged, and what they cost
      (money you refuse to pay an honest partner);
    - ``partners_wrongly_hit``: paid sites (``media_source``, ``site_id``) with at least one genuine
      install flagged - each one is an account manager who will call you.
    """
    true_type = truth.set_index("install_id")["fraud_type"].reindex(flagged["install_id"]).to_numpy()
    is_fraud = pd.notna(true_type)
    is_flagged = flagged["fraud_type"].notna().to_numpy()
    cost = install_costs(flagged, spend).to_numpy()
    caught, false_alarm = is_flagged & is_fraud, is_flagged & ~is_fraud
    paid = (flagged["media_source"] != ORGANIC).to_numpy()
    hit = flagged.loc[false_alarm & paid, ["media_source", "site_id"]].drop_duplicates()
    return pd.Series({
        "fraud_caught": int(caught.sum()),
        "money_saved": float(cost[caught].sum()),
        "false_alarms": int(false_alarm.sum()),
        "honest_spend_blocked": float(cost[false_alarm].sum()),
        "partners_wrongly_hit": int(len(hit)),
    })


def without_referrer(installs: pd.DataFrame) -> pd.DataFrame:
    """The installs as a store without Google Play Install Referrer timestamps would report them.

    ``install_begin_time`` and ``referrer_click_time`` become missing, so click injection can only
    be caught by a short click-to-install time (the situation of iOS and of other Android stores).
    """
    out = installs.copy()
    for col in ("install_begin_time", "referrer_click_time"):
        if col in out.columns:
            out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
    return out


def threshold_sweep(installs: pd.DataFrame, clicks: pd.DataFrame, events: pd.DataFrame, truth: pd.DataFrame,
                    spend: pd.DataFrame, values: Iterable[str] = SWEEP_VALUES,
                    parameter: str = "injection_max_ctit", fraud_type: str = "click_injection") -> pd.DataFrame:
    """Run :func:`detect` once per threshold value; one row per value.

    Columns: ``precision`` and ``recall`` for ``fraud_type`` (NaN when nothing of that type is
    flagged / exists), then :func:`detector_costs` of all flags.
    """
    rows = {}
    for value in values:
        flagged = detect(installs, clicks, events=events, **{parameter: value})
        quality = evaluate(flagged, truth).loc[fraud_type, ["precision", "recall"]]
        rows[value] = pd.concat([quality, detector_costs(flagged, truth, spend)])
    table = pd.DataFrame(rows).T
    table.index.name = parameter
    return table
