"""Course 05's graded assignment (plan private measurement for a campaign portfolio): what is specific
to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests and setup compute with, and plausible mistakes that the visible tests let through and the
hidden ones catch, graded in a temporary grading root (``tests/_grading_support.py``).
"""

from __future__ import annotations

import _grading_support as gs
import nbformat
import pytest

pytestmark = pytest.mark.slow

SOURCE = gs.REPO / "courses" / "05-privacy-sandbox" / "assignment" / "privacy-sandbox-assignment.ipynb"
PREFIX = "privacy-sandbox-a-"
SPLIT_LINE = "split = ps.equal_error_split(QUESTIONS, typical)"
LAYOUT_LINE = 'layout = ps.KeyLayout({"campaign": campaigns, "country": countries, "question": ["purchases", "revenue"]})'
FOCUS_LINE = 'focus_key = layout.encode(campaign=FOCUS, country="KR", question="revenue")'


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    gs.assert_points(nb, PREFIX, {f"{PREFIX}q{i}-tests": 3.0 for i in (1, 2, 3)}, {f"{PREFIX}q4": 4.0})
    for gid, hidden in gs.hidden_tests(nb).items():  # expected values come from helpers on the seeded data
        assert 'course_view(name="assignment")' in hidden and "planning_purchases(" in hidden and "ps." in hidden, gid
    setup = gs.grade_cell(nb, f"{PREFIX}setup")
    assert 'course_view(name="assignment")' in setup.source and "truth" not in setup.source


def _fifty_fifty(nb):
    """A plausible mistake: an even budget split instead of one that equalises the errors."""
    return gs.replace_in_cell(nb, f"{PREFIX}q2", SPLIT_LINE, 'split = {"purchases": 0.5, "revenue": 0.5}')


def _wrong_country(nb):
    """A plausible mistake: the focus campaign's key encoded for the wrong country."""
    return gs.replace_in_cell(nb, f"{PREFIX}q1", FOCUS_LINE, FOCUS_LINE.replace('"KR"', '"JP"'))


def _no_question(nb):
    """A plausible mistake: the key without the question dimension (the rest of the notebook needs a
    layout with a question: it encodes with the full one)."""
    nb = gs.replace_in_cell(nb, f"{PREFIX}q1", LAYOUT_LINE,
                            'layout = ps.KeyLayout({"campaign": campaigns, "country": countries})\n'
                            '_full = ps.KeyLayout({"campaign": campaigns, "country": countries, '
                            '"question": ["purchases", "revenue"]})')
    return gs.replace_in_cell(nb, f"{PREFIX}q1", FOCUS_LINE, FOCUS_LINE.replace("layout.", "_full."))


MISTAKES = {"fifty-fifty": _fifty_fifty, "wrong-country": _wrong_country, "no-question": _no_question}
graded = gs.mistakes_fixture(SOURCE, MISTAKES)


@pytest.mark.parametrize("sid", MISTAKES)
def test_plausible_mistakes_pass_the_visible_tests(graded, sid):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert graded.failures_outside_hidden_tests(sid) == []


def test_hidden_tests_catch_an_even_budget_split(graded):
    s = graded.score("fifty-fifty")
    assert s[f"{PREFIX}q1-tests"] == 3.0 and s[f"{PREFIX}q2-tests"] == 0 and s[f"{PREFIX}q3-tests"] == 0, s


@pytest.mark.parametrize("sid", ["wrong-country", "no-question"])
def test_hidden_tests_catch_a_wrong_key(graded, sid):
    s = graded.score(sid)
    assert s[f"{PREFIX}q1-tests"] == 0 and s[f"{PREFIX}q2-tests"] == 3.0 and s[f"{PREFIX}q3-tests"] == 3.0, s


def test_feedback_on_the_mistakes_has_no_hidden_tests(graded):
    assert graded.feedback_leaks() == {}
