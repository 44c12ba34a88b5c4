"""Shared plots for the lessons: one look, labels from the message catalogue, no surprises.

Every function draws one chart on a new figure (or on ``ax=`` if you pass one), takes its title,
axis labels and legend title from ``helpers/locale/templates/plots.pot (and its translations)`` (override any of them with
``title=``, ``xlabel=``, ``ylabel=``), and returns the matplotlib :class:`~matplotlib.axes.Axes` so
that a lesson can add to it and a test can inspect it (``ax.figure`` is the figure). Finish the
notebook cell with ``plt.show()``.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> table = pd.DataFrame({"last_touch": [3.0, 1.0], "linear": [2.0, 2.0]}, index=["search", "email"])
>>> ax = credit_by_model(table)
>>> len(ax.patches), ax.get_ylabel()
(4, 'attributed conversions')

Channel colours are stable: a channel keeps its colour in every chart of the kit
(:func:`channel_color`). Nothing is drawn at import time; importing registers the Hangul fallback
font (:mod:`helpers.fonts`).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from helpers.messages import has, t

__all__ = [
    "RC",
    "label",
    "finish",
    "channel_color",
    "credit_by_model",
    "bar_by_channel",
    "retention_curves",
    "ltv_curves",
    "transition_heatmap",
    "time_decay_weights",
    "grouped_bars",
    "count_heatmap",
    "ctit_histogram",
]

#: The kit's matplotlib style (applied only while a helper draws). The one global setting the kit
#: makes is a Hangul fallback font after DejaVu Sans (helpers.fonts), so Korean labels render anywhere.
RC: dict[str, Any] = {
    "figure.figsize": (8.0, 4.2),
    "figure.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
}

# Okabe–Ito colour-blind-safe palette, then a few extra distinct colours.
_PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
    "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74",
]
_FIXED = {
    "organic": "#8C8C8C", "(other)": "#BDBDBD", "other": "#BDBDBD",
    # the simulated world's networks (helpers.synth) always get these colours
    "google_ads": "#0072B2", "meta_ads": "#CC79A7", "apple_search_ads": "#009E73", "tiktok_ads": "#E69F00",
    "unity_ads": "#56B4E9", "applovin": "#7F3C8D", "mintegral": "#F0E442", "ironsource": "#D55E00",
}

from helpers.fonts import use_hangul_font  # noqa: E402

use_hangul_font()  # before any figure exists: text picks its font family when it is created

F = TypeVar("F", bound=Callable[..., Any])


def _styled(func: F) -> F:
    """Draw inside the kit's rc style."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        use_hangul_font()

        with plt.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def figure_png(figure: Any, dpi: int = 90) -> bytes:
    """A matplotlib figure as PNG bytes (tight box): what the widgets put in their image."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def label(key: str, /, **params: object) -> str:
    """A plot text from the catalogue, e.g. ``label("cpi.ylabel")`` → ``plots.cpi.ylabel``."""
    return t(f"plots.{key}", **params)


def channel_color(name: str) -> str:
    """The colour of a channel or network, the same in every chart (hash of the name)."""
    name = str(name)
    if name in _FIXED:
        return _FIXED[name]
    code = sum((i + 1) * ord(ch) for i, ch in enumerate(name))
    return _PALETTE[code % len(_PALETTE)]


def _is_fixed(name: str) -> bool:
    return name in _FIXED


def _colors(names: Iterable[object]) -> list[str]:
    """Stable colours, made distinct within one chart when two names share a hash colour."""
    out: list[str] = []
    for name in names:
        colour = channel_color(str(name))
        if colour in out and not _is_fixed(str(name)):
            free = [c for c in _PALETTE if c not in out]
            colour = free[0] if free else colour
        out.append(colour)
    return out


def _axes(ax: Any = None, figsize: tuple[float, float] | None = None) -> Any:
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize or RC["figure.figsize"])
    return ax


def finish(ax: Any, key: str, *, title: str | None = None, xlabel: str | None = None,
           ylabel: str | None = None, **params: object) -> Any:
    """Set title and axis labels from ``plots.<key>.title/xlabel/ylabel`` unless given; return ``ax``."""
    ax.set_title(title if title is not None else label(f"{key}.title", **params))
    ax.set_xlabel(xlabel if xlabel is not None else label(f"{key}.xlabel", **params))
    ax.set_ylabel(ylabel if ylabel is not None else label(f"{key}.ylabel", **params))
    ax.figure.tight_layout()
    return ax


def _model_name(model: object) -> str:
    key = f"plots.model_names.{model}"
    return t(key) if has(key) else str(model)


def _as_series(values: pd.Series | Mapping[str, float]) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, Mapping):
        return pd.Series(dict(values), dtype=float)
    raise TypeError(t("errors.plots.series_or_dict", kind=type(values).__name__))


@_styled
def credit_by_model(table: pd.DataFrame, *, models: Iterable[str] | None = None, sort: bool = True,
                    ax: Any = None, title: str | None = None, xlabel: str | None = None,
                    ylabel: str | None = None) -> Any:
    """Grouped bars: credit per channel (rows of ``table``) under every model (columns).

    ``table`` is what :func:`helpers.attribution.compare_models` returns (channels × models);
    ``models`` picks and orders the columns. With ``sort`` the channels are ordered by their
    average credit, largest first. One bar per channel and model; known model names get readable
    legend labels.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(t("errors.plots.models_table", kind=type(table).__name__))
    cols = list(models) if models is not None else list(table.columns)
    data = table[cols].astype(float).fillna(0.0)
    if sort:
        data = data.loc[data.mean(axis=1).sort_values(ascending=False).index]
    n_models = max(len(cols), 1)
    ax = _axes(ax, figsize=(max(8.0, 1.3 * len(data) + 2), 4.4))
    x = np.arange(len(data))
    width = 0.8 / n_models
    cmap = _model_palette(n_models)
    for i, col in enumerate(cols):
        ax.bar(x - 0.4 + width * (i + 0.5), data[col].to_numpy(), width, label=_model_name(col),
               color=cmap[i], edgecolor="white", linewidth=0.5)
    ax.set_xticks(x, [str(c) for c in data.index])
    ax.legend(title=label("credit_by_model.legend"), ncols=min(n_models, 4), loc="upper right")
    ax.set_ylim(0, float(data.to_numpy().max(initial=0)) * 1.25 or 1)
    return finish(ax, "credit_by_model", title=title, xlabel=xlabel, ylabel=ylabel)


def _model_palette(n: int) -> list[str]:
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    return [matplotlib.colors.to_hex(cmap(v)) for v in np.linspace(0.05, 0.9, n)] if n > 1 else ["#3969AC"]


@_styled
def bar_by_channel(values: pd.Series | Mapping[str, float], *, kind: str = "bar_by_channel",
                   fmt: str = "{:,.0f}", sort: bool = True, highlight: str | None = None, ax: Any = None,
                   title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """One bar per channel or network, with its value written on top.

    ``kind`` picks the catalogue labels: ``"bar_by_channel"`` (attributed conversions),
    ``"removal_effects"``, ``"cpi"`` or ``"roas"`` (adds a dashed break-even line at 1).
    ``fmt`` formats the value labels (``"{:.0%}"`` for shares, ``"{:,.2f}"`` for money).
    ``highlight`` outlines one bar (e.g. the channel an exercise asks about).
    """
    s = _as_series(values).astype(float)
    if sort:
        s = s.sort_values(ascending=False)
    ax = _axes(ax)
    names = [str(i) for i in s.index]
    bars = ax.bar(names, s.to_numpy(), color=_colors(names), edgecolor="white")
    if highlight is not None and highlight in names:
        bar = bars[names.index(highlight)]
        bar.set_edgecolor("black")
        bar.set_linewidth(2)
    ax.bar_label(bars, labels=[fmt.format(v) for v in s.to_numpy()], padding=2, fontsize=9)
    top = float(np.nanmax(s.to_numpy(), initial=0))
    if kind == "roas":
        ax.axhline(1.0, color="#444444", linestyle="--", linewidth=1, label=label("roas.breakeven"))
        ax.legend(loc="upper right")
        top = max(top, 1.0)
    ax.set_ylim(min(0.0, float(np.nanmin(s.to_numpy(), initial=0)) * 1.2), top * 1.18 or 1)
    if len(names) > 6:
        ax.tick_params(axis="x", labelrotation=30)
    return finish(ax, kind, title=title, xlabel=xlabel, ylabel=ylabel)


_DAY = re.compile(r"^\s*(?:d|day|day_|d_)?\s*(\d+)\s*$", re.IGNORECASE)


def _day_number(value: object) -> int | None:
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    m = _DAY.match(str(value))
    return int(m.group(1)) if m else None


def _curves_frame(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Days on the index, one column per group (accepts either orientation, labels like 'D7')."""
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(t("errors.plots.days_table", kind=type(data).__name__))
    cols_are_days = len(data.columns) > 0 and all(_day_number(c) is not None for c in data.columns)
    index_is_days = len(data.index) > 0 and all(_day_number(i) is not None for i in data.index)
    if cols_are_days and not index_is_days:
        data = data.T
    out = data.copy()
    out.index = [_day_number(i) if _day_number(i) is not None else i for i in out.index]
    return out.sort_index().astype(float)


def _lines(data: pd.DataFrame | pd.Series, key: str, ax: Any, percent: bool, title: str | None,
           xlabel: str | None, ylabel: str | None) -> Any:
    frame = _curves_frame(data)
    ax = _axes(ax)
    names = [str(c) for c in frame.columns]
    for name, colour, col in zip(names, _colors(names), frame.columns, strict=True):
        style = "--" if name == "organic" else "-"
        ax.plot(frame.index, frame[col].to_numpy(), style, marker="o", markersize=4, color=colour,
                label=name, linewidth=2)
    if percent:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    days = [d for d in frame.index if isinstance(d, int)]
    if days and len(days) <= 12:
        ax.set_xticks(days)
    ax.set_ylim(bottom=0)
    ax.grid(True, axis="both", alpha=0.3)
    if len(names) > 1:
        ax.legend(title=label(f"{key}.legend"), loc="center left", bbox_to_anchor=(1.0, 0.5))
    return finish(ax, key, title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def retention_curves(data: pd.DataFrame | pd.Series, *, ax: Any = None, title: str | None = None,
                     xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """One line per network: the share of installers active on day N.

    ``data`` has days on one axis and networks on the other (either orientation; day labels may
    be numbers or text like ``"D7"``/``"day_7"``). Values are shares (0–1), shown as percentages.
    ``organic`` is drawn dashed in grey.
    """
    return _lines(data, "retention_curves", ax, True, title, xlabel, ylabel)


@_styled
def ltv_curves(data: pd.DataFrame | pd.Series, *, currency: str = "", ax: Any = None, title: str | None = None,
               xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """One line per network: cumulative revenue per installer by day since install (cohort LTV).

    Same input shapes as :func:`retention_curves`; ``currency`` (e.g. ``"USD"``) is added to the
    y-axis label.
    """
    if ylabel is None and currency:
        ylabel = f"{label('ltv_curves.ylabel')} ({currency})"
    return _lines(data, "ltv_curves", ax, False, title, xlabel, ylabel)


@_styled
def transition_heatmap(matrix: pd.DataFrame, *, ax: Any = None, title: str | None = None,
                       xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """A transition matrix (:func:`helpers.attribution.transition_matrix`) as an annotated heat map.

    Rows are "from", columns "to"; each non-zero cell shows its probability.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(t("errors.plots.table", kind=type(matrix).__name__))
    values = matrix.astype(float).to_numpy()
    n_rows, n_cols = values.shape
    ax = _axes(ax, figsize=(1.0 * n_cols + 3, 0.7 * n_rows + 2))
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(n_cols), [str(c) for c in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(range(n_rows), [str(r) for r in matrix.index])
    ax.grid(False)
    for i in range(n_rows):
        for j in range(n_cols):
            if values[i, j] > 0:
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=9,
                        color="white" if values[i, j] > 0.6 else "black")
    ax.figure.colorbar(image, ax=ax, label=label("transition_matrix.colorbar"), fraction=0.046)
    return finish(ax, "transition_matrix", title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def time_decay_weights(half_life_days: float = 7.0, *, max_days: int = 28, ax: Any = None,
                       title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """The time-decay curve ``2^(-days / half_life)``: how much a touch of a given age counts."""
    days = np.linspace(0, max_days, 200)
    ax = _axes(ax, figsize=(7.0, 3.4))
    ax.plot(days, np.exp2(-days / half_life_days), color="#0072B2", linewidth=2)
    marks = np.arange(0, max_days + 1e-9, half_life_days)
    ax.plot(marks, np.exp2(-marks / half_life_days), "o", color="#D55E00")
    for d in marks:
        ax.annotate(f"{np.exp2(-d / half_life_days):.3g}", (d, np.exp2(-d / half_life_days)),
                    textcoords="offset points", xytext=(4, 6), fontsize=9)
    ax.set_ylim(0, 1.1)
    ax.set_xticks(marks)
    hl = f"{half_life_days:g}"
    return finish(ax, "time_decay", title=title, xlabel=xlabel, ylabel=ylabel, half_life=hl)


# ---------------------------------------------------------------------------------------------
# Added for lessons 01.1 and 01.2: grouped bars, a count heat map and the CTIT histogram.
# Their labels live in helpers/locale/templates/widgets.pot (tables [plots.claims_vs_credit], ...).
# ---------------------------------------------------------------------------------------------


def _optional_label(key: str, fallback: str) -> str:
    return t(f"plots.{key}") if has(f"plots.{key}") else fallback


@_styled
def grouped_bars(table: pd.DataFrame, key: str, *, sort: bool = True, fmt: str = "{:,.0f}", ax: Any = None,
                 title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                 **params: object) -> Any:
    """Grouped bars: one group per row of ``table`` (e.g. a network), one bar per column.

    ``key`` picks the catalogue labels ``plots.<key>.title/xlabel/ylabel/legend``; a column's
    legend text is ``plots.<key>.columns.<column>`` when it exists, else the column name. With
    ``sort`` the rows are ordered by their first column, largest first; values are written on top.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(t("errors.plots.bars_table", kind=type(table).__name__))
    data = table.astype(float).fillna(0.0)
    if sort and len(data.columns):
        data = data.sort_values(data.columns[0], ascending=False)
    n = max(len(data.columns), 1)
    ax = _axes(ax, figsize=(max(8.0, 1.1 * len(data) + 2), 4.4))
    x = np.arange(len(data))
    width = 0.8 / n
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
    for i, col in enumerate(data.columns):
        bars = ax.bar(x - 0.4 + width * (i + 0.5), data[col].to_numpy(), width,
                      label=_optional_label(f"{key}.columns.{col}", str(col)),
                      color=colours[i % len(colours)], edgecolor="white", linewidth=0.5)
        ax.bar_label(bars, labels=[fmt.format(v) for v in data[col].to_numpy()], padding=1, fontsize=7)
    ax.set_xticks(x, [str(i) for i in data.index])
    if len(data) > 6:
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    ax.legend(title=_optional_label(f"{key}.legend", "") or None, loc="upper right")
    ax.set_ylim(0, float(data.to_numpy().max(initial=0)) * 1.2 or 1)
    return finish(ax, key, title=title, xlabel=xlabel, ylabel=ylabel, **params)


@_styled
def count_heatmap(table: pd.DataFrame, key: str, *, ax: Any = None, title: str | None = None,
                  xlabel: str | None = None, ylabel: str | None = None, **params: object) -> Any:
    """A table of counts (e.g. true source × attributed source) as a heat map with the counts written in.

    Colours use a logarithmic scale so that small off-diagonal cells stay visible next to large ones;
    cells whose row and column have the same name are outlined (agreement). Labels from
    ``plots.<key>.title/xlabel/ylabel/colorbar``.
    """
    import matplotlib.colors as mcolors
    from matplotlib.patches import Rectangle

    if not isinstance(table, pd.DataFrame):
        raise TypeError(t("errors.plots.counts_table", kind=type(table).__name__))
    data = table.astype(float).fillna(0.0)
    ax = _axes(ax, figsize=(max(6.5, 0.75 * data.shape[1] + 3), max(4.5, 0.5 * data.shape[0] + 2)))
    values = data.to_numpy()
    vmax = max(float(values.max(initial=0)), 1.0)
    image = ax.imshow(values + 1.0, cmap="Blues", norm=mcolors.LogNorm(vmin=1.0, vmax=vmax + 1.0), aspect="auto")
    for (r, c), v in np.ndenumerate(values):
        if v:
            dark = np.log1p(v) > 0.6 * np.log1p(vmax)
            ax.text(c, r, f"{v:,.0f}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "#222222")
    for r, row in enumerate(data.index):
        if row in list(data.columns):
            c = list(data.columns).index(row)
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="#D55E00", linewidth=1.5))
    ax.set_xticks(range(data.shape[1]), [str(c) for c in data.columns], rotation=35, ha="right")
    ax.set_yticks(range(data.shape[0]), [str(r) for r in data.index])
    ax.grid(False)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(_optional_label(f"{key}.colorbar", ""))
    return finish(ax, key, title=title, xlabel=xlabel, ylabel=ylabel, **params)


_CTIT_TICKS = (1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400)


def duration_label(seconds: float) -> str:
    """A round duration in the learner's language: ``600`` -> "10 min" (Korean "10분")."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            return t(f"units.{unit}", n=int(seconds // size))
    return t("units.seconds", n=f"{seconds:g}")


def duration_ticks(ax: Any, seconds: Iterable[float]) -> None:
    """Put round durations (in seconds) on the x axis, labelled in the learner's language."""
    ticks = list(seconds)
    ax.set_xticks(ticks, [duration_label(s) for s in ticks])


@_styled
def ctit_histogram(ctit: pd.Series, by: pd.Series | None = None, *, bins: int = 60, ax: Any = None,
                   title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Distribution of click- (or touch-) to-install times on a logarithmic time axis.

    ``ctit`` is a Series of Timedeltas (missing values, e.g. organic installs, are dropped); ``by``
    (same index) splits it into one outlined histogram per group, e.g. ``touch_type``. Times of
    zero are shown in the first bin (1 second). Labels from ``plots.ctit``.
    """
    if not isinstance(ctit, pd.Series):
        raise TypeError(t("errors.plots.time_differences", kind=type(ctit).__name__))
    seconds = pd.to_timedelta(ctit).dt.total_seconds()
    keep = seconds.notna()
    seconds = seconds[keep].clip(lower=1.0)
    edges = np.logspace(0, np.log10(31 * 86400), bins + 1)
    ax = _axes(ax)
    if by is None:
        ax.hist(seconds.to_numpy(), bins=edges, color="#0072B2", alpha=0.85)
    else:
        groups = by[keep].astype(str)
        for name in sorted(groups.unique()):
            ax.hist(seconds[groups == name].to_numpy(), bins=edges, histtype="step", linewidth=1.8,
                    color=_FIXED.get(name, _PALETTE[sorted(groups.unique()).index(name) % len(_PALETTE)]),
                    label=_optional_label(f"ctit.groups.{name}", name))
        ax.legend(title=_optional_label("ctit.legend", "") or None, loc="upper left")
    ax.set_xscale("log")
    duration_ticks(ax, _CTIT_TICKS)
    ax.set_xlim(1, 31 * 86400)
    return finish(ax, "ctit", title=title, xlabel=xlabel, ylabel=ylabel)


# ---------------------------------------------------------------------------- fraud course (02.2)
@_styled
def ctit_by_site(ctit: pd.Series, site: pd.Series, *, thresholds_s: Iterable[float] = (10,), bins: int = 28,
                 ax: Any = None, title: str | None = None, xlabel: str | None = None,
                 ylabel: str | None = None) -> Any:
    """One log-binned CTIT distribution per site (share of the site's installs per bin), as lines.

    ``ctit``: Timedeltas (missing values dropped); ``site``: the site of each install (same index),
    e.g. ``"mintegral / site_0607"``. Bins come from :func:`helpers.fraud.ctit_histogram` (1 s to 30
    days, equal widths on a log scale). Each value in ``thresholds_s`` (seconds) is drawn as a
    dashed vertical line. Labels from ``plots.ctit_by_site``.
    """
    from helpers.fraud import ctit_histogram as _hist

    if not isinstance(ctit, pd.Series) or not isinstance(site, pd.Series):
        raise TypeError(t("errors.plots.ctit_and_site"))
    ax = _axes(ax, figsize=(8.5, 4.4))
    seconds = pd.to_timedelta(ctit).dt.total_seconds()
    groups = site.astype(str)
    names = sorted(groups[seconds.notna()].unique())
    for name, colour in zip(names, _colors(names), strict=True):
        hist = _hist(seconds[(groups == name) & seconds.notna()], bins=bins)
        centre = np.sqrt(np.maximum(hist["bin_left"], 0.5) * hist["bin_right"])
        ax.step(centre, hist["share"], where="mid", linewidth=1.8, color=colour, label=name)
    for s in thresholds_s:
        ax.axvline(float(s), color="#a8261b", linestyle="--", linewidth=1.2)
        ax.annotate(label("ctit_by_site.threshold", s=f"{float(s):g}"), (float(s), 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -12), textcoords="offset points", color="#a8261b", fontsize=8)
    ax.set_xscale("log")
    duration_ticks(ax, _CTIT_TICKS)
    ax.set_xlim(1, 31 * 86400)
    ax.legend(title=_optional_label("ctit_by_site.legend", "") or None, loc="upper right")
    return finish(ax, "ctit_by_site", title=title, xlabel=xlabel, ylabel=ylabel)


__all__ += ["ctit_by_site"]


# ---------------------------------------------------------------------------- fraud course (02.5)
# Labels in helpers/locale/templates/fraud_lesson_2_5.pot ([plots.fraud_shares], [plots.threshold_sweep]).
__all__ += ["fraud_shares", "threshold_sweep"]

_FRAUD_COLOURS = {"click_injection": "#D55E00", "click_flooding": "#E69F00", "sdk_spoofing": "#CC79A7",
                  "bot": "#0072B2", "device_farm": "#009E73"}


@_styled
def fraud_shares(report: pd.DataFrame, by: str = "media_source", *, ax: Any = None, title: str | None = None,
                 xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Horizontal stacked bars: per source, the share of its installs flagged as each fraud type.

    ``report`` is :func:`helpers.fraud.source_report` output (columns ``share_<type>``) with ``by``
    as a column or as the index. Sources sorted by flagged share, highest on top; the total share
    is written at the end of each bar. Labels from ``plots.fraud_shares``.
    """
    from matplotlib.ticker import PercentFormatter

    if not isinstance(report, pd.DataFrame):
        raise TypeError(t("errors.plots.source_report", kind=type(report).__name__))
    data = report.set_index(by) if by in report.columns else report
    cols = [c for c in data.columns if str(c).startswith("share_")]
    if not cols:
        raise ValueError(t("errors.plots.no_share_columns"))
    shares = data[cols].astype(float).fillna(0.0)
    shares = shares.loc[shares.sum(axis=1).sort_values(ascending=True).index]
    ax = _axes(ax, figsize=(8.0, max(3.2, 0.42 * len(shares) + 1.6)))
    names = [str(i) for i in shares.index]
    left = np.zeros(len(shares))
    for col in cols:
        kind = str(col)[len("share_"):]
        values = shares[col].to_numpy()
        ax.barh(names, values, left=left, color=_FRAUD_COLOURS.get(kind, "#999999"), edgecolor="white",
                label=_optional_label(f"ctit.groups.{kind}", kind))
        left += values
    for y, total in enumerate(left):
        ax.text(total + 0.005, y, f"{total:.0%}", va="center", fontsize=8)
    ax.set_xlim(0, max(float(left.max(initial=0)) * 1.15, 0.05))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    ax.legend(title=_optional_label("fraud_shares.legend", "") or None, loc="lower right")
    return finish(ax, "fraud_shares", title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def threshold_sweep(table: pd.DataFrame, *, mark: str | None = None, currency: str = "USD",
                    title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Two panels for a threshold sweep (one row per threshold value, in order).

    Left: ``precision`` and ``recall`` (0..1) as lines. Right: ``money_saved`` and
    ``honest_spend_blocked`` as bars, and ``partners_wrongly_hit`` as a line on a second axis.
    ``mark`` (a row label, e.g. the default threshold) is shaded in both panels. Returns the left
    :class:`~matplotlib.axes.Axes` (``ax.figure.axes`` holds all three). Labels from ``plots.threshold_sweep``.
    """
    import matplotlib.pyplot as plt

    need = ["precision", "recall", "money_saved", "honest_spend_blocked", "partners_wrongly_hit"]
    if not isinstance(table, pd.DataFrame) or [c for c in need if c not in table.columns]:
        raise TypeError(t("errors.plots.columns_table", columns=need))
    key = "threshold_sweep"
    names = [str(i) for i in table.index]
    x = np.arange(len(names))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 4.2))
    left.plot(x, table["precision"].astype(float), marker="o", color="#0072B2", label=label(f"{key}.precision"))
    left.plot(x, table["recall"].astype(float), marker="s", color="#D55E00", label=label(f"{key}.recall"))
    left.set_ylim(-0.03, 1.05)
    left.legend(loc="best")
    width = 0.4
    right.bar(x - width / 2, table["money_saved"].astype(float), width, color="#009E73",
              label=label(f"{key}.money_saved"))
    right.bar(x + width / 2, table["honest_spend_blocked"].astype(float), width, color="#CC79A7",
              label=label(f"{key}.honest_spend_blocked"))
    twin = right.twinx()
    twin.plot(x, table["partners_wrongly_hit"].astype(float), marker="^", color="#444444",
              label=label(f"{key}.partners"))
    twin.set_ylabel(label(f"{key}.partners_ylabel"))
    twin.set_ylim(0, max(float(table["partners_wrongly_hit"].max()), 1.0) * 1.15)
    twin.grid(False)
    handles = right.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    right.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
    right.set_ylabel(currency or label(f"{key}.money_ylabel"))
    right.set_title(label(f"{key}.money_title"))
    for ax in (left, right):
        ax.set_xticks(x, names, rotation=30)
        ax.set_xlabel(xlabel if xlabel is not None else label(f"{key}.xlabel"))
        if mark is not None and mark in names:
            i = names.index(mark)
            ax.axvspan(i - 0.5, i + 0.5, color="#F0E442", alpha=0.25, zorder=0)
    return finish(left, key, title=title, xlabel=xlabel, ylabel=ylabel)


# ---------------------------------------------------------------------------- fraud lessons 02.3-02.4
__all__ += ["ctit_shares", "conversion_by_site", "install_timeline"]


@_styled
def ctit_shares(histograms: Mapping[str, pd.DataFrame], *, reference: str | None = None,
                bands: bool = True, ax: Any = None, title: str | None = None, xlabel: str | None = None,
                ylabel: str | None = None) -> Any:
    """Log-binned CTIT distributions of several sources as lines, one per source.

    ``histograms`` maps a name (e.g. ``"mintegral/site_0621"``) to a table from
    :func:`helpers.fraud.ctit_histogram` (columns ``bin_left``, ``bin_right``, ``share``). The
    ``reference`` entry, if named, is drawn as a thick grey line. ``bands`` shades 2-24 hours and
    2-7 days, where AppsFlyer describes click flooding's flat CTIT. Labels from ``plots.ctit_shares``.
    """
    if not isinstance(histograms, Mapping) or not histograms:
        raise TypeError(t("errors.plots.histogram_dict"))
    ax = _axes(ax, figsize=(9.0, 4.6))
    if bands:
        for lo, hi in ((2 * 3600, 86400), (2 * 86400, 7 * 86400)):
            ax.axvspan(lo, hi, color="#D55E00", alpha=0.07, linewidth=0)
    names = [n for n in histograms if n != reference]
    colours = _colors(names)
    for name in ([reference] if reference in histograms else []) + names:
        h = histograms[name]
        left = np.maximum(h["bin_left"].to_numpy(dtype=float), 0.5)
        mid = np.sqrt(left * h["bin_right"].to_numpy(dtype=float))
        if name == reference:
            ax.plot(mid, h["share"].to_numpy(), color="#8C8C8C", linewidth=4, alpha=0.7, label=str(name))
        else:
            ax.plot(mid, h["share"].to_numpy(), color=colours[names.index(name)], linewidth=1.8,
                    marker="o", markersize=3, label=str(name))
    ax.set_xscale("log")
    duration_ticks(ax, _CTIT_TICKS)
    ax.set_xlim(1, 31 * 86400)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.legend(title=_optional_label("ctit_shares.legend", "") or None, loc="upper left")
    return finish(ax, "ctit_shares", title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def conversion_by_site(table: pd.DataFrame, *, line: float = 0.0005, min_clicks: int = 1,
                       ax: Any = None, title: str | None = None, xlabel: str | None = None,
                       ylabel: str | None = None) -> Any:
    """Clicks against click-to-install conversion, one dot per site, both axes on a log scale.

    ``table`` has columns ``clicks`` and ``installs`` (and ``media_source`` for the colour, as a
    column or an index level); one row per site. Sites with fewer than ``min_clicks`` clicks are left
    out. A dashed line marks ``line`` (default 0.05 %, Adjust's "almost certainly spam" level) and the
    sites under it are named. A conversion of 0 is drawn at the bottom edge. Labels from
    ``plots.conversion_by_site``.
    """
    if not isinstance(table, pd.DataFrame) or not {"clicks", "installs"} <= set(table.columns):
        raise TypeError(t("errors.plots.clicks_installs_table"))
    data = table.reset_index() if "media_source" not in table.columns else table.copy()
    data = data[data["clicks"] >= max(min_clicks, 1)]
    cr = (data["installs"] / data["clicks"]).to_numpy(dtype=float)
    floor = min(line / 10, float(np.min(cr[cr > 0], initial=line)) / 2)
    y = np.where(cr > 0, cr, floor)
    ax = _axes(ax, figsize=(8.5, 4.8))
    sources = data["media_source"].astype(str).to_numpy() if "media_source" in data.columns else \
        np.array(["site"] * len(data))
    for src in sorted(set(sources)):
        m = sources == src
        ax.scatter(data["clicks"].to_numpy(dtype=float)[m], y[m], s=36, color=channel_color(src),
                   edgecolor="white", linewidth=0.5, label=src, zorder=3)
    ax.axhline(line, color="#444444", linestyle="--", linewidth=1,
               label=label("conversion_by_site.line", share=f"{line:.2%}"))
    if "site_id" in data.columns:
        under = [(x, yy, s) for x, yy, s in zip(data["clicks"].to_numpy(dtype=float), y,
                                                 data["site_id"].astype(str), strict=True) if yy <= line]
        for k, (x, yy, s) in enumerate(sorted(under, key=lambda r: r[1])):
            ax.annotate(s, (x, yy), textcoords="offset points", xytext=(-40, 14 + 12 * k), ha="right",
                        fontsize=8, arrowprops={"arrowstyle": "-", "color": "#888888", "linewidth": 0.6})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.2%}" if v < 0.01 else f"{v:.0%}")
    ax.legend(loc="upper right", fontsize=8, ncols=2)
    return finish(ax, "conversion_by_site", title=title, xlabel=xlabel, ylabel=ylabel)


@_styled
def install_timeline(times: Mapping[str, pd.Series], *, ax: Any = None, title: str | None = None,
                     xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Install times of a few sources (e.g. sites or IP addresses) as rows of ticks on a date axis.

    ``times`` maps a row name to a Series of UTC timestamps. Regular spacing (a device farm's
    automation) shows as an evenly spaced comb; people arrive in irregular clumps. The number of
    installs is written at the end of each row. Labels from ``plots.install_timeline``.
    """
    import matplotlib.dates as mdates

    if not isinstance(times, Mapping) or not times:
        raise TypeError(t("errors.plots.install_times_dict"))
    ax = _axes(ax, figsize=(9.0, 0.55 * len(times) + 1.8))
    names = list(times)
    colours = _colors(names)
    for row, name in enumerate(names):
        s = pd.to_datetime(pd.Series(times[name]), utc=True).dropna().sort_values().dt.tz_localize(None)
        ax.plot(s.to_numpy(), np.full(len(s), row), "|", markersize=14, markeredgewidth=2, color=colours[row])
        if len(s):
            ax.annotate(f"{len(s)}", (mdates.date2num(s.iloc[-1]), row), textcoords="offset points",
                        xytext=(8, -3), fontsize=8, color="#444444")
    ax.set_yticks(range(len(names)), [str(n) for n in names])
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    return finish(ax, "install_timeline", title=title, xlabel=xlabel, ylabel=ylabel)
