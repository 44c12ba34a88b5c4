"""Course 02's graded assignment (investigate a suspicious network): what is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests and setup compute with, and a plausible mistake that the visible tests let through and
the hidden ones catch, graded in a temporary grading root (``tests/_grading_support.py``).
"""

from __future__ import annotations

import _grading_support as gs
import nbformat
import pytest

pytestmark = pytest.mark.slow

SOURCE = gs.REPO / "courses" / "02-fraud" / "assignment" / "fraud-assignment.ipynb"


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    gs.assert_points(nb, "fraud-a-", {"fraud-a-q1-tests": 3.0, "fraud-a-q2-tests": 3.0, "fraud-a-q3-tests": 3.0},
                     {"fraud-a-q4": 4.0})
    for gid, hidden in gs.hidden_tests(nb).items():  # expected values come from helpers on the seeded data
        assert 'load_world("fraud")' in hidden and "fraud.detect(" in hidden and "fraud.source_report(" in hidden, gid
    setup = gs.grade_cell(nb, "fraud-a-setup")
    assert 'load_world("fraud")' in setup.source and "truth" not in setup.source.replace("no truth labels", "")


def _without_clicks(nb):
    """A plausible mistake: the detector run without the click log (no click-flooding rule)."""
    return gs.replace_in_cell(nb, "fraud-a-q1", "fraud.detect(installs, clicks, events=events)",
                              "fraud.detect(installs, events=events)")


MISTAKES = {"no-clicks": _without_clicks}
graded = gs.mistakes_fixture(SOURCE, MISTAKES)


def test_plausible_mistake_passes_the_visible_tests(graded):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert graded.failures_outside_hidden_tests("no-clicks") == []


def test_hidden_tests_catch_a_detector_run_without_clicks(graded):
    s = graded.score("no-clicks")
    assert s["fraud-a-q1-tests"] == 0 and s["fraud-a-q2-tests"] == 0 and s["fraud-a-q3-tests"] == 0, s


def test_feedback_on_the_mistake_has_no_hidden_tests(graded):
    assert graded.feedback_leaks() == {}
