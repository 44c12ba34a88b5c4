"""The graded assignment of course 02 (investigate a suspicious network): stored clean, released
clean, and its tests grade right.

Modelled on ``tests/test_assignment.py``. The assignment folder is copied into a temporary courses
folder (env ``MMA_COURSES_DIR``) and released into a temporary grading root (``MMA_GRADING_ROOT``),
so neither the real ``grading/`` folder nor the other courses are touched; ``grading.cli`` finds an
assignment by its ``<course>/assignment/*.ipynb`` folder, with or without a ``course.toml``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from _grading_support import hidden_lines, marked_lines, release_into, secret_lines, submit_and_autograde

from grading import cli

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

AID = "02-fraud"
SOURCE = REPO / "courses" / AID / "assignment" / "fraud-assignment.ipynb"
NB = SOURCE.stem
AUTOGRADED = {"fraud-a-q1-tests": 3.0, "fraud-a-q2-tests": 3.0, "fraud-a-q3-tests": 3.0}
MANUAL = {"fraud-a-q4": 4.0}


def _nbgrader(cell) -> dict:
    return cell.metadata["nbgrader"]


def test_source_is_stored_without_outputs():
    nb = nbformat.read(SOURCE, 4)
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, _nbgrader(c).get("grade_id")


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids)) and all(i.startswith("fraud-a-") for i in ids)
    assert all(_nbgrader(c)["schema_version"] == 3 for c in nb.cells)
    points = {_nbgrader(c)["grade_id"]: _nbgrader(c).get("points", 0) for c in nb.cells if _nbgrader(c).get("grade")}
    assert points == {**AUTOGRADED, **MANUAL}
    tests = [c for c in nb.cells if _nbgrader(c).get("grade") and not _nbgrader(c)["solution"]]
    assert {_nbgrader(c)["grade_id"] for c in tests} == set(AUTOGRADED)
    assert all(c.cell_type == "code" and _nbgrader(c)["locked"] for c in tests)
    for c in tests:
        assert "BEGIN HIDDEN TESTS" in c.source
        visible = c.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in visible  # learners see some tests
        # expected values come from helpers on the seeded data, never pasted numbers
        hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
        assert 'load_world("fraud")' in hidden and "fraud.detect(" in hidden and "fraud.source_report(" in hidden
        assert not re.search(r"\d+\.\d{2,}", hidden), "a hidden test compares with a pasted number"
    memo = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == "fraud-a-q4")
    assert memo.cell_type == "markdown" and _nbgrader(memo)["solution"] and "Rubric" in memo.source
    setup = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == "fraud-a-setup")
    assert 'load_world("fraud")' in setup.source and "truth" not in setup.source.replace("no truth labels", "")


@pytest.fixture(scope="module")
def grading_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("fraud-assignment")
    courses = base / "courses"
    shutil.copytree(SOURCE.parent, courses / AID / "assignment")
    with release_into(base, courses, AID) as root:
        assert AID in cli.course_assignments()  # found without a course.toml
        yield root


def _released(root: Path) -> Path:
    return root / "release" / AID / f"{NB}.ipynb"


def test_release_has_no_solutions_or_hidden_tests(grading_root):
    released = _released(grading_root).read_text()
    assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)", released)
    secret = secret_lines(nbformat.read(SOURCE, 4))
    assert len(secret) > 20
    rel_lines = {line.strip() for c in nbformat.read(_released(grading_root), 4).cells
                 for line in c.source.splitlines()}
    leaked = [s for s in secret if s in rel_lines]
    assert not leaked, leaked
    assert "raise NotImplementedError()" in released and "YOUR ANSWER HERE" in released
    assert "Rubric" not in released


def _without_clicks(nb):
    """A plausible mistake: the detector run without the click log (no click-flooding rule)."""
    for c in nb.cells:
        if _nbgrader(c)["grade_id"] == "fraud-a-q1":
            assert "fraud.detect(installs, clicks, events=events)" in c.source
            c.source = c.source.replace("fraud.detect(installs, clicks, events=events)",
                                        "fraud.detect(installs, events=events)")
    return nb


def test_plausible_mistake_passes_the_visible_tests(tmp_path):
    """The learner's view: with the hidden tests removed, the wrong answer runs without an error."""
    from nbclient import NotebookClient

    nb = _without_clicks(nbformat.read(SOURCE, 4))
    for c in nb.cells:
        if "### BEGIN HIDDEN TESTS" in c.source:
            c.source = c.source.split("### BEGIN HIDDEN TESTS")[0]
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env_path) if p)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_path


@pytest.fixture(scope="module")
def graded(grading_root):
    plan = {
        "solution": nbformat.read(SOURCE, 4),
        "untouched": nbformat.read(_released(grading_root), 4),
        "no-clicks": _without_clicks(nbformat.read(SOURCE, 4)),
    }
    return submit_and_autograde(grading_root, AID, NB, plan)


def test_solution_gets_full_automatic_marks(graded):
    auto = {k: v for k, v in graded["solution"].items() if k in AUTOGRADED}
    assert auto == AUTOGRADED, auto
    assert graded["solution"]["fraud-a-q4"] is None  # the message waits for the instructor


def test_released_notebook_gets_zero(graded):
    assert sum(v or 0 for v in graded["untouched"].values()) == 0, graded["untouched"]


def test_hidden_tests_catch_a_detector_run_without_clicks(graded):
    # visible tests pass (see test_plausible_mistake_passes_the_visible_tests); hidden ones do not
    s = graded["no-clicks"]
    assert s["fraud-a-q1-tests"] == 0 and s["fraud-a-q2-tests"] == 0 and s["fraud-a-q3-tests"] == 0, s


def test_feedback_has_no_hidden_tests(graded, grading_root):
    assert cli.main(["feedback", "--assignment", AID]) == 0
    pages = list((grading_root / "feedback").glob(f"*/{AID}/*.html"))
    assert len(pages) == 3
    cells = nbformat.read(SOURCE, 4).cells
    hidden = hidden_lines(nbformat.read(SOURCE, 4))
    # a line the solution or the visible tests also contain is no secret
    answers = "\n".join(c.source.split("### BEGIN HIDDEN TESTS")[0] for c in cells)
    hidden = [h for h in hidden if h not in answers]
    assert len(hidden) > 15
    for p in pages:
        text = cli._html_text(p)
        assert not [h for h in hidden if h in text], p
