"""Shared by the assignment tests: submit notebooks for several students and autograde them."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grading import cli


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
