"""Shared test setup: every test gets its own progress store; matplotlib never opens a window."""

import os
import tempfile

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# never the developer's own saved language (~/.mma/settings.json), not even in module-scoped fixtures
os.environ["MMA_SETTINGS"] = os.path.join(tempfile.mkdtemp(prefix="mma-test-settings-"), "settings.json")
os.environ.pop("MMA_LANG", None)


@pytest.fixture(autouse=True)
def _private_progress_store(tmp_path, monkeypatch):
    monkeypatch.setenv("MMA_PROGRESS", str(tmp_path / "progress.sqlite3"))
    monkeypatch.delenv("MMA_STRICT_CHECKS", raising=False)
    monkeypatch.delenv("MMA_LANG", raising=False)
    # the learner's language setting: a private file per test, never the developer's own
    monkeypatch.setenv("MMA_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("JUPYTERLAB_SETTINGS_DIR", raising=False)
