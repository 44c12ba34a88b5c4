"""Benchmark: our sandboxed, parallel autograde vs stock ``nbgrader autograde`` (a script, not a test).

Run:  python tests/bench_grading.py [--submissions 40] [--assignment 01-attribution] [--workers N]

Releases the assignment into a temporary grading root, writes ``--submissions`` submissions (a
rotation of: the solution, the untouched release, a plausible mistake), copies that root for stock
nbgrader, then times in the same run, on the same machine:

* ours:  ``python -m grading autograde`` (bubblewrap sandbox on, ``--workers`` processes, default
  the number of cores; tests in the trusted runner);
* stock: ``nbgrader autograde <assignment>`` (one process, nbgrader's own Execute, no sandbox).

Both must give every submission the same automatic score. Prints one JSON object (the load
average is included: other work on the machine makes the numbers noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE_ID = "mobile-measurement-academy"

STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.Execute.timeout = 60
"""


def _env(root: Path, courses: Path) -> dict:
    env = dict(os.environ, MMA_GRADING_ROOT=str(root), MMA_COURSES_DIR=str(courses), PYTHONPATH=str(ROOT))
    env.pop("MMA_GRADEBOOK_URL", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _variants(source: Path, release: Path) -> list:
    import nbformat

    solution = nbformat.read(source, 4)
    untouched = nbformat.read(release, 4)
    mistake = nbformat.read(source, 4)
    for c in mistake.cells:  # change the first number in the first solution cell: a plausible slip
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code":
            c.source = c.source.replace("7D", "1D").replace("== NETWORK", "!= NETWORK")
            break
    return [solution, untouched, mistake]


def _scores(root: Path, assignment: str) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        for s in gb.students:
            try:
                sub = gb.find_submission(assignment, s.id)
            except MissingEntry:
                continue
            out[s.id] = round(sum(float(g.auto_score or 0) for nb in sub.notebooks for g in nb.grades), 6)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--submissions", type=int, default=40)
    ap.add_argument("--assignment", default="01-attribution")
    ap.add_argument("--workers", type=int, default=0)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import nbformat

    src_dir = ROOT / "courses" / args.assignment / "assignment"
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        courses = tmp / "courses"
        shutil.copytree(src_dir, courses / args.assignment / "assignment")
        ours = tmp / "ours"
        ours.mkdir()
        env = _env(ours, courses)
        subprocess.run([sys.executable, "-m", "grading", "release", "--assignment", args.assignment],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        sources = sorted((ours / "source" / args.assignment).glob("*.ipynb"))
        variants = {p.name: _variants(p, ours / "release" / args.assignment / p.name) for p in sources}
        for i in range(args.submissions):
            out = ours / "submitted" / f"s{i:03d}" / args.assignment
            out.mkdir(parents=True)
            for name, vs in variants.items():
                nbformat.write(vs[i % len(vs)], out / name)
            (out / "timestamp.txt").write_text("2026-05-01 12:00:00.000000 UTC")
        stock = tmp / "stock"
        shutil.copytree(ours, stock)
        (stock / "nbgrader_config.py").write_text(STOCK_CONFIG.format(course_id=COURSE_ID, root=str(stock)))

        cmd = [sys.executable, "-m", "grading", "autograde", "--assignment", args.assignment]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        load_before = os.getloadavg()
        t = time.perf_counter()
        r1 = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        ours_s = time.perf_counter() - t
        if r1.returncode != 0:
            raise SystemExit(f"ours failed:\n{r1.stdout[-2000:]}\n{r1.stderr[-2000:]}")
        senv = dict(os.environ, PYTHONPATH=str(ROOT))
        senv["PATH"] = env["PATH"]
        senv.pop("MMA_GRADEBOOK_URL", None)
        t = time.perf_counter()
        r2 = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", args.assignment],
                            env=senv, cwd=stock, capture_output=True, text=True)
        stock_s = time.perf_counter() - t
        if r2.returncode != 0:
            raise SystemExit(f"stock nbgrader failed:\n{r2.stderr[-3000:]}")
        a, b = _scores(ours, args.assignment), _scores(stock, args.assignment)
        workers = next((line.split(",")[1].strip().split()[0] for line in r1.stdout.splitlines()
                        if "worker(s)" in line), "?")
        result = {
            "benchmark": f"autograde {args.submissions} x {args.assignment}",
            "submissions": args.submissions,
            "workers": workers,
            "sandbox": "bubblewrap" if "sandbox bubblewrap" in r1.stdout else "none",
            "ours_s": round(ours_s, 2),
            "stock_nbgrader_s": round(stock_s, 2),
            "speedup": round(stock_s / ours_s, 2),
            "target_speedup": 1.8,
            "same_scores": a == b and len(a) == args.submissions,
            "cores": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        }
        if a != b:
            result["score_differences"] = {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b))
                                           if a.get(k) != b.get(k)}
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
