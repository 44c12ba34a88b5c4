"""Charts of course 05 (Privacy Sandbox), in the kit's style (:mod:`helpers.plots`).

Titles and axis labels come from ``helpers/locale/templates/privacy_sandbox_plots.pot`` (tables
``[plots.ps_*]``); every function returns the matplotlib Axes. Finish the cell with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers import privacy_sandbox as ps
from helpers.plots import _axes, _styled, finish, label

__all__ = ["flip_probability_curves", "estimate_vs_truth", "relative_error_by_bucket", "noisy_vs_true_buckets",
           "people_per_ad"]


@_styled
def flip_probability_curves(configs: Mapping[str, int], epsilons: Sequence[float] | None = None, *, ax: Any = None,
                            title: str | None = None) -> Any:
    """Flip probability against epsilon, one line per configuration (``{name: number of states}``)."""
    eps = np.linspace(0.5, 20, 200) if epsilons is None else np.asarray(epsilons, float)
    ax = _axes(ax)
    for name, k in configs.items():
        ax.plot(eps, [ps.flip_probability(int(k), float(e)) for e in eps], linewidth=2, label=f"{name} (k = {k:,})")
    ax.axvline(14, color="#a8261b", linestyle="--", linewidth=1.5, label=label("ps_flip.default"))
    ax.set_yscale("log")
    ax.set_ylim(1e-7, 1.5)
    ax.legend()
    return finish(ax, "ps_flip", title=title)


@_styled
def estimate_vs_truth(table: pd.DataFrame, *, observed: str = "reports", estimate: str = "estimate",
                      truth: str = "truth", by: str | None = None, ax: Any = None, title: str | None = None) -> Any:
    """Grouped bars per group: what the reports say, the de-biased estimate, and the truth."""
    t = table.set_index(by) if by else table
    ax = _axes(ax, figsize=(max(7.0, 1.1 * len(t) + 2), 4.2))
    x = np.arange(len(t))
    for i, (col, colour) in enumerate(((observed, "#9aa5b1"), (estimate, "#0072B2"), (truth, "#009E73"))):
        ax.bar(x + (i - 1) * 0.27, t[col].to_numpy(float), 0.27, color=colour, label=label(f"ps_debias.{i}"))
    ax.set_xticks(x, [str(i) for i in t.index], rotation=20, ha="right")
    ax.legend()
    return finish(ax, "ps_debias", title=title)


@_styled
def relative_error_by_bucket(errors: pd.DataFrame, *, limit: float = 0.2, ax: Any = None, title: str | None = None,
                             cap: float = 10.0) -> Any:
    """Expected relative error of every bucket (:func:`helpers.privacy_sandbox.bucket_errors`), sorted,
    one colour per question, on a log scale, with a line at ``limit`` (20 %: "usable")."""
    ax = _axes(ax, figsize=(8.5, 4.0))
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
    for i, (q, g) in enumerate(errors.groupby("question", sort=False)):
        v = np.sort(np.minimum(g["relative_error"].to_numpy(float), cap))
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", markersize=3, linewidth=1.5, color=colours[i % 4],
                label=label("ps_errors.series", question=q, ok=int((v <= limit).sum()), n=len(v)))
    ax.axhline(limit, color="#a8261b", linestyle="--", linewidth=1.5, label=label("ps_errors.limit", pct=f"{limit:.0%}"))
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    return finish(ax, "ps_errors", title=title)


@_styled
def noisy_vs_true_buckets(report: pd.DataFrame, truth: pd.DataFrame, question: str, *, ax: Any = None,
                          title: str | None = None) -> Any:
    """Scatter of a summary report's noisy estimate against the true value, one dot per bucket."""
    r = report[report["question"] == question]
    t = truth.loc[r.index, "true_estimate"] if "true_estimate" in truth.columns else truth.loc[r.index]
    ax = _axes(ax, figsize=(5.5, 5.0))
    ax.scatter(t.to_numpy(float), r["estimate"].to_numpy(float), s=14, alpha=0.6, color="#0072B2")
    hi = float(max(t.max(), r["estimate"].max(), 1.0))
    lo = float(min(r["estimate"].min(), 0.0))
    ax.plot([lo, hi], [lo, hi], color="#a8261b", linewidth=1, linestyle="--")
    ax.grid(True, axis="both", alpha=0.3)
    return finish(ax, "ps_scatter", title=title, question=question)


@_styled
def people_per_ad(table: pd.DataFrame, k: int = 50, *, ax: Any = None, title: str | None = None) -> Any:
    """Bars of distinct people per ad (:func:`helpers.privacy_sandbox_audience.k_anonymous_ads`) with a line at k."""
    t = table.sort_values("people", ascending=False)
    ax = _axes(ax, figsize=(8.0, 3.8))
    colours = np.where(t["people"] >= k, "#009E73", "#D55E00")
    ax.bar([str(i) for i in t.index], t["people"].to_numpy(), color=colours)
    ax.axhline(k, color="#a8261b", linestyle="--", linewidth=1.5, label=label("ps_kanon.line", k=k))
    ax.set_yscale("log")
    ax.tick_params(axis="x", rotation=20)
    ax.legend()
    return finish(ax, "ps_kanon", title=title)
