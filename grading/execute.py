"""``SandboxedExecute``: nbgrader's ``Execute`` step, split so that learner code cannot touch grading.

It takes the place of ``nbgrader.preprocessors.Execute`` in ``Autograde.autograde_preprocessors``;
everything before it (restoring locked cells and hidden tests from the gradebook) and after it
(``SaveAutoGrades`` writing the gradebook, late penalties, feedback) is stock nbgrader, so grade
cell ids, points, gradebook records, formgrader and feedback work as usual.

1. **Which cells are trusted.** A code cell is the instructor's when its ``grade_id`` is in the
   gradebook as a locked, non-solution source cell *and* its source equals the stored one (after
   nbgrader's ``OverwriteCells`` it does). Test cells are the trusted cells with ``grade: true``.
2. **The learner's run** (``grading.sandbox``): the notebook runs in a bubblewrap sandbox, every test
   cell replaced by an *export* cell that hands the names the test reads (answers such as
   ``installs_by_network``) to the grader as plain data (``grading.plaindata``), at that point of
   the notebook. Outputs of the learner's own cells are kept (shown in the autograded notebook and
   the feedback).
3. **The tests** run in the trusted test runner (``grading.testrunner``) on fresh values decoded from
   that data, after the notebook's trusted setup cells; their outputs become the test cells' outputs,
   which ``SaveAutoGrades`` scores as usual (an ``error`` output = 0 points).

Names a test reads are found with ``ast``: every name it loads that neither a trusted setup cell nor
an earlier statement of the tests binds, minus builtins. Answers must therefore be *values*
(numbers, text, lists, dicts, numpy arrays, pandas tables): a function or an object of the learner's
own class cannot leave the sandbox, and a test that uses it fails with a message saying so.

Failures raise ``SandboxFailure`` with a message nbgrader records: ``Kernel died`` (kernel death),
``CellTimeoutError`` (a cell that could not be interrupted, or the whole run past its time limit),
output above the limit, malformed results.
"""

from __future__ import annotations

import ast
import base64
import builtins
import copy
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Integer, List

from grading import sandbox

ANSWERS_MIME = "text/x-mma-answers"
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}


class SandboxFailure(RuntimeError):
    """The learner's notebook could not be run to the end (recorded as 'failed to grade')."""


class NoSandbox(RuntimeError):
    """No sandbox here and ``--unsafe`` was not given."""


# ------------------------------------------------------------------------------------------------
# names a test cell reads
# ------------------------------------------------------------------------------------------------

def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def _loaded_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _parse(source: str) -> ast.Module:
    from grading.testrunner import _transform

    try:
        return ast.parse(_transform(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def needed_names(test_sources: list[str], setup_sources: list[str]) -> list[list[str]]:
    """For each test cell (in order), the names it reads from the learner's namespace."""
    bound = set(dir(builtins)) | {"get_ipython", "display", "In", "Out", "__name__"}
    for src in setup_sources:
        bound |= _bound_names(_parse(src))
    out = []
    for src in test_sources:
        want: list[str] = []
        for stmt in _parse(src).body:
            for name in sorted(_loaded_names(stmt)):
                if name not in bound and name not in want:
                    want.append(name)
            bound |= _bound_names(stmt)
        out.append(want)
    return out


# ------------------------------------------------------------------------------------------------
# the trusted test runner (one per process and notebook)
# ------------------------------------------------------------------------------------------------

class Runner:
    """The trusted test runner process; its setup cells start running at once (in the background)."""

    def __init__(self, setup_sources: list[str], cwd: str, lang: str = "en"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("MMA_GRADEBOOK")}
        # feedback in the assignment's language (see assignment_language)
        env.update(MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", MMA_LANG=lang)
        pp = env.get("PYTHONPATH", "")
        repo = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join([repo, pp]) if pp else repo
        self.proc = subprocess.Popen([sys.executable, "-m", "grading.testrunner"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd=cwd, text=True,
                                     start_new_session=True)
        self.lock = threading.Lock()
        self.ready = False
        self.proc.stdin.write(json.dumps({"op": "setup", "cells": setup_sources, "cwd": cwd}) + "\n")
        self.proc.stdin.flush()
        self.setup_errors: list[str] = []

    def _wait_ready(self) -> None:
        if not self.ready:
            line = self.proc.stdout.readline()
            if not line:
                raise SandboxFailure("the trusted test runner stopped during its setup")
            self.setup_errors = json.loads(line).get("errors", [])
            self.ready = True

    def call(self, req: dict, timeout: float) -> dict:
        with self.lock:
            self._wait_ready()
            if self.proc.poll() is not None:
                raise SandboxFailure("the trusted test runner stopped")
            self.proc.stdin.write(json.dumps(req, allow_nan=True) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise SandboxFailure("the trusted test runner stopped without a reply")
        return json.loads(line)

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001
            self.proc.kill()


_RUNNERS: dict[str, Runner] = {}


def close_runners() -> None:
    """Stop this process's test runners (after a batch)."""
    while _RUNNERS:
        _RUNNERS.popitem()[1].close()


def get_runner(setup_sources: list[str], cwd: str, lang: str = "en") -> Runner:
    key = hashlib.sha256(json.dumps([setup_sources, cwd, lang]).encode()).hexdigest()
    r = _RUNNERS.get(key)
    if r is None or r.proc.poll() is not None:
        r = _RUNNERS[key] = Runner(setup_sources, cwd, lang)
    return r


def assignment_language(assignment_id: str) -> str:
    """The language of an assignment from its id: ``01-attribution-ko`` is Korean, others English.

    Taken from the id the instructor released, never from the submitted notebook, which the
    learner controls.
    """
    from helpers.catalog import assignment_language as language_of

    return language_of(assignment_id)


# ------------------------------------------------------------------------------------------------
# the preprocessor
# ------------------------------------------------------------------------------------------------

def export_source(gid: str, names: list[str], inner_dir: str) -> str:
    return (f"__import__('runpy').run_path({inner_dir + '/_export.py'!r}, init_globals="
            f"{{'NS': globals(), 'GID': {gid!r}, 'NAMES': {names!r}}}) and None")


class SandboxedExecute(NbGraderPreprocessor):
    """Run the learner's cells in the sandbox and the test cells in the trusted runner."""

    timeout = Integer(60, help="Seconds per learner cell before it is interrupted").tag(config=True)
    startup_timeout = Integer(120, help="Seconds for the sandboxed kernel to start").tag(config=True)
    wall_timeout = Integer(0, help="Seconds for the whole sandboxed run (0: timeout x cells + 60)").tag(config=True)
    test_timeout = Integer(300, help="Seconds for all test cells of a notebook").tag(config=True)
    unsafe = Bool(False, help="Run without a sandbox (only for trusted submissions)").tag(config=True)
    extra_arguments = List(["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]).tag(config=True)
    cpu_seconds = Integer(sandbox.Limits.cpu_seconds).tag(config=True)
    memory_mb = Integer(sandbox.Limits.memory_mb).tag(config=True)
    processes = Integer(sandbox.Limits.processes).tag(config=True)
    disk_mb = Integer(sandbox.Limits.disk_mb).tag(config=True)
    output_mb = Integer(sandbox.Limits.output_mb).tag(config=True)

    def limits(self) -> sandbox.Limits:
        return sandbox.Limits(cpu_seconds=self.cpu_seconds, memory_mb=self.memory_mb, processes=self.processes,
                              disk_mb=self.disk_mb, output_mb=self.output_mb)

    def preprocess(self, nb: NotebookNode, resources: dict):
        from nbgrader.api import Gradebook, MissingEntry

        if not self.unsafe:
            ok, why = sandbox.check()
            if not ok:
                raise NoSandbox(f"refusing to run untrusted code without a sandbox: {why}; "
                                "pass --unsafe only if you trust every submission")
        info = resources["nbgrader"]
        aid, nbid = info["assignment"], info["notebook"]
        trusted: dict[int, bool] = {}
        with Gradebook(info["db_url"]) as gb:
            for i, cell in enumerate(nb.cells):
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if cell.cell_type != "code" or not gid:
                    continue
                try:
                    sc = gb.find_source_cell(gid, nbid, aid)
                except MissingEntry:
                    continue
                if sc.locked and not is_solution(cell) and sc.cell_type == "code" and sc.source == cell.source:
                    trusted[i] = is_grade(cell)
        tests = [i for i, g in trusted.items() if g]
        setup = [i for i, g in trusted.items() if not g]
        setup_src = [nb.cells[i].source for i in setup]
        names = needed_names([nb.cells[i].source for i in tests], setup_src)
        wanted = dict(zip(tests, names, strict=True))

        lang = assignment_language(aid)
        runner = get_runner(setup_src, os.getcwd(), lang) if tests else None  # warms up meanwhile

        # 1. the learner's run
        inner = str(sandbox.PACKAGE_DIR) if self.unsafe else sandbox.INNER_DIR
        run_nb = copy.deepcopy(nb)
        for i, cell in enumerate(run_nb.cells):
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
                if i in wanted:
                    cell.source = export_source(cell.metadata["nbgrader"]["grade_id"], wanted[i], inner)
        files = self._learner_files(resources)
        ncode = sum(c.cell_type == "code" for c in nb.cells)
        wall = self.wall_timeout or self.timeout * max(ncode, 1) + self.startup_timeout + 30
        request = {"notebook": run_nb, "files": files, "timeout": self.timeout,
                   "startup_timeout": self.startup_timeout, "extra_arguments": list(self.extra_arguments)}
        result = sandbox.run(request, self.limits(), wall, unsafe=self.unsafe)
        if result.leftover_killed:
            self.log.warning("killed %d process(es) left behind by the submission", result.leftover_killed)
        if result.output_exceeded:
            raise SandboxFailure(f"the notebook produced more than {self.output_mb} MB of output (output limit)")
        if result.timed_out:
            raise SandboxFailure(f"CellTimeoutError: the notebook ran past the time limit of {wall:.0f} s "
                                 "and was stopped")
        try:
            reply = json.loads(result.stdout)
            cells = reply["cells"]
            if not isinstance(cells, list) or len(cells) != len(nb.cells):
                raise ValueError("cell count differs")
        except (ValueError, KeyError, TypeError) as exc:
            tail = result.stderr.strip().splitlines()[-3:]
            raise SandboxFailure(f"Kernel died: the sandboxed run ended without results (exit code "
                                 f"{result.returncode}; {exc}; {' | '.join(tail)})") from None
        if reply.get("status") == "kernel_died":
            raise SandboxFailure(f"DeadKernelError: Kernel died while running the notebook ({reply.get('message', '')})")
        if reply.get("status") == "timeout":
            raise SandboxFailure(f"CellTimeoutError: a cell ran past the time limit and could not be "
                                 f"interrupted ({reply.get('message', '')})")
        if reply.get("status") != "ok":
            raise SandboxFailure(f"the notebook could not be run: {str(reply.get('message'))[:300]}")

        self.log.info("sandboxed run: %.2f s (inside: %s)", result.seconds, reply.get("timing"))
        answers: dict[int, dict] = {}
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            got = cells[i] if isinstance(cells[i], dict) else {}
            outputs = _clean_outputs(got.get("outputs"))
            if i in wanted:
                answers[i] = _answers(outputs, cell.metadata["nbgrader"]["grade_id"], wanted[i])
                continue
            cell.outputs = outputs
            ec = got.get("execution_count")
            cell.execution_count = ec if isinstance(ec, int) and not isinstance(ec, bool) else None

        # 2. the tests, in the trusted runner
        if runner is not None:
            req = {"op": "grade", "timeout": self.test_timeout, "tests": [
                {"grade_id": nb.cells[i].metadata["nbgrader"]["grade_id"], "source": nb.cells[i].source,
                 "values": answers[i]["values"], "missing": answers[i]["missing"]} for i in tests]}
            t0 = time.monotonic()
            reply = runner.call(req, timeout=self.test_timeout + 30)
            self.log.info("tests in the trusted runner: %.2f s", time.monotonic() - t0)
            if not reply.get("ok"):
                raise SandboxFailure(f"the tests could not be run: {reply.get('error')}")
            for n, i in enumerate(tests, start=1):
                cell = nb.cells[i]
                res = reply["results"].get(cell.metadata["nbgrader"]["grade_id"], {})
                cell.outputs = [nbformat.from_dict(o) for o in res.get("outputs", [])]
                cell.execution_count = n
        return nb, resources

    def _learner_files(self, resources: dict) -> dict[str, str]:
        """Non-notebook files of the submission (regular files only, no symlinks), base64."""
        out: dict[str, str] = {}
        path = resources.get("metadata", {}).get("path")
        if not path or not os.path.isdir(path):
            return out
        total = 0
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
            for name in filenames:
                full = os.path.join(dirpath, name)
                if name.endswith(".ipynb") or os.path.islink(full) or not os.path.isfile(full):
                    continue
                size = os.path.getsize(full)
                total += size
                if total > self.disk_mb * 1024 * 1024 // 2:
                    return out
                with open(full, "rb") as f:
                    out[os.path.relpath(full, path)] = base64.b64encode(f.read()).decode("ascii")
        return out

    def preprocess_cell(self, cell, resources, index):  # pragma: no cover - preprocess() does it all
        return cell, resources


def _clean_outputs(raw) -> list[NotebookNode]:
    """Only well-formed nbformat outputs of known types."""
    out = []
    if not isinstance(raw, list):
        return out
    for o in raw:
        if not isinstance(o, dict) or o.get("output_type") not in OUTPUT_TYPES:
            continue
        node = nbformat.from_dict(o)
        try:
            nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[node])]))
        except Exception:  # noqa: BLE001
            continue
        out.append(node)
    return out


def _answers(outputs: list, gid: str, names: list[str]) -> dict:
    """The plain-data answers in an export cell's outputs (the last well-formed one for ``gid``)."""
    found = {"values": {}, "missing": list(names)}
    for o in outputs:
        if o.get("output_type") != "display_data":
            continue
        text = o.get("data", {}).get(ANSWERS_MIME)
        if not isinstance(text, str):
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if not isinstance(data, dict) or data.get("grade_id") != gid or not isinstance(data.get("values"), dict):
            continue
        values = {k: v for k, v in data["values"].items() if k in names}
        found = {"values": values, "missing": [n for n in names if n not in values]}
    return found
