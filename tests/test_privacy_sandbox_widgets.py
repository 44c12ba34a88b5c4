"""Course 05's budget explorer widget, its summary function, the course data and the charts."""

import matplotlib
import pandas as pd
import pytest

from helpers import privacy_sandbox as ps
from helpers import privacy_sandbox_data as D
from helpers import privacy_sandbox_plots as P
from helpers.privacy_sandbox_widgets import BudgetExplorer, budget_explorer, error_summary

matplotlib.use("Agg")

GRAN = {"campaign x country": ["campaign", "country"], "campaign": ["campaign"]}


def _values():
    return pd.DataFrame({"campaign": ["a", "a", "b", "b", "b", "c"], "country": ["KR", "US", "KR", "KR", "US", "KR"],
                         "purchases": 1.0, "revenue": [10.0, 40.0, 25.0, 5.0, 60.0, 30.0]})


def test_error_summary_counts_usable_buckets():
    e = ps.bucket_errors(_values(), ["campaign"], {"purchases": 1, "revenue": 200},
                         {"purchases": 0.5, "revenue": 0.5}, 64)
    s = error_summary(e, limit=0.2)
    assert s.loc["purchases", "buckets"] == 3
    sd = ps.noise_std(64, 0.5, 1)
    assert s.loc["purchases", "usable"] == sum(v > 0 and sd / v <= 0.2 for v in (2.0, 3.0, 1.0))


def test_explorer_reacts_to_its_controls():
    x = budget_explorer(_values(), GRAN, epsilon=10, share=0.5)
    assert isinstance(x, BudgetExplorer) and x.split == {"purchases": 0.5, "revenue": 0.5}
    before = x.errors.copy()
    x.epsilon.value = 40
    assert (x.errors["noise_std"] < before["noise_std"]).all()
    x.share.value = 0.8
    assert x.split["revenue"] == pytest.approx(0.2)
    x.granularity.value = "campaign"
    assert len(x.errors) == 2 * 3 and "campaign" in x.errors.columns and "country" not in x.errors.columns
    assert "usable" in x.summary.value and x.image.value[:4] == b"\x89PNG"


def test_explorer_needs_two_questions():
    with pytest.raises(ValueError, match="exactly two"):
        BudgetExplorer(_values(), GRAN, {"purchases": 1})


def test_course_data_is_deterministic_and_consistent():
    p = D.planning_purchases(D.course_view())
    assert set(p["value_bucket"]) <= {0, 1, 2} and (p["revenue"] <= D.REVENUE_CAP).all()
    conv = D.course_view().conversion_truth
    assert len(p) == ((conv["conversion"] == "purchase") & conv["source_event_id"].notna()).sum()
    assert D.course_world() is D.course_world()
    crm, meas = D.crm_table(), D.measurement_table()
    assert crm["email"].is_unique and meas["email"].is_unique
    assert set(crm["tier"]) == {"vip", "repeat", "one_time"}
    assert D.LEGACY.loc["Protected Audience", "design"] == "k-anonymity"
    with pytest.raises(ValueError, match="unknown world"):
        D.course_world("nope")


def test_charts_have_catalogue_labels():
    ax = P.flip_probability_curves({"click": 2925, "view": 3})
    assert "epsilon" in ax.get_xlabel() and len(ax.get_lines()) == 3
    e = ps.bucket_errors(_values(), ["campaign"], {"purchases": 1, "revenue": 200},
                         {"purchases": 0.5, "revenue": 0.5}, 10)
    ax = P.relative_error_by_bucket(e)
    assert "relative error" in ax.get_ylabel()
