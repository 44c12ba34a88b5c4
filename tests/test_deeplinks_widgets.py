"""helpers.deeplinks.widgets (funnel explorer, link tester, route explorer) and helpers.deeplinks.plots."""

import doctest

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers._validate import InputError  # noqa: E402
from helpers.deeplinks import plots as P  # noqa: E402
from helpers.deeplinks import widgets as W  # noqa: E402
from helpers.deeplinks.journeys import compare_rates, funnel, link_outcomes, open_delay  # noqa: E402
from helpers.deeplinks.widgets import (  # noqa: E402
    FunnelExplorer,
    LinkTester,
    RouteExplorer,
    funnel_explorer,
    funnel_view,
    link_tester,
    route_explorer,
    rule_table,
)

T0 = pd.Timestamp("2026-05-01 09:00", tz="UTC")
AASA = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
                                  "components": [{"/": "/help/*", "exclude": True}, {"/": "/shop/*"},
                                                 {"/": "/signup"}]}]}}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_doctests():
    assert doctest.testmod(W).failed == 0
    assert doctest.testmod(P).failed == 0


def _clicks():
    rows = []
    for i in range(40):
        rows.append(dict(landing_path="/signup", saw_benefits=True, platform="ios", link_kind="direct",
                         media_source="owned_push", opened=True, converted=i < 12, app_installed=True))
        rows.append(dict(landing_path="/benefits", saw_benefits=True, platform="android", link_kind="deferred",
                         media_source="meta_ads", opened=i < 30, converted=i < 4, app_installed=False))
        rows.append(dict(landing_path=f"/product/{i % 3}", saw_benefits=False, platform="android", link_kind="direct",
                         media_source="owned_email", opened=True, converted=i < 2, app_installed=True))
    df = pd.DataFrame(rows)
    df["click_time"] = T0
    df["open_time"] = [T0 + pd.Timedelta(seconds=5 if k == "direct" else 1800) if o else pd.NaT
                       for k, o in zip(df["link_kind"], df["opened"], strict=True)]
    return df


# ------------------------------------------------------------------------------------------ funnel explorer
def test_funnel_view_groups_filters_and_sorts():
    clicks = _clicks()
    view = funnel_view(clicks)
    assert list(view.index) == ["/signup", "/benefits", "/product/*"]  # highest conversion first
    assert view.loc["/product/*", "clicks"] == 40
    only_seen = funnel_view(clicks, "landing_page", saw_benefits=True)
    assert set(only_seen.index) == {"/signup", "/benefits"}
    assert list(funnel_view(clicks, "platform", link_kind="deferred").index) == ["android"]
    assert funnel_view(clicks, "media_source", min_clicks=41).empty
    assert funnel_view(clicks, platform="desktop").empty
    with pytest.raises(InputError, match="split must be one of"):
        funnel_view(clicks, "country")
    with pytest.raises(InputError, match="min_clicks"):
        funnel_view(clicks, min_clicks=-1)
    with pytest.raises(InputError, match="missing column"):
        funnel_view(clicks.drop(columns="link_kind"))


def test_funnel_explorer_reacts_to_its_controls():
    ex = funnel_explorer(_clicks(), min_clicks=0)
    assert isinstance(ex, FunnelExplorer) and len(ex.table) == 3 and ex.figure is not None
    assert ex.image.value[:4] == b"\x89PNG"
    ex.saw_benefits.value = False
    assert list(ex.table.index) == ["/product/*"]
    ex.split.value = "platform"
    assert list(ex.table.index) == ["android"]
    ex.platform.value = "ios"
    assert ex.table.empty and ex.figure is None and "No clicks" in ex.summary.value
    assert "FunnelExplorer" in repr(ex)


# ------------------------------------------------------------------------------------------ link tester
def test_rule_table_lists_rules_in_order_and_marks_the_decider():
    from helpers.deeplinks import explain_universal_link, parse_aasa

    d = explain_universal_link(AASA, "https://x.example/shop/9")
    table = rule_table(AASA, d)
    assert list(table["rule"]) == [0, 1, 2] and list(table["decides"]) == [False, True, False]
    assert table["format"].unique().tolist() == ["components"]
    both = {"applinks": {"details": [{"appID": "ABCDE12345.a.b", "paths": ["/x"], "components": [{"/": "/y"}]}]}}
    assert rule_table(both)["pattern"].tolist() == ['{"/": "/y"}']  # paths ignored beside components
    legacy = {"applinks": {"details": [{"appID": "ABCDE12345.a.b", "paths": ["NOT /x", "/*"]}]}}
    assert rule_table(legacy)[["format", "pattern"]].values.tolist() == [["paths", "NOT /x"], ["paths", "/*"]]
    assert len(rule_table(parse_aasa(AASA))) == 3  # a parsed file works too
    from helpers.deeplinks import DeepLinkConfigError

    with pytest.raises(DeepLinkConfigError, match="not valid JSON"):
        rule_table("{oops")


def test_link_tester_decisions_and_errors():
    tester = link_tester(AASA, domain="x.example", url="https://x.example/shop/1")
    assert isinstance(tester, LinkTester)
    assert tester.decision.app_ids == ["ABCDE12345.com.example.app"]
    assert "Opens the app" in tester.result.value and "decides" in tester.table.value
    assert tester.test("https://x.example/help/faq").excluded
    assert "exclusion" in tester.result.value
    assert tester.test("https://x.example/about").app_ids == []
    assert "no rule matches" in tester.result.value
    assert tester.test("https://other.example/shop/1").app_ids == []
    broken = LinkTester('{"applinks": {"details": [{"appIDs": ["A"], "components": "oops"}]}}', url="https://x.example/")
    assert broken.decision is None and broken.error and "Cannot check" in broken.result.value
    assert "opens_app=False" in repr(broken)


# ------------------------------------------------------------------------------------------ route explorer
def _config():
    from helpers.deeplinks import LinkConfig

    return LinkConfig(web_url="https://x.example", ios_app_store_url="https://apps.apple.com/app/id1",
                      android_play_store_url="https://play.google.com/store/apps/details?id=com.example.app",
                      universal_link_domain="x.example")


def test_route_explorer_follows_route_link():
    from helpers.deeplinks import route_link

    ex = route_explorer(_config(), paths=["/shop/1", "/signup"], campaign="spring")
    assert isinstance(ex, RouteExplorer)
    assert ex.route == route_link(_config(), "ios", False, path="/shop/1", params={"utm_campaign": "spring"})
    assert ex.route.destination == "app_store" and "deferred" in ex.result.value
    ex.installed.value = True
    assert ex.route.destination == "app" and "utm_campaign=spring" in ex.route.url
    ex.platform.value = "android"
    ex.installed.value = False
    assert ex.route.destination == "play_store"
    ex.campaign.value = ""
    ex.path.value = "/signup"
    assert ex.route == route_link(_config(), "android", False, path="/signup")
    with pytest.raises(InputError, match="paths"):
        route_explorer(_config(), paths=[])


# ------------------------------------------------------------------------------------------ plots
def test_rate_bars_draws_one_bar_per_group_with_intervals():
    f = funnel(_clicks(), by="landing_path")
    ax = P.rate_bars(f, highlight="/signup")
    assert len(ax.patches) == len(f)
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == sorted(round(v, 6) for v in f["conversion_rate"])
    assert ax.get_title() and ax.get_ylabel() == "conversions per click"
    colours = {tuple(p.get_facecolor()) for p in ax.patches}
    assert len(colours) == 2  # the highlighted group stands out
    with pytest.raises(ValueError, match="missing column"):
        P.rate_bars(f.drop(columns="clicks"))
    with pytest.raises(TypeError, match="table"):
        P.rate_bars([1, 2])


def test_other_charts_draw_what_they_are_given():
    clicks = _clicks()
    ax = P.funnel_chart(funnel(clicks, by="link_kind"))
    assert len(ax.patches) == 3 * 2
    comp = {"a": compare_rates(clicks, "landing_path", "/signup", "/benefits")}
    ax = P.difference_chart(comp)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a"]
    delay = open_delay(clicks)
    ax = P.open_delay_histogram(delay, by=clicks.loc[delay.index, "link_kind"])
    assert ax.get_xscale() == "log" and len(ax.get_legend().get_texts()) == 2
    ax = P.installed_share(clicks, by="media_source")
    assert sum(p.get_height() for p in ax.patches) == len(clicks)
    routed = clicks.assign(destination=["app", "app_store", "web"] * 40)
    ax = P.destinations(routed, by="platform")
    assert sum(p.get_height() for p in ax.patches) == len(clicks)
    out = link_outcomes(AASA, ["https://x.example/shop/1", "https://x.example/help/a", "https://x.example/shop/2"])
    ax = P.rule_hits(out)
    assert sorted(p.get_width() for p in ax.patches) == [1, 2]
