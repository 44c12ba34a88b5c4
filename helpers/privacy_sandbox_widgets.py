"""The budget explorer of lesson 05.3: epsilon, budget split and key granularity -> relative error per bucket.

The computation is :func:`helpers.privacy_sandbox.bucket_errors` (a pure, tested function); the
widget only moves its inputs and redraws. Labels come from
``helpers/locale/templates/privacy_sandbox_widgets.pot``. Nothing is imported from ipywidgets at import time.

    from helpers.privacy_sandbox_widgets import budget_explorer
    budget_explorer(purchases, granularities={"campaign x country": ["campaign", "country"], ...})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers import privacy_sandbox as ps
from helpers.messages import t
from helpers.plots import figure_png

__all__ = ["BudgetExplorer", "budget_explorer", "budget_explorer_figure", "error_summary"]

DEFAULT_LIMIT = 0.2


def error_summary(errors: pd.DataFrame, limit: float = DEFAULT_LIMIT) -> pd.DataFrame:
    """Per question: buckets, buckets with a true value, usable buckets (expected relative error at or
    under ``limit``), their share, and the median relative error of the non-empty buckets."""
    rows = []
    for q, g in errors.groupby("question", sort=False):
        nonempty = g[g["true_value"] > 0]
        rows.append({"question": q, "buckets": len(g), "non_empty": len(nonempty),
                     "usable": int((g["relative_error"] <= limit).sum()),
                     "usable_share": float((g["relative_error"] <= limit).mean()) if len(g) else float("nan"),
                     "median_error": float(nonempty["relative_error"].median()) if len(nonempty) else float("inf")})
    return pd.DataFrame(rows).set_index("question")


def budget_explorer_figure(errors: pd.DataFrame, limit: float = DEFAULT_LIMIT, subtitle: str = "") -> Any:
    """Sorted relative errors per question (log scale) with the usability line; a Figure not
    registered with pyplot."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 3.8))
    ax = fig.add_subplot()
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
    for i, (q, g) in enumerate(errors.groupby("question", sort=False)):
        v = np.sort(np.minimum(g["relative_error"].to_numpy(float), 10.0))
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", markersize=3, linewidth=1.5, color=colours[i % 4],
                label=t("privacy_sandbox_widgets.budget.series", question=q, ok=int((v <= limit).sum()), n=len(v)))
    ax.axhline(limit, color="#a8261b", linestyle="--", linewidth=1.5,
               label=t("privacy_sandbox_widgets.budget.limit", pct=f"{limit:.0%}"))
    ax.set_yscale("log")
    ax.set_xlabel(t("privacy_sandbox_widgets.budget.xlabel"))
    ax.set_ylabel(t("privacy_sandbox_widgets.budget.ylabel"))
    ax.set_title(t("privacy_sandbox_widgets.budget.chart_title", subtitle=subtitle), fontsize=11)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(True, axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


class BudgetExplorer:
    """Sliders for epsilon and the first question's budget share, a key-granularity picker, a chart
    of expected relative error per bucket and a summary line.

    Readable state: :attr:`errors` (the current :func:`~helpers.privacy_sandbox.bucket_errors` table),
    :attr:`summary_table` (:func:`error_summary`), :attr:`split`, :attr:`figure`, and the controls
    :attr:`epsilon`, :attr:`share` and :attr:`granularity`.
    """

    def __init__(self, values: pd.DataFrame, granularities: Mapping[str, Sequence[str]],
                 questions: Mapping[str, float], epsilon: float = 10.0, share: float = 0.5,
                 limit: float = DEFAULT_LIMIT):
        import ipywidgets as w

        if len(questions) != 2:
            raise ValueError(t("errors.ps_widgets.two_questions"))
        if not granularities:
            raise ValueError(t("errors.ps_widgets.granularity"))
        self.values, self.questions, self.limit = values, dict(questions), float(limit)
        self.granularities = {k: list(v) for k, v in granularities.items()}
        first = next(iter(self.questions))
        style = {"description_width": "initial"}
        layout = w.Layout(width="480px")
        self.epsilon = w.FloatLogSlider(value=epsilon, base=10, min=0, max=np.log10(64), step=0.05,
                                        description=t("privacy_sandbox_widgets.budget.epsilon"), style=style,
                                        layout=layout, continuous_update=False, readout_format=".1f")
        self.share = w.FloatSlider(value=share, min=0.05, max=0.95, step=0.05,
                                   description=t("privacy_sandbox_widgets.budget.share", question=first),
                                   style=style, layout=layout, continuous_update=False, readout_format=".0%")
        self.granularity = w.Dropdown(options=list(self.granularities), description=t(
            "privacy_sandbox_widgets.budget.granularity"), style=style, layout=layout)
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        self.box = w.VBox([w.HTML(f"<b>{t('privacy_sandbox_widgets.budget.title')}</b><br><small>"
                                  f"{t('privacy_sandbox_widgets.budget.help')}</small>"),
                           self.epsilon, self.share, self.granularity, self.summary, self.image])
        self.errors = pd.DataFrame()
        self.summary_table = pd.DataFrame()
        self.split: dict[str, float] = {}
        self.figure: Any = None
        for control in (self.epsilon, self.share, self.granularity):
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> None:
        """Recompute the expected errors for the current settings; redraw."""
        q1, q2 = list(self.questions)
        self.split = {q1: float(self.share.value), q2: round(1.0 - float(self.share.value), 10)}
        dims = self.granularities[self.granularity.value]
        self.errors = ps.bucket_errors(self.values, dims, self.questions, self.split, float(self.epsilon.value))
        self.summary_table = error_summary(self.errors, self.limit)
        parts = [t("privacy_sandbox_widgets.budget.summary_row", question=q, usable=int(r["usable"]),
                   buckets=int(r["buckets"]), median=f"{r['median_error']:.0%}",
                   noise=f"{self.errors.loc[self.errors['question'] == q, 'noise_std'].iloc[0]:,.2f}")
                 for q, r in self.summary_table.iterrows()]
        self.summary.value = "<br>".join(parts)
        sub = t("privacy_sandbox_widgets.budget.subtitle", granularity=self.granularity.value,
                epsilon=f"{float(self.epsilon.value):.1f}", share=f"{self.split[q1]:.0%}", question=q1)
        self.figure = budget_explorer_figure(self.errors, self.limit, sub)
        self.image.value = figure_png(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return (f"<BudgetExplorer epsilon={float(self.epsilon.value):.1f} split={self.split} "
                f"granularity={self.granularity.value!r}>")


def budget_explorer(values: pd.DataFrame, granularities: Mapping[str, Sequence[str]],
                    questions: Mapping[str, float] | None = None, epsilon: float = 10.0,
                    share: float = 0.5) -> BudgetExplorer:
    """The budget explorer of lesson 05.3 (see :class:`BudgetExplorer`).

    ``values``: one row per conversion with the dimension columns and one column per question
    (e.g. :func:`helpers.privacy_sandbox_data.planning_purchases`); ``granularities``: name -> key
    dimensions; ``questions``: the two questions and the most one source can add to each
    (default ``{"purchases": 1, "revenue": 200}``).
    """
    return BudgetExplorer(values, granularities, questions or {"purchases": 1, "revenue": 200},
                          epsilon=epsilon, share=share)
