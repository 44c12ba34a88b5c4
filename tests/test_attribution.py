"""Unit tests for helpers.attribution: MMP install rules (reference A1) and path models (A2-A4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers._validate import InputError, InputTypeError
from helpers.attribution import (
    DEFAULT_SELF_ATTRIBUTING,
    INSTALL_OUTPUT_COLUMNS,
    PATH_MODELS,
    attribute_installs,
    attribute_journeys,
    attribute_paths,
    compare_models,
    journey_weights,
    markov_removal_effects,
    network_claims,
    paths_from_touches,
    transition_matrix,
)

T0 = pd.Timestamp("2025-03-10 12:00", tz="UTC")
H, D, S = pd.Timedelta("1h"), pd.Timedelta("1D"), pd.Timedelta("1s")


def touch(tid, source="unity_ads", kind="click", before=H, device="d1", fp=None, retargeting=False, at=T0):
    return {
        "touch_id": tid,
        "device_id": device,
        "fingerprint": fp,
        "media_source": source,
        "campaign": f"{source}_cmp",
        "site_id": f"{source}_site",
        "touch_type": kind,
        "touch_time": at - before,
        "is_retargeting": retargeting,
    }


def touches_df(*rows):
    df = pd.DataFrame(list(rows), columns=list(touch("x")))
    df["touch_time"] = pd.to_datetime(df["touch_time"], utc=True)
    df["is_retargeting"] = df["is_retargeting"].astype(bool)
    return df


def installs_df(*rows):
    df = pd.DataFrame(list(rows), columns=["install_id", "device_id", "fingerprint", "install_time"])
    df["install_time"] = pd.to_datetime(df["install_time"], utc=True)
    return df


def one_install(device="d1", fp=None, at=T0):
    return installs_df(("i1", device, fp, at))


def attribute_one(*rows, **kwargs):
    out = attribute_installs(touches_df(*rows), one_install(**kwargs))
    return out.iloc[0]


# --- lookback windows ----------------------------------------------------------------------


def test_click_just_inside_7_days_is_attributed():
    row = attribute_one(touch("c", before=7 * D - S))
    assert row["media_source"] == "unity_ads"
    assert row["match_type"] == "device_id"
    assert row["ctit"] == 7 * D - S


def test_click_exactly_7_days_before_is_inside_window():
    assert attribute_one(touch("c", before=7 * D))["touch_id"] == "c"


def test_click_just_outside_7_days_is_organic():
    row = attribute_one(touch("c", before=7 * D + S))
    assert row["media_source"] == "organic"
    assert row["match_type"] == "organic"
    assert pd.isna(row["touch_id"]) and pd.isna(row["campaign"]) and pd.isna(row["touch_time"])
    assert pd.isna(row["ctit"])


def test_click_lookback_is_configurable():
    out = attribute_installs(touches_df(touch("c", before=2 * D)), one_install(), click_lookback="1D")
    assert out.loc[0, "media_source"] == "organic"


def test_click_beats_more_recent_impression():
    row = attribute_one(
        touch("click5d", before=5 * D), touch("imp1h", source="vungle", kind="impression", before=H)
    )
    assert row["touch_id"] == "click5d"
    assert row["touch_type"] == "click"


def test_impression_25h_before_is_organic_but_23h_counts():
    assert attribute_one(touch("imp", kind="impression", before=25 * H))["media_source"] == "organic"
    row = attribute_one(touch("imp", kind="impression", before=23 * H))
    assert row["touch_id"] == "imp" and row["match_type"] == "device_id"


def test_probabilistic_click_30h_before_is_not_eligible():
    row = attribute_one(touch("p", before=30 * H, device=None, fp="fp1"), device=None, fp="fp1")
    assert row["media_source"] == "organic"


def test_probabilistic_click_within_24h_is_attributed():
    row = attribute_one(touch("p", before=3 * H, device=None, fp="fp1"), device=None, fp="fp1")
    assert row["touch_id"] == "p"
    assert row["match_type"] == "probabilistic"


def test_device_id_click_beats_later_probabilistic_click():
    row = attribute_one(
        touch("dev", before=5 * D, device="d1"),
        touch("prob", source="vungle", before=H, device=None, fp="fp1"),
        fp="fp1",
    )
    assert row["touch_id"] == "dev"
    assert row["match_type"] == "device_id"


def test_probabilistic_click_beats_device_id_impression():
    row = attribute_one(
        touch("imp", kind="impression", before=H, device="d1"),
        touch("prob", source="vungle", before=2 * H, device=None, fp="fp1"),
        fp="fp1",
    )
    assert row["touch_id"] == "prob"


def test_impressions_are_not_matched_probabilistically():
    row = attribute_one(
        touch("imp", kind="impression", before=H, device=None, fp="fp1"), device=None, fp="fp1"
    )
    assert row["media_source"] == "organic"


def test_latest_click_wins_within_tier():
    row = attribute_one(touch("old", before=3 * D), touch("new", source="vungle", before=2 * D))
    assert row["touch_id"] == "new" and row["media_source"] == "vungle"


def test_touches_after_install_never_qualify():
    row = attribute_one(touch("after", before=-S), touch("imp_after", kind="impression", before=-H))
    assert row["media_source"] == "organic"
    row = attribute_one(touch("before", before=6 * D), touch("after", source="vungle", before=-S))
    assert row["touch_id"] == "before"


def test_other_devices_touches_do_not_count():
    assert attribute_one(touch("c", device="d2"))["media_source"] == "organic"


# --- self-attributing networks -----------------------------------------------------------------


def test_default_sans_is_a_frozenset_with_the_big_networks():
    assert isinstance(DEFAULT_SELF_ATTRIBUTING, frozenset)
    assert {"google_ads", "meta_ads", "apple_search_ads"} <= DEFAULT_SELF_ATTRIBUTING


def test_reference_example_last_click_claim_wins():
    # A click Mon, B video Tue, C click Wed + install 30 min later -> C (reference A1)
    install_at = pd.Timestamp("2025-03-12 10:30", tz="UTC")  # a Wednesday
    rows = [
        touch("A", source="unity_ads", before=2 * D + 30 * pd.Timedelta("1min"), at=install_at),
        touch("B", source="tiktok_ads", kind="impression", before=D + 20 * H, at=install_at),
        touch("C", source="meta_ads", before=pd.Timedelta("30min"), at=install_at),
    ]
    row = attribute_installs(touches_df(*rows), one_install(at=install_at)).iloc[0]
    assert row["touch_id"] == "C"
    assert row["match_type"] == "self_attributing_claim"
    assert row["ctit"] == pd.Timedelta("30min")


def test_later_mmp_click_beats_earlier_san_claim():
    row = attribute_one(touch("san", source="google_ads", before=2 * D), touch("mmp", before=D))
    assert row["touch_id"] == "mmp" and row["match_type"] == "device_id"


def test_san_click_claim_beats_mmp_impression():
    row = attribute_one(
        touch("san", source="meta_ads", before=2 * D), touch("imp", kind="impression", before=H)
    )
    assert row["touch_id"] == "san"


def test_san_view_claim_obeys_view_window():
    assert (
        attribute_one(touch("v", source="meta_ads", kind="impression", before=30 * H))["media_source"]
        == "organic"
    )


def test_san_claims_need_a_device_id_match():
    row = attribute_one(
        touch("san", source="google_ads", before=H, device=None, fp="fp1"), device=None, fp="fp1"
    )
    assert row["media_source"] == "organic"


def test_custom_san_list():
    out = attribute_installs(
        touches_df(touch("c", source="unity_ads")), one_install(), self_attributing={"unity_ads"}
    )
    assert out.loc[0, "match_type"] == "self_attributing_claim"


# --- re-installs ---------------------------------------------------------------------------------


def reinstall_case(gap, second_touch):
    first_at = T0
    second_at = T0 + gap
    rows = [touch("ua", before=H, at=first_at), second_touch(second_at)]
    installs = installs_df(("i1", "d1", None, first_at), ("i2", "d1", None, second_at))
    return attribute_installs(touches_df(*rows), installs).set_index("install_id")


def test_reinstall_60_days_later_keeps_original_attribution():
    out = reinstall_case(60 * D, lambda at: touch("other", source="vungle", before=H, at=at))
    assert out.loc["i1", "install_type"] == "new"
    assert out.loc["i2", "install_type"] == "reinstall"
    assert out.loc["i2", "touch_id"] == "ua"
    assert out.loc["i2", "media_source"] == "unity_ads"
    assert out.loc["i2", "ctit"] == H  # CTIT of the credited (original) install


def test_reinstall_91_days_later_is_a_new_install():
    out = reinstall_case(91 * D, lambda at: touch("other", source="vungle", before=H, at=at))
    assert out.loc["i2", "install_type"] == "new"
    assert out.loc["i2", "touch_id"] == "other"


def test_reinstall_with_retargeting_touch_is_reattributed():
    out = reinstall_case(60 * D, lambda at: touch("rt", source="vungle", before=H, retargeting=True, at=at))
    assert out.loc["i2", "install_type"] == "reattribution"
    assert out.loc["i2", "touch_id"] == "rt"
    assert out.loc["i2", "media_source"] == "vungle"


def test_reinstall_of_organic_user_stays_organic():
    installs = installs_df(("i1", "d1", None, T0), ("i2", "d1", None, T0 + 10 * D))
    out = attribute_installs(touches_df(touch("late", before=H, at=T0 + 10 * D)), installs)
    assert out["install_type"].tolist() == ["new", "reinstall"]
    assert out["media_source"].tolist() == ["organic", "organic"]


def test_reinstall_after_reattribution_inherits_the_retargeting_source():
    installs = installs_df(
        ("i1", "d1", None, T0), ("i2", "d1", None, T0 + 30 * D), ("i3", "d1", None, T0 + 40 * D)
    )
    rows = [touch("ua", at=T0), touch("rt", source="vungle", retargeting=True, at=T0 + 30 * D)]
    out = attribute_installs(touches_df(*rows), installs)
    assert out["install_type"].tolist() == ["new", "reattribution", "reinstall"]
    assert out["touch_id"].tolist() == ["ua", "rt", "rt"]


# --- output shape ----------------------------------------------------------------------------------


def test_output_keeps_rows_order_index_and_extra_columns():
    installs = installs_df(("b", "d2", None, T0), ("a", "d1", None, T0 + D))
    installs.index = [10, 5]
    installs["platform"] = ["ios", "android"]
    out = attribute_installs(touches_df(touch("c", at=T0 + D)), installs)
    assert list(out.index) == [10, 5]
    assert out["install_id"].tolist() == ["b", "a"]
    assert out["platform"].tolist() == ["ios", "android"]
    assert out["touch_id"].isna().tolist() == [True, False]
    for col in INSTALL_OUTPUT_COLUMNS:
        assert col in out.columns
    assert str(out["touch_time"].dtype) == "datetime64[ns, UTC]"
    assert pd.api.types.is_timedelta64_dtype(out["ctit"].dtype)
    assert "media_source" not in installs.columns  # input untouched


def test_is_retargeting_column_is_optional():
    t = touches_df(touch("c")).drop(columns="is_retargeting")
    assert attribute_installs(t, one_install()).loc[0, "touch_id"] == "c"


def test_non_utc_timezone_is_converted():
    t = touches_df(touch("c", before=2 * H))
    t["touch_time"] = t["touch_time"].dt.tz_convert("Asia/Seoul")
    out = attribute_installs(t, one_install())
    assert out.loc[0, "ctit"] == 2 * H


# --- input errors: attribute_installs --------------------------------------------------------------


def test_missing_column_names_the_column():
    with pytest.raises(
        InputError, match=r"touches is missing column 'touch_type'; expected columns: touch_id"
    ):
        attribute_installs(touches_df(touch("c")).drop(columns="touch_type"), one_install())
    with pytest.raises(InputError, match="installs is missing column 'install_time'"):
        attribute_installs(touches_df(touch("c")), one_install().drop(columns="install_time"))


def test_naive_timestamps_are_refused_with_a_fix():
    t = touches_df(touch("c"))
    t["touch_time"] = t["touch_time"].dt.tz_localize(None)
    with pytest.raises(InputTypeError, match=r"no time zone.*utc=True"):
        attribute_installs(t, one_install())


def test_wrong_touch_type_value():
    with pytest.raises(InputError, match=r"touch_type.*'view'"):
        attribute_installs(touches_df(touch("c", kind="view")), one_install())


def test_wrong_dtype_is_a_type_error():
    t = touches_df(touch("c"))
    t["is_retargeting"] = ["yes"]
    with pytest.raises(TypeError, match="is_retargeting"):
        attribute_installs(t, one_install())
    with pytest.raises(InputTypeError, match="must be a pandas DataFrame"):
        attribute_installs([1, 2], one_install())


def test_bad_window():
    with pytest.raises(InputError, match="click_lookback"):
        attribute_installs(touches_df(touch("c")), one_install(), click_lookback="seven days")
    with pytest.raises(InputError, match="positive"):
        attribute_installs(touches_df(touch("c")), one_install(), view_lookback="-1h")


# --- path models ---------------------------------------------------------------------------------

PATHS = pd.DataFrame({"path": ["A > B > A", "A", "B > C"], "conversions": [4, 2, 3], "nulls": [0, 5, 10]})


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first_touch", {"A": 6.0, "B": 3.0, "C": 0.0}),
        ("last_touch", {"A": 6.0, "B": 0.0, "C": 3.0}),
        ("linear", {"A": 4 * 2 / 3 + 2, "B": 4 / 3 + 1.5, "C": 1.5}),
        ("position_based", {"A": 0.8 * 4 + 2, "B": 0.2 * 4 + 1.5, "C": 1.5}),
        ("shapley", {"A": 4 / 2 + 2, "B": 4 / 2 + 3 / 2, "C": 3 / 2}),
    ],
)
def test_rule_based_and_shapley_on_hand_example(model, expected):
    got = attribute_paths(PATHS, model)
    assert got.name == model
    assert list(got.index) == ["A", "B", "C"]
    assert got.to_dict() == pytest.approx(expected)


def test_position_based_long_path_splits_middle_20_percent():
    got = attribute_paths(
        pd.DataFrame({"path": ["a > b > c > d > e"], "conversions": [10], "nulls": [0]}), "position_based"
    )
    assert got.to_dict() == pytest.approx({"a": 4.0, "b": 2 / 3, "c": 2 / 3, "d": 2 / 3, "e": 4.0})


def test_position_based_two_touches_is_50_50():
    got = attribute_paths(
        pd.DataFrame({"path": ["a > b"], "conversions": [10], "nulls": [0]}), "position_based"
    )
    assert got.to_dict() == {"a": 5.0, "b": 5.0}


# Hand-computed chain:  start->A 2, start->B 2, A->B 1, A->null 1, B->conv 2, B->null 1
# P(conv) = .5*.5*2/3 + .5*2/3 = 1/2;  without A: 1/3 -> RE_A = 1/3;  without B: 0 -> RE_B = 1
MARKOV = pd.DataFrame({"path": ["A > B", "A", "B"], "conversions": [1, 0, 1], "nulls": [0, 1, 1]})


def test_transition_matrix_hand_example():
    tm = transition_matrix(MARKOV)
    assert list(tm.index) == ["(start)", "A", "B", "(conversion)", "(null)"]
    assert tm.loc["(start)", "A"] == pytest.approx(0.5)
    assert tm.loc["A", "B"] == pytest.approx(0.5) and tm.loc["A", "(null)"] == pytest.approx(0.5)
    assert tm.loc["B", "(conversion)"] == pytest.approx(2 / 3)
    assert tm.loc["(conversion)", "(conversion)"] == 1.0
    np.testing.assert_allclose(tm.sum(axis=1), 1.0)


def test_markov_exact_removal_effects_and_credit():
    re = markov_removal_effects(MARKOV)
    assert re.to_dict() == pytest.approx({"A": 1 / 3, "B": 1.0})
    credit = attribute_paths(MARKOV, "markov")
    assert credit.to_dict() == pytest.approx({"A": 2 * (1 / 3) / (4 / 3), "B": 2 * 1 / (4 / 3)})


def test_markov_self_loops_do_not_matter():
    looped = MARKOV.assign(path=["A > A > B > B", "A > A", "B"])
    pd.testing.assert_series_equal(attribute_paths(looped, "markov"), attribute_paths(MARKOV, "markov"))


def test_markov_zero_conversions_gives_zeros():
    got = attribute_paths(
        pd.DataFrame({"path": ["a > b", "b"], "conversions": [0, 0], "nulls": [3, 1]}), "markov"
    )
    assert got.to_dict() == {"a": 0.0, "b": 0.0}


def test_whitespace_around_channels_is_ignored_and_rows_aggregate():
    messy = pd.DataFrame({"path": [" A>B ", "A  >  B"], "conversions": [1, 2], "nulls": [0, 0]})
    assert attribute_paths(messy, "linear").to_dict() == {"A": 1.5, "B": 1.5}


def test_compare_models_has_one_column_per_model_and_sums_match():
    table = compare_models(PATHS)
    assert list(table.columns) == list(PATH_MODELS)
    np.testing.assert_allclose(table.sum().to_numpy(), PATHS["conversions"].sum())


# --- input errors: paths -----------------------------------------------------------------------------


def test_paths_missing_column_message():
    with pytest.raises(
        InputError, match=r"paths is missing column 'nulls'; expected columns: path, conversions, nulls"
    ):
        attribute_paths(PATHS.drop(columns="nulls"), "linear")


def test_unknown_model_lists_valid_models():
    with pytest.raises(
        ValueError, match=r"unknown model 'u_shaped'; valid models: first_touch, last_touch, linear"
    ):
        attribute_paths(PATHS, "u_shaped")


def test_negative_counts_are_refused():
    with pytest.raises(InputError, match=r"paths\['conversions'\] must be non-negative.*-1"):
        attribute_paths(PATHS.assign(conversions=[4, -1, 3]), "linear")


def test_text_counts_are_a_type_error():
    with pytest.raises(TypeError, match=r"paths\['nulls'\] must hold numbers"):
        attribute_paths(PATHS.assign(nulls=["0", "5", "10"]), "linear")


@pytest.mark.parametrize("bad", ["", "A >  > B", "  "])
def test_empty_path_names_the_row(bad):
    paths = pd.DataFrame({"path": ["A", bad], "conversions": [1, 1], "nulls": [0, 0]}, index=[7, 8])
    with pytest.raises(InputError, match="index 8"):
        attribute_paths(paths, "linear")


def test_missing_path_is_refused():
    with pytest.raises(InputError, match="missing value"):
        attribute_paths(pd.DataFrame({"path": ["A", None], "conversions": [1, 1], "nulls": [0, 0]}), "linear")


def test_unexpected_option_is_refused():
    with pytest.raises(InputError, match="unexpected option"):
        attribute_paths(PATHS, "linear", half_life="7D")


# --- journeys ----------------------------------------------------------------------------------------

CONV = pd.Timestamp("2025-03-15", tz="UTC")


def journeys_df():
    return pd.DataFrame(
        {
            "journey_id": ["j1", "j1", "j1", "j2"],
            "channel": ["email", "search", "social", "search"],
            "touch_time": [CONV - 14 * D, CONV - 7 * D, CONV, CONV - D],
            "conversion_time": [CONV, CONV, CONV, CONV],
        }
    )


def test_time_decay_halves_every_half_life():
    w = journey_weights(journeys_df())
    j1 = w[w["journey_id"] == "j1"]["weight"].to_numpy()
    np.testing.assert_allclose(j1, np.array([0.25, 0.5, 1.0]) / 1.75)
    assert w.loc[3, "weight"] == 1.0
    got = attribute_journeys(journeys_df())
    assert got.to_dict() == pytest.approx(
        {"email": 0.25 / 1.75, "search": 0.5 / 1.75 + 1, "social": 1 / 1.75}
    )


def test_journeys_are_ordered_by_time_not_row_order():
    shuffled = journeys_df().iloc[[2, 0, 3, 1]]
    assert attribute_journeys(shuffled, "first_touch").to_dict() == {
        "email": 1.0,
        "search": 1.0,
        "social": 0.0,
    }
    assert attribute_journeys(shuffled, "last_touch").to_dict() == {
        "email": 0.0,
        "search": 1.0,
        "social": 1.0,
    }
    pb = attribute_journeys(shuffled, "position_based")
    assert pb.to_dict() == pytest.approx({"email": 0.4, "search": 1.2, "social": 0.4})


def test_journey_conversions_column_scales_credit():
    j = journeys_df().assign(conversions=[2, 2, 2, 0])
    assert attribute_journeys(j, "linear").sum() == pytest.approx(2.0)


def test_touch_after_conversion_names_the_journey():
    j = journeys_df()
    j.loc[3, "touch_time"] = CONV + H
    with pytest.raises(InputError, match="journey 'j2' has a touch after its conversion_time"):
        attribute_journeys(j)


def test_journey_errors():
    with pytest.raises(InputError, match="valid models: time_decay"):
        attribute_journeys(journeys_df(), "markov")
    with pytest.raises(InputError, match="journeys is missing column 'conversion_time'"):
        attribute_journeys(journeys_df().drop(columns="conversion_time"))
    j = journeys_df()
    j.loc[0, "conversion_time"] = CONV + D
    with pytest.raises(InputError, match="journey 'j1' has more than one conversion_time"):
        attribute_journeys(j)


def test_paths_from_touches_builds_converting_and_null_paths():
    t = pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u1", "u2", "u2", "u3"],
            "media_source": ["search", "social", "email", "social", "search", "search"],
            "touch_time": [CONV - 3 * D, CONV - D, CONV + D, CONV, CONV + D, CONV - 40 * D],
        }
    )
    conv = pd.DataFrame({"user_id": ["u1", "u3", "u4"], "conversion_time": [CONV, CONV, CONV]})
    got = paths_from_touches(t, conv)
    assert got.to_dict("list") == {
        "path": ["search", "search > social", "social > search"],
        "conversions": [1, 1, 0],
        "nulls": [0, 0, 1],
    }
    short = paths_from_touches(t, conv, lookback="30D")
    assert "search" not in short["path"].tolist()  # u3's touch is 40 days old
    assert attribute_paths(got, "linear").sum() == 2.0


def test_zero_view_and_probabilistic_windows_switch_those_tiers_off():
    t = pd.Timestamp("2026-03-10 12:00", tz="UTC")
    touches = pd.DataFrame({
        "touch_id": ["imp", "fp"], "device_id": ["d1", pd.NA], "fingerprint": [pd.NA, "f1"],
        "media_source": ["meta_ads", "applovin"], "campaign": ["c", "c"], "site_id": ["s", "s"],
        "touch_type": ["impression", "click"], "touch_time": [t - pd.Timedelta("1h"), t - pd.Timedelta("1h")],
    })
    installs = pd.DataFrame({"install_id": ["i1", "i2"], "device_id": ["d1", "d2"], "fingerprint": ["f0", "f1"],
                             "install_time": [t, t]})
    on = attribute_installs(touches, installs)
    assert list(on["media_source"]) == ["meta_ads", "applovin"]
    off = attribute_installs(touches, installs, view_lookback="0h", probabilistic_window="0h")
    assert list(off["media_source"]) == ["organic", "organic"]
    with pytest.raises(ValueError, match="click_lookback must be a positive duration"):
        attribute_installs(touches, installs, click_lookback="0h")


def test_network_claims_count_every_network_that_touched_an_install():
    t = pd.Timestamp("2026-03-10 12:00", tz="UTC")
    touches = pd.DataFrame({
        "touch_id": ["a", "b"], "device_id": ["d1", "d1"], "fingerprint": [pd.NA, pd.NA],
        "media_source": ["applovin", "unity_ads"], "campaign": ["c", "c"], "site_id": ["s", "s"],
        "touch_type": ["click", "click"], "touch_time": [t - pd.Timedelta("2D"), t - pd.Timedelta("1h")],
    })
    installs = pd.DataFrame({"install_id": ["i1"], "device_id": ["d1"], "fingerprint": ["f1"], "install_time": [t]})
    claims = network_claims(touches, installs)
    assert claims.to_dict() == {"applovin": 1, "unity_ads": 1}  # one install, claimed twice
    assert attribute_installs(touches, installs)["media_source"].tolist() == ["unity_ads"]
    assert network_claims(touches, installs, click_lookback="1D").to_dict() == {"applovin": 0, "unity_ads": 1}
