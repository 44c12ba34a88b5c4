"""Course 02's graded assignment (investigate a suspicious network): what is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests and setup compute with, and a plausible mistake that the visible tests let through and
the hidden ones catch, graded in a temporary grading root (``tests/_grading_support.py``).
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

AID = "02-fraud"
SOURCE = REPO / "courses" / AID / "assignment" / "fraud-assignment.ipynb"
NB = SOURCE.stem
AUTOGRADED = {"fraud-a-q1-tests": 3.0, "fraud-a-q2-tests": 3.0, "fraud-a-q3-tests": 3.0}
MANUAL = {"fraud-a-q4": 4.0}


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    assert all(nbg(c)["grade_id"].startswith("fraud-a-") for c in nb.cells)
    assert points(nb) == {**AUTOGRADED, **MANUAL}
    assert points(nb, is_test_cell) == AUTOGRADED
    # expected values come from helpers on the seeded data
    for c in nb.cells:
        if is_test_cell(c):
            hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            assert 'load_world("fraud")' in hidden and "fraud.detect(" in hidden and "fraud.source_report(" in hidden
    setup = grade_cell(nb, "fraud-a-setup")
    assert 'load_world("fraud")' in setup.source and "truth" not in setup.source.replace("no truth labels", "")


def _without_clicks(nb):
    """A plausible mistake: the detector run without the click log (no click-flooding rule)."""
    return replace_in_cell(nb, "fraud-a-q1", "fraud.detect(installs, clicks, events=events)",
                           "fraud.detect(installs, events=events)")


MISTAKES = {"no-clicks": _without_clicks}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with graded_mistakes(tmp_path_factory.mktemp("fraud-assignment"), SOURCE, MISTAKES) as g:
        yield g


def test_plausible_mistake_passes_the_visible_tests(graded):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert failures_outside_hidden_tests(graded.autograded(AID, NB, "no-clicks"), nbformat.read(SOURCE, 4)) == []


def test_hidden_tests_catch_a_detector_run_without_clicks(graded):
    s = graded.scores[(AID, NB, "no-clicks")]
    assert s["fraud-a-q1-tests"] == 0 and s["fraud-a-q2-tests"] == 0 and s["fraud-a-q3-tests"] == 0, s


def test_feedback_on_the_mistake_has_no_hidden_tests(graded):
    pages = [p for sid in MISTAKES for p in graded.feedback_pages(AID, sid)]
    assert len(pages) == len(MISTAKES)
    assert feedback_leaks(pages, feedback_secrets(nbformat.read(SOURCE, 4))) == {}
