"""Widgets of course 03 (deep links), built on small pure functions that are tested.

* :func:`link_tester` (lesson 03.2): type a link and see whether an AASA file opens the app, which
  rule decided and why (:func:`helpers.deeplinks.explain_universal_link`); the rules of the file are
  listed with the deciding one marked (:func:`rule_table`).
* :func:`route_explorer` (lesson 03.4): pick a platform, whether the app is installed, a page and a
  campaign, and see where one link sends the person (:func:`helpers.deeplinks.route_link`).
* :func:`funnel_explorer` (lesson 03.5): split the deep-link clicks by landing page, link kind,
  platform or source, filter them, and read conversions per click with 95% intervals
  (:func:`funnel_view`, on :func:`helpers.deeplinks.journeys.funnel`).

::

    from helpers.data import load
    from helpers.deeplinks.widgets import funnel_explorer, funnel_view
    clicks = load("world-ecommerce/deeplink_clicks")
    funnel_view(clicks, "landing_page", saw_benefits=True)   # the table behind the chart
    funnel_explorer(clicks)                                  # dropdowns + chart

Labels come from ``helpers/locale/templates/deeplinks_widgets.pot``. Nothing is computed or imported
from ipywidgets at import time.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd

from helpers._validate import InputError, require_columns
from helpers.deeplinks.journeys import funnel, page_group
from helpers.messages import t
from helpers.plots import figure_png

__all__ = ["SPLITS", "funnel_view", "FunnelExplorer", "funnel_explorer", "rule_table", "LinkTester",
           "link_tester", "RouteExplorer", "route_explorer"]

#: How the funnel explorer can split the clicks: label key → column (``landing_page`` groups
#: numbered item pages with :func:`~helpers.deeplinks.journeys.page_group`).
SPLITS: dict[str, str] = {"landing_page": "landing_path", "link_kind": "link_kind", "platform": "platform",
                          "media_source": "media_source", "saw_benefits": "saw_benefits"}
_FILTERS = ("saw_benefits", "platform", "link_kind")


# ------------------------------------------------------------------------------------------ funnel explorer
def funnel_view(clicks: pd.DataFrame, split: str = "landing_page", *, saw_benefits: bool | None = None,
                platform: str | None = None, link_kind: str | None = None, min_clicks: int = 0) -> pd.DataFrame:
    """The table behind the funnel explorer: :func:`~helpers.deeplinks.journeys.funnel` of the clicks
    that pass the filters (``None`` = any), split by one of :data:`SPLITS`, sorted by conversions per
    click (highest first), without groups of fewer than ``min_clicks`` clicks.

    >>> clicks = pd.DataFrame({"landing_path": ["/product/1", "/product/2", "/signup"],
    ...     "saw_benefits": [False, False, True], "platform": ["ios"] * 3, "link_kind": ["direct"] * 3,
    ...     "media_source": ["owned_push"] * 3, "opened": [True, True, True], "converted": [True, False, True]})
    >>> funnel_view(clicks)[["clicks", "converted"]].to_dict("index")
    {'/signup': {'clicks': 1, 'converted': 1}, '/product/*': {'clicks': 2, 'converted': 1}}
    """
    if split not in SPLITS:
        raise InputError(t("errors.deeplinks.widgets.split", allowed=", ".join(SPLITS), value=repr(split)))
    if isinstance(min_clicks, bool) or not isinstance(min_clicks, int) or min_clicks < 0:
        raise InputError(t("errors.deeplinks.widgets.min_clicks", value=repr(min_clicks)))
    require_columns(clicks, "clicks", ["landing_path", *_FILTERS, "media_source", "opened", "converted"])
    rows = clicks
    for col, value in (("saw_benefits", saw_benefits), ("platform", platform), ("link_kind", link_kind)):
        if value is not None:
            rows = rows[rows[col] == value]
    column = SPLITS[split]
    rows = rows.assign(**{split: rows[column].map(page_group) if split == "landing_page" else rows[column]})
    if rows.empty:
        return funnel(rows, by=split)
    table = funnel(rows, by=split)
    table = table[table["clicks"] >= min_clicks]
    return table.sort_values(["conversion_rate", "clicks"], ascending=False)


class FunnelExplorer:
    """Dropdowns to split and filter the deep-link clicks, and a bar chart of conversions per click.

    Readable state: :attr:`table` (the current :func:`funnel_view`), :attr:`figure`, and the
    controls :attr:`split`, :attr:`saw_benefits`, :attr:`platform`, :attr:`link_kind`,
    :attr:`min_clicks`. Setting a control's ``value`` recomputes and redraws.
    """

    def __init__(self, clicks: pd.DataFrame, split: str = "landing_page", min_clicks: int = 20):
        import ipywidgets as w

        require_columns(clicks, "clicks", ["landing_path", *_FILTERS, "media_source", "opened", "converted"])
        self._clicks = clicks
        style = {"description_width": "initial"}
        layout = w.Layout(width="420px")
        any_ = t("deeplinks_widgets.funnel.any")
        self.split = w.Dropdown(options=[(t(f"deeplinks_widgets.funnel.splits.{k}"), k) for k in SPLITS],
                                value=split, description=t("deeplinks_widgets.funnel.split"), style=style,
                                layout=layout)
        self.saw_benefits = w.ToggleButtons(options=[(any_, None), (t("deeplinks_widgets.funnel.yes"), True),
                                                     (t("deeplinks_widgets.funnel.no"), False)], value=None,
                                            description=t("deeplinks_widgets.funnel.saw_benefits"), style=style)
        self.platform = w.ToggleButtons(options=[(any_, None), ("android", "android"), ("ios", "ios")], value=None,
                                        description=t("deeplinks_widgets.funnel.platform"), style=style)
        self.link_kind = w.ToggleButtons(options=[(any_, None), ("direct", "direct"), ("deferred", "deferred")],
                                         value=None, description=t("deeplinks_widgets.funnel.link_kind"), style=style)
        self.min_clicks = w.IntSlider(value=min_clicks, min=0, max=200, step=5, continuous_update=False,
                                      description=t("deeplinks_widgets.funnel.min_clicks"), style=style,
                                      layout=layout)
        self.summary = w.HTML()
        self.image = w.Image(format="png")
        self.box = w.VBox([
            w.HTML(f"<b>{t('deeplinks_widgets.funnel.title')}</b><br><small>{t('deeplinks_widgets.funnel.help')}</small>"),
            self.split, self.saw_benefits, self.platform, self.link_kind, self.min_clicks, self.summary, self.image,
        ])
        self.table: pd.DataFrame = pd.DataFrame()
        self.figure: Any = None
        for control in (self.split, self.saw_benefits, self.platform, self.link_kind, self.min_clicks):
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> None:
        """Recompute the table for the current controls and redraw the chart."""
        import matplotlib.pyplot as plt

        from helpers.deeplinks.plots import rate_bars

        self.table = funnel_view(self._clicks, self.split.value, saw_benefits=self.saw_benefits.value,
                                 platform=self.platform.value, link_kind=self.link_kind.value,
                                 min_clicks=int(self.min_clicks.value))
        if self.table.empty:
            self.summary.value = t("deeplinks_widgets.funnel.empty")
            self.image.value = b""
            self.figure = None
            return
        self.summary.value = t("deeplinks_widgets.funnel.summary", clicks=f"{int(self.table['clicks'].sum()):,}",
                               opened=f"{self.table['opened'].sum() / self.table['clicks'].sum():.0%}",
                               converted=f"{self.table['converted'].sum() / self.table['clicks'].sum():.0%}")
        ax = rate_bars(self.table, xlabel=t(f"deeplinks_widgets.funnel.splits.{self.split.value}"))
        self.figure = ax.figure
        self.image.value = figure_png(self.figure)
        plt.close(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return f"<FunnelExplorer split={self.split.value!r} groups={len(self.table)}>"


def funnel_explorer(clicks: pd.DataFrame, split: str = "landing_page", min_clicks: int = 20) -> FunnelExplorer:
    """The funnel explorer of lesson 03.5 on a deep-link click table (e.g.
    ``load("world-ecommerce/deeplink_clicks")``)."""
    return FunnelExplorer(clicks, split=split, min_clicks=min_clicks)


# ------------------------------------------------------------------------------------------ link tester
def _parsed(aasa: Any) -> dict:
    from helpers.deeplinks import DeepLinkConfigError

    aasa = getattr(aasa, "document", aasa)  # a parsed AssociationFile (load_aasa) keeps its JSON
    if isinstance(aasa, str | bytes):
        try:
            aasa = json.loads(aasa)
        except json.JSONDecodeError as exc:
            raise DeepLinkConfigError(t("errors.deeplinks.config.not_json", what=t("errors.deeplinks.what.aasa"),
                                        detail=exc)) from None
    if not isinstance(aasa, dict) or not isinstance(aasa.get("applinks"), dict):
        raise DeepLinkConfigError(t("errors.deeplinks.widgets.no_applinks"))
    return aasa


def rule_table(aasa: Any, decision: Any = None) -> pd.DataFrame:
    """The rules of an AASA file in the order iOS reads them, one row each.

    Columns ``detail`` (index of the ``details`` entry), ``app_ids``, ``format`` (``components`` or
    ``paths``; an entry with both is read as ``components`` only), ``rule`` (index within the entry),
    ``pattern`` (the rule as written) and ``decides`` (True on the rule named by ``decision``, a
    :class:`helpers.deeplinks.UniversalLinkDecision`).

    >>> aasa = {"applinks": {"details": [{"appIDs": ["T.app"], "components": [{"/": "/help/*", "exclude": True},
    ...                                                                       {"/": "/*"}]}]}}
    >>> rule_table(aasa)[["detail", "rule", "pattern"]].values.tolist()
    [[0, 0, '{"/": "/help/*", "exclude": true}'], [0, 1, '{"/": "/*"}']]
    """
    data = _parsed(aasa)
    details = data["applinks"].get("details", [])
    if not isinstance(details, list):
        raise InputError(t("errors.deeplinks.widgets.details"))
    rows = []
    for i, entry in enumerate(details):
        if not isinstance(entry, dict):
            continue
        ids = entry.get("appIDs", [entry.get("appID")] if entry.get("appID") else [])
        fmt = "components" if "components" in entry else "paths"
        for j, rule in enumerate(entry.get(fmt, []) or []):
            pattern = rule if isinstance(rule, str) else json.dumps(rule, ensure_ascii=False)
            decides = (decision is not None and getattr(decision, "detail_index", None) == i
                       and getattr(decision, "rule_index", None) == j)
            rows.append((i, ", ".join(map(str, ids)), fmt, j, pattern, bool(decides)))
    return pd.DataFrame(rows, columns=["detail", "app_ids", "format", "rule", "pattern", "decides"])


class LinkTester:
    """A text box for a link; shows whether the AASA file opens the app, which rule decided and why,
    and the file's rules with the deciding one marked.

    Readable state: :attr:`decision` (the last :class:`helpers.deeplinks.UniversalLinkDecision`, or
    ``None`` after an error), :attr:`error`, :attr:`rules` (:func:`rule_table`) and the control
    :attr:`url`; :meth:`test` sets the link and returns the decision.
    """

    def __init__(self, aasa: Any, domain: str | None = None, url: str = ""):
        import ipywidgets as w

        self._aasa = aasa
        self._domain = domain
        self.url = w.Text(value=url, description=t("deeplinks_widgets.tester.url"), continuous_update=False,
                          layout=w.Layout(width="640px"))
        self.result = w.HTML()
        self.table = w.HTML()
        self.box = w.VBox([
            w.HTML(f"<b>{t('deeplinks_widgets.tester.title')}</b><br><small>{t('deeplinks_widgets.tester.help')}</small>"),
            self.url, self.result, self.table,
        ])
        self.decision: Any = None
        self.error: str | None = None
        self.rules = pd.DataFrame()
        self.url.observe(lambda _change: self.update(), names="value")
        self.update()

    def test(self, url: str) -> Any:
        """Test one link (as if typed in the box); returns the decision."""
        self.url.value = url
        if self.url.value == url:  # unchanged value: observe does not fire
            self.update()
        return self.decision

    def update(self) -> None:
        from helpers.deeplinks import explain_universal_link

        url = self.url.value.strip()
        self.error = None
        self.decision = None
        try:
            if url:
                self.decision = explain_universal_link(self._aasa, url, domain=self._domain)
            self.rules = rule_table(self._aasa, self.decision)
        except ValueError as exc:  # DeepLinkConfigError and bad links are ValueErrors with a clear message
            self.error = str(exc)
            self.result.value = t("deeplinks_widgets.tester.error", error=html.escape(self.error))
            self.table.value = ""
            return
        d = self.decision
        if d is None:
            self.result.value = ""
        else:
            # the deciding rule as a JSON path (details[0].components[1]), the same in every language
            rule = "–" if d.rule_index is None else f"details[{d.detail_index}].{d.format}[{d.rule_index}]"
            if d.app_ids:
                head = t("deeplinks_widgets.tester.result_open", apps=html.escape(", ".join(d.app_ids)), rule=rule,
                         format=d.format)
            elif d.excluded:
                head = t("deeplinks_widgets.tester.result_excluded", rule=rule, format=d.format)
            else:
                head = t("deeplinks_widgets.tester.result_none")
            self.result.value = f"{head}<br><small>{t('deeplinks_widgets.tester.reason', reason=html.escape(d.reason))}</small>"
        self.table.value = self._table_html()

    def _table_html(self) -> str:
        head = "".join(f"<th style='text-align:left;padding:2px 8px'>{t(f'deeplinks_widgets.tester.column_{c}')}</th>"
                       for c in ("detail", "rule", "pattern", "decides"))
        body = []
        for r in self.rules.itertuples(index=False):
            style = "background:#e7f6ec;font-weight:bold" if r.decides else ""
            mark = t("deeplinks_widgets.tester.decides") if r.decides else ""
            body.append(f"<tr style='{style}'><td style='padding:2px 8px'>{r.detail} ({html.escape(r.format)})</td>"
                        f"<td style='padding:2px 8px'>{r.rule}</td><td style='padding:2px 8px'><code>"
                        f"{html.escape(r.pattern)}</code></td><td style='padding:2px 8px'>{mark}</td></tr>")
        return f"<table style='border-collapse:collapse;font-size:12px'><tr>{head}</tr>{''.join(body)}</table>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        d = self.decision
        opens = bool(d is not None and d.app_ids)
        return f"<LinkTester url={self.url.value!r} opens_app={opens}>"


def link_tester(aasa: Any, domain: str | None = None, url: str = "") -> LinkTester:
    """The link tester of lesson 03.2 for one AASA file (parsed JSON or its text)."""
    return LinkTester(aasa, domain=domain, url=url)


# ------------------------------------------------------------------------------------------ route explorer
class RouteExplorer:
    """Controls for platform, app installed, page and campaign; shows where the link sends the person.

    Readable state: :attr:`route` (the current :class:`helpers.deeplinks.Route`) and the controls
    :attr:`platform`, :attr:`installed`, :attr:`path`, :attr:`campaign`.
    """

    def __init__(self, config: Any, paths: list[str] | tuple[str, ...] = ("/",), campaign: str = ""):
        import ipywidgets as w

        if not paths:
            raise InputError(t("errors.deeplinks.widgets.paths"))
        self._config = config
        style = {"description_width": "initial"}
        self.platform = w.ToggleButtons(options=["ios", "android", "desktop"], value="ios",
                                        description=t("deeplinks_widgets.route.platform"), style=style)
        self.installed = w.Checkbox(value=False, description=t("deeplinks_widgets.route.installed"), indent=False)
        self.path = w.Dropdown(options=list(paths), value=list(paths)[0], description=t("deeplinks_widgets.route.path"),
                               style=style, layout=w.Layout(width="420px"))
        self.campaign = w.Text(value=campaign, description=t("deeplinks_widgets.route.campaign"), style=style,
                               continuous_update=False, layout=w.Layout(width="420px"))
        self.result = w.HTML()
        self.box = w.VBox([
            w.HTML(f"<b>{t('deeplinks_widgets.route.title')}</b><br><small>{t('deeplinks_widgets.route.help')}</small>"),
            self.platform, self.installed, self.path, self.campaign, self.result,
        ])
        self.route: Any = None
        for control in (self.platform, self.installed, self.path, self.campaign):
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> None:
        from helpers.deeplinks import route_link

        params = {"utm_campaign": self.campaign.value.strip()} if self.campaign.value.strip() else None
        self.route = route_link(self._config, self.platform.value, bool(self.installed.value), path=self.path.value,
                                params=params)
        r = self.route
        self.result.value = t("deeplinks_widgets.route.result",
                              destination=html.escape(t(f"plots.deeplinks_destinations.names.{r.destination}")),
                              deferred=t("deeplinks_widgets.route.deferred") if r.deferred else "",
                              reason=html.escape(r.reason), url=html.escape(r.url))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)

    def __repr__(self) -> str:
        return (f"<RouteExplorer platform={self.platform.value!r} installed={self.installed.value} "
                f"destination={self.route.destination!r}>")


def route_explorer(config: Any, paths: list[str] | tuple[str, ...] = ("/",), campaign: str = "") -> RouteExplorer:
    """The route explorer of lesson 03.4 for a :class:`helpers.deeplinks.LinkConfig` and the app's pages."""
    return RouteExplorer(config, paths=paths, campaign=campaign)
