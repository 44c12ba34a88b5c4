"""Deep links: Apple Universal Links, Android App Links, and one link for every platform.

* :func:`match_universal_link` / :func:`explain_universal_link` - which app an
  ``apple-app-site-association`` (AASA) file opens for a URL, following Apple's documented rules
  (:mod:`helpers.deeplinks.aasa`).
* :func:`verify_app_link` / :func:`explain_app_link` - whether an ``assetlinks.json`` verifies an
  Android app, and which URLs the Android 15+ Dynamic App Links rules let it open
  (:mod:`helpers.deeplinks.assetlinks`).
* :func:`lint_aasa` / :func:`lint_assetlinks` - common mistakes in those files
  (:mod:`helpers.deeplinks.lint`).
* :func:`route_link`, :func:`add_campaign_params`, :func:`campaign_params` - where a click goes by
  platform and installed state, deferred deep links, and campaign parameters
  (:mod:`helpers.deeplinks.routing`).
* ``python -m helpers.deeplinks check-aasa FILE URL...`` and ``check-assetlinks FILE --package NAME
  --fingerprint HEX``: the same checks from the command line (:mod:`helpers.deeplinks.__main__`).

A file that cannot be used raises :class:`DeepLinkConfigError` (a ``ValueError``) whose message says
what is wrong and where (a JSON path such as ``applinks.details[1].components[0]["/"]``, or a line
and column for text that is not JSON). Facts and sources: the reference file section C
(``attribution-fraud-deeplinks.md``).
"""

from helpers.deeplinks._common import DeepLinkConfigError
from helpers.deeplinks.aasa import (
    AASA_SIZE_LIMIT,
    PREDEFINED_VARIABLES,
    AssociationFile,
    UniversalLinkDecision,
    explain_universal_link,
    load_aasa,
    match_universal_link,
    parse_aasa,
    pattern_to_regex,
)
from helpers.deeplinks.assetlinks import (
    HANDLE_ALL_URLS,
    AppLinkDecision,
    AssetLinksFile,
    explain_app_link,
    load_assetlinks,
    normalize_fingerprint,
    parse_assetlinks,
    verify_app_link,
)
from helpers.deeplinks.lint import LintWarning, lint_aasa, lint_assetlinks
from helpers.deeplinks.routing import LinkConfig, Route, add_campaign_params, campaign_params, route_link

__all__ = [
    "AASA_SIZE_LIMIT",
    "HANDLE_ALL_URLS",
    "PREDEFINED_VARIABLES",
    "AppLinkDecision",
    "AssetLinksFile",
    "AssociationFile",
    "DeepLinkConfigError",
    "LinkConfig",
    "LintWarning",
    "Route",
    "UniversalLinkDecision",
    "add_campaign_params",
    "campaign_params",
    "explain_app_link",
    "explain_universal_link",
    "lint_aasa",
    "lint_assetlinks",
    "load_aasa",
    "load_assetlinks",
    "match_universal_link",
    "normalize_fingerprint",
    "parse_aasa",
    "parse_assetlinks",
    "pattern_to_regex",
    "route_link",
    "verify_app_link",
]
