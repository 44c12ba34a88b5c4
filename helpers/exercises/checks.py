"""Reusable checkers: compare a learner's answer with the expected value and say what is wrong.

A checker is a callable ``checker(answer, expected) -> Feedback | None``; ``None`` means correct.
Messages never contain the expected value: they say what kind of mistake it is (wrong type,
a percentage instead of a share, credit that does not add up, a channel missing…).

>>> from helpers.exercises import checks
>>> checks.number(rel=0.01)(0.30, 0.3) is None
True
>>> checks.number(rel=0.01, share=True)(30, 0.3).key
'check.number.percent_not_share'

To name the mistakes a particular exercise invites (the paid share instead of the organic share, a
ratio upside down…), wrap a checker in :func:`with_mistakes`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.exercises.core import Feedback
from helpers.messages import has, t

__all__ = ["number", "mapping", "choice", "dataframe", "all_of", "text_list", "with_mistakes", "answer_is",
           "VALUE_KEYS"]

Checker = Callable[[Any, Any], Feedback | None]


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def _type_name(x: Any) -> str:
    if isinstance(x, pd.DataFrame):
        return "a table (DataFrame)"
    if isinstance(x, pd.Series):
        return "a column (Series)"
    return type(x).__name__


def number(rel: float = 1e-3, abs_tol: float = 1e-9, share: bool = False, integer: bool = False) -> Checker:
    """A single number, equal within ``rel`` relative (or ``abs_tol`` absolute) tolerance.

    ``share=True`` recognises a percentage given instead of a share (30 instead of 0.30).
    """

    def check(answer: Any, expected: Any) -> Feedback | None:
        answer = _scalar(answer)
        if not _is_number(answer):
            return Feedback("check.number.not_a_number", {"got": _type_name(answer)})
        value = float(answer)
        if math.isnan(value):
            return Feedback("check.number.nan", {})
        exp = float(expected)
        if math.isclose(value, exp, rel_tol=rel, abs_tol=abs_tol):
            if integer and value != round(value):
                return Feedback("check.number.not_integer", {})
            return None
        if share and exp != 0 and math.isclose(value, exp * 100, rel_tol=rel, abs_tol=abs_tol):
            return Feedback("check.number.percent_not_share", {})
        if share and not 0 <= value <= 1:
            return Feedback("check.number.share_out_of_range", {"got": round(value, 4)})
        if exp != 0 and value != 0 and math.isclose(abs(value), abs(exp), rel_tol=rel) and value * exp < 0:
            return Feedback("check.number.wrong_sign", {})
        direction = "check.number.too_high" if value > exp else "check.number.too_low"
        return Feedback(direction, {"got": _fmt(value)})

    check.tolerance = (rel, abs_tol)  # read by with_mistakes
    return check


def _scalar(x: Any) -> Any:
    """A one-element Series or array as its element; anything else unchanged."""
    if isinstance(x, pd.Series | np.ndarray) and np.size(x) == 1:
        return np.asarray(x).ravel()[0]
    return x


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e6 else f"{x:,.0f}"


def _as_series(answer: Any) -> pd.Series | None:
    if isinstance(answer, pd.Series):
        return answer
    if isinstance(answer, dict):
        return pd.Series(answer, dtype="float64" if all(_is_number(v) for v in answer.values()) else None)
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        return answer.iloc[:, 0]
    return None


def _what_name(what: str) -> str:
    """The noun for the keys of a mapping ("network") in the learner's language, when the catalogue has it."""
    key = f"check.what.{what}"
    return t(key) if has(key) else what


def mapping(rel: float = 1e-3, abs_tol: float = 1e-6, total: bool = True, what: str = "channel") -> Checker:
    """Numbers per key (a Series or dict), e.g. attributed installs per media source.

    Checks, in order: the type; keys missing or unexpected (named); when ``total`` is set, that
    the values add up to the expected total; then which keys are off (named, values not shown).
    ``what`` names the keys ("network"); its word comes from ``check.what.<what>`` in the catalogue.
    """
    what_key = what

    def check(answer: Any, expected: Any) -> Feedback | None:
        what = _what_name(what_key)
        got = _as_series(answer)
        if got is None:
            return Feedback("check.mapping.wrong_type", {"got": _type_name(answer), "what": what})
        exp = _as_series(expected)
        assert exp is not None, "expected value of a mapping exercise must be a Series or dict"
        got_keys = {str(k) for k in got.index}
        exp_keys = {str(k) for k in exp.index}
        missing = sorted(exp_keys - got_keys)
        extra = sorted(got_keys - exp_keys)
        if missing:
            return Feedback("check.mapping.missing", {"keys": _names(missing), "what": what})
        if extra:
            return Feedback("check.mapping.extra", {"keys": _names(extra), "what": what})
        got = got.copy()
        got.index = got.index.map(str)
        exp = exp.copy()
        exp.index = exp.index.map(str)
        try:
            got = got.astype(float)
        except (TypeError, ValueError):
            return Feedback("check.mapping.not_numbers", {"what": what})
        if got.isna().any():
            return Feedback("check.mapping.has_missing_values", {"keys": _names(got[got.isna()].index), "what": what})
        exp = exp.astype(float)
        if total and not math.isclose(got.sum(), exp.sum(), rel_tol=rel, abs_tol=abs_tol * max(len(exp), 1)):
            return Feedback("check.mapping.total", {"got": _fmt(got.sum()), "expected": _fmt(exp.sum())})
        got = got.reindex(exp.index)
        off = [k for k in exp.index if not math.isclose(got[k], exp[k], rel_tol=rel, abs_tol=abs_tol)]
        if off:
            return Feedback("check.mapping.values_off", {"keys": _names(off), "n": len(off), "what": what})
        return None

    check.tolerance = (rel, abs_tol)  # read by with_mistakes
    return check


def _names(keys: Iterable[Any], limit: int = 3) -> str:
    keys = [str(k) for k in keys]
    shown = ", ".join(f"'{k}'" for k in keys[:limit])
    return shown + (f" (+{len(keys) - limit})" if len(keys) > limit else "")


def choice(options: Iterable[str]) -> Checker:
    """One answer out of a fixed set of options (e.g. a multiple-choice letter or a channel name)."""
    options = [str(o) for o in options]

    def check(answer: Any, expected: Any) -> Feedback | None:
        if not isinstance(answer, str):
            return Feedback("check.choice.not_text", {"got": _type_name(answer), "options": _names(options, 10)})
        value = answer.strip().lower()
        if value not in {o.lower() for o in options}:
            return Feedback("check.choice.unknown", {"got": answer, "options": _names(options, 10)})
        if value != str(expected).strip().lower():
            return Feedback("check.choice.wrong", {"got": answer})
        return None

    return check


def text_list(ordered: bool = True) -> Checker:
    """A list of names (e.g. channels ranked by credit)."""

    def check(answer: Any, expected: Any) -> Feedback | None:
        if isinstance(answer, pd.Index | pd.Series | np.ndarray | tuple):
            answer = list(answer)
        if not isinstance(answer, list):
            return Feedback("check.list.wrong_type", {"got": _type_name(answer)})
        got = [str(a) for a in answer]
        exp = [str(e) for e in expected]
        if len(got) != len(exp):
            return Feedback("check.list.length", {"got": len(got), "expected": len(exp)})
        if sorted(got) != sorted(exp):
            return Feedback("check.list.items", {"keys": _names(sorted(set(exp) - set(got)))})
        if ordered and got != exp:
            return Feedback("check.list.order", {})
        return None

    return check


def dataframe(columns: Iterable[str], key: str | None = None, rel: float = 1e-3) -> Checker:
    """A table with the given columns; numeric columns compared with tolerance, row order ignored."""
    columns = list(columns)

    def check(answer: Any, expected: Any) -> Feedback | None:
        if not isinstance(answer, pd.DataFrame):
            return Feedback("check.frame.wrong_type", {"got": _type_name(answer)})
        got = answer.reset_index() if key and key not in answer.columns else answer
        missing = [c for c in columns if c not in got.columns]
        if missing:
            return Feedback("check.frame.missing_columns", {"columns": _names(missing, 10)})
        exp = expected.reset_index() if key and key not in expected.columns else expected
        if len(got) != len(exp):
            return Feedback("check.frame.rows", {"got": len(got), "expected": len(exp)})
        sort = [key] if key else columns
        g = got[columns].sort_values(sort).reset_index(drop=True)
        e = exp[columns].sort_values(sort).reset_index(drop=True)
        for col in columns:
            if pd.api.types.is_numeric_dtype(e[col]):
                if not pd.api.types.is_numeric_dtype(g[col]):
                    return Feedback("check.frame.not_numbers", {"column": col})
                if not np.allclose(g[col].astype(float), e[col].astype(float), rtol=rel, atol=1e-9, equal_nan=True):
                    return Feedback("check.frame.values_off", {"column": col})
            elif not (g[col].astype(str).values == e[col].astype(str).values).all():
                return Feedback("check.frame.values_off", {"column": col})
        return None

    return check


def all_of(*checkers: Checker) -> Checker:
    """Apply several checkers; the first complaint wins."""

    def check(answer: Any, expected: Any) -> Feedback | None:
        for c in checkers:
            fb = c(answer, expected)
            if fb is not None:
                return fb
        return None

    return check


# ---------------------------------------------------------------------------- named mistakes
#: The feedback keys of a well-formed answer with the wrong value: the only ones behind which
#: :func:`with_mistakes` looks for a known mistake unless told otherwise (``when=``).
VALUE_KEYS = frozenset({
    "check.number.too_high", "check.number.too_low",
    "check.choice.wrong",
    "check.mapping.total", "check.mapping.values_off",
})


class _AnswerTest:
    """A mistake recognised by a test on the answer (see :func:`answer_is`)."""

    def __init__(self, predicate: Callable[[Any], bool]) -> None:
        self.predicate = predicate


def answer_is(predicate: Callable[[Any], bool]) -> _AnswerTest:
    """A mistake recognised by a property of the answer instead of by a value, for :func:`with_mistakes`.

    ``answer_is(lambda v: v > 50)`` matches every answer above 50 (a count where a ratio was asked).
    Numbers (also a one-element Series) reach the test as a ``float``, other answers as given.
    """
    return _AnswerTest(predicate)


class _Lazy:
    """A mistake value computed on first use, then cached (per expected value if it takes one)."""

    _UNSET = object()

    def __init__(self, compute: Callable[..., Any]) -> None:
        self.compute = compute
        try:
            params = inspect.signature(compute).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature: call it without arguments
            params = []
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        self.takes_expected = any(p.kind in positional and p.default is p.empty for p in params)
        self.expected: Any = self._UNSET
        self.value: Any = None

    def get(self, expected: Any) -> Any:
        key = expected if self.takes_expected else None
        if self.expected is self._UNSET or self.expected is not key:
            self.value = self.compute(expected) if self.takes_expected else self.compute()
            self.expected = key
        return self.value


def _same(answer: Any, value: Any, rel: float, abs_tol: float) -> bool:
    """Whether an answer equals a mistake's value, within the tolerance."""
    if _is_number(value):
        got = _scalar(answer)
        return _is_number(got) and math.isclose(float(got), float(value), rel_tol=rel, abs_tol=abs_tol)
    if isinstance(value, str):
        return isinstance(answer, str) and answer.strip().lower() == value.strip().lower()
    if isinstance(value, pd.Series | dict):
        got, exp = _as_series(answer), _as_series(value)
        if got is None or exp is None or {str(k) for k in got.index} != {str(k) for k in exp.index}:
            return False
        try:
            got = pd.Series(got.to_numpy(dtype=float), index=got.index.map(str))
            exp = pd.Series(exp.to_numpy(dtype=float), index=exp.index.map(str))
        except (TypeError, ValueError):
            return False
        return all(math.isclose(got[k], exp[k], rel_tol=rel, abs_tol=abs_tol) for k in exp.index)
    raise TypeError(f"with_mistakes cannot compare an answer with a {type(value).__name__}")


def with_mistakes(
    base: Checker,
    mistakes: Sequence[tuple[Any, str | Feedback]],
    *,
    when: Iterable[str] = VALUE_KEYS,
    rel: float | None = None,
    abs_tol: float | None = None,
) -> Checker:
    """``base``, plus a specific message for each common mistake it would only call "wrong".

    ``mistakes`` is a list of ``(value, key)`` pairs: the value a mistake produces and the message key
    (or a :class:`Feedback`, to pass message parameters) that explains it. When ``base`` finds the
    answer wrong with a feedback key in ``when`` (by default :data:`VALUE_KEYS`: too high, too low,
    the wrong choice, credit off; never a wrong type, not-a-number or a missing key), the pairs are
    tried in order and the first whose value equals the answer gives the feedback. When none
    matches, or ``base`` says anything else, ``base``'s feedback stands. A value is

    - a number, a string, a Series or a dict;
    - a function that computes it, called on first use only and cached: without an argument, or
      with the expected value if it has a required parameter (``lambda expected: 1 / expected``).
      It may return ``None`` when the mistake does not apply to the data;
    - :func:`answer_is` with a test on the answer (``answer_is(lambda v: v > 50)``).

    "Equals" has ``base``'s tolerance: numbers by :func:`math.isclose` with its ``rel`` and
    ``abs_tol`` (give ``rel=0, abs_tol=0`` to require the exact count), strings ignoring case and
    surrounding spaces, a Series or dict when it has the same keys and every value is close.

    Note: ``number(share=True)`` answers a value outside 0..1 with ``check.number.share_out_of_range``,
    which is not in :data:`VALUE_KEYS`; add it to ``when`` to name such mistakes.

    >>> check = with_mistakes(number(rel=1e-3), [
    ...     (lambda expected: 1 / expected, "lesson.q2.upside_down"),
    ...     (answer_is(lambda v: v > 50), "lesson.q2.not_a_ratio"),
    ... ])
    >>> check(0.5, 2.0).key, check(120, 2.0).key, check(3.0, 2.0).key, check("2", 2.0).key
    ('lesson.q2.upside_down', 'lesson.q2.not_a_ratio', 'check.number.too_high', 'check.number.not_a_number')
    """
    base_rel, base_abs = getattr(base, "tolerance", (1e-3, 1e-9))
    rel = base_rel if rel is None else rel
    abs_tol = base_abs if abs_tol is None else abs_tol
    when = frozenset(when)
    pairs = [
        (_Lazy(value) if callable(value) and not isinstance(value, _AnswerTest) else value,
         key if isinstance(key, Feedback) else Feedback(key, {}))
        for value, key in mistakes
    ]

    def check(answer: Any, expected: Any) -> Feedback | None:
        feedback = base(answer, expected)
        if feedback is None or feedback.key not in when:
            return feedback
        plain = _scalar(answer)
        plain = float(plain) if _is_number(plain) else answer
        for value, mistake in pairs:
            if isinstance(value, _AnswerTest):
                if value.predicate(plain):
                    return mistake
                continue
            if isinstance(value, _Lazy):
                value = value.get(expected)
            if value is not None and _same(answer, value, rel, abs_tol):
                return mistake
        return feedback

    check.tolerance = (rel, abs_tol)
    return check
