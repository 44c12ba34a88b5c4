"""Conversion-value schemas: how an app's events become SKAN's fine (0–63) and coarse values.

Facts follow ``shared/reference/skan-privacy-sandbox.md`` part A2 (Apple's documentation): the fine
value is 6 bits (0–63), the coarse value is ``"low"``, ``"medium"`` or ``"high"``; SKAN 4 has three
conversion windows after the first launch. How events map to values is the advertiser's choice,
which a :class:`ConversionSchema` writes down and applies.

>>> schema = ConversionSchema(revenue_edges=[0.01, 5, 20, 100])
>>> schema.encode(revenue=[0.0, 7.5, 250.0])
(array([0, 2, 4]), array(['low', 'medium', 'high'], dtype=object))
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.messages import t

__all__ = ["COARSE_VALUES", "FINE_VALUES", "WINDOWS", "ConversionSchema"]

FINE_VALUES = 64
"""A fine conversion value is 6 bits: 0 to 63 inclusive."""
COARSE_VALUES: tuple[str, ...] = ("low", "medium", "high")

WINDOWS: tuple[tuple[float, float], ...] = ((0.0, 2.0), (2.0, 7.0), (7.0, 35.0))
"""SKAN 4 conversion windows in days after the first launch: [start, end) for
``postback-sequence-index`` 0, 1, 2. Apple calls them days 0–2, 3–7 and 8–35; the second ends seven
days after the first launch, the third after 35 days."""


# ---------------------------------------------------------------------------------------------
# conversion-value schemas


def _parse_event(spec) -> tuple[str, int]:
    """``"purchase"`` -> ("purchase", 1); ``"purchase:3"`` -> ("purchase", 3) (at least 3 times)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(t("errors.skan_schema.event_name", spec=spec))
    name, _, count = spec.partition(":")
    if not count:
        return name, 1
    if not count.isdigit() or int(count) < 1:
        raise ValueError(t("errors.skan_schema.event_count", spec=spec))
    return name, int(count)


class ConversionSchema:
    """How a user's activity in a conversion window becomes a fine value (0–63) and a coarse value.

    Three layouts, all from one constructor:

    * **Revenue buckets** (``revenue_edges`` only): the fine value is the bucket number. With edges
      ``e1 < e2 < … < ek`` value 0 means revenue below ``e1``, value ``i`` means ``e_i <= revenue < e_(i+1)``,
      value ``k`` means revenue of at least ``ek``. At most 63 edges (64 values).
    * **Funnel bits** (``events`` only): bit ``j`` (value ``2**j``) is set when the user did
      ``events[j]``. ``"purchase:2"`` means at least two purchases. At most 6 events.
    * **Hybrid** (both): the low bits are the events, the high bits the revenue bucket:
      ``fine = bucket * 2**len(events) + event_bits``. The buckets times ``2**len(events)`` must fit in 64.

    Revenue is cumulative since install by default (``cumulative=True``), what most apps report;
    with ``cumulative=False`` each window's value counts only that window's revenue.

    **Coarse value.** ``coarse_revenue=(medium_from, high_from)`` maps revenue to low / medium / high;
    ``coarse_events=(medium_event, high_event)`` maps events instead (high wins over medium). By
    default a schema with revenue edges uses ``(edges[0], edges[len(edges) // 2])`` and a funnel-only
    schema uses ``(events[0], events[-1])``.

    A schema that cannot work (more than 64 fine values, unsorted or negative edges, repeated
    events, a bad coarse rule) raises a ``ValueError`` that says what to change.

    >>> s = ConversionSchema(revenue_edges=[1, 10], events=["sign_up", "purchase:2"])
    >>> s.n_values
    12
    >>> int(s.encode(revenue=[12.0], events={"sign_up": [1], "purchase": [2]})[0][0])
    11
    >>> s.decode(11)["revenue_range"], s.decode(11)["events"]
    ((10.0, inf), ('sign_up', 'purchase:2'))
    """

    def __init__(self, revenue_edges: Sequence[float] | None = None, events: Sequence[str] | None = None,
                 *, coarse_revenue: Sequence[float] | None = None, coarse_events: Sequence[str] | None = None,
                 cumulative: bool = True, name: str | None = None) -> None:
        edges = () if revenue_edges is None else tuple(revenue_edges)
        evs = () if events is None else tuple(events)
        if isinstance(revenue_edges, (str, bytes)) or isinstance(events, (str, bytes)):
            raise ValueError(t("errors.skan_schema.lists"))
        if not edges and not evs:
            raise ValueError(t("errors.skan_schema.empty"))
        try:
            edges = tuple(float(e) for e in edges)
        except (TypeError, ValueError) as exc:
            raise ValueError(t("errors.skan_schema.edges_numbers", edges=revenue_edges)) from exc
        if any(not math.isfinite(e) or e < 0 for e in edges):
            raise ValueError(t("errors.skan_schema.edges_finite", edges=list(edges)))
        bad = [i for i in range(1, len(edges)) if edges[i] <= edges[i - 1]]
        if bad:
            i = bad[0]
            raise ValueError(t("errors.skan_schema.edges_increasing", previous=edges[i - 1], following=edges[i],
                               position=i))
        parsed = tuple(_parse_event(e) for e in evs)
        if len(set(evs)) != len(evs):
            raise ValueError(t("errors.skan_schema.events_repeated", events=list(evs)))
        if len(evs) > 6:
            raise ValueError(t("errors.skan_schema.too_many_events", count=len(evs)))
        n_buckets = len(edges) + 1
        n_values = n_buckets * 2 ** len(evs)
        if n_values > FINE_VALUES:
            raise ValueError(t("errors.skan_schema.too_many_values", n_values=n_values, n_buckets=n_buckets,
                               combinations=2 ** len(evs)))
        if coarse_revenue is not None and coarse_events is not None:
            raise ValueError(t("errors.skan_schema.coarse_both"))
        if coarse_revenue is None and coarse_events is None:
            if edges:
                coarse_revenue = (edges[0], edges[len(edges) // 2])
            else:
                coarse_events = (evs[0], evs[-1])
        if coarse_revenue is not None:
            cr = tuple(coarse_revenue)
            if len(cr) != 2 or any(not isinstance(x, (int, float)) or not math.isfinite(x) for x in cr) \
                    or cr[0] > cr[1] or cr[0] < 0:
                raise ValueError(t("errors.skan_schema.coarse_revenue", value=coarse_revenue))
            self.coarse_revenue: tuple[float, float] | None = (float(cr[0]), float(cr[1]))
            self.coarse_events: tuple[str, str] | None = None
        else:
            ce = tuple(coarse_events)
            if len(ce) != 2:
                raise ValueError(t("errors.skan_schema.coarse_events", value=coarse_events))
            for e in ce:
                _parse_event(e)
            self.coarse_revenue, self.coarse_events = None, (ce[0], ce[1])
        self.revenue_edges: tuple[float, ...] = edges
        self.events: tuple[str, ...] = evs
        self._parsed = parsed
        self.cumulative = bool(cumulative)
        self.name = name or ("hybrid" if edges and evs else "revenue" if edges else "funnel")

    # ---- layout -------------------------------------------------------------------------------

    @property
    def n_values(self) -> int:
        """How many fine values the schema uses (values 0 .. n_values - 1)."""
        return (len(self.revenue_edges) + 1) * 2 ** len(self.events)

    @property
    def event_names(self) -> tuple[str, ...]:
        """The distinct event names the schema counts (``"purchase:2"`` counts ``purchase``)."""
        names = [n for n, _ in self._parsed]
        if self.coarse_events:
            names += [_parse_event(e)[0] for e in self.coarse_events]
        return tuple(dict.fromkeys(names))

    def __repr__(self) -> str:
        return (f"ConversionSchema(revenue_edges={list(self.revenue_edges)}, events={list(self.events)}, "
                f"coarse_revenue={self.coarse_revenue}, coarse_events={self.coarse_events}, "
                f"cumulative={self.cumulative})")

    # ---- encoding ---------------------------------------------------------------------------

    def encode(self, revenue=None, events: Mapping[str, Sequence[int]] | None = None):
        """Fine and coarse values for one or many users (vectorised).

        ``revenue``: revenue in the window (a number or an array). ``events``: a mapping from event
        name to how many times each user did it (numbers or arrays of the same length). Returns
        ``(fine, coarse)``: an int array and an object array of ``"low"``/``"medium"``/``"high"``.
        """
        counts = {k: np.atleast_1d(np.asarray(v, dtype=np.int64)) for k, v in (events or {}).items()}
        lengths = {len(v) for v in counts.values()}
        rev = np.atleast_1d(np.asarray(0.0 if revenue is None else revenue, dtype=float))
        n = max([len(rev), *lengths]) if lengths else len(rev)
        if len(rev) == 1 and n > 1:
            rev = np.repeat(rev, n)
        if len(rev) != n or any(length not in (1, n) for length in lengths):
            raise ValueError(t("errors.skan_schema.lengths"))
        if np.isnan(rev).any() or (rev < 0).any():
            raise ValueError(t("errors.skan_schema.revenue_negative"))

        def did(spec: str) -> np.ndarray:
            name, k = _parse_event(spec)
            c = counts.get(name)
            return np.zeros(n, bool) if c is None else np.broadcast_to(c >= k, (n,))

        bits = np.zeros(n, dtype=np.int64)
        for j, spec in enumerate(self.events):
            bits |= did(spec).astype(np.int64) << j
        bucket = np.searchsorted(np.asarray(self.revenue_edges), rev, side="right") if self.revenue_edges \
            else np.zeros(n, dtype=np.int64)
        fine = bucket.astype(np.int64) * 2 ** len(self.events) + bits
        if self.coarse_revenue is not None:
            level = (rev >= self.coarse_revenue[0]).astype(int) + (rev >= self.coarse_revenue[1]).astype(int)
        else:
            med, high = (did(e) for e in self.coarse_events)
            level = np.where(high, 2, np.where(med, 1, 0))
        coarse = np.asarray(COARSE_VALUES, dtype=object)[level]
        return fine, coarse

    def encode_events(self, events: pd.DataFrame):
        """Encode one user's events (a frame with ``event_name`` and ``revenue``) into ``(fine, coarse)``."""
        missing = {"event_name", "revenue"} - set(events.columns)
        if missing:
            raise ValueError(t("errors.skan_schema.event_columns", columns=sorted(missing)))
        counts = events["event_name"].value_counts()
        fine, coarse = self.encode(float(events["revenue"].fillna(0).sum()),
                                   {k: [int(v)] for k, v in counts.items()})
        return int(fine[0]), str(coarse[0])

    # ---- decoding -----------------------------------------------------------------------------

    def decode(self, fine: int) -> dict:
        """What a fine value says: ``{"fine": v, "revenue_range": (low, high), "events": (...)}``."""
        if isinstance(fine, bool) or not isinstance(fine, (int, np.integer)) or not 0 <= fine < FINE_VALUES:
            raise ValueError(t("errors.skan_schema.fine_range", value=fine))
        if fine >= self.n_values:
            raise ValueError(t("errors.skan_schema.fine_unused", value=fine, last=self.n_values - 1))
        k = len(self.events)
        bucket, bits = int(fine) >> k, int(fine) & (2 ** k - 1)
        lows = (0.0, *self.revenue_edges)
        highs = (*self.revenue_edges, math.inf)
        return {"fine": int(fine), "revenue_range": (lows[bucket], highs[bucket]),
                "events": tuple(e for j, e in enumerate(self.events) if bits >> j & 1)}

    def decode_coarse(self, coarse: str) -> dict:
        """What a coarse value says under this schema's coarse rule.

        Returns ``{"coarse": level, "revenue_range": (low, high) or None, "events": (...)}``. With a
        revenue rule ``(medium_from, high_from)``: low is ``[0, medium_from)``, medium
        ``[medium_from, high_from)``, high ``[high_from, inf)`` and ``events`` is empty. With an event
        rule ``(medium_event, high_event)``: high means the user did ``high_event``, medium that
        they did ``medium_event`` but not ``high_event``, low neither; ``revenue_range`` is ``None``
        (the value says nothing about revenue).

        >>> ConversionSchema(revenue_edges=[1, 10, 50]).decode_coarse("medium")["revenue_range"]
        (1.0, 10.0)
        """
        if coarse not in COARSE_VALUES:
            raise ValueError(t("errors.skan_schema.coarse_value", value=coarse))
        level = COARSE_VALUES.index(coarse)
        if self.coarse_revenue is not None:
            bounds = (0.0, *self.coarse_revenue, math.inf)
            return {"coarse": coarse, "revenue_range": (bounds[level], bounds[level + 1]), "events": ()}
        events = () if level == 0 else (self.coarse_events[level - 1],)
        return {"coarse": coarse, "revenue_range": None, "events": events}

    def table(self) -> pd.DataFrame:
        """The documented mapping: one row per fine value with its revenue range and events."""
        rows = [self.decode(v) for v in range(self.n_values)]
        return pd.DataFrame({
            "fine": [r["fine"] for r in rows],
            "revenue_from": [r["revenue_range"][0] for r in rows],
            "revenue_below": [r["revenue_range"][1] for r in rows],
            "events": [" + ".join(r["events"]) for r in rows],
        })

