"""Measuring deep-link journeys: funnels, rate comparisons with confidence intervals, deferred matching.

Course 03 reads the world's ``deeplink_clicks`` table (one row per click on a link into the app; see
``helpers.data`` for its columns) and asks marketer's questions of it: of the people who clicked,
how many reached the page in the app (``opened``) and how many did what the page is for
(``converted``)? Does sending people who already saw the sign-up benefits page straight to
``/signup`` work better than showing them the benefits again? How often does a deferred deep link
survive the trip through the app store?

>>> import pandas as pd
>>> clicks = pd.DataFrame({"landing_path": ["/signup", "/signup", "/benefits", "/benefits"],
...                        "opened": [True, True, True, False], "converted": [True, False, False, False]})
>>> funnel(clicks, by="landing_path")[["clicks", "opened", "converted", "conversion_rate"]].to_dict("index")
{'/benefits': {'clicks': 2, 'opened': 1, 'converted': 0, 'conversion_rate': 0.0}, '/signup': {'clicks': 2, 'opened': 2, 'converted': 1, 'conversion_rate': 0.5}}

Rates come with Wilson score intervals (:func:`wilson_interval`); a difference of two rates with
Newcombe's hybrid score interval (:func:`compare_rates`). Both are standard for proportions and
behave well with the few hundred clicks a lesson's world has (Newcombe 1998, method 10).

Everything here is a pure function of its tables; nothing is read or drawn at import time. Functions
that need Universal Link matching or routing (:func:`link_outcomes`, :func:`route_clicks`) call
:mod:`helpers.deeplinks` when they run.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from helpers._validate import InputError, InputTypeError, require_columns
from helpers.messages import t

__all__ = [
    "FUNNEL_COLUMNS",
    "page_group",
    "wilson_interval",
    "funnel",
    "compare_rates",
    "reroute_gain",
    "open_delay",
    "deferred_match",
    "deferred_match_rates",
    "route_clicks",
    "route_table",
    "link_outcomes",
    "urls_for_paths",
]

#: The columns :func:`funnel` needs.
FUNNEL_COLUMNS: tuple[str, ...] = ("opened", "converted")
_OUTCOMES = ("opened", "converted")


# ------------------------------------------------------------------------------------------ small tools
def page_group(path: Any) -> str:
    """A landing path with its trailing item number replaced by ``*``, so pages of one kind count
    together: ``/product/123`` → ``/product/*``, ``/shop/pack/2`` → ``/shop/pack/*``; other paths
    (``/signup``, ``/cleaning/aircon``) are returned unchanged. Missing → ``"(none)"``.

    >>> [page_group(p) for p in ["/product/12", "/signup", "/shop/pack/3", "/cleaning/aircon"]]
    ['/product/*', '/signup', '/shop/pack/*', '/cleaning/aircon']
    """
    if path is None or (isinstance(path, float) and math.isnan(path)) or path is pd.NA:
        return "(none)"
    return re.sub(r"/\d+$", "/*", str(path))


def _z(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise InputError(t("errors.deeplinks.journeys.level", value=repr(level)))
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson_interval(successes: float, trials: float, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a rate ``successes / trials`` (NaNs when ``trials`` is 0).

    Better than "rate ± 1.96 standard errors" for small groups and rates near 0 or 1: it never
    leaves 0..1.

    >>> low, high = wilson_interval(12, 50)
    >>> round(low, 3), round(high, 3)
    (0.143, 0.374)
    """
    s, n = float(successes), float(trials)
    if not (math.isfinite(s) and math.isfinite(n)) or n < 0 or s < 0 or s > n:
        raise InputError(t("errors.deeplinks.journeys.wilson", successes=repr(successes), trials=repr(trials)))
    if n == 0:
        return (math.nan, math.nan)
    z = _z(level)
    p = s / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if s == 0 else max(0.0, centre - half)   # exact bounds at the edges (no rounding residue)
    high = 1.0 if s == n else min(1.0, centre + half)
    return (low, high)


def _clicks(clicks: Any, name: str, needed: Sequence[str]) -> pd.DataFrame:
    require_columns(clicks, name, list(needed))
    for col in needed:
        if col in _OUTCOMES or col in ("app_installed", "saw_benefits"):
            s = clicks[col]
            if not pd.api.types.is_bool_dtype(s.dtype):
                raise InputTypeError(t("errors.deeplinks.journeys.not_bool", name=name, column=repr(col), dtype=s.dtype))
    return clicks


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _filter(clicks: pd.DataFrame, where: Mapping[str, Any] | None, name: str) -> pd.DataFrame:
    if not where:
        return clicks
    require_columns(clicks, name, list(where))
    keep = np.ones(len(clicks), dtype=bool)
    for col, value in where.items():
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        keep &= clicks[col].isin(list(values)).to_numpy()
    return clicks[keep]


# ------------------------------------------------------------------------------------------ funnels
def funnel(clicks: pd.DataFrame, by: str | Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Clicks → opened in the app → converted, overall or per group.

    ``clicks``: a deep-link click table with boolean ``opened`` and ``converted`` columns (e.g.
    ``load("world-ecommerce/deeplink_clicks")``); ``by``: a column name or a list of them
    (``"landing_path"``, ``["saw_benefits", "landing_path"]``), or ``None`` for one row, ``all``.

    Columns of the result: ``clicks``, ``opened``, ``converted`` (counts), ``open_rate`` (opened /
    clicks), ``conversion_rate`` (converted / clicks: the rate a marketer compares, because the
    landing page also decides whether the app opens), ``conversion_per_open`` (converted / opened),
    and ``conversion_low`` / ``conversion_high``, the Wilson interval of ``conversion_rate`` at
    ``level``. Groups are sorted by their keys.
    """
    _clicks(clicks, "clicks", [*FUNNEL_COLUMNS, *_as_list(by)])
    keys = _as_list(by)
    frame = pd.DataFrame({"opened": clicks["opened"].to_numpy(dtype=bool),
                          "converted": clicks["converted"].to_numpy(dtype=bool)})
    if (frame["converted"] & ~frame["opened"]).any():
        first = int(np.flatnonzero((frame["converted"] & ~frame["opened"]).to_numpy())[0])
        raise InputError(t("errors.deeplinks.journeys.converted_not_opened", position=first))
    if keys:
        for k in keys:
            frame[k] = clicks[k].to_numpy()
        grouped = frame.groupby(keys, sort=True, dropna=False)
        out = pd.DataFrame({"clicks": grouped.size(), "opened": grouped["opened"].sum(),
                            "converted": grouped["converted"].sum()})
    else:
        out = pd.DataFrame({"clicks": [len(frame)], "opened": [int(frame["opened"].sum())],
                            "converted": [int(frame["converted"].sum())]}, index=pd.Index(["all"], name="group"))
    out = out.astype("int64")
    n = out["clicks"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["open_rate"] = out["opened"] / n
        out["conversion_rate"] = out["converted"] / n
        out["conversion_per_open"] = out["converted"] / out["opened"].replace(0, np.nan)
    bounds = [wilson_interval(c, k, level) for c, k in zip(out["converted"], out["clicks"], strict=True)]
    out["conversion_low"] = [b[0] for b in bounds]
    out["conversion_high"] = [b[1] for b in bounds]
    return out


def _newcombe(s1: float, n1: float, s2: float, n2: float, level: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p2 (method 10 of Newcombe 1998)."""
    if n1 == 0 or n2 == 0:
        return (math.nan, math.nan)
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson_interval(s1, n1, level)
    l2, u2 = wilson_interval(s2, n2, level)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (low, high)


def compare_rates(clicks: pd.DataFrame, column: str, a: Any, b: Any, outcome: str = "converted",
                  where: Mapping[str, Any] | None = None, level: float = 0.95) -> pd.Series:
    """Compare the rate of ``outcome`` between the clicks where ``column == a`` and where ``column == b``.

    ``where`` keeps only some clicks first, e.g. ``{"saw_benefits": True}``. ``outcome`` is
    ``"converted"`` or ``"opened"``; rates are per click. Returns a Series with ``n_a``, ``n_b``
    (clicks), ``successes_a``, ``successes_b``, ``rate_a``, ``rate_b``, ``difference`` (rate_a -
    rate_b, as a share: 0.05 = 5 percentage points), ``difference_low`` / ``difference_high``
    (Newcombe's interval at ``level``) and ``clear`` (True when the interval excludes 0: the data
    say which is better).

    >>> clicks = pd.DataFrame({"landing_path": ["/signup"] * 40 + ["/benefits"] * 40,
    ...                        "opened": [True] * 80, "converted": [True] * 20 + [False] * 20 + [True] * 4 + [False] * 36})
    >>> r = compare_rates(clicks, "landing_path", "/signup", "/benefits")
    >>> round(r["difference"], 2), bool(r["clear"])
    (0.4, True)
    """
    if outcome not in _OUTCOMES:
        raise InputError(t("errors.deeplinks.journeys.outcome", allowed=", ".join(_OUTCOMES), value=repr(outcome)))
    _clicks(clicks, "clicks", [column, outcome])
    rows = _filter(clicks, where, "clicks")
    out: dict[str, Any] = {"group_a": a, "group_b": b}
    for tag, value in (("a", a), ("b", b)):
        part = rows.loc[rows[column] == value, outcome]
        if len(part) == 0:
            found = sorted(map(str, rows[column].dropna().unique()))[:8]
            shown = {"column": column, "value": repr(value), "found": ", ".join(found) or t("errors.deeplinks.none")}
            if where:
                raise InputError(t("errors.deeplinks.journeys.no_group_where", where=repr(dict(where)), **shown))
            raise InputError(t("errors.deeplinks.journeys.no_group", **shown))
        out[f"n_{tag}"] = int(len(part))
        out[f"successes_{tag}"] = int(part.sum())
        out[f"rate_{tag}"] = out[f"successes_{tag}"] / out[f"n_{tag}"]
    out["difference"] = out["rate_a"] - out["rate_b"]
    low, high = _newcombe(out["successes_a"], out["n_a"], out["successes_b"], out["n_b"], level)
    out["difference_low"], out["difference_high"] = low, high
    out["clear"] = bool(low > 0 or high < 0)
    return pd.Series(out, name=f"{a} vs {b}", dtype=object)


def reroute_gain(clicks: pd.DataFrame, from_path: str = "/benefits", to_path: str = "/signup",
                 where: Mapping[str, Any] | None = None, outcome: str = "converted",
                 level: float = 0.95) -> pd.Series:
    """What sending the clicks that landed on ``from_path`` to ``to_path`` instead would have added.

    The Amondz rule (people who already saw the sign-up benefits page get a link straight to the
    sign-up page) is ``reroute_gain(clicks, "/benefits", "/signup", where={"saw_benefits": True})``.
    It assumes the rerouted clicks would convert like the clicks that already landed on
    ``to_path`` (true when who landed where was random, as in an A/B test).

    Returns a Series: ``moved`` (clicks on ``from_path``), ``rate_from``, ``rate_to``,
    ``extra_conversions`` = moved × (rate_to − rate_from), and ``extra_low`` / ``extra_high`` from
    the interval of the difference (:func:`compare_rates`).
    """
    r = compare_rates(clicks, "landing_path", to_path, from_path, outcome=outcome, where=where, level=level)
    moved = int(r["n_b"])
    return pd.Series({
        "moved": moved,
        "rate_from": float(r["rate_b"]),
        "rate_to": float(r["rate_a"]),
        "extra_conversions": moved * float(r["difference"]),
        "extra_low": moved * float(r["difference_low"]),
        "extra_high": moved * float(r["difference_high"]),
    }, name=f"{from_path} -> {to_path}")


# ------------------------------------------------------------------------------------------ deferred links
def open_delay(clicks: pd.DataFrame) -> pd.Series:
    """Time from the click to the app showing the page, for the clicks that opened the app.

    For a direct link it is seconds; for a deferred link it includes the store visit, the download
    and the first open. Indexed like ``clicks``; a Timedelta Series.
    """
    _clicks(clicks, "clicks", ["opened", "click_time", "open_time"])
    rows = clicks[clicks["opened"]]
    delay = rows["open_time"] - rows["click_time"]
    if delay.isna().any():
        raise InputError(t("errors.deeplinks.journeys.open_time_missing"))
    if (delay < pd.Timedelta(0)).any():
        raise InputError(t("errors.deeplinks.journeys.open_before_click"))
    return delay.rename("open_delay")


def deferred_match(clicks: pd.DataFrame, installs: pd.DataFrame, window: str | pd.Timedelta = "7D") -> pd.DataFrame:
    """The deferred clicks, with whether the person installed within ``window`` after the click.

    A deferred deep link can only work for someone who installs; whether it *did* work is
    ``opened`` (the app showed the link's page at the first open). Joining on ``user_id`` uses the
    simulation's truth: a real MMP cannot join people, which is exactly why it has to match clicks
    to installs by the Play Install Referrer (Android) or probabilistically (iOS).

    Returns the deferred rows of ``clicks`` (``link_kind == "deferred"``) with two new columns,
    ``installed`` (bool) and ``install_time`` (the first install or reinstall in the window).
    """
    require_columns(clicks, "clicks", ["user_id", "click_time", "link_kind", "opened"])
    require_columns(installs, "installs", ["user_id", "install_time"])
    win = pd.Timedelta(window)
    if win <= pd.Timedelta(0):
        raise InputError(t("errors.deeplinks.journeys.window", value=repr(window)))
    deferred = clicks[clicks["link_kind"] == "deferred"].copy()
    inst = installs[["user_id", "install_time"]].dropna().sort_values("install_time")
    left = deferred[["user_id", "click_time"]].reset_index().sort_values("click_time")
    left["user_id"] = left["user_id"].astype(str)
    inst = inst.assign(user_id=inst["user_id"].astype(str))
    matched = pd.merge_asof(left, inst, left_on="click_time", right_on="install_time", by="user_id",
                            direction="forward", tolerance=win, allow_exact_matches=True)
    matched = matched.set_index("index").reindex(deferred.index)
    deferred["installed"] = matched["install_time"].notna().to_numpy()
    deferred["install_time"] = matched["install_time"].to_numpy()
    return deferred


def deferred_match_rates(clicks: pd.DataFrame, installs: pd.DataFrame, by: str | Sequence[str] = "platform",
                         window: str | pd.Timedelta = "7D", level: float = 0.95) -> pd.DataFrame:
    """Per group: deferred clicks, how many installed, how many of those landed on the page.

    Columns ``deferred_clicks``, ``installed``, ``matched`` (installed and ``opened``),
    ``install_rate`` (installed / deferred clicks), ``match_rate`` (matched / installed: how often
    the deferred deep link survived the install) and its Wilson interval ``match_low`` / ``match_high``.
    """
    keys = _as_list(by)
    d = deferred_match(clicks, installs, window)
    require_columns(d, "clicks", keys)
    d = d.assign(matched=d["installed"] & d["opened"])
    g = d.groupby(keys, sort=True)
    out = pd.DataFrame({"deferred_clicks": g.size(), "installed": g["installed"].sum(),
                        "matched": g["matched"].sum()}).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["install_rate"] = out["installed"] / out["deferred_clicks"]
        out["match_rate"] = out["matched"] / out["installed"].replace(0, np.nan)
    bounds = [wilson_interval(m, n, level) for m, n in zip(out["matched"], out["installed"], strict=True)]
    out["match_low"] = [b[0] for b in bounds]
    out["match_high"] = [b[1] for b in bounds]
    return out


# ------------------------------------------------------------------------------------------ links and routing
def urls_for_paths(paths: Iterable[Any], domain: str) -> list[str]:
    """``https://<domain><path>`` for each landing path (the link a campaign would use).

    >>> urls_for_paths(["/signup", "/cleaning/aircon"], "jibsa.example")
    ['https://jibsa.example/signup', 'https://jibsa.example/cleaning/aircon']
    """
    if not isinstance(domain, str) or not domain or "/" in domain:
        raise InputError(t("errors.deeplinks.journeys.domain", value=repr(domain)))
    out = []
    for p in paths:
        p = str(p)
        out.append(f"https://{domain}{p if p.startswith('/') else '/' + p}")
    return out


def link_outcomes(aasa: Any, urls: Iterable[str], domain: str | None = None) -> pd.DataFrame:
    """For each URL: does this AASA file open the app (iOS Universal Link), and which rule decided.

    Uses :func:`helpers.deeplinks.explain_universal_link`. Columns ``url``, ``opens_app`` (bool),
    ``app_ids`` (comma-separated), ``rule`` (the deciding rule as written, with its place, e.g.
    ``paths[1] "/cleaning/*"``; prefixed ``details[i].`` after the first entry; ``"none"`` when no rule
    matched), ``excluded`` (an ``exclude`` / ``NOT`` rule matched) and ``reason`` (Apple's rule in words).
    Identical URLs are evaluated once.
    """
    from helpers.deeplinks import explain_universal_link

    urls = [str(u) for u in urls]
    cache: dict[str, tuple] = {}
    rows = []
    for url in urls:
        if url not in cache:
            d = explain_universal_link(aasa, url, domain=domain)
            if d.rule_index is None:
                rule = "none"
            else:
                rule = f"{d.format}[{d.rule_index}] {json.dumps(d.rule, ensure_ascii=False)}"
                if d.detail_index:
                    rule = f"details[{d.detail_index}].{rule}"
            cache[url] = (bool(d.app_ids), ", ".join(d.app_ids), rule,
                          bool(d.excluded), d.reason)
        rows.append((url, *cache[url]))
    return pd.DataFrame(rows, columns=["url", "opens_app", "app_ids", "rule", "excluded", "reason"])


def route_clicks(clicks: pd.DataFrame, config: Any, path_column: str = "landing_path",
                 params: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Where each click would land with ``config`` (a :class:`helpers.deeplinks.LinkConfig`).

    Calls :func:`helpers.deeplinks.route_link` with the click's ``platform``, ``app_installed`` and
    landing path (each distinct combination once). Returns ``clicks`` with ``destination``
    (``app``, ``app_store``, ``play_store`` or ``web``), ``route_url`` and ``deferred`` added.
    """
    from helpers.deeplinks import route_link

    _clicks(clicks, "clicks", ["platform", "app_installed", path_column])
    keys = clicks[["platform", "app_installed", path_column]].astype(object)
    cache: dict[tuple, tuple] = {}
    dest, url, deferred = [], [], []
    for platform, installed, path in keys.itertuples(index=False, name=None):
        k = (str(platform), bool(installed), str(path))
        if k not in cache:
            r = route_link(config, k[0], k[1], path=k[2], params=dict(params) if params else None)
            cache[k] = (r.destination, r.url, bool(r.deferred))
        d, u, f = cache[k]
        dest.append(d)
        url.append(u)
        deferred.append(f)
    return clicks.assign(destination=dest, route_url=url, deferred=deferred)


def route_table(config: Any, path: str = "/", params: Mapping[str, str] | None = None,
                platforms: Sequence[str] = ("ios", "android")) -> pd.DataFrame:
    """Where one link sends people in every situation: one row per platform × app installed or not.

    Calls :func:`helpers.deeplinks.route_link` for each pair. Columns ``platform``,
    ``app_installed``, ``destination``, ``deferred``, ``url`` and ``reason``.
    """
    from helpers.deeplinks import route_link

    rows = []
    for platform in platforms:
        for installed in (True, False):
            r = route_link(config, platform, installed, path=path, params=dict(params) if params else None)
            rows.append((platform, installed, r.destination, bool(r.deferred), r.url, r.reason))
    return pd.DataFrame(rows, columns=["platform", "app_installed", "destination", "deferred", "url", "reason"])
