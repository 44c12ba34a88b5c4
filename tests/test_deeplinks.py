"""helpers.deeplinks: Apple's Universal Links rules, Google's App Links rules, lint, routing, campaigns.

One test (at least) per documented rule; the rules and sources are in the module docstrings and in
the reference file section C.
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers.deeplinks as dl
from helpers.deeplinks import (
    DeepLinkConfigError,
    LinkConfig,
    add_campaign_params,
    campaign_params,
    explain_app_link,
    explain_universal_link,
    lint_aasa,
    lint_assetlinks,
    load_aasa,
    load_assetlinks,
    match_universal_link,
    normalize_fingerprint,
    parse_aasa,
    route_link,
    verify_app_link,
)
from helpers.deeplinks import aasa as _aasa_module

DATA = Path(__file__).parent / "data" / "deeplinks"
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
APP = "ABCDE12345.com.example.app"
APP2 = "FGHIJ67890.com.example.other"
FP = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"
FP2 = "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:01:12:23:34:45:56:67:78:89:9A:AB:BC:CD:DE:EF:F0"
HANDLE = "delegate_permission/common.handle_all_urls"


def aasa(components=None, *, paths=None, app_ids=(APP,), entry_defaults=None, **applinks):
    entry: dict = {"appIDs": list(app_ids)}
    if components is not None:
        entry["components"] = components
    if paths is not None:
        entry["paths"] = paths
    if entry_defaults is not None:
        entry["defaults"] = entry_defaults
    return {"applinks": {"details": [entry], **applinks}}


def opens(doc, url, **kw) -> bool:
    return match_universal_link(doc, url, **kw) != []


def U(path: str) -> str:
    return "https://example.com" + path


# --- order: first match wins ------------------------------------------------------------------


def test_first_matching_rule_wins_within_an_entry():
    excl_first = aasa([{"/": "/help/*", "exclude": True}, {"/": "/help/faq"}])
    d = explain_universal_link(excl_first, U("/help/faq"))
    assert (d.matched, d.excluded, d.rule_index) == (False, True, 0)
    incl_first = aasa([{"/": "/help/faq"}, {"/": "/help/*", "exclude": True}])
    d = explain_universal_link(incl_first, U("/help/faq"))
    assert (d.matched, d.excluded, d.rule_index, d.app_ids) == (True, False, 0, [APP])
    assert explain_universal_link(incl_first, U("/help/other")).excluded


def test_first_matching_details_entry_wins_and_later_entries_are_consulted_otherwise():
    doc = {"applinks": {"details": [
        {"appIDs": [APP], "components": [{"/": "/shop/*"}]},
        {"appIDs": [APP2], "components": [{"/": "*"}]},
    ]}}
    assert match_universal_link(doc, U("/shop/1")) == [APP]
    d = explain_universal_link(doc, U("/blog/1"))
    assert d.app_ids == [APP2] and d.detail_index == 1 and d.rule_index == 0


def test_an_exclusion_stops_matching_for_later_entries_too():
    doc = {"applinks": {"details": [
        {"appIDs": [APP], "components": [{"/": "/help/*", "exclude": True}]},
        {"appIDs": [APP2], "components": [{"/": "*"}]},
    ]}}
    assert match_universal_link(doc, U("/help/faq")) == []
    assert match_universal_link(doc, U("/other")) == [APP2]


def test_components_take_precedence_over_paths_in_the_same_entry():
    doc = aasa([{"/": "/a"}], paths=["*"])
    assert opens(doc, U("/a"))
    assert not opens(doc, U("/b")), "paths must be ignored when components are present"
    assert explain_universal_link(doc, U("/a")).format == "components"
    assert explain_universal_link(aasa(paths=["/b"]), U("/b")).format == "paths"


def test_empty_components_still_hide_paths():
    assert not opens(aasa([], paths=["*"]), U("/anything"))


# --- wildcards and whole-component matching ----------------------------------------------------


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("/a*", "/a", True),            # * matches nothing
    ("/a*", "/a/b/c", True),        # * spans /
    ("*", "/", True),
    ("/a?", "/ab", True),           # ? exactly one
    ("/a?", "/a", False),
    ("/a?", "/abc", False),
    ("/item/?*", "/item/", False),  # ?* at least one
    ("/item/?*", "/item/1", True),
    ("/item/?*", "/item/1/2", True),
    ("/help", "/help/faq", False),  # the whole component must match
    ("/help", "/x/help", False),
    ("/help", "/help", True),
    ("/a.b", "/aXb", False),        # regex characters are literal
    ("/a+(b)", "/a+(b)", True),
])
def test_wildcards_and_whole_component(pattern, path, expected):
    assert opens(aasa([{"/": pattern}]), U(path)) is expected


def _reference_match(pattern: str, text: str) -> bool:
    """Plain dynamic programming: * any run (also empty), ? exactly one character."""
    n, m = len(pattern), len(text)
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[0][0] = True
    for i in range(1, n + 1):
        ok[i][0] = ok[i - 1][0] and pattern[i - 1] == "*"
        for j in range(1, m + 1):
            p = pattern[i - 1]
            if p == "*":
                ok[i][j] = ok[i - 1][j] or ok[i][j - 1]
            else:
                ok[i][j] = ok[i - 1][j - 1] and (p == "?" or p == text[j - 1])
    return ok[n][m]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab*?/", max_size=8), st.text(alphabet="ab/", max_size=8))
def test_wildcards_agree_with_a_reference_matcher(pattern, tail):
    path = "/" + tail
    doc = aasa([{"/": pattern}])
    assert opens(doc, U(path)) is _reference_match(pattern, path)


# --- no catastrophic backtracking ----------------------------------------------------------------


def _adversarial_file(k: int) -> dict:
    """Every place a pattern can go, holding ``/*a*a...*a*b`` (``k`` times ``*a``), which a
    backtracking regex (``.*a.*a...``) needs exponential time to reject on a long run of ``a``."""
    pattern = "/" + "*a" * k + "*b"
    loose = "*a" * k + "*b"
    return {"applinks": {"details": [
        {"appIDs": [APP], "components": [
            {"/": pattern},
            {"/": "/q", "?": loose},
            {"/": "/d", "?": {"q": loose, "r": loose}},
            {"/": "/f", "#": loose},
            {"/": pattern, "caseSensitive": False},
            {"/": pattern, "percentEncoded": False},
            {"/": "/v/" + "$(x)" * k + "b"},  # x = a or aa: exponential for a regex too
        ]},
        {"appIDs": [APP2], "paths": [pattern, "NOT " + pattern]},
    ], "substitutionVariables": {"x": ["a", "aa"]}}}


def _adversarial_urls(length: int) -> list[str]:
    run = "a" * length
    return [U("/" + run), U("/q?" + run), U(f"/d?q={run}&r={run}"), U("/f#" + run), U("/" + run.upper()),
            U("/v/" + run)]


def _seconds(doc: dict, urls: list[str], repeat: int = 5) -> float:
    """Best of ``repeat`` timings of matching ``urls`` (the file is parsed before timing)."""
    import time

    f = parse_aasa(doc)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for u in urls:
            assert f.match(u) == []
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("k", [8, 16, 30])
def test_adversarial_patterns_are_rejected_in_linear_time(k):
    # Before the fix, k = 6 took 1.5 s on a 60-character path and k = 8 more than a minute.
    urls = _adversarial_urls(2000)
    slow = _seconds(_adversarial_file(k), urls)
    # Baseline: the same places with a one-star pattern, which a regex matches in linear time.
    simple = {"applinks": {"details": [{"appIDs": [APP], "components": [
        {"/": "/*b"}, {"/": "/q", "?": "*b"}, {"/": "/d", "?": {"q": "*b", "r": "*b"}}, {"/": "/f", "#": "*b"},
        {"/": "/*b", "caseSensitive": False}, {"/": "/*b", "percentEncoded": False}, {"/": "/v/*b"},
    ]}, {"appIDs": [APP2], "paths": ["/*b", "NOT /*b"]}]}}
    base = _seconds(simple, urls)
    # k + 2 pattern tokens over 2,000 characters; generous for a shared machine (a backtracking
    # matcher is off by many orders of magnitude).
    assert slow < 200 * (k + 2) * max(base, 1e-4), (slow, base)


def test_glob_work_grows_linearly_with_the_pattern_and_the_text(monkeypatch):
    """Count the matcher's steps: one per pattern token, never more, however long the text."""
    steps = 0
    real = _aasa_module._occurrences

    def counting(text, lit, masks):
        nonlocal steps
        steps += 1
        return real(text, lit, masks)

    monkeypatch.setattr(_aasa_module, "_occurrences", counting)
    for k in (8, 16, 30):
        glob = _aasa_module._Glob("/" + "*a" * k + "*b", {}, True, True)
        for length in (100, 1000, 10000):
            steps = 0
            assert glob.fullmatch("/" + "a" * length) is False
            assert steps <= k + 2, (k, length, steps)
        assert glob.fullmatch("/" + "a" * 40 + "b") is True
    var = _aasa_module._Glob("/" + "$(x)" * 30 + "b", {"x": ("a", "aa")}, True, True)
    steps = 0
    assert var.fullmatch("/" + "a" * 300) is False
    assert steps <= 2 * 30 + 2
    assert var.fullmatch("/" + "a" * 45 + "b") is True


def test_adversarial_patterns_still_match_what_they_should():
    doc = _adversarial_file(8)
    run = "xa" * 20 + "b"
    assert match_universal_link(doc, U("/" + run)) == [APP]
    assert not opens(doc, U("/" + "xa" * 7 + "b")), "seven a's are not eight"
    assert opens(doc, U("/q?" + run)) and opens(doc, U(f"/d?q={run}&r={run}")) and opens(doc, U("/f#" + run))
    assert opens(doc, U("/" + run.upper())), "the caseSensitive: false copy"
    assert opens(doc, U("/v/" + "a" * 8 + "b")) and not opens(doc, U("/v/" + "a" * 7 + "b"))
    legacy = {"applinks": {"details": [{"appIDs": [APP], "paths": ["/" + "*a" * 8 + "*b"]}]}}
    assert opens(legacy, U("/" + run)) and not opens(legacy, U("/" + "a" * 300))


def test_many_stars_with_percent_decoding_and_case():
    doc = aasa([{"/": "/*%C3%A9*%C3%A9*x", "percentEncoded": False, "caseSensitive": False}])
    assert opens(doc, U("/a%C3%A9b%C3%A9X"))         # é decoded on both sides; X vs x ignores case
    assert opens(doc, U("/a%C3%89b%C3%A9x"))         # É is é without case
    assert not opens(doc, U("/a%C3%A9bx"))
    star_q = aasa([{"/": "/a*?*?*b"}])               # ?-runs inside a many-star pattern
    assert opens(star_q, U("/axyb")) and not opens(star_q, U("/axb"))
    literal = aasa([{"/": "/*a%3F*a", "percentEncoded": False}])  # %3F is a literal ?, not a wildcard
    assert opens(literal, U("/xa%3Fya")) and not opens(literal, U("/xazya"))


def _reference_with_variables(pattern: str, text: str, variables: dict[str, list[str]], fold: bool) -> bool:
    """Substitute every combination of variable values, then the plain reference matcher."""
    import itertools
    import re as _re

    pieces = _re.split(r"\$\(([a-z])\)", pattern)
    names = pieces[1::2]
    if fold:
        pieces = [p.lower() for p in pieces]
        text = text.lower()
    choices = [variables.get(n, ["$(" + n + ")"]) for n in names]
    for combo in itertools.product(*choices):
        glob = pieces[0]
        for value, rest in zip(combo, pieces[2::2], strict=True):
            glob += (value.lower() if fold else value) + rest
        if _reference_match(glob, text):
            return True
    return False


_GLOB_PATTERNS = st.lists(st.sampled_from(["a", "b", "A", "/", "*", "?", "$(x)", "$(y)", "$(z)"]),
                          max_size=10).map("".join)
_VALUES = st.lists(st.text(alphabet="ab*?", max_size=3), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None)
@given(_GLOB_PATTERNS, st.text(alphabet="abAB/", max_size=12), _VALUES, _VALUES, st.booleans())
def test_matchers_agree_with_a_reference_on_random_patterns(pattern, text, x, y, case_sensitive):
    variables = {"x": x, "y": y}  # $(z) is unknown: literal text
    expected = _reference_with_variables(pattern, text, variables, fold=not case_sensitive)
    vars_ = {k: tuple(v) for k, v in variables.items()}
    # The backtracking-free matcher, always:
    assert _aasa_module._Glob(pattern, vars_, True, case_sensitive).fullmatch(text) is expected
    # What a file uses (a regex when that is safe, else the same matcher), at every place:
    flags = {"caseSensitive": case_sensitive}
    places = [({"/": "/" + pattern}, "/" + text, "/" + pattern, "/" + text),
              ({"?": {"k": pattern}}, "/p?k=" + text, pattern, text),
              ({"?": pattern}, "/p?" + text, pattern, text),
              ({"#": pattern}, "/p#" + text, pattern, text)]
    for component, url, ref_pattern, ref_text in places:
        doc = aasa([component], substitutionVariables=variables, entry_defaults=flags)
        want = _reference_with_variables(ref_pattern, ref_text, variables, fold=not case_sensitive)
        assert opens(doc, U(url)) is want, (component, url)
    legacy = aasa(paths=["/" + pattern])  # legacy paths: no variables, always case-sensitive
    assert opens(legacy, U("/" + text)) is _reference_with_variables("/" + pattern, "/" + text, {}, fold=False)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "", "//"]),
       st.text(alphabet="aB1.-:@[]%é", max_size=10), st.text(alphabet="aB/?#=&%:@[]é \t", max_size=14))
def test_fast_url_split_agrees_with_urlsplit(scheme, netloc, rest):
    text = (scheme + netloc + rest).strip()
    try:
        slow = _aasa_module._split_slow(text)
    except ValueError:  # urlsplit rejects some bracketed hosts; the fast path must too
        with pytest.raises(ValueError):
            _aasa_module._split(text)
        return
    assert _aasa_module._split(text) == slow


def test_url_without_path_is_matched_as_slash():
    assert opens(aasa([{"/": "/"}]), "https://example.com")


# --- query ---------------------------------------------------------------------------------------


def test_query_string_pattern_matches_the_whole_query():
    doc = aasa([{"/": "*", "?": "a=*"}])
    assert opens(doc, U("/x?a=1"))
    assert opens(doc, U("/x?a=1&b=2"))  # * spans &
    assert not opens(doc, U("/x?b=1&a=1"))
    assert not opens(doc, U("/x"))  # absent query is "" and "a=*" needs "a="
    assert not opens(aasa([{"?": "a=1"}]), U("/x?a=1&b=2"))


def test_query_dictionary_every_listed_item_must_match():
    doc = aasa([{"?": {"utm_source": "email", "variant": "app"}}])
    assert opens(doc, U("/p?utm_source=email&variant=app"))
    assert not opens(doc, U("/p?utm_source=email&variant=web"))


def test_query_dictionary_ignores_unlisted_items_and_order():
    doc = aasa([{"?": {"ref": "?*"}}])
    assert opens(doc, U("/p?x=1&ref=abc&y=2"))


def test_query_dictionary_repeated_items_must_all_match():
    doc = aasa([{"?": {"ref": "a*"}}])
    assert opens(doc, U("/p?ref=ab&ref=ac"))
    assert not opens(doc, U("/p?ref=ab&ref=bc"))


def test_query_dictionary_absent_item_matches_as_empty_string():
    assert opens(aasa([{"?": {"ref": "*"}}]), U("/p"))
    assert opens(aasa([{"?": {"ref": ""}}]), U("/p?other=1"))
    assert not opens(aasa([{"?": {"ref": "?*"}}]), U("/p"))
    # an item without a value (or with an empty one) is "" too
    assert opens(aasa([{"?": {"ref": ""}}]), U("/p?ref"))
    assert not opens(aasa([{"?": {"ref": "?*"}}]), U("/p?ref="))


# --- fragment and exclude --------------------------------------------------------------------------


def test_fragment_pattern():
    doc = aasa([{"/": "/sale", "#": "deal-*"}])
    assert opens(doc, U("/sale#deal-7"))
    assert not opens(doc, U("/sale#other"))
    assert not opens(doc, U("/sale"))
    assert opens(aasa([{"/": "/sale"}]), U("/sale#anything")), "the fragment defaults to *"


def test_exclude_false_is_an_ordinary_rule():
    d = explain_universal_link(aasa([{"/": "/a", "exclude": False}]), U("/a"))
    assert d.matched and not d.excluded


# --- caseSensitive and percentEncoded at every level ---------------------------------------------


def test_case_sensitive_by_default():
    doc = aasa([{"/": "/Shop/*"}])
    assert opens(doc, U("/Shop/1")) and not opens(doc, U("/shop/1"))


def test_case_sensitive_defaults_domain_app_and_component_levels():
    root_off = aasa([{"/": "/Shop/*"}], defaults={"caseSensitive": False})
    assert opens(root_off, U("/shop/1"))
    app_on = aasa([{"/": "/Shop/*"}], defaults={"caseSensitive": False}, entry_defaults={"caseSensitive": True})
    assert not opens(app_on, U("/shop/1")), "the app level overrides the domain level"
    comp_off = aasa([{"/": "/Shop/*", "caseSensitive": False}], entry_defaults={"caseSensitive": True})
    assert opens(comp_off, U("/shop/1")), "the component level overrides the app level"
    comp_on = aasa([{"/": "/Shop/*", "caseSensitive": True}], defaults={"caseSensitive": False})
    assert not opens(comp_on, U("/shop/1"))


def test_case_insensitive_applies_to_query_and_fragment():
    doc = aasa([{"?": {"Ref": "Mail"}, "#": "Top"}], defaults={"caseSensitive": False})
    assert opens(doc, U("/p?ref=MAIL#TOP"))
    assert not opens(aasa([{"?": {"Ref": "Mail"}}]), U("/p?ref=Mail"))


def test_percent_encoded_by_default():
    doc = aasa([{"/": "/caf%C3%A9"}])
    assert opens(doc, U("/caf%C3%A9"))
    assert opens(doc, U("/café")), "the URL is compared in its encoded form"
    assert opens(doc, U("/caf%c3%a9")), "hex digits compare without case"
    assert not opens(aasa([{"/": "/café"}]), U("/caf%C3%A9")), "a decoded pattern never matches encoded URLs"


def test_percent_encoded_false_at_defaults_and_component_levels():
    comp = aasa([{"/": "/café", "percentEncoded": False}])
    assert opens(comp, U("/caf%C3%A9")) and opens(comp, U("/café"))
    root = aasa([{"/": "/a b"}], defaults={"percentEncoded": False})
    assert opens(root, U("/a%20b"))
    app = aasa([{"/": "/a b"}], defaults={"percentEncoded": False}, entry_defaults={"percentEncoded": True})
    assert not opens(app, U("/a%20b"))
    query = aasa([{"?": {"q": "red shoes"}}], entry_defaults={"percentEncoded": False})
    assert opens(query, U("/s?q=red%20shoes"))
    assert not opens(aasa([{"?": {"q": "red shoes"}}]), U("/s?q=red%20shoes"))


def test_decoded_wildcard_characters_stay_literal():
    doc = aasa([{"/": "/a%2A", "percentEncoded": False}])  # %2A is a literal *
    assert opens(doc, U("/a*")) and not opens(doc, U("/abc"))


# --- substitution variables ----------------------------------------------------------------------


def test_custom_substitution_variables():
    doc = aasa([{"/": "/$(food)/*"}], substitutionVariables={"food": ["pizza", "sushi"]})
    assert opens(doc, U("/pizza/1")) and opens(doc, U("/sushi/"))
    assert not opens(doc, U("/burger/1"))


def test_apples_example_with_lang_region_and_custom_variable():
    doc = aasa([{"/": "/$(lang)_$(region)/$(food)/"}],
               substitutionVariables={"food": ["burrito", "pizza", "sushi", "samosa"]})
    assert opens(doc, U("/en_US/pizza/"))
    assert opens(doc, U("/ko_KR/sushi/"))
    assert not opens(doc, U("/xx_US/pizza/")), "xx is not an ISO 639-1 language"
    assert not opens(doc, U("/en_ZZ/pizza/")), "ZZ is not an ISO 3166 region"
    assert not opens(doc, U("/en_us/pizza/")), "values are case-sensitive by default"


@pytest.mark.parametrize(("name", "good", "bad"), [
    ("alpha", "q", "1"), ("upper", "Q", "q"), ("lower", "q", "Q"), ("alnum", "7", "-"),
    ("digit", "7", "a"), ("xdigit", "f", "g"),
])
def test_predefined_one_character_variables(name, good, bad):
    doc = aasa([{"/": f"/v/$({name})"}])
    assert opens(doc, U(f"/v/{good}")) and not opens(doc, U(f"/v/{bad}"))
    assert not opens(doc, U(f"/v/{good}{good}")), "one character only"


def test_variable_values_may_hold_wildcards_and_custom_names_override_predefined():
    doc = aasa([{"/": "/$(id)"}], substitutionVariables={"id": ["item-?*"]})
    assert opens(doc, U("/item-42")) and not opens(doc, U("/item-"))
    over = aasa([{"/": "/$(lang)/"}], substitutionVariables={"lang": ["kr"]})
    assert opens(over, U("/kr/")) and not opens(over, U("/en/"))


def test_unknown_variable_is_literal_and_names_are_case_sensitive():
    doc = aasa([{"/": "/$(Lang)/"}])
    assert not opens(doc, U("/en/"))
    assert opens(doc, U("/$(Lang)/"))


def test_variables_in_query_and_fragment():
    doc = aasa([{"?": {"lang": "$(lang)"}, "#": "$(digit)"}])
    assert opens(doc, U("/p?lang=ko#5")) and not opens(doc, U("/p?lang=korean#5"))


# --- legacy paths ----------------------------------------------------------------------------------


def test_legacy_not_excludes_and_order_decides():
    doc = aasa(paths=["NOT /help/private/*", "/help/*"])
    assert opens(doc, U("/help/faq"))
    d = explain_universal_link(doc, U("/help/private/x"))
    assert d.excluded and d.rule == "NOT /help/private/*" and d.format == "paths"
    later = aasa(paths=["/help/*", "NOT /help/private/*"])
    assert opens(later, U("/help/private/x")), "a positive match first stops evaluation"


def test_legacy_not_stops_later_entries_and_needs_the_exact_prefix():
    doc = {"applinks": {"apps": [], "details": [
        {"appID": APP, "paths": ["NOT /x/*"]},
        {"appID": APP2, "paths": ["*"]},
    ]}}
    assert match_universal_link(doc, U("/x/1")) == []
    assert match_universal_link(doc, U("/y")) == [APP2]
    lower = aasa(paths=["not /x", "*"])
    assert opens(lower, U("/x")), "'not ' is not the NOT prefix"


def test_legacy_paths_ignore_query_and_are_case_sensitive():
    doc = aasa(paths=["/a"], defaults={"caseSensitive": False})
    assert opens(doc, U("/a?x=1#f"))
    assert not opens(doc, U("/A"))


def test_legacy_details_object_keyed_by_app_id():
    doc = {"applinks": {"apps": [], "details": {APP: {"paths": ["/videos/*"]}}}}
    assert match_universal_link(doc, U("/videos/1")) == [APP]


# --- app IDs -------------------------------------------------------------------------------------


def test_app_id_and_app_ids():
    assert match_universal_link({"applinks": {"details": [{"appID": APP, "components": [{}]}]}}, U("/")) == [APP]
    both = {"applinks": {"details": [{"appIDs": [APP], "appID": APP2, "components": [{}]}]}}
    assert match_universal_link(both, U("/")) == [APP, APP2]
    two = aasa([{}], app_ids=[APP, APP2])
    assert match_universal_link(two, U("/")) == [APP, APP2]


def test_entry_without_app_ids_is_skipped():
    doc = {"applinks": {"details": [{"components": [{"/": "*"}]}, {"appIDs": [APP2], "components": [{}]}]}}
    assert match_universal_link(doc, U("/x")) == [APP2]


def test_installed_apps_only():
    doc = {"applinks": {"details": [
        {"appIDs": [APP], "components": [{"/": "*"}]},
        {"appIDs": [APP2], "components": [{"/": "*"}]},
    ]}}
    assert match_universal_link(doc, U("/x"), installed_app_ids=[APP2]) == [APP2]
    assert match_universal_link(doc, U("/x"), installed_app_ids=[]) == []
    assert match_universal_link(doc, U("/x"), installed_app_ids=APP2) == [APP2], "one ID as text"
    assert "installed" in explain_universal_link(doc, U("/x"), installed_app_ids=[]).reason


# --- domain and URL kinds ------------------------------------------------------------------------


def test_domain_must_be_the_urls_host():
    doc = aasa([{"/": "*"}])
    assert match_universal_link(doc, U("/a"), domain="example.com") == [APP]
    assert match_universal_link(doc, "https://EXAMPLE.com./a", domain="example.com") == [APP]
    assert match_universal_link(doc, "https://www.example.com/a", domain="example.com") == []
    d = explain_universal_link(doc, "https://www.example.com/a", domain="example.com")
    assert not d.matched and "www.example.com" in d.reason and d.detail_index is None
    assert match_universal_link(doc, "https://www.example.com/a") == [APP], "no domain: any host"


def test_only_http_and_https_urls_and_bare_paths():
    doc = aasa([{"/": "*"}])
    assert match_universal_link(doc, "myapp://item/1") == []
    assert "not an http or https" in explain_universal_link(doc, "myapp://item/1").reason
    assert match_universal_link(doc, "http://example.com/x") == [APP]
    assert match_universal_link(doc, "/item/1", domain="example.com") == [APP]
    d = explain_universal_link(doc, "example.com/item/1")
    assert d.app_ids == [] and "not a full link" in d.reason


def test_file_without_applinks_opens_nothing():
    d = explain_universal_link({"webcredentials": {"apps": [APP]}}, U("/"))
    assert d.app_ids == [] and "applinks" in d.reason


def test_text_bytes_dict_and_parsed_file_agree():
    doc = aasa([{"/": "/a/*", "exclude": True}, {"/": "*"}])
    text = json.dumps(doc)
    parsed = parse_aasa(doc)
    for form in (doc, text, text.encode(), parsed, "\ufeff" + text):
        assert match_universal_link(form, U("/b")) == [APP]
        assert match_universal_link(form, U("/a/1")) == []
    assert parse_aasa(parsed) is parsed


def test_explain_fields_and_reason():
    d = explain_universal_link(aasa([{"/": "/shop/*"}, {"/": "/help/*", "exclude": True}]), U("/help/faq"))
    assert d == dl.UniversalLinkDecision(
        url=U("/help/faq"), app_ids=[], matched=False, excluded=True, detail_index=0, rule_index=1,
        rule={"/": "/help/*", "exclude": True}, format="components",
        reason='details[0].components[1] {"/": "/help/*", "exclude": true} excludes /help/faq')
    m = explain_universal_link(aasa([{"/": "/shop/*"}]), U("/shop/1?x=2"))
    assert m.opens_app and APP in m.reason and "/shop/1?x=2" in m.reason


def test_the_client_fixture(tmp_path):
    f = load_aasa(DATA / "client-aasa.json")
    shop = ["ABCDE12345.com.example.shop", "ABCDE12345.com.example.shop.beta"]
    cases = {
        "/help/faq": [], "/HELP/faq": [], "/product/42": shop, "/product/": [], "/ko/shoes/red": shop,
        "/xx/shoes/red": [], "/cart?coupon=X1": shop, "/cart": [], "/sale#deal-1": shop,
        "/promo/a?variant=app&utm_source=email": shop, "/promo/a?utm_source=ads&variant=app": [],
        "/terms": [], "/Terms": shop, "/old/x": ["FGHIJ67890.com.example.legacy"],
        "/old/private/x": [], "/archive/2019/x": ["FGHIJ67890.com.example.legacy"],
    }
    for path, expected in cases.items():
        assert f.match(U(path), "example.com") == expected, path
    assert f.match("https://shop.example.com/product/42", "example.com") == []


# --- malformed AASA files --------------------------------------------------------------------------


@pytest.mark.parametrize(("doc", "location", "words"), [
    ([], "$", "JSON object"),
    ({"applinks": []}, "applinks", "must be an object"),
    ({"applinks": {"details": "x"}}, "applinks.details", "list"),
    ({"applinks": {"details": [3]}}, "applinks.details[0]", "object"),
    ({"applinks": {"details": [{"appIDs": APP, "components": []}]}}, "applinks.details[0].appIDs", "write"),
    ({"applinks": {"details": [{"appIDs": [1]}]}}, "applinks.details[0].appIDs[0]", "app ID"),
    ({"applinks": {"details": [{"appID": [APP]}]}}, "applinks.details[0].appID", "use appIDs"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": {}}]}}, "applinks.details[0].components", "list"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": ["/x"]}]}}, "applinks.details[0].components[0]", "object"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": [{}, {"/": 42}]}]}},
     'applinks.details[0].components[1]["/"]', "a number (42)"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": [{"?": 1}]}]}}, 'applinks.details[0].components[0]["?"]', "dictionary" if False else "pattern"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": [{"?": {"a": 1}}]}]}}, 'applinks.details[0].components[0]["?"].a', "text"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": [{"#": None}]}]}}, 'applinks.details[0].components[0]["#"]', "null"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": [{"exclude": "true"}]}]}},
     "applinks.details[0].components[0].exclude", "without quotes"),
    ({"applinks": {"defaults": {"caseSensitive": "no"}, "details": []}}, "applinks.defaults.caseSensitive", "true or false"),
    ({"applinks": {"defaults": [], "details": []}}, "applinks.defaults", "object"),
    ({"applinks": {"details": [{"appIDs": [APP], "defaults": {"percentEncoded": 0}, "components": []}]}},
     "applinks.details[0].defaults.percentEncoded", "true or false"),
    ({"applinks": {"substitutionVariables": {"x": "a"}}}, "applinks.substitutionVariables.x", "list of strings"),
    ({"applinks": {"substitutionVariables": {"a(b": ["x"]}}}, 'applinks.substitutionVariables["a(b"]', "cannot contain"),
    ({"applinks": {"details": [{"appIDs": [APP], "paths": "/x"}]}}, "applinks.details[0].paths", "write"),
    ({"applinks": {"details": [{"appIDs": [APP], "paths": ["/x", 5]}]}}, "applinks.details[0].paths[1]", "path pattern"),
    ({"applinks": {"details": [{"appIDs": [APP], "components": [], "paths": [5]}]}}, "applinks.details[0].paths[0]", "path pattern"),
])
def test_malformed_aasa_names_the_place(doc, location, words):
    with pytest.raises(DeepLinkConfigError) as info:
        match_universal_link(doc, U("/"))
    assert info.value.location == location
    assert str(info.value).startswith(location) or location == "$"
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)


def test_invalid_json_gives_line_and_column():
    with pytest.raises(DeepLinkConfigError, match=r"line 5, column 9: the AASA file is not valid JSON") as info:
        load_aasa(DATA / "broken-json-aasa.json")
    assert (info.value.line, info.value.column) == (5, 9)
    assert "broken-json-aasa.json" in str(info.value)
    with pytest.raises(DeepLinkConfigError, match="line 1, column 2"):
        match_universal_link("{x", U("/"))


def test_other_unreadable_inputs(tmp_path):
    with pytest.raises(DeepLinkConfigError, match="no file at"):
        load_aasa(tmp_path / "missing")
    with pytest.raises(DeepLinkConfigError, match="empty"):
        match_universal_link("  ", U("/"))
    with pytest.raises(DeepLinkConfigError, match="not UTF-8"):
        match_universal_link(b'{"applinks": "\xff"}', U("/"))
    with pytest.raises(DeepLinkConfigError, match=r"broken-structure-aasa.json: line 5, column 87: applinks.details\[1\]") as info:
        load_aasa(DATA / "broken-structure-aasa.json")
    assert (info.value.line, info.value.column) == (5, 87)
    assert info.value.location == "applinks.details[1].components[0].exclude"
    with pytest.raises(TypeError, match="url must be text"):
        match_universal_link(aasa([{}]), 42)


def test_structural_errors_in_text_get_the_line_of_the_value():
    text = '{\n  "applinks": {\n    "details": [\n      {"appIDs": ["A"], "components": [{"/": 42}]}\n    ]\n  }\n}'
    with pytest.raises(DeepLinkConfigError, match=r'^line 4, column 41: applinks.details\[0\].components\[0\]\["/"\]'):
        match_universal_link(text, U("/"))
    with pytest.raises(DeepLinkConfigError) as info:
        match_universal_link(json.loads(text), U("/"))
    assert info.value.line is None, "a dict has no lines"


def test_lint_warnings_carry_lines_when_the_text_is_known():
    ws = lint_aasa(load_aasa(DATA / "client-aasa.json"))
    assert [(w.code, w.line, w.column) for w in ws] == [("paths-ignored", 22, 9)]
    assert str(ws[0]).startswith("paths-ignored at applinks.details[0].paths (line 22): ")
    assert lint_aasa(load_aasa(DATA / "client-aasa.json").document)[0].line is None
    assert ws[0] == dl.LintWarning(ws[0].code, ws[0].location, ws[0].message), "lines do not affect equality"


_KEYS = st.one_of(st.text(max_size=6), st.integers(0, 3))


@settings(max_examples=150, deadline=None)
@given(st.lists(_KEYS, max_size=4))
def test_json_paths_round_trip_and_locate_finds_the_value(parts):
    from helpers.deeplinks._common import json_path, locate, parse_json_path

    assert parse_json_path(json_path(parts)) == tuple(parts)
    # Build a document that has a value at exactly that path, written with indentation.
    value: object = "HERE"
    for part in reversed(parts):
        value = [0] * part + [value] if isinstance(part, int) else {"pad": 1, part: value}
    text = json.dumps(value, indent=2)
    found = locate(text, parts)
    assert found is not None
    line, column = found
    offset = sum(len(x) + 1 for x in text.split("\n")[: line - 1]) + column - 1
    rest = text[offset:]
    if parts and isinstance(parts[-1], str):
        assert rest.startswith(json.dumps(parts[-1]))  # an object member is located at its key
    else:
        assert rest.startswith('"HERE"')


# --- Android App Links -----------------------------------------------------------------------------


def statement(package="com.example.app", fingerprints=(FP,), relation=(HANDLE,), namespace="android_app", **extra):
    return {"relation": list(relation), "target": {"namespace": namespace, "package_name": package,
                                                     "sha256_cert_fingerprints": list(fingerprints)}, **extra}


def test_verified_with_the_documented_statement():
    assert verify_app_link([statement()], "com.example.app", FP)
    d = explain_app_link([statement()], "com.example.app", FP)
    assert d.verified and d.statement_index == 0 and d.url_allowed is None and "com.example.app" in d.reason


@pytest.mark.parametrize("written", [FP, FP.lower(), FP.replace(":", ""), FP.replace(":", "").lower(),
                                     f"  SHA256: {FP}  ", f"SHA-256 {FP.replace(':', '')}"])
def test_fingerprint_argument_with_or_without_colons_any_case(written):
    assert normalize_fingerprint(written) == FP
    assert verify_app_link([statement()], "com.example.app", written)


@pytest.mark.parametrize("bad", ["", "14:6D", FP + ":00", FP.replace(":", "-"), "G" * 64,
                                 "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09"])
def test_malformed_fingerprint_argument_raises_naming_the_form(bad):
    with pytest.raises(ValueError, match="32 pairs"):
        verify_app_link([statement()], "com.example.app", bad)


def test_relation_must_include_handle_all_urls():
    doc = [statement(relation=["delegate_permission/common.get_login_creds"])]
    d = explain_app_link(doc, "com.example.app", FP)
    assert not d.verified and d.statement_index == 0 and "handle_all_urls" in d.reason


def test_namespace_must_be_android_app():
    assert not verify_app_link([statement(namespace="web")], "com.example.app", FP)
    web = {"relation": [HANDLE], "target": {"namespace": "web", "site": "https://example.com"}}
    assert verify_app_link([web, statement()], "com.example.app", FP)


def test_package_name_must_be_equal():
    d = explain_app_link([statement()], "com.example.App", FP)
    assert not d.verified and d.statement_index is None and "com.example.app" in d.reason
    assert not verify_app_link([statement()], "com.example", FP)
    with pytest.raises(ValueError, match="package"):
        verify_app_link([statement()], " ", FP)


def test_wrong_fingerprint_lists_what_the_file_has():
    d = explain_app_link([statement()], "com.example.app", FP2)
    assert not d.verified and FP in d.reason and FP2 in d.reason


def test_several_statements_and_several_fingerprints():
    doc = [statement(package="com.example.lite", fingerprints=[FP2]), statement(fingerprints=[FP2, FP])]
    d = explain_app_link(doc, "com.example.app", FP)
    assert d.verified and d.statement_index == 1
    assert verify_app_link(doc, "com.example.app", FP2)
    assert verify_app_link(doc, "com.example.lite", FP2)
    assert not verify_app_link(doc, "com.example.lite", FP)
    split = [statement(relation=[]), statement(fingerprints=[FP2]), statement()]
    assert explain_app_link(split, "com.example.app", FP).statement_index == 2


def test_malformed_fingerprint_in_the_file_is_reported_and_never_matches():
    doc = [statement(fingerprints=["14:6D:E9", FP.lower()])]
    assert verify_app_link(doc, "com.example.app", FP), "lower case in the file still compares equal"
    bad = [statement(fingerprints=["14:6D:E9"])]
    d = explain_app_link(bad, "com.example.app", FP)
    assert not d.verified
    assert '[0].target.sha256_cert_fingerprints[0] is not a SHA-256 fingerprint ("14:6D:E9")' in d.reason


def test_the_assetlinks_fixture():
    f = load_assetlinks(DATA / "assetlinks.json")
    assert f.verify("com.example.shop", FP) and f.verify("com.example.shop", FP2.replace(":", ""))
    lite = "0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0"
    assert f.verify("com.example.shop.lite", lite)
    assert not f.verify("com.example.shop.lite", FP)
    assert verify_app_link((DATA / "assetlinks.json").read_text(), "com.example.shop", FP)


DYNAMIC = [statement(relation_extensions={HANDLE: {"dynamic_app_link_components": [
    {"/": "/legal/*", "exclude": True, "comments": "stay on the web"},
    {"?": {"web_only": "true"}, "exclude": True},
    {"/": "/product/*"},
    {"/": "/cart", "#": "checkout"},
]}})]


@pytest.mark.parametrize(("path", "allowed", "rule"), [
    ("/product/1", True, 2),
    ("/legal/terms", False, 0),
    ("/product/1?web_only=true", False, 1),
    ("/product/1?web_only=false", True, 2),
    ("/cart#checkout", True, 3),
    ("/cart", False, None),
    ("/blog/1", False, None),
])
def test_dynamic_app_link_components(path, allowed, rule):
    d = explain_app_link(DYNAMIC, "com.example.app", FP, url=U(path))
    assert d.verified and d.url_allowed is allowed and d.rule_index == rule
    assert d.url_reason and d.url_reason in d.reason


def test_dynamic_rules_absent_or_not_verified():
    plain = explain_app_link([statement()], "com.example.app", FP, url=U("/x"))
    assert plain.url_allowed is True and "manifest" in plain.url_reason
    unverified = explain_app_link(DYNAMIC, "com.example.app", FP2, url=U("/product/1"))
    assert unverified.verified is False and unverified.url_allowed is False


@pytest.mark.parametrize(("doc", "location", "words"), [
    ({"relation": [HANDLE]}, "$", "wrap it in [ ]"),
    (42, "$", "list of statements"),
    ([1], "[0]", "statement object"),
    ([{"target": {}}], "[0]", "relation"),
    ([{"relation": HANDLE, "target": {}}], "[0].relation", "list of strings"),
    ([{"relation": [HANDLE]}], "[0]", "target"),
    ([{"relation": [HANDLE], "target": []}], "[0].target", "object"),
    ([{"relation": [HANDLE], "target": {"package_name": "x"}}], "[0].target.namespace", "android_app"),
    ([{"relation": [HANDLE], "target": {"namespace": "android_app"}}], "[0].target.package_name", "package name"),
    ([{"relation": [HANDLE], "target": {"namespace": "android_app", "package_name": "x"}}], "[0].target",
     "sha256_cert_fingerprints"),
    ([statement(fingerprints=[1])], "[0].target.sha256_cert_fingerprints[0]", "text"),
    ([statement(relation_extensions={HANDLE: {"dynamic_app_link_components": {}}})],
     '[0].relation_extensions["delegate_permission/common.handle_all_urls"].dynamic_app_link_components', "list"),
    ([statement(relation_extensions={HANDLE: {"dynamic_app_link_components": [{"exclude": "yes"}]}})],
     '[0].relation_extensions["delegate_permission/common.handle_all_urls"].dynamic_app_link_components[0].exclude',
     "true or false"),
])
def test_malformed_assetlinks_names_the_place(doc, location, words):
    with pytest.raises(DeepLinkConfigError) as info:
        verify_app_link(doc, "com.example.app", FP)
    assert info.value.location == location and words in str(info.value)


def test_assetlinks_invalid_json_line_and_column(tmp_path):
    p = tmp_path / "assetlinks.json"
    p.write_text('[\n  {"relation": [\n')
    with pytest.raises(DeepLinkConfigError, match=r"assetlinks.json: line 3, column 1: the assetlinks.json file is not valid JSON"):
        load_assetlinks(p)


# --- lint ----------------------------------------------------------------------------------------


def codes(doc, **kw):
    return [w.code for w in lint_aasa(doc, **kw)]


def test_lint_clean_files_have_no_warnings():
    assert lint_aasa(aasa([{"/": "/help/*", "exclude": True}, {"/": "/shop/*"}])) == []
    assert lint_assetlinks(DYNAMIC) == []


def test_lint_legacy_format_only_and_apps_key():
    doc = {"applinks": {"details": [{"appID": APP, "paths": ["/a/*"]}]}}
    assert codes(doc) == ["missing-apps-key", "legacy-format-only"]
    doc["applinks"]["apps"] = [APP]
    assert codes(doc) == ["apps-not-empty", "legacy-format-only"]


def test_lint_paths_ignored_and_empty_components():
    ws = lint_aasa(aasa([{"/": "/a"}], paths=["/b"]))
    assert [(w.code, w.location) for w in ws] == [("paths-ignored", "applinks.details[0].paths")]
    assert "empty-components" in codes(aasa([]))


@pytest.mark.parametrize(("components", "unreachable"), [
    ([{"/": "*"}, {"/": "/help/*", "exclude": True}], [1]),
    ([{"/": "/*"}, {"/": "/a"}], [1]),
    ([{}, {"/": "/a"}], [1]),
    ([{"/": "/help/*"}, {"/": "/help/faq"}, {"/": "/helpdesk"}], [1]),
    ([{"/": "/a"}, {"/": "/a"}], [1]),
    ([{"/": "/help/*", "?": {"x": "1"}}, {"/": "/help/faq"}], []),
    ([{"/": "/help/*", "#": "a"}, {"/": "/help/faq", "#": "a"}], [1]),
    ([{"/": "/Help/*"}, {"/": "/help/*", "caseSensitive": False}], []),
    ([{"/": "/Help/*", "caseSensitive": False}, {"/": "/help/x"}], [1]),
    ([{"/": "/a?"}, {"/": "/ab"}], []),
    ([{"/": "/a", "percentEncoded": False}, {"/": "/a"}], []),
])
def test_lint_unreachable_rules(components, unreachable):
    ws = [w for w in lint_aasa(aasa(components)) if w.code == "unreachable-rule"]
    assert [w.location for w in ws] == [f"applinks.details[0].components[{i}]" for i in unreachable]


def test_lint_a_late_exclusion_says_exclusions_go_first():
    ws = lint_aasa(aasa([{"/": "/help/*"}, {"/": "/help/private/*", "exclude": True}]))
    assert [w.code for w in ws] == ["unreachable-rule"]
    assert "put exclusions before" in ws[0].message
    legacy = {"applinks": {"apps": [], "details": [{"appID": APP, "paths": ["/help/*", "NOT /help/private/*"]}]}}
    assert ["put exclusions before" in w.message for w in lint_aasa(legacy)] == [False, True]


def test_lint_unreachable_across_entries_only_for_the_same_apps():
    doc = {"applinks": {"details": [
        {"appIDs": [APP, APP2], "components": [{"/": "*"}]},
        {"appIDs": [APP2], "components": [{"/": "/x"}]},
        {"appIDs": ["KLMNO12345.com.example.third"], "components": [{"/": "/y"}]},
    ]}}
    ws = [w for w in lint_aasa(doc) if w.code == "unreachable-rule"]
    assert [w.location for w in ws] == ["applinks.details[1].components[0]"]
    assert "applinks.details[0].components[0]" in ws[0].message


def test_lint_unreachable_legacy_paths():
    doc = {"applinks": {"apps": [], "details": [{"appID": APP, "paths": ["NOT /a/*", "/a/b", "/c"]}]}}
    assert [w.location for w in lint_aasa(doc) if w.code == "unreachable-rule"] == ["applinks.details[0].paths[1]"]


def test_lint_file_too_large():
    doc = aasa([{"/": f"/p{i}/*"} for i in range(5)])
    assert "file-too-large" in codes(doc, size_bytes=128 * 1024 + 1)
    assert "file-too-large" not in codes(doc, size_bytes=128 * 1024)
    big = json.dumps(aasa([{"/": f"/product-{i:06d}/*"} for i in range(6000)]))
    assert len(big.encode()) > 128 * 1024
    assert lint_aasa(big)[0].code == "file-too-large"


@pytest.mark.parametrize(("doc", "code", "location"), [
    ({"webcredentials": {}}, "no-applinks", "$"),
    ({"applinks": {"details": []}}, "no-details", "applinks"),
    ({"applinks": {"apps": [], "details": {APP: {"paths": ["*"]}}}}, "details-dict", "applinks.details"),
    ({"applinks": {"details": [{"components": [{}]}]}}, "no-app-ids", "applinks.details[0]"),
    (aasa([{}], app_ids=["com.example.app"]), "app-id-format", "applinks.details[0].appIDs[0]"),
    (aasa([{}], app_ids=["abcde12345.com.example.app"]), "app-id-format", "applinks.details[0].appIDs[0]"),
    ({"applinks": {"details": [{"appID": APP, "appIDs": [APP], "components": [{}]}]}}, "appid-and-appids", "applinks.details[0]"),
    ({"applinks": {"details": [{"appID": APP, "components": [{}]}]}}, "appid-in-components", "applinks.details[0].appID"),
    (aasa([{"/": "help/*"}]), "path-not-absolute", 'applinks.details[0].components[0]["/"]'),
    (aasa([{"/": "/#/market/*"}]), "fragment-in-path", 'applinks.details[0].components[0]["/"]'),
    (aasa([{"/": "/search?q=*"}]), "query-in-path", 'applinks.details[0].components[0]["/"]'),
    (aasa([{"/": "/a b"}]), "unencoded-pattern", 'applinks.details[0].components[0]["/"]'),
    (aasa([{"#": "café"}]), "unencoded-pattern", 'applinks.details[0].components[0]["#"]'),
    (aasa([{"/": "/$(food)/"}]), "unknown-variable", 'applinks.details[0].components[0]["/"]'),
    (aasa([{"/": "/$(lang)/"}], substitutionVariables={"lang": ["en"]}), "variable-shadows-builtin",
     "applinks.substitutionVariables.lang"),
    (aasa([{}], substitutionVariables={"x": []}), "empty-variable", "applinks.substitutionVariables.x"),
    (aasa([{}], substitutionVariables={"x": ["$(lang)"]}), "variable-in-value", "applinks.substitutionVariables.x[0]"),
    (aasa([{"/": "/a", "Exclude": True}]), "unknown-key", "applinks.details[0].components[0].Exclude"),
    ({"applinks": {"details": [{"appIds": [APP], "components": [{}]}]}}, "unknown-key", "applinks.details[0].appIds"),
    (aasa([{}], defaults={"/": "/x"}), "defaults-key-ignored", 'applinks.defaults["/"]'),
    (aasa([{"/": "/a", "exclude": True}]), "exclude-only", "applinks.details[0]"),
    ({"applinks": {"apps": [], "details": [{"appID": APP, "paths": ["NOT/x", "*"]}]}}, "not-prefix", "applinks.details[0].paths[0]"),
    ({"applinks": {"apps": [], "details": [{"appIDs": [APP], "paths": ["*"]}]}}, "appids-with-paths",
     "applinks.details[0].appIDs"),
    ({"appLinks": {"details": []}}, "unknown-key", "appLinks"),
])
def test_lint_codes(doc, code, location):
    ws = lint_aasa(doc)
    assert (code, location) in [(w.code, w.location) for w in ws], ws
    assert all(w.code in dl.lint.AASA_CODES for w in ws)


def test_lint_unknown_key_suggests_the_right_spelling():
    ws = lint_aasa({"applinks": {"details": [{"appIds": [APP], "components": [{}]}]}})
    assert any('did you mean "appIDs"' in w.message for w in ws)
    top = lint_aasa({"appLinks": {}})
    assert [w.code for w in top] == ["unknown-key", "no-applinks"] and 'did you mean "applinks"' in top[0].message


def test_lint_the_client_fixture_and_a_malformed_file():
    assert [w.code for w in lint_aasa(load_aasa(DATA / "client-aasa.json"))] == ["paths-ignored"]
    with pytest.raises(DeepLinkConfigError):
        lint_aasa({"applinks": {"details": [{"appIDs": "x"}]}})


@pytest.mark.parametrize(("doc", "code", "location"), [
    ([statement(fingerprints=["14:6D"])], "fingerprint-format", "[0].target.sha256_cert_fingerprints[0]"),
    ([statement(fingerprints=[FP.lower()])], "fingerprint-lowercase", "[0].target.sha256_cert_fingerprints[0]"),
    ([statement(fingerprints=[])], "no-fingerprints", "[0].target.sha256_cert_fingerprints"),
    ([statement(relation=["delegate_permission/common.handle_all_url"])], "no-handle-all-urls", "[0].relation"),
    ([statement(namespace="android")], "namespace", "[0].target.namespace"),
    ([{**statement(), "exclude": {"paths": ["/legal/*"]}}], "include-exclude-keys", "[0]"),
    ([{**statement(), "relations": []}], "unknown-key", "[0].relations"),
    ([statement(relation_extensions={"delegate_permission/common.get_login_creds": {}})], "dynamic-relation",
     '[0].relation_extensions["delegate_permission/common.get_login_creds"]'),
    ([statement(relation_extensions={HANDLE: {"dynamic_app_link_components": [{"/": "/a", "comment": "x"}]}})],
     "dynamic-unknown-key",
     '[0].relation_extensions["delegate_permission/common.handle_all_urls"].dynamic_app_link_components[0].comment'),
    ([statement(relation_extensions={HANDLE: {"dynamic_app_link_components": [{"/": "*"}, {"/": "/a"}]}})],
     "unreachable-rule",
     '[0].relation_extensions["delegate_permission/common.handle_all_urls"].dynamic_app_link_components[1]'),
])
def test_lint_assetlinks_codes(doc, code, location):
    ws = lint_assetlinks(doc)
    assert (code, location) in [(w.code, w.location) for w in ws], ws
    assert all(w.code in dl.lint.ASSETLINKS_CODES for w in ws)


# --- routing -----------------------------------------------------------------------------------------


CONFIG = LinkConfig(
    web_url="https://www.example.com",
    ios_app_store_url="https://apps.apple.com/app/id1234567890",
    android_play_store_url="https://play.google.com/store/apps/details?id=com.example.shop",
    universal_link_domain="links.example.com",
    app_scheme="exampleshop",
)


def test_route_app_installed_uses_the_verified_link():
    for platform in ("ios", "android"):
        r = route_link(CONFIG, platform, True, "/product/42", {"utm_source": "mail"})
        assert (r.destination, r.url, r.deferred) == ("app", "https://links.example.com/product/42?utm_source=mail", False)


def test_route_falls_back_to_scheme_then_web():
    scheme_only = LinkConfig(CONFIG.web_url, CONFIG.ios_app_store_url, CONFIG.android_play_store_url, app_scheme="exampleshop")
    r = route_link(scheme_only, "ios", True, "/product/42")
    assert (r.destination, r.url) == ("app", "exampleshop://product/42")
    neither = LinkConfig(CONFIG.web_url, CONFIG.ios_app_store_url, CONFIG.android_play_store_url)
    r = route_link(neither, "android", True, "/product/42")
    assert (r.destination, r.url) == ("web", "https://www.example.com/product/42")


def test_route_android_not_installed_is_a_deferred_link_through_the_play_referrer():
    r = route_link(CONFIG, "android", False, "/product/42", {"utm_source": "mail", "utm_campaign": "spring sale"})
    assert r.destination == "play_store" and r.deferred
    outer = dict(parse_qsl(urlsplit(r.url).query))
    assert outer["id"] == "com.example.shop"
    inner = dict(parse_qsl(outer["referrer"]))
    assert inner == {"deep_link": "/product/42", "utm_source": "mail", "utm_campaign": "spring sale"}
    assert "referrer=deep_link%3D%252Fproduct%252F42%26" in r.url, "the referrer value is URL-encoded once more"


def test_route_ios_not_installed_goes_to_the_app_store():
    r = route_link(CONFIG, "ios", False, "/product/42")
    assert (r.destination, r.url, r.deferred) == ("app_store", CONFIG.ios_app_store_url, True)
    assert "MMP" in r.reason
    home = route_link(CONFIG, "ios", False)
    assert home.deferred is False
    play_home = route_link(CONFIG, "android", False)
    assert (play_home.url, play_home.deferred) == (CONFIG.android_play_store_url, False)


def test_route_desktop_goes_to_the_web_with_params_and_path_query():
    r = route_link(CONFIG, "desktop", True, "/sale?color=red", {"utm_source": "mail"})
    assert (r.destination, r.url, r.deferred) == ("web", "https://www.example.com/sale?color=red&utm_source=mail", False)
    base_path = LinkConfig("https://example.com/m/", CONFIG.ios_app_store_url, CONFIG.android_play_store_url)
    assert route_link(base_path, "desktop", False, "/x").url == "https://example.com/m/x"


def test_route_keeps_the_fragment():
    assert route_link(CONFIG, "ios", True, "/sale#top").url == "https://links.example.com/sale#top"
    assert route_link(CONFIG, "desktop", True, "/sale?x=1#top", {"y": "2"}).url == "https://www.example.com/sale?x=1&y=2#top"
    r = route_link(CONFIG, "android", False, "/#top")
    assert r.deferred and dict(parse_qsl(dict(parse_qsl(urlsplit(r.url).query))["referrer"])) == {"deep_link": "/#top"}


_PATH_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="?#"), max_size=10)


@settings(max_examples=150, deadline=None)
@given(_PATH_TEXT, st.dictionaries(_TEXT.filter(bool), _TEXT, max_size=4))
def test_play_referrer_carries_path_and_params_through_two_decodings(tail, params):
    r = route_link(CONFIG, "android", False, "/" + tail, params)
    assert r.deferred is (tail != "" or bool(params))
    outer = dict(parse_qsl(urlsplit(r.url).query, keep_blank_values=True))
    if not r.deferred:
        assert "referrer" not in outer
        return
    inner = parse_qsl(outer["referrer"], keep_blank_values=True)
    assert inner[0] == ("deep_link", "/" + tail)
    assert dict(inner[1:]) == params


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"platform": "windows"}, "platform must be one of"),
    ({"path": "product/42"}, "start with '/'"),
])
def test_route_bad_arguments(kwargs, words):
    args = {"config": CONFIG, "platform": "ios", "app_installed": True, "path": "/", **kwargs}
    with pytest.raises(ValueError, match=words):
        route_link(**args)
    with pytest.raises(TypeError, match="app_installed"):
        route_link(CONFIG, "ios", "yes")


@pytest.mark.parametrize(("field", "value"), [
    ("web_url", "www.example.com"), ("web_url", "ftp://example.com"), ("universal_link_domain", "https://x.com"),
    ("app_scheme", "my app"), ("android_play_store_url", "play.google.com"),
])
def test_link_config_is_checked(field, value):
    args = {"web_url": CONFIG.web_url, "ios_app_store_url": CONFIG.ios_app_store_url,
            "android_play_store_url": CONFIG.android_play_store_url, field: value}
    with pytest.raises(ValueError, match=field):
        LinkConfig(**args)


# --- campaign parameters -----------------------------------------------------------------------------


def test_add_campaign_params_keeps_replaces_encodes_and_keeps_the_fragment():
    url = "https://example.com/sale?utm_source=old&x=1&utm_source=older#top"
    out = add_campaign_params(url, {"utm_source": "mail", "utm_campaign": "spring sale", "a&b": "c=d"})
    assert out == "https://example.com/sale?utm_source=mail&x=1&a%26b=c%3Dd&utm_campaign=spring%20sale#top"
    assert campaign_params(out) == {"utm_source": "mail", "x": "1", "a&b": "c=d", "utm_campaign": "spring sale"}


def test_add_campaign_params_is_deterministic_and_checks_input():
    a = add_campaign_params("https://example.com/", {"b": "2", "a": "1"})
    b = add_campaign_params("https://example.com/", {"a": "1", "b": "2"})
    assert a == b == "https://example.com/?a=1&b=2"
    assert add_campaign_params("https://example.com/", {"n": 3}) == "https://example.com/?n=3"
    with pytest.raises(ValueError, match="names"):
        add_campaign_params("https://example.com/", {"": "x"})
    with pytest.raises(ValueError, match="value"):
        add_campaign_params("https://example.com/", {"a": None})
    with pytest.raises(TypeError):
        add_campaign_params("https://example.com/", [("a", "b")])


def test_campaign_params_reads_plus_as_space_and_keeps_blank_values():
    assert campaign_params("https://example.com/?q=red+shoes&empty=&flag") == {"q": "red shoes", "empty": "", "flag": ""}
    assert campaign_params("https://example.com/") == {}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_TEXT.filter(bool), _TEXT, max_size=5),
       st.sampled_from(["https://example.com/", "https://example.com/p?a=1&b=2#frag", "https://example.com/?x=%20y"]))
def test_campaign_params_round_trip(params, base):
    out = add_campaign_params(base, params)
    assert campaign_params(out) == {**campaign_params(base), **params}
    assert urlsplit(out).fragment == urlsplit(base).fragment
    assert add_campaign_params(out, params) == out, "adding the same parameters again changes nothing"


# --- the modules' own examples -------------------------------------------------------------------------


@pytest.mark.parametrize("module", [dl.aasa, dl.assetlinks, dl.lint, dl.routing])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# --- the fast paths give the same answers as trying every rule in order -----------------------------

_SEGMENTS = st.sampled_from(["a", "A", "ab", "b", "*", "?", "?*", "$(v)", "$(lower)", "x*", ""])


@st.composite
def _rule(draw):
    path = "/" + "/".join(draw(st.lists(_SEGMENTS, min_size=1, max_size=3)))
    comp: dict = {"/": draw(st.sampled_from([path, "*", path + "*"]))}
    if draw(st.booleans()):
        comp["exclude"] = True
    if draw(st.integers(0, 3)) == 0:
        comp["caseSensitive"] = False
    if draw(st.integers(0, 4)) == 0:
        comp["percentEncoded"] = False
    if draw(st.integers(0, 4)) == 0:
        comp["?"] = {"q": draw(st.sampled_from(["1", "?*", ""]))}
    return comp


@settings(max_examples=200, deadline=None)
@given(st.lists(_rule(), min_size=1, max_size=8),
       st.lists(st.lists(st.sampled_from(["a", "A", "ab", "b", "x", "xy", "", "Ab"]), min_size=1, max_size=3),
                min_size=1, max_size=6),
       st.sampled_from(["", "?q=1", "?q=", "?q=2&q=1"]))
def test_fast_matching_equals_trying_each_rule_in_order(components, paths, query):
    doc = aasa(components, substitutionVariables={"v": ["a", "ab", ""]})
    parsed = parse_aasa(doc)
    rules = parsed.entries[0].rules
    for segments in paths:
        url = dl.aasa._Url(U("/" + "/".join(segments) + query))
        first = next((r for r in rules if r.matches(url)), None)
        expected = [] if first is None or first.exclude else [APP]
        assert parsed.match(url.text) == expected, (url.text, components)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc.", max_size=3), min_size=1, max_size=6), st.text(alphabet="abc.", max_size=4))
def test_literal_variable_values_match_exactly_one_of_them(values, text):
    doc = aasa([{"/": "/$(v)"}], substitutionVariables={"v": values})
    assert opens(doc, U("/" + text)) is (text in values)
    followed = aasa([{"/": "/$(v)/x*"}], substitutionVariables={"v": values})  # with the look-ahead guard
    assert opens(followed, U(f"/{text}/x1")) is (text in values)
