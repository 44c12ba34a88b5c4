"""The exercise API used at the end of every lesson: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

An exercise is a small declared object. It names the variable the learner fills in, computes the
expected value with ``helpers`` on the seeded data (never a pasted literal), and compares the two
with a *checker* that explains what is wrong without giving the answer away::

    q1 = Exercise(
        course="01-attribution", lesson="01.1", name="q1",
        variable="organic_share",
        expected=lambda: share_of_organic_installs(),
        checker=checks.number(share=True),
        hints=2,
        solution_code="organic_share = (attributed['media_source'] == 'organic').mean()",
    )

In the notebook the learner writes ``organic_share = ...`` and calls ``q1.check()`` (or
``q1.check(organic_share)``). Untouched starter code (``organic_share = ____``) is recognised and
answered with "not attempted yet". Every call records a progress event.

All learner-facing text comes from the message catalogue (:mod:`helpers.messages`): hints are the
keys ``<messages>.hint1``, ``<messages>.hint2``…, the solution note ``<messages>.solution``.

Set the environment variable ``MMA_STRICT_CHECKS=1`` (the test suite does) to make a wrong or
missing answer raise :class:`ExerciseFailed`, so that executing a source notebook proves its
solutions pass their own checks.
"""

from __future__ import annotations

import html
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helpers import progress
from helpers.messages import has, t

__all__ = ["Exercise", "Feedback", "ExerciseFailed", "Blank", "____", "Result"]



def _inline_code(text: str) -> str:
    """Message text as HTML: escaped, with `code spans` shown as code (as in the lessons' Markdown)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: show the text as it is
        return html.escape(str(text))
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts))

class Blank:
    """The placeholder in starter code: ``answer = ____`` means "not attempted yet"."""

    _instance: Blank | None = None

    def __new__(cls) -> Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


____ = Blank()
_MISSING = object()


class ExerciseFailed(AssertionError):
    """Raised in strict mode (``MMA_STRICT_CHECKS=1``) when a check is not passed."""


@dataclass(frozen=True)
class Feedback:
    """What a checker says about a wrong answer: a message key and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return t(self.key, **self.params)


@dataclass(frozen=True)
class Result:
    """The outcome of one ``check()``; displayed as a coloured box in the notebook."""

    exercise: str
    outcome: str  # "correct", "wrong" or "not_attempted"
    message: str

    @property
    def passed(self) -> bool:
        return self.outcome == "correct"

    def _repr_html_(self) -> str:
        colours = {"correct": ("#e7f6ec", "#1e7b3a", "✔"), "wrong": ("#fdecea", "#a8261b", "✘"),
                   "not_attempted": ("#eef3fb", "#2a5db0", "…")}
        bg, fg, icon = colours[self.outcome]
        title = t(f"exercise.title.{self.outcome}")
        return (
            f'<div class="mma-check mma-{self.outcome}" style="background:{bg};color:{fg};'
            f'border-left:4px solid {fg};padding:6px 10px;margin:4px 0;border-radius:3px">'
            f"<b>{icon} {html.escape(title)}</b> {_inline_code(self.message)}</div>"
        )

    def __str__(self) -> str:
        return f"{t(f'exercise.title.{self.outcome}')} {self.message}"


Checker = Callable[[Any, Any], "Feedback | None"]


def _show(obj: Any) -> None:
    """Display in a notebook, print elsewhere."""
    try:
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.display import display

            display(obj)
            return
    except ImportError:  # pragma: no cover - IPython is always installed with the kit
        pass
    print(obj)


def _strict() -> bool:
    return os.environ.get("MMA_STRICT_CHECKS", "").strip() not in ("", "0", "false", "no")


@dataclass(eq=False)
class Exercise:
    """One practice exercise (see the module docstring)."""

    course: str
    lesson: str
    name: str
    variable: str
    expected: Callable[[], Any]
    checker: Checker
    hints: int
    solution_code: str = ""
    messages: str = ""
    wrong: Callable[[Any], Any] | None = None
    _cache: Any = field(default=_MISSING, init=False, repr=False)
    _hints_seen: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.messages:
            slug = self.course.split("-", 1)[-1]
            self.messages = f"{slug}.lesson_{self.lesson.replace('.', '_').lstrip('0')}.{self.name}"
        if self.hints < 1:
            raise ValueError(f"exercise {self.id} needs at least one hint")

    # ------------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        """Stable id, e.g. ``attribution-1.1-q1`` (matches the nbgrader ``grade_id`` style)."""
        slug = self.course.split("-", 1)[-1]
        return f"{slug}-{self.lesson.lstrip('0')}-{self.name}"

    def __repr__(self) -> str:
        return f"<Exercise {self.id}: fill in `{self.variable}`, then call {self.name}.check()>"

    # ------------------------------------------------------------------ expected value
    def expected_value(self) -> Any:
        """The correct answer, computed once per kernel with ``helpers`` on the seeded data.

        Intended for tests and for instructors; lessons never print it before ``solution()``.
        """
        if self._cache is _MISSING:
            self._cache = self.expected()
        return self._cache

    def wrong_example(self) -> Any:
        """An obviously wrong answer (used by the test suite to prove the check can fail)."""
        expected = self.expected_value()
        if self.wrong is not None:
            return self.wrong(expected)
        return _perturb(expected)

    # ------------------------------------------------------------------ learner API
    def evaluate(self, answer: Any) -> Result:
        """Compare an answer with the expected value without recording or displaying anything."""
        if answer is _MISSING or isinstance(answer, Blank) or answer is Ellipsis:
            return Result(self.id, "not_attempted", t("exercise.not_attempted", variable=self.variable))
        try:
            feedback = self.checker(answer, self.expected_value())
        except Exception as exc:  # a checker must never crash on odd learner input
            feedback = Feedback("exercise.could_not_check", {"error": f"{type(exc).__name__}: {exc}"})
        if feedback is None:
            key = f"{self.messages}.correct"
            message = t(key) if has(key) else t("exercise.correct")
            return Result(self.id, "correct", message)
        return Result(self.id, "wrong", feedback.text())

    def check(self, answer: Any = _MISSING) -> None:
        """Check your answer. Without an argument, reads the variable named in the exercise."""
        if answer is _MISSING:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            if caller is not None:
                answer = caller.f_locals.get(self.variable, caller.f_globals.get(self.variable, _MISSING))
            del frame, caller
        result = self.evaluate(answer)
        progress.record(self.course, self.lesson, self.id, "check", result.outcome)
        _show(result)
        if _strict() and not result.passed:
            raise ExerciseFailed(f"{self.id}: {result}")

    def hint(self, n: int | None = None) -> None:
        """Show a hint. Each call without ``n`` shows the next, more specific, hint."""
        if n is None:
            n = min(self._hints_seen + 1, self.hints)
        if not isinstance(n, int) or not 1 <= n <= self.hints:
            raise ValueError(t("exercise.bad_hint_number", n=n, count=self.hints))
        self._hints_seen = max(self._hints_seen, n)
        progress.record(self.course, self.lesson, self.id, "hint", "shown")
        text = t(f"{self.messages}.hint{n}")
        _show(_Box(t("exercise.hint_title", n=n, count=self.hints), text, "#fff8e1", "#8a6100"))

    def solution(self) -> None:
        """Show the solution code and why it is right."""
        progress.record(self.course, self.lesson, self.id, "solution", "shown")
        note_key = f"{self.messages}.solution"
        note = t(note_key) if has(note_key) else ""
        _show(_Box(t("exercise.solution_title"), note, "#f3f3f3", "#333333", code=self.solution_code))


@dataclass(frozen=True)
class _Box:
    title: str
    text: str
    bg: str
    fg: str
    code: str = ""

    def _repr_html_(self) -> str:
        code = f"<pre style='margin:6px 0 0 0'>{html.escape(self.code)}</pre>" if self.code else ""
        return (
            f'<div style="background:{self.bg};color:{self.fg};border-left:4px solid {self.fg};'
            f'padding:6px 10px;margin:4px 0;border-radius:3px"><b>{html.escape(self.title)}</b> '
            f"{_inline_code(self.text)}{code}</div>"
        )

    def __str__(self) -> str:
        return "\n".join(part for part in (f"{self.title} {self.text}".strip(), self.code) if part)


def _perturb(value: Any) -> Any:
    """A clearly wrong variant of a value of the usual answer types."""
    import numpy as np
    import pandas as pd

    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float | np.number):
        return value * 1.5 + 1
    if isinstance(value, pd.Series):
        out = value.astype(float).copy()
        if len(out) >= 2:  # move credit between the first two keys, keeping the total
            out.iloc[0], out.iloc[1] = out.iloc[1] + 1, out.iloc[0] - 1
            return out
        return out * 1.5 + 1
    if isinstance(value, pd.DataFrame):
        return value.iloc[: max(len(value) - 1, 0)]
    if isinstance(value, dict):
        keys = list(value)
        return {k: value[k] for k in keys[:-1]} if len(keys) > 1 else {"__wrong__": 0}
    if isinstance(value, str):
        return value + "_wrong"
    if isinstance(value, list | tuple):
        return list(value)[::-1] if len(value) > 1 and list(value) != list(value)[::-1] else [*value, None]
    raise TypeError(f"no default wrong example for {type(value).__name__}; pass wrong= to the Exercise")
