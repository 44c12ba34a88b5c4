"""Charts of course 03 (deep links), in the kit's look (:mod:`helpers.plots`).

Every function draws one chart on a new figure (or on ``ax=``), takes its title and axis labels from
the message catalogue (``plots.deeplinks_*`` in ``helpers/locale/templates/deeplinks_widgets.pot``;
override with ``title=``, ``xlabel=``, ``ylabel=``) and returns the matplotlib Axes. Finish the
notebook cell with ``plt.show()``. Nothing is drawn at import time.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from helpers.deeplinks.journeys import funnel
>>> clicks = pd.DataFrame({"landing_path": ["/signup", "/benefits"] * 5, "opened": [True] * 10,
...                        "converted": [True, False] * 5})
>>> ax = rate_bars(funnel(clicks, by="landing_path"))
>>> len(ax.patches), ax.get_ylabel()
(2, 'conversions per click')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from helpers.messages import t
from helpers.plots import _axes, _styled, channel_color, duration_ticks, finish

__all__ = ["rate_bars", "funnel_chart", "difference_chart", "open_delay_histogram", "installed_share",
           "destinations", "rule_hits", "DESTINATION_COLORS"]

#: Colours of the four places a link can land.
DESTINATION_COLORS: dict[str, str] = {"app": "#009E73", "app_store": "#0072B2", "play_store": "#56B4E9",
                                      "web": "#E69F00"}
_BLUE, _GREEN, _GREY, _RED = "#0072B2", "#009E73", "#9aa5b1", "#a8261b"


def _require(table: Any, columns: list[str], what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(t("errors.deeplinks.plots.not_table", what=what, type=type(table).__name__))
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(t("errors.deeplinks.plots.missing_columns", what=what, missing=", ".join(map(repr, missing)),
                           expected=", ".join(columns)))
    return table


def _group_names(index: pd.Index) -> list[str]:
    if isinstance(index, pd.MultiIndex):
        return [" · ".join(str(v) for v in row) for row in index]
    return [str(v) for v in index]


def _percent_axis(ax: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


@_styled
def rate_bars(table: pd.DataFrame, rate: str = "conversion_rate", *, low: str | None = "conversion_low",
              high: str | None = "conversion_high", count: str = "clicks", highlight: Any = None, ax: Any = None,
              title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """One bar per group of a :func:`~helpers.deeplinks.journeys.funnel` table, with its interval.

    ``rate``: the column drawn (``conversion_rate`` or ``open_rate``); ``low``/``high``: the
    interval columns drawn as error bars (``None`` for none). The bar of ``highlight`` (a group
    label) is drawn in green. Each bar is labelled with its rate and its ``count`` column (the
    number of clicks, or of installs for a match rate). Titles: ``plots.deeplinks_rates``,
    ``plots.deeplinks_open_rate`` or ``plots.deeplinks_match_rate`` by ``rate``.
    """
    cols = [rate, count] + [c for c in (low, high) if c]
    data = _require(table, cols, "table")
    names = _group_names(data.index)
    values = data[rate].to_numpy(dtype=float)
    ax = _axes(ax, figsize=(max(6.5, 1.2 * len(data) + 2.5), 4.2))
    x = np.arange(len(data))
    colours = [_GREEN if highlight is not None and str(n) == str(highlight) else _BLUE for n in names]
    bars = ax.bar(x, values, color=colours, width=0.6)
    if low and high:
        err = np.vstack([values - data[low].to_numpy(dtype=float), data[high].to_numpy(dtype=float) - values])
        ax.errorbar(x, values, yerr=np.clip(err, 0, None), fmt="none", ecolor="#333333", capsize=4, linewidth=1)
    unit = "bar" if count == "clicks" else "bar_other"
    ax.bar_label(bars, labels=[t(f"plots.deeplinks_rates.{unit}", rate=f"{v:.0%}", n=f"{n:,}", what=count)
                               for v, n in zip(values, data[count], strict=True)],
                 padding=2, fontsize=8, label_type="center", color="white")
    ax.set_xticks(x, names)
    if len(data) > 5:
        ax.tick_params(axis="x", labelrotation=25)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    top = data[high].max() if (low and high) else values.max(initial=0)
    ax.set_ylim(0, max(float(np.nan_to_num(top)) * 1.15, 0.05))
    _percent_axis(ax)
    key = {"open_rate": "deeplinks_open_rate", "match_rate": "deeplinks_match_rate"}.get(rate, "deeplinks_rates")
    return finish(ax, key, title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def funnel_chart(table: pd.DataFrame, *, ax: Any = None, title: str | None = None, xlabel: str | None = None,
                 ylabel: str | None = None) -> Any:
    """Clicks → opened → converted per group, as shares of the group's clicks (grouped bars)."""
    data = _require(table, ["clicks", "open_rate", "conversion_rate"], "table")
    names = _group_names(data.index)
    ax = _axes(ax, figsize=(max(7.0, 1.5 * len(data) + 2.5), 4.2))
    x = np.arange(len(data))
    steps = (("clicks", np.ones(len(data)), _GREY), ("opened", data["open_rate"].to_numpy(dtype=float), _BLUE),
             ("converted", data["conversion_rate"].to_numpy(dtype=float), _GREEN))
    width = 0.26
    for i, (step, values, colour) in enumerate(steps):
        bars = ax.bar(x + (i - 1) * width, values, width, color=colour, label=t(f"plots.deeplinks_funnel.steps.{step}"))
        ax.bar_label(bars, labels=[f"{v:.0%}" for v in values], padding=1, fontsize=7)
    ax.set_xticks(x, names)
    if len(data) > 5:
        ax.tick_params(axis="x", labelrotation=25)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    ax.set_ylim(0, 1.3)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    _percent_axis(ax)
    ax.legend(loc="upper center", ncols=3)
    return finish(ax, "deeplinks_funnel", title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def difference_chart(comparisons: Mapping[str, pd.Series] | pd.DataFrame, *, ax: Any = None,
                     title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Differences of two rates with their intervals (one row per comparison), and a line at 0.

    ``comparisons``: ``{label: compare_rates(...)}`` or a table with one row per comparison and the
    columns ``difference``, ``difference_low``, ``difference_high``. A row whose interval excludes 0
    is drawn in green (the data say which page is better), otherwise grey.
    """
    table = pd.DataFrame(comparisons).T if isinstance(comparisons, Mapping) else comparisons
    data = _require(table, ["difference", "difference_low", "difference_high"], "comparisons")
    d = data["difference"].to_numpy(dtype=float)
    lo, hi = data["difference_low"].to_numpy(dtype=float), data["difference_high"].to_numpy(dtype=float)
    ax = _axes(ax, figsize=(8.0, 1.0 + 0.8 * len(data)))
    y = np.arange(len(data))[::-1]
    for yi, di, li, hi_ in zip(y, d, lo, hi, strict=True):
        colour = _GREEN if (li > 0 or hi_ < 0) else _GREY
        ax.plot([li, hi_], [yi, yi], color=colour, linewidth=3, solid_capstyle="round")
        ax.plot([di], [yi], "o", color=colour, markersize=9)
        ax.annotate(t("plots.deeplinks_difference.point", d=f"{di * 100:+.1f}", low=f"{li * 100:+.1f}",
                      high=f"{hi_ * 100:+.1f}"), (di, yi), textcoords="offset points", xytext=(0, 9),
                    ha="center", fontsize=8)
    ax.axvline(0, color=_RED, linestyle="--", linewidth=1)
    ax.set_yticks(y, [str(i) for i in data.index])
    ax.set_ylim(-0.7, len(data) - 0.3)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v * 100:+.0f} pp"))
    ax.grid(axis="x", alpha=0.3)
    return finish(ax, "deeplinks_difference", title=title, xlabel=xlabel, ylabel=ylabel)


_DELAY_TICKS = (1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400)


@_styled
def open_delay_histogram(delays: pd.Series, by: pd.Series | None = None, *, ax: Any = None,
                         title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Click-to-open times on a log scale (1 s to 7 days), one colour per group of ``by``
    (e.g. ``link_kind``: direct links open in seconds, deferred ones after an install)."""
    if not isinstance(delays, pd.Series):
        raise TypeError(t("errors.deeplinks.plots.delays", type=type(delays).__name__))
    seconds = (delays.dt.total_seconds() if pd.api.types.is_timedelta64_dtype(delays.dtype)
               else delays.astype(float)).clip(1, 7 * 86400)
    groups = pd.Series("all", index=delays.index) if by is None else by.reindex(delays.index).astype(str)
    ax = _axes(ax)
    edges = np.logspace(0, np.log10(7 * 86400), 43)
    palette = [_BLUE, "#E69F00", _GREEN, "#CC79A7"]
    for i, g in enumerate(sorted(groups.unique())):
        ax.hist(seconds[groups == g], bins=edges, alpha=0.75, color=palette[i % len(palette)],
                label=t("plots.deeplinks_open_delay.group", group=g, n=f"{int((groups == g).sum()):,}"))
    ax.set_xscale("log")
    duration_ticks(ax, _DELAY_TICKS)
    ax.set_xlim(1, 7 * 86400)
    ax.legend(loc="upper center")
    return finish(ax, "deeplinks_open_delay", title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def installed_share(clicks: pd.DataFrame, by: str = "media_source", *, ax: Any = None, title: str | None = None,
                    xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Clicks per group of ``by``, split into "app installed" and "app not installed" (stacked bars,
    largest group first). The not-installed part is where a custom-scheme link has nowhere to go."""
    data = _require(clicks, [by, "app_installed"], "clicks")
    table = pd.crosstab(data[by].astype(str), data["app_installed"].astype(bool)).reindex(columns=[True, False],
                                                                                         fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    ax = _axes(ax, figsize=(max(7.0, 0.75 * len(table) + 2.5), 4.2))
    x = np.arange(len(table))
    yes, no = table[True].to_numpy(), table[False].to_numpy()
    ax.bar(x, yes, color=_GREEN, label=t("plots.deeplinks_installed.installed"))
    bars = ax.bar(x, no, bottom=yes, color="#E69F00", label=t("plots.deeplinks_installed.not_installed"))
    share = no / np.maximum(yes + no, 1)
    ax.bar_label(bars, labels=[f"{s:.0%}" if n else "" for s, n in zip(share, no, strict=True)], padding=1, fontsize=8)
    ax.set_xticks(x, list(table.index))
    ax.tick_params(axis="x", labelrotation=30)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    ax.legend(loc="upper right")
    return finish(ax, "deeplinks_installed", title=title, xlabel=xlabel, ylabel=ylabel, by=by)


@_styled
def destinations(routed: pd.DataFrame, by: str = "platform", *, ax: Any = None, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Where the clicks land (``destination`` of :func:`~helpers.deeplinks.journeys.route_clicks`),
    per group of ``by``: stacked bars in the colours of :data:`DESTINATION_COLORS`."""
    data = _require(routed, [by, "destination"], "routed")
    table = pd.crosstab(data[by].astype(str), data["destination"].astype(str))
    order = [d for d in DESTINATION_COLORS if d in table.columns] + sorted(set(table.columns) - set(DESTINATION_COLORS))
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index, order]
    ax = _axes(ax, figsize=(max(6.0, 0.9 * len(table) + 3), 4.2))
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for dest in order:
        values = table[dest].to_numpy()
        bars = ax.bar(x, values, bottom=bottom, color=DESTINATION_COLORS.get(dest, channel_color(dest)),
                      label=t(f"plots.deeplinks_destinations.names.{dest}") if dest in DESTINATION_COLORS else dest)
        ax.bar_label(bars, labels=[f"{v:,}" if v else "" for v in values], label_type="center", fontsize=8,
                     color="white")
        bottom += values
    ax.set_xticks(x, list(table.index))
    if len(table) > 4:
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(ax, "deeplinks_destinations", title=title, xlabel=xlabel, ylabel=ylabel, by=by)


@_styled
def rule_hits(outcomes: pd.DataFrame, weights: pd.Series | None = None, *, ax: Any = None,
              title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """How many links each AASA rule decided (``rule`` of :func:`~helpers.deeplinks.journeys.link_outcomes`):
    horizontal bars, green where the rule opens the app, orange where it sends the link to the web.
    ``weights`` (aligned with ``outcomes``) counts each URL that many times, e.g. its clicks."""
    data = _require(outcomes, ["rule", "opens_app"], "outcomes")
    w = pd.Series(1, index=data.index) if weights is None else pd.Series(np.asarray(weights), index=data.index)
    table = (data.assign(_w=w.to_numpy()).groupby(["rule", "opens_app"], sort=False)["_w"].sum()
             .reset_index().sort_values("_w"))
    ax = _axes(ax, figsize=(8.0, 1.2 + 0.45 * len(table)))
    y = np.arange(len(table))
    colours = [_GREEN if o else "#E69F00" for o in table["opens_app"]]
    bars = ax.barh(y, table["_w"].to_numpy(), color=colours)
    ax.bar_label(bars, labels=[f"{v:,}" for v in table["_w"]], padding=2, fontsize=8)
    names = [t("plots.deeplinks_rules.row_open" if o else "plots.deeplinks_rules.row_web", rule=r)
             for r, o in zip(table["rule"], table["opens_app"], strict=True)]
    ax.set_yticks(y, names)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    return finish(ax, "deeplinks_rules", title=title, xlabel=xlabel, ylabel=ylabel)
