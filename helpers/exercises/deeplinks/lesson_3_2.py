"""Exercises of lesson 03.2 "The AASA file: legacy paths, components, and how iOS matches a URL".

Messages: ``helpers/locale/templates/deeplinks_lesson_3_2.pot``. The lesson's two files for the
home-services app (:data:`LEGACY_AASA`, :data:`COMPONENTS_AASA`) live here so the notebook and the
checks read the same ones; expected values come from :func:`helpers.deeplinks.match_universal_link`,
:func:`helpers.deeplinks.explain_universal_link`, :func:`helpers.deeplinks.lint_aasa` and
:func:`helpers.deeplinks.journeys.link_outcomes` on the home-services world's landing paths.
"""

from __future__ import annotations

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.deeplinks import _data

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "DOMAIN", "APP_ID", "LEGACY_AASA", "COMPONENTS_AASA", "TEST_URLS",
           "Q2_URL"]

COURSE, LESSON = "03-deeplinks", "03.2"
_M = "deeplinks.lesson_3_2"

#: The home-services app's web domain (``.example`` is reserved for examples, RFC 2606).
DOMAIN = "jibsa.example"
#: Team ID + bundle ID of the iOS app.
APP_ID = "A1B2C3D4E5.com.jibsa.app"

#: The app's first file (2019, iOS 9-12 format): a list of path patterns, ``NOT`` excludes.
LEGACY_AASA = {
    "applinks": {
        "apps": [],
        "details": [{
            "appID": APP_ID,
            "paths": ["NOT /cleaning/aircon/faq", "/cleaning/*", "/moving/*", "/signup", "/benefits"],
        }],
    },
}

#: Its current file (iOS 13+ components): order matters, the first match wins.
COMPONENTS_AASA = {
    "applinks": {
        "details": [{
            "appIDs": [APP_ID],
            "components": [
                {"/": "/help/*", "exclude": True, "comment": "help pages stay on the web"},
                {"/": "/cleaning/*", "?": {"utm_source": "partner_*"}, "exclude": True,
                 "comment": "partner sites keep their own web booking"},
                {"/": "/cleaning/*"},
                {"/": "/moving/*"},
                {"/": "/repair/?*"},
                {"/": "/signup"},
                {"/": "/benefits", "#": "?*", "exclude": True, "comment": "anchored benefit sections are web-only"},
                {"/": "/benefits"},
            ],
        }],
    },
}

#: The links of exercise 1.
TEST_URLS = [
    f"https://{DOMAIN}/cleaning/aircon",
    f"https://{DOMAIN}/cleaning/aircon/faq",
    f"https://{DOMAIN}/Cleaning/home",
    f"https://{DOMAIN}/repair/21",
    f"https://{DOMAIN}/signup?ref=push",
    f"https://www.{DOMAIN}/moving/quote",
]
#: The link of exercise 2.
Q2_URL = f"https://{DOMAIN}/cleaning/aircon?utm_source=partner_blog&utm_campaign=early_bird"


def _opening(aasa) -> list[str]:
    from helpers.deeplinks import match_universal_link

    return [u for u in TEST_URLS if match_universal_link(aasa, u, domain=DOMAIN)]


def _rule_index() -> int:
    from helpers.deeplinks import explain_universal_link

    return int(explain_universal_link(COMPONENTS_AASA, Q2_URL, domain=DOMAIN).rule_index)


def _clicks_opening(aasa) -> int:
    from helpers.deeplinks.journeys import link_outcomes, urls_for_paths

    clicks = _data.home_clicks()
    out = link_outcomes(aasa, urls_for_paths(clicks["landing_path"], DOMAIN), domain=DOMAIN)
    return int(out["opens_app"].sum())


def _lint_codes(aasa) -> list[str]:
    from helpers.deeplinks import lint_aasa

    return sorted({w.code for w in lint_aasa(aasa)})


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="opening_urls",
    expected=lambda: _opening(LEGACY_AASA),
    checker=checks.text_list(ordered=False),
    hints=3,
    solution_code=('opening_urls = [url for url in TEST_URLS\n'
                   '                if match_universal_link(LEGACY_AASA, url, domain=DOMAIN)]'),
    wrong=lambda e: list(e)[:-1] if len(e) > 1 else [*e, TEST_URLS[-1]],
)

q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="deciding_rule",
    expected=_rule_index,
    checker=checks.number(rel=0, abs_tol=0, integer=True),
    hints=3,
    solution_code=('decision = explain_universal_link(COMPONENTS_AASA, Q2_URL, domain=DOMAIN)\n'
                   'deciding_rule = decision.rule_index'),
    wrong=lambda e: e + 1,
)

q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="clicks_on_web_legacy",
    expected=lambda: len(_data.home_clicks()) - _clicks_opening(LEGACY_AASA),
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: _clicks_opening(LEGACY_AASA), f"{_M}.q3.opening"),
        (lambda: len(_data.home_clicks()) - _clicks_opening(COMPONENTS_AASA), f"{_M}.q3.components"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code=('urls = urls_for_paths(clicks["landing_path"], DOMAIN)\n'
                   'legacy = link_outcomes(LEGACY_AASA, urls, domain=DOMAIN)\n'
                   'clicks_on_web_legacy = (~legacy["opens_app"]).sum()'),
)

q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="legacy_lint_codes",
    expected=lambda: _lint_codes(LEGACY_AASA),
    checker=checks.text_list(ordered=False),
    hints=2,
    solution_code='legacy_lint_codes = sorted({w.code for w in lint_aasa(LEGACY_AASA)})',
    wrong=lambda e: list(e)[:-1] if len(e) > 1 else [*e, "file-too-large"],
)

EXERCISES = [q1, q2, q3, q4]
