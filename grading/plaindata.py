"""Answers as plain data: the only thing that leaves a learner's sandbox for grading.

``encode(value)`` runs *inside* the learner's sandboxed kernel and turns an answer into JSON-able
plain data; ``decode(data)`` runs in the trusted test runner and builds genuine built-in / numpy /
pandas objects from it. Nothing else crosses: no pickle, no code, no learner classes. Whatever the
learner's objects do (``__eq__`` that is always True, a ``list`` subclass, a patched ``json``), the
tests only ever see values the decoder made itself, so the worst a learner can do is *claim* a value,
which is what answering is.

Format: JSON scalars (``None``, ``bool``, ``int``, ``float`` incl. NaN/inf, ``str``) and JSON arrays
(``list``) stand for themselves; everything else is a one-key object ``{"$tag": payload}``:
``$dict`` (list of [key, value] pairs, keys of any supported type), ``$tuple``, ``$set``,
``$frozenset``, ``$complex``, ``$bytes`` (base64), ``$np`` (numpy scalar: [dtype, value]),
``$ndarray`` ([dtype, shape, nested list]), ``$datetime`` / ``$date`` / ``$ts`` (ISO text),
``$td`` (pandas Timedelta, ns), ``$index``, ``$multiindex``, ``$series``, ``$frame`` (columns,
index, per-column values and dtype), ``$unsupported`` (type name: functions, modules, custom
classes; the value cannot be graded).

This module must import without pandas/numpy (both optional here) and uses only the standard
library otherwise: it is bound read-only into the sandbox.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re

__all__ = ["encode", "decode", "Unexportable", "PlainDataError", "MAX_DEPTH"]

MAX_DEPTH = 60
MAX_ITEMS = 5_000_000


class PlainDataError(ValueError):
    """The data is not in the plain-data format (tampered or truncated)."""


class Unexportable:
    """Stands in for an answer that could not be handed over as plain data.

    Any use in a test (comparison, arithmetic, call, attribute, iteration, ``float()``) raises a
    ``TypeError`` that says which answer it was and what it was, so the test fails with a clear
    message instead of passing.
    """

    __slots__ = ("_what",)

    def __init__(self, what: str):
        object.__setattr__(self, "_what", what)

    def _fail(self, *a, **k):
        raise TypeError(f"this answer is a {object.__getattribute__(self, '_what')}, which the grader "
                        "cannot take out of your notebook: answers must be plain values (numbers, text, "
                        "lists, dicts, numpy arrays, pandas tables)")

    def __repr__(self):
        return f"<answer that is not plain data: {object.__getattribute__(self, '_what')}>"

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _fail
    __call__ = __iter__ = __len__ = __bool__ = __float__ = __int__ = __index__ = _fail
    __getitem__ = __contains__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __str__ = __format__ = _fail

    def __getattr__(self, name):
        self._fail()


# ------------------------------------------------------------------------------------------------
# encode (runs inside the sandbox, on learner objects)
# ------------------------------------------------------------------------------------------------

def _typename(x) -> str:
    t = type(x)
    return f"{t.__module__}.{t.__qualname__}"


def encode(value, _depth: int = 0):
    """Plain-data form of ``value`` (see the module docstring)."""
    if _depth > MAX_DEPTH:
        return {"$unsupported": "value nested too deeply"}
    d = _depth + 1
    # exact built-in types first; subclasses are turned into the built-in they claim to be
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, int):
        return int.__index__(value) if type(value) is not int else value
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, complex):
        return {"$complex": [complex(value).real, complex(value).imag]}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {"$dict": [[encode(k, d), encode(v, d)] for k, v in list(dict.items(value))]}
    if isinstance(value, list):
        return [encode(v, d) for v in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, d) for v in tuple.__iter__(value)]}
    if isinstance(value, frozenset):
        return {"$frozenset": [encode(v, d) for v in frozenset.__iter__(value)]}
    if isinstance(value, set):
        return {"$set": [encode(v, d) for v in set.__iter__(value)]}
    mod = type(value).__module__.split(".")[0]
    if mod == "numpy":
        return _encode_numpy(value, d)
    if mod == "pandas":
        return _encode_pandas(value, d)
    if isinstance(value, _dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"$date": value.isoformat()}
    return {"$unsupported": _describe(value)}


def _describe(value) -> str:
    import types

    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return "function"
    if isinstance(value, type):
        return "class"
    if isinstance(value, types.ModuleType):
        return "module"
    return f"object of type {_typename(value)}"


def _encode_numpy(value, d):
    import numpy as np

    if isinstance(value, np.ndarray):
        arr = np.asarray(value)
        if arr.dtype.kind in "biufU":
            return {"$ndarray": [str(arr.dtype), list(arr.shape), arr.tolist()]}
        return {"$ndarray": ["object", list(arr.shape), [encode(v, d) for v in arr.ravel().tolist()]]}
    if isinstance(value, np.generic):
        kind = value.dtype.kind
        if kind in "biuf":
            return {"$np": [str(value.dtype), value.item()]}
        if kind == "U":
            return str(value.item())
        if kind == "M":
            return {"$ts": str(np.datetime_as_string(value))}
        return encode(value.item(), d)
    return {"$unsupported": _describe(value)}


def _values(seq, d) -> list:
    return [encode(v, d) for v in list(seq)]


def _encode_index(idx, d):
    import pandas as pd

    if isinstance(idx, pd.MultiIndex):
        return {"$multiindex": {"tuples": [_values(t, d) for t in idx.tolist()],
                                "names": [encode(n, d) for n in idx.names]}}
    return {"$index": {"values": _values(idx.tolist(), d), "name": encode(idx.name, d), "dtype": str(idx.dtype)}}


def _encode_pandas(value, d):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        cols = [value.iloc[:, i] for i in range(value.shape[1])]
        return {"$frame": {"columns": _encode_index(value.columns, d), "index": _encode_index(value.index, d),
                           "data": [_values(c.tolist(), d) for c in cols],
                           "dtypes": [str(c.dtype) for c in cols]}}
    if isinstance(value, pd.Series):
        return {"$series": {"values": _values(value.tolist(), d), "index": _encode_index(value.index, d),
                            "name": encode(value.name, d), "dtype": str(value.dtype)}}
    if isinstance(value, pd.Index):
        return _encode_index(value, d)
    if isinstance(value, pd.Timestamp):
        return {"$ts": value.isoformat()} if not pd.isna(value) else None
    if isinstance(value, pd.Timedelta):
        return {"$td": int(value.value)}
    if value is pd.NaT:
        return None
    if value is pd.NA:
        return None
    return {"$unsupported": _describe(value)}


# ------------------------------------------------------------------------------------------------
# decode (runs in the trusted test runner, on untrusted JSON)
# ------------------------------------------------------------------------------------------------

def decode(data, _depth: int = 0):
    """Genuine Python / numpy / pandas values from plain data; ``PlainDataError`` if malformed."""
    if _depth > MAX_DEPTH + 2:
        raise PlainDataError("nested too deeply")
    d = _depth + 1
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        return data
    if type(data) is list:
        return [decode(v, d) for v in data]
    if type(data) is not dict or len(data) != 1:
        raise PlainDataError(f"unexpected item of type {type(data).__name__}")
    (tag, p), = data.items()
    if tag == "$dict":
        out = {}
        for pair in _seq(p):
            if type(pair) is not list or len(pair) != 2:
                raise PlainDataError("bad dict item")
            out[_hashable(decode(pair[0], d))] = decode(pair[1], d)
        return out
    if tag == "$tuple":
        return tuple(decode(v, d) for v in _seq(p))
    if tag in ("$set", "$frozenset"):
        items = {_hashable(decode(v, d)) for v in _seq(p)}
        return items if tag == "$set" else frozenset(items)
    if tag == "$complex":
        re_, im = _seq(p, 2)
        return complex(_num(re_), _num(im))
    if tag == "$bytes":
        return base64.b64decode(_str(p), validate=True)
    if tag == "$datetime":
        return _dt.datetime.fromisoformat(_str(p))
    if tag == "$date":
        return _dt.date.fromisoformat(_str(p))
    if tag == "$unsupported":
        return Unexportable(_str(p)[:200])
    if tag == "$np":
        import numpy as np

        dtype, v = _seq(p, 2)
        dt = np.dtype(_str(dtype))
        if dt.kind not in "biuf":
            raise PlainDataError("bad numpy scalar dtype")
        return dt.type(_num(v))
    if tag == "$ndarray":
        import numpy as np

        dtype, shape, values = _seq(p, 3)
        shape = tuple(_int(s) for s in _seq(shape))
        if _str(dtype) == "object":
            flat = [decode(v, d) for v in _seq(values)]
            arr = np.empty(len(flat), dtype=object)
            arr[:] = flat
            return arr.reshape(shape)
        dt = np.dtype(_str(dtype))
        if dt.kind not in "biufU":
            raise PlainDataError("bad ndarray dtype")
        _check_nested(values, d)
        return np.asarray(values, dtype=dt).reshape(shape)
    if tag == "$ts":
        import pandas as pd

        return pd.Timestamp(_str(p))
    if tag == "$td":
        import pandas as pd

        return pd.Timedelta(_int(p), unit="ns")
    if tag in ("$index", "$multiindex"):
        return _decode_index(data, d)
    if tag == "$series":
        import pandas as pd

        p = _obj(p, {"values", "index", "name", "dtype"})
        s = pd.Series([decode(v, d) for v in _seq(p["values"])], index=_decode_index(p["index"], d),
                      name=_hashable(decode(p["name"], d)), dtype=_dtype(p["dtype"]))
        return s
    if tag == "$frame":
        import pandas as pd

        p = _obj(p, {"columns", "index", "data", "dtypes"})
        columns = _decode_index(p["columns"], d)
        index = _decode_index(p["index"], d)
        data_cols, dtypes = _seq(p["data"]), _seq(p["dtypes"])
        if len(data_cols) != len(columns) or len(dtypes) != len(columns):
            raise PlainDataError("frame columns do not match")
        series = [pd.Series([decode(v, d) for v in _seq(col)], index=index, dtype=_dtype(dt))
                  for col, dt in zip(data_cols, dtypes, strict=True)]
        frame = pd.concat(series, axis=1) if series else pd.DataFrame(index=index)
        frame.columns = columns
        return frame
    raise PlainDataError(f"unknown tag {str(tag)[:40]!r}")


def _decode_index(data, d):
    import pandas as pd

    if type(data) is not dict or len(data) != 1:
        raise PlainDataError("bad index")
    (tag, p), = data.items()
    if tag == "$multiindex":
        p = _obj(p, {"tuples", "names"})
        tuples = [tuple(_hashable(decode(v, d)) for v in _seq(t)) for t in _seq(p["tuples"])]
        names = [_hashable(decode(n, d)) for n in _seq(p["names"])]
        if not tuples:
            return pd.MultiIndex.from_arrays([[] for _ in names], names=names)
        return pd.MultiIndex.from_tuples(tuples, names=names)
    if tag != "$index":
        raise PlainDataError("bad index")
    p = _obj(p, {"values", "name", "dtype"})
    values = [_hashable(decode(v, d)) for v in _seq(p["values"])]
    return pd.Index(values, name=_hashable(decode(p["name"], d)), dtype=_dtype(p["dtype"]))


_DTYPE = re.compile(r"(bool|boolean|object|category|string|u?int(8|16|32|64)|U?Int(8|16|32|64)|"
                    r"float(16|32|64)|Float(32|64)|datetime64\[(ns|us|ms|s)(, [\w/+:-]+)?\]|"
                    r"timedelta64\[(ns|us|ms|s)\])")


def _dtype(text):
    """A dtype name limited to data dtypes; ``None`` (let pandas infer) for anything else."""
    name = _str(text)
    return name if _DTYPE.fullmatch(name) else None


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        raise PlainDataError("a dict cannot be a key")
    return v


def _seq(p, n: int | None = None) -> list:
    if type(p) is not list or (n is not None and len(p) != n) or len(p) > MAX_ITEMS:
        raise PlainDataError("bad list")
    return p


def _check_nested(values, d) -> None:
    if d > MAX_DEPTH:
        raise PlainDataError("nested too deeply")
    if type(values) is list:
        for v in values:
            _check_nested(v, d + 1)
    elif values is not None and type(values) not in (bool, int, float, str):
        raise PlainDataError("bad array item")


def _obj(p, keys: set) -> dict:
    if type(p) is not dict or set(p) != keys:
        raise PlainDataError("bad object")
    return p


def _str(p) -> str:
    if type(p) is not str:
        raise PlainDataError("expected text")
    return p


def _int(p) -> int:
    if type(p) is not int:
        raise PlainDataError("expected an integer")
    return p


def _num(p):
    if type(p) not in (int, float, bool):
        raise PlainDataError("expected a number")
    if type(p) is float and math.isnan(p):
        return p
    return p
