"""JupyterHub for a Mobile Measurement Academy workshop host.

Start it as root from the repository root (it switches to each learner's unix account)::

    sudo env MMA_HUB_USERS=ann,bob MMA_HUB_FACILITATOR=alice .venv/bin/jupyterhub -f hub/jupyterhub_config.py

* **Who logs in**: local unix accounts with their own password (PAM, the default), or, for a
  one-day workshop on a throw-away host, one shared password for every attendee
  (``MMA_HUB_AUTH=shared-password`` + ``MMA_HUB_PASSWORD``; the facilitator then logs in with
  ``MMA_HUB_ADMIN_PASSWORD``). Either way each attendee needs a unix account (``useradd -m``):
  the hub starts every server as its user, so homes are private and nbgrader's exchange knows
  who submitted (it takes the student id from the unix user name).
* **What each attendee gets**: their own server (``LocalProcessSpawner``) opening on the kit's start
  page (``/user/<name>/mma``, the ``helpers.portal`` extension), with the lessons in
  ``~/workspace`` (refreshed at every start, their edits kept), and nbgrader's *Assignments* tab
  pointing at the shared exchange.
* **The facilitator** (``MMA_HUB_FACILITATOR``, a hub admin) gets a server in the course directory
  (formgrader works there) and releases, collects and grades through the shared exchange; see
  ``hub/README.md``.

Settings (environment variables, defaults in brackets): ``MMA_HUB_IP`` [all interfaces],
``MMA_HUB_PORT`` [8000], ``MMA_HUB_API_PORT`` [8081, the hub's internal API],
``MMA_HUB_PROXY_API_PORT`` [8001], ``MMA_HUB_STATE`` [/srv/mma-hub: database, cookie secret, learner
settings], ``MMA_EXCHANGE`` [/srv/nbgrader/exchange], ``MMA_COURSE_DIR``
[/srv/nbgrader/mobile-measurement-academy], ``MMA_HUB_USERS`` (comma-separated attendees; empty:
any account that can log in), ``MMA_HUB_FACILITATOR`` (comma-separated), ``MMA_HUB_AUTH``
[pam | shared-password], ``MMA_HUB_PYTHON`` [the Python running the hub: the interpreter that runs
each learner's server, must be readable by every account], ``MMA_HUB_MEM_LIMIT`` [2G],
``MMA_HUB_CULL_IDLE`` [3600 seconds, 0 turns culling off], ``MMA_HUB_MIN_UID`` [1000: no
server for accounts below it, e.g. root or system users], ``MMA_HUB_SERVICE_TOKEN`` (an API token
for a ``mma-admin`` service with admin rights: scripts and the tests use it).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _names(name: str) -> set[str]:
    return {n.strip() for n in os.environ.get(name, "").split(",") if n.strip()}


def _port(name: str, default: int) -> int:
    raw = _env(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{name} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)


_spec = importlib.util.spec_from_file_location("mma_hub_setup_host", HERE / "setup_host.py")
setup_host = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup_host)

STATE = Path(_env("MMA_HUB_STATE", setup_host.DEFAULT_STATE))
EXCHANGE = _env("MMA_EXCHANGE", setup_host.DEFAULT_EXCHANGE)
COURSE_DIR = _env("MMA_COURSE_DIR", setup_host.DEFAULT_COURSE_DIR)
FACILITATORS = _names("MMA_HUB_FACILITATOR")
ATTENDEES = _names("MMA_HUB_USERS")
PYTHON = _env("MMA_HUB_PYTHON", sys.executable)

# --- host folders: exchange (1777), course root (facilitator's), learner nbgrader settings ----------
made = setup_host.prepare(EXCHANGE, COURSE_DIR, STATE, facilitator=sorted(FACILITATORS)[0] if FACILITATORS else None)

# --- network ----------------------------------------------------------------------------------
c.JupyterHub.ip = _env("MMA_HUB_IP", "")
c.JupyterHub.port = _port("MMA_HUB_PORT", 8000)
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = _port("MMA_HUB_API_PORT", 8081)
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_port('MMA_HUB_PROXY_API_PORT', 8001)}"
# The proxy: the pure-Python configurable-http-proxy from PyPI (installed with the hub's extras),
# else the Node.js one (`npm install --prefix hub configurable-http-proxy`), else whatever is on PATH.
_bindir = Path(sys.executable).parent
for _candidate in (_bindir / "configurable-http-proxy", HERE / "node_modules" / ".bin" / "configurable-http-proxy"):
    if _candidate.exists():
        c.ConfigurableHTTPProxy.command = [str(_candidate)]
        break
else:
    if shutil.which("configurable-http-proxy") is None:
        raise RuntimeError("configurable-http-proxy not found: pip install configurable-http-proxy "
                           "(or npm install --prefix hub configurable-http-proxy)")

# --- state ------------------------------------------------------------------------------------
# the database and the cookie secret in a folder only root reads (STATE itself is 0755: the
# learners' servers read STATE/jupyter)
PRIVATE = STATE / "hub"
PRIVATE.mkdir(parents=True, exist_ok=True)
os.chmod(PRIVATE, 0o700)
c.JupyterHub.db_url = f"sqlite:///{PRIVATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(PRIVATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(PRIVATE / "jupyterhub-proxy.pid")
c.JupyterHub.pid_file = str(PRIVATE / "jupyterhub.pid")

# --- who logs in ------------------------------------------------------------------------------
AUTH = _env("MMA_HUB_AUTH", "pam")
if AUTH == "pam":
    c.JupyterHub.authenticator_class = "pam"
elif AUTH == "shared-password":
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = _env("MMA_HUB_PASSWORD")
    if _env("MMA_HUB_ADMIN_PASSWORD"):
        c.SharedPasswordAuthenticator.admin_password = _env("MMA_HUB_ADMIN_PASSWORD")
else:
    raise ValueError(f"MMA_HUB_AUTH must be 'pam' or 'shared-password', got {AUTH!r}")
c.Authenticator.admin_users = FACILITATORS
if ATTENDEES:
    c.Authenticator.allowed_users = ATTENDEES | FACILITATORS
else:
    c.Authenticator.allow_all = True  # any account that can log in (PAM: any unix user)

# --- each attendee's server -------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [PYTHON, str(HERE / "launch_singleuser.py")]
c.Spawner.notebook_dir = "~/workspace"
c.Spawner.default_url = "/mma"
c.Spawner.mem_limit = _env("MMA_HUB_MEM_LIMIT", "2G")  # exported as MEM_LIMIT; enforced on Kubernetes
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90
_pythonpath = os.pathsep.join(p for p in [str(REPO), os.environ.get("PYTHONPATH", "")] if p)
c.Spawner.environment = {
    # nbgrader's course id and the shared exchange, for the Assignments tab and `nbgrader fetch`
    # (first), the kit's start page, then the kit environment's own Jupyter settings (JupyterLab,
    # nbgrader's extensions), also when MMA_HUB_PYTHON is another interpreter than the hub's
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(made["learner_config_dir"]), str(Path(sys.prefix) / "etc" / "jupyter")]),
    "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
    "PYTHONPATH": _pythonpath,
    "MMA_DATASETS": _env("MMA_DATASETS", str(REPO / "datasets")),
    "PATH": os.pathsep.join([str(Path(PYTHON).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
}


MIN_UID = int(_env("MMA_HUB_MIN_UID", "1000"))
# never a server for root or a system account, whatever the authenticator let in (with a shared
# password, any user name logs in)
c.Authenticator.blocked_users = {"root"}


def _per_user(spawner) -> None:
    """Refuse system accounts; the facilitator's server opens in the course directory (formgrader)."""
    name = spawner.user.name
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        raise ValueError(f"{name!r} has no unix account on this host: create it (useradd -m {name})") from None
    if uid < MIN_UID:
        raise ValueError(f"{name!r} is a system account (uid {uid} < MMA_HUB_MIN_UID={MIN_UID}): no server")
    spawner.environment["MMA_WORKSPACE"] = str(Path(os.path.expanduser(f"~{name}")) / "workspace")
    if name in FACILITATORS:
        spawner.environment["MMA_GRADING_ROOT"] = COURSE_DIR
        # the course root's nbgrader_config.py first: formgrader reads the configuration from the
        # Jupyter config path (the server's working directory is the home folder, not the course root)
        spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            [COURSE_DIR, c.Spawner.environment["JUPYTER_CONFIG_PATH"]])
        spawner.notebook_dir = COURSE_DIR
        spawner.default_url = "/tree"


c.Spawner.pre_spawn_hook = _per_user

# --- idle servers and scripts -----------------------------------------------------------------
_cull = int(_env("MMA_HUB_CULL_IDLE", "3600"))
services: list[dict] = []
roles: list[dict] = []
if _cull > 0:
    services.append({"name": "idle-culler",
                     "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={_cull}"]})
    roles.append({"name": "idle-culler", "services": ["idle-culler"],
                  "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
    if importlib.util.find_spec("jupyterhub_idle_culler") is None:  # optional package
        services.pop()
        roles.pop()
if _env("MMA_HUB_SERVICE_TOKEN"):
    services.append({"name": "mma-admin", "api_token": _env("MMA_HUB_SERVICE_TOKEN")})
    roles.append({"name": "mma-admin", "services": ["mma-admin"],
                  "scopes": ["admin:users", "admin:servers", "access:servers", "list:users"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
