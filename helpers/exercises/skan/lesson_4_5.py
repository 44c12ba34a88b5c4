"""Exercises of lesson 04.5 "Reading and verifying postbacks (SKAN and AdAttributionKit)".

Messages: ``helpers/locale/templates/skan_lesson_4_5.pot``. Expected values come from
:func:`helpers.skan.verify_postback` on the practice log of :func:`helpers.skan_analysis.postback_log`
and on Apple's example postbacks, from :class:`helpers.skan.ConversionSchema` and from
:func:`helpers.skan.decode_aak_postback`.
"""

from __future__ import annotations

import functools

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.skan import _data

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "practice_log", "Q2_VALUE", "EDITS", "CONVERSION_TYPES"]

COURSE, LESSON = "04-skan", "04.5"
_MSG = "skan.lesson_4_5"

Q2_VALUE = 37
"""The fine value q2 decodes with the simulator's default schema."""
EDITS = {"conversion-value": 10, "country-code": "KR", "postback-sequence-index": 1,
         "coarse-conversion-value": "low"}
"""q3: four edits to Apple's 4.0 example; exactly one changes a signed field."""
CONVERSION_TYPES = ("download", "redownload", "re-engagement")
TAMPERED, REVALUED = 8, 8
"""In the practice log: postbacks with a signed field changed, and with the conversion value changed."""


@functools.cache
def practice_log() -> list[dict]:
    """200 postbacks of the gaming world, signed with the course's test key; some edited since."""
    from helpers.skan_analysis import postback_log

    return postback_log(_data.lab(), n=200, tampered=TAMPERED, revalued=REVALUED, seed=7)


def _test_key():
    from helpers.skan import test_signing_key

    return test_signing_key().public_key()


def _invalid() -> int:
    from helpers.skan import verify_postback

    key = _test_key()
    return sum(not verify_postback(pb, key) for pb in practice_log())


# ------------------------------------------------------------------ q1: how many postbacks fail
q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="invalid_count",
    expected=_invalid,
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0, integer=True), [
        (lambda: TAMPERED + REVALUED, f"{_MSG}.q1.revalued_too"),
        (lambda: len(practice_log()), f"{_MSG}.q1.all"),
        (lambda: len(practice_log()) - _invalid(), f"{_MSG}.q1.valid"),
    ], rel=0, abs_tol=0),
    hints=3,
    wrong=lambda e: e + 8,
    solution_code=(
        'key = skan.test_signing_key().public_key()\n'
        'invalid_count = sum(not skan.verify_postback(pb, key) for pb in log)'
    ),
)


# ------------------------------------------------------------------ q2: what a fine value means
def _range():
    from helpers.synth.views.skan import DEFAULT_SCHEMA

    return DEFAULT_SCHEMA.decode(Q2_VALUE)["revenue_range"]


q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="revenue_from",
    expected=lambda: float(_range()[0]),
    checker=checks.with_mistakes(checks.number(rel=1e-6), [
        (lambda: float(_range()[1]), f"{_MSG}.q2.upper"),
        (lambda: float(Q2_VALUE), f"{_MSG}.q2.value_itself"),
    ]),
    hints=3,
    solution_code=(
        'meaning = DEFAULT_SCHEMA.decode(37)\n'
        'revenue_from = meaning["revenue_range"][0]'
    ),
)


# ------------------------------------------------------------------ q3: which edit breaks Apple's signature
def _breaking() -> str:
    from helpers.skan import verify_postback
    from helpers.skan_analysis import APPLE_EXAMPLE_POSTBACKS

    base = APPLE_EXAMPLE_POSTBACKS["4.0 fine"]
    broken = []
    for field, value in EDITS.items():
        pb = dict(base, **{field: value})
        if field == "coarse-conversion-value":
            pb.pop("conversion-value")
        if not verify_postback(pb):
            broken.append(field)
    if len(broken) != 1:
        raise RuntimeError(f"expected exactly one breaking edit, got {broken}")
    return broken[0]


q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="breaking_edit",
    expected=_breaking,
    checker=checks.choice(EDITS),
    hints=2,
    wrong=lambda e: next(f for f in EDITS if f != e),
    solution_code=(
        'for field, value in edits.items():\n'
        '    edited = dict(apple_v4, **{field: value})\n'
        '    if field == "coarse-conversion-value":\n'
        '        del edited["conversion-value"]\n'
        '    print(field, skan.verify_postback(edited))\n'
        'breaking_edit = "postback-sequence-index"'
    ),
)


# ------------------------------------------------------------------ q4: AdAttributionKit's conversion type
def _aak_type() -> str:
    from helpers.skan import decode_aak_postback
    from helpers.skan_analysis import AAK_EXAMPLE_POSTBACK

    return str(decode_aak_postback(AAK_EXAMPLE_POSTBACK)["conversion_type"])


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="aak_conversion_type",
    expected=_aak_type,
    checker=checks.choice(CONVERSION_TYPES),
    hints=2,
    wrong=lambda e: next(c for c in CONVERSION_TYPES if c != e),
    solution_code=(
        'aak = skan.decode_aak_postback(skan_analysis.AAK_EXAMPLE_POSTBACK)\n'
        'aak_conversion_type = aak["conversion_type"]'
    ),
)

EXERCISES = [q1, q2, q3, q4]
