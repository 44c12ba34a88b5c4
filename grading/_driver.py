"""Runs inside the sandbox: execute one learner notebook in a fresh kernel, print the results.

Reads a JSON request on stdin (``notebook``, ``files`` {relative path: base64}, ``timeout`` per cell,
``startup_timeout``, ``extra_arguments``), writes the learner's files into the working directory,
runs every cell with nbclient (errors do not stop the run, a cell past ``timeout`` is interrupted),
and writes ``{"status", "message", "cells": [{"outputs", "execution_count"}...]}`` as one JSON
document on the original stdout. Status: ``ok``, ``kernel_died``, ``timeout`` (a cell could not be
interrupted), ``error`` (the kernel did not start, ...).

Everything this process prints is untrusted: the grader only takes cell outputs (to show them) and
the plain-data answers from the export cells, and checks both.
"""

import base64
import json
import os
import sys


def main() -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the kernel inherits fd 1: keep its chatter out of the result stream
    sys.stdout = sys.stderr
    req = json.load(sys.stdin)
    work = os.getcwd()
    for rel, b64 in req.get("files", {}).items():
        path = os.path.normpath(os.path.join(work, rel))
        if not path.startswith(work + os.sep):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(b64))

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.from_dict(req["notebook"])
    client = NotebookClient(
        nb, timeout=req.get("timeout", 60), startup_timeout=req.get("startup_timeout", 60),
        kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
        raise_on_iopub_timeout=True, iopub_timeout=4, record_timing=False,
        extra_arguments=req.get("extra_arguments", []), resources={"metadata": {"path": work}},
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "",
                          "traceback": ["CellTimeoutError: No reply from kernel before timeout"]},
    )
    status, message = "ok", ""
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
    except DeadKernelError as exc:
        status, message = "kernel_died", f"DeadKernelError: {exc}"
    except CellTimeoutError as exc:
        status, message = "timeout", f"CellTimeoutError: {str(exc)[:300]}"
    except Exception as exc:  # the kernel did not start, ...
        status, message = "error", f"{type(exc).__name__}: {str(exc)[:300]}"
    cells = [{"outputs": c.get("outputs", []), "execution_count": c.get("execution_count")}
             if c.cell_type == "code" else {} for c in nb.cells]
    json.dump({"status": status, "message": message, "cells": cells}, out, allow_nan=True)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
