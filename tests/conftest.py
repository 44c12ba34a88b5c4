"""Shared test setup: every test gets its own progress store; matplotlib never opens a window."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _private_progress_store(tmp_path, monkeypatch):
    monkeypatch.setenv("MMA_PROGRESS", str(tmp_path / "progress.sqlite3"))
    monkeypatch.delenv("MMA_STRICT_CHECKS", raising=False)
    monkeypatch.delenv("MMA_LANG", raising=False)
