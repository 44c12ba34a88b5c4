"""Course 04's graded assignment (design a conversion-value schema for a vertical and defend it): what
is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests compute with, the reference schema, and three plausible mistakes that the visible tests
let through and the hidden ones catch, graded in a temporary grading root
(``tests/_grading_support.py``).
"""

from __future__ import annotations

import _grading_support as gs
import nbformat
import pytest

pytestmark = pytest.mark.slow

SOURCE = gs.REPO / "courses" / "04-skan" / "assignment" / "skan-assignment.ipynb"
SOLUTION_EDGES = "revenue_edges = [0.01, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300]"
SOLUTION_CUTS = "coarse_cuts = [20, 100]"
FEW_BUCKETS = "revenue_edges = [0.01, 20, 100]"  # the cuts stay on edges; tier 2 keeps too little
OFF_EDGES = "coarse_cuts = [15, 100]"  # 15 USD is not a bucket edge


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    gs.assert_points(nb, "skan-a-", {"skan-a-q1-tests": 3.0, "skan-a-q2-tests": 3.0, "skan-a-q3-tests": 3.0},
                     {"skan-a-q4": 4.0})
    for gid, hidden in gs.hidden_tests(nb).items():
        # expected values come from helpers on the learner's schema and the world
        assert "skan_analysis.skan_lab(vertical, _schema" in hidden, gid
    q1 = gs.grade_cell(nb, "skan-a-q1")
    assert SOLUTION_EDGES in q1.source and SOLUTION_CUTS in q1.source
    # answers are plain values (the grader exports nothing else): the tests build the schema themselves
    tests_src = "\n".join(c.source for c in nb.cells if gs.is_test_cell(c))
    assert "my_schema" not in tests_src and "ConversionSchema(revenue_edges=list(revenue_edges)" in tests_src


def _few_buckets(nb):
    """A plausible mistake: too few revenue buckets to keep 90 % of the signal at tier 2."""
    return gs.replace_in_cell(nb, "skan-a-q1", SOLUTION_EDGES, FEW_BUCKETS)


def _off_edges(nb):
    """A plausible mistake: a coarse cut (15 USD) that is not a bucket edge."""
    return gs.replace_in_cell(nb, "skan-a-q1", SOLUTION_CUTS, OFF_EDGES)


def _wrong_tier(nb):
    """A plausible mistake: the tier-2 row read as the tier-1 signal."""
    return gs.replace_in_cell(nb, "skan-a-q2", 'tiers.loc[1, "signal_kept"]', 'tiers.loc[2, "signal_kept"]')


MISTAKES = {"few-buckets": _few_buckets, "off-edges": _off_edges, "wrong-tier": _wrong_tier}
graded = gs.mistakes_fixture(SOURCE, MISTAKES)


@pytest.mark.parametrize("sid", MISTAKES)
def test_plausible_mistakes_pass_the_visible_tests(graded, sid):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert graded.failures_outside_hidden_tests(sid) == []


def test_hidden_tests_catch_the_mistakes(graded):
    few = graded.score("few-buckets")
    assert few["skan-a-q1-tests"] == 0 and few["skan-a-q2-tests"] == 3, few
    off = graded.score("off-edges")
    assert off["skan-a-q1-tests"] == 3 and off["skan-a-q2-tests"] == 0, off
    wrong = graded.score("wrong-tier")
    assert wrong["skan-a-q1-tests"] == 3 and wrong["skan-a-q2-tests"] == 0 and wrong["skan-a-q3-tests"] == 3, wrong


def test_feedback_on_the_mistakes_has_no_hidden_tests(graded):
    assert graded.feedback_leaks() == {}
