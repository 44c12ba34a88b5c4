"""A real JupyterLab with the kit's start page, for the portal and browser tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root_dir: Path, env: dict[str, str], token: str, log: Path, start_s: float = 90) -> Iterator[str]:
    """Start ``jupyter lab`` on loopback (portal at /mma, default page) and yield its base URL.

    The server's output goes to ``log``; if it exits or does not answer within ``start_s``,
    ``RuntimeError`` quotes the end of that log. The server is stopped afterwards.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", "--ServerApp.jpserver_extensions={'helpers.portal': True}",
           "--LabApp.default_url=/mma", f"--ServerApp.root_dir={root_dir}"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=root_dir, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_s
            while True:
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"jupyter lab exited with code {proc.returncode}:\n"
                                           f"{log.read_text()[-3000:]}") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"jupyter lab did not answer within {start_s} s; its log: {log}") from None
                    time.sleep(0.25)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
