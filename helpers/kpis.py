"""Marketer KPIs: CPI, CPA, ROAS, day-N retention and cohort LTV curves.

Column contract (the shapes produced by ``helpers.synth`` and :func:`helpers.attribution.attribute_installs`)
----------------------------------------------------------------------------------------------------------
* ``spend``: ``date`` (calendar day, UTC; date, string or timestamp), ``media_source``, ``campaign``,
  ``cost`` (non-negative number, one currency).
* ``installs``: ``install_id``, ``user_id``, ``install_time`` (UTC, tz-aware) and the grouping
  columns you ask for in ``by`` (e.g. ``media_source`` from ``attribute_installs``, or
  ``true_source``, ``platform``, ``country``). Count only the installs you mean: e.g. drop
  ``install_type == "reinstall"`` rows first if CPI should count new installs only.
* ``events``: ``event_id``, ``user_id``, ``install_id``, ``event_name`` (``sign_up``, ``purchase``,
  ``session``), ``event_time`` (UTC, tz-aware), ``revenue`` (number; NA means 0; same currency as
  ``cost`` for ROAS).

Grouping (``by``): a column name, a list of names, or ``None`` for one overall row labelled
``"all"``. Every ``by`` column must be in both tables being compared; two conveniences apply:

* ``"date"`` missing from installs or events is derived from ``install_time`` / ``event_time``
  (UTC calendar day) — so CPI by date is "spend that day / installs that day";
* other columns missing from events are looked up in ``installs=`` by ``install_id`` (if both
  tables have it) or ``user_id`` (then a user's earliest install decides). Pass ``on=`` to choose.

Cohort KPIs (:func:`retention`, :func:`cohort_ltv`) use **day 0 = the install day**. With
``day_basis="calendar"`` (default) day N is the UTC calendar day N days after the install's
calendar day; with ``"24h"`` it is the N-th 24-hour period after ``install_time``. A user counts
for day N only if day N is **complete** before ``as_of`` (the end of observation, exclusive): younger
cohorts are left out of that day instead of being counted as churned, which would bias curves down
(right-censoring). Each user joins the cohort once, at their earliest install.

Errors are :class:`helpers._validate.InputError` (``ValueError``) / ``InputTypeError`` (also ``TypeError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers._validate import (
    InputError,
    InputTypeError,
    require_columns,
    require_dataframe,
    require_no_missing,
    require_nonnegative,
    require_numeric,
    require_utc_timestamps,
)
from helpers.messages import t

__all__ = ["cpi", "cpa", "roas", "retention", "cohort_ltv"]

By = str | Sequence[str] | None
_DAY = 86_400 * 10**9
_ALL = "all"
# index name of the single level used when no grouping is asked for (cannot clash with a column name)
_NO_GROUPING = "\x00no-grouping"


def _by_list(by: By) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    by = list(by)
    if not all(isinstance(b, str) for b in by):
        raise InputTypeError(t("errors.kpis.by_type", by=repr(by)))
    return by


def _utc_day(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()


def _as_day(df: pd.DataFrame, name: str, column: str) -> pd.Series:
    """A ``date`` column (date objects, strings or timestamps) as naive UTC midnight timestamps."""
    s = df[column]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return _utc_day(s)
    try:
        return pd.to_datetime(s).dt.normalize()
    except (ValueError, TypeError) as exc:
        raise InputTypeError(t("errors.kpis.not_dates", name=name, column=repr(column), dtype=s.dtype)) from exc


def _with_date(df: pd.DataFrame, name: str, by: list[str], time_col: str) -> pd.DataFrame:
    if "date" in by:
        if "date" in df.columns:
            df = df.assign(date=_as_day(df, name, "date"))
        else:
            require_columns(df, name, [time_col])
            df = df.assign(date=_utc_day(require_utc_timestamps(df, name, time_col)))
    return df


def _attach(
    events: pd.DataFrame, name: str, by: list[str], installs: pd.DataFrame | None, on: str | None
) -> pd.DataFrame:
    """Add ``by`` columns missing from ``events`` by looking them up in ``installs``."""
    missing = [b for b in by if b not in events.columns and b != "date"]
    if not missing:
        return events
    if installs is None:
        raise InputError(t("errors.kpis.missing_by_columns", name=name, missing=", ".join(map(repr, missing)), by=by))
    require_dataframe(installs, "installs")
    if on is None:
        on = (
            "install_id" if "install_id" in events.columns and "install_id" in installs.columns else "user_id"
        )
    require_columns(events, name, [on])
    require_columns(installs, "installs", [on, *missing])
    lookup = installs
    if "install_time" in installs.columns:
        lookup = installs.sort_values("install_time", kind="stable")
    lookup = lookup.drop_duplicates(on, keep="first")[[on, *missing]]
    return events.merge(lookup, on=on, how="left")


def _group_total(df: pd.DataFrame, by: list[str], column: str | None, label: str) -> pd.Series:
    if not by:
        value = float(df[column].sum()) if column else float(len(df))
        return pd.Series([value], index=pd.Index([_ALL], name="group"), name=label)
    keys = df[by]
    if column is None:
        out = keys.groupby(by, dropna=False, observed=True).size().astype(float)
    else:
        out = df.groupby(by, dropna=False, observed=True)[column].sum().astype(float)
    return out.rename(label)


def _ratio(numerator: pd.Series, denominator: pd.Series, name: str) -> pd.DataFrame:
    table = pd.concat([numerator, denominator], axis=1).fillna(0.0)
    den = table[denominator.name].to_numpy()
    num = table[numerator.name].to_numpy()
    table[name] = np.divide(num, den, out=np.full(len(table), np.nan), where=den > 0)
    return table.sort_index()


def _check_spend(spend: pd.DataFrame, by: list[str], cost_col: str) -> pd.DataFrame:
    require_columns(spend, "spend", [*by, cost_col])
    require_nonnegative(spend, "spend", cost_col)
    return _with_date(spend, "spend", by, "date")


def cpi(
    spend: pd.DataFrame, installs: pd.DataFrame, by: By = "media_source", cost_col: str = "cost"
) -> pd.DataFrame:
    """Cost per install: spend / installs per group.

    Returns a DataFrame indexed by the ``by`` groups with ``cost``, ``installs`` and ``cpi``
    (NaN where a group has no installs; organic installs show up with cost 0 and CPI 0).

    >>> spend = pd.DataFrame({"date": ["2025-03-01"] * 2, "media_source": ["a", "b"], "cost": [100.0, 50.0]})
    >>> installs = pd.DataFrame({"install_id": ["1", "2", "3"], "media_source": ["a", "a", "b"]})
    >>> cpi(spend, installs)["cpi"].to_dict()
    {'a': 50.0, 'b': 50.0}
    """
    by_cols = _by_list(by)
    spend = _check_spend(spend, by_cols, cost_col)
    require_columns(installs, "installs", [b for b in by_cols if b != "date"])
    installs = _with_date(installs, "installs", by_cols, "install_time")
    return _ratio(
        _group_total(spend, by_cols, cost_col, "cost"),
        _group_total(installs, by_cols, None, "installs"),
        "cpi",
    )


def cpa(
    spend: pd.DataFrame,
    actions: pd.DataFrame,
    by: By = "media_source",
    event_name: str | Iterable[str] | None = None,
    installs: pd.DataFrame | None = None,
    on: str | None = None,
    unique_users: bool = False,
    cost_col: str = "cost",
) -> pd.DataFrame:
    """Cost per action: spend / number of actions (e.g. purchases) per group.

    ``actions`` is an events table; ``event_name`` keeps only those events (``None`` = every row).
    ``unique_users=True`` counts users who did the action instead of action rows. Grouping
    columns missing from ``actions`` are looked up in ``installs`` (see the module notes).
    Returns ``cost``, ``actions`` and ``cpa`` per group.

    >>> spend = pd.DataFrame({"date": ["2025-03-01"], "media_source": ["a"], "cost": [90.0]})
    >>> ev = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "event_name": ["purchase"] * 3,
    ...                    "media_source": ["a", "a", "a"]})
    >>> cpa(spend, ev, event_name="purchase", unique_users=True)["cpa"].to_dict()
    {'a': 45.0}
    """
    by_cols = _by_list(by)
    spend = _check_spend(spend, by_cols, cost_col)
    require_dataframe(actions, "actions")
    if event_name is not None:
        require_columns(actions, "actions", ["event_name"])
        names = [event_name] if isinstance(event_name, str) else list(event_name)
        actions = actions[actions["event_name"].isin(names).to_numpy()]
    actions = _attach(actions, "actions", by_cols, installs, on)
    actions = _with_date(actions, "actions", by_cols, "event_time")
    if unique_users:
        require_columns(actions, "actions", ["user_id"])
        actions = actions.drop_duplicates([*by_cols, "user_id"])
    return _ratio(
        _group_total(spend, by_cols, cost_col, "cost"), _group_total(actions, by_cols, None, "actions"), "cpa"
    )


def roas(
    revenue: pd.DataFrame,
    spend: pd.DataFrame,
    by: By = "media_source",
    installs: pd.DataFrame | None = None,
    on: str | None = None,
    revenue_col: str = "revenue",
    cost_col: str = "cost",
) -> pd.DataFrame:
    """Return on ad spend: revenue / cost per group (1.0 = break-even).

    ``revenue`` is an events table with a numeric ``revenue`` column (NA counts as 0) in the same
    currency as ``cost``. Grouping columns missing from it are looked up in ``installs``. Returns
    ``revenue``, ``cost`` and ``roas`` per group (NaN where cost is 0).

    >>> spend = pd.DataFrame({"date": ["2025-03-01"], "media_source": ["a"], "cost": [200.0]})
    >>> rev = pd.DataFrame({"install_id": ["i1", "i2"], "revenue": [100.0, 200.0]})
    >>> inst = pd.DataFrame({"install_id": ["i1", "i2"], "media_source": ["a", "a"]})
    >>> roas(rev, spend, installs=inst)["roas"].to_dict()
    {'a': 1.5}
    """
    by_cols = _by_list(by)
    spend = _check_spend(spend, by_cols, cost_col)
    require_columns(revenue, "revenue", [revenue_col])
    require_numeric(revenue, "revenue", revenue_col)
    revenue = revenue.assign(**{revenue_col: revenue[revenue_col].fillna(0.0)})
    require_nonnegative(revenue, "revenue", revenue_col)
    revenue = _attach(revenue, "revenue", by_cols, installs, on)
    revenue = _with_date(revenue, "revenue", by_cols, "event_time")
    return _ratio(
        _group_total(revenue, by_cols, revenue_col, "revenue"),
        _group_total(spend, by_cols, cost_col, "cost"),
        "roas",
    )


# ---------------------------------------------------------------------------------------------
# Cohorts
# ---------------------------------------------------------------------------------------------


def _days_list(days: Iterable[int]) -> np.ndarray:
    arr = np.array(list(days), dtype=np.int64) if not isinstance(days, int) else np.array([days])
    if arr.size == 0 or (arr < 0).any():
        raise InputError(t("errors.kpis.days", days=[int(d) for d in arr]))
    return np.unique(arr)


def _cohorts(
    installs: pd.DataFrame,
    events: pd.DataFrame,
    by: list[str],
    user_col: str,
    as_of: object,
    day_basis: str,
    events_name: str,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Index, np.ndarray, np.ndarray]:
    """Cohort members and their events.

    Returns members (with ``group`` code and ``max_day``, the last complete day index), the
    member position and day index of each used event, the group labels, and the two boolean
    masks that select the used events from ``events`` (``events[keep][ok]``).
    """
    if day_basis not in ("calendar", "24h"):
        raise InputError(t("errors.kpis.day_basis", value=repr(day_basis)))
    require_columns(installs, "installs", [user_col, "install_time", *by])
    require_columns(events, events_name, [user_col, "event_time"])
    require_no_missing(installs, "installs", user_col)
    inst_time = require_utc_timestamps(installs, "installs", "install_time")
    ev_time = require_utc_timestamps(events, events_name, "event_time")

    if as_of is None:
        as_of_ts = max(ev_time.max() if len(ev_time) else inst_time.max(), inst_time.max())
    else:
        try:
            as_of_ts = pd.Timestamp(as_of)
        except (ValueError, TypeError) as exc:
            raise InputTypeError(t("errors.kpis.as_of", value=repr(as_of))) from exc
        as_of_ts = as_of_ts.tz_localize("UTC") if as_of_ts.tzinfo is None else as_of_ts.tz_convert("UTC")
    as_of_ns = pd.Timestamp(as_of_ts).as_unit("ns").value

    members = pd.DataFrame(
        {"user": installs[user_col].to_numpy(), "t": inst_time.dt.tz_localize(None).to_numpy()}
    )
    for b in by:
        members[b] = installs[b].to_numpy()
    members = (
        members.sort_values("t", kind="stable").drop_duplicates("user", keep="first").reset_index(drop=True)
    )
    t_ns = members["t"].to_numpy(dtype="datetime64[ns]").view("i8")
    anchor = t_ns - (t_ns % _DAY) if day_basis == "calendar" else t_ns
    members["anchor"] = anchor
    members["max_day"] = np.floor_divide(as_of_ns - anchor, _DAY) - 1  # last complete day index
    if by:
        codes, labels = (
            pd.MultiIndex.from_frame(members[by]).factorize()
            if len(by) > 1
            else pd.factorize(members[by[0]], use_na_sentinel=False)
        )
        labels = (
            pd.Index(labels, name=by[0])
            if len(by) == 1
            else pd.MultiIndex.from_tuples(list(labels), names=by)
        )
    else:
        codes, labels = np.zeros(len(members), dtype=np.int64), pd.Index([_ALL], name=_NO_GROUPING)
    members["group"] = codes

    ev_ns = ev_time.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view("i8")
    pos = pd.Index(members["user"]).get_indexer(events[user_col].to_numpy())
    keep = (pos >= 0) & (ev_ns < as_of_ns)
    pos, ev_ns = pos[keep], ev_ns[keep]
    a = anchor[pos]
    day = (
        np.floor_divide(ev_ns - a, _DAY)
        if day_basis == "24h"
        else np.floor_divide(ev_ns - (ev_ns % _DAY) - a, _DAY)
    )
    ok = ev_ns >= t_ns[pos]  # ignore activity before the install itself
    return members, pos[ok], day[ok], labels, keep, ok


def _tidy(values: dict[str, np.ndarray], days: np.ndarray, labels: pd.Index) -> pd.DataFrame:
    n_groups = len(labels)
    frames = {k: v.reshape(len(days), n_groups).T.ravel() for k, v in values.items()}
    if isinstance(labels, pd.MultiIndex):
        tuples = [(*lab, d) for lab in labels for d in days]
        index = pd.MultiIndex.from_tuples(tuples, names=[*labels.names, "day"])
    else:
        index = pd.MultiIndex.from_product([labels, days], names=[labels.name, "day"])
    out = pd.DataFrame(frames, index=index)
    if labels.name == _NO_GROUPING:
        out = out.droplevel(0)
    return out.sort_index()


def retention(
    installs: pd.DataFrame,
    events: pd.DataFrame,
    days: Iterable[int] = (1, 7, 30),
    by: By = None,
    as_of: object = None,
    user_col: str = "user_id",
    event_name: str | Iterable[str] | None = None,
    day_basis: str = "calendar",
) -> pd.DataFrame:
    """Classic day-N retention: share of installers active on exactly day N after installing.

    Any event (or only ``event_name`` events) counts as activity; day 0 is the install day and is
    100 % by definition. ``as_of`` is the end of observation (exclusive, UTC; default: the latest
    event or install time — pass the real end of your data window when you know it). Only users
    whose day N is complete before ``as_of`` are counted for day N.

    Returns a tidy DataFrame indexed by (``by`` groups…, ``day``) with ``users`` (eligible
    installers), ``retained`` and ``retention``. Pivot with ``.unstack("day")["retention"]``.

    >>> inst = pd.DataFrame({"user_id": ["u1", "u2"],
    ...     "install_time": pd.to_datetime(["2025-03-01 10:00", "2025-03-01 20:00"], utc=True)})
    >>> ev = pd.DataFrame({"user_id": ["u1"], "event_time": pd.to_datetime(["2025-03-02 09:00"], utc=True)})
    >>> retention(inst, ev, days=[1], as_of="2025-03-10")["retention"].tolist()
    [0.5]
    """
    by_cols = _by_list(by)
    day_arr = _days_list(days)
    require_dataframe(events, "events")
    if event_name is not None:
        require_columns(events, "events", ["event_name"])
        names = [event_name] if isinstance(event_name, str) else list(event_name)
        events = events[events["event_name"].isin(names).to_numpy()]
    members, pos, day, labels, _, _ = _cohorts(
        installs, events, by_cols, user_col, as_of, day_basis, "events"
    )
    group = members["group"].to_numpy()
    max_day = members["max_day"].to_numpy()
    active = pd.DataFrame({"u": pos, "d": day}).drop_duplicates()
    au, ad = active["u"].to_numpy(), active["d"].to_numpy()
    n_groups = len(labels)
    users, retained = [], []
    for d in day_arr:
        eligible = max_day >= d
        users.append(np.bincount(group[eligible], minlength=n_groups))
        if d == 0:
            retained.append(users[-1])
        else:
            hit = (ad == d) & eligible[au]
            retained.append(np.bincount(group[au[hit]], minlength=n_groups))
    u = np.concatenate(users).astype(np.int64)
    r = np.concatenate(retained).astype(np.int64)
    rate = np.divide(r, u, out=np.full(len(u), np.nan), where=u > 0)
    return _tidy({"users": u, "retained": r, "retention": rate}, day_arr, labels)


def cohort_ltv(
    installs: pd.DataFrame,
    revenue_events: pd.DataFrame,
    days: Iterable[int] = range(0, 31),
    by: By = None,
    as_of: object = None,
    user_col: str = "user_id",
    revenue_col: str = "revenue",
    day_basis: str = "calendar",
) -> pd.DataFrame:
    """Cumulative revenue per installer by day since install (the LTV curve), censored properly.

    For day N, only installers whose day N is complete before ``as_of`` count, in the numerator
    (their revenue from day 0 through day N) and in the denominator alike; revenue with NA counts
    as 0. Returns a tidy DataFrame indexed by (``by`` groups…, ``day``) with ``users``, ``revenue``
    (cumulative, eligible users only) and ``ltv`` = revenue / users.

    >>> inst = pd.DataFrame({"user_id": ["u1", "u2"],
    ...     "install_time": pd.to_datetime(["2025-03-01", "2025-03-01"], utc=True)})
    >>> ev = pd.DataFrame({"user_id": ["u1", "u2"], "revenue": [4.0, 2.0],
    ...     "event_time": pd.to_datetime(["2025-03-01 12:00", "2025-03-03 00:00"], utc=True)})
    >>> cohort_ltv(inst, ev, days=[0, 2], as_of="2025-04-01")["ltv"].tolist()
    [2.0, 3.0]
    """
    by_cols = _by_list(by)
    day_arr = _days_list(days)
    require_columns(revenue_events, "revenue_events", [revenue_col])
    require_numeric(revenue_events, "revenue_events", revenue_col)
    members, pos, day, labels, keep, ok = _cohorts(
        installs, revenue_events, by_cols, user_col, as_of, day_basis, "revenue_events"
    )
    rev = revenue_events[revenue_col].fillna(0.0).to_numpy(dtype=float)[keep][ok]
    group = members["group"].to_numpy()
    max_day = members["max_day"].to_numpy()
    n_groups = len(labels)
    users, revenue = [], []
    for d in day_arr:
        eligible = max_day >= d
        users.append(np.bincount(group[eligible], minlength=n_groups))
        hit = (day <= d) & eligible[pos]
        revenue.append(np.bincount(group[pos[hit]], weights=rev[hit], minlength=n_groups))
    u = np.concatenate(users).astype(np.int64)
    r = np.concatenate(revenue).astype(float)
    ltv = np.divide(r, u, out=np.full(len(u), np.nan), where=u > 0)
    return _tidy({"users": u, "revenue": r, "ltv": ltv}, day_arr, labels)
