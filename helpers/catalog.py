"""The course catalogue: what courses exist, their lessons, objectives and time.

Each course folder ``courses/NN-topic/`` has a ``course.toml`` (read here) and a ``README.md``
(the same facts for people). The portal, the workspace builder and the tests all read the
catalogue through this module.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Course", "Lesson", "courses", "course", "project_root", "courses_dir"]


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

    @property
    def lesson_paths(self) -> list[Path]:
        return [self.folder / lesson.file for lesson in self.lessons]

    @property
    def assignment_path(self) -> Path | None:
        return self.folder / self.assignment_folder if self.assignment_folder else None


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


def courses(root: Path | None = None) -> list[Course]:
    """Every course with a ``course.toml``, in folder order."""
    root = root or courses_dir()
    if not root.is_dir():
        raise CatalogError(f"no courses folder at {root}")
    return [_load(p) for p in sorted(root.iterdir()) if (p / "course.toml").is_file()]


def course(course_id: str, root: Path | None = None) -> Course:
    """One course by id (``"01-attribution"``) or topic (``"attribution"``)."""
    found = courses(root)
    for c in found:
        if course_id in (c.id, c.topic):
            return c
    raise CatalogError(f"unknown course {course_id!r}; available: {[c.id for c in found]}")
