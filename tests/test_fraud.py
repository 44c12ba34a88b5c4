"""Unit tests for helpers.fraud on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import fraud as F
from helpers._validate import InputError, InputTypeError

T0 = pd.Timestamp("2026-03-10 12:00:00", tz="UTC")


def ts(seconds):
    return None if seconds is None else T0 + pd.Timedelta(seconds=seconds)


def installs(*rows, **cols):
    """rows: dicts with offsets in seconds for click/begin/install (None = missing)."""
    base = {"media_source": "net", "site_id": "s1", "platform": "android", "device_id": None, "ip": "100.64.0.1",
            "click": 0, "begin": None, "install": 120}
    recs = []
    for k, r in enumerate(rows):
        r = {**base, **r}
        recs.append({"install_id": r.get("install_id", f"i{k}"), "media_source": r["media_source"],
                     "site_id": r["site_id"], "platform": r["platform"],
                     "click_time": ts(r["click"]), "install_begin_time": ts(r["begin"]),
                     "install_time": ts(r["install"]), "device_id": r.get("device_id") or f"d{k}", "ip": r["ip"]})
    df = pd.DataFrame(recs)
    for c in ("click_time", "install_begin_time", "install_time"):
        df[c] = pd.to_datetime(df[c], utc=True)
    for k, v in cols.items():
        df[k] = v
    return df


def clicks(n, media_source="net", site_id="s1", device_id=None, ip="100.64.9.9", start=-86400, step=1):
    return pd.DataFrame({
        "click_id": [f"c{media_source}{site_id}{k}" for k in range(n)],
        "media_source": media_source, "site_id": site_id,
        "click_time": pd.to_datetime([T0 + pd.Timedelta(seconds=start + k * step) for k in range(n)], utc=True),
        "device_id": device_id if device_id is not None else [f"x{k}" for k in range(n)],
        "ip": ip,
    })


def one(df, **kw):
    out = F.detect(df, **kw)
    return out["fraud_type"].iloc[0], out["fraud_reason"].iloc[0]


# ---- output shape ------------------------------------------------------------------------------

def test_clean_install_is_not_flagged_and_frame_is_kept():
    df = installs({"click": 0, "begin": 60, "install": 120})
    df.index = [42]
    out = F.detect(df)
    assert list(out.index) == [42]
    assert list(out.columns) == list(df.columns) + ["fraud_type", "fraud_reason"]
    assert out["fraud_type"].isna().all() and out["fraud_reason"].isna().all()
    assert "fraud_type" not in df.columns  # input untouched


def test_empty_installs_give_empty_result():
    df = installs({"click": 0}).iloc[:0]
    out = F.detect(df, clicks=clicks(0))
    assert len(out) == 0 and {"fraud_type", "fraud_reason"} <= set(out.columns)


# ---- click injection -----------------------------------------------------------------------------

def test_click_after_download_began_is_injection_with_specific_reason():
    ft, why = one(installs({"click": 7, "begin": 2, "install": 60}))
    assert ft == "click_injection"
    assert "12:00:07" in why and "12:00:02" in why and "5 s after the download began" in why


def test_click_exactly_at_download_begin_is_not_injection():
    ft, _ = one(installs({"click": 2, "begin": 2, "install": 60}))
    assert ft is None or pd.isna(ft)


@pytest.mark.parametrize("ctit, flagged", [(9, True), (10, False), (11, False)])
def test_injection_ctit_threshold_is_strict(ctit, flagged):
    df = installs({"click": 0, "begin": None, "install": ctit, "platform": "ios"})
    ft, _ = one(df)
    assert (ft == "click_injection") is flagged


def test_injection_threshold_is_a_parameter():
    df = installs({"click": 0, "install": 25, "platform": "ios"})
    assert pd.isna(one(df)[0])
    assert one(df, injection_max_ctit="30s")[0] == "click_injection"


# ---- sdk spoofing ----------------------------------------------------------------------------------

def test_install_before_click_is_spoofing_not_an_error():
    ft, why = one(installs({"click": 600, "install": 0}))
    assert ft == "sdk_spoofing" and "before its click" in why


def test_download_after_first_open_is_spoofing():
    ft, why = one(installs({"click": 0, "begin": 300, "install": 100}))
    assert ft == "sdk_spoofing" and "download began" in why


def test_referrer_click_after_download_began_is_spoofing():
    df = installs({"click": None, "begin": 100, "install": 200, "media_source": "organic", "site_id": None})
    df["referrer_click_time"] = pd.to_datetime([ts(150)], utc=True)
    ft, why = one(df)
    assert ft == "sdk_spoofing" and "referrer click" in why


def test_invalid_receipt_and_early_event_are_spoofing():
    df = installs({"click": 0, "install": 100}, {"click": 0, "install": 100}, {"click": 0, "install": 100})
    ev = pd.DataFrame({"install_id": ["i0", "i1", "i2"], "event_name": ["purchase", "session", "purchase"],
                       "event_time": pd.to_datetime([ts(200), ts(50), ts(300)], utc=True),
                       "receipt_valid": [False, False, True]})
    out = F.detect(df, events=ev)
    assert list(out["fraud_type"].fillna("-")) == ["sdk_spoofing", "sdk_spoofing", "-"]
    assert "receipt" in out["fraud_reason"].iloc[0] and "before the install" in out["fraud_reason"].iloc[1]


def test_unattributed_install_before_its_devices_only_click_is_spoofing():
    df = installs({"click": None, "install": 0, "media_source": "organic", "site_id": None, "device_id": "dev1"},
                  {"click": None, "install": 0, "media_source": "organic", "site_id": None, "device_id": "dev2"})
    c = pd.concat([clicks(1, device_id=["dev1"], start=3600), clicks(1, site_id="s2", device_id=["dev2"], start=3 * 86400)])
    out = F.detect(df, c)
    assert out["fraud_type"].iloc[0] == "sdk_spoofing"
    assert pd.isna(out["fraud_type"].iloc[1])  # outside spoofing_click_window
    assert F.detect(df, c, spoofing_click_window="4D")["fraud_type"].iloc[1] == "sdk_spoofing"


# ---- bots and IP handling ----------------------------------------------------------------------------

@pytest.mark.parametrize("ip, flagged", [
    ("192.0.2.7", True), ("198.51.100.255", True), ("203.0.113.0", True),
    ("192.0.3.1", False), ("100.64.1.2", False), ("2001:db8::1", False), (None, False),
])
def test_datacenter_ips_are_bots(ip, flagged):
    ft, why = one(installs({"ip": ip}))
    assert (ft == "bot") is flagged
    if flagged:
        assert ip in why


def test_datacenter_ranges_parameter_accepts_ipv6_and_custom_ranges():
    df = installs({"ip": "2001:db8:ff::5"}, {"ip": "10.1.2.3"}, {"ip": "192.0.2.1"})
    out = F.detect(df, datacenter_ranges=["2001:db8:ff::/48", "10.0.0.0/8"])
    assert list(out["fraud_type"].fillna("-")) == ["bot", "bot", "-"]


@pytest.mark.parametrize("bad", ["300.1.1.1", "not-an-ip", "1.2.3", "2001:db8::zz"])
def test_malformed_ip_is_a_clear_error(bad):
    with pytest.raises(InputError, match="not an IPv4 or IPv6 address"):
        F.detect(installs({"ip": bad}))


def test_bad_datacenter_range_is_a_clear_error():
    with pytest.raises(InputError, match="datacenter_ranges"):
        F.detect(installs({}), datacenter_ranges=["nonsense"])


# ---- device farms ---------------------------------------------------------------------------------------

def _farm(n, ip="100.70.0.1", step=600):
    return [{"click": k * step - 60, "begin": k * step - 30, "install": k * step, "ip": ip,
             "site_id": "farm", "device_id": f"f{k}"} for k in range(n)]


@pytest.mark.parametrize("n, flagged", [(9, False), (10, True)])
def test_farm_threshold_installs_per_ip_and_site(n, flagged):
    out = F.detect(installs(*_farm(n)))
    if flagged:
        assert (out["fraud_type"] == "device_farm").all()
    else:
        assert out["fraud_type"].isna().all()
    if flagged:
        assert "100.70.0.1" in out["fraud_reason"].iloc[0] and "one every 10 min" in out["fraud_reason"].iloc[0]


def test_returning_devices_are_not_a_farm():
    rows = _farm(12)
    for k, r in enumerate(rows):
        r["device_id"] = f"f{k % 3}"  # the same three phones reinstalling
    out = F.detect(installs(*rows))
    assert not (out["fraud_type"] == "device_farm").any()


def test_organic_installs_sharing_an_ip_are_not_a_farm():
    rows = [{**r, "click": None, "begin": None, "media_source": "organic", "site_id": None} for r in _farm(20)]
    assert F.detect(installs(*rows))["fraud_type"].isna().all()


# ---- click flooding ---------------------------------------------------------------------------------------

def _flood_case(ctit_hours, device_clicks=1, n_clicks=3000):
    inst = installs({"click": -int(ctit_hours * 3600), "install": 0, "site_id": "spam", "device_id": "victim"})
    c = pd.concat([clicks(n_clicks, site_id="spam", start=-10 * 86400, step=60),
                   clicks(device_clicks, site_id="spam", device_id=["victim"] * device_clicks, start=-5 * 86400)
                   .assign(click_id=lambda d: "v" + d["click_id"])], ignore_index=True)
    return inst, c


@pytest.mark.parametrize("hours, flagged", [(23.9, False), (24, True), (48, True)])
def test_flooding_ctit_threshold(hours, flagged):
    inst, c = _flood_case(hours)
    ft, why = one(inst, clicks=c)
    assert (ft == "click_flooding") is flagged
    if flagged:
        assert "spam" in why and "clicks into installs" in why


def test_flooding_many_clicks_per_device_even_with_short_ctit():
    inst, c = _flood_case(1, device_clicks=5)
    assert one(inst, clicks=c)[0] == "click_flooding"
    inst, c = _flood_case(1, device_clicks=4)
    assert pd.isna(one(inst, clicks=c)[0])


def test_flooding_needs_enough_clicks_and_low_conversion():
    inst, c = _flood_case(48, n_clicks=1500)  # 1,501 clicks < flooding_min_site_clicks
    assert pd.isna(one(inst, clicks=c)[0])
    inst, c = _flood_case(48)
    assert pd.isna(one(inst, clicks=c, flooding_max_conversion=0.0001)[0])


def test_no_clicks_means_no_flooding():
    inst, _ = _flood_case(48)
    assert pd.isna(one(inst)[0])


# ---- precedence ---------------------------------------------------------------------------------------------

def test_precedence_spoofing_over_bot_over_injection():
    # a datacenter install whose click came after the download began, and one with impossible order
    df = installs({"ip": "192.0.2.1", "click": 7, "begin": 2, "install": 60},
                  {"ip": "192.0.2.1", "click": 100, "begin": 2, "install": 60})
    assert list(F.detect(df)["fraud_type"]) == ["bot", "sdk_spoofing"]
    assert F.PRECEDENCE[0] == "sdk_spoofing" and F.PRECEDENCE[-1] == "click_flooding"


# ---- bad input ----------------------------------------------------------------------------------------------

def test_missing_column_is_a_clear_error():
    with pytest.raises(InputError, match="missing column 'ip'"):
        F.detect(installs({}).drop(columns="ip"))


def test_naive_timestamps_are_refused():
    df = installs({})
    df["install_time"] = df["install_time"].dt.tz_localize(None)
    with pytest.raises(InputTypeError, match="no time zone"):
        F.detect(df)


def test_other_time_zones_are_converted():
    df = installs({"click": 0, "install": 5})
    df["click_time"] = df["click_time"].dt.tz_convert("Europe/Paris")
    assert one(df)[0] == "click_injection"


def test_duplicate_ids_are_refused():
    with pytest.raises(InputError, match="duplicate"):
        F.detect(installs({"install_id": "a"}, {"install_id": "a"}))
    c = clicks(2)
    c["click_id"] = "same"
    with pytest.raises(InputError, match="duplicate"):
        F.detect(installs({}), c)


def test_missing_install_time_is_an_error_but_missing_click_is_fine():
    with pytest.raises(InputError, match="missing value"):
        F.detect(installs({"install": None}))
    assert pd.isna(one(installs({"click": None, "media_source": "organic"}))[0])


@pytest.mark.parametrize("kw", [{"injection_max_ctit": "soon"}, {"flooding_max_conversion": 2},
                                {"farm_min_installs": 0}, {"farm_min_new_device_rate": -0.1}])
def test_bad_parameters_are_clear_errors(kw):
    with pytest.raises(InputError):
        F.detect(installs({}), **kw)


def test_not_a_dataframe():
    with pytest.raises(InputTypeError):
        F.detect([1, 2, 3])


# ---- CTIT tools ---------------------------------------------------------------------------------------------------

def test_ctit_and_histogram():
    df = installs({"click": 0, "install": 5}, {"click": 0, "install": 3600}, {"click": None, "install": 1},
                  {"click": 50, "install": 0})
    c = F.ctit(df)
    assert c.iloc[0] == pd.Timedelta("5s") and pd.isna(c.iloc[2]) and c.iloc[3] < pd.Timedelta(0)
    h = F.ctit_histogram(c)
    assert list(h.columns) == ["bin_left", "bin_right", "label", "count", "share"]
    assert h["count"].sum() == 2 and h.attrs["negative"] == 1
    assert np.isclose(h["share"].sum(), 1.0)
    assert (np.diff(np.log(h["bin_right"].to_numpy()[1:])) > 0).all()
    assert h.loc[(h.bin_left <= 5) & (h.bin_right > 5), "count"].item() == 1


def test_ctit_histogram_accepts_seconds_and_edges():
    h = F.ctit_histogram([1, 10, 100, 1e9], bins=[0, 10, 100])
    assert list(h["count"]) == [1, 3]  # values above the last edge go in the last bin
    with pytest.raises(InputError):
        F.ctit_histogram([1], bins="linear")


def test_ctit_distance():
    rng = np.random.default_rng(1)
    honest = pd.to_timedelta(rng.lognormal(np.log(300), 1, 2000), unit="s")
    honest2 = pd.to_timedelta(rng.lognormal(np.log(300), 1, 2000), unit="s")
    flat = pd.to_timedelta(rng.uniform(60, 7 * 86400, 2000), unit="s")
    for m in ("ks", "js"):
        same, diff = F.ctit_distance(honest, honest2, m), F.ctit_distance(flat, honest, m)
        assert 0 <= same < 0.1 < 0.5 < diff <= 1
    assert F.ctit_distance([1, 2], [1, 2]) == 0
    assert np.isnan(F.ctit_distance([], [1]))
    with pytest.raises(InputError):
        F.ctit_distance([1], [1], method="chi2")


# ---- report and evaluation -----------------------------------------------------------------------------------------

def test_source_report_with_spend_per_network():
    df = installs({"click": 0, "install": 5, "site_id": "a"}, {"click": 0, "install": 500, "site_id": "a"},
                  {"click": 0, "install": 500, "site_id": "b"}, {"click": 0, "install": 500, "site_id": "b"})
    flagged = F.detect(df)
    spend = pd.DataFrame({"media_source": ["net", "net"], "cost": [60.0, 20.0]})
    rep = F.source_report(flagged, spend)
    a = rep.set_index("site_id").loc["a"]
    assert a["installs"] == 2 and a["flagged"] == 1 and a["share_click_injection"] == 0.5
    assert a["spend"] == 40.0 and a["spend_at_risk"] == 20.0
    assert rep["site_id"].iloc[0] == "a"
    assert "spend" not in F.source_report(flagged).columns


def test_evaluate_and_confusion_matrix():
    flagged = pd.DataFrame({"install_id": ["a", "b", "c", "d"],
                            "fraud_type": ["bot", "bot", None, "click_injection"]})
    truth = pd.DataFrame({"install_id": ["d", "c", "b", "a"],
                          "fraud_type": ["click_injection", "bot", None, "bot"]})
    ev = F.evaluate(flagged, truth)
    assert ev.loc["bot", "precision"] == 0.5 and ev.loc["bot", "recall"] == 0.5
    assert ev.loc["click_injection", "f1"] == 1.0
    assert np.isnan(ev.loc["device_farm", "precision"])
    cm = F.confusion_matrix(flagged, truth)
    assert cm.loc["bot", "bot"] == 1 and cm.loc["bot", "none"] == 1 and cm.loc["none", "bot"] == 1
    assert cm.to_numpy().sum() == 4
    with pytest.raises(InputError):
        F.evaluate(flagged, truth.iloc[:2])


def test_detector_costs_price_caught_fraud_and_false_alarms():
    from helpers.fraud import detector_costs, install_costs

    flagged = pd.DataFrame({
        "install_id": ["i1", "i2", "i3", "i4"], "media_source": ["a", "a", "b", "organic"],
        "site_id": ["s1", "s2", "s3", pd.NA], "fraud_type": ["bot", "bot", pd.NA, "bot"],
    })
    truth = pd.DataFrame({"install_id": ["i1", "i2", "i3", "i4"], "fraud_type": ["bot", pd.NA, pd.NA, pd.NA]})
    spend = pd.DataFrame({"media_source": ["a", "b"], "cost": [10.0, 4.0]})
    assert install_costs(flagged, spend).tolist() == [5.0, 5.0, 4.0, 0.0]
    costs = detector_costs(flagged, truth, spend)
    assert costs["fraud_caught"] == 1 and costs["money_saved"] == 5.0
    assert costs["false_alarms"] == 2 and costs["honest_spend_blocked"] == 5.0
    assert costs["partners_wrongly_hit"] == 1  # the organic false alarm is nobody's partner
