"""Translated lessons: pairing, drift check and code sync between English and Korean notebooks.

A translated notebook lives in the course's language folder under the same name:
``courses/01-attribution/01.2-last-touch-lookback.ipynb`` is translated in
``courses/01-attribution/ko/01.2-last-touch-lookback.ipynb``, and the graded assignment
``courses/01-attribution/assignment/x.ipynb`` in ``courses/01-attribution/ko/assignment/x.ipynb``.

Only the prose may differ. ``drift(english, translation)`` lists everything else that does: cell
count and order, cell types, code cell sources, cell metadata (nbgrader ids, points, locks) and
raw cells. ``python -m helpers.i18n check`` runs it over every pair (tests do the same), and
``python -m helpers.i18n sync`` copies the English code cells into the translations when the
structure still matches, so a code fix made in English reaches every language in one command.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

from helpers import catalog

__all__ = ["TRANSLATIONS", "translated_path", "pairs", "drift", "sync", "untranslated_cells"]

TRANSLATIONS = ("ko",)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def translated_path(english: Path, lang: str, courses_root: Path | None = None) -> Path:
    """Where the ``lang`` version of a course notebook lives."""
    root = (courses_root or catalog.courses_dir()).resolve()
    english = english.resolve()
    rel = english.relative_to(root)
    return root / rel.parts[0] / lang / Path(*rel.parts[1:])


def english_notebooks(courses_root: Path | None = None) -> list[Path]:
    """Every lesson and assignment notebook of every course in the catalogue (English sources)."""
    out = []
    for course in catalog.courses(courses_root):
        out.extend(course.lesson_paths)
        if course.assignment_path and course.assignment_path.is_dir():
            out.extend(sorted(course.assignment_path.glob("*.ipynb")))
    return out


def pairs(lang: str = "ko", courses_root: Path | None = None) -> list[tuple[Path, Path]]:
    """(English, translation) for every course notebook; the translation may not exist yet."""
    return [(p, translated_path(p, lang, courses_root)) for p in english_notebooks(courses_root)]


def _meta(cell) -> dict:
    meta = dict(cell.get("metadata", {}))
    for volatile in ("execution", "collapsed", "scrolled", "jp-MarkdownHeadingCollapsed", "tags"):
        meta.pop(volatile, None)
    return meta


def drift(english: Path, translation: Path) -> list[str]:
    """What differs between two notebooks apart from markdown prose (empty list: in step)."""
    if not translation.is_file():
        return [f"{translation} is missing (translation of {english.name})"]
    en = nbformat.read(english, as_version=4)
    tr = nbformat.read(translation, as_version=4)
    problems = []
    if len(en.cells) != len(tr.cells):
        problems.append(f"{translation.name}: {len(tr.cells)} cells, the English has {len(en.cells)}")
    for i, (a, b) in enumerate(zip(en.cells, tr.cells, strict=False)):
        where = f"{translation.name} cell {i}"
        if a.cell_type != b.cell_type:
            problems.append(f"{where}: {b.cell_type} cell where the English has a {a.cell_type} cell")
            continue
        if a.cell_type != "markdown" and a.source != b.source:
            first = next((n for n, (x, y) in enumerate(zip(a.source.splitlines(), b.source.splitlines(),
                                                             strict=False)) if x != y),
                         min(len(a.source.splitlines()), len(b.source.splitlines())))
            problems.append(f"{where}: the {a.cell_type} cell differs from the English from line {first + 1}")
        if _meta(a) != _meta(b):
            problems.append(f"{where}: cell metadata differs from the English: {json.dumps(_meta(a))[:120]} "
                            f"vs {json.dumps(_meta(b))[:120]}")
    lang = tr.metadata.get("mma", {}).get("lang")
    if lang is None:
        problems.append(f"{translation.name}: notebook metadata lacks mma.lang")
    return problems


def untranslated_cells(english: Path, translation: Path, min_letters: int = 40) -> list[int]:
    """Markdown cells with real prose that are unchanged from English or have no Hangul."""
    en = nbformat.read(english, as_version=4)
    tr = nbformat.read(translation, as_version=4)
    out = []
    for i, (a, b) in enumerate(zip(en.cells, tr.cells, strict=False)):
        if a.cell_type == b.cell_type == "markdown":
            letters = len(re.findall(r"[A-Za-z]", re.sub(r"`[^`]*`|https?://\S+|\([^)]*\)", "", a.source)))
            if letters >= min_letters and (a.source == b.source or not _HANGUL.search(b.source)):
                out.append(i)
    return out


def sync(english: Path, translation: Path) -> bool:
    """Copy code/raw cells and cell metadata from English into the translation; True if it changed.

    Only when both have the same sequence of cell types: a new or removed cell needs a translator,
    and ``ValueError`` says so.
    """
    en = nbformat.read(english, as_version=4)
    tr = nbformat.read(translation, as_version=4)
    if [c.cell_type for c in en.cells] != [c.cell_type for c in tr.cells]:
        raise ValueError(f"{translation}: cells were added, removed or moved in {english.name}; "
                         "copy the new cells by hand and translate their text, then run sync again")
    changed = False
    for a, b in zip(en.cells, tr.cells, strict=True):
        if a.cell_type != "markdown" and a.source != b.source:
            b.source = a.source
            changed = True
        if _meta(a) != _meta(b):
            b.metadata = a.metadata
            changed = True
    if changed:
        nbformat.write(tr, translation)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.i18n", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("check", "sync"):
        p = sub.add_parser(name)
        p.add_argument("--lang", default="ko", choices=TRANSLATIONS)
        p.add_argument("--course", default=None, help="only this course (id or topic)")
    args = parser.parse_args(argv)
    chosen = pairs(args.lang)
    if args.course:
        course = catalog.course(args.course)
        chosen = [(a, b) for a, b in chosen if course.folder in a.parents]
    status = 0
    for english, translation in chosen:
        if args.command == "sync":
            if translation.is_file():
                try:
                    if sync(english, translation):
                        print(f"synced {translation}")
                except ValueError as exc:
                    print(exc, file=sys.stderr)
                    status = 1
            continue
        problems = drift(english, translation)
        if not problems and translation.is_file():
            problems = [f"{translation.name} cell {i}: markdown not translated"
                        for i in untranslated_cells(english, translation)]
        for line in problems:
            print(line)
        status = status or (1 if problems else 0)
    if args.command == "check":
        print("in step" if status == 0 else "out of step: see above")
    return status


if __name__ == "__main__":
    sys.exit(main())
