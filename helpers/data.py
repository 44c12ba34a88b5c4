"""Load the course datasets: ``load("attribution/touches")`` - the only way notebooks read data.

Every dataset has a schema in :data:`SCHEMAS`: its columns in order, each with a type, a unit and a
description (the data cards in ``datasets/`` are generated from it). :func:`load` reads the CSV,
parses timestamps as UTC, sets the dtypes and checks the values; anything wrong raises a
:class:`DataError` that names the dataset, the column, the row and the bad value.

Datasets: ``attribution/<table>`` (course 01's world, with ``paths``), ``fraud/<table>`` (course 02's
world, with labelled fraud) and one world per vertical, ``world-<vertical>/<table>`` for gaming,
ecommerce, home_services and subscription; the tables are users, touches, installs, events, spend
and deeplink_clicks (see :data:`WORLD_TABLES`). :func:`load_world` reads every table of one folder
and returns a :class:`helpers.synth.World`:

>>> from helpers.data import load_world
>>> world = load_world("fraud")                     # doctest: +SKIP
>>> from helpers.fraud import inputs_from_world     # doctest: +SKIP
>>> inputs = inputs_from_world(world)               # doctest: +SKIP

A table is stored as ``<table>.csv`` or, when big, as gzip-compressed ``<table>.csv.gz``; both read
the same way.

Where the files live: the ``directory`` argument, else the ``MMA_DATASETS`` environment variable,
else the repository's ``datasets/`` folder next to the ``helpers`` package.

>>> from helpers.data import load
>>> touches = load("attribution/touches")          # doctest: +SKIP
>>> touches["touch_time"].dtype                     # doctest: +SKIP
datetime64[ns, UTC]

Type conventions: ``str`` columns use pandas' string dtype (missing = NaN), ``datetime`` columns
are ``datetime64[ns, UTC]``, ``bool`` columns hold True/False (no missing values), ``int`` columns
are ``int64``, ``float`` columns ``float64``. Extra columns in a file are kept but trigger a
:class:`DataWarning`; a missing column is an error.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.messages import t

__all__ = ["SCHEMAS", "WORLD_TABLES", "WORLD_VERTICALS", "WORLDS", "Column", "DataError", "DataWarning", "Schema",
           "available", "card", "dataset_path", "default_directory", "load", "load_world", "validate"]

ENV_VAR = "MMA_DATASETS"
_STR = "str"
_KINDS = ("str", "int", "float", "bool", "datetime")


class DataError(ValueError):
    """A dataset is missing, unknown, or does not match its schema."""


class DataWarning(UserWarning):
    """Something in a dataset is unexpected but usable (e.g. an extra column)."""


@dataclass(frozen=True)
class Column:
    """One column of a dataset.

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``datetime``. ``view`` says who knows
    the value: ``truth`` (only the simulator; an MMP never sees it), ``mmp`` (what the MMP's SDK
    or the networks report), ``network`` (from the ad networks' cost reports) or ``derived``.
    """

    name: str
    kind: str
    unit: str
    description: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    view: str = "mmp"

    @property
    def dtype(self) -> str:
        return {"str": _STR, "int": "int64", "float": "float64", "bool": "bool",
                "datetime": "datetime64[ns, UTC]"}[self.kind]


@dataclass(frozen=True)
class Schema:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


_PLATFORMS = ("android", "ios")
_COUNTRIES = ("JP", "KR", "US")
_SOURCE = "media source name (e.g. google_ads, applovin)"

_USER_ID = Column("user_id", "str", "ID", "Person in the simulation, e.g. u000123.", view="truth")
_DEVICE_ID = Column("device_id", "str", "ID",
                    "Advertising ID (GAID on Android, IDFA on iOS). Missing on iOS without ATT consent.",
                    nullable=True)
_FINGERPRINT = Column("fingerprint", "str", "key",
                      "IP address + device model + OS version, the key for probabilistic matching. "
                      "People behind one carrier-NAT address with the same phone share it.")

SCHEMAS: dict[str, Schema] = {}


def _register(schema: Schema) -> None:
    SCHEMAS[schema.name] = schema


_FRAUD_TYPES = ("bot", "click_flooding", "click_injection", "device_farm", "sdk_spoofing")
_FRAUD = Column("fraud_type", "str", "category",
                "Truth label of the fraud module (helpers.synth.fraud): which kind of fraud produced this "
                "row. Missing for genuine rows (every row of a world generated without fraud).",
                nullable=True, allowed=_FRAUD_TYPES, view="truth")
_IP_NOTE = ("Ordinary users come from 100.64.0.0/10 (RFC 6598) or 2001:db8::/32 (RFC 3849); the RFC 5737 "
            "ranges 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 stand for datacenters (fraud rows "
            "only). Never a real address.")
WORLD_TABLES: tuple[str, ...] = ("users", "touches", "installs", "events", "spend", "deeplink_clicks")
"""Tables of every simulated world (``attribution`` also has ``paths``)."""
WORLD_VERTICALS: tuple[str, ...] = ("gaming", "ecommerce", "home_services", "subscription")
"""The default per-vertical worlds: datasets ``world-<vertical>/<table>``."""


def _register_world(prefix: str, paths: bool = False) -> None:
    """The schemas of one simulated world's tables, under ``<prefix>/<table>``."""
    _register(Schema(
        f"{prefix}/users", "People (ground truth)",
        "One row per simulated person: everyone who installed in the window and a sample of people who "
        "only saw or clicked ads. The whole table is truth; an MMP only knows devices that opened the app.",
        (
            _USER_ID,
            Column("device_id", "str", "ID", _DEVICE_ID.description, nullable=True, view="truth"),
            Column("fingerprint", "str", "key", _FINGERPRINT.description, view="truth"),
            Column("ip", "str", "IP address", "Usual IP address (IPv4, or IPv6 for some people). " + _IP_NOTE,
                   view="truth"),
            Column("device_model", "str", "name", "Phone model, e.g. iPhone16 or SM-S928N.",
                   view="truth"),
            Column("platform", "str", "category", "Operating system.", allowed=_PLATFORMS, view="truth"),
            Column("country", "str", "ISO 3166 code", "Country.", allowed=_COUNTRIES, view="truth"),
            Column("att_consent", "bool", "flag",
                   "Advertising ID available: True on Android, on iOS only if the person allowed tracking (ATT).",
                   view="truth"),
            Column("acquisition", "str", "category",
                   f"What truly caused the first install: a {_SOURCE} or 'organic'. Missing for people who "
                   "never installed.", nullable=True, view="truth"),
            Column("first_install_time", "datetime", "UTC",
                   "First install (first app open) ever; may be before the window for people whose install "
                   "in the window is a reinstall. Missing for people who never installed.",
                   nullable=True, view="truth"),
        ),
    ))
    _register(Schema(
        f"{prefix}/touches", "Ad touches (clicks and impressions)",
        "Every ad click and impression the simulated people received, as ad networks would report "
        "them to an MMP (plus the true user_id, which the MMP does not see). Touches start 30 days "
        "before the install window so early installs have a lookback history.",
        (
            Column("touch_id", "str", "ID", "Touch, e.g. t0001234, numbered in time order."),
            Column("user_id", "str", "ID", "Person who was touched. Truth: the MMP cannot see it and "
                   "must match on device_id or fingerprint.", view="truth"),
            _DEVICE_ID,
            Column("fingerprint", "str", "key", _FINGERPRINT.description + " Differs from the install's "
                   "when the IP changed between the ad and the install (e.g. Wi-Fi vs cellular)."),
            Column("ip", "str", "IP address", "IP address the network saw with the touch (the first part of "
                   "fingerprint). " + _IP_NOTE),
            Column("media_source", "str", "category", "Ad network or self-attributing network that served the ad."),
            Column("campaign", "str", "name", "Campaign name, e.g. gaming_ua_broad; *_rt_* campaigns are retargeting."),
            Column("site_id", "str", "ID", "Publisher app or placement that showed the ad, e.g. site_0042."),
            Column("touch_type", "str", "category", "click or impression.", allowed=("click", "impression")),
            Column("touch_time", "datetime", "UTC", "When the ad was clicked or shown."),
            Column("is_retargeting", "bool", "flag",
                   "From a retargeting campaign aimed at people who already installed. Every touch after a "
                   "person's first install is a retargeting touch."),
            _FRAUD,
        ),
    ))
    _register(Schema(
        f"{prefix}/installs", "Installs (first app opens)",
        "One row per install as the app's SDK reports it at first open, including reinstalls. The "
        "columns is_reinstall, previous_install_time and true_source are truth; an MMP has to infer "
        "reinstalls from the device ID and the source from its attribution rules. On Android the "
        "Google Play Install Referrer adds install_begin_time and referrer_click_time.",
        (
            Column("install_id", "str", "ID", "Install, e.g. i000123, numbered in time order."),
            _USER_ID,
            _DEVICE_ID,
            _FINGERPRINT,
            Column("ip", "str", "IP address", "IP address of the device at first open. " + _IP_NOTE),
            Column("platform", "str", "category", "Operating system.", allowed=_PLATFORMS),
            Column("country", "str", "ISO 3166 code", "Country at install.", allowed=_COUNTRIES),
            Column("install_time", "datetime", "UTC", "First app open after the download (the MMP's install time)."),
            Column("install_begin_time", "datetime", "UTC",
                   "Android only (Play Install Referrer install_begin_timestamp): when the download started, "
                   "a few seconds to minutes before install_time. Missing on iOS.", nullable=True),
            Column("referrer_click_time", "datetime", "UTC",
                   "Android only (Play Install Referrer referrer_click_timestamp): time of the ad click whose "
                   "referrer the store passed to the app - the click that caused the install. Missing on "
                   "iOS and for organic and view-through installs.", nullable=True),
            Column("is_reinstall", "bool", "flag", "The person had installed the app before.", view="truth"),
            Column("previous_install_time", "datetime", "UTC",
                   "The earlier install of a reinstall (may be before the window); missing otherwise.",
                   nullable=True, view="truth"),
            Column("true_source", "str", "category",
                   f"What truly caused this install: a {_SOURCE} or 'organic'.", view="truth"),
            _FRAUD,
        ),
    ))
    _register(Schema(
        f"{prefix}/events", "In-app events",
        "Sessions, sign-ups and purchases reported by the app's SDK. There is no media source here: "
        "the MMP joins events to installs and installs to their attributed source.",
        (
            Column("event_id", "str", "ID", "Event, e.g. e0012345, numbered in time order."),
            Column("user_id", "str", "ID", "Person (truth; the MMP knows the install).", view="truth"),
            Column("install_id", "str", "ID", f"Install the event belongs to (joins {prefix}/installs)."),
            Column("event_name", "str", "category",
                   "session (one per active day; day 0 is the first open), sign_up or purchase.",
                   allowed=("purchase", "session", "sign_up")),
            Column("event_time", "datetime", "UTC", "When the event happened."),
            Column("revenue", "float", "USD", "Purchase amount in US dollars; 0 for other events.", minimum=0.0),
            Column("receipt_valid", "bool", "flag",
                   "The purchase's App Store / Google Play receipt validated (server-side check). True for "
                   "every genuine purchase; False for sessions and sign-ups (no receipt) and for purchases "
                   "faked by the fraud module."),
            _FRAUD,
        ),
    ))
    _register(Schema(
        f"{prefix}/spend", "Daily cost by campaign",
        "What each campaign cost per day in the window, as the networks' cost reports show it. Cost is "
        "a CPI for every install the campaign truly caused (from the network's CPI range for the "
        "country) plus a cost per click on retargeting campaigns. impressions and clicks count the "
        f"touches in {prefix}/touches that day; the world only holds people relevant to the app, so "
        "click-through rates are far higher than a real network would report.",
        (
            Column("date", "datetime", "UTC date", "Day (UTC midnight; written as YYYY-MM-DD).", view="network"),
            Column("media_source", "str", "category", "Network.", view="network"),
            Column("campaign", "str", "name", "Campaign name.", view="network"),
            Column("cost", "float", "USD", "Spend that day.", minimum=0.0, view="network"),
            Column("impressions", "int", "count", "Impressions that day.", minimum=0, view="network"),
            Column("clicks", "int", "count", "Clicks that day.", minimum=0, view="network"),
        ),
    ))
    _register(Schema(
        f"{prefix}/deeplink_clicks", "Deep-link clicks",
        "Clicks on links that point into the app (deep links), from three sources: a share of the ad "
        "clicks that caused paid installs, every retargeting click, and the app's own e-mail, push and "
        "mobile-web links. When the app is installed the link opens it directly (Universal Link / App "
        "Link); otherwise it goes through the store and the app can only open the path after the "
        "install (deferred deep link). As the app's deep-link log would record it, plus the truth "
        "(user_id, whether the deferred match worked, the landing page's outcome).",
        (
            Column("click_id", "str", "ID", "Deep-link click, e.g. d000123, numbered in time order."),
            Column("user_id", "str", "ID", "Person who clicked.", view="truth"),
            _DEVICE_ID,
            Column("platform", "str", "category", "Operating system.", allowed=_PLATFORMS),
            Column("media_source", "str", "category",
                   f"Where the link was: a {_SOURCE}, or the app's own channels owned_email, owned_push, "
                   "owned_web."),
            Column("campaign", "str", "name", "Campaign, e.g. ecommerce_ua_broad or ecommerce_crm_email."),
            Column("click_time", "datetime", "UTC", "When the link was clicked."),
            Column("app_installed", "bool", "flag", "The app was on the phone at click time.", view="truth"),
            Column("link_kind", "str", "category",
                   "direct (app installed: the link opens it) or deferred (the link led through the store).",
                   allowed=("deferred", "direct")),
            Column("landing_path", "str", "path",
                   "In-app page the link points to: /signup, /benefits (sign-up benefits page) or a content "
                   "page of the vertical such as /product/123 or /cleaning/aircon."),
            Column("saw_benefits", "bool", "flag",
                   "The person had already seen the sign-up benefits page before this click (the rule in "
                   "the Amondz story sends them straight to /signup; about half of them were).", view="truth"),
            Column("opened", "bool", "flag",
                   "The app opened on landing_path: directly within seconds, or (deferred) at the first open "
                   "after the install when the deferred match worked. False when the link fell back to the "
                   "web or the person never installed."),
            Column("open_time", "datetime", "UTC", "When the app showed landing_path; missing if not opened.",
                   nullable=True),
            Column("converted", "bool", "flag",
                   "Within 24 hours of the open the person completed the page's goal: a sign-up on /signup "
                   "and /benefits, a purchase or booking on content pages. Not mirrored in the events table.",
                   view="truth"),
            Column("conversion_time", "datetime", "UTC", "When the goal was completed; missing otherwise.",
                   nullable=True, view="truth"),
        ),
    ))
    if paths:
        _register(Schema(
            f"{prefix}/paths", "Journeys for multi-touch models",
            f"Customer journeys built from {prefix}/touches: for each person with at least one "
            "non-retargeting touch, the media sources of their touches (clicks and impressions) before "
            "their first install, in time order, joined with ' > '. Identical paths are counted together.",
            (
                Column("path", "str", "channels", "Media sources in time order joined by ' > '.", view="derived"),
                Column("conversions", "int", "count", "People on this path who then installed.", minimum=0,
                       view="derived"),
                Column("nulls", "int", "count", "People on this path who never installed.", minimum=0,
                       view="derived"),
            ),
        ))


_register_world("attribution", paths=True)
_register_world("fraud")
for _vertical in WORLD_VERTICALS:
    _register_world(f"world-{_vertical}")

WORLDS: tuple[str, ...] = ("attribution", "fraud", *(f"world-{v}" for v in WORLD_VERTICALS))
"""Dataset folders that hold a whole simulated world (names accepted by :func:`load_world`)."""


# --------------------------------------------------------------------------------------------
# locating files


def available() -> list[str]:
    """Names accepted by :func:`load`."""
    return sorted(SCHEMAS)


def _schema(name: str) -> Schema:
    if not isinstance(name, str) or name not in SCHEMAS:
        raise DataError(t("errors.data.unknown_dataset", name=repr(name), available=", ".join(available())))
    return SCHEMAS[name]


def default_directory() -> Path:
    """``$MMA_DATASETS`` if set, else the ``datasets/`` folder beside the ``helpers`` package."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "datasets"


def dataset_path(name: str, directory=None) -> Path:
    """The CSV file behind a dataset name, e.g. ``datasets/attribution/touches.csv``.

    ``<name>.csv`` if it exists, else ``<name>.csv.gz`` if that exists (a gzip-compressed table),
    else ``<name>.csv`` (which :func:`load` reports as missing).
    """
    _schema(name)
    base = Path(directory) if directory is not None else default_directory()
    plain = base / f"{name}.csv"
    gz = base / f"{name}.csv.gz"
    return gz if not plain.is_file() and gz.is_file() else plain


# --------------------------------------------------------------------------------------------
# parsing and validation


def _fail(name: str, column: str, pos: int, value, expected: str, filename: str | None) -> DataError:
    where = (t("errors.data.where_row_line", row=pos, line=pos + 2, filename=filename) if filename
             else t("errors.data.where_row", row=pos))
    return DataError(t("errors.data.bad_value", name=name, column=column, value=_show(value), where=where,
                       expected=expected))


def _show(value) -> str:
    """A value as the learner would type it: 'abc', -4.99, 2026-03-01 00:00:00+00:00."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return str(value)
    return repr(value)


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _expected(col: Column) -> str:
    text = t(f"errors.data.expected_{col.kind}")
    return text + (f" ({col.unit})" if col.kind in ("float", "int") and col.unit else "")


def _coerce(raw: pd.DataFrame, schema: Schema, filename: str | None = None) -> pd.DataFrame:
    """Text columns (as read from CSV) -> typed columns, with errors naming the bad cell."""
    out = {}
    for col in schema.columns:
        if col.name not in raw.columns:
            continue
        s = raw[col.name]
        present = s.notna().to_numpy()
        if col.kind == "str":
            out[col.name] = s.astype(_STR)
            continue
        text = s.astype(object).where(s.notna(), None)
        if col.kind in ("int", "float"):
            values = pd.to_numeric(text, errors="coerce")
            bad = present & values.isna().to_numpy()
            if col.kind == "int":
                num = values.to_numpy(dtype=float, na_value=np.nan)
                bad |= present & np.isfinite(num) & (num != np.round(num))
            if bad.any():
                pos = _first_bad(bad)
                raise _fail(schema.name, col.name, pos, text.iloc[pos], _expected(col), filename)
            if col.kind == "int" and not present.all():
                pos = _first_bad(~present)
                raise _fail(schema.name, col.name, pos, "", _expected(col), filename)
            out[col.name] = values.astype(col.dtype)
        elif col.kind == "bool":
            mapped = text.map(lambda v: {"true": True, "false": False, "1": True, "0": False}.get(
                str(v).strip().lower()) if v is not None else None)
            bad = mapped.isna().to_numpy()
            if bad.any():
                pos = _first_bad(bad)
                raise _fail(schema.name, col.name, pos, "" if text.iloc[pos] is None else text.iloc[pos],
                            _expected(col), filename)
            out[col.name] = mapped.astype(bool)
        else:  # datetime
            values = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
            bad = present & values.isna().to_numpy()
            if bad.any():
                pos = _first_bad(bad)
                raise _fail(schema.name, col.name, pos, text.iloc[pos], _expected(col), filename)
            out[col.name] = values.astype("datetime64[ns, UTC]")
    frame = pd.DataFrame(out, index=raw.index)
    extra = [c for c in raw.columns if c not in schema.column_names]
    for c in extra:
        frame[c] = raw[c]
    return frame[[c for c in schema.column_names if c in frame.columns] + extra]


def _kind_ok(col: Column, s: pd.Series) -> bool:
    t = pd.api.types
    if col.kind == "datetime":
        return isinstance(s.dtype, pd.DatetimeTZDtype) and str(s.dtype.tz) == "UTC"
    if col.kind == "int":
        return t.is_integer_dtype(s.dtype) and not t.is_bool_dtype(s.dtype)
    if col.kind == "float":
        return t.is_numeric_dtype(s.dtype) and not t.is_bool_dtype(s.dtype)
    if col.kind == "bool":
        return t.is_bool_dtype(s.dtype)
    if not (t.is_string_dtype(s.dtype) or s.dtype == object):
        return False
    return bool(s.dropna().map(type).eq(str).all())


def validate(df: pd.DataFrame, name: str, *, extra: str = "warn") -> pd.DataFrame:
    """Check a DataFrame against a dataset's schema; return it unchanged if it passes.

    Checks: every column present, each column's dtype, no missing values where the schema forbids
    them, allowed categories, no negative counts or money. ``extra`` decides what an unexpected
    column does: ``"warn"`` (default, a :class:`DataWarning`), ``"error"`` or ``"ignore"``.
    Raises :class:`DataError` naming the column, the row and the bad value.

    >>> import pandas as pd
    >>> validate(pd.DataFrame({"path": ["a > b"], "conversions": [1]}), "attribution/paths")
    Traceback (most recent call last):
    ...
    helpers.data.DataError: attribution/paths: missing column 'nulls' (int, count: People on this path who never installed.)
    """
    schema = _schema(name)
    if extra not in ("warn", "error", "ignore"):
        raise ValueError(t("errors.data.extra_option"))
    if not isinstance(df, pd.DataFrame):
        raise DataError(t("errors.data.not_dataframe", name=name, type=type(df).__name__))
    missing = [c for c in schema.columns if c.name not in df.columns]
    if missing:
        c = missing[0]
        others = (t("errors.data.and_more", count=len(missing) - 1, names=", ".join(m.name for m in missing[1:]))
                  if len(missing) > 1 else "")
        raise DataError(t("errors.data.missing_column", name=name, column=c.name, kind=c.kind, unit=c.unit,
                          description=c.description, others=others))
    unexpected = [c for c in df.columns if c not in schema.column_names]
    if unexpected and extra != "ignore":
        msg = t("errors.data.unexpected_columns", name=name, columns=", ".join(map(repr, unexpected)),
                expected=", ".join(schema.column_names))
        if extra == "error":
            raise DataError(msg)
        warnings.warn(msg, DataWarning, stacklevel=2)
    for col in schema.columns:
        s = df[col.name]
        if not _kind_ok(col, s):
            sample = s.dropna()
            shown = t("errors.data.first_value", value=_show(sample.iloc[0])) if len(sample) else ""
            raise DataError(t("errors.data.wrong_dtype", name=name, column=col.name, dtype=s.dtype, shown=shown,
                              kind=col.kind, col_dtype=col.dtype, unit=col.unit))
        isna = s.isna().to_numpy()
        if not col.nullable and isna.any():
            pos = _first_bad(isna)
            raise DataError(t("errors.data.missing_value", name=name, column=col.name, row=repr(df.index[pos]),
                              expected=_expected(col)))
        if col.allowed is not None:
            bad = ~isna & ~s.isin(col.allowed).to_numpy()
            if bad.any():
                pos = _first_bad(bad)
                raise DataError(t("errors.data.not_allowed", name=name, column=col.name, value=_show(s.iloc[pos]),
                                  row=repr(df.index[pos]), allowed=", ".join(col.allowed)))
        if col.minimum is not None:
            bad = ~isna & (s.to_numpy() < col.minimum)
            if bad.any():
                pos = _first_bad(bad)
                raise DataError(t("errors.data.negative", name=name, column=col.name, value=_show(s.iloc[pos]),
                                  row=repr(df.index[pos]), unit=col.unit))
    return df


# --------------------------------------------------------------------------------------------
# loading


@functools.lru_cache(maxsize=32)
def _read(path: str, mtime_ns: int, size: int, name: str) -> pd.DataFrame:
    schema = SCHEMAS[name]
    try:  # compression is inferred from the name: .csv.gz files are decompressed on the fly
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (OSError, EOFError) as exc:
        if not path.endswith(".gz"):
            raise
        raise DataError(t("errors.data.bad_gzip", name=name, filename=Path(path).name, error=exc)) from None
    missing = [c for c in schema.column_names if c not in raw.columns]
    if missing:
        c = next(col for col in schema.columns if col.name == missing[0])
        raise DataError(t("errors.data.missing_column_in_file", name=name, column=c.name, filename=Path(path).name,
                          kind=c.kind, unit=c.unit, description=c.description))
    frame = _coerce(raw, schema, Path(path).name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # reported by load() on every call
        validate(frame, name, extra="ignore")
    return frame


def load(name: str, directory=None) -> pd.DataFrame:
    """Read a dataset by name, typed and validated; e.g. ``load("attribution/installs")``.

    Returns a fresh copy each time (edit it freely); the parsed file is cached in memory and
    re-read when it changes on disk. Raises :class:`DataError` for unknown names, missing files
    and any value that does not match the schema.
    """
    schema = _schema(name)
    path = dataset_path(name, directory)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(t("errors.data.file_not_found", name=name, path=path, env_var=ENV_VAR)) from None
    frame = _read(str(path.resolve()), stat.st_mtime_ns, stat.st_size, name)
    extra = [c for c in frame.columns if c not in schema.column_names]
    if extra:
        warnings.warn(t("errors.data.unexpected_columns_in_file", name=name, columns=", ".join(map(repr, extra)),
                        filename=path.name, expected=", ".join(schema.column_names)), DataWarning, stacklevel=2)
    return frame.copy()


def load_world(name: str, directory=None):
    """Every table of one dataset folder, loaded with :func:`load` (typed, validated), as a
    :class:`helpers.synth.World`; e.g. ``load_world("fraud")``.

    ``name`` is one of :data:`WORLDS`: ``attribution``, ``fraud`` or ``world-<vertical>``. The
    world's scenario, seed, start and length are those of the default set the folder was built
    with (:data:`helpers.synth.build.DEFAULT_SET`); ``n_users`` is the number of people in
    ``users``. ``attribution/paths`` is not part of a World (``world.paths()`` recomputes it; use
    ``load("attribution/paths")`` for the file).

    >>> load_world("clicks")
    Traceback (most recent call last):
    ...
    helpers.data.DataError: unknown world 'clicks'; available worlds: attribution, fraud, world-gaming, world-ecommerce, world-home_services, world-subscription
    """
    if not isinstance(name, str) or name not in WORLDS:
        raise DataError(t("errors.data.unknown_world", name=repr(name), available=", ".join(WORLDS)))
    from helpers.synth.build import DEFAULT_SET  # imported here: helpers.synth.build imports this module
    from helpers.synth.scenarios import get_scenario
    from helpers.synth.world import World

    spec = next((s for s in DEFAULT_SET if s.name == name), None)
    if spec is None:  # a name of WORLDS that the default set does not build
        raise DataError(t("errors.data.world_not_default", name=repr(name),
                          available=", ".join(s.name for s in DEFAULT_SET)))
    tables = {t: load(f"{name}/{t}", directory) for t in WORLD_TABLES}
    return World(scenario=get_scenario(spec.vertical), seed=int(spec.seed), n_users=len(tables["users"]),
                 start=pd.Timestamp(spec.start, tz="UTC"), days=int(spec.days), **tables)


def card(name: str) -> str:
    """The columns of a dataset as a Markdown table (used in the data cards)."""
    schema = _schema(name)
    rows = ["| column | type | unit | who knows it | description |", "|---|---|---|---|---|"]
    for c in schema.columns:
        notes = c.description
        if c.allowed:
            notes += f" Values: {', '.join(c.allowed)}."
        if c.nullable:
            notes += " May be empty."
        rows.append(f"| `{c.name}` | {c.kind} | {c.unit} | {c.view} | {notes} |")
    return "\n".join(rows)
