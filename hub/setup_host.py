"""Prepare a workshop host for the multi-user hub: the shared nbgrader exchange, the facilitator's
course directory and the nbgrader settings every learner's server reads.

Run once as root before starting the hub (``jupyterhub_config.py`` also calls :func:`prepare` at
every start; it is idempotent)::

    sudo .venv/bin/python hub/setup_host.py --facilitator alice

What it makes (paths are the defaults; every one has an environment override, see ``hub/README.md``):

* ``/srv/nbgrader/exchange`` (``MMA_EXCHANGE``): mode 1777 (world-writable, sticky), as nbgrader's
  exchange expects: learners write their submissions to ``<course>/inbound`` and cannot delete
  anyone else's files.
* ``/srv/nbgrader/mobile-measurement-academy`` (``MMA_COURSE_DIR``): the facilitator's nbgrader
  course root (``MMA_GRADING_ROOT`` for ``python -m grading``), owned by the facilitator, not
  readable by learners (mode 0750): it holds the source notebooks with solutions and hidden tests,
  and the gradebook. Its ``nbgrader_config.py`` loads the kit's ``grading/nbgrader_config.py`` and
  points the exchange at the shared folder, so ``nbgrader release_assignment`` / ``collect`` run
  in it (or formgrader in the facilitator's server) use the shared exchange.
* ``<state>/jupyter/nbgrader_config.py`` (state: ``MMA_HUB_STATE``, default ``/srv/mma-hub``): the
  learners' nbgrader settings (course id, exchange folder), and ``jupyter_server_config.json``
  there enables the kit's start page (``helpers.portal``); the hub puts this folder first on every
  learner server's ``JUPYTER_CONFIG_PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import sys
from pathlib import Path

COURSE_ID = "mobile-measurement-academy"
REPO = Path(__file__).resolve().parents[1]
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
DEFAULT_COURSE_DIR = f"/srv/nbgrader/{COURSE_ID}"
DEFAULT_STATE = "/srv/mma-hub"

LEARNER_CONFIG = '''\
# Written by hub/setup_host.py: what every learner's server needs to fetch and submit.
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
# Learners see only this course in the Assignments tab.
c.Exchange.path_includes_course = False
# Fetched assignments go to <workspace>/assignments/<assignment>/ (evaluated in each learner's own
# server): inside the folder JupyterLab shows, apart from the lesson folders, which carry the same
# names as the assignments. An absolute path also avoids nbgrader reading a relative one against
# the server's working directory instead of its root folder.
c.Exchange.assignment_dir = os.path.join(
    os.environ.get("MMA_WORKSPACE") or os.path.expanduser("~/workspace"), "assignments")
'''

COURSE_CONFIG = '''\
# Written by hub/setup_host.py: the facilitator's course root on the workshop host.
# The kit's settings (course id, sandboxed autograde, feedback without hidden tests) come from the
# kit's own grading/nbgrader_config.py; only the course root and the exchange differ here.
import os

os.environ.setdefault("MMA_GRADING_ROOT", {course_dir!r})
c = get_config()  # noqa: F821
load_subconfig({kit_config!r})  # noqa: F821
c.CourseDirectory.root = os.environ["MMA_GRADING_ROOT"]
c.Exchange.root = {exchange!r}
'''


class SetupError(ValueError):
    """The host cannot be prepared as asked (names what is wrong and what was expected)."""


def _write_if_changed(path: Path, text: str, mode: int) -> None:
    if not path.exists() or path.read_text() != text:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    os.chmod(path, mode)


def _ensure_mode(path: Path, mode: int, what: str) -> None:
    if path.stat().st_mode & 0o7777 == mode:
        return
    try:
        os.chmod(path, mode)
    except PermissionError:
        raise SetupError(f"{what} {path} must have mode {mode:o} and this account cannot change it; run "
                         f"`sudo chmod {mode:o} {path}` (or this script as root)") from None


def prepare(exchange: str | os.PathLike = DEFAULT_EXCHANGE, course_dir: str | os.PathLike = DEFAULT_COURSE_DIR,
            state: str | os.PathLike = DEFAULT_STATE, facilitator: str | None = None) -> dict[str, Path]:
    """Create (or repair) the exchange, the course root and the learners' nbgrader settings.

    ``facilitator`` is the unix account that owns the course root (None: keep the current owner,
    e.g. root). Returns the paths it made: ``exchange``, ``course_dir``, ``learner_config_dir``.
    """
    exchange, course_dir, state = Path(exchange), Path(course_dir), Path(state)
    for name, p in (("exchange", exchange), ("course_dir", course_dir), ("state", state)):
        if not p.is_absolute():
            raise SetupError(f"{name} must be an absolute path (every user's server reads it), got {str(p)!r}")
    owner = None
    if facilitator:
        try:
            owner = pwd.getpwnam(facilitator)
        except KeyError:
            raise SetupError(f"facilitator {facilitator!r} is not a unix account on this host; create it "
                             f"first (sudo useradd -m {facilitator}) or pass another name") from None

    exchange.mkdir(parents=True, exist_ok=True)
    # nbgrader checks for 777; the sticky bit keeps users from deleting each other's files
    _ensure_mode(exchange, 0o1777, "the exchange")
    course_dir.mkdir(parents=True, exist_ok=True)
    _ensure_mode(course_dir, 0o750, "the course directory")
    _write_if_changed(course_dir / "nbgrader_config.py", COURSE_CONFIG.format(
        course_dir=str(course_dir), exchange=str(exchange),
        kit_config=str(REPO / "grading" / "nbgrader_config.py")), 0o644)
    if owner is not None:
        for p in [course_dir, *course_dir.rglob("*")]:
            os.chown(p, owner.pw_uid, owner.pw_gid, follow_symlinks=False)

    learner_dir = state / "jupyter"
    learner_dir.mkdir(parents=True, exist_ok=True)
    _ensure_mode(state, 0o755, "the hub's state folder")  # learners read the settings below it
    _ensure_mode(learner_dir, 0o755, "the learner settings folder")
    _write_if_changed(learner_dir / "nbgrader_config.py",
                      LEARNER_CONFIG.format(course_id=COURSE_ID, exchange=str(exchange)), 0o644)
    # the kit's start page (merged with the server extensions enabled elsewhere, e.g. nbgrader's)
    _write_if_changed(learner_dir / "jupyter_server_config.json",
                      json.dumps({"ServerApp": {"jpserver_extensions": {"helpers.portal": True}}}, indent=2) + "\n",
                      0o644)
    return {"exchange": exchange, "course_dir": course_dir, "learner_config_dir": learner_dir}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="hub/setup_host.py", description=__doc__.split("\n")[0])
    p.add_argument("--exchange", default=os.environ.get("MMA_EXCHANGE", DEFAULT_EXCHANGE))
    p.add_argument("--course-dir", default=os.environ.get("MMA_COURSE_DIR", DEFAULT_COURSE_DIR))
    p.add_argument("--state", default=os.environ.get("MMA_HUB_STATE", DEFAULT_STATE))
    p.add_argument("--facilitator", default=os.environ.get("MMA_HUB_FACILITATOR"),
                   help="unix account that owns the course directory")
    args = p.parse_args(argv)
    try:
        made = prepare(args.exchange, args.course_dir, args.state, args.facilitator)
    except (SetupError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for k, v in made.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
