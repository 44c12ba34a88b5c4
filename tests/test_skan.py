"""helpers.skan: postback checking, signature strings, verifying with Apple's keys, decoding.

The positive vectors are Apple's published example postbacks and real postbacks from public
verifiers' tests (shared/reference/skan-privacy-sandbox.md, A6), stored in
tests/data/skan/apple_examples.json.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from helpers import skan
from helpers.skan import PostbackError

DATA = json.loads((Path(__file__).parent / "data" / "skan" / "apple_examples.json").read_text(encoding="utf-8"))
EXAMPLES = {e["name"]: e for e in DATA["examples"]}
NAMES = list(EXAMPLES)
SEP = "\u2063"
OTHER_VERSION = {"2.0": "2.1", "2.1": "2.0", "2.2": "2.1", "3.0": "2.2", "4.0": "3.0"}


def example(name: str) -> dict:
    return dict(EXAMPLES[name]["postback"])


def unsigned(pb: dict) -> dict:
    return {k: v for k, v in pb.items() if k != "attribution-signature"}


def changed(pb: dict, field: str) -> dict:
    """The postback with one signed field given another well-formed value."""
    out = dict(pb)
    value = pb[field]
    if field == "version":
        out["version"] = OTHER_VERSION[value]
        if value == "4.0":  # a 3.0 postback has a campaign-id instead, and no 4.0-only keys
            out["campaign-id"] = int(pb["source-identifier"])
            for key in ("source-domain", "coarse-conversion-value"):
                out.pop(key, None)
    elif field == "source-identifier":
        out[field] = value[:-1] + str((int(value[-1]) + 1) % 10)
    elif field == "fidelity-type":
        out[field] = 1 - value
    elif field == "postback-sequence-index":
        out[field] = (value + 1) % 3
        out.pop("conversion-value", None)
    elif isinstance(value, bool):
        out[field] = not value
    elif isinstance(value, int):
        out[field] = value + 1
    else:
        out[field] = value[:-1] + ("x" if value[-1] != "x" else "y")
    return out


def signed_field_cases():
    for name in NAMES:
        for field in skan.signed_fields(example(name)):
            yield pytest.param(name, field, id=f"{name}:{field}")


# ---- Apple's examples verify with Apple's keys ---------------------------------------------------------


def test_fixture_holds_every_version():
    versions = {e["postback"].get("version", "1.0") for e in DATA["examples"]}
    assert versions == set(skan.VERSIONS)


@pytest.mark.parametrize("name", NAMES)
def test_apple_examples_verify_with_apple_keys_by_default(name):
    pb = example(name)
    assert skan.verify_postback(pb) is True
    assert skan.verify_postback(json.dumps(pb)) is True
    assert skan.verify_postback(json.dumps(pb).encode()) is True
    curve = skan.APPLE_KEY_FOR_VERSION[pb.get("version", "1.0")]
    assert skan.verify_postback(pb, skan.APPLE_PUBLIC_KEYS[curve]) is True


@pytest.mark.parametrize("name", NAMES)
def test_apple_examples_fail_with_other_keys(name):
    pb = example(name)
    curve = skan.APPLE_KEY_FOR_VERSION[pb.get("version", "1.0")]
    other = "P-256" if curve == "P-192" else "P-192"
    assert skan.verify_postback(pb, skan.APPLE_PUBLIC_KEYS[other]) is False
    assert skan.verify_postback(pb, skan.test_signing_key()) is False


@pytest.mark.parametrize("name", [n for n in NAMES if EXAMPLES[n]["payload_sha256"]])
def test_payload_digest_matches_reference(name):
    msg = skan.signature_payload(example(name))
    assert hashlib.sha256(msg.encode("utf-8")).hexdigest() == EXAMPLES[name]["payload_sha256"]


def test_payload_of_real_p192_postbacks_leaves_out_version_and_redownload_in_1_0():
    v10 = example("v1.0 real production postback (P-192)")
    assert skan.signature_payload(v10) == SEP.join(
        ["su67r6k2v3.skadnetwork", "51", "1176027022", "583e867c-0bc5-4980-8766-6d8cf992f24a"])
    assert "version" in v10 and "redownload" in v10
    assert skan.signature_payload(unsigned({k: v for k, v in v10.items() if k != "version"})) == \
        skan.signature_payload(v10)
    v20 = example("v2.0 real production postback (P-192)")
    assert skan.signature_payload(v20) == SEP.join(
        ["2.0", "v9wttpbfk9.skadnetwork", "75", "1176027022", "c4a69044-1c85-4755-9e25-97d8daa30c55", "true"])


def test_apple_keys_are_the_published_curves():
    for version in skan.VERSIONS:
        key = skan.apple_public_key(version)
        assert key.curve.name == ("secp192r1" if version in ("1.0", "2.0") else "secp256r1")
    with pytest.raises(ValueError, match="version"):
        skan.apple_public_key("5.0")


# ---- any change to a signed field fails; unsigned fields do not matter ----------------------------------


@pytest.mark.parametrize("name, field", list(signed_field_cases()))
def test_changing_any_signed_field_fails_with_apple_key(name, field):
    pb = example(name)
    tampered = changed(pb, field)
    assert skan.signature_payload(tampered) != skan.signature_payload(pb)
    assert skan.verify_postback(tampered) is False


@pytest.mark.parametrize("name, field", list(signed_field_cases()))
def test_changing_any_signed_field_fails_with_the_same_key(name, field):
    # re-signed with the test key so that only the changed payload (not a key swap) can fail it
    signed = skan.sign_postback(unsigned(example(name)))
    key = skan.test_signing_key().public_key()
    assert skan.verify_postback(signed, key) is True
    assert skan.verify_postback(changed(signed, field), key) is False


def test_signed_fields_follow_each_version():
    names = {v: skan.signed_fields(example(n)) for n in NAMES for v in [example(n).get("version", "1.0")]}
    assert names["1.0"] == ("ad-network-id", "campaign-id", "app-id", "transaction-id")
    assert skan.signed_fields(example("v3.0 non-winning")) == (
        "version", "ad-network-id", "campaign-id", "app-id", "transaction-id", "redownload", "fidelity-type",
        "did-win")
    assert skan.signed_fields(example("v3.0 winning"))[6] == "source-app-id"
    assert skan.signed_fields(example("v4.0 fine, tier high, web ad")) == (
        "version", "ad-network-id", "source-identifier", "app-id", "transaction-id", "redownload",
        "source-domain", "fidelity-type", "did-win", "postback-sequence-index")


def test_v4_payload_depends_on_which_source_is_present():
    pb = unsigned(example("v4.0 fine, tier high, web ad"))
    web = skan.signature_payload(pb).split(SEP)
    app = dict({k: v for k, v in pb.items() if k != "source-domain"}, **{"source-app-id": 1234567891})
    assert skan.signature_payload(app).split(SEP) == web[:6] + ["1234567891"] + web[7:]
    neither = {k: v for k, v in pb.items() if k != "source-domain"}
    assert skan.signature_payload(neither).split(SEP) == web[:6] + web[7:]
    key = skan.test_signing_key()
    for variant in (app, neither):
        signed = skan.sign_postback(variant)
        assert skan.verify_postback(signed, key)
        assert not skan.verify_postback(dict(signed, **{"source-app-id": 7}), key)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("extra", [
    {"conversion-value": 1}, {"country-code": "KR"}, {"timestamp": 1, "adjust-campaign": "x"},
    {"conversion-value": None},
])
def test_unsigned_fields_do_not_change_the_verdict(name, extra):
    pb = example(name)
    if "conversion-value" in extra and "coarse-conversion-value" in pb:
        pb.pop("coarse-conversion-value")
    if "country-code" in extra and pb.get("version") != "4.0":
        extra = {"country-code": "KR"}  # not an Apple key before 4.0, still unsigned
    assert skan.verify_postback(dict(pb, **extra)) is True


def test_coarse_instead_of_fine_still_verifies():
    pb = example("v4.0 fine, tier high, web ad")
    coarse = {k: v for k, v in pb.items() if k != "conversion-value"} | {"coarse-conversion-value": "low"}
    assert skan.verify_postback(coarse) is True


# ---- malformed postbacks raise a clear error -------------------------------------------------------------


def required_field_cases():
    for name in ("v1.0 real production postback (P-192)", "v2.0 real production postback (P-192)", "v2.1",
                 "v2.2", "v3.0 winning", "v4.0 fine, tier high, web ad"):
        for field in skan.signed_fields(example(name)):
            if field not in ("source-app-id", "source-domain", "version"):
                yield pytest.param(name, field, id=f"{name}:{field}")


@pytest.mark.parametrize("name, field", list(required_field_cases()))
def test_missing_required_field_raises_naming_it(name, field):
    pb = example(name)
    del pb[field]
    with pytest.raises(PostbackError, match=f"^{field}: missing") as info:
        skan.verify_postback(pb)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("change, field, words", [
    ({"app-id": "525463029"}, "app-id", "whole number"),
    ({"app-id": -1}, "app-id", "whole number"),
    ({"app-id": True}, "app-id", "whole number"),
    ({"ad-network-id": ""}, "ad-network-id", "non-empty string"),
    ({"transaction-id": 5}, "transaction-id", "non-empty string"),
    ({"source-identifier": "5"}, "source-identifier", "2 to 4 digits"),
    ({"source-identifier": "12345"}, "source-identifier", "2 to 4 digits"),
    ({"source-identifier": 5239}, "source-identifier", "non-empty string"),
    ({"source-identifier": "52a9"}, "source-identifier", "2 to 4 digits"),
    ({"redownload": "false"}, "redownload", "true or false"),
    ({"did-win": 1}, "did-win", "true or false"),
    ({"postback-sequence-index": 3}, "postback-sequence-index", "0, 1 or 2"),
    ({"fidelity-type": 2}, "fidelity-type", "0 .view-through. or 1"),
    ({"fidelity-type": True}, "fidelity-type", "integer"),
    ({"conversion-value": 64}, "conversion-value", "0–63"),
    ({"conversion-value": "63"}, "conversion-value", "0–63"),
    ({"coarse-conversion-value": "huge"}, "coarse-conversion-value", "'low', 'medium' or 'high'"),
    ({"country-code": "USA"}, "country-code", "two-letter"),
    ({"source-app-id": 5}, "source-app-id and source-domain", "one or the other"),
    ({"version": "5.0"}, "version", "not supported"),
    ({"version": 4.0}, "version", "text"),
    ({"attribution-signature": "not base64!!"}, "attribution-signature", "base64"),
    ({"attribution-signature": "MEUCIGRm"}, "attribution-signature", "DER"),
    ({"attribution-signature": base64.b64encode(b"\x30\x05\x02\x01\x01\x02\x01").decode()},
     "attribution-signature", "DER"),
    ({"attribution-signature": ""}, "attribution-signature", "non-empty string"),
    ({"attribution-signature": None}, "attribution-signature", "missing"),
])
def test_malformed_fields_raise(change, field, words):
    pb = example("v4.0 fine, tier high, web ad")
    for k, v in change.items():
        if v is None:
            pb.pop(k)
        else:
            pb[k] = v
    if "coarse-conversion-value" in change:
        pb.pop("conversion-value")
    with pytest.raises(PostbackError, match=words) as info:
        skan.verify_postback(pb)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_fields_from_other_versions_are_malformed():
    v3 = example("v3.0 winning")
    with pytest.raises(PostbackError, match="only version 4.0"):
        skan.verify_postback(dict(v3, **{"source-domain": "example.com"}))
    with pytest.raises(PostbackError, match="only version 4.0"):
        skan.verify_postback({k: v for k, v in v3.items() if k != "conversion-value"}
                             | {"coarse-conversion-value": "low"})
    with pytest.raises(PostbackError, match="campaign-id: must be a whole number"):
        skan.verify_postback(dict(v3, **{"campaign-id": "42"}))  # peak/skanpostback's negative case


@pytest.mark.parametrize("bad, words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ([1, 2], "JSON object"),
    (None, "JSON object"),
    (b"\xff\xfe{}", "UTF-8"),
])
def test_not_a_postback_at_all(bad, words):
    with pytest.raises(PostbackError, match=words) as info:
        skan.verify_postback(bad)
    assert info.value.field is None
    with pytest.raises(ValueError, match=words):
        skan.signature_payload(bad)


def test_wrong_curve_signature_is_invalid_not_an_error():
    # a P-192 signature checked with a P-256 key: well formed, just not valid
    pb = example("v2.0 real production postback (P-192)")
    assert skan.verify_postback(pb, skan.APPLE_PUBLIC_KEYS["P-256"]) is False


# ---- keys ------------------------------------------------------------------------------------------------


def test_public_key_forms_all_work():
    signed = skan.sign_postback(unsigned(example("v3.0 winning")))
    private = skan.test_signing_key()
    public = private.public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for key in (private, public, der, pem, pem.decode(), base64.b64encode(der).decode(), base64.b64encode(der),
                skan.test_public_key_b64()):
        assert skan.verify_postback(signed, key) is True
    assert skan.verify_postback(signed) is False  # Apple's key by default: a simulated postback is not Apple's
    assert skan.load_public_key(skan.test_public_key_b64()) is skan.load_public_key(skan.test_public_key_b64())


@pytest.mark.parametrize("bad", ["not a key", "QUJD", b"\x00\x01", 42, "-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----"])
def test_bad_public_key_raises(bad):
    with pytest.raises(ValueError, match="^public_key:"):
        skan.verify_postback(example("v2.1"), bad)


def test_rsa_key_is_refused():
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_pub = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    pem = rsa_pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="elliptic-curve"):
        skan.verify_postback(example("v2.1"), pem)


@pytest.mark.parametrize("name", NAMES)
def test_sign_and_verify_round_trip_for_every_version(name):
    key = ec.derive_private_key(123456789, ec.SECP256R1())
    signed = skan.sign_postback(unsigned(example(name)), key)
    assert skan.verify_postback(signed, key.public_key()) is True
    assert skan.verify_postback(signed, skan.test_signing_key()) is False
    assert skan.sign_postback(unsigned(example(name)), key) == signed  # deterministic (RFC 6979)


# ---- decoding ---------------------------------------------------------------------------------------------


def test_decode_v4_fine_and_coarse():
    fine = skan.decode_postback(example("v4.0 fine, tier high, web ad"))
    assert fine == {
        "version": "4.0", "ad_network_id": "com.example", "transaction_id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e30",
        "app_id": 525463029, "campaign_id": None, "source_identifier": "5239", "source_digits": 4,
        "source_app_id": None, "source_domain": "example.com", "redownload": False, "fidelity_type": 1,
        "did_win": True, "postback_sequence_index": 0, "conversion_value": 63, "coarse_conversion_value": None,
        "value_kind": "fine", "country_code": None, "tier_at_least": 3, "signed": True}
    coarse = skan.decode_postback(json.dumps(example("v4.0 coarse, tier low, web ad")))
    assert (coarse["source_identifier"], coarse["source_digits"], coarse["value_kind"],
            coarse["coarse_conversion_value"], coarse["conversion_value"]) == ("39", 2, "coarse", "high", None)


def test_decode_older_versions():
    v3 = skan.decode_postback(example("v3.0 non-winning"))
    assert (v3["campaign_id"], v3["did_win"], v3["source_app_id"], v3["value_kind"], v3["tier_at_least"]) == \
        (42, False, None, "none", None)
    v21 = skan.decode_postback(example("v2.1"))
    assert (v21["did_win"], v21["postback_sequence_index"], v21["fidelity_type"], v21["source_app_id"],
            v21["conversion_value"]) == (True, 0, None, 1234567891, 20)
    v10 = skan.decode_postback(example("v1.0 real production postback (P-192)"))
    assert (v10["version"], v10["campaign_id"], v10["redownload"], v10["value_kind"]) == ("1.0", 51, False, "none")


@pytest.mark.parametrize("fields, tier", [
    ({"source-identifier": "39", "postback-sequence-index": 0}, 0),
    ({"source-identifier": "39", "postback-sequence-index": 0, "coarse-conversion-value": "low"}, 1),
    ({"source-identifier": "39", "postback-sequence-index": 2, "coarse-conversion-value": "low"}, 1),
    ({"source-identifier": "39", "postback-sequence-index": 1}, 1),
    ({"source-identifier": "239", "postback-sequence-index": 0}, 2),
    ({"source-identifier": "39", "postback-sequence-index": 0, "conversion-value": 7}, 2),
    ({"source-identifier": "5239", "postback-sequence-index": 0, "conversion-value": 7, "source-app-id": 9}, 3),
])
def test_tier_lower_bound(fields, tier):
    base = unsigned(example("v4.0 fine, tier high, web ad"))
    for k in ("source-domain", "conversion-value"):
        base.pop(k)
    assert skan.decode_postback(base | fields)["tier_at_least"] == tier


def test_decode_with_schema_says_what_the_value_means():
    schema = skan.ConversionSchema(revenue_edges=[1, 10], events=["sign_up", "purchase:2"],
                                   coarse_revenue=(1, 10))
    base = unsigned(example("v4.0 fine, tier high, web ad"))
    rec = skan.decode_postback(dict(base, **{"conversion-value": 11}), schema)
    meaning = schema.decode(11)
    assert (rec["revenue_from"], rec["revenue_below"]) == meaning["revenue_range"]
    assert rec["events"] == " + ".join(meaning["events"]) == "sign_up + purchase:2"
    coarse = {k: v for k, v in base.items() if k != "conversion-value"} | {"coarse-conversion-value": "medium"}
    rec = skan.decode_postback(coarse, schema)
    assert (rec["revenue_from"], rec["revenue_below"], rec["events"]) == (1.0, 10.0, "")
    none = {k: v for k, v in base.items() if k != "conversion-value"}
    rec = skan.decode_postback(none, schema)
    assert math.isnan(rec["revenue_from"]) and rec["events"] is None
    with pytest.raises(PostbackError, match="conversion-value: 12 is not used"):
        skan.decode_postback(dict(base, **{"conversion-value": 12}), schema)
    with pytest.raises(ValueError, match="ConversionSchema"):
        skan.decode_postback(base, schema="revenue")


def test_decode_coarse_matches_encode():
    rng = np.random.default_rng(3)
    revenue = rng.exponential(20, 2_000)
    for schema in (skan.ConversionSchema(revenue_edges=[0.01, 5, 20, 100]),
                   skan.ConversionSchema(revenue_edges=[2, 30], coarse_revenue=(2, 2))):
        fine, coarse = schema.encode(revenue)
        for r, f, c in zip(revenue, fine, coarse, strict=True):
            lo, hi = schema.decode(int(f))["revenue_range"]
            assert lo <= r < hi
            lo, hi = schema.decode_coarse(c)["revenue_range"]
            assert lo <= r < hi
    ev = skan.ConversionSchema(events=["sign_up", "purchase"], coarse_events=("sign_up", "purchase"))
    _, coarse = ev.encode(events={"sign_up": [0, 1, 1, 0], "purchase": [0, 0, 1, 1]})
    assert [ev.decode_coarse(c)["events"] for c in coarse] == [(), ("sign_up",), ("purchase",), ("purchase",)]
    assert ev.decode_coarse("low")["revenue_range"] is None
    with pytest.raises(ValueError, match="'low', 'medium' or 'high'"):
        ev.decode_coarse("top")


# ---- frames --------------------------------------------------------------------------------------------------


def test_postbacks_frame_of_the_examples():
    docs = [example(n) for n in NAMES]
    frame = skan.postbacks_frame(docs, verify=True)
    assert list(frame.columns) == [*skan.DECODED_COLUMNS, "valid"]
    assert {c: str(frame[c].dtype) for c in skan.DECODED_COLUMNS} == skan.DECODED_COLUMNS
    assert len(frame) == len(docs) and frame["valid"].all()
    assert frame["version"].tolist() == [d.get("version", "1.0") for d in docs]
    assert frame.loc[frame["version"] == "4.0", "campaign_id"].isna().all()
    assert frame["did_win"].sum() == len(docs) - 1
    for i, d in enumerate(docs):
        assert frame.iloc[i]["transaction_id"] == d["transaction-id"]
    docs[0] = dict(docs[0], **{"did-win": False})
    assert skan.postbacks_frame(docs, verify=True)["valid"].tolist() == [False] + [True] * (len(docs) - 1)


def test_postbacks_frame_reads_text_and_reports_positions():
    docs = [example(n) for n in NAMES[:3]]
    lines = "\n".join(json.dumps(d) for d in docs)
    a = skan.postbacks_frame(lines)
    b = skan.postbacks_frame(json.dumps(docs, indent=2))
    c = skan.postbacks_frame([json.dumps(d) for d in docs])
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    bad = docs + [dict(docs[0], **{"app-id": "x"})]
    with pytest.raises(PostbackError, match=r"app-id: .*\(postback 3, counting from 0\)"):
        skan.postbacks_frame(bad)
    with pytest.raises(PostbackError, match="not valid JSON"):
        skan.postbacks_frame(lines + "\n{oops")
    empty = skan.postbacks_frame([], schema=skan.ConversionSchema(revenue_edges=[1]))
    assert len(empty) == 0 and list(empty.columns) == [*skan.DECODED_COLUMNS, "revenue_from", "revenue_below", "events"]
    with pytest.raises(ValueError, match="postbacks_to_json"):
        skan.postbacks_frame(pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="list of postbacks"):
        skan.postbacks_frame(docs[0])


def test_postbacks_frame_of_the_simulated_world_round_trips():
    from helpers.synth import generate_world
    from helpers.synth.views.skan import DEFAULT_SCHEMA, postbacks_to_json, skan_view

    view = skan_view(generate_world(3_000, seed=5), seed=2, scale=50, signed=True)
    post = view.postbacks
    frame = skan.postbacks_frame(postbacks_to_json(post), DEFAULT_SCHEMA, verify=True,
                                 public_key=skan.test_signing_key())
    assert frame["valid"].all()
    assert not skan.postbacks_frame(postbacks_to_json(post.head(20)), verify=True)["valid"].any()
    for col in ("transaction_id", "source_identifier", "source_app_id", "fidelity_type", "redownload", "did_win",
                "postback_sequence_index", "conversion_value", "coarse_conversion_value", "country_code"):
        left = frame[col].astype(object).where(frame[col].notna(), None).tolist()
        right = post[col].astype(object).where(post[col].notna(), None).tolist()
        assert left == right, col
    fine = frame["value_kind"] == "fine"
    assert fine.any() and (frame["value_kind"] == "coarse").any()
    expect = [DEFAULT_SCHEMA.decode(int(v))["revenue_range"][0] for v in frame.loc[fine, "conversion_value"]]
    assert frame.loc[fine, "revenue_from"].tolist() == expect
    # what the simulator sends at each tier is consistent with the lower bound read back from the postback
    truth_tier = view.truth.set_index("transaction_id")["tier"]
    wins = frame[frame["did_win"].astype(bool)]
    assert (wins["tier_at_least"].to_numpy() <= truth_tier.loc[wins["transaction_id"]].to_numpy()).all()


# ---- documentation ---------------------------------------------------------------------------------------


def test_doctests_and_cli_messages():
    import doctest
    import re

    import helpers.skan.postbacks
    import helpers.skan.schema
    from helpers.messages import has

    for module in (skan, helpers.skan.postbacks, helpers.skan.schema):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
    used = set()
    for name in ("cli.py", "reader.py"):
        used |= set(re.findall(r"""t\(\s*f?["'](skan_cli\.[a-z_.{}]+)["']""",
                               (Path(skan.__file__).parent / name).read_text(encoding="utf-8")))
    statuses = {f"skan_cli.{s}" for s in ("valid", "invalid", "malformed", "unreadable")}
    used = {u for u in used if "{" not in u} | statuses
    assert len(used) > 15
    assert [k for k in sorted(used) if not has(k)] == []


# ---- AdAttributionKit (JWS) -------------------------------------------------------------------------------

AAK = json.loads((Path(__file__).parent / "data" / "skan" / "aak_example.json").read_text(encoding="utf-8"))["postback"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws_parts(env: dict) -> tuple[dict, dict, str]:
    h, p, s = env["jws-string"].split(".")
    pad = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))  # noqa: E731
    return json.loads(pad(h)), json.loads(pad(p)), s


def with_payload(env: dict, payload: dict, header: dict | None = None, sig: str | None = None) -> dict:
    h0, _, s0 = env["jws-string"].split(".")
    h = h0 if header is None else b64url(json.dumps(header).encode())
    return dict(env, **{"jws-string": f"{h}.{b64url(json.dumps(payload).encode())}.{s0 if sig is None else sig}"})


def aak_signed(payload: dict, key: ec.EllipticCurvePrivateKey, kid: str = "mma-test") -> dict:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    signing_input = f"{b64url(json.dumps({'kid': kid, 'alg': 'ES256'}).encode())}.{b64url(json.dumps(payload).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return {"jws-string": f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}",
            "conversion-value": 5, "ad-interaction-type": "view", "country-code": "KR"}


def test_aak_example_verifies_only_with_its_kid_key():
    assert skan.verify_aak_postback(AAK) is True
    assert skan.verify_postback(AAK) is True and skan.verify_postback(json.dumps(AAK)) is True
    assert skan.verify_aak_postback(AAK["jws-string"]) is True  # the bare JWS
    for kid, key in skan.AAK_PUBLIC_KEYS.items():
        assert skan.verify_aak_postback(AAK, key) is (kid == "apple-development-identifier/1")
    rec = skan.decode_aak_postback(AAK)
    assert (rec["kid"], rec["conversion_type"], rec["source_identifier"], rec["conversion_value"],
            rec["ad_interaction_type"], rec["did_win"]) == (
        "apple-development-identifier/1", "re-engagement", "1234", 24, "click", True)


def test_aak_envelope_is_not_signed():
    assert skan.verify_aak_postback(dict(AAK, **{"conversion-value": 1, "country-code": "KR",
                                                 "ad-interaction-type": "view"})) is True


@pytest.mark.parametrize("field", sorted(jws_parts(AAK)[1]))
def test_aak_changing_any_payload_field_fails(field):
    # Apple's example payload, signed again with a key we hold, so that only the change can fail it
    key = ec.derive_private_key(24680, ec.SECP256R1())
    _, payload, _ = jws_parts(AAK)
    env = aak_signed(payload, key)
    assert skan.verify_aak_postback(with_payload(env, payload), key) is True  # same bytes re-encoded
    value = payload[field]
    if isinstance(value, bool):
        changed_value = not value
    elif isinstance(value, int):
        changed_value = (value + 1) % 3 if field == "postback-sequence-index" else value + 1
    elif field == "conversion-type":
        changed_value = "download"
    elif field == "source-identifier":
        changed_value = "1235"
    else:
        changed_value = value + "x"
    assert skan.verify_aak_postback(with_payload(env, dict(payload, **{field: changed_value})), key) is False
    assert skan.verify_aak_postback(with_payload(AAK, dict(payload, **{field: changed_value}))) is False


def test_aak_round_trip_with_own_key_and_tampering():
    key = ec.derive_private_key(987654321, ec.SECP256R1())
    payload = {"postback-identifier": "p-1", "ad-network-identifier": "n.adattributionkit", "did-win": True,
               "postback-sequence-index": 1, "conversion-type": "download", "source-identifier": "77",
               "advertised-item-identifier": 42, "impression-type": "app-impression"}
    env = aak_signed(payload, key)
    assert skan.verify_postback(env, key.public_key()) is True
    assert skan.verify_aak_postback(env, skan.AAK_PUBLIC_KEYS["apple-cas-identifier/0"]) is False
    assert skan.verify_aak_postback(with_payload(env, dict(payload, **{"did-win": False})), key) is False
    with pytest.raises(PostbackError, match="kid: 'mma-test' is not one of Apple"):
        skan.verify_aak_postback(env)


@pytest.mark.parametrize("mutate, field, words", [
    (lambda e: dict(e, **{"jws-string": "a.b"}), "jws-string", "3 parts"),
    (lambda e: dict(e, **{"jws-string": "a!.b.c"}), "jws-string", "base64url"),
    (lambda e: with_payload(e, jws_parts(e)[1], {"kid": "apple-cas-identifier/0", "alg": "RS256"}), "alg", "ES256"),
    (lambda e: with_payload(e, jws_parts(e)[1], {"alg": "ES256"}), "kid", "key id"),
    (lambda e: with_payload(e, jws_parts(e)[1], sig=b64url(b"x" * 63)), "jws-string", "64 bytes"),
    (lambda e: with_payload(e, {k: v for k, v in jws_parts(e)[1].items() if k != "did-win"}), "did-win", "missing"),
    (lambda e: with_payload(e, dict(jws_parts(e)[1], **{"source-identifier": 1234})), "source-identifier", "digits"),
    (lambda e: with_payload(e, dict(jws_parts(e)[1], **{"conversion-type": "install"})), "conversion-type",
     "re-engagement"),
    (lambda e: dict(e, **{"conversion-value": 99}), "conversion-value", "0–63"),
    (lambda e: dict(e, **{"ad-interaction-type": "tap"}), "ad-interaction-type", "'view' or 'click'"),
    (lambda e: {k: v for k, v in e.items() if k != "jws-string"} | {"jws-string": 5}, "jws-string", "missing"),
])
def test_aak_malformed_raises(mutate, field, words):
    with pytest.raises(PostbackError, match=words) as info:
        skan.verify_aak_postback(mutate(AAK))
    assert info.value.field == field


def test_postback_error_survives_pickling():
    import pickle

    with pytest.raises(PostbackError) as info:
        skan.verify_postback(dict(example("v2.1"), **{"app-id": "x"}))
    copy = pickle.loads(pickle.dumps(info.value))
    assert (type(copy), copy.field, str(copy)) == (PostbackError, "app-id", str(info.value))


def test_simulate_postbacks_is_the_worlds_skan_view():
    from helpers.synth import generate_world
    from helpers.synth.views.skan import skan_view

    world = generate_world(3000, seed=5, vertical="gaming")
    a = skan.simulate_postbacks(world, seed=9)
    b = skan_view(world, seed=9)
    pd.testing.assert_frame_equal(a.postbacks, b.postbacks)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert len(a.postbacks) > 0
    assert not skan.simulate_postbacks(world, seed=10).postbacks.equals(a.postbacks)
