"""Shared input checks for the ``helpers`` domain modules.

Every public function in :mod:`helpers.attribution` and :mod:`helpers.kpis` checks its tables with
these utilities before computing anything, so a learner who passes the wrong table gets one clear
sentence saying *what* is wrong and *what was expected*, instead of a pandas traceback.

Two exception classes are raised:

* :class:`InputError` (a ``ValueError``): a missing column, a negative count, an unknown model,
  a touch after the install, ...
* :class:`InputTypeError` (both an ``InputError`` and a ``TypeError``): a column or argument of the
  wrong type, e.g. text where numbers were expected or timestamps without a time zone.

``except ValueError`` therefore catches every input problem.

>>> import pandas as pd
>>> require_columns(pd.DataFrame({"path": ["a"]}), "paths", ["path", "conversions"])
Traceback (most recent call last):
...
helpers._validate.InputError: paths is missing column 'conversions'; expected columns: path, conversions
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from helpers.messages import t

__all__ = [
    "InputError",
    "InputTypeError",
    "require_columns",
    "require_dataframe",
    "require_no_missing",
    "require_nonnegative",
    "require_numeric",
    "require_text",
    "require_utc_timestamps",
    "require_values_in",
    "row_label",
    "to_timedelta",
]


class InputError(ValueError):
    """An input table or argument is not what the function expects."""


class InputTypeError(InputError, TypeError):
    """An input column or argument has the wrong type (also a ``TypeError``)."""


def _show(values: Iterable[object], limit: int = 5) -> str:
    items = [repr(v) for v in list(values)[:limit]]
    return ", ".join(items)


def row_label(index: pd.Index, position: int) -> object:
    """The index label at ``position`` as a plain Python value (``8``, not ``np.int64(8)``)."""
    label = index[position]
    return label.item() if isinstance(label, np.generic) else label


def require_dataframe(obj: object, name: str) -> pd.DataFrame:
    """Return ``obj`` if it is a DataFrame, else raise :class:`InputTypeError`."""
    if not isinstance(obj, pd.DataFrame):
        raise InputTypeError(t("errors.validate.not_dataframe", name=name, got=type(obj).__name__))
    return obj


def require_columns(
    df: pd.DataFrame, name: str, required: Sequence[str], optional: Sequence[str] = ()
) -> pd.DataFrame:
    """Check that ``df`` (called ``name`` in messages) has every column in ``required``.

    The message lists the full expected contract, e.g. ``"paths is missing column 'nulls';
    expected columns: path, conversions, nulls"``.
    """
    require_dataframe(df, name)
    missing = [c for c in required if c not in df.columns]
    if missing:
        key = "errors.validate.missing_column" if len(missing) == 1 else "errors.validate.missing_columns"
        listed = ", ".join(repr(c) for c in missing)
        expected = ", ".join(required)
        if optional:
            expected = t("errors.validate.optional_columns", expected=expected, optional=", ".join(optional))
        raise InputError(t(key, name=name, listed=listed, expected=expected))
    return df


def require_numeric(df: pd.DataFrame, name: str, column: str) -> None:
    """Raise :class:`InputTypeError` unless ``df[column]`` holds numbers (booleans are refused)."""
    s = df[column]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise InputTypeError(t("errors.validate.not_numeric", name=name, column=repr(column), dtype=s.dtype))


def require_no_missing(df: pd.DataFrame, name: str, column: str) -> None:
    """Raise :class:`InputError` if ``df[column]`` has missing values, naming the first bad row."""
    bad = df[column].isna().to_numpy()
    if bad.any():
        first = row_label(df.index, int(np.flatnonzero(bad)[0]))
        raise InputError(t("errors.validate.missing_values", name=name, column=repr(column), count=int(bad.sum()),
                           first=repr(first)))


def require_nonnegative(df: pd.DataFrame, name: str, column: str) -> None:
    """Check a count column: numeric, no missing values, no negative or infinite values."""
    require_numeric(df, name, column)
    require_no_missing(df, name, column)
    values = df[column].to_numpy(dtype=float)
    bad = (values < 0) | ~np.isfinite(values)
    if bad.any():
        pos = np.flatnonzero(bad)[0]
        raise InputError(t("errors.validate.negative", name=name, column=repr(column),
                           index=repr(row_label(df.index, int(pos))), value=repr(float(values[pos]))))


def require_text(df: pd.DataFrame, name: str, column: str, allow_missing: bool = True) -> None:
    """Check that ``df[column]`` holds text (string or object dtype of str values)."""
    s = df[column]
    if pd.api.types.is_string_dtype(s.dtype) or isinstance(s.dtype, pd.CategoricalDtype):
        pass
    elif s.dtype == object:
        present = s.dropna()
        sample = present.iloc[:1000]
        not_str = sample[~sample.map(lambda v: isinstance(v, str))]
        if len(not_str):
            raise InputTypeError(t("errors.validate.not_text_value", name=name, column=repr(column),
                                   type=type(not_str.iloc[0]).__name__, value=repr(not_str.iloc[0]),
                                   index=repr(not_str.index[0])))
    elif len(s) and not s.isna().all():
        raise InputTypeError(t("errors.validate.not_text_dtype", name=name, column=repr(column), dtype=s.dtype))
    if not allow_missing:
        require_no_missing(df, name, column)


def require_values_in(df: pd.DataFrame, name: str, column: str, allowed: Iterable[str]) -> None:
    """Raise :class:`InputError` if ``df[column]`` has a value outside ``allowed``."""
    allowed = list(allowed)
    ok = df[column].isin(allowed).to_numpy()
    if not ok.all():
        bad_values = pd.unique(df[column].to_numpy()[~ok])
        raise InputError(t("errors.validate.not_allowed", name=name, column=repr(column), allowed=_show(allowed),
                           found=_show(bad_values)))


def require_utc_timestamps(
    df: pd.DataFrame, name: str, column: str, allow_missing: bool = False
) -> pd.Series:
    """Return ``df[column]`` as ``datetime64[ns, UTC]``.

    Time-zone-aware timestamps in another zone are converted to UTC (same instants). Naive
    timestamps (no time zone) are refused: the kit's contract is that every timestamp is UTC, and
    silently guessing would shift data recorded in local time. Fix with
    ``pd.to_datetime(df[column], utc=True)``.
    """
    s = df[column]
    if not isinstance(s.dtype, pd.DatetimeTZDtype):
        if pd.api.types.is_datetime64_dtype(s.dtype):
            raise InputTypeError(t("errors.validate.naive_timestamps", name=name, column=repr(column), dtype=s.dtype))
        raise InputTypeError(t("errors.validate.not_timestamps", name=name, column=repr(column), dtype=s.dtype))
    if not allow_missing:
        require_no_missing(df, name, column)
    return s.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def to_timedelta(value: object, name: str, allow_zero: bool = False) -> pd.Timedelta:
    """Parse a window such as ``"7D"``, ``"24h"`` or a ``Timedelta``; it must be positive."""
    if isinstance(value, str | timedelta | pd.Timedelta | np.timedelta64):
        try:
            td = pd.Timedelta(value)
        except ValueError as exc:
            raise InputError(t("errors.validate.not_duration_text", name=name, value=repr(value))) from exc
    else:
        raise InputTypeError(t("errors.validate.not_duration_type", name=name, type=type(value).__name__))
    if pd.isna(td) or td < pd.Timedelta(0) or (td == pd.Timedelta(0) and not allow_zero):
        raise InputError(t("errors.validate.not_positive_duration", name=name, value=repr(value)))
    return td
