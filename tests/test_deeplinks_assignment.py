"""The graded assignment of course 03 (debug a client's broken link setup): stored clean, released
clean, and its tests grade right.

Modelled on ``tests/test_fraud_assignment.py``: the assignment folder is copied into a temporary
courses folder and released into a temporary grading root (``tests/_grading_support.py``), so neither
the real ``grading/`` folder nor the other courses are touched. The client's files are inline in the
notebook's locked setup cell, so a submission is the notebook alone.
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

AID = "03-deeplinks"
SOURCE = REPO / "courses" / AID / "assignment" / "deeplinks-assignment.ipynb"
NB = SOURCE.stem
AUTOGRADED = {"deeplinks-a-q1-tests": 3.0, "deeplinks-a-q2-tests": 2.0, "deeplinks-a-q3-tests": 2.0,
              "deeplinks-a-q4-tests": 3.0}
MANUAL = {"deeplinks-a-q5": 4.0}
#: What each hidden test must compute its expected value with (helpers on the client's files).
HIDDEN_CALLS = {"deeplinks-a-q1-tests": ["match_universal_link(", "json.loads(CLIENT_AASA_TEXT)"],
                "deeplinks-a-q2-tests": ["match_universal_link(", "lint_aasa("],
                "deeplinks-a-q3-tests": ["verify_app_link(", "json.loads(CLIENT_ASSETLINKS_TEXT)"],
                "deeplinks-a-q4-tests": ["match_universal_link(", "lint_aasa(", "verify_app_link("]}


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
    assert len(ids) == len(set(ids)) and all(i.startswith("deeplinks-a-") for i in ids)
    assert all(_nbgrader(c)["schema_version"] == 3 for c in nb.cells)
    points = {_nbgrader(c)["grade_id"]: _nbgrader(c).get("points", 0) for c in nb.cells if _nbgrader(c).get("grade")}
    assert points == {**AUTOGRADED, **MANUAL}
    tests = [c for c in nb.cells if _nbgrader(c).get("grade") and not _nbgrader(c)["solution"]]
    assert {_nbgrader(c)["grade_id"] for c in tests} == set(AUTOGRADED)
    assert all(c.cell_type == "code" and _nbgrader(c)["locked"] for c in tests)
    for c in tests:
        assert "BEGIN HIDDEN TESTS" in c.source
        visible = c.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in visible  # learners see some tests
        hidden = "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
        for call in HIDDEN_CALLS[_nbgrader(c)["grade_id"]]:
            assert call in hidden, f"{_nbgrader(c)['grade_id']}: hidden tests should compute with {call}"
        assert not re.search(r"\d+\.\d{2,}", hidden), "a hidden test compares with a pasted number"
    memo = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == "deeplinks-a-q5")
    assert memo.cell_type == "markdown" and _nbgrader(memo)["solution"] and "Rubric" in memo.source
    setup = next(c for c in nb.cells if _nbgrader(c)["grade_id"] == "deeplinks-a-setup")
    assert _nbgrader(setup)["locked"] and "CLIENT_AASA_TEXT" in setup.source and "CLIENT_ASSETLINKS_TEXT" in setup.source


def test_client_files_really_have_the_mistakes_the_task_describes():
    """The story holds: the client's files break links that the reference fix repairs."""
    from helpers.deeplinks import lint_aasa, match_universal_link, verify_app_link

    ns: dict = {}
    setup = next(c for c in nbformat.read(SOURCE, 4).cells if _nbgrader(c)["grade_id"] == "deeplinks-a-setup")
    exec(setup.source.replace("print(", "(lambda *a, **k: None)("), ns)  # noqa: S102 - our own locked cell
    opens = {u: bool(match_universal_link(ns["CLIENT_AASA"], u, domain=ns["DOMAIN"])) for u in ns["CLIENT_URLS"]}
    broken = [u for u in ns["CLIENT_URLS"] if opens[u] != ns["INTENT"][u]]
    assert 2 <= len(broken) < len(ns["CLIENT_URLS"])
    assert any("www." in u for u in broken) and any("channel=web_only" in u for u in broken)
    assert lint_aasa(ns["CLIENT_AASA"]), "the client's AASA file should give the linter something to say"
    assert not verify_app_link(ns["CLIENT_ASSETLINKS"], ns["PACKAGE"], ns["PLAY_KEYS"]["app_signing"])
    assert verify_app_link(ns["CLIENT_ASSETLINKS"], ns["PACKAGE"], ns["PLAY_KEYS"]["upload"])


@pytest.fixture(scope="module")
def grading_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("deeplinks-assignment")
    courses = base / "courses"
    shutil.copytree(SOURCE.parent, courses / AID / "assignment")
    with release_into(base, courses, AID) as root:
        assert AID in cli.course_assignments()
        yield root


def _public_text(source: str) -> str:
    """A source cell without its solution and hidden-test regions."""
    return re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END (SOLUTION|HIDDEN TESTS)", "", source, flags=re.S)


def _released(root: Path) -> Path:
    return root / "release" / AID / f"{NB}.ipynb"


def test_release_has_no_solutions_or_hidden_tests(grading_root):
    released = _released(grading_root).read_text()
    assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)", released)
    secret = secret_lines(nbformat.read(SOURCE, 4))
    assert len(secret) > 20
    rel_lines = {line.strip() for c in nbformat.read(_released(grading_root), 4).cells
                 for line in c.source.splitlines()}
    # a line the learner sees anyway (the client's own file in the locked setup cell) is no secret
    public = {line.strip() for c in nbformat.read(SOURCE, 4).cells for line in _public_text(c.source).splitlines()}
    leaked = [s for s in secret if s in rel_lines and s not in public]
    assert len([s for s in secret if s not in public]) > 20
    assert not leaked, leaked
    assert "raise NotImplementedError()" in released and "YOUR ANSWER HERE" in released
    assert "Rubric" not in released


def _without_domain(nb):
    """A plausible mistake: matching without the host that served the file (www. links counted as opening)."""
    for c in nb.cells:
        if _nbgrader(c)["grade_id"] == "deeplinks-a-q1":
            old = "ios_opens = {url: bool(match_universal_link(CLIENT_AASA, url, domain=DOMAIN)) for url in CLIENT_URLS}"
            assert old in c.source
            c.source = c.source.replace(old, old.replace(", domain=DOMAIN", ""))
    return nb


def test_plausible_mistake_passes_the_visible_tests(tmp_path):
    """The learner's view: with the hidden tests removed, the wrong answer runs without an error."""
    from nbclient import NotebookClient

    nb = _without_domain(nbformat.read(SOURCE, 4))
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
        "no-domain": _without_domain(nbformat.read(SOURCE, 4)),
    }
    return submit_and_autograde(grading_root, AID, NB, plan)


def test_solution_gets_full_automatic_marks(graded):
    auto = {k: v for k, v in graded["solution"].items() if k in AUTOGRADED}
    assert auto == AUTOGRADED, auto
    assert graded["solution"]["deeplinks-a-q5"] is None  # the message waits for the instructor


def test_released_notebook_gets_zero(graded):
    assert sum(v or 0 for v in graded["untouched"].values()) == 0, graded["untouched"]


def test_hidden_tests_catch_matching_without_the_domain(graded):
    # visible tests pass (see test_plausible_mistake_passes_the_visible_tests); hidden ones do not
    s = graded["no-domain"]
    assert s["deeplinks-a-q1-tests"] == 0 and s["deeplinks-a-q2-tests"] == 0, s
    assert s["deeplinks-a-q3-tests"] == AUTOGRADED["deeplinks-a-q3-tests"]  # the other tasks are unaffected
    assert s["deeplinks-a-q4-tests"] == AUTOGRADED["deeplinks-a-q4-tests"]


def test_feedback_has_no_hidden_tests(graded, grading_root):
    assert cli.main(["feedback", "--assignment", AID]) == 0
    pages = list((grading_root / "feedback").glob(f"*/{AID}/*.html"))
    assert len(pages) == 3
    cells = nbformat.read(SOURCE, 4).cells
    hidden = hidden_lines(nbformat.read(SOURCE, 4))
    # a line the solution or the visible tests also contain is no secret
    answers = "\n".join(c.source.split("### BEGIN HIDDEN TESTS")[0] for c in cells)
    hidden = [h for h in hidden if h not in answers]
    assert len(hidden) > 15
    for p in pages:
        text = cli._html_text(p)
        assert not [h for h in hidden if h in text], p
