"""Grading for Mobile Measurement Academy: nbgrader configuration and instructor commands.

Run from the repository root::

    python -m grading release       # courses/*/assignment -> grading/source -> grading/release
    python -m grading autograde     # every grading/submitted/<student>/<assignment>/
    python -m grading feedback      # grading/feedback/<student>/<assignment>/ (no hidden tests)
    python -m grading grades        # grading/exports/grades.csv
    python -m grading status        # short table

See ``grading/README.md``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# jsonschema (imported by nbformat, hence by nbgrader) imports the optional `rfc3987_syntax` URI
# checker, which builds a grammar for about 2 s at import time. Notebook validation never checks
# URI formats, so the grading commands (and every parallel worker) skip it.
sys.modules.setdefault("rfc3987_syntax", None)

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CONFIG_FILE = PACKAGE_DIR / "nbgrader_config.py"


def grading_root() -> Path:
    """The nbgrader course root: ``grading/`` unless env ``MMA_GRADING_ROOT`` says otherwise."""
    return Path(os.environ.get("MMA_GRADING_ROOT") or PACKAGE_DIR).resolve()


def courses_dir() -> Path:
    """Where ``<NN-topic>/assignment/`` folders live: ``courses/`` unless env ``MMA_COURSES_DIR``."""
    return Path(os.environ.get("MMA_COURSES_DIR") or REPO_ROOT / "courses").resolve()
