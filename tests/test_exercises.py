"""The exercise API (check / hint / solution / progress) and every real exercise of the kit."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers import progress
from helpers.exercises import Exercise, ExerciseFailed, ____, all_exercises, checks
from helpers.exercises.core import Result
from helpers.messages import t


@pytest.fixture(autouse=True)
def toy_messages():
    import helpers.messages as m

    cat = m.catalogue("en")
    added = {"toy.hint1": "first nudge", "toy.hint2": "second, closer", "toy.solution": "because"}
    cat.update(added)
    yield
    for key in added:
        del cat[key]


def _toy(**kw):
    base = dict(course="01-attribution", lesson="01.1", name="q1", variable="organic_share",
                expected=lambda: 0.3, checker=checks.number(share=True), hints=2,
                solution_code="organic_share = 0.3", messages="toy")
    base.update(kw)
    return Exercise(**base)


def test_outcomes_and_messages():
    q = _toy()
    assert q.evaluate(____).outcome == "not_attempted"
    assert q.evaluate(0.3).outcome == "correct"
    wrong = q.evaluate(0.5)
    assert wrong.outcome == "wrong" and "too high" in wrong.message
    assert "percentage" in q.evaluate(30.0).message
    assert "number" in q.evaluate("0.3").message


def test_check_reads_the_named_variable_from_the_caller(capsys):
    q = _toy()
    organic_share = 0.3  # noqa: F841 - read by q.check() through the caller's frame
    q.check()
    assert "Correct" in capsys.readouterr().out


def test_check_records_progress_and_strict_mode(monkeypatch, capsys):
    q = _toy()
    q.check(0.1)
    q.check(0.3)
    q.hint()
    q.solution()
    kinds = [(e.action, e.outcome) for e in progress.events()]
    assert kinds == [("check", "wrong"), ("check", "correct"), ("hint", "shown"), ("solution", "shown")]
    monkeypatch.setenv("MMA_STRICT_CHECKS", "1")
    with pytest.raises(ExerciseFailed):
        q.check(0.1)
    with pytest.raises(ExerciseFailed):
        q.check(____)
    q.check(0.3)  # no exception when right


def test_hints_escalate_and_bad_hint_number(capsys):
    q = _toy()
    q.hint()
    q.hint()
    q.hint()  # stays on the last hint
    out = capsys.readouterr().out
    assert out.index("first nudge") < out.index("second, closer")
    assert out.count("second, closer") == 2
    with pytest.raises(ValueError, match="hints 1 to 2"):
        q.hint(3)


def test_mapping_checker_messages():
    check = checks.mapping()
    exp = pd.Series({"a": 2.0, "b": 1.0})
    assert check({"a": 2, "b": 1}, exp) is None
    assert check({"a": 2}, exp).key == "check.mapping.missing"
    assert check({"a": 2, "b": 1, "c": 0}, exp).key == "check.mapping.extra"
    fb = check({"a": 2.5, "b": 1.0}, exp)
    assert fb.key == "check.mapping.total" and "3.5" in fb.text()
    assert check({"a": 1.0, "b": 2.0}, exp).key == "check.mapping.values_off"
    assert check([1, 2], exp).key == "check.mapping.wrong_type"


def test_checker_crash_is_reported_not_raised():
    def broken(answer, expected):
        raise RuntimeError("boom")

    r = _toy(checker=broken).evaluate(1)
    assert r.outcome == "wrong" and "could not be checked" in r.message


def test_result_html_escapes_learner_text():
    r = Result("x", "wrong", "<script>alert(1)</script>")
    assert "<script>" not in r._repr_html_()


# ---------------------------------------------------------------------------- the real exercises
from helpers import catalog  # noqa: E402

COURSES = catalog.courses()
EXERCISES = [ex for course in COURSES for ex in all_exercises(course.topic)]


@pytest.mark.parametrize("course", COURSES, ids=lambda c: c.id)
def test_every_lesson_has_at_least_three_exercises(course):
    per_lesson = {}
    for ex in all_exercises(course.topic):
        assert ex.course == course.id, f"{ex.id} declares course {ex.course!r}, expected {course.id!r}"
        per_lesson.setdefault(ex.lesson, []).append(ex)
    for lesson in course.lessons:
        assert len(per_lesson.get(lesson.number, [])) >= 3, f"lesson {lesson.number} has fewer than 3 exercises"


def _renderings(value):
    """Ways an expected value could show up in a message."""
    if isinstance(value, pd.Series | dict):
        vals = list(pd.Series(value).values)
    elif isinstance(value, list | tuple | np.ndarray):
        vals = list(value)
    else:
        vals = [value]
    out = set()
    for v in vals:
        if isinstance(v, int | float | np.number) and not isinstance(v, bool):
            f = float(v)
            if math.isfinite(f) and abs(f) > 1e-9 and f not in (0.0, 1.0):
                out |= {f"{f:.4g}", f"{f:,.4g}", f"{f:.2f}", f"{f:.3f}", f"{f * 100:.1f}%"}
                if f == int(f) and abs(f) >= 10:
                    out |= {str(int(f)), f"{int(f):,}"}
    return out


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_exercise_passes_on_expected_and_fails_on_wrong(ex):
    expected = ex.expected_value()
    assert ex.evaluate(expected).outcome == "correct", f"{ex.id}: its own expected value does not pass"
    wrong = ex.wrong_example()
    result = ex.evaluate(wrong)
    assert result.outcome == "wrong", f"{ex.id}: an obviously wrong answer passed"
    assert ex.evaluate(____).outcome == "not_attempted"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_no_message_reveals_the_expected_value_before_solution(ex):
    expected = ex.expected_value()
    texts = [ex.evaluate(ex.wrong_example()).message, ex.evaluate(____).message]
    texts += [t(f"{ex.messages}.hint{n}") for n in range(1, ex.hints + 1)]
    for text in texts:
        for shown in _renderings(expected):
            assert shown not in text, f"{ex.id}: message reveals the expected value {shown!r}: {text!r}"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_exercise_messages_exist(ex):
    for n in range(1, ex.hints + 1):
        assert t(f"{ex.messages}.hint{n}").strip(), f"{ex.id}: hint {n} is empty"
    assert t(f"{ex.messages}.solution").strip(), f"{ex.id}: solution note is missing"
    assert ex.solution_code.strip(), f"{ex.id}: no solution code"


def test_code_spans_in_feedback_are_shown_as_code():
    from helpers.exercises.core import _inline_code

    assert _inline_code("use `a < b` here") == "use <code>a &lt; b</code> here"
    assert _inline_code("one ` backtick <x>") == "one ` backtick &lt;x&gt;"
