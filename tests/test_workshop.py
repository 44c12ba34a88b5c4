"""Workshop packs: the folder and zip, the agenda's timings, the facilitator notes' answers, a lesson
that runs from the pack with a fresh kernel, and clear errors for bad input."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import catalog, workshop
from helpers.data import default_directory
from helpers.exercises import all_exercises
from helpers.messages import t
from helpers.synth import build as synth_build

ROOT = Path(__file__).resolve().parent.parent
COURSES = ["01", "04"]
VERTICAL = "ecommerce"
USERS, SEED = 300, 11


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("workshops")
    report = workshop.build(COURSES, VERTICAL, "acme", out=out, users=USERS, seed=SEED, start="10:00")
    # a second build right away (helpers/ is copied: a file edited in between would differ)
    report.again = workshop.build(COURSES, VERTICAL, "acme", out=out / "again", users=USERS, seed=SEED, start="10:00")
    return report


def _chosen():
    return [catalog.course(c) for c in ("01-attribution", "04-skan")]


def test_folder_holds_released_lessons_helpers_datasets_and_documents(pack):
    folder = pack.folder
    assert folder.name == "acme" and pack.zip_path == folder.parent / "acme.zip"
    for course in _chosen():
        for lesson in course.lessons:
            path = folder / lesson.file
            assert path.is_file(), f"missing lesson {lesson.file}"
            text = path.read_text()
            source = (course.folder / lesson.file).read_text()
            assert "BEGIN SOLUTION" not in text, f"{lesson.file} still holds solutions"
            if "BEGIN SOLUTION" in source:
                assert "# YOUR CODE HERE" in text
            nb = nbformat.reads(text, as_version=4)
            assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    for rel in ("README.md", "agenda.md", "agenda.html", "setup.md", "setup.html", "facilitator/notes.md",
                "facilitator/notes.html", "requirements.txt", "helpers/__init__.py", "helpers/data.py",
                f"explore-{VERTICAL}-world.ipynb", workshop.MARKER):
        assert (folder / rel).is_file(), f"missing {rel}"
    assert not list(folder.rglob("__pycache__"))
    # the course datasets are byte-identical copies of the committed ones
    committed = default_directory()
    for rel in ("attribution/touches.csv", "world-gaming/installs.csv"):
        assert (folder / "datasets" / rel).read_bytes() == (committed / rel).read_bytes()
    requirements = (folder / "requirements.txt").read_text()
    for package in ("pandas", "matplotlib", "ipywidgets", "jupyterlab"):
        assert re.search(rf"^{package}[<>=]", requirements, re.M), f"{package} missing from requirements.txt"


def test_client_world_is_generated_for_the_vertical_from_the_seed(pack, tmp_path):
    client = pack.folder / "datasets" / "client" / f"world-{VERTICAL}"
    fresh = synth_build.build(tmp_path, seed=SEED, users=USERS, vertical=VERTICAL, name=f"world-{VERTICAL}")
    assert fresh, "synth build wrote nothing"
    for path in fresh:
        rel = path.relative_to(tmp_path / f"world-{VERTICAL}")
        assert (client / rel).read_bytes() == path.read_bytes(), f"client world {rel} differs from a fresh build"
    other = synth_build.build(tmp_path / "other", seed=SEED + 1, users=USERS, vertical=VERTICAL)
    assert any((client / p.name).read_bytes() != p.read_bytes() for p in other if p.suffix == ".csv")


def test_zip_matches_the_folder_and_is_deterministic(pack):
    with zipfile.ZipFile(pack.zip_path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
        on_disk = sorted(f"acme/{p.relative_to(pack.folder).as_posix()}" for p in pack.folder.rglob("*") if p.is_file())
        assert names == on_disk
        assert zf.read("acme/agenda.md") == (pack.folder / "agenda.md").read_bytes()
        assert zf.testzip() is None
    again = pack.again
    if again.zip_path.read_bytes() != pack.zip_path.read_bytes():
        with zipfile.ZipFile(pack.zip_path) as za, zipfile.ZipFile(again.zip_path) as zb:
            differ = [n for n in za.namelist() if n not in zb.namelist() or za.read(n) != zb.read(n)]
        pytest.fail(f"same input should give the same zip bytes; entries that differ: {differ}")


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def test_agenda_sums_the_course_timings(pack):
    items = workshop.agenda(_chosen(), start="10:00")
    lessons = [i for i in items if i.kind == "lesson"]
    expected = [(lesson.number, lesson.minutes) for c in _chosen() for lesson in c.lessons]
    assert [(i.lesson, i.minutes) for i in lessons] == expected
    assert items[0].start == "10:00"
    for before, after in zip(items, items[1:], strict=False):
        assert before.end == after.start, "agenda items must follow each other"
    for item in items:
        assert _minutes(item.end) - _minutes(item.start) == item.minutes
    total = sum(i.minutes for i in items)
    assert _minutes(items[-1].end) - _minutes(items[0].start) == total
    assert total == (sum(m for _, m in expected) + workshop.WELCOME_MINUTES + workshop.WRAP_UP_MINUTES
                     + workshop.BREAK_MINUTES * sum(i.kind == "break" for i in items))
    # no stretch without a break is longer than the limit
    stretch = 0
    for item in items:
        stretch = 0 if item.kind == "break" else stretch + item.minutes
        assert stretch <= workshop.MAX_BLOCK_MINUTES + workshop.WRAP_UP_MINUTES
    text = (pack.folder / "agenda.md").read_text()
    assert f"({total} minutes)" in text
    for item in items:
        assert f"{item.start}–{item.end}" in text
    marker = json.loads((pack.folder / workshop.MARKER).read_text())
    assert [i["minutes"] for i in marker["agenda"]] == [i.minutes for i in items]
    later = workshop.agenda(_chosen(), start="13:15")
    assert later[0].start == "13:15" and sum(i.minutes for i in later) == total


def test_facilitator_notes_hold_talking_points_questions_and_every_exercise_answer(pack):
    notes = (pack.folder / "facilitator" / "notes.md").read_text()
    html_notes = (pack.folder / "facilitator" / "notes.html").read_text()
    for course in _chosen():
        for objective in course.objectives:
            assert objective in notes
        exercises = all_exercises(course.topic)
        assert exercises, f"no exercises for {course.topic}"
        for ex in exercises:
            for line in ex.solution_code.strip().splitlines():
                assert line.strip() in notes, f"answer of {ex.id} missing: {line}"
            assert t(f"{ex.messages}.solution") in notes
            for row in workshop.format_value(ex.expected_value()).splitlines():
                assert row in notes, f"expected value of {ex.id} missing: {row}"
        for lesson in course.lessons:
            assert f"### {lesson.number} {lesson.title}" in notes
    assert t("workshop.questions.skan.q1") in notes and t("workshop.questions.attribution.q1") in notes
    assert "fraud" not in {c.topic for c in _chosen()} and t("workshop.questions.fraud.q1") not in notes
    assert "<h2>" in html_notes and "<pre>" in html_notes


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append((tag, value))


def test_html_documents_need_no_network(pack):
    for rel in ("agenda.html", "setup.html", "facilitator/notes.html"):
        parser = _Refs()
        parser.feed((pack.folder / rel).read_text())
        loads = [v for tag, v in parser.refs if tag in ("script", "link", "img", "iframe")]
        assert not [v for v in loads if v.startswith(("http:", "https:", "//"))], rel
    setup = (pack.folder / "setup.md").read_text()
    assert "pip install -r requirements.txt" in setup and "jupyter lab" in setup and "acme.zip" in setup


def test_a_lesson_and_the_client_notebook_run_from_the_pack_with_a_fresh_kernel(pack, tmp_path):
    lesson = catalog.course("01-attribution").lessons[0].file
    env_before = dict(os.environ)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_", "MMA_"))}
    env.pop("PYTHONPATH", None)
    env["MMA_PROGRESS"] = str(tmp_path / "progress.sqlite3")
    outputs = {}
    try:
        os.environ.clear()
        os.environ.update(env)
        for name in (lesson, f"explore-{VERTICAL}-world.ipynb"):
            nb = nbformat.read(pack.folder / name, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(
                "import helpers, helpers.data\nprint('HELPERS', helpers.__file__)\n"
                "print('DATA', helpers.data.default_directory().resolve())"))
            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(pack.folder)}}).execute()
            errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
            assert not errors, f"{name} raised {errors[0].get('ename')}: {errors[0].get('evalue')}"
            outputs[name] = "\n".join(str(o.get("data", o.get("text", ""))) for c in nb.cells
                                      if c.cell_type == "code" for o in c.outputs)
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    folder = str(pack.folder.resolve())
    for name, text in outputs.items():
        assert f"HELPERS {folder}/helpers/__init__.py" in text, f"{name} did not use the pack's helpers"
        assert f"DATA {folder}/datasets" in text, f"{name} did not read the pack's datasets"
    assert "Not attempted yet" in outputs[lesson]
    assert "google_ads" in outputs[f"explore-{VERTICAL}-world.ipynb"] or "organic" in outputs[f"explore-{VERTICAL}-world.ipynb"]


@pytest.mark.parametrize("kwargs, words", [
    ({"courses": ["07"]}, ["'07'", "01 (01-attribution)"]),
    ({"courses": []}, ["--courses 01 04"]),
    ({"vertical": "fintech"}, ["'fintech'", "ecommerce"]),
    ({"name": "../evil"}, ["'../evil'", "letters, digits"]),
    ({"name": "a b"}, ["'a b'"]),
    ({"name": ""}, ["''"]),
    ({"start": "25:00"}, ["'25:00'", "HH:MM"]),
    ({"users": 5}, ["--users", "100"]),
])
def test_bad_input_is_named_and_nothing_is_written(tmp_path, kwargs, words):
    args = {"courses": ["01"], "vertical": VERTICAL, "name": "acme", "out": tmp_path / "w", "users": USERS} | kwargs
    with pytest.raises(workshop.WorkshopError) as info:
        workshop.build(**args)
    for word in words:
        assert word in str(info.value)
    assert not (tmp_path / "w").exists()


def test_existing_output_needs_force_and_force_never_deletes_anything_else(pack, tmp_path):
    out = tmp_path / "w"
    (out / "acme").mkdir(parents=True)
    (out / "acme" / "mine.txt").write_text("keep me")
    (out / "other.txt").write_text("keep me too")
    for force in (False, True):
        with pytest.raises(workshop.WorkshopError, match="acme"):
            workshop.build(["01"], VERTICAL, "acme", out=out, users=USERS, force=force)
    assert (out / "acme" / "mine.txt").read_text() == "keep me"
    report = workshop.build(["01"], VERTICAL, "team", out=out, users=USERS)
    with pytest.raises(workshop.WorkshopError, match="--force"):
        workshop.build(["01"], VERTICAL, "team", out=out, users=USERS)
    report = workshop.build(["04"], VERTICAL, "team", out=out, users=USERS, force=True)
    assert (report.folder / "04.1-why-skan.ipynb").is_file() and not (report.folder / "01.1-why-attribution.ipynb").exists()
    assert (out / "other.txt").read_text() == "keep me too" and (out / "acme" / "mine.txt").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["acme", "other.txt", "team", "team.zip"]


def test_cli_reports_errors_and_success(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    cmd = [sys.executable, "-m", "helpers.workshop", "build", "--courses", "01", "09", "--vertical", VERTICAL,
           "--name", "acme", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown course '09'" in proc.stderr and "Traceback" not in proc.stderr
    cmd[cmd.index("09")] = "04"
    proc = subprocess.run([*cmd, "--users", "200", "--start", "09:00"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "acme.zip" in proc.stdout and (tmp_path / "acme.zip").is_file()
    assert "| 09:00–09:15 |" in (tmp_path / "acme" / "agenda.md").read_text()
    assert str(dt.date.today()) not in (tmp_path / "acme" / "README.md").read_text()
