"""AdAttributionKit (AAK) postbacks: a JSON envelope around a signed JWS.

Facts follow ``shared/reference/skan-privacy-sandbox.md`` part A7, from Apple's pages
https://developer.apple.com/documentation/adattributionkit/verifying-a-postback and
https://developer.apple.com/documentation/adattributionkit/identifying-the-parameters-in-a-postback.

* The body is JSON: ``jws-string`` (a compact JWS, ``header.payload.signature`` in base64url, the
  **only signed part**) and the unsigned ``conversion-value`` or ``coarse-conversion-value``,
  ``ad-interaction-type`` (``view``/``click``) and ``country-code``.
* The JWS header is ``{"kid": ..., "alg": "ES256"}``: ECDSA P-256 with SHA-256 over the ASCII text
  ``header.payload`` (RFC 7515); the signature is the raw 64 bytes ``r || s``, not DER.
* The key is chosen by ``kid`` (:data:`AAK_PUBLIC_KEYS`): ``apple-cas-identifier/0`` in production
  (the same P-256 key as SKAdNetwork 2.1+), ``apple-development-identifier/0`` and ``/1`` for
  development and developer-settings postbacks.

As for SKAN: a well-formed postback with a wrong signature gives ``False``; a malformed one raises
:class:`~helpers.skan.PostbackError` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from helpers.messages import t
from helpers.skan.postbacks import (
    _ECDSA_SHA256,
    APPLE_PUBLIC_KEYS,
    PostbackError,
    _load_key_text,
    load_public_key,
)
from helpers.skan.schema import COARSE_VALUES, FINE_VALUES

__all__ = ["AAK_PUBLIC_KEYS", "decode_aak_postback", "is_aak_postback", "parse_aak_postback",
           "verify_aak_postback"]

AAK_PUBLIC_KEYS: dict[str, str] = {
    "apple-cas-identifier/0": APPLE_PUBLIC_KEYS["P-256"],
    "apple-development-identifier/0": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAELeEDzpJEP+/qRSE5hJVC1p1J0ssUnQGMzBBbvnAC"
                                      "Bok8OVGGLgxL0myrKiy6lvRtSlLRsWit87i+vftD8AEqeQ==",
    "apple-development-identifier/1": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YzdO7eM97s/IJ25kdW5CZ3A14USE5IJ5Ha/vhWa"
                                      "xI6UBI1ZxCEvjrKxVluVGe6qWwF1BDFq+QHqKfH5u+wxHQ==",
}
"""Apple's AdAttributionKit public keys by JWS ``kid`` (NIST P-256, base64 DER). Reference A7."""

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_DIGITS = re.compile(r"[0-9]{2,4}")
_CONVERSION_TYPES = ("download", "redownload", "re-engagement")


def is_aak_postback(postback) -> bool:
    """True for an AdAttributionKit envelope (a mapping with ``jws-string``)."""
    return isinstance(postback, Mapping) and "jws-string" in postback


def _b64url(part: str, what: str) -> bytes:
    """``what``: the message key naming the part (``errors.skan_aak.part_header`` ...)."""
    if not _B64URL.fullmatch(part):
        raise PostbackError("jws-string", t("errors.skan_aak.not_b64url", part=t(what)))
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PostbackError("jws-string", t("errors.skan_aak.bad_b64url", part=t(what), problem=exc)) from exc


def _json_part(part: str, what: str) -> dict:
    raw = _b64url(part, what)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PostbackError("jws-string", t("errors.skan_aak.not_json", part=t(what), problem=exc)) from exc
    if not isinstance(value, dict):
        raise PostbackError("jws-string", t("errors.skan_aak.json_type", part=t(what), type=type(value).__name__))
    return value


def _need(obj: dict, key: str, ok, expected: str) -> None:
    """``expected``: the message key saying what the field must be."""
    if key not in obj:
        raise PostbackError(key, t("errors.skan_aak.missing"))
    if not ok(obj[key]):
        raise PostbackError(key, t("errors.skan_postbacks.must_be", expected=t(expected), value=obj[key]))


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_aak_postback(postback) -> dict:
    """An AAK postback checked and opened: ``{"envelope", "header", "payload", "signing_input",
    "signature"}``. Accepts the envelope (dict or JSON text) or the bare compact JWS text.

    Raises :class:`~helpers.skan.PostbackError` naming the field for a malformed postback.
    """
    if isinstance(postback, (bytes, bytearray)):
        postback = bytes(postback).decode("utf-8", errors="strict")
    if isinstance(postback, str) and not postback.lstrip().startswith("{"):
        postback = {"jws-string": postback.strip()}
    elif isinstance(postback, str):
        try:
            postback = json.loads(postback)
        except json.JSONDecodeError as exc:
            raise PostbackError(None, t("errors.skan_aak.not_json_text", problem=exc.msg, line=exc.lineno,
                                        column=exc.colno)) from exc
    if not isinstance(postback, Mapping):
        raise PostbackError(None, t("errors.skan_aak.not_object", type=type(postback).__name__))
    env = dict(postback)
    jws = env.get("jws-string")
    if not isinstance(jws, str) or not jws:
        raise PostbackError("jws-string", t("errors.skan_aak.jws_missing"))
    parts = jws.split(".")
    if len(parts) != 3:
        raise PostbackError("jws-string", t("errors.skan_aak.jws_parts", count=len(parts)))
    header = _json_part(parts[0], "errors.skan_aak.part_header")
    payload = _json_part(parts[1], "errors.skan_aak.part_payload")
    if header.get("alg") != "ES256":
        raise PostbackError("alg", t("errors.skan_aak.alg", value=header.get("alg")))
    if not isinstance(header.get("kid"), str):
        raise PostbackError("kid", t("errors.skan_aak.kid_text", value=header.get("kid")))
    signature = _b64url(parts[2], "errors.skan_aak.part_signature")
    if len(signature) != 64:
        raise PostbackError("jws-string", t("errors.skan_aak.signature_length", count=len(signature)))
    _need(payload, "ad-network-identifier", lambda v: isinstance(v, str) and v != "",
          "errors.skan_postbacks.kind_str")
    _need(payload, "source-identifier", lambda v: isinstance(v, str) and bool(_DIGITS.fullmatch(v)),
          "errors.skan_aak.expect_digits")
    _need(payload, "advertised-item-identifier", lambda v: _is_int(v) and v >= 0,
          "errors.skan_postbacks.kind_uint")
    _need(payload, "postback-identifier", lambda v: isinstance(v, str) and v != "",
          "errors.skan_postbacks.kind_str")
    _need(payload, "postback-sequence-index", lambda v: v in (0, 1, 2) and _is_int(v), "errors.skan_aak.expect_index")
    _need(payload, "did-win", lambda v: isinstance(v, bool), "errors.skan_aak.expect_bool")
    _need(payload, "conversion-type", lambda v: v in _CONVERSION_TYPES,
          "errors.skan_aak.expect_conversion_type")
    if "conversion-value" in env and env["conversion-value"] is not None:
        cv = env["conversion-value"]
        if not _is_int(cv) or not 0 <= cv < FINE_VALUES:
            raise PostbackError("conversion-value", t("errors.skan_postbacks.fine_range", value=cv))
    if env.get("coarse-conversion-value") is not None:
        if env["coarse-conversion-value"] not in COARSE_VALUES:
            raise PostbackError("coarse-conversion-value",
                                t("errors.skan_postbacks.coarse_value", value=env["coarse-conversion-value"]))
        if env.get("conversion-value") is not None:
            raise PostbackError("conversion-value and coarse-conversion-value",
                                t("errors.skan_postbacks.values_both"))
    if env.get("ad-interaction-type") not in (None, "view", "click"):
        raise PostbackError("ad-interaction-type", t("errors.skan_aak.interaction", value=env["ad-interaction-type"]))
    return {"envelope": env, "header": header, "payload": payload,
            "signing_input": f"{parts[0]}.{parts[1]}", "signature": signature}


def verify_aak_postback(postback, public_key=None) -> bool:
    """True when the AAK postback's JWS signature is valid.

    With no ``public_key`` the key is Apple's for the header's ``kid`` (:data:`AAK_PUBLIC_KEYS`; an
    unknown ``kid`` raises). Returns ``False`` for a well-formed postback whose signature does not
    match; raises :class:`~helpers.skan.PostbackError` for a malformed one. The envelope's values
    (conversion values, ``ad-interaction-type``, ``country-code``) are not signed.
    """
    parsed = parse_aak_postback(postback)
    if public_key is None:
        kid = parsed["header"]["kid"]
        if kid not in AAK_PUBLIC_KEYS:
            raise PostbackError("kid", t("errors.skan_aak.kid_unknown", kid=kid, kids=", ".join(AAK_PUBLIC_KEYS)))
        key = _load_key_text(AAK_PUBLIC_KEYS[kid])
    else:
        key = load_public_key(public_key)
    sig = parsed["signature"]
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        key.verify(der, parsed["signing_input"].encode("ascii"), _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


def decode_aak_postback(postback) -> dict:
    """An AAK postback as a tidy record (snake_case keys; ``None`` where it says nothing): ``kid``,
    ``ad_network_id``, ``source_identifier``, ``source_digits``, ``advertised_item_id``,
    ``publisher_item_id``, ``marketplace_id``, ``conversion_type``, ``impression_type``, ``did_win``,
    ``postback_sequence_index``, ``postback_identifier``, ``conversion_value``,
    ``coarse_conversion_value``, ``value_kind``, ``ad_interaction_type``, ``country_code``."""
    parsed = parse_aak_postback(postback)
    p, env = parsed["payload"], parsed["envelope"]
    fine, coarse = env.get("conversion-value"), env.get("coarse-conversion-value")
    return {
        "kid": parsed["header"]["kid"],
        "ad_network_id": p["ad-network-identifier"],
        "source_identifier": p["source-identifier"],
        "source_digits": len(p["source-identifier"]),
        "advertised_item_id": p["advertised-item-identifier"],
        "publisher_item_id": p.get("publisher-item-identifier"),
        "marketplace_id": p.get("marketplace-identifier"),
        "conversion_type": p["conversion-type"],
        "impression_type": p.get("impression-type"),
        "did_win": p["did-win"],
        "postback_sequence_index": p["postback-sequence-index"],
        "postback_identifier": p["postback-identifier"],
        "conversion_value": fine,
        "coarse_conversion_value": coarse,
        "value_kind": "fine" if fine is not None else "coarse" if coarse is not None else "none",
        "ad_interaction_type": env.get("ad-interaction-type"),
        "country_code": env.get("country-code"),
    }
