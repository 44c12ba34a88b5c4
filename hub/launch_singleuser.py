"""Start one learner's Jupyter server under JupyterHub, with the kit's workspace in their home.

The hub runs this as the learner (``LocalProcessSpawner``: the learner's own unix account, so
nbgrader's exchange knows who submitted). Before the server starts, the learner's workspace
(``~/workspace`` by default, ``MMA_WORKSPACE``) is built or refreshed from the kit's lessons with
``helpers.workspace.build``: new lessons appear, notebooks the learner changed are never overwritten.
Then ``jupyterhub-singleuser`` takes over with the arguments the hub passed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def build_workspace() -> None:
    workspace = Path(os.environ.get("MMA_WORKSPACE") or Path.home() / "workspace").expanduser()
    # nbgrader's Assignments tab fetches into <workspace>/assignments (hub/setup_host.py)
    (workspace / "assignments").mkdir(parents=True, exist_ok=True)
    if os.environ.get("MMA_HUB_BUILD_WORKSPACE", "1") == "0":
        return
    try:
        from helpers.workspace import build

        report = build(workspace)
        print(f"[mma] workspace {workspace}: {report.summary()}", file=sys.stderr, flush=True)
    except Exception as exc:  # the server must still start; the learner sees what is there
        print(f"[mma] could not refresh the workspace {workspace}: {exc}", file=sys.stderr, flush=True)


def main() -> int:
    build_workspace()
    from jupyterhub.singleuser import main as singleuser_main

    sys.argv[0] = "jupyterhub-singleuser"
    return singleuser_main()


if __name__ == "__main__":
    sys.exit(main())
