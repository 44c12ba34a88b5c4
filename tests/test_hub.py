"""The workshop hub for real: JupyterHub (hub/jupyterhub_config.py) on 127.0.0.1 with two attendees
and a facilitator, each a unix account the test creates, and one graded assignment going
release -> fetch -> submit -> collect -> autograde -> grades through the shared nbgrader exchange.

* The facilitator releases course 01's assignment into the shared exchange as their own unix user.
* Each attendee's server is started through the hub's REST API (as the hub starts it at login: as
  the attendee's unix account); the attendee fetches, edits (contents API) and submits through
  their own server's nbgrader endpoints, the ones JupyterLab's *Assignments* tab calls.
* The facilitator collects (nbgrader checks each submission's owner against the student id),
  ``python -m grading autograde`` grades in the sandbox (as root, its strongest mode) and
  ``python -m grading grades`` writes the CSV: the attendee who submitted the solution has every
  automatic point, the one who submitted the blank has none.

Needs root (it creates unix users and the hub switches to them); everything it made (processes,
users, folders) is removed at the end. Only loopback is used.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
AID = "01-attribution"
SOURCE = REPO / "courses" / AID / "assignment" / "attribution-assignment.ipynb"
COURSE_ID = "mobile-measurement-academy"

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _run(cmd: list[str], *, user: str | None = None, cwd: Path | None = None, env: dict | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``cmd`` (as ``user`` when given, through runuser) and fail with its output if it fails."""
    full = ["runuser", "-u", user, "--", *cmd] if user else cmd
    proc = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(full)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _user_python(base: Path, probe_user: str) -> str:
    """A Python that the test's unix users can run, with the kit's packages.

    The project's venv works when its interpreter is readable by everyone (a system Python). When
    it is not (e.g. pyenv under /root, mode 0700), a venv of the system's Python of the same
    version is made whose site-packages point at the project's.
    """
    own = str(VENV_BIN / "python")
    if subprocess.run(["runuser", "-u", probe_user, "--", own, "-c", "import jupyterhub"],
                      capture_output=True).returncode == 0:
        return own
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(f"python{version}", path="/usr/local/bin:/usr/bin:/bin")
    assert system, (f"the project's Python ({own}) cannot be run by other users and there is no system "
                    f"python{version} to give them; install Debian's python{version} (apt-get install python3)")
    shim = base / "userpython"
    _run([system, "-m", "venv", "--without-pip", str(shim)])
    import sysconfig

    site_dir = next((shim / "lib").glob("python*/site-packages"))
    (site_dir / "mma_kit.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    # the commands nbgrader and the hub call by name (the venv's own scripts name its interpreter)
    for script, entry in {"alembic": "alembic.config:main", "nbgrader": "nbgrader.apps.nbgraderapp:main",
                          "jupyter": "jupyter_core.command:main"}.items():
        module, func = entry.split(":")
        path = shim / "bin" / script
        path.write_text(f"#!{shim / 'bin' / 'python'}\nimport sys\nfrom {module} import {func}\nsys.exit({func}())\n")
        path.chmod(0o755)
    return str(shim / "bin" / "python")


class Hub:
    """Talks to the hub's REST API with the test's service token and to a user's server through the proxy."""

    def __init__(self, url: str, token: str, log: Path | None = None):
        self.url, self.token, self.log = url.rstrip("/"), token, log

    def request(self, method: str, path: str, data: dict | bytes | None = None, *, form: bool = False,
                timeout: float = 60) -> tuple[int, bytes]:
        headers = {"Authorization": f"token {self.token}"}
        body = None
        if isinstance(data, bytes):
            body = data
        elif data is not None and form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, method: str, path: str, data=None, *, form: bool = False, ok=(200, 201)):
        status, body = self.request(method, path, data, form=form)
        if status not in ok:
            tail = self.log.read_text(errors="replace")[-5000:] if self.log else ""
            raise AssertionError(f"{method} {path}: HTTP {status}: {body[:300]!r}\nhub log:\n{tail}")
        return json.loads(body) if body else None

    def start_server(self, user: str, timeout: float = 90) -> None:
        status, body = self.request("POST", f"/hub/api/users/{user}/server")
        assert status in (201, 202), f"starting {user}'s server: HTTP {status}: {body!r}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.json("GET", f"/hub/api/users/{user}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{user}'s server was not ready after {timeout} s: {model}")


# ---------------------------------------------------------------------------------------------
# the hub
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.fail("tests/test_hub.py needs root: it creates unix users and JupyterHub starts each "
                    "attendee's server as that user (run `make test` as root, e.g. in CI)")
    missing = [m for m in ("jupyterhub", "configurable_http_proxy", "jupyterhub_idle_culler")
               if importlib.util.find_spec(m) is None]
    assert not missing, (f"missing Python packages {missing}: pip install jupyterhub configurable-http-proxy "
                         "jupyterhub-idle-culler (see hub/README.md)")
    for tool in ("useradd", "userdel", "runuser"):
        assert shutil.which(tool), f"{tool} is missing (Debian package passwd / util-linux)"
    base = Path(tempfile.mkdtemp(prefix="mma-hub-", dir="/tmp"))
    os.chmod(base, 0o755)  # homes and the exchange live below it
    tag = f"{os.getpid() % 100000:05d}"
    users = {"facilitator": f"mmafac{tag}", "ann": f"mmaann{tag}", "bob": f"mmabob{tag}"}
    created: list[str] = []
    proc = None
    log_file = base / "hub.log"
    try:
        (base / "home").mkdir()
        for name in users.values():
            _run(["useradd", "--create-home", "--home-dir", str(base / "home" / name), "--shell", "/bin/sh",
                  "--user-group", name])
            created.append(name)
        python = _user_python(base, users["ann"])
        port, api_port, proxy_api_port = _free_ports(3)
        token = secrets.token_hex(32)
        env = dict(os.environ)
        for k in ("MMA_GRADING_ROOT", "MMA_GRADEBOOK_URL", "MMA_WORKSPACE", "MMA_PROGRESS", "JUPYTER_CONFIG_PATH"):
            env.pop(k, None)
        env.update(
            MMA_HUB_IP="127.0.0.1", MMA_HUB_PORT=str(port), MMA_HUB_API_PORT=str(api_port),
            MMA_HUB_PROXY_API_PORT=str(proxy_api_port), MMA_HUB_STATE=str(base / "state"),
            MMA_EXCHANGE=str(base / "srv" / "exchange"), MMA_COURSE_DIR=str(base / "srv" / COURSE_ID),
            MMA_HUB_USERS=f"{users['ann']},{users['bob']}", MMA_HUB_FACILITATOR=users["facilitator"],
            MMA_HUB_AUTH="shared-password", MMA_HUB_PASSWORD=secrets.token_urlsafe(12),
            MMA_HUB_ADMIN_PASSWORD=secrets.token_urlsafe(32),
            MMA_HUB_SERVICE_TOKEN=token, MMA_HUB_PYTHON=python,
        )
        with log_file.open("wb") as log:
            proc = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(REPO / "hub" / "jupyterhub_config.py")],
                                    cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        client = Hub(f"http://127.0.0.1:{port}", token, log_file)
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"JupyterHub exited {proc.returncode}:\n{log_file.read_text()[-4000:]}"
            try:
                if client.request("GET", "/hub/api/", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"JupyterHub did not answer in 60 s:\n{log_file.read_text()[-4000:]}"
            time.sleep(0.3)
        yield {"client": client, "users": users, "base": base, "env": env, "python": python,
               "exchange": base / "srv" / "exchange", "course_dir": base / "srv" / COURSE_ID, "log": log_file}
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the users' servers on its way out
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        uids = set()
        for name in created:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        _kill_processes_of(uids)
        for name in created:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _kill_processes_of(uids: set[int]) -> None:
    """SIGKILL, by process id, every process still running as one of the test's own users."""
    for _ in range(20):
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid in uids:
                        pids.append(int(entry.name))
                except FileNotFoundError:
                    pass
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# the round trip
# ---------------------------------------------------------------------------------------------

def _solved(released: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released notebook with every answer cell replaced by the author's solution."""
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(SOURCE, 4).cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.from_dict(json.loads(json.dumps(released)))
    replaced = 0
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if c.metadata.get("nbgrader", {}).get("solution") and gid in solutions:
            c.source = solutions[gid]
            replaced += 1
    assert replaced == len(solutions), (replaced, sorted(solutions))
    return nb


def _automatic_points() -> float:
    """Points of the assignment's test cells, from the source notebook's nbgrader metadata."""
    return float(sum(c.metadata["nbgrader"].get("points", 0) for c in nbformat.read(SOURCE, 4).cells
                     if c.metadata["nbgrader"].get("grade") and not c.metadata["nbgrader"].get("solution")))


@pytest.fixture(scope="module")
def round_trip(hub):
    client, users, env = hub["client"], hub["users"], hub["env"]
    course_dir, python, fac = hub["course_dir"], hub["python"], hub["users"]["facilitator"]
    fac_env = {**env, "MMA_GRADING_ROOT": str(course_dir), "HOME": pwd.getpwnam(fac).pw_dir,
               "PATH": os.pathsep.join([str(Path(python).parent), env.get("PATH", "")])}
    steps: dict = {}

    # 1. the facilitator releases the assignment into the shared exchange (as their own account)
    _run([python, "-m", "grading", "release", "--assignment", AID], user=fac, cwd=REPO, env=fac_env)
    rel = _run([python, "-m", "nbgrader", "release_assignment", AID], user=fac, cwd=course_dir, env=fac_env)
    steps["release_log"] = rel.stdout + rel.stderr

    # 2. each attendee: start the server through the hub, open the start page, fetch, answer, submit
    nb_name = SOURCE.name
    for who in ("ann", "bob"):
        user = users[who]
        client.start_server(user)
        status, page = client.request("GET", f"/user/{user}/mma")
        steps[f"{who}_start_page"] = (status, page.decode("utf-8", "replace"))
        listed = client.json("POST", f"/user/{user}/assignments/fetch",
                             {"course_id": COURSE_ID, "assignment_id": AID}, form=True)
        steps[f"{who}_fetched"] = listed
        assert [a for a in listed.get("value", []) if a.get("assignment_id") == AID and a.get("status") == "fetched"], (
            f"{user} could not fetch {AID}: {listed}\n{hub['log'].read_text()[-6000:]}")
        model = client.json("GET", f"/user/{user}/api/contents/assignments/{AID}/{nb_name}")
        released = nbformat.from_dict(model["content"])
        answer = _solved(released) if who == "ann" else released
        client.json("PUT", f"/user/{user}/api/contents/assignments/{AID}/{nb_name}",
                    {"type": "notebook", "format": "json", "content": answer})
        steps[f"{who}_submitted"] = client.json("POST", f"/user/{user}/assignments/submit",
                                                {"course_id": COURSE_ID, "assignment_id": AID}, form=True)

    # 3. the facilitator collects, then grades (as root: the sandbox's strongest mode) and exports
    col = _run([python, "-m", "nbgrader", "collect", AID], user=fac, cwd=course_dir, env=fac_env)
    steps["collect_log"] = col.stdout + col.stderr
    root_env = {**env, "MMA_GRADING_ROOT": str(course_dir)}
    steps["autograde"] = _run([sys.executable, "-m", "grading", "autograde", "--assignment", AID],
                              cwd=REPO, env=root_env, timeout=150).stdout
    _run([sys.executable, "-m", "grading", "grades"], cwd=REPO, env=root_env)
    with (course_dir / "exports" / "grades.csv").open(newline="") as f:
        steps["grades"] = {r["student"]: r for r in csv.DictReader(f) if r["assignment"] == AID}
    return steps


def test_host_folders_have_the_permissions_nbgrader_and_privacy_need(hub):
    assert hub["exchange"].stat().st_mode & 0o7777 == 0o1777
    course = hub["course_dir"]
    assert course.stat().st_mode & 0o777 == 0o750
    assert course.stat().st_uid == pwd.getpwnam(hub["users"]["facilitator"]).pw_uid
    # attendees cannot read the facilitator's course root (solutions, hidden tests, gradebook)
    peek = subprocess.run(["runuser", "-u", hub["users"]["ann"], "--", "ls", str(course)], capture_output=True)
    assert peek.returncode != 0
    private = hub["base"] / "state" / "hub"
    assert private.stat().st_mode & 0o777 == 0o700 and (private / "jupyterhub.sqlite").is_file()
    learner_cfg = (hub["base"] / "state" / "jupyter" / "nbgrader_config.py").read_text()
    assert repr(str(hub["exchange"])) in learner_cfg and repr(COURSE_ID) in learner_cfg


def test_attendee_servers_run_as_their_own_unix_accounts(hub, round_trip):
    for who in ("ann", "bob"):
        user = hub["users"][who]
        model = hub["client"].json("GET", f"/hub/api/users/{user}")
        assert model["servers"][""]["ready"]
        home = Path(pwd.getpwnam(user).pw_dir)
        fetched = home / "workspace" / "assignments" / AID / SOURCE.name
        assert fetched.is_file()
        assert fetched.stat().st_uid == pwd.getpwnam(user).pw_uid


def _run_in_kernel(hub, user: str, code: str, timeout: float = 60) -> str:
    """Start a kernel in ``user``'s server, run ``code`` over the kernel's websocket (through the
    proxy, as JupyterLab does) and return what it printed."""
    import asyncio
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    client = hub["client"]
    kernel = client.json("POST", f"/user/{user}/api/kernels", {"name": "python3"})
    ws_url = client.url.replace("http://", "ws://") + f"/user/{user}/api/kernels/{kernel['id']}/channels"

    async def talk() -> str:
        conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {client.token}"}))
        msg_id = uuid.uuid4().hex
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user, "session": uuid.uuid4().hex,
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out = []
        while True:
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            assert raw is not None, "the kernel's websocket closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                conn.close()
                return "".join(out)

    try:
        return asyncio.run(talk())
    finally:
        client.request("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")


def test_kernels_run_as_the_attendee_over_the_proxy_websocket(hub, round_trip):
    user = hub["users"]["bob"]
    out = _run_in_kernel(hub, user, "import getpass, helpers.data\nprint(getpass.getuser())")
    assert out.strip() == user


def test_start_page_is_the_portal(round_trip):
    for who in ("ann", "bob"):
        status, page = round_trip[f"{who}_start_page"]
        assert status == 200, page[:500]
        assert "Attribution" in page and "/lab/tree/" in page


def test_fetch_and_submit_through_each_server(hub, round_trip):
    for who in ("ann", "bob"):
        fetched = [a for a in round_trip[f"{who}_fetched"]["value"] if a["assignment_id"] == AID]
        assert fetched and fetched[0]["status"] == "fetched", round_trip[f"{who}_fetched"]
        submitted = round_trip[f"{who}_submitted"]
        assert submitted["success"], submitted
        assert [a for a in submitted["value"] if a["assignment_id"] == AID and a["status"] == "submitted"], submitted
    inbound = sorted(p.name.split("+")[0] for p in (hub["exchange"] / COURSE_ID / "inbound").iterdir())
    assert inbound == sorted([hub["users"]["ann"], hub["users"]["bob"]])


def test_collect_finds_both_attendees_with_matching_owners(hub, round_trip):
    log = round_trip["collect_log"]
    assert log.count("Collecting submission") == 2, log
    assert "cheating attempt" not in log, log  # nbgrader's warning when the unix owner differs from the id
    for who in ("ann", "bob"):
        assert (hub["course_dir"] / "submitted" / hub["users"][who] / AID / SOURCE.name).is_file(), log


def test_autograde_and_grades_give_each_attendee_a_row(hub, round_trip):
    rows = round_trip["grades"]
    ann, bob = hub["users"]["ann"], hub["users"]["bob"]
    assert set(rows) == {ann, bob}, rows
    full = _automatic_points()
    assert full > 0
    assert rows[ann]["status"] == "graded" and float(rows[ann]["auto_score"]) == full, rows[ann]
    assert rows[ann]["needs_manual_grade"] == "True"  # the written memo waits for the facilitator
    assert rows[bob]["status"] == "graded" and float(rows[bob]["auto_score"]) == 0, rows[bob]


def test_facilitator_server_opens_formgrader_on_the_course(hub, round_trip):
    fac = hub["users"]["facilitator"]
    client = hub["client"]
    client.start_server(fac)
    status, page = client.request("GET", f"/user/{fac}/formgrader/api/assignments")
    assert status == 200, page[:500]
    assert page.lstrip().startswith(b"["), hub["log"].read_text(errors="replace")[-4000:]
    assignments = {a["name"]: a for a in json.loads(page)}
    assert assignments[AID]["num_submissions"] == 2, assignments
    # the facilitator's server shows the course root and runs as the facilitator
    listing = {f["name"] for f in client.json("GET", f"/user/{fac}/api/contents")["content"]}
    assert {"nbgrader_config.py", "gradebook.db", "submitted", "source"} <= listing, listing
    assert _run_in_kernel(hub, fac, "import getpass\nprint(getpass.getuser())").strip() == fac


def test_no_server_for_a_system_account(hub):
    client = hub["client"]
    status, body = client.request("POST", "/hub/api/users/daemon")  # uid 1 on Debian
    assert status in (201, 409), body
    status, body = client.request("POST", "/hub/api/users/daemon/server")
    assert status >= 400, (status, body)
    assert b"system account" in body or "system account" in hub["log"].read_text(errors="replace")
    model = client.json("GET", "/hub/api/users/daemon")
    assert not (model.get("servers") or {}).get("", {}).get("ready")
