"""SKAdNetwork install-validation postbacks: checking, signature strings, signing, verifying, decoding.

Facts follow ``shared/reference/skan-privacy-sandbox.md`` part A (A4 keys, A5 signatures, A6 test
vectors), which cites Apple's documentation:

* keys per version — https://developer.apple.com/documentation/storekit/identifying-the-parameters-in-install-validation-postbacks
* the signed string — .../verifying-an-install-validation-postback (4.0),
  .../combining-parameters-for-skadnetwork-3-postbacks (3.0) and
  .../combining-parameters-for-previous-skadnetwork-postback-versions (1.0–2.2).

**How a postback is verified.** Apple signs some of the postback's values, in a fixed order per
version, joined with the invisible separator U+2063 (:func:`signature_payload`), with ECDSA over
SHA-256. ``attribution-signature`` is base64 of the DER signature. Versions 1.0 and 2.0 use Apple's
NIST P-192 key, versions 2.1 and later its P-256 key (:data:`APPLE_PUBLIC_KEYS`). Conversion values
and ``country-code`` are never signed: anyone on the way can change them without breaking the
signature.

**What verifying tells you, and what it raises.** :func:`verify_postback` returns ``True`` or
``False`` for a well-formed postback: ``False`` means the signature does not match its signed fields
under the key (a changed field, a forged postback, the wrong key). A *malformed* postback (not a
JSON object, an unknown version, a missing or wrongly typed field, a signature that is not base64 or
not DER) raises :class:`PostbackError`, a ``ValueError`` whose message starts with the field's name
and says what was expected. So ``False`` means "someone changed or forged it" and an exception
means "this is not a postback Apple could have sent".

**The course's own key.** :func:`test_signing_key` is *MMA TEST KEY — not Apple's*: the world's
simulator signs its postbacks with it (:func:`sign_postback`). Those postbacks do not verify against
Apple's keys (correctly); pass ``public_key=test_signing_key().public_key()`` to check them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from helpers.messages import t
from helpers.skan.schema import COARSE_VALUES, FINE_VALUES, ConversionSchema

__all__ = [
    "APPLE_KEY_FOR_VERSION", "APPLE_PUBLIC_KEYS", "DECODED_COLUMNS", "SEPARATOR", "SIGNED_FIELDS",
    "TEST_KEY_SEED", "VERSIONS", "PostbackError", "apple_public_key", "decode_postback",
    "load_public_key", "parse_postback", "postbacks_frame", "sign_postback", "signature_payload",
    "signed_fields", "test_public_key_b64", "test_signing_key", "verify_postback",
]

SEPARATOR = "\u2063"
"""U+2063 INVISIBLE SEPARATOR, the glue between signed values (UTF-8 bytes E2 81 A3)."""

VERSIONS: tuple[str, ...] = ("1.0", "2.0", "2.1", "2.2", "3.0", "4.0")
"""SKAdNetwork postback versions this module reads. A postback without ``version`` is 1.0."""

# The signed fields of each version, in Apple's order. "[source]" stands for source-app-id (or, in
# 4.0, source-domain), included only when the postback carries it.
_OPTIONAL = "[source]"
SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "1.0": ("ad-network-id", "campaign-id", "app-id", "transaction-id"),
    "2.0": ("version", "ad-network-id", "campaign-id", "app-id", "transaction-id", "redownload", _OPTIONAL),
    "2.1": ("version", "ad-network-id", "campaign-id", "app-id", "transaction-id", "redownload", _OPTIONAL),
    "2.2": ("version", "ad-network-id", "campaign-id", "app-id", "transaction-id", "redownload", _OPTIONAL,
            "fidelity-type"),
    "3.0": ("version", "ad-network-id", "campaign-id", "app-id", "transaction-id", "redownload", _OPTIONAL,
            "fidelity-type", "did-win"),
    "4.0": ("version", "ad-network-id", "source-identifier", "app-id", "transaction-id", "redownload",
            _OPTIONAL, "fidelity-type", "did-win", "postback-sequence-index"),
}
"""Signed fields per version in Apple's order; ``"[source]"`` stands for ``source-app-id`` (or, in 4.0,
``source-domain``), present only when the postback has it. See :func:`signed_fields` for one postback."""

APPLE_PUBLIC_KEYS: dict[str, str] = {
    "P-192": "MEkwEwYHKoZIzj0CAQYIKoZIzj0DAQEDMgAEMyHD625uvsmGq4C43cQ9BnfN2xslVT5V1nOmAMP6qaRRUll3PB1JYmgSm+62sosG",
    "P-256": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWdp8GPcGqmhgzEFj9Z2nSpQVddayaPe4FMzqM9wib1+aHaaIzoHoLN9zW4K8y4SP"
             "ykE3YVK3sVqW6Af0lfx3gg==",
}
"""Apple's published SKAdNetwork public keys (base64 DER SubjectPublicKeyInfo). P-192 (secp192r1) is
printed in the SKAdNetwork 1 and 2 release notes; P-256 (prime256v1) in "Verifying an install-validation
postback" (it is also AdAttributionKit's production key ``apple-cas-identifier/0``). Reference A5."""

APPLE_KEY_FOR_VERSION: dict[str, str] = {"1.0": "P-192", "2.0": "P-192", "2.1": "P-256", "2.2": "P-256",
                                         "3.0": "P-256", "4.0": "P-256"}
"""Which of Apple's keys signs each version: NIST P-192 for 1.0 and 2.0, P-256 from 2.1 on."""

TEST_KEY_SEED = "MMA TEST KEY - not Apple's - Mobile Measurement Academy SKAN simulator"

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
_DIGITS = re.compile(r"[0-9]{2,4}")


class PostbackError(ValueError):
    """A postback that is not well formed. ``field`` names the key at fault (``None`` when the whole
    postback is wrong, e.g. not a JSON object); the message starts with it and says what was expected."""

    def __init__(self, field: str | None, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)

    def __reduce__(self):  # picklable (multiprocessing), though __init__ takes two arguments
        return (type(self), (self.field, self.problem))


# ---------------------------------------------------------------------------------------------
# checking a postback


def _as_mapping(postback) -> dict:
    if isinstance(postback, (bytes, bytearray)):
        try:
            postback = bytes(postback).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PostbackError(None, t("errors.skan_postbacks.not_utf8", reason=exc.reason,
                                        position=exc.start)) from exc
    if isinstance(postback, str):
        try:
            postback = json.loads(postback)
        except json.JSONDecodeError as exc:
            raise PostbackError(None, t("errors.skan_postbacks.not_json", problem=exc.msg, line=exc.lineno,
                                        column=exc.colno)) from exc
    if not isinstance(postback, Mapping):
        raise PostbackError(None, t("errors.skan_postbacks.not_object", type=type(postback).__name__))
    return dict(postback)


_KIND_TEXT = {"str": "errors.skan_postbacks.kind_str", "int": "errors.skan_postbacks.kind_int",
              "uint": "errors.skan_postbacks.kind_uint", "bool": "errors.skan_postbacks.kind_bool"}
"""The message key that says what a field of each kind must be."""


def _check(key: str, value, kind: str) -> None:
    if kind == "str":
        ok = isinstance(value, str) and value != ""
    elif kind == "bool":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, int) and not isinstance(value, bool) and (kind == "int" or value >= 0)
    if not ok:
        raise PostbackError(key, t("errors.skan_postbacks.must_be", expected=t(_KIND_TEXT[kind]), value=value))


def parse_postback(postback) -> dict:
    """A postback as a dict (accepts a dict, JSON text or bytes), with its fields checked.

    Required per version (reference A4): ``ad-network-id``, ``app-id``, ``transaction-id`` always;
    ``campaign-id`` (1.0–3.0) or ``source-identifier`` (4.0, a string of 2–4 digits);
    ``redownload`` from 2.0; ``fidelity-type`` (0 or 1) from 2.2; ``did-win`` from 3.0;
    ``postback-sequence-index`` (0, 1, 2) in 4.0. Optional fields are checked when present:
    ``source-app-id``, ``source-domain`` (4.0, not with ``source-app-id``), ``conversion-value``
    (0–63) or ``coarse-conversion-value`` (4.0; never both), ``country-code``,
    ``attribution-signature``. An optional field set to JSON ``null`` counts as absent (some logs
    write nulls); it is dropped from the result.

    Raises :class:`PostbackError` (a ``ValueError``) naming the first missing or invalid field.
    Unknown extra keys (a network's own ``timestamp``, for example) are kept and ignored, as Apple's
    verifiers do.
    """
    pb = _as_mapping(postback)
    for key in ("source-app-id", "source-domain", "conversion-value", "coarse-conversion-value", "country-code"):
        if key in pb and pb[key] is None:
            del pb[key]
    version = pb.get("version", "1.0")
    if not isinstance(version, str):
        raise PostbackError("version", t("errors.skan_postbacks.version_text", version=version))
    if version not in VERSIONS:
        raise PostbackError("version", t("errors.skan_postbacks.version_unsupported", version=version,
                                         versions=", ".join(VERSIONS)))

    def need(key: str, kind: str) -> None:
        if key not in pb:
            raise PostbackError(key, t("errors.skan_postbacks.missing", version=version))
        _check(key, pb[key], kind)

    need("ad-network-id", "str")
    if version == "4.0":
        need("source-identifier", "str")
        sid = pb["source-identifier"]
        if not _DIGITS.fullmatch(sid):
            raise PostbackError("source-identifier", t("errors.skan_postbacks.source_identifier", value=sid))
    else:
        need("campaign-id", "uint")
    need("app-id", "uint")
    need("transaction-id", "str")
    if version != "1.0":
        need("redownload", "bool")
    elif "redownload" in pb:  # real 1.0 postbacks carry it, unsigned
        _check("redownload", pb["redownload"], "bool")
    if version in ("2.2", "3.0", "4.0"):
        need("fidelity-type", "int")
        if pb["fidelity-type"] not in (0, 1):
            raise PostbackError("fidelity-type", t("errors.skan_postbacks.fidelity", value=pb["fidelity-type"]))
    if version in ("3.0", "4.0"):
        need("did-win", "bool")
    if version == "4.0":
        need("postback-sequence-index", "int")
        if pb["postback-sequence-index"] not in (0, 1, 2):
            raise PostbackError("postback-sequence-index",
                                t("errors.skan_postbacks.sequence_index", value=pb["postback-sequence-index"]))
    if "source-app-id" in pb:
        _check("source-app-id", pb["source-app-id"], "uint")
    if "source-domain" in pb:
        if version != "4.0":
            raise PostbackError("source-domain", t("errors.skan_postbacks.v4_only", version=version))
        _check("source-domain", pb["source-domain"], "str")
        if "source-app-id" in pb:
            raise PostbackError("source-app-id and source-domain", t("errors.skan_postbacks.source_both"))
    if "conversion-value" in pb:
        cv = pb["conversion-value"]
        if isinstance(cv, bool) or not isinstance(cv, int) or not 0 <= cv < FINE_VALUES:
            raise PostbackError("conversion-value", t("errors.skan_postbacks.fine_range", value=cv))
    if "coarse-conversion-value" in pb:
        if version != "4.0":
            raise PostbackError("coarse-conversion-value", t("errors.skan_postbacks.v4_only", version=version))
        if pb["coarse-conversion-value"] not in COARSE_VALUES:
            raise PostbackError("coarse-conversion-value",
                                t("errors.skan_postbacks.coarse_value", value=pb["coarse-conversion-value"]))
        if "conversion-value" in pb:
            raise PostbackError("conversion-value and coarse-conversion-value",
                                t("errors.skan_postbacks.values_both"))
    if "country-code" in pb:
        cc = pb["country-code"]
        if not (isinstance(cc, str) and len(cc) == 2 and cc.isascii() and cc.isalpha()):
            raise PostbackError("country-code", t("errors.skan_postbacks.country_code", value=cc))
    if "attribution-signature" in pb:
        _check("attribution-signature", pb["attribution-signature"], "str")
    return pb


# ---------------------------------------------------------------------------------------------
# signature payloads


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _signed_keys(pb: dict) -> tuple[str, ...]:
    keys: list[str] = []
    for key in SIGNED_FIELDS[pb.get("version", "1.0")]:
        if key == _OPTIONAL:
            keys += [s for s in ("source-app-id", "source-domain") if s in pb]
        else:
            keys.append(key)
    return tuple(keys)


def _payload(pb: dict) -> str:
    return SEPARATOR.join(_text(pb[k]) for k in _signed_keys(pb))


def signed_fields(postback) -> tuple[str, ...]:
    """The keys of this postback that Apple signs, in the order they are joined.

    >>> signed_fields({"version": "2.1", "ad-network-id": "n", "campaign-id": 1, "app-id": 2,
    ...                "transaction-id": "t", "redownload": False, "conversion-value": 5})
    ('version', 'ad-network-id', 'campaign-id', 'app-id', 'transaction-id', 'redownload')
    """
    return _signed_keys(parse_postback(postback))


def signature_payload(postback) -> str:
    """The exact text Apple signs for this postback (its version's fields joined with U+2063).

    Order per version (Apple's "Combining parameters" and "Verifying an install-validation postback"
    pages; reference A5):

    * 1.0: ad-network-id, campaign-id, app-id, transaction-id (no ``version``, no ``redownload``)
    * 2.0, 2.1: version, ad-network-id, campaign-id, app-id, transaction-id, redownload, [source-app-id]
    * 2.2: … as 2.1, then fidelity-type
    * 3.0: … as 2.2, then did-win
    * 4.0: version, ad-network-id, source-identifier, app-id, transaction-id, redownload,
      [source-app-id or source-domain], fidelity-type, did-win, postback-sequence-index

    Bracketed fields are included only when present. Booleans are written ``true``/``false``,
    integers in decimal. ``conversion-value``, ``coarse-conversion-value`` and ``country-code`` are
    never signed. Accepts a dict or JSON text; raises :class:`PostbackError` (a ``ValueError``)
    naming the field for a malformed postback.

    >>> pb = {"version": "3.0", "ad-network-id": "example123.skadnetwork", "campaign-id": 42,
    ...       "app-id": 525463029, "transaction-id": "t-1", "redownload": True, "fidelity-type": 1,
    ...       "did-win": False}
    >>> signature_payload(pb).split(SEPARATOR)
    ['3.0', 'example123.skadnetwork', '42', '525463029', 't-1', 'true', '1', 'false']
    """
    return _payload(parse_postback(postback))


# ---------------------------------------------------------------------------------------------
# keys


@functools.cache
def apple_public_key(version: str) -> ec.EllipticCurvePublicKey:
    """Apple's public key for a postback version: P-192 for 1.0 and 2.0, P-256 for 2.1–4.0."""
    if version not in APPLE_KEY_FOR_VERSION:
        raise PostbackError("version", t("errors.skan_postbacks.version_no_key", version=version,
                                         versions=", ".join(VERSIONS)))
    return _load_key_text(APPLE_PUBLIC_KEYS[APPLE_KEY_FOR_VERSION[version]])


@functools.cache
def _test_private_key() -> ec.EllipticCurvePrivateKey:
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # order of P-256
    secret = int.from_bytes(hashlib.sha256(TEST_KEY_SEED.encode()).digest(), "big") % (n - 1) + 1
    return ec.derive_private_key(secret, ec.SECP256R1())


def test_signing_key() -> ec.EllipticCurvePrivateKey:
    """The course's P-256 signing key — **MMA TEST KEY — not Apple's**.

    Derived from a fixed, public seed text, so it is the same everywhere and anyone can forge
    postbacks with it: it is for simulations and exercises only. Postbacks it signs (correctly)
    fail verification against Apple's keys; verify them with ``public_key=test_signing_key()``.
    """
    return _test_private_key()


def test_public_key_b64() -> str:
    """The test key's public half as base64 DER (SubjectPublicKeyInfo), the format Apple publishes keys in."""
    der = test_signing_key().public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


test_signing_key.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
test_public_key_b64.__test__ = False  # type: ignore[attr-defined]


def _checked_key(loaded) -> ec.EllipticCurvePublicKey:
    if not isinstance(loaded, ec.EllipticCurvePublicKey):
        raise ValueError("public_key: " + t("errors.skan_postbacks.key_not_ec", type=type(loaded).__name__))
    return loaded


@functools.lru_cache(maxsize=64)
def _load_key_text(text: str) -> ec.EllipticCurvePublicKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            return _checked_key(serialization.load_pem_public_key(text.encode()))
        der = base64.b64decode("".join(text.split()), validate=True)
        return _checked_key(serialization.load_der_public_key(der))
    except (binascii.Error, ValueError, UnsupportedAlgorithm) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith("public_key:"):
            raise
        raise ValueError("public_key: " + t("errors.skan_postbacks.key_not_pem", problem=exc)) from None


@functools.lru_cache(maxsize=64)
def _load_key_bytes(data: bytes) -> ec.EllipticCurvePublicKey:
    if data.lstrip().startswith(b"-----BEGIN") or data.isascii():
        try:
            return _load_key_text(data.decode("ascii"))
        except ValueError:
            if data.lstrip().startswith(b"-----BEGIN"):
                raise
    try:
        return _checked_key(serialization.load_der_public_key(data))
    except (ValueError, UnsupportedAlgorithm) as exc:
        if str(exc).startswith("public_key:"):
            raise
        raise ValueError("public_key: " + t("errors.skan_postbacks.key_not_any")) from None


def load_public_key(key) -> ec.EllipticCurvePublicKey:
    """An elliptic-curve public key from a key object (public or private), PEM text, DER bytes or
    base64 DER text (Apple's format). Loaded keys are cached, so passing the same text again is cheap.
    Raises ``ValueError`` starting with ``public_key:`` when it is none of these."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key
    if isinstance(key, str):
        return _load_key_text(key)
    if isinstance(key, (bytes, bytearray, memoryview)):
        return _load_key_bytes(bytes(key))
    raise ValueError("public_key: " + t("errors.skan_postbacks.key_type", type=type(key).__name__))


# ---------------------------------------------------------------------------------------------
# signing and verifying


def sign_postback(postback, private_key: ec.EllipticCurvePrivateKey | None = None) -> dict:
    """A copy of the postback with ``attribution-signature`` set (ECDSA, SHA-256, base64 DER).

    ``private_key`` defaults to :func:`test_signing_key` (MMA TEST KEY — not Apple's). Signing is
    deterministic (RFC 6979), so the same postback always gets the same signature.
    """
    pb = parse_postback(postback)
    key = test_signing_key() if private_key is None else private_key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(t("errors.skan_postbacks.private_key", type=type(key).__name__))
    der = key.sign(_payload(pb).encode("utf-8"), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    pb["attribution-signature"] = base64.b64encode(der).decode("ascii")
    return pb


def _signature_bytes(pb: dict) -> bytes:
    text = pb.get("attribution-signature")
    if text is None:
        raise PostbackError("attribution-signature", t("errors.skan_postbacks.signature_missing"))
    try:
        sig = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PostbackError("attribution-signature", t("errors.skan_postbacks.signature_base64", problem=exc)) from exc
    try:
        decode_dss_signature(sig)
    except ValueError as exc:
        raise PostbackError("attribution-signature", t("errors.skan_postbacks.signature_der")) from exc
    return sig


def _verify_parsed(pb: dict, key: ec.EllipticCurvePublicKey) -> bool:
    sig = _signature_bytes(pb)
    try:
        key.verify(sig, _payload(pb).encode("utf-8"), _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


def verify_postback(postback, public_key=None) -> bool:
    """True when the postback's ``attribution-signature`` is valid for its signed fields.

    With no ``public_key`` the postback is checked against **Apple's published key for its version**
    (P-192 for 1.0 and 2.0, P-256 for 2.1–4.0; :data:`APPLE_PUBLIC_KEYS`). Pass ``public_key`` (a key
    object, PEM, DER bytes or base64 DER text) to use another key — for the kit's simulated
    postbacks, ``test_signing_key()`` (MMA TEST KEY, not Apple's).

    Returns ``False`` for a well-formed postback whose signature does not match (a changed signed
    field, a forgery, another key). Raises :class:`PostbackError` (a ``ValueError``) naming the field
    for a malformed one: not a JSON object, unknown version, missing or wrongly typed fields, a
    missing signature, a signature that is not base64 or not DER. A bad ``public_key`` raises
    ``ValueError`` starting with ``public_key:``.

    An AdAttributionKit postback (a JSON object with ``jws-string``) is passed on to
    :func:`helpers.skan.aak.verify_aak_postback`, which picks Apple's key by the JWS ``kid``.

    >>> pb = {"version": "4.0", "ad-network-id": "com.example", "source-identifier": "39",
    ...       "app-id": 525463029, "transaction-id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e31",
    ...       "redownload": False, "source-domain": "example.com", "fidelity-type": 1, "did-win": True,
    ...       "coarse-conversion-value": "high", "postback-sequence-index": 0,
    ...       "attribution-signature": "MEUCIQD4rX6eh38qEhuUKHdap345UbmlzA7KEZ1bhWZuYM8MJwIgMnyiiZe6heabDkGwOaKBYrUXQhKtF3P/ERHqkR/XpuA="}
    >>> verify_postback(pb)            # Apple's example postback, Apple's key
    True
    >>> verify_postback(dict(pb, **{"did-win": False}))   # a signed field changed
    False
    >>> verify_postback(dict(pb, **{"coarse-conversion-value": "low"}))   # not signed
    True
    """
    pb = _as_mapping(postback)
    if "jws-string" in pb:
        from helpers.skan.aak import verify_aak_postback

        return verify_aak_postback(pb, public_key)
    pb = parse_postback(pb)
    key = apple_public_key(pb.get("version", "1.0")) if public_key is None else load_public_key(public_key)
    return _verify_parsed(pb, key)


# ---------------------------------------------------------------------------------------------
# decoding


DECODED_COLUMNS: dict[str, str] = {
    "version": "string", "ad_network_id": "string", "transaction_id": "string", "app_id": "Int64",
    "campaign_id": "Int64", "source_identifier": "string", "source_digits": "Int64", "source_app_id": "Int64",
    "source_domain": "string", "redownload": "boolean", "fidelity_type": "Int64", "did_win": "boolean",
    "postback_sequence_index": "Int64", "conversion_value": "Int64", "coarse_conversion_value": "string",
    "value_kind": "string", "country_code": "string", "tier_at_least": "Int64", "signed": "boolean",
}
"""The columns of :func:`postbacks_frame` (and keys of :func:`decode_postback`) with their pandas dtypes.
With a schema, ``revenue_from`` and ``revenue_below`` (float) and ``events`` (string) follow."""


def _tier_at_least(pb: dict) -> int | None:
    """The lowest crowd-anonymity tier consistent with what a 4.0 postback carries (reference A3)."""
    if pb.get("version") != "4.0":
        return None
    if "source-app-id" in pb or "source-domain" in pb:
        return 3
    if "conversion-value" in pb or len(pb["source-identifier"]) > 2:
        return 2
    if "coarse-conversion-value" in pb or pb["postback-sequence-index"] > 0:
        return 1
    return 0


def decode_postback(postback, schema: ConversionSchema | None = None) -> dict:
    """One postback as a tidy record (snake_case keys, ``None`` where the postback says nothing).

    * ``version``, ``ad_network_id``, ``transaction_id``, ``app_id``;
    * the campaign: ``campaign_id`` (versions 1.0–3.0, an integer) or ``source_identifier`` (4.0, the
      2–4 digit string as sent) with ``source_digits`` (2, 3 or 4: fewer digits, smaller crowd);
    * the publisher: ``source_app_id`` or ``source_domain`` (4.0 web ads) — only when the privacy
      tier allowed it;
    * ``redownload``, ``fidelity_type`` (1 StoreKit-rendered or web, 0 view-through; from 2.2);
    * ``did_win``: from 3.0 as sent; ``True`` before 3.0 (only the winner got a postback then);
    * ``postback_sequence_index``: the conversion window, 0–2 in 4.0; 0 before 4.0 (one postback);
    * ``conversion_value`` (fine, 0–63) or ``coarse_conversion_value``, and ``value_kind``
      (``"fine"``, ``"coarse"`` or ``"none"``: a null value, from a low tier or an app that never set one);
    * ``country_code`` (tier 3 only);
    * ``tier_at_least`` (4.0): the lowest crowd-anonymity tier consistent with the fields present
      (3 with a source app or domain; 2 with a fine value or a 3–4 digit identifier; 1 with a coarse
      value or a later window; else 0). Apple does not send the tier itself, and an app that never
      set a value looks like tier 0, so this is a lower bound;
    * ``signed``: whether it carries an ``attribution-signature`` (not whether it verifies).

    With a :class:`~helpers.skan.ConversionSchema`, also what the value means under it:
    ``revenue_from`` / ``revenue_below`` (NaN when the value says nothing about revenue) and
    ``events`` (the schema events it says happened, joined with ``" + "``). A fine value the schema
    does not use raises :class:`PostbackError`. Malformed postbacks raise :class:`PostbackError`.

    >>> rec = decode_postback({"version": "4.0", "ad-network-id": "n.skadnetwork", "source-identifier": "39",
    ...     "app-id": 1, "transaction-id": "t", "redownload": False, "fidelity-type": 1, "did-win": True,
    ...     "postback-sequence-index": 1, "coarse-conversion-value": "medium"},
    ...     schema=ConversionSchema(revenue_edges=[0.01, 5, 20]))
    >>> rec["source_digits"], rec["value_kind"], rec["tier_at_least"], rec["revenue_from"], rec["revenue_below"]
    (2, 'coarse', 1, 0.01, 5.0)
    """
    if schema is not None and not isinstance(schema, ConversionSchema):
        raise ValueError(t("errors.skan_postbacks.schema_type", type=type(schema).__name__))
    pb = parse_postback(postback)
    return _decode(pb, schema)


def _meaning(schema: ConversionSchema, fine, coarse) -> dict:
    if fine is not None:
        if fine >= schema.n_values:
            raise PostbackError("conversion-value", t("errors.skan_postbacks.fine_unused", value=fine,
                                                      name=schema.name, last=schema.n_values - 1))
        return schema.decode(fine)
    if coarse is not None:
        return schema.decode_coarse(coarse)
    return {"revenue_range": None, "events": ()}


def _decode(pb: dict, schema: ConversionSchema | None, cache: dict | None = None) -> dict:
    version = pb.get("version", "1.0")
    v4 = version == "4.0"
    sid = pb.get("source-identifier") if v4 else None
    fine = pb.get("conversion-value")
    coarse = pb.get("coarse-conversion-value")
    rec = {
        "version": version,
        "ad_network_id": pb["ad-network-id"],
        "transaction_id": pb["transaction-id"],
        "app_id": pb["app-id"],
        "campaign_id": None if v4 else pb["campaign-id"],
        "source_identifier": sid,
        "source_digits": None if sid is None else len(sid),
        "source_app_id": pb.get("source-app-id"),
        "source_domain": pb.get("source-domain"),
        "redownload": pb.get("redownload"),
        "fidelity_type": pb.get("fidelity-type"),
        "did_win": pb.get("did-win", True),
        "postback_sequence_index": pb.get("postback-sequence-index", 0),
        "conversion_value": fine,
        "coarse_conversion_value": coarse,
        "value_kind": "fine" if fine is not None else "coarse" if coarse is not None else "none",
        "country_code": pb.get("country-code"),
        "tier_at_least": _tier_at_least(pb),
        "signed": "attribution-signature" in pb,
    }
    if schema is not None:
        if cache is None:
            meaning = _meaning(schema, fine, coarse)
        else:
            meaning = cache.get((fine, coarse))
            if meaning is None:
                meaning = cache[(fine, coarse)] = _meaning(schema, fine, coarse)
        low, high = meaning["revenue_range"] or (math.nan, math.nan)
        has_value = fine is not None or coarse is not None
        rec |= {"revenue_from": low, "revenue_below": high,
                "events": " + ".join(meaning["events"]) if has_value else None}
    return rec


def postbacks_frame(postbacks, schema: ConversionSchema | None = None, *, verify: bool = False,
                    public_key=None) -> pd.DataFrame:
    """Many postbacks as one tidy DataFrame, one row per postback (columns: :data:`DECODED_COLUMNS`).

    ``postbacks``: an iterable of dicts or JSON texts (e.g. ``postbacks_to_json(view.postbacks)``
    from the world's SKAN view), or one text holding a JSON array or JSON lines. With ``schema``
    the rows also say what each value means (see :func:`decode_postback`). With ``verify=True`` a
    boolean ``valid`` column says whether each signature verifies (Apple's keys, or ``public_key``).
    A malformed postback raises :class:`PostbackError` naming the field and the postback's position
    (``… (postback 3, counting from 0)``).
    """
    if schema is not None and not isinstance(schema, ConversionSchema):
        raise ValueError(t("errors.skan_postbacks.schema_type", type=type(schema).__name__))
    if isinstance(postbacks, pd.DataFrame):
        raise ValueError(t("errors.skan_postbacks.frame_dataframe"))
    if isinstance(postbacks, (str, bytes, bytearray)):
        from helpers.skan.reader import iter_text

        items = []
        for item in iter_text(postbacks if isinstance(postbacks, str) else bytes(postbacks).decode("utf-8")):
            if item.error is not None:
                raise PostbackError(None, t("errors.skan_postbacks.frame_at", location=item.location,
                                            problem=item.error))
            items.append(item.value)
        postbacks = items
    elif isinstance(postbacks, Mapping) or not isinstance(postbacks, Iterable):
        raise ValueError(t("errors.skan_postbacks.frame_type", type=type(postbacks).__name__))
    key = None if public_key is None else load_public_key(public_key)
    rows, valid, cache = [], [], {}
    for i, raw in enumerate(postbacks):
        try:
            pb = parse_postback(raw)
            rows.append(_decode(pb, schema, cache))
            if verify:
                valid.append(_verify_parsed(pb, apple_public_key(pb.get("version", "1.0")) if key is None else key))
        except PostbackError as exc:
            raise PostbackError(exc.field, t("errors.skan_postbacks.frame_position", problem=exc.problem,
                                             index=i)) from exc
    columns = dict(DECODED_COLUMNS)
    if schema is not None:
        columns |= {"revenue_from": "float64", "revenue_below": "float64", "events": "string"}
    frame = pd.DataFrame.from_records(rows, columns=list(columns)) if rows else pd.DataFrame(columns=list(columns))
    for col, dtype in columns.items():
        if dtype == "float64":
            frame[col] = pd.to_numeric(frame[col], errors="raise").astype(float)
        else:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None).astype(dtype)
    if verify:
        frame["valid"] = pd.array(np.asarray(valid, dtype=bool), dtype="boolean")
    return frame
