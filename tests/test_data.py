"""helpers.data: loading the committed datasets and catching bad files with clear messages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import data
from helpers.data import SCHEMAS, WORLDS, DataError, DataWarning, available, load, load_world, validate

DATASETS = Path(__file__).resolve().parent.parent / "datasets"


@pytest.fixture
def copy_dir(tmp_path) -> Path:
    """A private copy of the committed attribution files, safe to corrupt."""
    shutil.copytree(DATASETS / "attribution", tmp_path / "attribution",
                    ignore=shutil.ignore_patterns("README.md"))
    return tmp_path


def rewrite(path: Path, edit) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = edit(df)  # edits in place, or returns the edited frame
    df = df if result is None else result
    df.to_csv(path, index=False, lineterminator="\n")


# ---- the committed datasets ---------------------------------------------------------------------


def test_available_names():
    tables = ("users", "touches", "installs", "events", "spend", "deeplink_clicks")
    expected = [f"attribution/{n}" for n in (*tables, "paths")]
    expected += [f"fraud/{n}" for n in tables]
    expected += [f"world-{v}/{n}" for v in ("gaming", "ecommerce", "home_services", "subscription") for n in tables]
    assert available() == sorted(expected)


def test_world_datasets_load_with_new_columns():
    installs = load("world-ecommerce/installs")
    android = installs["platform"] == "android"
    assert installs.loc[android, "install_begin_time"].notna().all()
    assert installs.loc[~android, "install_begin_time"].isna().all()
    assert installs["fraud_type"].isna().all()
    clicks = load("world-home_services/deeplink_clicks")
    assert clicks["app_installed"].dtype == bool and (clicks["link_kind"] == "deferred").eq(~clicks["app_installed"]).all()
    assert "ip" in load("attribution/touches").columns


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_dataset_loads_with_its_schema_dtypes(name):
    df = load(name)
    schema = SCHEMAS[name]
    assert list(df.columns) == schema.column_names
    assert len(df) > 0
    for col in schema.columns:
        if col.kind == "datetime":
            assert str(df[col.name].dtype) == "datetime64[ns, UTC]", col.name
        elif col.kind == "str":
            assert pd.api.types.is_string_dtype(df[col.name].dtype), col.name
        else:
            assert str(df[col.name].dtype) == col.dtype, col.name
    validate(df, name, extra="error")


def test_key_columns_used_by_attribute_installs():
    touches = load("attribution/touches")
    installs = load("attribution/installs")
    assert {"touch_id", "device_id", "fingerprint", "media_source", "campaign", "site_id", "touch_type",
            "touch_time", "is_retargeting"} <= set(touches.columns)
    assert {"install_id", "device_id", "fingerprint", "install_time"} <= set(installs.columns)
    assert touches["device_id"].isna().any() and touches["device_id"].notna().any()
    assert load("attribution/spend")["date"].dt.hour.eq(0).all()


def test_load_returns_a_fresh_copy_each_time():
    a = load("attribution/spend")
    a.loc[0, "cost"] = -1.0
    b = load("attribution/spend")
    assert b.loc[0, "cost"] >= 0
    assert a is not b


def test_cache_is_refreshed_when_the_file_changes(copy_dir):
    path = copy_dir / "attribution" / "spend.csv"
    before = load("attribution/spend", directory=copy_dir)
    rewrite(path, lambda df: df.__setitem__("cost", "1.00"))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    after = load("attribution/spend", directory=copy_dir)
    assert (after["cost"] == 1.0).all() and not (before["cost"] == 1.0).all()


def test_directory_from_environment_variable(copy_dir, monkeypatch):
    monkeypatch.setenv("MMA_DATASETS", str(copy_dir))
    assert data.default_directory() == copy_dir
    assert data.dataset_path("attribution/users") == copy_dir / "attribution" / "users.csv"
    assert len(load("attribution/users")) == len(load("attribution/users", directory=DATASETS))
    monkeypatch.delenv("MMA_DATASETS")
    assert data.default_directory() == DATASETS


# ---- errors -------------------------------------------------------------------------------------


def test_unknown_dataset_lists_the_available_ones():
    with pytest.raises(DataError, match="unknown dataset 'attribution/clicks'.*attribution/touches"):
        load("attribution/clicks")
    assert issubclass(DataError, ValueError)


def test_missing_file_says_how_to_regenerate(tmp_path):
    with pytest.raises(DataError, match="not found.*python -m helpers.synth build"):
        load("attribution/touches", directory=tmp_path)


def test_missing_column(copy_dir):
    rewrite(copy_dir / "attribution" / "installs.csv", lambda df: df.drop(columns="install_time"))
    with pytest.raises(DataError, match="attribution/installs: missing column 'install_time'"):
        load("attribution/installs", directory=copy_dir)


def test_text_in_a_number_column_names_column_row_and_value(copy_dir):
    rewrite(copy_dir / "attribution" / "spend.csv", lambda df: df.__setitem__("cost", ["1.00", "2.00", "abc"]
                                                                               + ["0.50"] * (len(df) - 3)))
    with pytest.raises(DataError) as err:
        load("attribution/spend", directory=copy_dir)
    message = str(err.value)
    assert "'cost'" in message and "'abc'" in message and "row 2" in message and "line 4 of spend.csv" in message
    assert "expected a number (USD)" in message


def test_negative_revenue(copy_dir):
    def edit(df):
        df.loc[5, "revenue"] = "-4.99"
    rewrite(copy_dir / "attribution" / "events.csv", edit)
    with pytest.raises(DataError, match=r"'revenue' has -4\.99 in row 5; it must not be negative \(USD\)"):
        load("attribution/events", directory=copy_dir)


def test_bad_timestamp(copy_dir):
    def edit(df):
        df.loc[3, "touch_time"] = "yesterday"
    rewrite(copy_dir / "attribution" / "touches.csv", edit)
    with pytest.raises(DataError, match="'touch_time' has 'yesterday' in row 3.*UTC timestamp"):
        load("attribution/touches", directory=copy_dir)


def test_bad_boolean_and_bad_category(copy_dir):
    def bad_bool(df):
        df.loc[0, "is_reinstall"] = "maybe"
    rewrite(copy_dir / "attribution" / "installs.csv", bad_bool)
    with pytest.raises(DataError, match="'is_reinstall' has 'maybe' in row 0.*true or false"):
        load("attribution/installs", directory=copy_dir)

    def bad_platform(df):
        df.loc[1, "platform"] = "windows"
    rewrite(copy_dir / "attribution" / "users.csv", bad_platform)
    with pytest.raises(DataError, match="'platform' has 'windows' in row 1; expected one of android, ios"):
        load("attribution/users", directory=copy_dir)


def test_fractional_count_and_missing_required_value(copy_dir):
    def edit(df):
        df.loc[2, "clicks"] = "1.5"
    rewrite(copy_dir / "attribution" / "spend.csv", edit)
    with pytest.raises(DataError, match="'clicks' has '1.5' in row 2.*whole number"):
        load("attribution/spend", directory=copy_dir)

    def empty_source(df):
        df.loc[4, "media_source"] = ""
    rewrite(copy_dir / "attribution" / "touches.csv", empty_source)
    with pytest.raises(DataError, match="'media_source' is missing a value in row 4"):
        load("attribution/touches", directory=copy_dir)


def test_extra_column_warns_but_loads(copy_dir):
    rewrite(copy_dir / "attribution" / "paths.csv", lambda df: df.__setitem__("note", "x"))
    with pytest.warns(DataWarning, match="unexpected column.*'note'"):
        df = load("attribution/paths", directory=copy_dir)
    assert "note" in df.columns


def test_validate_in_memory_frames():
    spend = load("attribution/spend")
    assert validate(spend, "attribution/spend") is spend
    wrong = spend.assign(cost=spend["cost"].astype(str))
    with pytest.raises(DataError, match="'cost' has dtype .*expected float"):
        validate(wrong, "attribution/spend")
    naive = spend.assign(date=spend["date"].dt.tz_localize(None))
    with pytest.raises(DataError, match="'date'.*expected datetime"):
        validate(naive, "attribution/spend")
    negative = spend.copy()
    negative.loc[7, "cost"] = -3.0
    with pytest.raises(DataError, match="'cost' has -3.0 in row 7; it must not be negative"):
        validate(negative, "attribution/spend")
    with pytest.raises(DataError, match="unexpected column"):
        validate(spend.assign(roas=1.0), "attribution/spend", extra="error")
    with pytest.raises(DataError, match="missing column 'clicks'"):
        validate(spend.drop(columns="clicks"), "attribution/spend")
    with pytest.raises(DataError, match="expected a pandas DataFrame"):
        validate([1, 2], "attribution/spend")


def test_card_lists_every_column():
    for name, schema in SCHEMAS.items():
        text = data.card(name)
        for col in schema.columns:
            assert f"`{col.name}`" in text
    card = (DATASETS / "attribution" / "README.md").read_text()
    assert "20261124" in card and "python -m helpers.synth build" in card and "USD" in card


# ---- whole worlds, gzip tables and the fraud dataset ----------------------------------------------


def _fraud_spec():
    from helpers.synth.build import DEFAULT_SET

    return next(s for s in DEFAULT_SET if s.name == "fraud")


def test_load_world_round_trip_equals_generate_world():
    from helpers.synth import World, generate_world

    spec = _fraud_spec()
    fresh = generate_world(spec.users, spec.seed, vertical=spec.vertical, start=spec.start, days=spec.days,
                           fraud=spec.fraud)
    loaded = load_world("fraud")
    assert isinstance(loaded, World)
    assert (loaded.vertical, loaded.seed, loaded.n_users, loaded.start, loaded.days, loaded.end) == \
        (fresh.vertical, fresh.seed, fresh.n_users, fresh.start, fresh.days, fresh.end)
    assert list(loaded.tables) == list(fresh.tables)
    for name, df in fresh.tables.items():
        pd.testing.assert_frame_equal(loaded.tables[name].reset_index(drop=True), df.reset_index(drop=True),
                                      check_dtype=True, check_exact=True, obj=name)


@pytest.mark.parametrize("name", WORLDS)
def test_load_world_for_every_world_folder(name):
    world = load_world(name)
    assert set(world.tables) == {"users", "touches", "installs", "events", "spend", "deeplink_clicks"}
    for table, df in world.tables.items():
        validate(df, f"{name}/{table}", extra="error")
    assert world.n_users == len(world.users) and world.installs["install_time"].min() >= world.start
    assert world.installs["install_time"].max() < world.end
    assert world.installs["fraud_type"].notna().any() == (name == "fraud")


def test_load_world_feeds_the_fraud_helpers_and_the_mmp_view():
    from helpers.fraud import inputs_from_world
    from helpers.synth.views.mmp import mmp_view

    world = load_world("fraud")
    inputs = inputs_from_world(world)
    assert len(inputs.installs) == len(world.installs) and "fraud_type" not in inputs.installs.columns
    assert set(inputs.truth["fraud_type"].dropna()) == set(SCHEMAS["fraud/installs"].columns[-1].allowed)
    assert len(mmp_view(world).installs) == len(world.installs)


def test_load_world_unknown_name_lists_the_worlds():
    with pytest.raises(DataError, match="unknown world 'fraud/touches'; available worlds: attribution, fraud, "
                                        "world-gaming"):
        load_world("fraud/touches")
    with pytest.raises(DataError, match="unknown world"):
        load_world(None)


def test_gz_tables_load_transparently(tmp_path):
    import gzip

    gz = DATASETS / "fraud" / "touches.csv.gz"
    assert data.dataset_path("fraud/touches") == gz
    assert data.dataset_path("fraud/installs") == DATASETS / "fraud" / "installs.csv"
    from_gz = load("fraud/touches")
    plain_dir = tmp_path / "plain"
    (plain_dir / "fraud").mkdir(parents=True)
    (plain_dir / "fraud" / "touches.csv").write_bytes(gzip.decompress(gz.read_bytes()))
    pd.testing.assert_frame_equal(load("fraud/touches", directory=plain_dir), from_gz)
    # any .csv.gz table works, e.g. a compressed copy of a plain one
    gz_dir = tmp_path / "gz"
    (gz_dir / "attribution").mkdir(parents=True)
    spend = (DATASETS / "attribution" / "spend.csv").read_bytes()
    (gz_dir / "attribution" / "spend.csv.gz").write_bytes(gzip.compress(spend, compresslevel=9, mtime=0))
    assert data.dataset_path("attribution/spend", gz_dir).name == "spend.csv.gz"
    pd.testing.assert_frame_equal(load("attribution/spend", directory=gz_dir), load("attribution/spend"))
    (gz_dir / "attribution" / "spend.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="attribution/spend: spend.csv.gz is not a valid gzip file"):
        load("attribution/spend", directory=gz_dir)
    with pytest.raises(DataError, match="not found"):
        load("attribution/events", directory=gz_dir)


def test_committed_fraud_shares_are_near_the_mix():
    mix = _fraud_spec().fraud
    installs = load("fraud/installs")
    shares = installs["fraud_type"].value_counts(normalize=False) / len(installs)
    for fraud_type in ("click_injection", "click_flooding", "sdk_spoofing", "bot", "device_farm"):
        assert abs(shares.get(fraud_type, 0.0) - mix.share(fraud_type)) < 0.005, fraud_type
    assert abs(installs["fraud_type"].notna().mean() - mix.total) < 0.01
    for table in ("touches", "events"):
        assert load(f"fraud/{table}")["fraud_type"].notna().any(), table


def test_committed_flooding_sites_convert_below_0_05_percent():
    from helpers.fraud import inputs_from_world

    mix = _fraud_spec().fraud
    inputs = inputs_from_world(load_world("fraud"))
    attributed = inputs.installs.groupby(["media_source", "site_id"]).size()
    clicks = inputs.clicks.groupby(["media_source", "site_id"]).size()
    for pair in mix.sites["click_flooding"]:
        conversion = attributed.get(pair, 0) / clicks[pair]
        assert 0 < conversion <= 0.0005, (pair, attributed.get(pair, 0), clicks[pair])
