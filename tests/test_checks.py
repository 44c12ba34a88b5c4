"""checks.with_mistakes: a specific message for each common mistake behind a base checker's "wrong"."""

import doctest

import numpy as np
import pandas as pd
import pytest

from helpers.exercises import Feedback, checks


class Counter:
    """A mistake value that counts how often it is computed."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_docstring_examples():
    assert doctest.testmod(checks).failed == 0


def test_a_matching_mistake_gives_its_key():
    check = checks.with_mistakes(checks.number(rel=1e-3), [
        (0.6, "toy.paid_share"),
        (lambda expected: 1 / expected, "toy.upside_down"),
        (checks.answer_is(lambda v: v > 50), "toy.not_a_ratio"),
    ])
    assert check(0.6, 0.4).key == "toy.paid_share"
    assert check(0.6003, 0.4).key == "toy.paid_share"  # within the base's rel=1e-3
    assert check(2.5, 0.4).key == "toy.upside_down"
    assert check(120, 0.4).key == "toy.not_a_ratio"
    assert check(pd.Series([0.6]), 0.4).key == "toy.paid_share"  # a one-element Series counts as a number
    assert check(0.4, 0.4) is None


def test_first_matching_mistake_wins():
    check = checks.with_mistakes(checks.number(), [
        (checks.answer_is(lambda v: v > 1), "toy.first"),
        (2.0, "toy.second"),
    ])
    assert check(2.0, 0.5).key == "toy.first"


def test_no_match_keeps_the_base_feedback():
    base = checks.number(rel=1e-3, share=True)
    check = checks.with_mistakes(base, [(0.6, "toy.paid_share")])
    for answer in (0.7, 0.1, 0.61):
        assert check(answer, 0.4) == base(answer, 0.4)
        assert check(answer, 0.4).key.startswith("check.number.too_")


@pytest.mark.parametrize("answer", ["0.6", None, [0.6], True, float("nan")])
def test_type_errors_keep_the_base_feedback(answer):
    base = checks.number()
    value = Counter(0.6)
    check = checks.with_mistakes(base, [(value, "toy.paid_share"), (checks.answer_is(lambda v: True), "toy.any")])
    assert check(answer, 0.4) == base(answer, 0.4)
    assert check(answer, 0.4).key in ("check.number.not_a_number", "check.number.nan")
    assert value.calls == 0


def test_only_value_keys_by_default_and_when_extends_them():
    base = checks.number(share=True)
    check = checks.with_mistakes(base, [(checks.answer_is(lambda v: v > 1), "toy.count")])
    assert check(5.0, 0.4).key == "check.number.share_out_of_range"  # not a "value" key
    assert check(40.0, 0.4).key == "check.number.percent_not_share"
    wider = checks.with_mistakes(base, [(checks.answer_is(lambda v: v > 1), "toy.count")],
                                 when=checks.VALUE_KEYS | {"check.number.share_out_of_range"})
    assert wider(5.0, 0.4).key == "toy.count"
    signed = checks.with_mistakes(checks.number(), [(lambda expected: -expected, "toy.sign")],
                                  when={"check.number.wrong_sign"})
    assert signed(-0.4, 0.4).key == "toy.sign"


def test_lazy_values_are_computed_once_and_only_when_needed():
    first, second = Counter(0.6), Counter(0.8)
    check = checks.with_mistakes(checks.number(), [(first, "toy.first"), (second, "toy.second")])
    assert check(0.4, 0.4) is None  # correct: nothing computed
    assert check("x", 0.4).key == "check.number.not_a_number"
    assert (first.calls, second.calls) == (0, 0)
    assert check(0.6, 0.4).key == "toy.first"  # matched before the second was needed
    assert (first.calls, second.calls) == (1, 0)
    for answer in (0.8, 0.9, 0.8, 0.1):
        check(answer, 0.4)
    assert (first.calls, second.calls) == (1, 1)


def test_a_value_from_the_expected_value_is_cached_per_expected():
    calls = []

    def upside_down(expected):
        calls.append(expected)
        return 1 / expected

    check = checks.with_mistakes(checks.number(), [(upside_down, "toy.upside_down")])
    expected = 0.4
    assert check(2.5, expected).key == "toy.upside_down"
    assert check(3.0, expected).key == "check.number.too_high"
    assert calls == [expected]
    assert check(0.5, 2.0).key == "toy.upside_down"  # another expected value: computed again
    assert calls == [expected, 2.0]


def test_none_means_the_mistake_does_not_apply():
    check = checks.with_mistakes(checks.number(), [(lambda: None, "toy.never"), (0.6, "toy.paid_share")])
    assert check(0.6, 0.4).key == "toy.paid_share"


def test_feedback_with_parameters_is_returned_as_given():
    fb = Feedback("toy.default_window", {"network": "applovin"})
    check = checks.with_mistakes(checks.number(), [(lambda: 592, fb)])
    assert check(592, 540) == fb


def test_tolerance_follows_the_base_or_is_given():
    loose = checks.with_mistakes(checks.number(rel=0, abs_tol=0.5), [(592, "toy.default_window")])
    assert loose(592.3, 540).key == "toy.default_window"
    exact = checks.with_mistakes(checks.number(rel=0, abs_tol=0.5), [(592, "toy.default_window")], abs_tol=0)
    assert exact(592.3, 540).key == "check.number.too_high"
    assert exact(np.int64(592), 540).key == "toy.default_window"


def test_strings_compare_ignoring_case_and_spaces():
    base = checks.choice(["A", "B", "C", "organic"])
    check = checks.with_mistakes(base, [("B", "toy.view_later"), ("organic", "toy.organic")])
    assert check(" b ", "A").key == "toy.view_later"
    assert check("ORGANIC", "A").key == "toy.organic"
    assert check("C", "A") == base("C", "A")
    assert check("Z", "A").key == "check.choice.unknown"
    assert check(3, "A").key == "check.choice.not_text"


def test_mappings_compare_every_key_within_tolerance():
    expected = pd.Series({"a": 2.0, "b": 1.0})
    base = checks.mapping(rel=1e-3)
    check = checks.with_mistakes(base, [
        ({"a": 1.0, "b": 2.0}, "toy.swapped"),
        (lambda expected: expected * 2, "toy.doubled"),
    ])
    assert check({"a": 1.0, "b": 2.0005}, expected).key == "toy.swapped"
    assert check(pd.Series({"b": 2.0, "a": 4.0}), expected).key == "toy.doubled"
    assert check({"a": 1.5, "b": 1.5}, expected) == base({"a": 1.5, "b": 1.5}, expected)
    assert check({"a": 1.0}, expected).key == "check.mapping.missing"  # missing key: the base speaks
    assert check([1, 2], expected).key == "check.mapping.wrong_type"


def test_a_value_of_an_unsupported_type_is_an_error():
    check = checks.with_mistakes(checks.number(), [(lambda: [1, 2], "toy.list")])
    with pytest.raises(TypeError, match="cannot compare"):
        check(0.6, 0.4)
