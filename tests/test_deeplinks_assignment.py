"""Course 03's graded assignment (debug a client's broken link setup): what is specific to it.

The round trip every course shares (clean release, the solution's full marks, the release's zero,
feedback without hidden tests) is in ``tests/test_grading_courses.py``. Here: its points, what its
hidden tests compute with, that the client's files (inline in the locked setup cell, so a submission
is the notebook alone) really have the mistakes the task describes, and a plausible mistake that the
visible tests let through and the hidden ones catch, graded in a temporary grading root
(``tests/_grading_support.py``).
"""

from __future__ import annotations

import _grading_support as gs
import nbformat
import pytest

pytestmark = pytest.mark.slow

SOURCE = gs.REPO / "courses" / "03-deeplinks" / "assignment" / "deeplinks-assignment.ipynb"
AUTOGRADED = {"deeplinks-a-q1-tests": 3.0, "deeplinks-a-q2-tests": 2.0, "deeplinks-a-q3-tests": 2.0,
              "deeplinks-a-q4-tests": 3.0}
#: What each hidden test must compute its expected value with (helpers on the client's files).
HIDDEN_CALLS = {"deeplinks-a-q1-tests": ["match_universal_link(", "json.loads(CLIENT_AASA_TEXT)"],
                "deeplinks-a-q2-tests": ["match_universal_link(", "lint_aasa("],
                "deeplinks-a-q3-tests": ["verify_app_link(", "json.loads(CLIENT_ASSETLINKS_TEXT)"],
                "deeplinks-a-q4-tests": ["match_universal_link(", "lint_aasa(", "verify_app_link("]}


def test_source_markup():
    nb = nbformat.read(SOURCE, 4)
    gs.assert_points(nb, "deeplinks-a-", AUTOGRADED, {"deeplinks-a-q5": 4.0})
    for gid, hidden in gs.hidden_tests(nb).items():
        for call in HIDDEN_CALLS[gid]:
            assert call in hidden, f"{gid}: hidden tests should compute with {call}"
    setup = gs.grade_cell(nb, "deeplinks-a-setup")
    assert gs.nbg(setup)["locked"] and "CLIENT_AASA_TEXT" in setup.source and "CLIENT_ASSETLINKS_TEXT" in setup.source


def test_client_files_really_have_the_mistakes_the_task_describes():
    """The story holds: the client's files break links that the reference fix repairs."""
    from helpers.deeplinks import lint_aasa, match_universal_link, verify_app_link

    ns: dict = {}
    setup = gs.grade_cell(nbformat.read(SOURCE, 4), "deeplinks-a-setup")
    exec(setup.source.replace("print(", "(lambda *a, **k: None)("), ns)  # noqa: S102 - our own locked cell
    opens = {u: bool(match_universal_link(ns["CLIENT_AASA"], u, domain=ns["DOMAIN"])) for u in ns["CLIENT_URLS"]}
    broken = [u for u in ns["CLIENT_URLS"] if opens[u] != ns["INTENT"][u]]
    assert 2 <= len(broken) < len(ns["CLIENT_URLS"])
    assert any("www." in u for u in broken) and any("channel=web_only" in u for u in broken)
    assert lint_aasa(ns["CLIENT_AASA"]), "the client's AASA file should give the linter something to say"
    assert not verify_app_link(ns["CLIENT_ASSETLINKS"], ns["PACKAGE"], ns["PLAY_KEYS"]["app_signing"])
    assert verify_app_link(ns["CLIENT_ASSETLINKS"], ns["PACKAGE"], ns["PLAY_KEYS"]["upload"])


def _without_domain(nb):
    """A plausible mistake: matching without the host that served the file (www. links counted as opening)."""
    old = "ios_opens = {url: bool(match_universal_link(CLIENT_AASA, url, domain=DOMAIN)) for url in CLIENT_URLS}"
    return gs.replace_in_cell(nb, "deeplinks-a-q1", old, old.replace(", domain=DOMAIN", ""))


MISTAKES = {"no-domain": _without_domain}
graded = gs.mistakes_fixture(SOURCE, MISTAKES)


def test_plausible_mistake_passes_the_visible_tests(graded):
    """The learner's view: every error the mistake causes comes from a hidden test."""
    assert graded.failures_outside_hidden_tests("no-domain") == []


def test_hidden_tests_catch_matching_without_the_domain(graded):
    s = graded.score("no-domain")
    assert s["deeplinks-a-q1-tests"] == 0 and s["deeplinks-a-q2-tests"] == 0, s
    assert s["deeplinks-a-q3-tests"] == AUTOGRADED["deeplinks-a-q3-tests"]  # the other tasks are unaffected
    assert s["deeplinks-a-q4-tests"] == AUTOGRADED["deeplinks-a-q4-tests"]


def test_feedback_on_the_mistake_has_no_hidden_tests(graded):
    assert graded.feedback_leaks() == {}
