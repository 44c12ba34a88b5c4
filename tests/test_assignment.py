"""Course 01's graded assignment (audit a month of attribution): what is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests compute with, and a plausible mistake that the visible tests let through and the hidden
ones catch, graded in a temporary grading root (``tests/_grading_support.py``) so the real
``grading/`` folder is never touched.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from _grading_support import (
    failures_outside_hidden_tests,
    feedback_leaks,
    feedback_secrets,
    graded_mistakes,
    is_test_cell,
    marked_lines,
    nbg,
    points,
    replace_in_cell,
)

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

AID = "01-attribution"
SOURCE = REPO / "courses" / AID / "assignment" / "attribution-assignment.ipynb"
NB = SOURCE.stem
AUTOGRADED = {"attribution-a-q1-tests": 3.0, "attribution-a-q2-tests": 3.0, "attribution-a-q3-tests": 4.0}
MANUAL = {"attribution-a-q4": 4.0}


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    assert all(nbg(c)["grade_id"].startswith("attribution-a-") for c in nb.cells)
    assert points(nb) == {**AUTOGRADED, **MANUAL}
    # expected values come from helpers on the data
    for c in nb.cells:
        if is_test_cell(c):
            hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            assert "load(" in hidden and "attribute_" in hidden, nbg(c)["grade_id"]


def _wrong_window(nb):
    """A plausible mistake: a 1-day click lookback instead of 7 days."""
    return replace_in_cell(nb, "attribution-a-q1", '"7D"', '"1D"')


MISTAKES = {"wrong-window": _wrong_window}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with graded_mistakes(tmp_path_factory.mktemp("attribution-assignment"), SOURCE, MISTAKES) as g:
        yield g


def test_plausible_mistake_passes_the_visible_tests(graded):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert failures_outside_hidden_tests(graded.autograded(AID, NB, "wrong-window"), nbformat.read(SOURCE, 4)) == []


def test_hidden_tests_catch_a_wrong_lookback(graded):
    s = graded.scores[(AID, NB, "wrong-window")]
    assert s["attribution-a-q1-tests"] == 0, s
    assert s["attribution-a-q3-tests"] == AUTOGRADED["attribution-a-q3-tests"], s


def test_feedback_on_the_mistake_has_no_hidden_tests(graded):
    pages = [p for sid in MISTAKES for p in graded.feedback_pages(AID, sid)]
    assert len(pages) == len(MISTAKES)
    assert feedback_leaks(pages, feedback_secrets(nbformat.read(SOURCE, 4))) == {}
