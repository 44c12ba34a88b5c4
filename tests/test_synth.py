"""helpers.synth: determinism, the committed datasets, scenario parameters showing in the data."""

from __future__ import annotations

import functools
import ipaddress
import sys
import types
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from helpers.data import SCHEMAS, validate
from helpers.synth import MEDIA_SOURCES, NETWORKS, VERTICALS, World, generate_world
from helpers.synth.build import CHECKSUMS, DEFAULT_SET, build, check, main, verify_checksums
from helpers.synth.world import to_csv_bytes

DATASETS = __import__("pathlib").Path(__file__).resolve().parent.parent / "datasets"


@functools.cache
def world(vertical: str = "gaming", n: int = 6000, seed: int = 11) -> World:
    return generate_world(n, seed, vertical=vertical)


def csv_bytes(w: World) -> dict[str, bytes]:
    tables = {**w.tables, "paths": w.paths()}
    return {name: to_csv_bytes(df) for name, df in tables.items()}


def observed_first_installs(w: World, min_days: int = 31) -> pd.DataFrame:
    """First installs with at least ``min_days`` of observation before the window ends."""
    i = w.installs
    return i[~i["is_reinstall"] & (i["install_time"] < w.end - pd.Timedelta(days=min_days))]


# ---- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_tables():
    a = csv_bytes(generate_world(1500, 42, vertical="ecommerce"))
    b = csv_bytes(generate_world(1500, 42, vertical="ecommerce"))
    assert a == b


def test_different_seed_gives_different_tables():
    a = csv_bytes(generate_world(1500, 42))
    b = csv_bytes(generate_world(1500, 43))
    assert all(a[name] != b[name] for name in ("users", "touches", "installs", "events"))


def test_write_is_deterministic_and_lf(tmp_path):
    w = generate_world(800, 3)
    first = {p.name: p.read_bytes() for p in w.write(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in generate_world(800, 3).write(tmp_path / "b")}
    assert first == second
    assert set(first) == {"users.csv", "touches.csv", "installs.csv", "events.csv", "spend.csv", "paths.csv",
                          "deeplink_clicks.csv"}
    assert all(b"\r\n" not in text for text in first.values())


def test_committed_datasets_match_a_fresh_build():
    differing = check(DATASETS)
    assert differing == [], f"regenerate with `python -m helpers.synth build --out datasets`: {differing}"
    assert verify_checksums(DATASETS) == []


def test_committed_datasets_are_small_and_complete():
    total = sum(p.stat().st_size for p in DATASETS.rglob("*") if p.is_file())
    assert total < 32_000_000  # 25 MB before datasets/fraud (course 02), which has its own 8 MB budget
    fraud = sum(p.stat().st_size for p in (DATASETS / "fraud").rglob("*") if p.is_file())
    assert fraud < 8_000_000
    for spec in DEFAULT_SET:
        assert (DATASETS / spec.name / "README.md").is_file()
        for name in spec.files:
            assert (DATASETS / spec.name / spec.filename(name)).is_file(), (spec.name, name)
    assert {s.vertical for s in DEFAULT_SET if s.name.startswith("world-")} == set(VERTICALS)


def test_check_mode_reports_differing_files(tmp_path, capsys):
    build(tmp_path, seed=1, users=300, days=30)
    args = ["build", "--out", str(tmp_path), "--seed", "1", "--users", "300", "--days", "30", "--check"]
    assert main(args) == 0
    (tmp_path / "world-gaming" / "spend.csv").write_text("tampered\n")
    assert main(args) == 1
    assert "world-gaming/spend.csv" in capsys.readouterr().err


def test_ensure_builds_then_verifies_checksums(tmp_path, monkeypatch, capsys):
    import helpers.synth.build as B

    small = tuple(replace(s, users=200, days=20) for s in DEFAULT_SET)
    monkeypatch.setattr(B, "DEFAULT_SET", small)
    assert main(["ensure", "--out", str(tmp_path)]) == 0
    assert (tmp_path / CHECKSUMS).is_file() and (tmp_path / "world-ecommerce" / "deeplink_clicks.csv").is_file()
    assert main(["ensure", "--out", str(tmp_path)]) == 0
    assert verify_checksums(tmp_path) == []
    (tmp_path / "world-ecommerce" / "README.md").write_text("edited\n")
    assert main(["ensure", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "world-ecommerce/README.md" in err and "checksum differs" in err


def test_tables_match_the_schema_registry():
    w = world()
    for name, df in {**w.tables, "paths": w.paths()}.items():
        schema = SCHEMAS[f"attribution/{name}"]
        assert list(df.columns) == schema.column_names, name
        validate(df, schema.name, extra="error")


# ---- scenario parameters show in the data -------------------------------------------------------


def test_ecommerce_first_purchase_rate_is_about_24_percent():
    w = world("ecommerce")
    first = observed_first_installs(w)
    buyers = set(w.events.loc[w.events["event_name"] == "purchase", "install_id"])
    rate = first["install_id"].isin(buyers).mean()
    assert len(first) > 1000
    assert abs(rate - VERTICALS["ecommerce"].first_purchase_rate) < 0.035, rate


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_platform_att_and_organic_shares(vertical):
    sc = VERTICALS[vertical]
    w = world(vertical)
    u = w.users
    kr = u[u["country"] == "KR"]
    assert abs((kr["platform"] == "android").mean() - sc.android_share["KR"]) < 0.04
    ios = u[u["platform"] == "ios"]
    assert abs(ios["att_consent"].mean() - sc.att_opt_in) < 0.04
    assert u.loc[u["platform"] == "android", "att_consent"].all()
    first = w.installs[~w.installs["is_reinstall"]]
    organic = (first["true_source"] == "organic").mean()
    assert abs(organic - sc.organic_share) < 0.04
    assert 0.30 <= organic <= 0.50


def test_gaming_retention_curve():
    sc = VERTICALS["gaming"]
    w = world("gaming", n=8000)
    first = observed_first_installs(w)
    s = w.events[(w.events["event_name"] == "session") & w.events["install_id"].isin(first["install_id"])]
    s = s.merge(first[["install_id", "install_time"]], on="install_id")
    day = (s["event_time"] - s["install_time"]) // pd.Timedelta(days=1)
    for n, target in ((1, sc.d1), (7, sc.d7), (30, sc.d30)):
        share = s.loc[day == n, "install_id"].nunique() / len(first)
        assert abs(share - target) < max(0.03, target * 0.3), (n, share, target)


def test_gaming_revenue_is_concentrated_in_few_payers():
    w = world("gaming", n=8000)
    p = w.events[w.events["event_name"] == "purchase"]
    per_payer = p.groupby("user_id")["revenue"].sum().sort_values(ascending=False)
    top = per_payer.head(max(1, len(per_payer) // 10)).sum() / per_payer.sum()
    assert top > 0.35  # the top 10% of payers bring more than a third of revenue
    assert (w.events.loc[w.events["event_name"] != "purchase", "revenue"] == 0).all()
    assert (p["revenue"] > 0).all()


def test_spend_is_consistent_with_cpi_ranges():
    w = world("ecommerce")
    sc = w.scenario
    spend = w.spend[~w.spend["campaign"].str.contains("_rt_")].groupby("media_source")["cost"].sum()
    first = w.installs[~w.installs["is_reinstall"] & (w.installs["true_source"] != "organic")]
    for source, installs in first.groupby("true_source"):
        lo = min(sc.cpi_range(source, c)[0] for c in ("KR", "US", "JP"))
        hi = max(sc.cpi_range(source, c)[1] for c in ("KR", "US", "JP"))
        cpi = spend[source] / len(installs)
        assert lo <= cpi <= hi, (source, cpi, lo, hi)
    assert (w.spend["cost"] >= 0).all()


def test_media_sources_campaigns_and_sites():
    w = world()
    t = w.touches
    assert set(t["media_source"]) == set(MEDIA_SOURCES)
    assert len(MEDIA_SOURCES) >= 5 and sum(n.self_attributing for n in NETWORKS) >= 2
    per_source = t.groupby("media_source")["campaign"].nunique()
    assert per_source.between(2, 4).all()
    assert t["site_id"].str.fullmatch(r"site_\d{4}").all()
    assert t.groupby("media_source")["site_id"].nunique().max() >= 10
    asa_platform = t[t["media_source"] == "apple_search_ads"].merge(w.users[["user_id", "platform"]], on="user_id")
    assert (asa_platform["platform"] == "ios").all()


def test_impressions_outnumber_clicks_and_some_clicks_are_old():
    w = world()
    t = w.touches
    assert (t["touch_type"] == "impression").sum() > 3 * (t["touch_type"] == "click").sum()
    first = w.users.set_index("user_id")["first_install_time"]
    clicks = t[(t["touch_type"] == "click") & ~t["is_retargeting"]]
    age = first.reindex(clicks["user_id"]).to_numpy() - clicks["touch_time"].to_numpy()
    age = pd.Series(age).dropna() / pd.Timedelta(days=1)
    assert 0.03 < (age > 7).mean() < 0.4
    assert t["user_id"].isin(w.installs["user_id"]).mean() < 0.95  # touches on people who never installed
    assert (t.groupby("user_id")["media_source"].nunique() >= 2).mean() > 0.2  # multi-network journeys


def test_fingerprints_are_shared_by_a_few_people_and_start_with_the_ip():
    w = world()
    u = w.users
    shared = u["fingerprint"].duplicated(keep=False).mean()
    assert 0.01 < shared < 0.2
    for df in (u, w.touches, w.installs):
        assert (df["fingerprint"].str.split("|").str[0] == df["ip"]).all()


USER_NETS = (ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("2001:db8::/32"))
DATACENTER_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_ips_come_only_from_the_reserved_user_ranges(vertical):
    w = world(vertical, n=3000)
    for name in ("users", "touches", "installs"):
        addresses = [ipaddress.ip_address(a) for a in w.tables[name]["ip"].unique()]
        assert all(any(a in net for net in USER_NETS) for a in addresses), name
        assert not any(a in net for a in addresses for net in DATACENTER_NETS), name
    v6 = (w.users["ip"].str.contains(":")).mean()
    assert 0.08 < v6 < 0.25, v6


# ---- truth invariants ---------------------------------------------------------------------------


def test_device_ids_missing_exactly_without_consent():
    w = world()
    u = w.users
    assert u["device_id"].isna().equals(~u["att_consent"])
    consent = u.set_index("user_id")["att_consent"]
    t = w.touches
    assert t["device_id"].isna().to_numpy().tolist() == (~consent.reindex(t["user_id"]).to_numpy()).tolist()
    i = w.installs
    assert i["device_id"].isna().to_numpy().tolist() == (~consent.reindex(i["user_id"]).to_numpy()).tolist()
    assert i.loc[i["platform"] == "android", "device_id"].notna().all()


def test_only_retargeting_touches_after_the_first_install():
    w = world()
    first = w.users.set_index("user_id")["first_install_time"]
    t = w.touches
    after = t["touch_time"].to_numpy() >= first.reindex(t["user_id"]).to_numpy()
    assert not (after & ~t["is_retargeting"].to_numpy()).any()
    assert t.loc[after, "is_retargeting"].all()
    assert t["is_retargeting"].any()


def test_paid_installs_have_a_touch_from_their_true_source_before_them():
    w = world()
    i = w.installs[w.installs["true_source"] != "organic"]
    t = w.touches.merge(i[["user_id", "install_time", "true_source", "is_reinstall"]], on="user_id")
    ok = t[(t["media_source"] == t["true_source"]) & (t["touch_time"] < t["install_time"])
           & (t["is_retargeting"] == t["is_reinstall"])]
    assert set(ok["user_id"]) == set(i["user_id"])


def test_reinstalls_inside_and_outside_90_days():
    w = world(n=10000)
    i = w.installs
    re = i[i["is_reinstall"]]
    assert 0.01 < len(re) / len(i) < 0.08
    gap = (re["install_time"] - re["previous_install_time"]) / pd.Timedelta(days=1)
    assert (gap < 90).any() and (gap > 90).any() and (gap > 0).all()
    assert set(re["true_source"]) - {"organic"} <= {n.name for n in NETWORKS if n.retargeting_campaign}
    # retargeting touches shortly before some reinstalls
    rt = w.touches[w.touches["is_retargeting"]].merge(re[["user_id", "install_time"]], on="user_id")
    assert ((rt["touch_time"] < rt["install_time"])
            & (rt["install_time"] - rt["touch_time"] < pd.Timedelta(days=2))).any()


def test_events_belong_to_installs_and_follow_them():
    w = world()
    e = w.events.merge(w.installs[["install_id", "user_id", "install_time"]], on="install_id", suffixes=("", "_i"))
    assert len(e) == len(w.events)
    assert (e["user_id"] == e["user_id_i"]).all()
    assert (e["event_time"] >= e["install_time"]).all()
    assert (w.events["event_time"] < w.end).all()
    assert set(w.events["event_name"]) == {"session", "sign_up", "purchase"}


def test_ids_timestamps_and_sorting():
    w = world()
    for df, key, time in ((w.touches, "touch_id", "touch_time"), (w.installs, "install_id", "install_time"),
                          (w.events, "event_id", "event_time")):
        assert df[key].is_unique and df[key].is_monotonic_increasing
        assert df[time].is_monotonic_increasing
        assert str(df[time].dtype) == "datetime64[ns, UTC]"
    assert w.users["user_id"].str.fullmatch(r"u\d{6}").all()
    install_window = w.installs["install_time"]
    assert install_window.min() >= w.start and install_window.max() < w.end


def test_paths_shape_and_counts():
    w = world()
    p = w.paths()
    assert list(p.columns) == ["path", "conversions", "nulls"]
    assert p["path"].is_unique
    touched = w.touches.loc[~w.touches["is_retargeting"], "user_id"].unique()
    assert p["conversions"].sum() + p["nulls"].sum() == len(touched)
    converted = w.users.loc[w.users["user_id"].isin(touched) & w.users["first_install_time"].notna()]
    assert p["conversions"].sum() == len(converted)
    assert p["nulls"].sum() > 0
    assert set(" > ".join(p["path"]).split(" > ")) <= set(MEDIA_SOURCES)
    clicks = w.paths(touch_types="click")
    assert clicks["path"].str.count(">").mean() < p["path"].str.count(">").mean()
    assert w.paths(conversion="purchase")["conversions"].sum() > 0
    with pytest.raises(ValueError, match="conversion"):
        w.paths(conversion="download")


def test_describe_and_repr():
    w = world()
    text = w.describe()
    assert "organic share" in text and "USD" in text
    assert "World(vertical='gaming'" in repr(w)


# ---- bad inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    ({"n_users": 0, "seed": 1}, "n_users"),
    ({"n_users": 10.5, "seed": 1}, "n_users"),
    ({"n_users": "100", "seed": 1}, "n_users"),
    ({"n_users": 100, "seed": -1}, "seed"),
    ({"n_users": 100, "seed": None}, "seed"),
    ({"n_users": 100, "seed": 1, "vertical": "fintech"}, "gaming, ecommerce, home_services, subscription"),
    ({"n_users": 100, "seed": 1, "days": 0}, "days"),
    ({"n_users": 100, "seed": 1, "start": "not a date"}, "start"),
])
def test_bad_inputs_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_world(**kwargs)


def test_custom_scenario_and_invalid_parameters():
    sc = replace(VERTICALS["ecommerce"], organic_share=0.5)
    w = generate_world(3000, 5, scenario=sc)
    assert w.scenario.organic_share == 0.5
    with pytest.raises(ValueError, match="att_opt_in"):
        replace(VERTICALS["gaming"], att_opt_in=1.5)
    with pytest.raises(ValueError, match="unknown media sources"):
        replace(VERTICALS["gaming"], network_mix={"myspace": 1.0})


def test_tiny_worlds_work():
    for n in (1, 2, 7):
        w = generate_world(n, 0)
        assert len(w.users) == n
        w.paths()
        w.describe()
    assert np.isfinite(generate_world(50, 0).spend["cost"]).all()


# ---- Play Install Referrer timestamps ------------------------------------------------------------


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_install_begin_time_is_android_only_and_before_the_first_open(vertical):
    i = world(vertical).installs
    android = i["platform"] == "android"
    assert i.loc[~android, ["install_begin_time", "referrer_click_time"]].isna().all().all()
    begin = i.loc[android, "install_begin_time"]
    assert begin.notna().all()
    lag = (i.loc[android, "install_time"] - begin).dt.total_seconds()
    assert (lag > 0).all() and (lag <= 30 * 60).all() and 20 < lag.median() < 120


def test_referrer_click_time_is_the_causing_click_before_the_download():
    w = world()
    i = w.installs[w.installs["fraud_type"].isna()]
    ref = i[i["referrer_click_time"].notna()]
    assert len(ref) > 100
    assert (ref["platform"] == "android").all() and (ref["true_source"] != "organic").all()
    assert (ref["referrer_click_time"] <= ref["install_begin_time"]).all()
    clicks = w.touches[w.touches["touch_type"] == "click"]
    m = ref.merge(clicks, left_on=["user_id", "referrer_click_time", "true_source"],
                  right_on=["user_id", "touch_time", "media_source"], how="left", indicator=True)
    assert (m["_merge"] == "both").groupby(m["install_id"]).any().all()
    # organic Android installs and view-through installs carry no referrer click
    android = i[i["platform"] == "android"]
    assert android.loc[android["true_source"] == "organic", "referrer_click_time"].isna().all()
    paid_android = android[android["true_source"] != "organic"]
    assert 0.7 < paid_android["referrer_click_time"].notna().mean() < 0.95


def test_world_has_no_fraud_unless_asked_and_calls_the_fraud_module(monkeypatch):
    w = world()
    for name in ("touches", "installs", "events"):
        assert w.tables[name]["fraud_type"].isna().all()
    calls = []

    def add_fraud(world_, mix, seed):
        calls.append((mix, seed))
        return world_

    fake = types.ModuleType("helpers.synth.fraud")
    fake.add_fraud = add_fraud
    monkeypatch.setitem(sys.modules, "helpers.synth.fraud", fake)
    generate_world(200, 9, fraud="a mix")
    assert calls == [("a mix", 9)]


# ---- seasonality, funnel and economics by vertical ------------------------------------------------


@functools.cache
def year_world(vertical: str, n: int = 12000) -> World:
    return generate_world(n, 5, vertical=vertical, start="2026-01-01", days=365)


def _monthly_ratio(times: pd.Series, months) -> float:
    per_day = times.dt.date.value_counts()
    per_day.index = pd.to_datetime(per_day.index)
    full = per_day.reindex(pd.date_range("2026-01-01", "2026-12-31"), fill_value=0)
    return full[full.index.month.isin(months)].mean() / full.mean()


def test_home_services_peaks_in_may_and_june():
    w = year_world("home_services")
    first = w.installs[~w.installs["is_reinstall"]]
    assert _monthly_ratio(first["install_time"], (5, 6)) > 1.3
    assert _monthly_ratio(first["install_time"], (1, 2)) < 0.85
    bookings = w.events[w.events["event_name"] == "purchase"]
    assert _monthly_ratio(bookings["event_time"], (5, 6)) > 1.15


def test_ecommerce_november_sale_and_weekday_pattern():
    w = year_world("ecommerce")
    first = w.installs[~w.installs["is_reinstall"]]
    assert _monthly_ratio(first["install_time"], (11,)) > 1.4
    weekend = first["install_time"].dt.day_of_week >= 5
    assert weekend.mean() > 2 / 7  # more installs per day at the weekend


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_funnel_rates_by_vertical(vertical):
    sc = VERTICALS[vertical]
    w = year_world(vertical, n=40000 if vertical == "gaming" else 12000)  # few payers in games
    reinstalled = set(w.installs.loc[w.installs["is_reinstall"], "user_id"])
    first = w.installs[~w.installs["is_reinstall"] & ~w.installs["user_id"].isin(reinstalled)]
    early = first[first["install_time"] < w.end - pd.Timedelta(days=150)]
    e = w.events[w.events["install_id"].isin(early["install_id"])]
    signed = e.loc[e["event_name"] == "sign_up", "install_id"].nunique() / len(early)
    purchases = e[e["event_name"] == "purchase"]
    per_buyer = purchases.groupby("install_id").size()
    buyers = len(per_buyer) / len(early)
    assert abs(signed - sc.sign_up_rate) < 0.03, signed
    assert abs(buyers - sc.first_purchase_rate) < max(0.02, 0.15 * sc.first_purchase_rate), buyers
    expected_repeat = (1 - sc.whale_share) * sc.repeat_purchase_rate + sc.whale_share * sc.whale_repeat_rate
    assert abs((per_buyer >= 2).mean() - expected_repeat) < 0.08, (per_buyer >= 2).mean()


def _d30_roas(w: World) -> pd.Series:
    first = w.installs[~w.installs["is_reinstall"]]
    cpi = (w.spend[~w.spend["campaign"].str.contains("_rt_")].groupby("media_source")["cost"].sum()
           / first["true_source"].value_counts())
    cohort = first[first["install_time"] < w.end - pd.Timedelta(days=31)]
    p = w.events[w.events["event_name"] == "purchase"].merge(cohort[["install_id", "install_time", "true_source"]],
                                                            on="install_id")
    p = p[p["event_time"] < p["install_time"] + pd.Timedelta(days=30)]
    revenue = p.groupby("true_source")["revenue"].sum()
    n = cohort["true_source"].value_counts()
    return (revenue / (cpi * n)).dropna()


def test_ecommerce_day30_roas_is_realistic_by_network():
    roas = _d30_roas(generate_world(40000, 3, vertical="ecommerce", start="2026-03-01", days=90))
    assert set(roas.index) == set(MEDIA_SOURCES)
    assert roas.between(0.15, 1.7).all(), roas.round(2).to_dict()
    assert roas["apple_search_ads"] > 2 * roas["ironsource"]  # quality differs far more than CPI


def test_cpi_ranges_differ_by_country():
    for sc in VERTICALS.values():
        ranges = {c: sc.cpi_range("google_ads", c) for c in ("KR", "US", "JP")}
        assert len(set(ranges.values())) == 3
        assert ranges["KR"][1] < ranges["US"][1]


# ---- deep-link clicks -----------------------------------------------------------------------------


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_deeplink_clicks_are_consistent(vertical):
    w = world(vertical)
    d = w.deeplink_clicks
    validate(d, f"world-{vertical}/deeplink_clicks", extra="error")
    assert d["click_id"].is_unique and d["click_time"].is_monotonic_increasing
    assert ((d["link_kind"] == "deferred") == ~d["app_installed"]).all()
    assert (d["open_time"].isna() == ~d["opened"]).all()
    assert (d["conversion_time"].isna() == ~d["converted"]).all()
    assert not (d["converted"] & ~d["opened"]).any()
    assert (d.loc[d["opened"], "open_time"] >= d.loc[d["opened"], "click_time"]).all()
    assert (d["conversion_time"].dropna() >= d.loc[d["converted"], "open_time"]).all()
    assert (d["click_time"] >= w.start).all() and (d["click_time"] < w.end).all()
    assert d["landing_path"].str.startswith("/").all()
    assert set(d.loc[d["saw_benefits"], "landing_path"]) <= {"/signup", "/benefits"}
    assert {"direct", "deferred"} <= set(d["link_kind"])
    assert {"owned_email", "owned_push", "owned_web"} <= set(d["media_source"])
    # installed at click time <=> a first install at or before the click
    first = w.users.set_index("user_id")["first_install_time"].reindex(d["user_id"]).to_numpy()
    installed_before = pd.notna(first) & (first <= d["click_time"].to_numpy())
    assert not (d["app_installed"].to_numpy() & ~installed_before).any()
    # a deferred link opens the app only at an install after the click
    opened_def = d[d["opened"] & ~d["app_installed"]].merge(w.installs[["user_id", "install_time"]], on="user_id")
    ok = (opened_def["install_time"] >= opened_def["click_time"]) & (opened_def["install_time"] <= opened_def["open_time"])
    assert ok.groupby(opened_def["click_id"]).any().all()
    # platform and device_id match the person
    u = w.users.set_index("user_id")
    assert (u.loc[d["user_id"], "platform"].to_numpy() == d["platform"].to_numpy()).all()
    # plausible volume: every retargeting click is a deep-link click, and it is a minority of all touches
    rt_clicks = ((w.touches["touch_type"] == "click") & w.touches["is_retargeting"]
                 & (w.touches["touch_time"] >= w.start)).sum()
    assert rt_clicks <= d["campaign"].str.contains("_rt_").sum()
    assert 0.02 < len(d) / len(w.touches) < 0.3


def test_deeplink_landing_paths_follow_the_vertical():
    paths = {v: set(world(v).deeplink_clicks["landing_path"]) for v in VERTICALS}
    assert "/cleaning/aircon" in paths["home_services"]
    assert any(p.startswith("/product/") for p in paths["ecommerce"])
    assert all({"/signup", "/benefits"} <= p for p in paths.values())


def test_benefits_page_versus_straight_to_signup():
    d = generate_world(60000, 2, vertical="ecommerce").deeplink_clicks
    saw = d[d["saw_benefits"] & d["opened"]]
    rate = saw.groupby("landing_path")["converted"].mean()
    assert rate["/signup"] > rate["/benefits"] + 0.05
    fresh = d[~d["saw_benefits"] & d["opened"] & d["landing_path"].isin(["/signup", "/benefits"])]
    assert (fresh["landing_path"] == "/benefits").mean() > 0.7


def test_same_seed_same_new_tables_different_seed_differs():
    a = generate_world(1500, 42, vertical="home_services", start="2026-05-01", days=30)
    b = generate_world(1500, 42, vertical="home_services", start="2026-05-01", days=30)
    c = generate_world(1500, 43, vertical="home_services", start="2026-05-01", days=30)
    for name in ("deeplink_clicks", "installs", "touches"):
        assert to_csv_bytes(a.tables[name]) == to_csv_bytes(b.tables[name])
        assert to_csv_bytes(a.tables[name]) != to_csv_bytes(c.tables[name])


# ---- gzip tables: checks and checksums use the decompressed bytes ---------------------------------


def _recompress(path, edit=lambda b: b, level: int = 1) -> None:
    import gzip

    path.write_bytes(gzip.compress(edit(gzip.decompress(path.read_bytes())), compresslevel=level, mtime=0))


def test_check_and_ensure_compare_decompressed_bytes_of_gz_files(tmp_path, monkeypatch, capsys):
    import helpers.synth.build as B

    fraud = next(s for s in DEFAULT_SET if s.name == "fraud")
    assert fraud.gzip == ("touches",) and fraud.filename("touches") == "touches.csv.gz"
    small = (replace(fraud, users=400, days=20), replace(DEFAULT_SET[0], users=200, days=20))
    monkeypatch.setattr(B, "DEFAULT_SET", small)
    assert main(["ensure", "--out", str(tmp_path)]) == 0
    gz = tmp_path / "fraud" / "touches.csv.gz"
    assert gz.is_file() and not (tmp_path / "fraud" / "touches.csv").exists()
    sums = (tmp_path / CHECKSUMS).read_text()
    assert "  fraud/touches.csv\n" in sums and ".gz" not in sums
    # another zlib (here: another level) gives other compressed bytes for the same CSV: still fine
    before = gz.read_bytes()
    _recompress(gz, level=1)
    assert gz.read_bytes() != before
    assert B.check(tmp_path) == [] and verify_checksums(tmp_path) == []
    assert main(["ensure", "--out", str(tmp_path)]) == 0
    # one changed byte of the decompressed CSV is caught by check, ensure and the checksums
    _recompress(gz, lambda b: b.replace(b"click_flooding", b"click_floodinG", 1))
    assert B.check(tmp_path) == ["fraud/touches.csv.gz"]
    assert verify_checksums(tmp_path) == ["fraud/touches.csv: checksum differs"]
    capsys.readouterr()
    assert main(["ensure", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "fraud/touches.csv.gz" in err and "fraud/touches.csv: checksum differs" in err
    # a file that is not gzip at all differs too (and does not crash)
    gz.write_bytes(b"not gzip")
    assert B.check(tmp_path) == ["fraud/touches.csv.gz"]
    assert verify_checksums(tmp_path) == ["fraud/touches.csv: checksum differs"]
    gz.unlink()
    assert verify_checksums(tmp_path) == ["fraud/touches.csv: missing"]


def test_sha256sums_stays_usable_with_sha256sum_for_plain_files():
    import hashlib
    import shutil
    import subprocess

    listed = dict(reversed(line.split("  ", 1)) for line in (DATASETS / CHECKSUMS).read_text().splitlines())
    plain = DATASETS / "attribution" / "spend.csv"
    assert listed["attribution/spend.csv"] == hashlib.sha256(plain.read_bytes()).hexdigest()
    assert "fraud/touches.csv" in listed and not (DATASETS / "fraud" / "touches.csv").exists()
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not installed")
    done = subprocess.run(["sha256sum", "-c", "--ignore-missing", "--quiet", CHECKSUMS], cwd=DATASETS,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_view_given_one_table_instead_of_the_world_says_so():
    from helpers.synth.views.mmp import mmp_view

    world = generate_world(300, 3)
    with pytest.raises(ValueError, match=r"mmp_view needs a whole world .*got DataFrame"):
        mmp_view(world.tables["installs"])


def test_build_with_a_custom_name_writes_its_data_card(tmp_path):
    written = build(tmp_path, seed=4, users=300, vertical="gaming", name="acme-games")
    folder = tmp_path / "acme-games"
    assert folder / "README.md" in written or any(p.parent == folder and p.suffix == ".md" for p in written)
    assert (folder / "installs.csv").is_file() or any(p.name.startswith("installs") for p in folder.iterdir())
