"""Shared helpers for the export, guard and browser tests: real notebooks run by papermill
and a small personal-data index with the interface of ``privacy.PersonalIndex``."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# Made-up residents, as they would stand in a 低保 ledger.
RESIDENT_IDS = ("110105194912310021", "33010619580301402X")
RESIDENT_PHONES = ("13812345678",)
# 高峰 is also an everyday word (用电高峰); 王平 reads as a name only.
RESIDENT_NAMES = ("王平", "高峰")


class StandInIndex:
    """The look-ups of ``PersonalIndex``: IDs and phones anywhere in a text, names only as
    a whole value. Answers masked values so nothing personal is ever handed around."""

    def __init__(self, ids: Iterable[str] = RESIDENT_IDS, phones: Iterable[str] = RESIDENT_PHONES,
                 names: Iterable[str] = RESIDENT_NAMES):
        self.ids = {i.upper() for i in ids}
        self.phones = set(phones)
        self.names = set(names)

    def find_in_text(self, text: str) -> list[str]:
        found = []
        for run in re.findall(r"\d{17}[\dXx]|\d{11}", text):
            if run.upper() in self.ids:
                found.append(run[:6] + "********" + run[-4:])
            elif run in self.phones:
                found.append(run[:3] + "****" + run[-4:])
        return found

    def find_in_cells(self, cells: Iterable[str]) -> list[str]:
        return ["**" for c in cells if c.strip() in self.names]


def notebook(cells: list[tuple[str, str, list[str]]], metadata: dict | None = None
             ) -> nbformat.NotebookNode:
    """A notebook from (kind, source, tags) triples, kind "code" or "markdown"."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for kind, source, tags in cells:
        cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    if metadata:
        nb.metadata.update(metadata)
    return nb


def execute(nb: nbformat.NotebookNode, folder: Path, name: str,
            allow_errors: bool = False) -> Path:
    """Run a notebook for real with papermill; returns the executed notebook's path."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.src.ipynb"
    out = folder / f"{name}.ipynb"
    nbformat.write(nb, str(source))
    try:
        papermill.execute_notebook(str(source), str(out), kernel_name="python3",
                                   progress_bar=False, cwd=str(folder))
    except papermill.PapermillExecutionError:
        if not allow_errors:
            raise
    return out


def require_tool(name: str) -> str:
    """The path of a system tool the tests need; fails (never skips) when it is missing."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists()
                                  else None)
    assert path, f"缺少系统工具 {name}，请先运行 make setup"
    return path


def pdf_pages(pdf: Path) -> list[str]:
    """The PDF's text page by page (pdftotext -layout)."""
    out = subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_fonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table as dicts (name, type, emb)."""
    out = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    rows = []
    for line in out[2:]:
        parts = line.split()
        if not parts:
            continue
        # name type... encoding emb sub uni object ID: the last five are fixed.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return rows
