"""helpers.synth.fraud: labelled fraud mixed into a world, with signals that come from the mechanism."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from helpers.synth import generate_world
from helpers.synth.fraud import FRAUD_TYPES, FraudMix, add_fraud
from helpers.synth.world import to_csv_bytes

DATACENTER = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
ID_COLS = {"touches": "touch_id", "installs": "install_id", "events": "event_id"}


@functools.cache
def genuine(n: int = 4000, seed: int = 5):
    return generate_world(n, seed)


@functools.cache
def fraud_world(n: int = 4000, seed: int = 5, fraud_seed: int = 5):
    return add_fraud(genuine(n, seed), FraudMix(), fraud_seed)


def is_datacenter(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    return any(addr in net for net in DATACENTER)


def labelled(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    return df[df["fraud_type"] == kind]


# ---- shares and labels ---------------------------------------------------------------------------


def test_shares_match_the_mix():
    mix = FraudMix()
    share = fraud_world().installs["fraud_type"].value_counts(dropna=True) / len(fraud_world().installs)
    for kind in FRAUD_TYPES:
        assert share.get(kind, 0.0) == pytest.approx(mix.share(kind), abs=0.003), kind
    assert set(fraud_world().touches["fraud_type"].dropna()) == set(FRAUD_TYPES)


def test_custom_mix_shares_and_zero_mix_adds_nothing():
    w = genuine()
    mix = FraudMix(click_injection=0.05, click_flooding=0.0, sdk_spoofing=0.04, bot=0.0, device_farm=0.06)
    f = add_fraud(w, mix, 1)
    share = f.installs["fraud_type"].value_counts() / len(f.installs)
    assert share["click_injection"] == pytest.approx(0.05, abs=0.003)
    assert share["sdk_spoofing"] == pytest.approx(0.04, abs=0.003)
    assert share["device_farm"] == pytest.approx(0.06, abs=0.003)
    assert "bot" not in share and "click_flooding" not in share
    empty = add_fraud(w, FraudMix(0, 0, 0, 0, 0), 1)
    assert len(empty.installs) == len(w.installs) and empty.installs["fraud_type"].isna().all()


def test_genuine_rows_unchanged_and_dtypes_kept():
    before, after = genuine(), fraud_world()
    install_map = None
    for name, key in ID_COLS.items():
        old, new = getattr(before, name), getattr(after, name)
        assert list(new.columns[:len(old.columns)]) == list(old.columns)
        for col in old.columns:
            assert new[col].dtype == old[col].dtype, (name, col)
        # genuine rows: no label, except stolen credit on real installs; they keep their order
        stolen = {"click_injection", "click_flooding"} if name == "installs" else set()
        is_genuine = new["fraud_type"].isna() | new["fraud_type"].isin(stolen)
        assert is_genuine.sum() == len(old)
        kept = new[is_genuine].reset_index(drop=True)
        same = [c for c in old.columns if c not in (key, "fraud_type", "install_id")]
        pd.testing.assert_frame_equal(kept[same], old[same].reset_index(drop=True))
        assert set(kept["fraud_type"].dropna()) <= stolen
        if name == "installs":
            install_map = dict(zip(old[key], kept[key], strict=True))
        if name == "events":  # genuine events point to their install's new ID
            assert (kept["install_id"] == old["install_id"].map(install_map)).all()
        # sorted in time order; every ID numbered afresh in that order (prefix + 1..n, one width), so an
        # ID says nothing about whether a row is fraud
        time_col = {"touches": "touch_time", "installs": "install_time", "events": "event_time"}[name]
        assert new[time_col].is_monotonic_increasing
        assert new[key].is_unique
        assert (new[key].str.len() == old[key].str.len().iloc[0]).all()
        assert (new[key].str[0] == old[key].str[0].iloc[0]).all()
        assert (new[key].str[1:].astype(int) == np.arange(1, len(new) + 1)).all()
    assert after.users.equals(before.users) and after.spend.equals(before.spend)


def test_fraud_ids_are_spread_like_genuine_ones():
    f = fraud_world()
    for name, key in ID_COLS.items():
        df = getattr(f, name)
        number = df[key].str[1:].astype(int)
        is_fraud = df["fraud_type"].notna()
        # fraud rows are spread over the whole ID range, not stacked after the genuine rows
        assert number[is_fraud].median() < 0.75 * len(df), name
        assert number[is_fraud].min() < 0.1 * len(df), name


def test_timestamps_are_whole_seconds_like_genuine_ones():
    f = fraud_world()
    for df, col in ((f.touches, "touch_time"), (f.installs, "install_time"), (f.events, "event_time")):
        ns = df[col].astype("int64")
        assert (ns % 1_000_000_000 == 0).all()


def test_device_ids_look_like_genuine_ones():
    f = fraud_world()
    pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    for df in (f.touches, f.installs):
        ids = df.loc[df["fraud_type"].notna(), "device_id"].dropna()
        assert ids.str.lower().str.match(pattern).all()
    new = f.installs[f.installs["fraud_type"].isin(["sdk_spoofing", "bot", "device_farm"])]  # fabricated
    assert len(new) == len(f.installs) - len(genuine().installs)
    assert new["device_id"].is_unique
    android = new["platform"] == "android"
    assert (new.loc[android, "device_id"] == new.loc[android, "device_id"].str.lower()).all()
    assert (new.loc[~android, "device_id"].dropna() == new.loc[~android, "device_id"].dropna().str.upper()).all()


# ---- per-type signals ----------------------------------------------------------------------------


def test_injected_clicks_fall_between_install_begin_and_first_open():
    f = fraud_world()
    inst = labelled(f.installs, "click_injection")
    assert (inst["platform"] == "android").all()
    clicks = labelled(f.touches, "click_injection")
    m = inst.merge(clicks[["device_id", "touch_time", "media_source"]], on="device_id", validate="one_to_one")
    assert len(m) == len(inst)
    ctit = (m["install_time"] - m["touch_time"]).dt.total_seconds()
    assert (ctit > 0).all() and (ctit <= 60).all()
    assert ctit.median() <= 10
    assert (m["touch_time"] > m["install_begin_time"]).all()
    # the injected click is the last click before the first open, so last-click credits the bad site
    allc = f.touches[f.touches["touch_type"] == "click"]
    later = allc.merge(m[["device_id", "touch_time", "install_time"]], on="device_id", suffixes=("", "_inj"))
    assert not ((later["touch_time"] > later["touch_time_inj"]) & (later["touch_time"] < later["install_time"])).any()
    assert not m["media_source"].isin(["google_ads", "meta_ads", "apple_search_ads", "tiktok_ads"]).any()
    # genuine Android installs: every referrer click comes before the download began
    g = f.installs[f.installs["fraud_type"].isna() & (f.installs["platform"] == "android")]
    ok = g["referrer_click_time"].notna()
    assert (g.loc[ok, "referrer_click_time"] < g.loc[ok, "install_begin_time"]).all()
    assert (g["install_begin_time"] < g["install_time"]).all()


def _last_click_ctit(touches: pd.DataFrame, installs: pd.DataFrame) -> pd.Series:
    """Seconds from the last click on the same device (within 7 days) to the install."""
    c = touches[touches["touch_type"] == "click"][["device_id", "touch_time"]].dropna()
    i = installs[["install_id", "device_id", "install_time"]].dropna()
    m = pd.merge_asof(i.sort_values("install_time"), c.sort_values("touch_time"), left_on="install_time",
                      right_on="touch_time", by="device_id", direction="backward",
                      tolerance=pd.Timedelta("7D"), allow_exact_matches=False)
    return (m["install_time"] - m["touch_time"]).dt.total_seconds().dropna()


def test_flooding_ctit_is_flat_and_long_and_conversion_tiny():
    f = fraud_world()
    flood = labelled(f.installs, "click_flooding")
    flood_ctit = _last_click_ctit(labelled(f.touches, "click_flooding"), flood)
    assert len(flood_ctit) == len(flood)  # every stolen install has a flood click in its lookback
    honest = genuine().installs[genuine().installs["true_source"] != "organic"]
    honest_ctit = _last_click_ctit(genuine().touches, honest)
    assert flood_ctit.median() > 12 * 3600
    assert honest_ctit.median() < 3600
    # flat: a good share lands after 24 h and the spread across hours 2..168 is even
    assert (flood_ctit > 24 * 3600).mean() > 0.5
    assert (honest_ctit > 24 * 3600).mean() < 0.2
    # conversion per flooding site far below 0.05 %
    fclicks = labelled(f.touches, "click_flooding")
    per_site = flood.merge(fclicks.drop_duplicates("device_id")[["device_id", "site_id"]], on="device_id")
    conv = per_site.groupby("site_id").size() / fclicks.groupby("site_id").size()
    assert (conv.fillna(0) < 0.0005).all()
    # clicks per device and per IP much higher than for genuine clicks
    gclicks = genuine().touches[genuine().touches["touch_type"] == "click"].copy()
    gclicks["ip"] = gclicks["fingerprint"].str.split("|").str[0]  # worlds without an ip column
    audience = fclicks[fclicks["device_id"].isin(flood["device_id"])]
    assert audience.groupby("device_id").size().median() >= 4
    assert gclicks.groupby("device_id").size().median() <= 2
    fip = fclicks.groupby("ip").size()
    gip = gclicks.groupby("ip").size()
    assert fip.quantile(0.9) > 20 * gip.quantile(0.9)


def test_bots_come_from_datacenter_ranges_and_nobody_else_does():
    f = fraud_world()
    for df in (f.touches, f.installs):
        bots = labelled(df, "bot")
        assert len(bots) and bots["ip"].map(is_datacenter).all()
        others = df[df["fraud_type"] != "bot"]["ip"].drop_duplicates()
        assert not others.map(is_datacenter).any()
    bots = labelled(f.installs, "bot")
    assert bots["ip"].nunique() < len(bots)  # shared hosting addresses
    ev = labelled(f.events, "bot")
    assert (ev["revenue"] == 0).all()
    # robotic return visits: exactly whole days after the install
    sess = ev[ev["event_name"] == "session"].merge(bots[["install_id", "install_time"]], on="install_id")
    lag = (sess["event_time"] - sess["install_time"]).dt.total_seconds()
    assert ((lag % 86_400) == 0).all()


def test_device_farm_installs_concentrate_on_few_ips_and_come_regularly():
    f = fraud_world()
    farm = labelled(f.installs, "device_farm")
    assert len(farm) >= 30
    assert farm["ip"].nunique() <= 3 * len(FraudMix().sites["device_farm"])
    assert farm.groupby("ip").size().min() >= 3
    assert farm["device_id"].is_unique  # a reset advertising ID for every install
    assert farm.groupby("fingerprint").size().mean() >= 2  # same phones, same address, new IDs
    ips = set(farm["ip"])
    assert not any(is_datacenter(ip) for ip in ips)
    site = labelled(f.touches, "device_farm").merge(farm[["device_id"]], on="device_id")
    for _, g in site.groupby("site_id"):
        times = g["touch_time"].sort_values().astype("int64") // 1_000_000_000
        gaps = np.diff(times.to_numpy())
        if len(gaps) >= 5:
            assert gaps.std() / gaps.mean() < 0.25  # automation, not people
    # low retention: almost nobody opens the app again after day 0
    ev = labelled(f.events, "device_farm").merge(farm[["install_id", "install_time"]], on="install_id")
    later = ev[(ev["event_name"] == "session") & (ev["event_time"] >= ev["install_time"] + pd.Timedelta("1D"))]
    assert later["install_id"].nunique() / len(farm) < 0.2


def test_sdk_spoofing_timestamps_do_not_add_up_and_receipts_fail():
    f = fraud_world()
    spoof = labelled(f.installs, "sdk_spoofing")
    clicks = labelled(f.touches, "sdk_spoofing")
    m = spoof.merge(clicks[["device_id", "touch_time"]], on="device_id", validate="one_to_one")
    impossible = (m["install_time"] < m["touch_time"]) | (m["install_begin_time"] > m["install_time"])
    assert impossible.mean() >= 0.75
    g = genuine()
    assert not spoof["device_id"].isin(g.touches["device_id"]).any()
    ev = labelled(f.events, "sdk_spoofing")
    buys = ev[ev["event_name"] == "purchase"]
    assert len(buys) and (buys["receipt_valid"] == False).all()  # noqa: E712
    genuine_buys = f.events[f.events["fraud_type"].isna() & (f.events["event_name"] == "purchase")]
    assert genuine_buys["receipt_valid"].all()
    assert not f.events.loc[f.events["event_name"] != "purchase", "receipt_valid"].any()
    early = buys.merge(spoof[["install_id", "install_time"]], on="install_id")
    assert (early["event_time"] < early["install_time"]).any()


def test_fraud_events_belong_to_fraud_installs():
    f = fraud_world()
    ev = f.events[f.events["fraud_type"].notna()]
    owner = ev.merge(f.installs[["install_id", "fraud_type", "user_id"]], on="install_id", suffixes=("", "_i"))
    assert len(owner) == len(ev)
    assert (owner["fraud_type"] == owner["fraud_type_i"]).all()
    assert (owner["user_id"] == owner["user_id_i"]).all()


# ---- determinism, existing columns, bad input ------------------------------------------------------


def _bytes(world) -> dict[str, bytes]:
    return {name: to_csv_bytes(getattr(world, name)) for name in ("touches", "installs", "events")}


def test_same_seed_byte_identical_different_seed_differs():
    w = generate_world(1500, 3)
    a = _bytes(add_fraud(w, FraudMix(), 9))
    b = _bytes(add_fraud(generate_world(1500, 3), FraudMix(), 9))
    c = _bytes(add_fraud(w, FraudMix(), 10))
    assert a == b
    assert all(a[name] != c[name] for name in a)
    # fraud does not shift the genuine world
    assert to_csv_bytes(w.installs) == to_csv_bytes(generate_world(1500, 3).installs)


def test_world_that_already_has_the_columns_keeps_them():
    w = add_fraud(generate_world(1500, 3), FraudMix(0, 0, 0, 0, 0), 1)  # columns only, no fraud
    f = add_fraud(w, FraudMix(), 2)
    old = w.installs.reset_index(drop=True)
    new = f.installs[f.installs["fraud_type"].isna() | f.installs["fraud_type"].isin(["click_injection",
                                                                                  "click_flooding"])]
    new = new.reset_index(drop=True)  # the genuine installs, in their order
    for col in ("user_id", "ip", "install_begin_time", "referrer_click_time"):
        pd.testing.assert_series_equal(new[col], old[col])
    with pytest.raises(ValueError, match="already contains fraud"):
        add_fraud(f, FraudMix(), 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"bot": -0.1}, r"bot=-0.1 must be in \[0, 1\)"),
    ({"bot": 1.0}, r"bot=1.0 must be in \[0, 1\)"),
    ({"click_flooding": 0.3, "device_farm": 0.2}, "less than 0.5"),
    ({"bot": float("nan")}, "must be in"),
    ({"flood_clicks_per_install": 0}, "flood_clicks_per_install"),
    ({"sites": {"click_flooding": (("meta_ads", "site_0101"),)}}, "self-attributing"),
    ({"sites": {"bot": (("nope", "site_0001"),)}}, "unknown media source"),
    ({"sites": {"bot": (("unity_ads", "site_0001"),)}}, "not a site of unity_ads"),
    ({"sites": {"fake": ()}}, "unknown fraud types"),
])
def test_bad_mix_gives_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FraudMix(**kwargs)


def test_missing_sites_for_a_used_type_and_too_small_world():
    with pytest.raises(ValueError, match="no sites"):
        FraudMix(sites={"bot": ()})
    with pytest.raises(ValueError, match="bigger world"):
        add_fraud(generate_world(60, 1), FraudMix(0, 0.45, 0, 0, 0), 1)
    with pytest.raises(ValueError, match="FraudMix"):
        add_fraud(generate_world(60, 1), {"bot": 0.1}, 1)
    assert replace(FraudMix(), bot=0.0).bot == 0.0


def test_flood_click_budget_caps_rows_and_keeps_the_conversion():
    w = genuine()
    per = 1000
    capped = add_fraud(w, FraudMix(flood_clicks_per_install=per, flood_click_budget=30 * per), 5)
    stolen = int((capped.installs["fraud_type"] == "click_flooding").sum())
    clicks = int((capped.touches["fraud_type"] == "click_flooding").sum())
    assert stolen == 30  # fewer installs stolen than the 4 % share asks for ...
    assert clicks <= 30 * per  # ... so the flood stays within the budget
    assert stolen / clicks == pytest.approx(1 / per, rel=0.05)  # at the same tiny conversion
    # the other types keep their shares; no cap when the budget is big enough, or None
    share = capped.installs["fraud_type"].value_counts() / len(capped.installs)
    assert share["bot"] == pytest.approx(FraudMix().bot, abs=0.003)
    assert _bytes(add_fraud(w, FraudMix(flood_click_budget=None), 5)) == _bytes(fraud_world())
    with pytest.raises(ValueError, match="flood_click_budget"):
        FraudMix(flood_click_budget=0)


def test_text_columns_hold_only_strings_or_missing():
    """The tables' "str" columns are built without pandas' per-value check: every value is a str or NaN."""
    for world in (genuine(), fraud_world()):
        for name, df in world.tables.items():
            for col in df.columns:
                s = df[col]
                if s.dtype != "str":
                    continue
                values = s.to_numpy(dtype=object)
                ok = np.fromiter((type(v) is str or (type(v) is float and v != v) for v in values), bool, len(values))
                assert ok.all(), (name, col, values[~ok][:3])
                pd.testing.assert_series_equal(s, pd.Series(values, dtype="str", name=col, index=s.index))
