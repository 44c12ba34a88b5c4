"""Every source notebook executes in a fresh kernel, and every released copy runs top to bottom.

Source notebooks run under nbval with ``MMA_STRICT_CHECKS=1``: an exercise whose solution does not
pass its own check raises, so the notebook fails. Released copies (solutions removed) must run
without any error: their checks answer "not attempted yet".
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import catalog, workspace
from helpers.messages import t
from helpers.nbtools import dirty_reasons, notebooks

ROOT = Path(__file__).resolve().parent.parent
SOURCES = notebooks([ROOT / "courses"])  # English and translated (courses/<id>/ko/...)
LESSONS = [p for c in catalog.courses() for p in c.lesson_paths]
LESSONS += [p for c in catalog.courses(lang="ko") for p in c.lesson_paths if p.parent.name == "ko"]


def _lang(path: Path) -> str:
    return "ko" if "ko" in path.relative_to(ROOT / "courses").parts else "en"


def _clean_env(tmp_path: Path, path: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update(MMA_PROGRESS=str(tmp_path / "progress.sqlite3"), MPLBACKEND="Agg",
               MMA_SETTINGS=str(tmp_path / "settings.json"), **extra)
    env["MMA_LANG"] = _lang(path) if path else "en"  # a translated lesson runs in its language
    return env


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_notebook_is_stored_without_outputs(path):
    assert dirty_reasons(path) == [], f"{path.relative_to(ROOT)} is stored with outputs; run `make clean-notebooks`"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_notebook_executes_under_nbval(path, tmp_path):
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--nbval-lax",
           "--nbval-sanitize-with", str(ROOT / "tests" / "nbval-sanitize.cfg"), "--nbval-cell-timeout", "300",
           "--rootdir", str(tmp_path), str(path)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tmp_path, env=_clean_env(tmp_path, path, MMA_STRICT_CHECKS="1"),
                          capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, f"{path.name} failed under nbval ({elapsed:.1f} s):\n{proc.stdout[-6000:]}"
    assert " passed" in proc.stdout and " failed" not in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_released_lesson_runs_top_to_bottom(path, tmp_path):
    nb = nbformat.reads(workspace.release_lesson(path), as_version=4)
    old = dict(os.environ)
    os.environ.update(_clean_env(tmp_path, path))
    os.environ.pop("MMA_STRICT_CHECKS", None)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"released {path.name} raised: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    text = "\n".join(str(o.get("data", o.get("text", ""))) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    not_yet = t("exercise.not_attempted", lang=_lang(path), variable="").split(":")[0].split("`")[0].strip()
    assert not_yet and not_yet in text, f"the released exercises should answer {not_yet!r}"
