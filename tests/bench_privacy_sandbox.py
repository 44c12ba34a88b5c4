"""Benchmark for helpers.privacy_sandbox's simulators (a script, not a pytest test).

Run:  python tests/bench_privacy_sandbox.py [--conversions 1000000] [--world-users 0]

Cases (each in a fresh subprocess, so its peak memory is its own):

* ``event_level``: ``simulate_event_level`` on 1M conversions attributed to 600k sources (30 %
  clicks): first-come-first-served caps, randomized response at epsilon 14, fake reports;
* ``aggregatable``: 1M purchases, two questions each (count, revenue) keyed campaign x country x
  value bucket with :class:`~helpers.privacy_sandbox.KeyLayout`, the 65,536 budget per source
  (``apply_contribution_budget``) and a noisy summary report over the whole declared domain;
* ``both``: the two together (the issue's target: under 20 s);
* ``ara_view`` (only with ``--world-users N``): the world's ARA view (``helpers.synth.views.ara``)
  on a generated world of N people, with a summary report; the world's generation is timed apart.

``seconds`` is wall-clock time, ``cpu_seconds`` the process's CPU time: on a busy machine the CPU
time stays close to the idle wall-clock time. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASE_CODE = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from helpers import privacy_sandbox as ps

case, n_conv, world_users = {args!r}
rng = np.random.default_rng(7)

def event_level():
    n_src = int(n_conv * 0.6)
    is_click = rng.random(n_src) < 0.3
    src = np.sort(rng.integers(0, n_src, n_conv))            # conversions attributed to sources
    src = src[rng.permutation(n_conv)]                       # in time order, mixed across sources
    td = np.where(is_click[src], rng.integers(0, 8, n_conv), rng.integers(0, 2, n_conv))
    win = np.where(is_click[src], rng.integers(0, 3, n_conv), 0)
    sim = ps.simulate_event_level(is_click, src, td, win, epsilon=14, rng=1)
    return {{"sources": n_src, "true_reports": len(sim.true_reports), "reports": len(sim.reports),
            "fake_reports": int(sim.reports["noised"].sum())}}

def aggregatable():
    campaigns, countries, edges = 40, ["JP", "KR", "US", "TW", "DE"], np.array([20.0, 50.0])
    layout = ps.KeyLayout({{"campaign": campaigns, "country": countries, "question": ["count", "revenue"],
                           "value_bucket": len(edges) + 1}})
    n_src = int(n_conv * 0.7)
    src = rng.integers(0, n_src, n_conv)
    camp = rng.integers(0, campaigns, n_src)[src]
    geo = rng.integers(0, len(countries), n_src)[src]
    revenue = rng.gamma(2.0, 30.0, n_conv)
    vb = np.digitize(revenue, edges)
    split, max_conv, cap = {{"count": 0.4, "revenue": 0.6}}, 2, 200.0
    c_val = np.full(n_conv, int(ps.scaling_factor(split["count"], max_conv)), dtype=np.int64)
    r_val = np.rint(np.minimum(revenue, cap) * ps.scaling_factor(split["revenue"], max_conv * cap)).astype(np.int64)
    fits = ps.apply_contribution_budget(src, c_val + r_val)
    off = layout.offsets
    base = (camp.astype(object) << off["campaign"]) | (geo.astype(object) << off["country"]) | vb.astype(object)
    keys = np.concatenate([base[fits], base[fits] | (1 << off["question"])])
    vals = np.concatenate([c_val[fits], r_val[fits]])
    domain = [layout.encode(campaign=c, country=g, question=q, value_bucket=v) for c in range(campaigns)
              for g in countries for q in ("count", "revenue") for v in range(len(edges) + 1)]
    rep = ps.summary_report(keys, vals, epsilon=10, domain=domain, rng=3)
    return {{"purchases": n_conv, "kept_reports": int(fits.sum()), "contributions": len(vals),
            "buckets": len(rep)}}

def ara_view():
    from helpers.synth import generate_world
    from helpers.synth.views.ara import ara_view as view
    t = time.perf_counter(); c = time.process_time()
    world = generate_world(world_users, seed=99, vertical="ecommerce")
    gen = {{"world_seconds": round(time.perf_counter() - t, 3), "world_cpu_seconds": round(time.process_time() - c, 3)}}
    def run():
        v = view(world, seed=1)
        v.summary_report(10)
        return {{"conversions": len(v.conversion_truth), "event_reports": len(v.event_reports),
                "contributions": len(v.contributions)}}
    return run, gen

extra = {{}}
if case == "event_level":
    run = event_level
elif case == "aggregatable":
    run = aggregatable
elif case == "both":
    run = lambda: {{**event_level(), **aggregatable()}}
else:
    run, extra = ara_view()

t0 = time.perf_counter(); c0 = time.process_time()
info = run()
print(json.dumps({{"case": case, "conversions": n_conv if case != "ara_view" else info["conversions"],
                  "seconds": round(time.perf_counter() - t0, 3), "cpu_seconds": round(time.process_time() - c0, 3),
                  "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "target_s": 20.0, **info, **extra}}))
"""


def run_case(case: str, args: argparse.Namespace) -> dict:
    code = CASE_CODE.format(root=str(ROOT), args=(case, args.conversions, args.world_users))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"case": case, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversions", type=int, default=1_000_000)
    parser.add_argument("--world-users", type=int, default=0,
                        help="also time the world's ARA view on a generated world of this many people")
    args = parser.parse_args()
    cases = ["event_level", "aggregatable", "both"] + (["ara_view"] if args.world_users else [])
    print(json.dumps({"python": sys.version.split()[0], "results": [run_case(c, args) for c in cases]}, indent=2))


if __name__ == "__main__":
    main()
