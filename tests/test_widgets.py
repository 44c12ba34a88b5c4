"""helpers.widgets: the pure credit_by_window function and the lookback explorer widget."""


import pandas as pd
import pytest

from helpers.widgets import ORGANIC, LookbackExplorer, credit_by_window, lookback_explorer, source_order

T0 = pd.Timestamp("2026-03-10 12:00", tz="UTC")


def _touch(tid, device, source, kind, before, fingerprint=None):
    return {"touch_id": tid, "device_id": device, "fingerprint": fingerprint, "media_source": source,
            "campaign": "ua", "site_id": "s1", "touch_type": kind, "touch_time": T0 - pd.Timedelta(before)}


def _tables():
    """Four installs at T0: an old click, a recent view, a click+view pair, and nothing at all."""
    touches = pd.DataFrame([
        _touch("t1", "d1", "applovin", "click", "3D"),        # d1: click 3 days before
        _touch("t2", "d2", "unity_ads", "impression", "5h"),  # d2: view 5 hours before
        _touch("t3", "d3", "mintegral", "click", "2D"),       # d3: click 2 days before ...
        _touch("t4", "d3", "unity_ads", "impression", "1h"),  # ... and a view 1 hour before
        _touch("t5", None, "ironsource", "click", "2h", fingerprint="fp5"),  # probabilistic match
    ])
    installs = pd.DataFrame({
        "install_id": ["i1", "i2", "i3", "i4", "i5"],
        "device_id": ["d1", "d2", "d3", "d4", None],
        "fingerprint": [None, None, None, None, "fp5"],
        "install_time": [T0] * 5,
    })
    for col in ("touch_id", "device_id", "fingerprint", "media_source", "campaign", "site_id", "touch_type"):
        touches[col] = touches[col].astype("string")
    for col in ("install_id", "device_id", "fingerprint"):
        installs[col] = installs[col].astype("string")
    return touches, installs


def test_source_order_lists_every_network_then_organic():
    touches, _ = _tables()
    assert source_order(touches) == ["applovin", "ironsource", "mintegral", "unity_ads", "organic"]


def test_default_windows():
    touches, installs = _tables()
    credit = credit_by_window(touches, installs)
    assert credit.to_dict() == {"applovin": 1, "ironsource": 1, "mintegral": 1, "unity_ads": 1, "organic": 1}
    assert credit.dtype == "int64" and credit.index[-1] == ORGANIC


def test_shorter_click_window_moves_credit_to_organic_and_between_networks():
    touches, installs = _tables()
    credit = credit_by_window(touches, installs, click_days=1)
    # d1's 3-day-old click no longer qualifies -> organic; d3's click too, so unity's view wins
    assert credit["applovin"] == 0 and credit["mintegral"] == 0
    assert credit["unity_ads"] == 2
    assert credit[ORGANIC] == 2


def test_view_through_off_and_probabilistic_off():
    touches, installs = _tables()
    no_views = credit_by_window(touches, installs, view_hours=0)
    assert no_views["unity_ads"] == 0 and no_views[ORGANIC] == 2
    no_prob = credit_by_window(touches, installs, probabilistic_hours=0)
    assert no_prob["ironsource"] == 0 and no_prob[ORGANIC] == 2
    short_view = credit_by_window(touches, installs, view_hours=3)  # d2's view was 5 h before
    assert short_view["unity_ads"] == 0


def test_total_is_constant_and_organic_grows_as_windows_shrink():
    touches, installs = _tables()
    previous = None
    for click_days, view_hours in [(30, 24), (7, 24), (3, 12), (1, 6), (1, 0)]:
        credit = credit_by_window(touches, installs, click_days=click_days, view_hours=view_hours)
        assert credit.sum() == len(installs)
        if previous is not None:
            assert credit[ORGANIC] >= previous
        previous = credit[ORGANIC]


def test_bad_windows_are_refused():
    touches, installs = _tables()
    with pytest.raises(ValueError, match="click_days"):
        credit_by_window(touches, installs, click_days=0)
    with pytest.raises(ValueError, match="view_hours"):
        credit_by_window(touches, installs, view_hours=-1)
    with pytest.raises(TypeError, match="view_hours"):
        credit_by_window(touches, installs, view_hours="24h")


def test_explorer_reacts_to_its_sliders():
    touches, installs = _tables()
    explorer = lookback_explorer(touches, installs)
    assert isinstance(explorer, LookbackExplorer)
    assert explorer.credit.equals(explorer.baseline)
    first_png = explorer.image.value
    assert first_png[:4] == b"\x89PNG"

    explorer.click_days.value = 1  # set programmatically, as a learner's drag would
    assert explorer.credit[ORGANIC] == 2 and explorer.credit["unity_ads"] == 2
    assert explorer.image.value != first_png
    assert "+1" in explorer.summary.value  # one more organic install than with the defaults
    heights = [p.get_height() for p in explorer.figure.axes[0].patches]
    assert heights == explorer.credit.tolist()

    explorer.view_hours.value = 0
    assert explorer.credit["unity_ads"] == 0 and explorer.credit.sum() == len(installs)

    explorer.reset()
    assert explorer.click_days.value == 7 and explorer.view_hours.value == 24
    assert explorer.credit.equals(explorer.baseline)


def test_explorer_counts_unreachable_installs_once():
    touches, installs = _tables()
    extra = pd.DataFrame({"install_id": ["i9"], "device_id": ["d9"], "fingerprint": ["fp9"],
                          "install_time": [T0]}).astype({"install_id": "string", "device_id": "string",
                                                         "fingerprint": "string"})
    installs = pd.concat([installs, extra], ignore_index=True)
    explorer = lookback_explorer(touches, installs)
    assert explorer.credit.equals(credit_by_window(touches, installs))


def test_explorer_on_the_course_data_and_its_cache():
    """Moving a slider re-attributes; going back to a setting reuses the cached result.

    (How fast a slider responds is measured by `make bench`, not asserted here.)
    """
    from helpers.data import load

    touches, installs = load("attribution/touches"), load("attribution/installs")
    explorer = lookback_explorer(touches, installs)
    explorer.click_days.value = 2
    assert explorer.credit.sum() == len(installs)
    assert explorer.credit[ORGANIC] > explorer.baseline[ORGANIC]
    cached = len(explorer._cache)
    explorer.click_days.value = 7
    explorer.click_days.value = 2
    assert len(explorer._cache) == cached, "returning to a setting should not recompute"
