"""Android App Links: does an ``assetlinks.json`` file verify an app, and (Android 15+) which URLs it opens.

:func:`verify_app_link` answers yes or no; :func:`explain_app_link` says which statement decided and
why, and with a ``url`` also applies the Dynamic App Links rules. Google's rules (reference file
section C2, from developer.android.com/training/app-links and developers.google.com/digital-asset-links):

* The file is a JSON **list of statements**. A statement verifies an app when its ``relation`` list
  contains ``"delegate_permission/common.handle_all_urls"`` and its ``target`` has
  ``"namespace": "android_app"``, the app's ``package_name`` (its applicationId, compared exactly)
  and the SHA-256 fingerprint of the app's signing certificate in ``sha256_cert_fingerprints``.
* Fingerprints are written as 32 pairs of upper-case hex digits separated by colons
  (``14:6D:E9:...:44:E5``); a statement may list several (debug and release keys, or the Play App
  Signing key) and a file may hold several statements (several apps, or ``web`` targets).
* Dynamic App Links (Android 15 / API 35 with Google services): a statement may add
  ``relation_extensions["delegate_permission/common.handle_all_urls"]["dynamic_app_link_components"]``,
  an ordered list of rules with ``/`` (path), ``?`` (a dictionary of query item -> pattern), ``#``
  (fragment), ``exclude`` and ``comments``. The first matching rule decides; an excluded URL, or one
  no rule matches, opens in the browser. Older Android versions ignore the field, and the rules can
  never widen what the app's manifest declares (this module cannot see the manifest).

Choices where the reference is silent: the fingerprint argument may be given with or without colons
and in any case; fingerprints in the file are compared without regard to case (a lower-case one is a
lint warning, since Google always writes upper case); dynamic rules use the same pattern syntax as
Apple's components (``*``, ``?``, ``?*``; whole-component, case-sensitive, percent-encoded
comparison; absent query items match as the empty string) -- Google's pages show the same keys and
wildcards but do not spell out every detail.

>>> fp = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"
>>> statements = [{"relation": ["delegate_permission/common.handle_all_urls"],
...     "target": {"namespace": "android_app", "package_name": "com.example.app",
...                "sha256_cert_fingerprints": [fp]}}]
>>> verify_app_link(statements, "com.example.app", fp.replace(":", "").lower())
True
>>> verify_app_link(statements, "com.example.other", fp)
False
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from helpers.deeplinks._common import (
    DeepLinkConfigError,
    build_from_bytes,
    describe_type,
    json_path,
    read_file_bytes,
)
from helpers.deeplinks.aasa import _component_rule, _Rule, _Url
from helpers.messages import t

__all__ = [
    "HANDLE_ALL_URLS",
    "AppLinkDecision",
    "AssetLinksFile",
    "normalize_fingerprint",
    "parse_assetlinks",
    "load_assetlinks",
    "verify_app_link",
    "explain_app_link",
]

HANDLE_ALL_URLS = "delegate_permission/common.handle_all_urls"
_FINGERPRINT = re.compile(r"(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}\Z")
_HEX64 = re.compile(r"[0-9A-Fa-f]{64}\Z")
_LABEL = re.compile(r"^\s*sha-?256\s*[:=]?\s*", re.IGNORECASE)


def normalize_fingerprint(fingerprint: str) -> str:
    """A SHA-256 certificate fingerprint in Google's form: ``14:6D:...:E5`` (upper case, colons).

    Accepts colons or none, any case, surrounding spaces and a leading ``SHA256:`` label as
    ``keytool`` prints it. Anything else raises ``ValueError`` naming the expected form.

    >>> normalize_fingerprint("146de983c5730650d8eeb9952f34fc6416a08342e61dbea88a0496b23fcf44e5")[:8]
    '14:6D:E9'
    """
    if not isinstance(fingerprint, str):
        raise TypeError(t("errors.deeplinks.assetlinks.fingerprint_type", type=type(fingerprint).__name__))
    text = fingerprint.strip()
    if not (_FINGERPRINT.match(text) or _HEX64.match(text)):
        text = _LABEL.sub("", text).strip()
    if _FINGERPRINT.match(text):
        return text.upper()
    if _HEX64.match(text):
        up = text.upper()
        return ":".join(up[i : i + 2] for i in range(0, 64, 2))
    raise ValueError(t("errors.deeplinks.assetlinks.fingerprint", value=repr(fingerprint)))


def _file_fingerprint(value: str) -> str | None:
    """A fingerprint from the file in canonical form, or ``None`` when it is malformed."""
    return value.strip().upper() if _FINGERPRINT.match(value.strip()) else None


@dataclass(frozen=True)
class AppLinkDecision:
    """Whether Android verifies an app for a domain's ``assetlinks.json``, and why.

    ``statement_index`` is the position of the deciding statement (the one that verifies, or the
    closest one when none does). With a ``url``: ``url_allowed`` says whether Android 15+ opens it
    in the app after the dynamic rules (``None`` when no URL was asked about), ``rule_index`` is the
    deciding dynamic rule and ``url_reason`` says why. ``reason`` covers both.
    """

    verified: bool
    statement_index: int | None
    reason: str
    url_allowed: bool | None = None
    rule_index: int | None = None
    url_reason: str | None = None


@dataclass
class _Statement:
    index: int
    relations: list[str]
    namespace: str
    package: str | None
    fingerprints: list[str]  # as written
    dynamic: list[_Rule] | None  # None: no dynamic rules
    raw: dict


def _fail(parts: Sequence[str | int], key: str, value: object = None, **params: object) -> DeepLinkConfigError:
    """The error ``errors.deeplinks.assetlinks.<key>`` about the value at ``parts`` (``got``: what ``value`` is)."""
    where = json_path(parts)
    return DeepLinkConfigError(t(f"errors.deeplinks.assetlinks.{key}", where=where, got=describe_type(value), **params),
                               location=where, parts=parts)


def _strings(value: object, parts: list[str | int], example: str) -> list[str]:
    if not isinstance(value, list):
        raise _fail(parts, "strings", value, example=example)
    for i, v in enumerate(value):
        if not isinstance(v, str):
            raise _fail([*parts, i], "string", v, example=example)
    return list(value)


class AssetLinksFile:
    """A parsed and checked ``assetlinks.json`` (see :func:`parse_assetlinks`)."""

    def __init__(self, document: object, size_bytes: int | None = None) -> None:
        self.document = document
        self.size_bytes = size_bytes
        self.text: str | None = None  # the JSON text, when the file was given as text
        if isinstance(document, dict):
            raise DeepLinkConfigError(t("errors.deeplinks.assetlinks.root_object"), location="$")
        if not isinstance(document, list):
            raise DeepLinkConfigError(t("errors.deeplinks.assetlinks.root", got=describe_type(document)), location="$")
        self.statements = [self._statement(i, s) for i, s in enumerate(document)]

    @staticmethod
    def _statement(i: int, s: object) -> _Statement:
        parts: list[str | int] = [i]
        if not isinstance(s, dict):
            raise _fail(parts, "statement", s)
        if "relation" not in s:
            raise _fail(parts, "no_relation")
        relations = _strings(s["relation"], [i, "relation"], json.dumps(HANDLE_ALL_URLS))
        if "target" not in s:
            raise _fail(parts, "no_target")
        target = s["target"]
        if not isinstance(target, dict):
            raise _fail([i, "target"], "target", target)
        namespace = target.get("namespace")
        if not isinstance(namespace, str):
            raise _fail([i, "target", "namespace"], "namespace", namespace)
        package = None
        fingerprints: list[str] = []
        if namespace == "android_app":
            package = target.get("package_name")
            if not isinstance(package, str):
                raise _fail([i, "target", "package_name"], "package", package)
            if "sha256_cert_fingerprints" not in target:
                raise _fail([i, "target"], "no_fingerprints")
            fingerprints = _strings(target["sha256_cert_fingerprints"], [i, "target", "sha256_cert_fingerprints"],
                                    "\"14:6D:E9:...:44:E5\"")
        dynamic = None
        if "relation_extensions" in s:
            ext = s["relation_extensions"]
            if not isinstance(ext, dict):
                raise _fail([i, "relation_extensions"], "extensions", ext)
            for rel, body in ext.items():
                if not isinstance(body, dict):
                    raise _fail([i, "relation_extensions", rel], "extension", body)
            body = ext.get(HANDLE_ALL_URLS)
            if body is not None and "dynamic_app_link_components" in body:
                comps = body["dynamic_app_link_components"]
                base = [i, "relation_extensions", HANDLE_ALL_URLS, "dynamic_app_link_components"]
                if not isinstance(comps, list):
                    raise _fail(base, "dynamic", comps)
                flags = {"caseSensitive": True, "percentEncoded": True}
                dynamic = [_component_rule(c, [*base, j], j, flags, {}) for j, c in enumerate(comps)]
        return _Statement(i, relations, namespace, package, fingerprints, dynamic, s)

    # -- decisions --

    def explain(self, package_name: str, sha256_fingerprint: str, url: str | None = None) -> AppLinkDecision:
        """See :func:`explain_app_link`."""
        if not isinstance(package_name, str) or not package_name.strip():
            raise ValueError(t("errors.deeplinks.assetlinks.package_name"))
        wanted = normalize_fingerprint(sha256_fingerprint)
        apps = [s for s in self.statements if s.namespace == "android_app"]
        same = [s for s in apps if s.package == package_name]
        granting = [s for s in same if HANDLE_ALL_URLS in s.relations]
        for s in granting:
            for fp in s.fingerprints:
                if _file_fingerprint(fp) == wanted:
                    reason = t("deeplinks.assetlinks.verified", index=s.index, package=package_name, fingerprint=wanted)
                    return self._with_url(AppLinkDecision(True, s.index, reason), s, url)
        if granting:
            where = ", ".join(f"[{s.index}]" for s in granting)
            listed = [fp for s in granting for fp in s.fingerprints]
            reason = t("deeplinks.assetlinks.wrong_fingerprint", where=where, package=package_name,
                       fingerprint=wanted, listed=", ".join(listed) or t("errors.deeplinks.none"))
            bad = [(s.index, k, fp) for s in granting for k, fp in enumerate(s.fingerprints)
                   if _file_fingerprint(fp) is None]
            for idx, k, fp in bad:
                reason += "; " + t("deeplinks.assetlinks.bad_fingerprint",
                                   where=json_path([idx, "target", "sha256_cert_fingerprints", k]),
                                   value=json.dumps(fp))
            decision = AppLinkDecision(False, granting[0].index, reason)
        elif same:
            s = same[0]
            reason = t("deeplinks.assetlinks.wrong_relation", index=s.index, package=package_name,
                       relations=json.dumps(s.relations))
            decision = AppLinkDecision(False, s.index, reason)
        else:
            reason = t("deeplinks.assetlinks.no_statement", package=package_name)
            names = [s.package for s in apps if s.package]
            close = [n for n in names if n.lower() == package_name.lower()] or difflib.get_close_matches(
                package_name, names, n=1, cutoff=0.8)
            if close:
                reason += "." + t("deeplinks.assetlinks.similar_package", similar=close[0])
            decision = AppLinkDecision(False, None, reason)
        return self._with_url(decision, None, url)

    def verify(self, package_name: str, sha256_fingerprint: str) -> bool:
        """See :func:`verify_app_link`."""
        return self.explain(package_name, sha256_fingerprint).verified

    @staticmethod
    def _with_url(decision: AppLinkDecision, statement: _Statement | None, url: str | None) -> AppLinkDecision:
        if url is None:
            return decision
        u = _Url(url)
        rule_index = None
        if not decision.verified:
            allowed, url_reason = False, t("deeplinks.assetlinks.url_not_verified", url=url)
        elif statement is None or statement.dynamic is None:
            allowed, url_reason = True, t("deeplinks.assetlinks.url_no_rules", url=url)
        else:
            rule = next((r for r in statement.dynamic if r.matches(u)), None)
            if rule is None:
                allowed, url_reason = False, t("deeplinks.assetlinks.url_nomatch", path=u.shown())
            else:
                rule_index = rule.index
                where = json_path([statement.index, "relation_extensions", HANDLE_ALL_URLS,
                                   "dynamic_app_link_components", rule.index])
                key = "url_excluded" if rule.exclude else "url_matched"
                allowed = not rule.exclude
                url_reason = t(f"deeplinks.assetlinks.{key}", where=where, path=u.shown(),
                               rule=json.dumps(rule.raw, ensure_ascii=False))
        return AppLinkDecision(decision.verified, decision.statement_index,
                               f"{decision.reason}; {url_reason}", allowed, rule_index, url_reason)


def parse_assetlinks(assetlinks: object) -> AssetLinksFile:
    """Check an ``assetlinks.json`` document (parsed JSON, its text, or an :class:`AssetLinksFile`).

    Wrong structure (not a list, a statement without ``target``, fingerprints that are not a list of
    strings...) raises :class:`~helpers.deeplinks.DeepLinkConfigError` naming the place; a
    fingerprint string of the wrong form is not an error here (it simply never matches, and
    :func:`explain_app_link` and :func:`~helpers.deeplinks.lint_assetlinks` report it).
    """
    if isinstance(assetlinks, AssetLinksFile):
        return assetlinks
    if isinstance(assetlinks, str | bytes | bytearray):
        data = assetlinks.encode("utf-8") if isinstance(assetlinks, str) else bytes(assetlinks)
        return build_from_bytes(data, t("errors.deeplinks.what.assetlinks"), AssetLinksFile)
    return AssetLinksFile(assetlinks)


def load_assetlinks(path) -> AssetLinksFile:
    """Read an ``assetlinks.json`` file from disk (errors name the file, line and column)."""
    return build_from_bytes(read_file_bytes(path), t("errors.deeplinks.what.assetlinks"), AssetLinksFile, str(path))


def verify_app_link(assetlinks: Any, package_name: str, sha256_fingerprint: str) -> bool:
    """True when ``assetlinks`` lets the app ``package_name`` signed with ``sha256_fingerprint``
    handle the domain's links (Google's rules in this module's documentation).

    ``sha256_fingerprint`` may be written with or without colons, in any case; a malformed one
    raises ``ValueError``. A malformed file raises :class:`~helpers.deeplinks.DeepLinkConfigError`.
    """
    return parse_assetlinks(assetlinks).verify(package_name, sha256_fingerprint)


def explain_app_link(assetlinks: Any, package_name: str, sha256_fingerprint: str,
                     url: str | None = None) -> AppLinkDecision:
    """Like :func:`verify_app_link`, with the deciding statement and a reason in words; with ``url``,
    also whether Android 15+ opens that URL in the app under the file's Dynamic App Links rules.

    >>> fp = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"
    >>> d = explain_app_link([{"relation": ["delegate_permission/common.handle_all_urls"],
    ...     "target": {"namespace": "android_app", "package_name": "com.example.app",
    ...                "sha256_cert_fingerprints": [fp]},
    ...     "relation_extensions": {"delegate_permission/common.handle_all_urls": {
    ...         "dynamic_app_link_components": [{"/": "/legal/*", "exclude": True}, {"/": "/*"}]}}}],
    ...     "com.example.app", fp, url="https://example.com/legal/terms")
    >>> d.verified, d.url_allowed, d.rule_index
    (True, False, 0)
    """
    return parse_assetlinks(assetlinks).explain(package_name, sha256_fingerprint, url)
