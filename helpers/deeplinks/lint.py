"""Common mistakes in ``apple-app-site-association`` and ``assetlinks.json`` files.

:func:`lint_aasa` and :func:`lint_assetlinks` return :class:`LintWarning` objects: files that iOS or
Android read without an error but that do not do what their authors meant. A file that cannot be
read at all raises :class:`~helpers.deeplinks.DeepLinkConfigError` instead (from the same checks
that :func:`~helpers.deeplinks.match_universal_link` makes).

Warning codes for AASA files (:data:`AASA_CODES`):

``file-too-large``      over 128 KB; Apple does not use the file at all (App Search guide, 2016).
``no-applinks`` / ``no-details``   nothing that opens links.
``legacy-format-only``  only ``paths``: no query or fragment matching; ``components`` is documented.
``paths-ignored``       ``paths`` beside ``components`` in one entry: iOS 13+ ignores ``paths``.
``unreachable-rule``    an earlier rule (of this entry, or of an earlier entry for the same apps)
                        matches every URL this rule would, so it never decides: rules after a
                        catch-all such as ``{"/": "*"}``, after a prefix such as ``/help/*``, or repeated.
``empty-components``    ``"components": []``: the entry opens nothing.
``no-app-ids``, ``app-id-format``, ``appid-and-appids``, ``appid-in-components``, ``appids-with-paths``
                        app ID mistakes (an app ID is ``<Team ID>.<bundle ID>``; Team IDs are 10
                        upper-case letters or digits; iOS 9-12 read only ``appID`` beside ``paths``).
``details-dict``        ``details`` written as an object keyed by app ID (a pre-release iOS 9 form).
``missing-apps-key`` / ``apps-not-empty``   legacy files need ``"apps": []``.
``unknown-key``         a key iOS ignores (often a typo: ``"Exclude"``, ``"appIds"``, ``"path"``).
``path-not-absolute``, ``fragment-in-path``, ``query-in-path``   path patterns that never match
                        as meant (a path starts with ``/``; ``#`` and ``?`` are not part of it).
``not-prefix``          a legacy exclusion spelled other than ``"NOT "`` (capitals, one space).
``unencoded-pattern``   spaces or non-ASCII in a pattern compared with the percent-encoded URL.
``unknown-variable``, ``variable-shadows-builtin``, ``variable-in-value``, ``empty-variable``
                        substitution variable mistakes.
``defaults-key-ignored`` a ``defaults`` key this checker does not apply.
``exclude-only``        an entry made only of exclusions opens nothing in its app.

>>> [w.code for w in lint_aasa({"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
...     "components": [{"/": "*"}, {"/": "/help/*", "exclude": True}]}]}})]
['unreachable-rule']
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from helpers.deeplinks._common import json_path, locate, parse_json_path
from helpers.deeplinks.aasa import (
    _COMPONENT_KEYS,
    _VARIABLE,
    AASA_SIZE_LIMIT,
    PREDEFINED_VARIABLES,
    AssociationFile,
    parse_aasa,
)
from helpers.deeplinks.assetlinks import _FINGERPRINT, HANDLE_ALL_URLS, parse_assetlinks
from helpers.messages import t

__all__ = ["LintWarning", "lint_aasa", "lint_assetlinks", "AASA_CODES", "ASSETLINKS_CODES"]

AASA_CODES = (
    "file-too-large", "no-applinks", "no-details", "legacy-format-only", "paths-ignored",
    "unreachable-rule", "empty-components", "no-app-ids", "app-id-format", "appid-and-appids",
    "appid-in-components", "appids-with-paths", "details-dict", "missing-apps-key", "apps-not-empty", "unknown-key",
    "path-not-absolute", "fragment-in-path", "query-in-path", "not-prefix", "unencoded-pattern",
    "unknown-variable", "variable-shadows-builtin", "variable-in-value", "empty-variable",
    "defaults-key-ignored", "exclude-only",
)
ASSETLINKS_CODES = (
    "fingerprint-format", "fingerprint-lowercase", "no-handle-all-urls", "no-fingerprints", "namespace",
    "unknown-key", "dynamic-unknown-key", "dynamic-relation", "include-exclude-keys",
    "path-not-absolute", "fragment-in-path", "query-in-path", "unreachable-rule",
)

_APP_ID = re.compile(r"[A-Z0-9]{10}\.[A-Za-z0-9][A-Za-z0-9.\-]*\Z")
_QUERY_LIKE = re.compile(r"\?[A-Za-z0-9_\-\[\]]+=")
_TOP_KEYS = ("applinks", "webcredentials", "appclips", "activitycontinuation")
_APPLINKS_KEYS = ("apps", "details", "defaults", "substitutionVariables")
_DETAILS_KEYS = ("appID", "appIDs", "components", "paths", "defaults")
_DEFAULTS_KEYS = ("caseSensitive", "percentEncoded")
_STATEMENT_KEYS = ("relation", "target", "relation_extensions")
_TARGET_KEYS = ("namespace", "package_name", "sha256_cert_fingerprints", "site")
_DYNAMIC_KEYS = ("/", "?", "#", "exclude", "comments")


@dataclass(frozen=True)
class LintWarning:
    """One likely mistake: a ``code`` (see the module documentation), the ``location`` as a JSON path
    (``applinks.details[0].components[2]``, or ``$`` for the whole file) and a ``message`` in words."""

    code: str
    location: str
    message: str
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.location if self.line is None else f"{self.location} (line {self.line})"
        return f"{self.code} at {where}: {self.message}"


def _with_lines(warnings: list[LintWarning], text: str | None) -> list[LintWarning]:
    """Add the line and column of each warning's place when the file's text is known."""
    if not text:
        return warnings
    out = []
    for w in warnings:
        parts = parse_json_path(w.location)
        found = locate(text, parts) if parts is not None else None
        out.append(w if found is None else replace(w, line=found[0], column=found[1]))
    return out


def _warn(code: str, parts: Sequence[str | int] | str, key: str | None = None, /, **params: object) -> LintWarning:
    location = parts if isinstance(parts, str) else json_path(parts)
    return LintWarning(code, location, t(key or f"deeplinks.lint.{code}", **params))


def _hint(key: str, known: Iterable[str]) -> str:
    known = list(known)
    same_case = [k for k in known if k.lower() == key.strip().lower()]
    close = same_case or difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return t("deeplinks.lint.unknown-key-hint", suggestion=json.dumps(close[0])) if close else ""


def _unknown_keys(obj: dict, known: Sequence[str], parts: list[str | int], out: list[LintWarning],
                  msg_key: str = "deeplinks.lint.unknown-key") -> None:
    for key in obj:
        if key not in known:
            out.append(_warn("unknown-key", [*parts, key], msg_key, key=json.dumps(key), hint=_hint(key, known)))


# --- pattern checks ------------------------------------------------------------------------------


def _path_checks(pattern: str, parts: list[str | int], out: list[LintWarning]) -> None:
    shown = json.dumps(pattern, ensure_ascii=False)
    if pattern and not pattern.startswith(("/", "*", "?", "$(")):
        out.append(_warn("path-not-absolute", parts, pattern=shown))
    if "#" in pattern:
        out.append(_warn("fragment-in-path", parts, pattern=shown))
    elif _QUERY_LIKE.search(pattern):
        out.append(_warn("query-in-path", parts, pattern=shown))


def _pattern_checks(pattern: str, parts: list[str | int], encoded: bool, variables: dict,
                    out: list[LintWarning]) -> None:
    shown = json.dumps(pattern, ensure_ascii=False)
    literal = _VARIABLE.sub("", pattern)
    if encoded and (" " in literal or not literal.isascii()):
        out.append(_warn("unencoded-pattern", parts, pattern=shown))
    for m in _VARIABLE.finditer(pattern):
        name = m.group(1)
        if name not in variables and name not in PREDEFINED_VARIABLES:
            out.append(_warn("unknown-variable", parts, pattern=shown, name=name))


# --- rule coverage (unreachable rules) ----------------------------------------------------------


@dataclass
class _Shape:
    """What a rule matches, simplified enough to tell when one rule covers another."""

    where: str
    path: str
    query: object  # None: any query
    fragment: object  # None: any fragment
    encoded: bool
    case_sensitive: bool
    order: int = 0
    exclude: bool = False

    def prefix(self) -> str | None:
        """``L`` when the path pattern is ``L*`` with no other wildcard or variable in ``L``."""
        if self.path.endswith("*"):
            head = self.path[:-1]
            if not any(c in head for c in "*?$"):
                return head
        return None

    def covers(self, other: _Shape) -> bool:
        if self.encoded != other.encoded or (self.case_sensitive and not other.case_sensitive):
            return False
        if self.query is not None and self.query != other.query:
            return False
        if self.fragment is not None and self.fragment != other.fragment:
            return False
        if self.path in ("*", "/*"):  # every URL path starts with "/"
            return True
        if self.path == other.path:
            return True
        head = self.prefix()
        if head is None:
            return False
        mine, theirs = (head, other.path) if self.case_sensitive else (head.lower(), other.path.lower())
        return theirs.startswith(mine)


def _component_shape(where: str, comp: dict, encoded: bool, case_sensitive: bool) -> _Shape:
    query = comp.get("?", "*")
    if query == "*" or (isinstance(query, dict) and all(v == "*" for v in query.values())):
        query = None
    fragment = comp.get("#", "*")
    if fragment == "*":
        fragment = None
    return _Shape(where, comp.get("/", "*"), query, fragment, encoded, case_sensitive,
                  exclude=comp.get("exclude") is True)


def _coverage(rules: list[tuple[_Shape, frozenset[str], int]], out: list[LintWarning]) -> None:
    """Flag every rule covered by an earlier one (same entry, or an earlier entry for the same apps).

    Earlier rules that can cover others (catch-alls and ``prefix*`` patterns) are filed by their
    prefix, so each rule is compared only with the few whose prefix starts its own path.
    """
    catch_all: list[tuple[_Shape, frozenset[str], int]] = []
    by_prefix: dict[str, list[tuple[_Shape, frozenset[str], int]]] = {}
    by_prefix_lower: dict[str, list[tuple[_Shape, frozenset[str], int]]] = {}
    seen: dict[tuple, tuple[_Shape, frozenset[str], int]] = {}
    for order, (shape, apps, entry) in enumerate(rules):
        shape.order = order
        earlier = None
        key = (shape.path, json.dumps(shape.query, sort_keys=True), json.dumps(shape.fragment),
               shape.encoded, shape.case_sensitive)
        dup = seen.get(key)
        if dup is not None and (dup[2] == entry or apps <= dup[1]):
            earlier = dup[0]
        if earlier is None:
            candidates = list(catch_all)
            lower = shape.path.lower()
            for k in range(len(shape.path) + 1):
                candidates += by_prefix.get(shape.path[:k], ())
                candidates += by_prefix_lower.get(lower[:k], ())
            candidates.sort(key=lambda c: c[0].order)
            for c_shape, c_apps, c_entry in candidates:
                if (c_entry == entry or apps <= c_apps) and c_shape.covers(shape):
                    earlier = c_shape
                    break
        if earlier is not None:
            key_name = "unreachable-exclusion" if shape.exclude and not earlier.exclude else "unreachable-rule"
            out.append(LintWarning("unreachable-rule", shape.where,
                                   t(f"deeplinks.lint.{key_name}", earlier=earlier.where)))
            continue
        seen.setdefault(key, (shape, apps, entry))
        head = shape.prefix()
        if shape.path in ("*", "/*"):
            catch_all.append((shape, apps, entry))
        elif head is not None:
            table = by_prefix if shape.case_sensitive else by_prefix_lower
            table.setdefault(head if shape.case_sensitive else head.lower(), []).append((shape, apps, entry))


# --- AASA ---------------------------------------------------------------------------------------


def lint_aasa(aasa: object, size_bytes: int | None = None) -> list[LintWarning]:
    """Likely mistakes in an AASA file (parsed JSON, its text, or :func:`parse_aasa`'s result).

    ``size_bytes`` is the file's size on the server; when the file is given as text (or loaded
    with :func:`~helpers.deeplinks.load_aasa`) its own size is used. A malformed file raises
    :class:`~helpers.deeplinks.DeepLinkConfigError`.
    """
    compiled: AssociationFile = parse_aasa(aasa)
    size = size_bytes if size_bytes is not None else compiled.size_bytes
    out: list[LintWarning] = []
    if size is not None and size > AASA_SIZE_LIMIT:
        out.append(_warn("file-too-large", "$", size=size, limit=AASA_SIZE_LIMIT))
    doc = compiled.document
    _unknown_keys(doc, _TOP_KEYS, [], out)
    if "applinks" not in doc:
        out.append(_warn("no-applinks", "$"))
        return _with_lines(out, compiled.text)
    applinks = doc["applinks"]
    _unknown_keys(applinks, _APPLINKS_KEYS, ["applinks"], out)
    variables = compiled.variables
    for name, values in variables.items():
        where = ["applinks", "substitutionVariables", name]
        if name in PREDEFINED_VARIABLES:
            out.append(_warn("variable-shadows-builtin", where, name=name))
        if not values:
            out.append(_warn("empty-variable", where, name=name))
        for i, value in enumerate(values):
            if "$(" in value:
                out.append(_warn("variable-in-value", [*where, i], name=name, value=json.dumps(value)))
    if "defaults" in applinks:
        _defaults_checks(applinks["defaults"], ["applinks", "defaults"], out)

    details = applinks.get("details")
    if not details:
        out.append(_warn("no-details", ["applinks"]))
        return _with_lines(out, compiled.text)
    if isinstance(details, dict):
        out.append(_warn("details-dict", ["applinks", "details"]))
        entries = [(["applinks", "details", k], v) for k, v in details.items()]
    else:
        entries = [(["applinks", "details", i], v) for i, v in enumerate(details)]

    formats = [e.format for e in compiled.entries]
    if "paths" in formats and "components" not in formats:
        out.append(_warn("legacy-format-only", ["applinks", "details"]))
    if "paths" in formats:
        if "apps" not in applinks:
            out.append(_warn("missing-apps-key", ["applinks"]))
    if "apps" in applinks and applinks["apps"] != []:
        out.append(_warn("apps-not-empty", ["applinks", "apps"]))

    shapes: list[tuple[_Shape, frozenset[str], int]] = []
    for (parts, entry), compiled_entry in zip(entries, compiled.entries, strict=True):
        _entry_checks(parts, entry, compiled_entry, variables, out, shapes, isinstance(details, dict))
    _coverage(shapes, out)
    order = {code: i for i, code in enumerate(AASA_CODES)}
    out.sort(key=lambda w: (_location_key(w.location), order.get(w.code, 99)))
    return _with_lines(out, compiled.text)


def _location_key(location: str) -> list:
    # Sort by position in the file: numbers inside [] compare as numbers.
    return [int(p) if p.isdigit() else p for p in re.split(r"\[(\d+)\]", location)]


def _defaults_checks(defaults: object, parts: list[str | int], out: list[LintWarning]) -> None:
    if not isinstance(defaults, dict):
        return
    for key in defaults:
        if key in _DEFAULTS_KEYS:
            continue
        if key in _COMPONENT_KEYS:
            out.append(_warn("defaults-key-ignored", [*parts, key], key=json.dumps(key)))
        else:
            out.append(_warn("unknown-key", [*parts, key], key=json.dumps(key), hint=_hint(key, _DEFAULTS_KEYS)))


def _entry_checks(parts, entry, compiled_entry, variables, out, shapes, dict_form) -> None:
    if not dict_form:
        _unknown_keys(entry, _DETAILS_KEYS, parts, out)
        ids = compiled_entry.app_ids
        if not ids:
            out.append(_warn("no-app-ids", parts))
        if "appID" in entry and "appIDs" in entry:
            out.append(_warn("appid-and-appids", parts))
        elif "appID" in entry and "components" in entry:
            out.append(_warn("appid-in-components", [*parts, "appID"]))
        if "appIDs" in entry and "appID" not in entry and "components" not in entry and "paths" in entry:
            out.append(_warn("appids-with-paths", [*parts, "appIDs"]))
        if "appIDs" in entry:
            for i, app_id in enumerate(entry["appIDs"]):
                if not _APP_ID.match(app_id):
                    out.append(_warn("app-id-format", [*parts, "appIDs", i], app_id=json.dumps(app_id)))
        if "appID" in entry and not _APP_ID.match(entry["appID"]):
            out.append(_warn("app-id-format", [*parts, "appID"], app_id=json.dumps(entry["appID"])))
    else:
        key = parts[-1]
        if not _APP_ID.match(key):
            out.append(_warn("app-id-format", parts, app_id=json.dumps(key)))
    if "defaults" in entry:
        _defaults_checks(entry["defaults"], [*parts, "defaults"], out)
    if "components" in entry and "paths" in entry:
        out.append(_warn("paths-ignored", [*parts, "paths"]))
    if "components" in entry and entry["components"] == []:
        out.append(_warn("empty-components", [*parts, "components"]))
    apps = frozenset(compiled_entry.app_ids)
    rules = compiled_entry.rules
    if rules and all(r.exclude for r in rules):
        out.append(_warn("exclude-only", parts))
    if compiled_entry.format == "components":
        for rule in rules:
            comp = rule.raw
            cparts = [*parts, "components", rule.index]
            _unknown_keys(comp, _COMPONENT_KEYS, cparts, out)
            if "/" in comp:
                _path_checks(comp["/"], [*cparts, "/"], out)
                _pattern_checks(comp["/"], [*cparts, "/"], rule.encoded, variables, out)
            query = comp.get("?")
            if isinstance(query, str):
                _pattern_checks(query, [*cparts, "?"], rule.encoded, variables, out)
            elif isinstance(query, dict):
                for name, pattern in query.items():
                    _pattern_checks(pattern, [*cparts, "?", name], rule.encoded, variables, out)
            if "#" in comp:
                _pattern_checks(comp["#"], [*cparts, "#"], rule.encoded, variables, out)
            if apps:
                shapes.append((_component_shape(json_path(cparts), comp, rule.encoded, rule.case_sensitive),
                               apps, id(compiled_entry)))
    elif compiled_entry.format == "paths":
        for rule in rules:
            raw = rule.raw
            pparts = [*parts, "paths", rule.index]
            if not rule.exclude and re.match(r"\s*not\b", raw, re.IGNORECASE):
                out.append(_warn("not-prefix", pparts, "deeplinks.lint.not-prefix", value=json.dumps(raw)))
            pattern = raw[4:] if rule.exclude else raw
            _path_checks(pattern, pparts, out)
            if " " in pattern or not pattern.isascii():
                out.append(_warn("unencoded-pattern", pparts, pattern=json.dumps(pattern, ensure_ascii=False)))
            if apps:
                shapes.append((_Shape(json_path(pparts), pattern, None, None, True, True, exclude=rule.exclude),
                               apps, id(compiled_entry)))


# --- assetlinks ---------------------------------------------------------------------------------


def lint_assetlinks(assetlinks: object) -> list[LintWarning]:
    """Likely mistakes in an ``assetlinks.json`` (parsed JSON, its text, or a parsed file).

    Codes: :data:`ASSETLINKS_CODES`. A malformed file raises
    :class:`~helpers.deeplinks.DeepLinkConfigError`.
    """
    parsed = parse_assetlinks(assetlinks)
    out: list[LintWarning] = []
    for s in parsed.statements:
        raw = s.raw
        base: list[str | int] = [s.index]
        if "include" in raw or "exclude" in raw:
            out.append(_warn("include-exclude-keys", base, "deeplinks.assetlinks_lint.include-exclude-keys"))
        for key in raw:
            if key not in _STATEMENT_KEYS and key not in ("include", "exclude"):
                out.append(_warn("unknown-key", [*base, key], "deeplinks.assetlinks_lint.unknown-key",
                                 key=json.dumps(key), hint=_hint(key, _STATEMENT_KEYS)))
        for key in raw["target"]:
            if key not in _TARGET_KEYS:
                out.append(_warn("unknown-key", [*base, "target", key], "deeplinks.assetlinks_lint.unknown-key",
                                 key=json.dumps(key), hint=_hint(key, _TARGET_KEYS)))
        if s.namespace not in ("android_app", "web"):
            out.append(_warn("namespace", [*base, "target", "namespace"], "deeplinks.assetlinks_lint.namespace",
                             namespace=json.dumps(s.namespace)))
        if s.namespace == "android_app":
            if HANDLE_ALL_URLS not in s.relations and "delegate_permission/common.get_login_creds" not in s.relations:
                out.append(_warn("no-handle-all-urls", [*base, "relation"],
                                 "deeplinks.assetlinks_lint.no-handle-all-urls"))
            if not s.fingerprints:
                out.append(_warn("no-fingerprints", [*base, "target", "sha256_cert_fingerprints"],
                                 "deeplinks.assetlinks_lint.no-fingerprints"))
            for k, fp in enumerate(s.fingerprints):
                where = [*base, "target", "sha256_cert_fingerprints", k]
                if not _FINGERPRINT.match(fp.strip()):
                    out.append(_warn("fingerprint-format", where, "deeplinks.assetlinks_lint.fingerprint-format",
                                     value=json.dumps(fp)))
                elif fp != fp.upper():
                    out.append(_warn("fingerprint-lowercase", where, "deeplinks.assetlinks_lint.fingerprint-lowercase",
                                     value=json.dumps(fp)))
        ext = raw.get("relation_extensions", {})
        for rel in ext:
            if rel not in s.relations:
                out.append(_warn("dynamic-relation", [*base, "relation_extensions", rel],
                                 "deeplinks.assetlinks_lint.dynamic-relation", relation=json.dumps(rel)))
        if s.dynamic:
            shapes = []
            for rule in s.dynamic:
                rparts = [*base, "relation_extensions", HANDLE_ALL_URLS, "dynamic_app_link_components", rule.index]
                for key in rule.raw:
                    if key not in _DYNAMIC_KEYS:
                        out.append(_warn("dynamic-unknown-key", [*rparts, key],
                                         "deeplinks.assetlinks_lint.dynamic-unknown-key",
                                         key=json.dumps(key), hint=_hint(key, _DYNAMIC_KEYS)))
                if "/" in rule.raw:
                    _path_checks(rule.raw["/"], [*rparts, "/"], out)
                shapes.append((_component_shape(json_path(rparts), rule.raw, True, True), frozenset(), 0))
            _coverage(shapes, out)
    return _with_lines(out, parsed.text)
