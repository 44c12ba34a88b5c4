"""Course 04's graded assignment (design a conversion-value schema for a vertical and defend it): what
is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests compute with, the reference schema, and three plausible mistakes that the visible tests
let through and the hidden ones catch, graded in a temporary grading root
(``tests/_grading_support.py``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from _grading_support import (
    failures_outside_hidden_tests,
    feedback_leaks,
    feedback_secrets,
    grade_cell,
    graded_mistakes,
    is_test_cell,
    marked_lines,
    nbg,
    points,
    replace_in_cell,
)

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


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    assert all(nbg(c)["grade_id"].startswith("skan-a-") for c in nb.cells)
    assert points(nb) == {**AUTOGRADED, **MANUAL}
    assert points(nb, is_test_cell) == AUTOGRADED
    tests = [c for c in nb.cells if is_test_cell(c)]
    for c in tests:
        # expected values come from helpers on the learner's schema and the world
        hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
        assert "skan_analysis.skan_lab(vertical, _schema" in hidden, nbg(c)["grade_id"]
    q1 = grade_cell(nb, "skan-a-q1")
    assert SOLUTION_EDGES in q1.source and SOLUTION_CUTS in q1.source
    # answers are plain values (the grader exports nothing else): the tests build the schema themselves
    tests_src = "\n".join(c.source for c in tests)
    assert "my_schema" not in tests_src and "ConversionSchema(revenue_edges=list(revenue_edges)" in tests_src


def _few_buckets(nb):
    """A plausible mistake: too few revenue buckets to keep 90 % of the signal at tier 2."""
    return replace_in_cell(nb, "skan-a-q1", SOLUTION_EDGES, FEW_BUCKETS)


def _off_edges(nb):
    """A plausible mistake: a coarse cut (15 USD) that is not a bucket edge."""
    return replace_in_cell(nb, "skan-a-q1", SOLUTION_CUTS, OFF_EDGES)


def _wrong_tier(nb):
    """A plausible mistake: the tier-2 row read as the tier-1 signal."""
    return replace_in_cell(nb, "skan-a-q2", 'tiers.loc[1, "signal_kept"]', 'tiers.loc[2, "signal_kept"]')


MISTAKES = {"few-buckets": _few_buckets, "off-edges": _off_edges, "wrong-tier": _wrong_tier}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with graded_mistakes(tmp_path_factory.mktemp("skan-assignment"), SOURCE, MISTAKES) as g:
        yield g


@pytest.mark.parametrize("sid", MISTAKES)
def test_plausible_mistakes_pass_the_visible_tests(graded, sid):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert failures_outside_hidden_tests(graded.autograded(AID, NB, sid), nbformat.read(SOURCE, 4)) == []


def test_hidden_tests_catch_the_mistakes(graded):
    few = graded.scores[(AID, NB, "few-buckets")]
    assert few["skan-a-q1-tests"] == 0 and few["skan-a-q2-tests"] == 3, few
    off = graded.scores[(AID, NB, "off-edges")]
    assert off["skan-a-q1-tests"] == 3 and off["skan-a-q2-tests"] == 0, off
    wrong = graded.scores[(AID, NB, "wrong-tier")]
    assert wrong["skan-a-q1-tests"] == 3 and wrong["skan-a-q2-tests"] == 0 and wrong["skan-a-q3-tests"] == 3, wrong


def test_feedback_on_the_mistakes_has_no_hidden_tests(graded):
    pages = [p for sid in MISTAKES for p in graded.feedback_pages(AID, sid)]
    assert len(pages) == len(MISTAKES)
    assert feedback_leaks(pages, feedback_secrets(nbformat.read(SOURCE, 4))) == {}
