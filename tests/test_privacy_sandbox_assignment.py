"""The graded assignment of course 05 (plan private measurement for a campaign portfolio): stored clean,
released clean, and its tests grade right.

Modelled on ``tests/test_fraud_assignment.py``: the assignment folder is copied into a temporary courses
folder (env ``MMA_COURSES_DIR``) and released into a temporary grading root (``MMA_GRADING_ROOT``), so
neither the real ``grading/`` folder nor the other courses are touched.
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

AID = "05-privacy-sandbox"
SOURCE = REPO / "courses" / AID / "assignment" / "privacy-sandbox-assignment.ipynb"
NB = SOURCE.stem
PREFIX = "privacy-sandbox-a-"
AUTOGRADED = {f"{PREFIX}q1-tests": 3.0, f"{PREFIX}q2-tests": 3.0, f"{PREFIX}q3-tests": 3.0}
MANUAL = {f"{PREFIX}q4": 4.0}
SPLIT_LINE = "split = ps.equal_error_split(QUESTIONS, typical)"
LAYOUT_LINE = 'layout = ps.KeyLayout({"campaign": campaigns, "country": countries, "question": ["purchases", "revenue"]})'


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
    assert len(ids) == len(set(ids)) and all(i.startswith(PREFIX) for i in ids)
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
        assert 'course_view(name="assignment")' in hidden and "planning_purchases(" in hidden and "ps." in hidden
        assert not re.search(r"\d+\.\d{2,}", hidden), "a hidden test compares with a pasted number"
    memo = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == f"{PREFIX}q4")
    assert memo.cell_type == "markdown" and _nbgrader(memo)["solution"] and "Rubric" in memo.source
    setup = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == f"{PREFIX}setup")
    assert 'course_view(name="assignment")' in setup.source and "truth" not in setup.source


@pytest.fixture(scope="module")
def grading_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("privacy-sandbox-assignment")
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


def _replace(nb, grade_id: str, old: str, new: str):
    for c in nb.cells:
        if _nbgrader(c)["grade_id"] == f"{PREFIX}{grade_id}":
            assert old in c.source, (grade_id, old)
            c.source = c.source.replace(old, new)
    return nb


def _fifty_fifty(nb):
    """A plausible mistake: an even budget split instead of one that equalises the errors."""
    return _replace(nb, "q2", SPLIT_LINE, 'split = {"purchases": 0.5, "revenue": 0.5}')


def _no_question(nb):
    """A plausible mistake: the key without the question dimension."""
    return _replace(nb, "q1", LAYOUT_LINE, 'layout = ps.KeyLayout({"campaign": campaigns, "country": countries})\n'
                    '_full = ps.KeyLayout({"campaign": campaigns, "country": countries, '
                    '"question": ["purchases", "revenue"]})')


def test_plausible_mistake_passes_the_visible_tests(tmp_path):
    """The learner's view: with the hidden tests removed, the wrong answers run without an error."""
    from nbclient import NotebookClient

    nb = _fifty_fifty(nbformat.read(SOURCE, 4))
    nb = _replace(nb, "q1", 'focus_key = layout.encode(campaign=FOCUS, country="KR", question="revenue")',
                  'focus_key = layout.encode(campaign=FOCUS, country="JP", question="revenue")')
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
    no_question = _no_question(nbformat.read(SOURCE, 4))
    # the rest of the notebook needs a layout with a question: encode with the full one
    no_question = _replace(no_question, "q1", 'focus_key = layout.encode(campaign=FOCUS, country="KR", question="revenue")',
                           'focus_key = _full.encode(campaign=FOCUS, country="KR", question="revenue")')
    plan = {
        "solution": nbformat.read(SOURCE, 4),
        "untouched": nbformat.read(_released(grading_root), 4),
        "fifty-fifty": _fifty_fifty(nbformat.read(SOURCE, 4)),
        "no-question": no_question,
    }
    return submit_and_autograde(grading_root, AID, NB, plan)


def test_solution_gets_full_automatic_marks(graded):
    auto = {k: v for k, v in graded["solution"].items() if k in AUTOGRADED}
    assert auto == AUTOGRADED, auto
    assert graded["solution"][f"{PREFIX}q4"] is None  # the plan waits for the instructor


def test_released_notebook_gets_zero(graded):
    assert sum(v or 0 for v in graded["untouched"].values()) == 0, graded["untouched"]


def test_hidden_tests_catch_an_even_budget_split(graded):
    s = graded["fifty-fifty"]
    assert s[f"{PREFIX}q1-tests"] == 3.0 and s[f"{PREFIX}q2-tests"] == 0 and s[f"{PREFIX}q3-tests"] == 0, s


def test_hidden_tests_catch_a_key_without_the_question(graded):
    s = graded["no-question"]
    assert s[f"{PREFIX}q1-tests"] == 0 and s[f"{PREFIX}q2-tests"] == 3.0 and s[f"{PREFIX}q3-tests"] == 3.0, s


def test_feedback_has_no_hidden_tests(graded, grading_root):
    assert cli.main(["feedback", "--assignment", AID]) == 0
    pages = list((grading_root / "feedback").glob(f"*/{AID}/*.html"))
    assert len(pages) == 4
    cells = nbformat.read(SOURCE, 4).cells
    hidden = hidden_lines(nbformat.read(SOURCE, 4))
    # a line the solution or the visible tests also contain is no secret
    answers = "\n".join(c.source.split("### BEGIN HIDDEN TESTS")[0] for c in cells)
    hidden = [h for h in hidden if h not in answers]
    assert len(hidden) > 10
    for p in pages:
        text = cli._html_text(p)
        assert not [h for h in hidden if h in text], p
