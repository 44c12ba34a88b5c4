"""The real graded assignment of course 01: stored clean, released clean, and its tests grade right.

The assignment is released into a temporary grading root (env ``MMA_GRADING_ROOT``), so the real
``grading/`` folder is never touched; it reads the course's datasets through ``helpers.data``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from _grading_support import hidden_lines, marked_lines, release_into, secret_lines, submit_and_autograde

from grading import cli

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

AID = "01-attribution"
SOURCE = REPO / "courses" / AID / "assignment" / "attribution-assignment.ipynb"
NB = SOURCE.stem
AUTOGRADED_POINTS = 10.0   # q1 3 + q2 3 + q3 4
MANUAL_POINTS = 4.0


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids)) and all(i.startswith("attribution-a-") for i in ids)
    assert all(c.metadata["nbgrader"]["schema_version"] == 3 for c in nb.cells)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points", 0)
              for c in nb.cells if c.metadata["nbgrader"].get("grade")}
    assert sum(points.values()) == AUTOGRADED_POINTS + MANUAL_POINTS
    tests = [c for c in nb.cells if c.metadata["nbgrader"].get("grade") and not c.metadata["nbgrader"]["solution"]]
    assert tests and all("BEGIN HIDDEN TESTS" in c.source for c in tests)
    # expected values come from helpers on the data, never pasted numbers
    for c in tests:
        hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
        assert "load(" in hidden and "attribute_" in hidden


@pytest.fixture(scope="module")
def grading_root(tmp_path_factory):
    with release_into(tmp_path_factory.mktemp("assignment"), REPO / "courses", AID) as root:
        yield root


def test_release_has_no_solutions_or_hidden_tests(grading_root):
    source_text = SOURCE.read_text()
    released = (grading_root / "release" / AID / f"{NB}.ipynb").read_text()
    assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)", released)
    nb = nbformat.read(SOURCE, 4)
    secret = secret_lines(nb)
    assert len(secret) > 10
    rel_lines = {line.strip() for c in nbformat.read(grading_root / "release" / AID / f"{NB}.ipynb", 4).cells
                 for line in c.source.splitlines()}
    leaked = [s for s in secret if s in rel_lines]
    assert not leaked, leaked
    assert "raise NotImplementedError()" in released and "YOUR ANSWER HERE" in released
    assert source_text != released


def _wrong_window(nb):
    """A plausible mistake: a 1-day click lookback instead of 7 days."""
    for c in nb.cells:
        if c.metadata["nbgrader"]["grade_id"] == "attribution-a-q1":
            assert '"7D"' in c.source
            c.source = c.source.replace('"7D"', '"1D"')
    return nb


@pytest.fixture(scope="module")
def graded(grading_root):
    release = grading_root / "release" / AID / f"{NB}.ipynb"
    plan = {
        "solution": nbformat.read(SOURCE, 4),
        "untouched": nbformat.read(release, 4),
        "wrong-window": _wrong_window(nbformat.read(SOURCE, 4)),
    }
    return submit_and_autograde(grading_root, AID, NB, plan)


def test_solution_gets_full_automatic_marks(graded):
    auto = {k: v for k, v in graded["solution"].items() if k.endswith("-tests")}
    assert sum(auto.values()) == AUTOGRADED_POINTS, auto
    assert graded["solution"]["attribution-a-q4"] is None  # the memo waits for the instructor


def test_released_notebook_gets_zero(graded):
    assert sum(v or 0 for v in graded["untouched"].values()) == 0, graded["untouched"]


def test_hidden_tests_catch_a_wrong_lookback(graded):
    s = graded["wrong-window"]
    assert s["attribution-a-q1-tests"] == 0          # visible tests pass, hidden ones do not
    assert s["attribution-a-q3-tests"] == 4


def test_feedback_for_the_assignment_has_no_hidden_tests(graded, grading_root):
    assert cli.main(["feedback", "--assignment", AID]) == 0
    pages = list((grading_root / "feedback").glob(f"*/{AID}/*.html"))
    assert len(pages) == 3
    cells = nbformat.read(SOURCE, 4).cells
    hidden = hidden_lines(nbformat.read(SOURCE, 4))
    # a line the solution itself also contains (e.g. the lookback arguments) is no secret
    answers = "\n".join(c.source for c in cells if "BEGIN HIDDEN TESTS" not in c.source)
    hidden = [h for h in hidden if h not in answers]
    assert len(hidden) > 10
    for p in pages:
        text = cli._html_text(p)
        assert not [h for h in hidden if h in text], p

