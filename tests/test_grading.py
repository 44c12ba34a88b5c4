"""Round trip of the grading machinery on a small fixture assignment.

Everything happens in a temporary grading root (env ``MMA_GRADING_ROOT``) and courses folder
(``MMA_COURSES_DIR``); the real ``grading/`` folder is never touched. One NbGraderAPI (one process)
serves the whole module: release -> six submissions -> autograde -> grades/feedback.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import sys
import textwrap
from pathlib import Path

import _grading_support as gs
import nbformat
import pytest
from nbformat.v4 import new_notebook

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `grading` is a repo-root package, not installed
    sys.path.insert(0, str(REPO))

from grading import cli  # noqa: E402

pytestmark = pytest.mark.slow

AID = "99-fixture"
NB = "fixture"
HIDDEN_MARKER = "HIDDEN-FIXTURE-MARKER"


_cell, RO, ANSWER, TESTS = gs.nb_cell, gs.RO, gs.ANSWER, gs.tests_meta


def fixture_notebook():
    # Answers are plain values (the tests run outside the learner's kernel, on those values).
    cells = [
        _cell("markdown", "fixture-intro", "# Fixture assignment\nInstalls per network.", **RO),
        _cell("code", "fixture-setup", 'counts = {"a": 1, "b": 2, "organic": 1}', **RO),
        _cell("code", "fixture-q1", """
            # total_installs: the sum of all installs in `counts`
            ### BEGIN SOLUTION
            total_installs = sum(counts.values())
            ### END SOLUTION
            """, **ANSWER),
        _cell("code", "fixture-q1-tests", f"""
            assert isinstance(total_installs, int), "the total should be a whole number"
            ### BEGIN HIDDEN TESTS
            assert total_installs == sum(counts.values()), "the total should add up every network"  # {HIDDEN_MARKER}-q1
            ### END HIDDEN TESTS
            """, **TESTS(2)),
        _cell("code", "fixture-q2", """
            # organic_share: the share of installs attributed to 'organic'
            ### BEGIN SOLUTION
            organic_share = counts.get("organic", 0) / sum(counts.values())
            ### END SOLUTION
            """, **ANSWER),
        _cell("code", "fixture-q2-tests", f"""
            import warnings
            warnings.warn("fixture: this is only a harmless warning", UserWarning)
            assert 0 <= organic_share <= 1, "check the organic share"
            ### BEGIN HIDDEN TESTS
            assert abs(organic_share - counts["organic"] / sum(counts.values())) < 1e-9, "check again"  # {HIDDEN_MARKER}-q2
            ### END HIDDEN TESTS
            """, **TESTS(3)),
        _cell("markdown", "fixture-written", """
            Which network would you cut, and why?

            ### BEGIN SOLUTION
            The one with the highest CPI.
            ### END SOLUTION
            """, grade=True, solution=True, locked=False, points=2),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


Q1_OK = "total_installs = sum(counts.values())"
Q1_WRONG = "total_installs = len(counts)"
Q2_OK = "organic_share = counts.get('organic', 0) / sum(counts.values())"
Q2_WRONG = "organic_share = 0.5"
Q2_KILL = Q2_OK + "\nimport os\nos._exit(1)"
Q2_WARN = textwrap.dedent("""
    import warnings
    warnings.warn("organic_share: this is only a harmless warning", UserWarning)
    organic_share = counts.get('organic', 0) / sum(counts.values())
    """).strip()
Q2_HANG = textwrap.dedent("""
    organic_share = 0.5
    import time
    while True:                  # ignores the interrupt sent on timeout
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:
            pass
    """).strip()
WRITTEN = "Which network would you cut, and why?\n\nNetwork B: highest CPI, lowest retention."

# student -> (q1, q2, written, delete q2 tests)
PLAN = {
    "alice": (Q1_OK, Q2_OK, WRITTEN, False),        # correct
    "bob": (Q1_WRONG, Q2_WRONG, None, False),       # wrong
    "carol": (None, None, None, False),             # blank: the untouched release
    "dave": (Q1_OK, Q2_KILL, WRITTEN, False),       # kills the kernel
    "erin": (Q1_OK, Q2_WARN, None, False),          # correct, warns on stderr (the q2 test cell warns too)
    "frank": (Q1_OK, Q2_OK, None, True),            # correct, deleted the q2 test cell
    "mallory": (Q1_WRONG, Q2_OK, None, "tamper"),   # wrong q1, replaced the q1 test cell by `pass`
    "gina": (Q1_OK, Q2_HANG, None, False),          # hangs and swallows the timeout interrupt
}
ROSTER = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "mallory", "zoe"]  # zoe never submits


def run(*argv):
    return cli.main(list(argv))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading-roundtrip")
    root, courses = base / "grading", base / "courses"
    (courses / AID / "assignment").mkdir(parents=True)
    root.mkdir()
    nbformat.write(fixture_notebook(), courses / AID / "assignment" / f"{NB}.ipynb")
    with open(root / "roster.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "first_name", "last_name", "email"])
        for s in ROSTER:
            w.writerow([s, s.title(), "Test", f"{s}@example.com"])
    saved = {k: os.environ.get(k) for k in ("MMA_GRADING_ROOT", "MMA_COURSES_DIR", "MMA_GRADEBOOK_URL",
                                            "MMA_EXECUTE_TIMEOUT")}
    os.environ.update(MMA_GRADING_ROOT=str(root), MMA_COURSES_DIR=str(courses), MMA_EXECUTE_TIMEOUT="4")
    os.environ.pop("MMA_GRADEBOOK_URL", None)
    yield root
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def released(course):
    assert run("release") == 0
    return course


def _submit(root: Path):
    release = nbformat.read(root / "release" / AID / f"{NB}.ipynb", 4)
    for sid, (q1, q2, written, delete) in PLAN.items():
        nb = copy.deepcopy(release)
        by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        for gid, src in (("fixture-q1", q1), ("fixture-q2", q2), ("fixture-written", written)):
            if src is not None:
                by_id[gid].source = src
        if delete == "tamper":
            by_id["fixture-q1-tests"].source = "pass  # tests removed"
        elif delete:
            nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "fixture-q2-tests"]
        out = root / "submitted" / sid / AID
        out.mkdir(parents=True)
        nbformat.write(nb, out / f"{NB}.ipynb")
        (out / "timestamp.txt").write_text("2026-05-01 12:00:00.000000 UTC")


@pytest.fixture(scope="module")
def graded(released):
    _submit(released)
    assert run("autograde") == 0
    return released


def _grades(root):
    assert run("grades") == 0
    with open(root / "exports" / "grades.csv", newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f) if r["assignment"] == AID}


# ------------------------------------------------------------------------------------------------

def test_release_strips_solutions_and_hidden_tests(released):
    text = (released / "release" / AID / f"{NB}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "sum(counts.values())" not in text
    assert HIDDEN_MARKER not in text
    assert "raise NotImplementedError" in text
    # generated source is a copy of the course folder
    assert (released / "source" / AID / f"{NB}.ipynb").is_file()


def test_autograde_without_submissions_folder_says_where(released, capsys):
    assert not (released / "submitted").exists()   # runs before the `graded` fixture writes them
    assert run("autograde") == 2
    err = capsys.readouterr().err
    assert str(released / "submitted") in err and "<student>/<assignment>" in err


def test_unknown_assignment_is_an_instructor_error(released, capsys):
    assert run("autograde", "--assignment", "no-such-thing") == 2
    assert "unknown assignment" in capsys.readouterr().err


def test_statuses_and_scores(graded, capsys):
    rows = _grades(graded)
    assert set(rows) == set(ROSTER)
    st = {s: r["status"] for s, r in rows.items()}
    assert st == {"alice": "graded", "bob": "graded", "carol": "graded", "dave": "failed to grade",
                  "erin": "graded", "frank": "graded", "gina": "failed to grade", "mallory": "graded",
                  "zoe": "not submitted"}
    score = {s: float(r["score"]) for s, r in rows.items()}
    assert score["alice"] == 5 and score["bob"] == 0 and score["carol"] == 0
    assert score["zoe"] == 0 and rows["zoe"]["max_score"] == "7"
    assert all(r["max_score"] == "7" for r in rows.values())
    assert rows["alice"]["needs_manual_grade"] == "True"      # written answer awaits the instructor
    assert rows["carol"]["needs_manual_grade"] == "False"     # blank written answer is auto-0
    # columns for an LMS import
    assert rows["alice"]["email"] == "alice@example.com" and rows["alice"]["percent"] == "71.43"
    assert rows["zoe"]["percent"] == "0"
    assert "kernel died" in rows["dave"]["reason"]
    assert "time limit" in rows["gina"]["reason"]
    status = json.loads((graded / "status" / AID / "dave.json").read_text())
    assert status["status"] == "failed to grade" and status["reason"]


def test_stderr_warning_costs_no_points(graded):
    rows = _grades(graded)
    assert float(rows["erin"]["auto_score"]) == 5
    autograded = nbformat.read(graded / "autograded" / "erin" / AID / f"{NB}.ipynb", 4)
    cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "fixture-q2-tests")
    texts = [(o.get("name"), o.get("text", "")) for o in cell.outputs if o.output_type == "stream"]
    assert any(name == "stdout" and "fixture: this is only a harmless warning" in t for name, t in texts), texts
    assert not any(name == "stderr" for name, _ in texts)


def test_deleted_test_cell_is_restored_and_graded(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}", "mobile-measurement-academy") as gb:
        g = gb.find_grade("fixture-q2-tests", NB, AID, "frank")
        assert (g.auto_score, g.needs_manual_grade) == (3.0, False)  # re-added, run, passed
    autograded = (graded / "autograded" / "frank" / AID / f"{NB}.ipynb").read_text()
    assert "fixture-q2-tests" in autograded


def test_checksum_noise_filtered_but_tampering_logged(graded):
    rows = _grades(graded)
    assert float(rows["mallory"]["auto_score"]) == 3         # the q1 tests were put back and failed
    logs = {s: (graded / "status" / AID / f"{s}.log").read_text() for s in ("alice", "bob", "mallory")}
    # hidden tests make every untouched test cell "change checksum": that false alarm is dropped
    assert "checksum" not in logs["alice"] and "checksum" not in logs["bob"]
    assert "Attribute 'checksum' for cell fixture-q1-tests has changed" in logs["mallory"]


def test_feedback_has_no_hidden_tests(graded, capsys):
    assert run("feedback") == 0
    pages = {p.parts[-3]: p for p in (graded / "feedback").glob(f"*/{AID}/*.html")}
    assert set(pages) == {"alice", "bob", "carol", "erin", "frank", "mallory"}   # dave failed to grade
    for sid, page in pages.items():
        text = page.read_text()
        assert HIDDEN_MARKER not in text, sid
        plain = cli._html_text(page)   # tags stripped, entities decoded
        assert "sum(counts.values()), " not in plain and "< 1e-9" not in plain, sid
    # bob fails the hidden q2 test: he sees the friendly message, not the test code
    bob = pages["bob"].read_text()
    assert "check again" in bob and "1e-9" not in bob


def test_rerun_keeps_manual_grade(graded, capsys):
    from nbgrader.api import Gradebook

    url = f"sqlite:///{graded / 'gradebook.db'}"
    with Gradebook(url, "mobile-measurement-academy") as gb:
        g = gb.find_grade("fixture-written", NB, AID, "alice")
        g.manual_score = 1.5
        g.needs_manual_grade = False
        # a tampered/typo'd grade above the maximum is clamped in the export
        g2 = gb.find_grade("fixture-written", NB, AID, "erin")
        g2.manual_score = 50
        g2.needs_manual_grade = False
        gb.db.commit()
    assert run("autograde", "--student", "alice") == 0
    assert run("autograde", "--student", "erin") == 0
    rows = _grades(graded)
    assert float(rows["alice"]["score"]) == 6.5 and rows["alice"]["manual_score"] == "1.5"
    assert rows["alice"]["needs_manual_grade"] == "False"    # unchanged submission: review still holds
    assert float(rows["erin"]["score"]) == 7 and "clamped" in rows["erin"]["reason"]


def test_grades_csv_is_replaced_atomically(graded, monkeypatch):
    out = graded / "exports" / "grades.csv"
    out.parent.mkdir(exist_ok=True)
    out.write_text("old export\n")

    def crash(src, dst):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(cli.os, "replace", crash)
    with pytest.raises(OSError):
        run("grades")
    assert out.read_text() == "old export\n"
    assert not list(out.parent.glob(".grades.csv.*"))  # no temporary file left behind
    monkeypatch.undo()
    assert run("grades") == 0 and out.read_text().startswith("student,assignment,status")


def test_status_lists_failures(graded, capsys):
    assert run("status") == 0
    out = capsys.readouterr().out
    assert AID in out and "failed: 99-fixture/dave" in out and "failed: 99-fixture/gina" in out
