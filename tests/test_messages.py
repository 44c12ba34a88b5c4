import pytest

from helpers import messages
from helpers.messages import t


def test_lookup_and_placeholders():
    assert "organic_share" in t("exercise.not_attempted", variable="organic_share")
    with pytest.raises(KeyError, match="no message 'nope.missing'"):
        t("nope.missing")
    with pytest.raises(KeyError, match="needs the value 'variable'"):
        t("exercise.not_attempted")


def test_every_catalogue_loads_and_has_no_empty_messages():
    for lang in messages.available_languages():
        cat = messages.catalogue(lang)
        assert cat, f"catalogue {lang} is empty"
        empty = [k for k, v in cat.items() if not v.strip()]
        assert not empty, f"empty messages in {lang}: {empty}"


def test_unknown_language_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("MMA_LANG", "xx")
    assert messages.language() == "en"
