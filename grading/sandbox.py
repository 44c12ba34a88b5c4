"""Run one learner notebook inside a bubblewrap sandbox (Debian package ``bubblewrap``).

What the learner's code sees and can do (``bwrap`` + ``setpriv`` + resource limits):

* **Files**: a fresh root with read-only ``/usr`` (the system libraries), the Python installation,
  the virtualenv, and the two repository folders notebooks read: ``helpers/`` and ``datasets/``;
  the sandbox driver and ``plaindata.py`` at ``/opt/mma``. Nothing else: no ``grading/`` (source
  notebooks with hidden tests, the gradebook, ``nbgrader_config.py``), no ``courses/``, no other
  submissions, no home folder (``~/.jupyter``, ``~/.ipython``), no ``/etc`` secrets.
  ``/tmp`` is a private tmpfs of ``disk_mb``; the submission is copied into ``/tmp/work``.
* **No network**: a new network namespace with only its own loopback (the host's ``127.0.0.1``
  services, e.g. a PostgreSQL gradebook, are unreachable).
* **No environment**: ``--clearenv``; only ``HOME``/``PATH``/Jupyter/matplotlib variables are set
  (no ``MMA_GRADEBOOK_URL``, no credentials).
* **Processes**: a new PID namespace (the grader's processes and their ``/proc`` entries are
  invisible); ``--die-with-parent``; when the run ends (or hits ``wall_seconds``) the whole
  sandbox is killed, and any process left with the sandbox's user id is killed too.
* **Limits** (``setrlimit``): CPU seconds per process, address space (memory), number of
  processes, file size, open files, no core dumps; output read back is capped at ``output_mb``.
* **User**: when the grader runs as root, bwrap runs privileged (no user namespace) and the learner's
  code runs as a throw-away uid ``100000 + worker pid`` without any capability (``setpriv
  --no-new-privs``), so the process limit applies (the kernel exempts root from it). As an ordinary
  user, bwrap runs unprivileged in a user namespace.

``check()`` tells whether the sandbox works here; without it grading refuses untrusted work unless
the instructor passes ``--unsafe`` (the notebook then runs as a plain subprocess with the limits but
no isolation).
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
INNER_DIR = "/opt/mma"
INNER_FILES = ("_driver.py", "_export.py", "plaindata.py")
UID_BASE = 100_000


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 300
    memory_mb: int = 3072
    processes: int = 64
    disk_mb: int = 256
    output_mb: int = 32
    open_files: int = 512
    file_mb: int = 128


@dataclass
class Result:
    returncode: int | None
    stdout: bytes
    stderr: str
    timed_out: bool = False
    output_exceeded: bool = False
    seconds: float = 0.0
    leftover_killed: int = 0


def _which_bwrap() -> str | None:
    return shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap",) if os.access(p, os.X_OK)), None)


def _setpriv() -> str | None:
    return shutil.which("setpriv") or next((p for p in ("/usr/bin/setpriv",) if os.access(p, os.X_OK)), None)


def _ro_paths() -> list[Path]:
    """Folders to bind read-only at their own paths: Python, the venv, helpers/ and datasets/."""
    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)]
    exe = Path(sys.executable)
    paths.append(exe.resolve().parent)
    try:
        import helpers
        from helpers import data

        paths.append(Path(helpers.__file__).resolve().parent)
        paths.append(Path(data.default_directory()).resolve())
    except Exception:  # pragma: no cover - the kit is always installed with helpers
        pass
    out: list[Path] = []
    for p in paths:
        if str(p).startswith(("/usr/", "/bin", "/lib")) or str(p) == "/usr":
            continue
        if p.exists() and p not in out:
            out.append(p)
    # drop paths contained in another bound path
    return [p for p in out if not any(q != p and q in p.parents for q in out)]


def _dirs_for(path: Path, made: set[str]) -> list[str]:
    args = []
    for parent in reversed(path.parents):
        s = str(parent)
        if s == "/" or s in made or s in ("/usr", "/tmp", "/proc", "/dev"):
            continue
        made.add(s)
        args += ["--perms", "0755", "--dir", s]
    return args


def bwrap_argv(limits: Limits, uid: int | None, env: dict[str, str]) -> list[str]:
    """The ``bwrap`` command line (``uid``: run the inner command as this uid via setpriv)."""
    bwrap = _which_bwrap()
    if bwrap is None:
        raise RuntimeError("bwrap not found")
    argv = [bwrap, "--die-with-parent", "--new-session",
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if uid is not None:
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user"]
    # the private /tmp first: binds below it (a checkout under /tmp) must not be hidden by it
    argv += ["--size", str(limits.disk_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/") / name
        if p.is_symlink():
            argv += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            argv += ["--ro-bind", str(p), str(p)]
    # the few /etc files programs look for (no secrets)
    argv += ["--perms", "0755", "--dir", "/etc"]
    for name in ("ld.so.cache", "ld.so.conf", "localtime", "nsswitch.conf", "mime.types"):
        if Path("/etc", name).exists():
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for name in ("fonts", "ld.so.conf.d", "alternatives", "ssl"):
        if Path("/etc", name).is_dir():
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    made: set[str] = {"/etc"}
    for p in _ro_paths():
        argv += _dirs_for(p, made)
        argv += ["--ro-bind", str(p), str(p)]
        made.add(str(p))
    argv += ["--perms", "0755", "--dir", "/opt", "--perms", "0755", "--dir", INNER_DIR]
    for name in INNER_FILES:
        argv += ["--ro-bind", str(PACKAGE_DIR / name), f"{INNER_DIR}/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev", "--clearenv"]
    for k, v in env.items():
        argv += ["--setenv", k, v]
    argv += ["--chdir", "/tmp"]
    inner = ["/bin/sh", "-c", "mkdir -p /tmp/work /tmp/home && cd /tmp/work && exec \"$0\" \"$@\"",
             sys.executable, "-I", f"{INNER_DIR}/_driver.py"]
    if uid is not None:
        setpriv = _setpriv()
        argv += ["--", setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    else:
        argv += ["--"]
    return argv + inner


def inner_env() -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {
        "HOME": "/tmp/home", "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
        "JUPYTER_RUNTIME_DIR": "/tmp/home/.jupyter-runtime", "JUPYTER_CONFIG_DIR": "/tmp/home/.jupyter",
        "IPYTHONDIR": "/tmp/home/.ipython", "MPLCONFIGDIR": "/tmp/home/.matplotlib",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1", "NBGRADER_EXECUTION": "autograde", "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        **({"MMA_DATASETS": os.environ["MMA_DATASETS"]} if os.environ.get("MMA_DATASETS") else {}),
    }


_MODE: dict[str, bool] = {}


def _probe(uid: int | None) -> subprocess.CompletedProcess:
    argv = bwrap_argv(Limits(), uid, inner_env())
    # the same sandbox with a trivial inner command: Python is visible and the user id is dropped
    probe = argv[: argv.index("/bin/sh")] + ["/bin/sh", "-c", "test -x " + sys.executable + " && id -u"]
    return subprocess.run(probe, capture_output=True, text=True, timeout=30)


@functools.lru_cache(maxsize=1)
def check() -> tuple[bool, str]:
    """(works, reason): does a bubblewrap sandbox start here? Cached per process.

    As root, the privileged mode (no user namespace, learner code as a throw-away uid) is tried
    first; if the container forbids its mounts, the user-namespace mode (as for ordinary users).
    """
    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux (bubblewrap); this is " + sys.platform
    if _which_bwrap() is None:
        return False, ("bubblewrap (`bwrap`) is not installed: on Debian/Ubuntu run "
                       "`sudo apt-get install bubblewrap`")
    uid = _sandbox_uid()
    if uid is not None and _setpriv() is None:
        return False, "`setpriv` (util-linux) is missing, needed to drop root inside the sandbox"
    try:
        r = _probe(uid)
        if r.returncode != 0 and uid is not None:
            r2 = _probe(None)
            if r2.returncode == 0:
                _MODE["userns"] = True
                return True, "bubblewrap " + _bwrap_version() + " (user namespace; no per-sandbox process limit)"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap did not start: {exc}"
    if r.returncode != 0:
        err = (r.stderr or "").strip().splitlines()
        return False, ("bubblewrap cannot create its sandbox here (" + (err[-1] if err else f"exit {r.returncode}")
                       + "); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1 / "
                         "user.max_user_namespaces) or the container forbids them")
    return True, "bubblewrap " + _bwrap_version()


def _bwrap_version() -> str:
    try:
        return subprocess.run([_which_bwrap(), "--version"], capture_output=True, text=True,
                              timeout=10).stdout.split()[-1]
    except Exception:  # pragma: no cover
        return "?"


def _sandbox_uid() -> int | None:
    """A throw-away uid for this worker process when running as root, else None."""
    if os.geteuid() != 0 or _MODE.get("userns"):
        return None
    return UID_BASE + os.getpid()


def _preexec(limits: Limits, nproc: int):
    def apply():
        os.setsid()
        mb = 1024 * 1024
        for res, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                           (resource.RLIMIT_AS, limits.memory_mb * mb),
                           (resource.RLIMIT_NPROC, nproc),
                           (resource.RLIMIT_FSIZE, limits.file_mb * mb),
                           (resource.RLIMIT_NOFILE, limits.open_files),
                           (resource.RLIMIT_CORE, 0)):
            try:
                resource.setrlimit(res, (value, value))
            except (ValueError, OSError):
                pass
    return apply


def _user_process_count() -> int:
    uid = os.getuid()
    n = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.stat(f"/proc/{d}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


def kill_uid(uid: int) -> int:
    """Kill every process owned by ``uid`` (the sandbox's throw-away uid); returns how many."""
    killed = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.stat(f"/proc/{d}").st_uid == uid:
                os.kill(int(d), signal.SIGKILL)
                killed += 1
        except OSError:
            pass
    return killed


def run(request: dict, limits: Limits, wall_seconds: float, unsafe: bool = False) -> Result:
    """Run the driver on ``request`` in the sandbox (or, with ``unsafe``, as a plain subprocess)."""
    env = inner_env()
    uid = None
    if unsafe:
        import tempfile

        work = tempfile.mkdtemp(prefix="mma-unsafe-")
        env.update(HOME=os.path.join(work, "home"), JUPYTER_RUNTIME_DIR=os.path.join(work, "home", "rt"),
                   IPYTHONDIR=os.path.join(work, "home", "ipython"), MPLCONFIGDIR=os.path.join(work, "home", "mpl"))
        argv = [sys.executable, "-I", str(PACKAGE_DIR / "_driver.py")]
        cwd = work
        nproc = _user_process_count() + limits.processes
        # _export.py imports plaindata from /opt/mma: point it at the package instead
        env["MMA_INNER_DIR"] = str(PACKAGE_DIR)
    else:
        uid = _sandbox_uid()
        argv = bwrap_argv(limits, uid, env)
        cwd = "/"
        nproc = limits.processes if uid is not None else _user_process_count() + limits.processes
    data = json.dumps(request, allow_nan=True).encode()
    cap = limits.output_mb * 1024 * 1024
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd, env=env if unsafe else {"PATH": "/usr/bin:/bin"},
                            preexec_fn=_preexec(limits, nproc), close_fds=True)
    chunks: list[bytes] = []
    err: list[bytes] = []
    state = {"size": 0, "exceeded": False}

    def feed():
        try:
            proc.stdin.write(data)
        except OSError:
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def read_out():
        while True:
            b = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else proc.stdout.read(65536)
            if not b:
                break
            state["size"] += len(b)
            if state["size"] > cap:
                state["exceeded"] = True
                _kill(proc)
                break
            chunks.append(b)

    def read_err():
        tail = 0
        while True:
            b = proc.stderr.read(65536)
            if not b:
                break
            err.append(b)
            tail += len(b)
            while tail > 65536 and len(err) > 1:
                tail -= len(err.pop(0))

    threads = [threading.Thread(target=f, daemon=True) for f in (feed, read_out, read_err)]
    for t in threads:
        t.start()
    timed_out = False
    try:
        proc.wait(timeout=wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(proc)
        proc.wait()
    for t in threads:
        t.join(timeout=5)
    _kill(proc)  # the process group, in case something is left
    leftover = kill_uid(uid) if uid is not None else 0
    if unsafe:
        shutil.rmtree(cwd, ignore_errors=True)
    return Result(returncode=proc.returncode, stdout=b"".join(chunks),
                  stderr=b"".join(err)[-65536:].decode("utf-8", "replace"), timed_out=timed_out,
                  output_exceeded=state["exceeded"], seconds=time.monotonic() - t0, leftover_killed=leftover)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
