"""Exercises of lesson 03.3 "Android App Links: assetlinks.json, verification and Dynamic App Links".

Messages: ``helpers/locale/templates/deeplinks_lesson_3_3.pot``. The lesson's ``assetlinks.json``
(:data:`ASSETLINKS`) and the app's three signing keys (:data:`KEYS`) live here so the notebook and
the checks read the same ones; expected values come from :func:`helpers.deeplinks.verify_app_link`,
:func:`helpers.deeplinks.explain_app_link` and the home-services world's deep-link log.
"""

from __future__ import annotations

from helpers.exercises import checks
from helpers.exercises.core import Exercise
from helpers.exercises.deeplinks import _data
from helpers.exercises.deeplinks.lesson_3_5 import yes_no

__all__ = ["q1", "q2", "q3", "q4", "EXERCISES", "DOMAIN", "PACKAGE", "PARTNER_PACKAGE", "KEYS", "ASSETLINKS",
           "Q3_URL"]

COURSE, LESSON = "03-deeplinks", "03.3"
_M = "deeplinks.lesson_3_3"

DOMAIN = "jibsa.example"
#: The customer app and the partners' (cleaners') app.
PACKAGE = "com.jibsa.app"
PARTNER_PACKAGE = "com.jibsa.partner"


def _fp(seed: int) -> str:
    """A made-up SHA-256 certificate fingerprint (32 colon-separated hex pairs), fixed by ``seed``."""
    import hashlib

    digest = hashlib.sha256(f"jibsa-key-{seed}".encode()).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 64, 2))


#: The customer app's signing keys: the debug key on a developer's laptop, the upload key the team
#: signs releases with, and the app-signing key Google Play re-signs the app with (Play App Signing).
KEYS = {"debug": _fp(1), "upload": _fp(2), "play_signing": _fp(3)}
_PARTNER_KEY = _fp(4)

#: ``https://jibsa.example/.well-known/assetlinks.json``: two statements, Dynamic App Links rules.
ASSETLINKS = [
    {
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": PARTNER_PACKAGE,
                   "sha256_cert_fingerprints": [_PARTNER_KEY]},
    },
    {
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": PACKAGE,
                   "sha256_cert_fingerprints": [KEYS["debug"], KEYS["play_signing"]]},
        "relation_extensions": {
            "delegate_permission/common.handle_all_urls": {
                "dynamic_app_link_components": [
                    {"/": "/legal/*", "exclude": True, "comments": "terms and privacy stay on the web"},
                    {"/": "/cleaning/*", "?": {"utm_source": "partner_*"}, "exclude": True},
                    {"/": "/*"},
                ],
            },
        },
    },
]

#: The link of exercise 3.
Q3_URL = f"https://{DOMAIN}/cleaning/aircon?utm_source=partner_blog"


def _missing_key() -> str:
    from helpers.deeplinks import verify_app_link

    return next(name for name, fp in KEYS.items() if not verify_app_link(ASSETLINKS, PACKAGE, fp))


def _explain(package: str, fingerprint: str, url: str | None = None):
    from helpers.deeplinks import explain_app_link

    return explain_app_link(ASSETLINKS, package, fingerprint, url=url)


q1 = Exercise(
    course=COURSE, lesson=LESSON, name="q1",
    variable="missing_key",
    expected=_missing_key,
    checker=checks.choice(list(KEYS)),
    hints=3,
    solution_code=('missing_key = [name for name, fingerprint in KEYS.items()\n'
                   '               if not verify_app_link(ASSETLINKS, PACKAGE, fingerprint)][0]'),
    wrong=lambda e: next(k for k in KEYS if k != e),
)

q2 = Exercise(
    course=COURSE, lesson=LESSON, name="q2",
    variable="statement_for_app",
    expected=lambda: int(_explain(PACKAGE, KEYS["play_signing"]).statement_index),
    checker=checks.number(rel=0, abs_tol=0, integer=True),
    hints=2,
    solution_code='statement_for_app = explain_app_link(ASSETLINKS, PACKAGE, KEYS["play_signing"]).statement_index',
    wrong=lambda e: e + 1,
)

q3 = Exercise(
    course=COURSE, lesson=LESSON, name="q3",
    variable="partner_link_opens_app",
    expected=lambda: bool(_explain(PACKAGE, KEYS["play_signing"], Q3_URL).url_allowed),
    checker=yes_no,
    hints=3,
    solution_code=('decision = explain_app_link(ASSETLINKS, PACKAGE, KEYS["play_signing"], url=Q3_URL)\n'
                   'partner_link_opens_app = decision.url_allowed'),
)


def _android_direct() -> int:
    c = _data.home_clicks()
    return int(((c["platform"] == "android") & c["app_installed"]).sum())


q4 = Exercise(
    course=COURSE, lesson=LESSON, name="q4",
    variable="android_clicks_at_risk",
    expected=_android_direct,
    checker=checks.with_mistakes(checks.number(rel=0, abs_tol=0.5, integer=True), [
        (lambda: int((_data.home_clicks()["platform"] == "android").sum()), f"{_M}.q4.all_android"),
        (lambda: int(_data.home_clicks()["app_installed"].sum()), f"{_M}.q4.both_platforms"),
        (lambda: int(((_data.home_clicks()["platform"] == "android") & ~_data.home_clicks()["app_installed"]).sum()),
         f"{_M}.q4.not_installed"),
    ], rel=0, abs_tol=0.5),
    hints=3,
    solution_code=('android_clicks_at_risk = ((clicks["platform"] == "android")\n'
                   '                          & clicks["app_installed"]).sum()'),
)

EXERCISES = [q1, q2, q3, q4]
