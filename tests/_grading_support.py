"""Shared by the assignment tests: read the nbgrader markup and the secret regions of a source
notebook, release assignments into a temporary grading root, autograde submissions in one batch and
read back scores, autograded notebooks and feedback pages.

``tests/test_grading_courses.py`` runs the round trip every course shares (solution, untouched
release); each ``tests/test_<course>_assignment.py`` grades only its own plausible mistakes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grading import cli

REPO = Path(__file__).resolve().parents[1]
COURSE_NAME = "mobile-measurement-academy"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"


# ---------------------------------------------------------------------------------------------
# the source notebook's markup
# ---------------------------------------------------------------------------------------------

def nbg(cell) -> dict:
    """A cell's nbgrader metadata (empty for a cell without any)."""
    return cell.metadata.get("nbgrader", {})


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded, and not an answer."""
    return bool(nbg(cell).get("grade")) and not nbg(cell).get("solution")


def is_manual_cell(cell) -> bool:
    """A manually graded answer (a written memo): graded, and an answer."""
    return bool(nbg(cell).get("grade")) and bool(nbg(cell).get("solution"))


def grade_cell(nb, grade_id: str):
    """The cell of ``nb`` with this nbgrader ``grade_id``."""
    found = [c for c in nb.cells if nbg(c).get("grade_id") == grade_id]
    assert len(found) == 1, f"expected one cell {grade_id!r}, found {len(found)}"
    return found[0]


def points(nb, which: Callable = lambda c: bool(nbg(c).get("grade"))) -> dict[str, float]:
    """``{grade_id: points}`` of the graded cells ``which`` selects (default: all of them)."""
    return {nbg(c)["grade_id"]: float(nbg(c).get("points", 0)) for c in nb.cells if which(c)}


def hidden_tests(nb) -> dict[str, str]:
    """``{grade_id: its hidden tests' non-trivial lines}`` for every autograded test cell."""
    return {nbg(c)["grade_id"]: "\n".join(marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            for c in nb.cells if is_test_cell(c)}


def assert_points(nb, prefix: str, autograded: dict[str, float], manual: dict[str, float]) -> None:
    """Every cell's grade id starts with ``prefix``; the test cells and written answers carry exactly
    these points."""
    assert all(nbg(c)["grade_id"].startswith(prefix) for c in nb.cells), prefix
    assert points(nb, is_test_cell) == autograded
    assert points(nb, is_manual_cell) == manual
    assert points(nb) == {**autograded, **manual}


def replace_in_cell(nb, grade_id: str, old: str, new: str):
    """``nb`` with ``old`` replaced by ``new`` in one cell (``old`` must be there): a plausible mistake."""
    cell = grade_cell(nb, grade_id)
    assert old in cell.source, (grade_id, old)
    cell.source = cell.source.replace(old, new)
    return nb


def visible_part(source: str) -> str:
    """A cell as the learner sees it when it has hidden tests: everything before them."""
    return source.split(HIDDEN_BEGIN)[0]


def marked_lines(text: str, begin: str, end: str) -> list[str]:
    """Non-trivial lines (12+ characters) between ``begin`` and ``end`` markers."""
    out, inside = [], False
    for line in text.splitlines():
        s = line.strip()
        if begin in s:
            inside = True
        elif end in s:
            inside = False
        elif inside and len(s) >= 12:
            out.append(s)
    return out


def hidden_lines(nb) -> list[str]:
    """Every hidden-test line of a source notebook."""
    return [s for c in nb.cells for s in marked_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]


def secret_lines(nb) -> list[str]:
    """Every solution and hidden-test line of a source notebook."""
    solutions = [s for c in nb.cells for s in marked_lines(c.source, "BEGIN SOLUTION", "END SOLUTION")]
    return solutions + hidden_lines(nb)


def public_text(source: str) -> str:
    """A source cell without its solution and hidden-test regions (what the release keeps)."""
    return re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END (SOLUTION|HIDDEN TESTS)", "", source, flags=re.S)


def public_lines(nb) -> set[str]:
    """Stripped lines a learner sees anyway (e.g. the client's own file in a locked setup cell)."""
    return {line.strip() for c in nb.cells for line in public_text(c.source).splitlines()}


def secret_regions(nb) -> list[tuple[str, str, list[str]]]:
    """``(grade_id, kind, lines)`` for every solution and hidden-test region, ``lines`` being its
    non-trivial lines that are not public anyway."""
    public = public_lines(nb)
    out = []
    for c in nb.cells:
        for kind in ("SOLUTION", "HIDDEN TESTS"):
            if f"BEGIN {kind}" in c.source:
                lines = [s for s in marked_lines(c.source, f"BEGIN {kind}", f"END {kind}") if s not in public]
                out.append((nbg(c).get("grade_id"), kind, lines))
    return out


def feedback_secrets(nb) -> list[str]:
    """Hidden-test lines that must never reach a feedback page: those the answers or the visible
    tests do not also contain (a line the learner can see is no secret)."""
    seen = "\n".join(visible_part(c.source) for c in nb.cells)
    return [h for h in hidden_lines(nb) if h not in seen]


# ---------------------------------------------------------------------------------------------
# release, autograde, feedback
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Set (or, for ``None``, unset) environment variables; restore every one of them afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def release_into(base: Path, courses: Path, *assignments: str) -> Iterator[Path]:
    """Release ``assignments`` from ``courses`` into a fresh grading root under ``base``; the
    environment variables that point the grading commands there are restored afterwards."""
    root = base / "grading"
    root.mkdir()
    with environment(MMA_GRADING_ROOT=str(root), MMA_COURSES_DIR=str(courses), MMA_GRADEBOOK_URL=None):
        for aid in assignments:
            assert cli.main(["release", "--assignment", aid]) == 0
        yield root


@contextlib.contextmanager
def released_copies(base: Path, folders: dict[str, Path]) -> Iterator[Path]:
    """Copy each ``{assignment id: assignment folder}`` into a temporary courses folder (no
    ``course.toml``: ``grading.cli`` finds ``<id>/assignment/*.ipynb`` alone) and release them all,
    so neither the real ``grading/`` folder nor the other courses are touched."""
    courses = base / "courses"
    for aid, folder in folders.items():
        shutil.copytree(folder, courses / aid / "assignment")
    with release_into(base, courses, *folders) as root:
        assert set(folders) <= set(cli.course_assignments())
        yield root


@dataclass
class Graded:
    """A grading root after ``autograde`` (and ``feedback``) of a batch of submissions."""

    root: Path
    scores: dict[tuple[str, str, str], dict[str, float | None]]  # (assignment, notebook, student) -> grades

    def autograded(self, aid: str, notebook: str, sid: str):
        return nbformat.read(self.root / "autograded" / sid / aid / f"{notebook}.ipynb", 4)

    def status(self, aid: str, sid: str) -> str | None:
        return (cli.read_status(self.root, aid, sid) or {}).get("status")

    def feedback_pages(self, aid: str, sid: str) -> list[Path]:
        return sorted((self.root / "feedback" / sid / aid).glob("*.html"))


def autograde(root: Path, submissions: dict[tuple[str, str], dict[str, object]], workers: int = 2,
              feedback: bool = True) -> Graded:
    """Write each ``{(assignment, student): {notebook name: notebook}}`` as a submission, autograde
    them in one batch (sandboxed, ``workers`` processes), then make the feedback pages."""
    from nbgrader.api import Gradebook

    for (aid, sid), notebooks in submissions.items():
        out = root / "submitted" / sid / aid
        out.mkdir(parents=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, out / f"{name}.ipynb")
    assert cli.main(["autograde", "--workers", str(workers)]) == 0
    if feedback:
        assert cli.main(["feedback"]) == 0
    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_NAME) as gb:
        for (aid, sid), notebooks in submissions.items():
            for name in notebooks:
                sub = gb.find_submission_notebook(name, aid, sid)
                scores[(aid, name, sid)] = {g.name: g.auto_score for g in sub.grades}
    return Graded(root, scores)


@dataclass
class GradedMistakes:
    """One course's plausible mistakes (``{student: mistake}``), graded."""

    graded: Graded
    source: Path
    mistakes: dict[str, Callable]

    @property
    def aid(self) -> str:
        return self.source.parent.parent.name

    def score(self, sid: str) -> dict[str, float | None]:
        return self.graded.scores[(self.aid, self.source.stem, sid)]

    def failures_outside_hidden_tests(self, sid: str) -> list[str]:
        return failures_outside_hidden_tests(self.graded.autograded(self.aid, self.source.stem, sid),
                                             nbformat.read(self.source, 4))

    def feedback_leaks(self) -> dict[str, list[str]]:
        """Hidden-test lines on the mistakes' feedback pages (one page per mistake is required)."""
        pages = [p for sid in self.mistakes for p in self.graded.feedback_pages(self.aid, sid)]
        assert len(pages) == len(self.mistakes), pages
        return feedback_leaks(pages, feedback_secrets(nbformat.read(self.source, 4)))


@contextlib.contextmanager
def graded_mistakes(base: Path, source: Path, mistakes: dict[str, Callable]) -> Iterator[GradedMistakes]:
    """Release the assignment of ``source`` (``courses/<id>/assignment/<name>.ipynb``) alone and grade
    one submission per ``{student: mistake}``, each the solution changed by ``mistake(notebook)``.
    The solution and the untouched release are graded once for every course, in
    ``tests/test_grading_courses.py``."""
    aid = source.parent.parent.name
    with released_copies(base, {aid: source.parent}) as root:
        plan = {(aid, sid): {source.stem: mistake(nbformat.read(source, 4))} for sid, mistake in mistakes.items()}
        yield GradedMistakes(autograde(root, plan), source, mistakes)


def mistakes_fixture(source: Path, mistakes: dict[str, Callable]):
    """A module-scoped ``graded`` fixture: ``graded_mistakes`` of one course, once per test file."""

    @pytest.fixture(scope="module")
    def graded(tmp_path_factory):
        with graded_mistakes(tmp_path_factory.mktemp(source.stem), source, mistakes) as g:
            yield g

    return graded


_FRAME = re.compile(r"^\s*Cell (\S+), line (\d+)$", re.M)


def failures_outside_hidden_tests(autograded, source) -> list[str]:
    """Every error of an autograded notebook that its hidden tests did not raise: an error in the
    learner's own cells, or a failing *visible* test. Empty means the learner, running the notebook
    with the visible tests only, would have seen nothing wrong. Test cells run in grading's trusted
    runner, whose tracebacks name the cell and line (``Cell <grade_id>, line <n>``) of the source."""
    problems = []
    for cell in autograded.cells:
        gid = nbg(cell).get("grade_id")
        for out in getattr(cell, "outputs", []):
            if out.output_type != "error":
                continue
            if not is_test_cell(cell):
                problems.append(f"{gid}: {out.ename} in the learner's own cell")
                continue
            lines = grade_cell(source, gid).source.splitlines()
            begin = next(i for i, s in enumerate(lines, 1) if "BEGIN HIDDEN TESTS" in s)
            end = next(i for i, s in enumerate(lines, 1) if "END HIDDEN TESTS" in s)
            frame = _FRAME.search("\n".join(out.traceback))
            if not (frame and frame[1] == gid and begin < int(frame[2]) < end):
                problems.append(f"{gid}: {out.ename} outside the hidden tests: {' | '.join(out.traceback)}")
    return problems


def feedback_leaks(pages: list[Path], secrets: list[str]) -> dict[str, list[str]]:
    """``{page: [secret lines found in its text]}`` for every page that shows any of ``secrets``."""
    leaks = {}
    for page in pages:
        text = cli._html_text(page)
        found = [s for s in secrets if s in text]
        if found:
            leaks[str(page)] = found
    return leaks


# ---- building small nbgrader notebooks in tests
RO = dict(grade=False, solution=False, locked=True)
"""nbgrader metadata of a locked, read-only cell."""
ANSWER = dict(grade=False, solution=True, locked=False)
"""nbgrader metadata of an answer cell."""


def tests_meta(points):
    """nbgrader metadata of an autograded test cell worth ``points``."""
    return dict(grade=True, solution=False, locked=True, points=points)


def nb_cell(kind, gid, src, **meta):
    """A code or markdown cell with nbgrader metadata (``grade_id`` gid); ``src`` is dedented."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    c = (new_code_cell if kind == "code" else new_markdown_cell)(textwrap.dedent(src).strip("\n"))
    c.metadata["nbgrader"] = dict(grade_id=gid, schema_version=3, **meta)
    return c

