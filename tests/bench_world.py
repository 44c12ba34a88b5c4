"""Benchmark for helpers.synth.generate_world (a script, not a pytest test).

Run:  python tests/bench_world.py [--sizes 100000 300000 1000000] [--vertical ecommerce] [--days 60] [--views]

Each size runs in a fresh subprocess so that its peak memory (the process's max RSS from
resource.getrusage, and the tracemalloc peak of Python/numpy allocations in a second run) is its
own. Prints one JSON object with the seconds, the rows of every table, and the ratio
``seconds(largest) / seconds(smallest)`` next to the size ratio (about equal = linear). With
``--views`` it also times each view of the world - MMP, SKAN, ARA (with a summary report) and the
fraud view (``add_fraud(world, FraudMix())``, labelled fraud mixed in; its rows and fraud counts are
reported under ``fraud``) - and ``total_seconds`` is the world plus every view. ``cpu_seconds`` is
the process's CPU time per stage (``total_cpu_seconds`` their sum, ``total_cpu_ratio`` its ratio
between the largest and the smallest size): on a busy machine it stays close to the idle wall-clock
time (a little above it: caches and memory bandwidth are shared too), so report both. A summary
line per size (wall and CPU seconds per stage, peak RSS) goes to stderr.
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
sys.path.insert(0, {root!r})
from helpers.synth import generate_world

n, vertical, days, trace, views = {args!r}
t0, c0 = time.perf_counter(), time.process_time()
world = generate_world(n, 20261124, vertical=vertical, days=days)
seconds = time.perf_counter() - t0
cpu_seconds = {{"world": round(time.process_time() - c0, 3)}}
rows = {{name: len(df) for name, df in world.tables.items()}}
view_seconds = {{}}
fraud = None
if views:
    from helpers.synth.views.mmp import mmp_view
    from helpers.synth.views.skan import skan_view
    from helpers.synth.views.ara import ara_view
    for name, make in [("mmp", lambda: mmp_view(world)), ("skan", lambda: skan_view(world, seed=1)),
                       ("ara", lambda: ara_view(world, seed=1).summary_report(epsilon=10, seed=1))]:
        t, c = time.perf_counter(), time.process_time()
        out = make()
        view_seconds[name] = round(time.perf_counter() - t, 3)
        cpu_seconds[name] = round(time.process_time() - c, 3)
        del out
    # the fraud view: the same world with FraudMix() added (flood clicks capped by its flood_click_budget)
    from helpers.synth.fraud import FraudMix, add_fraud
    t, c = time.perf_counter(), time.process_time()
    fraud_world = add_fraud(world, FraudMix(), 20261124)
    view_seconds["fraud"] = round(time.perf_counter() - t, 3)
    cpu_seconds["fraud"] = round(time.process_time() - c, 3)
    ft = fraud_world.installs["fraud_type"]
    fraud = {{"rows": {{name: len(df) for name, df in fraud_world.tables.items()}},
             "installs_by_type": {{k: int(v) for k, v in ft.value_counts().sort_index().items()}},
             "flood_clicks": int((fraud_world.touches["fraud_type"] == "click_flooding").sum())}}
    del fraud_world, ft
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
peak = None
if trace:
    del world
    tracemalloc.start()
    generate_world(n, 20261124, vertical=vertical, days=days)
    peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
print(json.dumps({{"users": n, "vertical": vertical, "days": days, "seconds": round(seconds, 3),
                  "view_seconds": view_seconds, "cpu_seconds": cpu_seconds,
                  "total_seconds": round(seconds + sum(view_seconds.values()), 3),
                  "total_cpu_seconds": round(sum(cpu_seconds.values()), 3),
                  "max_rss_mb": round(rss, 1), "tracemalloc_peak_mb": peak, "rows": rows, "fraud": fraud}}))
"""


def run_case(n: int, args: argparse.Namespace) -> dict:
    code = CASE_CODE.format(root=str(ROOT), args=(n, args.vertical, args.days, args.tracemalloc, args.views))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"users": n, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--vertical", default="ecommerce")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the tracemalloc peak (a second, slower run per size)")
    parser.add_argument("--views", action="store_true",
                        help="also build every view (MMP, SKAN, ARA with a summary report, and the fraud view: "
                             "add_fraud(world, FraudMix())) and time each")
    args = parser.parse_args()
    results = [run_case(n, args) for n in args.sizes]
    ok = [r for r in results if "seconds" in r]
    summary = {}
    if len(ok) >= 2:
        small, big = ok[0], ok[-1]
        summary = {"size_ratio": round(big["users"] / small["users"], 2),
                   "time_ratio": round(big["seconds"] / max(small["seconds"], 1e-9), 2),
                   "total_time_ratio": round(big.get("total_seconds", big["seconds"])
                                             / max(small.get("total_seconds", small["seconds"]), 1e-9), 2),
                   "total_cpu_ratio": round(big["total_cpu_seconds"] / max(small["total_cpu_seconds"], 1e-9), 2),
                   "seconds_per_million_users": round(big["seconds"] / big["users"] * 1e6, 2)}
    print(json.dumps({"python": sys.version.split()[0], "results": results, "scaling": summary}, indent=2))
    # one line per size: wall (CPU) seconds per stage, peak memory
    for r in ok:
        stages = {"world": r["seconds"], **r.get("view_seconds", {})}
        cells = "  ".join(f"{k} {v:.1f} ({r['cpu_seconds'].get(k, float('nan')):.1f})" for k, v in stages.items())
        print(f"{r['users']:>9,} users: {cells}  | total {r['total_seconds']:.1f} s wall, "
              f"{r['total_cpu_seconds']:.1f} s CPU | peak RSS {r['max_rss_mb'] / 1024:.2f} GB", file=sys.stderr)
    if summary:
        print(f"largest/smallest: size x{summary['size_ratio']}, wall x{summary['total_time_ratio']}, "
              f"CPU x{summary['total_cpu_ratio']}", file=sys.stderr)


if __name__ == "__main__":
    main()
