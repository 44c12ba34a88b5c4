"""Every course's graded assignment, graded the safe way: in one batch (sandbox, parallel workers,
tests in the trusted runner), the instructor's solution earns every automatic point and the
untouched release earns none. New courses are picked up from ``courses/<NN-topic>/assignment/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from _grading_support import release_into

from grading import cli

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.parent.name for p in (REPO / "courses").glob("*/assignment") if any(p.glob("*.ipynb")))


def _auto_points(nb) -> dict[str, float]:
    out = {}
    for c in nb.cells:
        m = c.metadata.get("nbgrader", {})
        if m.get("grade") and not m.get("solution"):
            out[m["grade_id"]] = float(m.get("points", 0))
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nbgrader.api import Gradebook

    base = tmp_path_factory.mktemp("all-courses")
    courses = base / "courses"
    for aid in ASSIGNMENTS:
        shutil.copytree(REPO / "courses" / aid / "assignment", courses / aid / "assignment")
    with release_into(base, courses, ASSIGNMENTS[0]) as root:
        for aid in ASSIGNMENTS[1:]:
            assert cli.main(["release", "--assignment", aid]) == 0
        expected = {}
        for aid in ASSIGNMENTS:
            for src in sorted((courses / aid / "assignment").glob("*.ipynb")):
                for sid, nb in (("solution", nbformat.read(src, 4)),
                                ("untouched", nbformat.read(root / "release" / aid / src.name, 4))):
                    out = root / "submitted" / sid / aid
                    out.mkdir(parents=True, exist_ok=True)
                    nbformat.write(nb, out / src.name)
                expected[(aid, src.stem)] = _auto_points(nbformat.read(src, 4))
        assert cli.main(["autograde", "--workers", "2"]) == 0
        scores = {}
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "mobile-measurement-academy") as gb:
            for (aid, stem) in expected:
                for sid in ("solution", "untouched"):
                    nb = gb.find_submission_notebook(stem, aid, sid)
                    scores[(aid, stem, sid)] = {g.name: g.auto_score for g in nb.grades}
        statuses = {(aid, sid): (cli.read_status(root, aid, sid) or {}).get("status")
                    for aid in ASSIGNMENTS for sid in ("solution", "untouched")}
        yield expected, scores, statuses


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_solution_gets_every_automatic_point(graded, aid):
    expected, scores, statuses = graded
    assert statuses[(aid, "solution")] == "graded"
    for (a, stem), points in expected.items():
        if a == aid:
            got = {k: v for k, v in scores[(aid, stem, "solution")].items() if k in points}
            assert got == points, (stem, got)


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_gets_nothing(graded, aid):
    expected, scores, statuses = graded
    assert statuses[(aid, "untouched")] == "graded"
    for (a, stem) in expected:
        if a == aid:
            assert sum(v or 0 for v in scores[(aid, stem, "untouched")].values()) == 0
