"""helpers.skan_widgets: the course-04 charts, the designer's pure part and the schema designer widget."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import skan_analysis as sa  # noqa: E402
from helpers import skan_widgets as sw  # noqa: E402
from helpers.messages import t  # noqa: E402


@pytest.fixture(scope="module")
def view():
    return sa.skan_lab("gaming")


def test_parse_edges():
    assert sw.parse_edges("20, 0.01; 5,, 5") == [0.01, 5.0, 20.0]
    assert sw.parse_edges([3, 1]) == [1.0, 3.0]
    with pytest.raises(ValueError, match="'abc' is not a bucket edge"):
        sw.parse_edges("1, abc")
    with pytest.raises(ValueError, match="'-2' is not a bucket edge"):
        sw.parse_edges("-2, 5")
    with pytest.raises(ValueError, match="at least one"):
        sw.parse_edges(" , ")


def test_design_measures_the_schema_against_the_truth(view):
    few = sw.design("0.01, 20", coarse=(0.01, 20))
    many = sw.design(sw.DEFAULT_EDGES, coarse=(0.01, 20))
    assert few["schema"].n_values == 3 and many["schema"].n_values == 8
    # more buckets (a refinement of the same cuts) keep at least as much signal at tier 2, the same at tier 1
    assert many["tiers"].loc[2, "signal_kept"] >= few["tiers"].loc[2, "signal_kept"]
    assert many["tiers"].loc[1, "signal_kept"] == pytest.approx(few["tiers"].loc[1, "signal_kept"])
    expected = sa.signal_by_tier(sa.skan_lab("gaming", sa.revenue_schema(sw.DEFAULT_EDGES, coarse=(0.01, 20))))
    pd.testing.assert_frame_equal(many["tiers"], expected)
    assert set(many["by_size"].columns) >= {"campaigns", "median_abs_error"}
    assert many["campaigns"]["installs"].sum() == many["tiers"]["postbacks"].sum()


def test_designer_state_follows_the_controls():
    d = sw.schema_designer()
    assert isinstance(d, sw.SchemaDesigner) and d.error == "" and d.result is not None
    assert d.result["schema"].revenue_edges == tuple(float(e) for e in sw.DEFAULT_EDGES)
    assert "fine values" in d.summary.value and d.image.value[:4] == b"\x89PNG"
    assert "SchemaDesigner gaming 8 values" in repr(d)
    tier1 = d.result["tiers"].loc[1, "signal_kept"]
    d.coarse_medium.value, d.coarse_high.value = 5.0, 50.0
    d.button.click()
    assert d.result["schema"].coarse_revenue == (5.0, 50.0)
    assert d.result["tiers"].loc[1, "signal_kept"] != pytest.approx(tier1)
    d.edges.value = "1, lots"
    d.update()
    assert d.result is None and "lots" in d.error and "cannot work" in d.summary.value
    assert "error" in repr(d)
    d.edges.value = ", ".join(str(i) for i in range(1, 70))
    d.update()
    assert d.result is None and "64" in d.error
    d.edges.value, d.vertical.value = "0.01, 10, 50", "ecommerce"
    d.update()
    assert d.result is not None and d.error == "" and "ecommerce" in repr(d)


def test_charts_draw_with_catalogue_labels(view):
    ax = sw.timing_chart(sa.postback_timing(view))
    assert ax.get_title() == t("skan_widgets.timing.title") and len(ax.get_legend().get_texts()) == 3
    tiers = sa.signal_by_tier(view)
    ax = sw.tier_chart(tiers)
    assert ax.get_ylabel() == t("skan_widgets.tiers.ylabel")
    assert [p.get_height() for p in ax.patches] == pytest.approx(list(tiers["signal_kept"] * 100))
    ax = sw.signal_chart({"a": tiers, "b": tiers}, tiers=(1, 2))
    assert ax.get_title() == t("skan_widgets.signal.title") and len(ax.patches) == 4
    report = sa.campaign_report(view, sa.skan_world("gaming"))
    ax = sw.roas_chart(report)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == t("skan_widgets.roas.xlabel")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_charts_reject_the_wrong_table():
    with pytest.raises(ValueError, match="postback_timing"):
        sw.timing_chart(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="signal_by_tier"):
        sw.tier_chart(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="campaign_report"):
        sw.roas_chart(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="empty"):
        sw.signal_chart({})
