"""Interactive widgets for the lessons (ipywidgets), built on small pure functions that are tested.

:func:`lookback_explorer` (lesson 01.2) lets a marketer move the click lookback, view-through and
probabilistic windows and watch credit move between networks and organic. The computation lives in
:func:`credit_by_window`, a pure function you can also call without any widget::

    from helpers.data import load
    from helpers.widgets import credit_by_window, lookback_explorer
    touches, installs = load("attribution/touches"), load("attribution/installs")
    credit_by_window(touches, installs, click_days=1, view_hours=0)   # a Series per media source
    lookback_explorer(touches, installs)                               # sliders + bar chart

Labels come from the message catalogue (``helpers/locale/templates/widgets.pot``). Nothing is computed
or imported from ipywidgets at import time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.messages import t
from helpers.plots import duration_ticks, figure_png

__all__ = ["ORGANIC", "credit_by_window", "source_order", "LookbackExplorer", "lookback_explorer"]

ORGANIC = "organic"

#: The defaults most MMPs use (reference A1): click 7 days, view-through 24 h, probabilistic 24 h.
DEFAULT_CLICK_DAYS = 7
DEFAULT_VIEW_HOURS = 24
DEFAULT_PROBABILISTIC_HOURS = 24


def source_order(touches: pd.DataFrame) -> list[str]:
    """Every media source found in ``touches`` (alphabetical), then ``"organic"``.

    >>> source_order(pd.DataFrame({"media_source": ["meta_ads", "applovin", "meta_ads"]}))
    ['applovin', 'meta_ads', 'organic']
    """
    names = sorted({str(s) for s in touches["media_source"].dropna().unique()} - {ORGANIC})
    return [*names, ORGANIC]


def _window_touches(touches: pd.DataFrame, view_hours: float, probabilistic_hours: float) -> pd.DataFrame:
    """Touches as the MMP would use them with these windows.

    A window of 0 switches the rule off: ``view_hours=0`` drops impressions (no view-through
    attribution), ``probabilistic_hours=0`` removes fingerprints (no probabilistic matching).
    """
    out = touches
    if view_hours <= 0:
        out = out[out["touch_type"] != "impression"]
    if probabilistic_hours <= 0:
        out = out.assign(fingerprint=pd.Series(pd.NA, index=out.index, dtype="string"))
    return out


def _check_windows(click_days: float, view_hours: float, probabilistic_hours: float) -> None:
    for name, value, low in (("click_days", click_days, 0), ("view_hours", view_hours, 0),
                             ("probabilistic_hours", probabilistic_hours, 0)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise TypeError(t("errors.widgets.not_a_number", name=name, kind=type(value).__name__))
        if not value >= low:
            raise ValueError(t("errors.widgets.at_least", name=name, low=low, value=repr(value)))
    if click_days <= 0:
        raise ValueError(t("errors.widgets.click_days_positive", value=repr(click_days)))


def credit_by_window(
    touches: pd.DataFrame,
    installs: pd.DataFrame,
    click_days: float = DEFAULT_CLICK_DAYS,
    view_hours: float = DEFAULT_VIEW_HOURS,
    probabilistic_hours: float = DEFAULT_PROBABILISTIC_HOURS,
    sources: Iterable[str] | None = None,
) -> pd.Series:
    """Installs credited to each media source (and organic) with the given lookback windows.

    Runs :func:`helpers.attribution.attribute_installs` (last touch, MMP waterfall) with a click
    lookback of ``click_days`` days, a view-through window of ``view_hours`` hours and a
    probabilistic window of ``probabilistic_hours`` hours (never longer than the click lookback).
    A window of 0 hours switches view-through or probabilistic matching off.

    Returns an integer Series indexed by media source in the order of :func:`source_order` (or
    ``sources``), ``"organic"`` last, with zeros for sources that got nothing. Its sum is always
    the number of installs: shrinking a window only moves credit, mostly to organic.

    >>> t0 = pd.Timestamp("2025-03-05 09:30", tz="UTC")
    >>> touches = pd.DataFrame({"touch_id": ["c1"], "device_id": ["d1"], "fingerprint": [None],
    ...     "media_source": ["applovin"], "campaign": ["ua"], "site_id": ["s1"],
    ...     "touch_type": ["click"], "touch_time": [t0 - pd.Timedelta("3D")]})
    >>> installs = pd.DataFrame({"install_id": ["i1"], "device_id": ["d1"], "fingerprint": [None],
    ...     "install_time": [t0]})
    >>> credit_by_window(touches, installs, click_days=7).to_dict()
    {'applovin': 1, 'organic': 0}
    >>> credit_by_window(touches, installs, click_days=1).to_dict()
    {'applovin': 0, 'organic': 1}
    """
    from helpers.attribution import attribute_installs

    _check_windows(click_days, view_hours, probabilistic_hours)
    order = list(sources) if sources is not None else source_order(touches)
    if ORGANIC not in order:
        order.append(ORGANIC)
    used = _window_touches(touches, view_hours, probabilistic_hours)
    view = max(float(view_hours), 1.0 / 3600)  # 0 is handled by dropping impressions
    prob = max(float(probabilistic_hours), 1.0 / 3600)
    result = attribute_installs(
        used,
        installs,
        click_lookback=pd.Timedelta(days=float(click_days)),
        view_lookback=pd.Timedelta(hours=view),
        probabilistic_window=pd.Timedelta(hours=prob),
    )
    counts = result["media_source"].astype(str).value_counts()
    unknown = sorted(set(counts.index) - set(order))
    out = counts.reindex(order + unknown, fill_value=0).astype("int64")
    out.index.name = "media_source"
    out.name = "installs"
    return out


@dataclass(frozen=True)
class _Prepared:
    """Touches and installs trimmed to what can change with the windows (computed once).

    An install whose device ID and fingerprint never appear in any touch is organic whatever the
    windows, so it is counted once and left out of the re-attribution.
    """

    touches: pd.DataFrame
    installs: pd.DataFrame
    always_organic: int
    sources: tuple[str, ...]

    @classmethod
    def build(cls, touches: pd.DataFrame, installs: pd.DataFrame) -> _Prepared:
        devices = set(touches["device_id"].dropna())
        prints = set(touches["fingerprint"].dropna())
        reachable = installs["device_id"].isin(devices) | installs["fingerprint"].isin(prints)
        # keep every install of a device that has a reachable install (re-installs inherit credit)
        reachable_devices = set(installs.loc[reachable, "device_id"].dropna())
        keep = reachable | installs["device_id"].isin(reachable_devices)
        t_keep = touches["device_id"].isin(set(installs["device_id"].dropna())) | touches[
            "fingerprint"
        ].isin(set(installs["fingerprint"].dropna()))
        return cls(
            touches=touches[t_keep],
            installs=installs[keep],
            always_organic=int((~keep).sum()),
            sources=tuple(source_order(touches)),
        )

    def credit(self, click_days: float, view_hours: float, probabilistic_hours: float) -> pd.Series:
        out = credit_by_window(self.touches, self.installs, click_days, view_hours, probabilistic_hours,
                               sources=self.sources)
        out[ORGANIC] += self.always_organic
        return out


class LookbackExplorer:
    """Sliders for the lookback windows and a bar chart of installs per media source.

    Attributes you can read (handy in tests and in the notebook): :attr:`credit` (the current
    Series), :attr:`baseline` (the Series with the default 7 d / 24 h / 24 h windows),
    :attr:`figure` (the matplotlib figure drawn last) and the sliders :attr:`click_days`,
    :attr:`view_hours`, :attr:`probabilistic_hours`. Setting a slider's ``value`` re-attributes
    and redraws; results are cached, so going back to a setting is instant.
    """

    def __init__(self, touches: pd.DataFrame, installs: pd.DataFrame, probabilistic: bool = True):
        import ipywidgets as w

        self._data = _Prepared.build(touches, installs)
        self._cache: dict[tuple[float, float, float], pd.Series] = {}
        style = {"description_width": "initial"}
        layout = w.Layout(width="420px")
        self.click_days = w.IntSlider(value=DEFAULT_CLICK_DAYS, min=1, max=30, step=1,
                                      description=t("widgets.lookback.click_days"), style=style,
                                      layout=layout, continuous_update=False)
        self.view_hours = w.IntSlider(value=DEFAULT_VIEW_HOURS, min=0, max=24, step=1,
                                      description=t("widgets.lookback.view_hours"), style=style,
                                      layout=layout, continuous_update=False)
        self.probabilistic_hours = w.IntSlider(value=DEFAULT_PROBABILISTIC_HOURS, min=0, max=24, step=1,
                                               description=t("widgets.lookback.probabilistic_hours"),
                                               style=style, layout=layout, continuous_update=False)
        self.reset_button = w.Button(description=t("widgets.lookback.reset"), icon="undo")
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        sliders = [self.click_days, self.view_hours]
        if probabilistic:
            sliders.append(self.probabilistic_hours)
        self.box = w.VBox([
            w.HTML(f"<b>{t('widgets.lookback.title')}</b><br><small>{t('widgets.lookback.help')}</small>"),
            *sliders,
            self.reset_button,
            self.summary,
            self.image,
        ])
        self.baseline = self._credit(DEFAULT_CLICK_DAYS, DEFAULT_VIEW_HOURS, DEFAULT_PROBABILISTIC_HOURS)
        self.credit = self.baseline
        self.figure: Any = None
        self._quiet = False
        for slider in (self.click_days, self.view_hours, self.probabilistic_hours):
            slider.observe(self._on_change, names="value")
        self.reset_button.on_click(lambda _b: self.reset())
        self.update()

    # ------------------------------------------------------------------ computation
    def _credit(self, click_days: float, view_hours: float, probabilistic_hours: float) -> pd.Series:
        key = (float(click_days), float(view_hours), float(probabilistic_hours))
        if key not in self._cache:
            self._cache[key] = self._data.credit(*key)
        return self._cache[key]

    def _on_change(self, _change: dict) -> None:
        if not self._quiet:
            self.update()

    def reset(self) -> None:
        """Back to the default windows (7 days, 24 hours, 24 hours)."""
        self._quiet = True
        try:
            self.click_days.value = DEFAULT_CLICK_DAYS
            self.view_hours.value = DEFAULT_VIEW_HOURS
            self.probabilistic_hours.value = DEFAULT_PROBABILISTIC_HOURS
        finally:
            self._quiet = False
        self.update()

    def update(self) -> None:
        """Re-attribute with the sliders' values and redraw the chart and the summary line."""
        self.credit = self._credit(self.click_days.value, self.view_hours.value, self.probabilistic_hours.value)
        diff = int(self.credit[ORGANIC] - self.baseline[ORGANIC])
        self.summary.value = t(
            "widgets.lookback.summary",
            organic=f"{int(self.credit[ORGANIC]):,}",
            paid=f"{int(self.credit.drop(ORGANIC).sum()):,}",
            diff=f"{diff:+,}",
        )
        self.figure = credit_figure(self.credit, self.baseline, self.click_days.value,
                                    self.view_hours.value, self.probabilistic_hours.value)
        self.image.value = figure_png(self.figure)

    # ------------------------------------------------------------------ display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return (f"<LookbackExplorer click={self.click_days.value}d view={self.view_hours.value}h "
                f"probabilistic={self.probabilistic_hours.value}h organic={int(self.credit[ORGANIC])}>")


def credit_figure(credit: pd.Series, baseline: pd.Series | None = None, click_days: float = DEFAULT_CLICK_DAYS,
                  view_hours: float = DEFAULT_VIEW_HOURS,
                  probabilistic_hours: float = DEFAULT_PROBABILISTIC_HOURS) -> Any:
    """Installs per media source (top) and, with a ``baseline``, the change against it (bottom).

    The default windows' values are drawn as black ticks on the top chart; the bottom chart shows
    gains in green and losses in red, so credit moving between networks and organic is easy to see.
    Returns a :class:`matplotlib.figure.Figure` that is not registered with pyplot (so it never
    shows twice in a notebook); :class:`LookbackExplorer` turns it into a PNG.
    """
    from matplotlib.figure import Figure

    names = [str(s) for s in credit.index]
    x = np.arange(len(credit))
    values = credit.to_numpy()
    fig = Figure(figsize=(8.5, 5.6 if baseline is not None else 3.8))
    if baseline is not None:
        ax, ax_diff = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    else:
        ax, ax_diff = fig.add_subplot(), None
    colours = ["#9aa5b1" if s == ORGANIC else "#2a5db0" for s in names]
    bars = ax.bar(x, values, color=colours, width=0.7)
    for rect, value in zip(bars, values, strict=True):
        ax.annotate(f"{int(value):,}", (rect.get_x() + rect.get_width() / 2, rect.get_height()),
                    ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    top = float(values.max(initial=0))
    if baseline is not None and ax_diff is not None:
        base = baseline.reindex(credit.index, fill_value=0).to_numpy()
        ax.scatter(x, base, marker="_", s=900, color="black", linewidths=2, zorder=3,
                   label=t("widgets.lookback.baseline"))
        ax.legend(loc="upper left", frameon=False)
        top = max(top, float(base.max(initial=0)))
        diff = values - base
        diff_bars = ax_diff.bar(x, diff, width=0.7,
                                color=["#1e7b3a" if d > 0 else "#a8261b" for d in diff])
        for rect, d in zip(diff_bars, diff, strict=True):
            if d:
                ax_diff.annotate(f"{int(d):+,}", (rect.get_x() + rect.get_width() / 2, d), ha="center",
                                 va="bottom" if d > 0 else "top", fontsize=8,
                                 xytext=(0, 2 if d > 0 else -2), textcoords="offset points")
        ax_diff.axhline(0, color="black", linewidth=0.8)
        span = float(np.abs(diff).max(initial=0))
        ax_diff.set_ylim(-span * 1.35 - 1, span * 1.35 + 1)
        ax_diff.set_ylabel(t("widgets.lookback.diff_ylabel"))
        ax_diff.spines[["top", "right"]].set_visible(False)
        ax_diff.set_xticks(x, names, rotation=30, ha="right")
    else:
        ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel(t("widgets.lookback.ylabel"))
    ax.set_title(t("widgets.lookback.chart_title", click=click_days, view=view_hours, prob=probabilistic_hours),
                 fontsize=11)
    ax.set_ylim(0, top * 1.15 + 1)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def lookback_explorer(touches: pd.DataFrame, installs: pd.DataFrame, probabilistic: bool = True) -> LookbackExplorer:
    """Sliders for click lookback (1–30 days), view-through (0–24 h) and probabilistic (0–24 h).

    Moving a slider re-runs last-touch attribution on the given tables and redraws installs per
    network and organic; black ticks mark the default windows (7 days, 24 h, 24 h) for comparison.
    The object shows itself when it is the last line of a cell; read ``.credit`` for the numbers.
    """
    return LookbackExplorer(touches, installs, probabilistic=probabilistic)


# ==================================================================================================
# CTIT explorer (lesson 02.2): precision and recall of CTIT threshold rules, per site
# ==================================================================================================

#: Course conventions built on AppsFlyer's descriptions (injection: installs in the first 3–10 s;
#: flooding: a flat CTIT over hours and days). Vendors' live thresholds are adaptive and unpublished.
DEFAULT_INJECTION_MAX_CTIT_S = 10
DEFAULT_FLOODING_MIN_CTIT_H = 24
ALL_SITES = "(all sites)"


def _ctit_seconds(ctit: Any) -> np.ndarray:
    """CTIT values (Timedeltas or numbers of seconds) as a float array; NaN where missing."""
    s = ctit if isinstance(ctit, pd.Series) else pd.Series(ctit)
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return s.dt.total_seconds().to_numpy(dtype=float)
    if len(s) == 0:
        return np.array([], dtype=float)
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise TypeError(t("errors.widgets.ctit_type", dtype=s.dtype))
    return s.to_numpy(dtype=float, na_value=np.nan)


def ctit_threshold_quality(ctit: Any, is_fraud: Any, threshold_s: float, side: str = "below") -> dict[str, float]:
    """How good is the rule "flag an install when its CTIT is under ``threshold_s`` seconds"?

    ``ctit``: click-to-install times (Timedeltas or seconds; missing = no click, never flagged).
    ``is_fraud``: True for the installs the rule should catch (same length, e.g. the simulation's
    label ``fraud_type == "click_injection"``). ``side="below"`` flags CTIT < threshold (click
    injection); ``side="above"`` flags CTIT >= threshold (the long tail of click flooding).

    Returns a dict: ``threshold_s``, ``flagged`` (installs the rule flags), ``fraud`` (installs it
    should catch), ``caught`` (both), ``false_alarms`` (flagged but genuine), ``precision`` (caught /
    flagged; NaN when nothing is flagged) and ``recall`` (caught / fraud; NaN when there is no fraud).
    Raising a "below" threshold can only raise recall; precision usually falls.

    >>> q = ctit_threshold_quality(pd.to_timedelta([3, 6, 45, 600], unit="s"), [True, True, False, False], 10)
    >>> q["precision"], q["recall"]
    (1.0, 1.0)
    >>> ctit_threshold_quality([3, 6, 45, 600], [True, False, True, False], 50)["precision"]
    0.6666666666666666
    """
    seconds = _ctit_seconds(ctit)
    truth = np.asarray(pd.Series(is_fraud).fillna(False), dtype=bool)
    if len(truth) != len(seconds):
        raise ValueError(t("errors.widgets.ctit_length", ctit=len(seconds), truth=len(truth)))
    if isinstance(threshold_s, bool) or not isinstance(threshold_s, int | float | np.integer | np.floating):
        raise TypeError(t("errors.widgets.threshold_type", kind=type(threshold_s).__name__))
    if not threshold_s >= 0:
        raise ValueError(t("errors.widgets.threshold_negative", value=repr(threshold_s)))
    if side not in ("below", "above"):
        raise ValueError(t("errors.widgets.side", value=repr(side)))
    known = ~np.isnan(seconds)
    with np.errstate(invalid="ignore"):
        flagged = known & ((seconds < threshold_s) if side == "below" else (seconds >= threshold_s))
    n_flagged, n_fraud = int(flagged.sum()), int(truth.sum())
    caught = int((flagged & truth).sum())
    return {
        "threshold_s": float(threshold_s),
        "flagged": n_flagged,
        "fraud": n_fraud,
        "caught": caught,
        "false_alarms": n_flagged - caught,
        "precision": caught / n_flagged if n_flagged else float("nan"),
        "recall": caught / n_fraud if n_fraud else float("nan"),
    }


def _truth_labels(installs: pd.DataFrame, truth: Any) -> np.ndarray:
    """The true fraud type per install row ('none' for genuine), from a Series or an install_id table."""
    if isinstance(truth, pd.DataFrame):
        for col in ("install_id", "fraud_type"):
            if col not in truth.columns:
                raise ValueError(t("errors.widgets.truth_columns", column=repr(col)))
        labels = truth.set_index("install_id")["fraud_type"].reindex(installs["install_id"])
    else:
        labels = pd.Series(truth)
        if len(labels) != len(installs):
            raise ValueError(t("errors.widgets.truth_length", truth=len(labels), rows=len(installs)))
    values = labels.to_numpy(dtype=object, na_value=None)
    return np.where(pd.isna(values), "none", values).astype(object)


def _site_names(installs: pd.DataFrame) -> np.ndarray:
    source = installs["media_source"].astype("string").fillna("?")
    site = installs["site_id"].astype("string").fillna("?")
    return (source + " / " + site).to_numpy(dtype=object)


class CtitExplorer:
    """A site selector, a min-CTIT (injection) and a max-CTIT (flooding) slider, a log-scale CTIT
    histogram with the two threshold lines, and live precision / recall of both rules.

    Readable state (handy in tests and in the notebook): :attr:`site` (the selected site or
    :data:`ALL_SITES`), :attr:`injection` and :attr:`flooding` (the dicts of
    :func:`ctit_threshold_quality` for the current thresholds and site), :attr:`figure`, and the
    controls :attr:`site_picker`, :attr:`min_ctit` (seconds) and :attr:`max_ctit` (hours).
    """

    def __init__(self, installs: pd.DataFrame, truth: Any, min_site_installs: int = 10):
        import ipywidgets as w

        from helpers.fraud import ctit as ctit_of

        credited = installs["click_time"].notna().to_numpy()
        labels = _truth_labels(installs, truth)[credited]
        rows = installs[credited]
        self._seconds = ctit_of(rows).dt.total_seconds().to_numpy(dtype=float)
        self._labels = labels
        self._sites = _site_names(rows)
        counts = pd.Series(self._sites).value_counts()
        counts = counts[counts >= min_site_installs]
        options = [(t("fraud_widgets.ctit.all_sites", n=f"{len(rows):,}"), ALL_SITES)]
        options += [(t("fraud_widgets.ctit.site_option", site=s, n=f"{n:,}"), s) for s, n in counts.items()]
        style = {"description_width": "initial"}
        layout = w.Layout(width="460px")
        self.site_picker = w.Dropdown(options=options, value=ALL_SITES, description=t("fraud_widgets.ctit.site"),
                                      style=style, layout=layout)
        self.min_ctit = w.IntSlider(value=DEFAULT_INJECTION_MAX_CTIT_S, min=1, max=120, step=1,
                                    description=t("fraud_widgets.ctit.min_ctit"), style=style, layout=layout,
                                    continuous_update=False)
        self.max_ctit = w.IntSlider(value=DEFAULT_FLOODING_MIN_CTIT_H, min=1, max=168, step=1,
                                    description=t("fraud_widgets.ctit.max_ctit"), style=style, layout=layout,
                                    continuous_update=False)
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        self.box = w.VBox([
            w.HTML(f"<b>{t('fraud_widgets.ctit.title')}</b><br><small>{t('fraud_widgets.ctit.help')}</small>"),
            self.site_picker, self.min_ctit, self.max_ctit, self.summary, self.image,
        ])
        self.site = ALL_SITES
        self.injection: dict[str, float] = {}
        self.flooding: dict[str, float] = {}
        self.figure: Any = None
        for control in (self.site_picker, self.min_ctit, self.max_ctit):
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def _scope(self) -> np.ndarray:
        return np.ones(len(self._sites), dtype=bool) if self.site == ALL_SITES else self._sites == self.site

    def update(self) -> None:
        """Recompute precision and recall for the current site and thresholds; redraw."""
        self.site = self.site_picker.value
        scope = self._scope()
        seconds, labels = self._seconds[scope], self._labels[scope]
        self.injection = ctit_threshold_quality(seconds, labels == "click_injection", float(self.min_ctit.value))
        self.flooding = ctit_threshold_quality(seconds, labels == "click_flooding",
                                               float(self.max_ctit.value) * 3600, side="above")
        self.summary.value = t(
            "fraud_widgets.ctit.summary",
            min_s=self.min_ctit.value, max_h=self.max_ctit.value,
            **{f"inj_{k}": _fmt_quality(k, v) for k, v in self.injection.items()},
            **{f"flood_{k}": _fmt_quality(k, v) for k, v in self.flooding.items()},
        )
        self.figure = ctit_explorer_figure(seconds, labels, self.min_ctit.value, self.max_ctit.value * 3600,
                                           site=self.site)
        self.image.value = figure_png(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return (f"<CtitExplorer site={self.site!r} min_ctit={self.min_ctit.value}s max_ctit={self.max_ctit.value}h "
                f"injection precision={self.injection['precision']:.2f} recall={self.injection['recall']:.2f}>")


def _fmt_quality(key: str, value: float) -> str:
    """A rule-quality number as the summary shows it: shares as percentages, counts with commas."""
    if key in ("precision", "recall"):
        return "–" if value != value else f"{value:.0%}"
    return f"{value:,.0f}"


#: Truth labels drawn by the CTIT explorer, in stacking order, with their colours.
_CTIT_GROUPS = (("none", "#9aa5b1"), ("click_injection", "#D55E00"), ("click_flooding", "#E69F00"),
                ("other", "#7F3C8D"))
_CTIT_TICKS_S = (1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400)


def ctit_explorer_figure(seconds: Any, labels: Any, min_ctit_s: float = DEFAULT_INJECTION_MAX_CTIT_S,
                         max_ctit_s: float = DEFAULT_FLOODING_MIN_CTIT_H * 3600, site: str = ALL_SITES) -> Any:
    """A log-scale CTIT histogram, stacked by true fraud type, with the two rule thresholds as lines.

    ``seconds``: CTIT in seconds (NaN ignored, values under 1 s drawn at 1 s); ``labels``: the true
    fraud type per install ('none' for genuine). Returns a matplotlib Figure not registered with
    pyplot (:class:`CtitExplorer` turns it into a PNG).
    """
    from matplotlib.figure import Figure

    sec = np.asarray(seconds, dtype=float)
    lab = np.asarray(labels, dtype=object)
    keep = ~np.isnan(sec)
    sec, lab = np.clip(sec[keep], 1.0, 8 * 86400), lab[keep]
    lab = np.where(np.isin(lab, ["none", "click_injection", "click_flooding"]), lab, "other")
    edges = np.logspace(0, np.log10(8 * 86400), 49)
    fig = Figure(figsize=(8.5, 4.0))
    ax = fig.add_subplot()
    data = [sec[lab == g] for g, _ in _CTIT_GROUPS]
    ax.hist(data, bins=edges, stacked=True, color=[c for _, c in _CTIT_GROUPS],
            label=[t(f"fraud_widgets.ctit.groups.{g}") for g, _ in _CTIT_GROUPS])
    ax.axvline(min_ctit_s, color="#a8261b", linewidth=2, linestyle="--",
               label=t("fraud_widgets.ctit.min_line", s=int(min_ctit_s)))
    ax.axvline(max_ctit_s, color="#2a5db0", linewidth=2, linestyle="--",
               label=t("fraud_widgets.ctit.max_line", h=int(round(max_ctit_s / 3600))))
    ax.set_xscale("log")
    duration_ticks(ax, _CTIT_TICKS_S)
    ax.set_xlim(1, 8 * 86400)
    ax.set_xlabel(t("fraud_widgets.ctit.xlabel"))
    ax.set_ylabel(t("fraud_widgets.ctit.ylabel"))
    shown = t("fraud_widgets.ctit.all_sites_short") if site == ALL_SITES else site
    ax.set_title(t("fraud_widgets.ctit.chart_title", site=shown), fontsize=11)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def ctit_explorer(installs: pd.DataFrame, truth: Any, min_site_installs: int = 10) -> CtitExplorer:
    """The CTIT explorer of lesson 02.2: pick a site, move the thresholds, watch precision and recall.

    ``installs``: attributed installs as :func:`helpers.fraud.detect` takes them (``click_time``,
    ``install_time``, ``media_source``, ``site_id``, ``install_id``); ``truth``: the simulation's
    labels (a table ``install_id, fraud_type``, e.g. ``inputs_from_world(world).truth``), used only
    to score the rules. Sites with at least ``min_site_installs`` click-credited installs are listed.
    """
    return CtitExplorer(installs, truth, min_site_installs=min_site_installs)


__all__ += ["ctit_threshold_quality", "CtitExplorer", "ctit_explorer", "ctit_explorer_figure"]
