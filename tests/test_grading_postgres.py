"""The gradebook on a real PostgreSQL server (Debian package ``postgresql``).

The fixture creates a throw-away cluster in a temporary folder (``initdb``, as the ``postgres`` user
when the tests run as root), starts it on a free port of 127.0.0.1 with password authentication,
and points ``MMA_GRADEBOOK_URL`` at it. ``make test`` / ``.ci/run`` install the package when it is
missing (as root, with apt-get). The cluster is stopped and deleted afterwards.

Checks: release, parallel autograde, grades and feedback work on PostgreSQL; the password never
appears in what the commands print or in the status logs; learner code can neither see the URL nor
reach the server.
"""

from __future__ import annotations

import copy
import csv
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from grading import cli

pytestmark = pytest.mark.slow

AID = "97-postgres"
NB = "pg"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    assert path, (f"PostgreSQL's `{name}` was not found: install the Debian package `postgresql` "
                  "(`make test` does it when run as root)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_pg(argv: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """(url, password, port) of a fresh PostgreSQL cluster on 127.0.0.1."""
    base = Path(tempfile.mkdtemp(prefix="mma-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    password = secrets.token_urlsafe(16)
    pwfile = base / "pw"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        for p in (base, sock, pwfile):
            os.chown(p, pg.pw_uid, pg.pw_gid)
        os.chmod(base, 0o700)
    port = _free_port()
    r = _as_pg([_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
                f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8"])
    assert r.returncode == 0, r.stderr
    r = _as_pg([_pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
                f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start"])
    assert r.returncode == 0, r.stderr + (base / "log").read_text() if (base / "log").exists() else r.stderr
    try:
        env = dict(os.environ, PGPASSWORD=password)
        sql = (f"CREATE ROLE grader LOGIN PASSWORD '{password}'; "
               "CREATE DATABASE gradebook OWNER grader;")
        for stmt in sql.split("; "):
            r = subprocess.run([_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", stmt.rstrip(";")],
                               capture_output=True, text=True, env=env, timeout=60)
            assert r.returncode == 0, r.stderr
        yield f"postgresql://grader:{password}@127.0.0.1:{port}/gradebook", password, port
    finally:
        _as_pg([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        time.sleep(0.2)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory):
    from test_grading_sandbox import RIGHT, WRONG, source_notebook

    url, password, port = postgres
    base = tmp_path_factory.mktemp("pg-course")
    root, courses = base / "grading", base / "courses"
    (courses / AID / "assignment").mkdir(parents=True)
    root.mkdir()
    nbformat.write(source_notebook(), courses / AID / "assignment" / f"{NB}.ipynb")
    keys = ("MMA_GRADING_ROOT", "MMA_COURSES_DIR", "MMA_GRADEBOOK_URL", "MMA_EXECUTE_TIMEOUT")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(MMA_GRADING_ROOT=str(root), MMA_COURSES_DIR=str(courses), MMA_GRADEBOOK_URL=url,
                      MMA_EXECUTE_TIMEOUT="10")
    probe = "\n".join([
        WRONG,
        "import os, socket",
        "print('URL-SEEN' if any('postgres' in v for v in os.environ.values()) else 'no url')",
        "try:",
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=2); print('PG-REACHED')",
        "except OSError as e:",
        "    print('no pg', type(e).__name__)",
    ])
    try:
        assert cli.main(["release"]) == 0
        release = nbformat.read(root / "release" / AID / f"{NB}.ipynb", 4)
        for sid, code in {"right": RIGHT, "wrong": WRONG, "pg-probe": probe, "right2": RIGHT}.items():
            nb = copy.deepcopy(release)
            next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == "atk-q1").source = code
            out = root / "submitted" / sid / AID
            out.mkdir(parents=True)
            nbformat.write(nb, out / f"{NB}.ipynb")
        assert cli.main(["autograde", "--workers", "2"]) == 0
        assert cli.main(["grades"]) == 0
        assert cli.main(["feedback"]) == 0
        assert cli.main(["status"]) == 0
        yield root, url, password
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_grades_are_in_postgres(graded):
    from nbgrader.api import Gradebook

    root, url, _ = graded
    with Gradebook(url, "mobile-measurement-academy") as gb:
        scores = {s: sum(g.auto_score or 0 for nb in gb.find_submission(AID, s).notebooks for g in nb.grades)
                  for s in ("right", "wrong", "pg-probe", "right2")}
    assert scores == {"right": 5, "wrong": 0, "pg-probe": 0, "right2": 5}
    assert not (root / "gradebook.db").exists()   # nothing went to a SQLite file
    with open(root / "exports" / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert rows["right"]["status"] == "graded" and float(rows["right"]["score"]) == 5


def test_learner_code_cannot_see_or_reach_the_database(graded):
    root, _, _ = graded
    nb = nbformat.read(root / "autograded" / "pg-probe" / AID / f"{NB}.ipynb", 4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "no url" in text and "URL-SEEN" not in text
    assert "no pg" in text and "PG-REACHED" not in text


def test_password_never_printed_or_logged(graded, capsys):
    root, url, password = graded
    assert cli.main(["status"]) == 0
    captured = capsys.readouterr()
    assert "127.0.0.1" in captured.out and "grader" in captured.out   # the URL is shown, masked
    assert password not in captured.out + captured.err
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".log", ".json", ".csv", ".html", ".ipynb", ".py"):
            assert password not in path.read_text(errors="replace"), path


def test_bad_password_is_a_clear_error_without_the_password(graded, capsys, monkeypatch):
    root, url, password = graded
    wrong = url.replace(password, "not-the-password")
    monkeypatch.setenv("MMA_GRADEBOOK_URL", wrong)
    assert cli.main(["status"]) == 2
    err = capsys.readouterr().err
    assert "cannot open the gradebook" in err and "not-the-password" not in err and "***" in err
