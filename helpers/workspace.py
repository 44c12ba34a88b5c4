"""The learner's workspace: released notebooks generated from the course sources.

``python -m helpers.workspace build`` (run by ``make release`` and ``make lab``) writes, for
every course, the released lessons (solutions replaced by ``# YOUR CODE HERE``, outputs cleared)
and the released graded assignment into ``workspace/<course>/``, and their translations into
``workspace/<course>/<lang>/`` (Korean: ``ko/``; a notebook opened from there speaks Korean).

Learner work is never lost. The builder remembers, in ``workspace/.mma/manifest.json``, the
fingerprint of every file it wrote. When it runs again:

* a file the learner has not changed is replaced by the new version (nothing to lose);
* a file the learner has changed is left alone; if the course has a new version of it, that
  version is written beside it as ``<name>.new.ipynb`` and a notice tells the learner (printed,
  and shown on the portal's start page);
* files the builder did not write (the learner's own notebooks) are never touched or deleted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers import catalog
from helpers.messages import t

__all__ = ["workspace_dir", "release_lesson", "build", "BuildReport", "notices"]

MANIFEST = ".mma/manifest.json"
NOTICES = ".mma/notices.json"


def workspace_dir() -> Path:
    """``MMA_WORKSPACE`` if set, else ``<project>/workspace``."""
    env = os.environ.get("MMA_WORKSPACE")
    return Path(env).expanduser().resolve() if env else catalog.project_root() / "workspace"


def release_lesson(source: Path) -> str:
    """The learner's copy of a lesson notebook, as notebook JSON text.

    Solution regions (``### BEGIN SOLUTION`` … ``### END SOLUTION``) become ``# YOUR CODE HERE``,
    hidden tests are dropped and outputs cleared, using nbgrader's own preprocessors.
    """
    from nbconvert.preprocessors import ClearOutputPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = nbformat.read(source, as_version=4)
    resources: dict = {}
    clear = ClearSolutions(code_stub={"python": "# YOUR CODE HERE"}, enforce_metadata=False)
    for pre in (clear, ClearHiddenTests(enforce_metadata=False), ClearOutputPreprocessor()):
        nb, resources = pre.preprocess(nb, resources)
    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) + "\n"


def _digest(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_learner_version: list[str] = field(default_factory=list)
    new_versions_beside: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [t("workspace.summary", new=len(self.written), updated=len(self.updated),
                   unchanged=len(self.unchanged), kept=len(self.kept_learner_version))]
        for rel in self.new_versions_beside:
            lines.append("  " + t("workspace.new_version_beside", file=rel.replace(".new.ipynb", ".ipynb"), new=rel))
        return "\n".join(lines)


def _planned_files(release_dir: Path | None) -> dict[str, str]:
    """Relative workspace path → content, for every file the course sources produce."""
    from helpers.messages import available_languages

    files: dict[str, str] = {}
    for lang in available_languages():
        for course in catalog.courses(lang=lang):
            prefix = course.id if lang == "en" else f"{course.id}/{lang}"
            for lesson in course.lessons:
                source = course.lang_folder / lesson.file
                if source.is_file():  # a lesson not translated yet has no copy in the language folder
                    files[f"{prefix}/{lesson.file}"] = release_lesson(source)
            if course.assignment_folder and release_dir is not None:
                released = release_dir / course.assignment_id
                if released.is_dir():
                    for path in sorted(released.rglob("*")):
                        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                            rel = path.relative_to(released).as_posix()
                            files[f"{prefix}/assignment/{rel}"] = path.read_text(encoding="utf-8")
    return files


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build(workspace: Path | None = None, release_dir: Path | None = None) -> BuildReport:
    """Write or refresh the learner workspace (see the module docstring for the rules)."""
    workspace = workspace or workspace_dir()
    if release_dir is None:
        release_dir = catalog.project_root() / "grading" / "release"
    manifest_path = workspace / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    except json.JSONDecodeError as exc:
        raise RuntimeError(t("workspace.manifest_damaged", path=manifest_path, error=exc)) from exc
    report = BuildReport()
    notice_list = notices(workspace)
    for rel, content in _planned_files(release_dir).items():
        target = workspace / rel
        new_digest = _digest(content)
        if not target.exists():
            _write_atomic(target, content)
            manifest[rel] = new_digest
            report.written.append(rel)
            continue
        current = _digest(target.read_bytes())
        if current == new_digest:
            manifest[rel] = new_digest
            report.unchanged.append(rel)
        elif manifest.get(rel) == current:
            # the learner has not touched our previous version: safe to replace
            _write_atomic(target, content)
            manifest[rel] = new_digest
            report.updated.append(rel)
        else:
            # the learner's file: never overwrite it
            report.kept_learner_version.append(rel)
            beside = target.with_name(target.stem + ".new" + target.suffix)
            beside_rel = beside.relative_to(workspace).as_posix()
            if manifest.get(beside_rel) != new_digest or not beside.exists():
                if beside.exists() and _digest(beside.read_bytes()) != manifest.get(beside_rel):
                    # even the ".new" file was edited: pick a dated name instead
                    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S")
                    beside = target.with_name(f"{target.stem}.new-{stamp}{target.suffix}")
                    beside_rel = beside.relative_to(workspace).as_posix()
                _write_atomic(beside, content)
                manifest[beside_rel] = new_digest
                report.new_versions_beside.append(beside_rel)
                notice_list.append({"file": rel, "new_version": beside_rel,
                                    "when": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")})
    _write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    _write_atomic(workspace / NOTICES, json.dumps(notice_list, indent=1) + "\n")
    return report


def notices(workspace: Path | None = None) -> list[dict]:
    """Files for which a new course version was saved beside the learner's edited copy."""
    path = (workspace or workspace_dir()) / NOTICES
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return []
    return [n for n in data if isinstance(n, dict) and "file" in n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.workspace", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write or refresh the learner workspace")
    b.add_argument("--workspace", type=Path, default=None)
    b.add_argument("--release-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "build":
        report = build(args.workspace, args.release_dir)
        print(report.summary())
        print(t("workspace.folder", path=args.workspace or workspace_dir()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
