"""Shared by the assignment tests: release into a temporary grading root, read the secret regions
of a source notebook, submit notebooks for several students and autograde them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import nbformat

from grading import cli

ENV_KEYS = ("MMA_GRADING_ROOT", "MMA_COURSES_DIR", "MMA_GRADEBOOK_URL")


def marked_lines(text: str, begin: str, end: str) -> list[str]:
    """Non-trivial lines (12+ characters) between ``begin`` and ``end`` markers."""
    out, inside = [], False
    for line in text.splitlines():
        s = line.strip()
        if begin in s:
            inside = True
        elif end in s:
            inside = False
        elif inside and len(s) >= 12:
            out.append(s)
    return out


def hidden_lines(nb) -> list[str]:
    """Every hidden-test line of a source notebook."""
    return [s for c in nb.cells for s in marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]


def secret_lines(nb) -> list[str]:
    """Every solution and hidden-test line of a source notebook."""
    solutions = [s for c in nb.cells for s in marked_lines(c.source, "BEGIN SOLUTION", "END SOLUTION")]
    return solutions + hidden_lines(nb)


@contextlib.contextmanager
def release_into(base: Path, courses: Path, assignment: str) -> Iterator[Path]:
    """Release ``assignment`` from ``courses`` into a fresh grading root under ``base``; the
    environment variables that point the grading commands there are restored afterwards."""
    root = base / "grading"
    root.mkdir()
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ.update(MMA_GRADING_ROOT=str(root), MMA_COURSES_DIR=str(courses))
    os.environ.pop("MMA_GRADEBOOK_URL", None)
    try:
        assert cli.main(["release", "--assignment", assignment]) == 0
        yield root
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def submit_and_autograde(grading_root: Path, assignment: str, notebook: str, plan: dict) -> dict[str, dict]:
    """Write each ``{student: notebook}`` of ``plan`` as a submission, autograde the assignment and
    return ``{student: {grade cell name: auto score}}`` read from the gradebook."""
    from nbgrader.api import Gradebook

    for sid, nb in plan.items():
        out = grading_root / "submitted" / sid / assignment
        out.mkdir(parents=True)
        nbformat.write(nb, out / f"{notebook}.ipynb")
    assert cli.main(["autograde", "--assignment", assignment]) == 0
    scores = {}
    with Gradebook(f"sqlite:///{grading_root / 'gradebook.db'}", "mobile-measurement-academy") as gb:
        for sid in plan:
            sub = gb.find_submission(assignment, sid)
            scores[sid] = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
    return scores
