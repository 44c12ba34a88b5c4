"""Attacks on the grader: every submission here tries to cheat, snoop or break the grading.

One small assignment is released into a temporary grading root; each attack is one learner's
submission, all are autograded in one batch (parallel workers, bubblewrap sandbox), and each test
checks the attack's score, its status row, and that nothing outside the sandbox changed (source
and release notebooks, other submissions, the host's IPython startup folder, a canary file, no
process left behind, no connection to a service on the host's loopback).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import socket
import textwrap
import threading
from pathlib import Path

import _grading_support as gs
import nbformat
import pytest
from nbformat.v4 import new_notebook

from grading import cli, execute, plaindata, sandbox

pytestmark = pytest.mark.slow

AID = "98-attacks"
NB = "attacks"
HIDDEN = "HIDDEN-ATTACK-MARKER"
SECRET_PW = "s3cret-Gradebook-pw"
SLEEP_MARK = "987654"


_cell, RO, ANSWER, _tests = gs.nb_cell, gs.RO, gs.ANSWER, gs.tests_meta


def source_notebook():
    nb = new_notebook(cells=[
        _cell("markdown", "atk-intro", "# Attack fixture", **RO),
        _cell("code", "atk-setup", 'counts = {"a": 1, "b": 2, "organic": 1}', **RO),
        _cell("code", "atk-q1", """
            ### BEGIN SOLUTION
            total_installs = sum(counts.values())
            ### END SOLUTION
            """, **ANSWER),
        _cell("code", "atk-q1-tests", f"""
            assert isinstance(total_installs, int), "a whole number"
            ### BEGIN HIDDEN TESTS
            assert total_installs == sum(counts.values()), "add up every network"  # {HIDDEN}-q1
            ### END HIDDEN TESTS
            """, **_tests(2)),
        _cell("code", "atk-q2", """
            ### BEGIN SOLUTION
            shares = {k: v / sum(counts.values()) for k, v in counts.items()}
            ### END SOLUTION
            """, **ANSWER),
        _cell("code", "atk-q2-tests", f"""
            assert isinstance(shares, dict), "a dict"
            ### BEGIN HIDDEN TESTS
            assert shares == {{k: v / 4 for k, v in counts.items()}}, "shares are off"  # {HIDDEN}-q2
            ### END HIDDEN TESTS
            """, **_tests(3)),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


WRONG = "total_installs = 3\nshares = {'a': 1.0}"
RIGHT = "total_installs = sum(counts.values())\nshares = {k: v / sum(counts.values()) for k, v in counts.items()}"


def attacks(port: int, root: Path) -> dict[str, str]:
    """student -> code put in the first answer cell (the second answer cell stays blank)."""
    d = textwrap.dedent
    return {
        "control-right": RIGHT,
        "control-wrong": WRONG,
        "builtins": WRONG + d("""
            import builtins
            builtins.AssertionError = type("Nope", (Exception,), {})
            builtins.isinstance = lambda *a: True
            builtins.abs = lambda x: 0
            builtins.sum = lambda *a, **k: 3
            """),
        "input-transformer": WRONG + "\nget_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])",
        "always-equal": d("""
            class AlwaysEqual(int):
                def __eq__(self, other): return True
                def __ne__(self, other): return False
                __hash__ = int.__hash__
            class EqDict(dict):
                def __eq__(self, other): return True
            total_installs = AlwaysEqual(3)
            shares = EqDict(a=1.0)
            """),
        "patch-setup": d("""
            counts = {"a": 3}                      # make the wrong answers "right" for the tests
            total_installs = 3
            shares = {"a": 1.0}
            import json
            json.loads = lambda *a, **k: {"total_installs": 4}
            """),
        "fake-output": WRONG + d("""
            print("atk-q1-tests: PASSED 2/2 points")
            from IPython.display import publish_display_data
            import json
            publish_display_data({"text/x-mma-answers": json.dumps(
                {"grade_id": "atk-q1-tests", "values": {"total_installs": 4}, "missing": []})})
            5.0
            """),
        "exit-kernel": WRONG + "\nexit()\nquit()\nget_ipython().ask_exit()\nraise SystemExit(0)",
        "kill-kernel": RIGHT + "\nimport os\nos._exit(3)",
        "interrupt-swallow": WRONG + d("""
            import time
            while True:
                try:
                    time.sleep(0.05)
                except KeyboardInterrupt:
                    pass
            """),
        "snoop": WRONG + d(f"""
            import glob, json, os, socket
            paths = {{}}
            for p in [{str(root)!r}, {str(root / 'source')!r}, {str(root / 'gradebook.db')!r},
                      {str(cli.CONFIG_FILE)!r}, os.path.expanduser("~/.jupyter"), "/root/.jupyter",
                      "/root/.ipython", {str(Path(cli.__file__).parent)!r}, "/etc/postgresql"]:
                paths[p] = os.path.exists(p)
            print("PATHS=" + json.dumps(paths))
            print("ENV=" + json.dumps(sorted(os.environ)))
            print("SECRET=" + str(any({SECRET_PW!r} in v for v in os.environ.values())))
            procs = {{}}
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        procs[pid] = open(f"/proc/{{pid}}/environ", "rb").read()[:2000].decode("latin-1")
                    except OSError as e:
                        procs[pid] = type(e).__name__
            print("PROCS=" + json.dumps(procs))
            try:
                s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
                s.sendall(b"hello from the sandbox")
                print("NET=CONNECTED")
            except OSError as e:
                print("NET=" + type(e).__name__)
            hits = [h for top in ("/tmp", "/opt", "/root", "/home", "/work", "/srv", "/mnt", "/var", "/etc")
                    for h in glob.glob(top + "/**/*.ipynb", recursive=True)]
            print("NOTEBOOKS=" + json.dumps(hits))
            """),
        "fork-bomb": WRONG + d(f"""
            import os
            n = 0
            try:
                for _ in range(5000):
                    if os.fork() == 0:
                        os.execv("/bin/sleep", ["sleep", "{SLEEP_MARK}"])
                    n += 1
            except OSError as e:
                print("fork stopped after", n, type(e).__name__)
            import subprocess
            subprocess.Popen(["/bin/sleep", "{SLEEP_MARK}"], start_new_session=True)
            """),
        "memory-bomb": WRONG + d("""
            try:
                hog = bytearray(16 * 1024 ** 3)
                print("allocated 16 GiB")
            except MemoryError:
                print("memory limited")
            """),
        "disk-fill": WRONG + d("""
            written = 0
            try:
                with open("/tmp/work/fill.bin", "wb") as f:
                    while written < 8 * 1024 ** 3:
                        f.write(b"\\0" * (1 << 20))
                        written += 1 << 20
            except OSError as e:
                print("disk full after", written // (1 << 20), "MiB:", type(e).__name__)
            """),
        "huge-output": WRONG + "\nprint('x' * (48 * 1024 ** 2))",
        "startup-files": WRONG + d("""
            import os
            for base in [os.path.expanduser("~"), "/root", "/tmp/home"]:
                d = os.path.join(base, ".ipython", "profile_default", "startup")
                try:
                    os.makedirs(d, exist_ok=True)
                    open(os.path.join(d, "00-evil.py"), "w").write("total_installs = 4\\n")
                    print("wrote", d)
                except OSError as e:
                    print("cannot write", d, type(e).__name__)
            """),
        "write-outside": WRONG + d(f"""
            import os
            for p in [{str(root / 'PWNED.txt')!r}, {str(root / 'source' / AID / 'PWNED.txt')!r},
                      {str(Path(cli.__file__).parent / 'PWNED.txt')!r}, "/tmp/PWNED-mma-attack",
                      {str(Path(cli.__file__).resolve().parents[1] / 'helpers' / 'PWNED.txt')!r}]:
                try:
                    open(p, "w").write("x")
                    print("wrote", p)
                except OSError as e:
                    print("cannot write", p, type(e).__name__)
            """),
    }


class Listener:
    """A TCP service on the host's loopback; records whether anybody connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def _tree_digest(path: Path) -> dict[str, str]:
    out = {}
    for p in sorted(path.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(path))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _sleepers() -> list[int]:
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if Path(f"/proc/{d}/cmdline").read_bytes().split(b"\0")[:2] == [b"sleep", SLEEP_MARK.encode()]:
                    pids.append(int(d))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    ok, why = sandbox.check()
    assert ok, f"the sandbox must work on the test machine (make test installs bubblewrap): {why}"
    base = tmp_path_factory.mktemp("attacks")
    root, courses = base / "grading", base / "courses"
    (courses / AID / "assignment").mkdir(parents=True)
    root.mkdir()
    nbformat.write(source_notebook(), courses / AID / "assignment" / f"{NB}.ipynb")
    keys = ("MMA_GRADING_ROOT", "MMA_COURSES_DIR", "MMA_GRADEBOOK_URL", "MMA_EXECUTE_TIMEOUT", "MMA_GRADING_UNSAFE")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(MMA_GRADING_ROOT=str(root), MMA_COURSES_DIR=str(courses), MMA_EXECUTE_TIMEOUT="3")
    os.environ.pop("MMA_GRADEBOOK_URL", None)
    os.environ["MMA_TEST_SECRET"] = f"postgresql://grader:{SECRET_PW}@127.0.0.1/gradebook"
    listener = Listener()
    host_startup = Path.home() / ".ipython" / "profile_default" / "startup"
    before_startup = sorted(host_startup.glob("*")) if host_startup.is_dir() else []
    try:
        assert cli.main(["release"]) == 0
        release = nbformat.read(root / "release" / AID / f"{NB}.ipynb", 4)
        plan = attacks(listener.port, root)
        for sid, code in plan.items():
            nb = copy.deepcopy(release)
            next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == "atk-q1").source = code
            out = root / "submitted" / sid / AID
            out.mkdir(parents=True)
            nbformat.write(nb, out / f"{NB}.ipynb")
        # a symlink to the source notebook (hidden tests, full marks if nbgrader followed it)
        link = root / "submitted" / "symlink" / AID
        link.mkdir(parents=True)
        (link / f"{NB}.ipynb").symlink_to(root / "source" / AID / f"{NB}.ipynb")
        # a data file symlinked to the gradebook, next to a right answer
        side = root / "submitted" / "symlink-data" / AID
        side.mkdir(parents=True)
        nb = copy.deepcopy(release)
        next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == "atk-q1").source = RIGHT
        nbformat.write(nb, side / f"{NB}.ipynb")
        (side / "data.csv").symlink_to(root / "gradebook.db")
        # a malformed notebook file
        bad = root / "submitted" / "malformed" / AID
        bad.mkdir(parents=True)
        (bad / f"{NB}.ipynb").write_text('{"cells": [ this is not json')
        canary = base / "canary.txt"
        canary.write_text("untouched")
        protected = {name: _tree_digest(root / name) for name in ("source", "release")}
        protected["submitted"] = _tree_digest(root / "submitted")
        helpers_dir = Path(cli.__file__).resolve().parents[1] / "helpers"
        assert cli.main(["autograde", "--workers", "2"]) == 0
        assert cli.main(["grades"]) == 0
        with open(root / "exports" / "grades.csv", newline="") as f:
            rows = {r["student"]: r for r in csv.DictReader(f) if r["assignment"] == AID}
        yield {"root": root, "rows": rows, "listener": listener, "protected": protected, "canary": canary,
               "helpers": helpers_dir, "host_startup": host_startup, "before_startup": before_startup,
               "plan": plan}
    finally:
        listener.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        os.environ.pop("MMA_TEST_SECRET", None)


def _outputs_text(root: Path, sid: str) -> str:
    path = root / "autograded" / sid / AID / f"{NB}.ipynb"
    nb = nbformat.read(path, 4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def _score(rows, sid) -> float:
    return float(rows[sid]["score"] or 0)


# ------------------------------------------------------------------------------------------------

def test_controls(batch):
    rows = batch["rows"]
    assert rows["control-right"]["status"] == "graded" and _score(rows, "control-right") == 5
    assert rows["control-wrong"]["status"] == "graded" and _score(rows, "control-wrong") == 0


@pytest.mark.parametrize("sid", ["builtins", "input-transformer", "always-equal", "patch-setup", "fake-output",
                                 "exit-kernel", "snoop", "fork-bomb", "memory-bomb", "disk-fill",
                                 "startup-files", "write-outside"])
def test_wrong_answers_earn_nothing_whatever_the_code_does(batch, sid):
    row = batch["rows"][sid]
    assert row["status"] == "graded", row
    assert _score(batch["rows"], sid) == 0, row


def test_kernel_death_and_swallowed_interrupt_fail_to_grade(batch):
    rows = batch["rows"]
    assert rows["kill-kernel"]["status"] == "failed to grade" and "kernel died" in rows["kill-kernel"]["reason"]
    assert rows["interrupt-swallow"]["status"] == "failed to grade"
    assert "time limit" in rows["interrupt-swallow"]["reason"]


def test_huge_output_fails_to_grade_with_the_reason(batch):
    row = batch["rows"]["huge-output"]
    assert row["status"] == "failed to grade" and "output" in row["reason"], row


def test_symlinks_and_malformed_notebooks_fail_to_grade(batch):
    rows = batch["rows"]
    for sid in ("symlink", "symlink-data"):
        assert rows[sid]["status"] == "failed to grade" and "symbolic link" in rows[sid]["reason"], rows[sid]
        assert _score(rows, sid) == 0
    assert rows["malformed"]["status"] == "failed to grade" and "not a valid notebook" in rows["malformed"]["reason"]


def _printed(root: Path, sid: str) -> dict[str, str]:
    """KEY=value lines printed by a submission's answer cell."""
    nb = nbformat.read(root / "autograded" / sid / AID / f"{NB}.ipynb", 4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and line.split("=", 1)[0].isupper())


def test_snooping_finds_nothing(batch):
    root = batch["root"]
    got = _printed(root, "snoop")
    assert got["NET"] in ("ConnectionRefusedError", "OSError", "TimeoutError"), got["NET"]
    assert batch["listener"].connections == 0           # the host's loopback service saw nobody
    paths = json.loads(got["PATHS"])
    assert paths and not any(paths.values()), paths      # none of the grader's paths exist inside
    env = json.loads(got["ENV"])
    assert got["SECRET"] == "False" and "MMA_TEST_SECRET" not in env and "MMA_GRADING_ROOT" not in env
    procs = json.loads(got["PROCS"])
    assert SECRET_PW not in got["PROCS"] and "MMA_GRADING_ROOT" not in got["PROCS"]
    assert len(procs) < 10                               # only the sandbox's own processes are visible
    assert json.loads(got["NOTEBOOKS"]) == []            # no notebook anywhere in the sandbox
    nb = nbformat.read(root / "autograded" / "snoop" / AID / f"{NB}.ipynb", 4)
    learner = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    assert HIDDEN not in json.dumps([c.get("outputs", []) for c in learner])


def test_fork_bomb_is_bounded_and_nothing_survives(batch):
    text = _outputs_text(batch["root"], "fork-bomb")
    assert "fork stopped after" in text
    assert _sleepers() == []


def test_memory_and_disk_limits(batch):
    assert "memory limited" in _outputs_text(batch["root"], "memory-bomb")
    text = _outputs_text(batch["root"], "disk-fill")
    assert "disk full after" in text
    mib = int(text.split("disk full after ")[1].split()[0])
    assert mib <= sandbox.Limits.disk_mb


def test_startup_files_and_writes_stay_inside(batch):
    text = _outputs_text(batch["root"], "startup-files")
    assert "cannot write /root" in text
    startup = batch["host_startup"]
    now = sorted(startup.glob("*")) if startup.is_dir() else []
    assert now == batch["before_startup"]
    text = _outputs_text(batch["root"], "write-outside")
    assert "wrote" not in text.replace("wrote /tmp/PWNED-mma-attack", "")
    assert not (batch["root"] / "PWNED.txt").exists()
    assert not Path("/tmp/PWNED-mma-attack").exists()
    assert not (Path(cli.__file__).parent / "PWNED.txt").exists()


def test_nothing_outside_the_sandbox_changed(batch):
    root = batch["root"]
    for name in ("source", "release", "submitted"):
        assert _tree_digest(root / name) == batch["protected"][name], name
    assert not list(batch["helpers"].rglob("PWNED*"))   # (other files there may be edited by people)
    assert batch["canary"].read_text() == "untouched"
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["autograded", "exchange", "exports", "gradebook.db", "release", "source", "status", "submitted"])
    assert _sleepers() == []


def test_hidden_tests_never_reach_feedback_or_learner_outputs(batch):
    root = batch["root"]
    assert cli.main(["feedback"]) == 0
    pages = list((root / "feedback").glob(f"*/{AID}/*.html"))
    assert pages
    for page in pages:
        assert HIDDEN not in page.read_text()
    for sid in batch["plan"]:
        path = root / "autograded" / sid / AID / f"{NB}.ipynb"
        if path.exists():
            nb = nbformat.read(path, 4)
            learner = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
            assert HIDDEN not in json.dumps([c.get("outputs", []) for c in learner]), sid


def test_rerun_is_idempotent(batch):
    root = batch["root"]
    before = {k: (r["status"], r["score"]) for k, r in batch["rows"].items()}
    assert cli.main(["autograde", "--student", "control-right"]) == 0
    assert cli.main(["autograde", "--student", "builtins"]) == 0
    assert cli.main(["grades"]) == 0
    with open(root / "exports" / "grades.csv", newline="") as f:
        after = {r["student"]: (r["status"], r["score"]) for r in csv.DictReader(f) if r["assignment"] == AID}
    assert after == before


# ------------------------------------------------------------------------------------------------
# without a sandbox

def test_refuses_without_sandbox_unless_unsafe(batch, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "check", lambda: (False, "bubblewrap (`bwrap`) is not installed"))
    assert cli.main(["autograde", "--student", "control-right"]) == 2
    err = capsys.readouterr().err
    assert "refusing to autograde" in err and "--unsafe" in err and "bwrap" in err
    assert cli.main(["autograde", "--student", "control-right", "--unsafe", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "WITHOUT a sandbox" in out and "control-right" in out and "graded" in out


# ------------------------------------------------------------------------------------------------
# units: plain data and the names a test reads

def test_plain_data_makes_genuine_values():
    import numpy as np
    import pandas as pd

    class AlwaysEqual(list):
        def __eq__(self, other):
            return True

    back = plaindata.decode(json.loads(json.dumps(plaindata.encode(AlwaysEqual([1, 2])))))
    assert type(back) is list and back != [5]
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=pd.Index([3, 4], name="i"))
    pd.testing.assert_frame_equal(plaindata.decode(json.loads(json.dumps(plaindata.encode(frame)))), frame)
    arr = np.arange(6).reshape(2, 3)
    assert (plaindata.decode(plaindata.encode(arr)) == arr).all()
    fn = plaindata.decode(plaindata.encode(lambda x: x))
    with pytest.raises(TypeError, match="function"):
        fn == 1  # noqa: B015
    with pytest.raises(plaindata.PlainDataError):
        plaindata.decode({"$pickle": "gASV"})
    with pytest.raises(plaindata.PlainDataError):
        plaindata.decode({"$ndarray": ["O", [1], ["x"]]})


def test_needed_names():
    setup = ["import pandas as pd\nfrom helpers.data import load\ninstalls = load('x')"]
    tests = ["assert isinstance(answer, dict)\n_x = len(installs)\nassert _x == total",
             "assert _x > 0 and other == pd.Series()"]
    assert execute.needed_names(tests, setup) == [["answer", "total"], ["other"]]


def test_release_warns_about_function_answers(tmp_path):
    nb = new_notebook(cells=[
        _cell("code", "f-setup", "data = [1, 2]", **RO),
        _cell("code", "f-q", "### BEGIN SOLUTION\ndef total(xs):\n    return sum(xs)\n### END SOLUTION", **ANSWER),
        _cell("code", "f-q-tests", "assert total(data) == 3\nassert isinstance(answer, int)", **_tests(1)),
    ])
    nbformat.write(nb, tmp_path / "fn.ipynb")
    warnings = cli.answer_warnings(tmp_path)
    assert len(warnings) == 1 and "calls `total`" in warnings[0] and "f-q-tests" in warnings[0]
