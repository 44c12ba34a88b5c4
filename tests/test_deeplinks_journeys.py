"""helpers.deeplinks.journeys: funnels, intervals, comparisons, reroute gains, deferred matching, links, routes."""

import doctest
import math

import numpy as np
import pandas as pd
import pytest

from helpers._validate import InputError
from helpers.deeplinks import journeys as J
from helpers.deeplinks.journeys import (
    compare_rates,
    deferred_match,
    deferred_match_rates,
    funnel,
    link_outcomes,
    open_delay,
    page_group,
    reroute_gain,
    route_clicks,
    route_table,
    urls_for_paths,
    wilson_interval,
)

T0 = pd.Timestamp("2026-05-01 09:00", tz="UTC")


def test_doctests():
    assert doctest.testmod(J).failed == 0


def _clicks(rows):
    """rows: (landing_path, saw_benefits, opened, converted)."""
    return pd.DataFrame(rows, columns=["landing_path", "saw_benefits", "opened", "converted"])


# ------------------------------------------------------------------------------------------ page_group, wilson
def test_page_group():
    assert page_group("/product/123") == "/product/*"
    assert page_group("/shop/pack/7") == "/shop/pack/*"
    assert page_group("/signup") == "/signup"
    assert page_group("/product/12a") == "/product/12a"
    assert page_group(None) == "(none)" and page_group(float("nan")) == "(none)"


def test_wilson_interval_known_values_and_edges():
    # Newcombe (1998) table I: 81/263 -> 0.2553 to 0.3662 (Wilson)
    low, high = wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=5e-4) and high == pytest.approx(0.3662, abs=5e-4)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0 < high < 0.35
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and 0.65 < low < 1
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    narrow, wide = wilson_interval(50, 100, level=0.8), wilson_interval(50, 100, level=0.99)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


@pytest.mark.parametrize("args", [(5, 3), (-1, 3), (1, float("nan"))])
def test_wilson_interval_rejects_impossible_counts(args):
    with pytest.raises(InputError, match="successes"):
        wilson_interval(*args)


def test_wilson_interval_rejects_bad_level():
    with pytest.raises(InputError, match="level"):
        wilson_interval(1, 2, level=95)


# ------------------------------------------------------------------------------------------ funnel
def test_funnel_counts_rates_and_interval():
    clicks = _clicks([("/signup", True, True, True), ("/signup", True, True, False), ("/signup", False, False, False),
                      ("/benefits", True, True, True)])
    f = funnel(clicks, by="landing_path")
    assert list(f.index) == ["/benefits", "/signup"]
    row = f.loc["/signup"]
    assert (row["clicks"], row["opened"], row["converted"]) == (3, 2, 1)
    assert row["open_rate"] == pytest.approx(2 / 3) and row["conversion_rate"] == pytest.approx(1 / 3)
    assert row["conversion_per_open"] == pytest.approx(1 / 2)
    assert (row["conversion_low"], row["conversion_high"]) == pytest.approx(wilson_interval(1, 3))
    overall = funnel(clicks)
    assert list(overall.index) == ["all"] and int(overall["clicks"].iloc[0]) == 4
    two = funnel(clicks, by=["saw_benefits", "landing_path"])
    assert two.index.nlevels == 2 and int(two["clicks"].sum()) == 4


def test_funnel_with_no_opens_has_nan_per_open():
    f = funnel(_clicks([("/a", False, False, False)]), by="landing_path")
    assert math.isnan(f.loc["/a", "conversion_per_open"]) and f.loc["/a", "conversion_rate"] == 0


def test_funnel_input_errors():
    with pytest.raises(InputError, match="missing column 'converted'"):
        funnel(pd.DataFrame({"opened": [True]}))
    with pytest.raises(InputError, match="True/False"):
        funnel(pd.DataFrame({"opened": [1], "converted": [0]}))
    with pytest.raises(InputError, match="converted without being opened"):
        funnel(_clicks([("/a", False, False, True)]))
    with pytest.raises(InputError, match="missing column 'nope'"):
        funnel(_clicks([("/a", False, True, True)]), by="nope")


# ------------------------------------------------------------------------------------------ compare_rates
def _ab(conv_a, n_a, conv_b, n_b, saw=True):
    rows = [("/signup", saw, True, i < conv_a) for i in range(n_a)]
    rows += [("/benefits", saw, True, i < conv_b) for i in range(n_b)]
    return _clicks(rows)


def test_compare_rates_hand_case_and_newcombe_value():
    # Newcombe (1998) example (56/70 vs 48/80): difference 0.2, method 10 interval 0.0524 to 0.3339
    r = compare_rates(_ab(56, 70, 48, 80), "landing_path", "/signup", "/benefits")
    assert (r["n_a"], r["n_b"], r["successes_a"], r["successes_b"]) == (70, 80, 56, 48)
    assert r["difference"] == pytest.approx(0.2)
    assert r["difference_low"] == pytest.approx(0.0524, abs=5e-4)
    assert r["difference_high"] == pytest.approx(0.3339, abs=5e-4)
    assert r["clear"] is True or r["clear"] == True  # noqa: E712 - object Series holds a Python bool


def test_compare_rates_small_groups_are_not_clear_and_swapping_flips_the_sign():
    clicks = _ab(3, 10, 2, 10)
    r = compare_rates(clicks, "landing_path", "/signup", "/benefits")
    assert not r["clear"] and r["difference_low"] < 0 < r["difference_high"]
    s = compare_rates(clicks, "landing_path", "/benefits", "/signup")
    assert s["difference"] == pytest.approx(-r["difference"])
    assert s["difference_low"] == pytest.approx(-r["difference_high"])


def test_compare_rates_where_filters_and_outcome():
    clicks = pd.concat([_ab(8, 10, 1, 10, saw=True), _ab(1, 10, 8, 10, saw=False)], ignore_index=True)
    saw = compare_rates(clicks, "landing_path", "/signup", "/benefits", where={"saw_benefits": True})
    new = compare_rates(clicks, "landing_path", "/signup", "/benefits", where={"saw_benefits": False})
    assert saw["difference"] == pytest.approx(0.7) and new["difference"] == pytest.approx(-0.7)
    opened = compare_rates(clicks, "landing_path", "/signup", "/benefits", outcome="opened")
    assert opened["difference"] == 0
    with pytest.raises(InputError, match="outcome"):
        compare_rates(clicks, "landing_path", "/signup", "/benefits", outcome="purchased")
    with pytest.raises(InputError, match="no clicks with landing_path == '/cart'"):
        compare_rates(clicks, "landing_path", "/cart", "/benefits")


def test_reroute_gain_is_moved_times_difference():
    clicks = _ab(30, 100, 10, 50)
    g = reroute_gain(clicks, "/benefits", "/signup")
    assert g["moved"] == 50 and g["rate_to"] == pytest.approx(0.3) and g["rate_from"] == pytest.approx(0.2)
    assert g["extra_conversions"] == pytest.approx(50 * 0.1)
    r = compare_rates(clicks, "landing_path", "/signup", "/benefits")
    assert g["extra_low"] == pytest.approx(50 * r["difference_low"])
    assert g["extra_low"] < g["extra_conversions"] < g["extra_high"]


# ------------------------------------------------------------------------------------------ deferred links
def _deferred_world():
    clicks = pd.DataFrame({
        "click_id": ["d1", "d2", "d3", "d4", "d5"],
        "user_id": ["u1", "u2", "u3", "u4", "u5"],
        "platform": ["android", "android", "ios", "ios", "ios"],
        "link_kind": ["deferred", "deferred", "deferred", "deferred", "direct"],
        "click_time": [T0] * 5,
        "opened": [True, False, True, False, True],
        "open_time": [T0 + pd.Timedelta("20min"), pd.NaT, T0 + pd.Timedelta("2h"), pd.NaT, T0 + pd.Timedelta("3s")],
    })
    installs = pd.DataFrame({
        "user_id": ["u1", "u2", "u3", "u4", "u5"],
        # u2 installs 8 days later (outside 7 days); u4 installed before the click
        "install_time": [T0 + pd.Timedelta("15min"), T0 + pd.Timedelta("8D"), T0 + pd.Timedelta("1h"),
                         T0 - pd.Timedelta("1D"), T0 - pd.Timedelta("30D")],
    })
    return clicks, installs


def test_deferred_match_joins_installs_in_the_window():
    clicks, installs = _deferred_world()
    d = deferred_match(clicks, installs)
    assert list(d["click_id"]) == ["d1", "d2", "d3", "d4"]
    assert list(d["installed"]) == [True, False, True, False]
    assert d.loc[d["click_id"] == "d1", "install_time"].iloc[0] == T0 + pd.Timedelta("15min")
    assert list(deferred_match(clicks, installs, window="9D")["installed"]) == [True, True, True, False]
    with pytest.raises(InputError, match="window"):
        deferred_match(clicks, installs, window="-1D")


def test_deferred_match_rates_per_platform():
    clicks, installs = _deferred_world()
    r = deferred_match_rates(clicks, installs, by="platform")
    assert r.loc["android", "deferred_clicks"] == 2 and r.loc["android", "installed"] == 1
    assert r.loc["android", "match_rate"] == 1.0 and r.loc["ios", "match_rate"] == 1.0
    assert r.loc["ios", "install_rate"] == pytest.approx(0.5)
    assert r.loc["android", "match_low"] < 1.0 == r.loc["android", "match_high"]


def test_open_delay():
    clicks, _ = _deferred_world()
    delay = open_delay(clicks)
    assert list(delay.index) == [0, 2, 4]
    assert list(delay) == [pd.Timedelta("20min"), pd.Timedelta("2h"), pd.Timedelta("3s")]
    bad = clicks.copy()
    bad.loc[0, "open_time"] = T0 - pd.Timedelta("1min")
    with pytest.raises(InputError, match="before its click_time"):
        open_delay(bad)
    bad.loc[0, "open_time"] = pd.NaT
    with pytest.raises(InputError, match="without an open_time"):
        open_delay(bad)


# ------------------------------------------------------------------------------------------ links and routes
AASA = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                  "components": [{"/": "/help/*", "exclude": True}, {"/": "/shop/*"}]}]}}


def test_urls_for_paths():
    assert urls_for_paths(["/a", "b"], "x.example") == ["https://x.example/a", "https://x.example/b"]
    with pytest.raises(InputError, match="host name"):
        urls_for_paths(["/a"], "https://x.example")


def test_link_outcomes_agree_with_match_universal_link():
    from helpers.deeplinks import match_universal_link

    urls = ["https://x.example/shop/1", "https://x.example/help/faq", "https://x.example/about",
            "https://y.example/shop/1", "https://x.example/shop/1"]
    out = link_outcomes(AASA, urls, domain="x.example")
    assert list(out["opens_app"]) == [bool(match_universal_link(AASA, u, domain="x.example")) for u in urls]
    assert list(out["opens_app"]) == [True, False, False, False, True]
    assert list(out["excluded"]) == [False, True, False, False, False]
    assert out["rule"].iloc[0] == 'components[1] {"/": "/shop/*"}' and out["rule"].iloc[2] == "none"
    assert out["app_ids"].iloc[0] == "ABCDE12345.com.example.app"


def _config():
    from helpers.deeplinks import LinkConfig

    return LinkConfig(web_url="https://x.example", ios_app_store_url="https://apps.apple.com/app/id1",
                      android_play_store_url="https://play.google.com/store/apps/details?id=com.example.app",
                      universal_link_domain="x.example")


def test_route_clicks_and_route_table_agree_with_route_link():
    from helpers.deeplinks import route_link

    clicks = pd.DataFrame({"platform": ["ios", "ios", "android", "android"], "app_installed": [True, False, True, False],
                           "landing_path": ["/shop/1", "/shop/1", "/shop/2", "/shop/2"]})
    routed = route_clicks(clicks, _config())
    assert list(routed["destination"]) == [route_link(_config(), p, i, path=x).destination
                                           for p, i, x in clicks.itertuples(index=False)]
    assert list(routed["destination"]) == ["app", "app_store", "app", "play_store"]
    assert list(routed["deferred"]) == [False, True, False, True]
    table = route_table(_config(), path="/shop/1", params={"utm_campaign": "spring"})
    assert len(table) == 4 and set(table["destination"]) == {"app", "app_store", "play_store"}
    assert "utm_campaign=spring" in table.loc[0, "url"]
    with pytest.raises(InputError, match="True/False"):
        route_clicks(clicks.assign(app_installed=[1, 0, 1, 0]), _config())


# ------------------------------------------------------------------------------------------ on the course's data
def test_on_the_world_the_benefits_rule_points_the_right_way():
    """The simulated world builds in the story's effect; a large world shows it clearly."""
    from helpers.synth import generate_world

    clicks = generate_world(20_000, seed=3, vertical="ecommerce").deeplink_clicks
    saw = compare_rates(clicks, "landing_path", "/signup", "/benefits", where={"saw_benefits": True})
    new = compare_rates(clicks, "landing_path", "/signup", "/benefits", where={"saw_benefits": False})
    assert saw["clear"] and saw["difference"] > 0
    assert new["clear"] and new["difference"] < 0
    assert np.isclose(reroute_gain(clicks, where={"saw_benefits": True})["extra_conversions"],
                      saw["n_b"] * saw["difference"])
