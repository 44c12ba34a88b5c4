"""Data clean rooms: join your first-party data with a partner's measurement data, see only aggregates.

A clean room (an MMP's, a network's, or a cloud warehouse's) lets two parties match their users
on a hashed identifier without either side seeing the other's rows. Queries must aggregate, and
every output row must cover at least ``min_users`` people (an **aggregation threshold**); rows
below it are suppressed. Thresholds alone do not stop a *differencing attack* (two allowed queries
that differ by one person), which is why some clean rooms also add noise - the same
differential-privacy idea as the Aggregation Service (see :mod:`helpers.privacy_sandbox`).

The thresholds vendors use vary and are set per contract; the default of 50 here is a course
convention (it matches Protected Audience's k = 50, not any clean room's published rule).

>>> fp = pd.DataFrame({"email": ["A@x.example", "b@x.example"], "tier": ["vip", "basic"]})
>>> hash_ids(fp["email"], salt="s").str.len().tolist()
[64, 64]
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers import privacy_sandbox as ps

__all__ = ["DEFAULT_MIN_USERS", "hash_ids", "clean_room_query", "differencing_attack"]

#: Course default for the minimum number of people behind an output row.
DEFAULT_MIN_USERS = 50

_AGGS = ("sum", "mean", "count")


def hash_ids(values, salt: str = "") -> pd.Series:
    """SHA-256 (hex) of each identifier after trimming and lower-casing, with a shared ``salt``.

    Both parties hash the same way, so equal e-mails give equal hashes while neither side sends
    the plain address. Missing values stay missing.
    """
    if not isinstance(salt, str):
        raise ValueError(f"salt must be text shared by both parties, got {salt!r}")
    s = pd.Series(values, dtype="string")
    norm = s.str.strip().str.lower()
    out = norm.map(lambda v: hashlib.sha256((salt + v).encode()).hexdigest(), na_action="ignore")
    return out.astype("string").rename("hashed_id")


def _need(frame, name: str, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a table (DataFrame), got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing the columns {missing}")


def clean_room_query(first_party: pd.DataFrame, measurement: pd.DataFrame, *, on: str, by: Sequence[str] | str,
                     metrics: Mapping[str, tuple[str, str]], min_users: int = DEFAULT_MIN_USERS,
                     epsilon: float | None = None, max_contribution: Mapping[str, float] | None = None,
                     rng=None) -> pd.DataFrame:
    """Join two parties' tables on ``on`` and aggregate by ``by``, as a clean room would answer.

    ``metrics`` maps an output name to ``(column, how)`` with ``how`` in ``sum``, ``mean`` or
    ``count``. Each output row has ``users`` (distinct matched people), the metrics, and
    ``suppressed``: rows with fewer than ``min_users`` people have their numbers removed (NaN).
    With ``epsilon``, Laplace noise of scale ``max_contribution[metric] / epsilon`` is added to each
    ``sum`` metric (and scale ``1 / epsilon`` to ``users``): ``max_contribution`` is the most one
    person can add to that metric (clip larger values first). Rows come sorted by ``by``.
    """
    by = [by] if isinstance(by, str) else list(by)
    _need(first_party, "first_party", [on])
    _need(measurement, "measurement", [on])
    if isinstance(min_users, bool) or not isinstance(min_users, numbers.Integral) or min_users < 1:
        raise ValueError(f"min_users must be a whole number of at least 1, got {min_users!r}")
    if not isinstance(metrics, Mapping) or not metrics:
        raise ValueError("metrics must be a dict {name: (column, 'sum' | 'mean' | 'count')}")
    joined = first_party.merge(measurement, on=on, how="inner", suffixes=("", "_measurement"))
    _need(joined, "the joined table", by + [c for c, _ in metrics.values()])
    for name, (_col, how) in metrics.items():
        if how not in _AGGS:
            raise ValueError(f"metric {name!r}: how must be one of {_AGGS}, got {how!r}")
    g = joined.groupby(by, observed=True, dropna=False)
    out = pd.DataFrame({"users": g[on].nunique()})
    for name, (col, how) in metrics.items():
        out[name] = getattr(g[col], how)()
    out = out.reset_index().sort_values(by, kind="stable").reset_index(drop=True)
    out["users"] = out["users"].astype(float)
    if epsilon is not None:
        eps = ps._epsilon(epsilon, allow_zero=False, allow_inf=False)
        gen = ps._rng(rng)
        out["users"] = out["users"] + gen.laplace(0.0, 1.0 / eps, len(out))
        for name, (_, how) in metrics.items():
            if how == "sum":
                if not max_contribution or name not in max_contribution:
                    raise ValueError(f"with epsilon, give max_contribution[{name!r}]: the most one person adds")
                scale = float(max_contribution[name]) / eps
                out[name] = out[name].astype(float) + gen.laplace(0.0, scale, len(out))
    out["suppressed"] = out["users"] < min_users
    numbers_cols = ["users", *metrics]
    out[numbers_cols] = out[numbers_cols].astype(float)
    out.loc[out["suppressed"], numbers_cols] = np.nan
    return out


def differencing_attack(first_party: pd.DataFrame, measurement: pd.DataFrame, *, on: str, target,
                        metric: tuple[str, str], group: str | None = None, min_users: int = DEFAULT_MIN_USERS,
                        epsilon: float | None = None, max_contribution: float | None = None, rng=None) -> dict:
    """Two allowed queries that differ by one person, and what their difference reveals.

    Query A covers everyone in ``first_party``; query B everyone except ``target`` (an ``on``
    value). Both pass the threshold when there are enough people, and ``A - B`` is the target's own
    value of ``metric`` (a ``(column, "sum")`` pair). With ``epsilon`` both answers are noisy and the
    difference is hidden in noise. Returns ``{"query_a", "query_b", "revealed", "true_value"}``.
    """
    col, how = metric
    if how != "sum":
        raise ValueError("the differencing attack here works on a 'sum' metric")
    fp = first_party.assign(_all="everyone") if group is None else first_party
    by = "_all" if group is None else group
    kw = dict(on=on, by=by, metrics={"value": (col, "sum")}, min_users=min_users, epsilon=epsilon,
              max_contribution=None if max_contribution is None else {"value": max_contribution})
    gen = ps._rng(rng)
    a = clean_room_query(fp, measurement, rng=gen, **kw)
    b = clean_room_query(fp[fp[on] != target], measurement, rng=gen, **kw)
    joined = fp.merge(measurement, on=on, how="inner", suffixes=("", "_measurement"))
    truth = joined.loc[joined[on] == target, col].sum()
    va, vb = float(a["value"].sum(min_count=1)), float(b["value"].sum(min_count=1))
    return {"query_a": va, "query_b": vb, "revealed": va - vb, "true_value": float(truth)}
