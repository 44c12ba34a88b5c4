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
import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers import privacy_sandbox as ps
from helpers.messages import t

__all__ = ["DEFAULT_MIN_USERS", "hash_ids", "clean_room_query", "noisy_values", "differencing_attack"]

#: Course default for the minimum number of people behind an output row.
DEFAULT_MIN_USERS = 50

_AGGS = ("sum", "mean", "count")


def hash_ids(values, salt: str = "") -> pd.Series:
    """SHA-256 (hex) of each identifier after trimming and lower-casing, with a shared ``salt``.

    Both parties hash the same way, so equal e-mails give equal hashes while neither side sends
    the plain address. Missing values stay missing.
    """
    if not isinstance(salt, str):
        raise ValueError(t("errors.clean_room.salt", salt=salt))
    s = pd.Series(values, dtype="string")
    norm = s.str.strip().str.lower()
    out = norm.map(lambda v: hashlib.sha256((salt + v).encode()).hexdigest(), na_action="ignore")
    return out.astype("string").rename("hashed_id")


def _need(frame, name: str, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(t("errors.clean_room.table", name=name, got=type(frame).__name__))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(t("errors.clean_room.missing_columns", name=name, missing=missing))


def _caps(metrics: Mapping[str, tuple[str, str]], max_contribution) -> dict[str, float]:
    """Validate ``max_contribution`` for a noisy query: one bound per ``sum`` / ``mean`` metric."""
    if max_contribution is None:
        max_contribution = {}
    if not isinstance(max_contribution, Mapping):
        raise ValueError(t("errors.clean_room.max_contribution_dict", got=type(max_contribution).__name__))
    unknown = [k for k in max_contribution if k not in metrics]
    if unknown:
        raise ValueError(t("errors.clean_room.max_contribution_unknown", unknown=unknown, metrics=list(metrics)))
    caps = {}
    for name, (_col, how) in metrics.items():
        if name not in max_contribution:
            if how == "count":
                caps[name] = 1.0  # one person counts once
                continue
            raise ValueError(t("errors.clean_room.max_contribution_missing", metric=name, how=how))
        v = max_contribution[name]
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v <= 0:
            raise ValueError(t("errors.clean_room.max_contribution_value", metric=name, value=v))
        caps[name] = float(v)
    return caps


def noisy_values(metrics: Mapping[str, tuple[str, str]]) -> list[str]:
    """The noisy numbers a query with these ``metrics`` releases per row; ``epsilon`` is split over them.

    ``users`` always; one per ``sum`` or ``count`` metric; two per ``mean`` metric (its sum and its
    count, the mean being their ratio).

    >>> noisy_values({"revenue": ("lifetime_revenue", "sum"), "orders": ("orders", "mean")})
    ['users', 'revenue.sum', 'orders.sum', 'orders.count']
    """
    parts = ["users"]
    for name, (_col, how) in metrics.items():
        parts += [f"{name}.sum", f"{name}.count"] if how == "mean" else [f"{name}.{how}"]
    return parts


def clean_room_query(first_party: pd.DataFrame, measurement: pd.DataFrame, *, on: str, by: Sequence[str] | str,
                     metrics: Mapping[str, tuple[str, str]], min_users: int = DEFAULT_MIN_USERS,
                     epsilon: float | None = None, max_contribution: Mapping[str, float] | None = None,
                     rng=None) -> pd.DataFrame:
    """Join two parties' tables on ``on`` and aggregate by ``by``, as a clean room would answer.

    ``metrics`` maps an output name to ``(column, how)`` with ``how`` in ``sum``, ``mean`` or
    ``count`` (values present). Each output row has ``users`` (distinct matched people), the metrics,
    and ``suppressed``: rows with fewer than ``min_users`` people have their numbers removed (NaN).
    Rows with a missing ``on`` identifier match nobody. Rows come sorted by ``by``.

    **With** ``epsilon`` every number is noisy (Laplace), and the query spends ``epsilon`` **in
    total**, split equally over the :func:`noisy_values` of a row: with ``k`` of them, each gets
    ``epsilon / k``. Before the noise, each person is reduced to one contribution per metric:

    * ``users``: 1 per person, Laplace scale ``k / epsilon``;
    * ``sum``: the person's total, clipped to ``[-max_contribution[name], +max_contribution[name]]``,
      scale ``k * max_contribution[name] / epsilon``;
    * ``count``: the person's number of values, capped at ``max_contribution[name]`` (default 1,
      so each person counts once), scale ``k * cap / epsilon``;
    * ``mean``: the person's own mean, clipped as for a sum; the answer is the noisy sum of those
      over the noisy number of people with a value (at least 1), clipped to the same range - a
      post-processing of two noisy numbers, never the exact mean.

    ``max_contribution`` is required for every ``sum`` and ``mean`` metric. The suppression test
    uses the noisy ``users``. Each person must fall in one output row (``by`` describes the person,
    e.g. tier and last-click network), so the rows cover disjoint people and the whole answer costs
    each person ``epsilon``; a person in two rows raises a ValueError. Asking again spends again:
    two queries cost ``2 * epsilon``. ``result.attrs["privacy"]`` records the split. This is the
    Laplace mechanism with an L1 contribution bound, as in the Aggregation Service
    (``privacysandbox/aggregation-service``; :func:`helpers.privacy_sandbox.aggregation_noise_scale`).
    ``max_contribution`` without ``epsilon`` is an error (it only bounds what the noise must hide).
    """
    by = [by] if isinstance(by, str) else list(by)
    _need(first_party, "first_party", [on])
    _need(measurement, "measurement", [on])
    if isinstance(min_users, bool) or not isinstance(min_users, numbers.Integral) or min_users < 1:
        raise ValueError(t("errors.clean_room.min_users", min_users=min_users))
    if not isinstance(metrics, Mapping) or not metrics:
        raise ValueError(t("errors.clean_room.metrics"))
    for name, spec in metrics.items():
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise ValueError(t("errors.clean_room.metric_pair", metric=name, spec=spec))
        if spec[1] not in _AGGS:
            raise ValueError(t("errors.clean_room.metric_how", metric=name, allowed=_AGGS, how=spec[1]))
        if name in ("users", "suppressed") or name in by:
            raise ValueError(t("errors.clean_room.metric_clash", metric=name))
    if epsilon is None and max_contribution is not None:
        raise ValueError(t("errors.clean_room.max_contribution_without_epsilon"))
    joined = first_party.dropna(subset=[on]).merge(measurement.dropna(subset=[on]), on=on, how="inner",
                                                   suffixes=("", "_measurement"))
    _need(joined, "the joined table", by + [c for c, _ in metrics.values()])
    if epsilon is None:
        g = joined.groupby(by, observed=True, dropna=False)
        out = pd.DataFrame({"users": g[on].nunique()})
        for name, (col, how) in metrics.items():
            out[name] = getattr(g[col], how)()
        out = out.reset_index()
    else:
        eps = ps._epsilon(epsilon, allow_zero=False, allow_inf=False)
        out = _private_answer(joined, on=on, by=by, metrics=metrics, eps=eps, caps=_caps(metrics, max_contribution),
                              gen=ps._rng(rng))
    out = out.sort_values(by, kind="stable").reset_index(drop=True)
    out["suppressed"] = out["users"] < min_users
    numbers_cols = ["users", *metrics]
    out[numbers_cols] = out[numbers_cols].astype(float)
    out.loc[out["suppressed"], numbers_cols] = np.nan
    if epsilon is not None:
        parts = noisy_values(metrics)
        out.attrs["privacy"] = {"epsilon_total": eps, "epsilon_each": eps / len(parts), "noisy_values": parts}
    return out


def _private_answer(joined: pd.DataFrame, *, on: str, by: list[str], metrics, eps: float, caps: dict[str, float],
                    gen: np.random.Generator) -> pd.DataFrame:
    """The noisy aggregates of :func:`clean_room_query` (contribution bounding, then Laplace noise)."""
    g = joined.groupby(by, observed=True, dropna=False)
    keys = g.size().index
    cell = g.ngroup().to_numpy()
    person, people = pd.factorize(joined[on])
    n_cells, n_people = len(keys), len(people)
    pairs = np.unique(person.astype(np.int64) * max(n_cells, 1) + cell)
    if len(pairs) != n_people:
        n = int((np.bincount(pairs // max(n_cells, 1)) > 1).sum())
        raise ValueError(t("errors.clean_room.person_in_several_rows", n=n, by=by))
    person_cell = (pairs % max(n_cells, 1)).astype(np.int64)  # pairs are sorted by person: one row each

    def per_cell(per_person: np.ndarray) -> np.ndarray:
        return np.bincount(person_cell, weights=per_person, minlength=n_cells)

    def per_person(values: np.ndarray) -> np.ndarray:
        return np.bincount(person, weights=values, minlength=n_people)

    cells = {"users": per_cell(np.ones(n_people))}
    for name, (col, how) in metrics.items():
        cap, raw = caps[name], joined[col]
        has = per_person(raw.notna().to_numpy(dtype=float))
        if how == "count":
            cells[f"{name}.count"] = per_cell(np.minimum(has, cap))
            continue
        total = per_person(np.nan_to_num(raw.to_numpy(dtype=float, na_value=np.nan)))
        if how == "sum":
            cells[f"{name}.sum"] = per_cell(np.clip(total, -cap, cap))
        else:  # the person's own mean, clipped; people without a value add nothing
            own = np.divide(total, has, out=np.zeros(n_people), where=has > 0)
            cells[f"{name}.sum"] = per_cell(np.clip(own, -cap, cap))
            cells[f"{name}.count"] = per_cell((has > 0).astype(float))
    parts = noisy_values(metrics)
    eps_each = eps / len(parts)
    noisy = {}
    for part in parts:
        name, _, kind = part.partition(".")
        sens = 1.0 if part == "users" or (kind == "count" and metrics[name][1] == "mean") else caps[name]
        noisy[part] = cells[part] + gen.laplace(0.0, sens / eps_each, n_cells)
    out = pd.DataFrame({"users": noisy["users"]}, index=keys)
    for name, (_col, how) in metrics.items():
        if how == "mean":
            cap = caps[name]
            out[name] = np.clip(noisy[f"{name}.sum"] / np.maximum(noisy[f"{name}.count"], 1.0), -cap, cap)
        else:
            out[name] = noisy[f"{name}.{how}"]
    return out.reset_index()


def differencing_attack(first_party: pd.DataFrame, measurement: pd.DataFrame, *, on: str, target,
                        metric: tuple[str, str], group: str | None = None, min_users: int = DEFAULT_MIN_USERS,
                        epsilon: float | None = None, max_contribution: float | None = None, rng=None) -> dict:
    """Two allowed queries that differ by one person, and what their difference reveals.

    Query A covers everyone in ``first_party``; query B everyone except ``target`` (an ``on``
    value). Both pass the threshold when there are enough people, and their difference is the
    target's own value of ``metric``, a ``(column, how)`` pair:

    * ``sum`` or ``count``: ``A - B``;
    * ``mean``: both queries also ask for the ``count`` of the column, and the attacker computes
      ``count_A * mean_A - count_B * mean_B`` (the target's total of the column).

    ``true_value`` is the target's total (``sum``, ``mean``) or number of values (``count``) in the
    join. With ``epsilon`` (and ``max_contribution``, the bound of the ``sum`` / ``mean``) both
    answers are noisy, each query spends ``epsilon`` (the pair ``2 * epsilon``) and the difference
    is hidden in noise (centred on the target's *clipped* value; ``true_value`` is not clipped).
    Returns ``{"query_a", "query_b", "revealed", "true_value"}``, where the
    queries' numbers are the (summed) metric answers.
    """
    if not isinstance(metric, tuple) or len(metric) != 2 or metric[1] not in _AGGS:
        raise ValueError(t("errors.clean_room.attack_metric", allowed=_AGGS, metric=metric))
    col, how = metric
    fp = first_party.assign(_all="everyone") if group is None else first_party
    by = "_all" if group is None else group
    metrics = {"value": (col, how)}
    caps = None if max_contribution is None else {"value": max_contribution}
    if how == "mean":
        metrics["n"] = (col, "count")
    kw = dict(on=on, by=by, metrics=metrics, min_users=min_users, epsilon=epsilon, max_contribution=caps)
    gen = ps._rng(rng)
    a = clean_room_query(fp, measurement, rng=gen, **kw)
    b = clean_room_query(fp[fp[on] != target], measurement, rng=gen, **kw)
    joined = fp.merge(measurement, on=on, how="inner", suffixes=("", "_measurement"))
    own = joined.loc[joined[on] == target, col]
    truth = own.count() if how == "count" else own.sum()
    if how == "mean":
        va, vb = (float((q["n"] * q["value"]).sum(min_count=1)) for q in (a, b))
    else:
        va, vb = float(a["value"].sum(min_count=1)), float(b["value"].sum(min_count=1))
    return {"query_a": va, "query_b": vb, "revealed": va - vb, "true_value": float(truth)}
