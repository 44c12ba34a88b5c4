"""Exercises of lesson 03.4 "Deferred deep linking and one link for every platform".

Messages: ``helpers/locale/templates/deeplinks_lesson_3_4.pot``. Expected values come from
:func:`helpers.deeplinks.journeys.deferred_match_rates` and :func:`~helpers.deeplinks.journeys.open_delay`
on the home-services world (deep-link clicks and installs), and from
:func:`helpers.deeplinks.route_link`, :func:`~helpers.deeplinks.add_campaign_params` and
:func:`~helpers.deeplinks.campaign_params` with the lesson's link configuration (:func:`config`).
"""

from __future__ import annotations

import functools

from helpers.exercises import checks
from helpers.exercises.core import Exercise, Feedback
from helpers.exercises.deeplinks import _data

__all__ = ["q1", "q2", "q3", "q4", "q5", "EXERCISES", "config", "AIRCON_PATH", "CAMPAIGN"]

COURSE, LESSON = "03-deeplinks", "03.4"
_M = "deeplinks.lesson_3_4"

#: The early-bird campaign's landing page and its campaign parameters.
AIRCON_PATH = "/cleaning/aircon"
CAMPAIGN = {"utm_source": "owned_push", "utm_medium": "push", "utm_campaign": "aircon_early_bird"}


@functools.cache
def config():
    """The home-services app's one-link configuration (a :class:`helpers.deeplinks.LinkConfig`)."""
    from helpers.deeplinks import LinkConfig

    return LinkConfig(web_url="https://jibsa.example",
                      ios_app_store_url="https://apps.apple.com/app/id6400000001",
                      android_play_store_url="https://play.google.com/store/apps/details?id=com.jibsa.app",
                      universal_link_domain="jibsa.example", app_scheme="jibsa")


def _rates():
    from helpers.deeplinks.journeys import deferred_match_rates

    return deferred_match_rates(_data.home_clicks(), _data.home_installs(), by="platform")


def _median_minutes(kind: str = "deferred") -> float:
    from helpers.deeplinks.journeys import open_delay

    c = _data.home_clicks()
    delay = open_delay(c)
    kinds = c.loc[delay.index, "link_kind"]
    return float(delay[kinds == kind].median() / __import__("pandas").Timedelta(minutes=1))


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="android_match_rate",
    expected=lambda: float(_rates().loc["android", "match_rate"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_rates().loc["ios", "match_rate"]), f"{_M}.q1.ios"),
        (lambda: float(_rates().loc["android", "install_rate"]), f"{_M}.q1.install_rate"),
        (lambda: float(_rates().loc["android", "matched"] / _rates().loc["android", "deferred_clicks"]),
         f"{_M}.q1.per_click"),
    ]),
    hints=3,
    solution_code=('rates = deferred_match_rates(clicks, installs, by="platform")\n'
                   'android_match_rate = rates.loc["android", "match_rate"]'),
)

q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="ios_match_rate",
    expected=lambda: float(_rates().loc["ios", "match_rate"]),
    checker=checks.with_mistakes(checks.number(rel=1e-3, share=True), [
        (lambda: float(_rates().loc["android", "match_rate"]), f"{_M}.q2.android"),
        (lambda: float(_rates().loc["ios", "matched"] / _rates().loc["ios", "deferred_clicks"]), f"{_M}.q2.per_click"),
    ]),
    hints=2,
    solution_code='ios_match_rate = rates.loc["ios", "match_rate"]',
)

q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="deferred_median_minutes",
    expected=_median_minutes,
    checker=checks.with_mistakes(checks.number(rel=1e-3), [
        (lambda e: e * 60, f"{_M}.q3.seconds"),
        (lambda e: e / 60, f"{_M}.q3.hours"),
        (lambda: _median_minutes("direct"), f"{_M}.q3.direct"),
    ]),
    hints=3,
    solution_code=('delay = open_delay(clicks)\n'
                   'deferred_delay = delay[clicks.loc[delay.index, "link_kind"] == "deferred"]\n'
                   'deferred_median_minutes = deferred_delay.median() / pd.Timedelta(minutes=1)'),
)


def _route(platform: str, installed: bool):
    from helpers.deeplinks import route_link

    return route_link(config(), platform, installed, path=AIRCON_PATH, params=CAMPAIGN)


def _destinations():
    """The four places a route can send a click (the options of q4)."""
    return ["app", "app_store", "play_store", "web"]


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="ios_new_user_destination",
    expected=lambda: _route("ios", False).destination,
    checker=checks.with_mistakes(lambda a, e: checks.choice(_destinations())(a, e), [
        (lambda: _route("android", False).destination, f"{_M}.q4.android"),
        (lambda: _route("ios", True).destination, f"{_M}.q4.installed"),
    ]),
    hints=2,
    solution_code='ios_new_user_destination = route_link(config, "ios", False, path=AIRCON_PATH).destination',
    wrong=lambda e: "web" if e != "web" else "app",
)


def _campaign_url() -> str:
    from helpers.deeplinks import add_campaign_params

    return add_campaign_params(f"https://jibsa.example{AIRCON_PATH}", CAMPAIGN)


def _same_link(answer, expected):
    from urllib.parse import urlsplit

    from helpers.deeplinks import campaign_params

    if not isinstance(answer, str):
        return Feedback("deeplinks.common.not_text", {"got": type(answer).__name__})
    if not answer.startswith(("https://", "http://")):
        return Feedback(f"{_M}.q5.not_a_link", {})
    got, exp = urlsplit(answer), urlsplit(expected)
    if (got.netloc.lower(), got.path) != (exp.netloc.lower(), exp.path):
        return Feedback(f"{_M}.q5.wrong_page", {})
    params = campaign_params(answer)
    missing = sorted(set(CAMPAIGN) - set(params))
    if missing:
        return Feedback(f"{_M}.q5.missing", {"keys": ", ".join(missing)})
    off = sorted(k for k in CAMPAIGN if params[k] != CAMPAIGN[k])
    if off:
        return Feedback(f"{_M}.q5.values_off", {"keys": ", ".join(off)})
    return None


q5 = Exercise(
    course=COURSE, lesson=LESSON, name="q5",
    variable="campaign_link",
    expected=_campaign_url,
    checker=_same_link,
    hints=2,
    solution_code='campaign_link = add_campaign_params("https://jibsa.example/cleaning/aircon", CAMPAIGN)',
    wrong=lambda e: e.split("?")[0],
)

EXERCISES = [q1, q2, q3, q4, q5]
