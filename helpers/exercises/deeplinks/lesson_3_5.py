"""Exercises of lesson 03.5 "Measuring deep-link journeys: send the right people to the right page".

Messages: ``helpers/locale/templates/deeplinks_lesson_3_5.pot``. Expected values come from
:mod:`helpers.deeplinks.journeys` on the lesson's data: the committed e-commerce world's deep-link
clicks (q1-q3) and the bigger e-commerce world generated on demand (q4, q5; :data:`_data.BIG_WORLD`).
"""

from __future__ import annotations

from helpers.deeplinks.journeys import compare_rates, funnel, reroute_gain
from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback
from helpers.exercises.deeplinks import _data

__all__ = ["q1", "q2", "q3", "q4", "q5", "EXERCISES", "yes_no"]

COURSE, LESSON = "03-deeplinks", "03.5"
_M = "deeplinks.lesson_3_5"
_SAW = {"saw_benefits": True}


def yes_no(answer, expected):
    """A True/False answer (``True``/``False``, not the text ``"True"``)."""
    if not isinstance(answer, bool):
        import numpy as np

        if isinstance(answer, np.bool_):
            answer = bool(answer)
        else:
            return Feedback("deeplinks.common.not_bool", {"got": type(answer).__name__})
    return None if answer == bool(expected) else Feedback("deeplinks.common.wrong_bool", {})


def _saw_funnel(clicks):
    return funnel(clicks[clicks["saw_benefits"]], by="landing_path")


def _small():
    return compare_rates(_data.shop_clicks(), "landing_path", "/signup", "/benefits", where=_SAW)


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="signup_rate_saw",
    expected=lambda: float(_saw_funnel(_data.shop_clicks()).loc["/signup", "conversion_rate"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_saw_funnel(_data.shop_clicks()).loc["/signup", "conversion_per_open"]), f"{_M}.q1.per_open"),
        (lambda: float(funnel(_data.shop_clicks(), by="landing_path").loc["/signup", "conversion_rate"]),
         f"{_M}.q1.everyone"),
        (lambda: float(_saw_funnel(_data.shop_clicks()).loc["/benefits", "conversion_rate"]), f"{_M}.q1.benefits"),
    ]),
    hints=3,
    solution_code=('saw = clicks[clicks["saw_benefits"]]\n'
                   'signup_rate_saw = funnel(saw, by="landing_path").loc["/signup", "conversion_rate"]'),
)

q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="difference_saw",
    expected=lambda: float(_small()["difference"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3), [
        (lambda e: e * 100, f"{_M}.q2.points"),
        (lambda: float(compare_rates(_data.shop_clicks(), "landing_path", "/signup", "/benefits")["difference"]),
         f"{_M}.q2.everyone"),
        (lambda: float(compare_rates(_data.shop_clicks(), "landing_path", "/signup", "/benefits",
                                     outcome="opened", where=_SAW)["difference"]), f"{_M}.q2.opened"),
    ]),
    hints=3,
    solution_code=('comparison = compare_rates(clicks, "landing_path", "/signup", "/benefits",\n'
                   '                           where={"saw_benefits": True})\n'
                   'difference_saw = comparison["difference"]'),
)

q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="clear_in_small_world",
    expected=lambda: bool(_small()["clear"]),
    checker=yes_no,
    hints=2,
    solution_code='clear_in_small_world = bool(comparison["clear"])',
)

q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="extra_signups",
    expected=lambda: float(reroute_gain(_data.big_clicks(), "/benefits", "/signup", where=_SAW)["extra_conversions"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3), [
        (lambda: float(reroute_gain(_data.shop_clicks(), "/benefits", "/signup", where=_SAW)["extra_conversions"]),
         f"{_M}.q4.small_world"),
        (lambda: float(reroute_gain(_data.big_clicks(), "/benefits", "/signup", where=_SAW)["moved"]),
         f"{_M}.q4.moved"),
        (lambda: float(reroute_gain(_data.big_clicks(), "/benefits", "/signup")["extra_conversions"]),
         f"{_M}.q4.everyone"),
    ]),
    hints=3,
    solution_code=('gain = reroute_gain(big, "/benefits", "/signup", where={"saw_benefits": True})\n'
                   'extra_signups = gain["extra_conversions"]'),
)


def _best_unseen() -> str:
    r = compare_rates(_data.big_clicks(), "landing_path", "/signup", "/benefits", where={"saw_benefits": False})
    return "/signup" if r["difference"] > 0 else "/benefits"


q5 = Exercise(
    course=COURSE, lesson=LESSON, name="q5",
    variable="best_page_for_new_visitors",
    expected=_best_unseen,
    checker=checks.choice(["/signup", "/benefits"]),
    hints=2,
    solution_code=('new = compare_rates(big, "landing_path", "/signup", "/benefits", where={"saw_benefits": False})\n'
                   'best_page_for_new_visitors = "/signup" if new["difference"] > 0 else "/benefits"'),
    wrong=lambda e: "/signup" if e == "/benefits" else "/benefits",
)

EXERCISES = [q1, q2, q3, q4, q5]
