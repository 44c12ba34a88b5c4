"""The round trip every course's graded assignment shares, for every course in ``helpers.catalog``
(a new course gets it without a new test): its nbgrader markup is sound, the release keeps no
solution or hidden test, and graded the safe way in one batch (sandbox, parallel workers, tests in
the trusted runner) the instructor's solution earns every automatic point with the written answers
waiting for the instructor, the untouched release earns none, and no feedback page shows a hidden
test. What is specific to a course (its points, what its hidden tests compute with, its plausible
mistakes) is in ``tests/test_<course>_assignment.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import _grading_support as gs
import nbformat
import pytest

from helpers import catalog

REPO = gs.REPO

pytestmark = pytest.mark.slow

# every course's assignment and its Korean version (assignment id <course>-ko, same tests)
COURSES = {c.assignment_id: c.assignment_path for lang in ("en", "ko") for c in catalog.courses(REPO / "courses", lang=lang)
           if c.assignment_path and any(c.assignment_path.glob("*.ipynb"))
           and (lang == "en" or c.assignment_path.parent == c.lang_folder)}
ASSIGNMENTS = sorted(COURSES)
STUDENTS = ("solution", "untouched")
RUBRIC = re.compile(r"Rubric|채점 기준")


def _sources(aid: str) -> list[Path]:
    return sorted(COURSES[aid].glob("*.ipynb"))


def test_every_assignment_folder_is_in_the_catalog():
    on_disk = {p.parent.parent.name for p in (REPO / "courses").glob("*/assignment/*.ipynb")}
    on_disk |= {f"{p.parents[2].name}-ko" for p in (REPO / "courses").glob("*/ko/assignment/*.ipynb")}
    assert on_disk and on_disk == set(ASSIGNMENTS), "a course with an assignment/ folder needs a course.toml"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_source_markup(aid):
    for src in _sources(aid):
        nb = nbformat.read(src, 4)
        ids = [gs.nbg(c).get("grade_id") for c in nb.cells]
        assert None not in ids and len(ids) == len(set(ids)), (src.name, ids)
        assert all(gs.nbg(c)["schema_version"] == 3 for c in nb.cells)
        tests = [c for c in nb.cells if gs.is_test_cell(c)]
        assert tests, f"{src.name}: no autograded test cell"
        for c in tests:
            gid = gs.nbg(c)["grade_id"]
            assert c.cell_type == "code" and gs.nbg(c)["locked"] and gs.nbg(c).get("points", 0) > 0, gid
            assert "BEGIN HIDDEN TESTS" in c.source, gid
            assert "assert" in gs.visible_part(c.source), f"{gid}: learners should see some tests"
            # expected values come from helpers on the seeded data, never pasted numbers
            hidden = "\n".join(gs.marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            assert not re.search(r"\d+\.\d{2,}", hidden), f"{gid}: a hidden test compares with a pasted number"
        memos = [c for c in nb.cells if gs.is_manual_cell(c)]
        assert memos, f"{src.name}: every assignment has a manually graded written answer"
        for c in memos:
            assert c.cell_type == "markdown" and RUBRIC.search(c.source) and gs.nbg(c).get("points", 0) > 0, gs.nbg(c)["grade_id"]
        # every answer and every hidden test has something to hide
        assert all(lines for _, _, lines in gs.secret_regions(nb)), [r[:2] for r in gs.secret_regions(nb) if not r[2]]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every course released into one grading root; the solution and the untouched release of each
    submitted and autograded in one batch, then the feedback made."""
    with gs.released_copies(tmp_path_factory.mktemp("all-courses"), COURSES) as root:
        plan = {}
        for aid in ASSIGNMENTS:
            plan[(aid, "solution")] = {src.stem: nbformat.read(src, 4) for src in _sources(aid)}
            plan[(aid, "untouched")] = {src.stem: nbformat.read(root / "release" / aid / src.name, 4)
                                        for src in _sources(aid)}
        yield gs.autograde(root, plan)


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_has_no_solutions_or_hidden_tests(graded, aid):
    for src in _sources(aid):
        source_nb = nbformat.read(src, 4)
        released = (graded.root / "release" / aid / src.name).read_text()
        assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)", released)
        rel_lines = {line.strip() for c in nbformat.read(graded.root / "release" / aid / src.name, 4).cells
                     for line in c.source.splitlines()}
        secret = [s for _, _, lines in gs.secret_regions(source_nb) for s in lines]
        assert len(secret) > 10 and set(secret) <= set(gs.secret_lines(source_nb))
        leaked = [s for s in secret if s in rel_lines]
        assert not leaked, leaked
        assert "raise NotImplementedError()" in released and "YOUR ANSWER HERE" in released
        assert not RUBRIC.search(released)
        assert released != src.read_text()


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_solution_gets_every_automatic_point(graded, aid):
    assert graded.status(aid, "solution") == "graded"
    for src in _sources(aid):
        expected = gs.points(nbformat.read(src, 4), gs.is_test_cell)
        got = {k: v for k, v in graded.scores[(aid, src.stem, "solution")].items() if k in expected}
        assert got == expected, (src.stem, got)


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_written_answers_wait_for_the_instructor(graded, aid):
    for src in _sources(aid):
        manual = gs.points(nbformat.read(src, 4), gs.is_manual_cell)
        scores = graded.scores[(aid, src.stem, "solution")]
        assert manual and {k: scores.get(k, "missing") for k in manual} == dict.fromkeys(manual), scores


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_gets_nothing(graded, aid):
    assert graded.status(aid, "untouched") == "graded"
    for src in _sources(aid):
        scores = graded.scores[(aid, src.stem, "untouched")]
        assert set(gs.points(nbformat.read(src, 4))) <= set(scores), scores
        assert sum(v or 0 for v in scores.values()) == 0, scores


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_feedback_has_no_hidden_tests(graded, aid):
    sources = _sources(aid)
    secrets = [s for src in sources for s in gs.feedback_secrets(nbformat.read(src, 4))]
    assert len(secrets) > 10
    for sid in STUDENTS:
        pages = graded.feedback_pages(aid, sid)
        assert [p.stem for p in pages] == [src.stem for src in sources], (sid, pages)
        assert gs.feedback_leaks(pages, secrets) == {}
