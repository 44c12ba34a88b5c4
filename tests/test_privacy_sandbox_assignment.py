"""Course 05's graded assignment (plan private measurement for a campaign portfolio): what is specific
to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests and setup compute with, and plausible mistakes that the visible tests let through and the
hidden ones catch, graded in a temporary grading root (``tests/_grading_support.py``).
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

AID = "05-privacy-sandbox"
SOURCE = REPO / "courses" / AID / "assignment" / "privacy-sandbox-assignment.ipynb"
NB = SOURCE.stem
PREFIX = "privacy-sandbox-a-"
AUTOGRADED = {f"{PREFIX}q1-tests": 3.0, f"{PREFIX}q2-tests": 3.0, f"{PREFIX}q3-tests": 3.0}
MANUAL = {f"{PREFIX}q4": 4.0}
SPLIT_LINE = "split = ps.equal_error_split(QUESTIONS, typical)"
LAYOUT_LINE = 'layout = ps.KeyLayout({"campaign": campaigns, "country": countries, "question": ["purchases", "revenue"]})'
FOCUS_LINE = 'focus_key = layout.encode(campaign=FOCUS, country="KR", question="revenue")'


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    assert all(nbg(c)["grade_id"].startswith(PREFIX) for c in nb.cells)
    assert points(nb) == {**AUTOGRADED, **MANUAL}
    assert points(nb, is_test_cell) == AUTOGRADED
    # expected values come from helpers on the seeded data
    for c in nb.cells:
        if is_test_cell(c):
            hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            assert 'course_view(name="assignment")' in hidden and "planning_purchases(" in hidden and "ps." in hidden
    setup = grade_cell(nb, f"{PREFIX}setup")
    assert 'course_view(name="assignment")' in setup.source and "truth" not in setup.source


def _fifty_fifty(nb):
    """A plausible mistake: an even budget split instead of one that equalises the errors."""
    return replace_in_cell(nb, f"{PREFIX}q2", SPLIT_LINE, 'split = {"purchases": 0.5, "revenue": 0.5}')


def _wrong_country(nb):
    """A plausible mistake: the focus campaign's key encoded for the wrong country."""
    return replace_in_cell(nb, f"{PREFIX}q1", FOCUS_LINE, FOCUS_LINE.replace('"KR"', '"JP"'))


def _no_question(nb):
    """A plausible mistake: the key without the question dimension (the rest of the notebook needs a
    layout with a question: it encodes with the full one)."""
    nb = replace_in_cell(nb, f"{PREFIX}q1", LAYOUT_LINE,
                         'layout = ps.KeyLayout({"campaign": campaigns, "country": countries})\n'
                         '_full = ps.KeyLayout({"campaign": campaigns, "country": countries, '
                         '"question": ["purchases", "revenue"]})')
    return replace_in_cell(nb, f"{PREFIX}q1", FOCUS_LINE, FOCUS_LINE.replace("layout.", "_full."))


MISTAKES = {"fifty-fifty": _fifty_fifty, "wrong-country": _wrong_country, "no-question": _no_question}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with graded_mistakes(tmp_path_factory.mktemp("privacy-sandbox-assignment"), SOURCE, MISTAKES) as g:
        yield g


@pytest.mark.parametrize("sid", MISTAKES)
def test_plausible_mistakes_pass_the_visible_tests(graded, sid):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert failures_outside_hidden_tests(graded.autograded(AID, NB, sid), nbformat.read(SOURCE, 4)) == []


def test_hidden_tests_catch_an_even_budget_split(graded):
    s = graded.scores[(AID, NB, "fifty-fifty")]
    assert s[f"{PREFIX}q1-tests"] == 3.0 and s[f"{PREFIX}q2-tests"] == 0 and s[f"{PREFIX}q3-tests"] == 0, s


def test_hidden_tests_catch_a_key_for_the_wrong_country(graded):
    s = graded.scores[(AID, NB, "wrong-country")]
    assert s[f"{PREFIX}q1-tests"] == 0 and s[f"{PREFIX}q2-tests"] == 3.0 and s[f"{PREFIX}q3-tests"] == 3.0, s


def test_hidden_tests_catch_a_key_without_the_question(graded):
    s = graded.scores[(AID, NB, "no-question")]
    assert s[f"{PREFIX}q1-tests"] == 0 and s[f"{PREFIX}q2-tests"] == 3.0 and s[f"{PREFIX}q3-tests"] == 3.0, s


def test_feedback_on_the_mistakes_has_no_hidden_tests(graded):
    pages = [p for sid in MISTAKES for p in graded.feedback_pages(AID, sid)]
    assert len(pages) == len(MISTAKES)
    assert feedback_leaks(pages, feedback_secrets(nbformat.read(SOURCE, 4))) == {}
