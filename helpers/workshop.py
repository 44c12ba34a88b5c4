"""Workshop packs: one folder and one zip with everything a customer-success team needs for a client.

``python -m helpers.workshop build --courses 01 04 --vertical ecommerce --name acme`` (``make workshop``)
writes ``workshops/acme/`` and ``workshops/acme.zip``::

    README.md                         what is in the pack
    01.1-why-attribution.ipynb ...    the chosen lessons, released (solutions replaced by
                                      ``# YOUR CODE HERE``, outputs cleared), in agenda order
    explore-<vertical>-world.ipynb    a first look at the world generated for the client's vertical
    helpers/                          a copy of the package the lessons import
    datasets/                         the committed course datasets (byte-identical copies)
    datasets/client/world-<vertical>/ a world for the client's vertical (``--users``, ``--seed``)
    requirements.txt                  the packages to install
    agenda.md / agenda.html           timings from course.toml, breaks, ``--start``
    setup.md / setup.html             the attendee setup sheet
    facilitator/notes.md / notes.html talking points, likely questions, exercise answers

How the lessons find code and data from the pack: the notebooks sit next to ``helpers/``, and
Jupyter starts each kernel in the notebook's folder, so ``import helpers`` loads the pack's copy;
``helpers.data`` then reads ``datasets/`` beside it. Nothing needs the network once the packages
are installed. Every course dataset is copied (about 30 MB, 11 MB zipped) because some lessons pick
a vertical's world at run time.

The exercise answers in the notes come from the exercises themselves (``Exercise.solution_code``
and the solution note from the message catalogue), so they are the answers the checks accept.

The zip is deterministic: sorted entries, fixed timestamps (1980-01-01) and permissions, so the same
command with the same seed gives the same bytes (on the same zlib build). Bad input (an unknown
course or vertical, an unsafe name, an existing pack without ``--force``) raises
:class:`WorkshopError` naming what was wrong and what was expected, before anything is written;
``--force`` only ever replaces a folder this command made (it holds ``.mma-workshop.json``) and its zip.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import html
import json
import os
import re
import shutil
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from helpers import catalog
from helpers.messages import available_languages, has, t

__all__ = ["WorkshopError", "AgendaItem", "PackReport", "agenda", "select_courses", "facilitator_notes",
           "write_zip", "format_value", "build", "main", "MARKER", "DEFAULT_USERS"]

MARKER = ".mma-workshop.json"
DEFAULT_USERS = 2000
DEFAULT_START = "09:30"
WELCOME_MINUTES = 15
WRAP_UP_MINUTES = 15
BREAK_MINUTES = 15
MAX_BLOCK_MINUTES = 90
"""A break is added before a lesson that would make the time since the last break exceed this."""
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
_PACK_REQUIREMENTS = ("numpy", "pandas", "matplotlib", "ipywidgets", "jupyterlab", "cryptography", "tqdm")


class WorkshopError(ValueError):
    """Bad input for a workshop pack: names what was wrong and what was expected."""


@dataclass(frozen=True)
class AgendaItem:
    start: str
    end: str
    minutes: int
    kind: str  # "welcome", "lesson", "break" or "wrap_up"
    title: str
    course: str = ""
    lesson: str = ""


@dataclass
class PackReport:
    folder: Path
    zip_path: Path
    files: list[str]
    seconds: float


# ---------------------------------------------------------------------------------------- input
def select_courses(wanted: list[str], lang: str = "en") -> list[catalog.Course]:
    """Courses by number (``01``), id (``01-attribution``) or topic, in the order given."""
    if not wanted:
        raise WorkshopError(t("workshop.cli.no_courses"))
    chosen, unknown, available = catalog.pick(list(wanted), lang)
    if unknown is not None:
        raise WorkshopError(t("workshop.cli.unknown_course", value=unknown, available=available))
    return chosen


def _check_vertical(vertical: str) -> str:
    from helpers.synth.scenarios import VERTICALS

    if vertical not in VERTICALS:
        raise WorkshopError(t("workshop.cli.unknown_vertical", value=vertical, available=", ".join(VERTICALS)))
    return vertical


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise WorkshopError(t("workshop.cli.bad_name", value=name))
    return name


def _parse_start(value: str) -> _dt.datetime:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise WorkshopError(t("workshop.cli.bad_start", value=value))
    return _dt.datetime(2000, 1, 1, int(match[1]), int(match[2]))


def _check_number(option: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WorkshopError(t("workshop.cli.bad_number", option=option, low=low, high=high, value=value))
    return value


# ---------------------------------------------------------------------------------------- agenda
def agenda(courses: list[catalog.Course], start: str = DEFAULT_START, break_minutes: int = BREAK_MINUTES,
           max_block: int = MAX_BLOCK_MINUTES) -> list[AgendaItem]:
    """The day: welcome, the lessons with their course.toml minutes, breaks, wrap-up.

    A break comes before any lesson that would make the stretch since the last break longer than
    ``max_block`` minutes, and between two courses when the stretch is already half that long.
    """
    clock = _parse_start(start)
    items: list[AgendaItem] = []

    def add(minutes: int, kind: str, title: str, course: str = "", lesson: str = "") -> None:
        nonlocal clock
        end = clock + _dt.timedelta(minutes=minutes)
        items.append(AgendaItem(clock.strftime("%H:%M"), end.strftime("%H:%M"), minutes, kind, title, course, lesson))
        clock = end

    add(WELCOME_MINUTES, "welcome", t("workshop.agenda.welcome"))
    block = WELCOME_MINUTES
    for ci, course in enumerate(courses):
        for li, lesson in enumerate(course.lessons):
            new_course = ci > 0 and li == 0 and block >= max_block // 2
            if break_minutes and block > 0 and (new_course or block + lesson.minutes > max_block):
                add(break_minutes, "break", t("workshop.agenda.break"))
                block = 0
            add(lesson.minutes, "lesson", t("workshop.agenda.lesson", number=lesson.number, title=lesson.title),
                course.id, lesson.number)
            block += lesson.minutes
    add(WRAP_UP_MINUTES, "wrap_up", t("workshop.agenda.wrap_up"))
    return items


def _minutes_text(total: int) -> str:
    return t("units.hours_minutes", h=total // 60, m=f"{total % 60:02d}")


def agenda_markdown(name: str, courses: list[catalog.Course], items: list[AgendaItem]) -> str:
    total = sum(i.minutes for i in items)
    lines = [f"# {t('workshop.doc.title', name=name)}: {t('workshop.agenda.title')}", "",
             t("workshop.agenda.start", time=items[0].start, total=_minutes_text(total), minutes=total), "",
             t("workshop.doc.courses", items=", ".join(c.title for c in courses)), "",
             f"| {t('workshop.agenda.col_time')} | {t('workshop.agenda.col_item')} | {t('workshop.agenda.col_minutes')} |",
             "|---|---|---:|"]
    current = None
    for item in items:
        if item.kind == "lesson" and item.course != current:
            current = item.course
            course = next(c for c in courses if c.id == current)
            lines.append(f"| | **{_md(t('workshop.agenda.course', course=course.id, title=course.title))}** | |")
        title = item.title if item.kind == "lesson" else f"*{item.title}*"
        lines.append(f"| {item.start}–{item.end} | {_md(title)} | {item.minutes} |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")


# ---------------------------------------------------------------------------------------- notes
def _headings(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^(#{2,3})\s+(.+?)\s*#*\s*$", line)
            if match:
                out.append(("  " if len(match[1]) == 3 else "") + "- " + match[2])
    return out


def _exercises(course: catalog.Course) -> dict[str, list]:
    from helpers.exercises import lesson_modules

    try:
        return {number: list(module.EXERCISES) for number, module in lesson_modules(course.topic).items()}
    except ValueError:
        return {}


def facilitator_notes(name: str, courses: list[catalog.Course], vertical: str, client_notebook: str) -> str:
    """Markdown: per lesson the objective, talking points, likely questions, first hints, answers."""
    lines = [f"# {t('workshop.doc.title', name=name)}: {t('workshop.notes.title')}", "", t("workshop.notes.intro"), "",
             f"## {t('workshop.notes.before')}", "", f"- {t('workshop.notes.before_1')}",
             f"- {t('workshop.notes.before_2')}",
             f"- {t('workshop.notes.before_3', vertical=vertical, notebook=client_notebook)}"]
    chosen = {c.id for c in courses}
    for course in courses:
        for prereq in course.prerequisites:
            if prereq not in chosen:
                lines.append(f"- {t('workshop.notes.prerequisite_missing', course=course.id, prereq=prereq)}")
    lines += ["", f"## {t('workshop.notes.likely_questions')}", ""]
    lines += [f"- {text}" for key, text in _questions("general")]
    for course in courses:
        exercises = _exercises(course)
        lines += ["", f"## {course.id}: {course.title}", "", f"### {t('workshop.notes.course_objectives')}", ""]
        lines += [f"- {o}" for o in course.objectives]
        questions = _questions(course.topic)
        if questions:
            lines += ["", f"### {t('workshop.notes.likely_questions')}", ""]
            lines += [f"- {text}" for _, text in questions]
        paired = len(course.objectives) == len(course.lessons)
        for i, lesson in enumerate(course.lessons):
            lines += ["", f"### {lesson.number} {lesson.title} ({t('workshop.notes.minutes', minutes=lesson.minutes)})", ""]
            if paired:
                lines += [f"**{t('workshop.notes.objective')}:** {course.objectives[i]}", ""]
            lines += [f"**{t('workshop.notes.talking_points')}**", ""]
            lines += _headings(course.lesson_path(lesson)) or ["- " + lesson.title]
            exs = exercises.get(lesson.number, [])
            if exs:
                lines += ["", f"**{t('workshop.notes.where_stuck')}**", ""]
                lines += [f"- {ex.name}: {t(f'{ex.messages}.hint1')}" for ex in exs if has(f"{ex.messages}.hint1")]
                lines += ["", f"**{t('workshop.notes.answers')}**", ""]
                for ex in exs:
                    lines.append(f"- **{t('workshop.notes.exercise', name=ex.name, variable=ex.variable)}**")
                    lines += ["", "  ```python", *[f"  {code}" for code in ex.solution_code.splitlines()], "  ```", ""]
                    lines += [f"  {t('workshop.notes.expected')}", "", "  ```text",
                              *[f"  {row}" for row in format_value(ex.expected_value()).splitlines()], "  ```", ""]
                    note_key = f"{ex.messages}.solution"
                    if has(note_key):
                        lines += [f"  {t('workshop.notes.why')}: {t(note_key)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def format_value(value, max_rows: int = 12, max_chars: int = 600) -> str:
    """A short, readable form of an exercise's expected value for the notes."""
    import numpy as np
    import pandas as pd

    if isinstance(value, bool | np.bool_):
        text = str(bool(value))
    elif isinstance(value, int | np.integer):
        text = str(int(value))
    elif isinstance(value, float | np.floating):
        text = f"{float(value):.6g}"
    elif isinstance(value, pd.Series | pd.DataFrame):
        text = value.to_string(max_rows=max_rows)
    else:
        text = repr(value)
    return text if len(text) <= max_chars else text[:max_chars] + " ..."


def _questions(topic: str) -> list[tuple[str, str]]:
    from helpers.messages import catalogue, language

    prefix = f"workshop.questions.{topic}."
    keys = sorted({k for k in catalogue("en") if k.startswith(prefix)} | {k for k in catalogue(language())
                                                                          if k.startswith(prefix)})
    return [(k, t(k)) for k in keys]


# ---------------------------------------------------------------------------------------- other documents
def setup_markdown(name: str, first_lesson: str) -> str:
    zip_name = f"{name}.zip"
    return "\n".join([
        f"# {t('workshop.doc.title', name=name)}: {t('workshop.setup.title')}", "",
        t("workshop.setup.intro"), "", t("workshop.setup.need"), "",
        f"1. {t('workshop.setup.step_unzip', zip=zip_name, name=name)}",
        f"2. {t('workshop.setup.step_venv')}", "", "   ```bash", "   python3 -m venv .venv", "   ```",
        f"3. {t('workshop.setup.step_activate')}", "", "   ```bash",
        "   source .venv/bin/activate        # macOS, Linux", "   .venv\\Scripts\\activate           # Windows",
        "   ```",
        f"4. {t('workshop.setup.step_install')}", "", "   ```bash", "   pip install -r requirements.txt", "   ```", "",
        f"   {t('workshop.setup.step_offline')}", "", "   ```bash",
        "   pip install --no-index --find-links wheels -r requirements.txt", "   ```",
        f"5. {t('workshop.setup.step_open', first=first_lesson)}", "", "   ```bash", "   jupyter lab", "   ```",
        f"6. {t('workshop.setup.step_check')}", "",
        f"- {t('workshop.setup.how_exercises')}", f"- {t('workshop.setup.keep_together')}",
        f"- {t('workshop.setup.widgets')}", f"- {t('workshop.setup.help')}", ""])


def readme_markdown(name: str, courses: list[catalog.Course], vertical: str, lesson_files: list[str],
                    client_notebook: str, command: str) -> str:
    lines = [f"# {t('workshop.doc.title', name=name)}", "", t("workshop.readme.intro"), "",
             t("workshop.doc.courses", items=", ".join(f"{c.id} ({c.title})" for c in courses)), "",
             t("workshop.doc.vertical", vertical=vertical), "", f"## {t('workshop.readme.contents')}", "",
             f"- `setup.html` / `setup.md`: {t('workshop.readme.setup')}",
             f"- `agenda.html` / `agenda.md`: {t('workshop.readme.agenda')}",
             *[f"- `{f}`" for f in lesson_files],
             f"  ({t('workshop.readme.lessons')})",
             f"- `{client_notebook}`: {t('workshop.readme.client_notebook', vertical=vertical)}",
             f"- `helpers/`: {t('workshop.readme.helpers')}",
             f"- `datasets/`: {t('workshop.readme.datasets')}",
             f"- `requirements.txt`: {t('workshop.readme.requirements')}",
             f"- `facilitator/`: {t('workshop.readme.facilitator')}", "",
             t("workshop.doc.generated", args=command), ""]
    return "\n".join(lines)


_HTML_STYLE = ("body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:900px;"
               "margin:0 auto;padding:1em 1.5em;line-height:1.5;color:#1f2328}table{border-collapse:collapse}"
               "td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}pre{background:#f6f8fa;"
               "padding:8px;overflow-x:auto}code{background:#f6f8fa}")


def to_html(markdown_text: str, title: str, lang: str) -> str:
    """A standalone HTML page (no network) from the Markdown text."""
    import mistune

    body = mistune.create_markdown(plugins=["table"], escape=True)(markdown_text)
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def client_notebook(vertical: str, seed: int, users: int) -> str:
    """A short notebook that loads the client's world from ``datasets/client``."""
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        md(f"# {t('workshop.client.title', vertical=vertical)}\n\n"
           f"{t('workshop.client.intro', seed=seed, users=users, vertical=vertical)}"),
        md(t("workshop.client.load")),
        code("from helpers.data import load_world\n\n"
             f'world = load_world("world-{vertical}", directory="datasets/client")'),
        md(t("workshop.client.sizes")),
        code("{name: len(table) for name, table in sorted(world.tables.items())}"),
        md(t("workshop.client.sources")),
        code('installs = world.tables["installs"]\ninstalls["true_source"].value_counts()'),
        md(t("workshop.client.revenue")),
        code('events = world.tables["events"]\n'
             'purchases = events[events["event_name"] == "purchase"]\n'
             'purchases.merge(installs[["install_id", "true_source"]], on="install_id")'
             '.groupby("true_source")["revenue"].sum().round(2).sort_values(ascending=False)'),
    ]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nbformat.writes(nb) + "\n"


def requirements_text() -> str:
    with (catalog.project_root() / "pyproject.toml").open("rb") as fh:
        deps = tomllib.load(fh)["project"]["dependencies"]
    keep = [d for d in deps if re.split(r"[<>=!\[; ]", d, maxsplit=1)[0] in _PACK_REQUIREMENTS]
    return "# Python 3.11 or newer\n" + "\n".join(sorted(keep)) + "\n"


# ---------------------------------------------------------------------------------------- files
def _copy_tree(src: Path, dst: Path) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if _SKIP_PARTS & set(rel.parts) or path.suffix == ".pyc" or not path.is_file():
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def write_zip(folder: Path, zip_path: Path) -> list[str]:
    """Zip ``folder`` as ``<folder name>/...`` deterministically; returns the entry names."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    names = []
    tmp = zip_path.with_name(f".{zip_path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(files, key=lambda p: p.relative_to(folder).as_posix()):
            name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, path.read_bytes(), compresslevel=6)
            names.append(name)
    os.replace(tmp, zip_path)
    return names


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _build(courses: list[str], vertical: str, name: str, out: Path | str = "workshops", users: int = DEFAULT_USERS,
          seed: int | None = None, lang: str | None = None, start: str = DEFAULT_START,
          break_minutes: int = BREAK_MINUTES, force: bool = False) -> PackReport:
    from helpers import workspace
    from helpers.synth import build as synth_build

    began = time.perf_counter()
    if lang is not None:
        if lang not in available_languages():
            raise WorkshopError(t("workshop.cli.unknown_language", value=lang,
                                  available=", ".join(available_languages())))
        os.environ["MMA_LANG"] = lang
    lang = lang or os.environ.get("MMA_LANG", "en") or "en"
    name = _check_name(name)
    chosen = select_courses(list(courses), lang)
    vertical = _check_vertical(vertical)
    users = _check_number("--users", users, 100, 1_000_000)
    seed = synth_build.SEED if seed is None else _check_number("--seed", seed, 0, 2**32 - 1)
    break_minutes = _check_number("--break-minutes", break_minutes, 0, 120)
    items = agenda(chosen, start, break_minutes)

    out = Path(out)
    folder, zip_path = out / name, out / f"{name}.zip"
    for existing in (folder, zip_path):
        if existing.exists() or existing.is_symlink():
            if not force:
                raise WorkshopError(t("workshop.cli.exists", path=existing))
    if folder.exists() and not (folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()):
        raise WorkshopError(t("workshop.cli.not_a_pack", path=folder, marker=MARKER))
    if zip_path.exists() and (zip_path.is_dir() or zip_path.is_symlink()):
        raise WorkshopError(t("workshop.cli.not_a_pack", path=zip_path, marker=MARKER))

    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".{name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        root = catalog.project_root()
        lesson_files = []
        for course in chosen:
            for lesson in course.lessons:
                _write(staging / lesson.file, workspace.release_lesson(course.lesson_path(lesson)))
                lesson_files.append(lesson.file)
        # the pack's language: lessons opened from the pack folder answer in it (helpers.messages)
        _write(staging / ".mma" / "settings.json", json.dumps({"language": lang}, indent=1) + "\n")
        client_nb = f"explore-{vertical}-world.ipynb"
        _write(staging / client_nb, client_notebook(vertical, seed, users))
        _copy_tree(root / "helpers", staging / "helpers")
        _copy_tree(_datasets_dir(), staging / "datasets")
        synth_build.build(staging / "datasets" / "client", seed=seed, users=users, vertical=vertical,
                          name=f"world-{vertical}")
        _write(staging / "requirements.txt", requirements_text())
        command = " ".join(["--courses", *[c.id.split("-", 1)[0] for c in chosen], "--vertical", vertical,
                            "--name", name, "--users", str(users), "--seed", str(seed), "--start", items[0].start])
        docs = {
            "README.md": readme_markdown(name, chosen, vertical, lesson_files, client_nb, command),
            "agenda.md": agenda_markdown(name, chosen, items),
            "setup.md": setup_markdown(name, lesson_files[0]),
            "facilitator/notes.md": facilitator_notes(name, chosen, vertical, client_nb),
        }
        titles = {"agenda.md": t("workshop.agenda.title"), "setup.md": t("workshop.setup.title"),
                  "facilitator/notes.md": t("workshop.notes.title")}
        for rel, text in docs.items():
            _write(staging / rel, text)
            if rel in titles:
                _write(staging / Path(rel).with_suffix(".html"),
                       to_html(text, f"{t('workshop.doc.title', name=name)}: {titles[rel]}", lang))
        marker = {"name": name, "courses": [c.id for c in chosen], "vertical": vertical, "users": users,
                  "seed": seed, "start": items[0].start, "lang": lang,
                  "agenda": [item.__dict__ for item in items]}
        _write(staging / MARKER, json.dumps(marker, indent=1, sort_keys=True) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    names = write_zip(folder, zip_path)
    return PackReport(folder, zip_path, names, time.perf_counter() - began)


def build(courses: list[str], vertical: str, name: str, out: Path | str = "workshops", users: int = DEFAULT_USERS,
          seed: int | None = None, lang: str | None = None, start: str = DEFAULT_START,
          break_minutes: int = BREAK_MINUTES, force: bool = False) -> PackReport:
    """Build ``<out>/<name>/`` and ``<out>/<name>.zip`` (see the module docstring).

    ``lang`` sets ``MMA_LANG`` while the documents are written; the caller's value is restored after.
    """
    saved = os.environ.get("MMA_LANG")
    try:
        return _build(courses, vertical, name, out, users, seed, lang, start, break_minutes, force)
    finally:
        if saved is None:
            os.environ.pop("MMA_LANG", None)
        else:
            os.environ["MMA_LANG"] = saved


def _datasets_dir() -> Path:
    from helpers.data import default_directory

    return default_directory()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.workshop", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build a workshop pack (folder and zip)")
    b.add_argument("--courses", nargs="+", required=True, help="course numbers or ids, e.g. 01 04")
    b.add_argument("--vertical", required=True, help="the client's vertical: gaming, ecommerce, home_services, subscription")
    b.add_argument("--name", required=True, help="pack name (letters, digits, - and _), e.g. the client's name")
    b.add_argument("--out", type=Path, default=Path("workshops"), help="output folder (default: workshops)")
    b.add_argument("--users", type=int, default=DEFAULT_USERS, help=f"people in the client's world (default {DEFAULT_USERS})")
    b.add_argument("--seed", type=int, default=None, help="seed of the client's world (default: the kit's seed)")
    b.add_argument("--start", default=DEFAULT_START, help=f"start time of the day, HH:MM (default {DEFAULT_START})")
    b.add_argument("--break-minutes", type=int, default=BREAK_MINUTES, help=f"length of each break (default {BREAK_MINUTES})")
    b.add_argument("--lang", default=None, help="language of the documents (sets MMA_LANG; default en)")
    b.add_argument("--force", action="store_true", help="replace an existing pack of the same name")
    args = parser.parse_args(argv)
    try:
        report = build(args.courses, args.vertical, args.name, out=args.out, users=args.users, seed=args.seed,
                       lang=args.lang, start=args.start, break_minutes=args.break_minutes, force=args.force)
    except WorkshopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(t("workshop.cli.done", folder=report.folder, zip=report.zip_path, files=len(report.files),
            seconds=f"{report.seconds:.0f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
