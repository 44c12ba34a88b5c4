"""The catalogue (course.toml) and each course README tell the same story."""

import pytest

from helpers import catalog


@pytest.mark.parametrize("course", catalog.courses(), ids=lambda c: c.id)
def test_readme_matches_catalogue(course):
    readme = (course.folder / "README.md").read_text(encoding="utf-8")
    for lesson in course.lessons:
        assert lesson.title in readme, f"{course.id}/README.md does not list lesson {lesson.number} {lesson.title!r}"
        assert f"{lesson.minutes} min" in readme
    for objective in course.objectives:
        assert " ".join(objective.split()) in " ".join(readme.split()), f"objective missing from README: {objective}"
    assert f"{course.minutes} minutes" in readme


@pytest.mark.parametrize("course", catalog.courses(), ids=lambda c: c.id)
def test_lesson_minutes_add_up_and_stay_in_range(course):
    for lesson in course.lessons:
        assert 15 <= lesson.minutes <= 30, f"{lesson.number} should take 15-30 minutes"
    assert sum(lesson.minutes for lesson in course.lessons) == course.minutes


def test_unknown_course_is_a_clear_error():
    with pytest.raises(catalog.CatalogError, match="unknown course 'nope'"):
        catalog.course("nope")
