"""Charts and the schema designer of course 04 (SKAdNetwork).

Every label comes from ``helpers/locale/templates/skan_widgets.pot``. Charts return a matplotlib ``Axes``
(or a ``Figure`` for the designer, which turns it into a PNG). The numbers come from
:mod:`helpers.skan_analysis`; nothing here computes a measurement of its own.

* :func:`timing_chart` — when postbacks arrive (lesson 04.2);
* :func:`tier_chart` — what each crowd-anonymity tier shows, and how much signal it keeps (04.3, 04.4);
* :func:`signal_chart` — several schemas side by side, per tier (04.4);
* :func:`roas_chart` — estimated against true ROAS per campaign, by size (04.6);
* :func:`parse_edges` and :func:`design` — the designer's pure part; :class:`SchemaDesigner` and
  :func:`schema_designer` — the widget: type bucket edges, see the revenue signal kept per tier and
  the ROAS error by campaign size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers import plots
from helpers.messages import t
from helpers.plots import figure_png

__all__ = ["DEFAULT_EDGES", "DEFAULT_COARSE", "SchemaDesigner", "design", "design_figure", "parse_edges",
           "roas_chart", "schema_designer", "signal_chart", "tier_chart", "timing_chart"]

DEFAULT_EDGES = (0.01, 2, 5, 10, 20, 50, 100)
"""The designer's starting buckets (USD, cumulative revenue)."""
DEFAULT_COARSE = (0.01, 10.0)
"""The designer's starting coarse cuts: medium from the first cent, high from 10 USD."""
_WINDOW_COLOURS = ("#0072B2", "#E69F00", "#009E73")
_TIER_COLOURS = ("#BDBDBD", "#E69F00", "#0072B2", "#009E73")


def _msg(key: str, **params: object) -> str:
    return t(f"skan_widgets.{key}", **params)


# ---------------------------------------------------------------------------------------------
# charts


@plots._styled
def timing_chart(timing: pd.DataFrame, *, ax: Any = None) -> Any:
    """Histogram of days from install to postback, one colour per window, the windows shaded.
    ``timing``: :func:`helpers.skan_analysis.postback_timing`."""
    for col in ("postback_sequence_index", "days_after_install"):
        if col not in timing.columns:
            raise ValueError(t("errors.skan_widgets.timing_column", column=repr(col)))
    from helpers.skan import WINDOWS

    ax = plots._axes(ax, figsize=(9, 3.8))
    for (start, end), colour in zip(WINDOWS, _WINDOW_COLOURS, strict=True):
        ax.axvspan(start, end, color=colour, alpha=0.08)
    bins = np.arange(0, 42.25, 0.25)
    for w, colour in enumerate(_WINDOW_COLOURS):
        days = timing.loc[timing["postback_sequence_index"] == w, "days_after_install"]
        ax.hist(days, bins=bins, color=colour, label=_msg("timing.window", n=w + 1, days=_msg(f"timing.days_{w}")))
    ax.legend(loc="upper right")
    return plots.finish(ax, "skan", title=_msg("timing.title"), xlabel=_msg("timing.xlabel"),
                        ylabel=_msg("timing.ylabel"))


@plots._styled
def tier_chart(tiers: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Any:
    """Bars of signal kept per tier, labelled with what the postback shows and the share of postbacks
    at that tier. ``tiers``: :func:`helpers.skan_analysis.signal_by_tier`."""
    for col in ("signal_kept", "share", "shows"):
        if col not in tiers.columns:
            raise ValueError(t("errors.skan_widgets.tiers_column", column=repr(col)))
    ax = plots._axes(ax, figsize=(7.5, 3.8))
    x = np.arange(len(tiers))
    bars = ax.bar(x, tiers["signal_kept"].to_numpy() * 100, color=_TIER_COLOURS[: len(tiers)])
    ax.bar_label(bars, labels=[_msg("tiers.bar", kept=f"{k:.0%}", share=f"{s:.0%}")
                               for k, s in zip(tiers["signal_kept"], tiers["share"], strict=True)], fontsize=7)
    ax.set_xticks(x, [_msg("tiers.tick", tier=i, shows=_msg(f"shows.{s.replace(' ', '_')}"))
                      for i, s in zip(tiers.index, tiers["shows"], strict=True)])
    ax.set_ylim(0, 115)
    return plots.finish(ax, "skan", title=title or _msg("tiers.title"), xlabel=_msg("tiers.xlabel"),
                        ylabel=_msg("tiers.ylabel"))


def signal_chart(signals: Mapping[str, pd.DataFrame], *, tiers: Sequence[int] = (1, 2), ax: Any = None) -> Any:
    """Grouped bars: the signal each schema keeps (in %) at each of ``tiers``.
    ``signals``: ``{schema name: signal_by_tier(view)}``."""
    if not signals:
        raise ValueError(t("errors.skan_widgets.no_signals"))
    table = pd.DataFrame({_msg("signal.tier", tier=tr): {name: float(s.loc[tr, "signal_kept"]) * 100
                                                          for name, s in signals.items()} for tr in tiers})
    return plots.grouped_bars(table, "skan_signal", sort=False, fmt="{:.0f}%", ax=ax, title=_msg("signal.title"),
                              xlabel=_msg("signal.xlabel"), ylabel=_msg("signal.ylabel"))


@plots._styled
def roas_chart(report: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Any:
    """Relative ROAS error per campaign against its installs (log scale), coloured by the share of
    its first postbacks at tier 2 or above. ``report``: :func:`helpers.skan_analysis.campaign_report`."""
    for col in ("installs", "roas_error", "tier_2_share"):
        if col not in report.columns:
            raise ValueError(t("errors.skan_widgets.report_column", column=repr(col)))
    ax = plots._axes(ax, figsize=(8, 4.2))
    data = report.dropna(subset=["roas_error"])
    dots = ax.scatter(data["installs"], data["roas_error"] * 100, c=data["tier_2_share"] * 100, cmap="viridis",
                      vmin=0, vmax=100, s=40, edgecolor="white", linewidth=0.5)
    ax.axhline(0, color="#555555", linewidth=1)
    ax.set_xscale("log")
    ax.figure.colorbar(dots, ax=ax, label=_msg("roas.colour"))
    return plots.finish(ax, "skan", title=title or _msg("roas.title"), xlabel=_msg("roas.xlabel"),
                        ylabel=_msg("roas.ylabel"))


# ---------------------------------------------------------------------------------------------
# the schema designer


def parse_edges(text: str | Sequence[float]) -> list[float]:
    """Bucket edges from text like ``"0.01, 5, 20"`` (or a list). Sorted, duplicates removed.
    Raises ``ValueError`` saying which item is not a number of at least 0."""
    items = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    out = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        try:
            value = float(item)
        except (TypeError, ValueError):
            raise ValueError(_msg("designer.bad_edge", item=str(item).strip())) from None
        if not np.isfinite(value) or value < 0:
            raise ValueError(_msg("designer.bad_edge", item=str(item).strip()))
        out.append(value)
    if not out:
        raise ValueError(_msg("designer.no_edges"))
    return sorted(set(out))


def design(edges, coarse: Sequence[float] = DEFAULT_COARSE, vertical: str = "gaming", *,
           window: int = 0, null_value="mean") -> dict:
    """What the designer shows for a revenue-bucket schema: ``schema``, ``tiers``
    (:func:`~helpers.skan_analysis.signal_by_tier`), ``campaigns``
    (:func:`~helpers.skan_analysis.campaign_report`) and ``by_size``
    (:func:`~helpers.skan_analysis.roas_error_by_size`) on the vertical's course world."""
    from helpers import skan_analysis as sa

    schema = sa.revenue_schema(parse_edges(edges), coarse=tuple(float(c) for c in coarse))
    view = sa.skan_lab(vertical, schema)
    summary = sa.schema_summary(view, vertical, window=window, null_value=null_value)
    return {"schema": schema, **summary}


def design_figure(result: Mapping[str, Any]) -> Any:
    """The designer's chart: signal kept per tier (left) and ROAS error by campaign size (right)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.0))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})
    tier_chart(result["tiers"], ax=left, title=_msg("designer.tiers_title"))
    roas_chart(result["campaigns"], ax=right, title=_msg("designer.roas_title"))
    fig.tight_layout()
    return fig


class SchemaDesigner:
    """Type revenue bucket edges and two coarse cuts, pick a vertical, press *Measure*: the designer
    builds the schema, simulates the world's postbacks with it and shows the revenue signal kept per
    tier and the ROAS error per campaign by size.

    Readable state: :attr:`result` (the dict of :func:`design`, or ``None`` after an error),
    :attr:`error` (the message shown, or ``""``), :attr:`figure`, and the controls :attr:`edges`,
    :attr:`coarse_medium`, :attr:`coarse_high`, :attr:`vertical` and :attr:`button`.
    """

    def __init__(self, edges: Sequence[float] = DEFAULT_EDGES, coarse: Sequence[float] = DEFAULT_COARSE,
                 vertical: str = "gaming"):
        import ipywidgets as w

        from helpers.data import WORLD_VERTICALS

        style = {"description_width": "initial"}
        self.edges = w.Text(value=", ".join(f"{e:g}" for e in edges), description=_msg("designer.edges"),
                            style=style, layout=w.Layout(width="520px"))
        self.coarse_medium = w.FloatText(value=float(coarse[0]), description=_msg("designer.medium"), style=style)
        self.coarse_high = w.FloatText(value=float(coarse[1]), description=_msg("designer.high"), style=style)
        self.vertical = w.Dropdown(options=list(WORLD_VERTICALS), value=vertical,
                                   description=_msg("designer.vertical"), style=style)
        self.button = w.Button(description=_msg("designer.measure"), button_style="primary")
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        self.box = w.VBox([
            w.HTML(f"<b>{_msg('designer.title')}</b><br><small>{_msg('designer.help')}</small>"),
            self.edges, w.HBox([self.coarse_medium, self.coarse_high]), self.vertical, self.button,
            self.summary, self.image,
        ])
        self.result: dict | None = None
        self.error = ""
        self.figure: Any = None
        self.button.on_click(lambda _b: self.update())
        self.update()

    def update(self) -> None:
        """Rebuild the schema from the controls, measure it and redraw (or show what is wrong)."""
        try:
            self.result = design(self.edges.value, (self.coarse_medium.value, self.coarse_high.value),
                                 self.vertical.value)
        except ValueError as exc:
            self.result, self.error = None, str(exc)
            self.summary.value = f"<span style='color:#a8261b'>{_msg('designer.error', error=exc)}</span>"
            return
        self.error = ""
        r = self.result
        tiers, by_size = r["tiers"], r["by_size"]
        rows = "".join(
            _msg("designer.size_row", size=str(size), campaigns=int(row["campaigns"]),
                 error="–" if pd.isna(row["median_abs_error"]) else f"{row['median_abs_error']:.0%}")
            for size, row in by_size.iterrows())
        self.summary.value = _msg(
            "designer.summary", values=r["schema"].n_values, tier1=f"{tiers.loc[1, 'signal_kept']:.0%}",
            tier2=f"{tiers.loc[2, 'signal_kept']:.0%}", rows=rows)
        self.figure = design_figure(r)
        self.image.value = figure_png(self.figure, dpi=80)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        if self.result is None:
            return f"<SchemaDesigner error={self.error!r}>"
        tiers = self.result["tiers"]
        return (f"<SchemaDesigner {self.vertical.value} {self.result['schema'].n_values} values "
                f"tier1={tiers.loc[1, 'signal_kept']:.2f} tier2={tiers.loc[2, 'signal_kept']:.2f}>")


def schema_designer(edges: Sequence[float] = DEFAULT_EDGES, coarse: Sequence[float] = DEFAULT_COARSE,
                    vertical: str = "gaming") -> SchemaDesigner:
    """The schema designer of lesson 04.4 (see :class:`SchemaDesigner`)."""
    return SchemaDesigner(edges, coarse, vertical)
