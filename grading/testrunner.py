"""The trusted test runner: runs an assignment's test cells on plain-data answers, outside the
learner's kernel.

One runner process per (grading worker, notebook) is started with ``python -m grading.testrunner``.
It first runs the notebook's *trusted* setup cells (locked, read-only cells as stored in the
gradebook: imports, ``load(...)`` of the datasets) once. For each submission it then ``fork()``s: the
child gets a pristine copy of that namespace, decodes the learner's answers (``plaindata.decode``:
only built-in / numpy / pandas values), and runs the test cells (visible and hidden) in order,
recording nbformat outputs (``stream``, ``error``, ``execute_result``) exactly as nbgrader's
``determine_grade`` reads them. The learner's code never runs here, so nothing it did (patched
builtins, input transformers, ``__eq__`` that is always True, exiting, swallowing interrupts,
printing "points") can reach the tests.

Protocol (stdin/stdout, one JSON document per line):

* ``{"op": "setup", "cells": [source, ...], "cwd": path}`` -> ``{"ok": true, "errors": [...]}``
* ``{"op": "grade", "tests": [{"grade_id", "source", "values": {name: plain data}, "missing": [...]}],
  "timeout": seconds}`` -> ``{"ok": true, "results": {grade_id: {"outputs": [...]}}}``
"""

from __future__ import annotations

import ast
import io
import json
import os
import signal
import sys
import time
import traceback
import warnings

CELL_FILE = "<test cell {}>"


def _transform(source: str) -> str:
    """IPython syntax (magics) to plain Python, when IPython is there."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover
        return source
    return TransformerManager().transform_cell(source)


def run_cell(source: str, ns: dict, label: str, count: int) -> list[dict]:
    """Execute ``source`` in ``ns``; nbformat outputs (stdout/stderr, error, last-expression value)."""
    out, err = io.StringIO(), io.StringIO()
    outputs: list[dict] = []
    filename = CELL_FILE.format(label)
    code_lines = source.splitlines()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    value = None
    error = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            tree = ast.parse(_transform(source), filename=filename)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), ns)  # noqa: S102 -- instructor's test code
            if last is not None:
                value = eval(compile(last, filename, "eval"), ns)  # noqa: S307
    except BaseException as exc:  # noqa: BLE001 -- a failing test is an output, not a crash
        error = exc
    finally:
        sys.stdout, sys.stderr = old
    if out.getvalue():
        outputs.append({"output_type": "stream", "name": "stdout", "text": out.getvalue()})
    if err.getvalue():
        outputs.append({"output_type": "stream", "name": "stderr", "text": err.getvalue()})
    if error is not None:
        tb = []
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename == filename:
                line = code_lines[frame.lineno - 1].strip() if 0 < (frame.lineno or 0) <= len(code_lines) else ""
                tb.append(f"  Cell {label}, line {frame.lineno}\n    {line}")
        name = type(error).__name__
        msg = str(error)
        outputs.append({"output_type": "error", "ename": name, "evalue": msg,
                        "traceback": ["Traceback (most recent call last):", *tb, f"{name}: {msg}" if msg else name]})
    elif value is not None:
        try:
            text = repr(value)
        except Exception as exc:  # noqa: BLE001
            text = f"<unprintable {type(value).__name__}: {exc}>"
        outputs.append({"output_type": "execute_result", "execution_count": count,
                        "data": {"text/plain": text}, "metadata": {}})
    return outputs


def _display(*objs, **kwargs) -> None:
    """``display()`` for test cells: the text form, on stdout."""
    for obj in objs:
        print(repr(obj))


def _grade(ns: dict, req: dict) -> dict:
    from plaindata_loader import decode  # type: ignore[import-not-found]  # set up in main()

    results = {}
    for i, test in enumerate(req["tests"], start=1):
        gid = test["grade_id"]
        problems = []
        for name, data in (test.get("values") or {}).items():
            try:
                ns[name] = decode(data)
            except Exception as exc:  # noqa: BLE001 -- malformed data: the answer is unusable
                ns.pop(name, None)
                problems.append(f"{name}: {exc}")
        for name in test.get("missing") or []:
            ns.pop(name, None)
        outputs = run_cell(test["source"], ns, gid, i)
        if problems:
            outputs.insert(0, {"output_type": "stream", "name": "stdout",
                               "text": "answers that could not be read: " + "; ".join(problems) + "\n"})
        results[gid] = {"outputs": outputs}
    return results


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    # plaindata only (not the grading package): a tiny loader module name that cannot clash
    import importlib.util

    spec = importlib.util.spec_from_file_location("plaindata_loader", os.path.join(here, "plaindata.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.modules["plaindata_loader"] = mod
    os.environ.setdefault("MPLBACKEND", "Agg")
    for key in [k for k in os.environ if k.startswith("MMA_GRADEBOOK")]:
        del os.environ[key]
    reply_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdout = sys.stderr
    ns: dict = {"__name__": "__main__", "display": _display}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req["op"] == "setup":
            if req.get("cwd"):
                os.chdir(req["cwd"])
            errors = []
            for i, src in enumerate(req["cells"]):
                outs = run_cell(src, ns, f"setup-{i}", i)
                errors += [f"{o['ename']}: {o['evalue']}" for o in outs if o["output_type"] == "error"]
            reply = {"ok": True, "errors": errors}
        elif req["op"] == "grade":
            reply = _fork_grade(ns, req)
        else:
            reply = {"ok": False, "error": f"unknown op {req['op']!r}"}
        reply_stream.write(json.dumps(reply, allow_nan=True) + "\n")
        reply_stream.flush()
    return 0


def _fork_grade(ns: dict, req: dict) -> dict:
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: a private copy of the setup namespace
        os.close(rfd)
        try:
            payload = json.dumps({"ok": True, "results": _grade(ns, req)}, allow_nan=True).encode()
        except BaseException as exc:  # noqa: BLE001
            payload = json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}).encode()
        with os.fdopen(wfd, "wb") as f:
            f.write(payload)
        os._exit(0)
    os.close(wfd)
    deadline = time.monotonic() + float(req.get("timeout", 300))
    chunks = []
    import select

    with os.fdopen(rfd, "rb") as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"ok": False, "error": "the tests ran past the time limit"}
            ready, _, _ = select.select([f], [], [], left)
            if ready:
                b = os.read(f.fileno(), 1 << 20)
                if not b:
                    break
                chunks.append(b)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"ok": False, "error": "the test runner stopped without a result"}


if __name__ == "__main__":
    sys.exit(main())
