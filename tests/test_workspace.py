"""The learner workspace is generated from the sources and never overwrites a learner's edits."""

import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import catalog, workspace

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _lesson(path: Path, answer: str, intro: str = "# Lesson") -> None:
    nb = new_notebook(cells=[
        new_markdown_cell(intro),
        new_code_cell(f"share = ____\n### BEGIN SOLUTION\nshare = {answer}\n### END SOLUTION\nprint(share)"),
    ])
    nbformat.write(nb, path)


@pytest.fixture
def course_tree(tmp_path, monkeypatch):
    root = tmp_path / "courses"
    folder = root / "09-demo"
    folder.mkdir(parents=True)
    (folder / "course.toml").write_text(textwrap.dedent("""
        id = "09-demo"
        topic = "demo"
        title = "Demo"
        summary = "A course for the test."
        minutes = 10
        objectives = ["learn"]
        [[lessons]]
        number = "09.1"
        file = "09.1-one.ipynb"
        title = "One"
        minutes = 5
        [[lessons]]
        number = "09.2"
        file = "09.2-two.ipynb"
        title = "Two"
        minutes = 5
    """))
    _lesson(folder / "09.1-one.ipynb", "0.25 + 0.0  # SECRET-ONE")
    _lesson(folder / "09.2-two.ipynb", "0.5  # SECRET-TWO")
    monkeypatch.setenv("MMA_COURSES", str(root))
    ws = tmp_path / "ws"
    return folder, ws


def test_release_has_no_solution_and_rebuild_keeps_learner_edits(course_tree, capsys):
    folder, ws = course_tree
    report = workspace.build(ws, release_dir=None)
    assert sorted(report.written) == ["09-demo/09.1-one.ipynb", "09-demo/09.2-two.ipynb"]
    one, two = ws / "09-demo/09.1-one.ipynb", ws / "09-demo/09.2-two.ipynb"
    assert "SECRET" not in one.read_text() and "# YOUR CODE HERE" in one.read_text()

    # the learner works in lesson one
    learner = nbformat.read(one, as_version=4)
    learner.cells[1].source = "share = 0.25  # my answer"
    nbformat.write(learner, one)
    mine = one.read_bytes()

    # the course is updated: both lessons change
    _lesson(folder / "09.1-one.ipynb", "0.25  # SECRET-ONE", intro="# Lesson, improved")
    _lesson(folder / "09.2-two.ipynb", "0.5  # SECRET-TWO", intro="# Lesson two, improved")
    report = workspace.build(ws, release_dir=None)

    assert one.read_bytes() == mine, "the learner's edited notebook was overwritten"
    beside = ws / "09-demo/09.1-one.new.ipynb"
    assert beside.exists() and "improved" in beside.read_text()
    assert report.kept_learner_version == ["09-demo/09.1-one.ipynb"]
    assert report.updated == ["09-demo/09.2-two.ipynb"], "an untouched notebook should take the new version"
    assert "improved" in two.read_text()
    assert "you have edited 09-demo/09.1-one.ipynb" in report.summary()
    notes = workspace.notices(ws)
    assert notes and notes[-1]["new_version"] == "09-demo/09.1-one.new.ipynb"

    # running again changes nothing and adds no second copy
    again = workspace.build(ws, release_dir=None)
    assert one.read_bytes() == mine
    assert again.new_versions_beside == []
    assert sorted(p.name for p in (ws / "09-demo").iterdir()) == ["09.1-one.ipynb", "09.1-one.new.ipynb", "09.2-two.ipynb"]


def test_learner_files_are_never_deleted_and_missing_files_come_back(course_tree):
    folder, ws = course_tree
    workspace.build(ws, release_dir=None)
    own = ws / "09-demo" / "my-notes.ipynb"
    own.write_text("{}")
    (ws / "09-demo/09.2-two.ipynb").unlink()
    report = workspace.build(ws, release_dir=None)
    assert own.read_text() == "{}"
    assert report.written == ["09-demo/09.2-two.ipynb"]


def test_damaged_manifest_is_a_clear_error(course_tree):
    _, ws = course_tree
    workspace.build(ws, release_dir=None)
    (ws / workspace.MANIFEST).write_text("{not json")
    with pytest.raises(RuntimeError, match="is damaged"):
        workspace.build(ws, release_dir=None)


# ---------------------------------------------------------------------------- the real courses
@pytest.mark.parametrize("path", [p for c in catalog.courses() for p in c.lesson_paths], ids=lambda p: p.name)
def test_released_lessons_hold_no_solution_text(path):
    source = path.read_text(encoding="utf-8")
    nb = nbformat.reads(source, as_version=4)
    regions = [m.group(1) for c in nb.cells if c.cell_type == "code" for m in SOLUTION.finditer(c.source + "\n")]
    assert regions, f"{path.name} has no exercise solution regions"
    released = nbformat.reads(workspace.release_lesson(path), as_version=4)
    code = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in code and "BEGIN HIDDEN TESTS" not in code
    # text the lesson also shows outside its solutions (e.g. a worked example) is not a leak
    shown = "\n".join(SOLUTION.sub("", c.source + "\n") for c in nb.cells)
    for region in regions:
        for line in region.splitlines():
            line = line.strip()
            if len(line) > 12 and not line.startswith("#") and line not in shown:
                assert line not in code, f"{path.name}: solution line leaked into the release: {line!r}"
    assert all(not c.get("outputs") for c in released.cells if c.cell_type == "code")


def test_manifest_is_json(course_tree):
    _, ws = course_tree
    workspace.build(ws, release_dir=None)
    data = json.loads((ws / workspace.MANIFEST).read_text())
    assert set(data) == {"09-demo/09.1-one.ipynb", "09-demo/09.2-two.ipynb"}
