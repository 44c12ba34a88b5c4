"""helpers.widgets: the pure ctit_threshold_quality function and the CTIT explorer widget (lesson 02.2)."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers.widgets import ALL_SITES, CtitExplorer, ctit_explorer, ctit_threshold_quality

T0 = pd.Timestamp("2026-03-10 12:00", tz="UTC")


def test_hand_case_below():
    ctit = pd.to_timedelta([2, 6, 9, 45, 600, 3 * 86400], unit="s")
    fraud = [True, True, False, True, False, False]
    q = ctit_threshold_quality(ctit, fraud, 10)
    assert q["flagged"] == 3 and q["fraud"] == 3 and q["caught"] == 2 and q["false_alarms"] == 1
    assert q["precision"] == pytest.approx(2 / 3) and q["recall"] == pytest.approx(2 / 3)


def test_hand_case_above_and_seconds_as_numbers():
    q = ctit_threshold_quality([10.0, 7200.0, 90000.0, 200000.0], [False, False, True, True], 86400, side="above")
    assert (q["flagged"], q["caught"], q["precision"], q["recall"]) == (2, 2, 1.0, 1.0)


def test_strictly_under_and_missing_ctit_never_flagged():
    ctit = pd.Series(pd.to_timedelta([10, 9, None], unit="s"))
    q = ctit_threshold_quality(ctit, [True, True, True], 10)
    assert q["flagged"] == 1 and q["fraud"] == 3 and q["recall"] == pytest.approx(1 / 3)


def test_undefined_precision_and_recall_are_nan():
    q = ctit_threshold_quality([100.0, 200.0], [False, False], 10)
    assert q["flagged"] == 0 and math.isnan(q["precision"]) and math.isnan(q["recall"])


def test_bad_input():
    with pytest.raises(ValueError, match="is_fraud has 1"):
        ctit_threshold_quality([1.0, 2.0], [True], 10)
    with pytest.raises(ValueError, match="at least 0"):
        ctit_threshold_quality([1.0], [True], -1)
    with pytest.raises(ValueError, match="side"):
        ctit_threshold_quality([1.0], [True], 1, side="left")
    with pytest.raises(TypeError, match="ctit"):
        ctit_threshold_quality(["a"], [True], 1)


def _sample(seed=7, n=400):
    rng = np.random.default_rng(seed)
    fraud = rng.random(n) < 0.2
    seconds = np.where(fraud, rng.lognormal(np.log(6), 0.8, n), rng.lognormal(np.log(900), 1.5, n))
    return pd.to_timedelta(seconds, unit="s"), fraud


def test_recall_rises_and_precision_falls_as_threshold_grows():
    ctit, fraud = _sample()
    qs = [ctit_threshold_quality(ctit, fraud, s) for s in (2, 5, 10, 20, 40, 80, 160, 600)]
    recall = [q["recall"] for q in qs]
    flagged = [q["flagged"] for q in qs]
    assert recall == sorted(recall) and flagged == sorted(flagged)
    precision = [q["precision"] for q in qs if not math.isnan(q["precision"])]
    assert precision[-1] < precision[0]
    assert all(b <= a + 1e-12 for a, b in zip(precision[1:], precision[2:], strict=False))
    above = [ctit_threshold_quality(ctit, ~fraud, s, side="above")["recall"] for s in (10, 100, 1000, 10000)]
    assert above == sorted(above, reverse=True)


def _world():
    """Two sites: 'bad' with injected installs seconds after the click, 'good' with human timing."""
    rows, truth = [], []
    for i in range(12):
        rows.append(("bad", f"b{i}", 3 + i % 5))
        truth.append("click_injection" if i < 10 else None)
    for i in range(15):
        rows.append(("good", f"g{i}", 40 + 60 * i))
        truth.append(None)
    rows.append(("good", "g_flood", 3 * 86400))
    truth.append("click_flooding")
    installs = pd.DataFrame({
        "install_id": [r[1] for r in rows],
        "media_source": "mintegral",
        "site_id": [f"site_{r[0]}" for r in rows],
        "click_time": [T0 - pd.Timedelta(seconds=r[2]) for r in rows],
        "install_time": [T0] * len(rows),
    })
    installs["media_source"] = installs["media_source"].astype("string")
    return installs, pd.DataFrame({"install_id": installs["install_id"], "fraud_type": truth})


def test_explorer_state_follows_the_controls():
    installs, truth = _world()
    ex = ctit_explorer(installs, truth, min_site_installs=5)
    assert isinstance(ex, CtitExplorer)
    assert ex.site == ALL_SITES and ex.injection["fraud"] == 10 and ex.figure is not None
    assert ex.injection["threshold_s"] == 10 and ex.injection["recall"] == 1.0
    ex.min_ctit.value = 4
    assert ex.injection["threshold_s"] == 4 and ex.injection["recall"] < 1.0
    ex.min_ctit.value = 60
    assert ex.injection["recall"] == 1.0 and ex.injection["precision"] < 1.0
    ex.site_picker.value = "mintegral / site_good"
    assert ex.site == "mintegral / site_good" and ex.injection["fraud"] == 0
    assert ex.flooding["fraud"] == 1 and ex.flooding["recall"] == 1.0
    ex.max_ctit.value = 168
    assert ex.flooding["threshold_s"] == 168 * 3600 and ex.flooding["recall"] == 0.0
    assert "precision" in ex.summary.value and ex.image.value[:4] == b"\x89PNG"
    assert "CtitExplorer" in repr(ex)


def test_explorer_accepts_a_truth_series_and_lists_only_big_sites():
    installs, truth = _world()
    ex = CtitExplorer(installs, truth["fraud_type"], min_site_installs=13)
    values = [v for _, v in ex.site_picker.options]
    assert values == [ALL_SITES, "mintegral / site_good"]
