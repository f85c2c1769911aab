"""Remove outputs, execution counts and run metadata from notebooks before a commit.

The committed notebooks are templates: an executed copy would carry one community's
figures (and, from a careless cell, perhaps a resident's data) into every checkout.

    python scripts/strip_notebooks.py                 # strip notebooks/*.ipynb in place
    python scripts/strip_notebooks.py --check a.ipynb # exit 1 if any still has outputs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
RUN_METADATA = ("papermill", "widgets", "execution", "shequ_kit")
CELL_RUN_METADATA = ("papermill", "execution", "collapsed", "scrolled")


def is_clean(nb: nbformat.NotebookNode) -> bool:
    """No outputs, no execution counts, no run metadata."""
    if any(k in nb.metadata for k in RUN_METADATA):
        return False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            return False
        if any(k in cell.metadata for k in CELL_RUN_METADATA):
            return False
    return True


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for key in RUN_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    for cell in nb.cells:
        for key in CELL_RUN_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="清除笔记本的输出和运行记录")
    parser.add_argument("paths", nargs="*", type=Path, help="笔记本文件（默认 notebooks/*.ipynb）")
    parser.add_argument("--check", action="store_true", help="只检查，有输出时返回 1")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if is_clean(nb):
            continue
        dirty.append(path)
        if not args.check:
            nbformat.validate(strip(nb))
            nbformat.write(nb, path)
    for path in dirty:
        print(f"{'含有输出' if args.check else '已清除输出'}：{path}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
