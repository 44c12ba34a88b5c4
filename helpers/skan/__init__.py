"""Apple SKAdNetwork (SKAN): conversion-value schemas, and postbacks — checking, signature strings,
signing, verifying with Apple's keys, decoding.

Facts follow ``shared/reference/skan-privacy-sandbox.md`` part A (Apple's documentation).

**Conversion values** (:mod:`helpers.skan.schema`). SKAN 4 gives the app one *fine* value, an
integer 0–63 (6 bits), and one *coarse* value, ``"low"``, ``"medium"`` or ``"high"``. How the app's
events become those values is the advertiser's choice: a :class:`ConversionSchema` writes that
choice down, applies it (``encode``) and reads values back (``decode``, ``decode_coarse``).

**Postbacks** (:mod:`helpers.skan.postbacks`). :func:`verify_postback` checks a postback's
signature with Apple's published key for its version (1.0–4.0) or with a key you pass; it returns
``False`` for a wrong signature and raises :class:`PostbackError` (a ``ValueError``) for a malformed
postback. :func:`signature_payload` is the exact text Apple signs. :func:`decode_postback` and
:func:`postbacks_frame` turn postbacks into tidy records, with what the value means under a schema.
:func:`sign_postback` signs with :func:`test_signing_key` — *MMA TEST KEY, not Apple's* — which is
how the world's simulator (:mod:`helpers.synth.views.skan`) signs its postbacks.

**AdAttributionKit** (:mod:`helpers.skan.aak`). Its postbacks wrap a signed JWS;
:func:`verify_aak_postback` checks it with Apple's key for the JWS ``kid`` (``verify_postback``
hands such postbacks over to it), :func:`decode_aak_postback` reads it.

**Command line.** ``python -m helpers.skan verify FILE...`` checks every postback in JSON or
JSON-lines files (:mod:`helpers.skan.cli`; ``--help`` lists the options and exit codes).

>>> schema = ConversionSchema(revenue_edges=[0.01, 5, 20, 100])
>>> schema.encode(revenue=[0.0, 7.5, 250.0])
(array([0, 2, 4]), array(['low', 'medium', 'high'], dtype=object))
"""

from helpers.skan.aak import (
    AAK_PUBLIC_KEYS,
    decode_aak_postback,
    is_aak_postback,
    parse_aak_postback,
    verify_aak_postback,
)
from helpers.skan.postbacks import (
    APPLE_KEY_FOR_VERSION,
    APPLE_PUBLIC_KEYS,
    DECODED_COLUMNS,
    SEPARATOR,
    SIGNED_FIELDS,
    TEST_KEY_SEED,
    VERSIONS,
    PostbackError,
    apple_public_key,
    decode_postback,
    load_public_key,
    parse_postback,
    postbacks_frame,
    sign_postback,
    signature_payload,
    signed_fields,
    test_public_key_b64,
    test_signing_key,
    verify_postback,
)
from helpers.skan.schema import COARSE_VALUES, FINE_VALUES, WINDOWS, ConversionSchema

__all__ = [
    "AAK_PUBLIC_KEYS", "decode_aak_postback", "is_aak_postback", "parse_aak_postback", "verify_aak_postback",
    "APPLE_KEY_FOR_VERSION", "APPLE_PUBLIC_KEYS", "COARSE_VALUES", "DECODED_COLUMNS", "FINE_VALUES",
    "SEPARATOR", "SIGNED_FIELDS", "TEST_KEY_SEED", "VERSIONS", "WINDOWS", "ConversionSchema",
    "PostbackError", "apple_public_key", "decode_postback", "load_public_key", "parse_postback",
    "postbacks_frame", "sign_postback", "signature_payload", "signed_fields", "test_public_key_b64",
    "test_signing_key", "verify_postback", "simulate_postbacks",
]


def simulate_postbacks(world, schema: ConversionSchema | None = None, *, seed: int, **options):
    """SKAN 4 postbacks for a simulated world's iOS installs, with the truth alongside.

    The simulator itself lives with the world's other measurement views
    (:func:`helpers.synth.views.skan.skan_view`, which documents every option: ``lock_window``,
    ``tier_thresholds``, ``scale``, ``version``, ``signed``, ``networks``, ``app_id``,
    ``non_winning``); this is the same call from ``helpers.skan``. Imported on first use, because
    the view itself builds on this package's schema and signing code.
    """
    from helpers.synth.views.skan import skan_view

    return skan_view(world, schema, seed=seed, **options)

