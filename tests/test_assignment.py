"""Course 01's graded assignment (audit a month of attribution): what is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests compute with, and a plausible mistake that the visible tests let through and the hidden
ones catch, graded in a temporary grading root (``tests/_grading_support.py``) so the real
``grading/`` folder is never touched.
"""

from __future__ import annotations

import _grading_support as gs
import nbformat
import pytest

pytestmark = pytest.mark.slow

SOURCE = gs.REPO / "courses" / "01-attribution" / "assignment" / "attribution-assignment.ipynb"
AUTOGRADED = {"attribution-a-q1-tests": 3.0, "attribution-a-q2-tests": 3.0, "attribution-a-q3-tests": 4.0}


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    gs.assert_points(nb, "attribution-a-", AUTOGRADED, {"attribution-a-q4": 4.0})
    for gid, hidden in gs.hidden_tests(nb).items():  # expected values come from helpers on the data
        assert "load(" in hidden and "attribute_" in hidden, gid


def _wrong_window(nb):
    """A plausible mistake: a 1-day click lookback instead of 7 days."""
    return gs.replace_in_cell(nb, "attribution-a-q1", '"7D"', '"1D"')


MISTAKES = {"wrong-window": _wrong_window}
graded = gs.mistakes_fixture(SOURCE, MISTAKES)


def test_plausible_mistake_passes_the_visible_tests(graded):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert graded.failures_outside_hidden_tests("wrong-window") == []


def test_hidden_tests_catch_a_wrong_lookback(graded):
    s = graded.score("wrong-window")
    assert s["attribution-a-q1-tests"] == 0, s
    assert s["attribution-a-q3-tests"] == AUTOGRADED["attribution-a-q3-tests"], s


def test_feedback_on_the_mistake_has_no_hidden_tests(graded):
    assert graded.feedback_leaks() == {}
