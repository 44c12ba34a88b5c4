"""Benchmark for helpers.skan and the world's SKAN view (a script, not a pytest test).

Run:  python tests/bench_skan.py [--postbacks 100000] [--ios-installs 1000000] [--cases ...]

Cases (each in a fresh subprocess, so its peak memory is its own; target < 20 s each):

* ``verify_apple_mix``: ``verify_postback`` on N postbacks with Apple's published keys - Apple's ten
  example postbacks (versions 1.0-4.0; 2 of 10 on the slower P-192 key) repeated.
* ``verify_simulated``: ``verify_postback(pb, public_key=<test key, base64>)`` on N SKAN 4.0 postbacks
  from the world's simulator, signed with the MMA TEST KEY (the realistic 4.0 log).
* ``cli_jsonl``: ``python -m helpers.skan verify --quiet --json`` on a JSON-lines file of N postbacks
  (the Apple mix, 1% with a changed signed field, 0.1% malformed); wall and CPU time of the command.
* ``skan_view_1M_ios``: ``skan_view(world, seed=1)`` for a world with about M iOS installs (an
  iOS-only version of the gaming vertical, so every install is on iOS); the world's own generation
  time is reported apart (``world_seconds``) and is not part of ``seconds``.

Each result has ``seconds`` (wall clock), ``cpu_seconds`` (CPU time of the measured step: on a busy
machine it stays close to the idle wall-clock time, so compare both) and ``max_rss_mb`` (the case
process's peak resident memory, setup included; for the view also ``rss_before_view_mb``). Prints
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 20.0

CASE_CODE = r"""
import json, os, resource, subprocess, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from helpers import skan

case, n, ios_installs, tmpdir = {args!r}
rss = lambda: round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
examples = [e["postback"] for e in json.load(open({examples!r}, encoding="utf-8"))["examples"]]
out = {{"case": case}}

def apple_mix(n):
    return [dict(examples[i % len(examples)]) for i in range(n)]

def versions(docs):
    vs = [d.get("version", "1.0") for d in docs]
    return {{v: vs.count(v) for v in sorted(set(vs))}}

if case == "verify_apple_mix":
    docs = apple_mix(n)
    t, c = time.perf_counter(), time.process_time()
    valid = sum(skan.verify_postback(d) for d in docs)
    out |= {{"postbacks": n, "valid": valid, "versions": versions(docs)}}
elif case == "verify_simulated":
    import dataclasses
    from helpers.synth import generate_world
    from helpers.synth.scenarios import VERTICALS
    from helpers.synth.views.skan import postbacks_to_json, skan_view
    base = VERTICALS["gaming"]
    ios_only = dataclasses.replace(base, name="gaming_ios_only", android_share={{k: 0.0 for k in base.android_share}})
    world = generate_world(max(2_000, int(n * 0.7)), 20261124, scenario=ios_only)
    docs = postbacks_to_json(skan_view(world, seed=1, scale=20).postbacks)
    while len(docs) < n:
        docs = docs + docs
    docs = [skan.sign_postback(d) for d in docs[:n]]
    key = skan.test_public_key_b64()
    t, c = time.perf_counter(), time.process_time()
    valid = sum(skan.verify_postback(d, key) for d in docs)
    out |= {{"postbacks": n, "valid": valid, "versions": versions(docs),
             "value_kinds": {{k: sum(1 for d in docs if k in d) for k in ("conversion-value", "coarse-conversion-value")}}}}
elif case == "cli_jsonl":
    rng = np.random.default_rng(1)
    docs = apple_mix(n)
    bad = rng.random(n)
    path = os.path.join(tmpdir, "postbacks.jsonl")
    with open(path, "w", encoding="utf-8") as fh:
        for d, r in zip(docs, bad):
            if r < 0.001:
                fh.write('{{"version": "4.0", "app-id": "oops"}}\n')
                continue
            if r < 0.011:
                d["transaction-id"] = d["transaction-id"][:-1] + "0"
            fh.write(json.dumps(d) + "\n")
    size_mb = os.path.getsize(path) / 2**20
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t, c = time.perf_counter(), 0.0
    proc = subprocess.run([sys.executable, "-m", "helpers.skan", "verify", "--quiet", "--json", path],
                          capture_output=True, text=True, cwd={root!r})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(proc.stdout.splitlines()[-1])["summary"]
    out |= {{"postbacks": n, "file_mb": round(size_mb, 1), "exit_code": proc.returncode, "summary": summary,
             "child_cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3),
             "child_max_rss_mb": round(after.ru_maxrss / 1024, 1)}}
elif case == "skan_view_1M_ios":
    import dataclasses
    from helpers.synth import generate_world
    from helpers.synth.scenarios import VERTICALS
    from helpers.synth.views.skan import skan_view
    base = VERTICALS["gaming"]
    ios_only = dataclasses.replace(base, name="gaming_ios_only", android_share={{k: 0.0 for k in base.android_share}})
    pilot = generate_world(20_000, 20261124, scenario=ios_only)
    per_user = float((pilot.installs["platform"] == "ios").sum()) / 20_000
    users = int(round(ios_installs / per_user * 1.005))
    del pilot
    tw = time.perf_counter()
    world = generate_world(users, 20261124, scenario=ios_only)
    out |= {{"users": users, "world_seconds": round(time.perf_counter() - tw, 3),
             "ios_installs": int((world.installs["platform"] == "ios").sum()), "touches": len(world.touches),
             "events": len(world.events), "rss_before_view_mb": rss()}}
    t, c = time.perf_counter(), time.process_time()
    view = skan_view(world, seed=1)
    p = view.postbacks
    out |= {{"postbacks": len(p), "winning": int(p["did_win"].sum()),
             "by_window": {{int(k): int(v) for k, v in p["postback_sequence_index"].value_counts().sort_index().items()}}}}
else:
    raise SystemExit(f"unknown case {{case}}")
seconds = time.perf_counter() - t
cpu = time.process_time() - c
if case == "cli_jsonl":
    cpu = out.pop("child_cpu_seconds")
out |= {{"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "max_rss_mb": rss()}}
if "postbacks" in out and case != "skan_view_1M_ios":
    out["postbacks_per_second"] = round(out["postbacks"] / seconds)
print(json.dumps(out))
"""

CASES = ("verify_apple_mix", "verify_simulated", "cli_jsonl", "skan_view_1M_ios")


def run_case(case: str, args: argparse.Namespace, tmpdir: str) -> dict:
    code = CASE_CODE.format(root=str(ROOT), examples=str(ROOT / "tests" / "data" / "skan" / "apple_examples.json"),
                            args=(case, args.postbacks, args.ios_installs, tmpdir))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"case": case, "error": proc.stderr.strip().splitlines()[-3:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["target_s"] = TARGET_SECONDS
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postbacks", type=int, default=100_000, help="postbacks to verify (default 100000)")
    parser.add_argument("--ios-installs", type=int, default=1_000_000,
                        help="iOS installs in the simulated world (default 1000000)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    args = parser.parse_args()
    load = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmpdir:
        results = [run_case(c, args, tmpdir) for c in args.cases]
    print(json.dumps({"python": sys.version.split()[0], "cpu_count": os.cpu_count(),
                      "load_average_at_start": [round(x, 2) for x in load],
                      "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                      "total_seconds": round(time.perf_counter() - started, 1),
                      "max_rss_children_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
