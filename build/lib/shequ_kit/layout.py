"""Where the user's ledgers are, and what to say when they are not where a command looked.

A new analyst types ``--data data/sample/2024`` (the year folder itself), a year that is
not there, or a community name one character off. Each of these used to end in a bare
"未找到": these helpers say what was found instead and what was probably meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["closest", "year_folder_problem", "years_found"]

_YEAR = re.compile(r"^(19|20)\d{2}$")


def years_found(data: Path) -> list[int]:
    """The year folders (2023, 2024 …) directly under ``data``."""
    if not data.is_dir():
        return []
    return sorted(int(p.name) for p in data.iterdir() if p.is_dir() and _YEAR.match(p.name))


def year_folder_problem(data: Path, year: int) -> str | None:
    """None when ``data/<year>`` exists; otherwise a Chinese message with a hint."""
    data = Path(data)
    folder = data / str(year)
    if folder.is_dir():
        return None
    if not data.is_dir():
        return f"未找到台账目录：{data}"
    message = f"未找到{year}年的台账目录：{folder}"
    if _YEAR.match(data.name):
        return (f"{message}。--data 应指向包含年份目录的上级目录，而不是年份目录本身，"
                f"例如 --data {data.parent}")
    found = years_found(data)
    if found:
        return f"{message}。该目录下已有的年份：{'、'.join(map(str, found))}"
    return f"{message}。该目录下没有以年份命名的子目录（如 {data / str(year)}）"


def closest(wanted: str, names: Iterable[str]) -> str:
    """'，是不是“天运社区”？' for a name one or two characters off, else ''."""
    close = difflib.get_close_matches(wanted, sorted(set(names)), n=3, cutoff=0.5)
    return f"，是不是“{'”或“'.join(close)}”？" if close else ""
