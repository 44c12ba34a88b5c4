"""Benchmark for helpers.attribution (a script, not a pytest test).

Run:  python tests/bench_attribution.py [--touches 1000000] [--installs 150000] [--paths 100000]

Each case runs in a fresh subprocess so that its peak memory (tracemalloc peak of Python/numpy
allocations, and the process's max RSS from resource.getrusage) is its own. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASE_CODE = r"""
import json, resource, sys, time, tracemalloc
import numpy as np
import pandas as pd
sys.path.insert(0, {root!r})
from helpers import attribution as A

case, n_touches, n_installs, n_paths, n_channels = {args!r}
rng = np.random.default_rng(7)

def make_install_data():
    n_dev = int(n_installs * 1.2)
    start = pd.Timestamp("2025-01-01", tz="UTC").value
    span = 120 * 86400 * 10**9
    dev_ids = np.array([f"dev{{i}}" for i in range(n_dev)], dtype=object)
    fps = np.array([f"fp{{i}}" for i in range(n_dev)], dtype=object)
    t_dev = rng.integers(0, n_dev, n_touches)
    no_id = rng.random(n_touches) < 0.3
    sources = np.array(["unity_ads", "applovin", "ironsource", "google_ads", "meta_ads", "tiktok_ads"], dtype=object)
    touches = pd.DataFrame({{
        "touch_id": pd.array([f"t{{i}}" for i in range(n_touches)], dtype="string"),
        "device_id": pd.array(np.where(no_id, None, dev_ids[t_dev]), dtype="string"),
        "fingerprint": pd.array(fps[t_dev], dtype="string"),
        "media_source": pd.array(sources[rng.integers(0, len(sources), n_touches)], dtype="string"),
        "campaign": pd.array(np.array(["c1", "c2", "c3"], dtype=object)[rng.integers(0, 3, n_touches)], dtype="string"),
        "site_id": pd.array(np.array(["s1", "s2"], dtype=object)[rng.integers(0, 2, n_touches)], dtype="string"),
        "touch_type": pd.array(np.where(rng.random(n_touches) < 0.3, "click", "impression"), dtype="string"),
        "touch_time": pd.to_datetime(start + rng.integers(0, span, n_touches), utc=True),
        "is_retargeting": rng.random(n_touches) < 0.05,
    }})
    i_dev = rng.integers(0, n_dev, n_installs)
    i_no_id = rng.random(n_installs) < 0.3
    installs = pd.DataFrame({{
        "install_id": pd.array([f"i{{i}}" for i in range(n_installs)], dtype="string"),
        "device_id": pd.array(np.where(i_no_id, None, dev_ids[i_dev]), dtype="string"),
        "fingerprint": pd.array(fps[i_dev], dtype="string"),
        "install_time": pd.to_datetime(start + rng.integers(0, span, n_installs), utc=True),
    }})
    return touches, installs

def make_paths():
    channels = np.array([f"ch{{i:02d}}" for i in range(n_channels)], dtype=object)
    seen = set()
    rows = []
    while len(rows) < n_paths:
        k = int(rng.integers(1, 9))
        p = " > ".join(channels[rng.integers(0, n_channels, k)])
        if p not in seen:
            seen.add(p)
            rows.append(p)
    return pd.DataFrame({{"path": rows, "conversions": rng.integers(0, 50, n_paths),
                          "nulls": rng.integers(0, 500, n_paths)}})

if case == "attribute_installs":
    touches, installs = make_install_data()
    run = lambda: A.attribute_installs(touches, installs)
    size = {{"touches": n_touches, "installs": n_installs}}
elif case == "attribute_installs_world":
    # the simulated world at the size that gives about n_touches touches (realistic mix of
    # device-ID, probabilistic, SAN and organic installs)
    from helpers.synth import generate_world
    world = generate_world(max(1000, int(n_touches / 3.6)), seed=99, vertical="gaming")
    touches, installs = world.touches, world.installs
    run = lambda: A.attribute_installs(touches, installs)
    size = {{"touches": len(touches), "installs": len(installs)}}
else:
    paths = make_paths()
    run = lambda: A.attribute_paths(paths, case)
    size = {{"distinct_paths": n_paths, "channels": n_channels}}

tracemalloc.start()
t0 = time.perf_counter()
result = run()
elapsed = time.perf_counter() - t0
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
# timing without tracemalloc overhead
t1 = time.perf_counter()
run()
elapsed_plain = time.perf_counter() - t1
extra = {{}}
if case.startswith("attribute_installs"):
    extra["match_type_counts"] = result["match_type"].value_counts().to_dict()
    extra["install_type_counts"] = result["install_type"].value_counts().to_dict()
else:
    extra["credit_sum"] = float(result.sum())
print(json.dumps({{
    "case": case, **size,
    "seconds": round(elapsed_plain, 3),
    "seconds_with_tracemalloc": round(elapsed, 3),
    "tracemalloc_peak_mb": round(peak / 2**20, 1),
    "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    **extra,
}}))
"""


def run_case(case: str, args: argparse.Namespace) -> dict:
    code = CASE_CODE.format(
        root=str(ROOT), args=(case, args.touches, args.installs, args.paths, args.channels)
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"case": case, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--installs", type=int, default=150_000)
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=20)
    args = parser.parse_args()
    cases = ["attribute_installs", "attribute_installs_world", "markov", "shapley", "linear", "position_based"]
    print(
        json.dumps(
            {"python": sys.version.split()[0], "results": [run_case(c, args) for c in cases]}, indent=2
        )
    )


if __name__ == "__main__":
    main()
