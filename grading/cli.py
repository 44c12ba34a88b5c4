"""Instructor commands: ``python -m grading {release,autograde,feedback,grades,status}``.

Everything runs in one Python process through ``nbgrader.apps.NbGraderAPI`` (the ``nbgrader``
command line costs about 2 s of start-up per call). Exit codes:

* 0 -- the command did its job, even if some submissions failed to grade (they are listed, and
  recorded in ``grading/status/<assignment>/<student>.json`` with the reason);
* 2 -- an instructor-facing problem: bad configuration, unknown assignment, missing folder,
  a hidden test found in a feedback file.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from grading import CONFIG_FILE, courses_dir, grading_root
from helpers.catalog import assignment_id
from helpers.messages import available_languages

GRADE_COLUMNS = [
    "student", "assignment", "status", "reason", "score", "max_score", "auto_score", "manual_score",
    "needs_manual_grade", "late_penalty", "timestamp",
    # for an LMS import: the score as a percentage and the identifiers an LMS matches on
    "percent", "email", "lms_user_id",
]
GRADED, FAILED, PENDING, MISSING = "graded", "failed to grade", "pending", "not submitted"

log = logging.getLogger("mma.grading")


class Problem(Exception):
    """Something the instructor has to fix; reported without a traceback, exit code 2."""


def say(msg: str = "") -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# nbgrader API, configuration, noise filters
# ---------------------------------------------------------------------------------------------

class _ChecksumNoiseFilter(logging.Filter):
    """Drop nbgrader's 'checksum has changed' warning when it is the known false positive.

    A test cell with hidden tests always "changes": the gradebook holds the checksum of the source
    cell (hidden tests included) and the learner has the release cell. The warning is dropped only
    when the learner's checksum equals the *released* checksum of that cell, i.e. the cell is
    exactly as released. Any other checksum (a tampered cell) is still logged.
    """

    def __init__(self) -> None:
        super().__init__()
        self.released: dict[str, set[str]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg.startswith("Attribute '%s' for cell %s has changed") and len(args) == 4:
            attr, cell, _old, new = args
            if attr == "checksum" and new in self.released.get(str(cell), ()):
                return False
        return True


@dataclass
class Context:
    api: object
    root: Path
    db_url: str
    noise: _ChecksumNoiseFilter
    nb_log: logging.Logger
    released_cache: dict = field(default_factory=dict)


_CONTEXTS: dict[tuple, Context] = {}


def _silence_library_noise() -> None:
    try:
        from sqlalchemy.exc import SAWarning
    except ImportError:  # pragma: no cover
        return
    # nbgrader 0.9.6 + SQLAlchemy 2.1: "Object of type <SubmittedAssignment> not in session, add
    # operation along 'Student.submissions' will not proceed" -- harmless, printed 3x per submission.
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", category=SAWarning)
    # nbformat, about cells nbgrader re-adds (add_missing_cells) without an id: it assigns one.
    warnings.filterwarnings("ignore", message=r"Cell is missing an id field")


def context() -> Context:
    """One NbGraderAPI per (grading root, gradebook URL), created on first use."""
    root = grading_root()
    key = (str(root), os.environ.get("MMA_GRADEBOOK_URL", ""), os.environ.get("MMA_EXECUTE_TIMEOUT", ""),
           os.environ.get("MMA_GRADING_UNSAFE", ""))
    if key in _CONTEXTS:
        return _CONTEXTS[key]
    if not CONFIG_FILE.is_file():
        raise Problem(f"nbgrader configuration not found: {CONFIG_FILE}")
    _silence_library_noise()
    # nbgrader runs the `alembic` executable (by PATH) when it creates a gradebook; when the venv
    # was not activated (`.venv/bin/python -m grading`), make its bin folder visible.
    bindir = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import PyFileConfigLoader

    try:
        cfg = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    except Exception as exc:  # a syntax error or a bad env value in the config file
        raise Problem(f"cannot load {CONFIG_FILE}: {exc}") from exc
    nb_log = logging.getLogger(f"mma.grading.nbgrader.{len(_CONTEXTS)}")
    nb_log.propagate = False  # nbgrader's log goes to grading/status/<a>/<s>.log, not the console
    nb_log.setLevel(logging.INFO)
    noise = _ChecksumNoiseFilter()
    nb_log.addFilter(noise)
    api = NbGraderAPI(config=cfg, log=nb_log)
    db_url = str(cfg.CourseDirectory.db_url)
    ctx = Context(api=api, root=root, db_url=db_url, noise=noise, nb_log=nb_log)
    _check_database(ctx)
    _CONTEXTS[key] = ctx
    return ctx


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def _check_database(ctx: Context) -> None:
    try:
        with ctx.api.gradebook as gb:
            gb.students  # noqa: B018 -- touches the database
    except ModuleNotFoundError as exc:
        raise Problem(
            f"the gradebook driver is missing ({exc}). Note that SQLAlchemy 2.1 maps postgresql:// to "
            "psycopg 3 (pip install 'psycopg[binary]'); use postgresql+psycopg2:// for psycopg2."
        ) from exc
    except Exception as exc:
        raise Problem(f"cannot open the gradebook {_safe_url(ctx.db_url)}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# folders
# ---------------------------------------------------------------------------------------------

def course_assignments() -> dict[str, Path]:
    """assignment_id -> source folder: one graded assignment per course and language.

    ``01-attribution`` is ``courses/01-attribution/assignment/``; its Korean version
    ``01-attribution-ko`` is ``courses/01-attribution/ko/assignment/`` (same tests, Korean text and
    feedback).
    """
    base = courses_dir()
    if not base.is_dir():
        raise Problem(f"courses folder not found: {base}")
    found = {}
    for course in sorted(base.iterdir()):
        if not course.is_dir():
            continue
        src = course / "assignment"
        if src.is_dir() and any(src.glob("*.ipynb")):
            found[course.name] = src
            for lang_src in sorted(course.glob("*/assignment")):
                lang = lang_src.parent.name
                if lang in available_languages() and lang != "en" and any(lang_src.glob("*.ipynb")):
                    found[assignment_id(course.name, lang)] = lang_src
    return found


def gradebook_assignments(ctx: Context) -> list[str]:
    with ctx.api.gradebook as gb:
        return sorted(a.name for a in gb.assignments)


def pick_assignments(ctx: Context, wanted: str | None) -> list[str]:
    known = gradebook_assignments(ctx)
    if wanted is None:
        if not known:
            raise Problem("no assignment has been released yet; run `python -m grading release` first")
        return known
    if wanted not in known:
        in_courses = wanted in course_assignments()
        hint = ("it exists in courses/ but was not released: run `python -m grading release` first"
                if in_courses else f"known assignments: {', '.join(known) or 'none'}")
        raise Problem(f"unknown assignment {wanted!r}; {hint}")
    return [wanted]


def _visible_dirs(path: Path) -> list[str]:
    if not path.is_dir():
        return []
    return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def submitted_students(root: Path, assignment: str) -> list[str]:
    return [s for s in _visible_dirs(root / "submitted") if (root / "submitted" / s / assignment).is_dir()]


def status_path(root: Path, assignment: str, student: str) -> Path:
    return root / "status" / assignment / f"{student}.json"


def read_status(root: Path, assignment: str, student: str) -> dict | None:
    path = status_path(root, assignment, student)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError:
        return {"status": FAILED, "reason": f"unreadable status file {path}"}


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder + rename: readers never see a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# roster
# ---------------------------------------------------------------------------------------------

def load_roster(ctx: Context) -> list[str]:
    """Add grading/roster.csv (student_id, first_name, last_name, email, lms_user_id) to the gradebook."""
    path = ctx.root / "roster.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "student_id" not in reader.fieldnames:
            raise Problem(f"{path}: the first line must name the columns; 'student_id' is required "
                          "(optional: first_name, last_name, email, lms_user_id)")
        rows = [r for r in reader if (r.get("student_id") or "").strip()]
    ids = []
    with ctx.api.gradebook as gb:
        for r in rows:
            sid = r["student_id"].strip()
            extra = {k: (r.get(k) or "").strip() or None
                     for k in ("first_name", "last_name", "email", "lms_user_id")}
            gb.update_or_create_student(sid, **extra)
            ids.append(sid)
    return ids


# ---------------------------------------------------------------------------------------------
# release
# ---------------------------------------------------------------------------------------------

def _notebook_ids(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.ipynb"))


def answer_warnings(source_dir: Path) -> list[str]:
    """Test cells that call an answer name: answers leave the sandbox as plain values, so a
    function answer cannot be graded (the test fails with a message saying so)."""
    import ast

    import nbformat

    from grading.execute import _parse, needed_names

    out = []
    for path in sorted(source_dir.glob("*.ipynb")):
        cells = nbformat.read(path, 4).cells
        meta = [c.metadata.get("nbgrader", {}) for c in cells]
        setup = [c.source for c, m in zip(cells, meta, strict=True)
                 if c.cell_type == "code" and m.get("locked") and not m.get("solution") and not m.get("grade")]
        tests = [(m.get("grade_id"), c.source) for c, m in zip(cells, meta, strict=True)
                 if c.cell_type == "code" and m.get("grade") and not m.get("solution")]
        for (gid, src), names in zip(tests, needed_names([s for _, s in tests], setup), strict=True):
            called = {n.func.id for n in ast.walk(_parse(src)) if isinstance(n, ast.Call)
                      and isinstance(n.func, ast.Name)}
            for name in sorted(called & set(names)):
                out.append(f"{path.name}: test cell {gid} calls `{name}`, an answer of the learner; answers "
                           "are handed to the tests as plain values (numbers, text, lists, dicts, tables), "
                           "so ask for the function's results instead")
    return out


def cmd_release(args) -> int:
    ctx = context()
    available = course_assignments()
    if not available:
        raise Problem(f"no graded assignment found: expected courses/<NN-topic>/assignment/*.ipynb under "
                      f"{courses_dir()}")
    if args.assignment:
        if args.assignment not in available:
            raise Problem(f"unknown assignment {args.assignment!r}; assignments in {courses_dir()}: "
                          f"{', '.join(available)}")
        available = {args.assignment: available[args.assignment]}
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", ".DS_Store")
    for aid, src in available.items():
        dest = ctx.root / "source" / aid
        if dest.is_symlink() or dest.is_file():
            dest.unlink()
        elif dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=ignore)
        result = ctx.api.generate_assignment(aid)
        if not result["success"]:
            raise Problem(f"generate_assignment {aid} failed:\n{_reason(result, long=True)}")
        release_dir = ctx.root / "release" / aid
        leaks = [p.name for p in release_dir.glob("*.ipynb")
                 if re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)", p.read_text(encoding="utf-8"))]
        if leaks:
            raise Problem(f"released notebooks still contain solution/hidden-test markers: {leaks}")
        for warning in answer_warnings(dest):
            say(f"warning: {aid}: {warning}")
        with ctx.api.gradebook as gb:
            max_score = gb.find_assignment(aid).max_score
        say(f"released {aid}: {len(_notebook_ids(dest))} notebook(s), {max_score:g} points, "
            f"{src} -> {release_dir}")
    return 0


# ---------------------------------------------------------------------------------------------
# autograde
# ---------------------------------------------------------------------------------------------

def _reason(result: dict, long: bool = False) -> str:
    """A one-line reason from an API result (error traceback and captured log)."""
    lines = []
    tb = (result.get("error") or "").strip().splitlines()
    logtext = result.get("log") or ""
    for line in logtext.splitlines():
        if line.startswith("[ERROR]"):
            text = line[len("[ERROR]"):].strip()
            if text and not text.startswith(("Please see the error log", "There was an error processing")):
                lines.append(text)
    if tb:
        lines.append(tb[-1].strip())
    # the most specific known causes first
    for pattern, nice in [
        (r"DeadKernelError|Kernel died", "the kernel died while running the notebook (e.g. os._exit, crash, "
                                         "out of memory)"),
        (r"Timeout waiting for IOPub|CellTimeoutError", "a cell ran past the time limit and could not be "
                                                        "interrupted"),
        (r"Kernel didn't respond", "the kernel did not start"),
        (r"output limit", "the notebook printed more output than allowed (output limit)"),
        (r"refusing to run untrusted code", "no sandbox available (see `python -m grading autograde --help`)"),
        (r"NotJSONError|Notebook does not appear to be JSON|Unreadable Notebook|BadZipFile",
         "the submitted notebook file is not a valid notebook"),
    ]:
        if re.search(pattern, logtext + "\n" + "\n".join(tb)):
            detail = next((x for x in lines if re.search(pattern, x)), "")
            return f"{nice}: {detail}" if detail and long else nice
    uniq = list(dict.fromkeys(x for x in lines if x))
    text = " | ".join(uniq) or "unknown error (see the log)"
    return text if long else text[:300]


def _released_checksums(ctx: Context, aid: str) -> dict[str, set[str]]:
    """grade_id -> checksums of released cells whose source has hidden tests (for the noise filter)."""
    if aid in ctx.released_cache:
        return ctx.released_cache[aid]
    import nbformat

    out: dict[str, set[str]] = {}
    for src in (ctx.root / "source" / aid).glob("*.ipynb"):
        rel = ctx.root / "release" / aid / src.name
        if not rel.is_file():
            continue
        hidden = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nbformat.read(src, 4).cells
                  if "BEGIN HIDDEN TESTS" in c.source}
        for c in nbformat.read(rel, 4).cells:
            meta = c.metadata.get("nbgrader", {})
            if meta.get("grade_id") in hidden and meta.get("checksum"):
                out.setdefault(meta["grade_id"], set()).add(meta["checksum"])
    ctx.released_cache[aid] = out
    return out


def _snapshot_manual(ctx: Context, aid: str, sid: str) -> dict | None:
    from nbgrader.api import MissingEntry

    with ctx.api.gradebook as gb:
        try:
            sub = gb.find_submission(aid, sid)
        except MissingEntry:
            return None
        grades, comments = {}, {}
        for nb in sub.notebooks:
            for g in nb.grades:
                if g.manual_score is not None or g.extra_credit:
                    grades[(nb.name, g.name)] = (g.manual_score, g.extra_credit, g.needs_manual_grade)
            for c in nb.comments:
                if c.manual_comment:
                    comments[(nb.name, c.name)] = c.manual_comment
        return {"timestamp": sub.timestamp, "grades": grades, "comments": comments}


def _restore_manual(ctx: Context, aid: str, sid: str, snap: dict | None) -> int:
    """Put manual grades/comments back if autograde dropped them; returns how many were restored.

    nbgrader 0.9.6's SaveAutoGrades keeps ``manual_score`` but flags the cell ``needs_manual_grade``
    again. When the submission is unchanged (same timestamp) the instructor's review still holds,
    so the flag is cleared again; a resubmission keeps the score but asks for a new review.
    """
    if not snap or not (snap["grades"] or snap["comments"]):
        return 0
    from nbgrader.api import MissingEntry

    restored = 0
    with ctx.api.gradebook as gb:
        try:
            sub = gb.find_submission(aid, sid)
        except MissingEntry:
            return 0
        same = sub.timestamp == snap["timestamp"]
        for (nb, name), (manual, extra, needs) in snap["grades"].items():
            try:
                g = gb.find_grade(name, nb, aid, sid)
            except MissingEntry:
                continue
            if g.manual_score is None and manual is not None:
                g.manual_score, restored = manual, restored + 1
            if not g.extra_credit and extra:
                g.extra_credit = extra
            if same and not needs:
                g.needs_manual_grade = False
        for (nb, name), text in snap["comments"].items():
            try:
                c = gb.find_comment(name, nb, aid, sid)
            except MissingEntry:
                continue
            if not c.manual_comment:
                c.manual_comment, restored = text, restored + 1
        gb.db.commit()
    return restored


def _symlinks(folder: Path) -> list[str]:
    """Symbolic links inside a submission folder (relative paths)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            if full.is_symlink():
                found.append(str(full.relative_to(folder)))
    return sorted(found)


def autograde_one(ctx: Context, aid: str, sid: str) -> dict:
    links = _symlinks(ctx.root / "submitted" / sid / aid)
    if links:
        # nbgrader would follow them (a link to source/ would be graded as the learner's notebook)
        result = {"success": False, "log": "", "error": "symbolic links in the submission: " + ", ".join(links)}
        reason = (f"the submission contains symbolic links ({', '.join(links[:5])}); not graded: "
                  "submissions must be plain files")
        return _record(ctx, aid, sid, result, reason, 0.0, 0)
    ctx.noise.released = _released_checksums(ctx, aid)
    snap = _snapshot_manual(ctx, aid, sid)
    t0 = time.monotonic()
    try:
        result = ctx.api.autograde(aid, sid)  # force=True: re-running replaces the previous autograde
    except Exception as exc:  # noqa: BLE001 -- one submission must never stop the batch
        result = {"success": False, "log": "", "error": f"{type(exc).__name__}: {exc}"}
    took = round(time.monotonic() - t0, 2)
    restored = _restore_manual(ctx, aid, sid, snap)
    return _record(ctx, aid, sid, result, None, took, restored)


def _mask(text: str, db_url: str) -> str:
    """``text`` with the gradebook password (if any) replaced by ``***``."""
    try:
        from sqlalchemy.engine import make_url

        pw = make_url(db_url).password
    except Exception:  # noqa: BLE001
        pw = None
    if pw:
        text = text.replace(str(pw), "***")
    return re.sub(r"(\w+(?:\+\w+)?://[^:/@\s]+):[^@\s]*@", r"\1:***@", text)


def _record(ctx: Context, aid: str, sid: str, result: dict, reason: str | None, took: float,
            restored: int) -> dict:
    logtext = result.get("log") or ""
    notes = [m.group(1) for m in re.finditer(r"No submitted file: (\S+)", logtext)]
    record = {
        "student": sid,
        "assignment": aid,
        "status": GRADED if result["success"] else FAILED,
        "reason": reason or ("" if result["success"] else _reason(result)),
        "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": took,
        "manual_grades_restored": restored,
    }
    if notes:
        record["reason"] = "missing notebook(s): " + ", ".join(Path(n).name for n in notes)
    record["reason"] = _mask(record["reason"], ctx.db_url)
    sp = status_path(ctx.root, aid, sid)
    text = logtext + ("\n" + result["error"] if result.get("error") else "")
    write_atomic(sp.with_suffix(".log"), _mask(text, ctx.db_url))
    write_atomic(sp, json.dumps(record, indent=1) + "\n")
    return record


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _worker_init(env: dict) -> None:
    os.environ.clear()
    os.environ.update(env)
    _silence_library_noise()


def _worker_job(aid: str, sid: str) -> dict:
    with warnings.catch_warnings():
        _silence_library_noise()
        return autograde_one(context(), aid, sid)


def _say_record(rec: dict) -> None:
    sid = rec["student"]
    if rec["status"] == GRADED:
        extra = f"; {rec['reason']}" if rec["reason"] else ""
        extra += f"; {rec['manual_grades_restored']} manual grade(s) restored" \
            if rec["manual_grades_restored"] else ""
        say(f"  {sid:<20} graded ({rec['seconds']:.1f} s){extra}")
    else:
        say(f"  {sid:<20} FAILED TO GRADE ({rec['seconds']:.1f} s): {rec['reason']}")


def _run_jobs(ctx: Context, jobs: list[tuple[str, str]], workers: int) -> list[dict]:
    """Autograde ``jobs`` [(assignment, student)]: in this process, or in ``workers`` processes."""
    records = []
    if workers <= 1 or len(jobs) <= 1:
        from grading.execute import close_runners

        try:
            for aid, sid in jobs:
                rec = autograde_one(ctx, aid, sid)
                _say_record(rec)
                records.append(rec)
        finally:
            close_runners()
        return records
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    mp = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp, initializer=_worker_init,
                             initargs=(dict(os.environ),)) as pool:
        futures = {pool.submit(_worker_job, aid, sid): (aid, sid) for aid, sid in jobs}
        for fut in as_completed(futures):
            aid, sid = futures[fut]
            try:
                rec = fut.result()
            except Exception as exc:  # noqa: BLE001 -- a worker crashed: that submission failed
                result = {"success": False, "log": "", "error": f"{type(exc).__name__}: {exc}"}
                rec = _record(ctx, aid, sid, result, f"the grading worker stopped: {type(exc).__name__}: {exc}",
                              0.0, 0)
            _say_record(rec)
            records.append(rec)
    return records


def cmd_autograde(args) -> int:
    from grading import sandbox

    if args.unsafe:
        os.environ["MMA_GRADING_UNSAFE"] = "1"
        say("WARNING: --unsafe: learner code runs WITHOUT a sandbox, as your user, with your files and "
            "network in reach. Use it only for submissions you trust.")
    else:
        os.environ.pop("MMA_GRADING_UNSAFE", None)
        ok, why = sandbox.check()
        if not ok:
            raise Problem(f"refusing to autograde: no sandbox for learner code. {why}. Learner code could "
                          "otherwise read the hidden tests and the gradebook, change grades and use the "
                          "network. Install bubblewrap, or pass --unsafe if you trust every submission.")
    ctx = context()
    root = ctx.root
    assignments = pick_assignments(ctx, args.assignment)
    subdir = root / "submitted"
    if not subdir.is_dir():
        raise Problem(f"no submissions folder: expected submissions in {subdir}/<student>/<assignment>/ "
                      "(nbgrader's layout, e.g. after `nbgrader collect` or copying them there)")
    roster = load_roster(ctx)
    if roster:
        say(f"roster: {len(roster)} student(s) from {root / 'roster.csv'}")
    jobs = []
    for aid in assignments:
        if not (root / "source" / aid).is_dir():
            raise Problem(f"{root / 'source' / aid} is missing; run `python -m grading release` first")
        students = submitted_students(root, aid)
        if args.student:
            if args.student not in students:
                raise Problem(f"no submission for student {args.student!r} in {subdir / args.student / aid}")
            students = [args.student]
        say(f"autograding {aid}: {len(students)} submission(s) in {subdir}/<student>/{aid}")
        jobs += [(aid, sid) for sid in students]
    workers = args.workers or _default_workers()
    if workers < 1:
        raise Problem(f"--workers must be 1 or more, not {workers}")
    workers = min(workers, max(len(jobs), 1))
    mode = "NO SANDBOX (--unsafe)" if args.unsafe else f"sandbox {sandbox.check()[1]}"
    say(f"{len(jobs)} submission(s), {workers} worker(s), {mode}")
    records = _run_jobs(ctx, jobs, workers)
    failed = [r for r in records if r["status"] != GRADED]
    graded = len(records) - len(failed)
    say(f"autograde done: {graded}/{len(records)} graded, {len(failed)} failed to grade; "
        f"autograded notebooks in {root / 'autograded'}, status in {root / 'status'}")
    if failed:
        say("failed to grade (see grading/status/<assignment>/<student>.log):")
        for rec in sorted(failed, key=lambda r: (r["assignment"], r["student"])):
            say(f"  {rec['assignment']}/{rec['student']}: {rec['reason']}")
    return 0


# ---------------------------------------------------------------------------------------------
# feedback
# ---------------------------------------------------------------------------------------------

def _hidden_lines(ctx: Context, aid: str) -> set[str]:
    """Non-trivial lines of the hidden-test regions that are not also visible in the release."""
    import nbformat

    hidden: set[str] = set()
    visible: set[str] = set()
    for src in (ctx.root / "source" / aid).glob("*.ipynb"):
        for cell in nbformat.read(src, 4).cells:
            inside = False
            for line in cell.source.splitlines():
                s = line.strip()
                if "BEGIN HIDDEN TESTS" in s:
                    inside = True
                elif "END HIDDEN TESTS" in s:
                    inside = False
                elif inside and len(s) >= 8:
                    hidden.add(s)
        rel = ctx.root / "release" / aid / src.name
        if rel.is_file():
            visible |= {x.strip() for c in nbformat.read(rel, 4).cells for x in c.source.splitlines()}
    return hidden - visible


def _own_lines(notebook: Path, lines: set[str]) -> set[str]:
    """The subset of ``lines`` found in the learner's own cells (not the locked test cells)."""
    import nbformat

    try:
        cells = nbformat.read(notebook, 4).cells
    except (OSError, ValueError):
        return set()
    own = "\n".join(
        c.source for c in cells
        if "BEGIN HIDDEN TESTS" not in c.source
        and not (c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution"))
    )
    return {line for line in lines if line in own}


def _html_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def cmd_feedback(args) -> int:
    ctx = context()
    problems = []
    for aid in pick_assignments(ctx, args.assignment):
        graded = [s for s in _visible_dirs(ctx.root / "autograded") if (ctx.root / "autograded" / s / aid).is_dir()]
        if not graded:
            say(f"feedback {aid}: nothing autograded yet (run `python -m grading autograde`)")
            continue
        result = ctx.api.generate_feedback(aid)
        if not result["success"]:
            problems.append(f"generate_feedback {aid} failed: {_reason(result)}")
            continue
        hidden = _hidden_lines(ctx, aid)
        files = sorted((ctx.root / "feedback").glob(f"*/{aid}/*.html"))
        leaked = []
        for f in files:
            text = _html_text(f)
            found = {line for line in hidden if line in text}
            if found:
                # the learner may have written the same line in their own answer: not a leak
                found -= _own_lines(ctx.root / "autograded" / f.parts[-3] / aid / (f.stem + ".ipynb"), found)
            if found:
                leaked.append(f)
                f.unlink()  # never hand out a page with hidden tests
        say(f"feedback {aid}: {len(files) - len(leaked)} page(s) for {len(graded)} autograded student(s) "
            f"in {ctx.root / 'feedback'}/<student>/{aid}/ (checked: no hidden-test text)")
        if leaked:
            problems.append(f"hidden-test text found in {len(leaked)} feedback page(s) of {aid}; removed: "
                            + ", ".join(str(p) for p in leaked))
    if problems:
        raise Problem("\n".join(problems))
    return 0


# ---------------------------------------------------------------------------------------------
# grades / status
# ---------------------------------------------------------------------------------------------

def _fmt(x) -> str:
    return "" if x is None else f"{x:g}" if isinstance(x, float) else str(x)


def grade_rows(ctx: Context) -> list[dict]:
    """One row per (student, released assignment)."""
    from nbgrader.api import MissingEntry

    root = ctx.root
    rows = []
    with ctx.api.gradebook as gb:
        assignments = sorted(a.name for a in gb.assignments)
        people = {s.id: s for s in gb.students}
        students = set(people)
        for aid in assignments:
            students |= set(submitted_students(root, aid))
        for aid in assignments:
            max_score = float(gb.find_assignment(aid).max_score)
            for sid in sorted(students):
                rec = read_status(root, aid, sid) or {}
                try:
                    sub = gb.find_submission(aid, sid)
                except MissingEntry:
                    sub = None
                row = dict.fromkeys(GRADE_COLUMNS, "")
                row.update(student=sid, assignment=aid, max_score=_fmt(max_score))
                person = people.get(sid)
                if person is not None:
                    row.update(email=person.email or "", lms_user_id=getattr(person, "lms_user_id", None) or "")
                has_folder = (root / "submitted" / sid / aid).is_dir()
                if rec.get("status") == FAILED:
                    row.update(status=FAILED, reason=rec.get("reason", ""))
                elif sub is not None and (rec.get("status") == GRADED or not rec):
                    row.update(status=GRADED, reason=rec.get("reason", ""))
                elif has_folder:
                    row.update(status=PENDING, reason="submitted, not autograded yet")
                else:
                    row.update(status=MISSING, score="0", auto_score="", needs_manual_grade="False",
                               percent="0")
                    rows.append(row)
                    continue
                if sub is None:
                    rows.append(row)
                    continue
                auto = manual = total = 0.0
                any_manual, needs, clamped = False, False, []
                for nb in sub.notebooks:
                    for g in nb.grades:
                        top = float(g.max_score or 0)
                        a = min(max(float(g.auto_score or 0), 0.0), top)
                        auto += a
                        if g.manual_score is not None:
                            m = min(max(float(g.manual_score), 0.0), top)
                            if m != g.manual_score:
                                clamped.append(f"{g.name} manual {g.manual_score:g} -> {m:g}")
                            manual += m
                            any_manual = True
                            total += m
                        else:
                            total += a
                        needs = needs or bool(g.needs_manual_grade)
                penalty = float(sub.late_submission_penalty or 0)
                total = max(total - penalty, 0.0)
                if row["status"] == FAILED:
                    needs = True
                reason = row["reason"]
                if clamped:
                    reason = "; ".join(x for x in [reason, "clamped " + ", ".join(clamped)] if x)
                row.update(
                    reason=reason, score=_fmt(round(total, 4)), auto_score=_fmt(round(auto, 4)),
                    manual_score=_fmt(round(manual, 4)) if any_manual else "",
                    needs_manual_grade=str(needs), late_penalty=_fmt(penalty) if penalty else "",
                    timestamp=sub.timestamp.isoformat() if sub.timestamp else "",
                    percent=_fmt(round(100 * total / max_score, 2)) if max_score else "",
                )
                rows.append(row)
    return rows


def cmd_grades(args) -> int:
    ctx = context()
    roster = load_roster(ctx)
    rows = grade_rows(ctx)
    out = Path(args.output) if args.output else ctx.root / "exports" / "grades.csv"
    buf = _csv_text(rows)
    write_atomic(out, buf)
    counts = _count(rows)
    say(f"wrote {out}: {len(rows)} row(s) ({', '.join(f'{v} {k}' for k, v in counts.items()) or 'empty'})"
        + (f"; roster {len(roster)} student(s)" if roster else ""))
    return 0


def _csv_text(rows: list[dict]) -> str:
    import io

    f = io.StringIO()
    w = csv.DictWriter(f, fieldnames=GRADE_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return f.getvalue()


def _count(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def cmd_status(args) -> int:
    ctx = context()
    load_roster(ctx)
    rows = grade_rows(ctx)
    if args.assignment:
        pick_assignments(ctx, args.assignment)
        rows = [r for r in rows if r["assignment"] == args.assignment]
    cols = [GRADED, FAILED, PENDING, MISSING, "needs manual grade"]
    say(f"grading root: {ctx.root}   gradebook: {_safe_url(ctx.db_url)}")
    say(f"{'assignment':<24}" + "".join(f"{c:>20}" for c in cols))
    shown = [args.assignment] if args.assignment else gradebook_assignments(ctx)
    for aid in shown:
        mine = [r for r in rows if r["assignment"] == aid]
        c = _count(mine)
        c["needs manual grade"] = sum(r["needs_manual_grade"] == "True" and r["status"] == GRADED for r in mine)
        say(f"{aid:<24}" + "".join(f"{c.get(k, 0):>20}" for k in cols))
    for r in rows:
        if r["status"] == FAILED:
            say(f"  failed: {r['assignment']}/{r['student']}: {r['reason']}")
    if not shown:
        say("nothing released yet (python -m grading release)")
    return 0


# ---------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m grading", description="Mobile Measurement Academy grading")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", help="courses/*/assignment -> grading/source -> grading/release")
    r.add_argument("--assignment", help="only this assignment (course folder name, e.g. 01-attribution)")
    a = sub.add_parser("autograde", help="autograde grading/submitted/<student>/<assignment>/")
    a.add_argument("--assignment")
    a.add_argument("--student")
    a.add_argument("--workers", type=int, default=0,
                   help="parallel grading processes (default: the number of CPU cores)")
    a.add_argument("--unsafe", action="store_true",
                   help="grade WITHOUT the bubblewrap sandbox (learner code runs as you); only for trusted work")
    f = sub.add_parser("feedback", help="HTML feedback without hidden tests in grading/feedback/")
    f.add_argument("--assignment")
    g = sub.add_parser("grades", help="write grading/exports/grades.csv")
    g.add_argument("--output", help="another path for the CSV")
    s = sub.add_parser("status", help="short table of grading progress")
    s.add_argument("--assignment")
    return p


COMMANDS = {"release": cmd_release, "autograde": cmd_autograde, "feedback": cmd_feedback,
            "grades": cmd_grades, "status": cmd_status}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            _silence_library_noise()
            return COMMANDS[args.command](args)
    except Problem as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
