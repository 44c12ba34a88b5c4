"""Interactive widgets for the lessons (ipywidgets), built on small pure functions that are tested.

:func:`lookback_explorer` (lesson 01.2) lets a marketer move the click lookback, view-through and
probabilistic windows and watch credit move between networks and organic. The computation lives in
:func:`credit_by_window`, a pure function you can also call without any widget::

    from helpers.data import load
    from helpers.widgets import credit_by_window, lookback_explorer
    touches, installs = load("attribution/touches"), load("attribution/installs")
    credit_by_window(touches, installs, click_days=1, view_hours=0)   # a Series per media source
    lookback_explorer(touches, installs)                               # sliders + bar chart

Labels come from the message catalogue (``helpers/messages/en/widgets.toml``). Nothing is computed
or imported from ipywidgets at import time.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.messages import t

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
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not value >= low:
            raise ValueError(f"{name} must be at least {low}, got {value!r}")
    if click_days <= 0:
        raise ValueError(f"click_days must be more than 0, got {click_days!r}")


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
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        self.image.value = buffer.getvalue()

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
