"""Apple SKAdNetwork (SKAN): conversion-value schemas, postback signature strings, signing and verifying.

Facts follow ``shared/reference/skan-privacy-sandbox.md`` part A (Apple's documentation).

**Conversion values.** SKAN 4 gives the app one *fine* value, an integer 0–63 (6 bits), and one
*coarse* value, ``"low"``, ``"medium"`` or ``"high"``. How the app's events become those values is
the advertiser's choice: a :class:`ConversionSchema` writes that choice down and applies it.

**Signatures.** Apple signs a postback with ECDSA over SHA-256. The signed text is some of the
postback's values, in a fixed order per version, joined with the invisible separator U+2063.
:func:`signature_payload` builds it for versions 1.0 to 4.0; conversion values and
``country-code`` are never part of it. :func:`sign_postback` signs with a key the caller holds, and
:func:`test_signing_key` is this course's own key: *MMA TEST KEY — not Apple's*. Postbacks it signs
are simulations; Apple's devices never produced them.

>>> schema = ConversionSchema(revenue_edges=[0.01, 5, 20, 100])
>>> schema.encode(revenue=[0.0, 7.5, 250.0])
(array([0, 2, 4]), array(['low', 'medium', 'high'], dtype=object))
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "COARSE_VALUES", "FINE_VALUES", "SEPARATOR", "SIGNED_FIELDS", "VERSIONS", "WINDOWS",
    "ConversionSchema", "parse_postback", "sign_postback", "signature_payload", "test_signing_key",
    "verify_postback",
]

FINE_VALUES = 64
"""A fine conversion value is 6 bits: 0 to 63 inclusive."""
COARSE_VALUES: tuple[str, ...] = ("low", "medium", "high")
SEPARATOR = "\u2063"
"""U+2063 INVISIBLE SEPARATOR, the glue between signed values (UTF-8 bytes E2 81 A3)."""

WINDOWS: tuple[tuple[float, float], ...] = ((0.0, 2.0), (2.0, 7.0), (7.0, 35.0))
"""SKAN 4 conversion windows in days after the first launch: [start, end) for
``postback-sequence-index`` 0, 1, 2. Apple calls them days 0–2, 3–7 and 8–35; the second ends seven
days after the first launch, the third after 35 days."""

VERSIONS: tuple[str, ...] = ("1.0", "2.0", "2.1", "2.2", "3.0", "4.0")

# The signed fields of each version, in Apple's order. A name in brackets is included only when
# the postback carries it (source-app-id, or source-domain from 4.0 on).
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
``source-domain``), present only when the postback has it."""

TEST_KEY_SEED = "MMA TEST KEY - not Apple's - Mobile Measurement Academy SKAN simulator"


# ---------------------------------------------------------------------------------------------
# conversion-value schemas


def _parse_event(spec) -> tuple[str, int]:
    """``"purchase"`` -> ("purchase", 1); ``"purchase:3"`` -> ("purchase", 3) (at least 3 times)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"schema event {spec!r} must be a non-empty event name such as 'sign_up' "
                         "or 'purchase:2' (at least two purchases)")
    name, _, count = spec.partition(":")
    if not count:
        return name, 1
    if not count.isdigit() or int(count) < 1:
        raise ValueError(f"schema event {spec!r}: the part after ':' must be a count of 1 or more")
    return name, int(count)


class ConversionSchema:
    """How a user's activity in a conversion window becomes a fine value (0–63) and a coarse value.

    Three layouts, all from one constructor:

    * **Revenue buckets** (``revenue_edges`` only): the fine value is the bucket number. With edges
      ``e1 < e2 < … < ek`` value 0 means revenue below ``e1``, value ``i`` means ``e_i <= revenue < e_(i+1)``,
      value ``k`` means revenue of at least ``ek``. At most 63 edges (64 values).
    * **Funnel bits** (``events`` only): bit ``j`` (value ``2**j``) is set when the user did
      ``events[j]``. ``"purchase:2"`` means at least two purchases. At most 6 events.
    * **Hybrid** (both): the low bits are the events, the high bits the revenue bucket:
      ``fine = bucket * 2**len(events) + event_bits``. The buckets times ``2**len(events)`` must fit in 64.

    Revenue is cumulative since install by default (``cumulative=True``), what most apps report;
    with ``cumulative=False`` each window's value counts only that window's revenue.

    **Coarse value.** ``coarse_revenue=(medium_from, high_from)`` maps revenue to low / medium / high;
    ``coarse_events=(medium_event, high_event)`` maps events instead (high wins over medium). By
    default a schema with revenue edges uses ``(edges[0], edges[len(edges) // 2])`` and a funnel-only
    schema uses ``(events[0], events[-1])``.

    A schema that cannot work (more than 64 fine values, unsorted or negative edges, repeated
    events, a bad coarse rule) raises a ``ValueError`` that says what to change.

    >>> s = ConversionSchema(revenue_edges=[1, 10], events=["sign_up", "purchase:2"])
    >>> s.n_values
    12
    >>> int(s.encode(revenue=[12.0], events={"sign_up": [1], "purchase": [2]})[0][0])
    11
    >>> s.decode(11)["revenue_range"], s.decode(11)["events"]
    ((10.0, inf), ('sign_up', 'purchase:2'))
    """

    def __init__(self, revenue_edges: Sequence[float] | None = None, events: Sequence[str] | None = None,
                 *, coarse_revenue: Sequence[float] | None = None, coarse_events: Sequence[str] | None = None,
                 cumulative: bool = True, name: str | None = None) -> None:
        edges = () if revenue_edges is None else tuple(revenue_edges)
        evs = () if events is None else tuple(events)
        if isinstance(revenue_edges, (str, bytes)) or isinstance(events, (str, bytes)):
            raise ValueError("revenue_edges and events must be lists (e.g. [1, 5, 20] and ['sign_up'])")
        if not edges and not evs:
            raise ValueError("a schema needs revenue_edges, events, or both")
        try:
            edges = tuple(float(e) for e in edges)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"revenue_edges must be numbers, got {revenue_edges!r}") from exc
        if any(not math.isfinite(e) or e < 0 for e in edges):
            raise ValueError(f"revenue_edges must be finite and not negative, got {list(edges)}")
        bad = [i for i in range(1, len(edges)) if edges[i] <= edges[i - 1]]
        if bad:
            i = bad[0]
            raise ValueError(f"revenue_edges must be strictly increasing: {edges[i - 1]:g} is followed by "
                             f"{edges[i]:g} (position {i}); sort them and drop duplicates")
        parsed = tuple(_parse_event(e) for e in evs)
        if len(set(evs)) != len(evs):
            raise ValueError(f"events are repeated: {list(evs)}")
        if len(evs) > 6:
            raise ValueError(f"{len(evs)} events need {len(evs)} bits; a fine value has only 6 (0–63)")
        n_buckets = len(edges) + 1
        n_values = n_buckets * 2 ** len(evs)
        if n_values > FINE_VALUES:
            raise ValueError(
                f"this schema needs {n_values} fine values ({n_buckets} revenue buckets x "
                f"{2 ** len(evs)} event combinations) but SKAN has only 64 (0–63); use fewer edges or events")
        if coarse_revenue is not None and coarse_events is not None:
            raise ValueError("give coarse_revenue or coarse_events, not both")
        if coarse_revenue is None and coarse_events is None:
            if edges:
                coarse_revenue = (edges[0], edges[len(edges) // 2])
            else:
                coarse_events = (evs[0], evs[-1])
        if coarse_revenue is not None:
            cr = tuple(coarse_revenue)
            if len(cr) != 2 or any(not isinstance(x, (int, float)) or not math.isfinite(x) for x in cr) \
                    or cr[0] > cr[1] or cr[0] < 0:
                raise ValueError(f"coarse_revenue must be two numbers (medium_from, high_from) with "
                                 f"0 <= medium_from <= high_from, got {coarse_revenue!r}")
            self.coarse_revenue: tuple[float, float] | None = (float(cr[0]), float(cr[1]))
            self.coarse_events: tuple[str, str] | None = None
        else:
            ce = tuple(coarse_events)
            if len(ce) != 2:
                raise ValueError(f"coarse_events must be two events (medium_event, high_event), got {coarse_events!r}")
            for e in ce:
                _parse_event(e)
            self.coarse_revenue, self.coarse_events = None, (ce[0], ce[1])
        self.revenue_edges: tuple[float, ...] = edges
        self.events: tuple[str, ...] = evs
        self._parsed = parsed
        self.cumulative = bool(cumulative)
        self.name = name or ("hybrid" if edges and evs else "revenue" if edges else "funnel")

    # ---- layout -------------------------------------------------------------------------------

    @property
    def n_values(self) -> int:
        """How many fine values the schema uses (values 0 .. n_values - 1)."""
        return (len(self.revenue_edges) + 1) * 2 ** len(self.events)

    @property
    def event_names(self) -> tuple[str, ...]:
        """The distinct event names the schema counts (``"purchase:2"`` counts ``purchase``)."""
        names = [n for n, _ in self._parsed]
        if self.coarse_events:
            names += [_parse_event(e)[0] for e in self.coarse_events]
        return tuple(dict.fromkeys(names))

    def __repr__(self) -> str:
        return (f"ConversionSchema(revenue_edges={list(self.revenue_edges)}, events={list(self.events)}, "
                f"coarse_revenue={self.coarse_revenue}, coarse_events={self.coarse_events}, "
                f"cumulative={self.cumulative})")

    # ---- encoding ---------------------------------------------------------------------------

    def encode(self, revenue=None, events: Mapping[str, Sequence[int]] | None = None):
        """Fine and coarse values for one or many users (vectorised).

        ``revenue``: revenue in the window (a number or an array). ``events``: a mapping from event
        name to how many times each user did it (numbers or arrays of the same length). Returns
        ``(fine, coarse)``: an int array and an object array of ``"low"``/``"medium"``/``"high"``.
        """
        counts = {k: np.atleast_1d(np.asarray(v, dtype=np.int64)) for k, v in (events or {}).items()}
        lengths = {len(v) for v in counts.values()}
        rev = np.atleast_1d(np.asarray(0.0 if revenue is None else revenue, dtype=float))
        n = max([len(rev), *lengths]) if lengths else len(rev)
        if len(rev) == 1 and n > 1:
            rev = np.repeat(rev, n)
        if len(rev) != n or any(length not in (1, n) for length in lengths):
            raise ValueError("revenue and every event count must have the same length")
        if np.isnan(rev).any() or (rev < 0).any():
            raise ValueError("revenue must be a number >= 0 for every user")

        def did(spec: str) -> np.ndarray:
            name, k = _parse_event(spec)
            c = counts.get(name)
            return np.zeros(n, bool) if c is None else np.broadcast_to(c >= k, (n,))

        bits = np.zeros(n, dtype=np.int64)
        for j, spec in enumerate(self.events):
            bits |= did(spec).astype(np.int64) << j
        bucket = np.searchsorted(np.asarray(self.revenue_edges), rev, side="right") if self.revenue_edges \
            else np.zeros(n, dtype=np.int64)
        fine = bucket.astype(np.int64) * 2 ** len(self.events) + bits
        if self.coarse_revenue is not None:
            level = (rev >= self.coarse_revenue[0]).astype(int) + (rev >= self.coarse_revenue[1]).astype(int)
        else:
            med, high = (did(e) for e in self.coarse_events)
            level = np.where(high, 2, np.where(med, 1, 0))
        coarse = np.asarray(COARSE_VALUES, dtype=object)[level]
        return fine, coarse

    def encode_events(self, events: pd.DataFrame):
        """Encode one user's events (a frame with ``event_name`` and ``revenue``) into ``(fine, coarse)``."""
        missing = {"event_name", "revenue"} - set(events.columns)
        if missing:
            raise ValueError(f"events need the columns {sorted(missing)}")
        counts = events["event_name"].value_counts()
        fine, coarse = self.encode(float(events["revenue"].fillna(0).sum()),
                                   {k: [int(v)] for k, v in counts.items()})
        return int(fine[0]), str(coarse[0])

    # ---- decoding -----------------------------------------------------------------------------

    def decode(self, fine: int) -> dict:
        """What a fine value says: ``{"fine": v, "revenue_range": (low, high), "events": (...)}``."""
        if isinstance(fine, bool) or not isinstance(fine, (int, np.integer)) or not 0 <= fine < FINE_VALUES:
            raise ValueError(f"a fine conversion value is an integer 0–63, got {fine!r}")
        if fine >= self.n_values:
            raise ValueError(f"value {fine} is not used by this schema (it uses 0–{self.n_values - 1})")
        k = len(self.events)
        bucket, bits = int(fine) >> k, int(fine) & (2 ** k - 1)
        lows = (0.0, *self.revenue_edges)
        highs = (*self.revenue_edges, math.inf)
        return {"fine": int(fine), "revenue_range": (lows[bucket], highs[bucket]),
                "events": tuple(e for j, e in enumerate(self.events) if bits >> j & 1)}

    def table(self) -> pd.DataFrame:
        """The documented mapping: one row per fine value with its revenue range and events."""
        rows = [self.decode(v) for v in range(self.n_values)]
        return pd.DataFrame({
            "fine": [r["fine"] for r in rows],
            "revenue_from": [r["revenue_range"][0] for r in rows],
            "revenue_below": [r["revenue_range"][1] for r in rows],
            "events": [" + ".join(r["events"]) for r in rows],
        })


# ---------------------------------------------------------------------------------------------
# postbacks: parsing, signature payloads


def parse_postback(postback) -> dict:
    """A postback as a dict (accepts a dict, JSON text or bytes), with its fields checked.

    Raises ``ValueError`` naming the first missing or invalid field. Unknown extra keys (a network's
    own ``timestamp``, for example) are allowed and ignored, as Apple's verifiers do.
    """
    if isinstance(postback, (bytes, bytearray)):
        postback = postback.decode("utf-8")
    if isinstance(postback, str):
        try:
            postback = json.loads(postback)
        except json.JSONDecodeError as exc:
            raise ValueError(f"postback is not valid JSON: {exc}") from exc
    if not isinstance(postback, Mapping):
        raise ValueError(f"a postback is a JSON object, got {type(postback).__name__}")
    pb = dict(postback)
    version = pb.get("version", "1.0")
    if version not in VERSIONS:
        raise ValueError(f"version: {version!r} is not supported; expected one of {', '.join(VERSIONS)}")

    def need(key: str, kind: str) -> None:
        if key not in pb:
            raise ValueError(f"{key}: missing (required in version {version} postbacks)")
        _check(key, pb[key], kind)

    def _check(key: str, value, kind: str) -> None:
        ok = {"str": isinstance(value, str) and value != "",
              "int": isinstance(value, int) and not isinstance(value, bool),
              "bool": isinstance(value, bool)}[kind]
        if not ok:
            what = {"str": "a non-empty string", "int": "an integer", "bool": "true or false"}[kind]
            raise ValueError(f"{key}: must be {what}, got {value!r}")

    need("ad-network-id", "str")
    need("app-id", "int")
    need("transaction-id", "str")
    if version == "4.0":
        need("source-identifier", "str")
        sid = pb["source-identifier"]
        if not re.fullmatch(r"[0-9]{2,4}", sid):
            raise ValueError(f"source-identifier: must be a string of 2 to 4 digits, got {sid!r}")
    else:
        need("campaign-id", "int")
    if version != "1.0":
        need("redownload", "bool")
    if version in ("2.2", "3.0", "4.0"):
        need("fidelity-type", "int")
        if pb["fidelity-type"] not in (0, 1):
            raise ValueError(f"fidelity-type: must be 0 (view-through) or 1 (StoreKit-rendered), "
                             f"got {pb['fidelity-type']!r}")
    if version in ("3.0", "4.0"):
        need("did-win", "bool")
    if version == "4.0":
        need("postback-sequence-index", "int")
        if pb["postback-sequence-index"] not in (0, 1, 2):
            raise ValueError(f"postback-sequence-index: must be 0, 1 or 2, got {pb['postback-sequence-index']!r}")
    if "source-app-id" in pb:
        _check("source-app-id", pb["source-app-id"], "int")
    if "source-domain" in pb:
        if version != "4.0":
            raise ValueError(f"source-domain: only version 4.0 postbacks have it (this one is {version})")
        _check("source-domain", pb["source-domain"], "str")
        if "source-app-id" in pb:
            raise ValueError("source-app-id and source-domain: a postback has one or the other, not both")
    if "conversion-value" in pb:
        cv = pb["conversion-value"]
        if isinstance(cv, bool) or not isinstance(cv, int) or not 0 <= cv < FINE_VALUES:
            raise ValueError(f"conversion-value: must be an integer 0–63, got {cv!r}")
    if "coarse-conversion-value" in pb:
        if pb["coarse-conversion-value"] not in COARSE_VALUES:
            raise ValueError(f"coarse-conversion-value: must be 'low', 'medium' or 'high', "
                             f"got {pb['coarse-conversion-value']!r}")
        if "conversion-value" in pb:
            raise ValueError("conversion-value and coarse-conversion-value: a postback carries one or the other")
    if "attribution-signature" in pb:
        _check("attribution-signature", pb["attribution-signature"], "str")
    return pb


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def signature_payload(postback) -> str:
    """The exact text Apple signs for this postback (its version's fields joined with U+2063).

    Order per version (Apple's "Combining parameters" and "Verifying an install-validation postback"):

    * 1.0: ad-network-id, campaign-id, app-id, transaction-id (no ``version``, no ``redownload``)
    * 2.0, 2.1: version, ad-network-id, campaign-id, app-id, transaction-id, redownload, [source-app-id]
    * 2.2: … as 2.1, then fidelity-type
    * 3.0: … as 2.2, then did-win
    * 4.0: version, ad-network-id, source-identifier, app-id, transaction-id, redownload,
      [source-app-id or source-domain], fidelity-type, did-win, postback-sequence-index

    Booleans are written ``true``/``false``, integers in decimal. ``conversion-value``,
    ``coarse-conversion-value`` and ``country-code`` are never signed. Raises ``ValueError`` for a
    malformed postback (naming the field).

    >>> pb = {"version": "3.0", "ad-network-id": "example123.skadnetwork", "campaign-id": 42,
    ...       "app-id": 525463029, "transaction-id": "t-1", "redownload": True, "fidelity-type": 1,
    ...       "did-win": False}
    >>> signature_payload(pb).split(SEPARATOR)
    ['3.0', 'example123.skadnetwork', '42', '525463029', 't-1', 'true', '1', 'false']
    """
    pb = parse_postback(postback)
    parts = []
    for key in SIGNED_FIELDS[pb.get("version", "1.0")]:
        if key == _OPTIONAL:
            for source in ("source-app-id", "source-domain"):
                if source in pb:
                    parts.append(_text(pb[source]))
        else:
            parts.append(_text(pb[key]))
    return SEPARATOR.join(parts)


# ---------------------------------------------------------------------------------------------
# keys, signing, verifying


def test_signing_key() -> ec.EllipticCurvePrivateKey:
    """The course's P-256 signing key — **MMA TEST KEY — not Apple's**.

    Derived from a fixed, public seed text, so it is the same everywhere and anyone can forge
    postbacks with it: it is for simulations and exercises only. Postbacks signed with it will
    (correctly) fail verification against Apple's keys.
    """
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # order of P-256
    secret = int.from_bytes(hashlib.sha256(TEST_KEY_SEED.encode()).digest(), "big") % (n - 1) + 1
    return ec.derive_private_key(secret, ec.SECP256R1())


def test_public_key_b64() -> str:
    """The test key's public half as base64 DER (SubjectPublicKeyInfo), the format Apple publishes keys in."""
    der = test_signing_key().public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


test_signing_key.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
test_public_key_b64.__test__ = False  # type: ignore[attr-defined]


def _load_public_key(key) -> ec.EllipticCurvePublicKey:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key
    if isinstance(key, str):
        key = key.strip()
        if key.startswith("-----BEGIN"):
            loaded = serialization.load_pem_public_key(key.encode())
        else:
            try:
                loaded = serialization.load_der_public_key(base64.b64decode(key, validate=True))
            except (binascii.Error, ValueError) as exc:
                raise ValueError("public_key: not a base64 DER or PEM public key") from exc
    elif isinstance(key, (bytes, bytearray)):
        loaded = (serialization.load_pem_public_key(bytes(key)) if bytes(key).startswith(b"-----BEGIN")
                  else serialization.load_der_public_key(bytes(key)))
    else:
        raise ValueError(f"public_key: expected a key object, PEM, DER or base64 DER, got {type(key).__name__}")
    if not isinstance(loaded, ec.EllipticCurvePublicKey):
        raise ValueError("public_key: not an elliptic-curve key")
    return loaded


def sign_postback(postback, private_key: ec.EllipticCurvePrivateKey | None = None) -> dict:
    """A copy of the postback with ``attribution-signature`` set (ECDSA P-256, SHA-256, base64 DER).

    ``private_key`` defaults to :func:`test_signing_key` (MMA TEST KEY — not Apple's). Signing is
    deterministic (RFC 6979), so the same postback always gets the same signature.
    """
    pb = parse_postback(postback)
    key = test_signing_key() if private_key is None else private_key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"private_key must be an elliptic-curve private key, got {type(key).__name__}")
    der = key.sign(signature_payload(pb).encode("utf-8"), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    pb["attribution-signature"] = base64.b64encode(der).decode("ascii")
    return pb


def verify_postback(postback, public_key=None) -> bool:
    """True when the postback's ``attribution-signature`` is valid for its signed fields.

    ``public_key`` is an elliptic-curve public key (object, PEM, DER bytes or base64 DER text); by
    default it is the course's test key (:func:`test_signing_key`, not Apple's). Apple's published
    keys (P-192 for 1.0 and 2.0, P-256 from 2.1) are added to this module by the SKAdNetwork course
    (issue 6); until then pass Apple's key explicitly to check a real postback.

    Returns ``False`` for a well-formed postback whose signature does not match (a changed signed
    field, another key); raises ``ValueError`` naming the field for a malformed one (missing fields,
    wrong types, a signature that is not base64).
    """
    pb = parse_postback(postback)
    sig_text = pb.get("attribution-signature")
    if sig_text is None:
        raise ValueError("attribution-signature: missing (the postback is not signed)")
    try:
        sig = base64.b64decode(sig_text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"attribution-signature: not valid base64 ({exc})") from exc
    if not sig:
        raise ValueError("attribution-signature: empty")
    key = _load_public_key(test_signing_key() if public_key is None else public_key)
    try:
        key.verify(sig, signature_payload(pb).encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
