import pytest

from helpers import progress


def test_record_read_and_reset():
    assert progress.events() == []
    progress.record("01-attribution", "01.1", "attribution-1.1-q1", "check", "wrong")
    progress.record("01-attribution", "01.1", "attribution-1.1-q1", "check", "correct")
    progress.record("02-fraud", "02.1", "fraud-2.1-q1", "hint", "shown")
    assert [e.outcome for e in progress.events("01-attribution")] == ["wrong", "correct"]
    assert progress.reset("02-fraud") == 1
    assert len(progress.events()) == 2
    assert progress.reset() == 2
    assert progress.events() == []


def test_bad_action_is_rejected():
    with pytest.raises(ValueError, match="unknown progress action"):
        progress.record("c", "l", "e", "peek")


def test_unwritable_store_does_not_break_a_check(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MMA_PROGRESS", str(blocker / "progress.sqlite3"))
    monkeypatch.setattr(progress, "_warned", False)
    with pytest.warns(UserWarning, match="progress could not be saved"):
        assert progress.record("c", "l", "e", "check", "correct") is False
