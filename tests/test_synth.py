"""helpers.synth: determinism, the committed datasets, scenario parameters showing in the data."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from helpers.data import SCHEMAS, validate
from helpers.synth import MEDIA_SOURCES, NETWORKS, VERTICALS, World, generate_world
from helpers.synth.build import DEFAULTS, build, check, main
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
    assert set(first) == {"users.csv", "touches.csv", "installs.csv", "events.csv", "spend.csv", "paths.csv"}
    assert all(b"\r\n" not in text for text in first.values())


def test_committed_datasets_match_a_fresh_build():
    differing = check(DATASETS, **{k: DEFAULTS[k] for k in ("seed", "users", "vertical", "start", "days")})
    assert differing == [], f"regenerate with `python -m helpers.synth build --out datasets`: {differing}"


def test_committed_datasets_are_small():
    total = sum(p.stat().st_size for p in DATASETS.rglob("*") if p.is_file())
    assert total < 8_000_000


def test_check_mode_reports_differing_files(tmp_path, capsys):
    build(tmp_path, seed=1, users=300)
    assert main(["build", "--out", str(tmp_path), "--seed", "1", "--users", "300", "--check"]) == 0
    (tmp_path / "attribution" / "spend.csv").write_text("tampered\n")
    assert main(["build", "--out", str(tmp_path), "--seed", "1", "--users", "300", "--check"]) == 1
    assert "attribution/spend.csv" in capsys.readouterr().err


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


def test_fingerprints_are_shared_by_a_few_people_and_use_the_reserved_range():
    u = world().users
    shared = u["fingerprint"].duplicated(keep=False).mean()
    assert 0.01 < shared < 0.2
    first_octets = u["ip"].str.split(".", expand=True).astype(int)
    assert (first_octets[0] == 100).all() and first_octets[1].between(64, 127).all()
    assert (u["fingerprint"].str.split("|").str[0] == u["ip"]).all()


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
