"""The course catalogue: what courses exist, their lessons, objectives and time.

Each course folder ``courses/NN-topic/`` has a ``course.toml`` (read here) and a ``README.md``
(the same facts for people). The portal, the workspace builder and the tests all read the
catalogue through this module.

Translations live in the course's language folder: ``courses/NN-topic/ko/course.toml`` holds the
Korean title, summary, objectives and lesson titles (numbers, files and minutes come from the English
file), ``courses/NN-topic/ko/<lesson>.ipynb`` the Korean lessons and ``ko/assignment/`` the Korean
assignment. ``courses(lang="ko")`` returns the catalogue in Korean; text or notebooks not translated
yet fall back to English (``tests/test_i18n.py`` fails while anything is missing).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Course", "Lesson", "courses", "course", "pick", "assignment_id", "assignment_language", "project_root",
           "courses_dir"]


def project_root() -> Path:
    """The kit's top folder (the one holding ``courses/``, ``datasets/``, ``helpers/``)."""
    return Path(__file__).resolve().parent.parent


def courses_dir() -> Path:
    """Where course sources live: ``MMA_COURSES`` if set, else ``<project>/courses``."""
    env = os.environ.get("MMA_COURSES")
    return Path(env).expanduser().resolve() if env else project_root() / "courses"


@dataclass(frozen=True)
class Lesson:
    number: str
    file: str
    title: str
    minutes: int


@dataclass(frozen=True)
class Course:
    id: str
    topic: str
    title: str
    summary: str
    minutes: int
    objectives: tuple[str, ...]
    prerequisites: tuple[str, ...]
    lessons: tuple[Lesson, ...]
    folder: Path
    assignment_folder: str | None = None
    assignment_title: str = ""
    assignment_minutes: int = 0
    extra: dict = field(default_factory=dict, compare=False)
    lang: str = "en"

    @property
    def lang_folder(self) -> Path:
        """Where this language's notebooks are: the course folder, or its ``<lang>/`` folder."""
        return self.folder if self.lang == "en" else self.folder / self.lang

    def lesson_path(self, lesson: Lesson) -> Path:
        """The lesson notebook in this language (the English one if it is not translated yet)."""
        translated = self.lang_folder / lesson.file
        return translated if translated.is_file() else self.folder / lesson.file

    @property
    def lesson_paths(self) -> list[Path]:
        return [self.lesson_path(lesson) for lesson in self.lessons]

    @property
    def assignment_path(self) -> Path | None:
        if not self.assignment_folder:
            return None
        translated = self.lang_folder / self.assignment_folder
        return translated if translated.is_dir() else self.folder / self.assignment_folder

    @property
    def assignment_id(self) -> str:
        """The nbgrader assignment id: the course id, plus ``-<lang>`` for a translation."""
        return assignment_id(self.id, self.lang)


def assignment_id(course_id: str, lang: str) -> str:
    """``01-attribution`` in English, ``01-attribution-ko`` in Korean: one graded assignment per language."""
    return course_id if lang == "en" else f"{course_id}-{lang}"


def assignment_language(assignment_id: str) -> str:
    """The language of an assignment id (the inverse of :func:`assignment_id`); English when unmarked."""
    from helpers.messages import available_languages

    suffix = assignment_id.rsplit("-", 1)[-1]
    return suffix if suffix != "en" and suffix in available_languages() else "en"


class CatalogError(ValueError):
    """A ``course.toml`` is missing something or names a file that does not exist."""


def _require(data: dict, key: str, kind: type, where: Path):
    if key not in data:
        raise CatalogError(f"{where}: missing '{key}'")
    if not isinstance(data[key], kind):
        raise CatalogError(f"{where}: '{key}' should be {kind.__name__}, not {type(data[key]).__name__}")
    return data[key]


def _load(folder: Path) -> Course:
    path = folder / "course.toml"
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{path} is not valid TOML: {exc}") from exc
    lessons = []
    for i, raw in enumerate(_require(data, "lessons", list, path), 1):
        where = Path(f"{path} lesson {i}")
        lesson = Lesson(
            number=_require(raw, "number", str, where),
            file=_require(raw, "file", str, where),
            title=_require(raw, "title", str, where),
            minutes=_require(raw, "minutes", int, where),
        )
        if not (folder / lesson.file).is_file():
            raise CatalogError(f"{path}: lesson {lesson.number} names {lesson.file}, which does not exist")
        lessons.append(lesson)
    assignment = data.get("assignment", {})
    course_id = _require(data, "id", str, path)
    if course_id != folder.name:
        raise CatalogError(f"{path}: id {course_id!r} should match the folder name {folder.name!r}")
    return Course(
        id=course_id,
        topic=_require(data, "topic", str, path),
        title=_require(data, "title", str, path),
        summary=_require(data, "summary", str, path),
        minutes=_require(data, "minutes", int, path),
        objectives=tuple(_require(data, "objectives", list, path)),
        prerequisites=tuple(data.get("prerequisites", [])),
        lessons=tuple(lessons),
        folder=folder,
        assignment_folder=assignment.get("folder"),
        assignment_title=assignment.get("title", ""),
        assignment_minutes=int(assignment.get("minutes", 0)),
    )


def _translate(course: Course, lang: str) -> Course:
    """The course with the text of ``<folder>/<lang>/course.toml`` (missing parts stay English)."""
    from dataclasses import replace

    if lang == "en":
        return course
    path = course.folder / lang / "course.toml"
    if not path.is_file():
        return replace(course, lang=lang)
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{path} is not valid TOML: {exc}") from exc
    titles = {}
    for i, raw in enumerate(data.get("lessons", []), 1):
        number = _require(raw, "number", str, Path(f"{path} lesson {i}"))
        if number not in {lesson.number for lesson in course.lessons}:
            raise CatalogError(f"{path}: lesson {number} is not in {course.folder / 'course.toml'}")
        titles[number] = _require(raw, "title", str, Path(f"{path} lesson {i}"))
    objectives = data.get("objectives", list(course.objectives))
    if len(objectives) != len(course.objectives):
        raise CatalogError(f"{path}: {len(objectives)} objectives, the English course.toml has "
                           f"{len(course.objectives)}")
    return replace(
        course, lang=lang,
        title=data.get("title", course.title), summary=data.get("summary", course.summary),
        objectives=tuple(objectives),
        lessons=tuple(replace(lesson, title=titles.get(lesson.number, lesson.title)) for lesson in course.lessons),
        assignment_title=data.get("assignment", {}).get("title", course.assignment_title),
    )


def courses(root: Path | None = None, lang: str | None = None) -> list[Course]:
    """Every course with a ``course.toml``, in folder order, in ``lang`` (default English)."""
    root = root or courses_dir()
    if not root.is_dir():
        raise CatalogError(f"no courses folder at {root}")
    return [_translate(_load(p), lang or "en") for p in sorted(root.iterdir()) if (p / "course.toml").is_file()]


def course(course_id: str, root: Path | None = None, lang: str | None = None) -> Course:
    """One course by id (``"01-attribution"``) or topic (``"attribution"``)."""
    found = courses(root, lang)
    for c in found:
        if course_id in (c.id, c.topic):
            return c
    raise CatalogError(f"unknown course {course_id!r}; available: {[c.id for c in found]}")


def pick(wanted: list[str], lang: str = "en", root: Path | None = None) -> tuple[list[Course], str | None, str]:
    """Courses by number (``01``), id (``01-attribution``) or topic, in the order given, without repeats.

    Returns ``(courses, unknown, available)``: ``unknown`` is the first value that names no course
    (``None`` when all do) and ``available`` lists the choices, for the caller's error message.
    """
    every = courses(root, lang)
    available = ", ".join(f"{c.id.split('-', 1)[0]} ({c.id})" for c in every)
    chosen: list[Course] = []
    for value in wanted:
        match = [c for c in every if str(value) in (c.id, c.topic, c.id.split("-", 1)[0])]
        if not match:
            return chosen, str(value), available
        if match[0] not in chosen:
            chosen.append(match[0])
    return chosen, None, available
