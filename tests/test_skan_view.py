"""helpers.skan (schemas, signature payloads, signing) and the SKAN view of the simulated world."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from helpers import skan

# Apple's documented example postbacks (shared/reference/skan-privacy-sandbox.md, A6).
APPLE_P256 = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWdp8GPcGqmhgzEFj9Z2nSpQVddayaPe4FMzqM9wib1+aHaaIzoHoLN9z"
              "W4K8y4SPykE3YVK3sVqW6Af0lfx3gg==")
APPLE_V4_FINE = {
    "version": "4.0", "ad-network-id": "com.example", "source-identifier": "5239", "app-id": 525463029,
    "transaction-id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e30", "redownload": False,
    "source-domain": "example.com", "fidelity-type": 1, "did-win": True, "conversion-value": 63,
    "postback-sequence-index": 0,
    "attribution-signature": "MEUCIGRmSMrqedNu6uaHyhVcifs118R5z/AB6cvRaKrRRHWRAiEAv96ne3dKQ5kJpbsfk4eYiePmrZUU6sQmo+7zfP/1Bxo=",
}
APPLE_V3_WIN = {
    "version": "3.0", "ad-network-id": "example123.skadnetwork", "campaign-id": 42,
    "transaction-id": "6aafb7a5-0170-41b5-bbe4-fe71dedf1e28", "app-id": 525463029, "redownload": True,
    "source-app-id": 1234567891, "fidelity-type": 1, "conversion-value": 20, "did-win": True,
}
SEP = "\u2063"


# ---- conversion schemas ------------------------------------------------------------------------


def test_revenue_buckets_hand_cases():
    s = skan.ConversionSchema(revenue_edges=[0.01, 5, 20, 100])
    fine, coarse = s.encode(revenue=[0.0, 0.01, 4.99, 5.0, 19.99, 100.0, 1e6])
    assert fine.tolist() == [0, 1, 1, 2, 2, 4, 4]
    # default coarse: medium from the first edge, high from the middle edge (20)
    assert coarse.tolist() == ["low", "medium", "medium", "medium", "medium", "high", "high"]
    assert s.decode(2)["revenue_range"] == (5.0, 20.0)
    assert len(s.table()) == s.n_values == 5


def test_funnel_bits_and_hybrid():
    f = skan.ConversionSchema(events=["sign_up", "purchase", "purchase:3"])
    fine, coarse = f.encode(events={"sign_up": [0, 1, 1, 1], "purchase": [0, 0, 1, 3]})
    assert fine.tolist() == [0, 1, 3, 7]
    assert coarse.tolist() == ["low", "medium", "medium", "high"]
    h = skan.ConversionSchema(revenue_edges=[1, 10], events=["sign_up", "purchase:2"],
                              coarse_events=["sign_up", "purchase"])
    fine, coarse = h.encode(revenue=[0, 12.0, 3.0], events={"sign_up": [1, 1, 0], "purchase": [0, 2, 1]})
    assert fine.tolist() == [1, 2 * 4 + 3, 1 * 4 + 0]
    assert coarse.tolist() == ["medium", "high", "high"]
    assert h.decode(11) == {"fine": 11, "revenue_range": (10.0, float("inf")), "events": ("sign_up", "purchase:2")}


def test_encode_events_frame():
    import pandas as pd
    s = skan.ConversionSchema(revenue_edges=[1, 10], events=["purchase"])
    ev = pd.DataFrame({"event_name": ["session", "purchase", "purchase"], "revenue": [0.0, 4.0, 7.5]})
    assert s.encode_events(ev) == (2 * 2 + 1, "high")


@pytest.mark.parametrize("kwargs, words", [
    ({"revenue_edges": list(range(1, 65))}, "64"),
    ({"revenue_edges": [1, 2, 3, 4, 5, 6, 7, 8], "events": ["a", "b", "c"]}, "72 fine values"),
    ({"revenue_edges": [5, 1]}, "strictly increasing"),
    ({"revenue_edges": [1, 1]}, "strictly increasing"),
    ({"revenue_edges": [-1, 1]}, "not negative"),
    ({}, "needs revenue_edges"),
    ({"events": ["a", "a"]}, "repeated"),
    ({"events": list("abcdefg")}, "6"),
    ({"events": ["purchase:0"]}, "count"),
    ({"revenue_edges": [1, 5], "coarse_revenue": (5, 1)}, "coarse_revenue"),
])
def test_bad_schemas_raise(kwargs, words):
    with pytest.raises(ValueError, match=words):
        skan.ConversionSchema(**kwargs)


# ---- signature payloads --------------------------------------------------------------------------


def test_payload_v4_matches_apple_example():
    msg = skan.signature_payload(APPLE_V4_FINE)
    assert msg == SEP.join(["4.0", "com.example", "5239", "525463029", "6aafb7a5-0170-41b5-bbe4-fe71dedf1e30",
                            "false", "example.com", "1", "true", "0"])
    assert hashlib.sha256(msg.encode()).hexdigest() == \
        "e5efd5b424697d4eac347fb678f79ea33d0d03488ac7a44901130991697b6a32"


def test_payload_v3_and_earlier_versions():
    assert hashlib.sha256(skan.signature_payload(APPLE_V3_WIN).encode()).hexdigest() == \
        "37834cedcbf721ad7b1a6cd18d4661374df91fc03e9488b546bf26e537d1a0a7"
    base = {k: v for k, v in APPLE_V3_WIN.items() if k not in ("did-win",)}
    v22 = dict(base, version="2.2", **{"ad-network-id": "com.example"})
    assert hashlib.sha256(skan.signature_payload(v22).encode()).hexdigest() == \
        "930c26d76a159d80c171a2dbcb7f9473a5b3606ad980457d824a1e90ab91eba0"
    v21 = {k: v for k, v in v22.items() if k != "fidelity-type"} | {"version": "2.1"}
    assert hashlib.sha256(skan.signature_payload(v21).encode()).hexdigest() == \
        "6cac867ae40a7d31097ede5bbf4f022116992d7aa9c3e34171ef42b723bca04b"
    v20 = {"version": "2.0", "ad-network-id": "n.skadnetwork", "campaign-id": 75, "app-id": 11,
           "transaction-id": "t", "redownload": True, "conversion-value": 18}
    assert skan.signature_payload(v20) == SEP.join(["2.0", "n.skadnetwork", "75", "11", "t", "true"])
    v10 = {"version": "1.0", "ad-network-id": "n.skadnetwork", "campaign-id": 51, "app-id": 11,
           "transaction-id": "t", "redownload": False}
    assert skan.signature_payload(v10) == SEP.join(["n.skadnetwork", "51", "11", "t"])
    del v10["version"]
    assert skan.signature_payload(v10) == SEP.join(["n.skadnetwork", "51", "11", "t"])


def test_payload_ignores_values_and_extra_keys():
    a = skan.signature_payload(APPLE_V4_FINE)
    coarse = {k: v for k, v in APPLE_V4_FINE.items() if k != "conversion-value"}
    coarse |= {"coarse-conversion-value": "low", "country-code": "US", "timestamp": 1}
    assert skan.signature_payload(coarse) == a


# ---- signing and verifying -------------------------------------------------------------------------


def test_apple_example_verifies_with_apple_key_passed_explicitly():
    assert skan.verify_postback(APPLE_V4_FINE, APPLE_P256) is True
    assert skan.verify_postback(json.dumps(APPLE_V4_FINE), APPLE_P256) is True
    assert skan.verify_postback(APPLE_V4_FINE) is True  # the default key is Apple's published one
    assert skan.verify_postback(APPLE_V4_FINE, skan.test_signing_key().public_key()) is False


def test_sign_verify_round_trip_is_deterministic():
    unsigned = {k: v for k, v in APPLE_V4_FINE.items() if k != "attribution-signature"}
    signed = skan.sign_postback(unsigned)
    assert skan.verify_postback(signed, skan.test_signing_key().public_key()) is True
    assert skan.verify_postback(signed) is False  # Apple's key (the default) rejects the test key's signature
    assert skan.verify_postback(signed, APPLE_P256) is False
    assert skan.sign_postback(unsigned) == signed
    assert "attribution-signature" not in unsigned
    assert skan.test_public_key_b64() != APPLE_P256


@pytest.mark.parametrize("field, value", [
    ("version", "3.0"), ("ad-network-id", "other.skadnetwork"), ("source-identifier", "239"),
    ("app-id", 525463030), ("transaction-id", "6aafb7a5-0170-41b5-bbe4-fe71dedf1e31"),
    ("redownload", True), ("source-domain", "example.org"), ("fidelity-type", 0), ("did-win", False),
    ("postback-sequence-index", 1),
])
def test_any_signed_field_change_fails(field, value):
    signed = skan.sign_postback({k: v for k, v in APPLE_V4_FINE.items() if k != "attribution-signature"})
    tampered = dict(signed, **{field: value})
    if field == "version":
        tampered = {k: v for k, v in tampered.items() if k not in ("source-identifier", "source-domain",
                                                                   "postback-sequence-index")}
        tampered["campaign-id"] = 39
        tampered.pop("conversion-value")
    key = skan.test_signing_key().public_key()
    assert skan.verify_postback(signed, key) is True
    assert skan.verify_postback(tampered, key) is False


def test_unsigned_fields_do_not_matter():
    signed = skan.sign_postback({k: v for k, v in APPLE_V4_FINE.items() if k != "attribution-signature"})
    assert skan.verify_postback(dict(signed, **{"conversion-value": 1}), skan.test_signing_key().public_key()) is True


@pytest.mark.parametrize("change, field", [
    ({"app-id": None}, "app-id"),
    ({"app-id": "525463029"}, "app-id"),
    ({"source-identifier": "5"}, "source-identifier"),
    ({"source-identifier": 5239}, "source-identifier"),
    ({"redownload": "false"}, "redownload"),
    ({"did-win": None}, "did-win"),
    ({"postback-sequence-index": 3}, "postback-sequence-index"),
    ({"fidelity-type": 2}, "fidelity-type"),
    ({"conversion-value": 64}, "conversion-value"),
    ({"coarse-conversion-value": "huge"}, "coarse-conversion-value"),
    ({"version": "5.0"}, "version"),
    ({"attribution-signature": "not base64!!"}, "attribution-signature"),
])
def test_malformed_postbacks_raise(change, field):
    pb = dict(APPLE_V4_FINE)
    for k, v in change.items():
        if v is None:
            pb.pop(k)
        else:
            pb[k] = v
    if "coarse-conversion-value" in change:
        pb.pop("conversion-value")
    with pytest.raises(ValueError, match=field):
        skan.verify_postback(pb, APPLE_P256)


def test_malformed_other_shapes():
    with pytest.raises(ValueError, match="JSON"):
        skan.signature_payload("{not json")
    with pytest.raises(ValueError, match="JSON object"):
        skan.signature_payload([1, 2])
    v3 = dict(APPLE_V3_WIN, **{"campaign-id": "42"})
    with pytest.raises(ValueError, match="campaign-id"):
        skan.signature_payload(v3)
    with pytest.raises(ValueError, match="attribution-signature"):
        skan.verify_postback(APPLE_V3_WIN)
    both = dict(APPLE_V4_FINE, **{"coarse-conversion-value": "low"})
    with pytest.raises(ValueError, match="one or the other"):
        skan.signature_payload(both)
    assert np.isscalar(skan.FINE_VALUES)


# ---- the SKAN view of a simulated world -------------------------------------------------------------

from helpers.synth import generate_world  # noqa: E402
from helpers.synth.views.skan import postbacks_to_json, postbacks_to_jsonl, skan_postbacks, skan_view  # noqa: E402

DAY_S = 86_400


@pytest.fixture(scope="module")
def world():
    return generate_world(30_000, seed=5)


@pytest.fixture(scope="module")
def view(world):
    return skan_view(world, seed=3, scale=3, tier_thresholds=(5, 15, 40))


def test_only_ios_installs_with_a_qualifying_touch(world, view):
    tr = view.truth
    ios = world.installs.set_index("install_id")["platform"]
    assert (ios.reindex(tr["install_id"].astype(str)) == "ios").all()
    assert view.postbacks["transaction_id"].is_unique
    assert (view.postbacks["transaction_id"] == tr["transaction_id"]).all()
    # every winner had a touch of its network within the lookback
    assert not set(view.postbacks["media_source"]) & {"apple_search_ads"}
    assert "user_id" not in view.postbacks.columns


def test_windows_and_delays_within_bounds(view):
    p, tr = view.postbacks, view.truth
    seq = p["postback_sequence_index"]
    ends = tr["postback_sequence_index"].map({0: 2, 1: 7, 2: 35}) * DAY_S
    assert ((tr["window_end"] - tr["install_time"]).dt.total_seconds() == ends).all()
    base = tr["lock_time"].where(tr["locked"], tr["window_end"])
    delay_h = (p["postback_time"] - base).dt.total_seconds() / 3600
    assert delay_h[seq == 0].between(24, 48).all() and delay_h[seq > 0].between(24, 144).all()
    assert delay_h[seq > 0].max() > 100 and delay_h[seq == 0].max() > 47  # the whole range is used


def test_values_follow_the_tiers(view):
    p, tr = view.postbacks, view.truth
    fine = p["conversion_value"].notna()
    coarse = p["coarse_conversion_value"].notna()
    assert not (fine & coarse).any()
    assert (p.loc[fine, "postback_sequence_index"] == 0).all() and (tr.loc[fine, "tier"] >= 2).all()
    assert not fine[p["postback_sequence_index"] > 0].any()
    assert (tr.loc[coarse & (p["postback_sequence_index"] == 0), "tier"] == 1).all()
    assert not (fine | coarse)[tr["tier"] == 0].any()
    assert (tr.loc[p["postback_sequence_index"] > 0, "tier"] >= 1).all()
    assert (p.loc[p["postback_sequence_index"] > 0, "source_identifier"].str.len() == 2).all()
    assert (p.loc[tr["tier"] <= 1, "source_identifier"].str.len() == 2).all()
    assert (p["source_app_id"].notna() == ((tr["tier"] == 3) & p["did_win"])).all()
    assert not (fine | coarse | p["source_app_id"].notna())[~p["did_win"]].any()
    # a fine value carried is the schema's value for that window; trailing digits of the full id
    assert (p.loc[fine, "conversion_value"] == tr.loc[fine, "fine_value"]).all()
    assert all(f.endswith(s) for f, s in zip(tr["source_identifier_full"], p["source_identifier"], strict=True))
    # every tier occurs at this scale
    assert set(tr["tier"]) == {0, 1, 2, 3}


def test_tier_zero_share_falls_with_campaign_volume(world):
    tr = skan_view(world, seed=3, scale=1).truth
    first = tr[tr["postback_sequence_index"] == 0].copy()
    first["campaign_day"] = first["source_identifier_full"].str[-2:] + first["install_time"].dt.date.astype(str)
    vol = first.groupby("campaign_day")["transaction_id"].transform("size")
    first["band"] = pd.qcut(vol, 3, labels=False, duplicates="drop")
    share = first.groupby("band")["tier"].apply(lambda s: (s == 0).mean())
    assert share.is_monotonic_decreasing and share.iloc[0] - share.iloc[-1] > 0.3
    # and with the whole world scaled up (a bigger app) tier 0 becomes rarer
    shares = [(skan_view(world, seed=3, scale=s).truth["tier"] == 0).mean() for s in (0.5, 2, 8)]
    assert shares[0] > shares[1] > shares[2]
    n = len(first)
    assert shares[0] - shares[2] > 3 * np.sqrt(0.25 / n)


def test_lock_window_makes_postbacks_earlier(world, view):
    locked = skan_view(world, seed=3, scale=3, lock_window="purchase")
    tr = locked.truth
    assert tr["locked"].any()
    lt = tr.loc[tr["locked"]]
    assert (lt["lock_time"] < lt["window_end"]).all()
    delay = (locked.postbacks.loc[tr["locked"], "postback_time"] - lt["lock_time"]).dt.total_seconds() / 3600
    assert delay.between(24, 144).all()
    by_days = skan_view(world, seed=3, scale=3, lock_window={0: 1})
    tr = by_days.truth
    first = tr[(tr["postback_sequence_index"] == 0) & by_days.postbacks["did_win"]]
    assert first["locked"].all()
    assert ((first["lock_time"] - first["install_time"]).dt.total_seconds() == DAY_S).all()
    with pytest.raises(ValueError, match="lock_window"):
        skan_view(world, seed=3, lock_window={5: 1})


def test_determinism_by_seed(world):
    a = skan_postbacks(world, seed=11)
    b = skan_postbacks(world, seed=11)
    c = skan_postbacks(world, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a["transaction_id"].equals(c["transaction_id"])
    assert postbacks_to_jsonl(a) == postbacks_to_jsonl(b)


def test_json_and_signed_postbacks_verify(world):
    small = generate_world(2_000, seed=9)
    p = skan_postbacks(small, seed=1, signed=True, tier_thresholds=(1, 2, 3))
    docs = postbacks_to_json(p)
    assert len(docs) == len(p) > 0
    for doc in docs[:200]:
        assert skan.verify_postback(doc, skan.test_signing_key().public_key())  # signed with the MMA TEST KEY
        assert skan.verify_postback(json.dumps(doc), skan.test_signing_key().public_key())
        assert not skan.verify_postback(doc)  # not with Apple's key
        assert set(doc) <= {"version", "ad-network-id", "source-identifier", "app-id", "transaction-id",
                            "redownload", "source-app-id", "fidelity-type", "did-win", "conversion-value",
                            "coarse-conversion-value", "postback-sequence-index", "country-code",
                            "attribution-signature"}
    line = postbacks_to_jsonl(p.head(2)).splitlines()
    assert json.loads(line[0]) == docs[0]


def test_bad_view_options(world):
    with pytest.raises(ValueError, match="4.0"):
        skan_view(world, seed=1, version="3.0")
    with pytest.raises(ValueError, match="tier_thresholds"):
        skan_view(world, seed=1, tier_thresholds=(5, 1, 2))
    with pytest.raises(ValueError, match="schema"):
        skan_view(world, seed=1, schema={"edges": [1]})


def test_fraud_world_gets_postbacks_only_from_genuine_touches_and_installs():
    from helpers.synth.fraud import FraudMix, add_fraud

    world = add_fraud(generate_world(6_000, seed=8, vertical="gaming"), FraudMix(), 8)
    view = skan_view(world, seed=2, scale=40)
    truth = view.truth.merge(world.installs[["install_id", "fraud_type"]], on="install_id", how="left")
    assert len(truth) == len(view.postbacks) > 0
    # fabricated installs (never through a real App Store) get nothing; stolen credit is a real install
    assert not truth["fraud_type"].isin(["sdk_spoofing", "bot", "device_farm"]).any()
    # a fraud touch is never the winner: every winning network had a genuine qualifying touch
    genuine = world.touches[world.touches["fraud_type"].isna()]
    won = view.postbacks["did_win"].to_numpy() & (view.postbacks["postback_sequence_index"] == 0).to_numpy()
    pairs = truth.loc[won, ["user_id"]].assign(media_source=view.postbacks.loc[won, "media_source"].to_numpy())
    ok = pairs.merge(genuine[["user_id", "media_source"]].drop_duplicates(), how="left", indicator=True)
    assert (ok["_merge"] == "both").all()
