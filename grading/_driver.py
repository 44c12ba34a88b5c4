"""Runs inside the sandbox: execute one learner notebook in a fresh IPython shell, print the results.

Reads a JSON request on stdin (``notebook``, ``files`` {relative path: base64}, ``timeout`` per
cell), writes the learner's files into the working directory, runs every code cell in order in an
IPython ``InteractiveShell`` in this process (magics, ``display``, inline matplotlib figures work as
in Jupyter; an exception is recorded and the next cell runs), and writes
``{"status", "message", "cells": [{"outputs", "execution_count"}...], "timing"}`` as one JSON
document on the original stdout.

No Jupyter kernel is started: the sandbox is the isolation boundary, and one process instead of a
driver plus a ZeroMQ kernel saves about a second per submission. A cell running past ``timeout``
gets a ``KeyboardInterrupt``; if it ignores it for ``grace`` more seconds, a watchdog thread writes
the results so far with status ``timeout`` and ends the process. ``os._exit`` or a crash ends the
process without results ("kernel died"). ``exit()`` is ignored (the next cell runs). Builtins and
stdout/stderr are put back after every cell, so replacing them cannot break the export of answers.

Everything this process prints is untrusted: the grader only takes cell outputs (to show them) and
the plain-data answers from the export cells, and checks both.
"""

import base64
import json
import os
import signal
import sys
import threading
import time


def main() -> int:  # noqa: C901 -- one linear script
    import builtins

    pristine = dict(builtins.__dict__)  # the learner may replace builtins; the driver needs them
    t0 = time.monotonic()
    timing = {}
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # C-level writes and subprocesses: not into the result stream
    req = json.load(sys.stdin)
    work = os.getcwd()
    for rel, b64 in req.get("files", {}).items():
        path = os.path.normpath(os.path.join(work, rel))
        if not path.startswith(work + os.sep):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(b64))
    timeout = float(req.get("timeout", 60))
    grace = float(req.get("grace", 5))
    cells = req["notebook"]["cells"]
    results = [{"outputs": [], "execution_count": None} if c.get("cell_type") == "code" else {} for c in cells]
    lock = threading.Lock()
    state = {"status": "ok", "message": "", "written": False, "current": None, "started": None, "count": 0}

    def finish(status=None, message=""):
        with lock:
            if state["written"]:
                return
            state["written"] = True
            if status:
                state["status"], state["message"] = status, message
            timing["total"] = round(time.monotonic() - t0, 3)
            data = json.dumps({"status": state["status"], "message": state["message"], "cells": results,
                               "timing": timing}, allow_nan=True, default=repr).encode()
            view = memoryview(data)
            while view:
                n = os.write(out_fd, view)
                view = view[n:]
        os._exit(0)

    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    current: list = []

    class Stream:
        def __init__(self, name):
            self.name = name
            self.encoding = "utf-8"

        def write(self, text):
            if not isinstance(text, str):
                text = str(text)
            if current and current[-1].get("output_type") == "stream" and current[-1]["name"] == self.name:
                current[-1]["text"] += text
            elif text:
                current.append({"output_type": "stream", "name": self.name, "text": text})
            return len(text)

        def writelines(self, lines):
            for line in lines:
                self.write(line)

        def flush(self):
            pass

        def isatty(self):
            return False

        def fileno(self):
            return devnull

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
            current.append({"output_type": "display_data", "data": _jsonable(data),
                            "metadata": _jsonable(metadata or {})})

        def clear_output(self, wait=False):
            current.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            current.append({"output_type": "execute_result", "execution_count": state["count"],
                            "data": _jsonable(format_dict), "metadata": _jsonable(md_dict or {})})

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):
            current.append({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                            "evalue": str(evalue), "traceback": [str(x) for x in stb]})

        def ask_exit(self):
            pass  # exit() / quit(): ignored, the next cell runs

    sys.stdout, sys.stderr = Stream("stdout"), Stream("stderr")
    shell = Shell.instance(display_pub_class=Publisher, displayhook_class=Hook, colors="NoColor")
    shell.history_manager.enabled = False
    timing["startup"] = round(time.monotonic() - t0, 3)

    def on_alarm(signum, frame):
        raise KeyboardInterrupt(f"the cell ran past the time limit of {timeout:g} s")

    signal.signal(signal.SIGALRM, on_alarm)

    def watchdog():
        while True:
            time.sleep(0.25)
            started = state["started"]
            if started is not None and time.monotonic() - started > timeout + grace:
                finish("timeout", f"CellTimeoutError: cell {state['current']} ignored the interrupt "
                                  f"after {timeout:g} s")

    threading.Thread(target=watchdog, daemon=True).start()
    count = 0
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        count += 1
        state["count"] = count
        current.clear()
        results[index]["execution_count"] = count
        state["current"], state["started"] = index, time.monotonic()
        state_t = state["started"]
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            shell.execution_count = count
            shell.run_cell(source, store_history=True)
        except BaseException as exc:  # noqa: BLE001 -- an interrupt outside user code, SystemExit...
            current.append({"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc),
                            "traceback": [f"{type(exc).__name__}: {exc}"]})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            state["started"] = None
        for o in current:
            if o["output_type"] == "error" and o["ename"] == "KeyboardInterrupt":
                o.update(ename="CellTimeoutError", evalue=f"the cell ran past the time limit of {timeout:g} s")
        # builtins and stdout/stderr as they were (a learner's replacements must not break the driver,
        # the export of the answers or the results)
        builtins.__dict__.clear()
        builtins.__dict__.update(pristine)
        results[index]["outputs"] = list(current)
        timing[f"cell{index}"] = round(time.monotonic() - state_t, 3)
        sys.stdout, sys.stderr = Stream("stdout"), Stream("stderr")
    finish()
    return 0


def _jsonable(d):
    try:
        return json.loads(json.dumps(d, allow_nan=True, default=str))
    except (TypeError, ValueError):
        return {}


if __name__ == "__main__":
    sys.exit(main())
