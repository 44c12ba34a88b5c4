"""helpers.plots: each chart draws the right number of bars / lines, with labelled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.messages import catalogue  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labelled(ax) -> None:
    assert ax.get_title().strip()
    assert ax.get_xlabel().strip()
    assert ax.get_ylabel().strip()


def test_credit_by_model_one_bar_per_channel_and_model():
    table = pd.DataFrame(
        {"first_touch": [5.0, 3.0, 2.0], "last_touch": [2.0, 3.0, 5.0], "markov": [3.0, 4.0, 3.0],
         "shapley": [3.5, 3.0, 3.5]},
        index=["search", "social", "email"],
    )
    ax = plots.credit_by_model(table)
    assert len(ax.patches) == 12
    _labelled(ax)
    assert ax.get_ylabel() == catalogue()["plots.credit_by_model.ylabel"]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[0] == catalogue()["plots.model_names.first_touch"]
    assert len(legend) == 4
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["search", "email", "social"]  # by mean credit


def test_credit_by_model_picks_models_and_overrides_title():
    table = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0], "c": [0.0, 3.0]}, index=["x", "y"])
    ax = plots.credit_by_model(table, models=["c", "a"], title="Mine")
    assert len(ax.patches) == 4
    assert ax.get_title() == "Mine"


def test_bar_by_channel_counts_bars_and_labels_values():
    s = pd.Series({"search": 40.0, "social": 25.0, "email": 35.0})
    ax = plots.bar_by_channel(s, highlight="email")
    assert len(ax.patches) == 3
    _labelled(ax)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["search", "email", "social"]
    assert "35" in [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("kind", ["removal_effects", "cpi", "roas"])
def test_bar_by_channel_kinds_use_their_labels(kind):
    ax = plots.bar_by_channel({"a": 0.5, "b": 1.5}, kind=kind, fmt="{:.2f}")
    assert ax.get_ylabel() == catalogue()[f"plots.{kind}.ylabel"]
    assert len(ax.patches) == 2


def test_roas_has_a_break_even_line():
    ax = plots.bar_by_channel({"a": 0.5, "b": 1.5}, kind="roas")
    assert [line.get_ydata()[0] for line in ax.get_lines()] == [1.0]


def test_retention_curves_one_line_per_network_either_orientation():
    wide = pd.DataFrame({"D1": [0.4, 0.3], "D7": [0.2, 0.15], "D30": [0.1, 0.05]}, index=["meta_ads", "organic"])
    ax = plots.retention_curves(wide)
    assert len(ax.get_lines()) == 2
    _labelled(ax)
    assert list(ax.get_lines()[0].get_xdata()) == [1, 7, 30]
    ax2 = plots.retention_curves(wide.T.rename(index=lambda d: int(d[1:])))
    assert len(ax2.get_lines()) == 2


def test_ltv_curves_lines_and_currency_label():
    df = pd.DataFrame({"a": [0.1, 0.5, 1.0], "b": [0.2, 0.4, 0.6], "c": [0.0, 0.1, 0.3]}, index=[0, 7, 30])
    ax = plots.ltv_curves(df, currency="USD")
    assert len(ax.get_lines()) == 3
    _labelled(ax)
    assert ax.get_ylabel().endswith("(USD)")


def test_transition_heatmap_and_time_decay():
    m = pd.DataFrame([[0, 1.0, 0], [0, 0.5, 0.5], [0, 0, 1.0]], index=list("abc"), columns=list("abc"))
    ax = plots.transition_heatmap(m)
    _labelled(ax)
    assert len(ax.texts) == 4  # one annotation per non-zero cell
    ax = plots.time_decay_weights(7, max_days=28)
    _labelled(ax)
    assert "7" in ax.get_title()


def test_channel_colours_are_stable_and_distinct_within_a_chart():
    assert plots.channel_color("search") == plots.channel_color("search")
    assert plots.channel_color("organic") == "#8C8C8C"
    colours = plots._colors(["n1", "n2", "n3", "n4", "n5", "n6"])
    assert len(set(colours)) == 6


def test_bad_input_is_explained():
    with pytest.raises(TypeError, match="DataFrame"):
        plots.credit_by_model(pd.Series([1.0]))
    with pytest.raises(TypeError, match="Series or a dict"):
        plots.bar_by_channel([1, 2])


def test_global_style_is_not_changed():
    before = matplotlib.rcParams["axes.spines.top"]
    plots.bar_by_channel({"a": 1.0})
    assert matplotlib.rcParams["axes.spines.top"] == before
