"""Practice exercises for every lesson: ``check()``, ``hint()``, ``solution()`` and progress.

Lesson ``NN.M`` of a course has a module ``helpers/exercises/<topic>/lesson_N_M.py`` that defines
``q1 … qN`` (instances of :class:`Exercise`) and lists them in ``EXERCISES``. A notebook does::

    from helpers.exercises import ____
    from helpers.exercises.attribution.lesson_1_1 import q1, q2, q3

Practice checks are not graded tests: graded (hidden) tests live only in the nbgrader source of
each course's assignment and never reach this package.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from helpers.exercises.core import Blank, Exercise, ExerciseFailed, Feedback, Result, ____

__all__ = ["Exercise", "ExerciseFailed", "Feedback", "Result", "Blank", "____", "lesson_modules", "all_exercises"]


def lesson_modules(topic: str) -> dict[str, ModuleType]:
    """The exercise modules of one course topic, keyed by lesson number (``"01.1"``)."""
    try:
        package = importlib.import_module(f"helpers.exercises.{topic}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"no exercises for course topic {topic!r} (expected helpers/exercises/{topic}/)") from exc
    out = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("lesson_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        exercises = getattr(module, "EXERCISES", None)
        if not exercises:
            raise ValueError(f"{module.__name__} defines no EXERCISES list")
        out[exercises[0].lesson] = module
    return out


def all_exercises(topic: str) -> list[Exercise]:
    """Every exercise of a course topic, in lesson order."""
    return [ex for module in lesson_modules(topic).values() for ex in module.EXERCISES]
