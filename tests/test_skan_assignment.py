"""The graded assignment of course 04 (design a conversion-value schema for a vertical and defend it):
stored clean, released clean, and its tests grade right.

Modelled on ``tests/test_fraud_assignment.py``. The assignment folder is copied into a temporary courses
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

AID = "04-skan"
SOURCE = REPO / "courses" / AID / "assignment" / "skan-assignment.ipynb"
NB = SOURCE.stem
AUTOGRADED = {"skan-a-q1-tests": 3.0, "skan-a-q2-tests": 3.0, "skan-a-q3-tests": 3.0}
MANUAL = {"skan-a-q4": 4.0}
SOLUTION_EDGES = "revenue_edges = [0.01, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300]"
SOLUTION_CUTS = "coarse_cuts = [20, 100]"
FEW_BUCKETS = "revenue_edges = [0.01, 20, 100]"  # the cuts stay on edges; tier 2 keeps too little
OFF_EDGES = "coarse_cuts = [15, 100]"  # 15 USD is not a bucket edge


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
    assert len(ids) == len(set(ids)) and all(i.startswith("skan-a-") for i in ids)
    assert all(_nbgrader(c)["schema_version"] == 3 for c in nb.cells)
    points = {_nbgrader(c)["grade_id"]: _nbgrader(c).get("points", 0) for c in nb.cells if _nbgrader(c).get("grade")}
    assert points == {**AUTOGRADED, **MANUAL}
    tests = [c for c in nb.cells if _nbgrader(c).get("grade") and not _nbgrader(c)["solution"]]
    assert {_nbgrader(c)["grade_id"] for c in tests} == set(AUTOGRADED)
    assert all(c.cell_type == "code" and _nbgrader(c)["locked"] for c in tests)
    for c in tests:
        assert "BEGIN HIDDEN TESTS" in c.source
        assert "assert" in c.source.split("### BEGIN HIDDEN TESTS")[0]  # learners see some tests
        # expected values come from helpers on the learner's schema and the world, never pasted numbers
        hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
        assert "skan_analysis.skan_lab(vertical, _schema" in hidden
        assert not re.search(r"\d+\.\d{2,}", hidden), "a hidden test compares with a pasted number"
    memo = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == "skan-a-q4")
    assert memo.cell_type == "markdown" and _nbgrader(memo)["solution"] and "Rubric" in memo.source
    q1 = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == "skan-a-q1")
    assert SOLUTION_EDGES in q1.source and SOLUTION_CUTS in q1.source
    # answers are plain values (the grader exports nothing else): the tests build the schema themselves
    tests_src = "\n".join(c.source for c in tests)
    assert "my_schema" not in tests_src and "ConversionSchema(revenue_edges=list(revenue_edges)" in tests_src


@pytest.fixture(scope="module")
def grading_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("skan-assignment")
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
    assert len(secret) > 15
    rel_lines = {line.strip() for c in nbformat.read(_released(grading_root), 4).cells
                 for line in c.source.splitlines()}
    leaked = [s for s in secret if s in rel_lines]
    assert not leaked, leaked
    assert "raise NotImplementedError()" in released and "YOUR ANSWER HERE" in released
    assert "Rubric" not in released


def _replace_in_q1(nb, old: str, new: str):
    for c in nb.cells:
        if _nbgrader(c)["grade_id"] == "skan-a-q1":
            assert old in c.source
            c.source = c.source.replace(old, new)
    return nb


def _few_buckets(nb):
    """A plausible mistake: too few revenue buckets to keep 90 % of the signal at tier 2."""
    return _replace_in_q1(nb, SOLUTION_EDGES, FEW_BUCKETS)


def _off_edges(nb):
    """A plausible mistake: a coarse cut (15 USD) that is not a bucket edge."""
    return _replace_in_q1(nb, SOLUTION_CUTS, OFF_EDGES)


def _wrong_tier(nb):
    """A plausible mistake: the tier-2 row read as the tier-1 signal."""
    for c in nb.cells:
        if _nbgrader(c)["grade_id"] == "skan-a-q2":
            assert 'tiers.loc[1, "signal_kept"]' in c.source
            c.source = c.source.replace('tiers.loc[1, "signal_kept"]', 'tiers.loc[2, "signal_kept"]')
    return nb


def test_plausible_mistakes_pass_the_visible_tests(tmp_path):
    """The learner's view: with the hidden tests removed, every wrong answer runs without an error."""
    from nbclient import NotebookClient

    for mistake in (_few_buckets, _off_edges, _wrong_tier):
        nb = mistake(nbformat.read(SOURCE, 4))
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
        "few-buckets": _few_buckets(nbformat.read(SOURCE, 4)),
        "off-edges": _off_edges(nbformat.read(SOURCE, 4)),
        "wrong-tier": _wrong_tier(nbformat.read(SOURCE, 4)),
    }
    return submit_and_autograde(grading_root, AID, NB, plan)


def test_solution_gets_full_automatic_marks(graded):
    auto = {k: v for k, v in graded["solution"].items() if k in AUTOGRADED}
    assert auto == AUTOGRADED, auto
    assert graded["solution"]["skan-a-q4"] is None  # the memo waits for the instructor


def test_released_notebook_gets_zero(graded):
    assert sum(v or 0 for v in graded["untouched"].values()) == 0, graded["untouched"]


def test_hidden_tests_catch_the_mistakes(graded):
    # visible tests pass (see test_plausible_mistakes_pass_the_visible_tests); hidden ones do not
    few = graded["few-buckets"]
    assert few["skan-a-q1-tests"] == 0 and few["skan-a-q2-tests"] == 3, few
    off = graded["off-edges"]
    assert off["skan-a-q1-tests"] == 3 and off["skan-a-q2-tests"] == 0, off
    wrong = graded["wrong-tier"]
    assert wrong["skan-a-q1-tests"] == 3 and wrong["skan-a-q2-tests"] == 0 and wrong["skan-a-q3-tests"] == 3, wrong


def test_feedback_has_no_hidden_tests(graded, grading_root):
    assert cli.main(["feedback", "--assignment", AID]) == 0
    pages = list((grading_root / "feedback").glob(f"*/{AID}/*.html"))
    assert len(pages) == 5
    cells = nbformat.read(SOURCE, 4).cells
    hidden = hidden_lines(nbformat.read(SOURCE, 4))
    answers = "\n".join(c.source.split("### BEGIN HIDDEN TESTS")[0] for c in cells)
    hidden = [h for h in hidden if h not in answers]
    assert len(hidden) > 10
    for p in pages:
        text = cli._html_text(p)
        assert not [h for h in hidden if h in text], p
