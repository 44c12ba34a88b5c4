"""Benchmark for helpers.fraud.detect (a script, not a pytest test).

Run:  python tests/bench_fraud.py [--installs 1000000] [--clicks 10000000]

Builds synthetic MMP data (about 9 % fraud of all five kinds, ordinary addresses in 100.64.0.0/10,
a few IPv6 users, datacenter bots in the RFC 5737 ranges, three flooding sites holding most of the
clicks) in a fresh subprocess, times ``detect(installs, clicks)`` there and reports the process's
peak memory (``resource.getrusage`` max RSS, which includes the input tables). Prints one JSON
object. Target (issue 4): 1M installs and 10M clicks in under 30 s and under 6 GB.
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
import pandas as pd
sys.path.insert(0, {root!r})
from helpers import fraud as F

n_i, n_c = {args!r}
rng = np.random.default_rng(7)
t0 = pd.Timestamp("2026-03-01", tz="UTC").value // 10**9
span = 60 * 86400

def ids(prefix, n):
    return np.char.add(prefix, np.arange(n).astype(str)).astype(object)

def ipv4(n, first=100, second_lo=64, second_hi=128):
    a = rng.integers(second_lo, second_hi, n).astype(str)
    b = rng.integers(0, 256, n).astype(str)
    c = rng.integers(0, 256, n).astype(str)
    return np.char.add(np.char.add(np.char.add(np.char.add(f"{{first}}.", a), "."), np.char.add(b, ".")), c).astype(object)

def utc(seconds):
    return pd.to_datetime(np.asarray(seconds, dtype=np.int64), unit="s", utc=True)

build = time.perf_counter()
sources = np.array(["applovin", "unity_ads", "ironsource", "mintegral", "organic"], dtype=object)
n_sites = 40
src = sources[rng.integers(0, 5, n_i)]
site = np.where(src == "organic", None, np.char.add("site_", rng.integers(3, n_sites, n_i).astype(str)).astype(object))
inst = t0 + rng.integers(0, span, n_i)
android = rng.random(n_i) < 0.6
begin = np.where(android, inst - rng.integers(15, 600, n_i), -1)
click = np.where(src == "organic", -1, begin - rng.lognormal(np.log(300), 1.2, n_i).astype(np.int64) - 1)
click = np.where((src != "organic") & ~android, inst - rng.lognormal(np.log(300), 1.2, n_i).astype(np.int64) - 20, click)
ip = ipv4(n_i)
six = rng.random(n_i) < 0.05
ip[six] = np.char.add("2001:db8::", np.char.mod("%x", rng.integers(1, 60000, int(six.sum())))).astype(object)
kind = rng.random(n_i)
inj = android & (src != "organic") & (kind < 0.03)
click = np.where(inj, begin + 3, click)
spoof = (kind >= 0.03) & (kind < 0.045) & (src != "organic")
click = np.where(spoof, inst + 600, click)
bot = (kind >= 0.045) & (kind < 0.06)
ip[bot] = np.char.add("192.0.2.", rng.integers(1, 255, int(bot.sum())).astype(str)).astype(object)
farm = (kind >= 0.06) & (kind < 0.08) & (src != "organic")
ip[farm] = np.char.add("100.70.0.", rng.integers(0, 30, int(farm.sum())).astype(str)).astype(object)
site[farm] = "site_9"
flood_sites = np.array(["site_0", "site_1", "site_2"], dtype=object)
flood = (kind >= 0.08) & (kind < 0.085) & (src != "organic")
site[flood] = flood_sites[rng.integers(0, 3, int(flood.sum()))]
click = np.where(flood, inst - rng.integers(60, 7 * 86400, n_i), click)
def opt_time(x):
    s = utc(np.where(x < 0, 0, x))
    return s.where(x >= 0)
installs = pd.DataFrame({{
    "install_id": ids("i", n_i), "media_source": src, "site_id": site,
    "platform": np.where(android, "android", "ios").astype(object),
    "click_time": opt_time(click), "install_begin_time": opt_time(begin), "install_time": utc(inst),
    "device_id": ids("d", n_i), "ip": ip,
}})
# clicks: 90 % from the flooding sites (one click per made-up device, from a pool of addresses)
n_flood = int(n_c * 0.9)
c_site = np.concatenate([flood_sites[rng.integers(0, 3, n_flood)],
                         np.char.add("site_", rng.integers(3, n_sites, n_c - n_flood).astype(str)).astype(object)])
c_dev = ids("cd", n_c)
hon = rng.random(n_c - n_flood) < 0.1
c_dev[n_flood:][hon] = installs["device_id"].to_numpy()[rng.integers(0, n_i, int(hon.sum()))]
clicks = pd.DataFrame({{
    "click_id": ids("c", n_c), "media_source": sources[rng.integers(0, 4, n_c)], "site_id": c_site,
    "click_time": utc(t0 - 7 * 86400 + rng.integers(0, span + 7 * 86400, n_c)),
    "device_id": c_dev, "ip": np.concatenate([ipv4(n_flood // 1000)[rng.integers(0, n_flood // 1000, n_flood)],
                                               ipv4(n_c - n_flood)]),
}})
build = time.perf_counter() - build
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
out = F.detect(installs, clicks)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"installs": n_i, "clicks": n_c, "build_seconds": round(build, 1),
                   "detect_seconds": round(seconds, 2), "peak_rss_gb": round(peak / 1024**2, 2),
                   "rss_before_detect_gb": round(rss_before / 1024**2, 2),
                   "flagged": {{k: int(v) for k, v in out["fraud_type"].value_counts().items()}}}}))
"""


def run_case(n_installs: int, n_clicks: int) -> dict:
    code = CASE_CODE.format(root=str(ROOT), args=(n_installs, n_clicks))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--installs", type=int, default=1_000_000)
    ap.add_argument("--clicks", type=int, default=10_000_000)
    a = ap.parse_args()
    res = run_case(a.installs, a.clicks)
    res["targets"] = {"detect_seconds": 30, "peak_rss_gb": 6}
    res["ok"] = "error" not in res and res["detect_seconds"] < 30 and res["peak_rss_gb"] < 6
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
