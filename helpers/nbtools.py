"""Notebook housekeeping for authors and CI: stored notebooks carry no outputs.

``python -m helpers.nbtools check-clean courses`` exits non-zero naming every notebook stored with
outputs, execution counts or widget state; ``python -m helpers.nbtools clear courses`` clears them
in place, keeping cell metadata (nbgrader markup, tags).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

__all__ = ["notebooks", "dirty_reasons", "clear"]


def notebooks(paths: Iterable[Path | str]) -> list[Path]:
    """Every ``.ipynb`` under the given files or folders (checkpoints excluded), sorted."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if not p.exists():
            raise FileNotFoundError(f"{p} does not exist")
        candidates = [p] if p.is_file() else p.rglob("*.ipynb")
        found.update(c for c in candidates if ".ipynb_checkpoints" not in c.parts and c.suffix == ".ipynb")
    return sorted(found)


def dirty_reasons(path: Path) -> list[str]:
    """Why a stored notebook is not clean (empty list when it is)."""
    nb = nbformat.read(path, as_version=4)
    reasons = []
    for i, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            reasons.append(f"cell {i} has outputs")
        if cell.get("execution_count") is not None:
            reasons.append(f"cell {i} has an execution count")
    if "widgets" in nb.metadata:
        reasons.append("notebook metadata holds widget state")
    return reasons


def clear(path: Path) -> bool:
    """Clear outputs, execution counts and widget state in place; True when the file changed."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.nbtools")
    parser.add_argument("command", choices=["check-clean", "clear"])
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    paths = notebooks(args.paths)
    if args.command == "clear":
        changed = [p for p in paths if clear(p)]
        print(f"cleared {len(changed)} of {len(paths)} notebooks")
        return 0
    bad = {p: r for p in paths if (r := dirty_reasons(p))}
    for p, reasons in bad.items():
        print(f"{p}: {'; '.join(reasons)}")
    print(f"{len(paths) - len(bad)} of {len(paths)} notebooks are stored clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
