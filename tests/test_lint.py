"""`make lint`'s ruff check is part of `make test` too, so a lint error fails CI (code and notebooks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing_in_code_and_notebooks():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"ruff check . found problems:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}"
