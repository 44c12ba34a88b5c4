"""Put a measurement view next to the truth: tidy tables and one-call charts for lessons.

Every helper returns a DataFrame with one row per group and the columns

``<by columns>, truth, view, difference, relative_error``

where ``difference = view - truth`` and ``relative_error = difference / truth`` (missing when the
truth is 0). A group missing on one side counts as 0 there. ``df.attrs`` remembers ``metric``,
``view`` and ``by`` so that :func:`plot_comparison` can label the chart.

* :func:`compare` - any two tables or Series.
* :func:`truth_vs_mmp` - true installs / revenue per network (or platform, country, ATT consent)
  against the MMP's last-touch attribution (:func:`helpers.synth.views.mmp.mmp_view`).
* :func:`truth_vs_ara` - true Android conversions per network or country against the Attribution
  Reporting API's de-biased event-level counts, or true revenue against a noisy summary report.

>>> import pandas as pd
>>> df = compare(pd.Series({"a": 10, "b": 5}), pd.Series({"a": 12, "b": 5}), by="network", metric="installs")
>>> df.to_dict("records")[0]
{'network': 'a', 'truth': 10.0, 'view': 12.0, 'difference': 2.0, 'relative_error': 0.2}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers.messages import has, t
from helpers.synth.world import check_world

__all__ = ["COLUMNS", "compare", "truth_vs_mmp", "truth_vs_ara", "plot_comparison"]

#: The value columns of every comparison table (after the by-columns).
COLUMNS: tuple[str, ...] = ("truth", "view", "difference", "relative_error")

_MMP_BY = ("media_source", "platform", "country", "att_consent")
_ARA_BY = ("media_source", "country")
_EVENT_METRICS = {"sign_ups": "sign_up", "purchases": "purchase"}


def _as_by(by) -> list[str]:
    if isinstance(by, str):
        return [by]
    by = list(by)
    if not by or not all(isinstance(b, str) for b in by):
        raise ValueError(t("errors.synth.by_type", by=by))
    return by


def _to_series(data, by: list[str], metric: str, side: str) -> pd.Series:
    if isinstance(data, pd.Series):
        s = data.copy()
        if s.index.nlevels != len(by):
            raise ValueError(t("errors.synth.series_levels", side=side, levels=s.index.nlevels, count=len(by), by=by))
        s.index = s.index.set_names(by)
        return s.astype(float)
    if isinstance(data, pd.DataFrame):
        missing = [c for c in [*by, metric] if c not in data.columns]
        if missing:
            raise ValueError(t("errors.synth.missing_columns", side=side, missing=missing, columns=list(data.columns)))
        return data.groupby(by, observed=True, dropna=False)[metric].sum().astype(float)
    raise ValueError(t("errors.synth.compare_type", side=side, type=type(data).__name__))


def compare(truth, view, metric: str = "value", by="group", view_name: str = "view") -> pd.DataFrame:
    """Tidy comparison of two measurements of the same metric per group.

    ``truth`` and ``view`` are Series indexed by the groups, or DataFrames with the ``by`` columns
    and a ``metric`` column (summed per group). Rows are sorted by the truth, largest first.
    """
    by = _as_by(by)
    a = _to_series(truth, by, metric, "truth")
    b = _to_series(view, by, metric, "view")
    both = pd.concat([a.rename("truth"), b.rename("view")], axis=1).fillna(0.0)
    both["difference"] = both["view"] - both["truth"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = both["difference"] / both["truth"]
    both["relative_error"] = rel.where(both["truth"] != 0)
    out = both.reset_index().sort_values(["truth", "view"], ascending=False, kind="stable").reset_index(drop=True)
    out = out[[*by, *COLUMNS]]
    out.attrs.update({"metric": metric, "view": view_name, "by": by})
    return out


def _check_by(by: list[str], allowed: tuple[str, ...], what: str) -> None:
    bad = [b for b in by if b not in allowed]
    if bad:
        raise ValueError(t("errors.synth.compare_by", func=what, allowed=", ".join(allowed), bad=bad))


def truth_vs_mmp(world, by="media_source", metric: str = "installs", view=None, **attribution_options) -> pd.DataFrame:
    """True vs MMP-attributed installs, sign-ups, purchases or revenue per group.

    ``by``: ``media_source`` (truth: the source that really caused the install; view: the MMP's
    last-touch credit), ``platform``, ``country`` and ``att_consent`` (the person's ATT choice, a truth
    attribute used to slice both sides). ``view`` reuses an :class:`~helpers.synth.views.mmp.MMPView`;
    otherwise one is built with ``attribution_options``.

    >>> from helpers.synth import generate_world
    >>> df = truth_vs_mmp(generate_world(2_000, seed=3), by=["platform", "att_consent"])
    >>> list(df.columns)
    ['platform', 'att_consent', 'truth', 'view', 'difference', 'relative_error']
    """
    from helpers.synth.views.mmp import mmp_view

    if view is None:
        check_world(world, "truth_vs_mmp")
    by = _as_by(by)
    _check_by(by, _MMP_BY, "truth_vs_mmp")
    if metric not in ("installs", "revenue", *_EVENT_METRICS):
        raise ValueError(t("errors.synth.metric", metric=metric))
    view = view if view is not None else mmp_view(world, **attribution_options)
    truth = view.truth[["install_id", "true_source", "att_consent"]]
    if metric == "installs":
        rows = view.installs[["install_id", "media_source", "platform", "country"]].merge(truth, on="install_id")
        rows["value"] = 1.0
    else:
        ev = view.events
        ev = ev[ev["event_name"] == "purchase"] if metric == "revenue" else ev[ev["event_name"] == _EVENT_METRICS[metric]]
        rows = ev[["install_id", "media_source", "platform", "country", "revenue"]].merge(truth, on="install_id")
        rows["value"] = rows["revenue"] if metric == "revenue" else 1.0
    view_rows = rows
    truth_rows = rows.drop(columns=["media_source"]).rename(columns={"true_source": "media_source"})
    return compare(truth_rows, view_rows, by=by, metric="value", view_name="mmp").pipe(_relabel, metric)


def _relabel(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    df.attrs["metric"] = metric
    return df


def truth_vs_ara(world, by="media_source", metric: str = "installs", epsilon: float = 14.0, seed: int = 0,
                 view=None, aggregation_epsilon: float = 10.0, include_organic: bool = False,
                 **ara_options) -> pd.DataFrame:
    """True Android conversions vs what the Attribution Reporting API lets an ad tech estimate.

    ``installs``, ``sign_ups`` and ``purchases`` come from event-level reports, de-biased for
    randomized response at ``epsilon`` (:meth:`~helpers.synth.views.ara.ARAView.estimate_conversions`);
    ``revenue`` comes from a summary report with Laplace noise at ``aggregation_epsilon``. ``by`` is
    ``media_source`` and/or ``country``. The truth counts each Android conversion under the network
    that really caused the install; organic conversions are left out unless ``include_organic`` (ARA
    reports nothing for them, so their view is 0). Differences mix three effects: ARA's own
    attribution (latest click or view within 30 days, no cross-network MMP), report caps and budget
    drops, and the noise.

    >>> from helpers.synth import generate_world
    >>> list(truth_vs_ara(generate_world(2_000, seed=3)).columns)
    ['media_source', 'truth', 'view', 'difference', 'relative_error']
    """
    from helpers.synth.views.ara import ara_view

    check_world(world, "truth_vs_ara")
    by = _as_by(by)
    _check_by(by, _ARA_BY, "truth_vs_ara")
    if metric not in ("installs", "revenue", *_EVENT_METRICS):
        raise ValueError(t("errors.synth.metric", metric=metric))
    view = view if view is not None else ara_view(world, epsilon=epsilon, seed=seed, **ara_options)
    platforms = ara_options.get("platforms", ("android",))
    inst = world.installs[world.installs["platform"].isin(list(platforms))]
    inst = inst[["install_id", "true_source", "country"]].rename(columns={"true_source": "media_source"})
    if metric == "installs":
        truth_rows = inst.assign(value=1.0)
    else:
        name = "purchase" if metric == "revenue" else _EVENT_METRICS[metric]
        ev = world.events[world.events["event_name"] == name][["install_id", "revenue"]].merge(inst, on="install_id")
        truth_rows = ev.assign(value=ev["revenue"] if metric == "revenue" else 1.0)
    if not include_organic:
        truth_rows = truth_rows[truth_rows["media_source"] != "organic"]
    if metric == "revenue":
        rep = view.summary_report(epsilon=aggregation_epsilon, seed=seed).report
        view_rows = rep[rep["question"] == "revenue"].drop(columns=["value"]).rename(columns={"estimate": "value"})
        name = "ara_summary"
    else:
        conv = "install" if metric == "installs" else _EVENT_METRICS[metric]
        view_rows = view.estimate_conversions(by, conv).rename(columns={"estimate": "value"})
        name = "ara"
    return compare(truth_rows, view_rows, by=by, metric="value", view_name=name).pipe(_relabel, metric)


def _text(key: str, default: str, **params: Any) -> str:
    return t(key, **params) if has(key) else default


def plot_comparison(df: pd.DataFrame, ax: Any = None, title: str | None = None, top: int | None = 15) -> Any:
    """Grouped bars, truth next to the view, one group per row of a comparison table.

    Labels come from ``helpers/locale/templates/compare.pot (and its translations)``. Shows the ``top`` rows (largest
    truth first; ``None`` for all). Returns the matplotlib Axes.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_comparison(compare(pd.Series({"a": 3.0}), pd.Series({"a": 2.0}), metric="installs"))
    >>> len(ax.patches)
    2
    """
    import matplotlib.pyplot as plt

    from helpers.plots import RC

    if not isinstance(df, pd.DataFrame) or not set(COLUMNS) <= set(df.columns):
        raise ValueError(t("errors.synth.plot_table", columns=COLUMNS))
    by = df.attrs.get("by") or [c for c in df.columns if c not in COLUMNS]
    data = df if top is None else df.head(top)
    metric = df.attrs.get("metric", "value")
    metric_label = _text(f"compare.metrics.{metric}", str(metric))
    view_label = _text(f"compare.views.{df.attrs.get('view', 'view')}", str(df.attrs.get("view", "view")))
    labels = [" / ".join(str(v) for v in row) for row in data[by].itertuples(index=False)]
    with plt.rc_context(RC):
        if ax is None:
            _, ax = plt.subplots(figsize=(max(8.0, 0.9 * len(data) + 2), 4.4))
        x = np.arange(len(data))
        ax.bar(x - 0.2, data["truth"].to_numpy(float), 0.4, label=t("compare.truth"), color="#0072B2")
        ax.bar(x + 0.2, data["view"].to_numpy(float), 0.4, label=view_label, color="#E69F00")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xticks(x, labels)
        if len(data) > 5:
            ax.tick_params(axis="x", labelrotation=30)
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
        ax.legend(title=t("compare.legend"))
        ax.set_title(title if title is not None else t("compare.title", metric=metric_label, view=view_label))
        ax.set_xlabel(t("compare.xlabel", by=" / ".join(by)))
        ax.set_ylabel(t("compare.ylabel", metric=metric_label))
        ax.figure.tight_layout()
    return ax
