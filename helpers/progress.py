"""The learner's local progress store.

Every exercise call (``check``, ``hint``, ``solution``) records one event in a small SQLite file.
The portal's start page reads it to show lessons started and finished and exercises passed.

Where the file lives: ``MMA_PROGRESS`` if set, else ``~/.mma/progress.sqlite3``. ``make lab``
points it into the learner's workspace so that each workspace has its own progress.

Recording progress must never break a lesson: if the file cannot be written (read-only disk,
locked database), the event is dropped with one warning and the check still answers.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from helpers.messages import t

__all__ = ["store_path", "record", "events", "reset", "ProgressEvent"]

ACTIONS = ("check", "hint", "solution", "open")
OUTCOMES = ("correct", "wrong", "not_attempted", "shown", "")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    course TEXT NOT NULL,
    lesson TEXT NOT NULL,
    exercise TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL
)
"""
_warned = False


def store_path() -> Path:
    """Path of the SQLite progress file (see the module docstring)."""
    env = os.environ.get("MMA_PROGRESS")
    return Path(env).expanduser() if env else Path.home() / ".mma" / "progress.sqlite3"


@dataclass(frozen=True)
class ProgressEvent:
    ts: str
    course: str
    lesson: str
    exercise: str
    action: str
    outcome: str


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=5)
    con.execute(_SCHEMA)
    return con


def record(course: str, lesson: str, exercise: str, action: str, outcome: str = "") -> bool:
    """Append one event; returns False (and warns once) if the store cannot be written."""
    global _warned
    if action not in ACTIONS:
        raise ValueError(f"unknown progress action {action!r}; expected one of {ACTIONS}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown progress outcome {outcome!r}; expected one of {OUTCOMES}")
    ts = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    try:
        with _connect(store_path()) as con:
            con.execute(
                "INSERT INTO events (ts, course, lesson, exercise, action, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                (ts, course, lesson, exercise, action, outcome),
            )
        return True
    except (sqlite3.Error, OSError) as exc:
        if not _warned:
            warnings.warn(t("progress.cannot_save", path=store_path(), error=exc), stacklevel=2)
            _warned = True
        return False


def events(course: str | None = None) -> list[ProgressEvent]:
    """All recorded events (oldest first), optionally for one course."""
    path = store_path()
    if not path.exists():
        return []
    try:
        with _connect(path) as con:
            sql = "SELECT ts, course, lesson, exercise, action, outcome FROM events"
            args: Iterable[str] = ()
            if course is not None:
                sql += " WHERE course = ?"
                args = (course,)
            rows = con.execute(sql + " ORDER BY id", tuple(args)).fetchall()
    except sqlite3.Error as exc:
        raise RuntimeError(t("progress.cannot_read", path=path, error=exc)) from exc
    return [ProgressEvent(*row) for row in rows]


def reset(course: str | None = None) -> int:
    """Forget recorded progress (of one course, or all); returns the number of events removed."""
    path = store_path()
    if not path.exists():
        return 0
    with _connect(path) as con:
        if course is None:
            cur = con.execute("DELETE FROM events")
        else:
            cur = con.execute("DELETE FROM events WHERE course = ?", (course,))
        return cur.rowcount
